//! Requests from operation declarations, and lists followed page by page in every paging
//! style the vendors use (cursor, token, page numbers with `last`/`hasMore`, offsets,
//! bare arrays). Used by resource reads and lookups and by data sources.

use serde_json::Value as J;

use crate::engine::api::{ApiError, ApiRequest};
use crate::engine::resource::ops::{at, LastPage, ListSpec, Op, Paging};
use crate::engine::resource::Ctx;
use crate::engine::template::render;
use crate::engine::value::Value;

/// More pages than any real list has: a loop guard against an API that never says "last".
const MAX_PAGES: u32 = 100_000;

/// The request of an operation without its body: path and query rendered from `v` and the
/// provider configuration. `None` when the path needs a value that is not known; query
/// parameters whose values are unset are left out (optional filters). A query template
/// that is one list or set attribute (`"{package_names}"`) repeats the parameter once per
/// element (`packageNames=a&packageNames=b`), as array parameters are sent.
pub fn op_request(op: &Op, v: &Value, provider: &Value) -> Option<ApiRequest> {
    let mut req = ApiRequest::new(op.method, render(op.path, v, provider, true)?);
    for (k, t) in op.query {
        if let Some(items) = repeated(t, v) {
            for item in items {
                req = req.query(k, item);
            }
        } else if let Some(val) = render(t, v, provider, false) {
            req = req.query(k, val);
        }
    }
    if let Some(i) = op.idempotent {
        req = req.idempotent(i);
    }
    Some(req)
}

