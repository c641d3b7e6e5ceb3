//! The entry points the protocol layer calls, one per Terraform operation, on decoded
//! values. They find the resource or data source, the configured context, and call the
//! [`Resource`] trait; private state is encoded here, never exposed to users.

use crate::engine::action::Progress;
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::provider::Provider;
use crate::engine::resource::{ApplyRequest, Ctx, DeleteRequest, PlanRequest, Private, ReadRequest, Resource};
use crate::engine::value::Value;

pub struct PlanOutcome {
    pub planned: Value,
    pub requires_replace: Vec<AttrPath>,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

pub struct StateOutcome {
    pub state: Value,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

pub fn unknown_resource(type_name: &str) -> Diagnostics {
    Diagnostics::error("Unknown resource type", format!("This provider has no resource type {type_name:?}."))
}

pub fn unknown_ephemeral_resource(type_name: &str) -> Diagnostics {
    Diagnostics::error("Unknown ephemeral resource", format!("This provider has no ephemeral resource {type_name:?}."))
}

pub fn unknown_action(type_name: &str) -> Diagnostics {
    Diagnostics::error("Unknown action", format!("This provider has no action {type_name:?}."))
}

/// How long a cancelled invocation may take to wind down and report its own diagnostics
/// (an API call in flight ends at once; a hand-written action may need a moment).
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

pub fn unknown_data_source(type_name: &str) -> Diagnostics {
    Diagnostics::error("Unknown data source", format!("This provider has no data source {type_name:?}."))
}

impl Provider {
    fn resource(&self, type_name: &str) -> Result<&dyn Resource, Diagnostics> {
        self.def.resource(type_name).ok_or_else(|| unknown_resource(type_name))
    }

    /// The resource and the configured context, or why not.
    fn resource_and_ctx(&self, type_name: &str) -> Result<(&dyn Resource, Ctx), Diagnostics> {
        Ok((self.resource(type_name)?, self.ctx()?))
    }

    pub fn plan_resource(
        &self,
        type_name: &str,
        prior: &Value,
        proposed: &Value,
        config: &Value,
        prior_private: &[u8],
    ) -> PlanOutcome {
        let fail = |d| PlanOutcome {
            planned: proposed.clone(),
            requires_replace: vec![],
            private: prior_private.to_vec(),
            diags: d,
        };
        let res = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return fail(d),
        };
        // Plans need the provider's configuration (for defaults), not its API client: they
        // work while that configuration still holds unknown values.
        let provider_config = match self.plan_config() {
            Ok(c) => c,
            Err(_) if proposed.is_null() => Value::Null,
            Err(d) => return fail(d),
        };
        let out = res.plan(PlanRequest {
            provider_config: &provider_config,
            prior,
            proposed,
            config,
            private: Private::decode(prior_private),
        });
        PlanOutcome {
            planned: out.planned,
            requires_replace: out.requires_replace,
            private: out.private.encode(),
            diags: out.diags,
        }
    }

    pub async fn apply_resource(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
        planned_private: &[u8],
    ) -> StateOutcome {
        let private = Private::decode(planned_private);
        let (res, ctx) = match self.resource_and_ctx(type_name) {
            Ok(x) => x,
            Err(d) => return StateOutcome { state: prior.clone(), private: planned_private.to_vec(), diags: d },
        };
        if planned.is_null() {
            let out = res.delete(&ctx, DeleteRequest { prior, private: private.clone() }).await;
            return if out.diags.has_errors() {
                StateOutcome { state: prior.clone(), private: private.encode(), diags: out.diags }
            } else {
                StateOutcome { state: Value::Null, private: vec![], diags: out.diags }
            };
        }
        let req = ApplyRequest { prior, planned, config, private };
        let out = if prior.is_null() { res.create(&ctx, req).await } else { res.update(&ctx, req).await };
        StateOutcome { state: out.state.unwrap_or(Value::Null), private: out.private.encode(), diags: out.diags }
    }

    pub async fn read_resource(&self, type_name: &str, current: &Value, private: &[u8]) -> StateOutcome {
        let keep = |d: Diagnostics| StateOutcome { state: current.clone(), private: private.to_vec(), diags: d };
        let (res, ctx) = match self.resource_and_ctx(type_name) {
            Ok(x) => x,
            Err(d) => return keep(d),
        };
        let out = res.read(&ctx, ReadRequest { current, private: Private::decode(private) }).await;
        match out.state {
            None => {
                tracing::info!(resource = type_name, id = %current.get("id"), "object no longer exists; removing it from state");
                StateOutcome { state: Value::Null, private: vec![], diags: out.diags }
            }
            Some(state) => StateOutcome { state, private: out.private.encode(), diags: out.diags },
        }
    }

