data "lightrun_loaded_packages" "log4j" {
  agent_pool_id = "a9e10000-0000-4000-8000-000000000001"
  package_names = ["org.apache.logging.log4j:log4j-core"]
  statuses      = ["LOADED", "LOADED_WITH_CLASSES"]
}

# Is a vulnerable package actually loaded anywhere?
output "log4j_loaded" {
  value = length(data.lightrun_loaded_packages.log4j.packages) > 0
}
