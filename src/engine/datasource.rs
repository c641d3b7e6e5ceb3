//! Data sources described as data: a lookup route (by ID or by name) or a paged list,
//! with fields mapped from the API like a resource's.

use async_trait::async_trait;
use serde_json::Value as J;

use crate::engine::api::{ApiError, ApiRequest};
use crate::engine::codec::from_api;
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{api_error_diag, pick_by_name, render, Ctx};
use crate::engine::schema::{object_type, DefaultValue, Field, Mode};
use crate::engine::value::{Type, Value};

#[async_trait]
pub trait DataSourceRead: Send + Sync {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<Value, Diagnostics>;
}

pub struct DataSourceDef {
    pub type_name: &'static str,
    pub description: String,
    pub fields: Vec<Field>,
    /// Groups of arguments of which exactly one must be set.
    pub exactly_one_of: Vec<&'static [&'static str]>,
    pub reader: Box<dyn DataSourceRead>,
}

impl DataSourceDef {
    pub fn new(
        type_name: &'static str,
        description: impl Into<String>,
        fields: Vec<Field>,
        reader: impl DataSourceRead + 'static,
    ) -> Self {
        DataSourceDef {
            type_name,
            description: description.into(),
            fields,
            exactly_one_of: vec![],
            reader: Box::new(reader),
        }
    }
    pub fn exactly_one_of(mut self, group: &'static [&'static str]) -> Self {
        self.exactly_one_of.push(group);
        self
    }
    pub fn value_type(&self) -> Type {
        object_type(&self.fields, &[])
    }

    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::default();
        for f in &self.fields {
            f.check(config.get(f.name), &AttrPath::attr(f.name), &mut diags);
        }
        for group in &self.exactly_one_of {
            let set: Vec<&str> = group.iter().copied().filter(|n| !config.get(n).is_null()).collect();
            let unknown = group.iter().any(|n| config.get(n).is_unknown());
            if set.len() > 1 || (set.is_empty() && !unknown) {
                diags.add_error(
                    format!("Exactly one of {} must be set", group.join(", ")),
                    format!(
                        "{} {} set.",
                        if set.is_empty() { "None".to_string() } else { set.join(" and ") },
                        if set.len() > 1 { "are" } else { "is" }
                    ),
                    Some(AttrPath::attr(set.get(1).copied().unwrap_or(group[0]))),
                );
            }
        }
        diags
    }

    pub async fn read(&self, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let mut cfg = config.clone();
        for f in &self.fields {
            if let (true, Some(DefaultValue::FromProvider(attr))) = (cfg.get(f.name).is_null(), &f.default) {
                cfg.set(f.name, ctx.provider_config.get(attr).clone());
            }
        }
        self.reader.read(ctx, self, &cfg).await
    }
}

