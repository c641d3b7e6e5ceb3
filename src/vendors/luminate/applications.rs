//! The six application types (web, ssh, ssh-gw, tcp, rdp, segment) on one wire model,
//! bound to a site after create. One builder declares them all: the common attributes,
//! each type's own, and one set of hooks for what the wire needs beyond the fields (the
//! type literal, shapes the API uses for blocks, normalised values, the bind fallback).

use async_trait::async_trait;
use serde_json::{json, Map, Value as J};

use super::entities::spring;
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::DataSourceDef;
use crate::engine::diag::Diagnostics;
use crate::engine::list::for_each_page;
use crate::engine::resource::{
    api_error_diag, CreateOp, Ctx, ListSpec, Op, Operations, Resource, ResourceDef, ResourceHooks, Step, UpdateOp,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::{Type, Value};

/// The tenant's default collection: the bind fallback links a site without collections
/// to it (models §3.4).
const DEFAULT_COLLECTION: &str = "7cef2ccc-ed3e-4812-9ef2-b986c5dac2a5";
/// RDP's port, added on the wire to an internal address without one (models §5.3.4).
const RDP_PORT: &str = "3389";

/// What distinguishes one application type from another.
pub struct AppKind {
    type_name: &'static str,
    noun: &'static str,
    /// The `type` attribute: how the Go provider names the type in state.
    short: &'static str,
    /// The API's `type`.
    wire: &'static str,
    /// Query of the name lookup (lost creates): the name among this type.
    lookup: &'static [(&'static str, &'static str)],
    visible_by_default: bool,
    /// `connectionSettings.internalAddress` of types without an `internal_address`
    /// argument (models §3.4).
    fixed_internal_address: Option<&'static str>,
    description: &'static str,
}

pub const WEB: AppKind = AppKind {
    type_name: "luminate_web_application",
    noun: "web application",
    short: "web",
    wire: "HTTP",
    lookup: &[("filter", "{name}"), ("type", "HTTP")],
    visible_by_default: true,
    fixed_internal_address: None,
    description: "A web (HTTP) application published through Luminate, bound to a site whose connectors reach it.",
};
pub const SSH: AppKind = AppKind {
    type_name: "luminate_ssh_application",
    noun: "ssh application",
    short: "ssh",
    wire: "SSH",
    lookup: &[("filter", "{name}"), ("type", "SSH")],
    visible_by_default: true,
    fixed_internal_address: None,
    description: "An SSH application: one SSH server reached through the connectors of a site.",
};
pub const TCP: AppKind = AppKind {
    type_name: "luminate_tcp_application",
    noun: "tcp application",
    short: "tcp",
    wire: "TCP",
    lookup: &[("filter", "{name}"), ("type", "TCP")],
    visible_by_default: true,
    fixed_internal_address: Some("tcp://luminate-dummy:22"),
    description: "A TCP application: TCP tunnels to one or more targets reached through the connectors of a site.",
};
pub const RDP: AppKind = AppKind {
    type_name: "luminate_rdp_application",
    noun: "rdp application",
    short: "rdp",
    wire: "RDP",
    lookup: &[("filter", "{name}"), ("type", "RDP")],
    visible_by_default: true,
    fixed_internal_address: None,
    description:
        "An RDP application: a Windows desktop reached natively or in the browser through the connectors of a site.",
};
pub const SSH_GW: AppKind = AppKind {
    type_name: "luminate_ssh_gw_application",
    noun: "ssh gateway application",
    short: "sshgw",
    wire: "DYNAMIC_SSH",
    lookup: &[("filter", "{name}"), ("type", "DYNAMIC_SSH")],
    visible_by_default: true,
    fixed_internal_address: Some(""),
    description: "An SSH gateway application: SSH to the cloud instances of an AWS integration found by VPC and tags.",
};
pub const SEGMENT: AppKind = AppKind {
    type_name: "luminate_segment_application",
    noun: "segment application",
    short: "segment",
    wire: "SEGMENT",
    lookup: &[("filter", "{name}"), ("type", "SEGMENT")],
    visible_by_default: false,
    fixed_internal_address: Some(""),
    description: "A segment application: a network segment (addresses, CIDRs or ranges) reached through the connectors of a site.",
};

pub const KINDS: [&AppKind; 6] = [&WEB, &SSH, &TCP, &RDP, &SSH_GW, &SEGMENT];

pub fn resources() -> Vec<Box<dyn Resource>> {
    KINDS.iter().map(|k| Box::new(application(k)) as Box<dyn Resource>).collect()
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![]
}

/// The declaration of one application type.
pub fn application(kind: &'static AppKind) -> ResourceDef {
    let item = "/applications/{id}";
    let bind = Op::new(Method::Put, "/applications/{id}/site-binding/{site_id}").ok(&[200]);
    let lookup = spring(Op::get("/applications").query(kind.lookup));
    let ops = Operations::crud(
        Op::post("/applications").ok(&[201]),
        // 404 only: the documents do not give 403 as the answer for a missing application.
        Op::get(item),
        // A site change is the PUT (when anything else changed) and a bind to the new site.
        Some(UpdateOp::replace(Op::put(item).ok(&[200])).per_field("site_id", bind)),
        Op::delete(item).ok(&[204]),
    )
    .create(CreateOp::Steps {
        first: Op::post("/applications").ok(&[201]),
        then: vec![Step { name: "bind", op: bind }],
    })
    .lookup(&["name"], Some(lookup));
    let mut fields = common_fields(kind);
    fields.extend(own_fields(kind));
    ResourceDef::new(kind.type_name, kind.noun, "{id}", ops)
        .id_from_api("id")
        .sdkv2_state()
        .desc(kind.description)
        .hooks(AppHooks { kind })
        .fields(fields)
}

fn common_fields(kind: &AppKind) -> Vec<Field> {
    vec![
        Field::string("site_id")
            .required()
            .validate(Validator::Uuid)
            .desc("The site whose connectors reach the application. Changing it binds the application to the new site in place (a site without collections is first linked to the default collection). Recovered from the API on import."),
        Field::string("collection_id")
            .optional_computed()
            .api_mutable("collectionId", Codec::Plain)
            .desc("The collection the application belongs to; when unset, the tenant's default collection. The site must be linked to it for the application to be bound."),
        Field::string("name")
            .required()
            .validate(Validator::MaxLen(40))
            .api_mutable("name", Codec::Plain)
            .desc("Application name, at most 40 characters. Updated in place."),
        Field::string("type")
            .default(Value::str(kind.short))
            .desc(format!("The application type as the Go provider names it in state: always `{}`.", kind.short)),
        Field::string("icon").optional().api_mutable("icon", Codec::Plain).desc("Icon shown in the portal: a base64 image."),
        Field::bool("visible")
            .default(Value::Bool(kind.visible_by_default))
            .api_mutable("isVisible", Codec::Plain)
            .desc(format!("Show the application in the user portal (default `{}`).", kind.visible_by_default)),
        Field::bool("notification_enabled")
            .default(Value::Bool(true))
            .api_mutable("isNotificationEnabled", Codec::Plain)
            .desc("Send notifications about the application (default `true`)."),
        Field::string("subdomain")
            .optional_computed()
            .api_mutable("connectionSettings.subdomain", Codec::Plain)
            .desc("Subdomain of the application under the tenant's domain; when unset, the name at creation (kept afterwards)."),
        Field::string("external_address")
            .computed()
            .api("connectionSettings.externalAddress", Codec::Plain)
            .desc("The address users reach the application at (the custom domain of a web application that has one)."),
        Field::string("luminate_address")
            .computed()
            .api("connectionSettings.luminateAddress", Codec::Plain)
            .desc("The application's address under the tenant's Luminate domain."),
    ]
}

fn internal_address(what: &'static str) -> Field {
    Field::string("internal_address")
        .required()
        .api_mutable("connectionSettings.internalAddress", Codec::Plain)
        .desc(what)
}

fn own_fields(kind: &AppKind) -> Vec<Field> {
    let settings = |name: &'static str, json: &'static str, what: &'static str| {
        Field::string(name).optional().api_mutable(json, Codec::Plain).desc(what)
    };
    match kind.wire {
        "HTTP" => vec![
            Field::string("sub_type")
                .default(Value::str("HTTP_LUMINATE_DOMAIN"))
                .validate(Validator::OneOf(&[
                    "HTTP_LUMINATE_DOMAIN",
                    "HTTP_CUSTOM_DOMAIN",
                    "HTTP_WILDCARD_DOMAIN",
                    "SINGLE_MACHINE",
                    "MULTIPLE_MACHINES",
                ]))
                .api_mutable("subType", Codec::Plain)
                .desc("How the application is published: `HTTP_LUMINATE_DOMAIN` (default, under the tenant's domain), `HTTP_CUSTOM_DOMAIN` (`custom_external_address`) or `HTTP_WILDCARD_DOMAIN` (`wildcard_certificate` and key). `SINGLE_MACHINE` and `MULTIPLE_MACHINES` are accepted as by the Go provider; the API documents them for RDP only."),
            internal_address("Address the connectors reach the application at, such as `http://10.0.0.1:8080`."),
            settings("custom_root_path", "connectionSettings.customRootPath", "Path users are redirected to from `/`."),
            settings(
                "custom_external_address",
                "connectionSettings.customExternalAddress",
                "The application's own domain (with `HTTP_CUSTOM_DOMAIN`); it needs the CNAME record of `custom_domain_record_name`.",
            ),
            Field::string("custom_domain_record_name")
                .optional_computed()
                .desc("With a custom address: the CNAME target to publish for it, md5 of the address (without `https://`) under the tenant's domain. Computed by the provider."),
            Field::string("custom_domain_record_type")
                .optional_computed()
                .desc("With a custom address: `CNAME`, the DNS record type to publish. Computed by the provider."),
            settings(
                "wildcard_certificate",
                "connectionSettings.customSSLCertificate",
                "Wildcard certificate (PEM) of an `HTTP_WILDCARD_DOMAIN` application.",
            ),
            Field::string("wildcard_private_key")
                .optional()
                .sensitive()
                .api_mutable("connectionSettings.wildcardPrivateKey", Codec::Plain)
                .desc("Private key (PEM) of the wildcard certificate. Sensitive: never shown in plans or logs."),
            Field::string("health_url")
                .optional()
                .desc("Health-check path. Kept in state only: the Go provider never sent it, and neither does this one."),
            Field::string("health_method")
                .optional()
                .validate(Validator::OneOf(&["head", "get"]))
                .desc("Health-check method, `head` or `get`. Kept in state only, as `health_url`."),
            Field::bool("default_content_rewrite_rules_enabled")
                .default(Value::Bool(true))
                .api_mutable("linkTranslationSettings.isDefaultContentRewriteRulesEnabled", Codec::Plain)
                .desc("Rewrite internal links in content to the external address (default `true`)."),
            Field::bool("default_header_rewrite_rules_enabled")
                .default(Value::Bool(true))
                .api_mutable("linkTranslationSettings.isDefaultHeaderRewriteRulesEnabled", Codec::Plain)
                .desc("Rewrite internal addresses in headers (default `true`)."),
            Field::bool("use_external_address_for_host_and_sni")
                .default(Value::Bool(false))
                .api_mutable("linkTranslationSettings.useExternalAddressForHostAndSni", Codec::Plain)
                .desc("Send the external address as Host and SNI to the application (default `false`)."),
            Field::new("linked_applications", Type::set(Type::String))
                .optional()
                .api_mutable("linkTranslationSettings.linkedApplications", Codec::Plain)
                .desc("IDs of applications whose links are translated in this one's content."),
            Field::string_map("header_customization")
                .optional_computed()
                .api_mutable("requestCustomizationSettings.headerCustomization", Codec::Plain)
                .desc("Headers added to requests to the application. When removed from the configuration, the API's current headers are kept (as the Go provider does)."),
        ],
        "SSH" => vec![internal_address("Address of the SSH server the connectors reach, such as `tcp://10.0.0.1:22`.")],
        "TCP" => vec![Field::list_of(
            "target",
            vec![
                Field::string("address").required().api_mutable("target", Codec::Plain).desc("Host name or IP address of the target."),
                Field::new("ports", Type::list(Type::Number))
                    .required()
                    .api_mutable("ports", Codec::Plain)
                    .desc("Ports of the target to tunnel."),
                Field::new("port_mapping", Type::list(Type::Number))
                    .optional()
                    .api_mutable("portMapping", Codec::Plain)
                    .desc("Local ports users connect to, one per port."),
            ],
        )
        .block()
        .items(1, 0)
        .api_mutable("tcpTunnelSettings", Codec::Plain)
        .desc("The targets tunnelled, at least one.")],
        "RDP" => vec![
            internal_address("Address of the RDP host, such as `tcp://10.0.0.1`; the RDP port (3389) is added on the wire when the address has none, and an address written with or without `:3389` is the same address."),
            Field::string("sub_type")
                .default(Value::str("SINGLE_MACHINE"))
                .validate(Validator::OneOf(&[
                    "SINGLE_MACHINE",
                    "MULTIPLE_MACHINES",
                    "RDP_BROWSER_SINGLE_MACHINE",
                    "RDP_BROWSER_MULTIPLE_MACHINES",
                ]))
                .api_mutable("subType", Codec::Plain)
                .desc("Native RDP (`SINGLE_MACHINE`, default, or `MULTIPLE_MACHINES`) or RDP in the browser (`RDP_BROWSER_SINGLE_MACHINE`, `RDP_BROWSER_MULTIPLE_MACHINES`)."),
        ],
        "DYNAMIC_SSH" => vec![
            // Sent inside every VPC (the hooks move it); read back from the first.
            Field::string("integration_id")
                .required()
                .api_mutable("integrationId", Codec::Plain)
                .desc("The AWS integration whose instances the gateway reaches."),
            Field::string_map("tags")
                .required()
                .api_mutable("cloudIntegrationData.tags", Codec::KeyValueList)
                .desc("Instance tags that must all match."),
            Field::list_of(
                "vpc",
                vec![
                    Field::string("vpc_id").required().api_mutable("vpc", Codec::Plain).desc("VPC ID."),
                    Field::string("region").required().api_mutable("region", Codec::Plain).desc("AWS region of the VPC."),
                    Field::string("cidr_block")
                        .required()
                        .api_mutable("cidr_block", Codec::Plain)
                        .desc("CIDR block of the VPC."),
                ],
            )
            .block()
            .items(1, 0)
            .api_mutable("cloudIntegrationData.vpcs", Codec::Plain)
            .desc("The VPCs searched, at least one."),
            Field::string("segment_id")
                .computed()
                .api("cloudIntegrationData.segmentId", Codec::Plain)
                .desc("The segment the API assigned from the integration."),
        ],
        "SEGMENT" => vec![
            Field::string("sub_type")
                .default(Value::str("SEGMENT_RANGE"))
                .validate(Validator::OneOf(&["SEGMENT_RANGE", "SEGMENT_SPECIFIC_IPS"]))
                .api_mutable("subType", Codec::Plain)
                .desc("`SEGMENT_RANGE` (default) or `SEGMENT_SPECIFIC_IPS`. The API stores `SEGMENT_SPECIFIC_IPS` as `SEGMENT_RANGE`; that is not shown as a change."),
            Field::list_of(
                "segment_settings",
                vec![Field::string("original_ip")
                    .optional()
                    .api_mutable("originalIp", Codec::Plain)
                    .desc("An address, CIDR or range (`a-b`).")],
            )
            .block()
            .items(0, 1)
            .api_mutable("segmentSettings", Codec::Plain)
            .desc("One address of the segment (the API's older form; see `multiple_segment_settings`)."),
            Field::list_of(
                "multiple_segment_settings",
                vec![Field::new("original_ip", Type::set(Type::String))
                    .optional()
                    .api_mutable("originalIp", Codec::Plain)
                    .desc("Addresses, CIDRs or ranges (`a-b`).")],
            )
            .block()
            .api_mutable("multipleSegmentSettings", Codec::Plain)
            .desc("Addresses of the segment; the API keeps them as one list, so blocks are a way of grouping them."),
        ],
        _ => vec![],
    }
}

