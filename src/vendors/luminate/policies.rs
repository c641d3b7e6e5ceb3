//! Access policies (web, tcp, ssh, rdp), `luminate_web_activity_policy` and the
//! `luminate_shared_object` data source.
//!
//! A policy's Terraform attributes and its wire model are far apart: user and group IDs
//! become directory entities (with their identity provider's type), the `conditions` block
//! becomes a list of filter conditions, flags become per-protocol settings. So the five
//! policy resources are one hand-written [`Resource`] over declared schemas: one encoder
//! (state -> body) and one decoder (body -> state). Reads keep the prior value of every
//! attribute whose prior value encodes to the same body as the API's answer, so values the
//! API cannot tell apart (an all-false `managed_device` block, an empty `validators`
//! block, user IDs in another order) never show as changes.

use async_trait::async_trait;
use serde_json::{json, Map, Value as J};

use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::{DataSourceDef, LookupOne};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::list::for_each_page;
use crate::engine::resource::{
    api_error_diag, plan_change, upgrade_sdkv2_state, validate_config, ApplyRequest, ApplyResponse, Ctx, DeleteRequest,
    DeleteResponse, ImportState, ListSpec, Op, PlanRequest, PlanResponse, Private, ReadRequest, ReadResponse, Resource,
    ResourceSchema, UpgradeState,
};
use crate::engine::schema::{is_uuid, Codec, Field, Mode, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::{from_json, Value};

use super::entities::spring;

pub fn resources() -> Vec<Box<dyn Resource>> {
    [PolicyKind::Web, PolicyKind::Tcp, PolicyKind::Ssh, PolicyKind::Rdp, PolicyKind::WebActivity]
        .into_iter()
        .map(|kind| Box::new(Policy::new(kind)) as Box<dyn Resource>)
        .collect()
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![shared_object_data_source()]
}

// ---------------------------------------------------------------- schemas

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PolicyKind {
    Web,
    Tcp,
    Ssh,
    Rdp,
    WebActivity,
}

impl PolicyKind {
    fn type_name(self) -> &'static str {
        match self {
            PolicyKind::Web => "luminate_web_access_policy",
            PolicyKind::Tcp => "luminate_tcp_access_policy",
            PolicyKind::Ssh => "luminate_ssh_access_policy",
            PolicyKind::Rdp => "luminate_rdp_access_policy",
            PolicyKind::WebActivity => "luminate_web_activity_policy",
        }
    }

    /// `targetProtocol`, also the type of the applications the policy applies to.
    fn protocol(self) -> &'static str {
        match self {
            PolicyKind::Web | PolicyKind::WebActivity => "HTTP",
            PolicyKind::Tcp => "TCP",
            PolicyKind::Ssh => "SSH",
            PolicyKind::Rdp => "RDP",
        }
    }

    fn activity(self) -> bool {
        self == PolicyKind::WebActivity
    }

    /// The validator an access policy of this kind offers: (attribute, validator id).
    fn validator(self) -> (&'static str, &'static str) {
        match self {
            PolicyKind::Web => ("mfa", "VALIDATOR_MFA"),
            _ => ("web_verification", "VALIDATOR_WEB_VERIFICATION"),
        }
    }
}

fn bool_default(name: &'static str, default: bool, desc: &str) -> Field {
    Field::bool(name).default(Value::Bool(default)).desc(format!("{desc} Default `{default}`."))
}

fn check_name_length(v: &Value) -> Result<(), String> {
    let length = v.as_str().map(|s| s.chars().count()).unwrap_or(0);
    if length > 255 {
        return Err(format!("must be at most 255 characters long (got {length})"));
    }
    Ok(())
}

fn check_uuids(v: &Value) -> Result<(), String> {
    match v.string_items().into_iter().find(|id| !is_uuid(id)) {
        Some(bad) => Err(format!("{bad:?} is not an application ID (a UUID)")),
        None => Ok(()),
    }
}

fn check_non_empty_elements(v: &Value) -> Result<(), String> {
    match v.string_items().iter().position(String::is_empty) {
        Some(i) => Err(format!("element {i} must not be empty")),
        None => Ok(()),
    }
}

const NON_EMPTY: Validator =
    Validator::Custom { check: check_non_empty_elements, describe: "Elements must not be empty." };

/// An `identity_provider_id` change replaces an access policy (the Go provider's ForceNew:
/// every directory entity belongs to that identity provider). Setting it where it was
/// unset (after an import of a policy without users or groups) changes nothing at the API.
fn identity_provider_changed(before: &Value, after: &Value) -> bool {
    !before.is_null() && before != after
}

/// What the attributes every policy has.
fn common_fields(kind: PolicyKind) -> Vec<Field> {
    let mut name = Field::string("name").required().desc("Policy name, unique in the tenant.");
    let mut applications =
        Field::new("applications", crate::engine::value::Type::set(crate::engine::value::Type::String))
            .required()
            .validate(Validator::Custom { check: check_uuids, describe: "Application IDs (UUIDs)." })
            .desc(format!("IDs of the {} applications the policy applies to.", kind.protocol()));
    let mut idp = Field::string("identity_provider_id")
        .optional()
        .desc("Identity provider of `user_ids` and `group_ids` (`local` for the local directory); required with them. Read back from the policy's users and groups.");
    if kind.activity() {
        applications.description = "IDs of the web applications the policy applies to.".into();
    } else {
        name = name.validate(Validator::Custom { check: check_name_length, describe: "At most 255 characters." });
        idp = idp.replace_if(identity_provider_changed, "Changing it replaces the policy.");
        idp.description.push_str(" Changing it replaces the policy.");
    }
    vec![
        Field::bool("enabled").default(Value::Bool(true)).desc("Whether the policy is enforced. Default `true`."),
        name,
        idp,
        Field::string_list("user_ids")
            .optional()
            .desc("IDs (in the identity provider) of the users the policy applies to."),
        Field::string_list("group_ids")
            .optional()
            .desc("IDs (in the identity provider) of the groups the policy applies to."),
        applications,
        Field::string("collection_id")
            .optional_computed()
            .desc("Collection the policy belongs to; when unset, the tenant's default collection."),
    ]
}

