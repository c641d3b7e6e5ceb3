//! The tfplugin6 Provider service: decode wire values, call the engine, encode answers.
//! Nothing here knows which vendor it serves.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;

use futures::{Stream, StreamExt};
use tonic::{Request, Response, Status};

use crate::engine::diag::Diagnostics;
use crate::engine::provider::Provider;
use crate::engine::value::{Type, Value};
use crate::protocol::convert;
use crate::protocol::pb;
use crate::protocol::pb::provider_server::Provider as ProviderRpc;
use crate::protocol::wire;

type Stream_<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

pub struct ProviderService {
    provider: Arc<Provider>,
    /// Built once: Terraform asks for it per process, and caches it across runs.
    schema: pb::get_provider_schema::Response,
    /// Value types by type name, built once: every RPC decodes with one.
    resource_types: HashMap<&'static str, Type>,
    data_source_types: HashMap<&'static str, Type>,
    ephemeral_types: HashMap<&'static str, Type>,
    action_types: HashMap<&'static str, Type>,
    provider_type: Type,
}

impl ProviderService {
    pub fn new(provider: Arc<Provider>) -> ProviderService {
        let def = &provider.def;
        let schema = pb::get_provider_schema::Response {
            provider: Some(convert::provider_schema(&def.fields, &def.description)),
            resource_schemas: def
                .resources
                .iter()
                .map(|r| (r.schema().type_name.to_string(), convert::resource_schema(r.schema())))
                .collect(),
            data_source_schemas: def
                .data_sources
                .iter()
                .map(|d| (d.type_name.to_string(), convert::data_source_schema(d)))
                .collect(),
            ephemeral_resource_schemas: def
                .ephemeral_resources
                .iter()
                .map(|d| (d.type_name.to_string(), convert::data_source_schema(d)))
                .collect(),
            action_schemas: def.actions.iter().map(|a| (a.type_name.to_string(), convert::action_schema(a))).collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        };
        let resource_types = def.resources.iter().map(|r| (r.schema().type_name, r.schema().value_type())).collect();
        let data_source_types = def.data_sources.iter().map(|d| (d.type_name, d.value_type())).collect();
        let ephemeral_types = def.ephemeral_resources.iter().map(|d| (d.type_name, d.value_type())).collect();
        let action_types = def.actions.iter().map(|a| (a.type_name, a.value_type())).collect();
        let provider_type = def.value_type();
        ProviderService {
            provider,
            schema,
            resource_types,
            data_source_types,
            ephemeral_types,
            action_types,
            provider_type,
        }
    }

    fn resource_type(&self, name: &str) -> Result<&Type, Diagnostics> {
        self.resource_types.get(name).ok_or_else(|| crate::engine::lifecycle::unknown_resource(name))
    }

    /// A resource's value type and its values decoded from the request, or why not.
    fn resource_values<const N: usize>(
        &self,
        type_name: &str,
        values: [&Option<pb::DynamicValue>; N],
    ) -> Result<(&Type, [Value; N]), Diagnostics> {
        let ty = self.resource_type(type_name)?;
        let mut out: [Value; N] = std::array::from_fn(|_| Value::Null);
        for (slot, dv) in out.iter_mut().zip(values) {
            *slot = decode(dv, ty)?;
        }
        Ok((ty, out))
    }

    fn data_source_type(&self, name: &str) -> Result<&Type, Diagnostics> {
        self.data_source_types.get(name).ok_or_else(|| crate::engine::lifecycle::unknown_data_source(name))
    }

    fn ephemeral_type(&self, name: &str) -> Result<&Type, Diagnostics> {
        self.ephemeral_types.get(name).ok_or_else(|| crate::engine::lifecycle::unknown_ephemeral_resource(name))
    }

    /// An action's configuration decoded from the request, or why not.
    fn action_config(&self, name: &str, config: &Option<pb::DynamicValue>) -> Result<Value, Diagnostics> {
        let ty = self.action_types.get(name).ok_or_else(|| crate::engine::lifecycle::unknown_action(name))?;
        decode(config, ty)
    }
}

impl ProviderService {
    /// Terraform older than 1.11 cannot handle write-only arguments: refuse them by name.
    fn write_only_refused(&self, type_name: &str, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::default();
        let Some(res) = self.provider.def.resource(type_name) else { return d };
        for f in res.schema().fields.iter().filter(|f| f.write_only && !config.get(f.name).is_null()) {
            d.add_error(
                "Write-only arguments need Terraform 1.11 or later",
                format!("{} is write-only: its value is never stored, which this Terraform version does not support. Upgrade Terraform.", f.name),
                Some(crate::engine::diag::AttrPath::attr(f.name)),
            );
        }
        d
    }
}

