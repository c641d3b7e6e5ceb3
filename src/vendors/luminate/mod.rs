//! Luminate (Symantec ZTNA, "Secure Access Cloud") API v2: the provider configuration of
//! the Go provider it succeeds (same arguments and environment variables) and its client:
//! OAuth2 client credentials, 5 requests/s per tenant, 1 s after a 429. Entities are in
//! `entities.rs`.

mod applications;
mod connector;
mod directory;
mod entities;
mod integrations;
mod policies;
mod registration_key;
mod site_link;

use std::sync::Arc;

use crate::engine::api::Api;
use crate::engine::diag::Diagnostics;
use crate::engine::provider::ProviderDef;
use crate::engine::schema::Field;
use crate::engine::value::Value;
use crate::http::{vendors, TransportConfig};

pub const ADDRESS: &str = "registry.terraform.io/tfprov/luminate";

pub fn provider() -> ProviderDef {
    let mut resources: Vec<Box<dyn crate::engine::resource::Resource>> =
        vec![Box::new(entities::site()), Box::new(entities::collection()), Box::new(site_link::site_link())];
    let mut data_sources = vec![entities::collection_data_source()];
    // Each area of the API declares its own entities.
    for (area_resources, area_data_sources) in [
        (directory::resources(), directory::data_sources()),
        (connector::resources(), connector::data_sources()),
        (applications::resources(), applications::data_sources()),
        (policies::resources(), policies::data_sources()),
        (integrations::resources(), integrations::data_sources()),
    ] {
        resources.extend(area_resources);
        data_sources.extend(area_data_sources);
    }
    ProviderDef {
        name: "luminate",
        description: "Manages Luminate (Symantec ZTNA, Secure Access Cloud) through its API v2. A drop-in successor of the Broadcom Go provider: the same arguments, resources and import IDs.".into(),
        fields: provider_fields(),
        resources,
        data_sources,
        ephemeral_resources: vec![registration_key::registration_key()],
        actions: vec![],
        configure: Box::new(configure),
    }
}

fn provider_fields() -> Vec<Field> {
    vec![
        Field::string("api_endpoint")
            .desc("The tenant's API host, such as `api.<tenant>.luminatesec.com` (HTTPS), or a full URL with scheme and port (`http://127.0.0.1:8443` for the simulator or a proxy).")
            .env("LUMINATE_API_ENDPOINT"),
        Field::string("api_client_id").desc("OAuth2 client ID of an API client of the tenant.").env("LUMINATE_API_CLIENT_ID"),
        Field::string("api_client_secret")
            .sensitive()
            .desc("OAuth2 client secret of that API client. Sent only to the token endpoint, never logged.")
            .env("LUMINATE_API_CLIENT_SECRET"),
    ]
}

fn configure(cfg: &Value) -> Result<Arc<dyn Api>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let endpoint = super::required(cfg, &mut diags, "api_endpoint", "LUMINATE_API_ENDPOINT");
    let client_id = super::required(cfg, &mut diags, "api_client_id", "LUMINATE_API_CLIENT_ID");
    let secret = super::required(cfg, &mut diags, "api_client_secret", "LUMINATE_API_CLIENT_SECRET");
    if diags.has_errors() {
        return Err(diags);
    }
    // The Go provider takes a bare host and means HTTPS; a URL with a scheme is accepted too.
    let base = super::server_root(&endpoint, "api_endpoint", "")?;
    // No TLS or timeout arguments: the transport's defaults.
    let transport = TransportConfig::new(vec![format!("{base}/v2")], vendors::user_agent("luminate"));
    let client = vendors::luminate(transport, format!("{base}/v1/oauth/token"), client_id, &secret, 5)
        .map_err(super::invalid_client_settings("api_endpoint"))?;
    Ok(Arc::new(client))
}
