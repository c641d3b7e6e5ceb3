# A DNS group is imported by its ID.
terraform import luminate_dns_group_resiliency.corp 7e1d3b5a-9c2f-4a6e-8b0d-1f3c5e7a9b2d
