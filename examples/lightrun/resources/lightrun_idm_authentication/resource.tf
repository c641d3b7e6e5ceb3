# Users log in through SAML single sign-on. Register `sso_redirect_url` and
# `saml_entity_id` in the identity provider.
resource "lightrun_idm_authentication" "this" {
  login_method = "SSO"
  sso_protocol = "SAML"
}

output "sso_redirect_url" {
  value = lightrun_idm_authentication.this.sso_redirect_url
}
