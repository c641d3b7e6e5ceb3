//! Actions (Terraform 1.14+ `action` blocks): imperative operations a user runs with
//! `terraform apply -invoke=action.<type>.<name>` or ties to a resource's lifecycle with
//! `action_trigger`. An action has a configuration and nothing else: no state, no plan
//! of its own (these are "unlinked" actions). Invoking it may report progress messages,
//! which Terraform prints as they come, and ends with diagnostics.
//!
//! Declared like data sources: an [`ActionDef`] with its configuration [`Field`]s (all of
//! them arguments) and an [`Invoke`] that does the work. [`SendOp`] is the invoker for
//! the common case of one API request built from the configuration; hand-written
//! invokers implement [`Invoke`] and reuse the engine's pieces.

use async_trait::async_trait;
use serde_json::Value as J;
use tokio::sync::mpsc;

use crate::engine::api::{ApiError, ApiRequest};
use crate::engine::diag::Diagnostics;
use crate::engine::mapping::create_body;
use crate::engine::resource::ops::{at, Op};
use crate::engine::resource::plan::check_arguments;
use crate::engine::resource::{api_error_diag, build_request, Constraint, Ctx};
use crate::engine::schema::{object_type, DefaultValue, Field, Mode};
use crate::engine::template;
use crate::engine::value::{Type, Value};

/// Where an invocation reports progress: each message reaches Terraform (and the user's
/// console) while the action still runs.
#[derive(Clone, Debug)]
pub struct Progress {
    tx: Option<mpsc::UnboundedSender<String>>,
}

impl Progress {
    /// A progress sink and the receiving end the protocol layer forwards to Terraform.
    pub fn channel() -> (Progress, mpsc::UnboundedReceiver<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Progress { tx: Some(tx) }, rx)
    }

    /// A sink that drops every message (tests, or callers without a console).
    pub fn discard() -> Progress {
        Progress { tx: None }
    }

    pub fn send(&self, message: impl Into<String>) {
        let message = message.into();
        tracing::info!(progress = %crate::logging::mask(&message), "action progress");
        if let Some(tx) = &self.tx {
            // Terraform may have gone; the invocation is then being cancelled anyway.
            let _ = tx.send(message);
        }
    }

    /// Resolves once nobody listens any more (Terraform ended the call); never for a
    /// [`Progress::discard`] sink.
    pub async fn closed(&self) {
        match &self.tx {
            Some(tx) => tx.closed().await,
            None => std::future::pending().await,
        }
    }
}

/// What an action does when invoked. `ctx.cancel` fires when Terraform asks the provider
/// to stop (or stops listening); API calls made with it end with `ApiError::Cancelled`.
#[async_trait]
pub trait Invoke: Send + Sync {
    async fn invoke(&self, ctx: &Ctx, def: &ActionDef, config: &Value, progress: &Progress) -> Diagnostics;

    /// Mistakes of the invoker's declaration against the action's fields (see
    /// [`ActionDef::declaration_errors`]).
    fn declaration_errors(&self, _def: &ActionDef) -> Vec<String> {
        vec![]
    }
}

pub struct ActionDef {
    pub type_name: &'static str,
    pub description: String,
    /// The `config` block's arguments: required or optional, never computed.
    pub fields: Vec<Field>,
    pub constraints: Vec<Constraint>,
    pub invoker: Box<dyn Invoke>,
}

impl ActionDef {
    pub fn new(
        type_name: &'static str,
        description: impl Into<String>,
        fields: Vec<Field>,
        invoker: impl Invoke + 'static,
    ) -> Self {
        // A default (static or from the provider) is filled in when the action runs and
        // never reported back: to Terraform such an argument is simply optional.
        let fields = fields
            .into_iter()
            .map(|mut f| {
                if f.mode == Mode::OptionalComputed && f.default.is_some() {
                    f.mode = Mode::Optional;
                }
                f
            })
            .collect();
        ActionDef {
            type_name,
            description: description.into(),
            fields,
            constraints: vec![],
            invoker: Box::new(invoker),
        }
    }

