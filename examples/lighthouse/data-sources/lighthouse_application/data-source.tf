data "lighthouse_application" "web" {
  name              = "web"
  deployments_limit = 5
}

output "last_images" {
  value = data.lighthouse_application.web.deployments[*].image
}
