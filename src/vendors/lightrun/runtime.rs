//! Lightrun at run time: the short-lived log and snapshot actions as Terraform actions
//! (they expire by themselves, so they are not resources), and the read-only views of
//! what agents report (agents, tags, custom sources, actions, loaded packages, the SBOM)
//! and of the feature flags. Names and types are the interface's
//! (../shared/interfaces/lightrun.md); JSON names are the API's.

use async_trait::async_trait;
use serde_json::Value as J;

use super::entities::{pages, string_set};
use crate::engine::action::{message, request_from_config, ActionDef, Invoke, Progress, SendOp};
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::{DataSourceDef, DataSourceRead, DataSourceResponse, PagedList};
use crate::engine::diag::Diagnostics;
use crate::engine::list::{for_each_page, op_request};
use crate::engine::resource::{api_error_diag, Ctx, ListSpec, Op};
use crate::engine::schema::{Codec, Field, Mode, Validator};
use crate::engine::value::{Type, Value};

pub fn actions() -> Vec<ActionDef> {
    vec![create_log_action(), create_snapshot_action(), delete_action()]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![agents(), tags(), custom_sources(), action_list(), loaded_packages(), sbom(), feature_flags()]
}

const DATE: Validator = Validator::Regex(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", "a date YYYY-MM-DD");
const SOURCE_TYPES: &[&str] = &["AGENT", "TAG", "CUSTOM_SOURCE"];
/// The API's fields are int32.
const INT32_MAX: i64 = i32::MAX as i64;

fn agent_pool_id(what: &str) -> Field {
    Field::string("agent_pool_id")
        .optional()
        .desc(format!("Agent pool {what}. Mandatory on servers with RBAC enabled; ignored with RBAC off."))
}

fn string_list(name: &'static str) -> Field {
    Field::new(name, Type::list(Type::String))
}

// ---------------------------------------------------------------- actions

/// What log and snapshot actions share: where they are inserted, on which agents, for how
/// long and under which condition.
fn action_fields() -> Vec<Field> {
    vec![
        Field::string("filename")
            .required()
            .validate(Validator::LenRange(1, 4096))
            .api_create("filename", Codec::Plain)
            .desc("Full path of the source file as the agent knows it, such as `com/shop/Checkout.java`."),
        Field::number("line")
            .required()
            .validate(Validator::IntRange(1, INT32_MAX))
            .api_create("line", Codec::Plain)
            .desc("Line number (from 1)."),
        Field::string("source_type")
            .required()
            .validate(Validator::OneOf(SOURCE_TYPES))
            .api_create("source.type", Codec::Plain)
            .desc("What `source_id` names: an `AGENT`, a `TAG` or a `CUSTOM_SOURCE`."),
        Field::string("source_id")
            .required()
            .validate(Validator::LenRange(1, 255))
            .api_create("source.id", Codec::Plain)
            .desc("ID of the agent, tag (its decimal ID, as `lightrun_tags` gives it) or custom source the action runs on."),
        agent_pool_id("of the action (the source's pool)").api_create("agentPoolId", Codec::Plain),
        Field::string("condition")
            .optional()
            .api_create("condition", Codec::Plain)
            .desc("Condition expression in the source's language; the action fires only when it holds."),
        Field::number("expiration_seconds")
            .optional()
            .validate(Validator::IntRange(1, INT32_MAX))
            .api_create("expirationSeconds", Codec::Plain)
            .desc("Lifetime in seconds, after which the action expires by itself. Unset: the API's default, 3600 (one hour)."),
    ]
}

fn create_log_action() -> ActionDef {
    let mut fields = action_fields();
    fields.extend([
        Field::string("format")
            .required()
            .validate(Validator::LenRange(1, 10_000))
            .api_create("format", Codec::Plain)
            .desc("Message format, with expressions in braces: `total={total}`."),
        Field::string("log_level")
            .optional()
            .validate(Validator::OneOf(&["DEBUG", "INFO", "WARN", "ERROR"]))
            .api_create("logLevel", Codec::Plain)
            .desc("Level of the messages: `DEBUG`, `INFO` (the API's default), `WARN` or `ERROR`."),
        string_set("targets")
            .optional()
            .validate(Validator::EachOneOf(&["PLUGIN", "STDOUT", "PROMETHEUS", "STATSD", "DYNATRACE"]))
            .api_create("targets", Codec::Plain)
            .desc("Where messages go: `PLUGIN`, `STDOUT`, `PROMETHEUS`, `STATSD`, `DYNATRACE`."),
    ]);
    ActionDef::new(
        "lightrun_create_log_action",
        "Inserts a Lightrun log action (a log line added at run time) that expires by itself. Run it with `terraform apply -invoke=action.lightrun_create_log_action.<name>` (Terraform 1.14 or later) or from a resource's `action_trigger`. The new action's ID is reported as a progress message; nothing is kept in state. Delete it early with `lightrun_delete_action`, list it with the `lightrun_actions` data source.",
        fields,
        Insert {
            op: Op::post("/actions/logs"),
            action_type: "LOG",
            noun: "log action",
            report: "Log action {answer.id} inserted at {filename}:{line} on {source_type} {source_id}",
        },
    )
}

fn create_snapshot_action() -> ActionDef {
    let mut fields = action_fields();
    fields.extend([
        Field::number("max_hit_count")
            .optional()
            .validate(Validator::IntRange(1, INT32_MAX))
            .api_create("maxHitCount", Codec::Plain)
            .desc("How many snapshots are captured at most. Unset: the API's default, 10."),
        Field::bool("distribute_max_hit_count")
            .optional()
            .api_create("isMaxHitCountDistributed", Codec::Plain)
            .desc("Whether the hits are spread evenly over the agents (`isMaxHitCountDistributed`). Unset: the API's default, `false`."),
        string_list("watch_expressions")
            .optional()
            .api_create("watchExpressions", Codec::Plain)
            .desc("Expressions evaluated and captured at each hit."),
    ]);
    ActionDef::new(
        "lightrun_create_snapshot_action",
        "Inserts a Lightrun snapshot action (a virtual breakpoint capturing the stack and variables) that expires by itself. Run it with `terraform apply -invoke=action.lightrun_create_snapshot_action.<name>` (Terraform 1.14 or later) or from a resource's `action_trigger`. The new action's ID is reported as a progress message; nothing is kept in state.",
        fields,
        Insert {
            op: Op::post("/actions/snapshots"),
            action_type: "SNAPSHOT",
            noun: "snapshot action",
            report: "Snapshot action {answer.id} inserted at {filename}:{line} on {source_type} {source_id}",
        },
    )
}

/// Inserts a log or snapshot action exactly once. Actions have no natural key, so the
/// actions already at the same place are listed first (one filtered GET); when the
/// insert's answer is lost (no answer, a timeout, a 5xx), the one new action at that place
/// is the one inserted, and is reported as usual. None new: nothing was inserted;
/// several: the IDs are named and nothing is guessed.
struct Insert {
    op: Op,
    action_type: &'static str,
    noun: &'static str,
    report: &'static str,
}

/// The actions at the configured place: same pool (server side), file, line and source.
const SAME_PLACE: ListSpec =
    pages(Op::get("/actions").query(&[("agentPoolId", "{agent_pool_id}"), ("filename", "{filename}")]));

impl Insert {
    /// IDs of the actions of this type at the configured place; `None` when they cannot
    /// be listed.
    async fn at_place(&self, ctx: &Ctx, config: &Value) -> Option<Vec<String>> {
        let text = |v: &Value| match v {
            Value::Number(n) => n.to_string(),
            other => other.as_str().unwrap_or_default().to_string(),
        };
        let want = [
            ("actionType", self.action_type.to_string()),
            ("location", text(config.get("filename"))),
            ("line", text(config.get("line"))),
            ("source.id", text(config.get("source_id"))),
            ("source.type", text(config.get("source_type"))),
        ];
        let mut ids = Vec::new();
        for_each_page(ctx, &SAME_PLACE, config, |items| {
            for item in items {
                let matches = want.iter().all(|(path, value)| match crate::engine::resource::ops::at(item, path) {
                    Some(J::String(s)) => s == value,
                    Some(J::Number(n)) => n.to_string() == *value,
                    _ => false,
                });
                if let (true, Some(id)) = (matches, item.get("id").and_then(J::as_str)) {
                    ids.push(id.to_string());
                }
            }
            false
        })
        .await
        .ok()?;
        Some(ids)
    }
}

#[async_trait]
impl Invoke for Insert {
    async fn invoke(&self, ctx: &Ctx, def: &ActionDef, config: &Value, progress: &Progress) -> Diagnostics {
        let req = match request_from_config(ctx, def, self.noun, &self.op, config) {
            Ok(r) => r,
            Err(d) => return d,
        };
        let before = self.at_place(ctx, config).await;
        tracing::info!(action = def.type_name, path = %req.path, "inserting a Lightrun action");
        let answer = match ctx.api.call(req, &ctx.cancel).await {
            Ok(resp) => resp.body,
            Err(e) if maybe_applied(&e) => {
                let after = self.at_place(ctx, config).await;
                let new: Vec<String> = match (&before, &after) {
                    (Some(before), Some(after)) => after.iter().filter(|id| !before.contains(id)).cloned().collect(),
                    _ => {
                        let mut d = api_error_diag("create", self.noun, e);
                        add_detail(&mut d, format!(" The {} may have been inserted; the actions at this place could not be listed to tell. Check with the `lightrun_actions` data source before invoking again.", self.noun));
                        return d;
                    }
                };
                match new.as_slice() {
                    [one] => serde_json::json!({"id": one}),
                    [] => {
                        let mut d = api_error_diag("create", self.noun, e);
                        add_detail(&mut d, format!(" No {} was inserted; invoking again is safe.", self.noun));
                        return d;
                    }
                    several => {
                        let mut d = api_error_diag("create", self.noun, e);
                        add_detail(&mut d, format!(" Several new actions appeared at this place meanwhile ({}); one of them may be this one.", several.join(", ")));
                        return d;
                    }
                }
            }
            Err(e) => return api_error_diag("create", self.noun, e),
        };
        progress.send(message(self.report, config, &answer, &ctx.provider_config));
        Diagnostics::default()
    }

    fn declaration_errors(&self, def: &ActionDef) -> Vec<String> {
        SendOp::new(self.op, self.noun).report(self.report).declaration_errors(def)
    }
}

/// The request may have been applied although no success came back.
fn maybe_applied(e: &ApiError) -> bool {
    match e {
        ApiError::Ambiguous(_) | ApiError::Timeout(_) => true,
        ApiError::Status { status, .. } => *status >= 500,
        _ => false,
    }
}

fn add_detail(d: &mut Diagnostics, text: String) {
    if let Some(first) = d.0.first_mut() {
        first.detail.push_str(&text);
    }
}

fn delete_action() -> ActionDef {
    ActionDef::new(
        "lightrun_delete_action",
        "Deletes a Lightrun log or snapshot action before it expires. An action that is already gone (deleted, or unknown in the pool) is reported as a warning, not an error. Nothing is kept in state.",
        vec![
            Field::string("action_id")
                .required()
                .validate(Validator::LenRange(1, 255))
                .desc("ID of the action, as `lightrun_actions` lists it or a create action reported it."),
            agent_pool_id("of the action"),
        ],
        SendOp::new(Op::delete("/actions/{action_id}").query(&[("agentPoolId", "{agent_pool_id}")]), "action")
            .not_found_warns("Action {action_id} does not exist: it was deleted already, or it is in another agent pool.")
            .report("Action {action_id} deleted"),
    )
}

// ---------------------------------------------------------------- lists

/// A data source listing every page of `path` into `output`, its `id` derived from the
/// filters (`agents?agent_pool_id=...&name=...`, or `agents` alone).
fn listing(
    type_name: &'static str,
    description: &str,
    op: Op,
    filters: Vec<Field>,
    output: &'static str,
    output_desc: &str,
    item_fields: Vec<Field>,
) -> DataSourceDef {
    let lister = PagedList { list: pages(op), output, item_fields, id_template: "" };
    let mut fields = filters;
    fields.push(Field::string("id").computed().desc("Identifier of the result, derived from the filters."));
    fields.push(Field::new(output, Type::list(lister.item_type())).computed().desc(output_desc));
    let prefix = type_name.trim_start_matches("lightrun_");
    DataSourceDef::new(type_name, description, fields, FilterId { inner: Box::new(lister), prefix })
}

/// Sets `id` from the configured filters after the inner reader ran.
struct FilterId {
    inner: Box<dyn DataSourceRead>,
    prefix: &'static str,
}

#[async_trait]
impl DataSourceRead for FilterId {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let mut resp = self.inner.read(ctx, def, config).await?;
        resp.state.set("id", Value::str(filter_id(self.prefix, def, config)));
        Ok(resp)
    }
}