    pub fn exactly_one_of(mut self, group: &'static [&'static str]) -> Self {
        self.constraints.push(Constraint::ExactlyOneOf(group));
        self
    }

    pub fn conflicts_with(mut self, group: &'static [&'static str]) -> Self {
        self.constraints.push(Constraint::ConflictsWith(group));
        self
    }

    pub fn value_type(&self) -> Type {
        object_type(&self.fields, &[])
    }

    /// Checks a configuration (which may hold unknown values): the fields' validators and
    /// the constraints, as for data sources.
    pub fn validate(&self, config: &Value) -> Diagnostics {
        check_arguments(&self.fields, &self.constraints, config)
    }

    /// The plan of an unlinked action: nothing changes in state, so planning is
    /// validating what the configuration already says.
    pub fn plan(&self, config: &Value) -> Diagnostics {
        self.validate(config)
    }

    /// Runs the action with a wholly known configuration, defaults from the provider
    /// filled in first.
    pub async fn invoke(&self, ctx: &Ctx, config: &Value, progress: &Progress) -> Diagnostics {
        if !config.is_fully_known() {
            return Diagnostics::error(
                format!("Cannot invoke {} yet", self.type_name),
                "Its configuration still holds values known only after apply.",
            );
        }
        let mut diags = self.validate(config);
        if diags.has_errors() {
            return diags;
        }
        let mut cfg = if config.is_null() { Value::Object(Default::default()) } else { config.clone() };
        for f in &self.fields {
            if let (true, Some(DefaultValue::FromProvider(attr))) = (cfg.get(f.name).is_null(), &f.default) {
                cfg.set(f.name, ctx.provider_config.get(attr).clone());
            } else if let (true, Some(DefaultValue::Static(v))) = (cfg.get(f.name).is_null(), &f.default) {
                cfg.set(f.name, v.clone());
            }
        }
        diags.extend(self.invoker.invoke(ctx, self, &cfg, progress).await);
        diags
    }

    /// Declarations Terraform would refuse or that could never be invoked: checked by a
    /// unit test over every provider's actions.
    pub fn declaration_errors(&self) -> Vec<String> {
        let mut errs = Vec::new();
        for f in &self.fields {
            if matches!(f.mode, Mode::Computed | Mode::OptionalComputed) {
                errs.push(format!(
                    "{}.{}: an action's configuration has arguments only (no computed values)",
                    self.type_name, f.name
                ));
            }
        }
        errs.extend(self.invoker.declaration_errors(self));
        errs
    }
}

/// How a [`SendOp`] takes "not found" (404) from the API.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NotFound {
    /// An error, like any other failure.
    Error,
    /// A warning with this text: deleting what is already gone, say.
    Warn(&'static str),
}

/// One request built from the configuration: path and query templates over its
/// arguments (and `{provider.x}`), a body of the arguments mapped to the API (`Field::
/// api`) shaped by the op (`BodyShape`, `extra`, `wrap`). After success, `report` (if
/// any) is sent as a progress message: a template over the configuration's arguments
/// and the answer (`{answer.id}`, `{answer.data.name}`).
pub struct SendOp {
    pub op: Op,
    /// Display name in messages ("log action").
    pub noun: &'static str,
    pub report: Option<&'static str>,
    pub not_found: NotFound,
}

impl SendOp {
    pub fn new(op: Op, noun: &'static str) -> SendOp {
        SendOp { op, noun, report: None, not_found: NotFound::Error }
    }
    pub fn report(mut self, template: &'static str) -> SendOp {
        self.report = Some(template);
        self
    }
    pub fn not_found_warns(mut self, text: &'static str) -> SendOp {
        self.not_found = NotFound::Warn(text);
        self
    }
}

/// Renders a progress or result message: `{answer.path}` from the API's answer,
/// `{provider.x}` from the provider configuration, `{x}` from the action's arguments.
pub fn message(template: &str, config: &Value, answer: &J, provider: &Value) -> String {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    template::fill(
        template,
        |name| {
            if let Some(path) = name.strip_prefix("answer.") {
                match at(answer, path)? {
                    J::String(s) => Some(s.clone()),
                    J::Null | J::Array(_) | J::Object(_) => None,
                    other => Some(other.to_string()),
                }
            } else if let Some(attr) = name.strip_prefix("provider.") {
                scalar(provider.get(attr))
            } else {
                scalar(config.get(name))
            }
        },
        "?",
    )
}

