//! Company-wide settings, all `COMPANY`: feature flags (read), SMTP connectivity, IdM
//! authentication and provisioning, the licence.
//!
//! The configuration POSTs and the licence PUT answer 200 with no body (the OpenAPI gives
//! these 200s no content).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::JsonBody;
use super::handlers::{check_enum, Params, QueryParams};
use super::{Sim, SimError};

/// Where the simulated server says it is, in the URLs it hands out for an IdP to call
/// (SSO redirect, SCIM endpoint). A real server names its own host; which host the
/// simulator is reached at is not known to the handlers.
const SERVER_URL: &str = "https://app.lightrun.sim";
/// How the SMTP secret is answered: masked (the interface expects a server to mask it;
/// the OpenAPI only lists the field).
pub const MASKED_SECRET: &str = "********";

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v1/configuration/feature/toggle", get(feature_flags))
        .route("/api/v1/configuration/connectivity/smtp", get(get_smtp).post(set_smtp))
        .route("/api/v1/configuration/idm/authentication", get(get_authentication).post(set_authentication))
        .route("/api/v1/configuration/idm/provisioning", get(get_provisioning).post(set_provisioning))
        .route("/api/v1/license", get(get_license).put(set_license))
}

// ---------------------------------------------------------------------------------------
// Feature flags (FeatureToggleDescriptorDTO)

/// A map of feature name to ENABLED/DISABLED, as the schema's example. The schema also
/// declares a boolean `empty` property, an artefact of a Java Map's `isEmpty()`; the
/// example has none, and neither has this answer. `company` is "Required for
/// non-single-tenant deployments": this server is single-tenant, so it is optional, and
/// another company than its own is a 400 (not documented).
async fn feature_flags(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    if let Some(company) = params.get("company") {
        if company != sim.cfg().company_id {
            return Err(SimError::bad_request(format!("Unknown company {company}")));
        }
    }
    Ok(Json(Value::Object(sim.store().feature_flags.clone())))
}

// ---------------------------------------------------------------------------------------
// SMTP (SmtpConnectivityConfigurationWriteDTO in, the flat ReadDTO out)

const SMTP_TYPES: &[&str] = &["DISABLED", "DEFAULT", "CUSTOM"];
const SMTP_AUTHENTICATION: &[&str] = &["DISABLED", "PASSWORD", "APIKEY"];

async fn get_smtp(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let mut smtp = sim.store().smtp.clone();
    if smtp.get("authenticationSecret").is_some_and(|s| !s.is_null()) {
        smtp["authenticationSecret"] = json!(MASKED_SECRET);
    }
    Json(smtp)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SmtpBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    custom_spec: Option<SmtpSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SmtpSpec {
    server_host: Option<String>,
    server_port: Option<i32>,
    from_email_address: Option<String>,
    #[serde(rename = "enableSSL")]
    enable_ssl: Option<bool>,
    #[serde(rename = "enableStartTLS")]
    enable_start_tls: Option<bool>,
    authentication_type: Option<String>,
    authentication_id: Option<String>,
    authentication_secret: Option<String>,
}

/// set SMTP: `type` required. CUSTOM needs `customSpec` with `serverHost` and
/// `fromEmailAddress` (an email); the other fields the spec lists as required have
/// documented defaults (587, true, true, DISABLED) and take them when omitted. PASSWORD
/// and APIKEY authentication need `authenticationId` (not documented); an omitted secret
/// keeps the one set before. DISABLED and DEFAULT keep no custom settings.
async fn set_smtp(State(sim): State<Arc<Sim>>, JsonBody(body): JsonBody<SmtpBody>) -> Result<StatusCode, SimError> {
    let kind = body.kind.ok_or_else(|| SimError::bad_request("type: must not be null"))?;
    check_enum("type", std::slice::from_ref(&kind), SMTP_TYPES)?;
    let mut store = sim.store();
    if kind != "CUSTOM" {
        store.smtp = json!({"type": kind});
        return Ok(StatusCode::OK);
    }
    let spec = body.custom_spec.ok_or_else(|| SimError::bad_request("customSpec: required for type CUSTOM"))?;
    let host = super::handlers::required("customSpec.serverHost", spec.server_host.as_deref())?.to_string();
    let from =
        super::handlers::required("customSpec.fromEmailAddress", spec.from_email_address.as_deref())?.to_string();
    if !from.split_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty()) {
        return Err(SimError::bad_request("customSpec.fromEmailAddress: must be a well-formed email address"));
    }
    let port = spec.server_port.unwrap_or(587);
    if !(1..=65535).contains(&port) {
        return Err(SimError::bad_request("customSpec.serverPort: must be between 1 and 65535"));
    }
    let authentication = spec.authentication_type.unwrap_or_else(|| "DISABLED".into());
    check_enum("customSpec.authenticationType", std::slice::from_ref(&authentication), SMTP_AUTHENTICATION)?;
    let (id, secret) = if authentication == "DISABLED" {
        (None, None)
    } else {
        let id =
            super::handlers::required("customSpec.authenticationId", spec.authentication_id.as_deref())?.to_string();
        let kept = store.smtp.get("authenticationSecret").and_then(Value::as_str).map(str::to_string);
        (Some(id), spec.authentication_secret.or(kept))
    };
    store.smtp = json!({
        "type": "CUSTOM", "serverHost": host, "serverPort": port, "fromEmailAddress": from,
        "enableSSL": spec.enable_ssl.unwrap_or(true), "enableStartTLS": spec.enable_start_tls.unwrap_or(true),
        "authenticationType": authentication, "authenticationId": id, "authenticationSecret": secret,
    });
    Ok(StatusCode::OK)
}

