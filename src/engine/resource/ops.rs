//! What a declared entity's API looks like, per lifecycle step: which request creates,
//! reads, updates and deletes it, where the object sits in answers, how lists page, and
//! which attributes identify it. Plain data; `apply.rs` turns it into API calls.

use crate::engine::api::Method;

/// A member added to a request body besides the entity's fields.
#[derive(Clone, Copy, Debug)]
pub enum Member {
    /// A string rendered from a template over attributes (`"{uuid}"`).
    Template(&'static str),
    /// An attribute's value, encoded by its field's codec (keeps numbers numbers).
    Attr(&'static str),
    /// A JSON literal (`"\"HTTP\""`, `"true"`, `"-1"`).
    Literal(&'static str),
    /// A one-element array holding a string rendered from a template (`["{id}"]`), for
    /// APIs that act on lists of IDs (delete-by-ids, enable-by-ids).
    OneItemList(&'static str),
}

/// What a request carries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BodyShape {
    None,
    /// The step's fields as one object: on create every field sent on create, on update
    /// the changed updatable fields (or all of them for [`UpdateStyle::Replace`]).
    Fields,
    /// One attribute's value as the whole body (a bare JSON string, for instance).
    Attr(&'static str),
    /// A fixed JSON text.
    Literal(&'static str),
    /// The step's fields as one object inside a one-element array, for APIs that add
    /// objects in bulk (`[{...}]`).
    FieldsInArray,
    /// A one-element array holding a string rendered from a template (`["{id}"]`), for
    /// APIs that remove objects in bulk by ID.
    OneItemList(&'static str),
}

/// One API request of a lifecycle step. Paths and query values are templates over the
/// entity's attributes and `{provider.x}` (see `engine::template`).
#[derive(Clone, Copy, Debug)]
pub struct Op {
    pub method: Method,
    pub path: &'static str,
    pub query: &'static [(&'static str, &'static str)],
    pub body: BodyShape,
    /// Members added to an object body, e.g. selectors an update wants.
    pub extra: &'static [(&'static str, Member)],
    /// Wraps the body object under this key (`{"configParam": {...}}`).
    pub wrap: Option<&'static str>,
    /// Where the object sits in the answer, as a dotted path (`data.licenses.0`); "" is the
    /// whole answer.
    pub answer_at: &'static str,
    /// Statuses that mean success; empty accepts any 2xx.
    pub ok: &'static [u16],
    /// Overrides what the method says about repeating the request safely.
    pub idempotent: Option<bool>,
    /// For reads: statuses besides "not found" that mean the object is gone (Luminate
    /// answers 403 for a site that was deleted).
    pub gone: &'static [u16],
}

impl Op {
    pub const fn new(method: Method, path: &'static str) -> Op {
        Op {
            method,
            path,
            query: &[],
            body: BodyShape::None,
            extra: &[],
            wrap: None,
            answer_at: "",
            ok: &[],
            idempotent: None,
            gone: &[],
        }
    }
    pub const fn get(path: &'static str) -> Op {
        Op::new(Method::Get, path)
    }
    /// A POST carrying the step's fields.
    pub const fn post(path: &'static str) -> Op {
        Op::new(Method::Post, path).body(BodyShape::Fields)
    }
    /// A PUT carrying the step's fields.
    pub const fn put(path: &'static str) -> Op {
        Op::new(Method::Put, path).body(BodyShape::Fields)
    }
    pub const fn patch(path: &'static str) -> Op {
        Op::new(Method::Patch, path).body(BodyShape::Fields)
    }
    pub const fn delete(path: &'static str) -> Op {
        Op::new(Method::Delete, path)
    }
    pub const fn query(mut self, q: &'static [(&'static str, &'static str)]) -> Op {
        self.query = q;
        self
    }
    pub const fn body(mut self, b: BodyShape) -> Op {
        self.body = b;
        self
    }
    pub const fn extra(mut self, e: &'static [(&'static str, Member)]) -> Op {
        self.extra = e;
        self
    }
    pub const fn wrap(mut self, key: &'static str) -> Op {
        self.wrap = Some(key);
        self
    }
    pub const fn answer_at(mut self, path: &'static str) -> Op {
        self.answer_at = path;
        self
    }
    pub const fn ok(mut self, statuses: &'static [u16]) -> Op {
        self.ok = statuses;
        self
    }
    pub const fn idempotent(mut self, yes: bool) -> Op {
        self.idempotent = Some(yes);
        self
    }
    pub const fn gone(mut self, statuses: &'static [u16]) -> Op {
        self.gone = statuses;
        self
    }
}

/// How the object comes to exist.
#[derive(Clone, Debug)]
pub enum CreateOp {
    /// One request creates it: a POST to a collection, or an idempotent PUT (upsert).
    Send(Op),
    /// The object always exists (a singleton): create adopts it and applies the
    /// configuration as an update.
    Adopt,
    /// A request creates the object, then each step completes it (bind it to a site, set
    /// what the create cannot carry). Steps done are recorded in private state: when one
    /// fails, the object is kept in state with its progress, and an update after
    /// `terraform untaint` runs the steps still missing instead of starting over.
    Steps { first: Op, then: Vec<Step> },
}

/// One request completing a multi-step create; its path, query and body are rendered from
/// the new object's state.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub name: &'static str,
    pub op: Op,
}

/// How the object is read.
#[derive(Clone, Debug)]
pub enum ReadOp {
    /// A request that answers the object (possibly inside a larger answer: `answer_at`).
    Get(Op),
    /// The object is found in a list by its key attributes; absent means gone.
    FromList { list: ListSpec, key: &'static [&'static str] },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UpdateStyle {
    /// Send only what changed (PUT or PATCH with patch semantics).
    Patch,
    /// Send every updatable field: the API replaces the whole object.
    Replace,
    /// The API replaces the whole object, and other writers (another resource, the API
    /// itself) own some of its members: read the object, set every updatable field over
    /// its top-level members, and send it all back.
    Merge,
}

/// A boolean attribute changed by calling one endpoint to turn it on and another to
/// turn it off (enable/disable, block/unblock, start/stop).
#[derive(Clone, Copy, Debug)]
pub struct Toggle {
    pub attr: &'static str,
    pub on: Op,
    pub off: Op,
}

#[derive(Clone, Debug)]
pub struct UpdateOp {
    /// The request carrying changed fields; `None` when every change goes through
    /// toggles or per-field requests.
    pub op: Option<Op>,
    pub style: UpdateStyle,
    pub toggles: Vec<Toggle>,
    /// Attributes with a request of their own (its body is the attribute's value).
    pub per_field: Vec<(&'static str, Op)>,
}

impl UpdateOp {
    pub fn patch(op: Op) -> UpdateOp {
        UpdateOp { op: Some(op), style: UpdateStyle::Patch, toggles: vec![], per_field: vec![] }
    }
    pub fn replace(op: Op) -> UpdateOp {
        UpdateOp { op: Some(op), style: UpdateStyle::Replace, toggles: vec![], per_field: vec![] }
    }
    pub fn merge(op: Op) -> UpdateOp {
        UpdateOp { op: Some(op), style: UpdateStyle::Merge, toggles: vec![], per_field: vec![] }
    }
    pub fn toggle(mut self, t: Toggle) -> UpdateOp {
        self.toggles.push(t);
        self
    }
    pub fn per_field(mut self, attr: &'static str, op: Op) -> UpdateOp {
        self.per_field.push((attr, op));
        self
    }
}

#[derive(Clone, Debug)]
pub enum DeleteOp {
    /// A request removes the object; with asynchronous states the engine then waits
    /// until reads say it is gone.
    Http(Op),
    /// The object cannot be removed but can be put back to a neutral value (a permission
    /// level of -1, a setting's original value): one request, then forget.
    AsUpdate(Op),
    /// The API cannot delete it: destroy forgets it and warns, at plan time too.
    /// `before` runs first (deactivate, stop). The warning is a template over attributes.
    StateOnly { before: Option<Op>, warning: &'static str },
}

/// When to stop asking for pages.
#[derive(Clone, Copy, Debug)]
pub enum LastPage {
    /// A boolean member of the answer says it (`last: true`).
    Flag(&'static str),
    /// A boolean member says more follow (`hasMore: true`).
    HasMore(&'static str),
    /// A page shorter than the page size.
    Short,
}

#[derive(Clone, Copy, Debug)]
pub enum Paging {
    /// One answer holds everything.
    None,
    /// The next page starts after the last item's `cursor_json` value.
    Cursor { param: &'static str, cursor_json: &'static str, limit_param: &'static str, limit: u32 },
    /// The answer carries the next page's token at `next_at` (absent or empty: done).
    Token { param: &'static str, next_at: &'static str },
    /// Numbered pages (`page`, `size`).
    PageNumber { page_param: &'static str, size_param: &'static str, size: u32, first: u32, last: LastPage },
    /// Offset and limit.
    Offset { offset_param: &'static str, limit_param: &'static str, limit: u32 },
}

/// A list request: the request, where the items are (`""` for a bare array) and paging.
#[derive(Clone, Copy, Debug)]
pub struct ListSpec {
    pub op: Op,
    pub items: &'static str,
    pub paging: Paging,
}

impl ListSpec {
    pub const fn new(op: Op, items: &'static str) -> ListSpec {
        ListSpec { op, items, paging: Paging::None }
    }
    pub const fn paging(mut self, p: Paging) -> ListSpec {
        self.paging = p;
        self
    }
}

/// States an asynchronous object moves through, by their API names, and where the state
/// is in the object (a dotted path). Flags and numbers are matched by their JSON text
/// (`"true"`), and an answer without the member reads as `""`. A switch that is "gone"
/// when off declares its off value as `deleting`, so reads report drift.
#[derive(Clone, Debug)]
pub struct AsyncStates {
    pub json: &'static str,
    pub ready: &'static [&'static str],
    pub failed: &'static [&'static str],
    /// On the way out: treated as already gone by reads.
    pub deleting: &'static [&'static str],
}

/// Finds an object by its natural key (a name, an email): creates whose outcome is
/// unknown are reconciled with it, and name clashes are explained with it.
#[derive(Clone, Debug)]
pub struct Lookup {
    /// Attributes whose values identify the object among its kind.
    pub key: &'static [&'static str],
    /// The list to search; `None` when the read request is itself addressed by the key.
    pub list: Option<ListSpec>,
}

/// Finds the parent of an object whose answers do not name it (a connector's site, a
/// server's group), for reads after import: the parent is the listed object whose
/// `members` (a dotted path to an array of IDs, or of objects with an `id`) holds the
/// object's ID; none means the object is gone.
#[derive(Clone, Copy, Debug)]
pub struct ParentLookup {
    /// The attribute holding the parent's ID.
    pub attr: &'static str,
    pub list: ListSpec,
    pub members: &'static str,
}

/// Every API step of a declared entity.
#[derive(Clone, Debug)]
pub struct Operations {
    pub create: CreateOp,
    pub read: ReadOp,
    /// `None`: the API has no update, so every argument must force replacement.
    pub update: Option<UpdateOp>,
    pub delete: DeleteOp,
    pub lookup: Option<Lookup>,
    pub async_states: Option<AsyncStates>,
    /// Body member holding the ETag when no header carries it. `Some` turns on If-Match
    /// on updates and deletes, with the conflict check on 412.
    pub etag: Option<&'static str>,
    /// A create answered "already exists" adopts the existing object when it matches the
    /// plan (an irreversible switch already on, a duplicate that is identical).
    pub adopt_existing: bool,
}

impl Operations {
    /// The common REST shape: POST to a collection; GET, update and DELETE on one item.
    pub fn crud(create: Op, read: Op, update: Option<UpdateOp>, delete: Op) -> Operations {
        Operations {
            create: CreateOp::Send(create),
            read: ReadOp::Get(read),
            update,
            delete: DeleteOp::Http(delete),
            lookup: None,
            async_states: None,
            etag: None,
            adopt_existing: false,
        }
    }
    pub fn adopt_existing(mut self) -> Operations {
        self.adopt_existing = true;
        self
    }
    pub fn lookup(mut self, key: &'static [&'static str], list: Option<ListSpec>) -> Operations {
        self.lookup = Some(Lookup { key, list });
        self
    }
    pub fn async_states(mut self, s: AsyncStates) -> Operations {
        self.async_states = Some(s);
        self
    }
    pub fn etag(mut self, body_member: &'static str) -> Operations {
        self.etag = Some(body_member);
        self
    }
    pub fn delete(mut self, d: DeleteOp) -> Operations {
        self.delete = d;
        self
    }
    pub fn create(mut self, c: CreateOp) -> Operations {
        self.create = c;
        self
    }
    pub fn read(mut self, r: ReadOp) -> Operations {
        self.read = r;
        self
    }
}

/// Follows a dotted path (`data.licenses.0`) into a JSON value.
pub fn at<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    if path.is_empty() {
        return Some(v);
    }
    path.split('.').try_fold(v, |cur, step| match cur {
        serde_json::Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => cur.get(step),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_reach_into_objects_and_arrays() {
        let v = json!({"data": {"licenses": [{"access_key": "AK"}]}, "QoS": {"limitIOPS": "10"}});
        assert_eq!(at(&v, "data.licenses.0.access_key"), Some(&json!("AK")));
        assert_eq!(at(&v, "QoS.limitIOPS"), Some(&json!("10")));
        assert_eq!(at(&v, ""), Some(&v));
        assert_eq!(at(&v, "data.licenses.1"), None);
        assert_eq!(at(&v, "data.nope.x"), None);
    }
}
