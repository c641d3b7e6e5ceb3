//! The ephemeral `luminate_site_registration_key`: a site's connector registration key,
//! minted on every open and never stored in plan or state (the Go provider's framework
//! ephemeral resource, models §3.2 and §5.16).

use crate::engine::datasource::DataSourceDef;
use crate::engine::ephemeral::SendOnce;
use crate::engine::resource::Op;
use crate::engine::schema::{Codec, Field};

pub fn registration_key() -> DataSourceDef {
    DataSourceDef::new(
        "luminate_site_registration_key",
        "Rotates a site's registration key and gives the new key to this run only: it is never written to the plan or the state. Connectors of sites in registration-key mode register with it. Feed `version` from `luminate_site_registration_key_version` so that a new key is minted when wanted.",
        vec![
            Field::string("id").computed().api("registration_key_id", Codec::Plain).desc("ID of the new registration key."),
            Field::string("site_id").required().desc("ID of the site whose key is rotated."),
            Field::number("version")
                .required()
                .desc("Not sent to the API: a new value (from `luminate_site_registration_key_version`) asks for a new key."),
            Field::bool("revoke_existing_key_immediately")
                .required()
                .api_create("revoke_immediately", Codec::Plain)
                .desc("`true` revokes every existing key at once; `false` keeps the previous key valid for 72 hours."),
            Field::string("token")
                .computed()
                .sensitive()
                .api("registration_key", Codec::Plain)
                .desc("The registration key. The API shows it once; it lives only for this run."),
        ],
        SendOnce {
            // The SDK documents 200; the API answers 201 and the Go provider requires it
            // (models §1.5, §3.2).
            op: Op::post("/sites/{site_id}/registration_keys").ok(&[201]),
            id_template: "{id}",
            noun: "site registration key",
        },
    )
}
