//! The simulator's in-memory Lastline backend: customers, accounts, licences, sensors,
//! appliance registrations, roles, permission and role grants, sessions and counters.
//!
//! Seeded data (names, keys and values are made up: the documents give none):
//!
//! | what | seeded |
//! |---|---|
//! | customer | `SimConfig::customer` (default [`DEFAULT_CUSTOMER`], "Acme Corp"), its primary contact the account of that name |
//! | account | `SimConfig::username` / `password` (default the primary contact, [`DEFAULT_PASSWORD`]): every permission at customer context and Lastline's "additional permissions" (`extra_permissions`, SimConfig knob) |
//! | account | [`ANALYST`] / [`ANALYST_PASSWORD`]: `can_access_alerts` on licence [`HOSTED_KEY`], `can_access_pcaps` on subkey `ONPREM_KEY:sensor01`, built-in role `Read-only` on the customer; no `can_manage_users` |
//! | customer | [`OTHER_CUSTOMER`] (password [`OTHER_PASSWORD`]), with licence [`OTHER_KEY`]: a second tenant for cross-customer refusals |
//! | licences | [`HOSTED_KEY`] (hosted, commercial), [`ONPREM_KEY`] (on-premise installation `manager.acme.example`), [`CHILD_KEY`] (child of the on-premise one), [`EXPIRED_KEY`] (hosted trial, expired 2023) |
//! | sensors | `sensor01` "Perimeter sensor", `sensor02` "Branch office sensor" under [`ONPREM_KEY`] |
//! | appliances | [`APPLIANCE_UUID`] REGISTERED on `ONPREM_KEY:sensor01`, [`DISABLED_APPLIANCE_UUID`] DISABLED on `ONPREM_KEY:sensor02` |
//! | roles | built-in `Administrator`, `Analyst`, `Read-only` (see [`BUILTIN_ROLES`]); no custom role |
//! | products | see [`PRODUCTS`] (what `product_bundle/list` would list; that method is not among the 39) |

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::wire::{parse_date, today};
use super::SimConfig;

pub const DEFAULT_CUSTOMER: &str = "admin@acme.example";
pub const DEFAULT_USERNAME: &str = DEFAULT_CUSTOMER;
pub const DEFAULT_PASSWORD: &str = "sim-password";
pub const ANALYST: &str = "analyst@acme.example";
pub const ANALYST_PASSWORD: &str = "analyst-password";
pub const OTHER_CUSTOMER: &str = "contact@globex.example";
pub const OTHER_PASSWORD: &str = "globex-password";
pub const HOSTED_KEY: &str = "ACMEHOSTED0000000001";
pub const ONPREM_KEY: &str = "ACMEONPREM0000000001";
pub const CHILD_KEY: &str = "ACMECHILD00000000001";
pub const EXPIRED_KEY: &str = "ACMEEXPIRED000000001";
pub const OTHER_KEY: &str = "GLOBEXHOSTED00000001";
pub const APPLIANCE_UUID: &str = "a11a0000-0000-4000-8000-000000000001";
pub const DISABLED_APPLIANCE_UUID: &str = "a11a0000-0000-4000-8000-000000000002";
/// Creator and modifier of what Lastline itself set up (the page's special value).
pub const LASTLINE: &str = "Lastline";

/// The eight permissions (the page's "Permissions" section): name, display name (made
/// up), description (paraphrased) and the contexts it applies in.
pub const PERMISSIONS: [(&str, &str, &str, &[&str]); 8] = [
    (
        "can_view_appliances",
        "View appliances",
        "View appliance overview, monitoring, configuration and notification settings",
        &["customer"],
    ),
    (
        "can_manage_appliances",
        "Manage appliances",
        "Trigger appliance actions and manage appliance-related settings",
        &["customer"],
    ),
    ("can_manage_users", "Manage users", "Administrator of the customer", &["customer"]),
    ("can_access_alerts", "Access alerts", "Access alerts and statistics", &["customer", "license", "subkey"]),
    (
        "can_access_pcaps",
        "Access artifacts",
        "Access artifacts collected by sensors, such as pcaps",
        &["customer", "license", "subkey"],
    ),
    (
        "can_manage_labels",
        "Manage labels",
        "Manage backend sensor settings: host labels, event annotations, incident workflow",
        &["customer", "license", "subkey"],
    ),
    (
        "can_access_analyzed_files",
        "Download analyzed files",
        "Download analyzed files of less sensitive types (executables, scripts)",
        &["customer"],
    ),
    (
        "can_access_sensitive_analyzed_files",
        "Download sensitive analyzed files",
        "Download analyzed files of sensitive types (Office documents, PDFs)",
        &["customer"],
    ),
];

