terraform import lastline_account_role.read_only jane.doe@example.com/builtin/Read-only
