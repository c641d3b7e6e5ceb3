//! Lightrun's company-wide settings (SMTP, IdM authentication and provisioning, the
//! licence) and its system API keys. The settings are singletons: declarations wrapped in
//! [`Singleton`], which accepts any import ID and makes create send the whole
//! configuration. System API keys are created by a request whose answer holds only the
//! secret, so their create is hand-written ([`SystemApiKey`]); reads, updates and
//! deletes are declared.

use async_trait::async_trait;
use serde_json::{json, Map, Value as J};

use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::mapping::{put_at, state_from_api};
use crate::engine::resource::{
    api_error_diag, ApplyRequest, ApplyResponse, BodyShape, CreateOp, Ctx, DeleteOp, DeleteRequest, DeleteResponse,
    ImportState, ListSpec, Op, Operations, PlanRequest, PlanResponse, Private, ReadOp, ReadRequest, ReadResponse,
    Resource, ResourceDef, ResourceHooks, ResourceSchema, UpdateOp,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::{Type, Value};

// ---------------------------------------------------------------- singletons

/// A setting that always exists: any import ID names it, create takes over what the
/// server has by sending the whole configuration, and a failed create leaves nothing in
/// state (there is no object to orphan).
pub struct Singleton {
    def: ResourceDef,
    /// Refusals over the whole configuration (which attributes go together).
    check: fn(&Value, &mut Diagnostics),
    /// A required attribute blanked in the adopted state, so that the update that
    /// completes create sends every attribute, write-only secrets included. `None` for
    /// settings created by their own request.
    resend: Option<&'static str>,
}

#[async_trait]
impl Resource for Singleton {
    fn schema(&self) -> &ResourceSchema {
        &self.def.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = self.def.validate(config);
        (self.check)(config, &mut diags);
        diags
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        self.def.plan(req)
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let fail = |diags| ApplyResponse { state: None, private: Private::default(), diags };
        let Some(resend) = self.resend else {
            let out = self.def.create(ctx, req).await;
            return if out.diags.has_errors() { fail(out.diags) } else { out };
        };
        let read = self.def.read(ctx, ReadRequest { current: req.planned, private: Private::default() }).await;
        if read.diags.has_errors() {
            return fail(read.diags);
        }
        let Some(mut current) = read.state else {
            let noun = self.def.schema.noun;
            return fail(Diagnostics::error(
                format!("The {noun} does not exist"),
                format!("The {noun} can only be configured, and the API does not have it."),
            ));
        };
        current.set(resend, Value::Null);
        let out = self
            .def
            .update(
                ctx,
                ApplyRequest { prior: &current, planned: req.planned, config: req.config, private: read.private },
            )
            .await;
        if out.diags.has_errors() {
            fail(out.diags)
        } else {
            out
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        self.def.read(ctx, req).await
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        self.def.update(ctx, req).await
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        self.def.delete(ctx, req).await
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for Singleton {
    /// There is one: whatever the ID, it is the one.
    fn import_key(&self, _id: &str) -> Result<Value, Diagnostics> {
        self.def.import_key(self.def.schema.id_template)
    }
}

fn no_check(_: &Value, _: &mut Diagnostics) {}

/// The `id` of a singleton: always the same word.
fn singleton_id(def: ResourceDef, id: &'static str) -> ResourceDef {
    let mut def = def;
    if let Some(f) = def.schema.fields.iter_mut().find(|f| f.name == "id") {
        f.description = format!("Always `{id}`; any import ID is accepted.");
    }
    def
}

/// Sets `value` at a dotted path of an answer object.
fn set_at(obj: &mut J, path: &str, value: J) {
    if !obj.is_object() {
        *obj = J::Object(Map::new());
    }
    if let J::Object(m) = obj {
        put_at(m, path, value);
    }
}

/// Gives every path the answer lacks an explicit null, so that a value that disappeared
/// (a setting turned off) is read as unset rather than kept from the prior state.
fn null_where_missing(obj: &mut J, paths: &[&str]) {
    for path in paths {
        if crate::engine::resource::ops::at(obj, path).is_none() {
            set_at(obj, path, J::Null);
        }
    }
}

fn is_set(config: &Value, name: &str) -> bool {
    !config.get(name).is_null()
}

// ---------------------------------------------------------------- SMTP

const SMTP: &str = "/configuration/connectivity/smtp";

/// The custom server's attributes and where the flat read DTO holds them.
const SMTP_READ: &[(&str, &str)] = &[
    ("server_host", "serverHost"),
    ("server_port", "serverPort"),
    ("from_email_address", "fromEmailAddress"),
    ("enable_ssl", "enableSSL"),
    ("enable_start_tls", "enableStartTLS"),
    ("authentication_type", "authenticationType"),
    ("authentication_id", "authenticationId"),
];

/// Where the write-only secret is put in update bodies before it is moved to
/// `customSpec.authenticationSecret` (see [`SmtpHooks::adjust_update_body`]).
const SECRET_WO_PATH: &str = "authenticationSecretWriteOnly";

struct SmtpHooks;

impl ResourceHooks for SmtpHooks {
    /// CUSTOM plans the API's defaults for what is unset; other types have no custom
    /// settings at all.
    fn adjust_plan(&self, _provider: &Value, _prior: &Value, config: &Value, planned: &mut Value) {
        let kind = planned.get("type").clone();
        let defaults = [
            ("server_port", Value::int(587)),
            ("enable_ssl", Value::Bool(true)),
            ("enable_start_tls", Value::Bool(true)),
            ("authentication_type", Value::str("DISABLED")),
        ];
        for (name, default) in defaults {
            if !config.get(name).is_null() {
                continue;
            }
            let v = match kind.as_str() {
                _ if kind.is_unknown() => Value::Unknown,
                Some("CUSTOM") => default,
                _ => Value::Null,
            };
            planned.set(name, v);
        }
    }

    /// Both forms of the secret travel as `customSpec.authenticationSecret`; the
    /// write-only one is declared at a path of its own so that the other form's null
    /// cannot overwrite it. An unset secret is left out: the server keeps the one it has.
    fn adjust_update_body(&self, _prior: &Value, _planned: &Value, body: &mut Map<String, J>) {
        if let Some(J::Object(spec)) = body.get_mut("customSpec") {
            if let Some(secret) = spec.remove(SECRET_WO_PATH).filter(|v| !v.is_null()) {
                spec.insert("authenticationSecret".into(), secret);
            }
            if spec.get("authenticationSecret").is_some_and(J::is_null) {
                spec.remove("authenticationSecret");
            }
        }
    }

    /// The write DTO nests the custom server under `customSpec`, the read DTO is flat:
    /// answers are read at the flat paths (`read_as`). Without CUSTOM every custom value
    /// is null. The secret is never read back (a server masks it): its state value stays.
    fn adjust_answer(&self, _base: &Value, obj: &mut J) {
        let custom = obj.get("type").and_then(J::as_str) == Some("CUSTOM");
        for (_, path) in SMTP_READ {
            if !custom {
                set_at(obj, path, J::Null);
            }
        }
        null_where_missing(obj, &SMTP_READ.iter().map(|(_, p)| *p).collect::<Vec<_>>());
        if !custom {
            set_at(obj, "customSpec.authenticationSecret", J::Null);
        }
    }
}

const SMTP_CUSTOM_ONLY: &[&str] = &[
    "server_host",
    "server_port",
    "from_email_address",
    "enable_ssl",
    "enable_start_tls",
    "authentication_type",
    "authentication_id",
    "authentication_secret",
    "authentication_secret_wo",
];

/// What the API would refuse or silently drop (a perpetual diff), refused at plan time.
fn check_smtp(config: &Value, diags: &mut Diagnostics) {
    let kind = config.get("type");
    let Some(kind) = kind.as_str() else { return };
    if kind != "CUSTOM" {
        for name in SMTP_CUSTOM_ONLY.iter().filter(|n| is_set(config, n)) {
            diags.add_error(
                format!("{name} needs type = \"CUSTOM\""),
                format!("{name} configures a custom mail server; with type = \"{kind}\" the server keeps no custom settings. Remove it, or set type = \"CUSTOM\"."),
                Some(AttrPath::attr(name)),
            );
        }
        return;
    }
    for name in ["server_host", "from_email_address"] {
        if !is_set(config, name) {
            diags.add_error(
                format!("Missing {name}"),
                format!("type = \"CUSTOM\" needs {name}."),
                Some(AttrPath::attr(name)),
            );
        }
    }
    let auth = config.get("authentication_type");
    if auth.is_unknown() {
        return;
    }
    let authenticated = auth.as_str().is_some_and(|a| a != "DISABLED");
    if authenticated && !is_set(config, "authentication_id") {
        diags.add_error(
            "Missing authentication_id",
            format!(
                "authentication_type = \"{}\" needs authentication_id (the user or API key name).",
                auth.as_str().unwrap_or_default()
            ),
            Some(AttrPath::attr("authentication_id")),
        );
    }
    if !authenticated {
        for name in ["authentication_id", "authentication_secret", "authentication_secret_wo"] {
            if is_set(config, name) {
                diags.add_error(
                    format!("{name} needs authentication"),
                    format!("{name} is used only with authentication_type = \"PASSWORD\" or \"APIKEY\"; without authentication the server drops it."),
                    Some(AttrPath::attr(name)),
                );
            }
        }
    }
}

pub fn smtp_configuration() -> Singleton {
    let ops = Operations::crud(
        Op::post(SMTP),
        Op::get(SMTP),
        // The API replaces the whole configuration: every attribute on every update.
        Some(UpdateOp::replace(Op::post(SMTP))),
        Op::delete(SMTP),
    )
    .create(CreateOp::Adopt)
    // Destroy puts back the documented default: Lightrun's own mail service.
    .delete(DeleteOp::AsUpdate(Op::post(SMTP).body(BodyShape::Literal(r#"{"type": "DEFAULT"}"#))));
    let custom = |json: &'static str, read: &'static str, f: Field| f.api_mutable(json, Codec::Plain).read_as(read);
    let def = ResourceDef::new("lightrun_smtp_configuration", "SMTP configuration", "smtp", ops)
        .desc("The company's SMTP connectivity: which mail server Lightrun sends mail through. A singleton: create takes over the current configuration, destroy resets it to `DEFAULT` (Lightrun's own mail service).")
        .hooks(SmtpHooks)
        .constraint(crate::engine::resource::Constraint::ConflictsWith(&["authentication_secret", "authentication_secret_wo"]))
        .fields(vec![
            Field::string("type")
                .required()
                .validate(Validator::OneOf(&["DISABLED", "DEFAULT", "CUSTOM"]))
                .api_mutable("type", Codec::Plain)
                .desc("`DISABLED` (no mail), `DEFAULT` (Lightrun's mail service) or `CUSTOM` (the server below)."),
            custom("customSpec.serverHost", "serverHost", Field::string("server_host").optional())
                .desc("`CUSTOM` only, and required then: SMTP server host name or IP address."),
            custom("customSpec.serverPort", "serverPort", Field::number("server_port").optional_computed())
                .validate(Validator::IntRange(1, 65535))
                .desc("`CUSTOM` only: SMTP port (default 587)."),
            custom("customSpec.fromEmailAddress", "fromEmailAddress", Field::string("from_email_address").optional())
                .desc("`CUSTOM` only, and required then: the sender address."),
            custom("customSpec.enableSSL", "enableSSL", Field::bool("enable_ssl").optional_computed())
                .desc("`CUSTOM` only: implicit TLS (default `true`)."),
            custom("customSpec.enableStartTLS", "enableStartTLS", Field::bool("enable_start_tls").optional_computed())
                .desc("`CUSTOM` only: STARTTLS (default `true`)."),
            custom("customSpec.authenticationType", "authenticationType", Field::string("authentication_type").optional_computed())
                .validate(Validator::OneOf(&["DISABLED", "PASSWORD", "APIKEY"]))
                .desc("`CUSTOM` only: `DISABLED` (default), `PASSWORD` or `APIKEY`."),
            custom("customSpec.authenticationId", "authenticationId", Field::string("authentication_id").optional())
                .desc("`CUSTOM` with `PASSWORD` or `APIKEY` only, and required then: the user name or API key name."),
            // Read at the write path, which answers never have: the state keeps what
            // was sent, and a masked answer is never written back.
            Field::string("authentication_secret")
                .optional()
                .sensitive()
                .api_mutable("customSpec.authenticationSecret", Codec::Plain)
                .desc("The password or API key value, kept in state (sensitive) and never read back. For Terraform 1.11 and later prefer `authentication_secret_wo`. Conflicts with `authentication_secret_wo`."),
            Field::string("authentication_secret_wo")
                .optional()
                .sensitive()
                .sent_when_changed("authentication_secret_wo_version")
                .api_mutable("customSpec.authenticationSecretWriteOnly", Codec::Plain)
                .desc("Write-only form of the secret (Terraform 1.11 and later): sent with every update of the configuration, never stored. Change `authentication_secret_wo_version` to send a new value. Conflicts with `authentication_secret`."),
            Field::number("authentication_secret_wo_version")
                .optional()
                .desc("Change it to send `authentication_secret_wo` again. Null after import."),
        ]);
    Singleton { def: singleton_id(def, "smtp"), check: check_smtp, resend: Some("type") }
}

// ---------------------------------------------------------------- IdM authentication

const AUTHENTICATION: &str = "/configuration/idm/authentication";

const SSO_READ: &[&str] = &[
    "sso.protocol",
    "sso.redirectUrl",
    "sso.saml.entityId",
    "sso.saml.idpUrl",
    "sso.oidc.clientId",
    "sso.oidc.discoveryUrl",
];

struct AuthenticationHooks;

impl ResourceHooks for AuthenticationHooks {
    /// The redirect URL sits under the protocol's own member; without SSO every SSO
    /// value is null.
    fn adjust_answer(&self, _base: &Value, obj: &mut J) {
        let redirect = ["sso.saml.redirectUrl", "sso.oidc.redirectUrl"]
            .iter()
            .find_map(|p| crate::engine::resource::ops::at(obj, p).filter(|v| !v.is_null()).cloned())
            .unwrap_or(J::Null);
        if obj.get("sso").is_some_and(J::is_object) {
            set_at(obj, "sso.redirectUrl", redirect);
        }
        null_where_missing(obj, SSO_READ);
    }
}

fn check_authentication(config: &Value, diags: &mut Diagnostics) {
    let Some(method) = config.get("login_method").as_str() else { return };
    let protocol = config.get("sso_protocol");
    if method == "SSO" && protocol.is_null() {
        diags.add_error(
            "Missing sso_protocol",
            "login_method = \"SSO\" needs sso_protocol (\"SAML\" or \"OIDC\").",
            Some(AttrPath::attr("sso_protocol")),
        );
    }
    if method != "SSO" && !protocol.is_null() {
        diags.add_error(
            "sso_protocol needs login_method = \"SSO\"",
            format!("With login_method = \"{method}\" there is no SSO protocol; remove sso_protocol."),
            Some(AttrPath::attr("sso_protocol")),
        );
    }
}

pub fn idm_authentication() -> Singleton {
    let ops = Operations::crud(
        Op::post(AUTHENTICATION),
        Op::get(AUTHENTICATION),
        Some(UpdateOp::replace(Op::post(AUTHENTICATION))),
        Op::delete(AUTHENTICATION),
    )
    .create(CreateOp::Adopt)
    .delete(DeleteOp::StateOnly {
        before: None,
        warning: "The login method stays {login_method}: it is not reset to PASSWORD, because users provisioned through SSO have no password and a reset could lock the whole company out. Change it in Lightrun if needed.",
    });
    let sso = |name: &'static str, json: &'static str, what: &str| {
        Field::string(name).computed_volatile().api(json, Codec::Plain).desc(what.to_string())
    };
    let def = ResourceDef::new("lightrun_idm_authentication", "IdM authentication", "idm_authentication", ops)
        .desc("How users log in to Lightrun: password, Google, or SSO with SAML or OIDC. A singleton: create takes over the current setting; destroy only removes it from Terraform state (the login method is kept, so nobody is locked out).")
        .hooks(AuthenticationHooks)
        .fields(vec![
            Field::string("login_method")
                .required()
                .validate(Validator::OneOf(&["PASSWORD", "GOOGLE", "SSO"]))
                .api_mutable("loginMethod", Codec::Plain)
                .read_as("currentLoginMethod")
                .desc("`PASSWORD`, `GOOGLE` or `SSO`."),
            Field::string("sso_protocol")
                .optional()
                .validate(Validator::OneOf(&["SAML", "OIDC"]))
                .api_mutable("ssoProtocolOptions.protocol", Codec::Plain)
                .read_as("sso.protocol")
                .desc("`SAML` or `OIDC`: required when `login_method = \"SSO\"`, and must be unset otherwise."),
            sso("sso_redirect_url", "sso.redirectUrl", "Redirect URL to register in the identity provider (null unless SSO)."),
            sso("saml_entity_id", "sso.saml.entityId", "SAML entity ID to give the identity provider (SAML only)."),
            sso("saml_idp_url", "sso.saml.idpUrl", "The identity provider's SSO URL (SAML only; set in the Lightrun portal)."),
            sso("oidc_client_id", "sso.oidc.clientId", "The identity provider's client ID (OIDC only; set in the Lightrun portal)."),
            sso("oidc_discovery_url", "sso.oidc.discoveryUrl", "The identity provider's discovery URL (OIDC only; set in the Lightrun portal)."),
        ]);
    Singleton {
        def: singleton_id(def, "idm_authentication"),
        check: check_authentication,
        resend: Some("login_method"),
    }
}

// ---------------------------------------------------------------- IdM provisioning

const PROVISIONING: &str = "/configuration/idm/provisioning";

pub fn idm_provisioning() -> Singleton {
    let ops = Operations::crud(
        Op::post(PROVISIONING),
        Op::get(PROVISIONING),
        Some(UpdateOp::replace(Op::post(PROVISIONING))),
        Op::delete(PROVISIONING),
    )
    .create(CreateOp::Adopt)
    // Destroy turns provisioning off: it stops new automatic accounts, locks nobody out.
    .delete(DeleteOp::AsUpdate(Op::post(PROVISIONING).body(BodyShape::Literal(
        r#"{"jitProvisionEnabled": false, "selfRegistrationEnabled": false, "selfRegistrationAllowedDomains": [],
            "scim": {"enabled": false, "createExistingUsersEnabled": true, "syncGroupsEnabled": false, "syncRolesEnabled": false}}"#,
    ))));
    let flag = |name: &'static str, json: &'static str, default: bool, what: &str| {
        Field::bool(name)
            .default(Value::Bool(default))
            .api_mutable(json, Codec::Plain)
            .desc(format!("{what} Default `{default}`."))
    };
    let scim = |name: &'static str, json: &'static str, what: &str| {
        Field::string(name).computed_volatile().api(json, Codec::Plain).desc(what.to_string())
    };
    let def = ResourceDef::new("lightrun_idm_provisioning", "IdM provisioning", "idm_provisioning", ops)
        .desc("How user accounts are provisioned: just-in-time on first SSO login, self-registration, SCIM. A singleton: create takes over the current setting, destroy turns everything off (the documented defaults).")
        .fields(vec![
            flag("jit_provisioning_enabled", "jitProvisionEnabled", false, "Create users on their first SSO login."),
            flag("self_registration_enabled", "selfRegistrationEnabled", false, "Allow users to register themselves."),
            Field::new("self_registration_allowed_domains", Type::set(Type::String))
                .default(Value::Set(vec![]))
                .api_mutable("selfRegistrationAllowedDomains", Codec::Plain)
                .desc("Email domains allowed to self-register (`example.com`). Default none."),
            flag("scim_enabled", "scim.enabled", false, "SCIM provisioning on."),
            flag("scim_create_existing_users", "scim.createExistingUsersEnabled", true, "Re-provision users that exist when SCIM is enabled."),
            flag("scim_sync_groups", "scim.syncGroupsEnabled", false, "SCIM also manages RBAC groups."),
            flag("scim_sync_roles", "scim.syncRolesEnabled", false, "SCIM also manages RBAC roles."),
            scim("scim_endpoint_url", "scim.endpointUrl", "SCIM endpoint to give the identity manager (null while SCIM is off)."),
            scim("scim_oauth_authorization_url", "scim.oauthAuthorizationUrl", "OAuth authorization URL for the identity manager."),
            scim("scim_oauth_access_token_url", "scim.oauthAccessTokenUrl", "OAuth token URL for the identity manager."),
            scim("scim_oauth_client_id", "scim.oauthClientId", "OAuth client ID the server issued for the identity manager."),
            scim("scim_oauth_client_secret", "scim.oauthClientSecret", "OAuth client secret the server issued for the identity manager.")
                .sensitive(),
        ]);
    Singleton { def: singleton_id(def, "idm_provisioning"), check: no_check, resend: Some("jit_provisioning_enabled") }
}

// ---------------------------------------------------------------- licence

struct LicenseHooks;

impl ResourceHooks for LicenseHooks {
    /// `GET /license` answers the base64 text itself (text/plain). The server trims it:
    /// the same text with other surrounding white space keeps the configuration's form.
    fn adjust_answer(&self, base: &Value, obj: &mut J) {
        if let J::String(text) = obj {
            let same = base.get("license").as_str().filter(|b| b.trim() == text.trim()).map(str::to_string);
            *obj = json!({ "license": same.unwrap_or_else(|| text.clone()) });
        }
    }
}

pub fn license() -> Singleton {
    let ops = Operations::crud(
        // PUT installs a licence, replacing the current one: create takes over.
        Op::put("/license"),
        Op::get("/license"),
        Some(UpdateOp::replace(Op::put("/license"))),
        Op::delete("/license"),
    )
    // The PUT answers no body: the licence is then read back and compared.
    .lookup(&["license"], None)
    .delete(DeleteOp::StateOnly {
        before: None,
        warning: "The licence stays installed: a licence cannot be removed, only replaced by another one.",
    });
    let def = ResourceDef::new("lightrun_license", "license", "license", ops)
        .desc("The company licence of a self-hosted Lightrun server. A singleton: create installs the licence over the current one; destroy only removes it from Terraform state (a licence cannot be removed).")
        .hooks(LicenseHooks)
        .fields(vec![
            Field::string("license")
                .required()
                .api_mutable("license", Codec::Plain)
                .desc("The base64-encoded licence file as issued by Lightrun. Updated in place; a licence changed outside Terraform shows as a change. The server refuses a licence older than the installed one."),
            // Write-only, sent with every licence change (it signs the licence).
            Field::string("license_signature")
                .required()
                .sent_when_changed("license")
                .api_mutable("licenseSignature", Codec::Plain)
                .desc("Signature of the base64 licence, as issued by Lightrun. Write-only (never stored): sent with every change of `license`."),
        ]);
    Singleton { def: singleton_id(def, "license"), check: no_check, resend: None }
}

// ---------------------------------------------------------------- system API keys

const KEYS: &str = "/access/company/{company_id}/system-api-key";
const KEY: &str = "/access/company/{company_id}/system-api-key/{id}";
const SCOPES: &[&str] = &["COMPANY", "DEV", "SECURITY", "CROSS_COMPANY"];

/// Seconds since the epoch of an RFC 3339 time (`2026-12-31T23:59:59.123+01:00`).
fn instant(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let secs = num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
    let mut rest = text.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            sign * (rest.get(1..3)?.parse::<i64>().ok()? * 3600 + rest.get(4..6)?.parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + secs - offset)
}

struct ApiKeyHooks;

impl ResourceHooks for ApiKeyHooks {
    /// `expirationDays` is not returned: it is the whole days from creation to expiry.
    fn adjust_answer(&self, _base: &Value, obj: &mut J) {
        let time = |k: &str| obj.get(k).and_then(J::as_str).and_then(instant);
        if let (Some(created), Some(expires)) = (time("createdDate"), time("expirationDate")) {
            let days = (expires - created + 43_200).div_euclid(86_400);
            set_at(obj, "expirationDays", json!(days));
        }
    }
}

pub struct SystemApiKey {
    def: ResourceDef,
}

/// Creates of this provider are one at a time: the new key is told apart from others by
/// listing before and after, which concurrent creates would confuse.
static CREATE_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn system_api_key() -> SystemApiKey {
    let ops = Operations::crud(Op::post(KEYS), Op::get(KEYS), Some(UpdateOp::replace(Op::put(KEY))), Op::delete(KEY))
        .read(ReadOp::FromList { list: ListSpec::new(Op::get(KEYS), "items"), key: &["id"] });
    let mut def = ResourceDef::new("lightrun_system_api_key", "system API key", "{id}", ops)
        .id_from_api("id")
        .hooks(ApiKeyHooks)
        .desc("A system (non-personal) API key of the company. The secret (`api_key`) is shown once, at create, and kept in state (sensitive); after an import it is unknown to Terraform (null). Only the label can change in place.")
        .fields(vec![
            Field::string("company_id")
                .default_from_provider("company_id")
                .replace()
                .desc("Company owning the key. Defaults to the provider's `company_id`. Changing it replaces the key."),
            Field::string("label")
                .optional_computed()
                .validate(Validator::LenRange(3, 50))
                .validate(Validator::Regex(
                    r"^[A-Za-z\d][A-Za-z\d _-]*$",
                    "letters, digits, spaces, `_` and `-`, starting with a letter or digit",
                ))
                .api_mutable("label", Codec::Plain)
                .desc("Label, 3 to 50 characters: letters, digits, spaces, `_` and `-`, starting with a letter or digit. Updated in place; unset keeps the label the server gives."),
            Field::number("expiration_days")
                .default(Value::int(90))
                .validate(Validator::IntRange(1, i64::from(i32::MAX)))
                .replace()
                .api("expirationDays", Codec::Plain)
                .desc("Validity in days from creation (default 90). Changing it replaces the key. Read back as the whole days from `created_date` to `expiration_date`."),
            Field::new("scopes", Type::set(Type::String))
                .optional_computed()
                .validate(Validator::EachOneOf(SCOPES))
                .replace()
                .api("scopes", Codec::Plain)
                .desc("Scopes (API permission levels): `COMPANY`, `DEV`, `SECURITY`, `CROSS_COMPANY`. Unset: the API's default, all of them. Changing them replaces the key."),
            Field::string("api_key")
                .computed()
                .sensitive()
                .api("apiKey", Codec::Plain)
                .desc("The secret, returned once at create and kept in state. Null after import."),
            Field::string("expiration_date").computed().api("expirationDate", Codec::Plain).desc("Expiry time (RFC 3339)."),
            Field::string("created_by").computed().api("createdBy", Codec::Plain).desc("Who created the key."),
            Field::string("created_date").computed().api("createdDate", Codec::Plain).desc("Creation time (RFC 3339)."),
        ]);
    if let Some(f) = def.schema.fields.iter_mut().find(|f| f.name == "id") {
        f.description = "Key ID (not the secret). Import ID `<company_id>/<id>`, or `<id>` for a key of the provider's `company_id`.".into();
    }
    SystemApiKey { def }
}

impl SystemApiKey {
    fn what(planned: &Value) -> String {
        match planned.get("label").as_str() {
            Some(label) => format!("system API key {label:?}"),
            None => "system API key".into(),
        }
    }

    fn company(v: &Value) -> Result<String, Diagnostics> {
        v.get("company_id").as_str().filter(|c| !c.is_empty()).map(str::to_string).ok_or_else(|| {
            Diagnostics::attr_error(
                AttrPath::attr("company_id"),
                "Missing company_id",
                "Set company_id on the key or in the provider configuration (LIGHTRUN_COMPANY_ID).",
            )
        })
    }

    fn keys_path(company: &str) -> String {
        format!("/access/company/{}/system-api-key", percent_encode(company))
    }

    /// Every key of the company, as listed (no paging).
    async fn list(&self, ctx: &Ctx, company: &str, planned: &Value) -> Result<Vec<J>, Diagnostics> {
        let resp = ctx
            .api
            .call(ApiRequest::get(Self::keys_path(company)), &ctx.cancel)
            .await
            .map_err(|e| api_error_diag("list the keys for", &Self::what(planned), e))?;
        Ok(resp.body.get("items").and_then(J::as_array).cloned().unwrap_or_default())
    }

    /// Listed keys absent from `before` with the planned label and scopes.
    fn new_keys(after: &[J], before: &[J], planned: &Value) -> Vec<J> {
        let id = |k: &J| k.get("id").and_then(J::as_str).map(str::to_string);
        let old: Vec<String> = before.iter().filter_map(id).collect();
        let label = planned.get("label").as_str();
        let scopes = planned.get("scopes");
        let mut want: Vec<String> = scopes.string_items();
        want.sort();
        after
            .iter()
            .filter(|k| id(k).is_some_and(|i| !old.contains(&i)))
            .filter(|k| label.is_none_or(|l| k.get("label").and_then(J::as_str) == Some(l)))
            .filter(|k| {
                if !scopes.is_fully_known() || scopes.is_null() {
                    return true;
                }
                let mut have: Vec<String> = k
                    .get("scopes")
                    .and_then(J::as_array)
                    .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
                    .unwrap_or_default();
                have.sort();
                have.dedup();
                have == want
            })
            .cloned()
            .collect()
    }

    fn create_request(company: &str, planned: &Value) -> ApiRequest {
        let mut req = ApiRequest::new(Method::Post, Self::keys_path(company));
        if let Some(days) = planned.get("expiration_days").as_i64() {
            req = req.query("expirationDays", days.to_string());
        }
        if let Some(label) = planned.get("label").as_str() {
            req = req.query("label", label);
        }
        if planned.get("scopes").is_fully_known() {
            for scope in planned.get("scopes").string_items() {
                req = req.query("scopes", scope);
            }
        }
        req
    }

    fn ambiguous(keys: &[J], planned: &Value) -> Diagnostics {
        let ids: Vec<&str> = keys.iter().filter_map(|k| k.get("id").and_then(J::as_str)).collect();
        Diagnostics::error(
            "Cannot tell the new system API key apart",
            format!(
                "{} new keys with this label and these scopes appeared while the {} was created: {}. Someone else is creating keys at the same time; delete the extra keys (or import one) and apply again.",
                ids.len(),
                Self::what(planned),
                ids.join(", ")
            ),
        )
    }

    /// The state of the new key: its listing plus the secret of the create answer.
    fn created_state(&self, planned: &Value, key: &J, secret: &str) -> Result<Value, Diagnostics> {
        let mut obj = key.clone();
        set_at(&mut obj, "apiKey", json!(secret));
        self.def.hooks.adjust_answer(planned, &mut obj);
        let mut state = state_from_api(&self.def.schema.fields, planned, &obj)?;
        let id = self.def.schema.render_id(&state).map(Value::str).unwrap_or(Value::Null);
        state.set("id", id);
        Ok(state)
    }

    async fn create_key(&self, ctx: &Ctx, planned: &Value) -> Result<Value, Diagnostics> {
        let company = Self::company(planned)?;
        let _one_at_a_time = CREATE_LOCK.lock().await;
        let what = Self::what(planned);
        // A create whose answer is lost cannot be adopted: the secret is only in that
        // answer. The one new key is deleted and a fresh one created (twice at most).
        for _ in 0..3 {
            let before = self.list(ctx, &company, planned).await?;
            match ctx.api.call(Self::create_request(&company, planned), &ctx.cancel).await {
                Ok(resp) => {
                    let secret = resp.body.get("apiKey").and_then(J::as_str).unwrap_or_default().to_string();
                    if secret.is_empty() {
                        return Err(Diagnostics::error(
                            "Unexpected answer to the system API key create",
                            "The API answered without `apiKey`; check the keys of the company for a new one.",
                        ));
                    }
                    crate::logging::register_secret(&secret);
                    let after = self.list(ctx, &company, planned).await?;
                    return match Self::new_keys(&after, &before, planned).as_slice() {
                        [key] => self.created_state(planned, key, &secret),
                        [] => Err(Diagnostics::error(
                            "Cannot find the new system API key",
                            format!("The API created the {what} but it is not listed among the company's keys."),
                        )),
                        keys => Err(Self::ambiguous(keys, planned)),
                    };
                }
                Err(e) if e.outcome_unknown() => {
                    tracing::warn!("system API key create outcome unknown ({e}); removing the key it may have made");
                    let after = self.list(ctx, &company, planned).await?;
                    match Self::new_keys(&after, &before, planned).as_slice() {
                        [] => {}
                        [key] => {
                            let id = key.get("id").and_then(J::as_str).unwrap_or_default();
                            let path = format!("{}/{}", Self::keys_path(&company), percent_encode(id));
                            match ctx.api.call(ApiRequest::new(Method::Delete, path), &ctx.cancel).await {
                                Ok(_) | Err(ApiError::NotFound(_)) => {}
                                Err(e) => return Err(api_error_diag("delete the unconfirmed", &what, e)),
                            }
                        }
                        keys => return Err(Self::ambiguous(keys, planned)),
                    }
                }
                Err(e) => return Err(api_error_diag("create", &what, e)),
            }
        }
        Err(Diagnostics::error(
            "The system API key create never got an answer",
            format!("Three attempts to create the {what} lost their answers; the keys they may have made were deleted. Try again later."),
        ))
    }

    /// A key imported by its bare ID belongs to the provider's company.
    fn with_company(ctx: &Ctx, current: &Value) -> Result<Value, Diagnostics> {
        if !current.get("company_id").is_null() {
            return Ok(current.clone());
        }
        let mut v = current.clone();
        let company = ctx.provider_config.get("company_id").as_str().filter(|c| !c.is_empty()).ok_or_else(|| {
            Diagnostics::error(
                "Unknown company of the system API key",
                "Import the key as <company_id>/<id>, or set company_id in the provider configuration.",
            )
        })?;
        v.set("company_id", Value::str(company));
        Ok(v)
    }
}

#[async_trait]
impl Resource for SystemApiKey {
    fn schema(&self) -> &ResourceSchema {
        &self.def.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        self.def.validate(config)
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        self.def.plan(req)
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        match self.create_key(ctx, req.planned).await {
            Ok(state) => {
                ApplyResponse { state: Some(state), private: Private::default(), diags: Diagnostics::default() }
            }
            Err(diags) => ApplyResponse { state: None, private: Private::default(), diags },
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        match Self::with_company(ctx, req.current) {
            Ok(current) => self.def.read(ctx, ReadRequest { current: &current, private: req.private }).await,
            Err(diags) => ReadResponse { state: Some(req.current.clone()), private: req.private, diags },
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        self.def.update(ctx, req).await
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        self.def.delete(ctx, req).await
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for SystemApiKey {
    /// `<company_id>/<id>`, or `<id>` (the provider's company, filled in by the read).
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        let invalid = || {
            Diagnostics::error(
                "Invalid import ID for lightrun_system_api_key",
                format!("Expected \"<company_id>/<id>\" or \"<id>\", got {id:?}."),
            )
        };
        let (company, key) = match id.split_once('/') {
            None => (None, id),
            Some((c, k)) if !c.is_empty() && !k.is_empty() && !k.contains('/') => (Some(c), k),
            Some(_) => return Err(invalid()),
        };
        if key.is_empty() {
            return Err(invalid());
        }
        let mut v = self.def.import_key(key)?;
        v.set("company_id", company.map(Value::str).unwrap_or(Value::Null));
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        let system_api_key = system_api_key();
        let (smtp, auth, provisioning, license) =
            (smtp_configuration(), idm_authentication(), idm_provisioning(), license());
        for r in [&smtp.def, &auth.def, &provisioning.def, &license.def, &system_api_key.def] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new(), "{}", r.schema.type_name);
            for f in &r.schema.fields {
                assert!(!f.description.is_empty(), "{}.{}", r.schema.type_name, f.name);
            }
        }
    }

    #[test]
    fn expiration_days_are_whole_days_between_the_dates() {
        let mut obj = json!({"createdDate": "2026-12-05T01:10:44.123Z", "expirationDate": "2027-03-05T01:10:44.123Z"});
        ApiKeyHooks.adjust_answer(&Value::Null, &mut obj);
        assert_eq!(obj["expirationDays"], 90);
        let mut offset = json!({"createdDate": "2026-12-05T01:00:00+01:00", "expirationDate": "2026-12-06T00:00:00Z"});
        ApiKeyHooks.adjust_answer(&Value::Null, &mut offset);
        assert_eq!(offset["expirationDays"], 1);
        let mut bad = json!({"createdDate": "yesterday", "expirationDate": "2026-12-06T00:00:00Z"});
        ApiKeyHooks.adjust_answer(&Value::Null, &mut bad);
        assert!(bad.get("expirationDays").is_none());
    }

    #[test]
    fn import_ids_name_the_company_or_not() {
        let r = system_api_key();
        let v = r.import_key("c0ffee/8f14e45f").expect("two parts");
        assert_eq!((v.get("company_id").as_str(), v.get("id").as_str()), (Some("c0ffee"), Some("8f14e45f")));
        let v = r.import_key("8f14e45f").expect("one part");
        assert!(v.get("company_id").is_null());
        for bad in ["/x", "c/", "a/b/c", ""] {
            assert!(r.import_key(bad).is_err(), "{bad}");
        }
        assert_eq!(license().import_key("anything").expect("any").get("id").as_str(), None);
    }

    #[test]
    fn smtp_custom_settings_need_custom_and_their_companions() {
        let config = |pairs: &[(&str, Value)]| {
            let mut v = Value::Object(Default::default());
            for (k, x) in pairs {
                v.set(k, x.clone());
            }
            v
        };
        let mut d = Diagnostics::default();
        check_smtp(&config(&[("type", Value::str("DEFAULT")), ("server_host", Value::str("mail"))]), &mut d);
        assert!(d.0.iter().any(|x| x.summary.contains("server_host")), "{d}");
        let mut d = Diagnostics::default();
        check_smtp(&config(&[("type", Value::str("CUSTOM")), ("authentication_type", Value::str("PASSWORD"))]), &mut d);
        let text = d.to_string();
        assert!(
            text.contains("server_host") && text.contains("from_email_address") && text.contains("authentication_id"),
            "{text}"
        );
    }
}
