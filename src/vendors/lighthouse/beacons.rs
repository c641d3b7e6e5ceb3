//! Beacons (remote agents in front of Docker hosts), their instances and aliases. Aliases
//! have no read endpoint: they show only as the `Alias` of beacons and instances.

use async_trait::async_trait;
use serde_json::Value as J;

use super::API;
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::{object_lists, DataSourceDef, PagedList};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{
    api_error_diag, forget_warning, import_by_template, plan_forgetting, ApplyRequest, ApplyResponse, BodyShape,
    CreateOp, Ctx, DeleteOp, DeleteRequest, DeleteResponse, ImportState, ListSpec, Lookup, Op, Operations, PlanRequest,
    PlanResponse, Private, ReadOp, ReadRequest, ReadResponse, Resource, ResourceDef, ResourceSchema, UpdateOp,
    UpdateStyle,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::Value;

const BEACONS: ListSpec = ListSpec::new(Op::get("/api/v0.2/beacons/list"), "");

pub fn beacon() -> ResourceDef {
    let ops = Operations {
        create: CreateOp::Send(Op::post("/api/v0.2/beacons/create")),
        read: ReadOp::FromList { list: BEACONS, key: &["address"] },
        update: Some(UpdateOp {
            op: None,
            style: UpdateStyle::Patch,
            toggles: vec![],
            per_field: vec![
                ("alias", Op::new(Method::Put, "/api/v0.2/aliases/{address}").body(BodyShape::Attr("alias"))),
                (
                    "token_wo",
                    Op::new(Method::Put, "/api/v0.2/beacons/token/{address}").body(BodyShape::Attr("token_wo")),
                ),
            ],
        }),
        delete: DeleteOp::StateOnly {
            before: None,
            warning: "Lighthouse cannot delete beacons: {address} stays registered, with its token, its instances and everyone's permissions on it.",
        },
        lookup: Some(Lookup { key: &["address"], list: Some(BEACONS) }),
        async_states: None,
        etag: None,
        adopt_existing: false,
    };
    ResourceDef::new("lighthouse_beacon", "beacon", "{address}", ops)
        .desc("A beacon (remote agent at host:port) registered in Lighthouse, with its alias and token. Lighthouse contacts the beacon (GET /vms with the token) during create, so the beacon must be reachable. Beacons cannot be deleted: destroy only forgets the beacon (warning).")
        .fields(vec![
            Field::string("address")
                .required()
                .replace()
                .api_create("Address", Codec::Plain)
                .desc("Beacon address `host:port` (may carry a path). Changing it registers another beacon and leaves this one behind."),
            Field::string("alias")
                .required()
                .validate(Validator::LenRange(1, usize::MAX))
                .api_create("Alias", Codec::Plain)
                .desc("Friendly name of the beacon (required by Lighthouse). Instances get `<alias>.<vm name>` on each refresh. Updated in place through PUT /aliases/{Address}; do not also manage this address with `lighthouse_alias`."),
            Field::string("token_wo")
                .optional()
                .sensitive()
                .sent_when_changed("token_wo_version")
                .api_create("Token", Codec::Plain)
                .desc("Shared secret the beacon expects in its `Token` header; sent on create and whenever `token_wo_version` changes; never stored in state (write-only, Terraform 1.11 and later)."),
            Field::number("token_wo_version")
                .optional()
                .desc("Change this number to send `token_wo` again (PUT /beacons/token/{Address}, which needs level >= 1 on the beacon)."),
        ])
}

// ---------------------------------------------------------------- alias

/// `lighthouse_alias`: PUT /aliases/{Address} is an upsert; reading means finding the
/// address among the beacons and their instances.
pub struct Alias {
    schema: ResourceSchema,
}

impl Alias {
    pub fn new() -> Alias {
        let mut schema = ResourceSchema::new("lighthouse_alias", "alias", "{address}");
        schema.description = "The alias (friendly name) of an address, usually a beacon instance such as `10.0.0.11:2375/v1.18`. Lighthouse keeps one alias per address. Caveat: a beacon refresh rewrites instance aliases to `<beacon alias>.<vm name>`; the next plan then shows the drift. Aliases cannot be removed: destroy only forgets the alias (warning).".into();
        schema.fields.extend([
            Field::string("address")
                .required()
                .replace()
                .desc("Address the alias names (the final Lighthouse code keys aliases by address; the wiki's PUT /aliases/{Alias} is obsolete)."),
            Field::string("alias")
                .required()
                .validate(Validator::LenRange(1, usize::MAX))
                .desc("The alias; non-empty (Lighthouse refuses an empty one). Updated in place."),
        ]);
        Alias { schema }
    }

    fn warning(v: &Value) -> String {
        format!(
            "Lighthouse cannot remove aliases (it refuses an empty one): {} keeps the alias {:?}.",
            text(v, "address"),
            text(v, "alias")
        )
    }

    async fn put(&self, ctx: &Ctx, v: &Value) -> Result<(), Diagnostics> {
        let address = text(v, "address");
        let put = ApiRequest::new(Method::Put, format!("{API}/aliases/{}", percent_encode(&address)))
            .body(J::String(text(v, "alias")))
            .idempotent(true);
        ctx.api
            .call(put, &ctx.cancel)
            .await
            .map(|_| ())
            .map_err(|e| api_error_diag("set", &format!("alias of {address}"), e))
    }

    fn state(&self, base: &Value, alias: Option<String>) -> Value {
        let mut out = base.clone();
        if let Some(alias) = alias {
            out.set("alias", Value::str(alias));
        }
        out.set("id", Value::str(text(base, "address")));
        out
    }
}

/// The alias Lighthouse shows for `address`: on a visible beacon, or on an instance of
/// one. `None` when the address is neither (Lighthouse offers no other way to read it).
/// The client shares these listings among the reads of one refresh (`listings.rs`).
async fn find_alias(ctx: &Ctx, address: &str) -> Result<Option<String>, ApiError> {
    let list = |path: String| async move {
        let answer = ctx.api.call(ApiRequest::get(path), &ctx.cancel).await?;
        Ok::<_, ApiError>(answer.body.as_array().cloned().unwrap_or_default())
    };
    let alias_of = |o: &J| o.get("Alias").and_then(J::as_str).unwrap_or_default().to_string();
    let beacons = list(format!("{API}/beacons/list")).await?;
    if let Some(b) = beacons.iter().find(|b| b.get("Address").and_then(J::as_str) == Some(address)) {
        return Ok(Some(alias_of(b)));
    }
    for beacon in beacons.iter().filter_map(|b| b.get("Address").and_then(J::as_str)) {
        let instances = list(format!("{API}/beacons/list/{}", percent_encode(beacon))).await?;
        if let Some(i) = instances.iter().find(|i| i.get("InstanceAddress").and_then(J::as_str) == Some(address)) {
            return Ok(Some(alias_of(i)));
        }
    }
    Ok(None)
}

fn text(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

#[async_trait]
impl Resource for Alias {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        plan_forgetting(&self.schema, req, Self::warning)
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        match self.put(ctx, req.planned).await {
            Ok(()) => ApplyResponse::done(self.state(req.planned, None), Private::default()),
            Err(d) => ApplyResponse::nothing(d),
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let current = req.current;
        let address = text(current, "address");
        match find_alias(ctx, &address).await {
            Ok(Some(alias)) => ReadResponse::found(self.state(current, Some(alias)), req.private),
            // Nothing to compare with: the configured value stands, unless this is an
            // import, which has no value to keep.
            Ok(None) if current.get("alias").is_null() => ReadResponse::failed(
                current,
                req.private,
                Diagnostics::attr_error(
                    AttrPath::attr("address"),
                    format!("Cannot import the alias of {address}"),
                    "Lighthouse shows aliases only for beacons and their instances, and this address is neither (or the provider account has no level on its beacon). Declare the lighthouse_alias in configuration instead: creating it is an upsert.",
                ),
            ),
            Ok(None) => ReadResponse::found(self.state(current, None), req.private),
            Err(e) => ReadResponse::failed(current, req.private, api_error_diag("read", &format!("alias of {address}"), e)),
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        match self.put(ctx, req.planned).await {
            Ok(()) => ApplyResponse::done(self.state(req.planned, None), req.private),
            Err(d) => ApplyResponse::kept(req.prior.clone(), req.private, d),
        }
    }

    async fn delete(&self, _ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        DeleteResponse { diags: forget_warning("alias", Self::warning(req.prior)) }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for Alias {
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        import_by_template(&self.schema, id)
    }
}

// ---------------------------------------------------------------- data sources

fn out(name: &'static str, json: &'static str, what: &str) -> Field {
    Field::string(name).computed().api(json, Codec::Plain).desc(what.to_string())
}

pub fn beacons_data() -> DataSourceDef {
    let item =
        vec![out("address", "Address", "Beacon address."), out("alias", "Alias", "Beacon alias (\"\" when none).")];
    object_lists(DataSourceDef::new(
        "lighthouse_beacons",
        "Beacons the provider account has a level on. API: GET /beacons/list.",
        vec![
            Field::string("id").computed().desc("Constant `beacons`."),
            Field::list_of("beacons", item.clone())
                .computed()
                .desc("Each beacon's address and alias (\"\" when none)."),
        ],
        PagedList { list: BEACONS, output: "beacons", item_fields: item, id_template: "beacons" },
    ))
}

pub fn beacon_instances_data() -> DataSourceDef {
    let item = vec![
        out("instance_address", "InstanceAddress", "Instance address `<address>:<port>/<version>`."),
        out("name", "Name", "VM name reported by the beacon."),
        out("alias", "Alias", "Alias of the instance."),
        Field::bool("can_access_docker")
            .computed()
            .api("CanAccessDocker", Codec::Plain)
            .desc("Whether the beacon reaches the instance's Docker daemon."),
        out("beacon_address", "BeaconAddress", "The beacon reporting it."),
    ];
    let list = ListSpec::new(Op::get("/api/v0.2/beacons/list/{beacon_address}").query(&[("refresh", "{refresh}")]), "");
    object_lists(DataSourceDef::new(
        "lighthouse_beacon_instances",
        "Docker instances reported by one beacon. API: GET /beacons/list/{Beacon}?refresh=<refresh> (no level on the beacon: empty list).",
        vec![
            Field::string("id").computed().desc("The beacon address."),
            Field::string("beacon_address").required().desc("Beacon address (not an alias)."),
            Field::bool("refresh")
                .optional()
                .desc("Ask Lighthouse to re-poll the beacon first (refresh errors are ignored by the API). Default false."),
            Field::list_of("instances", item.clone())
                .computed()
                .desc("Instances (`<address>:<port>/<version>`), their VM names, aliases and Docker reachability."),
        ],
        PagedList { list, output: "instances", item_fields: item, id_template: "{beacon_address}" },
    ))
}
