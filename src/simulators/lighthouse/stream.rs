//! The progress streams of the application endpoints (handlers/batch): HTTP 200,
//! `application/json`, one JSON record per line, flushed as produced, always ending with
//! a `Finalized` record; and the deployment procedure that writes them
//! (handlers/applications `doDeployment`).
//!
//! A step runs one Docker request on each instance still in play and writes `Starting`,
//! one `OK`/`Warning`/`Error` record per instance (`Item` = its index in this step), then
//! `Complete`. Instances that fail drop out; the procedure stops at the first step where
//! any failed, after rolling back what it can. The server runs the instances of a step in
//! parallel; the simulator runs them in order, so records come in instance order.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use super::docker::{self, DockerCall, Outcome};
use super::error::{go_json, json_response};
use super::store::{Application, Deployment};
use super::Sim;

/// One line of a stream (batch.progressUpdate).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    pub status: String,
    pub method: String,
    pub endpoint: String,
    pub message: String,
    pub code: u16,
    pub instance: String,
    pub item: usize,
    pub total: usize,
}

impl Record {
    pub fn to_json(&self) -> Value {
        json!({"Status": self.status, "Method": self.method, "Endpoint": self.endpoint, "Message": self.message,
            "Code": self.code, "Instance": self.instance, "Item": self.item, "Total": self.total})
    }
}

/// The writing end of a stream; records go out as they are written (a reader that went
/// away does not stop the work: the server finishes a deployment whoever listens).
pub struct Stream {
    sender: UnboundedSender<Result<Bytes, std::io::Error>>,
    step_delay: Duration,
    written: usize,
}

impl Stream {
    /// A stream and the response that carries it.
    pub fn open(step_delay: Duration) -> (Stream, Response) {
        let (sender, receiver) = unbounded_channel();
        let body = Body::from_stream(tokio_stream::wrappers::UnboundedReceiverStream::new(receiver));
        let mut response = json_response(StatusCode::OK, String::new());
        *response.body_mut() = body;
        (Stream { sender, step_delay, written: 0 }, response)
    }

    pub async fn write(&mut self, record: Record) {
        if self.written > 0 {
            crate::simulators::delay(self.step_delay).await;
        }
        self.written += 1;
        let line = go_json(&record.to_json()) + "\n";
        let _ = self.sender.send(Ok(Bytes::from(line)));
    }

    /// batch.Finalize: the last record, every other field a zero value.
    pub async fn finalize(&mut self) {
        self.write(Record { status: "Finalized".into(), ..Record::default() }).await;
    }
}

/// How a step judges one instance's answer.
#[derive(Clone, Copy, Debug)]
pub enum Judge {
    /// 2xx OK, 3xx Warning, else Error; the message is the body's first 80 bytes.
    Default,
    /// A 404 is a Warning "Container did not exist"; messages are empty.
    Delete,
    /// A 500 is "Docker internal error"; otherwise an `error` in the progress objects.
    Pull,
}

/// The first 80 bytes of a body, `...` when there was more.
fn excerpt(body: &str) -> String {
    let bytes = body.as_bytes();
    if bytes.len() > 80 {
        String::from_utf8_lossy(&bytes[..80]).into_owned() + "..."
    } else {
        body.to_string()
    }
}

/// (Status, Message, Code, passed) of one instance.
fn judge(judge: Judge, outcome: &Outcome) -> (&'static str, String, u16, bool) {
    let (code, body) = match outcome {
        Outcome::Transport(error) => return ("Error", error.clone(), 500, false),
        Outcome::Answer(code, body) => (*code, body.as_str()),
    };
    match judge {
        Judge::Default => match code {
            200..=299 => ("OK", excerpt(body), code, true),
            300..=399 => ("Warning", excerpt(body), code, true),
            _ => ("Error", excerpt(body), code, false),
        },
        Judge::Delete => match code {
            404 => ("Warning", "Container did not exist".into(), code, true),
            200..=299 => ("OK", String::new(), code, true),
            _ => ("Error", String::new(), code, false),
        },
        Judge::Pull => {
            if code == 500 {
                return ("Error", "Docker internal error".into(), 500, false);
            }
            for line in serde_json::Deserializer::from_str(body).into_iter::<Value>() {
                match line {
                    Ok(progress) => {
                        let error = progress.get("error").and_then(Value::as_str).unwrap_or("");
                        if !error.is_empty() {
                            return ("Error", error.to_string(), 500, false);
                        }
                    }
                    Err(e) => return ("Error", e.to_string(), 500, false),
                }
            }
            ("OK", String::new(), code, true)
        }
    }
}

/// batch.Processor: the instances still in play, those that failed so far, and who asks
/// (the beacon token goes only with a caller who has a level on the beacon).
pub struct Processor {
    pub sim: Arc<Sim>,
    pub caller: String,
    pub instances: Vec<String>,
    pub failures: Vec<String>,
    /// Recorded on the containers a create makes.
    pub deployment_id: i64,
}

/// One step: a request, its action text and how answers are judged.
pub struct Step<'a> {
    pub action: &'a str,
    pub method: &'a str,
    pub endpoint: String,
    pub body: &'a Value,
    pub judge: Judge,
}

/// The body of the steps that send none.
static NO_BODY: Value = Value::Null;

impl<'a> Step<'a> {
    /// A step without a body whose answers are judged the default way (most of them).
    pub fn new(action: &'a str, method: &'a str, endpoint: String) -> Step<'a> {
        Step { action, method, endpoint, body: &NO_BODY, judge: Judge::Default }
    }
}

