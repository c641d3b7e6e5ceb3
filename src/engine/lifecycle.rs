//! The entry points the protocol layer calls, one per Terraform operation, on decoded
//! values. Private state (the object's ETag) is encoded here, never exposed to users.

use serde::{Deserialize, Serialize};

use crate::engine::diag::Diagnostics;
use crate::engine::provider::Provider;
use crate::engine::resource::ResourceDef;
use crate::engine::value::Value;

#[derive(Default, Serialize, Deserialize)]
struct Private {
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
}

pub fn decode_private(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<Private>(bytes).ok().and_then(|p| p.etag)
}

pub fn encode_private(etag: Option<String>) -> Vec<u8> {
    if etag.is_none() {
        return Vec::new();
    }
    serde_json::to_vec(&Private { etag }).unwrap_or_default()
}

pub struct PlanOutcome {
    pub planned: Value,
    pub requires_replace: Vec<crate::engine::diag::AttrPath>,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

pub struct StateOutcome {
    pub state: Value,
    pub private: Vec<u8>,
    pub diags: Diagnostics,
}

impl Provider {
    fn resource_def(&self, type_name: &str) -> Result<&ResourceDef, Diagnostics> {
        self.def.resource(type_name).ok_or_else(|| {
            Diagnostics::error("Unknown resource type", format!("This provider has no resource type {type_name:?}."))
        })
    }

    /// The resource's definition and the configured context, or why not.
    fn resource_and_ctx(&self, type_name: &str) -> Result<(&ResourceDef, crate::engine::resource::Ctx), Diagnostics> {
        let def = self.resource_def(type_name)?;
        Ok((def, self.ctx()?))
    }

    pub fn plan_resource(
        &self,
        type_name: &str,
        prior: &Value,
        proposed: &Value,
        config: &Value,
        prior_private: &[u8],
    ) -> PlanOutcome {
        let mut out = PlanOutcome {
            planned: proposed.clone(),
            requires_replace: vec![],
            private: prior_private.to_vec(),
            diags: Diagnostics::default(),
        };
        let def = match self.resource_def(type_name) {
            Ok(d) => d,
            Err(d) => {
                out.diags = d;
                return out;
            }
        };
        if proposed.is_null() {
            out.planned = Value::Null;
            return out;
        }
        // Plans need the provider's configuration (for defaults), not its API client: they
        // work while that configuration still holds unknown values.
        let provider_config = match self.plan_config() {
            Ok(c) => c,
            Err(d) => {
                out.diags = d;
                return out;
            }
        };
        match def.plan(&provider_config, prior, proposed, config) {
            Ok((planned, replace)) => {
                out.planned = planned;
                out.requires_replace = replace;
            }
            Err(d) => out.diags = d,
        }
        out
    }

    pub async fn apply_resource(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        planned_private: &[u8],
    ) -> StateOutcome {
        let etag = decode_private(planned_private);
        let (def, ctx) = match self.resource_and_ctx(type_name) {
            Ok(x) => x,
            Err(d) => return StateOutcome { state: prior.clone(), private: planned_private.to_vec(), diags: d },
        };
        if planned.is_null() {
            let diags = def.delete(&ctx, prior, etag).await;
            let state = if diags.has_errors() { prior.clone() } else { Value::Null };
            return StateOutcome {
                state,
                private: if diags.has_errors() { planned_private.to_vec() } else { vec![] },
                diags,
            };
        }
        if prior.is_null() {
            let (state, etag, diags) = def.create(&ctx, planned).await;
            return StateOutcome { state: state.unwrap_or(Value::Null), private: encode_private(etag), diags };
        }
        let (state, etag, diags) = def.update(&ctx, prior, planned, etag).await;
        StateOutcome { state, private: encode_private(etag), diags }
    }

    pub async fn read_resource(&self, type_name: &str, current: &Value, private: &[u8]) -> StateOutcome {
        let keep = |d: Diagnostics| StateOutcome { state: current.clone(), private: private.to_vec(), diags: d };
        let (def, ctx) = match self.resource_and_ctx(type_name) {
            Ok(x) => x,
            Err(d) => return keep(d),
        };
        match def.read(&ctx, current).await {
            Ok(Some((state, etag))) => {
                StateOutcome { state, private: encode_private(etag), diags: Diagnostics::default() }
            }
            Ok(None) => {
                tracing::info!(resource = type_name, id = %current.get("id"), "object no longer exists; removing it from state");
                StateOutcome { state: Value::Null, private: vec![], diags: Diagnostics::default() }
            }
            Err(d) => keep(d),
        }
    }

    pub async fn import_resource(&self, type_name: &str, id: &str) -> StateOutcome {
        let fail = |d| StateOutcome { state: Value::Null, private: vec![], diags: d };
        let (def, ctx) = match self.resource_and_ctx(type_name) {
            Ok(x) => x,
            Err(d) => return fail(d),
        };
        let key = match def.import_key(id) {
            Ok(k) => k,
            Err(d) => return fail(d),
        };
        match def.read(&ctx, &key).await {
            Ok(Some((state, etag))) => {
                StateOutcome { state, private: encode_private(etag), diags: Diagnostics::default() }
            }
            Ok(None) => fail(Diagnostics::error(
                format!("Cannot import non-existent {}", def.noun),
                format!("No {} matches the import ID {id:?}.", def.noun),
            )),
            Err(d) => fail(d),
        }
    }

    pub fn validate_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.resource_def(type_name) {
            Ok(def) => def.validate(config),
            Err(d) => d,
        }
    }

    pub fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.def.data_source(type_name) {
            Some(def) => def.validate(config),
            None => {
                Diagnostics::error("Unknown data source", format!("This provider has no data source {type_name:?}."))
            }
        }
    }

    pub async fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, Diagnostics> {
        let def = self.def.data_source(type_name).ok_or_else(|| {
            Diagnostics::error("Unknown data source", format!("This provider has no data source {type_name:?}."))
        })?;
        let ctx = self.ctx()?;
        def.read(&ctx, config).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_state_round_trip() {
        assert_eq!(decode_private(&encode_private(Some("7".into()))), Some("7".into()));
        assert!(encode_private(None).is_empty());
        assert_eq!(decode_private(b"garbage"), None);
    }
}
