//! Lightbits entities as declarations. Field names on the right are the API's own JSON
//! spellings (proto3 JSON: `UUID`, `IPAcl`, 64-bit integers as strings).

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value as J};

use crate::engine::api::ApiRequest;
use crate::engine::datasource::{fields_from_resource, DataSourceDef, DataSourceRead, DataSourceResponse, LookupOne};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::mapping::state_from_api;
use crate::engine::normalize::parse_size;
use crate::engine::resource::{
    api_error_diag, AsyncStates, Constraint, Ctx, DeleteOp, ListSpec, Member, Op, Operations, Paging, ResourceDef,
    ResourceHooks, Timeouts, UpdateOp,
};
use crate::engine::schema::{Clear, Codec, Field, Mode, Semantic, Validator};
use crate::engine::value::Value;

const NAME_RE: &str = r"^[a-zA-Z0-9_.\-]{1,253}$";
const NAME_WHAT: &str = "a valid name (1-253 letters, digits, '-', '_' or '.')";
const HOST_ACL_RE: &str = r"^nqn\.[0-9]{4}-[0-9]{2}\.[^\s]+$";

/// Volumes and snapshots move through these states; delete ends in 404.
const STORAGE_STATES: AsyncStates =
    AsyncStates { json: "state", ready: &["Available"], failed: &["Failed"], deleting: &["Deleting"] };

/// Volume and snapshot lists filtered by name; `showAll` also lists objects being deleted
/// (hidden by default), so a create can wait for a namesake on its way out.
const VOLUME_BY_NAME: ListSpec = ListSpec::new(
    Op::get("/api/v2/projects/{project_name}/volumes").query(&[("name", "{name}"), ("showAll", "true")]),
    "volumes",
);
const SNAPSHOT_BY_NAME: ListSpec = ListSpec::new(
    Op::get("/api/v2/projects/{project_name}/snapshots").query(&[("Name", "{name}"), ("showAll", "true")]),
    "snapshots",
);

const TEN_MINUTES: Duration = Duration::from_secs(600);

fn project_name_field(noun: &str) -> Field {
    Field::string("project_name")
        .default_from_provider("default_project")
        .replace()
        .validate(Validator::Regex(NAME_RE, NAME_WHAT))
        .api_create("projectName", Codec::Plain)
        .desc(format!("Project that owns the {noun}. Defaults to the provider's `default_project`. Changing it re-creates the {noun}."))
}

// ---------------------------------------------------------------- project

pub fn project() -> ResourceDef {
    // The documented project update takes only `projectName` and `defaultPolicies`, both
    // mandatory (seed 003; UpdateProjectRequest): every other argument forces replacement,
    // and the update always sends the whole policy list.
    let item = "/api/v2/projects/{name}";
    let update = Op::put(item).extra(&[("projectName", Member::Template("{name}"))]);
    ResourceDef::new(
        "lightbits_project",
        "project",
        "{name}",
        // No ETag: the project answer has none (seed and proto), so there is nothing to
        // send as If-Match although the delete lists 412.
        Operations::crud(Op::post("/api/v2/projects"), Op::get(item), Some(UpdateOp::replace(update)), Op::delete(item))
            .lookup(&["name"], None),
    )
    .desc("A Lightbits project: the tenant boundary that owns volumes, snapshots, credentials and roles.")
    .fields(vec![
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .desc("Project name, unique in the cluster. Changing it re-creates the project."),
        Field::string("description")
            .optional()
            .replace()
            .validate(Validator::MaxLen(256))
            .api_create("description", Codec::Plain)
            .desc(
                "Free-text description, up to 256 bytes. The API cannot change it: changing it re-creates the project.",
            ),
        Field::set_of(
            "default_policies",
            vec![
                Field::string("policy_type")
                    .required()
                    .validate(Validator::OneOf(&["snapshot", "qosRateLimit"]))
                    .api("policyType", Codec::Plain)
                    .desc("Kind of policy: `snapshot` (a snapshot schedule) or `qosRateLimit`."),
                Field::string("policy_uuid")
                    .required()
                    .validate(Validator::Uuid)
                    .api("policyUUID", Codec::Plain)
                    .desc("UUID of the policy."),
            ],
        )
        .optional_computed()
        .clear_with(Clear::Impossible("The Lightbits project update needs at least one default policy."))
        .api_mutable("defaultPolicies", Codec::Plain)
        .desc("Policies applied to new volumes of the project that name none of their own. Updated in place. When unset, the project's policies are not managed; the API cannot remove the last one, so a plan that would is refused."),
        Field::string("uuid").computed().api("UUID", Codec::Plain).desc("UUID the cluster assigned to the project."),
    ])
}