impl Processor {
    pub fn new(sim: &Arc<Sim>, caller: &str, instances: Vec<String>, deployment_id: i64) -> Processor {
        Processor { sim: sim.clone(), caller: caller.to_string(), instances, failures: Vec::new(), deployment_id }
    }

    /// Runs a step on every instance in play; `true` when none failed. Afterwards only
    /// the instances that passed stay in play.
    pub async fn run(&mut self, out: &mut Stream, step: &Step<'_>) -> bool {
        let total = self.instances.len();
        let record = |status: &str, message: String, code: u16, instance: &str, item: usize| Record {
            status: status.into(),
            method: step.method.into(),
            endpoint: step.endpoint.clone(),
            message,
            code,
            instance: instance.into(),
            item,
            total,
        };
        out.write(record("Starting", step.action.into(), 0, "", 0)).await;
        let mut passed = Vec::new();
        for (item, instance) in self.instances.clone().iter().enumerate() {
            let outcome = docker::call(
                &mut self.sim.store(),
                &DockerCall {
                    caller: &self.caller,
                    method: step.method,
                    instance,
                    endpoint: &step.endpoint,
                    body: step.body,
                    deployment_id: self.deployment_id,
                },
            );
            let (status, message, code, ok) = judge(step.judge, &outcome);
            out.write(record(status, message, code, instance, item)).await;
            if ok {
                passed.push(instance.clone());
            } else {
                self.failures.push(instance.clone());
            }
        }
        out.write(record("Complete", step.action.into(), 0, "", total)).await;
        let all_passed = passed.len() == total;
        self.instances = passed;
        all_passed
    }

    /// A processor over the instances that failed so far.
    pub fn failure_processor(&self) -> Processor {
        Processor::new(&self.sim, &self.caller, self.failures.clone(), self.deployment_id)
    }

    /// `DELETE containers/<name>?force=true` ("Deleting old containers", or "Rolling
    /// back" when undoing).
    pub async fn delete_containers(&mut self, out: &mut Stream, name: &str, rollback: bool) -> bool {
        let action = if rollback { "Rolling back" } else { "Deleting old containers" };
        let step =
            Step { judge: Judge::Delete, ..Step::new(action, "DELETE", format!("containers/{name}?force=true")) };
        self.run(out, &step).await
    }
}

/// Why a deployment did not even start.
#[derive(Debug, PartialEq, Eq)]
pub enum NotStarted {
    /// Pulling was asked for and the Command has no Image.
    NoImage,
}

/// The image a pull needs, if the Command names one. (Go compares the interface with ""
/// and would pull `%!s(<nil>)` for a null Image; the simulator treats null as absent.)
pub fn image_of(command: &Value) -> Option<String> {
    match command.get("Image")? {
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// What one deployment deploys.
pub struct Deploy<'a> {
    pub app_id: i64,
    pub name: &'a str,
    pub deployment_id: i64,
    pub command: &'a Value,
    pub start: bool,
    pub pull: bool,
}

impl<'a> Deploy<'a> {
    /// `deployment` of `app`, started afterwards or not, its image pulled first or not.
    pub fn of(app: &'a Application, deployment: &'a Deployment, start: bool, pull: bool) -> Deploy<'a> {
        Deploy {
            app_id: app.id,
            name: &app.name,
            deployment_id: deployment.id,
            command: &deployment.command,
            start,
            pull,
        }
    }
}

/// doDeployment, steps 1-6; `Ok(true)` when it succeeded (CurrentDeployment is then this
/// deployment), `Ok(false)` when a step failed (after its rollback).
pub async fn deploy(proc: &mut Processor, out: &mut Stream, job: &Deploy<'_>) -> Result<bool, NotStarted> {
    if job.pull {
        let image = image_of(job.command).ok_or(NotStarted::NoImage)?;
        let endpoint = format!("images/create?fromImage={image}");
        let step = Step { judge: Judge::Pull, ..Step::new("Pulling required image", "POST", endpoint) };
        if !proc.run(out, &step).await {
            return Ok(false);
        }
    }
    let name = job.name;
    let tmp = format!("{name}_tmp");
    let endpoint = format!("containers/create?name={tmp}");
    let create = Step { body: job.command, ..Step::new("Creating new container", "POST", endpoint) };
    if !proc.run(out, &create).await {
        proc.delete_containers(out, &tmp, true).await;
        return Ok(false);
    }
    if !proc.delete_containers(out, name, false).await {
        return Ok(false);
    }
    let rename = Step::new("Setting up new container", "POST", format!("containers/{tmp}/rename?name={name}"));
    if !proc.run(out, &rename).await {
        // Some instances have the new name, some the temporary one: remove both.
        proc.delete_containers(out, name, true).await;
        proc.failure_processor().delete_containers(out, &tmp, true).await;
        return Ok(false);
    }
    if job.start {
        let start = Step::new("Starting application", "POST", format!("containers/{name}/start"));
        if !proc.run(out, &start).await {
            return Ok(false);
        }
    }
    if let Some(app) = proc.sim.store().application_mut(job.app_id) {
        app.current_deployment = job.deployment_id;
    }
    Ok(true)
}

/// setApplicationStateTo: start (or stop) everywhere; when any instance fails, the
/// opposite request goes to the instances that succeeded ("Rolling back").
pub async fn toggle(proc: &mut Processor, out: &mut Stream, name: &str, start: bool) -> bool {
    let (verb, undo, action) =
        if start { ("start", "stop", "Starting application") } else { ("stop", "start", "Stopping application") };
    if proc.run(out, &Step::new(action, "POST", format!("containers/{name}/{verb}"))).await {
        return true;
    }
    let rollback = Step::new("Rolling back", "POST", format!("containers/{name}/{undo}"));
    proc.run(out, &rollback).await;
    false
}
