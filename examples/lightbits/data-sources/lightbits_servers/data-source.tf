data "lightbits_servers" "at_risk" {
  risk_of_service_loss = "InRiskOfServiceLoss"
}