pub fn project_data_source() -> DataSourceDef {
    let fields = fields_from_resource(&project().schema.fields, &[("name", Mode::Required)], &[]);
    DataSourceDef::new(
        "lightbits_project",
        "Looks up an existing project by name.",
        fields,
        LookupOne {
            by_key: Some(Op::get("/api/v2/projects/{name}")),
            by_list: None,
            id_template: "{name}",
            noun: "project",
        },
    )
}

// ---------------------------------------------------------------- volume

pub fn volume() -> ResourceDef {
    let item = "/api/v2/projects/{project_name}/volumes/{uuid}";
    let update = Op::put(item)
        .extra(&[("UUID", Member::Template("{uuid}")), ("projectName", Member::Template("{project_name}"))]);
    ResourceDef::new(
        "lightbits_volume",
        "volume",
        "{project_name}/{uuid}",
        Operations::crud(
            Op::post("/api/v2/projects/{project_name}/volumes"),
            Op::get(item),
            Some(UpdateOp::patch(update)),
            Op::delete(item),
        )
        .lookup(&["name"], Some(VOLUME_BY_NAME))
        .async_states(STORAGE_STATES)
        .etag("ETag"),
    )
    .desc("An NVMe/TCP volume. Creation, updates and deletion are asynchronous on the cluster; the provider waits for the volume to become `Available` (or to be gone) within `timeouts`.")
    .timeouts(Timeouts { create: TEN_MINUTES, update: Some(TEN_MINUTES), delete: TEN_MINUTES })
    .hooks(VolumeHooks)
    .constraint(Constraint::ConflictsWith(&["qos_policy_uuid", "qos_policy_name"]))
    .constraint(Constraint::ConflictsWith(&["source_snapshot_uuid", "source_snapshot_name"]))
    .fields(vec![
        project_name_field("volume"),
        Field::string("name")
            .required()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .update_as("newName")
            .desc("Volume name, unique in the project. Renamed in place."),
        Field::string("size")
            .required()
            .validate(Validator::Size)
            .semantic(Semantic::ByteSize)
            .api_mutable("size", Codec::SizeBytes)
            .desc("Capacity: a byte count or a number with a unit, e.g. `\"10GiB\"`, `\"10 GiB\"`, `\"512MiB\"`, `\"1TiB\"`. Spellings of the same size are equal (no diff); imports read it in the largest whole binary unit, e.g. `\"20GiB\"`. Growing is done in place; shrinking is refused at plan time unless `allow_shrink = true`."),
        Field::bool("allow_shrink")
            .optional()
            .desc("Allow a smaller `size` than the current one. Shrinking destroys data beyond the new size; defaults to `false`."),
        Field::number("replica_count")
            .default(Value::int(3))
            .replace()
            .validate(Validator::IntRange(1, 3))
            .api_create("replicaCount", Codec::Plain)
            .desc("Number of replicas, 1 to 3 (default 3). Changing it re-creates the volume."),
        Field::string_list("acl")
            .default(Value::string_list(["ALLOW_NONE"]))
            .semantic(Semantic::UnorderedStrings)
            .validate(Validator::EachMatches("ALLOW_ANY|ALLOW_NONE", HOST_ACL_RE))
            .validate(Validator::MinItems(1))
            .api_mutable("acl", Codec::ValuesList)
            .desc("Host NQNs allowed to connect, or `\"ALLOW_ANY\"` / `\"ALLOW_NONE\"` (default `[\"ALLOW_NONE\"]`). Order does not matter."),
        Field::string_list("ip_acl")
            .default(Value::string_list(["ALLOW_ANY"]))
            .semantic(Semantic::UnorderedStrings)
            .validate(Validator::EachIpAddress("ALLOW_ANY|ALLOW_NONE"))
            .validate(Validator::MinItems(1))
            .api_mutable("IPAcl", Codec::ValuesList)
            .desc("Host IP addresses allowed to connect, or `\"ALLOW_ANY\"` (default) / `\"ALLOW_NONE\"`. An empty list is refused: the API reads it as \"no change\"."),
        Field::bool("compression")
            .default(Value::Bool(false))
            .api_mutable("compression", Codec::BoolString)
            .desc("Compress the volume's data (default `false`)."),
        Field::number("sector_size")
            .default(Value::int(4096))
            .replace()
            .validate(Validator::IntIn(&[512, 4096]))
            .api_create("sectorSize", Codec::Plain)
            .desc("Sector size in bytes, 512 or 4096 (default). Changing it re-creates the volume."),
        Field::string("qos_policy_uuid")
            .optional_computed()
            .validate(Validator::Uuid)
            .api_mutable("qosPolicyUUID", Codec::Plain)
            .desc("UUID of the QoS rate-limit policy. When neither this nor `qos_policy_name` is set, the cluster applies the project's default policy. Conflicts with `qos_policy_name` (the other one is read back)."),
        Field::string("qos_policy_name")
            .optional_computed()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_mutable("qosPolicyName", Codec::Plain)
            .desc("Name of the QoS rate-limit policy, instead of `qos_policy_uuid`. Updated in place."),
        Field::string_map("labels")
            .optional_computed()
            .validate(Validator::MaxItems(16))
            .validate(Validator::Custom { check: check_labels, describe: "Keys and values are 1 to 253 letters, digits, `-`, `_` or `.`." })
            .clear_with(Clear::Impossible("The Lightbits API reads an empty label list in an update as \"no change\", so labels cannot all be removed."))
            .api_mutable("labels", Codec::KeyValueList)
            .desc("Labels (at most 16). Updated in place; the whole set is replaced. When unset, labels are not managed (labels set outside Terraform are kept); the API cannot remove every label, so a plan that would is refused."),
        Field::string("source_snapshot_uuid")
            .optional_computed()
            .replace()
            .validate(Validator::Uuid)
            .api_create("sourceSnapshotUUID", Codec::Plain)
            .desc("Create the volume as a clone of this snapshot. Conflicts with `source_snapshot_name` (the other one is read back). Changing it re-creates the volume."),
        Field::string("source_snapshot_name")
            .optional_computed()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("sourceSnapshotName", Codec::Plain)
            .desc("Create the volume as a clone of the project's snapshot of this name, instead of `source_snapshot_uuid`. Changing it re-creates the volume."),
        placement_restrictions(),
        Field::string("uuid").computed().validate(Validator::Uuid).api("UUID", Codec::Plain).desc("UUID the cluster assigned to the volume."),
        Field::string("state").computed_volatile().api("state", Codec::Plain).desc("Lifecycle state reported by the cluster, e.g. `Available`."),
        Field::string("protection_state")
            .computed_volatile()
            .api("protectionState", Codec::Plain)
            .desc("Data protection state, e.g. `FullyProtected` or `Degraded`."),
        Field::number("nsid").computed().api("nsid", Codec::IntString).desc("NVMe namespace ID of the volume."),
        Field::number("size_bytes").computed_volatile().api("size", Codec::IntString).desc("Capacity in bytes, as the cluster reports it."),
        Field::string("creation_time").computed().api("creationTime", Codec::Plain).desc("When the volume was created (RFC 3339)."),
        Field::string_list("node_list")
            .computed_volatile()
            .api("nodeList", Codec::Plain)
            .desc("UUIDs of the nodes holding the volume's replicas, as the cluster reports them."),
        Field::string_list("connected_hosts")
            .computed_volatile()
            .api("connectedHosts", Codec::Plain)
            .desc("NQNs of the hosts connected to the volume now."),
        Field::string("primary_node_uuid")
            .computed_volatile()
            .api("primaryNodeUUID", Codec::Plain)
            .desc("UUID of the node serving the volume's primary replica, as the cluster reports it."),
        Field::string("etag")
            .computed_volatile()
            .api("ETag", Codec::Plain)
            .desc("Version of the volume as the API reports it; sent as `If-Match` on updates and deletes."),
    ])
}

