//! Lightbits identity and access (catalog §4.5.1, §4.5.5-4.5.8, §4.5.22; §4.7 rows 6-10):
//! admin endpoints, credentials, the IdP configuration, authorization map entries and IdP
//! client configurations, as declarations.

use base64::Engine as _;
use serde_json::{Map, Value as J};

use crate::engine::action::ActionDef;
use crate::engine::api::Method;
use crate::engine::datasource::{fields_from_resource, DataSourceDef, LookupOne, PagedList};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{
    AsyncStates, BodyShape, DeleteOp, ListSpec, Member, Op, Operations, Resource, ResourceDef, ResourceHooks, Timeouts,
    UpdateOp,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::value::{Type, Value};

const NAME_RE: &str = r"^[a-zA-Z0-9_.\-]{1,253}$";
const NAME_WHAT: &str = "a valid name (1-253 letters, digits, '-', '_' or '.')";

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(admin_endpoint()),
        Box::new(credential()),
        Box::new(idp_configuration()),
        Box::new(auth_map_entry()),
        Box::new(idp_client_configuration()),
        Box::new(trusted_host()),
        Box::new(trusted_host_secret()),
        Box::new(federated_authentication()),
        Box::new(in_band_authentication()),
    ]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![
        admin_endpoints_data_source(),
        credentials_data_source(),
        cluster_list(idp_configuration(), "lightbits_idp_configurations", "/api/v2/cluster/IdpConfiguration", "idpConfigurations", "idp_configurations", "IdP configurations (`name`, `issuer_url`, `type`, `state`, `uuid`; the proxy settings, with their password, are left out)", &["proxy_info"]),
        cluster_list(auth_map_entry(), "lightbits_auth_map_entries", "/api/v2/cluster/authMaps", "authMapEntries", "auth_map_entries", "authorization map entries", &[]),
        cluster_list(idp_client_configuration(), "lightbits_idp_client_configurations", "/api/v2/cluster/idpClientConfs", "idpClientConfigurations", "idp_client_configurations", "IdP client configurations", &[]),
        trusted_hosts_data_source(),
        role_data_source(),
        roles_data_source(),
    ]
}

pub fn actions() -> Vec<ActionDef> {
    vec![]
}

fn project_name_field(noun: &str) -> Field {
    Field::string("project_name")
        .default_from_provider("default_project")
        .replace()
        .validate(Validator::Regex(NAME_RE, NAME_WHAT))
        .desc(format!("Project that owns the {noun}. Defaults to the provider's `default_project`. Changing it re-creates the {noun}."))
}

// ---------------------------------------------------------------- admin endpoint

/// `lightbits_admin_endpoint` (catalog §4.5.1): the management API's IP allow-list of one
/// port. The port is the key, so only `ips` changes in place; every answer carries an
/// `ETag`, sent back as `If-Match` on updates and deletes.
pub fn admin_endpoint() -> ResourceDef {
    let item = "/api/v2/adminEndpoints/{port}";
    ResourceDef::new(
        "lightbits_admin_endpoint",
        "admin endpoint",
        "{port}",
        Operations::crud(
            Op::post("/api/v2/adminEndpoints"),
            Op::get(item),
            // The update body repeats the port (`UpdateAdminEndpointRequest` requires it).
            Some(UpdateOp::replace(Op::put(item).extra(&[("port", Member::Attr("port"))]))),
            Op::delete(item),
        )
        .lookup(&["port"], None)
        .etag("ETag"),
    )
    .desc("The IP allow-list of one port of the Lightbits management API: only the listed addresses may reach that port. The port is the key: changing it re-creates the endpoint.")
    .fields(vec![
        Field::number("port")
            .required()
            .replace()
            .validate(Validator::IntRange(1, 65535))
            .api_create("port", Codec::Plain)
            .desc("Management API port (1-65535). Changing it re-creates the admin endpoint."),
        Field::new("ips", Type::set(Type::String))
            .required()
            .validate(Validator::MinItems(1))
            .api_mutable("ips", Codec::Plain)
            .desc("IP addresses allowed to access the port (at least one). Updated in place."),
        Field::string("etag")
            .computed_volatile()
            .api("ETag", Codec::Plain)
            .desc("Version of the admin endpoint as the API reports it; sent as `If-Match` on updates and deletes."),
    ])
}

