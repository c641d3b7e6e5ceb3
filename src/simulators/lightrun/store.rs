//! The simulator's in-memory company: the objects the API lists, the group memberships,
//! and the company-wide settings (SMTP, IdM, licence, feature flags).
//!
//! Seeded data: what the API has but Terraform does not create, with fixed ids so that
//! tests, examples and demos can name them. The names and values are made up; the
//! documents give none.
//!
//! | what | seeded |
//! |---|---|
//! | company | [`COMPANY_ID`] (the id in the interface's provider example) |
//! | agent pool | `default` ([`DEFAULT_POOL_ID`]): the built-in pool, which cannot be deleted |
//! | user | [`ADMIN_EMAIL`] (SYSTEM_ADMIN), who "created" the seeded objects |
//! | group | `Default` ([`DEFAULT_GROUP_ID`], `default: true`), roles STANDARD on the default pool |
//! | agents | `checkout-service-1`, `checkout-service-2` (Java, tags prod + checkout), `billing-worker` (Python, tag staging), all live in the default pool |
//! | tags | 1 `prod`, 2 `checkout`, 3 `staging` |
//! | custom sources | `checkout-prod` ([`CHECKOUT_SOURCE_ID`]), `all-python` |
//! | loaded packages | slf4j-api 1.7.36 (with classes), jackson-databind 2.15.2, spring-core 6.1.2, log4j-core 2.14.1 (watched, not loaded) |
//! | actions | one expired LOG action on tag `prod` ([`SEEDED_ACTION_ID`]) |
//! | feature flags | five flags, see [`FEATURE_FLAGS`] |
//! | licence | [`seeded_license`], signed (see `configuration.rs` for the signature rule) |
//! | SMTP | `DEFAULT` (Lightrun's mail service), the documented default |
//! | IdM | login method PASSWORD, provisioning all off: the documented defaults |
//!
//! The SBOM has no object of its own: it is generated from the loaded packages.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

