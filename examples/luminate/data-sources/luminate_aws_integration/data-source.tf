resource "luminate_aws_integration" "production" {
  integration_name = "production-account"
}

data "luminate_aws_integration" "aws" {
  integration_name = luminate_aws_integration.production.integration_name
}
