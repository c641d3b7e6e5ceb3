# An authorization map entry is imported by its name.
terraform import lightbits_auth_map_entry.storage_admins storage-admins
