//! QoS rate-limit policies (`/api/v2/policies`, catalog §4.5.19) and resource policies
//! (snapshot schedules bound to a volume, `/api/v2/projects/{projectName}/resourcePolicies`,
//! §4.5.20), with their data sources.

use std::time::Duration;

use crate::engine::action::ActionDef;
use crate::engine::datasource::{fields_from_resource, DataSourceDef, LookupOne, PagedList};
use serde_json::Value as J;

use super::entities::{project, snapshot};
use crate::engine::resource::Paging;
use crate::engine::resource::{
    AsyncStates, Constraint, ListSpec, Member, Op, Operations, Resource, ResourceDef, ResourceHooks, Timeouts, UpdateOp,
};
use crate::engine::schema::{Clear, Codec, Field, Mode, Semantic, Validator};
use crate::engine::value::Value;

const NAME_RE: &str = r"^[a-zA-Z0-9_.\-]{1,253}$";
const NAME_WHAT: &str = "a valid name (1-253 letters, digits, '-', '_' or '.')";
const FIVE_MINUTES: Duration = Duration::from_secs(300);

/// proto3 JSON leaves out the members of a oneof that are not set; a member left out
/// of an answer is an unset block (not "not reported", which would keep the prior value
/// and hide a change made elsewhere).
struct OneofAnswer {
    /// The object holding the oneof, and its members.
    at: &'static [&'static str],
    members: &'static [&'static str],
}

impl ResourceHooks for OneofAnswer {
    fn adjust_answer(&self, _base: &Value, obj: &mut J) {
        let mut cursor = obj;
        for step in self.at {
            let J::Object(m) = cursor else { return };
            cursor = m.entry(step.to_string()).or_insert_with(|| J::Object(Default::default()));
        }
        if let J::Object(m) = cursor {
            for member in self.members {
                m.entry(member.to_string()).or_insert(J::Null);
            }
        }
    }
}

/// An update that leaves a description empty keeps the old one (proto3 cannot tell "" from
/// unset): removing it is refused at plan time.
fn description(noun: &str) -> Field {
    Field::string("description")
        .optional()
        .validate(Validator::MaxLen(256))
        .clear_with(Clear::Impossible("The Lightbits API keeps the old description when an update leaves it empty; set another one instead."))
        .api_mutable("description", Codec::Plain)
        .desc(format!("Free-text description of the {noun}, up to 256 bytes. Updated in place; once set it cannot be removed (the API keeps it), so a plan that would is refused."))
}

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(qos_policy()), Box::new(resource_policy())]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![
        qos_policy_data_source(),
        qos_policies_data_source(),
        resource_policies_data_source(),
        snapshot_data_source(),
        snapshots_data_source(),
        projects_data_source(),
    ]
}

pub fn actions() -> Vec<ActionDef> {
    vec![]
}

// ---------------------------------------------------------------- QoS policy

/// Requests spell the QoS message `qoSRateLimitPolicy`, answers `QoSRateLimitPolicy`
/// (proto `Policy.info`).
fn qos_member(field: Field, request: &'static str, answer: &'static str) -> Field {
    field.api_mutable(request, Codec::Plain).read_as(answer)
}

/// One limit message of the `QoSLimit` oneof as a block: (attribute, JSON member) of the
/// write and of the read limit.
fn limit_block(
    name: &'static str,
    write: (&'static str, &'static str),
    read: (&'static str, &'static str),
    unit: &str,
    what: &str,
) -> Field {
    let value = |(attr, json): (&'static str, &'static str), dir: &str| {
        Field::number(attr)
            .default(Value::int(0))
            .validate(Validator::IntRange(0, u32::MAX as i64))
            .api_mutable(json, Codec::IntString)
            .desc(format!("Volume {dir} limit in {unit}; `0` (default) means unlimited."))
    };
    Field::object(name, vec![value(write, "write"), value(read, "read")]).block().desc(format!(
        "{what} Exactly one of `limit_iops`, `limit_bw` and `limit_iops_per_gb` is set. Updated in place."
    ))
}

