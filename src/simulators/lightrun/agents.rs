//! Agent pools, agents, tags, custom sources and actions: the `DEV` operations.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::JsonBody;
use super::handlers::{check_enum, page, pool_param, required, unique, wildcard, Params, QueryParams};
use super::store::{Kind, Object, Store};
use super::{now, Caller, Sim, SimError};

const ACTION_TYPES: &[&str] = &["LOG", "SNAPSHOT", "COUNTER_METRIC", "TICTOC_METRIC", "CUSTOM_METRIC"];
const ACTION_STATUSES: &[&str] = &["SUBMITTED", "REQUESTED", "ACCEPTED"];
const SOURCE_TYPES: &[&str] = &["CUSTOM_SOURCE", "AGENT", "TAG"];
const LOG_LEVELS: &[&str] = &["DEBUG", "INFO", "WARN", "ERROR"];
const LOG_TARGETS: &[&str] = &["PLUGIN", "STDOUT", "PROMETHEUS", "STATSD", "DYNATRACE"];

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v1/agent-pools", get(list_pools).post(create_pool))
        .route("/api/v1/agent-pools/{id}", get(get_pool).put(update_pool).delete(delete_pool))
        .route("/api/v1/agent-pools/{id}/enable-agents", put(enable_agents))
        .route("/api/v1/agent-pools/{id}/detach-agents", put(detach_agents))
        .route("/api/v1/agents", get(list_agents))
        .route("/api/v1/tags", get(list_tags))
        .route("/api/v1/custom-sources", get(list_custom_sources))
        .route("/api/v1/actions", get(list_actions))
        .route("/api/v1/actions/logs", post(create_log_action))
        .route("/api/v1/actions/snapshots", post(create_snapshot_action))
        .route("/api/v1/actions/{id}", delete(delete_action))
}

// ---------------------------------------------------------------------------------------
// Agent pools (AgentPoolPublicApiDTO)

fn pool_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Agent pool {id} not found"))
}

/// A pool as answered: `liveAgentsCount` follows its agents.
fn pool_view(store: &Store, pool: &Object) -> Value {
    let mut body = pool.body.clone();
    body["liveAgentsCount"] = json!(store.live_agents(&pool.id()).len());
    body
}

#[derive(Deserialize)]
struct PoolBody {
    name: Option<String>,
    description: Option<String>,
}

/// CreateOrUpdateAgentPoolPublicDto: `name` required, `description` at most 255
/// characters. A name another pool has is a 409: not documented for create or update,
/// assumed as the interface does (names identify pools to people and to the provider).
fn pool_fields(store: &Store, id: Option<&str>, body: PoolBody) -> Result<(String, Option<String>), SimError> {
    let name = required("name", body.name.as_deref())?.to_string();
    if body.description.as_ref().is_some_and(|d| d.chars().count() > 255) {
        return Err(SimError::bad_request("description: size must be between 0 and 255"));
    }
    if store.taken(Kind::AgentPool, "name", &name, id) {
        return Err(SimError::conflict(format!("Agent pool name '{name}' already taken")));
    }
    Ok((name, body.description))
}

async fn create_pool(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<PoolBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let mut store = sim.store();
    let (name, description) = pool_fields(&store, None, body)?;
    let id = uuid::Uuid::new_v4().to_string();
    let pool = json!({
        "id": id, "name": name, "description": description, "agentsEnabled": true,
        "createdBy": caller.name, "createdDate": now(), "liveAgentsCount": 0,
    });
    store.insert(Kind::AgentPool, pool, Map::new());
    Ok((StatusCode::CREATED, Json(pool_view(&store, store.get(Kind::AgentPool, &id).expect("stored")))))
}

async fn get_pool(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    let pool = store.get(Kind::AgentPool, &id).ok_or_else(|| pool_not_found(&id))?;
    Ok(Json(pool_view(&store, pool)))
}

/// A whole replace of name and description (an omitted description is cleared).
async fn update_pool(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PoolBody>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    store.get(Kind::AgentPool, &id).ok_or_else(|| pool_not_found(&id))?;
    let (name, description) = pool_fields(&store, Some(&id), body)?;
    let pool = store.get_mut(Kind::AgentPool, &id).expect("found");
    pool.body["name"] = json!(name);
    pool.body["description"] = json!(description);
    Ok(Json(pool_view(&store, store.get(Kind::AgentPool, &id).expect("found"))))
}