/// `prefix?name=value&list=a,b` over the arguments set, in declaration order.
fn filter_id(prefix: &str, def: &DataSourceDef, config: &Value) -> String {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let parts: Vec<String> = def
        .fields
        .iter()
        .filter(|f| f.mode != Mode::Computed)
        .filter_map(|f| match config.get(f.name) {
            Value::List(items) | Value::Set(items) => {
                Some(format!("{}={}", f.name, items.iter().filter_map(scalar).collect::<Vec<_>>().join(",")))
            }
            v => scalar(v).map(|s| format!("{}={s}", f.name)),
        })
        .collect();
    if parts.is_empty() {
        prefix.to_string()
    } else {
        format!("{prefix}?{}", parts.join("&"))
    }
}

fn name_filter(what: &str) -> Field {
    Field::string("name").optional().desc(format!("Only {what} whose name matches; `*` is a wildcard."))
}

fn item(name: &'static str, json: &'static str, desc: &str) -> Field {
    Field::string(name).computed().api(json, Codec::Plain).desc(desc)
}

fn agents() -> DataSourceDef {
    listing(
        "lightrun_agents",
        "Lists the connected (live) agents, following the API's paging to the end.",
        Op::get("/agents").query(&[("agentPoolId", "{agent_pool_id}"), ("name", "{name}")]),
        vec![
            agent_pool_id("whose agents to list"),
            Field::string("name")
                .optional()
                .desc("Only agents whose display name, `host:pid` or tag matches; `*` is a wildcard."),
        ],
        "agents",
        "The agents, in the API's order.",
        vec![
            item("id", "id", "Agent ID."),
            item("name", "name", "Display name."),
            item("type", "type", "Agent type: Java, Python, Node.js, .Net, Kotlin or Scala."),
            item("version", "version", "Agent version."),
            item(
                "version_status",
                "versionStatus",
                "Whether the version is supported: Active, Expired or Expires soon.",
            ),
        ],
    )
}

