//! The server's tables (users, beacons, instances, aliases, applications, deployments) and
//! the simulated world around it: beacon agents and Docker daemons the server contacts.
//!
//! Rows keep insertion order, as a fresh Postgres table scanned without ORDER BY does.
//! Seeded: the bootstrap admin of the repository's `config/auth.json` (email, password and
//! AuthLevel from [`super::SimConfig`]); its sample beacon grant (`127.0.0.1:5002`) is left
//! out so that a fresh simulator has no permission on a beacon that does not exist.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::docker::DockerHost;

/// Resource levels (auth/permissions.go): 0 access, 1 modify, 2 owner; absent = -1.
pub const ACCESS: i64 = 0;
pub const MODIFY: i64 = 1;
pub const OWNER: i64 = 2;

#[derive(Clone, Debug)]
pub struct User {
    pub email: String,
    /// Plain text: the simulator's stand-in for the salted SHA-512.
    pub password: String,
    pub auth_level: i64,
    pub beacons: BTreeMap<String, i64>,
    pub applications: BTreeMap<String, i64>,
}

impl User {
    pub fn new(email: &str, password: &str, auth_level: i64) -> User {
        User {
            email: email.to_string(),
            password: password.to_string(),
            auth_level,
            beacons: BTreeMap::new(),
            applications: BTreeMap::new(),
        }
    }

    /// `GET /users/{Email}`'s body (Go sorts map keys, as BTreeMap does).
    pub fn view(&self) -> Value {
        json!({
            "Email": self.email,
            "AuthLevel": self.auth_level,
            "Permissions": {"Beacons": self.beacons, "Applications": self.applications},
        })
    }

    pub fn beacon_level(&self, address: &str) -> i64 {
        self.beacons.get(address).copied().unwrap_or(-1)
    }

    pub fn application_level(&self, name: &str) -> i64 {
        self.applications.get(name).copied().unwrap_or(-1)
    }

    /// CanViewUser == CanModifyUser: yourself, or a strictly lower AuthLevel.
    pub fn can_see(&self, other: &User) -> bool {
        self.email == other.email || self.auth_level > other.auth_level
    }
}

/// A level below 0 removes the entry (SetAuthLevel).
pub fn set_level(levels: &mut BTreeMap<String, i64>, key: &str, level: i64) {
    if level < ACCESS {
        levels.remove(key);
    } else {
        levels.insert(key.to_string(), level);
    }
}

#[derive(Clone, Debug)]
pub struct Beacon {
    pub address: String,
    pub token: String,
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub address: String,
    pub name: String,
    pub can_access_docker: bool,
    pub beacon: String,
}

#[derive(Clone, Debug)]
pub struct AliasRow {
    pub alias: String,
    pub address: String,
}

#[derive(Clone, Debug)]
pub struct Application {
    pub id: i64,
    pub name: String,
    pub instances: Vec<String>,
    /// -1 until a deployment succeeds.
    pub current_deployment: i64,
}

impl Application {
    /// One entry of `GET /applications/list` (Go struct field order).
    pub fn view(&self) -> Value {
        json!({"Id": self.id, "CurrentDeployment": self.current_deployment, "Name": self.name,
            "Instances": self.instances})
    }
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub id: i64,
    pub app_id: i64,
    pub command: Value,
    pub creator: String,
    /// RFC 3339, as Go renders the `Date` column.
    pub date: String,
}

/// A VM a simulated beacon reports on `GET /vms` (beacon structs.VM).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Vm {
    pub name: String,
    pub address: String,
    pub port: String,
    pub version: String,
    #[serde(rename = "canAccessDocker")]
    pub can_access_docker: bool,
}

impl Vm {
    /// The instance address Lighthouse derives: `<address>:<port>/<version>`.
    pub fn instance_address(&self) -> String {
        format!("{}:{}/{}", self.address, self.port, self.version)
    }
}

/// A reachable beacon agent: it checks the `Token` header and reports its VMs.
#[derive(Clone, Debug)]
pub struct BeaconHost {
    pub token: String,
    pub vms: Vec<Vm>,
}

#[derive(Default)]
pub struct Store {
    pub users: Vec<User>,
    pub beacons: Vec<Beacon>,
    pub instances: Vec<Instance>,
    pub aliases: Vec<AliasRow>,
    pub applications: Vec<Application>,
    pub deployments: Vec<Deployment>,
    /// Serial sequences: ids are never reused, even after a failed create's delete.
    pub next_application_id: i64,
    pub next_deployment_id: i64,
    pub beacon_hosts: BTreeMap<String, BeaconHost>,
    pub docker_hosts: BTreeMap<String, DockerHost>,
    pub logins: u64,
    pub login_failures: u64,
    /// API requests received, by `<METHOD> <path as sent>` (query left out), so that tests
    /// can see how much a client asks.
    pub requests_by_path: BTreeMap<String, u64>,
}