/// Volume affinity (`LabelMatchExpression` in the proto; the seed does not document it).
/// The update request has no such field, so a change re-creates the volume.
fn placement_restrictions() -> Field {
    Field::list_of(
        "placement_restrictions",
        vec![
            Field::string("operator")
                .default(Value::str("In"))
                .validate(Validator::OneOf(&["In"]))
                .api_create("operator", Codec::Plain)
                .desc("How the pairs are matched: `In` (the only operator, and the default) places the volume on a node that carries one of them."),
            Field::list_of(
                "label_value_key_pairs",
                vec![
                    Field::string("key")
                        .required()
                        .validate(Validator::OneOf(&["FD", "PrimaryFD", "ClusterID"]))
                        .api_create("key", Codec::Plain)
                        .desc("`FD` (a failure domain), `PrimaryFD` (the primary failure domain) or `ClusterID` (cluster federation only)."),
                    Field::string("value")
                        .required()
                        .validate(Validator::LenRange(1, 253))
                        .api_create("value", Codec::Plain)
                        .desc("The failure domain or cluster ID to match, e.g. `\"server00\"`."),
                ],
            )
            .block()
            .items(1, 0)
            .api_create("labelValueKeyPairs", Codec::Plain)
            .desc("The labels to match (at least one)."),
        ],
    )
    .block()
    .replace()
    .api_create("placementRestrictions", Codec::Plain)
    .desc("Where the cluster may place the volume. Only for volumes with `replica_count = 1`, and only while dynamic rebalancing is off (the `fail-in-place` and `proactive-rebalance` feature flags disabled); the cluster refuses it otherwise. Changing it re-creates the volume.")
}