fn device_fields(computed_defaults: bool) -> Vec<Field> {
    [
        ("opswat", "Devices that pass an OPSWAT compliance check."),
        ("symantec_cloudsoc", "Devices known to Symantec CloudSOC."),
        ("symantec_web_security_service", "Requests that come through Symantec Web Security Service."),
    ]
    .into_iter()
    .map(|(name, desc)| {
        let f = bool_default(name, false, desc);
        if computed_defaults {
            f.optional_computed()
        } else {
            f
        }
    })
    .collect()
}

fn location_and_ip() -> Vec<Field> {
    vec![
        Field::string_list("location")
            .optional()
            .validate(NON_EMPTY)
            .desc("Countries (by name, e.g. `Wallis and Futuna`) requests must come from."),
        Field::string_list("source_ip")
            .optional()
            .validate(NON_EMPTY)
            .desc("Addresses or CIDR ranges requests must come from."),
    ]
}

/// The blocks and per-protocol attributes of an access policy.
fn access_fields(kind: PolicyKind) -> Vec<Field> {
    let (validator, _) = kind.validator();
    let validator_desc = match kind {
        PolicyKind::Web => "Require multi-factor authentication.",
        _ => "Require web verification before the connection.",
    };
    let mut conditions = location_and_ip();
    conditions.push(
        Field::list_of("managed_device", device_fields(false))
            .block()
            .desc("Only managed devices: any flag set adds the device-compliance condition."),
    );
    conditions.push(
        Field::list_of("unmanaged_device", device_fields(false))
            .block()
            .desc("Unmanaged devices: any flag set adds the not-a-WSS-address condition."),
    );
    let mut fields = vec![
        Field::list_of("validators", vec![bool_default(validator, false, validator_desc)])
            .block()
            .items(0, 1)
            .desc("Checks made before access is granted."),
        Field::list_of("conditions", conditions)
            .block()
            .items(0, 1)
            .desc("Conditions every request must meet (all of them)."),
    ];
    match kind {
        PolicyKind::Tcp => fields.extend([
            bool_default("allow_temporary_token", true, "Accept temporary tokens."),
            bool_default("allow_public_key", false, "Accept certificates (public keys)."),
        ]),
        PolicyKind::Ssh => fields.extend([
            Field::string_list("accounts")
                .required()
                .validate(NON_EMPTY)
                .desc("Accounts on the target machines the users may log in as."),
            bool_default("use_auto_mapping", false, "Map users to accounts of the same name."),
            bool_default("full_upn_auto_mapping", false, "Map users to accounts named by their full UPN."),
            bool_default("allow_agent_forwarding", false, "Allow SSH agent forwarding."),
            bool_default("allow_temporary_token", true, "Accept temporary tokens."),
            bool_default("allow_public_key", false, "Accept certificates (public keys)."),
        ]),
        PolicyKind::Rdp => fields.extend([
            bool_default("allow_long_term_password", false, "Allow long-term passwords."),
            Field::string("target_protocol_subtype")
                .default(Value::str("RDP_NATIVE"))
                .validate(Validator::OneOf(&["RDP_NATIVE", "RDP_BROWSER"]))
                .desc("`RDP_NATIVE` (an RDP client, default) or `RDP_BROWSER` (RDP in the browser). Read back from the API, so a change made elsewhere shows."),
            Field::list_of(
                "web_rdp_settings",
                vec![
                    bool_default("disable_copy", false, "Disable copying from the remote session."),
                    bool_default("disable_paste", false, "Disable pasting into the remote session."),
                ],
            )
            .block()
            .items(0, 1)
            .desc("Clipboard settings of browser RDP (sent only with `RDP_BROWSER`)."),
        ]),
        PolicyKind::Web | PolicyKind::WebActivity => {}
    }
    fields
}

/// The web activity policy's own attributes: nested attributes (a plugin-framework
/// resource in the Go provider), not blocks.
fn activity_fields() -> Vec<Field> {
    let mut conditions = location_and_ip();
    conditions.push(
        Field::object("managed_device", device_fields(true))
            .optional()
            .desc("Only managed devices: any flag set adds the device-compliance condition."),
    );
    conditions.push(
        Field::object("unmanaged_device", device_fields(true))
            .optional()
            .desc("Unmanaged devices: any flag set adds the not-a-WSS-address condition."),
    );
    let rule_conditions = vec![
        bool_default("file_downloaded", false, "Match file downloads.").optional_computed(),
        bool_default("file_uploaded", false, "Match file uploads.").optional_computed(),
        bool_default("uri_accessed", false, "Match requests to the URIs of `arguments.uri_list`.").optional_computed(),
        bool_default("http_command", false, "Match requests with the methods of `arguments.commands`.")
            .optional_computed(),
        Field::object(
            "arguments",
            vec![
                Field::string_list("uri_list").optional_computed().desc("URIs `uri_accessed` matches."),
                Field::string_list("commands").optional_computed().desc("HTTP methods `http_command` matches."),
            ],
        )
        .optional_computed()
        .desc("Values of the URI and method conditions."),
    ];
    vec![
        Field::object("conditions", conditions).optional().desc("Conditions every request must meet (all of them)."),
        Field::bool("enable_isolation")
            .default(Value::Bool(false))
            .desc("Web isolation for the applications. Default `false`."),
        Field::bool("enable_whitelist")
            .default(Value::Bool(false))
            .desc("Allow-list mode: only `ALLOW` rules, everything else is blocked. Default `false`."),
        Field::list_of(
            "rules",
            vec![
                Field::string("action")
                    .required()
                    .validate(Validator::OneOf(&[
                        "ALLOW",
                        "BLOCK",
                        "BLOCK_USER",
                        "DISCONNECT_USER",
                        "WEB_ISOLATION",
                        "CDS",
                    ]))
                    .desc("What happens to a matching request."),
                Field::object("conditions", rule_conditions)
                    .optional()
                    .desc("What the rule matches; unset: every request."),
                Field::string("isolation_profile_id")
                    .optional_computed()
                    .desc("Isolation profile (a shared object of type `ISOLATION_PROFILE`) of a `WEB_ISOLATION` rule."),
                Field::string("dlp_filter_id").optional_computed().desc("DLP detection of a `CDS` rule."),
            ],
        )
        .required()
        .items(1, 0)
        .desc("The rules, in order: at least one."),
    ]
}