fn tags() -> DataSourceDef {
    listing(
        "lightrun_tags",
        "Lists agent tags; a tag can be the source of a log or snapshot action.",
        Op::get("/tags").query(&[("agentPoolId", "{agent_pool_id}"), ("name", "{name}")]),
        vec![agent_pool_id("whose tags to list"), name_filter("tags")],
        "tags",
        "The tags, in the API's order; `id` is the API's integer ID as a decimal string (what `source_id` takes).",
        vec![item("id", "id", "Tag ID (decimal)."), item("name", "name", "Tag name.")],
    )
}

fn custom_sources() -> DataSourceDef {
    listing(
        "lightrun_custom_sources",
        "Lists custom sources: named selections of agents usable as the source of an action.",
        Op::get("/custom-sources").query(&[("agentPoolId", "{agent_pool_id}"), ("name", "{name}")]),
        vec![agent_pool_id("whose custom sources to list"), name_filter("custom sources")],
        "custom_sources",
        "The custom sources, in the API's order.",
        vec![item("id", "id", "Custom source ID."), item("name", "name", "Custom source name.")],
    )
}

fn flag(name: &'static str, what: &str) -> Field {
    Field::bool(name).optional().desc(format!("Only actions {what}; unset: all."))
}

fn action_list() -> DataSourceDef {
    listing(
        "lightrun_actions",
        "Lists log, snapshot and metric actions (the read side of the short-lived actions the `lightrun_create_*_action` actions insert), expired ones included unless filtered out.",
        Op::get("/actions").query(&[
            ("actionType", "{action_type}"),
            ("agentPoolId", "{agent_pool_id}"),
            ("createdBy", "{created_by}"),
            ("enabled", "{enabled}"),
            ("expired", "{expired}"),
            ("filename", "{filename}"),
            ("hasErrors", "{has_errors}"),
            ("resultsExist", "{results_exist}"),
            ("status", "{status}"),
            ("createdAtAfter", "{created_after}"),
            ("createdAtBefore", "{created_before}"),
        ]),
        vec![
            Field::string("action_type")
                .optional()
                .validate(Validator::OneOf(&["LOG", "SNAPSHOT", "COUNTER_METRIC", "TICTOC_METRIC", "CUSTOM_METRIC"]))
                .desc("Only actions of this type."),
            agent_pool_id("whose actions to list"),
            Field::string("created_by").optional().desc("Only actions created by this user email or API key."),
            flag("enabled", "enabled (`true`) or disabled (`false`)"),
            flag("expired", "expired (`true`) or live (`false`)"),
            Field::string("filename").optional().desc("Only actions in this file path; `*` is a wildcard."),
            flag("has_errors", "with (`true`) or without (`false`) errors"),
            flag("results_exist", "with (`true`) or without (`false`) captured results"),
            Field::string("status")
                .optional()
                .validate(Validator::OneOf(&["SUBMITTED", "REQUESTED", "ACCEPTED"]))
                .desc("Only actions in this status."),
            Field::string("created_after")
                .optional()
                .validate(DATE)
                .desc("Only actions created on or after this day, `YYYY-MM-DD` (UTC)."),
            Field::string("created_before")
                .optional()
                .validate(DATE)
                .desc("Only actions created on or before this day, `YYYY-MM-DD` (UTC)."),
        ],
        "actions",
        "The actions, in the API's order.",
        vec![
            item("id", "id", "Action ID (what `lightrun_delete_action` takes)."),
            item("action_type", "actionType", "LOG, SNAPSHOT, COUNTER_METRIC, TICTOC_METRIC or CUSTOM_METRIC."),
            item("created_at", "createdAt", "Creation time, RFC 3339."),
            item("created_by", "createdBy", "Creator (user email or API key)."),
            Field::bool("enabled").computed().api("enabled", Codec::Plain).desc("Whether the action is enabled."),
            Field::bool("expired").computed().api("expired", Codec::Plain).desc("Whether its lifetime has passed."),
            Field::bool("has_errors").computed().api("hasErrors", Codec::Plain).desc("Whether agents reported errors."),
            Field::number("line").computed().api("line", Codec::Plain).desc("Line number."),
            item("location", "location", "File path."),
            item("source_id", "source.id", "ID of the agent, tag or custom source."),
            item("source_type", "source.type", "AGENT, TAG or CUSTOM_SOURCE."),
            item("status", "status", "SUBMITTED, REQUESTED or ACCEPTED."),
        ],
    )
}

