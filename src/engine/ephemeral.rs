//! Ephemeral resources: opened with their configuration on every run, their result
//! never stored in a plan or state. Like a data source they take arguments and give
//! computed values, so they are declared with [`DataSourceDef`] and its readers; only the
//! RPCs differ. [`SendOnce`] is the reader for APIs that mint something (a key, a token)
//! with one request whose answer shows it once.

use async_trait::async_trait;
use serde_json::{Map, Value as J};

use crate::engine::datasource::{DataSourceDef, DataSourceRead, DataSourceResponse};
use crate::engine::diag::Diagnostics;
use crate::engine::list::op_request;
use crate::engine::mapping::{create_body, state_from_api};
use crate::engine::resource::ops::{at, Op};
use crate::engine::resource::{api_error_diag, Ctx};
use crate::engine::template::render;
use crate::engine::value::Value;

/// One request built from the configuration (path and query templates over arguments,
/// a body of the fields that map to the API); the answer fills the computed attributes.
pub struct SendOnce {
    pub op: Op,
    /// Template of the `id` attribute, over the result.
    pub id_template: &'static str,
    pub noun: &'static str,
}

#[async_trait]
impl DataSourceRead for SendOnce {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let mut req = op_request(&self.op, config, &ctx.provider_config).ok_or_else(|| {
            Diagnostics::error(
                format!("Cannot address the {}", self.noun),
                format!("The route {} needs arguments that are not set.", self.op.path),
            )
        })?;
        let body = create_body(&def.fields, config, config)?;
        req = req.body(match self.op.wrap {
            Some(key) => J::Object(Map::from_iter([(key.to_string(), J::Object(body))])),
            None => J::Object(body),
        });
        let resp = ctx.api.call(req, &ctx.cancel).await.map_err(|e| api_error_diag("open", self.noun, e))?;
        if !self.op.ok.is_empty() && !self.op.ok.contains(&resp.status) {
            return Err(Diagnostics::error(
                format!("Unexpected answer while opening the {}", self.noun),
                format!("The API answered HTTP {} where {:?} was expected.", resp.status, self.op.ok),
            ));
        }
        let answer = at(&resp.body, self.op.answer_at).cloned().unwrap_or(J::Null);
        let mut out = state_from_api(&def.fields, config, &answer)?;
        if let Some(id) = render(self.id_template, &out, &ctx.provider_config, false) {
            out.set("id", Value::str(id));
        }
        Ok(out.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resource::tests::ctx_with;
    use crate::engine::schema::Codec;
    use crate::engine::schema::Field;
    use serde_json::json;

    #[tokio::test]
    async fn send_once_sends_the_arguments_and_keeps_them_beside_the_answer() {
        let (ctx, api) = ctx_with(|_| Ok(json!({"key_id": "k1", "key": "s3cret"})), Value::Null);
        let def = DataSourceDef::new(
            "t_key",
            "",
            vec![
                Field::string("id").computed().api("key_id", Codec::Plain),
                Field::string("owner").required(),
                Field::number("version").required(),
                Field::bool("revoke").required().api_create("revoke_now", Codec::Plain),
                Field::string("token").computed().sensitive().api("key", Codec::Plain),
            ],
            SendOnce { op: Op::post("/owners/{owner}/keys"), id_template: "{id}", noun: "key" },
        );
        let mut config = Value::Object(Default::default());
        config.set("owner", Value::str("o1"));
        config.set("version", Value::int(7));
        config.set("revoke", Value::Bool(true));
        let out = def.read(&ctx, &config).await.expect("opened").state;
        assert_eq!(out.get("token"), &Value::str("s3cret"));
        assert_eq!(out.get("id"), &Value::str("k1"));
        assert_eq!(out.get("owner"), &Value::str("o1"));
        assert_eq!(out.get("version"), &Value::int(7));
        assert_eq!(out.get("revoke"), &Value::Bool(true));
        let log = api.log.lock().expect("log");
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].path, "/owners/o1/keys");
        assert!(
            matches!(&log[0].body, crate::engine::api::Body::Json(b) if *b == json!({"revoke_now": true})),
            "only mapped arguments are sent"
        );
    }
}
