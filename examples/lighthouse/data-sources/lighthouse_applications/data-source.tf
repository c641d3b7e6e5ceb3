data "lighthouse_applications" "all" {}

output "application_names" {
  value = data.lighthouse_applications.all.applications[*].name
}
