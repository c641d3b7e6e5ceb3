//! The cluster's settings (catalog §4.5.2, 4.5.3, 4.5.9, 4.5.13-4.5.15; §4.7 rows 13 and
//! 14, the action-style table and data sources 2, 3, 21-23): configuration parameters and
//! feature flags as resources; volume rollback and root-key rotation as actions; the
//! cluster's information, version, root key and events as data sources. Its machines are
//! in `machines.rs`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value as J;

use crate::engine::action::{message, request_from_config, ActionDef, Invoke, Progress};
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::{DataSourceDef, DataSourceRead, DataSourceResponse, LookupOne, PagedList};
use crate::engine::diag::Diagnostics;
use crate::engine::mapping::state_from_api;
use crate::engine::resource::ops::CreateOp;
use crate::engine::resource::Resource;
use crate::engine::resource::{
    api_error_diag, BodyShape, Constraint, Ctx, DeleteOp, ListSpec, Member, Op, Operations, Paging, ResourceDef,
    ResourceHooks, Toggle, UpdateOp, UpdateStyle,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::value::{Type, Value};

const TEN_MINUTES: Duration = Duration::from_secs(600);

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(cluster_config_param()), Box::new(feature_flag())]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![
        cluster_config_data_source(),
        feature_flags_data_source(),
        cluster_root_key_data_source(),
        cluster_info_data_source(),
        version_data_source(),
        events_data_source(),
    ]
}

pub fn actions() -> Vec<ActionDef> {
    vec![volume_rollback(), cluster_root_key_rotation()]
}

// ---------------------------------------------------------------- cluster configuration

/// The parameters the seed lists, with the kind of value each takes.
pub const CONFIG_PARAMS: &[&str] = &[
    "ClusterName",
    "ClockDriftIntervalForRaisingEvent",
    "DeviceHealthIntervalForRaisingEvent",
    "DurationToTurnIntoPermanentFailure",
    "VolumeDeletionFromNodeDelay",
    "DefaultQoSName",
    "AllowedNumRevives",
    "DisableVolumeStatisticsExport",
    "EnableTrim",
    "EvictionNoProgressTimeout",
    "RevivesWindowDuration",
];

const CONFIG_ITEM: &str = "/api/v2/clusterConfig/{name}";

/// A cluster configuration parameter (catalog §4.5.14, §4.7 row 13). Parameters always
/// exist: create adopts the parameter and sets its value; the value found then is kept
/// as `original_value` and put back on destroy (the API has no delete).
pub fn cluster_config_param() -> ResourceDef {
    let update = Op::put(CONFIG_ITEM).wrap("configParam").extra(&[("name", Member::Template("{name}"))]);
    let restore = Op::put(CONFIG_ITEM)
        .wrap("configParam")
        .extra(&[("name", Member::Template("{name}")), ("value", Member::Attr("original_value"))]);
    ResourceDef::new(
        "lightbits_cluster_config_param",
        "cluster configuration parameter",
        "{name}",
        Operations::crud(Op::put(CONFIG_ITEM), Op::get(CONFIG_ITEM), Some(UpdateOp::replace(update)), Op::delete(CONFIG_ITEM))
            .create(CreateOp::Adopt)
            .delete(DeleteOp::AsUpdate(restore)),
    )
    .desc("One cluster-wide configuration parameter of a Lightbits cluster (`/api/v2/clusterConfig`). Parameters always exist: creating this resource takes the parameter over and sets its value, remembering the value it found as `original_value`; destroying it puts `original_value` back (the API has no delete). Import by the parameter's name; `original_value` is then the value at import time.")
    .hooks(ConfigParamHooks::default())
    .fields(vec![
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::OneOf(CONFIG_PARAMS))
            .api("name", Codec::Plain)
            .desc("Parameter name: `ClusterName`, `ClockDriftIntervalForRaisingEvent`, `DeviceHealthIntervalForRaisingEvent`, `DurationToTurnIntoPermanentFailure`, `VolumeDeletionFromNodeDelay`, `DefaultQoSName`, `AllowedNumRevives`, `DisableVolumeStatisticsExport`, `EnableTrim`, `EvictionNoProgressTimeout` or `RevivesWindowDuration`. Changing it manages another parameter (the old one gets its original value back)."),
        Field::string("value")
            .required()
            .api_mutable("value", Codec::Plain)
            .desc("The value, always a string; its form depends on the parameter: a name (`ClusterName`), a duration such as `\"30m\"` or `\"2h\"` (the `...Interval...`, `...Duration...`, `...Delay` and `...Timeout` parameters), an integer (`AllowedNumRevives`), `\"true\"`/`\"false\"` (`DisableVolumeStatisticsExport`, `EnableTrim`) or any string (`DefaultQoSName`). The cluster checks it."),
        Field::string("original_value")
            .computed()
            .api("originalValue", Codec::Plain)
            .desc("The value the parameter had before Terraform managed it (at create, or at import); destroy puts it back."),
    ])
}