pub fn admin_endpoints_data_source() -> DataSourceDef {
    PagedList {
        list: ListSpec::new(Op::get("/api/v2/adminEndpoints"), "adminEndpoints"),
        output: "admin_endpoints",
        item_fields: fields_from_resource(&admin_endpoint().schema.fields, &[], &["id"]),
        id_template: "admin_endpoints",
    }
    .into_data_source(
        "lightbits_admin_endpoints",
        "Lists the admin endpoints of the cluster: each management API port with its IP allow-list.",
        vec![],
        "Always `admin_endpoints`.",
        "Every admin endpoint of the cluster (`port`, `ips`, `etag`), in the API's order.",
    )
}

// ---------------------------------------------------------------- credential

const CREDS_TYPES: &[&str] = &["RS256PubKey", "TlsCertChainPem", "TlsPrivKeyPem"];

/// `lightbits_credential` (catalog §4.5.22): a key or certificate uploaded to a project.
/// The API has no update, so every argument forces replacement. The payload is proto
/// `bytes` (base64 on the wire); Terraform holds the text. It can be given as `payload`
/// (sensitive, kept in state, so out-of-band changes show) or as the write-only
/// `payload_wo` (Terraform 1.11+, never stored), replaced when `payload_wo_version` changes.
pub fn credential() -> ResourceDef {
    let item = "/api/v2/projects/{project_name}/credentials/{credential_id}";
    ResourceDef::new(
        "lightbits_credential",
        "credential",
        "{project_name}/{credential_id}",
        Operations::crud(Op::post("/api/v2/projects/{project_name}/credentials"), Op::get(item), None, Op::delete(item))
            .lookup(&["project_name", "credential_id"], None),
    )
    .desc("A credential of a project: an RS256 public key that verifies the project's JWTs, a TLS certificate chain or a TLS private key. The API cannot change a credential: changing any argument re-creates it. The payload is given either as `payload` (sensitive, kept in state) or as the write-only `payload_wo` (Terraform 1.11 and later; never stored).")
    .hooks(CredentialHooks)
    .fields(vec![
        project_name_field("credential").api_create("projectName", Codec::Plain),
        Field::string("credential_id")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("ID", Codec::Plain)
            .desc("Credential ID, unique in the project (the JWT `kid` for a public key). Changing it re-creates the credential."),
        Field::string("type")
            .required()
            .replace()
            .validate(Validator::OneOf(CREDS_TYPES))
            .api_create("type", Codec::Plain)
            .desc("Kind of payload: `RS256PubKey` (a PEM public key), `TlsCertChainPem` or `TlsPrivKeyPem`. Changing it re-creates the credential."),
        Field::string("payload")
            .optional()
            .sensitive()
            .replace()
            .api_create("payload", Codec::Plain)
            .desc("The credential's content as text (e.g. a PEM block); sent base64-encoded. Sensitive, and kept in state so that a change made elsewhere shows in plans. Exactly one of `payload` and `payload_wo` must be set. Changing it re-creates the credential."),
        Field::string("payload_wo")
            .optional()
            .sensitive()
            .write_only()
            // Null in every plan (write-only), so this never fires by itself: the version does.
            .replace()
            .api_create("payload", Codec::Plain)
            .desc("Write-only alternative to `payload` (Terraform 1.11 and later): sent on create, never stored in state or plan. Change `payload_wo_version` to upload a new value (which re-creates the credential)."),
        Field::number("payload_wo_version")
            .optional()
            .replace()
            .desc("Version of `payload_wo`: required with it; changing it re-creates the credential with the current `payload_wo`."),
        Field::string("kind")
            .computed()
            .api("kind", Codec::Plain)
            .desc("Origin and use of the credential as the API reports it: `UserCreds` (uploaded by users), `BeaconCreds` or `UnknownKind`."),
    ])
}

struct CredentialHooks;

impl ResourceHooks for CredentialHooks {
    /// Exactly one of `payload` and `payload_wo`, and a version with the write-only one
    /// (without it a new value could never be sent). Write-only values are null in plans,
    /// so `payload_wo` is recognised by its version.
    fn check_plan(&self, _prior: &Value, planned: &Value, diags: &mut Diagnostics) {
        if planned.is_null() {
            return;
        }
        let plain = planned.get("payload");
        let version = planned.get("payload_wo_version");
        if plain.is_null() && version.is_null() {
            diags.add_error(
                "Missing payload",
                "Set `payload`, or `payload_wo` together with `payload_wo_version`.",
                Some(AttrPath::attr("payload")),
            );
        } else if !plain.is_null() && !version.is_null() {
            diags.add_error(
                "Conflicting payloads",
                "Set either `payload` or `payload_wo` (with `payload_wo_version`), not both.",
                Some(AttrPath::attr("payload_wo_version")),
            );
        }
    }

