//! Applications: a Docker container spec deployed under the application's name to a set
//! of instances. Create, update, start and stop answer HTTP 200 with a stream of records,
//! and 200 does not mean success: the records say what happened on each instance, and the
//! application is always re-read afterwards. Applications cannot be deleted.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value as J};

use super::API;
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::{object_lists, DataSourceDef, DataSourceRead, DataSourceResponse, PagedList};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{
    api_error_diag, forget_warning, import_by_template, plan_forgetting, ApplyRequest, ApplyResponse, Ctx,
    DeleteRequest, DeleteResponse, ImportState, ListSpec, Op, PlanRequest, PlanResponse, Private, ReadRequest,
    ReadResponse, Resource, ResourceSchema, Timeouts,
};
use crate::engine::schema::{semantically_equal, Codec, Field, Semantic, Validator};
use crate::engine::value::{Type, Value};

const STREAM_TIMEOUT: Duration = Duration::from_secs(600);

fn text(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

fn command_is_an_object(v: &Value) -> Result<(), String> {
    match v.as_str().map(serde_json::from_str::<J>) {
        Some(Ok(J::Object(_))) | None => Ok(()),
        Some(Ok(_)) => {
            Err("must be a JSON object (Docker's container create body), e.g. jsonencode({ Image = \"nginx:1.27\" })"
                .into())
        }
        Some(Err(e)) => Err(format!("is not valid JSON: {e}")),
    }
}

/// What a stream reported: the problems of its `Error` records, and whether it ran to
/// its `Finalized` record.
struct StreamReport {
    errors: Vec<String>,
    finished: bool,
}

impl StreamReport {
    fn of(records: &J) -> StreamReport {
        let records = records.as_array().map(Vec::as_slice).unwrap_or_default();
        let field = |r: &J, k: &str| r.get(k).map(|v| v.as_str().map(str::to_string).unwrap_or(v.to_string()));
        let errors = records
            .iter()
            .filter(|r| r.get("Status").and_then(J::as_str) == Some("Error"))
            .map(|r| {
                format!(
                    "instance {}: {} {} answered {}: {}",
                    field(r, "Instance").filter(|s| !s.is_empty()).unwrap_or_else(|| "?".into()),
                    field(r, "Method").unwrap_or_default(),
                    field(r, "Endpoint").unwrap_or_default(),
                    field(r, "Code").unwrap_or_default(),
                    field(r, "Message").unwrap_or_default(),
                )
            })
            .collect();
        let finished = records.last().and_then(|r| r.get("Status")).and_then(J::as_str) == Some("Finalized");
        StreamReport { errors, finished }
    }

    fn ok(&self) -> bool {
        self.errors.is_empty() && self.finished
    }

    /// The diagnostic of a stream that did not succeed everywhere.
    fn diag(&self, what: &str) -> Diagnostics {
        let mut lines = self.errors.clone();
        if !self.finished {
            lines.push(
                "the answer ended before Lighthouse reported the operation finished (no Finalized record)".into(),
            );
        }
        Diagnostics::error(
            format!("Lighthouse could not {what}"),
            format!(
                "HTTP 200 does not mean success here; the stream reported:\n- {}\nThe application was read again, and the state shows what it now is.",
                lines.join("\n- ")
            ),
        )
    }
}

pub struct Application {
    schema: ResourceSchema,
}

impl Application {
    pub fn new() -> Application {
        let mut schema = ResourceSchema::new("lighthouse_application", "application", "{id}");
        schema.description = "An application: a Docker container spec (`command`) deployed under the application's name to a set of instances. Lighthouse cannot delete applications: destroy stops its containers (POST /applications/stop) and then forgets it (warning).".into();
        schema.timeouts =
            Some(Timeouts { create: STREAM_TIMEOUT, update: Some(STREAM_TIMEOUT), delete: STREAM_TIMEOUT });
        if let Some(id) = schema.fields.first_mut() {
            id.description = "The numeric application Id as a decimal string; also the import ID (the application name is accepted too).".into();
        }
        schema.fields.extend([
            Field::string("name")
                .required()
                .replace()
                .validate(Validator::LenRange(1, usize::MAX))
                .desc("Unique name; also the container name on every instance. The API has no rename: a change creates another application and leaves this one behind."),
            Field::string("command")
                .required()
                .semantic(Semantic::Json)
                .validate(Validator::Custom {
                    check: command_is_an_object,
                    describe: "Must be a JSON object.",
                })
                .desc("JSON object passed unchanged to Docker's POST /containers/create (Image, Cmd, Env, ExposedPorts, HostConfig, ...); use jsonencode(). Compared semantically (key order and whitespace do not matter). A change creates a new deployment in place; Lighthouse needs `Image` to deploy an update."),
            Field::new("instances", Type::set(Type::String))
                .required()
                .validate(Validator::MinItems(1))
                .desc("Instance addresses (`host:port[/version]`, as Docker proxy addresses; aliases are not resolved). Changes are sent as Add/Remove in place."),
            Field::bool("running")
                .default(Value::Bool(true))
                .desc("Whether the containers should run (default true). Lighthouse does not record run state, so it cannot be read back: the provider keeps the configured value (import assumes true)."),
            Field::bool("force_pull")
                .default(Value::Bool(false))
                .desc("Pull the image before the first deployment (create's forcePull). Update deployments always pull. Changing it later does nothing remotely."),
            Field::number("current_deployment_id")
                .computed()
                .desc("Id of the deployment currently in effect (changes on every command update)."),
        ]);
        Application { schema }
    }

    fn what(v: &Value) -> String {
        match v.get("id").as_str() {
            Some(id) => format!("application {} (Id {id})", text(v, "name")),
            None => format!("application {}", text(v, "name")),
        }
    }

    /// Runs a streamed request to its end, bounded by the resource's timeout `which`.
    async fn stream(&self, ctx: &Ctx, req: ApiRequest, v: &Value, which: &str) -> Result<StreamReport, ApiError> {
        let answer = ctx.api.call(req.timeout(self.schema.timeout(v, which)), &ctx.cancel).await?;
        Ok(StreamReport::of(&answer.body))
    }

    /// The application as GET /applications/list shows it, by numeric Id or by name.
    async fn find(ctx: &Ctx, id_or_name: &str) -> Result<Option<J>, ApiError> {
        let answer = ctx.api.call(ApiRequest::get(format!("{API}/applications/list")), &ctx.cancel).await?;
        let apps = answer.body.as_array().cloned().unwrap_or_default();
        let by_id = id_or_name.parse::<i64>().ok();
        Ok(apps.into_iter().find(|a| match by_id {
            Some(id) => a.get("Id").and_then(J::as_i64) == Some(id),
            None => a.get("Name").and_then(J::as_str) == Some(id_or_name),
        }))
    }

    /// The deployment history, newest first (at most `count` entries).
    async fn history(ctx: &Ctx, id: i64, count: Option<i64>) -> Result<Vec<J>, ApiError> {
        let mut req = ApiRequest::get(format!("{API}/applications/list/{id}"));
        if let Some(n) = count {
            req = req.query("count", n.to_string());
        }
        Ok(ctx.api.call(req, &ctx.cancel).await?.body.as_array().cloned().unwrap_or_default())
    }

    /// State over `base` from the listed application and its history. `running` and
    /// `force_pull` cannot be read: `base` keeps them (defaults after import).
    async fn state(&self, ctx: &Ctx, base: &Value, app: &J) -> Result<Value, ApiError> {
        let id = app.get("Id").and_then(J::as_i64).unwrap_or_default();
        let current = app.get("CurrentDeployment").and_then(J::as_i64).unwrap_or(-1);
        let history = Self::history(ctx, id, None).await?;
        let deployment = history.iter().find(|d| d.get("Id").and_then(J::as_i64) == Some(current)).or(history.first());
        let mut out = base.clone();
        out.set("id", Value::str(id.to_string()));
        out.set("name", Value::str(app.get("Name").and_then(J::as_str).unwrap_or_default()));
        let instances =
            app.get("Instances").and_then(J::as_array).map(|a| a.iter().filter_map(J::as_str).collect::<Vec<_>>());
        out.set("instances", Value::Set(instances.unwrap_or_default().into_iter().map(Value::str).collect()));
        out.set("current_deployment_id", Value::int(current));
        // Without access the history is empty: the known command stands.
        if let Some(command) = deployment.and_then(|d| d.get("Command")) {
            let read = Value::str(command.to_string());
            let field = self.schema.field("command");
            if !field.is_some_and(|f| semantically_equal(f, base.get("command"), &read)) {
                out.set("command", read);
            }
        }
        for (attr, default) in [("running", true), ("force_pull", false)] {
            if out.get(attr).is_null() {
                out.set(attr, Value::Bool(default));
            }
        }
        Ok(out)
    }

    /// Reads the application again after a write; `fallback` when it cannot be found.
    async fn reread(&self, ctx: &Ctx, base: &Value, fallback: &Value, diags: &mut Diagnostics) -> Value {
        match Self::find(ctx, &text(base, "id")).await {
            Ok(Some(app)) => match self.state(ctx, base, &app).await {
                Ok(s) => s,
                Err(e) => {
                    diags.extend(api_error_diag("read", &Self::what(base), e));
                    fallback.clone()
                }
            },
            Ok(None) => {
                diags.add_error(
                    format!("The {} disappeared", Self::what(base)),
                    "It is no longer listed by GET /applications/list (or the provider account lost its level on it).",
                    None,
                );
                fallback.clone()
            }
            Err(e) => {
                diags.extend(api_error_diag("read", &Self::what(base), e));
                fallback.clone()
            }
        }
    }

    fn command_json(v: &Value) -> J {
        v.get("command").as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(J::Null)
    }

    fn create_request(planned: &Value) -> ApiRequest {
        let flag = |attr: &str, default: bool| planned.get(attr).as_bool().unwrap_or(default).to_string();
        ApiRequest::new(Method::Post, format!("{API}/applications/create"))
            .query("start", flag("running", true))
            .query("forcePull", flag("force_pull", false))
            .body(json!({
                "Name": text(planned, "name"),
                "Command": Self::command_json(planned),
                "Instances": planned.get("instances").string_items(),
            }))
    }

    /// Whether a listed application is the one planned (a lost create answer adopts it).
    async fn matches_plan(&self, ctx: &Ctx, planned: &Value, app: &J) -> Result<Option<String>, ApiError> {
        let found = self.state(ctx, planned, app).await?;
        let mut want = planned.get("instances").string_items();
        let mut have = found.get("instances").string_items();
        want.sort();
        have.sort();
        if want != have {
            return Ok(Some(format!("instances are {have:?} (planned {want:?})")));
        }
        if Self::command_json(&found) != Self::command_json(planned) {
            return Ok(Some("command differs".into()));
        }
        Ok(None)
    }
}

/// Instances in `after` and not in `before`.
fn added(before: &Value, after: &Value) -> Vec<String> {
    let before = before.string_items();
    after.string_items().into_iter().filter(|i| !before.contains(i)).collect()
}

#[async_trait]
impl Resource for Application {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        let prior = req.prior.clone();
        let mut out = plan_forgetting(&self.schema, req, |prior| {
            format!(
                "Lighthouse cannot delete applications: destroy stops the containers of {} on every instance, then forgets it. The application, its deployment history and its stopped containers stay on the server.",
                Self::what(prior)
            )
        });
        if !prior.is_null() && !out.planned.is_null() {
            let field = self.schema.field("command");
            if !field.is_some_and(|f| semantically_equal(f, prior.get("command"), out.planned.get("command"))) {
                out.planned.set("current_deployment_id", Value::Unknown);
            }
        }
        out
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let planned = req.planned;
        let name = text(planned, "name");
        let what = Self::what(planned);
        let mut report = None;
        let mut unknown = None;
        for attempt in 0..2 {
            match self.stream(ctx, Self::create_request(planned), planned, "create").await {
                Ok(r) => report = Some(r),
                // No usable answer (or a 5xx, which is also how Lighthouse reports a
                // duplicate name): find out by name before anything else.
                Err(e) if e.outcome_unknown() => unknown = Some(e),
                Err(e) => return ApplyResponse::nothing(api_error_diag("create", &what, e)),
            }
            let found = match Self::find(ctx, &name).await {
                Ok(found) => found,
                Err(e) => return ApplyResponse::nothing(api_error_diag("read", &what, e)),
            };
            let Some(app) = found else {
                if let Some(report) = &report {
                    // A failed first deployment removes the application: nothing exists.
                    let mut d = report.diag(&format!("deploy the new {what}"));
                    if report.ok() {
                        d = Diagnostics::error(
                            format!("Cannot find the new {what}"),
                            "Lighthouse reported the deployment finished, but does not list the application.",
                        );
                    }
                    return ApplyResponse::nothing(d);
                }
                if attempt == 0 {
                    continue; // Absent after an unknown outcome: send the create again, once.
                }
                let e = unknown.take().unwrap_or_else(|| ApiError::Ambiguous("no answer".into()));
                return ApplyResponse::nothing(api_error_diag("create", &what, e));
            };
            if report.is_none() {
                match self.matches_plan(ctx, planned, &app).await {
                    Ok(None) => {}
                    Ok(Some(diff)) => {
                        return ApplyResponse::nothing(Diagnostics::attr_error(
                            AttrPath::attr("name"),
                            format!("An application named {name} already exists and differs"),
                            format!(
                                "After a create whose outcome was unknown ({}), Lighthouse lists an application {name} whose {diff}. It was not adopted: import it (terraform import lighthouse_application.<name> {name}) or choose another name.",
                                unknown.as_ref().map(ToString::to_string).unwrap_or_default()
                            ),
                        ))
                    }
                    Err(e) => return ApplyResponse::nothing(api_error_diag("read", &what, e)),
                }
            }
            let mut diags = Diagnostics::default();
            let state = match self.state(ctx, planned, &app).await {
                Ok(s) => s,
                Err(e) => {
                    diags.extend(api_error_diag("read", &what, e));
                    let mut s = planned.clone();
                    s.set("id", Value::str(app.get("Id").and_then(J::as_i64).unwrap_or_default().to_string()));
                    s.set("current_deployment_id", Value::Null);
                    s
                }
            };
            if let Some(r) = report.as_ref().filter(|r| !r.ok()) {
                diags.extend(r.diag(&format!("deploy the new {what}")));
            }
            return ApplyResponse { state: Some(state), private: Private::default(), diags };
        }
        ApplyResponse::nothing(Diagnostics::error(format!("Cannot create the {what}"), "No answer after two attempts."))
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let current = req.current;
        let what = Self::what(current);
        match Self::find(ctx, &text(current, "id")).await {
            Ok(Some(app)) => match self.state(ctx, current, &app).await {
                Ok(s) => ReadResponse::found(s, req.private),
                Err(e) => ReadResponse::failed(current, req.private, api_error_diag("read", &what, e)),
            },
            Ok(None) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(current, req.private, api_error_diag("read", &what, e)),
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let (prior, planned) = (req.prior, req.planned);
        let what = Self::what(prior);
        let update_path = format!("{API}/applications/update/{}", text(prior, "id"));
        let command_changed = self
            .schema
            .field("command")
            .is_some_and(|f| !semantically_equal(f, prior.get("command"), planned.get("command")));
        let add = added(prior.get("instances"), planned.get("instances"));
        let remove = added(planned.get("instances"), prior.get("instances"));
        let running = planned.get("running").as_bool().unwrap_or(true);
        let was_running = prior.get("running").as_bool().unwrap_or(true);
        let mut steps: Vec<(ApiRequest, String)> = Vec::new();
        if command_changed {
            // One new deployment to every instance; `restart` also starts (or not) them.
            let body = json!({"Command": Self::command_json(planned), "Add": add, "Remove": remove});
            steps.push((
                ApiRequest::new(Method::Put, &update_path).query("restart", running.to_string()).body(body),
                format!("deploy the new command of the {what}"),
            ));
        } else {
            if !add.is_empty() || !remove.is_empty() {
                let body = json!({"Add": add, "Remove": remove});
                steps.push((
                    ApiRequest::new(Method::Put, &update_path).query("restart", "false").body(body),
                    format!("change the instances of the {what}"),
                ));
            }
            let verb = match (was_running, running) {
                (false, true) => Some("start"),
                (true, false) => Some("stop"),
                // Added instances get the current deployment, not yet started.
                (true, true) if !add.is_empty() => Some("start"),
                _ => None,
            };
            if let Some(verb) = verb {
                let path = format!("{API}/applications/{verb}/{}", text(prior, "id"));
                steps.push((ApiRequest::new(Method::Post, path), format!("{verb} the {what}")));
            }
        }
        let mut diags = Diagnostics::default();
        let mut all_ok = true;
        for (request, doing) in steps {
            match self.stream(ctx, request, planned, "update").await {
                Ok(report) if report.ok() => {}
                Ok(report) => {
                    diags.extend(report.diag(&doing));
                    all_ok = false;
                    break;
                }
                Err(e) => {
                    diags.extend(api_error_diag("update", &what, e));
                    all_ok = false;
                    break;
                }
            }
        }
        let mut base = planned.clone();
        // What could not be confirmed keeps its prior value, so the next plan retries it.
        if !all_ok {
            base.set("running", prior.get("running").clone());
            base.set("command", prior.get("command").clone());
        }
        let state = self.reread(ctx, &base, prior, &mut diags).await;
        ApplyResponse { state: Some(state), private: req.private, diags }
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let prior = req.prior;
        let what = Self::what(prior);
        let id = text(prior, "id");
        let stop = ApiRequest::new(Method::Post, format!("{API}/applications/stop/{id}"));
        let stopped = match self.stream(ctx, stop, prior, "delete").await {
            Ok(report) if report.ok() => "Its containers were stopped on every instance.".to_string(),
            Ok(report) => {
                let mut lines = report.errors.clone();
                if !report.finished {
                    lines.push("the stop stream ended early".into());
                }
                format!("Stopping did not succeed on every instance: {}.", lines.join("; "))
            }
            // Gone already (or hidden): nothing to stop, nothing left to name.
            Err(ApiError::NotFound(_)) => return DeleteResponse { diags: Diagnostics::default() },
            Err(e) => return DeleteResponse { diags: api_error_diag("stop", &what, e) },
        };
        let deployments = match id.parse::<i64>() {
            Ok(n) => Self::history(ctx, n, None).await.map(|h| h.len()).ok(),
            Err(_) => None,
        };
        let remaining = deployments.map(|n| format!(", with {n} deployment(s) in its history,")).unwrap_or_default();
        DeleteResponse {
            diags: forget_warning(
                "application",
                format!("Lighthouse cannot delete applications: the {what} stays on the server{remaining} and can be found by its name. {stopped}"),
            ),
        }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for Application {
    /// The numeric Id, or the (unique) name: reads find either, and store the Id.
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        import_by_template(&self.schema, id.trim())
    }
}

// ---------------------------------------------------------------- data sources

pub fn applications_data() -> DataSourceDef {
    let item = vec![
        Field::number("application_id").computed().api("Id", Codec::Plain).desc("Numeric Id."),
        Field::string("name").computed().api("Name", Codec::Plain).desc("Name."),
        Field::string_list("instances").computed().api("Instances", Codec::Plain).desc("Instance addresses."),
        Field::number("current_deployment_id")
            .computed()
            .api("CurrentDeployment", Codec::Plain)
            .desc("Deployment in effect (-1 before the first successful one)."),
    ];
    object_lists(DataSourceDef::new(
        "lighthouse_applications",
        "Applications the provider account has a level on. API: GET /applications/list.",
        vec![
            Field::string("id").computed().desc("Constant `applications`."),
            Field::list_of("applications", item.clone())
                .computed()
                .desc("Id, name, instances and current deployment of each application."),
        ],
        PagedList {
            list: ListSpec::new(Op::get("/api/v0.2/applications/list"), ""),
            output: "applications",
            item_fields: item,
            id_template: "applications",
        },
    ))
}

/// `lighthouse_application`: found by name in the list, with its history.
struct OneApplication;

fn deployment_value(d: &J) -> Value {
    let mut v = Value::Object(Default::default());
    let int = |k: &str| d.get(k).and_then(J::as_i64).map(Value::int).unwrap_or(Value::Null);
    let string = |k: &str| d.get(k).and_then(J::as_str).map(Value::str).unwrap_or(Value::Null);
    v.set("deployment_id", int("Id"));
    v.set("version", int("Version"));
    v.set("creator", string("Creator"));
    v.set("date", string("Date"));
    v.set("image", string("Image"));
    v.set("command", d.get("Command").map(|c| Value::str(c.to_string())).unwrap_or(Value::Null));
    v
}

#[async_trait]
impl DataSourceRead for OneApplication {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let name = text(config, "name");
        let what = format!("application {name}");
        let app = Application::find(ctx, &name)
            .await
            .map_err(|e| api_error_diag("read", &what, e))?
            .filter(|a| a.get("Name").and_then(J::as_str) == Some(name.as_str()))
            .ok_or_else(|| {
                Diagnostics::attr_error(
                    AttrPath::attr("name"),
                    format!("No application {name}"),
                    "GET /applications/list does not show it: it does not exist, or the provider account has no level on it.",
                )
            })?;
        let id = app.get("Id").and_then(J::as_i64).unwrap_or_default();
        let current = app.get("CurrentDeployment").and_then(J::as_i64).unwrap_or(-1);
        let limit = config.get("deployments_limit").as_i64();
        let history = Application::history(ctx, id, limit).await.map_err(|e| api_error_diag("read", &what, e))?;
        // The current deployment may lie beyond the limit: read it from the whole history.
        let command = match history.iter().find(|d| d.get("Id").and_then(J::as_i64) == Some(current)) {
            Some(d) => d.get("Command").cloned(),
            None => Application::history(ctx, id, None)
                .await
                .map_err(|e| api_error_diag("read", &what, e))?
                .into_iter()
                .find(|d| d.get("Id").and_then(J::as_i64) == Some(current))
                .and_then(|d| d.get("Command").cloned()),
        };
        let mut out = config.clone();
        out.set("id", Value::str(id.to_string()));
        out.set("application_id", Value::int(id));
        let instances =
            app.get("Instances").and_then(J::as_array).map(|a| a.iter().filter_map(J::as_str).collect::<Vec<_>>());
        out.set("instances", Value::string_list(instances.unwrap_or_default()));
        out.set("current_deployment_id", Value::int(current));
        out.set("command", command.map(|c| Value::str(c.to_string())).unwrap_or(Value::Null));
        out.set("deployments", Value::List(history.iter().map(deployment_value).collect()));
        Ok(out.into())
    }
}

pub fn application_data() -> DataSourceDef {
    let deployment = Type::object(&[
        ("deployment_id", Type::Number),
        ("version", Type::Number),
        ("creator", Type::String),
        ("date", Type::String),
        ("image", Type::String),
        ("command", Type::String),
    ]);
    DataSourceDef::new(
        "lighthouse_application",
        "One application with its deployment history (newest first). API: GET /applications/list (by name) + GET /applications/list/{Id}?count=<deployments_limit>.",
        vec![
            Field::string("id").computed().desc("The numeric Id as a string."),
            Field::string("name").required().desc("Application name."),
            Field::number("deployments_limit")
                .optional()
                .validate(Validator::IntRange(0, i64::MAX))
                .desc("Return at most this many deployments (API `count`); default all."),
            Field::number("application_id").computed().desc("Numeric Id."),
            Field::string_list("instances").computed().desc("Instance addresses."),
            Field::number("current_deployment_id").computed().desc("Deployment in effect."),
            Field::string("command").computed().desc("JSON of the current deployment's Command."),
            Field::new("deployments", Type::list(deployment))
                .computed()
                .desc("History, newest first; `version` 1 is the oldest; `command` is JSON."),
        ],
        OneApplication,
    )
}