pub const CONTEXTS: [&str; 3] = ["customer", "license", "subkey"];
pub const LICENSE_TYPES: [&str; 4] = ["commercial", "non-commercial-institutional", "non-commercial-personal", "trial"];

/// Product bundles: name, hosted (`installation_type` HOSTED), needs several licences.
pub const PRODUCTS: [(&str, bool, bool); 4] = [
    ("analyst-hosted", true, false),
    ("breach-detection-hosted", true, false),
    ("enterprise-hosted-bundle", true, true),
    ("enterprise-on-premise", false, true),
];

/// Built-in roles: name, description, permissions (made up; the page names none).
pub const BUILTIN_ROLES: [(&str, &str, &[&str]); 3] = [
    (
        "Administrator",
        "Every permission on the customer",
        &[
            "can_view_appliances",
            "can_manage_appliances",
            "can_manage_users",
            "can_access_alerts",
            "can_access_pcaps",
            "can_manage_labels",
            "can_access_analyzed_files",
            "can_access_sensitive_analyzed_files",
        ],
    ),
    (
        "Analyst",
        "Alerts, artifacts, labels and analyzed files",
        &[
            "can_view_appliances",
            "can_access_alerts",
            "can_access_pcaps",
            "can_manage_labels",
            "can_access_analyzed_files",
        ],
    ),
    ("Read-only", "Alerts and appliance overview", &["can_view_appliances", "can_access_alerts"]),
];

pub fn is_permission(name: &str) -> bool {
    PERMISSIONS.iter().any(|(p, ..)| *p == name)
}

pub fn permission_contexts(name: &str) -> &'static [&'static str] {
    PERMISSIONS.iter().find(|(p, ..)| *p == name).map(|(.., contexts)| *contexts).unwrap_or(&[])
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    /// The primary contact's username: the customer's identity.
    pub customer: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub affiliation: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zipcode: String,
    pub country: String,
    /// `block_customer=1`: every licence invalid, every account unable to log in. Not
    /// readable through the API.
    pub blocked: bool,
}

pub const CUSTOMER_FIELDS: [&str; 10] =
    ["first_name", "last_name", "phone", "affiliation", "address1", "address2", "city", "state", "zipcode", "country"];

impl Customer {
    pub fn set(&mut self, field: &str, value: &str) {
        let slot = match field {
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "phone" => &mut self.phone,
            "affiliation" => &mut self.affiliation,
            "address1" => &mut self.address1,
            "address2" => &mut self.address2,
            "city" => &mut self.city,
            "state" => &mut self.state,
            "zipcode" => &mut self.zipcode,
            "country" => &mut self.country,
            _ => return,
        };
        *slot = value.to_string();
    }

