resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_ssh_gw_application" "fleet" {
  site_id        = luminate_site.office.id
  name           = "fleet"
  integration_id = "5e3c2b1a-7d4f-4e6a-9b8c-0f1e2d3c4b5a" # the AWS integration's ID

  tags = {
    Type = "ssh-gw-demo"
  }

  vpc {
    region     = "eu-west-1"
    cidr_block = "172.31.0.0/16"
    vpc_id     = "vpc-123456789"
  }
}