/// Postgres unique violation, as the databases package words it.
pub const DUPLICATE_KEY: &str = "databases: key already exists";
pub const NO_ROWS: &str = "databases: result was empty";
pub const NO_UPDATE: &str = "databases: no rows updated";

impl Store {
    pub fn new(admin: User) -> Store {
        Store { users: vec![admin], next_application_id: 1, next_deployment_id: 1, ..Store::default() }
    }

    pub fn user(&self, email: &str) -> Option<&User> {
        self.users.iter().find(|u| u.email == email)
    }

    pub fn user_mut(&mut self, email: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.email == email)
    }

    pub fn beacon(&self, address: &str) -> Option<&Beacon> {
        self.beacons.iter().find(|b| b.address == address)
    }

    pub fn instance(&self, address: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.address == address)
    }

    pub fn alias_of(&self, address: &str) -> Option<&str> {
        self.aliases.iter().find(|a| a.address == address).map(|a| a.alias.as_str())
    }

    /// Alias -> address; several addresses may share an alias: the first row wins.
    pub fn address_of(&self, alias: &str) -> Option<&str> {
        self.aliases.iter().find(|a| a.alias == alias).map(|a| a.address.as_str())
    }

    /// A path's beacon: an alias resolves to its address, anything else is used verbatim.
    pub fn resolve_alias(&self, name: &str) -> String {
        self.address_of(name).unwrap_or(name).to_string()
    }

    pub fn insert_alias(&mut self, alias: &str, address: &str) -> Result<(), &'static str> {
        if self.alias_of(address).is_some() {
            return Err(DUPLICATE_KEY);
        }
        self.aliases.push(AliasRow { alias: alias.to_string(), address: address.to_string() });
        Ok(())
    }

    /// Upsert by address (aliases.SetAlias).
    pub fn set_alias(&mut self, alias: &str, address: &str) {
        match self.aliases.iter_mut().find(|a| a.address == address) {
            Some(row) => row.alias = alias.to_string(),
            None => self.aliases.push(AliasRow { alias: alias.to_string(), address: address.to_string() }),
        }
    }

    pub fn remove_alias(&mut self, address: &str) {
        self.aliases.retain(|a| a.address != address);
    }

    /// Inserts or updates one instance row (rows are never deleted).
    pub fn upsert_instance(&mut self, instance: Instance) {
        match self.instances.iter_mut().find(|i| i.address == instance.address) {
            Some(row) => *row = instance,
            None => self.instances.push(instance),
        }
    }

    pub fn application(&self, id: i64) -> Option<&Application> {
        self.applications.iter().find(|a| a.id == id)
    }

    pub fn application_mut(&mut self, id: i64) -> Option<&mut Application> {
        self.applications.iter_mut().find(|a| a.id == id)
    }

    pub fn application_by_name(&self, name: &str) -> Option<&Application> {
        self.applications.iter().find(|a| a.name == name)
    }

    pub fn deployment(&self, id: i64) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.id == id)
    }

    /// Inserts an application row (CurrentDeployment -1); the Name is UNIQUE.
    pub fn insert_application(&mut self, name: &str, instances: Vec<String>) -> Result<Application, &'static str> {
        if self.application_by_name(name).is_some() {
            return Err(DUPLICATE_KEY);
        }
        let app =
            Application { id: self.next_application_id, name: name.to_string(), instances, current_deployment: -1 };
        self.next_application_id += 1;
        self.applications.push(app.clone());
        Ok(app)
    }

    pub fn insert_deployment(&mut self, app_id: i64, command: Value, creator: &str) -> Deployment {
        let deployment =
            Deployment { id: self.next_deployment_id, app_id, command, creator: creator.to_string(), date: now() };
        self.next_deployment_id += 1;
        self.deployments.push(deployment.clone());
        deployment
    }

    /// A failed create removes its rows again.
    pub fn remove_application(&mut self, app_id: i64, deployment_id: i64) {
        self.deployments.retain(|d| d.id != deployment_id);
        self.applications.retain(|a| a.id != app_id);
    }

    /// The deployments of an application, newest first.
    pub fn history(&self, app_id: i64) -> Vec<&Deployment> {
        let mut rows: Vec<&Deployment> = self.deployments.iter().filter(|d| d.app_id == app_id).collect();
        rows.sort_by_key(|d| std::cmp::Reverse(d.id));
        rows
    }
}

/// Now as Go renders a Postgres timestamp: RFC 3339, UTC, microseconds with trailing
/// zeros dropped.
pub fn now() -> String {
    let at = time::OffsetDateTime::now_utc();
    let base = at
        .format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"))
        .unwrap_or_default();
    let micros = format!("{:06}", at.microsecond());
    let micros = micros.trim_end_matches('0');
    if micros.is_empty() {
        format!("{base}Z")
    } else {
        format!("{base}.{micros}Z")
    }
}
