# The cluster has one encryption setting; its import ID is always "encryption".
terraform import lightbits_cluster_encryption.this encryption