pub struct Policy {
    schema: ResourceSchema,
    kind: PolicyKind,
}

impl Policy {
    fn new(kind: PolicyKind) -> Policy {
        let mut schema = ResourceSchema::new(kind.type_name(), "policy", "{id}");
        schema.fields[0].description = "The policy's ID; also the ID to give `terraform import`.".into();
        schema.fields.extend(common_fields(kind));
        if kind.activity() {
            schema.fields.extend(activity_fields());
            schema.description = "A web activity policy: rules on what users do inside web applications (downloads, uploads, URIs, methods), with isolation and allow-list modes.".into();
        } else {
            schema.fields.extend(access_fields(kind));
            schema.description = format!(
                "An access policy for {} applications: which users and groups may reach them, under which conditions.",
                kind.protocol()
            );
        }
        Policy { schema, kind }
    }
}

// ---------------------------------------------------------------- encoding

fn flag(v: &Value, name: &str) -> bool {
    v.get(name).as_bool().unwrap_or(false)
}

fn strings(v: &Value) -> Vec<J> {
    v.string_items().into_iter().map(J::String).collect()
}

/// The first object of a list block, or the object of a nested attribute.
fn first(v: &Value) -> &Value {
    match v.as_items() {
        Some(items) => items.first().unwrap_or(&Value::Null),
        None => v,
    }
}

/// Device flags in the Go provider's order.
fn device_values(devices: &[&Value]) -> Vec<J> {
    [("symantec_web_security_service", "IsWSSIp"), ("symantec_cloudsoc", "CloudSOC"), ("opswat", "OPSWAT")]
        .into_iter()
        .filter(|(attr, _)| devices.iter().any(|d| flag(d, attr)))
        .map(|(_, value)| json!(value))
        .collect()
}

fn devices(v: &Value) -> Vec<&Value> {
    match v.as_items() {
        Some(items) => items.iter().collect(),
        None if v.is_null() => vec![],
        None => vec![v],
    }
}

/// `filterConditions` of a `conditions` block or attribute (models §3.5).
fn filter_conditions(conditions: &Value) -> Vec<J> {
    let mut out = Vec::new();
    let ips = strings(conditions.get("source_ip"));
    if !ips.is_empty() {
        out.push(
            json!({"conditionDefinitionId": "IP_CONDITION", "arguments": {"IP_LIST": ips, "SHARED_IP_LIST": null}}),
        );
    }
    let countries = strings(conditions.get("location"));
    if !countries.is_empty() {
        out.push(json!({"conditionDefinitionId": "LOCATION_RESTRICTION", "arguments": {"COUNTRIES": countries}}));
    }
    for (attr, id) in [("managed_device", "IS_DEVICE_COMPLIANCE"), ("unmanaged_device", "IS_NOT_WSS_IP")] {
        let values = device_values(&devices(conditions.get(attr)));
        if !values.is_empty() {
            out.push(json!({"conditionDefinitionId": id, "arguments": {"AUTHENTICATION": values}}));
        }
    }
    out
}

fn rule_conditions(conditions: &Value) -> Vec<J> {
    let arguments = conditions.get("arguments");
    let mut out = Vec::new();
    if flag(conditions, "file_downloaded") {
        out.push(json!({"conditionDefinitionId": "FILE_DOWNLOADED", "arguments": {}}));
    }
    if flag(conditions, "file_uploaded") {
        out.push(json!({"conditionDefinitionId": "FILE_UPLOADED", "arguments": {}}));
    }
    if flag(conditions, "uri_accessed") {
        out.push(json!({"conditionDefinitionId": "URI_CONDITION", "arguments": {"URI_LIST": strings(arguments.get("uri_list"))}}));
    }
    if flag(conditions, "http_command") {
        out.push(json!({"conditionDefinitionId": "METHOD_CONDITION", "arguments": {"HTTP_METHODS": strings(arguments.get("commands"))}}));
    }
    out
}

fn insert_unless_empty(body: &mut Map<String, J>, key: &str, value: J) {
    let empty = match &value {
        J::Array(a) => a.is_empty(),
        J::Object(o) => o.is_empty(),
        J::String(s) => s.is_empty(),
        J::Null => true,
        _ => false,
    };
    if !empty {
        body.insert(key.into(), value);
    }
}

