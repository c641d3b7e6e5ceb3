//! Applications and their deployments (handlers/applications). Checks that fail before
//! anything is streamed are ordinary JSON errors; after that the answer is a 200 stream
//! whatever happens (see `stream.rs`).

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::Uri;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};

use super::error::{
    as_struct, field, go_list, go_object, go_parse, go_string, parse_bool, query_param, sniffed_json, string_list,
    ApiError,
};
use super::store::{Application, Deployment, Store, MODIFY, NO_ROWS, OWNER};
use super::stream::{self, Deploy, NotStarted, Processor, Stream};
use super::{path_tail, Caller, Sim, UnderFault};

pub const UNKNOWN_APPLICATION: &str = "applications: unknown application ID";
pub const UNKNOWN_DEPLOYMENT: &str = "applications: unknown deployment ID";
pub const DEPLOYMENT_MISMATCH: &str = "applications: deployment does not belong to given application";
pub const NOT_ENOUGH_DEPLOYMENTS: &str = "applications: no previous deployment to rollback to";
pub const NOT_ENOUGH_PARAMETERS: &str = "applications: not enough or invalid parameters given";
pub const PERMISSION: &str = "applications: user not permitted to modify application";

/// writeError's status map; anything else (a JSON error, a database error) is a 500.
fn app_error(message: &str) -> ApiError {
    let status = match message {
        UNKNOWN_APPLICATION | UNKNOWN_DEPLOYMENT => 404,
        DEPLOYMENT_MISMATCH | NOT_ENOUGH_DEPLOYMENTS | NOT_ENOUGH_PARAMETERS | super::store::NO_UPDATE => 400,
        PERMISSION => 403,
        _ => 500,
    };
    ApiError::new(status, "applications", message)
}

fn bool_param(uri: &Uri, name: &str) -> bool {
    query_param(uri.query(), name).and_then(|v| parse_bool(&v)).unwrap_or(false)
}

/// getInt64ParamOrDefault: an absent or unparsable value is the default.
fn int_param(uri: &Uri, name: &str, default: i64) -> i64 {
    query_param(uri.query(), name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `{Id}`: a number is an Id (even when an application is named like one), anything else
/// a Name.
fn resolve(store: &Store, identifier: &str) -> Result<Application, ApiError> {
    let app = match identifier.parse::<i64>() {
        Ok(id) => store.application(id),
        Err(_) => store.application_by_name(identifier),
    };
    app.cloned().ok_or_else(|| app_error(UNKNOWN_APPLICATION))
}

fn level_on(store: &Store, caller: &Caller, name: &str) -> i64 {
    store.user(&caller.0).map(|u| u.application_level(name)).unwrap_or(-1)
}

/// The application of a path that the caller may modify (404, then 403).
fn modifiable(sim: &Sim, caller: &Caller, identifier: &str) -> Result<Application, ApiError> {
    let store = sim.store();
    let app = resolve(&store, identifier)?;
    if level_on(&store, caller, &app.name) < MODIFY {
        return Err(app_error(PERMISSION));
    }
    Ok(app)
}

/// What every streaming handler takes from its request.
pub struct StreamCall {
    sim: Arc<Sim>,
    caller: Caller,
    uri: Uri,
    under_fault: bool,
}

impl FromRequestParts<Arc<Sim>> for StreamCall {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, sim: &Arc<Sim>) -> Result<StreamCall, ApiError> {
        // The session check sets the caller of every API request it lets through.
        let caller = parts.extensions.get::<Caller>().cloned().ok_or_else(ApiError::not_logged_in)?;
        let under_fault = parts.extensions.get::<UnderFault>().is_some();
        Ok(StreamCall { sim: sim.clone(), caller, uri: parts.uri.clone(), under_fault })
    }
}

impl StreamCall {
    /// Starts the streamed part, `work(sim, caller email, stream)`. Under an armed fault
    /// the work is finished before the answer is handed to the fault (so a dropped answer
    /// still means a finished operation).
    async fn stream<F, Fut>(self, work: F) -> Response
    where
        F: FnOnce(Arc<Sim>, String, Stream) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (out, response) = Stream::open(self.sim.cfg().step_delay);
        let task = tokio::spawn(work(self.sim, self.caller.0, out));
        if self.under_fault {
            let _ = task.await;
        }
        response
    }
}