fn qos_fields() -> Vec<Field> {
    vec![
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .desc("Policy name, unique in the cluster. The API cannot rename a policy: changing it re-creates the policy."),
        description("policy"),
        qos_member(
            Field::string("policy_visibility")
                .default(Value::str("Unavailable"))
                .validate(Validator::OneOf(&["Unavailable", "Scoped", "Global"])),
            "qoSRateLimitPolicy.policyVisibility",
            "QoSRateLimitPolicy.policyVisibility",
        )
        .desc("Who may use the policy: `Global` (every project), `Scoped` (the projects in `projects_names_scope`) or `Unavailable` (the API's default). Updated in place."),
        qos_member(
            Field::string_list("projects_names_scope")
                .optional()
                .semantic(Semantic::UnorderedStrings)
                .validate(Validator::EachMatches("", NAME_RE)),
            "qoSRateLimitPolicy.projectsNamesScope",
            "QoSRateLimitPolicy.projectsNamesScope",
        )
        .desc("Projects that may use the policy when `policy_visibility = \"Scoped\"`; each must exist. Order does not matter. Updated in place."),
        qos_member(
            limit_block("limit_iops", ("write_iops_limit", "writeIOPSLimit"), ("read_iops_limit", "readIOPSLimit"), "IOPS (the cluster works in steps of 256 IOPS)", "Limits in I/O operations per second."),
            "qoSRateLimitPolicy.limitIOPS",
            "QoSRateLimitPolicy.limitIOPS",
        ),
        qos_member(
            limit_block("limit_bw", ("write_bw_limit", "writeBWLimit"), ("read_bw_limit", "readBWLimit"), "MB/s (whole MB/s)", "Limits in bandwidth."),
            "qoSRateLimitPolicy.limitBw",
            "QoSRateLimitPolicy.limitBw",
        ),
        qos_member(
            limit_block("limit_iops_per_gb", ("write_iops_per_gb_limit", "writeIOPSPerGBLimit"), ("read_iops_per_gb_limit", "readIOPSPerGBLimit"), "IOPS per GB of volume size", "Limits in I/O operations per second per GB of the volume's size."),
            "qoSRateLimitPolicy.limitIOPSPerGB",
            "QoSRateLimitPolicy.limitIOPSPerGB",
        ),
        Field::string("uuid").computed().validate(Validator::Uuid).api("UUID", Codec::Plain).desc("UUID the cluster assigned to the policy."),
        Field::string("state").computed_volatile().api("state", Codec::Plain).desc("State reported by the cluster, e.g. `Active`."),
    ]
}

pub fn qos_policy() -> ResourceDef {
    let item = "/api/v2/policies/{uuid}";
    // "Updates user pre-defined policy by overriding the existing properties with the
    // given arguments" (seed): the update sends every updatable field, with the UUID as
    // the selector (proto `UpdatePolicyRequest`). Policies carry no ETag in the proto and
    // their routes list no 412: no If-Match.
    let update = Op::put(item).extra(&[("UUID", Member::Template("{uuid}"))]);
    ResourceDef::new(
        "lightbits_qos_policy",
        "QoS policy",
        "{uuid}",
        Operations::crud(Op::post("/api/v2/policies"), Op::get(item), Some(UpdateOp::replace(update)), Op::delete(item))
            .lookup(
                &["name"],
                Some(ListSpec::new(Op::get("/api/v2/policies").query(&[("name", "{name}")]), "policies")),
            )
            .async_states(AsyncStates { json: "state", ready: &["Active"], failed: &["Failed"], deleting: &[] }),
    )
    .desc("A QoS rate-limit policy: IOPS, bandwidth or IOPS-per-GB limits that volumes (`qos_policy_uuid`) and projects (`default_policies`) refer to. Imported by UUID.")
    .timeouts(Timeouts { create: FIVE_MINUTES, update: Some(FIVE_MINUTES), delete: FIVE_MINUTES })
    .constraint(Constraint::ExactlyOneOf(&["limit_iops", "limit_bw", "limit_iops_per_gb"]))
    .hooks(OneofAnswer { at: &["QoSRateLimitPolicy"], members: &["limitIOPS", "limitBw", "limitIOPSPerGB"] })
    .fields(qos_fields())
}

pub fn qos_policy_data_source() -> DataSourceDef {
    let fields = fields_from_resource(
        &qos_policy().schema.fields,
        &[("uuid", Mode::OptionalComputed), ("name", Mode::OptionalComputed)],
        &[],
    );
    DataSourceDef::new(
        "lightbits_qos_policy",
        "Looks up one QoS rate-limit policy by `uuid` or by `name`.",
        fields,
        LookupOne {
            by_key: Some(Op::get("/api/v2/policies/{uuid}")),
            by_list: Some((
                ListSpec::new(Op::get("/api/v2/policies").query(&[("name", "{name}")]), "policies"),
                &["name"],
            )),
            id_template: "{uuid}",
            noun: "QoS policy",
        },
    )
    .exactly_one_of(&["uuid", "name"])
}

pub fn qos_policies_data_source() -> DataSourceDef {
    // The policy list has no paging (seed, proto `ListPoliciesRequest`).
    PagedList {
        list: ListSpec::new(Op::get("/api/v2/policies").query(&[("projectName", "{project_name}")]), "policies"),
        output: "policies",
        item_fields: fields_from_resource(&qos_policy().schema.fields, &[], &["id"]),
        id_template: "policies",
    }
    .into_data_source(
        "lightbits_qos_policies",
        "Lists the cluster's QoS rate-limit policies.",
        vec![Field::string("project_name")
            .optional()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .desc("Only the policies this project may use (`Global` ones, and `Scoped` ones that name it). When unset, every policy.")],
        "Always `policies`.",
        "The QoS policies, in the API's order.",
    )
}

