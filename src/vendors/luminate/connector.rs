//! `luminate_connector` and `luminate_site_registration_key_version`.
//!
//! A connector is a declaration (create, read, lookup by name among its site's
//! connectors, delete) wrapped for what the API keeps elsewhere: the deployment command
//! has a route of its own. The connector's answer does not name its site: reads after
//! import find it in the sites' `connector_objects`.

use async_trait::async_trait;
use serde_json::Value as J;

use crate::engine::api::ApiRequest;
use crate::engine::datasource::DataSourceDef;
use crate::engine::diag::Diagnostics;
use crate::engine::resource::{
    api_error_diag, ApplyRequest, ApplyResponse, Ctx, DeleteRequest, DeleteResponse, ImportState, LastPage, ListSpec,
    Member, Op, Operations, Paging, Private, ReadRequest, ReadResponse, Resource, ResourceDef, ResourceSchema,
    UpgradeState,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::Value;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(connector()), Box::new(registration_key_version())]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![]
}

// ---------------------------------------------------------------- connector

/// Every site, in Spring pages.
const fn sites() -> ListSpec {
    ListSpec::new(Op::get("/sites"), "content").paging(Paging::PageNumber {
        page_param: "page",
        size_param: "size",
        size: 100,
        first: 0,
        last: LastPage::Flag("last"),
    })
}

pub struct Connector {
    def: ResourceDef,
}

pub fn connector() -> Connector {
    let def = ResourceDef::new(
        "luminate_connector",
        "connector",
        "{id}",
        Operations::crud(
            Op::post("/connectors")
                .query(&[("bind_to_site_id", "{site_id}")])
                // What the Go provider sends besides name and type (known to be accepted).
                .extra(&[("send_logs", Member::Literal("false")), ("enabled", Member::Literal("false"))])
                .ok(&[201]),
            // 403 is an error, not "gone" (the Go provider's reading hides lost permissions).
            Op::get("/connectors/{id}"),
            None,
            Op::delete("/connectors/{id}").ok(&[204]),
        )
        // A create whose answer is lost is found among its site's connectors by name.
        .lookup(&["name"], Some(ListSpec::new(Op::get("/sites/{site_id}"), "connector_objects"))),
    )
    .id_from_api("id")
    // After import only the ID is known: the site is the one listing the connector.
    .parent_from("site_id", sites(), "connector_objects")
    .sdkv2_state()
    .desc("A connector of a site: the software that links the site to Luminate. Create it, then run its deployment `command` on the target machine with its one-time password `otp`. Every argument forces a new connector. Sites in `orchestrator` authentication mode refuse connectors created through the API: use `luminate_site_registration_key` there.")
    .fields(vec![
        Field::string("name").required().replace().api_create("name", Codec::Plain).desc("Connector name, unique within its site. Changing it creates a new connector."),
        Field::string("site_id")
            .required()
            .replace()
            .validate(Validator::Uuid)
            .desc("The site the connector belongs to (sent as `bind_to_site_id`). Changing it creates a new connector. After import it is found from the sites' connectors."),
        Field::string("type")
            .required()
            .replace()
            .validate(Validator::OneOf(&["linux", "kubernetes", "windows", "docker-compose"]))
            .api_create("deployment_type", Codec::Plain)
            .desc("Where the connector runs. Changing it creates a new connector."),
        Field::string("command")
            .computed()
            .desc("The deployment command to run on the target machine, from the API's deployment-command route."),
        Field::string("otp")
            .computed()
            .sensitive()
            .api("otp", Codec::Plain)
            .desc("One-time password the connector registers with. The API shows it only when the connector is created, so it is null after import."),
    ]);
    Connector { def }
}

impl Connector {
    fn id_of(state: &Value) -> String {
        state.get("id").as_str().unwrap_or_default().to_string()
    }

