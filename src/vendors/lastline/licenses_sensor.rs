//! `lastline_sensor`: a sensor (subkey) under a licence. license/add_sensor creates it,
//! license/update_sensor changes its name and `active` flag, license/get_sensors reads it
//! (without `active`: the configured value is kept). Sensors cannot be deleted: destroy
//! deactivates the sensor and forgets it.

use async_trait::async_trait;
use serde_json::Value as J;

use super::{failed, jint, rpc, text};
use crate::engine::api::{ApiError, Method};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{
    forget_warning, plan_forgetting, ApplyRequest, ApplyResponse, Ctx, DeleteRequest, DeleteResponse, ImportState,
    PlanRequest, PlanResponse, Private, ReadRequest, ReadResponse, Resource, ResourceSchema,
};
use crate::engine::schema::{Field, Validator};
use crate::engine::value::Value;
use crate::vendors::lastline::import_key_state;

pub struct Sensor {
    schema: ResourceSchema,
}

fn check_subkey(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if s.trim().is_empty() || s.contains(':') => {
            Err(format!("must be non-empty and without ':', got {s:?}"))
        }
        _ => Ok(()),
    }
}

fn key(v: &Value) -> String {
    format!("{}:{}", text(v, "access_key"), text(v, "subkey"))
}

/// "True"/"False", as license/add_sensor and update_sensor document `active`.
fn word(b: bool) -> String {
    if b { "True" } else { "False" }.to_string()
}

impl Sensor {
    pub fn new() -> Sensor {
        let mut schema = ResourceSchema::new("lastline_sensor", "sensor", "{access_key}:{subkey}");
        schema.description = "A sensor (subkey) under a Lastline licence. Sensors cannot be deleted through the API: destroy deactivates the sensor (license/update_sensor active=False) and removes it from state, with a warning naming `<access_key>:<subkey>`.".into();
        schema.fields.extend([
            Field::string("access_key")
                .required()
                .replace()
                .desc("Access key of the licence the sensor belongs to (sent as `key` to license/add_sensor). Changing it creates another sensor."),
            Field::string("subkey")
                .required()
                .replace()
                .validate(Validator::Custom { check: check_subkey, describe: "Non-empty, without `:`." })
                .desc("The sensor's subkey, unique within its licence (API `new_subkey`). Changing it creates another sensor; the old one is left deactivated."),
            Field::string("name").default(Value::str("")).desc("Display name of the sensor; updated in place. Default empty."),
            Field::bool("active")
                .default(Value::Bool(true))
                .desc("Whether the sensor is enabled (sent as `True`/`False`). Lastline accepts this flag but never reports it, so the provider keeps the configured value and cannot see changes made elsewhere; an import assumes true."),
            Field::number("access_key_id").computed().desc("Numeric id of the licence."),
            Field::number("subkey_id").computed().desc("Numeric id of the sensor."),
        ]);
        Sensor { schema }
    }

    fn warning(v: &Value) -> String {
        format!(
            "Lastline cannot delete sensors: destroy deactivates {} (active=False) and it stays under licence {}. Import it with ID {} to manage it again.",
            key(v),
            text(v, "access_key"),
            key(v)
        )
    }

    /// The sensor as license/get_sensors shows it; `None` when it is gone.
    async fn find(&self, ctx: &Ctx, v: &Value) -> Result<Option<J>, Diagnostics> {
        let query = [("key", key(v)), ("invalid_keys", "1".to_string())];
        match rpc(ctx, Method::Get, "license/get_sensors", &query).await {
            Ok(J::Array(items)) => {
                Ok(items.into_iter().find(|s| s.get("subkey").and_then(J::as_str) == Some(text(v, "subkey").as_str())))
            }
            Ok(other) => Err(Diagnostics::error(
                "accounting/license/get_sensors answered unexpectedly",
                format!("Expected a list of sensors, got {other}."),
            )),
            // 6004: the licence (or sensor) key is unknown.
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(e) => Err(failed("license/get_sensors", &format!("sensor {}", key(v)), e)),
        }
    }

    fn state(&self, base: &Value, obj: &J) -> Value {
        let mut out = base.clone();
        out.set("id", Value::str(key(base)));
        out.set("name", Value::str(obj.get("name").and_then(J::as_str).unwrap_or_default()));
        out.set("access_key_id", jint(obj, "access_key_id"));
        out.set("subkey_id", jint(obj, "subkey_id"));
        if out.get("active").is_null() || out.get("active").is_unknown() {
            out.set("active", Value::Bool(true));
        }
        out
    }

    async fn update_sensor(&self, ctx: &Ctx, v: &Value) -> Result<(), ApiError> {
        let active = v.get("active").as_bool().unwrap_or(true);
        let params = [("key", key(v)), ("name", text(v, "name")), ("active", word(active))];
        rpc(ctx, Method::Post, "license/update_sensor", &params).await.map(|_| ())
    }

