//! Lightrun (observability platform) public API v1: the provider configuration and its
//! client (`Authorization: Bearer <api_key>`, Spring error bodies). The Terraform
//! interface is ../shared/interfaces/lightrun.md; entities come next, declared like
//! Luminate's.

mod access;
mod entities;
mod runtime;
mod settings;

use std::sync::Arc;

use crate::engine::api::Api;
use crate::engine::diag::Diagnostics;
use crate::engine::provider::ProviderDef;
use crate::engine::schema::Field;
use crate::engine::value::Value;
use crate::http::vendors;

pub const ADDRESS: &str = "registry.terraform.io/tfprov/lightrun";

pub fn provider() -> ProviderDef {
    ProviderDef {
        name: "lightrun",
        description: "Manages a Lightrun organisation through its public API v1: agent pools, users, groups and their members, just-in-time access, watched packages, system API keys and the server's singletons (SMTP, identity management, licence).".into(),
        fields: provider_fields(),
        resources: vec![
            Box::new(entities::agent_pool()),
            Box::new(entities::user()),
            Box::new(entities::group()),
            // Settings and system API keys (settings.rs).
            Box::new(settings::smtp_configuration()),
            Box::new(settings::idm_authentication()),
            Box::new(settings::idm_provisioning()),
            Box::new(settings::license()),
            Box::new(settings::system_api_key()),
            // Access (access.rs).
            Box::new(access::group_member()),
            Box::new(access::watched_package()),
            Box::new(access::jit_access_grant()),
        ],
        data_sources: [
            vec![
                access::agent_pool_data(),
                access::user_data(),
                access::users_data(),
                access::group_data(),
                access::jit_access_grants_data(),
            ],
            runtime::data_sources(),
        ]
        .into_iter()
        .flatten()
        .collect(),
        ephemeral_resources: vec![],
        actions: runtime::actions(),
        configure: Box::new(configure),
    }
}

fn provider_fields() -> Vec<Field> {
    vec![
        Field::string("api_url")
            .desc("Base URL of the Lightrun server, such as `https://app.lightrun.com` or a self-hosted `https://lightrun.example.com`. The provider appends `/api/v1`; a trailing `/` or `/api/v1` is tolerated.")
            .env("LIGHTRUN_API_URL"),
        Field::string("api_key")
            .sensitive()
            .desc("API key, sent as `Authorization: Bearer <api_key>`. Never logged, never stored in state.")
            .env("LIGHTRUN_API_KEY"),
        Field::string("company_id")
            .desc("Company (organisation) ID. Needed only by `lightrun_system_api_key` and when reading feature flags.")
            .env("LIGHTRUN_COMPANY_ID"),
        Field::string("ca_certificate")
            .desc("PEM bundle of the CA that signed a self-hosted server's certificate. Defaults to the system's trusted roots.")
            .env("LIGHTRUN_CA_CERTIFICATE"),
        super::request_timeout_field("Time limit of one API request, as a duration such as `\"30s\"` (default) or `\"2m\"`."),
        super::max_retries_field(5, "How many times a request is retried on HTTP 429 (after its `Retry-After`), 502, 503, 504 or a connection error. Default 5."),
    ]
}

/// `https://app.lightrun.com`, `https://app.lightrun.com/` and `.../api/v1` all mean the
/// same server.
fn base_url(api_url: &str) -> Result<String, Diagnostics> {
    super::server_root(api_url, "api_url", API_PATH).map(|root| format!("{root}{API_PATH}"))
}

/// Every API path starts here; `api_url` is the server root.
const API_PATH: &str = "/api/v1";

fn configure(cfg: &Value) -> Result<Arc<dyn Api>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let api_url = super::required(cfg, &mut diags, "api_url", "LIGHTRUN_API_URL");
    let api_key = super::required(cfg, &mut diags, "api_key", "LIGHTRUN_API_KEY");
    let request_timeout = super::request_timeout(cfg, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let base = base_url(&api_url)?;
    let transport = super::transport(cfg, vec![base], "lightrun", request_timeout);
    let client = vendors::lightrun(transport, api_key, super::max_retries(cfg))
        .map_err(super::invalid_client_settings("ca_certificate"))?;
    Ok(Arc::new(client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_base_path_is_appended_once() {
        for given in ["https://app.lightrun.com", "https://app.lightrun.com/", "https://app.lightrun.com/api/v1/"] {
            assert_eq!(base_url(given).ok().as_deref(), Some("https://app.lightrun.com/api/v1"), "{given}");
        }
        assert_eq!(
            base_url("lightrun.example.com:8443").ok().as_deref(),
            Some("https://lightrun.example.com:8443/api/v1")
        );
        assert!(base_url("ftp://x").is_err());
    }

    #[test]
    fn missing_credentials_name_the_argument() {
        let text = crate::vendors::checks::refusal_of_empty_block(configure);
        assert!(text.contains("api_url") && text.contains("LIGHTRUN_API_KEY"), "{text}");
    }

    #[test]
    fn every_argument_is_described() {
        for f in provider().fields {
            assert!(!f.description.is_empty(), "{}", f.name);
        }
    }
}
