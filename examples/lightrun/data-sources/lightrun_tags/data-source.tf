data "lightrun_tags" "prod" {
  agent_pool_id = "a9e10000-0000-4000-8000-000000000001"
  name          = "prod"
}

# A tag's id is what an action's source_id takes with source_type = "TAG".
output "prod_tag_id" {
  value = data.lightrun_tags.prod.tags[0].id
}