impl Policy {
    /// The policy body for state or plan `v`; `idp_type` is the identity provider's type
    /// (`identityProviderType` of every directory entity).
    fn encode(&self, v: &Value, idp_type: &str) -> Map<String, J> {
        let kind = self.kind;
        let mut body = Map::new();
        body.insert("type".into(), json!(if kind.activity() { "ACTIVITY" } else { "ACCESS" }));
        body.insert("targetProtocol".into(), json!(kind.protocol()));
        match kind {
            PolicyKind::Rdp => {
                body.insert(
                    "targetProtocolSubType".into(),
                    json!(v.get("target_protocol_subtype").as_str().unwrap_or("RDP_NATIVE")),
                );
            }
            PolicyKind::WebActivity => {}
            _ => {
                body.insert("targetProtocolSubType".into(), json!(""));
            }
        }
        body.insert("enabled".into(), json!(v.get("enabled").as_bool().unwrap_or(true)));
        body.insert("name".into(), json!(v.get("name").as_str().unwrap_or_default()));
        insert_unless_empty(&mut body, "collectionId", json!(v.get("collection_id").as_str().unwrap_or_default()));
        let idp = v.get("identity_provider_id").as_str().unwrap_or_default();
        let entities: Vec<J> = [("user_ids", "User"), ("group_ids", "Group")]
            .into_iter()
            .flat_map(|(attr, entity_type)| {
                v.get(attr).string_items().into_iter().map(move |id| {
                    json!({"identifierInProvider": id, "identityProviderId": idp, "identityProviderType": idp_type, "type": entity_type})
                })
            })
            .collect();
        insert_unless_empty(&mut body, "directoryEntities", J::Array(entities));
        let mut applications = v.get("applications").string_items();
        applications.sort();
        let applications = applications.into_iter().map(|id| json!({"id": id, "type": kind.protocol()})).collect();
        body.insert("applications".into(), J::Array(applications));
        insert_unless_empty(&mut body, "filterConditions", J::Array(filter_conditions(first(v.get("conditions")))));
        if kind.activity() {
            let rules: Vec<J> = v
                .get("rules")
                .as_items()
                .unwrap_or_default()
                .iter()
                .map(|rule| {
                    let mut container = Map::new();
                    insert_unless_empty(
                        &mut container,
                        "conditions",
                        J::Array(rule_conditions(rule.get("conditions"))),
                    );
                    container.insert("actionId".into(), json!(rule.get("action").as_str().unwrap_or_default()));
                    for (attr, key) in
                        [("isolation_profile_id", "isolationProfileId"), ("dlp_filter_id", "dlpFilterId")]
                    {
                        insert_unless_empty(&mut container, key, json!(rule.get(attr).as_str().unwrap_or_default()));
                    }
                    J::Object(container)
                })
                .collect();
            body.insert("containers".into(), J::Array(rules));
            body.insert("isWhitelist".into(), json!(flag(v, "enable_whitelist")));
            body.insert("isIsolation".into(), json!(flag(v, "enable_isolation")));
            return body;
        }
        let (attr, validator) = kind.validator();
        if flag(first(v.get("validators")), attr) {
            body.insert("validators".into(), json!({ validator: true }));
        }
        // Booleans the Go client omits when false (models §4.5) are sent only when true.
        let mut settings = Map::new();
        let mut set_if = |key: &str, on: bool| {
            if on {
                settings.insert(key.into(), J::Bool(true));
            }
        };
        match kind {
            PolicyKind::Tcp => {
                set_if("acceptTemporaryToken", flag(v, "allow_temporary_token"));
                set_if("acceptCertificate", flag(v, "allow_public_key"));
                body.insert("tcpSettings".into(), J::Object(settings));
            }
            PolicyKind::Ssh => {
                set_if("autoMapping", flag(v, "use_auto_mapping"));
                set_if("agentForward", flag(v, "allow_agent_forwarding"));
                set_if("acceptTemporaryToken", flag(v, "allow_temporary_token"));
                set_if("acceptCertificate", flag(v, "allow_public_key"));
                settings.insert("accounts".into(), J::Array(strings(v.get("accounts"))));
                settings.insert("fullUpnAutoMapping".into(), json!(flag(v, "full_upn_auto_mapping")));
                body.insert("sshSettings".into(), J::Object(settings));
            }
            PolicyKind::Rdp => {
                set_if("longTermPassword", flag(v, "allow_long_term_password"));
                if body["targetProtocolSubType"] == "RDP_BROWSER" {
                    let web = first(v.get("web_rdp_settings"));
                    settings.insert(
                        "webRdpSettings".into(),
                        json!({"disableCopy": flag(web, "disable_copy"), "disablePaste": flag(web, "disable_paste")}),
                    );
                }
                body.insert("rdpSettings".into(), J::Object(settings));
            }
            PolicyKind::Web | PolicyKind::WebActivity => {}
        }
        body
    }

    /// The body in a form where order the API does not keep cannot differ.
    fn canonical(&self, v: &Value) -> J {
        let mut body = self.encode(v, "");
        for key in ["directoryEntities", "filterConditions"] {
            if let Some(J::Array(items)) = body.get_mut(key) {
                items.sort_by_key(J::to_string);
            }
        }
        J::Object(body)
    }
}

// ---------------------------------------------------------------- decoding

fn arg_strings(condition: Option<&J>, parameter: &str) -> J {
    let values = condition.and_then(|c| c["arguments"][parameter].as_array()).cloned().unwrap_or_default();
    J::Array(values.into_iter().filter(J::is_string).collect())
}

fn non_empty_or_null(v: J) -> J {
    if v.as_array().is_some_and(Vec::is_empty) {
        J::Null
    } else {
        v
    }
}

fn find<'a>(conditions: &'a J, id: &str) -> Option<&'a J> {
    conditions.as_array()?.iter().find(|c| c["conditionDefinitionId"] == id)
}

fn device_flags(condition: Option<&J>) -> Option<J> {
    let values = condition?["arguments"]["AUTHENTICATION"].as_array().cloned().unwrap_or_default();
    let has = |v: &str| values.iter().any(|x| x == v);
    Some(
        json!({"opswat": has("OPSWAT"), "symantec_cloudsoc": has("CloudSOC"), "symantec_web_security_service": has("IsWSSIp")}),
    )
}

fn bool_at(obj: &J, key: &str) -> bool {
    obj.get(key).and_then(J::as_bool).unwrap_or(false)
}