/// 204; 403 for the default pool, 409 while agents are live in it (both documented).
async fn delete_pool(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    let pool = store.get(Kind::AgentPool, &id).ok_or_else(|| pool_not_found(&id))?;
    if pool.hidden.get("default") == Some(&json!(true)) {
        return Err(SimError::forbidden("Default agent pool can not be deleted."));
    }
    if !store.live_agents(&id).is_empty() {
        return Err(SimError::conflict("There are live agents in the pool."));
    }
    // Its (detached) agents, tags and sources go with it (see `Store::remove`).
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// enable-agents / detach-agents: 204 with no body (the OpenAPI gives the 204 a DTO
/// schema, which a 204 cannot carry). Detaching disconnects the live agents: they are no
/// longer listed or counted, and the pool can be deleted; enabling lets them reconnect
/// (they come back: agents retry, a guess).
async fn set_agents_enabled(sim: &Sim, id: &str, enabled: bool) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    let pool = store.get_mut(Kind::AgentPool, id).ok_or_else(|| pool_not_found(id))?;
    pool.body["agentsEnabled"] = json!(enabled);
    Ok(StatusCode::NO_CONTENT)
}

async fn enable_agents(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    set_agents_enabled(&sim, &id, true).await
}

async fn detach_agents(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    set_agents_enabled(&sim, &id, false).await
}

const POOL_SORTS: &[&str] = &["name", "description", "createdBy", "createdDate", "agentsEnabled"];

/// "Filter agent pools by their name": a case-insensitive substring here (whether the
/// server matches exactly is not said; the interface matches exactly on its side).
async fn list_pools(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let name = params.get("name").map(str::to_lowercase);
    let store = sim.store();
    let pools: Vec<Value> = store
        .of_kind(Kind::AgentPool)
        .into_iter()
        .filter(|p| name.as_ref().is_none_or(|n| p.text("name").to_lowercase().contains(n)))
        .map(|p| pool_view(&store, p))
        .collect();
    Ok(Json(page(pools, &params, Some(POOL_SORTS))?))
}

// ---------------------------------------------------------------------------------------
// Agents, tags, custom sources (seeded; read-only through the API)

/// Objects of `kind` in the pool a list names (every pool with RBAC off).
fn in_pool<'a>(store: &'a Store, kind: Kind, pool: &Option<String>) -> Vec<&'a Object> {
    store.of_kind(kind).into_iter().filter(|o| pool.as_ref().is_none_or(|p| o.pool() == p)).collect()
}

/// "Filter agents by display name, host and process ID, or tag name" (`*` wildcard);
/// host and process ID are written `host:pid` here (the documents do not say how). Only
/// live agents are listed ("a list of all active agents", overview).
async fn list_agents(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let pool = pool_param(&sim, params.get("agentPoolId"))?;
    let name = params.get("name").map(str::to_string);
    let store = sim.store();
    let agents: Vec<Value> = in_pool(&store, Kind::Agent, &pool)
        .into_iter()
        .filter(|a| store.live_agents(a.pool()).iter().any(|live| live.id() == a.id()))
        .filter(|a| {
            name.as_ref().is_none_or(|pattern| {
                let host = format!("{}:{}", a.hidden_text("host"), a.hidden.get("pid").cloned().unwrap_or_default());
                wildcard(pattern, a.text("name"))
                    || wildcard(pattern, &host)
                    || a.hidden_list("tags").iter().any(|t| wildcard(pattern, t))
            })
        })
        .map(|a| a.body.clone())
        .collect();
    Ok(Json(page(agents, &params, None)?))
}

async fn list_named(sim: &Sim, kind: Kind, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let pool = pool_param(sim, params.get("agentPoolId"))?;
    let name = params.get("name").map(str::to_string);
    let store = sim.store();
    let items: Vec<Value> = in_pool(&store, kind, &pool)
        .into_iter()
        .filter(|o| name.as_ref().is_none_or(|pattern| wildcard(pattern, o.text("name"))))
        .map(|o| o.body.clone())
        .collect();
    Ok(Json(page(items, &params, Some(&["name"]))?))
}

async fn list_tags(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    list_named(&sim, Kind::Tag, query).await
}

