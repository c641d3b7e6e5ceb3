//! Unit tests of the resource engine, with an API double.

use super::*;
use crate::engine::api::{ApiRequest, ApiResponse, Method};
use crate::engine::diag::AttrPath;
use crate::engine::mapping::state_from_api;
use crate::engine::schema::{Codec, Semantic};
use serde_json::json;
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
        let req_method = req.method;
        if let Ok(mut l) = self.log.lock() {
            l.push(req);
        }
        // Creates answer 201, as REST APIs do.
        let status = if matches!(req_method, Method::Post) { 201 } else { 200 };
        r.map(|body| ApiResponse { status, ..ApiResponse::ok(body) })
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
    let item = "/scopes/{scope}/widgets/{uuid}";
    ResourceDef::new(
        "test_widget",
        "widget",
        "{scope}/{uuid}",
        Operations::crud(
            Op::post("/scopes/{scope}/widgets"),
            Op::get(item),
            Some(UpdateOp::patch(Op::put(item))),
            Op::delete(item),
        )
        .lookup(
            &["name"],
            Some(ListSpec::new(Op::get("/scopes/{scope}/widgets").query(&[("name", "{name}")]), "widgets")),
        )
        .etag("ETag"),
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

/// Plans with the widget; `Err` carries the diagnostics of a refused plan.
fn plan_of(
    r: &dyn Resource,
    provider: &Value,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> Result<(Value, Vec<AttrPath>), Diagnostics> {
    let out = r.plan(PlanRequest { provider_config: provider, prior, proposed, config, private: Private::default() });
    if out.diags.has_errors() {
        return Err(out.diags);
    }
    Ok((out.planned, out.requires_replace))
}

async fn create_with(r: &dyn Resource, ctx: &Ctx, planned: &Value, config: &Value) -> ApplyResponse {
    r.create(ctx, ApplyRequest { prior: &Value::Null, planned, config, private: Private::default() }).await
}

#[test]
fn create_plan_fills_defaults_and_marks_computed_unknown() {
    let (ctx, _) = ctx_with(|_| Ok(J::Null), provider_cfg());
    let config = obj(&[("name", Value::str("w")), ("size", Value::str("1GiB"))]);
    let (planned, replace) = plan_of(&widget(), &ctx.provider_config, &Value::Null, &config, &config).unwrap();
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
    let d = plan_of(&widget(), &ctx.provider_config, &Value::Null, &config, &config).unwrap_err();
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
    let (planned, replace) = plan_of(&w, &ctx.provider_config, &p, &p, &config).unwrap();
    assert_eq!(planned, p);
    assert!(replace.is_empty());

    // An in-place change: volatile computed values become unknown, stable ones stay.
    let mut proposed = p.clone();
    proposed.set("size", Value::str("2GiB"));
    let (planned, replace) = plan_of(&w, &ctx.provider_config, &p, &proposed, &config).unwrap();
    assert!(replace.is_empty());
    assert!(planned.get("status").is_unknown());
    assert_eq!(planned.get("uuid"), &Value::str("u1"));
    assert_eq!(planned.get("id"), &Value::str("s1/u1"));

    // Same duration, other spelling: no replacement. Different duration: replacement.
    let mut same = p.clone();
    same.set("keep_for", Value::str("86400s"));
    assert!(plan_of(&w, &ctx.provider_config, &p, &same, &config).unwrap().1.is_empty());
    let mut other = p.clone();
    other.set("keep_for", Value::str("48h"));
    assert_eq!(plan_of(&w, &ctx.provider_config, &p, &other, &config).unwrap().1, vec![AttrPath::attr("keep_for")]);
}

#[test]
fn api_answers_keep_the_users_spelling_when_equal() {
    let w = widget();
    let api = serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "1073741824", "keepFor": "86400s", "flag": "false", "status": "ok"});
    let s = state_from_api(&w.schema.fields, &prior(), &api).unwrap();
    assert_eq!(s.get("size"), &Value::str("1GiB"));
    assert_eq!(s.get("keep_for"), &Value::str("24h"));
    // Drift is reported in the API's terms.
    let drift = serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "2147483648", "flag": "true"});
    let s = state_from_api(&w.schema.fields, &prior(), &drift).unwrap();
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
    let out = widget()
        .update(
            &ctx,
            ApplyRequest {
                prior: &prior(),
                planned: &planned,
                config: &Value::Null,
                private: Private::with_etag(Some("7".into())),
            },
        )
        .await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    let state = out.state.unwrap();
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
    let out = create_with(&widget(), &ctx, &widget_planned(), &Value::Null).await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    assert_eq!(out.state.unwrap().get("id"), &Value::str("s1/u1"));
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
    let out = create_with(&widget(), &ctx, &widget_planned(), &Value::Null).await;
    assert!(out.state.is_none());
    assert!(out.diags.0[0].summary.contains("already exists and differs"), "{}", out.diags);

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
    let out = create_with(&widget(), &ctx, &widget_planned(), &Value::Null).await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    assert!(out.state.is_some());
    assert_eq!(post_count(&api), 2);
}