/// Keeps `original_value` once captured. The API has no such member: the hook adds it to
/// every answer, from the state being refreshed, or (create and import) from the value
/// found before Terraform changed anything. A create maps two answers (the parameter as
/// found, then as updated), both with the plan's unknown `original_value`: the first one
/// is remembered by name for the second.
#[derive(Default)]
struct ConfigParamHooks {
    found: Mutex<HashMap<String, J>>,
}

impl ResourceHooks for ConfigParamHooks {
    fn adjust_answer(&self, base: &Value, obj: &mut J) {
        let name = obj.get("name").and_then(J::as_str).unwrap_or_default().to_string();
        let current = obj.get("value").cloned().unwrap_or(J::String(String::new()));
        let original = match base.get("original_value") {
            Value::String(s) => J::String(s.clone()),
            Value::Unknown => {
                let mut found = self.found.lock().unwrap_or_else(|p| p.into_inner());
                match found.remove(&name) {
                    Some(v) => v,
                    None => {
                        found.insert(name, current.clone());
                        current
                    }
                }
            }
            _ => current,
        };
        if let J::Object(m) = obj {
            m.insert("originalValue".into(), original);
        }
    }
}

pub fn cluster_config_data_source() -> DataSourceDef {
    PagedList {
        list: ListSpec::new(Op::get("/api/v2/clusterConfig"), "values"),
        output: "parameters",
        item_fields: vec![
            Field::string("name").computed().api("name", Codec::Plain).desc("Parameter name."),
            Field::string("value").computed().api("value", Codec::Plain).desc("Its value, as a string."),
        ],
        id_template: "cluster-config",
    }
    .into_data_source(
        "lightbits_cluster_config",
        "Lists the cluster's configuration parameters and their values (`GET /api/v2/clusterConfig`).",
        vec![],
        "Always `cluster-config`.",
        "Every cluster configuration parameter with its current value, in the API's order.",
    )
}

// ---------------------------------------------------------------- feature flags

pub const FEATURE_FLAGS: &[&str] =
    &["event-log", "evict-data", "fail-in-place", "in-band-authentication", "proactive-rebalance"];

/// A feature flag (catalog §4.5.15, §4.7 row 14): enabled and disabled through their own
/// endpoints; the flag always exists, so create adopts it, and destroy leaves it as it is.
pub fn feature_flag() -> ResourceDef {
    let item = "/api/v2/featureFlags/{name}";
    let name_member: &'static [(&'static str, Member)] = &[("name", Member::Template("{name}"))];
    let update = UpdateOp {
        op: None,
        style: UpdateStyle::Patch,
        toggles: vec![Toggle {
            attr: "enabled",
            on: Op::post("/api/v2/featureFlags/{name}/enable").extra(name_member),
            off: Op::post("/api/v2/featureFlags/{name}/disable").extra(name_member),
        }],
        per_field: vec![],
    };
    ResourceDef::new(
        "lightbits_feature_flag",
        "feature flag",
        "{name}",
        Operations::crud(Op::put(item), Op::get(item), Some(update), Op::delete(item))
            .create(CreateOp::Adopt)
            .delete(DeleteOp::StateOnly {
                before: None,
                warning: "Feature flag {name} keeps its current setting on the cluster: the API cannot reset a feature flag, and Terraform does not change it on destroy.",
            }),
    )
    .desc("Turns one Lightbits feature flag on or off. Flags always exist: creating this resource takes the flag over, and destroying it only removes it from Terraform state (the flag keeps its setting). Some flags cannot be disabled once enabled: the cluster then answers 501 \"Unimplemented capability.\", reported as such. Import by the flag's name.")
    .fields(vec![
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::OneOf(FEATURE_FLAGS))
            .api("name", Codec::Plain)
            .desc("Flag name: `event-log`, `evict-data`, `fail-in-place`, `in-band-authentication` or `proactive-rebalance`."),
        Field::bool("enabled")
            .required()
            .api("enabled", Codec::Plain)
            .desc("Whether the feature is on. Turning it off may be refused by the cluster (HTTP 501, \"Unimplemented capability.\") for flags that cannot be disabled."),
    ])
}