    pub async fn import_resource(&self, type_name: &str, id: &str) -> StateOutcome {
        let fail = |d| StateOutcome { state: Value::Null, private: vec![], diags: d };
        let (res, ctx) = match self.resource_and_ctx(type_name) {
            Ok(x) => x,
            Err(d) => return fail(d),
        };
        let Some(importer) = res.importer() else {
            return fail(Diagnostics::error(
                format!("{type_name} cannot be imported"),
                "This resource type has no import ID; declare it in the configuration instead.",
            ));
        };
        let key = match importer.import_key(id) {
            Ok(k) => k,
            Err(d) => return fail(d),
        };
        let out = res.read(&ctx, ReadRequest { current: &key, private: Private::default() }).await;
        if out.diags.has_errors() {
            return fail(out.diags);
        }
        match out.state {
            Some(state) => StateOutcome { state, private: out.private.encode(), diags: out.diags },
            None => fail(Diagnostics::error(
                format!("Cannot import a non-existent {}", res.schema().noun),
                format!("No {} matches the import ID {id:?}.", res.schema().noun),
            )),
        }
    }

    /// Rewrites stored state JSON of an older schema version (or of another provider)
    /// into the current one.
    pub fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        let res = self.resource(type_name)?;
        let current = res.schema().version;
        if version > current {
            return Err(Diagnostics::error(
                "State written by a newer provider",
                format!("The state of this {type_name} has schema version {version}; this provider knows up to {current}. Upgrade the provider."),
            ));
        }
        // An upgrader also sees state of the current version: state another provider wrote
        // under the same version number (the Go provider's SDKv2 state) may need rewriting.
        match res.upgrader() {
            Some(u) => u.upgrade(version, raw),
            None => Ok(raw),
        }
    }

    pub fn validate_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.resource(type_name) {
            Ok(res) => res.validate(config),
            Err(d) => d,
        }
    }

    pub fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.def.data_source(type_name) {
            Some(def) => def.validate(config),
            None => unknown_data_source(type_name),
        }
    }

    pub async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<crate::engine::datasource::DataSourceResponse, Diagnostics> {
        let def = self.def.data_source(type_name).ok_or_else(|| unknown_data_source(type_name))?;
        let ctx = self.ctx()?;
        def.read(&ctx, config).await
    }

    pub fn validate_ephemeral_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.def.ephemeral_resource(type_name) {
            Some(def) => def.validate(config),
            None => unknown_ephemeral_resource(type_name),
        }
    }

    /// Opens an ephemeral resource: its result lives only for this Terraform run.
    pub async fn open_ephemeral_resource(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<crate::engine::datasource::DataSourceResponse, Diagnostics> {
        let def = self.def.ephemeral_resource(type_name).ok_or_else(|| unknown_ephemeral_resource(type_name))?;
        let ctx = self.ctx()?;
        def.read(&ctx, config).await
    }
}

impl Provider {
    pub fn validate_action(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.def.action(type_name) {
            Some(def) => def.validate(config),
            None => unknown_action(type_name),
        }
    }

    /// Plans an (unlinked) action: it changes no state, so only its configuration is
    /// checked. Works before the provider is configured.
    pub fn plan_action(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.def.action(type_name) {
            Some(def) => def.plan(config),
            None => unknown_action(type_name),
        }
    }

    /// Invokes an action, its progress messages going to `progress`. StopProvider, or
    /// Terraform no longer listening, cancels it: API calls in flight end at once, and an
    /// invoker that does not return within a short grace period is abandoned with an
    /// error saying the outcome is unknown.
    pub async fn invoke_action(&self, type_name: &str, config: &Value, progress: &Progress) -> Diagnostics {
        let Some(def) = self.def.action(type_name) else { return unknown_action(type_name) };
        let mut ctx = match self.ctx() {
            Ok(c) => c,
            Err(d) => return d,
        };
        let cancel = self.stop.child_token();
        ctx.cancel = cancel.clone();
        let run = def.invoke(&ctx, config, progress);
        tokio::pin!(run);
        tokio::select! {
            biased;
            d = &mut run => return d,
            _ = cancel.cancelled() => tracing::info!(action = type_name, "stop requested; cancelling the action"),
            _ = progress.closed() => {
                tracing::info!(action = type_name, "Terraform stopped listening; cancelling the action");
                cancel.cancel();
            }
        }
        match tokio::time::timeout(STOP_GRACE, &mut run).await {
            Ok(d) => d,
            Err(_) => Diagnostics::error(
                format!("Cancelled: {type_name} was stopped"),
                "Terraform asked the provider to stop while the action ran; it may or may not have taken effect.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_state_round_trip() {
        let p = Private::with_etag(Some("7".into()));
        assert_eq!(Private::decode(&p.encode()), p);
        assert!(Private::default().encode().is_empty());
        assert_eq!(Private::decode(b"garbage"), Private::default());
        // State written by earlier versions ({"etag": ...}) still reads.
        assert_eq!(Private::decode(br#"{"etag":"3"}"#).etag.as_deref(), Some("3"));
    }
}
