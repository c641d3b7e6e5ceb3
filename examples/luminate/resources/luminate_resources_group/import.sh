# A group is imported by its ID; its identity provider is found from the API.
terraform import luminate_resources_group.auditors 1b4e28ba-2fa1-41d2-883f-0016d3cca427