impl Policy {
    /// The state the API's policy means, before the prior state's spellings are kept.
    fn decode(&self, obj: &J) -> Result<Value, Diagnostics> {
        let kind = self.kind;
        let entities = obj["directoryEntities"].as_array().cloned().unwrap_or_default();
        let ids_of = |entity_type: &str| {
            non_empty_or_null(J::Array(
                entities
                    .iter()
                    .filter(|e| e["type"] == entity_type)
                    .map(|e| e["identifierInProvider"].clone())
                    .collect(),
            ))
        };
        let applications: Vec<J> = obj["applications"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| a["id"].clone())
            .filter(J::is_string)
            .collect();
        let mut state = json!({
            "id": obj["id"],
            "enabled": bool_at(obj, "enabled"),
            "name": obj["name"],
            "identity_provider_id": entities.first().map(|e| e["identityProviderId"].clone()).unwrap_or(J::Null),
            "user_ids": ids_of("User"),
            "group_ids": ids_of("Group"),
            "applications": applications,
            "collection_id": obj["collectionId"],
        });
        let filters = &obj["filterConditions"];
        let location = non_empty_or_null(arg_strings(find(filters, "LOCATION_RESTRICTION"), "COUNTRIES"));
        let source_ip = non_empty_or_null(arg_strings(find(filters, "IP_CONDITION"), "IP_LIST"));
        let managed = device_flags(find(filters, "IS_DEVICE_COMPLIANCE"));
        let unmanaged = device_flags(find(filters, "IS_NOT_WSS_IP"));
        let any_condition = filters.as_array().is_some_and(|f| !f.is_empty());
        if kind.activity() {
            if any_condition {
                state["conditions"] = json!({"location": location, "source_ip": source_ip, "managed_device": managed, "unmanaged_device": unmanaged});
            }
            state["enable_isolation"] = json!(bool_at(obj, "isIsolation"));
            state["enable_whitelist"] = json!(bool_at(obj, "isWhitelist"));
            let rules: Vec<J> = obj["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    let conditions = &c["conditions"];
                    let has = |id: &str| find(conditions, id).is_some();
                    let rule_conditions = conditions.as_array().is_some_and(|a| !a.is_empty()).then(|| {
                        json!({
                            "file_downloaded": has("FILE_DOWNLOADED"),
                            "file_uploaded": has("FILE_UPLOADED"),
                            "uri_accessed": has("URI_CONDITION"),
                            "http_command": has("METHOD_CONDITION"),
                            "arguments": {
                                "uri_list": arg_strings(find(conditions, "URI_CONDITION"), "URI_LIST"),
                                "commands": arg_strings(find(conditions, "METHOD_CONDITION"), "HTTP_METHODS"),
                            },
                        })
                    });
                    json!({
                        "action": c["actionId"],
                        "conditions": rule_conditions,
                        "isolation_profile_id": c["isolationProfileId"].as_str().unwrap_or_default(),
                        "dlp_filter_id": c["dlpFilterId"].as_str().unwrap_or_default(),
                    })
                })
                .collect();
            state["rules"] = J::Array(rules);
        } else {
            let as_block = |v: Option<J>| J::Array(v.into_iter().collect());
            state["conditions"] = as_block(any_condition.then(|| {
                json!({"location": location, "source_ip": source_ip, "managed_device": as_block(managed), "unmanaged_device": as_block(unmanaged)})
            }));
            let (attr, validator) = kind.validator();
            let on = obj["validators"][validator].as_bool().unwrap_or(false);
            state["validators"] = as_block(on.then(|| json!({ attr: true })));
            match kind {
                PolicyKind::Tcp => {
                    let s = &obj["tcpSettings"];
                    state["allow_temporary_token"] = json!(bool_at(s, "acceptTemporaryToken"));
                    state["allow_public_key"] = json!(bool_at(s, "acceptCertificate"));
                }
                PolicyKind::Ssh => {
                    let s = &obj["sshSettings"];
                    state["accounts"] = s["accounts"].clone();
                    state["use_auto_mapping"] = json!(bool_at(s, "autoMapping"));
                    state["full_upn_auto_mapping"] = json!(bool_at(s, "fullUpnAutoMapping"));
                    state["allow_agent_forwarding"] = json!(bool_at(s, "agentForward"));
                    state["allow_temporary_token"] = json!(bool_at(s, "acceptTemporaryToken"));
                    state["allow_public_key"] = json!(bool_at(s, "acceptCertificate"));
                }
                PolicyKind::Rdp => {
                    let s = &obj["rdpSettings"];
                    state["allow_long_term_password"] = json!(bool_at(s, "longTermPassword"));
                    state["target_protocol_subtype"] =
                        json!(obj["targetProtocolSubType"].as_str().unwrap_or("RDP_NATIVE"));
                    state["web_rdp_settings"] = as_block(s.get("webRdpSettings").filter(|w| w.is_object()).map(|w| {
                        json!({"disable_copy": bool_at(w, "disableCopy"), "disable_paste": bool_at(w, "disablePaste")})
                    }));
                }
                PolicyKind::Web | PolicyKind::WebActivity => {}
            }
        }
        from_json(&state, &self.schema.value_type()).map_err(|e| {
            Diagnostics::error("Unexpected policy from the API", format!("The API's policy cannot be read: {e}."))
        })
    }

    /// The state for the API's policy `obj`: each attribute keeps its `prior` value when
    /// that value means the same to the API (encodes to the same body), so no spelling the
    /// API cannot keep shows as a change; computed values the prior lacks are filled in.
    fn state_of(&self, prior: &Value, obj: &J) -> Result<Value, Diagnostics> {
        let decoded = self.decode(obj)?;
        let reference = self.canonical(&decoded);
        let mut state = decoded.clone();
        for f in self.schema.fields.iter().filter(|f| f.mode != Mode::Computed) {
            let kept = prior.get(f.name);
            if kept.is_null() || kept.is_unknown() || kept == decoded.get(f.name) {
                continue;
            }
            let mut candidate = decoded.clone();
            candidate.set(f.name, kept.clone());
            if self.canonical(&candidate) == reference {
                state.set(f.name, fill_computed(f, kept, decoded.get(f.name)));
            }
        }
        Ok(state)
    }
}