/// Go's encoding of a `map[string]interface{}`: keys sorted at every depth.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&map[k]))).collect::<Map<String, Value>>())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// `POST /applications/create?start=&forcePull=` `{"Name","Command","Instances"}`.
pub async fn create(call: StreamCall, body: Bytes) -> Result<Response, ApiError> {
    let start = bool_param(&call.uri, "start");
    let pull = bool_param(&call.uri, "forcePull");
    let json_error = |message: String| app_error(&message);
    let object = go_parse(&body).and_then(|v| as_struct(&v, "struct")).map_err(json_error)?;
    let name = go_string(field(&object, "Name")).map_err(json_error)?;
    let command = go_object(field(&object, "Command")).map_err(json_error)?.unwrap_or_default();
    let instances = go_list(field(&object, "Instances")).map_err(json_error)?.unwrap_or_default();
    let instances = string_list(&instances).ok_or_else(|| app_error(NOT_ENOUGH_PARAMETERS))?;
    if name.is_empty() || command.is_empty() || instances.is_empty() {
        return Err(app_error(NOT_ENOUGH_PARAMETERS));
    }
    let command = Value::Object(command);
    let (app, deployment) = {
        let mut store = call.sim.store();
        let app = store.insert_application(&name, instances).map_err(app_error)?;
        let deployment = store.insert_deployment(app.id, command.clone(), &call.caller.0);
        if pull && stream::image_of(&command).is_none() {
            store.remove_application(app.id, deployment.id);
            return Err(app_error(NOT_ENOUGH_PARAMETERS));
        }
        (app, deployment)
    };
    Ok(call
        .stream(move |sim, caller, mut out| async move {
            let mut proc = Processor::new(&sim, &caller, app.instances.clone(), deployment.id);
            let job = Deploy::of(&app, &deployment, start, pull);
            let succeeded = stream::deploy(&mut proc, &mut out, &job).await == Ok(true);
            {
                let mut store = sim.store();
                if succeeded {
                    if let Some(user) = store.user_mut(&caller) {
                        user.applications.insert(app.name.clone(), OWNER);
                    }
                } else {
                    store.remove_application(app.id, deployment.id);
                }
            }
            out.finalize().await;
        })
        .await)
}

/// `GET /applications/list`: the applications the caller has a level on.
pub async fn list(State(sim): State<Arc<Sim>>, Extension(caller): Extension<Caller>) -> Response {
    let store = sim.store();
    let apps: Vec<Value> =
        store.applications.iter().filter(|a| level_on(&store, &caller, &a.name) >= 0).map(Application::view).collect();
    sniffed_json(&Value::Array(apps))
}

/// One history entry (a Go map: keys sorted).
fn history_entry(deployment: &Deployment, version: usize) -> Value {
    json!({
        "Command": sorted(&deployment.command),
        "Creator": deployment.creator,
        "Date": deployment.date,
        "Id": deployment.id,
        "Image": deployment.command.get("Image").cloned().unwrap_or(Value::Null),
        "Version": version,
    })
}

/// `GET /applications/list/{Id}?count=`: deployments newest first, Version 1 the oldest
/// (numbered before `count` cuts the list); `[]` for a caller without a level.
pub async fn history(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let count = int_param(&uri, "count", i64::from(i32::MAX));
    if count < 0 {
        return Err(app_error(NOT_ENOUGH_PARAMETERS));
    }
    let store = sim.store();
    let app = resolve(&store, &path_tail(&uri, "/applications/list/"))?;
    if level_on(&store, &caller, &app.name) < 0 {
        return Ok(sniffed_json(&json!([])));
    }
    let rows = store.history(app.id);
    let total = rows.len();
    let entries: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(index, d)| history_entry(d, total - index))
        .take(usize::try_from(count).unwrap_or(usize::MAX))
        .collect();
    Ok(sniffed_json(&Value::Array(entries)))
}

async fn start_or_stop(call: StreamCall, start: bool) -> Result<Response, ApiError> {
    let prefix = if start { "/applications/start/" } else { "/applications/stop/" };
    let app = modifiable(&call.sim, &call.caller, &path_tail(&call.uri, prefix))?;
    Ok(call
        .stream(move |sim, caller, mut out| async move {
            let mut proc = Processor::new(&sim, &caller, app.instances.clone(), app.current_deployment);
            stream::toggle(&mut proc, &mut out, &app.name, start).await;
            out.finalize().await;
        })
        .await)
}

/// `POST /applications/start/{Id}`: start the containers everywhere (nothing is stored).
pub async fn start(call: StreamCall) -> Result<Response, ApiError> {
    start_or_stop(call, true).await
}

/// `POST /applications/stop/{Id}`.
pub async fn stop(call: StreamCall) -> Result<Response, ApiError> {
    start_or_stop(call, false).await
}

/// getRevertDeployment: a deployment Id (`target` >= 0), or that many deployments before
/// the newest row (`target` < 0), whatever CurrentDeployment is.
fn revert_target(store: &Store, app: &Application, target: i64) -> Result<Deployment, ApiError> {
    if target >= 0 {
        let deployment = store.deployment(target).ok_or_else(|| app_error(UNKNOWN_DEPLOYMENT))?;
        if deployment.app_id != app.id {
            return Err(app_error(DEPLOYMENT_MISMATCH));
        }
        return Ok(deployment.clone());
    }
    let rows = store.history(app.id);
    if rows.is_empty() {
        return Err(app_error(UNKNOWN_APPLICATION));
    }
    let back = usize::try_from(target.unsigned_abs()).unwrap_or(usize::MAX);
    rows.get(back).map(|d| (*d).clone()).ok_or_else(|| app_error(NOT_ENOUGH_DEPLOYMENTS))
}