// ---------------------------------------------------------------- values on the wire

/// True when an address names its port (`tcp://host:3389`, `10.0.0.1:3389`).
fn has_port(address: &str) -> bool {
    let rest = address.split_once("://").map_or(address, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or_default();
    !host.ends_with(']')
        && host.rsplit_once(':').is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The RDP address as sent: with the RDP port when it names none. (The Go provider also
/// appends it to host names that have a port, `tcp://host:22:3389`; this one does not.)
fn with_rdp_port(address: &str) -> String {
    if has_port(address) {
        address.to_string()
    } else {
        format!("{address}:{RDP_PORT}")
    }
}

fn same_rdp_address(a: &str, b: &str) -> bool {
    with_rdp_port(a) == with_rdp_port(b)
}

/// The tenant's domain as the Go provider derives it: the API host without `api.`.
fn tenant_domain(provider_config: &Value) -> Option<String> {
    let endpoint = provider_config.get("api_endpoint").as_str()?;
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    Some(host.replace("api.", "")).filter(|d| !d.is_empty())
}

/// The CNAME target of a custom domain: md5 of the address without `https://`, under the
/// tenant's domain (models §5.3.1).
fn custom_domain_record(address: &str, domain: &str) -> String {
    let name = address.strip_prefix("https://").unwrap_or(address);
    format!("{}.{domain}", md5_hex(name.as_bytes()))
}

/// MD5 as lower-case hex, for the custom-domain record name only: not used for security.
fn md5_hex(input: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(input).iter().map(|b| format!("{b:02x}")).collect()
}

/// The derived custom-domain values of a web application: null without a custom address.
fn custom_domain_values(provider_config: &Value, state: &Value) -> (Value, Value) {
    match state.get("custom_external_address") {
        Value::Unknown => (Value::Unknown, Value::Unknown),
        Value::String(address) if !address.is_empty() => match tenant_domain(provider_config) {
            Some(domain) => (Value::str(custom_domain_record(address, &domain)), Value::str("CNAME")),
            None => (Value::Unknown, Value::str("CNAME")),
        },
        _ => (Value::Null, Value::Null),
    }
}

struct AppHooks {
    kind: &'static AppKind,
}

impl AppHooks {
    /// Connection settings no argument says: the fixed address of types without one, the
    /// RDP port, the subdomain.
    fn connection_settings(&self, name: Option<String>, settings: &mut Map<String, J>) {
        if let Some(fixed) = self.kind.fixed_internal_address {
            settings.insert("internalAddress".into(), J::String(fixed.into()));
        }
        if self.kind.wire == "RDP" {
            if let Some(J::String(address)) = settings.get_mut("internalAddress") {
                *address = with_rdp_port(address);
            }
        }
        // The subdomain defaults to the name (as the Go provider sends it).
        if !settings.get("subdomain").is_some_and(J::is_string) {
            if let Some(name) = name {
                settings.insert("subdomain".into(), J::String(name));
            }
        }
    }

    /// What the wire needs beyond the fields, for create and update alike.
    fn to_wire(&self, planned: &Value, body: &mut Map<String, J>) {
        body.insert("type".into(), J::String(self.kind.wire.into()));
        // The Go provider always enables; the argument does not exist.
        body.insert("enabled".into(), J::Bool(true));
        let name = planned.get("name").as_str().map(str::to_string);
        let slot = body.entry("connectionSettings").or_insert_with(|| J::Object(Map::new()));
        if !slot.is_object() {
            *slot = J::Object(Map::new());
        }
        if let Some(settings) = slot.as_object_mut() {
            self.connection_settings(name, settings);
        }
        match self.kind.wire {
            "DYNAMIC_SSH" => {
                // One integration for every VPC: the API wants it in each.
                let integration = body.remove("integrationId");
                if let (Some(id), Some(J::Array(vpcs))) =
                    (integration, body.get_mut("cloudIntegrationData").and_then(|d| d.get_mut("vpcs")))
                {
                    for vpc in vpcs.iter_mut().filter_map(J::as_object_mut) {
                        vpc.insert("integration_id".into(), id.clone());
                    }
                }
            }
            "SEGMENT" => {
                // A block of at most one is one object on the wire.
                match body.remove("segmentSettings") {
                    Some(J::Array(items)) => {
                        if let Some(first) = items.into_iter().next() {
                            body.insert("segmentSettings".into(), first);
                        }
                    }
                    Some(other) => {
                        body.insert("segmentSettings".into(), other);
                    }
                    None => {}
                }
                // Each block's addresses, one element per address.
                if let Some(J::Array(blocks)) = body.get("multipleSegmentSettings") {
                    let flat: Vec<J> = blocks
                        .iter()
                        .flat_map(|b| b.get("originalIp").and_then(J::as_array).cloned().unwrap_or_default())
                        .map(|ip| json!({ "originalIp": ip }))
                        .collect();
                    body.insert("multipleSegmentSettings".into(), J::Array(flat));
                }
            }
            _ => {}
        }
    }
}

/// The addresses of a segment answer regrouped as the state has them (blocks are only a
/// grouping); one block when they differ.
fn regroup(base: &Value, answer: &[J]) -> J {
    let ips: Vec<String> =
        answer.iter().filter_map(|s| s.get("originalIp").and_then(J::as_str)).map(str::to_string).collect();
    let groups: Vec<Vec<String>> =
        base.as_items().unwrap_or_default().iter().map(|b| b.get("original_ip").string_items()).collect();
    let (mut have, mut want) = (groups.concat(), ips.clone());
    have.sort();
    want.sort();
    if !groups.is_empty() && have == want {
        return J::Array(groups.into_iter().map(|g| json!({ "originalIp": g })).collect());
    }
    if ips.is_empty() {
        return J::Array(vec![]);
    }
    json!([{ "originalIp": ips }])
}

#[async_trait]
impl ResourceHooks for AppHooks {
    fn adjust_create_body(&self, planned: &Value, body: &mut Map<String, J>) {
        self.to_wire(planned, body);
    }

    fn adjust_update_body(&self, _prior: &Value, planned: &Value, body: &mut Map<String, J>) {
        self.to_wire(planned, body);
    }

    fn adjust_answer(&self, base: &Value, obj: &mut J) {
        let Some(app) = obj.as_object_mut() else { return };
        match self.kind.wire {
            "RDP" => {
                let written = base.get("internal_address").as_str();
                if let Some(J::String(address)) =
                    app.get_mut("connectionSettings").and_then(|s| s.get_mut("internalAddress"))
                {
                    // The configuration's spelling when it is the same address; the
                    // documented form without the default port on import.
                    *address = match written {
                        Some(w) if same_rdp_address(w, address) => w.to_string(),
                        None => address.strip_suffix(&format!(":{RDP_PORT}")).unwrap_or(address).to_string(),
                        Some(_) => address.clone(),
                    };
                }
            }
            "DYNAMIC_SSH" => {
                let integration =
                    app.get("cloudIntegrationData").and_then(|d| d.pointer("/vpcs/0/integration_id")).cloned();
                if let Some(id) = integration {
                    app.insert("integrationId".into(), id);
                }
            }
            "SEGMENT" => {
                if base.get("sub_type").as_str() == Some("SEGMENT_SPECIFIC_IPS")
                    && app.get("subType").and_then(J::as_str) == Some("SEGMENT_RANGE")
                {
                    app.insert("subType".into(), J::String("SEGMENT_SPECIFIC_IPS".into()));
                }
                let single = match app.get("segmentSettings") {
                    Some(J::Object(s)) => J::Array(vec![J::Object(s.clone())]),
                    _ => J::Array(vec![]),
                };
                app.insert("segmentSettings".into(), single);
                if let Some(J::Array(many)) = app.get("multipleSegmentSettings") {
                    let grouped = regroup(base.get("multiple_segment_settings"), many);
                    app.insert("multipleSegmentSettings".into(), grouped);
                }
            }
            _ => {}
        }
    }

    fn adjust_plan(&self, provider_config: &Value, prior: &Value, config: &Value, planned: &mut Value) {
        if self.kind.wire == "HTTP" {
            let (name, record_type) = custom_domain_values(provider_config, planned);
            for (attr, v) in [("custom_domain_record_name", name), ("custom_domain_record_type", record_type)] {
                if config.get(attr).is_null() {
                    planned.set(attr, v);
                }
            }
        }
        // The server computes the addresses from these: a change moves them.
        let moved = !prior.is_null()
            && ["subdomain", "sub_type", "custom_external_address"]
                .iter()
                .any(|a| planned.get(a).is_unknown() || planned.get(a) != prior.get(a));
        if moved {
            planned.set("external_address", Value::Unknown);
            planned.set("luminate_address", Value::Unknown);
        }
    }

    async fn complete_read(&self, ctx: &Ctx, state: &mut Value) -> Result<(), Diagnostics> {
        if self.kind.wire == "HTTP" {
            let (name, record_type) = custom_domain_values(&ctx.provider_config, state);
            for (attr, v) in [("custom_domain_record_name", name), ("custom_domain_record_type", record_type)] {
                if state.get(attr).as_str().is_none_or(str::is_empty) && !v.is_unknown() {
                    state.set(attr, v);
                }
            }
        }
        // The application's answer does not name its site (models §4.4): after an import
        // (or with state that lost it) the site is the one listing the application.
        if state.get("site_id").as_str().is_some_and(|s| !s.is_empty()) {
            return Ok(());
        }
        let Some(id) = state.get("id").as_str().map(str::to_string) else { return Ok(()) };
        let sites: ListSpec = spring(Op::get("/sites"));
        let mut found = None;
        for_each_page(ctx, &sites, state, |items| {
            found = items
                .iter()
                .find(|site| {
                    site.get("application_ids")
                        .and_then(J::as_array)
                        .is_some_and(|ids| ids.iter().any(|x| x.as_str() == Some(id.as_str())))
                })
                .and_then(|site| site.get("id").and_then(J::as_str))
                .map(str::to_string);
            found.is_some()
        })
        .await
        .map_err(|e| api_error_diag("find the site of", &format!("{} {id}", self.kind.noun), e))?;
        state.set("site_id", found.map(Value::str).unwrap_or(Value::Null));
        Ok(())
    }

    /// A bind answered 400: the site is not linked to the application's collection. As
    /// the Go provider does, a site without any collection is linked to the default
    /// collection; then the bind is tried once more.
    async fn repair_step(&self, ctx: &Ctx, step: &str, state: &Value, error: &ApiError) -> Result<bool, Diagnostics> {
        if !matches!(step, "bind" | "site_id") || error.status() != Some(400) {
            return Ok(false);
        }
        let site = state.get("site_id").as_str().unwrap_or_default().to_string();
        let what = format!("site {site}");
        let answer = ctx.api.call(ApiRequest::get(format!("/sites/{}", percent_encode(&site))), &ctx.cancel).await;
        let body = match answer {
            Ok(r) => r.body,
            Err(e) if matches!(e.status(), Some(403 | 404)) => {
                return Err(Diagnostics::error(
                    format!("Site {site} not found"),
                    format!("The {} cannot be bound to site {site}: the API does not have it.", self.kind.noun),
                ))
            }
            Err(e) => return Err(api_error_diag("read", &what, e)),
        };
        if body.get("countCollections").and_then(J::as_u64).unwrap_or(0) == 0 {
            let link = json!({"links": [{"siteId": site, "collectionId": DEFAULT_COLLECTION}]});
            let req = ApiRequest::new(Method::Post, "/collection/site-links").body(link).idempotent(true);
            match ctx.api.call(req, &ctx.cancel).await {
                // Someone linked it meanwhile: as good.
                Ok(_) | Err(ApiError::AlreadyExists(_)) => {}
                Err(e) => return Err(api_error_diag("link to the default collection the", &what, e)),
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for kind in KINDS {
            assert_eq!(application(kind).declaration_errors(), Vec::<String>::new(), "{}", kind.type_name);
        }
    }

    #[test]
    fn md5_matches_the_rfc_test_vectors() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            md5_hex(b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }

    #[test]
    fn rdp_addresses_get_the_default_port_only_when_they_have_none() {
        assert_eq!(with_rdp_port("tcp://host"), "tcp://host:3389");
        assert_eq!(with_rdp_port("tcp://10.0.0.1:3390"), "tcp://10.0.0.1:3390");
        assert_eq!(with_rdp_port("tcp://host:22"), "tcp://host:22");
        assert_eq!(with_rdp_port("10.0.0.1"), "10.0.0.1:3389");
        assert!(same_rdp_address("tcp://host", "tcp://host:3389"));
        assert!(!same_rdp_address("tcp://host", "tcp://host:3390"));
    }

    #[test]
    fn the_tenant_domain_is_the_api_host_without_api() {
        let cfg = |e: &str| {
            let mut v = Value::Null;
            v.set("api_endpoint", Value::str(e));
            v
        };
        assert_eq!(tenant_domain(&cfg("api.acme.luminatesec.com")).as_deref(), Some("acme.luminatesec.com"));
        assert_eq!(
            tenant_domain(&cfg("https://api.acme.luminatesec.com:443/")).as_deref(),
            Some("acme.luminatesec.com")
        );
        let record = custom_domain_record("https://app.example.com", "acme.luminatesec.com");
        assert_eq!(record, format!("{}.acme.luminatesec.com", md5_hex(b"app.example.com")));
    }

    #[test]
    fn segment_blocks_travel_flat_and_come_back_grouped_as_written() {
        let hooks = AppHooks { kind: &SEGMENT };
        let mut planned = Value::Null;
        planned.set("name", Value::str("seg"));
        let mut body = Map::new();
        body.insert(
            "multipleSegmentSettings".into(),
            json!([{"originalIp": ["10.0.0.1", "10.0.0.2"]}, {"originalIp": ["10.1.0.0/16"]}]),
        );
        body.insert("segmentSettings".into(), json!([]));
        hooks.adjust_create_body(&planned, &mut body);
        assert_eq!(
            body["multipleSegmentSettings"],
            json!([{"originalIp": "10.0.0.1"}, {"originalIp": "10.0.0.2"}, {"originalIp": "10.1.0.0/16"}])
        );
        assert!(!body.contains_key("segmentSettings"));
        assert_eq!(body["type"], "SEGMENT");
        assert_eq!(body["connectionSettings"], json!({"internalAddress": "", "subdomain": "seg"}));

        let group = |ips: &[&str]| {
            let mut g = Value::Null;
            g.set("original_ip", Value::Set(ips.iter().map(|s| Value::str(*s)).collect()));
            g
        };
        let mut base = Value::Null;
        base.set(
            "multiple_segment_settings",
            Value::List(vec![group(&["10.0.0.2", "10.0.0.1"]), group(&["10.1.0.0/16"])]),
        );
        base.set("sub_type", Value::str("SEGMENT_SPECIFIC_IPS"));
        let mut answer =
            json!({"subType": "SEGMENT_RANGE", "multipleSegmentSettings": body["multipleSegmentSettings"].clone()});
        hooks.adjust_answer(&base, &mut answer);
        assert_eq!(answer["subType"], "SEGMENT_SPECIFIC_IPS");
        assert_eq!(
            answer["multipleSegmentSettings"],
            json!([{"originalIp": ["10.0.0.2", "10.0.0.1"]}, {"originalIp": ["10.1.0.0/16"]}])
        );
        assert_eq!(answer["segmentSettings"], json!([]));
        // Changed elsewhere: one block with what the API has.
        let mut answer = json!({"multipleSegmentSettings": [{"originalIp": "10.9.9.9"}]});
        hooks.adjust_answer(&base, &mut answer);
        assert_eq!(answer["multipleSegmentSettings"], json!([{"originalIp": ["10.9.9.9"]}]));
    }

    #[test]
    fn the_wire_carries_the_type_and_what_no_argument_says() {
        let mut planned = Value::Null;
        planned.set("name", Value::str("gw"));
        let mut body = Map::new();
        body.insert("integrationId".into(), json!("int-1"));
        body.insert("cloudIntegrationData".into(), json!({"vpcs": [{"vpc": "v1"}, {"vpc": "v2"}]}));
        AppHooks { kind: &SSH_GW }.adjust_create_body(&planned, &mut body);
        assert!(!body.contains_key("integrationId"));
        assert_eq!(body["cloudIntegrationData"]["vpcs"][1]["integration_id"], "int-1");
        assert_eq!(body["type"], "DYNAMIC_SSH");
        let mut answer = json!({"cloudIntegrationData": {"vpcs": [{"integration_id": "int-1"}]}});
        AppHooks { kind: &SSH_GW }.adjust_answer(&Value::Null, &mut answer);
        assert_eq!(answer["integrationId"], "int-1");

        let mut body = Map::new();
        body.insert("connectionSettings".into(), json!({"internalAddress": "tcp://host", "subdomain": "mine"}));
        AppHooks { kind: &RDP }.adjust_update_body(&Value::Null, &planned, &mut body);
        assert_eq!(body["connectionSettings"], json!({"internalAddress": "tcp://host:3389", "subdomain": "mine"}));
        let mut written = Value::Null;
        written.set("internal_address", Value::str("tcp://host"));
        let mut answer = json!({"connectionSettings": {"internalAddress": "tcp://host:3389"}});
        AppHooks { kind: &RDP }.adjust_answer(&written, &mut answer);
        assert_eq!(answer["connectionSettings"]["internalAddress"], "tcp://host");
        let mut answer = json!({"connectionSettings": {"internalAddress": "tcp://host:3389"}});
        AppHooks { kind: &RDP }.adjust_answer(&Value::Null, &mut answer);
        assert_eq!(answer["connectionSettings"]["internalAddress"], "tcp://host");

        let mut body = Map::new();
        AppHooks { kind: &TCP }.adjust_create_body(&planned, &mut body);
        assert_eq!(body["connectionSettings"]["internalAddress"], "tcp://luminate-dummy:22");
    }
}