/// The elements of a list or set attribute named alone by a query template.
fn repeated(template: &str, v: &Value) -> Option<Vec<String>> {
    let name = template.strip_prefix('{')?.strip_suffix('}')?;
    if name.contains(['{', '}']) || name.starts_with("provider.") {
        return None;
    }
    match v.get(name) {
        Value::List(items) | Value::Set(items) => Some(
            items
                .iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Calls `visit` with each page's items until it returns true or the list ends.
pub async fn for_each_page(
    ctx: &Ctx,
    spec: &ListSpec,
    scope: &Value,
    mut visit: impl FnMut(&[J]) -> bool,
) -> Result<(), ApiError> {
    let base = op_request(&spec.op, scope, &ctx.provider_config)
        .ok_or_else(|| ApiError::Decode(format!("the list route {} needs values that are not set", spec.op.path)))?;
    // Lists are reads, whatever their method.
    let base = base.idempotent(true);
    let mut cursor: Option<String> = None;
    let mut page: u32 = match spec.paging {
        Paging::PageNumber { first, .. } => first,
        _ => 0,
    };
    let mut offset: usize = 0;
    for _ in 0..MAX_PAGES {
        let mut req = base.clone();
        match spec.paging {
            Paging::None => {}
            Paging::Cursor { param, limit_param, limit, .. } => {
                req = req.query(limit_param, limit.to_string());
                if let Some(c) = &cursor {
                    req = req.query(param, c.clone());
                }
            }
            Paging::Token { param, .. } => {
                if let Some(c) = &cursor {
                    req = req.query(param, c.clone());
                }
            }
            Paging::PageNumber { page_param, size_param, size, .. } => {
                req = req.query(page_param, page.to_string()).query(size_param, size.to_string());
            }
            Paging::Offset { offset_param, limit_param, limit } => {
                req = req.query(offset_param, offset.to_string()).query(limit_param, limit.to_string());
            }
        }
        let resp = ctx.api.call(req, &ctx.cancel).await?;
        let items = match at(&resp.body, spec.items) {
            Some(J::Array(items)) => items.as_slice(),
            None | Some(J::Null) => &[],
            Some(other) => {
                return Err(ApiError::Decode(format!(
                    "expected a list at {:?} of the answer to {}, got {}",
                    spec.items,
                    spec.op.path,
                    kind(other)
                )))
            }
        };
        if visit(items) {
            return Ok(());
        }
        let full = |limit: u32| usize::try_from(limit).is_ok_and(|l| items.len() >= l);
        match spec.paging {
            Paging::None => return Ok(()),
            Paging::Cursor { cursor_json, limit, .. } => {
                let next = items.last().and_then(|o| o.get(cursor_json)).and_then(J::as_str).map(str::to_string);
                if !full(limit) || next.is_none() || next == cursor {
                    return Ok(());
                }
                cursor = next;
            }
            Paging::Token { next_at, .. } => {
                // Some APIs give the next page's token as a number (an offset).
                let next = at(&resp.body, next_at)
                    .and_then(|j| match j {
                        J::String(s) => Some(s.clone()),
                        J::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty());
                if next.is_none() || next == cursor {
                    return Ok(());
                }
                cursor = next;
            }
            Paging::PageNumber { size, last, .. } => {
                let done = match last {
                    LastPage::Flag(k) => resp.body.get(k).and_then(J::as_bool).unwrap_or(true),
                    LastPage::HasMore(k) => !resp.body.get(k).and_then(J::as_bool).unwrap_or(false),
                    LastPage::Short => !full(size),
                };
                if done || items.is_empty() {
                    return Ok(());
                }
                page = page.checked_add(1).ok_or_else(|| ApiError::Decode("too many pages".into()))?;
            }
            Paging::Offset { limit, .. } => {
                if !full(limit) || items.is_empty() {
                    return Ok(());
                }
                offset = offset.saturating_add(items.len());
            }
        }
    }
    Err(ApiError::Decode(format!("the list at {} did not end after {MAX_PAGES} pages", spec.op.path)))
}

fn kind(j: &J) -> &'static str {
    match j {
        J::Object(_) => "an object",
        J::String(_) => "a string",
        J::Number(_) => "a number",
        J::Bool(_) => "a boolean",
        _ => "something else",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resource::tests::ctx_with;
    use serde_json::json;

    fn param(req: &ApiRequest, k: &str) -> Option<String> {
        req.query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    async fn collect(
        spec: ListSpec,
        answer: impl Fn(&ApiRequest) -> Result<J, ApiError> + Send + Sync + 'static,
    ) -> (Vec<J>, usize) {
        let (ctx, api) = ctx_with(answer, Value::Null);
        let mut all = Vec::new();
        for_each_page(&ctx, &spec, &Value::Null, |items| {
            all.extend_from_slice(items);
            false
        })
        .await
        .unwrap();
        let calls = api.log.lock().unwrap().len();
        (all, calls)
    }

    fn numbers(range: std::ops::Range<u32>) -> Vec<J> {
        range.map(|i| json!({"id": i.to_string()})).collect()
    }

    #[tokio::test]
    async fn page_numbers_until_last_or_has_more() {
        let spring = ListSpec::new(Op::get("/sites"), "content").paging(Paging::PageNumber {
            page_param: "page",
            size_param: "size",
            size: 2,
            first: 0,
            last: LastPage::Flag("last"),
        });
        let (items, calls) = collect(spring, |req| {
            let p: u32 = param(req, "page").unwrap().parse().unwrap();
            Ok(json!({"content": numbers(p * 2..(p * 2 + 2).min(5)), "last": p == 2}))
        })
        .await;
        assert_eq!((items.len(), calls), (5, 3));

        let has_more = ListSpec::new(Op::get("/users"), "items").paging(Paging::PageNumber {
            page_param: "page",
            size_param: "size",
            size: 3,
            first: 1,
            last: LastPage::HasMore("hasMore"),
        });
        let (items, calls) = collect(has_more, |req| {
            let p: u32 = param(req, "page").unwrap().parse().unwrap();
            Ok(json!({"items": numbers((p - 1) * 3..(p * 3).min(7)), "hasMore": p < 3}))
        })
        .await;
        assert_eq!((items.len(), calls), (7, 3));
    }

    #[tokio::test]
    async fn tokens_offsets_and_bare_arrays() {
        let token =
            ListSpec::new(Op::get("/events"), "events").paging(Paging::Token { param: "token", next_at: "nextToken" });
        let (items, calls) = collect(token, |req| {
            Ok(match param(req, "token").as_deref() {
                None => json!({"events": numbers(0..2), "nextToken": "t1"}),
                Some("t1") => json!({"events": numbers(2..3), "nextToken": ""}),
                Some(_) => json!({"events": []}),
            })
        })
        .await;
        assert_eq!((items.len(), calls), (3, 2));

        let numeric = ListSpec::new(Op::get("/users"), "content")
            .paging(Paging::Token { param: "pageOffset", next_at: "nextPage" });
        let (items, calls) = collect(numeric, |req| {
            Ok(match param(req, "pageOffset").as_deref() {
                None => json!({"content": numbers(0..2), "nextPage": 2}),
                Some("2") => json!({"content": numbers(2..3)}),
                Some(_) => json!({"content": []}),
            })
        })
        .await;
        assert_eq!((items.len(), calls), (3, 2));

        let offset = ListSpec::new(Op::get("/keys"), "data").paging(Paging::Offset {
            offset_param: "offset",
            limit_param: "limit",
            limit: 2,
        });
        let (items, calls) = collect(offset, |req| {
            let o: u32 = param(req, "offset").unwrap().parse().unwrap();
            Ok(json!({"data": numbers(o..(o + 2).min(3))}))
        })
        .await;
        assert_eq!((items.len(), calls), (3, 2));

        let bare = ListSpec::new(Op::get("/beacons/list"), "");
        let (items, calls) = collect(bare, |_| Ok(json!([{"Address": "a"}, {"Address": "b"}]))).await;
        assert_eq!((items.len(), calls), (2, 1));
    }

    #[test]
    fn list_attributes_repeat_their_query_parameter() {
        let mut v = Value::Null;
        v.set("names", Value::string_list(["a", "b c"]));
        v.set("empty", Value::List(vec![]));
        v.set("pool", Value::str("p"));
        let op = Op::get("/x").query(&[("n", "{names}"), ("e", "{empty}"), ("pool", "{pool}"), ("unset", "{nope}")]);
        let req = op_request(&op, &v, &Value::Null).unwrap();
        let q: Vec<(&str, &str)> = req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(q, [("n", "a"), ("n", "b c"), ("pool", "p")]);
    }

    #[tokio::test]
    async fn a_list_that_is_not_a_list_is_an_error() {
        let (ctx, _) = ctx_with(|_| Ok(json!({"items": "nope"})), Value::Null);
        let spec = ListSpec::new(Op::get("/x"), "items");
        let e = for_each_page(&ctx, &spec, &Value::Null, |_| false).await.unwrap_err();
        assert!(e.to_string().contains("expected a list"), "{e}");
    }
}
