//! Unit tests of the resource engine, with an API double.

use super::*;
use crate::engine::api::ApiRequest;
use crate::engine::api::ApiResponse;
use crate::engine::diag::AttrPath;
use crate::engine::schema::{Codec, Semantic};
use std::sync::Mutex;

type Answer = Box<dyn Fn(&ApiRequest) -> Result<J, ApiError> + Send + Sync>;

/// An API double answering from a closure and recording every request.
pub(crate) struct FakeApi {
    pub log: Mutex<Vec<ApiRequest>>,
    pub answer: Answer,
}

#[async_trait::async_trait]
impl Api for FakeApi {
    async fn call(&self, req: ApiRequest, _: &CancellationToken) -> Result<crate::engine::api::ApiResponse, ApiError> {
        let r = (self.answer)(&req);
        if let Ok(mut l) = self.log.lock() {
            l.push(req);
        }
        r.map(ApiResponse::ok)
    }
}

pub(crate) fn ctx_with(
    answer: impl Fn(&ApiRequest) -> Result<J, ApiError> + Send + Sync + 'static,
    provider_config: Value,
) -> (Ctx, Arc<FakeApi>) {
    let api = Arc::new(FakeApi { log: Mutex::new(vec![]), answer: Box::new(answer) });
    (Ctx { api: api.clone(), provider_config, cancel: CancellationToken::new() }, api)
}

fn widget() -> ResourceDef {
    ResourceDef::new(
        "test_widget",
        "widget",
        "{scope}/{uuid}",
        RestSpec {
            collection: "/scopes/{scope}/widgets",
            item: "/scopes/{scope}/widgets/{uuid}",
            list_key: "widgets",
            name_query: Some("name"),
            list_all: &[],
            update_method: Some(Method::Put),
            update_selectors: &[],
            async_states: None,
            etag_json: None,
        },
    )
    .fields(vec![
        Field::string("scope").default_from_provider("default_scope").replace().api_create("scope", Codec::Plain),
        Field::string("name").required().api_create("name", Codec::Plain),
        Field::string("size").required().semantic(Semantic::ByteSize).api_mutable("size", Codec::SizeBytes),
        Field::string("keep_for")
            .optional()
            .replace()
            .semantic(Semantic::Duration)
            .api_create("keepFor", Codec::DurationSeconds),
        Field::bool("flag").default(Value::Bool(false)).api_mutable("flag", Codec::BoolString),
        Field::string("uuid").computed().api("UUID", Codec::Plain),
        Field::string("status").computed_volatile().api("status", Codec::Plain),
    ])
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut v = Value::Object(Default::default());
    for (k, x) in pairs {
        v.set(k, x.clone());
    }
    v
}

fn provider_cfg() -> Value {
    obj(&[("default_scope", Value::str("s1"))])
}

#[test]
fn create_plan_fills_defaults_and_marks_computed_unknown() {
    let (ctx, _) = ctx_with(|_| Ok(J::Null), provider_cfg());
    let config = obj(&[("name", Value::str("w")), ("size", Value::str("1GiB"))]);
    let (planned, replace) = widget().plan(&ctx.provider_config, &Value::Null, &config, &config).unwrap();
    assert!(replace.is_empty());
    assert_eq!(planned.get("scope"), &Value::str("s1"));
    assert_eq!(planned.get("flag"), &Value::Bool(false));
    assert!(planned.get("uuid").is_unknown() && planned.get("status").is_unknown() && planned.get("id").is_unknown());
    assert_eq!(planned.get("size"), &Value::str("1GiB"), "the configured spelling is kept");
}

#[test]
fn missing_provider_default_points_at_the_attribute() {
    let (ctx, _) = ctx_with(|_| Ok(J::Null), Value::Null);
    let config = obj(&[("name", Value::str("w")), ("size", Value::str("1GiB"))]);
    let d = widget().plan(&ctx.provider_config, &Value::Null, &config, &config).unwrap_err();
    assert_eq!(d.0[0].path, Some(AttrPath::attr("scope")));
}

fn prior() -> Value {
    obj(&[
        ("id", Value::str("s1/u1")),
        ("scope", Value::str("s1")),
        ("name", Value::str("w")),
        ("size", Value::str("1GiB")),
        ("keep_for", Value::str("24h")),
        ("flag", Value::Bool(false)),
        ("uuid", Value::str("u1")),
        ("status", Value::str("ok")),
    ])
}

#[test]
fn update_plans_keep_stable_values_and_flag_replacements() {
    let (ctx, _) = ctx_with(|_| Ok(J::Null), provider_cfg());
    let w = widget();
    let p = prior();
    let mut config = p.clone();
    for k in ["id", "uuid", "status"] {
        config.set(k, Value::Null);
    }
    // Nothing changed: the plan is the prior state.
    let (planned, replace) = w.plan(&ctx.provider_config, &p, &p, &config).unwrap();
    assert_eq!(planned, p);
    assert!(replace.is_empty());

    // An in-place change: volatile computed values become unknown, stable ones stay.
    let mut proposed = p.clone();
    proposed.set("size", Value::str("2GiB"));
    let (planned, replace) = w.plan(&ctx.provider_config, &p, &proposed, &config).unwrap();
    assert!(replace.is_empty());
    assert!(planned.get("status").is_unknown());
    assert_eq!(planned.get("uuid"), &Value::str("u1"));
    assert_eq!(planned.get("id"), &Value::str("s1/u1"));

    // Same duration, other spelling: no replacement. Different duration: replacement.
    let mut same = p.clone();
    same.set("keep_for", Value::str("86400s"));
    assert!(w.plan(&ctx.provider_config, &p, &same, &config).unwrap().1.is_empty());
    let mut other = p.clone();
    other.set("keep_for", Value::str("48h"));
    assert_eq!(w.plan(&ctx.provider_config, &p, &other, &config).unwrap().1, vec![AttrPath::attr("keep_for")]);
}