/// `kept` with its computed attributes that are null or unknown taken from `fresh`.
fn fill_computed(f: &Field, kept: &Value, fresh: &Value) -> Value {
    if kept.is_null() || kept.is_unknown() {
        return if f.mode == Mode::OptionalComputed || f.mode == Mode::Computed { fresh.clone() } else { kept.clone() };
    }
    let Some(nested) = &f.nested else { return kept.clone() };
    let fill_object = |k: &Value, fr: &Value| {
        let mut out = k.clone();
        for child in &nested.fields {
            out.set(child.name, fill_computed(child, k.get(child.name), fr.get(child.name)));
        }
        out
    };
    match (kept, fresh) {
        (Value::List(k), Value::List(fr)) if k.len() == fr.len() => {
            Value::List(k.iter().zip(fr).map(|(a, b)| fill_object(a, b)).collect())
        }
        (Value::Object(_), _) => fill_object(kept, fresh),
        _ => kept.clone(),
    }
}

// ---------------------------------------------------------------- API calls

impl Policy {
    fn what(&self, v: &Value) -> String {
        match v.get("name").as_str() {
            Some(name) => format!("policy {name:?}"),
            None => format!("policy {}", v.get("id")),
        }
    }

    /// The `identityProviderType` of the entities: `local` names itself; any other
    /// identity provider is looked up in the tenant's list (models §3.6) and its
    /// `provider` mapped as the Go provider maps it.
    async fn identity_provider_type(&self, ctx: &Ctx, planned: &Value) -> Result<String, Diagnostics> {
        let has_entities =
            !planned.get("user_ids").string_items().is_empty() || !planned.get("group_ids").string_items().is_empty();
        let idp = planned.get("identity_provider_id").as_str().unwrap_or_default();
        if !has_entities || idp == "local" {
            return Ok("local".into());
        }
        let req = ApiRequest::get("/identities/settings/identity-providers").query("includeLocal", "true");
        let list = ctx.api.call(req, &ctx.cancel).await.map_err(|e| api_error_diag("list", "identity providers", e))?;
        let provider = list
            .body
            .as_array()
            .and_then(|all| all.iter().find(|p| p["id"] == idp))
            .and_then(|p| p["provider"].as_str())
            .map(str::to_ascii_lowercase);
        let Some(provider) = provider else {
            return Err(Diagnostics::attr_error(
                AttrPath::attr("identity_provider_id"),
                "Unknown identity provider",
                format!(
                    "The tenant has no identity provider {idp:?} (see the luminate_identity_provider data source)."
                ),
            ));
        };
        // The Go provider silently drops entities of a type it cannot map; say so instead.
        match provider.as_str() {
            "local" | "keycloak" => Ok("local".into()),
            "ad" | "azuread" => Ok("ad".into()),
            "okta" | "adfs" | "gapps" | "onelogin" | "generic-saml" => Ok(provider),
            other => Err(Diagnostics::attr_error(
                AttrPath::attr("identity_provider_id"),
                "Unsupported identity provider",
                format!("Identity provider {idp:?} is of type {other:?}; policies can name users and groups of local, ad, okta, adfs, gapps, onelogin and generic-saml identity providers."),
            )),
        }
    }

