//! Lighthouse (2014-15 Docker controller) Remote API v0.2: the provider configuration and
//! its client (cookie session from `POST /api/v0.2/login`, `{"Cause","Message"}` or
//! plain-text errors, streamed application answers). The Terraform interface is
//! ../shared/interfaces/lighthouse.md. Nothing in Lighthouse can be deleted: most
//! resources are forgotten on destroy, with a warning naming what stays on the server.

mod applications;
mod beacons;
mod listings;
mod users;

use std::sync::Arc;

use crate::engine::api::Api;
use crate::engine::diag::Diagnostics;
use crate::engine::provider::ProviderDef;
use crate::engine::schema::Field;
use crate::engine::value::Value;
use crate::http::vendors;

pub const ADDRESS: &str = "registry.terraform.io/tfprov/lighthouse";

/// Every API path starts here; the provider's `endpoint` is the server root.
pub(crate) const API: &str = "/api/v0.2";

pub fn provider() -> ProviderDef {
    ProviderDef {
        name: "lighthouse",
        description: "Lighthouse (2014-15 Docker controller) through its Remote API v0.2: users, beacons, aliases, beacon permissions and applications. Lighthouse cannot delete anything: destroying a user, beacon, alias or application only removes it from Terraform state (applications are stopped first), and a warning names what stays on the server.".into(),
        fields: provider_fields(),
        resources: vec![
            Box::new(users::user()),
            Box::new(beacons::beacon()),
            Box::new(beacons::Alias::new()),
            Box::new(users::BeaconPermission::new()),
            Box::new(applications::Application::new()),
        ],
        data_sources: vec![
            beacons::beacons_data(),
            beacons::beacon_instances_data(),
            users::users_data(),
            users::user_data(),
            applications::applications_data(),
            applications::application_data(),
        ],
        ephemeral_resources: vec![],
        actions: vec![],
        configure: Box::new(configure),
    }
}

fn provider_fields() -> Vec<Field> {
    vec![
        Field::string("endpoint")
            .desc("Base URL of the Lighthouse server, e.g. `http://lighthouse.example.com:5000`; the provider appends `/api/v0.2`. Required (here or in `LIGHTHOUSE_ENDPOINT`).")
            .env("LIGHTHOUSE_ENDPOINT"),
        Field::string("email")
            .desc("Email of the account the provider logs in as. Its AuthLevel bounds what it can see and grant. Required (here or in `LIGHTHOUSE_EMAIL`).")
            .env("LIGHTHOUSE_EMAIL"),
        Field::string("password")
            .sensitive()
            .desc("Password of that account; sent only in the `POST /login` body, never logged. Required (here or in `LIGHTHOUSE_PASSWORD`).")
            .env("LIGHTHOUSE_PASSWORD"),
        super::request_timeout_field("Time limit of one non-streaming API request, as a duration (`30s`, `2m`). Streams are bounded by the application's `timeouts`."),
        super::max_retries_field(3, "Retries of an idempotent request after a connection error or a 5xx answer (exponential backoff with jitter). Default 3."),
    ]
}

fn configure(cfg: &Value) -> Result<Arc<dyn Api>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let endpoint = super::required(cfg, &mut diags, "endpoint", "LIGHTHOUSE_ENDPOINT");
    let email = super::required(cfg, &mut diags, "email", "LIGHTHOUSE_EMAIL");
    let password = super::required(cfg, &mut diags, "password", "LIGHTHOUSE_PASSWORD");
    let request_timeout = super::request_timeout(cfg, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    // `http://host:5000`, `http://host:5000/` and `.../api/v0.2` all mean the same server.
    let base = super::server_root(&endpoint, "endpoint", API)?;
    let transport = super::transport(cfg, vec![base], "lighthouse", request_timeout);
    let client = vendors::lighthouse(transport, &email, &password, super::max_retries(cfg))
        .map_err(super::invalid_client_settings("endpoint"))?;
    // Alias reads search the beacon listings; one refresh shares them (see listings.rs).
    Ok(Arc::new(listings::SharedListings::new(Arc::new(client), listings::LISTING_TTL)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::vendors::checks;

    #[test]
    fn missing_credentials_name_the_argument() {
        let text = checks::refusal_of_empty_block(configure);
        assert!(text.contains("endpoint") && text.contains("LIGHTHOUSE_PASSWORD"), "{text}");
    }

    #[test]
    fn declared_resources_plan_nothing_apply_cannot_do() {
        assert_eq!(users::user().declaration_errors(), Vec::<String>::new());
        assert_eq!(beacons::beacon().declaration_errors(), Vec::<String>::new());
    }

    #[test]
    fn every_declaration_is_sound_and_described() {
        let p = provider();
        assert_eq!(p.resources.len(), 5);
        assert_eq!(p.data_sources.len(), 6);
        checks::assert_arguments_and_data_sources_described(&p);
    }
}
