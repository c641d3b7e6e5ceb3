# An AWS integration is imported by its ID.
terraform import luminate_aws_integration.aws 0d8f5c2e-4b7a-4e91-9a3c-2f6e8d1b7c45
