//! The simulator's in-memory cluster: projects, volumes and snapshots as the API shows
//! them (proto3 JSON), with lazily advanced asynchronous states and per-object ETags.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Project,
    Volume,
    Snapshot,
    // Storage policies (policies.rs).
    QosPolicy,
    ResourcePolicy,
    // Identity and access (identity.rs).
    Credential,
    AdminEndpoint,
    IdpConfiguration,
    AuthMap,
    IdpClientConfiguration,
    TrustedHost,
    TrustedHostSecret,
    Role,
    // The cluster's machines and settings (cluster.rs).
    ConfigParam,
    FeatureFlag,
    Server,
    Node,
    NvmeDevice,
    Event,
}

impl Kind {
    pub const ALL: [Kind; 19] = [
        Kind::Project,
        Kind::Volume,
        Kind::Snapshot,
        Kind::QosPolicy,
        Kind::ResourcePolicy,
        Kind::Credential,
        Kind::AdminEndpoint,
        Kind::IdpConfiguration,
        Kind::AuthMap,
        Kind::IdpClientConfiguration,
        Kind::TrustedHost,
        Kind::TrustedHostSecret,
        Kind::Role,
        Kind::ConfigParam,
        Kind::FeatureFlag,
        Kind::Server,
        Kind::Node,
        Kind::NvmeDevice,
        Kind::Event,
    ];

    /// Whether answers carry `ETag`: the seed shows it on admin endpoints and NVMe
    /// devices, the proto also on volumes, snapshots, servers and nodes. Other objects
    /// (projects, credentials, policies, ...) have none to show, though some of their
    /// operations list 412: an `If-Match` is still checked when a client sends one.
    pub fn shows_etag(&self) -> bool {
        matches!(
            self,
            Kind::Volume | Kind::Snapshot | Kind::AdminEndpoint | Kind::Server | Kind::Node | Kind::NvmeDevice
        )
    }

    pub fn noun(&self) -> &'static str {
        match self {
            Kind::Project => "project",
            Kind::Volume => "volume",
            Kind::Snapshot => "snapshot",
            Kind::QosPolicy => "qos_policy",
            Kind::ResourcePolicy => "resource_policy",
            Kind::Credential => "credential",
            Kind::AdminEndpoint => "admin_endpoint",
            Kind::IdpConfiguration => "idp_configuration",
            Kind::AuthMap => "auth_map",
            Kind::IdpClientConfiguration => "idp_client_configuration",
            Kind::TrustedHost => "trusted_host",
            Kind::TrustedHostSecret => "trusted_host_secret",
            Kind::Role => "role",
            Kind::ConfigParam => "config_param",
            Kind::FeatureFlag => "feature_flag",
            Kind::Server => "server",
            Kind::Node => "node",
            Kind::NvmeDevice => "nvme_device",
            Kind::Event => "event",
        }
    }
}

/// A pending state change: at `at`, the object becomes `to` (or disappears for None).
#[derive(Clone, Debug)]
pub struct Transition {
    pub at: Instant,
    pub to: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub kind: Kind,
    pub body: Value,
    pub etag: u64,
    pub transition: Option<Transition>,
    /// Creation order, for deterministic listing.
    pub seq: u64,
}

impl Object {
    pub fn uuid(&self) -> &str {
        self.body.get("UUID").and_then(Value::as_str).unwrap_or_default()
    }
    pub fn name(&self) -> &str {
        self.body.get("name").and_then(Value::as_str).unwrap_or_default()
    }
    pub fn project(&self) -> &str {
        self.body.get("projectName").and_then(Value::as_str).unwrap_or_default()
    }
    pub fn state(&self) -> &str {
        self.body.get("state").and_then(Value::as_str).unwrap_or_default()
    }
    pub fn set_state(&mut self, s: &str) {
        self.body["state"] = Value::String(s.to_string());
    }
    /// The object as the API returns it, with its current ETag where the API has one.
    pub fn view(&self) -> Value {
        let mut b = self.body.clone();
        if self.kind.shows_etag() {
            b["ETag"] = Value::String(self.etag.to_string());
        }
        b
    }
}

#[derive(Default)]
pub struct Store {
    /// Keyed by UUID.
    pub objects: BTreeMap<String, Object>,
    pub next_seq: u64,
    pub next_nsid: u64,
}

impl Store {
    /// Applies every transition whose time has come.
    pub fn advance(&mut self, now: Instant) {
        let mut gone = Vec::new();
        for (id, o) in self.objects.iter_mut() {
            if let Some(t) = o.transition.clone() {
                if now >= t.at {
                    o.transition = None;
                    match t.to {
                        Some(s) => {
                            o.set_state(s);
                            o.etag += 1;
                        }
                        None => gone.push(id.clone()),
                    }
                }
            }
        }
        for id in gone {
            self.objects.remove(&id);
        }
    }

    pub fn insert(&mut self, kind: Kind, mut body: Value, ready_after: Option<Duration>) -> &Object {
        let uuid = uuid::Uuid::new_v4().to_string();
        body["UUID"] = Value::String(uuid.clone());
        // `Project` has no creation time in the proto; volumes and snapshots do.
        if kind != Kind::Project {
            body["creationTime"] = Value::String(now_rfc3339());
        }
        let transition = ready_after.map(|d| Transition { at: Instant::now() + d, to: Some("Available") });
        if transition.is_some() {
            body["state"] = json!("Creating");
        }
        if kind == Kind::Volume {
            self.next_nsid += 1;
            // A uint32 in `Volume`, so a JSON number.
            body["nsid"] = json!(self.next_nsid);
        }
        self.next_seq += 1;
        let obj = Object { kind, body, etag: 1, transition, seq: self.next_seq };
        self.objects.insert(uuid.clone(), obj);
        &self.objects[&uuid]
    }

    pub fn find(&self, kind: Kind, project: Option<&str>, uuid: Option<&str>, name: Option<&str>) -> Option<&Object> {
        self.objects.values().find(|o| {
            o.kind == kind
                && project.is_none_or(|p| o.project() == p)
                && uuid.is_none_or(|u| o.uuid() == u)
                && name.is_none_or(|n| o.name() == n)
        })
    }

    pub fn find_key(
        &self,
        kind: Kind,
        project: Option<&str>,
        uuid: Option<&str>,
        name: Option<&str>,
    ) -> Option<String> {
        self.find(kind, project, uuid, name).map(|o| o.uuid().to_string())
    }

    /// Objects of a kind in creation order.
    pub fn list(&self, kind: Kind, project: Option<&str>) -> Vec<&Object> {
        let mut v: Vec<&Object> =
            self.objects.values().filter(|o| o.kind == kind && project.is_none_or(|p| o.project() == p)).collect();
        v.sort_by_key(|o| o.seq);
        v
    }
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
