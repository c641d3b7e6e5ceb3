//! Lastline Accounting API (PAPI view `accounting`): the provider configuration and its
//! client (form login at `<base_url>/login`, a session cookie, form fields in, the
//! `{success, data, error, error_code}` envelope out). The Terraform interface is
//! ../shared/interfaces/lastline.md. Methods are paths below `<base_url>/accounting/`
//! with the `.json` suffix; reads are filtered list methods, where an empty list means
//! gone.

mod accounts;
mod licenses;

use std::sync::Arc;

use crate::engine::api::Api;
use crate::engine::diag::Diagnostics;
use crate::engine::provider::ProviderDef;
use crate::engine::resource::ResourceSchema;
use crate::engine::schema::Field;
use crate::engine::value::Value;
use crate::http::vendors;

pub const ADDRESS: &str = "registry.terraform.io/tfprov/lastline";

/// The hosted Lastline PAPI.
const DEFAULT_BASE_URL: &str = "https://user.lastline.com/papi";

pub fn provider() -> ProviderDef {
    ProviderDef {
        name: "lastline",
        description: "Lastline (hosted or on-premise Manager) through the Accounting API: accounts, customer contact details, licenses, sensors, appliance registrations, permissions and roles. Licences, sensors, custom roles, appliance registrations and customers cannot be deleted through the API: destroying them only removes them from Terraform state (after the deactivation the resource documents), and a warning names what stays.".into(),
        fields: provider_fields(),
        resources: [accounts::resources(), licenses::resources()].into_iter().flatten().collect(),
        data_sources: [accounts::data_sources(), licenses::data_sources()].into_iter().flatten().collect(),
        ephemeral_resources: vec![],
        actions: vec![],
        configure: Box::new(configure),
    }
}

fn provider_fields() -> Vec<Field> {
    vec![
        Field::string("base_url")
            .default(Value::str(DEFAULT_BASE_URL))
            .desc("PAPI base URL, up to and including `/papi` (on-premise: `https://<manager>/papi`). Default the hosted `https://user.lastline.com/papi`.")
            .env("LASTLINE_BASE_URL"),
        Field::string("username")
            .desc("Account username (e-mail). Required (here or in `LASTLINE_USERNAME`).")
            .env("LASTLINE_USERNAME"),
        Field::string("password")
            .sensitive()
            .desc("Account password; sent only in the login body (never in a URL, never logged); also used as `password_verify` when an account's email or password changes. Required (here or in `LASTLINE_PASSWORD`).")
            .env("LASTLINE_PASSWORD"),
        Field::string("ca_certificate")
            .desc("PEM bundle of the CA of an on-premise Manager's certificate (default: the system's trusted roots).")
            .env("LASTLINE_CA_CERTIFICATE"),
        Field::bool("insecure_skip_verify")
            .desc("Skip TLS certificate verification (lab Managers only). Default false.")
            .env("LASTLINE_INSECURE_SKIP_VERIFY"),
        super::request_timeout_field("Time limit of one API request, as a duration (`30s`, `2m`)."),
        super::max_retries_field(3, "Retries after connection errors and HTTP 502/503/504 (exponential backoff with jitter); writes only when the request was not sent. Default 3."),
    ]
}

fn configure(cfg: &Value) -> Result<Arc<dyn Api>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let username = super::required(cfg, &mut diags, "username", "LASTLINE_USERNAME");
    let password = super::required(cfg, &mut diags, "password", "LASTLINE_PASSWORD");
    let request_timeout = super::request_timeout(cfg, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let base_url = cfg.get("base_url").as_str().unwrap_or(DEFAULT_BASE_URL);
    // The base URL is the PAPI path itself, so there is no API path to drop.
    let base = super::server_root(base_url, "base_url", "")?;
    let transport = super::transport(cfg, vec![base], "lastline", request_timeout);
    let client = vendors::lastline(transport, &username, &password, super::max_retries(cfg))
        .map_err(super::invalid_client_settings("ca_certificate"))?;
    Ok(Arc::new(client))
}

/// The state an import starts from: every attribute null but `id` (the hand-written
/// resources fill in what their import ID says).
fn import_key_state(schema: &ResourceSchema, id: &str) -> Value {
    let mut v = Value::Object(Default::default());
    for f in &schema.fields {
        v.set(f.name, Value::Null);
    }
    v.set("id", Value::str(id));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::vendors::checks;

    #[test]
    fn missing_credentials_name_the_argument() {
        let text = checks::refusal_of_empty_block(configure);
        assert!(text.contains("username") && text.contains("LASTLINE_PASSWORD"), "{text}");
    }

    #[test]
    fn every_argument_and_attribute_is_described() {
        checks::assert_arguments_and_data_sources_described(&provider());
    }
}