struct VolumeHooks;

/// The API's label rules (labels.proto, catalog §4.5.25): keys and values of 1-253
/// letters, digits, '-', '_' or '.'.
fn check_labels(v: &Value) -> Result<(), String> {
    for (k, val) in v.as_map().into_iter().flatten() {
        let val = val.as_str().unwrap_or_default();
        for (what, s) in [("key", k.as_str()), ("value", val)] {
            let n = s.chars().count();
            if !(1..=253).contains(&n) {
                return Err(format!("label {what} {s:?} must be 1 to 253 characters long (got {n})"));
            }
            if let Some(c) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c))) {
                return Err(format!("label {what} {s:?} holds {c:?}; use letters, digits, '-', '_' or '.'"));
            }
        }
    }
    Ok(())
}

fn size_of(v: &Value) -> Option<u64> {
    v.get("size").as_str().and_then(|s| parse_size(s).ok())
}

impl ResourceHooks for VolumeHooks {
    fn check_plan(&self, prior: &Value, planned: &Value, diags: &mut Diagnostics) {
        let restricted = planned.get("placement_restrictions").as_items().is_some_and(|items| !items.is_empty());
        if restricted && planned.get("replica_count").as_i64().is_some_and(|n| n != 1) {
            diags.add_error(
                "Placement restrictions need a single replica",
                "The cluster accepts placement_restrictions only for volumes with replica_count = 1.",
                Some(AttrPath::attr("placement_restrictions")),
            );
        }
        if let (Some(old), Some(new)) = (size_of(prior), size_of(planned)) {
            if new < old && planned.get("allow_shrink").as_bool() != Some(true) {
                diags.add_error(
                    "Volume shrink refused",
                    format!(
                        "size would go from {old} to {new} bytes. Shrinking a volume destroys the data beyond the new size; set allow_shrink = true to do it anyway."
                    ),
                    Some(AttrPath::attr("size")),
                );
            }
        }
    }

    /// The QoS policy and the clone source can each be named by UUID or by name; the API
    /// fills in the other, so a change of the configured one moves the other.
    fn adjust_plan(&self, _provider: &Value, prior: &Value, config: &Value, planned: &mut Value) {
        for (a, b) in [("qos_policy_uuid", "qos_policy_name"), ("source_snapshot_uuid", "source_snapshot_name")] {
            for (set, other) in [(a, b), (b, a)] {
                let given = config.get(set);
                if !given.is_null() && config.get(other).is_null() && (prior.is_null() || given != prior.get(set)) {
                    planned.set(other, Value::Unknown);
                }
            }
        }
    }