#[tokio::test]
async fn a_server_error_after_commit_is_reconciled_not_orphaned() {
    let stored =
        json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "1073741824", "flag": "false", "status": "ok"});
    let (ctx, api) = ctx_with(
        move |req| match req.method {
            Method::Post => Err(ApiError::Status { status: 500, message: "internal".into() }),
            _ if req.path.ends_with("/widgets") => Ok(json!({"widgets": [stored.clone()]})),
            _ => Ok(stored.clone()),
        },
        provider_cfg(),
    );
    let out = create_with(&widget(), &ctx, &widget_planned(), &Value::Null).await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    assert_eq!(out.state.unwrap().get("uuid"), &Value::str("u1"));
    assert_eq!(post_count(&api), 1);
}

#[tokio::test]
async fn an_unmappable_create_answer_still_keeps_the_object_in_state() {
    // The API answers a flag Terraform cannot read: the object exists, so it is kept
    // (tainted) with what addresses it rather than orphaned.
    let (ctx, _) =
        ctx_with(|_| Ok(json!({"UUID": "u9", "scope": "s1", "name": "w", "flag": "perhaps"})), provider_cfg());
    let out = create_with(&widget(), &ctx, &widget_planned(), &Value::Null).await;
    assert!(out.diags.has_errors());
    let state = out.state.expect("kept in state");
    assert_eq!(state.get("id"), &Value::str("s1/u9"));
}

/// A Lighthouse-like entity: created by POST to one path, read by filtering a bare list,
/// its token sent as a bare JSON string to its own route, and no delete at all.
fn beacon() -> ResourceDef {
    ResourceDef::new(
        "test_beacon",
        "beacon",
        "{address...}",
        Operations::crud(
            Op::post("/beacons/create"),
            Op::get("/unused"),
            Some(UpdateOp { op: None, style: UpdateStyle::Patch, toggles: vec![], per_field: vec![] }),
            Op::delete("/unused"),
        )
        .read(ReadOp::FromList { list: ListSpec::new(Op::get("/beacons/list"), ""), key: &["address"] })
        .lookup(&["address"], Some(ListSpec::new(Op::get("/beacons/list"), "")))
        .delete(DeleteOp::StateOnly { before: None, warning: "The beacon {address} stays registered on the server." }),
    )
    .fields(vec![
        Field::string("address").required().replace().api_create("Address", Codec::Plain),
        Field::string("alias").required().replace().api_create("Alias", Codec::Plain),
        Field::string("token_wo").sent_when_changed("token_wo_version").api_create("Token", Codec::Plain),
        Field::number("token_wo_version").optional(),
    ])
}

fn beacon_with_token_route() -> ResourceDef {
    let mut b = beacon();
    if let Some(u) = b.ops.update.as_mut() {
        u.per_field.push(("token_wo", Op::put("/beacons/token/{address...}").body(BodyShape::Attr("token_wo"))));
    }
    b
}

