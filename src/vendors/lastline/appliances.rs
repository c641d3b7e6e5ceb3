//! `lastline_appliance` and `lastline_appliances`: the registration state of appliances
//! registered on the box (`lastline_register`). The API lists them
//! (appliance/list_registered), enables, disables and deregisters them; it cannot register
//! one, so create adopts an appliance that is already listed.

use async_trait::async_trait;
use serde_json::Value as J;

use super::{failed, jstr, rpc, text};
use crate::engine::api::{ApiError, Method};
use crate::engine::datasource::{DataSourceDef, DataSourceRead, DataSourceResponse};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{
    forget_warning, plan_change, ApplyRequest, ApplyResponse, Ctx, DeleteRequest, DeleteResponse, ImportState,
    PlanRequest, PlanResponse, Private, ReadRequest, ReadResponse, Resource, ResourceSchema,
};
use crate::engine::schema::{Field, Validator};
use crate::engine::value::{Type, Value};
use crate::vendors::lastline::import_key_state;

const LIST: &str = "appliance/list_registered";

/// Every appliance of the provider account's customer.
async fn list(ctx: &Ctx) -> Result<Vec<J>, Diagnostics> {
    match rpc(ctx, Method::Get, LIST, &[]).await {
        Ok(J::Array(items)) => Ok(items),
        Ok(other) => Err(Diagnostics::error(
            format!("accounting/{LIST} answered unexpectedly"),
            format!("Expected a list of appliances, got {other}."),
        )),
        Err(e) => Err(failed(LIST, "appliances", e)),
    }
}

fn uuid_of(a: &J) -> &str {
    a.get("appliance_uuid").and_then(J::as_str).unwrap_or_default()
}

async fn find(ctx: &Ctx, uuid: &str) -> Result<Option<J>, Diagnostics> {
    Ok(list(ctx).await?.into_iter().find(|a| uuid_of(a).eq_ignore_ascii_case(uuid)))
}

pub struct Appliance {
    schema: ResourceSchema,
}

impl Appliance {
    pub fn new() -> Appliance {
        let mut schema = ResourceSchema::new("lastline_appliance", "appliance registration", "{appliance_uuid}");
        schema.description = "The registration state of an appliance that was registered on the box (`lastline_register`): enabled (REGISTERED) or disabled (DISABLED). The API cannot register an appliance, so create adopts one that appliance/list_registered already lists. Destroy only removes it from state (warning) unless `deregister_on_destroy` is true.".into();
        schema.fields.extend([
            Field::string("appliance_uuid")
                .required()
                .replace()
                .validate(Validator::Uuid)
                .desc("UUID of the registered appliance. It must already be registered on the box."),
            Field::bool("enabled")
                .default(Value::Bool(true))
                .desc("true: REGISTERED (operational, appliance/enable); false: DISABLED (appliance/disable; the licence stays bound). Default true."),
            Field::bool("deregister_on_destroy")
                .default(Value::Bool(false))
                .desc("When true, destroy calls appliance/deregister, which frees the appliance's licence and cannot be undone through the API (registering again needs the CLI on the box). Default false: destroy only forgets the appliance. Never sent to the API otherwise."),
            Field::string("access_key").computed_volatile().desc("Licence the appliance uses."),
            Field::string("subkey").computed_volatile().desc("Sensor subkey the appliance uses."),
            Field::string("registration_timestamp").computed_volatile().desc("When the appliance was registered."),
            Field::string("registration_account").computed_volatile().desc("Account that registered the appliance."),
            Field::string("appliance_type").computed_volatile().desc("Appliance type."),
        ]);
        Appliance { schema }
    }

    fn warning(v: &Value) -> String {
        format!(
            "Appliance {} stays registered (deregister_on_destroy is false); set deregister_on_destroy = true before destroying to free its licence, or import it again with ID {} to manage it.",
            text(v, "appliance_uuid"),
            text(v, "appliance_uuid")
        )
    }

    fn state(&self, base: &Value, obj: &J) -> Value {
        let mut out = base.clone();
        out.set("id", Value::str(text(base, "appliance_uuid")));
        let registered = obj.get("registration_state").and_then(J::as_str) == Some("REGISTERED");
        out.set("enabled", Value::Bool(registered));
        for name in ["access_key", "subkey", "registration_timestamp", "registration_account", "appliance_type"] {
            out.set(name, jstr(obj, name));
        }
        if !matches!(out.get("deregister_on_destroy"), Value::Bool(_)) {
            out.set("deregister_on_destroy", Value::Bool(false));
        }
        out
    }

    /// appliance/enable or appliance/disable when the listed state differs from `want`.
    async fn set_enabled(&self, ctx: &Ctx, v: &Value, listed: &J) -> Result<bool, Diagnostics> {
        let want = v.get("enabled").as_bool().unwrap_or(true);
        let now = listed.get("registration_state").and_then(J::as_str) == Some("REGISTERED");
        if want == now {
            return Ok(false);
        }
        let method = if want { "appliance/enable" } else { "appliance/disable" };
        let uuid = text(v, "appliance_uuid");
        rpc(ctx, Method::Post, method, &[("appliance_uuid", uuid.clone())])
            .await
            .map_err(|e| failed(method, &format!("appliance {uuid}"), e))?;
        Ok(true)
    }