/// The package filters loaded packages and the SBOM share (array parameters, repeated).
fn package_filters() -> Vec<Field> {
    vec![
        string_list("package_names").optional().desc("Only these packages (`groupId:artifactId` for Java)."),
        string_list("package_versions").optional().desc("Only these versions."),
        string_list("tags").optional().desc("Only packages loaded by hosts carrying these tags."),
    ]
}

fn loaded_packages() -> DataSourceDef {
    let mut filters = vec![Field::string("agent_pool_id").optional().desc("Only packages loaded in this agent pool.")];
    filters.extend(package_filters());
    filters.extend([
        string_set("statuses")
            .optional()
            .validate(Validator::EachOneOf(&["NOT_LOADED", "LOADED", "LOADED_WITH_CLASSES"]))
            .desc("Only packages in these states: `NOT_LOADED`, `LOADED`, `LOADED_WITH_CLASSES`."),
        Field::string("load_date_start")
            .optional()
            .validate(DATE)
            .desc("Only packages loaded on or after this day, `YYYY-MM-DD` (UTC)."),
        Field::string("load_date_end")
            .optional()
            .validate(DATE)
            .desc("Only packages loaded on or before this day, `YYYY-MM-DD` (UTC)."),
    ]);
    let class = Type::object(&[("name", Type::String), ("status", Type::String)]);
    listing(
        "lightrun_loaded_packages",
        "Lists the packages agents have loaded (Runtime Reachability), with the watched classes of each.",
        Op::get("/loaded-packages").query(&[
            ("agentPoolId", "{agent_pool_id}"),
            ("packageNames", "{package_names}"),
            ("packageVersions", "{package_versions}"),
            ("status", "{statuses}"),
            ("tags", "{tags}"),
            ("loadDateStart", "{load_date_start}"),
            ("loadDateEnd", "{load_date_end}"),
        ]),
        filters,
        "packages",
        "The packages, in the API's order.",
        vec![
            item("package_name", "packageName", "Package name."),
            item("version", "version", "Package version."),
            item("status", "status", "NOT_LOADED, LOADED or LOADED_WITH_CLASSES."),
            item("type", "type", "Package type (JAVA)."),
            Field::new("classes", Type::list(class))
                .computed()
                .api("classes", Codec::Plain)
                .desc("Classes of the package and whether each was loaded."),
        ],
    )
}