    fn adjust_update_body(&self, prior: &Value, planned: &Value, body: &mut Map<String, J>) {
        if let (Some(old), Some(new)) = (size_of(prior), size_of(planned)) {
            if new < old {
                body.insert("Force".into(), J::Bool(true));
            }
        }
    }
}

pub fn volume_data_source() -> DataSourceDef {
    let fields = fields_from_resource(
        &volume().schema.fields,
        &[("project_name", Mode::OptionalComputed), ("uuid", Mode::OptionalComputed), ("name", Mode::OptionalComputed)],
        &["allow_shrink"],
    );
    DataSourceDef::new(
        "lightbits_volume",
        "Looks up one volume of a project by `uuid` or by `name`.",
        fields,
        LookupOne {
            by_key: Some(Op::get("/api/v2/projects/{project_name}/volumes/{uuid}")),
            by_list: Some((
                ListSpec::new(
                    Op::get("/api/v2/projects/{project_name}/volumes").query(&[("name", "{name}")]),
                    "volumes",
                ),
                &["name"],
            )),
            id_template: "{project_name}/{uuid}",
            noun: "volume",
        },
    )
    .exactly_one_of(&["uuid", "name"])
}

pub fn volumes_data_source() -> DataSourceDef {
    super::project_list(
        "lightbits_volumes",
        "Lists all volumes of a project, following the API's paging to the end.",
        ListSpec::new(Op::get("/api/v2/projects/{project_name}/volumes"), "volumes").paging(Paging::Cursor {
            param: "offsetUUID",
            cursor_json: "UUID",
            limit_param: "limit",
            limit: 1000,
        }),
        "volumes",
        fields_from_resource(&volume().schema.fields, &[], &["id", "allow_shrink"]),
        vec![],
        "Every volume of the project (volumes being deleted are left out), in the API's order.",
    )
}

// ---------------------------------------------------------------- snapshot

pub fn snapshot() -> ResourceDef {
    let item = "/api/v2/projects/{project_name}/snapshots/{uuid}";
    ResourceDef::new(
        "lightbits_snapshot",
        "snapshot",
        "{project_name}/{uuid}",
        Operations::crud(Op::post("/api/v2/projects/{project_name}/snapshots"), Op::get(item), None, Op::delete(item))
            .lookup(&["name"], Some(SNAPSHOT_BY_NAME))
            .async_states(STORAGE_STATES)
            .etag("ETag"),
    )
    .desc("A point-in-time snapshot of a volume. The API has no snapshot update: changing any argument re-creates the snapshot.")
    // No update route: no update timeout either.
    .timeouts(Timeouts { create: TEN_MINUTES, update: None, delete: TEN_MINUTES })
    .fields(vec![
        project_name_field("snapshot"),
        Field::string("source_volume_uuid")
            .required()
            .replace()
            .validate(Validator::Uuid)
            .api_create("sourceVolumeUUID", Codec::Plain)
            .desc("UUID of the volume to snapshot."),
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .desc("Snapshot name, unique in the project."),
        Field::string("description")
            .optional()
            .replace()
            .validate(Validator::MaxLen(256))
            .api_create("description", Codec::Plain)
            .desc("Free-text description, up to 256 bytes."),
        Field::string("retention_time")
            .optional_computed()
            .replace()
            .validate(Validator::Duration)
            .semantic(Semantic::Duration)
            .api_create("retentionTime", Codec::DurationSeconds)
            .desc("How long the cluster keeps the snapshot, as a duration such as `\"24h\"` or `\"86400s\"` (equal spellings are no change; imports read it in the largest whole unit, e.g. `\"24h\"`). When unset, the cluster's default applies."),
        Field::string("uuid").computed().validate(Validator::Uuid).api("UUID", Codec::Plain).desc("UUID the cluster assigned to the snapshot."),
        Field::string("state").computed_volatile().api("state", Codec::Plain).desc("Lifecycle state reported by the cluster, e.g. `Available`."),
        Field::number("size_bytes").computed().api("size", Codec::IntString).desc("Size of the snapshotted volume in bytes."),
    ])
}

