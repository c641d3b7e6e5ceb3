resource "luminate_aws_integration" "aws" {
  integration_name = "production-account"
}