    /// The payload travels as base64 (proto `bytes`).
    fn adjust_create_body(&self, _planned: &Value, body: &mut Map<String, J>) {
        if let Some(J::String(text)) = body.get("payload") {
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            body.insert("payload".into(), J::String(encoded));
        }
    }

    /// Decodes the answer's payload back to text. With `payload_wo` (a version set) the
    /// value never reaches state; an import (no `type` yet) reads it as `payload`.
    /// Bytes that are not UTF-8 text are kept base64-encoded.
    fn adjust_answer(&self, base: &Value, obj: &mut J) {
        let J::Object(m) = obj else { return };
        if !base.get("payload_wo_version").is_null() {
            m.remove("payload");
            return;
        }
        if let Some(J::String(encoded)) = m.get("payload") {
            let decoded =
                base64::engine::general_purpose::STANDARD.decode(encoded).ok().and_then(|b| String::from_utf8(b).ok());
            if let Some(text) = decoded {
                m.insert("payload".into(), J::String(text));
            }
        }
    }
}

pub fn credentials_data_source() -> DataSourceDef {
    // Payloads (private keys among them) are left out: a list is no place for secrets.
    super::project_list(
        "lightbits_credentials",
        "Lists the credentials of a project, without their payloads.",
        ListSpec::new(Op::get("/api/v2/projects/{project_name}/credentials"), "credentials"),
        "credentials",
        fields_from_resource(&credential().schema.fields, &[], &["id", "payload", "payload_wo_version"]),
        vec![],
        "Every credential of the project (`project_name`, `credential_id`, `type`, `kind`), in the API's order. Payloads are left out.",
    )
}

// ---------------------------------------------------------------- cluster-wide lists

/// A data source listing one cluster-wide collection (no paging in the API), its items
/// the resource's attributes minus `skip`.
fn cluster_list(
    resource: ResourceDef,
    type_name: &'static str,
    path: &'static str,
    items: &'static str,
    output: &'static str,
    what: &'static str,
    skip: &[&str],
) -> DataSourceDef {
    let mut skipped = vec!["id"];
    skipped.extend_from_slice(skip);
    let item_fields = fields_from_resource(&resource.schema.fields, &[], &skipped);
    PagedList { list: ListSpec::new(Op::get(path), items), output, item_fields, id_template: output }.into_data_source(
        type_name,
        format!("Lists the cluster's {}.", what.split(" (").next().unwrap_or(what)),
        vec![],
        format!("Always `{output}`."),
        format!("Every one of the cluster's {what}, in the API's order."),
    )
}

// ---------------------------------------------------------------- IdP configuration

const TEN_MINUTES: std::time::Duration = std::time::Duration::from_secs(600);

/// `lightbits_idp_configuration` (catalog §4.5.5): the cluster's identity provider. It is
/// `Creating`, then `Active`, and `Updating` after each update. The update is a PUT on the
/// collection that the body's `name` selects, carrying the whole configuration. The
/// proxy password is in the API's answers (the seed's schema shows `Password`), so it is
/// an ordinary sensitive attribute, kept in state so that a change made elsewhere shows.
pub fn idp_configuration() -> ResourceDef {
    let collection = "/api/v2/cluster/IdpConfiguration";
    ResourceDef::new(
        "lightbits_idp_configuration",
        "IdP configuration",
        "{name}",
        Operations::crud(
            Op::post(collection),
            Op::get("/api/v2/cluster/IdpConfiguration/{name}"),
            Some(UpdateOp::replace(Op::put(collection).extra(&[("name", Member::Template("{name}"))]))),
            Op::delete("/api/v2/cluster/IdpConfiguration/{name}"),
        )
        .lookup(&["name"], None)
        .async_states(AsyncStates { json: "state", ready: &["Active"], failed: &["Failed"], deleting: &[] }),
    )
    .desc("The cluster's federated identity provider (IdP) configuration: where JWTs of federated users come from. Lightbits supports one IdP configuration, of type ADFS. Create and update wait until the configuration is `Active`.")
    .timeouts(Timeouts { create: TEN_MINUTES, update: Some(TEN_MINUTES), delete: TEN_MINUTES })
    .fields(vec![
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .desc("Unique name of the IdP configuration. Changing it re-creates the configuration."),
        Field::string("issuer_url")
            .required()
            .validate(Validator::Regex(r"^https?://\S+$", "an http(s) URL"))
            .api_mutable("idpIssuerURL", Codec::Plain)
            .desc("URL of the identity provider's issuer, e.g. `https://adfs.example.com/adfs`. Updated in place."),
        Field::string("type")
            .default(Value::str("ADFS"))
            .validate(Validator::OneOf(&["ADFS"]))
            .api_mutable("type", Codec::Plain)
            .desc("Kind of identity provider; Lightbits supports only `ADFS` (the default)."),
        Field::object(
            "proxy_info",
            vec![
                Field::string("url")
                    .required()
                    .validate(Validator::Regex(r"^http://[^\s:/]+:[0-9]{1,5}$", "a URL of the form http://<server-ip>:<port>"))
                    .api("URL", Codec::Plain)
                    .desc("Proxy URL, `http://<server-ip>:<port>`."),
                Field::string("username").optional().api("Username", Codec::Plain).desc("User name for the proxy, if it needs one."),
                Field::string("password")
                    .optional()
                    .sensitive()
                    .api("Password", Codec::Plain)
                    .desc("Password for the proxy (sensitive)."),
            ],
        )
        .optional()
        .api_mutable("proxyInfo", Codec::Plain)
        .desc("Proxy through which the cluster reaches the identity provider. Updated in place; removing it removes the proxy."),
        Field::string("uuid").computed().api("UUID", Codec::Plain).desc("UUID the cluster assigned to the configuration."),
        Field::string("state")
            .computed_volatile()
            .api("state", Codec::Plain)
            .desc("`Creating`, `Active`, `Updating` or `Failed`, as the cluster reports it."),
    ])
}