    /// The deployment command of connector `id`.
    async fn command(&self, ctx: &Ctx, id: &str) -> Result<String, Diagnostics> {
        let req = ApiRequest::get(format!("/connectors/{}/command", percent_encode(id)));
        let what = format!("deployment command of connector {id}");
        let resp = ctx.api.call(req, &ctx.cancel).await.map_err(|e| api_error_diag("read", &what, e))?;
        match resp.body.get("deployment_commands").and_then(J::as_str) {
            Some(command) => Ok(command.to_string()),
            None => Err(Diagnostics::error(
                "Unexpected answer from the API",
                format!("The {what} has no deployment_commands."),
            )),
        }
    }

    /// Sets `command` in `state` when it is not known yet.
    async fn with_command(&self, ctx: &Ctx, mut state: Value) -> Result<Value, (Value, Diagnostics)> {
        if state.get("command").as_str().is_some() {
            return Ok(state);
        }
        match self.command(ctx, &Self::id_of(&state)).await {
            Ok(command) => {
                state.set("command", Value::str(command));
                Ok(state)
            }
            Err(d) => Err((state, d)),
        }
    }
}

#[async_trait]
impl Resource for Connector {
    fn schema(&self) -> &ResourceSchema {
        &self.def.schema
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let out = self.def.create(ctx, req).await;
        let Some(state) = out.state else { return out };
        if out.diags.has_errors() {
            return ApplyResponse { state: Some(state), ..out };
        }
        // The connector exists: a failure to read its command keeps it (tainted).
        match self.with_command(ctx, state).await {
            Ok(state) => ApplyResponse { state: Some(state), ..out },
            Err((state, diags)) => ApplyResponse { state: Some(state), private: out.private, diags },
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let out = self.def.read(ctx, req).await;
        match out.state {
            Some(state) if !out.diags.has_errors() => match self.with_command(ctx, state).await {
                Ok(state) => ReadResponse { state: Some(state), ..out },
                Err((state, diags)) => ReadResponse { state: Some(state), private: out.private, diags },
            },
            _ => out,
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        self.def.update(ctx, req).await
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        self.def.delete(ctx, req).await
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        self.def.importer()
    }

    fn upgrader(&self) -> Option<&dyn UpgradeState> {
        self.def.upgrader()
    }
}

// ---------------------------------------------------------------- registration key version

/// A number that changes on every plan, to open `luminate_site_registration_key` (an
/// ephemeral resource) again: the Go provider's design, kept as its contract says. Read
/// always reports it gone, so every plan creates it anew with an unknown `version`; no
/// API call is made.
pub struct RegistrationKeyVersion {
    schema: ResourceSchema,
}

pub fn registration_key_version() -> RegistrationKeyVersion {
    let mut schema =
        ResourceSchema::new("luminate_site_registration_key_version", "registration key version", "{version}");
    schema.description = "A version number for `luminate_site_registration_key`: the Unix time (seconds) when it was created. It never stays in state: every plan creates it again, so that the ephemeral registration key is rotated on every apply that uses it. It makes no API call and cannot be imported.".into();
    if let Some(id) = schema.fields.iter_mut().find(|f| f.name == "id") {
        id.description = "The version as a string. There is nothing to import.".into();
    }
    schema.fields.push(Field::number("version").computed().desc("Unix time (seconds) at creation."));
    RegistrationKeyVersion { schema }
}

#[async_trait]
impl Resource for RegistrationKeyVersion {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    async fn create(&self, _ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let mut state = req.planned.clone();
        state.set("version", Value::int(now));
        state.set("id", Value::str(now.to_string()));
        ApplyResponse { state: Some(state), private: Private::default(), diags: Diagnostics::default() }
    }

    /// Gone on every read: that is what makes each plan create a new version.
    async fn read(&self, _ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        ReadResponse { state: None, private: req.private, diags: Diagnostics::default() }
    }

    /// Nothing to update: there are no arguments, so Terraform never plans one.
    async fn update(&self, _ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        ApplyResponse { state: Some(req.planned.clone()), private: req.private, diags: Diagnostics::default() }
    }

    async fn delete(&self, _ctx: &Ctx, _req: DeleteRequest<'_>) -> DeleteResponse {
        DeleteResponse { diags: Diagnostics::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_declaration_makes_no_promise_apply_cannot_keep() {
        assert_eq!(connector().def.declaration_errors(), Vec::<String>::new());
    }
}