/// `GET /api/v2/featureFlags` answers a map by name; the data source lists its entries.
struct MapEntries {
    path: &'static str,
    map_at: &'static str,
    output: &'static str,
    item_fields: Vec<Field>,
    id: &'static str,
}

#[async_trait]
impl DataSourceRead for MapEntries {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let r = ctx
            .api
            .call(ApiRequest::get(self.path), &ctx.cancel)
            .await
            .map_err(|e| api_error_diag("list", self.output, e))?;
        let mut items = Vec::new();
        if let Some(J::Object(entries)) = r.body.get(self.map_at) {
            for (key, obj) in entries {
                let mut obj = obj.clone();
                if let J::Object(m) = &mut obj {
                    m.entry("name").or_insert_with(|| J::String(key.clone()));
                }
                items.push(state_from_api(&self.item_fields, &Value::Null, &obj)?);
            }
        }
        let mut out = if config.is_null() { Value::Object(Default::default()) } else { config.clone() };
        out.set(self.output, Value::List(items));
        out.set("id", Value::str(self.id));
        Ok(out.into())
    }
}

pub fn feature_flags_data_source() -> DataSourceDef {
    let item_fields = vec![
        Field::string("name").computed().api("name", Codec::Plain).desc("Flag name."),
        Field::bool("enabled").computed().api("enabled", Codec::Plain).desc("Whether the feature is on."),
    ];
    let fields = vec![
        Field::string("id").computed().desc("Always `feature-flags`."),
        Field::new("feature_flags", Type::list(crate::engine::schema::object_type(&item_fields, &[])))
            .computed()
            .desc("Every feature flag of the cluster, by name order."),
    ];
    DataSourceDef::new(
        "lightbits_feature_flags",
        "Lists the cluster's feature flags and whether each is enabled (`GET /api/v2/featureFlags`).",
        fields,
        MapEntries {
            path: "/api/v2/featureFlags",
            map_at: "featureFlags",
            output: "feature_flags",
            item_fields,
            id: "feature-flags",
        },
    )
}

// ---------------------------------------------------------------- actions

/// What an action's API refusal means, by status: a summary and an explanation.
type Refusals = &'static [(u16, &'static str, &'static str)];