// ---------------------------------------------------------------- auth map entry

/// `lightbits_auth_map_entry` (catalog §4.5.6): maps a client ID, claim or group to a
/// Lightbits scope and role. Everything but the name changes in place (PUT with the whole
/// entry).
pub fn auth_map_entry() -> ResourceDef {
    let item = "/api/v2/cluster/authMaps/{name}";
    ResourceDef::new(
        "lightbits_auth_map_entry",
        "authorization map entry",
        "{name}",
        Operations::crud(
            Op::post("/api/v2/cluster/authMaps"),
            Op::get(item),
            Some(UpdateOp::replace(Op::put(item).extra(&[("name", Member::Template("{name}"))]))),
            Op::delete(item),
        )
        .lookup(&["name"], None),
    )
    .desc("An authorization map entry: gives federated clients (app mode) or users with a claim or group (user and converge modes) a Lightbits scope and role.")
    .fields(vec![
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .desc("Unique name of the entry. Changing it re-creates the entry."),
        Field::string("identifier")
            .required()
            .validate(Validator::LenRange(1, 1024))
            .api_mutable("identifier", Codec::Plain)
            .desc("What is mapped: the client ID of an application (app mode), or the claim or group value found in the JWT field named by the client configuration's `claim_name` (user and converge modes)."),
        Field::string("scope")
            .required()
            .validate(Validator::LenRange(1, 1024))
            .api_mutable("scope", Codec::Plain)
            .desc("Lightbits scope granted, e.g. a project scope."),
        Field::string("role")
            .required()
            .validate(Validator::LenRange(1, 1024))
            .api_mutable("role", Codec::Plain)
            .desc("Lightbits role granted (see the `lightbits_roles` data source)."),
        Field::string("idp_configuration_name")
            .required()
            .api_mutable("idpConfigurationName", Codec::Plain)
            .desc("Name of the IdP configuration the entry belongs to."),
        Field::string("uuid").computed().api("UUID", Codec::Plain).desc("UUID the cluster assigned to the entry."),
    ])
}

// ---------------------------------------------------------------- IdP client configuration

const NOT_APPLICABLE: &str = "NOT_APPLICABLE";

