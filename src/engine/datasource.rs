//! Data sources described as data: a lookup route (by ID or by name) or a paged list,
//! with fields mapped from the API like a resource's.

use async_trait::async_trait;
use serde_json::Value as J;

use crate::engine::api::ApiError;
use crate::engine::diag::Diagnostics;
use crate::engine::list::{for_each_page, op_request};
use crate::engine::mapping::state_from_api;
use crate::engine::resource::ops::{at, ListSpec, Op};
use crate::engine::resource::plan::check_arguments;
use crate::engine::resource::{api_error_diag, Constraint, Ctx};
use crate::engine::schema::{object_type, semantically_equal, DefaultValue, Field, Mode};
use crate::engine::template::render;
use crate::engine::value::{Type, Value};

/// What a data source read found, with warnings that ride on success.
pub struct DataSourceResponse {
    pub state: Value,
    pub warnings: Diagnostics,
}

impl From<Value> for DataSourceResponse {
    fn from(state: Value) -> Self {
        DataSourceResponse { state, warnings: Diagnostics::default() }
    }
}

#[async_trait]
pub trait DataSourceRead: Send + Sync {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics>;
}

pub struct DataSourceDef {
    pub type_name: &'static str,
    pub description: String,
    pub fields: Vec<Field>,
    pub constraints: Vec<Constraint>,
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
            constraints: vec![],
            reader: Box::new(reader),
        }
    }
    pub fn exactly_one_of(mut self, group: &'static [&'static str]) -> Self {
        self.constraints.push(Constraint::ExactlyOneOf(group));
        self
    }
    pub fn constraint(mut self, c: Constraint) -> Self {
        self.constraints.push(c);
        self
    }
    pub fn value_type(&self) -> Type {
        object_type(&self.fields, &[])
    }

    pub fn validate(&self, config: &Value) -> Diagnostics {
        check_arguments(&self.fields, &self.constraints, config)
    }

    pub async fn read(&self, ctx: &Ctx, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
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
            !skip.contains(&f.name)
                && !f.write_only
                && (f.api.is_some() || inputs.iter().any(|(n, _)| *n == f.name) || f.name == "id")
        })
        .map(|f| {
            let mut g = f.clone();
            g.replace_on_change = false;
            g.replace_if = None;
            g.stable = false;
            match inputs.iter().find(|(n, _)| *n == f.name) {
                Some((_, mode)) => {
                    g.mode = *mode;
                    if !matches!(g.default, Some(DefaultValue::FromProvider(_))) {
                        g.default = None;
                    }
                }
                None => computed_only(&mut g),
            }
            g
        })
        .collect()
}

/// Makes a field (and the attributes nested in it) read-only.
fn computed_only(f: &mut Field) {
    f.mode = Mode::Computed;
    f.default = None;
    f.validators.clear();
    if let Some(n) = f.nested.as_mut() {
        n.block = false;
        n.min_items = 0;
        n.max_items = 0;
        n.fields.iter_mut().for_each(computed_only);
    }
}

/// Serves `inner`'s reads under a schema whose nested object lists are plain
/// `list(object(...))` attributes, as interfaces often type them; `inner` keeps them nested,
/// which is what maps the API's members onto the attributes' names.
pub fn object_lists(inner: DataSourceDef) -> DataSourceDef {
    let fields = inner
        .fields
        .iter()
        .map(|f| {
            let mut g = f.clone();
            if let Some(n) = g.nested.take() {
                g.ty = Type::list(n.object_type());
                g.api = None;
            }
            g
        })
        .collect();
    let mut outer = DataSourceDef::new(inner.type_name, inner.description.clone(), fields, NoRead);
    outer.constraints = inner.constraints.clone();
    outer.reader = Box::new(ObjectLists { inner });
    outer
}

struct ObjectLists {
    inner: DataSourceDef,
}

#[async_trait]
impl DataSourceRead for ObjectLists {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        self.inner.read(ctx, config).await
    }
}

/// The placeholder reader of [`object_lists`]' outer definition, which never reads.
struct NoRead;

#[async_trait]
impl DataSourceRead for NoRead {
    async fn read(&self, _ctx: &Ctx, _def: &DataSourceDef, _config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        Err(Diagnostics::error("Not readable", "This data source has no reader."))
    }
}

/// Reads one object by a request addressed by its key, or by finding it in a list by
/// the configured lookup arguments.
pub struct LookupOne {
    /// Request by key, e.g. GET `/api/v2/projects/{project_name}/volumes/{uuid}`.
    pub by_key: Option<Op>,
    /// A list to search, and the arguments that must match.
    pub by_list: Option<(ListSpec, &'static [&'static str])>,
    /// Template of the `id` attribute.
    pub id_template: &'static str,
    pub noun: &'static str,
}

