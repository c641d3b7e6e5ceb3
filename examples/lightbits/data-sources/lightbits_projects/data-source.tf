data "lightbits_projects" "all" {}

output "project_names" {
  value = [for p in data.lightbits_projects.all.projects : p.name]
}