/// `lightbits_idp_client_configuration` (catalog §4.5.8): which IdP client (application)
/// may use the cluster, and how its tokens are authorized. Only `claim_name` changes in
/// place (the PUT body has `name` and `claimName`).
pub fn idp_client_configuration() -> ResourceDef {
    let item = "/api/v2/cluster/idpClientConfs/{name}";
    ResourceDef::new(
        "lightbits_idp_client_configuration",
        "IdP client configuration",
        "{name}",
        Operations::crud(
            Op::post("/api/v2/cluster/idpClientConfs"),
            Op::get(item),
            Some(UpdateOp::replace(Op::put(item).extra(&[("name", Member::Template("{name}"))]))),
            Op::delete(item),
        )
        .lookup(&["name"], None),
    )
    .desc("An IdP client configuration: an application registered in the identity provider, and how its tokens map to Lightbits access (authorization modes `App`, `User` or `Converge`). Only `claim_name` can change in place.")
    .hooks(ClientConfHooks)
    .fields(vec![
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .desc("Unique name of the client configuration. Changing it re-creates it."),
        Field::string("client_id")
            .required()
            .replace()
            .validate(Validator::LenRange(1, 1024))
            .api_create("clientId", Codec::Plain)
            .desc("Client ID registered in the identity provider. Must be `NOT_APPLICABLE` when `authz_mode` is `Converge`. Changing it re-creates the configuration."),
        Field::string("idp_configuration_name")
            .required()
            .replace()
            .api_create("idpConfigurationName", Codec::Plain)
            .desc("Name of the IdP configuration this client belongs to. Changing it re-creates the configuration."),
        Field::string("authz_mode")
            .required()
            .replace()
            .validate(Validator::OneOf(&["App", "User", "Converge"]))
            .api_create("authzMode", Codec::Plain)
            .desc("Authorization mode: `App` (the client ID maps to a scope and role), `User` (the claim named by `claim_name` does) or `Converge` (only the claim; at most one per IdP configuration, with `client_id = \"NOT_APPLICABLE\"`). Changing it re-creates the configuration."),
        Field::string("claim_name")
            .optional()
            .api_mutable("claimName", Codec::Plain)
            .desc("JWT claim holding the identifier to map; required in `User` and `Converge` modes. Updated in place."),
        Field::string("uuid").computed().api("UUID", Codec::Plain).desc("UUID the cluster assigned to the configuration."),
    ])
}

struct ClientConfHooks;

impl ResourceHooks for ClientConfHooks {
    /// The API's rules, caught at plan time with the attribute named: Converge entries
    /// have no client ID of their own, and User and Converge need a claim.
    fn check_plan(&self, _prior: &Value, planned: &Value, diags: &mut Diagnostics) {
        let mode = planned.get("authz_mode").as_str().map(str::to_string);
        let client_id = planned.get("client_id");
        if mode.as_deref() == Some("Converge") && client_id.as_str().is_some_and(|c| c != NOT_APPLICABLE) {
            diags.add_error(
                "client_id must be NOT_APPLICABLE",
                format!("With authz_mode = \"Converge\" the client ID is not used: the API requires client_id = \"{NOT_APPLICABLE}\" (got {client_id})."),
                Some(AttrPath::attr("client_id")),
            );
        }
        if matches!(mode.as_deref(), Some("User" | "Converge")) && planned.get("claim_name").is_null() {
            diags.add_error(
                "Missing claim_name",
                format!("authz_mode = {:?} maps the value of a JWT claim: set claim_name.", mode.unwrap_or_default()),
                Some(AttrPath::attr("claim_name")),
            );
        }
    }
}

// ---------------------------------------------------------------- trusted host (Beta)

/// `lightbits_trusted_host` (catalog §4.5.11): an NVMe host allowed to connect with
/// in-band authentication. Labels and `auth_required` change in place; "currently update
/// of hostNqn is not supported", so the NQN forces replacement.
pub fn trusted_host() -> ResourceDef {
    let item = "/api/v2/projects/{project_name}/trustedHosts/{name}";
    ResourceDef::new(
        "lightbits_trusted_host",
        "trusted host",
        "{project_name}/{name}",
        Operations::crud(
            Op::post("/api/v2/projects/{project_name}/trustedHosts"),
            Op::get(item),
            Some(UpdateOp::replace(
                Op::put(item)
                    .extra(&[("name", Member::Template("{name}")), ("projectName", Member::Template("{project_name}"))]),
            )),
            Op::delete(item),
        )
        .lookup(&["project_name", "name"], None),
    )
    .desc("A trusted host (Beta): an NVMe host of a project allowed to connect when in-band authentication is on. Its secrets are set with `lightbits_trusted_host_secret`.")
    .fields(vec![
        project_name_field("trusted host").api_create("projectName", Codec::Plain),
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .desc("Name of the trusted host, unique in the project. Changing it re-creates the trusted host."),
        Field::string("host_nqn")
            .required()
            .replace()
            .validate(Validator::Regex(r"^nqn\.\S{1,219}$", "an NVMe qualified name (nqn.…)"))
            .api_create("hostNqn", Codec::Plain)
            .desc("NQN of the host, e.g. `nqn.2014-08.org.nvmexpress:uuid:…`. The API cannot change it: changing it re-creates the trusted host."),
        Field::string_map("labels")
            .optional()
            .api_mutable("labels", Codec::KeyValueList)
            .desc("Labels (up to 16; keys and values 1-253 letters, digits, '-', '_' or '.'). Updated in place."),
        Field::bool("auth_required")
            .default(Value::Bool(true))
            .api_mutable("authRequired", Codec::BoolString)
            .desc("Whether the host must authenticate (default `true`). Updated in place."),
        Field::string("uuid").computed().api("UUID", Codec::Plain).desc("UUID the cluster assigned to the trusted host."),
    ])
}

