terraform import lastline_account.analyst jane.doe@example.com