// ---------------------------------------------------------------- cluster encryption

/// Cluster-level encryption (catalog §4.5.9): enabled by one request, and "cluster
/// encryption cannot be disabled once enabled", so destroy only forgets it (and says so
/// at plan time). A cluster already encrypted is adopted.
pub fn cluster_encryption() -> ResourceDef {
    ResourceDef::new(
        "lightbits_cluster_encryption",
        "cluster encryption",
        "encryption",
        Operations::crud(
            Op::post("/api/v2/cluster/encryption/enable"),
            Op::get("/api/v2/cluster").answer_at("encryptionStatus"),
            None,
            Op::delete("/api/v2/cluster/encryption"),
        )
        .delete(DeleteOp::StateOnly {
            before: None,
            warning: "Lightbits cluster encryption cannot be disabled once enabled: it stays enabled on the cluster, and volumes stay encrypted.",
        })
        .lookup(&[], None)
        .adopt_existing()
        .async_states(AsyncStates { json: "encryptionState", ready: &["Enabled"], failed: &[], deleting: &["Disabled"] }),
    )
    .desc("Cluster-level encryption of volume data (a key-encryption key protecting each volume's key). The API cannot disable it: destroying this resource only removes it from Terraform state, with a warning at plan time. A cluster already encrypted is adopted.")
    .hooks(EncryptionHooks)
    .timeouts(Timeouts { create: TEN_MINUTES, update: None, delete: TEN_MINUTES })
    .fields(vec![
        Field::string("key_store")
            .optional()
            .validate(Validator::OneOf(&["file", "tpm"]))
            // The API never reports the key store: only a known, different value is a change,
            // and one the API cannot make (refused at plan time by EncryptionHooks).
            .replace_if(|prior, planned| !prior.is_null() && prior != planned, "it changes from a value Terraform set (an imported encryption's key store is unknown)")
            .api_create("keyStore", Codec::Plain)
            .desc("Where the key-encryption key is kept: `file` (the cluster's default when unset) or `tpm`. It cannot change once encryption is on (a plan that changes it is refused). The API does not report it, so after an import it is taken from the configuration."),
        Field::string("state")
            .computed_volatile()
            .api("encryptionState", Codec::Plain)
            .desc("`Enabling` or `Enabled`, as the cluster reports it."),
    ])
}

struct EncryptionHooks;

impl ResourceHooks for EncryptionHooks {
    /// Encryption cannot be turned off, so it can never be turned on again with another
    /// key store: such a replacement would be a promise apply cannot keep.
    fn check_plan(&self, prior: &Value, planned: &Value, diags: &mut Diagnostics) {
        let (before, after) = (prior.get("key_store"), planned.get("key_store"));
        if before.as_str().is_some() && after.is_fully_known() && before != after {
            diags.add_error(
                "The key store cannot change",
                format!(
                    "Cluster encryption was enabled with key_store = {before}; the Lightbits API cannot disable it to enable it again with {after}."
                ),
                Some(AttrPath::attr("key_store")),
            );
        }
    }
}

// ---------------------------------------------------------------- cluster

fn cluster_fields() -> Vec<Field> {
    let mut fields = cluster_identity_fields();
    fields.extend([
        Field::string("min_version_in_cluster")
            .computed()
            .api("MinVersionInCluster", Codec::Plain)
            .desc("Oldest LightOS version running in the cluster."),
        Field::string("api_version")
            .computed()
            .api("apiVersion", Codec::Plain)
            .desc("REST API version, from `/api/v2/version`."),
    ]);
    fields
}

