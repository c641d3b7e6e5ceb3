//! Lightbits (LightOS REST API v2): the provider configuration and its client dialect.
//! Projects, volumes and snapshots are declared in `entities.rs`; the rest of the cluster
//! by area: `policies.rs` (QoS and resource policies), `identity.rs` (credentials, admin
//! endpoints, identity federation, trusted hosts), `cluster.rs` (settings, the root key,
//! events) and `machines.rs` (nodes, devices, servers).

mod cluster;
mod entities;
mod identity;
mod machines;
mod policies;

use std::sync::Arc;

use crate::engine::api::Api;
use crate::engine::datasource::{DataSourceDef, PagedList};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::provider::ProviderDef;
use crate::engine::resource::ListSpec;
use crate::engine::schema::{Field, Validator};
use crate::engine::value::Value;
use crate::http::{normalize_endpoint, vendors};

pub const ADDRESS: &str = "registry.terraform.io/tfprov/lightbits";

pub fn provider() -> ProviderDef {
    ProviderDef {
        name: "lightbits",
        description: "Manages a Lightbits (LightOS) NVMe/TCP storage cluster through its REST API v2: projects, volumes and snapshots, QoS and snapshot policies, credentials, admin endpoints, identity federation, trusted hosts, cluster settings, servers and devices.".into(),
        fields: provider_fields(),
        resources: [
            vec![
                Box::new(entities::project()) as Box<dyn crate::engine::resource::Resource>,
                Box::new(entities::volume()),
                Box::new(entities::snapshot()),
                Box::new(entities::cluster_encryption()),
            ],
            policies::resources(),
            identity::resources(),
            cluster::resources(),
            machines::resources(),
        ]
        .into_iter()
        .flatten()
        .collect(),
        ephemeral_resources: vec![],
        actions: [policies::actions(), identity::actions(), cluster::actions()].into_iter().flatten().collect(),
        data_sources: [
            vec![
                entities::project_data_source(),
                entities::volume_data_source(),
                entities::volumes_data_source(),
                entities::cluster_data_source(),
            ],
            policies::data_sources(),
            identity::data_sources(),
            cluster::data_sources(),
            machines::data_sources(),
        ]
        .into_iter()
        .flatten()
        .collect(),
        configure: Box::new(configure),
    }
}

/// A data source listing the objects of one project: `project_name` defaults to the
/// provider's `default_project`, then `filters`; the ID is the project name.
fn project_list(
    type_name: &'static str,
    description: &str,
    list: ListSpec,
    output: &'static str,
    item_fields: Vec<Field>,
    filters: Vec<Field>,
    items_desc: &str,
) -> DataSourceDef {
    let what = output.replace('_', " ");
    let mut arguments = vec![Field::string("project_name")
        .default_from_provider("default_project")
        .desc(format!("Project whose {what} to list. Defaults to the provider's `default_project`."))];
    arguments.extend(filters);
    PagedList { list, output, item_fields, id_template: "{project_name}" }.into_data_source(
        type_name,
        description,
        arguments,
        "The project name.",
        items_desc,
    )
}

fn provider_fields() -> Vec<Field> {
    vec![
        Field::string_list("endpoints")
            .desc("Base URLs of the cluster's management API, such as `https://10.0.0.1:443`. Several may be given: the provider fails over to the next one on connection errors. A bare `host:port` means HTTPS.")
            .env("LIGHTBITS_ENDPOINTS"),
        Field::string("token")
            .sensitive()
            .desc("JWT sent as `Authorization: Bearer <token>`. Leave unset only on clusters with multi-tenancy disabled.")
            .env("LIGHTBITS_TOKEN"),
        Field::string("ca_certificate")
            .desc("PEM bundle of the CA that signed the cluster's API certificate. Defaults to the system's trusted roots.")
            .env("LIGHTBITS_CA_CERTIFICATE"),
        Field::bool("insecure_skip_verify")
            .desc("Skip TLS certificate verification. Only for lab clusters with throw-away certificates; defaults to `false`.")
            .env("LIGHTBITS_INSECURE_SKIP_VERIFY"),
        Field::string("default_project")
            .desc("Project used by resources and data sources that do not set `project_name`.")
            .env("LIGHTBITS_PROJECT"),
        Field::string("request_timeout")
            .desc("Time limit of one API request, as a duration such as `\"30s\"` (default) or `\"2m\"`.")
            .validate(Validator::Timeout),
        Field::number("max_retries")
            .desc("How many times a request is retried when the API is busy (HTTP 429, 503, or 409 \"operation in progress\") or unreachable. Default 5.")
            .validate(Validator::IntRange(0, 50)),
    ]
}

fn configure(cfg: &Value) -> Result<Arc<dyn Api>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let raw = cfg.get("endpoints").string_items();
    if raw.is_empty() {
        diags.add_error(
            "Missing endpoints",
            "Set `endpoints` in the provider block (or LIGHTBITS_ENDPOINTS, comma separated), e.g. [\"https://10.0.0.1:443\"].",
            Some(AttrPath::attr("endpoints")),
        );
    }
    let mut endpoints = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        match normalize_endpoint(e) {
            Ok(u) => endpoints.push(u),
            Err(err) => {
                diags.add_error("Invalid endpoint", err.0, Some(AttrPath::attr("endpoints").then_index(i as i64)))
            }
        }
    }
    let request_timeout = super::request_timeout(cfg, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let transport = super::transport(cfg, endpoints, "lightbits", request_timeout);
    let token = cfg.get("token").as_str().map(str::to_string);
    let max_retries = super::max_retries(cfg);
    let client =
        vendors::lightbits(transport, token, max_retries).map_err(super::invalid_client_settings("ca_certificate"))?;
    Ok(Arc::new(client))
}