pub fn trusted_hosts_data_source() -> DataSourceDef {
    super::project_list(
        "lightbits_trusted_hosts",
        "Lists the trusted hosts (Beta) of a project.",
        // One request: the seed says `offsetUUID` and `limit` are "Not currently
        // supported", so a cursor loop could read the same hosts again.
        ListSpec::new(Op::get("/api/v2/projects/{project_name}/trustedHosts"), "hosts"),
        "trusted_hosts",
        fields_from_resource(&trusted_host().schema.fields, &[], &["id"]),
        vec![],
        "Every trusted host of the project, in the API's order.",
    )
}

// ---------------------------------------------------------------- trusted host secret (Beta)

/// `lightbits_trusted_host_secret` (catalog §4.5.12): the in-band authentication secrets
/// of a trusted host, set by one PUT (create and update alike). The secrets are
/// write-only and re-sent together whenever `secrets_wo_version` changes. The API has no
/// delete: destroy sets the target secret type to `Disabled` and forgets the resource;
/// the host secret itself cannot be removed and stays on the cluster.
pub fn trusted_host_secret() -> ResourceDef {
    const ITEM: &str = "/api/v2/projects/{project_name}/trustedHostSecrets/{name}";
    const SELECTORS: &[(&str, Member)] =
        &[("name", Member::Template("{name}")), ("projectName", Member::Template("{project_name}"))];
    let put = Op::put(ITEM).extra(SELECTORS);
    let ops = Operations::crud(put, Op::get(ITEM), Some(UpdateOp::replace(put)), Op::delete(ITEM))
        .lookup(&["project_name", "name"], None)
        .delete(DeleteOp::StateOnly {
            before: Some(Op::new(Method::Put, ITEM).body(BodyShape::Fields).extra(&[
                ("name", Member::Template("{name}")),
                ("projectName", Member::Template("{project_name}")),
                ("targetSecretType", Member::Literal("\"Disabled\"")),
            ])),
            warning: "The host secret of trusted host {name} stays on the cluster until the trusted host is deleted (the API cannot delete secrets); the target secret type is set to Disabled.",
        });
    ResourceDef::new("lightbits_trusted_host_secret", "trusted host secret", "{project_name}/{name}", ops)
        .desc("The in-band authentication secrets (Beta) of a trusted host: the host secret it presents, and optionally a target secret the cluster presents back (given, or generated by the cluster). The secrets are write-only (Terraform 1.11 and later) and never stored. The API cannot delete secrets: destroying this resource sets the target secret type to `Disabled` and forgets it; the host secret stays on the cluster until the trusted host is deleted.")
        .hooks(SecretHooks)
        .fields(vec![
            project_name_field("trusted host"),
            Field::string("name")
                .required()
                .replace()
                .validate(Validator::Regex(NAME_RE, NAME_WHAT))
                .desc("Name of the trusted host. Changing it configures another host (this one keeps its secrets)."),
            Field::string("host_secret_wo")
                .required()
                .sensitive()
                .sent_when_changed("secrets_wo_version")
                .api_mutable("hostSecret", Codec::Plain)
                .desc("Secret the host presents (e.g. a `DHHC-1:…` key). Write-only: sent on create and whenever `secrets_wo_version` changes."),
            Field::string("target_secret_wo")
                .optional()
                .sensitive()
                .sent_when_changed("secrets_wo_version")
                .api_mutable("targetSecret", Codec::Plain)
                .desc("Secret the cluster presents to the host, for `target_secret_type = \"Enabled\"`. Write-only: sent on create and whenever `secrets_wo_version` changes."),
            Field::number("secrets_wo_version")
                .optional()
                .desc("Change it to send `host_secret_wo` and `target_secret_wo` again (rotation), and when turning `target_secret_type` to `Enabled`."),
            Field::string("target_secret_type")
                .default(Value::str("Disabled"))
                .validate(Validator::OneOf(&["Disabled", "Enabled", "AutoGenSecret"]))
                .api_mutable("targetSecretType", Codec::Plain)
                .desc("`Disabled` (the default: the host does not authenticate the cluster), `Enabled` (with `target_secret_wo`) or `AutoGenSecret` (the cluster generates the target secret). Updated in place."),
            Field::string("host_uuid")
                .optional_computed()
                .replace()
                .api("host.UUID", Codec::Plain)
                .desc("UUID of the trusted host. Set it to `lightbits_trusted_host.<name>.uuid` so that a re-created host (a new NQN) gets its secrets set again; when unset it is read from the API. Changing it re-creates this resource."),
            Field::string("host_nqn")
                .computed_volatile()
                .api("host.hostNqn", Codec::Plain)
                .desc("NQN of the trusted host, as the API reports it."),
        ])
}