    async fn get(&self, ctx: &Ctx, id: &str) -> Result<Option<J>, ApiError> {
        match ctx.api.call(ApiRequest::get(format!("/policies/{}", percent_encode(id))), &ctx.cancel).await {
            Ok(r) => Ok(Some(r.body)),
            // Only 404 means gone: a 403 is a permission problem, and a 500 a server one
            // (the Go provider drops the policy from state on both).
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The policy named `name` (names are unique), to reconcile a create whose answer was
    /// lost.
    async fn find_by_name(&self, ctx: &Ctx, name: &str) -> Result<Option<J>, Diagnostics> {
        let list: ListSpec = spring(Op::get("/policies").query(&[("filter", "{name}")]));
        let mut scope = Value::Null;
        scope.set("name", Value::str(name));
        let mut found = None;
        for_each_page(ctx, &list, &scope, |items| {
            found = items.iter().find(|p| p["name"] == name).cloned();
            found.is_some()
        })
        .await
        .map_err(|e| api_error_diag("look up", &format!("policy {name:?}"), e))?;
        Ok(found)
    }

    /// POSTs the policy once; an unknown outcome is settled by the name, and the request
    /// is repeated only when the policy provably does not exist.
    async fn create_policy(&self, ctx: &Ctx, planned: &Value) -> Result<J, Diagnostics> {
        let idp_type = self.identity_provider_type(ctx, planned).await?;
        let body = J::Object(self.encode(planned, &idp_type));
        let name = planned.get("name").as_str().unwrap_or_default();
        for attempt in 0..2 {
            match ctx.api.call(ApiRequest::new(Method::Post, "/policies").body(body.clone()), &ctx.cancel).await {
                Ok(r) if r.body["id"].is_string() => return Ok(r.body),
                Ok(_) => {}
                Err(ApiError::AlreadyExists(msg)) => {
                    return Err(Diagnostics::attr_error(
                        AttrPath::attr("name"),
                        "A policy with this name already exists",
                        format!("The API refused to create policy {name:?}: {msg}. Import the existing policy (`terraform import` with its ID) or choose another name."),
                    ))
                }
                Err(e) if e.outcome_unknown() => {
                    tracing::warn!(resource = self.schema.type_name, "create outcome unknown ({e}); looking the policy up");
                }
                Err(e) => return Err(api_error_diag("create", &self.what(planned), e)),
            }
            if let Some(found) = self.find_by_name(ctx, name).await? {
                return Ok(found);
            }
            if attempt == 1 {
                break;
            }
        }
        Err(Diagnostics::error(
            "Cannot find the new policy",
            format!("The API accepted the request to create policy {name:?}, but no policy of that name exists."),
        ))
    }
}

#[async_trait]
impl Resource for Policy {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = validate_config(&self.schema, config);
        // A CDS rule hands the traffic to a DLP detection: without one it means nothing.
        for (i, rule) in config.get("rules").as_items().unwrap_or_default().iter().enumerate() {
            let missing =
                rule.get("dlp_filter_id").as_str().is_none_or(str::is_empty) && !rule.get("dlp_filter_id").is_unknown();
            if rule.get("action").as_str() == Some("CDS") && missing {
                diags.add_error(
                    "Missing dlp_filter_id",
                    "A rule with action \"CDS\" needs the DLP detection to apply: set dlp_filter_id.",
                    Some(AttrPath::attr("rules").then_index(i as i64).then_attr("dlp_filter_id")),
                );
            }
        }
        diags
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        plan_change(&self.schema, req, |_, planned, diags| {
            let has_entities = ["user_ids", "group_ids"]
                .iter()
                .any(|a| planned.get(a).as_items().is_some_and(|items| !items.is_empty()));
            if has_entities && planned.get("identity_provider_id").is_null() {
                diags.add_error(
                    "Missing identity_provider_id",
                    "user_ids and group_ids are IDs inside one identity provider: set identity_provider_id (`local` for the local directory).",
                    Some(AttrPath::attr("identity_provider_id")),
                );
            }
        })
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let created = match self.create_policy(ctx, req.planned).await {
            Ok(obj) => obj,
            Err(diags) => return ApplyResponse { state: None, private: Private::default(), diags },
        };
        // The answer is the policy; a read is not needed.
        match self.state_of(req.planned, &created) {
            Ok(state) => {
                ApplyResponse { state: Some(state), private: Private::default(), diags: Diagnostics::default() }
            }
            Err(diags) => {
                // Keep what exists in state (tainted), never orphan it.
                let mut state = req.planned.clone();
                state.set("id", Value::str(created["id"].as_str().unwrap_or_default()));
                ApplyResponse { state: Some(unknowns_to_null(state)), private: Private::default(), diags }
            }
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let id = req.current.get("id").as_str().unwrap_or_default().to_string();
        let result = match self.get(ctx, &id).await {
            Ok(None) => Ok(None),
            Ok(Some(obj)) => self.state_of(req.current, &obj).map(Some),
            Err(e) => Err(api_error_diag("read", &self.what(req.current), e)),
        };
        match result {
            Ok(state) => ReadResponse { state, private: req.private, diags: Diagnostics::default() },
            Err(diags) => ReadResponse { state: Some(req.current.clone()), private: req.private, diags },
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let id = req.prior.get("id").as_str().unwrap_or_default().to_string();
        let unchanged = ApplyResponse {
            state: Some(req.prior.clone()),
            private: req.private.clone(),
            diags: Diagnostics::default(),
        };
        let idp_type = match self.identity_provider_type(ctx, req.planned).await {
            Ok(t) => t,
            Err(diags) => return ApplyResponse { diags, ..unchanged },
        };
        let mut body = self.encode(req.planned, &idp_type);
        body.insert("id".into(), json!(id));
        let put = ApiRequest::new(Method::Put, format!("/policies/{}", percent_encode(&id))).body(J::Object(body));
        match ctx.api.call(put, &ctx.cancel).await {
            Ok(r) => match self.state_of(req.planned, &r.body) {
                Ok(state) => ApplyResponse { state: Some(state), private: req.private, diags: Diagnostics::default() },
                Err(diags) => ApplyResponse { diags, ..unchanged },
            },
            Err(ApiError::NotFound(_)) => ApplyResponse {
                diags: Diagnostics::error(
                    format!("The {} no longer exists", self.what(req.prior)),
                    "It was deleted outside Terraform. Run `terraform apply` again to create it anew.",
                ),
                ..unchanged
            },
            Err(e) => ApplyResponse { diags: api_error_diag("update", &self.what(req.prior), e), ..unchanged },
        }
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let id = req.prior.get("id").as_str().unwrap_or_default();
        let del = ApiRequest::new(Method::Delete, format!("/policies/{}", percent_encode(id)));
        let diags = match ctx.api.call(del, &ctx.cancel).await {
            Ok(_) | Err(ApiError::NotFound(_)) => Diagnostics::default(),
            Err(e) => api_error_diag("delete", &self.what(req.prior), e),
        };
        DeleteResponse { diags }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }

    fn upgrader(&self) -> Option<&dyn UpgradeState> {
        Some(self)
    }
}

fn unknowns_to_null(v: Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(unknowns_to_null).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(unknowns_to_null).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, x)| (k, unknowns_to_null(x))).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, x)| (k, unknowns_to_null(x))).collect()),
        other => other,
    }
}

impl ImportState for Policy {
    /// The policy's ID (as in the Go provider); the read finds every attribute, the
    /// identity provider included (from the policy's users and groups).
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        if !is_uuid(id) {
            return Err(Diagnostics::error(
                format!("Invalid import ID for {}", self.schema.type_name),
                format!("Expected the policy's ID (a UUID), got {id:?}."),
            ));
        }
        let mut key = Value::Object(Default::default());
        key.set("id", Value::str(id));
        Ok(key)
    }
}

impl UpgradeState for Policy {
    /// State of the Go provider: the access policies are SDKv2 (`""` for unset strings,
    /// `[]` for unset lists); the web activity policy is plugin-framework state, already
    /// in Terraform's own terms.
    fn upgrade(&self, _version: i64, raw: J) -> Result<J, Diagnostics> {
        if self.kind.activity() {
            return Ok(raw);
        }
        let mut raw = upgrade_sdkv2_state(&self.schema.fields, raw);
        empty_lists_to_null(&self.schema.fields, &mut raw);
        Ok(raw)
    }
}

/// SDKv2 stores an unset optional list as `[]`, inside blocks too; Terraform's own
/// semantics (and the configuration) say null.
fn empty_lists_to_null(fields: &[Field], raw: &mut J) {
    let J::Object(attrs) = raw else { return };
    for f in fields {
        let Some(value) = attrs.get_mut(f.name) else { continue };
        match &f.nested {
            Some(nested) => {
                for element in value.as_array_mut().into_iter().flatten() {
                    empty_lists_to_null(&nested.fields, element);
                }
            }
            None if f.mode == Mode::Optional && value.as_array().is_some_and(Vec::is_empty) => *value = J::Null,
            None if f.mode == Mode::Optional && value.as_str() == Some("") => *value = J::Null,
            None => {}
        }
    }
}

