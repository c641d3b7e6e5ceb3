//! The simulator's in-memory tenant: sites and collections as the API shows them, the
//! links between them, and the access tokens it has issued.

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    Connector,
    /// Every application type shares one wire model (models §4.4).
    Application,
    /// Access and activity policies share one wire model (models §4.5).
    Policy,
    RoleBinding,
    IdentityProvider,
    User,
    Group,
    SharedObject,
    SshClient,
    CloudIntegration,
    DnsGroup,
    DnsServer,
    /// A site's registration keys (models §3.2, §4.2).
    RegistrationKey,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::Site,
        Kind::Collection,
        Kind::Connector,
        Kind::Application,
        Kind::Policy,
        Kind::RoleBinding,
        Kind::IdentityProvider,
        Kind::User,
        Kind::Group,
        Kind::SharedObject,
        Kind::SshClient,
        Kind::CloudIntegration,
        Kind::DnsGroup,
        Kind::DnsServer,
        Kind::RegistrationKey,
    ];

    pub fn noun(&self) -> &'static str {
        match self {
            Kind::Site => "site",
            Kind::Collection => "collection",
            Kind::Connector => "connector",
            Kind::Application => "application",
            Kind::Policy => "policy",
            Kind::RoleBinding => "role binding",
            Kind::IdentityProvider => "identity provider",
            Kind::User => "user",
            Kind::Group => "group",
            Kind::SharedObject => "shared object",
            Kind::SshClient => "ssh client",
            Kind::CloudIntegration => "cloud integration",
            Kind::DnsGroup => "dns group",
            Kind::DnsServer => "dns server",
            Kind::RegistrationKey => "registration key",
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
    /// Collection-site links as `(collection id, site id)`: ordered so that answers list
    /// them in a stable order.
    pub links: BTreeSet<(String, String)>,
    /// Local group memberships as `(group id, user id)` (models §3.7).
    pub memberships: BTreeSet<(String, String)>,
    /// Access token -> when it stops being accepted.
    pub tokens: HashMap<String, Instant>,
}

impl Store {
    /// A fresh tenant: the root and the default collections, and the seeded directory
    /// (identity providers, users, groups: see `directory.rs`).
    pub fn new() -> Store {
        let mut store = Store::default();
        super::integrations::seed(&mut store);
        // The names are guesses: the documents give only the two ids.
        store.insert(Kind::Collection, json!({"id": ROOT_COLLECTION_ID, "name": "Root"}));
        store.insert(
            Kind::Collection,
            json!({"id": DEFAULT_COLLECTION_ID, "name": "Default Collection", "parentId": ROOT_COLLECTION_ID}),
        );
        super::directory::seed(&mut store);
        super::policies::seed(&mut store);
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

    /// Removes an object; a site or collection with its links, an application with its
    /// site binding. The documents say nothing of deleting
    /// a linked site or collection (DeleteASite lists no 409, DeleteACollection neither,
    /// models §3.1, §3.8), so the delete is taken and the links go with it.
    pub fn remove(&mut self, id: &str) -> Option<Object> {
        let removed = self.objects.remove(id)?;
        if removed.kind == Kind::Application {
            // A site lists the applications bound to it (`application_ids`, models §4.2).
            for site in self.objects.values_mut().filter(|o| o.kind == Kind::Site) {
                if let Some(Value::Array(ids)) = site.body.get_mut("application_ids") {
                    ids.retain(|x| x.as_str() != Some(id));
                }
            }
        }
        // Memberships of a removed group or user, and role bindings of a removed entity
        // or subject, go too: the documents say nothing of them, and dangling ones could
        // never be removed through the API.
        self.memberships.retain(|(group, user)| group != id && user != id);
        self.objects.retain(|_, o| {
            o.kind != Kind::RoleBinding
                || !["resource", "entity"].iter().any(|part| {
                    let key = if *part == "resource" { "id" } else { "identifierInProvider" };
                    o.body.get(part).and_then(|p| p.get(key)).and_then(Value::as_str) == Some(id)
                })
        });
        self.after_removal(&removed);
        let before = self.links.len();
        self.links.retain(|(collection, site)| collection != id && site != id);
        if self.links.len() != before {
            self.refresh_counts();
        }
        Some(removed)
    }

    /// Removes the membership named `<group id>_<user id>` (the luminate_group_user id):
    /// the admin routes' out-of-band delete of a membership.
    pub fn remove_membership(&mut self, id: &str) -> bool {
        let Some((group, user)) = id.split_once('_') else { return false };
        self.memberships.remove(&(group.to_string(), user.to_string()))
    }

    /// Ids of the users in `group`.
    pub fn members_of(&self, group: &str) -> Vec<String> {
        self.memberships
            .range((group.to_string(), String::new())..)
            .take_while(|(g, _)| g == group)
            .map(|(_, u)| u.clone())
            .collect()
    }

    /// Ids of the collections `site` is linked to.
    pub fn collections_of_site(&self, site: &str) -> Vec<String> {
        self.links.iter().filter(|(_, s)| s == site).map(|(c, _)| c.clone()).collect()
    }

    /// Ids of the sites linked to `collection`.
    pub fn sites_of_collection(&self, collection: &str) -> Vec<String> {
        self.links
            .range((collection.to_string(), String::new())..)
            .take_while(|(c, _)| c == collection)
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// Writes the server-set link counts into the stored bodies: a site's
    /// `countCollections` and a collection's `countLinkedSites` (models §4.2, §4.7), so
    /// that every answer carrying the object agrees with the links.
    pub fn refresh_counts(&mut self) {
        let mut per_site: HashMap<&str, usize> = HashMap::new();
        let mut per_collection: HashMap<&str, usize> = HashMap::new();
        for (collection, site) in &self.links {
            *per_collection.entry(collection).or_default() += 1;
            *per_site.entry(site).or_default() += 1;
        }
        let counts: Vec<(String, &str, usize)> = self
            .objects
            .iter()
            .filter_map(|(id, o)| match o.kind {
                Kind::Site => Some((id.clone(), "countCollections", per_site.get(id.as_str()).copied().unwrap_or(0))),
                Kind::Collection => {
                    Some((id.clone(), "countLinkedSites", per_collection.get(id.as_str()).copied().unwrap_or(0)))
                }
                _ => None,
            })
            .collect();
        for (id, key, count) in counts {
            if let Some(object) = self.objects.get_mut(&id) {
                object.body[key] = count.into();
            }
        }
    }

    /// Another object of `kind` named `name`, other than `except`.
    pub fn name_taken(&self, kind: Kind, name: &str, except: Option<&str>) -> bool {
        self.objects.iter().any(|(id, o)| o.kind == kind && o.name() == name && Some(id.as_str()) != except)
    }

    pub fn token_valid(&self, token: &str, now: Instant) -> bool {
        self.tokens.get(token).is_some_and(|expires| *expires > now)
    }
}