async fn list_custom_sources(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    list_named(&sim, Kind::CustomSource, query).await
}

// ---------------------------------------------------------------------------------------
// Actions (ActionSummaryPublicDTO)

#[derive(Deserialize)]
struct SourceBody {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// What LogActionCreatePublicDTO and SnapshotActionCreatePublicDTO share.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionBody {
    agent_pool_id: Option<String>,
    condition: Option<String>,
    expiration_seconds: Option<i32>,
    filename: Option<String>,
    line: Option<i32>,
    source: Option<SourceBody>,
    // Log actions.
    format: Option<String>,
    log_level: Option<String>,
    targets: Option<Vec<String>>,
    // Snapshot actions.
    is_max_hit_count_distributed: Option<bool>,
    max_hit_count: Option<i32>,
    watch_expressions: Option<Vec<String>>,
}

/// The source an action names must exist (in the action's pool with RBAC): an agent by
/// id, a tag by its integer id, a custom source by id. Unknown: 400 (the create
/// operations document only 200; "invalid input" fits).
fn check_source(store: &Store, source: &SourceBody, pool: &Option<String>) -> Result<(String, String), SimError> {
    let id = required("source.id", source.id.as_deref())?.to_string();
    let kind = source.kind.clone().ok_or_else(|| SimError::bad_request("source.type: must not be null"))?;
    check_enum("source.type", std::slice::from_ref(&kind), SOURCE_TYPES)?;
    let stored = match kind.as_str() {
        "AGENT" => Kind::Agent,
        "TAG" => Kind::Tag,
        _ => Kind::CustomSource,
    };
    let found = store.get(stored, &id).filter(|o| pool.as_ref().is_none_or(|p| o.pool() == p));
    if found.is_none() {
        return Err(SimError::bad_request(format!("source: no {kind} with id {id}")));
    }
    Ok((id, kind))
}

/// createLogAction / createSnapshotAction: 200 ActionSummaryPublicDTO. Required fields
/// as the DTOs list them; `expirationSeconds` (default 3600) and `maxHitCount` (default
/// 10) must be positive (not documented). A new action is `SUBMITTED`, enabled, not
/// expired; it expires `expirationSeconds` after creation.
async fn create_action(sim: &Sim, caller: &Caller, kind: &str, body: ActionBody) -> Result<Json<Value>, SimError> {
    let filename = required("filename", body.filename.as_deref())?.to_string();
    let line = body.line.ok_or_else(|| SimError::bad_request("line: must not be null"))?;
    if line < 1 {
        return Err(SimError::bad_request("line: must be positive"));
    }
    let source = body.source.ok_or_else(|| SimError::bad_request("source: must not be null"))?;
    let expiration = body.expiration_seconds.unwrap_or(3600);
    if expiration < 1 {
        return Err(SimError::bad_request("expirationSeconds: must be positive"));
    }
    let mut hidden = Map::new();
    hidden.insert("expirationSeconds".into(), json!(expiration));
    hidden.insert("condition".into(), json!(body.condition));
    if kind == "LOG" {
        required("format", body.format.as_deref())?;
        if let Some(level) = &body.log_level {
            check_enum("logLevel", std::slice::from_ref(level), LOG_LEVELS)?;
        }
        let targets = unique(body.targets.unwrap_or_default());
        check_enum("targets", &targets, LOG_TARGETS)?;
        hidden.insert("format".into(), json!(body.format));
        hidden.insert("logLevel".into(), json!(body.log_level.unwrap_or_else(|| "INFO".into())));
        hidden.insert("targets".into(), json!(targets));
    } else {
        let hits = body.max_hit_count.unwrap_or(10);
        if hits < 1 {
            return Err(SimError::bad_request("maxHitCount: must be positive"));
        }
        hidden.insert("maxHitCount".into(), json!(hits));
        hidden.insert("isMaxHitCountDistributed".into(), json!(body.is_max_hit_count_distributed.unwrap_or(false)));
        hidden.insert("watchExpressions".into(), json!(body.watch_expressions.unwrap_or_default()));
    }
    let pool = pool_param(sim, body.agent_pool_id.as_deref())?;
    let mut store = sim.store();
    let (source_id, source_type) = check_source(&store, &source, &pool)?;
    // With RBAC off the action belongs to its source's pool.
    let pool = match pool {
        Some(pool) => pool,
        None => {
            let stored = match source_type.as_str() {
                "AGENT" => Kind::Agent,
                "TAG" => Kind::Tag,
                _ => Kind::CustomSource,
            };
            store.get(stored, &source_id).map(|o| o.pool().to_string()).unwrap_or_default()
        }
    };
    hidden.insert("pool".into(), json!(pool));
    hidden.insert("resultsExist".into(), json!(false));
    let action = json!({
        "id": uuid::Uuid::new_v4().to_string(), "actionType": kind, "createdAt": now(), "createdBy": caller.name,
        "enabled": true, "expired": false, "hasErrors": false, "line": line, "location": filename,
        "source": {"id": source_id, "type": source_type}, "status": "SUBMITTED",
    });
    Ok(Json(store.insert(Kind::Action, action, hidden)))
}

