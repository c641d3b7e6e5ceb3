# Import by server UUID.
terraform import lightbits_server.spare 6f1c9a52-3b6e-4c59-9d0b-2a8c4a0e7b11