    pub fn view(&self) -> Value {
        json!({
            "customer": self.customer, "username": self.customer,
            "first_name": self.first_name, "last_name": self.last_name, "phone": self.phone,
            "affiliation": self.affiliation, "address1": self.address1, "address2": self.address2,
            "city": self.city, "state": self.state, "zipcode": self.zipcode, "country": self.country,
        })
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Account {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub customer: String,
    pub is_blocked: bool,
    pub created_by: String,
    pub create_time: String,
    pub last_modified_by: String,
    pub last_modified_time: String,
    pub block_time: Option<String>,
    pub default_locale: String,
    pub default_timezone: String,
    /// Hidden: `None` = cannot log in until a password is set.
    pub password: Option<String>,
    /// Hidden: what the page calls "additional" / "special permissions" (other customers,
    /// `*`, licence generation and licence date changes, `block_customer`).
    pub extra_permissions: bool,
    /// Hidden: `password_expiration_timestamp` as last set.
    pub password_expiration_timestamp: Option<String>,
}

pub const DEFAULT_LOCALE: &str = "en_US";
pub const DEFAULT_TIMEZONE: &str = "UTC";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct License {
    pub access_key: String,
    pub access_key_id: u64,
    pub customer: String,
    pub parent_access_key: Option<String>,
    pub product: String,
    pub license_type: String,
    pub start_date: String,
    pub end_date: String,
    pub auto_extension: bool,
    pub deployment: String,
    pub on_premise_fqdn: Option<String>,
    pub limits: Option<Value>,
    pub installation_key: Option<String>,
    pub license_group_uuid: Option<String>,
    pub notes: String,
    pub location: String,
    /// Hidden: the secret, shown only by generate_license and reset_api_token.
    pub api_token: String,
    /// Hidden: the air-gap installation bundle was fetched (allowed once).
    pub airgap_installed: bool,
    /// Hidden: until then the licence has not propagated (generate_license's note).
    #[serde(skip)]
    pub visible_at: Option<Instant>,
}

impl License {
    pub fn visible(&self) -> bool {
        self.visible_at.is_none_or(|at| Instant::now() >= at)
    }

    pub fn hosted(&self) -> bool {
        self.deployment == "hosted"
    }

    /// The main licence of an on-premise installation.
    pub fn is_installation(&self) -> bool {
        self.deployment.starts_with("on-premise") && self.parent_access_key.is_none()
    }

    /// Valid = started, not expired, customer not blocked.
    pub fn valid(&self, customer_blocked: bool) -> bool {
        let now = today();
        let started = parse_date(&self.start_date).is_none_or(|d| d <= now);
        let running = parse_date(&self.end_date).is_none_or(|d| d >= now);
        started && running && !customer_blocked
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Sensor {
    pub access_key: String,
    pub subkey: String,
    pub subkey_id: u64,
    pub name: String,
    /// Hidden: written by add/update_sensor, never returned.
    pub active: bool,
    /// Check-in data (`include_checkin_data`, `include_heartbeat_data`); set out of band.
    pub last_checkin: Option<String>,
    pub public_ip: Option<String>,
    pub internal_ip: Option<String>,
    pub fqdn: Option<String>,
    pub appliance_version: Option<String>,
    pub appliance_uuid: Option<String>,
}

impl Sensor {
    pub fn key(&self) -> String {
        format!("{}:{}", self.access_key, self.subkey)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Appliance {
    pub appliance_uuid: String,
    /// Hidden: the customer whose licence it uses.
    pub customer: String,
    pub access_key: String,
    pub subkey: String,
    /// `REGISTERED` or `DISABLED`; a deregistered appliance leaves the store.
    pub registration_state: String,
    pub registration_timestamp: String,
    pub registration_account: String,
    pub appliance_type: String,
}

impl Appliance {
    pub fn view(&self) -> Value {
        json!({
            "access_key": self.access_key, "subkey": self.subkey, "appliance_uuid": self.appliance_uuid,
            "registration_state": self.registration_state, "registration_timestamp": self.registration_timestamp,
            "registration_account": self.registration_account, "appliance_type": self.appliance_type,
        })
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Role {
    /// Internal id: grants follow a role through renames.
    pub id: u64,
    pub name: String,
    pub builtin: bool,
    /// The owning customer of a custom role; `None` for built-in roles.
    pub customer: Option<String>,
    pub description: String,
    pub contexts: Vec<String>,
    pub permissions: Vec<String>,
}

impl Role {
    pub fn view(&self) -> Value {
        json!({"role_name": self.name, "builtin": self.builtin, "description": self.description,
            "contexts": self.contexts, "permissions": self.permissions})
    }
}

/// One permission held by an account: `target` is the customer username, the
/// `access_key` or the `<access_key>:<subkey>`, by `context`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PermissionGrant {
    pub account_username: String,
    pub permission: String,
    pub context: String,
    pub target: String,
}

impl PermissionGrant {
    pub fn id(&self) -> String {
        format!("{}/{}/{}/{}", self.account_username, self.permission, self.context, self.target)
    }
}

/// A role held by an account in a customer context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleGrant {
    pub account_username: String,
    pub role_id: u64,
    pub customer: String,
    pub is_ephemeral: bool,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub username: String,
    pub last_used: Instant,
}

/// Request counters for `GET /_sim/state` (`requests`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counters {
    /// Successful `login` calls.
    pub logins: u64,
    pub failed_logins: u64,
    /// Calls authenticated by inline `username`/`password` (each opens a session).
    pub inline_logins: u64,
    pub logouts: u64,
    /// Calls refused with 3004 for lack of a valid session or credentials.
    pub unauthenticated: u64,
    /// Calls per method path (`account/get_account`), whatever their outcome.
    pub calls: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
pub struct Store {
    pub customers: BTreeMap<String, Customer>,
    pub accounts: BTreeMap<String, Account>,
    pub licenses: Vec<License>,
    pub sensors: Vec<Sensor>,
    pub appliances: Vec<Appliance>,
    pub roles: Vec<Role>,
    pub grants: Vec<PermissionGrant>,
    pub role_grants: Vec<RoleGrant>,
    pub sessions: HashMap<String, Session>,
    /// Cookies of sessions ended by `/_sim/sessions/expire` or the idle timeout.
    pub expired_sessions: HashSet<String>,
    pub counters: Counters,
    next_id: u64,
}

/// A place a permission is checked at.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    Customer(&'a str),
    License(&'a License),
    Subkey(&'a License, &'a str),
}

impl Store {
    pub fn new(config: &SimConfig) -> Store {
        let mut store = Store { next_id: 1000, ..Store::default() };
        seed(&mut store, config);
        store
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    // ---- lookups

    pub fn account(&self, username: &str) -> Option<&Account> {
        self.accounts.get(username)
    }

    pub fn customer_blocked(&self, customer: &str) -> bool {
        self.customers.get(customer).is_some_and(|c| c.blocked)
    }

    /// A propagated licence.
    pub fn license(&self, key: &str) -> Option<&License> {
        self.licenses.iter().find(|l| l.access_key == key && l.visible())
    }

    pub fn license_mut(&mut self, key: &str) -> Option<&mut License> {
        self.licenses.iter_mut().find(|l| l.access_key == key && l.visible())
    }

    pub fn license_by_id(&self, id: u64) -> Option<&License> {
        self.licenses.iter().find(|l| l.access_key_id == id && l.visible())
    }

    pub fn sensor(&self, access_key: &str, subkey: &str) -> Option<&Sensor> {
        self.sensors.iter().find(|s| s.access_key == access_key && s.subkey == subkey)
    }

    pub fn sensor_mut(&mut self, access_key: &str, subkey: &str) -> Option<&mut Sensor> {
        self.sensors.iter_mut().find(|s| s.access_key == access_key && s.subkey == subkey)
    }

    pub fn role(&self, id: u64) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// A role by name: built-in, or custom of `customer`.
    pub fn find_role(&self, name: &str, builtin: bool, customer: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.name == name && r.builtin == builtin && (builtin || r.customer.as_deref() == Some(customer)))
    }

    /// Roles available to `customer`: built-in ones and its custom ones.
    pub fn roles_of<'a>(&'a self, customer: &'a str) -> impl Iterator<Item = &'a Role> {
        self.roles.iter().filter(move |r| r.builtin || r.customer.as_deref() == Some(customer))
    }

    /// The customer owning a licence/sensor target (`<key>` or `<key>:<subkey>`).
    pub fn target_customer(&self, context: &str, target: &str) -> Option<String> {
        match context {
            "customer" => self.customers.contains_key(target).then(|| target.to_string()),
            "license" => self.license(target).map(|l| l.customer.clone()),
            "subkey" => {
                let (key, subkey) = target.split_once(':')?;
                self.sensor(key, subkey)?;
                self.license(key).map(|l| l.customer.clone())
            }
            _ => None,
        }
    }

    // ---- permissions

    pub fn has_extra(&self, username: &str) -> bool {
        self.account(username).is_some_and(|a| a.extra_permissions)
    }

    /// Whether `username` holds `permission` at `scope`: directly, through a broader
    /// context (customer ⊃ licence ⊃ subkey), through a role on the customer, or as an
    /// account with Lastline's additional permissions.
    pub fn holds(&self, username: &str, permission: &str, scope: Scope<'_>) -> bool {
        if self.has_extra(username) {
            return true;
        }
        let customer = match scope {
            Scope::Customer(customer) => customer,
            Scope::License(license) | Scope::Subkey(license, _) => &license.customer,
        };
        if self.customer_permissions(username, true).iter().any(|(p, c)| p == permission && c == customer) {
            return true;
        }
        let direct = |context: &str, target: &str| {
            self.grants.iter().any(|g| {
                g.account_username == username
                    && g.permission == permission
                    && g.context == context
                    && g.target == target
            })
        };
        match scope {
            Scope::Customer(_) => false,
            Scope::License(license) => direct("license", &license.access_key),
            Scope::Subkey(license, subkey) => {
                direct("license", &license.access_key) || direct("subkey", &format!("{}:{subkey}", license.access_key))
            }
        }
    }

    /// Whether `username` administers `customer` (`can_manage_users` there).
    pub fn manages(&self, username: &str, customer: &str) -> bool {
        self.holds(username, "can_manage_users", Scope::Customer(customer))
    }

    /// `(permission, customer)` pairs held at customer context, with those of roles.
    pub fn customer_permissions(&self, username: &str, consider_roles: bool) -> Vec<(String, String)> {
        let mut held: Vec<(String, String)> = self
            .grants
            .iter()
            .filter(|g| g.account_username == username && g.context == "customer")
            .map(|g| (g.permission.clone(), g.target.clone()))
            .collect();
        if consider_roles {
            for grant in self.role_grants.iter().filter(|g| g.account_username == username) {
                for permission in self.role(grant.role_id).map(|r| r.permissions.clone()).unwrap_or_default() {
                    held.push((permission, grant.customer.clone()));
                }
            }
        }
        let mut seen = HashSet::new();
        held.retain(|pair| seen.insert(pair.clone()));
        held
    }

    /// Removes an account and what hangs on it: grants, role grants, sessions.
    pub fn remove_account(&mut self, username: &str) -> Option<Account> {
        let account = self.accounts.remove(username)?;
        self.grants.retain(|g| g.account_username != username);
        self.role_grants.retain(|g| g.account_username != username);
        self.sessions.retain(|_, s| s.username != username);
        Some(account)
    }

    // ---- views

    /// An account as `get_account(s)` shows it; a creator or modifier that no longer
    /// exists reads `deleted account`, as the page says.
    pub fn account_view(&self, account: &Account) -> Value {
        let who = |name: &str| {
            if name == LASTLINE || name.is_empty() || self.accounts.contains_key(name) {
                name.to_string()
            } else {
                "deleted account".to_string()
            }
        };
        json!({
            "username": account.username, "email": account.email,
            "first_name": account.first_name, "last_name": account.last_name,
            "customer": account.customer, "is_blocked": account.is_blocked,
            "created_by": who(&account.created_by), "create_time": account.create_time,
            "last_modified_by": who(&account.last_modified_by), "last_modified_time": account.last_modified_time,
            "block_time": account.block_time,
            "default_locale": account.default_locale, "default_timezone": account.default_timezone,
        })
    }

    /// A licence as `get_licenses` shows it (optional keys only when set).
    pub fn license_view(&self, license: &License) -> Value {
        let mut view = Map::new();
        view.insert("customer".into(), json!(license.customer));
        view.insert("access_key".into(), json!(license.access_key));
        if let Some(parent) = &license.parent_access_key {
            view.insert("parent_access_key".into(), json!(parent));
        }
        for (key, value) in [
            ("product", json!(license.product)),
            ("license_type", json!(license.license_type)),
            ("start_date", json!(license.start_date)),
            ("end_date", json!(license.end_date)),
            ("auto_extension", json!(license.auto_extension)),
            ("deployment", json!(license.deployment)),
        ] {
            view.insert(key.into(), value);
        }
        let optional = [
            ("on_premise_fqdn", license.on_premise_fqdn.as_ref().map(|v| json!(v))),
            ("limits", license.limits.clone()),
            ("installation_key", license.installation_key.as_ref().map(|v| json!(v))),
            ("license_group_uuid", license.license_group_uuid.as_ref().map(|v| json!(v))),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                view.insert(key.into(), value);
            }
        }
        view.insert("key_valid".into(), json!(license.valid(self.customer_blocked(&license.customer))));
        Value::Object(view)
    }

    /// A sensor as `get_sensors` shows it (`active` never appears).
    pub fn sensor_view(&self, license: &License, sensor: &Sensor, checkin: bool) -> Value {
        let mut view = json!({
            "customer": license.customer, "key": sensor.key(), "access_key": sensor.access_key,
            "subkey": sensor.subkey, "name": sensor.name,
            "access_key_id": license.access_key_id, "subkey_id": sensor.subkey_id,
            "license_type": license.license_type, "license_start_date": license.start_date,
            "license_end_date": license.end_date, "hosted": license.hosted(),
            "key_valid": license.valid(self.customer_blocked(&license.customer)),
        });
        if checkin {
            view["last_checkin"] = json!(sensor.last_checkin);
            view["public_ip"] = json!(sensor.public_ip);
            view["internal_ip"] = json!(sensor.internal_ip);
            view["fqdn"] = json!(sensor.fqdn);
            view["appliance_version"] = json!(sensor.appliance_version);
            view["appliance_uuid"] = json!(sensor.appliance_uuid);
        }
        view
    }

    /// A key as `get_keys` shows it: the licence alone, or one of its sensors.
    pub fn key_view(&self, license: &License, sensor: Option<&Sensor>) -> Value {
        let mut view = json!({
            "customer": license.customer,
            "key": sensor.map(Sensor::key).unwrap_or_else(|| license.access_key.clone()),
            "access_key": license.access_key, "access_key_id": license.access_key_id,
            "license_type": license.license_type, "license_start_date": license.start_date,
            "license_end_date": license.end_date, "hosted": license.hosted(),
            "key_valid": license.valid(self.customer_blocked(&license.customer)),
            "notes": license.notes, "location": license.location,
            // "Will always be False when API request is to Lastline hosted backend": the
            // simulator stands for the hosted backend.
            "is_installation_license": false,
        });
        if let Some(sensor) = sensor {
            view["subkey"] = json!(sensor.subkey);
            view["name"] = json!(sensor.name);
            view["subkey_id"] = json!(sensor.subkey_id);
        }
        view
    }
}

/// A random licence key: 20 upper-case letters and digits.
pub fn new_access_key() -> String {
    uuid::Uuid::new_v4().simple().to_string().to_uppercase().chars().take(20).collect()
}

/// A random API token: 40 lower-case hex digits.
pub fn new_api_token() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("{a}{}", &b[..8])
}

fn seed(store: &mut Store, config: &SimConfig) {
    let seeded_at = "2025-01-06 09:00:00".to_string();
    let add_account = |store: &mut Store, username: &str, customer: &str, password: &str, first: &str, last: &str| {
        // A configured username may coincide with a seeded one: the first seeding wins.
        if store.accounts.contains_key(username) {
            return;
        }
        store.accounts.insert(
            username.to_string(),
            Account {
                username: username.into(),
                email: username.into(),
                first_name: first.into(),
                last_name: last.into(),
                customer: customer.into(),
                created_by: LASTLINE.into(),
                create_time: seeded_at.clone(),
                last_modified_by: LASTLINE.into(),
                last_modified_time: seeded_at.clone(),
                default_locale: DEFAULT_LOCALE.into(),
                default_timezone: DEFAULT_TIMEZONE.into(),
                password: Some(password.into()),
                ..Account::default()
            },
        );
    };
    let customer = config.customer.clone();
    store.customers.insert(
        customer.clone(),
        Customer {
            customer: customer.clone(),
            first_name: "Ada".into(),
            last_name: "Admin".into(),
            phone: "+1 555 0100".into(),
            affiliation: "Acme Corp".into(),
            address1: "1 Main Street".into(),
            city: "Springfield".into(),
            state: "CA".into(),
            zipcode: "90210".into(),
            country: "US".into(),
            ..Customer::default()
        },
    );
    add_account(store, &customer, &customer, &config.password, "Ada", "Admin");
    grant_all(store, &customer, &customer);
    if config.username != customer {
        add_account(store, &config.username, &customer, &config.password, "Sim", "Operator");
        grant_all(store, &config.username, &customer);
    }
    if let Some(account) = store.accounts.get_mut(&config.username) {
        account.extra_permissions = config.extra_permissions;
    }
    add_account(store, ANALYST, &customer, ANALYST_PASSWORD, "Alan", "Analyst");

    store.customers.entry(OTHER_CUSTOMER.into()).or_insert(Customer {
        customer: OTHER_CUSTOMER.into(),
        first_name: "Gil".into(),
        last_name: "Globex".into(),
        affiliation: "Globex".into(),
        country: "DE".into(),
        ..Customer::default()
    });
    add_account(store, OTHER_CUSTOMER, OTHER_CUSTOMER, OTHER_PASSWORD, "Gil", "Globex");
    grant_all(store, OTHER_CUSTOMER, OTHER_CUSTOMER);

    let license = |store: &mut Store,
                   key: &str,
                   customer: &str,
                   product: &str,
                   kind: &str,
                   dates: (&str, &str),
                   deployment: &str| {
        let id = store.next_id();
        store.licenses.push(License {
            access_key: key.into(),
            access_key_id: id,
            customer: customer.into(),
            product: product.into(),
            license_type: kind.into(),
            start_date: dates.0.into(),
            end_date: dates.1.into(),
            deployment: deployment.into(),
            api_token: format!("{}-seeded-token", key.to_lowercase()),
            ..License::default()
        });
    };
    let long = ("2025-01-01", "2030-12-31");
    license(store, HOSTED_KEY, &customer, "analyst-hosted", "commercial", long, "hosted");
    license(store, ONPREM_KEY, &customer, "enterprise-on-premise", "commercial", long, "on-premise");
    license(store, CHILD_KEY, &customer, "enterprise-on-premise", "commercial", long, "on-premise");
    license(store, EXPIRED_KEY, &customer, "analyst-hosted", "trial", ("2023-01-01", "2023-12-31"), "hosted");
    license(store, OTHER_KEY, OTHER_CUSTOMER, "analyst-hosted", "commercial", long, "hosted");
    for l in store.licenses.iter_mut() {
        match l.access_key.as_str() {
            ONPREM_KEY => {
                l.on_premise_fqdn = Some("manager.acme.example".into());
                l.location = "Springfield data centre".into();
            }
            CHILD_KEY => {
                l.parent_access_key = Some(ONPREM_KEY.into());
                l.on_premise_fqdn = Some("manager.acme.example".into());
                l.installation_key = Some(ONPREM_KEY.into());
            }
            HOSTED_KEY => l.auto_extension = true,
            _ => {}
        }
    }
    for (subkey, name, ip) in
        [("sensor01", "Perimeter sensor", "10.0.0.11"), ("sensor02", "Branch office sensor", "10.0.1.12")]
    {
        let id = store.next_id();
        store.sensors.push(Sensor {
            access_key: ONPREM_KEY.into(),
            subkey: subkey.into(),
            subkey_id: id,
            name: name.into(),
            active: true,
            last_checkin: Some("2026-11-30 12:00:00".into()),
            public_ip: Some("203.0.113.10".into()),
            internal_ip: Some(ip.into()),
            fqdn: Some(format!("{subkey}.acme.example")),
            appliance_version: Some("9.2.1".into()),
            appliance_uuid: None,
        });
    }
    for (uuid, subkey, state) in
        [(APPLIANCE_UUID, "sensor01", "REGISTERED"), (DISABLED_APPLIANCE_UUID, "sensor02", "DISABLED")]
    {
        store.appliances.push(Appliance {
            appliance_uuid: uuid.into(),
            customer: customer.clone(),
            access_key: ONPREM_KEY.into(),
            subkey: subkey.into(),
            registration_state: state.into(),
            registration_timestamp: "2025-02-01 10:00:00".into(),
            registration_account: customer.clone(),
            appliance_type: "sensor".into(),
        });
        if let Some(sensor) = store.sensor_mut(ONPREM_KEY, subkey) {
            sensor.appliance_uuid = Some(uuid.into());
        }
    }
    for (name, description, permissions) in BUILTIN_ROLES {
        let id = store.next_id();
        store.roles.push(Role {
            id,
            name: name.into(),
            builtin: true,
            customer: None,
            description: description.into(),
            contexts: vec!["customer".into()],
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
        });
    }
    let grant = |account: &str, permission: &str, context: &str, target: String| PermissionGrant {
        account_username: account.into(),
        permission: permission.into(),
        context: context.into(),
        target,
    };
    store.grants.push(grant(ANALYST, "can_access_alerts", "license", HOSTED_KEY.into()));
    store.grants.push(grant(ANALYST, "can_access_pcaps", "subkey", format!("{ONPREM_KEY}:sensor01")));
    if let Some(read_only) = store.find_role("Read-only", true, &customer).map(|r| r.id) {
        store.role_grants.push(RoleGrant {
            account_username: ANALYST.into(),
            role_id: read_only,
            customer,
            is_ephemeral: false,
        });
    }
}

/// Every permission at customer context on `customer`.
fn grant_all(store: &mut Store, username: &str, customer: &str) {
    for (permission, ..) in PERMISSIONS {
        store.grants.push(PermissionGrant {
            account_username: username.into(),
            permission: permission.into(),
            context: "customer".into(),
            target: customer.into(),
        });
    }
}