struct SecretHooks;

impl ResourceHooks for SecretHooks {
    /// Turning the target secret on needs the secret itself, which goes out only with a
    /// new `secrets_wo_version` (without it the API would fall back to `Disabled`).
    fn check_plan(&self, prior: &Value, planned: &Value, diags: &mut Diagnostics) {
        if prior.is_null() || planned.is_null() {
            return;
        }
        let turning_on = planned.get("target_secret_type").as_str() == Some("Enabled")
            && prior.get("target_secret_type").as_str() != Some("Enabled");
        if turning_on && prior.get("secrets_wo_version") == planned.get("secrets_wo_version") {
            diags.add_error(
                "Change secrets_wo_version to enable the target secret",
                "target_secret_type = \"Enabled\" needs target_secret_wo to be sent, and write-only values are sent only when secrets_wo_version changes.",
                Some(AttrPath::attr("secrets_wo_version")),
            );
        }
    }
}

// ---------------------------------------------------------------- authentication switches

const FEDERATED_ON: &str = "/api/v2/cluster/federatedAuthentication/enable";
const FEDERATED_OFF: &str = "/api/v2/cluster/federatedAuthentication/disable";

/// The switch as `GET /api/v2/cluster` reports it (proto `ClusterInfo`; the seed shows no
/// status read). Off reads as gone, so a switch turned off elsewhere is planned again. A
/// cluster whose answer lacks the member (older versions; proto3 JSON may also omit a
/// false flag) is trusted to be on, as before the read existed.
const FEDERATED_STATES: AsyncStates = AsyncStates {
    json: "federatedAuthenticationStatus.federatedAuthenticationEnabled",
    ready: &["true", ""],
    failed: &[],
    deleting: &["false"],
};

/// `inBandAuthMode` (`UnKnown|Enabled|Disabled`) of the default subsystem, the only one
/// the API supports. `UnKnown` and a missing member are trusted, as above.
const IN_BAND_STATES: AsyncStates =
    AsyncStates { json: "inBandAuthMode", ready: &["Enabled", "UnKnown", ""], failed: &[], deleting: &["Disabled"] };

/// `lightbits_federated_authentication` (catalog §4.5.7, §4.7 row 15): federated
/// authentication is on while this resource exists.
pub fn federated_authentication() -> ResourceDef {
    let disable = || Op::new(Method::Post, FEDERATED_OFF).body(BodyShape::Literal("{}"));
    ResourceDef::new(
        "lightbits_federated_authentication",
        "federated authentication",
        "federated_authentication",
        Operations::crud(
            Op::new(Method::Post, FEDERATED_ON).body(BodyShape::Literal("{}")),
            Op::get("/api/v2/cluster"),
            None,
            disable(),
        )
        .delete(DeleteOp::AsUpdate(disable()))
        .async_states(FEDERATED_STATES)
        .lookup(&[], None),
    )
    .desc("Federated authentication of the cluster (users authenticated by the IdP of `lightbits_idp_configuration`): enabled while this resource exists, disabled when it is destroyed. Refresh reads the switch from `GET /api/v2/cluster`: when it was turned off outside Terraform, the next plan enables it again. Imported with the ID `federated_authentication` (only while it is on).")
    .fields(vec![Field::string("cluster_uuid")
        .computed()
        .api("UUID", Codec::Plain)
        .desc("UUID of the cluster the switch belongs to.")])
}

