# A connector is imported by its ID; its site is found from the sites' connectors.
terraform import luminate_connector.office 9b2f6a4e-1c3d-4e5f-8a7b-6c5d4e3f2a1b
