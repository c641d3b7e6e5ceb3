data "lighthouse_beacon_instances" "lab" {
  beacon_address = "10.0.0.5:8000"
  refresh        = true
}

output "docker_hosts" {
  value = [for i in data.lighthouse_beacon_instances.lab.instances : i.instance_address if i.can_access_docker]
}
