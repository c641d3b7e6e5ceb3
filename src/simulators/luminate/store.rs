//! The simulator's in-memory tenant: sites and collections as the API shows them, and the
//! access tokens it has issued.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use serde_json::{json, Value};

/// The tenant's default collection: applications created without `collectionId` land in
/// it, and the provider links a site to it when the site has no collection (models §3.4,
/// §4.1).
pub const DEFAULT_COLLECTION_ID: &str = "7cef2ccc-ed3e-4812-9ef2-b986c5dac2a5";
/// The root of the collection tree: the subject of tenant-wide role bindings (models §3.8,
/// §4.1). Every other collection hangs below it.
pub const ROOT_COLLECTION_ID: &str = "6b21619f-f505-41ec-af1b-09350be40000";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Site,
    Collection,
}

impl Kind {
    pub fn noun(&self) -> &'static str {
        match self {
            Kind::Site => "site",
            Kind::Collection => "collection",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Object {
    pub kind: Kind,
    /// The object exactly as the API returns it.
    pub body: Value,
}

impl Object {
    pub fn name(&self) -> &str {
        self.body.get("name").and_then(Value::as_str).unwrap_or_default()
    }
}

#[derive(Debug, Default)]
pub struct Store {
    /// Keyed by id: a BTreeMap lists in the API's default order (`sort=id,asc`).
    pub objects: BTreeMap<String, Object>,
    /// Access token -> when it stops being accepted.
    pub tokens: HashMap<String, Instant>,
}

impl Store {
    /// A fresh tenant: only the root and the default collections exist.
    pub fn new() -> Store {
        let mut store = Store::default();
        // The names are guesses: the documents give only the two ids.
        store.insert(Kind::Collection, json!({"id": ROOT_COLLECTION_ID, "name": "Root"}));
        store.insert(
            Kind::Collection,
            json!({"id": DEFAULT_COLLECTION_ID, "name": "Default Collection", "parentId": ROOT_COLLECTION_ID}),
        );
        store
    }

    /// Stores `body`, which must carry its `id`, and returns it.
    pub fn insert(&mut self, kind: Kind, body: Value) -> Value {
        let id = body.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        self.objects.insert(id, Object { kind, body: body.clone() });
        body
    }

    pub fn get(&self, kind: Kind, id: &str) -> Option<&Object> {
        self.objects.get(id).filter(|o| o.kind == kind)
    }

    pub fn get_mut(&mut self, kind: Kind, id: &str) -> Option<&mut Object> {
        self.objects.get_mut(id).filter(|o| o.kind == kind)
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Object> {
        self.objects.values().filter(move |o| o.kind == kind)
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.of_kind(kind).count()
    }

    /// Another object of `kind` named `name`, other than `except`.
    pub fn name_taken(&self, kind: Kind, name: &str, except: Option<&str>) -> bool {
        self.objects.iter().any(|(id, o)| o.kind == kind && o.name() == name && Some(id.as_str()) != except)
    }

    pub fn token_valid(&self, token: &str, now: Instant) -> bool {
        self.tokens.get(token).is_some_and(|expires| *expires > now)
    }
}