// ---------------------------------------------------------------- SBOM

fn sbom() -> DataSourceDef {
    let mut fields = vec![
        Field::string("format")
            .required()
            .validate(Validator::OneOf(&["SPDX", "CYCLONE_DX", "CSV"]))
            .desc("Document format: `SPDX`, `CYCLONE_DX` (both JSON) or `CSV`."),
        Field::string("creation_time").required().validate(DATE).desc("Date stamped in the SBOM, `YYYY-MM-DD`."),
        Field::string("sbom_package_name")
            .required()
            .validate(Validator::LenRange(1, 255))
            .desc("Name of the package the SBOM describes (your application)."),
        Field::string("sbom_supplier_name")
            .required()
            .validate(Validator::LenRange(1, 255))
            .desc("Supplier of the described package."),
        Field::string("sbom_version")
            .required()
            .validate(Validator::LenRange(1, 255))
            .desc("Version of the described package."),
        Field::string("agent_pool_id")
            .optional()
            .desc("Agent pool whose loaded packages make the SBOM. Required by the API when several pools exist."),
    ];
    fields.extend(package_filters());
    fields.extend([
        Field::string("id").computed().desc("Identifier of the result, derived from the arguments."),
        Field::string("content")
            .computed()
            .desc("The SBOM document: JSON text for `SPDX` and `CYCLONE_DX`, CSV text for `CSV`."),
    ]);
    DataSourceDef::new(
        "lightrun_sbom",
        "Generates the dynamic SBOM (software bill of materials) from the packages agents have loaded, and returns the document text. The same arguments and loaded packages give the same document.",
        fields,
        SbomReader,
    )
}