/// The request `op` makes from an action's configuration (its own plan: there is no
/// state): path and query templates, and a body of the `api`-mapped arguments. For
/// hand-written invokers as much as for [`SendOp`].
pub fn request_from_config(
    ctx: &Ctx,
    def: &ActionDef,
    noun: &str,
    op: &Op,
    config: &Value,
) -> Result<ApiRequest, Diagnostics> {
    let members = create_body(&def.fields, config, config)?;
    build_request(&def.fields, noun, &ctx.provider_config, op, config, members, config)
}

#[async_trait]
impl Invoke for SendOp {
    async fn invoke(&self, ctx: &Ctx, def: &ActionDef, config: &Value, progress: &Progress) -> Diagnostics {
        let req = match request_from_config(ctx, def, self.noun, &self.op, config) {
            Ok(r) => r,
            Err(d) => return d,
        };
        tracing::info!(action = def.type_name, method = self.op.method.as_str(), path = %req.path, "invoking action");
        let resp = match ctx.api.call(req, &ctx.cancel).await {
            Ok(r) => r,
            Err(ApiError::NotFound(msg)) => {
                return match self.not_found {
                    NotFound::Warn(text) => {
                        let mut d = Diagnostics::default();
                        d.add_warning(
                            format!("No such {}", self.noun),
                            format!(
                                "{} (the API answered: {msg})",
                                message(text, config, &J::Null, &ctx.provider_config)
                            ),
                            None,
                        );
                        d
                    }
                    NotFound::Error => api_error_diag(verb(&self.op), self.noun, ApiError::NotFound(msg)),
                };
            }
            Err(e) => return api_error_diag(verb(&self.op), self.noun, e),
        };
        if !self.op.ok.is_empty() && !self.op.ok.contains(&resp.status) {
            return Diagnostics::error(
                format!("Unexpected answer while invoking {}", def.type_name),
                format!(
                    "The API answered HTTP {} to {} {} where {:?} was expected; the {} may or may not exist.",
                    resp.status,
                    self.op.method.as_str(),
                    self.op.path,
                    self.op.ok,
                    self.noun
                ),
            );
        }
        if let Some(t) = self.report {
            let answer = at(&resp.body, self.op.answer_at).unwrap_or(&J::Null);
            progress.send(message(t, config, answer, &ctx.provider_config));
        }
        Diagnostics::default()
    }

    fn declaration_errors(&self, def: &ActionDef) -> Vec<String> {
        let mut errs = Vec::new();
        let known = |name: &str| def.fields.iter().any(|f| f.name == name);
        let mut templates: Vec<&str> = vec![self.op.path];
        templates.extend(self.op.query.iter().map(|(_, t)| *t));
        for t in templates {
            for name in template::attrs(t) {
                if !known(name) {
                    errs.push(format!(
                        "{}: the route template {t:?} names {name}, which is not an argument",
                        def.type_name
                    ));
                }
            }
        }
        if let Some(t) = self.report {
            for name in template::attrs(t).into_iter().filter(|n| !n.starts_with("answer.")) {
                if !known(name) {
                    errs.push(format!("{}: the report {t:?} names {name}, which is not an argument", def.type_name));
                }
            }
        }
        errs
    }
}