#[tokio::test]
async fn read_from_a_bare_list_and_write_only_secrets_from_config() {
    let (ctx, api) = ctx_with(
        |req| match (req.method, req.path.as_str()) {
            (Method::Get, "/beacons/list") => Ok(json!([{"Address": "10.0.0.1:5001/v1.12", "Alias": "b1"}])),
            _ => Ok(J::Null),
        },
        Value::Null,
    );
    let b = beacon_with_token_route();
    let planned = obj(&[
        ("address", Value::str("10.0.0.1:5001/v1.12")),
        ("alias", Value::str("b1")),
        ("token_wo", Value::Null),
        ("token_wo_version", Value::int(1)),
        ("id", Value::Unknown),
    ]);
    let config = obj(&[("token_wo", Value::str("t0k3n"))]);
    let out = create_with(&b, &ctx, &planned, &config).await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    let state = out.state.unwrap();
    assert_eq!(state.get("id"), &Value::str("10.0.0.1:5001/v1.12"));
    assert!(state.get("token_wo").is_null(), "write-only values never reach state");
    let post = api.log.lock().unwrap().iter().find(|r| r.method == Method::Post).cloned().unwrap();
    assert_eq!(post.json(), Some(&json!({"Address": "10.0.0.1:5001/v1.12", "Alias": "b1", "Token": "t0k3n"})));

    // Rotation: a new version re-sends the secret, as a bare JSON string, to its route.
    let mut bumped = state.clone();
    bumped.set("token_wo_version", Value::int(2));
    let out = b
        .update(&ctx, ApplyRequest { prior: &state, planned: &bumped, config: &config, private: Private::default() })
        .await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    let put = api.log.lock().unwrap().iter().find(|r| r.method == Method::Put).cloned().unwrap();
    assert_eq!(put.path, "/beacons/token/10.0.0.1%3A5001%2Fv1.12");
    assert_eq!(put.json(), Some(&json!("t0k3n")));

    // Gone from the list means gone.
    let (empty, _) = ctx_with(|_| Ok(json!([])), Value::Null);
    let read = b.read(&empty, ReadRequest { current: &state, private: Private::default() }).await;
    assert!(read.state.is_none() && read.diags.is_empty());
}

#[tokio::test]
async fn state_only_delete_warns_at_plan_time_and_at_destroy() {
    let b = beacon();
    let prior = obj(&[("address", Value::str("a:1")), ("alias", Value::str("x")), ("id", Value::str("a:1"))]);
    let plan = b.plan(PlanRequest {
        provider_config: &Value::Null,
        prior: &prior,
        proposed: &Value::Null,
        config: &Value::Null,
        private: Private::default(),
    });
    assert!(!plan.diags.has_errors());
    assert!(plan.diags.0.iter().any(|d| d.detail.contains("a:1 stays registered")), "{}", plan.diags);
    let (ctx, api) = ctx_with(|_| Ok(J::Null), Value::Null);
    let out = b.delete(&ctx, DeleteRequest { prior: &prior, private: Private::default() }).await;
    assert!(!out.diags.has_errors());
    assert_eq!(out.diags.0.len(), 1, "one warning");
    assert!(api.log.lock().unwrap().is_empty(), "no API call for a state-only delete");
}

