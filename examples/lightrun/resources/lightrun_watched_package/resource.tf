# Report when hosts load this version of slf4j, and which of these classes they load.
resource "lightrun_watched_package" "slf4j" {
  package_name = "org.slf4j:slf4j-api"
  version      = "2.0.13"
  classes      = ["org.slf4j.Logger", "org.slf4j.LoggerFactory"]
}