fn capabilities() -> pb::ServerCapabilities {
    // plan_destroy: destroys are planned too, so a destroy that only forgets an object
    // warns before apply.
    pb::ServerCapabilities { get_provider_schema_optional: true, plan_destroy: true, ..Default::default() }
}

fn decode(dv: &Option<pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let res = if !dv.msgpack.is_empty() {
        wire::decode_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        wire::decode_json(&dv.json, ty)
    } else {
        Ok(Value::Null)
    };
    res.map_err(|e| Diagnostics::error("Invalid value from Terraform", e.to_string()))
}

fn encode(v: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    wire::encode_msgpack(v, ty)
        .map(|msgpack| pb::DynamicValue { msgpack, json: vec![] })
        .map_err(|e| Diagnostics::error("Provider produced a value it cannot encode", e.to_string()))
}

fn diags(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    convert::diagnostics(d)
}

type ActionEvent = Result<pb::invoke_action::Event, Status>;

fn progress_event(message: &str) -> ActionEvent {
    use pb::invoke_action::event::{Progress, Type};
    Ok(pb::invoke_action::Event { r#type: Some(Type::Progress(Progress { message: crate::logging::mask(message) })) })
}

fn completed(d: &Diagnostics) -> ActionEvent {
    use pb::invoke_action::event::{Completed, Type};
    Ok(pb::invoke_action::Event { r#type: Some(Type::Completed(Completed { diagnostics: diags(d) })) })
}

fn unimplemented(what: &str) -> Status {
    Status::unimplemented(format!("{what} is not supported by this provider"))
}

#[tonic::async_trait]
impl ProviderRpc for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        let def = &self.provider.def;
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: def
                .resources
                .iter()
                .map(|r| pb::get_metadata::ResourceMetadata { type_name: r.schema().type_name.into() })
                .collect(),
            data_sources: def
                .data_sources
                .iter()
                .map(|d| pb::get_metadata::DataSourceMetadata { type_name: d.type_name.into() })
                .collect(),
            ephemeral_resources: def
                .ephemeral_resources
                .iter()
                .map(|d| pb::get_metadata::EphemeralMetadata { type_name: d.type_name.into() })
                .collect(),
            actions: def
                .actions
                .iter()
                .map(|a| pb::get_metadata::ActionMetadata { type_name: a.type_name.into() })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(self.schema.clone()))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
        let d = match decode(&req.config, &self.provider_type) {
            Ok(cfg) => self.provider.def.validate(&cfg),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response { diagnostics: diags(&d) }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let write_only_allowed = req.client_capabilities.as_ref().is_some_and(|c| c.write_only_attributes_allowed);
        let d = match self.resource_values(&req.type_name, [&req.config]) {
            Ok((_, [cfg])) => {
                let mut d = self.provider.validate_resource(&req.type_name, &cfg);
                if !write_only_allowed {
                    d.extend(self.write_only_refused(&req.type_name, &cfg));
                }
                d
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_resource_config::Response { diagnostics: diags(&d) }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let d = match self.data_source_type(&req.type_name).and_then(|ty| decode(&req.config, ty)) {
            Ok(cfg) => self.provider.validate_data_source(&req.type_name, &cfg),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_data_resource_config::Response { diagnostics: diags(&d) }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        // The resource rewrites older (or foreign) JSON into its current schema; then the
        // JSON is read under that schema (new attributes null, removed ones dropped).
        let res = self.resource_type(&req.type_name).and_then(|ty| {
            let json = req.raw_state.as_ref().map(|r| r.json.as_slice()).unwrap_or_default();
            let v = if json.is_empty() {
                Value::Null
            } else {
                let raw: serde_json::Value = serde_json::from_slice(json)
                    .map_err(|e| Diagnostics::error("Cannot read stored state", e.to_string()))?;
                let upgraded = self.provider.upgrade_resource_state(&req.type_name, req.version, raw)?;
                let bytes = serde_json::to_vec(&upgraded).unwrap_or_default();
                wire::decode_json(&bytes, ty)
                    .map_err(|e| Diagnostics::error("Cannot read stored state", e.to_string()))?
            };
            encode(&v, ty)
        });
        Ok(Response::new(match res {
            Ok(dv) => pb::upgrade_resource_state::Response { upgraded_state: Some(dv), diagnostics: vec![] },
            Err(d) => pb::upgrade_resource_state::Response { upgraded_state: None, diagnostics: diags(&d) },
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response::default()))
    }

    async fn upgrade_resource_identity(
        &self,
        _: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        Err(unimplemented("Resource identity"))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        let d = match decode(&req.config, &self.provider_type) {
            Ok(cfg) => self.provider.configure(&cfg),
            Err(d) => d,
        };
        Ok(Response::new(pb::configure_provider::Response { diagnostics: diags(&d) }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let ty = match self.resource_type(&req.type_name) {
            Ok(t) => t,
            Err(d) => {
                return Ok(Response::new(pb::read_resource::Response { diagnostics: diags(&d), ..Default::default() }))
            }
        };
        let current = match decode(&req.current_state, ty) {
            Ok(v) => v,
            Err(d) => {
                return Ok(Response::new(pb::read_resource::Response {
                    new_state: req.current_state,
                    diagnostics: diags(&d),
                    private: req.private,
                    ..Default::default()
                }))
            }
        };
        let out = self.provider.read_resource(&req.type_name, &current, &req.private).await;
        let mut d = out.diags;
        let new_state = match encode(&out.state, ty) {
            Ok(v) => Some(v),
            Err(e) => {
                d.extend(e);
                req.current_state
            }
        };
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: diags(&d),
            private: out.private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let fail = |d: Diagnostics| {
            Ok(Response::new(pb::plan_resource_change::Response { diagnostics: diags(&d), ..Default::default() }))
        };
        let (ty, [prior, proposed, config]) =
            match self.resource_values(&req.type_name, [&req.prior_state, &req.proposed_new_state, &req.config]) {
                Ok(x) => x,
                Err(d) => return fail(d),
            };
        let out = self.provider.plan_resource(&req.type_name, &prior, &proposed, &config, &req.prior_private);
        if out.diags.has_errors() {
            return fail(out.diags);
        }
        let planned = match encode(&out.planned, ty) {
            Ok(v) => v,
            Err(d) => return fail(d),
        };
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(planned),
            requires_replace: convert::attr_paths(&out.requires_replace),
            planned_private: out.private,
            diagnostics: diags(&out.diags),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let fail = |d: Diagnostics| {
            Ok(Response::new(pb::apply_resource_change::Response { diagnostics: diags(&d), ..Default::default() }))
        };
        let (ty, [prior, planned, config]) =
            match self.resource_values(&req.type_name, [&req.prior_state, &req.planned_state, &req.config]) {
                Ok(x) => x,
                Err(d) => return fail(d),
            };
        let out = self.provider.apply_resource(&req.type_name, &prior, &planned, &config, &req.planned_private).await;
        let mut d = out.diags;
        let new_state = match encode(&out.state, ty) {
            Ok(v) => Some(v),
            Err(e) => {
                d.extend(e);
                req.prior_state
            }
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: out.private,
            diagnostics: diags(&d),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let fail = |d: Diagnostics| {
            Ok(Response::new(pb::import_resource_state::Response { diagnostics: diags(&d), ..Default::default() }))
        };
        let ty = match self.resource_type(&req.type_name) {
            Ok(t) => t,
            Err(d) => return fail(d),
        };
        let out = self.provider.import_resource(&req.type_name, &req.id).await;
        if out.diags.has_errors() {
            return fail(out.diags);
        }
        let state = match encode(&out.state, ty) {
            Ok(v) => v,
            Err(d) => return fail(d),
        };
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: vec![pb::import_resource_state::ImportedResource {
                type_name: req.type_name,
                state: Some(state),
                private: out.private,
                identity: None,
            }],
            diagnostics: diags(&out.diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        Err(unimplemented("Moving state between resource types"))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let fail = |d: Diagnostics| {
            Ok(Response::new(pb::read_data_source::Response { diagnostics: diags(&d), ..Default::default() }))
        };
        let ty = match self.data_source_type(&req.type_name) {
            Ok(t) => t,
            Err(d) => return fail(d),
        };
        let config = match decode(&req.config, ty) {
            Ok(v) => v,
            Err(d) => return fail(d),
        };
        match self.provider.read_data_source(&req.type_name, &config).await {
            Ok(found) => match encode(&found.state, ty) {
                Ok(v) => Ok(Response::new(pb::read_data_source::Response {
                    state: Some(v),
                    diagnostics: diags(&found.warnings),
                    ..Default::default()
                })),
                Err(d) => fail(d),
            },
            Err(d) => fail(d),
        }
    }

    async fn generate_resource_config(
        &self,
        _: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        Err(unimplemented("Generating configuration"))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = req.into_inner();
        let d = match self.ephemeral_type(&req.type_name).and_then(|ty| decode(&req.config, ty)) {
            Ok(cfg) => self.provider.validate_ephemeral_resource(&req.type_name, &cfg),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_ephemeral_resource_config::Response { diagnostics: diags(&d) }))
    }

    /// Terraform opens an ephemeral resource only with a wholly known configuration; the
    /// result is never stored, so nothing needs renewing or closing: no `renew_at`, no
    /// private data.
    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
        let fail = |d: Diagnostics| {
            Ok(Response::new(pb::open_ephemeral_resource::Response { diagnostics: diags(&d), ..Default::default() }))
        };
        let ty = match self.ephemeral_type(&req.type_name) {
            Ok(t) => t,
            Err(d) => return fail(d),
        };
        let config = match decode(&req.config, ty) {
            Ok(v) => v,
            Err(d) => return fail(d),
        };
        match self.provider.open_ephemeral_resource(&req.type_name, &config).await {
            Ok(opened) => match encode(&opened.state, ty) {
                Ok(v) => Ok(Response::new(pb::open_ephemeral_resource::Response {
                    result: Some(v),
                    diagnostics: diags(&opened.warnings),
                    ..Default::default()
                })),
                Err(d) => fail(d),
            },
            Err(d) => fail(d),
        }
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        // Never asked for: open sets no renew_at.
        Ok(Response::new(pb::renew_ephemeral_resource::Response::default()))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        Ok(Response::new(pb::close_ephemeral_resource::Response::default()))
    }

    type ListResourceStream = Stream_<pb::list_resource::Event>;
    async fn list_resource(
        &self,
        _: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        Err(unimplemented("List resources"))
    }
    async fn validate_list_resource_config(
        &self,
        _: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        Err(unimplemented("List resources"))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }
    async fn call_function(
        &self,
        _: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        Err(unimplemented("Provider functions"))
    }

    async fn validate_state_store_config(
        &self,
        _: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        Err(unimplemented("State stores"))
    }
    async fn configure_state_store(
        &self,
        _: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        Err(unimplemented("State stores"))
    }
    type ReadStateBytesStream = Stream_<pb::read_state_bytes::Response>;
    async fn read_state_bytes(
        &self,
        _: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        Err(unimplemented("State stores"))
    }
    async fn write_state_bytes(
        &self,
        _: Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        Err(unimplemented("State stores"))
    }
    async fn lock_state(
        &self,
        _: Request<pb::lock_state::Request>,
    ) -> Result<Response<pb::lock_state::Response>, Status> {
        Err(unimplemented("State stores"))
    }
    async fn unlock_state(
        &self,
        _: Request<pb::unlock_state::Request>,
    ) -> Result<Response<pb::unlock_state::Response>, Status> {
        Err(unimplemented("State stores"))
    }
    async fn get_states(
        &self,
        _: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        Err(unimplemented("State stores"))
    }
    async fn delete_state(
        &self,
        _: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        Err(unimplemented("State stores"))
    }

    /// Unlinked actions change no state: the plan is the validation of the configuration
    /// (which may still hold unknown values); nothing is deferred.
    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = req.into_inner();
        let d = match self.action_config(&req.action_type, &req.config) {
            Ok(cfg) => self.provider.plan_action(&req.action_type, &cfg),
            Err(d) => d,
        };
        Ok(Response::new(pb::plan_action::Response { diagnostics: diags(&d), deferred: None }))
    }

    /// Streams a progress event per message the action sends, then one completed event
    /// with its diagnostics. The invocation runs on its own task: Terraform dropping the
    /// stream (or StopProvider) cancels it.
    type InvokeActionStream = Stream_<pb::invoke_action::Event>;
    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        let req = req.into_inner();
        let config = match self.action_config(&req.action_type, &req.config) {
            Ok(c) => c,
            Err(d) => return Ok(Response::new(Box::pin(futures::stream::iter([completed(&d)])))),
        };
        let (progress, messages) = crate::engine::action::Progress::channel();
        let provider = self.provider.clone();
        let outcome = tokio::spawn(async move {
            let d = provider.invoke_action(&req.action_type, &config, &progress).await;
            drop(progress);
            d
        });
        let progress_events =
            tokio_stream::wrappers::UnboundedReceiverStream::new(messages).map(|m| progress_event(&m));
        // The progress channel closes when the invocation ends (its sender dropped), so
        // the completed event always comes last.
        let done = futures::stream::once(async move {
            let d = outcome.await.unwrap_or_else(|e| {
                Diagnostics::error(
                    "The action failed inside the provider",
                    format!("The invocation task ended abnormally: {e}"),
                )
            });
            completed(&d)
        });
        Ok(Response::new(Box::pin(progress_events.chain(done))))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let req = req.into_inner();
        let d = match self.action_config(&req.type_name, &req.config) {
            Ok(cfg) => self.provider.validate_action(&req.type_name, &cfg),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_action_config::Response { diagnostics: diags(&d) }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider: cancelling in-flight operations");
        self.provider.stop.cancel();
        Ok(Response::new(pb::stop_provider::Response { error: String::new() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::provider::ProviderDef;
    use crate::engine::resource::{Op, Operations, ResourceDef};
    use crate::engine::schema::{Codec, Field};

    fn service() -> ProviderService {
        let secret = ResourceDef::new(
            "test_secret",
            "secret",
            "{name}",
            Operations::crud(Op::post("/s"), Op::get("/s/{name}"), None, Op::delete("/s/{name}")),
        )
        .fields(vec![
            Field::string("name").required().replace().api_create("name", Codec::Plain),
            Field::string("value_wo").write_only().api_create("value", Codec::Plain),
        ]);
        let def = ProviderDef {
            name: "test",
            description: String::new(),
            fields: vec![],
            resources: vec![Box::new(secret)],
            data_sources: vec![],
            ephemeral_resources: vec![],
            actions: vec![],
            configure: Box::new(|_| Err(Diagnostics::error("unused", "unused"))),
        };
        ProviderService::new(Arc::new(Provider::new(def)))
    }

    async fn validate(service: &ProviderService, write_only_allowed: Option<bool>) -> Vec<pb::Diagnostic> {
        let ty = service.resource_types["test_secret"].clone();
        let mut config = Value::Object(Default::default());
        config.set("name", Value::str("n"));
        config.set("value_wo", Value::str("s3cret"));
        let req = pb::validate_resource_config::Request {
            type_name: "test_secret".into(),
            config: Some(encode(&config, &ty).expect("encode")),
            client_capabilities: write_only_allowed
                .map(|allowed| pb::ClientCapabilities { write_only_attributes_allowed: allowed, ..Default::default() }),
        };
        service.validate_resource_config(Request::new(req)).await.expect("rpc").into_inner().diagnostics
    }

    #[tokio::test]
    async fn write_only_arguments_need_a_terraform_that_supports_them() {
        let s = service();
        assert!(validate(&s, Some(true)).await.is_empty());
        for older in [Some(false), None] {
            let d = validate(&s, older).await;
            assert_eq!(d.len(), 1, "{d:?}");
            assert!(d[0].summary.contains("Terraform 1.11"), "{d:?}");
            assert!(!d[0].detail.contains("s3cret"));
        }
    }

    #[tokio::test]
    async fn a_provider_without_actions_answers_every_action_call() {
        let s = service();
        let meta = s.get_metadata(Request::new(pb::get_metadata::Request {})).await.expect("rpc").into_inner();
        assert!(meta.actions.is_empty());
        let schema =
            s.get_provider_schema(Request::new(pb::get_provider_schema::Request {})).await.expect("rpc").into_inner();
        assert!(schema.action_schemas.is_empty());
        // Terraform asking for an action this provider does not have gets a diagnostic,
        // not a transport error.
        let plan = s
            .plan_action(Request::new(pb::plan_action::Request { action_type: "test_x".into(), ..Default::default() }))
            .await
            .expect("rpc")
            .into_inner();
        assert!(plan.diagnostics[0].summary.contains("Unknown action"));
        let v = s
            .validate_action_config(Request::new(pb::validate_action_config::Request {
                type_name: "test_x".into(),
                config: None,
            }))
            .await
            .expect("rpc")
            .into_inner();
        assert_eq!(v.diagnostics.len(), 1);
    }
}