#[test]
fn api_answers_keep_the_users_spelling_when_equal() {
    let w = widget();
    let api = serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "1073741824", "keepFor": "86400s", "flag": "false", "status": "ok"});
    let s = w.state_from_api(&prior(), &api).unwrap();
    assert_eq!(s.get("size"), &Value::str("1GiB"));
    assert_eq!(s.get("keep_for"), &Value::str("24h"));
    assert_eq!(s.get("id"), &Value::str("s1/u1"));
    // Drift is reported in the API's terms.
    let drift = serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "2147483648", "flag": "true"});
    let s = w.state_from_api(&prior(), &drift).unwrap();
    assert_eq!(s.get("size"), &Value::str("2GiB"));
    assert_eq!(s.get("flag"), &Value::Bool(true));
}

#[tokio::test]
async fn update_sends_only_what_changed_with_if_match() {
    let (ctx, api) = ctx_with(
        |req| {
            Ok(match req.method {
                Method::Get => {
                    serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "2147483648", "keepFor": "86400s", "flag": "false", "status": "ok"})
                }
                _ => serde_json::json!({}),
            })
        },
        provider_cfg(),
    );
    let mut planned = prior();
    planned.set("size", Value::str("2GiB"));
    planned.set("status", Value::Unknown);
    let (state, _, d) = widget().update(&ctx, &prior(), &planned, Some("7".into())).await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(state.get("size"), &Value::str("2GiB"));
    assert_eq!(state.get("status"), &Value::str("ok"));
    let log = api.log.lock().unwrap();
    let put = log.iter().find(|r| r.method == Method::Put).expect("a PUT");
    assert_eq!(put.path, "/scopes/s1/widgets/u1");
    assert_eq!(put.if_match.as_deref(), Some("7"));
    assert_eq!(put.json(), Some(&serde_json::json!({"size": "2147483648"})));
}

fn post_count(api: &FakeApi) -> usize {
    api.log.lock().unwrap().iter().filter(|r| r.method == Method::Post).count()
}

fn widget_planned() -> Value {
    obj(&[
        ("scope", Value::str("s1")),
        ("name", Value::str("w")),
        ("size", Value::str("1GiB")),
        ("flag", Value::Bool(false)),
        ("uuid", Value::Unknown),
        ("status", Value::Unknown),
        ("id", Value::Unknown),
    ])
}

#[tokio::test]
async fn lost_create_answer_is_reconciled_by_name() {
    let stored = serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "1073741824", "flag": "false", "status": "ok"});
    // The POST lands but its answer is lost; the lookup finds the object: adopted.
    let found = stored.clone();
    let (ctx, api) = ctx_with(
        move |req| match req.method {
            Method::Post => Err(ApiError::Ambiguous("connection reset".into())),
            _ if req.path.ends_with("/widgets") => Ok(serde_json::json!({"widgets": [found.clone()]})),
            _ => Ok(found.clone()),
        },
        provider_cfg(),
    );
    let (state, _, d) = widget().create(&ctx, &widget_planned()).await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(state.unwrap().get("id"), &Value::str("s1/u1"));
    assert_eq!(post_count(&api), 1, "never sent twice once it landed");

    // Found but different from the plan: not adopted.
    let mut other = stored.clone();
    other["size"] = serde_json::json!("2147483648");
    let (ctx, _) = ctx_with(
        move |req| match req.method {
            Method::Post => Err(ApiError::Ambiguous("timeout".into())),
            _ => Ok(serde_json::json!({"widgets": [other.clone()]})),
        },
        provider_cfg(),
    );
    let (state, _, d) = widget().create(&ctx, &widget_planned()).await;
    assert!(state.is_none());
    assert!(d.0[0].summary.contains("already exists and differs"), "{d}");

    // Not found: the first request never landed, one more is safe.
    let posts = Arc::new(Mutex::new(0));
    let p2 = posts.clone();
    let (ctx, api) = ctx_with(
        move |req| match req.method {
            Method::Post => {
                let mut n = p2.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    Err(ApiError::Ambiguous("reset".into()))
                } else {
                    Ok(stored.clone())
                }
            }
            _ if req.path.ends_with("/widgets") => Ok(serde_json::json!({"widgets": []})),
            _ => Ok(stored.clone()),
        },
        provider_cfg(),
    );
    let (state, _, d) = widget().create(&ctx, &widget_planned()).await;
    assert!(d.is_empty(), "{d}");
    assert!(state.is_some());
    assert_eq!(post_count(&api), 2);
}

#[test]
fn id_templates_render_and_parse() {
    let mut v = Value::Null;
    v.set("project_name", Value::str("p 1"));
    v.set("uuid", Value::str("u1"));
    assert_eq!(render("/projects/{project_name}/volumes/{uuid}", &v, true).unwrap(), "/projects/p%201/volumes/u1");
    assert_eq!(render("{project_name}/{uuid}", &v, false).unwrap(), "p 1/u1");
    assert!(render("{missing}", &v, false).is_none());
    assert_eq!(
        parse_template("{project_name}/{uuid}", "default/abc").unwrap(),
        vec![("project_name".into(), "default".into()), ("uuid".into(), "abc".into())]
    );
    assert!(parse_template("{project_name}/{uuid}", "abc").is_none());
    assert!(parse_template("{project_name}/{uuid}", "/abc").is_none());
    assert!(parse_template("{name}", "a/b").is_none());
}
