data "lightrun_sbom" "shop" {
  format             = "CYCLONE_DX"
  creation_time      = "2026-12-01"
  sbom_package_name  = "shop"
  sbom_supplier_name = "ACME Corp"
  sbom_version       = "1.2.3"
  agent_pool_id      = "a9e10000-0000-4000-8000-000000000001"
}

output "sbom_components" {
  value = length(jsondecode(data.lightrun_sbom.shop.content).components)
}
