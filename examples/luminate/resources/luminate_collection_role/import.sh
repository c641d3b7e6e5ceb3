# A role is imported by its role binding's ID.
terraform import luminate_collection_role.policy_owner 3fa85f64-5717-4562-b3fc-2c963f66afa6