// ---------------------------------------------------------------------------------------
// IdM authentication

const LOGIN_METHODS: &[&str] = &["PASSWORD", "GOOGLE", "SSO"];
const SSO_PROTOCOLS: &[&str] = &["SAML", "OIDC"];

/// IdmAuthenticationConfigurationReadDTO: `currentLoginMethod`, and `sso` while the
/// method is SSO. The SAML entity id and the redirect URLs are the server's; the IdP's
/// URL, client id and discovery URL are set in the portal, not through this API, and are
/// null until someone sets them (the admin routes can).
async fn get_authentication(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let company = sim.cfg().company_id;
    let written = sim.store().idm_authentication.clone();
    let method = written.get("loginMethod").cloned().unwrap_or(json!("PASSWORD"));
    let mut answer = json!({"currentLoginMethod": method});
    if method == "SSO" {
        let protocol = written.get("protocol").and_then(Value::as_str).unwrap_or("SAML");
        let redirect = format!("{SERVER_URL}/auth/realms/lightrun/broker/{company}/endpoint");
        let detail = |key: &str| written.get(key).cloned().unwrap_or(Value::Null);
        answer["sso"] = if protocol == "SAML" {
            json!({"protocol": "SAML", "saml": {"entityId": format!("{SERVER_URL}/auth/realms/lightrun"),
                "idpUrl": detail("idpUrl"), "redirectUrl": redirect}})
        } else {
            json!({"protocol": "OIDC", "oidc": {"clientId": detail("clientId"), "discoveryUrl": detail("discoveryUrl"),
                "redirectUrl": redirect}})
        };
    }
    Json(answer)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthenticationBody {
    login_method: Option<String>,
    sso_protocol_options: Option<ProtocolBody>,
}

#[derive(Deserialize)]
struct ProtocolBody {
    protocol: Option<String>,
}

/// setAuthConfig: `loginMethod` required; SSO needs `ssoProtocolOptions.protocol` (400
/// otherwise, not documented); other methods ignore the options.
async fn set_authentication(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<AuthenticationBody>,
) -> Result<StatusCode, SimError> {
    let method = body.login_method.ok_or_else(|| SimError::bad_request("loginMethod: must not be null"))?;
    check_enum("loginMethod", std::slice::from_ref(&method), LOGIN_METHODS)?;
    let mut store = sim.store();
    if method != "SSO" {
        store.idm_authentication["loginMethod"] = json!(method);
        return Ok(StatusCode::OK);
    }
    let protocol = body
        .sso_protocol_options
        .and_then(|o| o.protocol)
        .ok_or_else(|| SimError::bad_request("ssoProtocolOptions.protocol: required for login method SSO"))?;
    check_enum("ssoProtocolOptions.protocol", std::slice::from_ref(&protocol), SSO_PROTOCOLS)?;
    store.idm_authentication["loginMethod"] = json!(method);
    store.idm_authentication["protocol"] = json!(protocol);
    Ok(StatusCode::OK)
}

// ---------------------------------------------------------------------------------------
// IdM provisioning

/// The write DTO's documented defaults, as the read view shows them.
pub fn default_provisioning() -> Value {
    json!({
        "jitProvisionEnabled": false,
        "selfRegistrationEnabled": false,
        "selfRegistrationAllowedDomains": [],
        "scim": {"enabled": false, "createExistingUsersEnabled": true, "syncGroupsEnabled": false, "syncRolesEnabled": false},
    })
}

/// IdmProvisioningConfigurationReadDTO. While SCIM is on, the server-set endpoint and
/// OAuth client (issued when SCIM is turned on, kept until it is turned off); null
/// otherwise.
async fn get_provisioning(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let company = sim.cfg().company_id;
    let store = sim.store();
    let mut answer = store.idm_provisioning.clone();
    let (client, secret) = store.scim_credentials.clone().map_or((None, None), |(c, s)| (Some(c), Some(s)));
    let on = client.is_some();
    let url = |path: String| if on { json!(path) } else { Value::Null };
    answer["scim"]["endpointUrl"] = url(format!("{SERVER_URL}/api/company/{company}/scim/v2"));
    answer["scim"]["oauthAuthorizationUrl"] = url(format!("{SERVER_URL}/api/company/{company}/scim/oauth/authorize"));
    answer["scim"]["oauthAccessTokenUrl"] = url(format!("{SERVER_URL}/api/company/{company}/scim/oauth/token"));
    answer["scim"]["oauthClientId"] = json!(client);
    answer["scim"]["oauthClientSecret"] = json!(secret);
    Json(answer)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvisioningBody {
    jit_provision_enabled: Option<bool>,
    self_registration_enabled: Option<bool>,
    self_registration_allowed_domains: Option<Vec<String>>,
    scim: Option<ScimBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScimBody {
    enabled: Option<bool>,
    create_existing_users_enabled: Option<bool>,
    sync_groups_enabled: Option<bool>,
    sync_roles_enabled: Option<bool>,
}

/// setProvisioningConfig: the whole configuration; omitted fields take the write DTO's
/// documented defaults (false, `[]`, SCIM off with createExistingUsersEnabled true). A
/// blank domain is a 400 (not documented).
async fn set_provisioning(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<ProvisioningBody>,
) -> Result<StatusCode, SimError> {
    let domains = super::handlers::unique(body.self_registration_allowed_domains.unwrap_or_default());
    if domains.iter().any(|d| d.trim().is_empty() || d.contains(char::is_whitespace)) {
        return Err(SimError::bad_request("selfRegistrationAllowedDomains: blank or malformed domain"));
    }
    let scim = body.scim.unwrap_or(ScimBody {
        enabled: None,
        create_existing_users_enabled: None,
        sync_groups_enabled: None,
        sync_roles_enabled: None,
    });
    let scim_on = scim.enabled.unwrap_or(false);
    let mut store = sim.store();
    store.idm_provisioning = json!({
        "jitProvisionEnabled": body.jit_provision_enabled.unwrap_or(false),
        "selfRegistrationEnabled": body.self_registration_enabled.unwrap_or(false),
        "selfRegistrationAllowedDomains": domains,
        "scim": {
            "enabled": scim_on,
            "createExistingUsersEnabled": scim.create_existing_users_enabled.unwrap_or(true),
            "syncGroupsEnabled": scim.sync_groups_enabled.unwrap_or(false),
            "syncRolesEnabled": scim.sync_roles_enabled.unwrap_or(false),
        },
    });
    match (scim_on, store.scim_credentials.is_some()) {
        (true, false) => {
            store.scim_credentials = Some((uuid::Uuid::new_v4().to_string(), uuid::Uuid::new_v4().simple().to_string()))
        }
        (false, _) => store.scim_credentials = None,
        _ => {}
    }
    Ok(StatusCode::OK)
}

// ---------------------------------------------------------------------------------------
// Licence

/// getCompanyLicense: the base64 licence as text/plain; 404 when there is none.
async fn get_license(State(sim): State<Arc<Sim>>) -> Result<Response, SimError> {
    let license = sim.store().license.clone().ok_or_else(|| SimError::not_found("The license is not found"))?;
    Ok(([(header::CONTENT_TYPE, "text/plain;charset=UTF-8")], license).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LicenseBody {
    license: Option<String>,
    license_signature: Option<String>,
}

/// The signature this simulator accepts for a licence: the lower-case hex MD5 of the
/// base64 text (in HCL, `md5(local.license)`). Lightrun's real signatures cannot be
/// checked offline; a fixed rule lets tests produce both valid and invalid ones.
pub fn license_signature(license: &str) -> String {
    Md5::digest(license.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The licence document's `issuedAt` (made up, like the whole document).
fn issued_at(license: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(license.trim()).ok()?;
    let document: Value = serde_json::from_slice(&bytes).ok()?;
    document.get("issuedAt").and_then(Value::as_str).map(str::to_string)
}

/// updateCompanyLicense: 200. 400 "A required attribute ... is missing", "Invalid
/// license content or signature" (content: base64 of a JSON object, "Base64-encoded JSON
/// file containing license properties"; signature: see [`license_signature`]) or
/// "Newer license exists" (the current licence's `issuedAt` is later).
async fn set_license(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<LicenseBody>,
) -> Result<StatusCode, SimError> {
    use base64::Engine as _;
    let license = super::handlers::required("license", body.license.as_deref())?.trim().to_string();
    let signature =
        super::handlers::required("licenseSignature", body.license_signature.as_deref())?.trim().to_string();
    let is_document = base64::engine::general_purpose::STANDARD
        .decode(&license)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .is_some_and(|document| document.is_object());
    if !is_document || !signature.eq_ignore_ascii_case(&license_signature(&license)) {
        return Err(SimError::bad_request("Invalid license content or signature"));
    }
    let mut store = sim.store();
    let current = store.license.as_deref().and_then(issued_at);
    if let (Some(current), Some(new)) = (current, issued_at(&license)) {
        if current > new {
            return Err(SimError::bad_request("Newer license exists"));
        }
    }
    store.license = Some(license);
    Ok(StatusCode::OK)
}