    async fn read_back(&self, ctx: &Ctx, planned: &Value, step: &str) -> Result<Value, Diagnostics> {
        match self.find(ctx, planned).await? {
            Some(obj) => Ok(self.state(planned, &obj)),
            None => Err(Diagnostics::error(
                format!("The sensor {} is not listed after {step}", key(planned)),
                "accounting/license/get_sensors does not list it (was its licence revoked?).",
            )),
        }
    }
}

#[async_trait]
impl Resource for Sensor {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        plan_forgetting(&self.schema, req, Self::warning)
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let planned = req.planned;
        let active = planned.get("active").as_bool().unwrap_or(true);
        let params = [
            ("key", text(planned, "access_key")),
            ("new_subkey", text(planned, "subkey")),
            ("name", text(planned, "name")),
            ("active", word(active)),
        ];
        let mut sent_twice = false;
        loop {
            match rpc(ctx, Method::Post, "license/add_sensor", &params).await {
                Ok(_) => break,
                Err(e) if e.outcome_unknown() => {
                    // The answer was lost: the subkey is the sensor's natural key.
                    tracing::warn!(sensor = %key(planned), "add_sensor outcome unknown ({e}); looking the sensor up");
                    match self.find(ctx, planned).await {
                        Ok(Some(obj)) => {
                            // Adopted: make name and active what the plan says.
                            let mut s = self.state(planned, &obj);
                            if text(&s, "name") != text(planned, "name") || !active {
                                if let Err(e) = self.update_sensor(ctx, planned).await {
                                    let d = failed("license/update_sensor", &format!("sensor {}", key(planned)), e);
                                    return ApplyResponse::kept(s, Private::default(), d);
                                }
                                s.set("name", planned.get("name").clone());
                            }
                            return ApplyResponse::done(s, Private::default());
                        }
                        Ok(None) if !sent_twice => sent_twice = true,
                        Ok(None) => {
                            return ApplyResponse::nothing(failed(
                                "license/add_sensor",
                                &format!("sensor {}", key(planned)),
                                e,
                            ))
                        }
                        Err(d) => return ApplyResponse::nothing(d),
                    }
                }
                Err(e) => {
                    let mut d = failed("license/add_sensor", &format!("sensor {}", key(planned)), e);
                    d.0.iter_mut().for_each(|x| x.path = Some(AttrPath::attr("subkey")));
                    return ApplyResponse::nothing(d);
                }
            }
        }
        match self.read_back(ctx, planned, "add_sensor").await {
            Ok(s) => ApplyResponse::done(s, Private::default()),
            Err(d) => ApplyResponse::nothing(d),
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        match self.find(ctx, req.current).await {
            Ok(Some(obj)) => ReadResponse::found(self.state(req.current, &obj), req.private),
            Ok(None) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(req.current, req.private, d),
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        // One request carries both attributes: it applies whole or not at all.
        if let Err(e) = self.update_sensor(ctx, req.planned).await {
            let d = failed("license/update_sensor", &format!("sensor {}", key(req.prior)), e);
            return ApplyResponse::kept(req.prior.clone(), req.private, d);
        }
        match self.read_back(ctx, req.planned, "update_sensor").await {
            Ok(s) => ApplyResponse::done(s, req.private),
            Err(d) => ApplyResponse::kept(req.planned.clone(), req.private, d),
        }
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let mut off = req.prior.clone();
        off.set("active", Value::Bool(false));
        let diags = match self.update_sensor(ctx, &off).await {
            // A sensor that is gone needs no deactivation.
            Ok(()) | Err(ApiError::NotFound(_)) => forget_warning(self.schema.noun, Self::warning(req.prior)),
            Err(e) => failed("license/update_sensor", &format!("sensor {} (deactivation)", key(req.prior)), e),
        };
        DeleteResponse { diags }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for Sensor {
    /// `<access_key>:<subkey>`: access keys never hold a colon, so the first one splits.
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        let Some((access_key, subkey)) =
            id.split_once(':').filter(|(a, s)| !a.is_empty() && check_subkey(&Value::str(*s)).is_ok())
        else {
            return Err(Diagnostics::error(
                "Invalid import ID for lastline_sensor",
                format!("Expected <access_key>:<subkey>, got {id:?}."),
            ));
        };
        let mut v = import_key_state(&self.schema, id);
        v.set("access_key", Value::str(access_key));
        v.set("subkey", Value::str(subkey));
        v.set("active", Value::Bool(true));
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_split_at_the_first_colon() {
        let s = Sensor::new();
        let v = s.import_key("AK1:sensor01").unwrap();
        assert_eq!(text(&v, "access_key"), "AK1");
        assert_eq!(text(&v, "subkey"), "sensor01");
        assert_eq!(v.get("active").as_bool(), Some(true));
        assert!(s.import_key("AK1").is_err());
        assert!(s.import_key("AK1:").is_err());
    }
}