// ---------------------------------------------------------------- resource policy

fn start_time(what: &str) -> Field {
    Field::string("start_time")
        .required()
        .validate(Validator::Regex(
            r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
            "an RFC 3339 time such as `2026-01-01T02:00:00Z`",
        ))
        .semantic(Semantic::Instant)
        .api_mutable("startTime", Codec::Plain)
        .desc(format!("When the {what} starts, as an RFC 3339 time such as `\"2026-01-01T02:00:00Z\"`. The API keeps it in UTC: another offset naming the same instant is no change, but an import reads the UTC spelling, so write it in UTC to import without a diff."))
}

fn schedule_block(
    name: &'static str,
    json: &'static str,
    cycle: &'static str,
    cycle_json: &'static str,
    unit: &str,
) -> Field {
    Field::object(
        name,
        vec![
            start_time("schedule"),
            Field::number(cycle)
                .required()
                .validate(Validator::IntRange(1, u32::MAX as i64))
                .api_mutable(cycle_json, Codec::IntString)
                .desc(format!("A snapshot every this many {unit} (at least 1).")),
        ],
    )
    .block()
    .api_mutable(json, Codec::Plain)
    .desc(format!(
        "Take snapshots every few {unit}. Exactly one of `hourly`, `daily` and `weekly` is set. Updated in place."
    ))
}