/// An update-only singleton with an enable/disable pair of endpoints.
fn settings() -> ResourceDef {
    ResourceDef::new(
        "test_settings",
        "settings",
        "settings",
        Operations::crud(
            Op::get("/unused"),
            Op::get("/settings"),
            Some(UpdateOp::replace(Op::put("/settings"))),
            Op::delete("/unused"),
        )
        .create(CreateOp::Adopt)
        .delete(DeleteOp::AsUpdate(Op::put("/settings").body(BodyShape::Literal(r#"{"host": ""}"#)))),
    )
    .fields(vec![
        Field::string("host").required().api_mutable("host", Codec::Plain),
        Field::number("port").optional_computed().api_mutable("port", Codec::Plain),
        Field::bool("enabled").optional_computed().api("enabled", Codec::Plain),
    ])
}

fn settings_with_toggle() -> ResourceDef {
    let mut s = settings();
    if let Some(u) = s.ops.update.as_mut() {
        u.toggles.push(Toggle {
            attr: "enabled",
            on: Op::new(Method::Put, "/settings/enable"),
            off: Op::new(Method::Put, "/settings/disable"),
        });
    }
    s
}

#[tokio::test]
async fn singletons_are_adopted_updated_whole_and_toggled() {
    let current = Arc::new(Mutex::new(json!({"host": "old", "port": 25, "enabled": false})));
    let store = current.clone();
    let (ctx, api) = ctx_with(
        move |req| {
            let mut cur = store.lock().unwrap();
            match (req.method, req.path.as_str()) {
                (Method::Put, "/settings") => *cur = req.json().cloned().unwrap_or_default(),
                (Method::Put, "/settings/enable") => cur["enabled"] = json!(true),
                _ => {}
            }
            Ok(cur.clone())
        },
        Value::Null,
    );
    let s = settings_with_toggle();
    let planned = obj(&[
        ("host", Value::str("new")),
        ("port", Value::Unknown),
        ("enabled", Value::Bool(true)),
        ("id", Value::str("settings")),
    ]);
    let out = create_with(&s, &ctx, &planned, &Value::Null).await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    let state = out.state.unwrap();
    assert_eq!(state.get("host"), &Value::str("new"));
    assert_eq!(state.get("port"), &Value::int(25), "a replacing update sends the fields it does not change too");
    assert_eq!(state.get("enabled"), &Value::Bool(true));
    let log = api.log.lock().unwrap();
    assert!(!log.iter().any(|r| r.method == Method::Post), "a singleton is never created");
    assert_eq!(
        log.iter().find(|r| r.path == "/settings" && r.method == Method::Put).unwrap().json(),
        Some(&json!({"host": "new", "port": 25}))
    );
    assert!(log.iter().any(|r| r.path == "/settings/enable"));
}

#[tokio::test]
async fn a_half_applied_update_returns_what_the_api_holds_now() {
    let current = Arc::new(Mutex::new(json!({"host": "old", "port": 25, "enabled": false})));
    let store = current.clone();
    let (ctx, _) = ctx_with(
        move |req| {
            let mut cur = store.lock().unwrap();
            match (req.method, req.path.as_str()) {
                (Method::Put, "/settings") => *cur = req.json().cloned().unwrap_or_default(),
                (Method::Put, "/settings/enable") => {
                    return Err(ApiError::Status { status: 403, message: "no".into() })
                }
                _ => {}
            }
            Ok(cur.clone())
        },
        Value::Null,
    );
    let s = settings_with_toggle();
    let prior = obj(&[
        ("host", Value::str("old")),
        ("port", Value::int(25)),
        ("enabled", Value::Bool(false)),
        ("id", Value::str("settings")),
    ]);
    let mut planned = prior.clone();
    planned.set("host", Value::str("new"));
    planned.set("enabled", Value::Bool(true));
    let out = s
        .update(
            &ctx,
            ApplyRequest { prior: &prior, planned: &planned, config: &Value::Null, private: Private::default() },
        )
        .await;
    assert!(out.diags.has_errors());
    let state = out.state.unwrap();
    assert_eq!(state.get("host"), &Value::str("new"), "the applied part is recorded");
    assert_eq!(state.get("enabled"), &Value::Bool(false), "the failed part is not");
}

#[test]
fn import_ids_are_checked_before_any_api_call() {
    let mut w = widget();
    w.schema
        .fields
        .iter_mut()
        .filter(|f| f.name == "uuid")
        .for_each(|f| f.validators.push(crate::engine::schema::Validator::Uuid));
    let e = w.import_key("proj/not-a-uuid").unwrap_err();
    assert!(e.0[0].detail.contains("uuid part"), "{e}");
    assert!(w.import_key("proj").unwrap_err().0[0].detail.contains("{scope}/{uuid}"));
    let ok = w.import_key("proj/3fa85f64-5717-4562-b3fc-2c963f66afa6").unwrap();
    assert_eq!(ok.get("scope"), &Value::str("proj"));
}

#[test]
fn sensitive_values_stay_out_of_conflict_and_mismatch_messages() {
    let f = Field::string("password").optional().sensitive().api_mutable("password", Codec::Plain);
    assert_eq!(crate::engine::mapping::redacted(&f, "hunter2"), "(sensitive value)");
}

/// A Luminate-like application: created, then bound to a site by a second request.
fn application() -> ResourceDef {
    ResourceDef::new(
        "test_application",
        "application",
        "{id_attr}",
        Operations::crud(
            Op::post("/applications"),
            Op::get("/applications/{id_attr}"),
            Some(UpdateOp::patch(Op::put("/applications/{id_attr}"))),
            Op::delete("/applications/{id_attr}"),
        )
        .create(CreateOp::Steps {
            first: Op::post("/applications").ok(&[201]),
            then: vec![Step {
                name: "bind",
                op: Op::new(Method::Put, "/applications/{id_attr}/site-binding/{site_id}").ok(&[200]),
            }],
        })
        .lookup(&["name"], Some(ListSpec::new(Op::get("/applications").query(&[("filter", "{name}")]), "content"))),
    )
    .fields(vec![
        Field::string("name").required().api_mutable("name", Codec::Plain),
        Field::string("site_id").required().replace(),
        Field::string("id_attr").computed().api("id", Codec::Plain),
    ])
}

#[tokio::test]
async fn a_multi_step_create_keeps_its_progress_and_finishes_on_the_next_update() {
    let binds = Arc::new(Mutex::new(0));
    let counter = binds.clone();
    let fail_bind = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let failing = fail_bind.clone();
    let app = json!({"id": "a1", "name": "web"});
    let (ctx, api) = ctx_with(
        move |req| match (req.method, req.path.as_str()) {
            (Method::Post, _) => Ok(app.clone()),
            (Method::Put, p) if p.ends_with("/site-binding/s1") => {
                *counter.lock().unwrap() += 1;
                if failing.load(std::sync::atomic::Ordering::SeqCst) {
                    Err(ApiError::Status { status: 400, message: "site not in the collection".into() })
                } else {
                    Ok(J::Null)
                }
            }
            _ => Ok(app.clone()),
        },
        Value::Null,
    );
    let a = application();
    let planned = obj(&[
        ("name", Value::str("web")),
        ("site_id", Value::str("s1")),
        ("id_attr", Value::Unknown),
        ("id", Value::Unknown),
    ]);
    let out = create_with(&a, &ctx, &planned, &Value::Null).await;
    assert!(out.diags.has_errors());
    assert!(out.diags.0.iter().any(|d| d.summary.contains("created, but not completed")), "{}", out.diags);
    let state = out.state.expect("the created application is kept, not orphaned");
    assert_eq!(state.get("id_attr"), &Value::str("a1"));
    assert_eq!(out.private.progress.get("created"), Some(&J::Bool(true)));
    assert_eq!(out.private.progress.get("bind"), None);

    // After `terraform untaint`, an update runs only the missing step.
    fail_bind.store(false, std::sync::atomic::Ordering::SeqCst);
    let out = a
        .update(&ctx, ApplyRequest { prior: &state, planned: &state, config: &Value::Null, private: out.private })
        .await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    assert_eq!(out.private.progress.get("bind"), Some(&J::Bool(true)));
    assert_eq!(*binds.lock().unwrap(), 2, "one failed bind, one that finished the job");
    assert_eq!(post_count(&api), 1, "the application was never created twice");
    // Progress survives Terraform's private-state round trip.
    assert_eq!(Private::decode(&out.private.encode()), out.private);
}

/// Lightrun's user, declared as the interface describes it: keyed by email, every
/// update sends all three updatable fields, `enabled` through enable/disable endpoints
/// (also right after the create when the plan says disabled).
fn lightrun_user() -> ResourceDef {
    let item = "/api/v1/users/{email}";
    ResourceDef::new(
        "lightrun_user",
        "user",
        "{email}",
        Operations::crud(
            Op::post("/api/v1/users").ok(&[201]),
            Op::get(item),
            Some(UpdateOp::replace(Op::put(item)).toggle(Toggle {
                attr: "enabled",
                on: Op::new(Method::Put, "/api/v1/users/{email}/enable"),
                off: Op::new(Method::Put, "/api/v1/users/{email}/disable"),
            })),
            Op::delete(item),
        )
        .lookup(&["email"], None),
    )
    .fields(vec![
        Field::string("email").required().replace().api_create("email", Codec::Plain),
        Field::string("first_name").required().api_mutable("firstName", Codec::Plain),
        Field::string("last_name").required().api_mutable("lastName", Codec::Plain),
        Field::new("roles", crate::engine::value::Type::set(crate::engine::value::Type::String))
            .optional_computed()
            .semantic(Semantic::UnorderedStrings)
            .api_mutable("roles", Codec::Plain),
        Field::bool("enabled").default(Value::Bool(true)).api("enabled", Codec::Plain),
        Field::string("user_id").computed().api("id", Codec::Plain),
    ])
}

#[tokio::test]
async fn a_user_created_disabled_is_disabled_right_after_the_create() {
    let stored = Arc::new(Mutex::new(json!({})));
    let store = stored.clone();
    let (ctx, api) = ctx_with(
        move |req| {
            let mut cur = store.lock().unwrap();
            match (req.method, req.path.as_str()) {
                (Method::Post, _) => {
                    *cur = req.json().cloned().unwrap_or_default();
                    cur["enabled"] = json!(true);
                    cur["id"] = json!("u-1");
                }
                (Method::Put, p) if p.ends_with("/disable") => cur["enabled"] = json!(false),
                _ => {}
            }
            Ok(cur.clone())
        },
        Value::Null,
    );
    let u = lightrun_user();
    assert_eq!(u.declaration_errors(), Vec::<String>::new());
    let planned = obj(&[
        ("email", Value::str("a@example.com")),
        ("first_name", Value::str("A")),
        ("last_name", Value::str("B")),
        ("roles", Value::Unknown),
        ("enabled", Value::Bool(false)),
        ("user_id", Value::Unknown),
        ("id", Value::str("a@example.com")),
    ]);
    let out = create_with(&u, &ctx, &planned, &Value::Null).await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    let state = out.state.unwrap();
    assert_eq!(state.get("enabled"), &Value::Bool(false));
    assert_eq!(state.get("user_id"), &Value::str("u-1"));
    let paths: Vec<String> =
        api.log.lock().unwrap().iter().map(|r| format!("{} {}", r.method.as_str(), r.path)).collect();
    assert!(paths.contains(&"PUT /api/v1/users/a%40example.com/disable".to_string()), "{paths:?}");
}

/// Luminate's bind fallback: a 400 from the bind means the site is not linked to the
/// application's collection; link it, then bind again.
struct LinkSiteThenBind;

#[async_trait::async_trait]
impl ResourceHooks for LinkSiteThenBind {
    async fn repair_step(&self, ctx: &Ctx, step: &str, state: &Value, error: &ApiError) -> Result<bool, Diagnostics> {
        if step != "bind" || error.status() != Some(400) {
            return Ok(false);
        }
        let site = state.get("site_id").as_str().unwrap_or_default().to_string();
        let link = ApiRequest::new(Method::Post, "/collection/site-links").body(json!({"links": [{"siteId": site}]}));
        ctx.api.call(link, &ctx.cancel).await.map_err(|e| api_error_diag("link the site of", "application", e))?;
        Ok(true)
    }
}

#[tokio::test]
async fn a_step_hook_repairs_and_retries_once() {
    let linked = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = linked.clone();
    let (ctx, api) = ctx_with(
        move |req| match (req.method, req.path.as_str()) {
            (Method::Post, "/collection/site-links") => {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(J::Null)
            }
            (Method::Put, p) if p.contains("/site-binding/") => {
                if flag.load(std::sync::atomic::Ordering::SeqCst) {
                    Ok(J::Null)
                } else {
                    Err(ApiError::Status { status: 400, message: "site not in the collection".into() })
                }
            }
            _ => Ok(json!({"id": "a1", "name": "web"})),
        },
        Value::Null,
    );
    let a = application().hooks(LinkSiteThenBind);
    let planned = obj(&[
        ("name", Value::str("web")),
        ("site_id", Value::str("s1")),
        ("id_attr", Value::Unknown),
        ("id", Value::Unknown),
    ]);
    let out = create_with(&a, &ctx, &planned, &Value::Null).await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    assert_eq!(out.private.progress.get("bind"), Some(&J::Bool(true)));
    let binds = api.log.lock().unwrap().iter().filter(|r| r.path.contains("/site-binding/")).count();
    assert_eq!(binds, 2, "refused once, repaired, bound");
}

#[test]
fn bulk_apis_get_one_element_array_bodies() {
    let mut v = Value::Object(Default::default());
    v.set("id", Value::str("p-1"));
    let fields = Map::from_iter([("packageName".to_string(), json!("org.slf4j:slf4j-api"))]);
    let add = Op::post("/watched-packages").body(BodyShape::FieldsInArray);
    let req = build_request(&[], "package", &Value::Null, &add, &v, fields, &Value::Null).expect("request");
    assert_eq!(req.json(), Some(&json!([{"packageName": "org.slf4j:slf4j-api"}])));
    let remove = Op::delete("/watched-packages").body(BodyShape::OneItemList("{id}"));
    let req = build_request(&[], "package", &Value::Null, &remove, &v, Map::new(), &Value::Null).expect("request");
    assert_eq!(req.json(), Some(&json!(["p-1"])));
    let unknown = build_request(&[], "package", &Value::Null, &remove, &Value::Null, Map::new(), &Value::Null);
    assert!(unknown.is_err(), "an ID not known yet cannot address the object");
}