/// `lightbits_in_band_authentication` (catalog §4.5.10, §4.7 row 16): NVMe in-band
/// authentication (Beta) of one subsystem, on while this resource exists.
pub fn in_band_authentication() -> ResourceDef {
    const SUBSYSTEM: &[(&str, Member)] = &[("subsystemNqnName", Member::Template("{subsystem_nqn_name}"))];
    let disable =
        || Op::new(Method::Post, "/api/v2/cluster/inBandAuth/disable").body(BodyShape::Fields).extra(SUBSYSTEM);
    ResourceDef::new(
        "lightbits_in_band_authentication",
        "in-band authentication",
        "{subsystem_nqn_name}",
        Operations::crud(
            Op::new(Method::Post, "/api/v2/cluster/inBandAuth/enable").body(BodyShape::Fields).extra(SUBSYSTEM),
            Op::get("/api/v2/cluster"),
            None,
            disable(),
        )
        .delete(DeleteOp::AsUpdate(disable()))
        .async_states(IN_BAND_STATES)
        .lookup(&[], None),
    )
    .desc("NVMe-oF in-band authentication (Beta) of a subsystem: only trusted hosts (`lightbits_trusted_host`) may connect while this resource exists; destroying it disables it. Refresh reads `inBandAuthMode` from `GET /api/v2/cluster`: when it was disabled outside Terraform, the next plan enables it again. Imported by the subsystem name (only while it is enabled).")
    .fields(vec![
        Field::string("subsystem_nqn_name")
            .default(Value::str("DefaultSubSystem"))
            .replace()
            .validate(Validator::OneOf(&["DefaultSubSystem"]))
            .desc("Subsystem to protect; only `DefaultSubSystem` (the default) is supported. Changing it re-creates the resource."),
        Field::string("cluster_uuid")
            .computed()
            .api("UUID", Codec::Plain)
            .desc("UUID of the cluster the switch belongs to."),
    ])
}

// ---------------------------------------------------------------- roles (read-only)

fn role_fields() -> Vec<Field> {
    vec![
        Field::string("project_name")
            .default_from_provider("default_project")
            .desc("Project of the role. Defaults to the provider's `default_project`."),
        Field::string("name").required().api("name", Codec::Plain).desc("Role name."),
        Field::string("id").computed().desc("`<project_name>/<name>`."),
        Field::string("rules_json")
            .computed()
            .semantic(crate::engine::schema::Semantic::Json)
            .api("rulesJson", Codec::Plain)
            .desc("The role's rules as JSON, e.g. `[{\"resources\":[\"versions\"],\"actions\":[\"get\"]}]`; decode with `jsondecode`."),
    ]
}

pub fn role_data_source() -> DataSourceDef {
    DataSourceDef::new(
        "lightbits_role",
        "Looks up one role of a project by name.",
        role_fields(),
        LookupOne {
            by_key: Some(Op::get("/api/v2/projects/{project_name}/roles/{name}").answer_at("role")),
            by_list: None,
            id_template: "{project_name}/{name}",
            noun: "role",
        },
    )
}

pub fn roles_data_source() -> DataSourceDef {
    let item_fields: Vec<Field> = role_fields()
        .into_iter()
        .filter(|f| f.name != "project_name" && f.name != "id")
        .map(|mut f| {
            f.mode = crate::engine::schema::Mode::Computed;
            f
        })
        .collect();
    super::project_list(
        "lightbits_roles",
        "Lists the roles of a project.",
        ListSpec::new(Op::get("/api/v2/projects/{project_name}/roles"), "roles"),
        "roles",
        item_fields,
        vec![],
        "Every role of the project (`name`, `rules_json`), in the API's order.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [
            admin_endpoint(),
            credential(),
            idp_configuration(),
            auth_map_entry(),
            idp_client_configuration(),
            trusted_host(),
            trusted_host_secret(),
            federated_authentication(),
            in_band_authentication(),
        ] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new(), "{}", r.schema.type_name);
        }
    }

    #[test]
    fn credential_payload_is_base64_on_the_wire_and_text_in_state() {
        let mut body = Map::new();
        body.insert("payload".into(), J::String("-----BEGIN PUBLIC KEY-----".into()));
        CredentialHooks.adjust_create_body(&Value::Null, &mut body);
        assert_eq!(body["payload"], "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0=");
        let mut answer = serde_json::json!({"payload": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0="});
        CredentialHooks.adjust_answer(&Value::Null, &mut answer);
        assert_eq!(answer["payload"], "-----BEGIN PUBLIC KEY-----");
        let mut write_only = Value::Null;
        write_only.set("payload_wo_version", Value::int(1));
        let mut answer = serde_json::json!({"payload": "eA=="});
        CredentialHooks.adjust_answer(&write_only, &mut answer);
        assert!(answer.get("payload").is_none());
        let mut d = Diagnostics::default();
        CredentialHooks.check_plan(&Value::Null, &write_only, &mut d);
        assert!(d.is_empty());
        write_only.set("payload", Value::str("x"));
        CredentialHooks.check_plan(&Value::Null, &write_only, &mut d);
        assert!(d.has_errors());
    }
}
