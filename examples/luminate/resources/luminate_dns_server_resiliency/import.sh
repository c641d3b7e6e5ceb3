# A DNS server is imported by its ID; its group is found from the groups' servers.
terraform import luminate_dns_server_resiliency.primary 2c4e6a8b-0d1f-4357-9b8d-a1c3e5f7b9d0