fn verb(op: &Op) -> &'static str {
    match op.method {
        crate::engine::api::Method::Delete => "delete",
        crate::engine::api::Method::Get => "read",
        crate::engine::api::Method::Post => "create",
        _ => "update",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::api::Body;
    use crate::engine::resource::tests::ctx_with;
    use crate::engine::schema::{Codec, Validator};
    use serde_json::json;

    fn log_action() -> ActionDef {
        ActionDef::new(
            "t_create_log",
            "Inserts a log point.",
            vec![
                Field::string("filename").required().api_create("filename", Codec::Plain),
                Field::number("line").required().api_create("lineNumber", Codec::Plain),
                Field::string("agent_pool_id").optional().default_from_provider("default_pool"),
                Field::string("log_level")
                    .optional()
                    .validate(Validator::OneOf(&["INFO", "WARN"]))
                    .api_create("logLevel", Codec::Plain),
            ],
            SendOp::new(Op::post("/actions/logs").query(&[("agentPoolId", "{agent_pool_id}")]), "log action")
                .report("Log action {answer.id} inserted at {filename}:{line}"),
        )
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::Object(Default::default());
        for (k, x) in pairs {
            v.set(k, x.clone());
        }
        v
    }

    #[tokio::test]
    async fn send_op_sends_the_arguments_and_reports_the_answer() {
        let mut provider = Value::Object(Default::default());
        provider.set("default_pool", Value::str("pool-1"));
        let (ctx, api) = ctx_with(|_| Ok(json!({"id": "a-42", "status": "OK"})), provider);
        let def = log_action();
        let (progress, mut rx) = Progress::channel();
        let cfg = config(&[("filename", Value::str("A.java")), ("line", Value::int(118))]);
        let d = def.invoke(&ctx, &cfg, &progress).await;
        assert!(d.is_empty(), "{d}");
        assert_eq!(rx.try_recv().expect("progress"), "Log action a-42 inserted at A.java:118");
        let log = api.log.lock().expect("log");
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].path, "/actions/logs");
        assert_eq!(log[0].query, vec![("agentPoolId".to_string(), "pool-1".to_string())], "default from the provider");
        assert!(
            matches!(&log[0].body, Body::Json(b) if *b == json!({"filename": "A.java", "lineNumber": 118})),
            "only mapped, set arguments are sent: {:?}",
            log[0].body
        );
    }

    #[tokio::test]
    async fn invalid_or_unknown_configurations_never_reach_the_api() {
        let (ctx, api) = ctx_with(|_| Ok(json!({})), Value::Null);
        let def = log_action();
        let bad =
            config(&[("filename", Value::str("A.java")), ("line", Value::int(1)), ("log_level", Value::str("LOUD"))]);
        assert!(def.validate(&bad).has_errors());
        assert!(def.plan(&bad).has_errors(), "plans report validation errors");
        assert!(def.invoke(&ctx, &bad, &Progress::discard()).await.has_errors());
        let unknown = config(&[("filename", Value::Unknown), ("line", Value::int(1))]);
        assert!(!def.plan(&unknown).has_errors(), "unknown values plan");
        assert!(def.invoke(&ctx, &unknown, &Progress::discard()).await.has_errors());
        assert!(api.log.lock().expect("log").is_empty());
    }

    #[tokio::test]
    async fn not_found_is_a_warning_when_declared_so() {
        let (ctx, _) = ctx_with(|_| Err(ApiError::NotFound("no action x".into())), Value::Null);
        let mk = |send: SendOp| ActionDef::new("t_delete", "", vec![Field::string("action_id").required()], send);
        let cfg = config(&[("action_id", Value::str("x"))]);
        let warn = mk(SendOp::new(Op::delete("/actions/{action_id}"), "action")
            .not_found_warns("Action {action_id} is already gone."));
        let d = warn.invoke(&ctx, &cfg, &Progress::discard()).await;
        assert!(!d.has_errors() && d.0.len() == 1, "{d}");
        assert!(d.0[0].detail.starts_with("Action x is already gone."), "{d}");
        let err = mk(SendOp::new(Op::delete("/actions/{action_id}"), "action"));
        assert!(err.invoke(&ctx, &cfg, &Progress::discard()).await.has_errors());
    }

    #[test]
    fn declarations_are_checked() {
        assert_eq!(log_action().declaration_errors(), Vec::<String>::new());
        let bad = ActionDef::new(
            "t_bad",
            "",
            vec![Field::string("id").computed()],
            SendOp::new(Op::delete("/x/{nope}"), "x").report("{answer.id} {missing}"),
        );
        let errs = bad.declaration_errors();
        assert_eq!(errs.len(), 3, "{errs:?}");
    }

    #[test]
    fn messages_read_the_answer_the_arguments_and_the_provider() {
        let cfg = config(&[("name", Value::str("n"))]);
        let mut provider = Value::Object(Default::default());
        provider.set("company", Value::str("c"));
        let answer = json!({"data": {"id": 7, "tags": ["a"]}});
        assert_eq!(
            message(
                "{name}/{provider.company}: {answer.data.id} {answer.data.tags} {answer.nope}",
                &cfg,
                &answer,
                &provider
            ),
            "n/c: 7 ? ?"
        );
    }
}