/// Derives data-source fields from a resource's: everything computed except the given
/// lookup arguments, which keep their type and description.
pub fn fields_from_resource(resource_fields: &[Field], inputs: &[(&'static str, Mode)], skip: &[&str]) -> Vec<Field> {
    resource_fields
        .iter()
        .filter(|f| {
            !skip.contains(&f.name) && (f.api.is_some() || inputs.iter().any(|(n, _)| *n == f.name) || f.name == "id")
        })
        .map(|f| {
            let mut g = f.clone();
            g.replace_on_change = false;
            g.stable = false;
            g.write_only = false;
            match inputs.iter().find(|(n, _)| *n == f.name) {
                Some((_, mode)) => {
                    g.mode = *mode;
                    if !matches!(g.default, Some(DefaultValue::FromProvider(_))) {
                        g.default = None;
                    }
                }
                None => {
                    g.mode = Mode::Computed;
                    g.default = None;
                    g.validators.clear();
                }
            }
            g
        })
        .collect()
}

/// Fills every API-mapped field of `base` from an API object.
pub fn fill_from_api(fields: &[Field], base: &Value, obj: &J) -> Result<Value, Diagnostics> {
    let mut out = base.clone();
    for f in fields {
        let Some(api) = &f.api else { continue };
        let j = obj.get(api.json).unwrap_or(&J::Null);
        let v = from_api(f, api.codec, j)
            .map_err(|e| Diagnostics::error(format!("Unexpected {} from the API", api.json), e))?;
        if f.mode == Mode::Computed || out.get(f.name).is_null() {
            out.set(f.name, v);
        }
    }
    Ok(out)
}

/// Reads one object by its ID route, or by filtering a collection by name.
pub struct LookupOne {
    /// Route by key, e.g. `/api/v2/projects/{project_name}/volumes/{uuid}`.
    pub by_key: &'static str,
    /// Collection route, name query parameter and list key for lookups by name.
    pub by_name: Option<(&'static str, &'static str, &'static str)>,
    /// Template of the `id` attribute.
    pub id_template: &'static str,
    pub noun: &'static str,
}

#[async_trait]
impl DataSourceRead for LookupOne {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<Value, Diagnostics> {
        let what = format!("{} {}", self.noun, describe_lookup(config, def));
        let obj = match (render(self.by_key, config, true), self.by_name) {
            (Some(path), _) => match ctx.api.call(ApiRequest::get(path), &ctx.cancel).await {
                Ok(r) => r.body,
                Err(ApiError::NotFound(_)) => return Err(not_found(&what)),
                Err(e) => return Err(api_error_diag("read", &what, e)),
            },
            (None, Some((collection, query, list_key))) => {
                let path = render(collection, config, true).ok_or_else(|| {
                    Diagnostics::error(format!("Cannot look up the {}", self.noun), "Its scope is not set.")
                })?;
                let name = config.get("name").as_str().unwrap_or_default().to_string();
                let r = ctx
                    .api
                    .call(ApiRequest::get(path).query(query, name.clone()), &ctx.cancel)
                    .await
                    .map_err(|e| api_error_diag("read", &what, e))?;
                pick_by_name(&r.body, list_key, &name).ok_or_else(|| not_found(&what))?
            }
            (None, None) => {
                return Err(Diagnostics::error(
                    format!("Cannot look up the {}", self.noun),
                    "Set its identifying arguments.",
                ))
            }
        };
        let mut out = fill_from_api(&def.fields, config, &obj)?;
        let id = render(self.id_template, &out, false).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        Ok(out)
    }
}

fn describe_lookup(config: &Value, def: &DataSourceDef) -> String {
    def.fields
        .iter()
        .filter(|f| f.mode != Mode::Computed)
        .filter_map(|f| config.get(f.name).as_str().map(|v| format!("{}={v:?}", f.name)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn not_found(what: &str) -> Diagnostics {
    Diagnostics::error(format!("No {what}"), format!("The API has no {what}. Check the name or ID and the project."))
}

/// Lists a whole collection, following cursor paging (`offsetUUID` after the last item)
/// until a short page.
pub struct PagedList {
    pub collection: &'static str,
    pub list_key: &'static str,
    /// Attribute of the data source that receives the list of objects.
    pub output: &'static str,
    pub item_fields: Vec<Field>,
    pub cursor_param: &'static str,
    pub cursor_json: &'static str,
    pub limit_param: &'static str,
    pub page_size: usize,
    pub id_template: &'static str,
}

impl PagedList {
    pub fn item_type(&self) -> Type {
        object_type(&self.item_fields, &[])
    }
}

#[async_trait]
impl DataSourceRead for PagedList {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<Value, Diagnostics> {
        let path = render(self.collection, config, true).ok_or_else(|| {
            Diagnostics::error("Cannot list", "The collection's scope (such as the project) is not set.")
        })?;
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut req = ApiRequest::get(path.clone()).query(self.limit_param, self.page_size.to_string());
            if let Some(c) = &cursor {
                req = req.query(self.cursor_param, c.clone());
            }
            let r = ctx.api.call(req, &ctx.cancel).await.map_err(|e| api_error_diag("list", self.list_key, e))?;
            let page = r.body.get(self.list_key).and_then(J::as_array).cloned().unwrap_or_default();
            for obj in &page {
                items.push(fill_from_api(&self.item_fields, &Value::Object(Default::default()), obj)?);
            }
            let next = page.last().and_then(|o| o.get(self.cursor_json)).and_then(J::as_str).map(str::to_string);
            if page.len() < self.page_size || next.is_none() || next == cursor {
                break;
            }
            cursor = next;
        }
        let mut out = config.clone();
        out.set(self.output, Value::List(items));
        let id = render(self.id_template, &out, false).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resource::tests::ctx_with;
    use crate::engine::schema::Codec;
    use serde_json::json;

    #[tokio::test]
    async fn paged_list_follows_the_cursor_to_the_end() {
        let all: Vec<J> = (1..=5).map(|i| json!({"UUID": format!("u{i}"), "name": format!("v{i}")})).collect();
        let (ctx, api) = ctx_with(
            move |req| {
                let after = req.query.iter().find(|(k, _)| k == "offsetUUID").map(|(_, v)| v.clone());
                let start =
                    after.and_then(|a| all.iter().position(|o| o["UUID"] == a.as_str())).map(|p| p + 1).unwrap_or(0);
                Ok(json!({"volumes": all[start..].iter().take(2).cloned().collect::<Vec<_>>()}))
            },
            Value::Null,
        );
        let lister = PagedList {
            collection: "/p/{project_name}/volumes",
            list_key: "volumes",
            output: "volumes",
            item_fields: vec![Field::string("name").computed().api("name", Codec::Plain)],
            cursor_param: "offsetUUID",
            cursor_json: "UUID",
            limit_param: "limit",
            page_size: 2,
            id_template: "{project_name}",
        };
        let def =
            DataSourceDef::new("t", "", vec![], LookupOne { by_key: "", by_name: None, id_template: "", noun: "" });
        let mut cfg = Value::Null;
        cfg.set("project_name", Value::str("p1"));
        let out = lister.read(&ctx, &def, &cfg).await.unwrap();
        let names: Vec<String> = out
            .get("volumes")
            .as_items()
            .unwrap()
            .iter()
            .map(|v| v.get("name").as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["v1", "v2", "v3", "v4", "v5"]);
        assert_eq!(out.get("id"), &Value::str("p1"));
        assert_eq!(api.log.lock().unwrap().len(), 3, "pages of 2, 2 and 1");
    }

    #[test]
    fn exactly_one_of_is_enforced() {
        let def = DataSourceDef::new(
            "t",
            "",
            vec![Field::string("uuid").optional(), Field::string("name").optional()],
            LookupOne { by_key: "", by_name: None, id_template: "", noun: "" },
        )
        .exactly_one_of(&["uuid", "name"]);
        let mut both = Value::Null;
        both.set("uuid", Value::str("a"));
        both.set("name", Value::str("b"));
        assert!(def.validate(&both).has_errors());
        assert!(def.validate(&Value::Object(Default::default())).has_errors());
        let mut one = Value::Null;
        one.set("name", Value::str("b"));
        assert!(!def.validate(&one).has_errors());
    }
}