pub const COMPANY_ID: &str = "c0ffee00-0000-4000-8000-000000000001";
pub const DEFAULT_POOL_ID: &str = "a9e10000-0000-4000-8000-000000000001";
pub const DEFAULT_GROUP_ID: &str = "9e000000-0000-4000-8000-000000000001";
pub const ADMIN_EMAIL: &str = "admin@acme.example";
pub const ADMIN_ID: &str = "ad000000-0000-4000-8000-000000000001";
pub const AGENT_IDS: [&str; 3] = [
    "a6e70000-0000-4000-8000-000000000001",
    "a6e70000-0000-4000-8000-000000000002",
    "a6e70000-0000-4000-8000-000000000003",
];
pub const CHECKOUT_SOURCE_ID: &str = "c5000000-0000-4000-8000-000000000001";
pub const PYTHON_SOURCE_ID: &str = "c5000000-0000-4000-8000-000000000002";
pub const SEEDED_ACTION_ID: &str = "ac700000-0000-4000-8000-000000000001";
/// When the seeded objects were made.
pub const SEEDED_AT: &str = "2026-11-20T08:00:00.000Z";
/// Feature flags as `GET /configuration/feature/toggle` answers them (names made up).
pub const FEATURE_FLAGS: [(&str, &str); 5] = [
    ("DEBUG_CASES", "DISABLED"),
    ("DYNAMIC_LOGS", "ENABLED"),
    ("METRICS", "ENABLED"),
    ("RUNTIME_REACHABILITY", "ENABLED"),
    ("SNAPSHOTS", "ENABLED"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    AgentPool,
    Agent,
    Tag,
    CustomSource,
    Action,
    User,
    Group,
    TempAccess,
    WatchedPackage,
    LoadedPackage,
    ApiKey,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::AgentPool,
        Kind::Agent,
        Kind::Tag,
        Kind::CustomSource,
        Kind::Action,
        Kind::User,
        Kind::Group,
        Kind::TempAccess,
        Kind::WatchedPackage,
        Kind::LoadedPackage,
        Kind::ApiKey,
    ];

    /// The kind's name in `/_sim/` routes and `GET /_sim/state`.
    pub fn noun(&self) -> &'static str {
        match self {
            Kind::AgentPool => "agent_pool",
            Kind::Agent => "agent",
            Kind::Tag => "tag",
            Kind::CustomSource => "custom_source",
            Kind::Action => "action",
            Kind::User => "user",
            Kind::Group => "group",
            Kind::TempAccess => "temp_access",
            Kind::WatchedPackage => "watched_package",
            Kind::LoadedPackage => "loaded_package",
            Kind::ApiKey => "api_key",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Object {
    pub kind: Kind,
    /// Creation order: lists answer in it unless sorted.
    pub seq: u64,
    /// The object as the API shows it.
    pub body: Value,
    /// What the server knows but the API does not show: the agent pool of an agent, tag,
    /// custom source, action or loaded package (`pool`), the host tags of an agent or a
    /// loaded package (`tags`), an agent's `host` and `pid`, a loaded package's
    /// `loadDate`, an API key's `secret`, a watched package's create-only fields.
    pub hidden: Map<String, Value>,
}

impl Object {
    pub fn id(&self) -> String {
        match self.body.get("id") {
            Some(Value::String(id)) => id.clone(),
            Some(Value::Number(id)) => id.to_string(),
            _ => String::new(),
        }
    }

    pub fn text(&self, key: &str) -> &str {
        self.body.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    pub fn hidden_text(&self, key: &str) -> &str {
        self.hidden.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    /// The agent pool the object belongs to (agents, tags, sources, actions, packages).
    pub fn pool(&self) -> &str {
        self.hidden_text("pool")
    }

    pub fn hidden_list(&self, key: &str) -> Vec<String> {
        strings(self.hidden.get(key))
    }
}

/// The strings of a JSON array (others skipped).
pub fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// One group member (UserGroupMemberPublicDTO without the derived `effectiveRoles`).
#[derive(Clone, Debug)]
pub struct Member {
    pub email: String,
    pub group_admin: bool,
    pub elevated_roles: Vec<String>,
}

#[derive(Debug)]
pub struct Store {
    /// Keyed by id (a tag's integer id as decimal text).
    pub objects: BTreeMap<String, Object>,
    next_seq: u64,
    next_tag_id: i64,
    /// Group memberships, keyed by group id and lower-cased email.
    pub members: BTreeMap<(String, String), Member>,
    /// SMTP as `GET /configuration/connectivity/smtp` answers it, except that the secret
    /// is kept in clear (`authenticationSecret`) and masked when answered.
    pub smtp: Value,
    /// `{loginMethod, protocol}` as last written; the read view is derived.
    pub idm_authentication: Value,
    /// The provisioning read view without the SCIM server-set values, which live in
    /// `scim_credentials` while SCIM is on.
    pub idm_provisioning: Value,
    pub scim_credentials: Option<(String, String)>,
    /// The base64 licence; `None` answers 404.
    pub license: Option<String>,
    pub feature_flags: Map<String, Value>,
}

impl Store {
    pub fn new() -> Store {
        let mut store = Store {
            objects: BTreeMap::new(),
            next_seq: 0,
            next_tag_id: 1,
            members: BTreeMap::new(),
            smtp: json!({"type": "DEFAULT"}),
            idm_authentication: json!({"loginMethod": "PASSWORD"}),
            idm_provisioning: super::configuration::default_provisioning(),
            scim_credentials: None,
            license: Some(seeded_license()),
            feature_flags: FEATURE_FLAGS.iter().map(|(k, v)| (k.to_string(), json!(v))).collect(),
        };
        seed(&mut store);
        store
    }

    /// Stores `body`, which must carry its `id`, and returns it.
    pub fn insert(&mut self, kind: Kind, body: Value, hidden: Map<String, Value>) -> Value {
        self.next_seq += 1;
        let object = Object { kind, seq: self.next_seq, body: body.clone(), hidden };
        self.objects.insert(object.id(), object);
        body
    }

    /// The next integer id of a tag (tags have int64 ids, AgentTagSummaryPublicDTO).
    pub fn next_tag_id(&mut self) -> i64 {
        let id = self.next_tag_id;
        self.next_tag_id += 1;
        id
    }

    pub fn get(&self, kind: Kind, id: &str) -> Option<&Object> {
        self.objects.get(id).filter(|o| o.kind == kind)
    }

    pub fn get_mut(&mut self, kind: Kind, id: &str) -> Option<&mut Object> {
        self.objects.get_mut(id).filter(|o| o.kind == kind)
    }

    /// Objects of `kind` in creation order.
    pub fn of_kind(&self, kind: Kind) -> Vec<&Object> {
        let mut objects: Vec<&Object> = self.objects.values().filter(|o| o.kind == kind).collect();
        objects.sort_by_key(|o| o.seq);
        objects
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.objects.values().filter(|o| o.kind == kind).count()
    }

    /// The user with `email`, compared case-insensitively (the interface compares emails
    /// so; the documents do not say whether the server does: assumed).
    pub fn user_id(&self, email: &str) -> Option<String> {
        self.objects
            .values()
            .find(|o| o.kind == Kind::User && o.text("email").eq_ignore_ascii_case(email))
            .map(Object::id)
    }

    /// Removes an object and what would dangle without it: a user's or a group's
    /// memberships, a pool's agents, tags and custom sources and its place in groups. The
    /// documents say nothing of these.
    pub fn remove(&mut self, id: &str) -> Option<Object> {
        let removed = self.objects.remove(id)?;
        match removed.kind {
            Kind::User => {
                let email = removed.text("email").to_lowercase();
                self.members.retain(|(_, e), _| *e != email);
            }
            Kind::Group => self.members.retain(|(g, _), _| g != id),
            Kind::AgentPool => {
                // Its agents, tags and custom sources live in it; they go too.
                self.objects
                    .retain(|_, o| !(matches!(o.kind, Kind::Agent | Kind::Tag | Kind::CustomSource) && o.pool() == id));
                for group in self.objects.values_mut().filter(|o| o.kind == Kind::Group) {
                    if let Some(Value::Array(ids)) = group.body.get_mut("agentPoolIds") {
                        ids.retain(|x| x.as_str() != Some(id));
                    }
                }
            }
            _ => {}
        }
        Some(removed)
    }

    /// Members of a group in email order.
    pub fn members_of(&self, group: &str) -> Vec<&Member> {
        self.members
            .range((group.to_string(), String::new())..)
            .take_while(|((g, _), _)| g == group)
            .map(|(_, m)| m)
            .collect()
    }

    /// Live agents of a pool: its agents while the pool lets agents connect.
    pub fn live_agents(&self, pool: &str) -> Vec<&Object> {
        let enabled = self.get(Kind::AgentPool, pool).is_some_and(|p| p.body["agentsEnabled"] != json!(false));
        if !enabled {
            return Vec::new();
        }
        self.of_kind(Kind::Agent).into_iter().filter(|a| a.pool() == pool).collect()
    }

    /// Another object of `kind` whose `key` is `value`, other than `except`.
    pub fn taken(&self, kind: Kind, key: &str, value: &str, except: Option<&str>) -> bool {
        self.objects.iter().any(|(id, o)| o.kind == kind && o.text(key) == value && Some(id.as_str()) != except)
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

fn hidden(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The seeded licence: base64 of a JSON document (UpdateOrganizationLicenseDTO: "Base64-encoded
/// JSON file containing license properties"; the properties are made up).
pub fn seeded_license() -> String {
    use base64::Engine as _;
    let document = json!({"company": COMPANY_ID, "seats": 50, "issuedAt": "2026-01-01", "expiresAt": "2027-01-01"});
    base64::engine::general_purpose::STANDARD.encode(document.to_string())
}

fn seed(store: &mut Store) {
    let admin = ADMIN_EMAIL;
    store.insert(
        Kind::AgentPool,
        json!({"id": DEFAULT_POOL_ID, "name": "default", "description": "The default agent pool",
            "agentsEnabled": true, "createdBy": admin, "createdDate": SEEDED_AT, "liveAgentsCount": 0}),
        hidden(json!({"default": true})),
    );
    store.insert(
        Kind::User,
        json!({"id": ADMIN_ID, "email": admin, "firstName": "Ada", "lastName": "Admin", "roles": ["SYSTEM_ADMIN"],
            "enabled": true, "registerMethod": "USER_PASS", "userManagementType": "SYSTEM", "createdBy": admin,
            "createdDate": SEEDED_AT, "lastModifiedBy": admin, "lastModifiedDate": SEEDED_AT,
            "lastLoginDate": SEEDED_AT, "initialActionInserted": true}),
        Map::new(),
    );
    store.insert(
        Kind::Group,
        json!({"id": DEFAULT_GROUP_ID, "name": "Default", "roles": ["STANDARD"], "agentPoolIds": [DEFAULT_POOL_ID],
            "default": true, "createdBy": admin, "createdDate": SEEDED_AT, "lastModifiedBy": admin,
            "lastModifiedDate": SEEDED_AT}),
        Map::new(),
    );
    let agents = [
        ("checkout-service-1", "Java", "1.50.2", "Active", "checkout-7f9c", 4121, json!(["prod", "checkout"])),
        ("checkout-service-2", "Java", "1.50.2", "Active", "checkout-8a1d", 4188, json!(["prod", "checkout"])),
        ("billing-worker", "Python", "1.48.0", "Expires soon", "billing-1", 991, json!(["staging"])),
    ];
    for (id, (name, kind, version, status, host, pid, tags)) in AGENT_IDS.iter().zip(agents) {
        store.insert(
            Kind::Agent,
            json!({"id": id, "name": name, "type": kind, "version": version, "versionStatus": status}),
            hidden(json!({"pool": DEFAULT_POOL_ID, "host": host, "pid": pid, "tags": tags})),
        );
    }
    for name in ["prod", "checkout", "staging"] {
        let id = store.next_tag_id();
        store.insert(Kind::Tag, json!({"id": id, "name": name}), hidden(json!({"pool": DEFAULT_POOL_ID})));
    }
    for (id, name) in [(CHECKOUT_SOURCE_ID, "checkout-prod"), (PYTHON_SOURCE_ID, "all-python")] {
        store.insert(Kind::CustomSource, json!({"id": id, "name": name}), hidden(json!({"pool": DEFAULT_POOL_ID})));
    }
    let packages = [
        (
            "org.slf4j:slf4j-api",
            "1.7.36",
            "LOADED_WITH_CLASSES",
            json!([{"name": "org.slf4j.Logger", "status": "LOADED"}, {"name": "org.slf4j.LoggerFactory", "status": "LOADED"}]),
            json!(["prod", "checkout"]),
            json!("2026-11-20"),
        ),
        (
            "com.fasterxml.jackson.core:jackson-databind",
            "2.15.2",
            "LOADED",
            json!([]),
            json!(["prod", "checkout"]),
            json!("2026-11-21"),
        ),
        ("org.springframework:spring-core", "6.1.2", "LOADED", json!([]), json!(["staging"]), json!("2026-11-22")),
        (
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "NOT_LOADED",
            json!([{"name": "org.apache.logging.log4j.core.lookup.JndiLookup", "status": "NOT_LOADED"}]),
            json!([]),
            Value::Null,
        ),
    ];
    for (index, (name, version, status, classes, tags, load_date)) in packages.into_iter().enumerate() {
        // Loaded packages have no id in the API (LoadedPackagePublicApiDTO); the store
        // needs one.
        let id = format!("loaded-package-{}", index + 1);
        store.insert(
            Kind::LoadedPackage,
            json!({"id": id, "packageName": name, "version": version, "status": status, "type": "JAVA", "classes": classes}),
            hidden(json!({"pool": DEFAULT_POOL_ID, "tags": tags, "loadDate": load_date})),
        );
    }
    store.insert(
        Kind::Action,
        json!({"id": SEEDED_ACTION_ID, "actionType": "LOG", "createdAt": SEEDED_AT, "createdBy": admin,
            "enabled": true, "expired": true, "hasErrors": false, "line": 42,
            "location": "com/acme/checkout/Cart.java", "source": {"id": "1", "type": "TAG"}, "status": "ACCEPTED"}),
        hidden(json!({"pool": DEFAULT_POOL_ID, "expirationSeconds": 3600, "resultsExist": true})),
    );
}