/// `PUT /applications/revert/{Id}?target=&forcePull=`: redeploy an older Command without
/// starting it; no new deployment row.
pub async fn revert(call: StreamCall) -> Result<Response, ApiError> {
    let target = int_param(&call.uri, "target", -1);
    let pull = bool_param(&call.uri, "forcePull");
    let app = modifiable(&call.sim, &call.caller, &path_tail(&call.uri, "/applications/revert/"))?;
    let deployment = revert_target(&call.sim.store(), &app, target)?;
    Ok(call
        .stream(move |sim, caller, mut out| async move {
            let mut proc = Processor::new(&sim, &caller, app.instances.clone(), deployment.id);
            let _ = stream::deploy(&mut proc, &mut out, &Deploy::of(&app, &deployment, false, pull)).await;
            out.finalize().await;
        })
        .await)
}

/// What a `PUT /applications/update/{Id}` body asks for.
struct AppUpdate {
    command: Map<String, Value>,
    add: Vec<String>,
    remove: Vec<String>,
}

fn parse_update(body: &[u8]) -> Result<AppUpdate, ApiError> {
    let json_error = |message: String| app_error(&message);
    let object = go_parse(body).and_then(|v| as_struct(&v, "struct")).map_err(json_error)?;
    let command = go_object(field(&object, "Command")).map_err(json_error)?.unwrap_or_default();
    let add = go_list(field(&object, "Add")).map_err(json_error)?.unwrap_or_default();
    let remove = go_list(field(&object, "Remove")).map_err(json_error)?.unwrap_or_default();
    let not_strings = || app_error(NOT_ENOUGH_PARAMETERS);
    Ok(AppUpdate {
        command,
        add: string_list(&add).ok_or_else(not_strings)?,
        remove: string_list(&remove).ok_or_else(not_strings)?,
    })
}

/// Instances := (Instances - Remove) + Add, without duplicates. The server sorts when it
/// removes and loses the order when it adds (a Go map); the simulator sorts both ways.
fn new_instances(current: &[String], update: &AppUpdate) -> Vec<String> {
    if update.remove.is_empty() && update.add.is_empty() {
        return current.to_vec();
    }
    let mut set: BTreeSet<String> = current.iter().filter(|i| !update.remove.contains(i)).cloned().collect();
    set.extend(update.add.iter().cloned());
    set.into_iter().collect()
}

/// `PUT /applications/update/{Id}?restart=` `{"Command","Add","Remove"}`. The instance
/// list and a new deployment row are written before anything is deployed, and stay when
/// the deployment fails. Removed instances lose their container; a new Command (or
/// `restart`) is deployed everywhere, otherwise added instances get the current
/// deployment. Update deployments always pull: without an Image nothing is deployed.
pub async fn update(call: StreamCall, body: Bytes) -> Result<Response, ApiError> {
    let restart = bool_param(&call.uri, "restart");
    let app = modifiable(&call.sim, &call.caller, &path_tail(&call.uri, "/applications/update/"))?;
    let update = parse_update(&body)?;
    let (app, deployment) = {
        let mut store = call.sim.store();
        let mut deployment = store.deployment(app.current_deployment).cloned().ok_or_else(|| app_error(NO_ROWS))?;
        let instances = new_instances(&app.instances, &update);
        let Some(row) = store.application_mut(app.id) else {
            return Err(app_error(UNKNOWN_APPLICATION));
        };
        row.instances = instances;
        let app = row.clone();
        if !update.command.is_empty() {
            deployment = store.insert_deployment(app.id, Value::Object(update.command.clone()), &call.caller.0);
        }
        (app, deployment)
    };
    let mut will_deploy = restart || !update.command.is_empty();
    let mut targets = app.instances.clone();
    if !update.add.is_empty() && !will_deploy {
        targets = update.add.clone();
        will_deploy = true;
    }
    Ok(call
        .stream(move |sim, caller, mut out| async move {
            if !update.remove.is_empty() {
                let mut proc = Processor::new(&sim, &caller, update.remove.clone(), deployment.id);
                proc.delete_containers(&mut out, &app.name, false).await;
            }
            if will_deploy {
                let mut proc = Processor::new(&sim, &caller, targets, deployment.id);
                let job = Deploy::of(&app, &deployment, restart, true);
                if let Err(NotStarted::NoImage) = stream::deploy(&mut proc, &mut out, &job).await {
                    // Nothing deployed, nothing said: the stream only finalizes.
                }
            }
            out.finalize().await;
        })
        .await)
}
