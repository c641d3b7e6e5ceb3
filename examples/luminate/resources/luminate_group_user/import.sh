# A membership is imported by `<group_id>_<user_id>`.
terraform import luminate_group_user.bob_in_developers 9d000000-0000-4000-8000-0000000000d1_b0b00000-0000-4000-8000-000000000002