    async fn converge(&self, ctx: &Ctx, planned: &Value) -> Result<Value, (Diagnostics, Option<Value>)> {
        let uuid = text(planned, "appliance_uuid");
        let listed = match find(ctx, &uuid).await {
            Ok(Some(a)) => a,
            Ok(None) => {
                return Err((
                    Diagnostics::attr_error(
                        AttrPath::attr("appliance_uuid"),
                        format!("Appliance {uuid} is not registered"),
                        format!("accounting/{LIST} does not list {uuid} for the provider account's customer. The API cannot register appliances: register it on the appliance first (lastline_register), then apply again."),
                    ),
                    None,
                ))
            }
            Err(d) => return Err((d, None)),
        };
        let before = self.state(planned, &listed);
        match self.set_enabled(ctx, planned, &listed).await {
            Ok(false) => Ok(before),
            Ok(true) => match find(ctx, &uuid).await {
                Ok(Some(a)) => Ok(self.state(planned, &a)),
                Ok(None) => Err((
                    Diagnostics::error(
                        format!("Appliance {uuid} disappeared"),
                        "It is no longer listed after its state was changed.",
                    ),
                    None,
                )),
                Err(d) => Err((d, Some(before))),
            },
            Err(d) => Err((d, Some(before))),
        }
    }
}

#[async_trait]
impl Resource for Appliance {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        let destroy = req.proposed.is_null() && !req.prior.is_null();
        let prior = req.prior.clone();
        let mut out = plan_change(&self.schema, req, |_, _, _| {});
        if destroy && prior.get("deregister_on_destroy").as_bool() != Some(true) {
            out.diags.extend(forget_warning(self.schema.noun, Self::warning(&prior)));
        }
        out
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        match self.converge(ctx, req.planned).await {
            Ok(s) => ApplyResponse::done(s, Private::default()),
            // Adopting changes nothing that exists: nothing to keep in state on failure.
            Err((d, _)) => ApplyResponse::nothing(d),
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        match find(ctx, &text(req.current, "appliance_uuid")).await {
            Ok(Some(a)) => ReadResponse::found(self.state(req.current, &a), req.private),
            Ok(None) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(req.current, req.private, d),
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        match self.converge(ctx, req.planned).await {
            Ok(s) => ApplyResponse::done(s, req.private),
            Err((d, _)) => ApplyResponse::kept(req.prior.clone(), req.private, d),
        }
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let prior = req.prior;
        if prior.get("deregister_on_destroy").as_bool() != Some(true) {
            return DeleteResponse { diags: forget_warning(self.schema.noun, Self::warning(prior)) };
        }
        let uuid = text(prior, "appliance_uuid");
        let diags = match rpc(ctx, Method::Post, "appliance/deregister", &[("appliance_uuid", uuid.clone())]).await {
            Ok(_) | Err(ApiError::NotFound(_)) => Diagnostics::default(),
            // Its error code for an unknown appliance is unpublished: re-read instead.
            Err(e) => match find(ctx, &uuid).await {
                Ok(None) => Diagnostics::default(),
                _ => failed("appliance/deregister", &format!("appliance {uuid}"), e),
            },
        };
        DeleteResponse { diags }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for Appliance {
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        let mut diags = Diagnostics::default();
        self.schema
            .fields
            .iter()
            .filter(|f| f.name == "appliance_uuid")
            .for_each(|f| f.check(&Value::str(id), &AttrPath::attr("appliance_uuid"), &mut diags));
        if diags.has_errors() {
            return Err(Diagnostics::error(
                "Invalid import ID for lastline_appliance",
                format!("Expected an appliance UUID, got {id:?}."),
            ));
        }
        let mut v = import_key_state(&self.schema, id);
        v.set("appliance_uuid", Value::str(id));
        v.set("deregister_on_destroy", Value::Bool(false));
        Ok(v)
    }
}

// ---------------------------------------------------------------- data source

const ITEM: [&str; 7] = [
    "appliance_uuid",
    "access_key",
    "subkey",
    "registration_state",
    "registration_timestamp",
    "registration_account",
    "appliance_type",
];

struct ListAppliances;

#[async_trait]
impl DataSourceRead for ListAppliances {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let items = list(ctx)
            .await?
            .iter()
            .map(|a| {
                let mut o = Value::Object(Default::default());
                for name in ITEM {
                    o.set(name, jstr(a, name));
                }
                o
            })
            .collect();
        let mut out = config.clone();
        out.set("appliances", Value::List(items));
        out.set("id", Value::str("appliances"));
        Ok(out.into())
    }
}

pub fn appliances_data() -> DataSourceDef {
    let item = Type::object(&ITEM.map(|n| (n, Type::String)));
    DataSourceDef::new(
        "lastline_appliances",
        "Appliances of the provider account's customer that are registered (REGISTERED) or disabled (DISABLED). API: appliance/list_registered.",
        vec![
            Field::string("id").computed().desc("Constant `appliances`."),
            Field::new("appliances", Type::list(item))
                .computed()
                .desc("Each appliance: `appliance_uuid`, licence `access_key` and sensor `subkey`, `registration_state` (REGISTERED or DISABLED), `registration_timestamp`, `registration_account`, `appliance_type`."),
        ],
        ListAppliances,
    )
}