fn resource_policy_fields() -> Vec<Field> {
    vec![
        Field::string("project_name")
            .default_from_provider("default_project")
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .desc("Project of the policy and its volume. Defaults to the provider's `default_project`. Changing it re-creates the policy."),
        Field::string("name")
            .required()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("name", Codec::Plain)
            .desc("Policy name, unique in the project. Changing it re-creates the policy."),
        Field::string("resource_uuid")
            .optional_computed()
            .replace()
            .validate(Validator::Uuid)
            .api_create("resourceUUID", Codec::Plain)
            .desc("UUID of the volume the schedule snapshots. Exactly one of `resource_uuid` and `resource_name` is set; the other is read back. Changing it re-creates the policy."),
        Field::string("resource_name")
            .optional_computed()
            .replace()
            .validate(Validator::Regex(NAME_RE, NAME_WHAT))
            .api_create("resourceName", Codec::Plain)
            .desc("Name of the volume the schedule snapshots, instead of `resource_uuid`. Changing it re-creates the policy."),
        description("policy"),
        schedule_block("hourly", "schedulePolicy.snapshotSchedulePolicy.hourlySchedule", "hours_in_cycle", "hoursInCycle", "hours"),
        schedule_block("daily", "schedulePolicy.snapshotSchedulePolicy.dailySchedule", "days_in_cycle", "daysInCycle", "days"),
        Field::object(
            "weekly",
            vec![Field::list_of(
                "days",
                vec![
                    Field::string("day")
                        .required()
                        .validate(Validator::OneOf(&["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]))
                        .api_mutable("day", Codec::Plain)
                        .desc("Day of the week, e.g. `Monday`."),
                    start_time("snapshot on that day"),
                ],
            )
            .block()
            .items(1, 7)
            .api_mutable("daysOfWeek", Codec::Plain)
            .desc("The days of the week to snapshot on, each with its time (1 to 7).")],
        )
        .block()
        .api_mutable("schedulePolicy.snapshotSchedulePolicy.weeklySchedule", Codec::Plain)
        .desc("Take snapshots on given days of the week. Exactly one of `hourly`, `daily` and `weekly` is set. Updated in place."),
        Field::string("retention_time")
            .optional()
            .validate(Validator::Duration)
            .semantic(Semantic::Duration)
            .api_mutable("schedulePolicy.retentionTime", Codec::DurationSeconds)
            .desc("How long the scheduled snapshots are kept, as a duration such as `\"168h\"` or `\"604800s\"` (equal spellings are no change). Updated in place; when unset, the cluster's default applies."),
        Field::string("uuid").computed().validate(Validator::Uuid).api("UUID", Codec::Plain).desc("UUID the cluster assigned to the policy."),
        Field::string("state").computed_volatile().api("state", Codec::Plain).desc("State reported by the cluster: `Creating`, then `Active`."),
    ]
}

pub fn resource_policy() -> ResourceDef {
    let item = "/api/v2/projects/{project_name}/resourcePolicies/{uuid}";
    let list = "/api/v2/projects/{project_name}/resourcePolicies";
    // The documented update takes UUID, projectName, schedulePolicy (required) and
    // description: it sends every updatable field.
    let update = Op::put(item)
        .extra(&[("UUID", Member::Template("{uuid}")), ("projectName", Member::Template("{project_name}"))]);
    ResourceDef::new(
        "lightbits_resource_policy",
        "resource policy",
        "{project_name}/{uuid}",
        Operations::crud(
            Op::post(list).extra(&[("projectName", Member::Template("{project_name}"))]),
            Op::get(item),
            Some(UpdateOp::replace(update)),
            Op::delete(item),
        )
        .lookup(&["name"], Some(ListSpec::new(Op::get(list), "resourcePolicies")))
        .async_states(AsyncStates { json: "state", ready: &["Active"], failed: &["Failed"], deleting: &["Deleting"] }),
    )
    .desc("A snapshot schedule bound to a volume: hourly, daily or weekly snapshots kept for `retention_time`. Creation and deletion are asynchronous; the provider waits for `Active` (or for the policy to be gone). Imported as `<project_name>/<uuid>`.")
    .timeouts(Timeouts { create: FIVE_MINUTES, update: Some(FIVE_MINUTES), delete: FIVE_MINUTES })
    .constraint(Constraint::ExactlyOneOf(&["hourly", "daily", "weekly"]))
    .hooks(OneofAnswer {
        at: &["schedulePolicy", "snapshotSchedulePolicy"],
        members: &["hourlySchedule", "dailySchedule", "weeklySchedule"],
    })
    .constraint(Constraint::ExactlyOneOf(&["resource_uuid", "resource_name"]))
    .fields(resource_policy_fields())
}

pub fn resource_policies_data_source() -> DataSourceDef {
    // No paging in the seed or the proto.
    super::project_list(
        "lightbits_resource_policies",
        "Lists the resource policies (snapshot schedules) of a project, optionally of one volume.",
        ListSpec::new(
            Op::get("/api/v2/projects/{project_name}/resourcePolicies").query(&[("volumeUUID", "{volume_uuid}")]),
            "resourcePolicies",
        ),
        "resource_policies",
        fields_from_resource(&resource_policy().schema.fields, &[], &["id", "project_name"]),
        vec![Field::string("volume_uuid")
            .optional()
            .validate(Validator::Uuid)
            .desc("Only the policies of this volume.")],
        "The resource policies (snapshot schedules), in the API's order; policies being deleted are left out.",
    )
}

// ---------------------------------------------------------------- snapshots and projects

/// Snapshot and volume lists page by `offsetUUID` (the list starts after it) and
/// `limit` (at most 1000).
const BY_UUID_CURSOR: Paging =
    Paging::Cursor { param: "offsetUUID", cursor_json: "UUID", limit_param: "limit", limit: 1000 };

pub fn snapshot_data_source() -> DataSourceDef {
    let fields = fields_from_resource(
        &snapshot().schema.fields,
        &[("project_name", Mode::OptionalComputed), ("uuid", Mode::OptionalComputed), ("name", Mode::OptionalComputed)],
        &[],
    );
    DataSourceDef::new(
        "lightbits_snapshot",
        "Looks up one snapshot of a project by `uuid` or by `name`.",
        fields,
        LookupOne {
            by_key: Some(Op::get("/api/v2/projects/{project_name}/snapshots/{uuid}")),
            // The snapshot list filters by `Name` (capitalised, seed).
            by_list: Some((
                ListSpec::new(
                    Op::get("/api/v2/projects/{project_name}/snapshots").query(&[("Name", "{name}")]),
                    "snapshots",
                )
                .paging(BY_UUID_CURSOR),
                &["name"],
            )),
            id_template: "{project_name}/{uuid}",
            noun: "snapshot",
        },
    )
    .exactly_one_of(&["uuid", "name"])
}

pub fn snapshots_data_source() -> DataSourceDef {
    super::project_list(
        "lightbits_snapshots",
        "Lists all snapshots of a project, following the API's paging to the end.",
        ListSpec::new(Op::get("/api/v2/projects/{project_name}/snapshots"), "snapshots").paging(BY_UUID_CURSOR),
        "snapshots",
        fields_from_resource(&snapshot().schema.fields, &[], &["id"]),
        vec![],
        "Every snapshot of the project (snapshots being deleted are left out), in the API's order.",
    )
}

pub fn projects_data_source() -> DataSourceDef {
    // The project list has no paging (seed, proto `ListProjectsRequest`).
    PagedList {
        list: ListSpec::new(Op::get("/api/v2/projects"), "projects"),
        output: "projects",
        item_fields: fields_from_resource(&project().schema.fields, &[], &["id"]),
        id_template: "projects",
    }
    .into_data_source(
        "lightbits_projects",
        "Lists all projects of the cluster.",
        vec![],
        "Always `projects`.",
        "Every project of the cluster, in the API's order.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [qos_policy(), resource_policy()] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new());
        }
    }
}