const SBOM_OP: Op = Op::get("/sbom").query(&[
    ("format", "{format}"),
    ("creationTime", "{creation_time}"),
    ("sbomPackageName", "{sbom_package_name}"),
    ("sbomSupplierName", "{sbom_supplier_name}"),
    ("sbomVersion", "{sbom_version}"),
    ("agentPoolId", "{agent_pool_id}"),
    ("packageNames", "{package_names}"),
    ("packageVersions", "{package_versions}"),
    ("tags", "{tags}"),
]);

/// One GET whose answer is the document: JSON (kept as its text) or CSV (plain text).
struct SbomReader;

#[async_trait]
impl DataSourceRead for SbomReader {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let req = op_request(&SBOM_OP, config, &ctx.provider_config)
            .ok_or_else(|| Diagnostics::error("Cannot generate the SBOM", "Its arguments are not all known."))?;
        let answer = ctx.api.call(req, &ctx.cancel).await.map_err(|e| api_error_diag("generate", "SBOM", e))?;
        let content = match answer.body {
            J::String(text) => text,
            J::Null => {
                return Err(Diagnostics::error(
                    "Empty SBOM",
                    format!("The API answered HTTP {} with no document.", answer.status),
                ))
            }
            document => {
                serde_json::to_string(&document).map_err(|e| Diagnostics::error("Unreadable SBOM", e.to_string()))?
            }
        };
        let mut state = config.clone();
        state.set("content", Value::String(content));
        state.set("id", Value::str(filter_id("sbom", def, config)));
        Ok(state.into())
    }
}