/// One request built from the action's configuration (like `SendOp`), whose refusals are
/// explained by status, optionally followed by a wait for the object to settle.
struct Explained {
    op: Op,
    noun: &'static str,
    refusals: Refusals,
    report: &'static str,
    /// Arguments still unset after the provider's defaults, and the value they take.
    fallbacks: &'static [(&'static str, &'static str)],
    /// After success: read this until `state` leaves the given transitional states.
    settle: Option<(Op, &'static str, &'static [&'static str])>,
}

/// The API's own message inside an error.
fn api_message(e: &ApiError) -> String {
    match e {
        ApiError::NotFound(m) | ApiError::PreconditionFailed(m) | ApiError::AlreadyExists(m) => m.clone(),
        ApiError::Status { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

#[async_trait]
impl Invoke for Explained {
    async fn invoke(&self, ctx: &Ctx, def: &ActionDef, config: &Value, progress: &Progress) -> Diagnostics {
        let mut filled = config.clone();
        for (attr, value) in self.fallbacks {
            if filled.get(attr).is_null() {
                filled.set(attr, Value::str(*value));
            }
        }
        let config = &filled;
        let req = match request_from_config(ctx, def, self.noun, &self.op, config) {
            Ok(r) => r,
            Err(d) => return d,
        };
        if let Err(e) = ctx.api.call(req, &ctx.cancel).await {
            if let Some((_, summary, detail)) = self.refusals.iter().find(|(s, _, _)| Some(*s) == e.status()) {
                return Diagnostics::error(
                    *summary,
                    format!(
                        "{} (the API answered HTTP {}: {})",
                        message(detail, config, &J::Null, &ctx.provider_config),
                        e.status().unwrap_or_default(),
                        api_message(&e)
                    ),
                );
            }
            return api_error_diag("run", self.noun, e);
        }
        if let Some((op, state_at, transitional)) = &self.settle {
            let Some(req) = crate::engine::list::op_request(op, config, &ctx.provider_config) else {
                return Diagnostics::default();
            };
            let deadline = tokio::time::Instant::now() + TEN_MINUTES;
            loop {
                let state = match ctx.api.call(req.clone(), &ctx.cancel).await {
                    Ok(r) => r.body.get(*state_at).and_then(J::as_str).unwrap_or_default().to_string(),
                    Err(e) => return api_error_diag("read", self.noun, e),
                };
                if !transitional.contains(&state.as_str()) {
                    if state == "Failed" {
                        return Diagnostics::error(
                            format!("The {} failed", self.noun),
                            "The volume is in state Failed after the rollback.",
                        );
                    }
                    break;
                }
                if tokio::time::Instant::now() > deadline {
                    return Diagnostics::error(
                        format!("Timed out waiting for the {}", self.noun),
                        format!("The object is still {state} after 10 minutes."),
                    );
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    _ = ctx.cancel.cancelled() => return Diagnostics::error("Cancelled", "Terraform asked the provider to stop."),
                }
            }
        }
        progress.send(message(self.report, config, &J::Null, &ctx.provider_config));
        Diagnostics::default()
    }
}

/// `PUT /api/v2/projects/{projectName}/volumes/{UUID}/rollback` (catalog action table).
pub fn volume_rollback() -> ActionDef {
    ActionDef::new(
        "lightbits_volume_rollback",
        "**Destructive.** Rolls a volume back to one of its snapshots: every write made to the volume since the snapshot was taken is lost, irrecoverably, and hosts reading the volume see its content change under them (disconnect them or stop their I/O first). Run it with `terraform apply -invoke=action.lightbits_volume_rollback.<name>` (Terraform 1.14 or later); it never runs during a normal plan or apply. The action waits until the volume is `Available` again and keeps nothing in state. The cluster refuses a volume being deleted (503), an unknown volume or snapshot (404) and a snapshot of another volume (400); each refusal is reported with the API's own words.",
        vec![
            Field::string("project_name")
                .default_from_provider("default_project")
                .desc("Project of the volume and the snapshot. Defaults to the provider's `default_project`, else `default`."),
            Field::string("volume_uuid")
                .required()
                .validate(Validator::Uuid)
                .desc("UUID of the volume to roll back. Its current content is replaced by the snapshot's."),
            Field::string("snapshot_uuid")
                .required()
                .validate(Validator::Uuid)
                .api_create("srcSnapshotUUID", Codec::Plain)
                .desc("UUID of a snapshot of that volume to roll back to."),
        ],
        Explained {
            op: Op::put("/api/v2/projects/{project_name}/volumes/{volume_uuid}/rollback")
                .extra(&[("UUID", Member::Template("{volume_uuid}")), ("projectName", Member::Template("{project_name}"))]),
            noun: "volume rollback",
            refusals: &[
                (400, "Rollback refused", "The cluster refused to roll volume {volume_uuid} back to snapshot {snapshot_uuid}: is the snapshot one of this volume's, and are both Available?"),
                (404, "No such volume or snapshot", "Project {project_name} has no volume {volume_uuid} or no snapshot {snapshot_uuid}."),
                (503, "The volume is being deleted", "Volume {volume_uuid} is being deleted and cannot be rolled back."),
            ],
            fallbacks: &[("project_name", "default")],
            report: "Volume {volume_uuid} rolled back to snapshot {snapshot_uuid}; its writes since the snapshot are gone",
            settle: Some((Op::get("/api/v2/projects/{project_name}/volumes/{volume_uuid}"), "state", &["Rollback", "Updating"])),
        },
    )
}

/// `POST /api/v2/cluster/clusterRootKey/rotate` (catalog §4.5.9; the seed titles it
/// "(Mock)").
pub fn cluster_root_key_rotation() -> ActionDef {
    ActionDef::new(
        "lightbits_cluster_root_key_rotation",
        "Rotates the cluster's root key (the key-encryption key of cluster-level encryption): afterwards every volume's data-encryption key is encrypted with the new key. Run it with `terraform apply -invoke=action.lightbits_cluster_root_key_rotation.<name>` (Terraform 1.14 or later); nothing is kept in state. Cluster encryption must be enabled (see `lightbits_cluster_encryption`). The cluster refuses a rotation while one is running (it answers 404 \"Rotation is already in progress.\") and one too soon after the last (409, a minimum interval between rotations); both are reported as such. The Lightbits API document titles this operation \"(Mock)\".",
        vec![],
        Explained {
            op: Op::new(Method::Post, "/api/v2/cluster/clusterRootKey/rotate").body(BodyShape::Literal("{}")),
            noun: "cluster root key rotation",
            refusals: &[
                (404, "A root key rotation is already in progress", "The cluster is still rotating its root key; try again when that rotation has finished."),
                (409, "Too soon for another root key rotation", "The last rotation happened less than the cluster's minimum interval between rotations ago; try again later."),
                (412, "The root key cannot be rotated now", "The cluster refused the rotation's precondition: is cluster encryption enabled (and done enabling)?"),
                (501, "Root key rotation is not supported", "This cluster does not implement root key rotation."),
            ],
            fallbacks: &[],
            report: "Cluster root key rotated",
            settle: None,
        },
    )
}

pub fn cluster_root_key_data_source() -> DataSourceDef {
    let fields = vec![
        Field::string("user_public_key")
            .required()
            .desc("Public key (PEM) the cluster encrypts the exported key with; only its private key can decrypt `encrypted_key`."),
        Field::string("encrypting_key_generation")
            .optional_computed()
            .api("encryptingKeyGeneration", Codec::Plain)
            .desc("Generation of the key to export; the latest when unset (then set to the generation exported)."),
        Field::string("encrypted_key")
            .computed()
            .sensitive()
            .api("encryptedKey", Codec::Plain)
            .desc("The cluster's root key (KEK), encrypted with `user_public_key`. Sensitive: it is kept in Terraform state, so protect the state."),
        Field::string("id").computed().desc("The key generation exported."),
    ];
    DataSourceDef::new(
        "lightbits_cluster_root_key",
        "Exports the cluster-level encryption root key (KEK), encrypted with a public key of yours (`GET /api/v2/cluster/clusterRootkey`). Cluster encryption must be enabled; a cluster that cannot export answers 501.",
        fields,
        LookupOne {
            by_key: Some(
                Op::get("/api/v2/cluster/clusterRootkey")
                    .query(&[("userPublicKey", "{user_public_key}"), ("encryptingKeyGeneration", "{encrypting_key_generation}")])
                    .answer_at("key"),
            ),
            by_list: None,
            id_template: "{encrypting_key_generation}",
            noun: "cluster root key",
        },
    )
}

// ---------------------------------------------------------------- cluster information

pub fn cluster_info_data_source() -> DataSourceDef {
    let mut fields = super::entities::cluster_identity_fields();
    fields.extend([
        Field::string_list("nvme_endpoints")
            .computed()
            .api("nvmeEndpoints", Codec::Plain)
            .desc("NVMe/TCP endpoints of the cluster's nodes."),
        Field::string("encryption_state")
            .computed()
            .api("encryptionStatus.encryptionState", Codec::Plain)
            .desc("Cluster encryption: `Disabled`, `Enabling` or `Enabled`."),
        Field::string("in_band_auth_mode")
            .computed()
            .api("inBandAuthMode", Codec::Plain)
            .desc("In-band authentication: `Enabled` or `Disabled` (`UnKnown` when the cluster does not say)."),
    ]);
    DataSourceDef::new(
        "lightbits_cluster_info",
        "Cluster information as tenants see it (`GET /api/v2/clusterinfo`): UUID, subsystem NQN, endpoints, encryption. Unlike `lightbits_cluster`, readable without cluster-admin rights.",
        fields,
        LookupOne { by_key: Some(Op::get("/api/v2/clusterinfo")), by_list: None, id_template: "{uuid}", noun: "cluster information" },
    )
}

pub fn version_data_source() -> DataSourceDef {
    DataSourceDef::new(
        "lightbits_version",
        "The REST API version the cluster serves (`GET /api/v2/version`).",
        vec![
            Field::string("id").computed().desc("The API version."),
            Field::string("api_version")
                .computed()
                .api("apiVersion", Codec::Plain)
                .desc("REST API version, e.g. `v2`."),
        ],
        LookupOne {
            by_key: Some(Op::get("/api/v2/version")),
            by_list: None,
            id_template: "{api_version}",
            noun: "API version",
        },
    )
}

// ---------------------------------------------------------------- events

pub fn events_data_source() -> DataSourceDef {
    let item_fields = vec![
        Field::string("id").computed().api("ID", Codec::Plain).desc("Event ID."),
        Field::string("time").computed().api("Time", Codec::Plain).desc("When it happened (RFC 3339, UTC)."),
        Field::string("type").computed().api("Type", Codec::Plain).desc(
            "Component type: `Cluster`, `Node`, `Volume`, `NVMeSSD`, `Server`, `DataIntegrity` or `ClusterEncryption`.",
        ),
        Field::string("severity")
            .computed()
            .api("Severity", Codec::Plain)
            .desc("`Info`, `Low`, `Medium`, `High` or `Critical`."),
        Field::string("event_name").computed().api("EventName", Codec::Plain).desc("Event name."),
        Field::number("event_code").computed().api("EventCode", Codec::Plain).desc("Event code."),
        Field::string("reporting_service")
            .computed()
            .api("ReportingService", Codec::Plain)
            .desc("Service that reported it (`CM`, `NM`, `API`, `UM`)."),
        Field::string("description").computed().api("Description", Codec::Plain).desc("What happened."),
    ];
    let lister = PagedList {
        list: ListSpec::new(
            Op::get("/api/v2/events").query(&[
                ("projectName", "{project_name}"),
                ("severity", "{severity}"),
                ("componentType", "{component_type}"),
                ("since", "{since}"),
                ("until", "{until}"),
                ("limit", "{page_size}"),
            ]),
            "events",
        )
        .paging(Paging::Token { param: "nextToken", next_at: "nextToken" }),
        output: "events",
        item_fields,
        id_template: "events",
    };
    let filters = vec![
        Field::string("project_name").optional().desc("Only the events of this project."),
        Field::string_list("severity")
            .optional()
            .validate(Validator::EachOneOf(&["Info", "Low", "Medium", "High", "Critical"]))
            .desc("Only events of these severities."),
        Field::string("component_type")
            .optional()
            .validate(Validator::OneOf(&[
                "Cluster",
                "Node",
                "Volume",
                "NVMeSSD",
                "Server",
                "DataIntegrity",
                "ClusterEncryption",
            ]))
            .desc("Only events of this component type."),
        Field::string("since")
            .optional()
            .desc("Only events at or after this UTC time (ISO 8601, e.g. `2026-01-01T12:00:00.000Z`)."),
        Field::string("until").optional().desc("Only events at or before this UTC time (ISO 8601)."),
        Field::number("page_size")
            .optional()
            .validate(Validator::IntRange(1, 10000))
            .desc("Events per request while paging (the API's `limit`); every page is read either way."),
    ];
    lister
        .into_data_source(
            "lightbits_events",
            "Lists the cluster's events, following the API's `nextToken` paging to the end. The cluster filters by only one of `project_name`, `severity` and `component_type` at a time (more than one is refused with HTTP 501); `since` and `until` combine with any.",
            filters,
            "Always `events`.",
            "The events, oldest first, every page read.",
        )
        .constraint(Constraint::ConflictsWith(&["project_name", "severity", "component_type"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [cluster_config_param(), feature_flag()] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new(), "{}", r.schema.type_name);
        }
        for a in actions() {
            assert_eq!(a.declaration_errors(), Vec::<String>::new(), "{}", a.type_name);
        }
    }

    #[test]
    fn original_value_is_kept_across_the_create() {
        let hooks = ConfigParamHooks::default();
        let mut planned = Value::Null;
        planned.set("original_value", Value::Unknown);
        let mut found = serde_json::json!({"name": "EnableTrim", "value": "true"});
        hooks.adjust_answer(&planned, &mut found);
        assert_eq!(found["originalValue"], "true");
        let mut updated = serde_json::json!({"name": "EnableTrim", "value": "false"});
        hooks.adjust_answer(&planned, &mut updated);
        assert_eq!(updated["originalValue"], "true");
        let mut state = Value::Null;
        state.set("original_value", Value::str("true"));
        let mut later = serde_json::json!({"name": "EnableTrim", "value": "false"});
        hooks.adjust_answer(&state, &mut later);
        assert_eq!(later["originalValue"], "true");
        let mut imported = serde_json::json!({"name": "EnableTrim", "value": "false"});
        hooks.adjust_answer(&Value::Null, &mut imported);
        assert_eq!(imported["originalValue"], "false");
    }
}
