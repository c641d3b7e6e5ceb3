resource "luminate_aws_integration" "aws" {
  integration_name = "production-account"
}

resource "luminate_aws_integration_bind" "aws" {
  integration_name        = luminate_aws_integration.aws.integration_name
  integration_id          = luminate_aws_integration.aws.integration_id
  aws_role_arn            = "arn:aws:iam::111122223333:role/luminate-discovery"
  luminate_aws_account_id = luminate_aws_integration.aws.luminate_aws_account_id
  aws_external_id         = luminate_aws_integration.aws.aws_external_id
  regions                 = ["us-east-1", "eu-west-1"]
}