async fn create_log_action(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<ActionBody>,
) -> Result<Json<Value>, SimError> {
    create_action(&sim, &caller, "LOG", body).await
}

async fn create_snapshot_action(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<ActionBody>,
) -> Result<Json<Value>, SimError> {
    create_action(&sim, &caller, "SNAPSHOT", body).await
}

/// An action as answered: `expired` once its lifetime has passed.
fn action_view(action: &Object, now: time::OffsetDateTime) -> Value {
    let mut body = action.body.clone();
    let lifetime = action.hidden.get("expirationSeconds").and_then(Value::as_i64).unwrap_or(3600);
    let expired = crate::timestamp::parse_rfc3339(action.text("createdAt"))
        .is_none_or(|created| created.checked_add(time::Duration::seconds(lifetime)).is_some_and(|end| end <= now));
    if expired {
        body["expired"] = json!(true);
    }
    body
}

/// listActions with every documented filter. Dates compare on the UTC day of
/// `createdAt`, both ends inclusive (not said). Expired actions are still listed (there
/// is a filter for them).
async fn list_actions(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let pool = pool_param(&sim, params.get("agentPoolId"))?;
    let action_type = params.one_of("actionType", ACTION_TYPES)?;
    let status = params.one_of("status", ACTION_STATUSES)?;
    let after = params.date("createdAtAfter")?;
    let before = params.date("createdAtBefore")?;
    let created_by = params.get("createdBy").map(str::to_string);
    let filename = params.get("filename").map(str::to_string);
    let flags = [
        ("enabled", params.flag("enabled")?),
        ("expired", params.flag("expired")?),
        ("hasErrors", params.flag("hasErrors")?),
    ];
    let results_exist = params.flag("resultsExist")?;
    let now = time::OffsetDateTime::now_utc();
    let store = sim.store();
    let actions: Vec<Value> = in_pool(&store, Kind::Action, &pool)
        .into_iter()
        .filter(|a| results_exist.is_none_or(|want| a.hidden.get("resultsExist") == Some(&json!(want))))
        .map(|a| action_view(a, now))
        .filter(|a| {
            let text = |key: &str| a.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
            let day = text("createdAt").get(..10).unwrap_or_default().to_string();
            action_type.as_ref().is_none_or(|t| text("actionType") == *t)
                && status.as_ref().is_none_or(|s| text("status") == *s)
                && after.as_ref().is_none_or(|d| day >= *d)
                && before.as_ref().is_none_or(|d| day <= *d)
                && created_by.as_ref().is_none_or(|c| text("createdBy").eq_ignore_ascii_case(c))
                && filename.as_ref().is_none_or(|f| wildcard(f, &text("location")))
                && flags.iter().all(|(key, want)| want.is_none_or(|w| a.get(*key) == Some(&json!(w))))
        })
        .collect();
    Ok(Json(page(actions, &params, Some(&["location", "line", "createdAt"]))?))
}

/// deleteAction: 204; 404 for an unknown action, or one outside the named pool.
async fn delete_action(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    query: QueryParams,
) -> Result<StatusCode, SimError> {
    let params = Params::from(query)?;
    let pool = pool_param(&sim, params.get("agentPoolId"))?;
    let mut store = sim.store();
    let found = store.get(Kind::Action, &id).is_some_and(|a| pool.as_ref().is_none_or(|p| a.pool() == p));
    if !found {
        return Err(SimError::not_found(format!("Action {id} not found")));
    }
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}
