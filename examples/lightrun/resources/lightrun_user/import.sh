terraform import lightrun_user.alice alice@example.com