#[async_trait]
impl DataSourceRead for LookupOne {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let what = format!("{} {}", self.noun, describe_lookup(config, def));
        let keyed = self.by_key.as_ref().and_then(|op| Some((op, op_request(op, config, &ctx.provider_config)?)));
        let obj = match (keyed, &self.by_list) {
            (Some((op, req)), _) => match ctx.api.call(req, &ctx.cancel).await {
                Ok(r) => at(&r.body, op.answer_at).cloned().filter(|o| !o.is_null()).ok_or_else(|| not_found(&what))?,
                Err(ApiError::NotFound(_)) => return Err(not_found(&what)),
                Err(e) => return Err(api_error_diag("read", &what, e)),
            },
            (None, Some((list, key))) => {
                let mut found = None;
                for_each_page(ctx, list, config, |items| {
                    found = items.iter().find(|o| matches(&def.fields, o, key, config)).cloned();
                    found.is_some()
                })
                .await
                .map_err(|e| api_error_diag("read", &what, e))?;
                found.ok_or_else(|| not_found(&what))?
            }
            (None, None) => {
                return Err(Diagnostics::error(
                    format!("Cannot look up the {}", self.noun),
                    "Set its identifying arguments.",
                ))
            }
        };
        let mut out = state_from_api(&def.fields, config, &obj)?;
        let id = render(self.id_template, &out, &ctx.provider_config, false).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        Ok(out.into())
    }
}

fn matches(fields: &[Field], obj: &J, key: &[&str], want: &Value) -> bool {
    key.iter().all(|name| {
        let Some(f) = fields.iter().find(|f| f.name == *name) else { return false };
        let Some(api) = &f.api else { return false };
        at(obj, api.read_json())
            .and_then(|j| crate::engine::codec::from_api(f, api.codec, j).ok())
            .is_some_and(|v| semantically_equal(f, want.get(name), &v))
    })
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
    Diagnostics::error(format!("No {what}"), format!("The API has no {what}. Check the name or ID and its scope."))
}

/// Lists a whole collection, following the API's paging to the end.
pub struct PagedList {
    pub list: ListSpec,
    /// Attribute of the data source that receives the list of objects.
    pub output: &'static str,
    pub item_fields: Vec<Field>,
    pub id_template: &'static str,
}

impl PagedList {
    pub fn item_type(&self) -> Type {
        object_type(&self.item_fields, &[])
    }

    /// The data source serving this list: `arguments` (its scope and filters), then `id`
    /// described by `id_desc`, then the list attribute (`output`) described by `items_desc`.
    pub fn into_data_source(
        self,
        type_name: &'static str,
        description: impl Into<String>,
        mut arguments: Vec<Field>,
        id_desc: impl Into<String>,
        items_desc: impl Into<String>,
    ) -> DataSourceDef {
        arguments.push(Field::string("id").computed().desc(id_desc));
        arguments.push(Field::new(self.output, Type::list(self.item_type())).computed().desc(items_desc));
        DataSourceDef::new(type_name, description, arguments, self)
    }
}

#[async_trait]
impl DataSourceRead for PagedList {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let mut objects = Vec::new();
        for_each_page(ctx, &self.list, config, |items| {
            objects.extend_from_slice(items);
            false
        })
        .await
        .map_err(|e| api_error_diag("list", self.output, e))?;
        let mut items = Vec::with_capacity(objects.len());
        for obj in &objects {
            items.push(state_from_api(&self.item_fields, &Value::Null, obj)?);
        }
        let mut out = config.clone();
        out.set(self.output, Value::List(items));
        let id = render(self.id_template, &out, &ctx.provider_config, false).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        Ok(out.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resource::ops::Paging;
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
            list: ListSpec::new(Op::get("/p/{project_name}/volumes"), "volumes").paging(Paging::Cursor {
                param: "offsetUUID",
                cursor_json: "UUID",
                limit_param: "limit",
                limit: 2,
            }),
            output: "volumes",
            item_fields: vec![Field::string("name").computed().api("name", Codec::Plain)],
            id_template: "{project_name}",
        };
        let def =
            DataSourceDef::new("t", "", vec![], LookupOne { by_key: None, by_list: None, id_template: "", noun: "" });
        let mut cfg = Value::Null;
        cfg.set("project_name", Value::str("p1"));
        let out = lister.read(&ctx, &def, &cfg).await.unwrap().state;
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
            LookupOne { by_key: None, by_list: None, id_template: "", noun: "" },
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
