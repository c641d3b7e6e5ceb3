//! Unit tests of the merge update, one-item-list members, toggles of attributes the API
//! does not report, and parents found for imported objects.

use std::sync::{Arc, Mutex};

use serde_json::json;

use super::tests::ctx_with;
use super::*;
use crate::engine::api::Method;
use crate::engine::schema::Codec;

fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut v = Value::Object(Default::default());
    for (k, x) in pairs {
        v.set(k, x.clone());
    }
    v
}

/// A child under a parent whose answers do not name the parent; on/off by list of IDs.
fn child() -> ResourceDef {
    let item = "/parents/{parent}/children/{id}";
    let switch = |on: &'static str| {
        Op::new(Method::Post, "/switch").body(BodyShape::Fields).extra(if on == "true" {
            &[("on", Member::Literal("true")), ("ids", Member::OneItemList("{id}"))]
        } else {
            &[("on", Member::Literal("false")), ("ids", Member::OneItemList("{id}"))]
        })
    };
    ResourceDef::new(
        "test_child",
        "child",
        "{id}",
        Operations::crud(
            Op::post("/parents/{parent}/children"),
            Op::get(item),
            Some(UpdateOp::merge(Op::put(item)).toggle(Toggle {
                attr: "on",
                on: switch("true"),
                off: switch("false"),
            })),
            Op::delete(item),
        ),
    )
    .id_from_api("id")
    .parent_from("parent", ListSpec::new(Op::get("/parents"), ""), "children")
    .fields(vec![
        Field::string("parent").required(),
        Field::string("name").required().api_mutable("name", Codec::Plain),
        Field::bool("on").optional(),
    ])
}

#[tokio::test]
async fn merge_updates_keep_what_others_own_and_toggles_apply_after_create() {
    let stored = Arc::new(Mutex::new(json!({})));
    let store = stored.clone();
    let (ctx, api) = ctx_with(
        move |req| {
            let mut cur = store.lock().unwrap();
            match (req.method, req.path.as_str()) {
                (Method::Post, "/parents/p1/children") => {
                    *cur = json!({"id": "c1", "name": req.json().unwrap()["name"], "owner": "someone else"})
                }
                (Method::Put, _) => *cur = req.json().cloned().unwrap(),
                _ => {}
            }
            Ok(cur.clone())
        },
        Value::Null,
    );
    let r = child();
    assert_eq!(r.declaration_errors(), Vec::<String>::new());
    let planned = obj(&[
        ("id", Value::Unknown),
        ("parent", Value::str("p1")),
        ("name", Value::str("a")),
        ("on", Value::Bool(false)),
    ]);
    let out = r
        .create(
            &ctx,
            ApplyRequest { prior: &Value::Null, planned: &planned, config: &Value::Null, private: Private::default() },
        )
        .await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    let state = out.state.unwrap();
    // `on` is not in the API's answers: its toggle ran after the create, with the ID list.
    let switched = api.log.lock().unwrap().iter().find(|q| q.path == "/switch").and_then(|q| q.json().cloned());
    assert_eq!(switched, Some(json!({"on": false, "ids": ["c1"]})));

    let renamed = obj(&[
        ("id", Value::str("c1")),
        ("parent", Value::str("p1")),
        ("name", Value::str("b")),
        ("on", Value::Bool(false)),
    ]);
    let out = r
        .update(
            &ctx,
            ApplyRequest { prior: &state, planned: &renamed, config: &Value::Null, private: Private::default() },
        )
        .await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    // The PUT carried the object as read, with the change over it.
    assert_eq!(*stored.lock().unwrap(), json!({"id": "c1", "name": "b", "owner": "someone else"}));
}

#[tokio::test]
async fn an_imported_child_finds_its_parent_or_is_gone() {
    let (ctx, _) = ctx_with(
        |req| match req.path.as_str() {
            "/parents" => Ok(json!([{"id": "p0", "children": []}, {"id": "p2", "children": [{"id": "c9"}]}])),
            "/parents/p2/children/c9" => Ok(json!({"id": "c9", "name": "n"})),
            _ => Err(ApiError::NotFound("no".into())),
        },
        Value::Null,
    );
    let r = child();
    let key = r.import_key("c9").unwrap();
    let out = r.read(&ctx, ReadRequest { current: &key, private: Private::default() }).await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    let state = out.state.unwrap();
    assert_eq!((state.get("parent"), state.get("name")), (&Value::str("p2"), &Value::str("n")));
    let missing = r.import_key("c404").unwrap();
    let out = r.read(&ctx, ReadRequest { current: &missing, private: Private::default() }).await;
    assert!(out.state.is_none() && out.diags.is_empty());
}