/// What `GET /api/v2/cluster` and `GET /api/v2/clusterinfo` both say about the cluster.
pub(crate) fn cluster_identity_fields() -> Vec<Field> {
    vec![
        Field::string("id").computed().desc("The cluster UUID."),
        Field::string("uuid").computed().api("UUID", Codec::Plain).desc("Cluster UUID."),
        Field::string("subsystem_nqn")
            .computed()
            .api("subsystemNQN", Codec::Plain)
            .desc("NVMe subsystem NQN hosts connect to."),
        Field::string("cluster_name").computed().api("clusterName", Codec::Plain).desc("Cluster name."),
        Field::number("current_max_replicas")
            .computed()
            .api("currentMaxReplicas", Codec::IntString)
            .desc("Largest replica count volumes can have now."),
        Field::number("supported_max_replicas")
            .computed()
            .api("supportedMaxReplicas", Codec::IntString)
            .desc("Largest replica count the cluster supports."),
        Field::string_list("api_endpoints")
            .computed()
            .api("apiEndpoints", Codec::Plain)
            .desc("Management API endpoints."),
        Field::string_list("discovery_endpoints")
            .computed()
            .api("discoveryEndpoints", Codec::Plain)
            .desc("NVMe discovery endpoints."),
    ]
}

struct ClusterReader;

#[async_trait]
impl DataSourceRead for ClusterReader {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let mut merged = Map::new();
        for path in ["/api/v2/cluster", "/api/v2/version"] {
            let r = ctx
                .api
                .call(ApiRequest::get(path), &ctx.cancel)
                .await
                .map_err(|e| api_error_diag("read", "cluster information", e))?;
            if let J::Object(m) = r.body {
                merged.extend(m);
            }
        }
        let mut out = state_from_api(&def.fields, config, &J::Object(merged))?;
        let id = out.get("uuid").clone();
        out.set("id", id);
        Ok(out.into())
    }
}

pub fn cluster_data_source() -> DataSourceDef {
    DataSourceDef::new(
        "lightbits_cluster",
        "Information about the cluster the provider talks to, and its API version.",
        cluster_fields(),
        ClusterReader,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diag::Diagnostics;

    #[test]
    fn shrink_needs_consent() {
        let mut prior = Value::Null;
        prior.set("size", Value::str("10GiB"));
        let mut planned = prior.clone();
        planned.set("size", Value::str("5GiB"));
        let mut d = Diagnostics::default();
        VolumeHooks.check_plan(&prior, &planned, &mut d);
        assert!(d.has_errors());
        assert_eq!(d.0[0].path, Some(AttrPath::attr("size")));
        planned.set("allow_shrink", Value::Bool(true));
        let mut ok = Diagnostics::default();
        VolumeHooks.check_plan(&prior, &planned, &mut ok);
        assert!(ok.is_empty());
        let mut body = Map::new();
        VolumeHooks.adjust_update_body(&prior, &planned, &mut body);
        assert_eq!(body.get("Force"), Some(&J::Bool(true)));
    }

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [project(), volume(), snapshot(), cluster_encryption()] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new());
        }
    }

    #[test]
    fn labels_and_addresses_are_checked_locally() {
        assert!(check_labels(&Value::Map([("env".into(), Value::str("prod"))].into())).is_ok());
        assert!(check_labels(&Value::Map([("env".into(), Value::str(""))].into())).is_err());
        assert!(check_labels(&Value::Map([("k".repeat(254), Value::str("v"))].into())).is_err());
        assert!(check_labels(&Value::Map([("env".into(), Value::str("a b"))].into())).is_err());
        let ip_acl = volume().schema.field("ip_acl").cloned().expect("ip_acl");
        let mut d = Diagnostics::default();
        ip_acl.check(&Value::string_list(["999.999.999.999"]), &AttrPath::attr("ip_acl"), &mut d);
        assert!(d.has_errors());
        let mut ok = Diagnostics::default();
        ip_acl.check(&Value::string_list(["10.0.0.1", "ALLOW_ANY", "fe80::1"]), &AttrPath::attr("ip_acl"), &mut ok);
        assert!(ok.is_empty(), "{ok}");
    }

    #[test]
    fn every_attribute_is_described() {
        let p = crate::vendors::lightbits::provider();
        for f in &p.fields {
            assert!(!f.description.is_empty(), "provider.{}", f.name);
        }
        for r in &p.resources {
            for f in &r.schema().fields {
                assert!(!f.description.is_empty(), "{}.{}", r.schema().type_name, f.name);
            }
        }
        for d in &p.data_sources {
            for f in &d.fields {
                assert!(!f.description.is_empty(), "{}.{}", d.type_name, f.name);
            }
        }
    }
}
