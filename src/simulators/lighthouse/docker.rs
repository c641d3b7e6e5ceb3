//! The Docker daemons (Remote API v1.12-v1.18 era) the deployment procedure talks to, and
//! the way the server reaches them (handlers/docker `MakeDockerRequest`): an instance
//! known from a beacon is reached through that beacon's proxy with the beacon token (sent
//! only when the caller has a level on the beacon), anything else directly.
//!
//! Only the calls the server makes are simulated: pull, create, delete, rename, start,
//! stop. Every image counts as present (a pull is only needed when asked for). Error
//! bodies are plain text, as the daemon writes them; their exact wording is the
//! simulator's (the documents quote none).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::beacons::dial_target;
use super::store::Store;

/// One container as a test sees it in `GET /_sim/state`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Container {
    pub id: String,
    pub image: Value,
    pub command: Value,
    pub running: bool,
    /// The deployment whose Command created it.
    pub deployment_id: i64,
}

/// A reachable Docker daemon.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DockerHost {
    /// A step that fails on this host: `pull`, `create`, `start` or `stop`.
    pub fail: Option<String>,
    pub containers: BTreeMap<String, Container>,
}

/// Steps a test can make fail.
pub const FAILABLE_STEPS: [&str; 4] = ["pull", "create", "start", "stop"];

/// What the server got back: an HTTP answer, or a transport error (Go's error text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Answer(u16, String),
    Transport(String),
}

/// One request of the deployment procedure.
pub struct DockerCall<'a> {
    pub caller: &'a str,
    pub method: &'a str,
    pub instance: &'a str,
    pub endpoint: &'a str,
    pub body: &'a Value,
    pub deployment_id: i64,
}

/// Go's url.Error operation: the method with only its first letter upper case.
fn go_op(method: &str) -> String {
    let lower = method.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|first| first.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// Sends one request the way the server does and answers what it would receive.
pub fn call(store: &mut Store, request: &DockerCall) -> Outcome {
    let op = go_op(request.method);
    let Some(beacon) = store.instance(request.instance).map(|i| i.beacon.clone()) else {
        let url = format!("http://{}/{}", request.instance, request.endpoint);
        return match store.docker_hosts.get_mut(request.instance) {
            Some(host) => answer(host, request),
            None => Outcome::Transport(format!(
                "{op} {url}: dial tcp {}: connection refused",
                dial_target(request.instance)
            )),
        };
    };
    let url = format!("http://{beacon}/d/{}/{}", request.instance, request.endpoint);
    let Some(expected) = store.beacon_hosts.get(&beacon).map(|h| h.token.clone()) else {
        return Outcome::Transport(format!("{op} {url}: dial tcp {}: connection refused", dial_target(&beacon)));
    };
    let has_level = store.user(request.caller).is_some_and(|u| u.beacon_level(&beacon) >= 0);
    let token =
        if has_level { store.beacon(&beacon).map(|b| b.token.clone()).unwrap_or_default() } else { String::new() };
    if token != expected {
        return Outcome::Answer(401, String::new());
    }
    match store.docker_hosts.get_mut(request.instance) {
        Some(host) => answer(host, request),
        // The beacon's proxy crashes on a dial error: the server sees the connection close.
        None => Outcome::Transport(format!("{op} {url}: EOF")),
    }
}

fn container_id() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn simulated_failure(host: &DockerHost, step: &str) -> bool {
    host.fail.as_deref() == Some(step)
}

fn no_such(name: &str) -> Outcome {
    Outcome::Answer(404, format!("no such id: {name}\n"))
}

/// The daemon's answer to one endpoint (`path?query`).
fn answer(host: &mut DockerHost, request: &DockerCall) -> Outcome {
    let (path, query) = request.endpoint.split_once('?').unwrap_or((request.endpoint, ""));
    let param = |name: &str| super::error::query_param(Some(query), name).unwrap_or_default();
    let parts: Vec<&str> = path.split('/').collect();
    match (request.method, parts.as_slice()) {
        ("POST", ["images", "create"]) => pull(host, &param("fromImage")),
        ("POST", ["containers", "create"]) => create(host, &param("name"), request),
        ("DELETE", ["containers", name]) => match host.containers.remove(*name) {
            Some(_) => Outcome::Answer(204, String::new()),
            None => no_such(name),
        },
        ("POST", ["containers", name, "rename"]) => rename(host, name, &param("name")),
        ("POST", ["containers", name, "start"]) => set_running(host, name, true),
        ("POST", ["containers", name, "stop"]) => set_running(host, name, false),
        _ => Outcome::Answer(404, "page not found\n".into()),
    }
}

/// A pull answers 200 and reports progress, or a failure, as a stream of JSON objects.
fn pull(host: &DockerHost, image: &str) -> Outcome {
    let mut lines = vec![json!({"status": format!("Pulling repository {image}")}).to_string()];
    if simulated_failure(host, "pull") {
        let message = format!("Error: image {image} not found");
        lines.push(json!({"errorDetail": {"message": message}, "error": message}).to_string());
    } else {
        lines.push(json!({"status": format!("Status: Image is up to date for {image}")}).to_string());
    }
    Outcome::Answer(200, lines.join("\n") + "\n")
}

fn create(host: &mut DockerHost, name: &str, request: &DockerCall) -> Outcome {
    if simulated_failure(host, "create") {
        return Outcome::Answer(500, "Cannot create container: simulated failure\n".into());
    }
    if let Some(existing) = host.containers.get(name) {
        return Outcome::Answer(
            409,
            format!(
                "Conflict. The name \"{name}\" is already in use by container {}. You have to delete (or rename) that container to be able to reuse that name.\n",
                &existing.id[..12]
            ),
        );
    }
    let image = request.body.get("Image").cloned().unwrap_or(Value::Null);
    if image.as_str().is_none_or(str::is_empty) {
        // The documents are silent; the daemon refuses a config without an image.
        return Outcome::Answer(500, "No image specified\n".into());
    }
    let id = container_id();
    let answer = json!({"Id": id, "Warnings": null}).to_string();
    host.containers.insert(
        name.to_string(),
        Container { id, image, command: request.body.clone(), running: false, deployment_id: request.deployment_id },
    );
    Outcome::Answer(201, answer + "\n")
}

fn rename(host: &mut DockerHost, from: &str, to: &str) -> Outcome {
    if host.containers.contains_key(to) {
        return Outcome::Answer(
            409,
            format!("Conflict, The name {to} is already assigned to a container. You have to delete (or rename) that container to be able to assign {to} to a container again.\n"),
        );
    }
    match host.containers.remove(from) {
        Some(container) => {
            host.containers.insert(to.to_string(), container);
            Outcome::Answer(204, String::new())
        }
        None => no_such(from),
    }
}

/// Start and stop: 304 when already in that state (Docker's "Not Modified").
fn set_running(host: &mut DockerHost, name: &str, running: bool) -> Outcome {
    let step = if running { "start" } else { "stop" };
    if simulated_failure(host, step) {
        return Outcome::Answer(500, format!("Cannot {step} container {name}: simulated failure\n"));
    }
    let Some(container) = host.containers.get_mut(name) else {
        return no_such(name);
    };
    if container.running == running {
        return Outcome::Answer(304, String::new());
    }
    container.running = running;
    Outcome::Answer(204, String::new())
}
