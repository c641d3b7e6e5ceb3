# A resource policy is imported as <project_name>/<uuid>.
terraform import lightbits_resource_policy.db_weekly default/3fa85f64-5717-4562-b3fc-2c963f66afa6