// ---------------------------------------------------------------- feature flags

fn feature_flags() -> DataSourceDef {
    DataSourceDef::new(
        "lightrun_feature_flags",
        "Reads the feature toggle status of the company: feature name to `ENABLED` or `DISABLED`. Read-only: changing flags needs a Lightrun-issued signature.",
        vec![
            Field::string("company_id")
                .optional()
                .desc("Company whose flags to read, sent as `company`. Unset: the provider's `company_id`, or none (single-tenant servers need none)."),
            Field::string("id").computed().desc("The company read, or `default` when none was named."),
            Field::new("features", Type::map(Type::String))
                .computed()
                .desc("Feature name to `ENABLED` or `DISABLED`."),
        ],
        FeatureFlags,
    )
}

struct FeatureFlags;

#[async_trait]
impl DataSourceRead for FeatureFlags {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        // The provider's company is the default, but stays out of the state: the
        // argument is optional, not computed.
        let company = [config.get("company_id"), ctx.provider_config.get("company_id")]
            .into_iter()
            .find_map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_string));
        let mut req = ApiRequest::new(Method::Get, "/configuration/feature/toggle");
        if let Some(c) = &company {
            req = req.query("company", c.clone());
        }
        let answer = ctx.api.call(req, &ctx.cancel).await.map_err(|e| api_error_diag("read", "feature flags", e))?;
        let J::Object(map) = &answer.body else {
            return Err(Diagnostics::error(
                "Unexpected feature flags from the API",
                format!("Expected an object of feature names, got {}.", answer.body),
            ));
        };
        // The schema's stray boolean `empty` (a Java Map's isEmpty) is not a feature.
        let features = map
            .iter()
            .filter(|(name, _)| name.as_str() != "empty")
            .filter_map(|(name, status)| status.as_str().map(|s| (name.clone(), Value::str(s))))
            .collect();
        let mut state = config.clone();
        state.set("features", Value::Map(features));
        state.set("id", Value::str(company.unwrap_or_else(|| "default".into())));
        Ok(state.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_declared_without_mistakes() {
        for a in actions() {
            assert_eq!(a.declaration_errors(), Vec::<String>::new(), "{}", a.type_name);
            for f in &a.fields {
                assert!(!f.description.is_empty(), "{}.{}", a.type_name, f.name);
            }
        }
    }

    #[test]
    fn every_data_source_field_is_described() {
        for d in data_sources() {
            assert!(!d.description.is_empty(), "{}", d.type_name);
            for f in &d.fields {
                assert!(!f.description.is_empty(), "{}.{}", d.type_name, f.name);
            }
        }
    }

    #[test]
    fn ids_name_the_filters_set() {
        let def = agents();
        let mut cfg = Value::Object(Default::default());
        assert_eq!(filter_id("agents", &def, &cfg), "agents");
        cfg.set("name", Value::str("checkout-*"));
        cfg.set("agent_pool_id", Value::str("p1"));
        assert_eq!(filter_id("agents", &def, &cfg), "agents?agent_pool_id=p1&name=checkout-*");
        let def = loaded_packages();
        let mut cfg = Value::Object(Default::default());
        cfg.set("package_names", Value::string_list(["a", "b"]));
        assert_eq!(filter_id("loaded_packages", &def, &cfg), "loaded_packages?package_names=a,b");
    }

    #[test]
    fn log_action_bodies_nest_the_source() {
        let def = create_log_action();
        let mut cfg = Value::Object(Default::default());
        for (k, v) in [
            ("filename", Value::str("A.java")),
            ("line", Value::int(3)),
            ("format", Value::str("x={x}")),
            ("source_type", Value::str("TAG")),
            ("source_id", Value::str("1")),
        ] {
            cfg.set(k, v);
        }
        let body = crate::engine::mapping::create_body(&def.fields, &cfg, &cfg).expect("body");
        assert_eq!(
            J::Object(body),
            serde_json::json!({"filename": "A.java", "line": 3, "format": "x={x}", "source": {"type": "TAG", "id": "1"}})
        );
        let mut bad = cfg.clone();
        bad.set("line", Value::int(0));
        assert!(def.validate(&bad).has_errors());
    }
}
