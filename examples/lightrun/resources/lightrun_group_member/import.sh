terraform import lightrun_group_member.alice_oncall 0e2f7a84-6a47-4a71-9f0e-8d3cb1e2d9f0/alice@example.com