// ---------------------------------------------------------------- shared objects

pub fn shared_object_data_source() -> DataSourceDef {
    let list = spring(Op::get("/policies/shared-objects").query(&[
        ("filter", "{name}"),
        ("type", "{type}"),
        ("sort", "name,asc"),
    ]));
    DataSourceDef::new(
        "luminate_shared_object",
        "Looks up a shared object (an IP list, an isolation profile, OPSWAT groups) by its exact name and type. The API's filter matches substrings; the pages are followed to the exact name.",
        vec![
            Field::string("id").computed().api("id", Codec::Plain).desc("The shared object's ID."),
            Field::string("name").required().api("name", Codec::Plain).desc("The shared object's exact name."),
            Field::string("type")
                .required()
                .validate(Validator::OneOf(&["IP_LIST", "ISOLATION_PROFILE", "OPSWAT_GROUPS"]))
                .api("type", Codec::Plain)
                .desc("Its type."),
        ],
        LookupOne { by_key: None, by_list: Some((list, &["name", "type"])), id_template: "{id}", noun: "shared object" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(kind: PolicyKind, hcl_like: J) -> Value {
        let policy = Policy::new(kind);
        from_json(&hcl_like, &policy.schema.value_type()).expect("value")
    }

    #[test]
    fn an_access_policy_encodes_as_the_go_provider_sends_it() {
        let v = planned(
            PolicyKind::Ssh,
            json!({"name": "p", "enabled": true, "identity_provider_id": "local", "user_ids": ["u1"], "group_ids": ["g1"],
                   "applications": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"], "accounts": ["root"],
                   "allow_temporary_token": true, "full_upn_auto_mapping": false,
                   "validators": [{"web_verification": true}],
                   "conditions": [{"source_ip": ["10.0.0.0/8"], "managed_device": [{"opswat": true, "symantec_cloudsoc": false, "symantec_web_security_service": true}], "unmanaged_device": []}]}),
        );
        let body = Policy::new(PolicyKind::Ssh).encode(&v, "local");
        assert_eq!(body["type"], "ACCESS");
        assert_eq!(body["targetProtocol"], "SSH");
        assert_eq!(body["targetProtocolSubType"], "");
        assert_eq!(body["directoryEntities"][0]["type"], "User");
        assert_eq!(body["directoryEntities"][1]["type"], "Group");
        assert_eq!(body["validators"], json!({"VALIDATOR_WEB_VERIFICATION": true}));
        assert_eq!(
            body["sshSettings"],
            json!({"accounts": ["root"], "acceptTemporaryToken": true, "fullUpnAutoMapping": false})
        );
        assert_eq!(
            body["filterConditions"][1],
            json!({"conditionDefinitionId": "IS_DEVICE_COMPLIANCE", "arguments": {"AUTHENTICATION": ["IsWSSIp", "OPSWAT"]}})
        );
        assert!(!body.contains_key("collectionId"));
    }

    #[test]
    fn blocks_the_api_cannot_hold_keep_their_configured_spelling() {
        let policy = Policy::new(PolicyKind::Web);
        let prior = planned(
            PolicyKind::Web,
            json!({"id": "x", "name": "p", "enabled": true, "applications": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
                   "validators": [{"mfa": false}], "conditions": [{"managed_device": [{"opswat": false, "symantec_cloudsoc": false, "symantec_web_security_service": false}], "unmanaged_device": []}],
                   "collection_id": "c"}),
        );
        let api = json!({"id": "x", "name": "p", "enabled": true, "type": "ACCESS", "targetProtocol": "HTTP", "collectionId": "c",
                         "applications": [{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "type": "HTTP"}]});
        let state = policy.state_of(&prior, &api).expect("state");
        assert_eq!(state, prior);
        // A real change is not hidden.
        let mut changed = api.clone();
        changed["validators"] = json!({"VALIDATOR_MFA": true});
        let state = policy.state_of(&prior, &changed).expect("state");
        assert_eq!(state.get("validators").as_items().map(|v| v[0].get("mfa").clone()), Some(Value::Bool(true)));
    }

    #[test]
    fn activity_rules_round_trip() {
        let policy = Policy::new(PolicyKind::WebActivity);
        let v = planned(
            PolicyKind::WebActivity,
            json!({"name": "a", "enabled": true, "applications": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"], "enable_isolation": false, "enable_whitelist": false,
                   "rules": [{"action": "BLOCK", "conditions": {"file_downloaded": true, "file_uploaded": false, "uri_accessed": true, "http_command": false, "arguments": {"uri_list": ["/admin"], "commands": []}}, "isolation_profile_id": "", "dlp_filter_id": ""},
                             {"action": "ALLOW", "conditions": null, "isolation_profile_id": "", "dlp_filter_id": ""}]}),
        );
        let mut body = policy.encode(&v, "local");
        assert_eq!(
            body["containers"][0]["conditions"][1],
            json!({"conditionDefinitionId": "URI_CONDITION", "arguments": {"URI_LIST": ["/admin"]}})
        );
        assert!(body["containers"][1].get("conditions").is_none());
        body.insert("id".into(), json!("x"));
        let state = policy.state_of(&v, &J::Object(body)).expect("state");
        let mut expected = v.clone();
        expected.set("id", Value::str("x"));
        assert_eq!(state.get("rules"), expected.get("rules"));
    }

    #[test]
    fn every_field_is_described() {
        fn check(type_name: &str, fields: &[Field]) {
            for f in fields {
                assert!(!f.description.is_empty(), "{type_name}.{}", f.name);
                if let Some(n) = &f.nested {
                    check(type_name, &n.fields);
                }
            }
        }
        for r in resources() {
            check(r.schema().type_name, &r.schema().fields);
        }
    }
}
