//! Lightbits identity and access (catalog §4.5.1, §4.5.22; §4.7 rows 6, 7): admin
//! endpoints and credentials, as declarations.

use base64::Engine as _;
use serde_json::{Map, Value as J};

use crate::engine::action::ActionDef;
use crate::engine::datasource::{fields_from_resource, DataSourceDef, PagedList};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{ListSpec, Op, Operations, Resource, ResourceDef, ResourceHooks, UpdateOp};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::value::{Type, Value};

const NAME_RE: &str = r"^[a-zA-Z0-9_.\-]{1,253}$";
const NAME_WHAT: &str = "a valid name (1-253 letters, digits, '-', '_' or '.')";

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(admin_endpoint()), Box::new(credential())]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![admin_endpoints_data_source(), credentials_data_source()]
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
            Some(UpdateOp::replace(Op::put(item).extra(&[("port", crate::engine::resource::Member::Attr("port"))]))),
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
    let item_fields = fields_from_resource(&admin_endpoint().schema.fields, &[], &["id"]);
    let lister = PagedList {
        list: ListSpec::new(Op::get("/api/v2/adminEndpoints"), "adminEndpoints"),
        output: "admin_endpoints",
        item_fields,
        id_template: "admin_endpoints",
    };
    let fields = vec![
        Field::string("id").computed().desc("Always `admin_endpoints`."),
        Field::new("admin_endpoints", Type::list(lister.item_type()))
            .computed()
            .desc("Every admin endpoint of the cluster (`port`, `ips`, `etag`), in the API's order."),
    ];
    DataSourceDef::new(
        "lightbits_admin_endpoints",
        "Lists the admin endpoints of the cluster: each management API port with its IP allow-list.",
        fields,
        lister,
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
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            if let Some(text) = decoded {
                m.insert("payload".into(), J::String(text));
            }
        }
    }
}

pub fn credentials_data_source() -> DataSourceDef {
    // Payloads (private keys among them) are left out: a list is no place for secrets.
    let item_fields = fields_from_resource(&credential().schema.fields, &[], &["id", "payload", "payload_wo_version"]);
    let lister = PagedList {
        list: ListSpec::new(Op::get("/api/v2/projects/{project_name}/credentials"), "credentials"),
        output: "credentials",
        item_fields,
        id_template: "{project_name}",
    };
    let fields = vec![
        Field::string("project_name")
            .default_from_provider("default_project")
            .desc("Project whose credentials to list. Defaults to the provider's `default_project`."),
        Field::string("id").computed().desc("The project name."),
        Field::new("credentials", Type::list(lister.item_type()))
            .computed()
            .desc("Every credential of the project (`project_name`, `credential_id`, `type`, `kind`), in the API's order. Payloads are left out."),
    ];
    DataSourceDef::new(
        "lightbits_credentials",
        "Lists the credentials of a project, without their payloads.",
        fields,
        lister,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [admin_endpoint(), credential()] {
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
