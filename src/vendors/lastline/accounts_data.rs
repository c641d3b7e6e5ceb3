//! Data sources of the accounts-and-access area: the customer's contact details, the
//! current account, accounts, the permission catalogue, an account's permissions, roles
//! and an account's roles. Each is one GET with query parameters from its arguments; the
//! answer (wrapped under the output attribute when it is a bare list) is mapped onto the
//! computed attributes.

use async_trait::async_trait;
use serde_json::{json, Value as J};

use crate::engine::api::ApiRequest;
use crate::engine::datasource::{object_lists, DataSourceDef, DataSourceRead, DataSourceResponse};
use crate::engine::diag::Diagnostics;
use crate::engine::mapping::state_from_api;
use crate::engine::resource::{api_error_diag, Ctx};
use crate::engine::schema::{Codec, Field};
use crate::engine::value::Value;

pub fn all() -> Vec<DataSourceDef> {
    vec![customer(), current_account(), accounts(), permission_types(), account_permissions(), roles(), account_roles()]
}

/// One GET: `params` turns the configuration into query parameters, `wrap` names the
/// attribute a bare-list answer fills, `id` says what the `id` attribute is.
struct Rpc {
    path: &'static str,
    what: &'static str,
    params: fn(&Value) -> Vec<(&'static str, String)>,
    wrap: Option<&'static str>,
    id: fn(&Value, &Value, &J) -> String,
}

#[async_trait]
impl DataSourceRead for Rpc {
    async fn read(&self, ctx: &Ctx, def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let mut req = ApiRequest::get(self.path);
        for (k, v) in (self.params)(config) {
            req = req.query(k, v);
        }
        let answer = ctx.api.call(req, &ctx.cancel).await.map_err(|e| api_error_diag("read", self.what, e))?.body;
        let obj = match self.wrap {
            Some(key) => json!({ key: answer }),
            None => answer,
        };
        let mut out = state_from_api(&def.fields, config, &obj)?;
        out.set("id", Value::str((self.id)(config, &ctx.provider_config, &obj)));
        Ok(out.into())
    }
}

fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name).as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

fn param(v: &Value, attr: &str, name: &'static str) -> Option<(&'static str, String)> {
    text(v, attr).map(|s| (name, s))
}

fn out(name: &'static str, desc: &str) -> Field {
    Field::string(name).computed().api(name, Codec::Plain).desc(desc)
}

fn flag(name: &'static str, desc: &str) -> Field {
    Field::bool(name).computed().api(name, Codec::BoolDigit).desc(desc)
}

fn strings(name: &'static str, desc: &str) -> Field {
    Field::string_list(name).computed().api(name, Codec::Plain).desc(desc)
}

fn input(name: &'static str, desc: &str) -> Field {
    Field::string(name).optional().desc(desc)
}

/// The configured account, or the provider's own username.
fn account_or_own(config: &Value, provider: &Value) -> String {
    text(config, "account_username").or_else(|| text(provider, "username")).unwrap_or_default()
}

fn customer() -> DataSourceDef {
    let mut fields = vec![
        Field::string("id").computed().desc("The customer read."),
        input(
            "customer",
            "Customer to read (its primary contact's username); default the provider account's customer.",
        ),
    ];
    // The same contact details `lastline_customer_contact` manages.
    fields.extend(super::CONTACT_FIELDS.iter().map(|&(name, desc)| out(name, desc)));
    DataSourceDef::new(
        "lastline_customer",
        "Contact details of a customer. API: customer/get_customer.",
        fields,
        Rpc {
            path: "/accounting/customer/get_customer.json",
            what: "customer",
            params: |c| param(c, "customer", "customer").into_iter().collect(),
            wrap: None,
            id: |_, _, obj| obj.get("customer").and_then(J::as_str).unwrap_or_default().to_string(),
        },
    )
}

fn account_fields() -> Vec<Field> {
    vec![
        out("username", "Username (login)."),
        out("email", "Contact e-mail."),
        out("first_name", "First name."),
        out("last_name", "Last name."),
        out("customer", "Customer the account belongs to."),
        flag("is_blocked", "Whether the account is blocked."),
        out("default_locale", "Default locale."),
        out("default_timezone", "Default time zone."),
    ]
}

fn current_account() -> DataSourceDef {
    let mut fields = vec![Field::string("id").computed().desc("The username of the provider's account.")];
    fields.extend(account_fields());
    DataSourceDef::new(
        "lastline_current_account",
        "The account the provider is logged in as. API: account/get_account.",
        fields,
        Rpc {
            path: "/accounting/account/get_account.json",
            what: "current account",
            params: |_| vec![],
            wrap: None,
            id: |_, _, obj| obj.get("username").and_then(J::as_str).unwrap_or_default().to_string(),
        },
    )
}

fn accounts() -> DataSourceDef {
    let mut item = account_fields();
    item.extend([
        out("created_by", "Creator as the API reports it (`Lastline` and `deleted account` are possible)."),
        out("create_time", "Creation time."),
        out("last_modified_by", "Last modifier as the API reports it."),
        out("last_modified_time", "Last modification time."),
        out("block_time", "When the account was blocked."),
    ]);
    object_lists(DataSourceDef::new(
        "lastline_accounts",
        "Accounts of a customer. API: account/get_accounts.",
        vec![
            Field::string("id").computed().desc("The customer filter used (`own` for the provider account's customer)."),
            input("customer", "Customer whose accounts to list; `*` for every customer (needs extra permissions); default the provider account's customer."),
            input("username_substring", "Only usernames containing this text."),
            Field::list_of("accounts", item).computed().api("accounts", Codec::Plain).desc("The matching accounts."),
        ],
        Rpc {
            path: "/accounting/account/get_accounts.json",
            what: "accounts",
            params: |c| {
                [param(c, "customer", "customer"), param(c, "username_substring", "username_substring")]
                    .into_iter()
                    .flatten()
                    .collect()
            },
            wrap: Some("accounts"),
            id: |c, _, _| text(c, "customer").unwrap_or_else(|| "own".into()),
        },
    ))
}

fn permission_types() -> DataSourceDef {
    object_lists(DataSourceDef::new(
        "lastline_permission_types",
        "The permission catalogue: every permission with the contexts it can be granted in. API: permission/info.",
        vec![
            Field::string("id").computed().desc("Constant `permissions`."),
            Field::list_of(
                "permissions",
                vec![
                    out("permission", "Permission name, as lastline_account_permission takes it."),
                    out("display_name", "Display name."),
                    out("description", "What it allows."),
                    strings("contexts", "Contexts it can be granted in (customer, license, subkey)."),
                ],
            )
            .computed()
            .api("permissions", Codec::Plain)
            .desc("Permissions with the contexts they apply in."),
        ],
        Rpc {
            path: "/accounting/permission/info.json",
            what: "permission catalogue",
            params: |_| vec![],
            wrap: Some("permissions"),
            id: |_, _, _| "permissions".into(),
        },
    ))
}

fn account_permissions() -> DataSourceDef {
    object_lists(DataSourceDef::new(
        "lastline_account_permissions",
        "Permissions an account holds, by level. API: permission/list.",
        vec![
            Field::string("id").computed().desc("The account."),
            input("account_username", "Account; default the provider's own account."),
            Field::bool("consider_roles")
                .optional()
                .desc("Include permissions held through roles; default true, as the API."),
            Field::list_of(
                "customer_permissions",
                vec![out("permission", "Permission name."), out("customer", "Customer it applies to.")],
            )
            .computed()
            .api("customer_permissions", Codec::Plain)
            .desc("Customer-level permissions."),
            Field::list_of(
                "license_permissions",
                vec![
                    out("permission", "Permission name."),
                    out("access_key", "License it applies to."),
                    Field::number("access_key_id")
                        .computed()
                        .api("access_key_id", Codec::Plain)
                        .desc("Numeric id of the license."),
                ],
            )
            .computed()
            .api("license_permissions", Codec::Plain)
            .desc("License-level permissions."),
            Field::list_of(
                "subkey_permissions",
                vec![
                    out("permission", "Permission name."),
                    out("key", "Sensor key `<access_key>:<subkey>` it applies to."),
                    Field::number("subkey_id")
                        .computed()
                        .api("subkey_id", Codec::Plain)
                        .desc("Numeric id of the sensor."),
                ],
            )
            .computed()
            .api("subkey_permissions", Codec::Plain)
            .desc("Subkey-level (sensor) permissions."),
        ],
        Rpc {
            path: "/accounting/permission/list.json",
            what: "account permissions",
            params: |c| {
                let mut p: Vec<_> = param(c, "account_username", "account_username").into_iter().collect();
                if let Some(b) = c.get("consider_roles").as_bool() {
                    p.push(("consider_roles", if b { "1" } else { "0" }.into()));
                }
                p
            },
            wrap: None,
            id: |c, provider, _| account_or_own(c, provider),
        },
    ))
}

fn roles() -> DataSourceDef {
    object_lists(DataSourceDef::new(
        "lastline_roles",
        "Built-in and custom roles available to a customer, with their permissions. API: role/info.",
        vec![
            Field::string("id").computed().desc("The filters used (`roles` when none)."),
            input("role_name", "Only this role."),
            Field::bool("builtin").optional().desc("Only built-in (true) or only custom (false) roles."),
            input("customer", "Customer; default the provider account's customer."),
            Field::list_of(
                "roles",
                vec![
                    out("role_name", "Role name."),
                    Field::bool("builtin").computed().api("builtin", Codec::BoolWord).desc("Whether it is built in."),
                    out("description", "Description."),
                    strings("contexts", "Contexts the role applies in."),
                    strings("permissions", "Permissions the role gives."),
                ],
            )
            .computed()
            .api("roles", Codec::Plain)
            .desc("Roles with their permissions."),
        ],
        Rpc {
            path: "/accounting/role/info.json",
            what: "roles",
            params: |c| {
                let mut p: Vec<_> = [param(c, "role_name", "role_name"), param(c, "customer", "customer")]
                    .into_iter()
                    .flatten()
                    .collect();
                if let Some(b) = c.get("builtin").as_bool() {
                    p.push(("builtin", if b { "True" } else { "False" }.into()));
                }
                p
            },
            wrap: Some("roles"),
            id: |c, _, _| {
                let mut parts = vec![];
                if let Some(r) = text(c, "role_name") {
                    parts.push(format!("role_name={r}"));
                }
                if let Some(b) = c.get("builtin").as_bool() {
                    parts.push(format!("builtin={b}"));
                }
                if let Some(cu) = text(c, "customer") {
                    parts.push(format!("customer={cu}"));
                }
                if parts.is_empty() {
                    "roles".into()
                } else {
                    parts.join(",")
                }
            },
        },
    ))
}

fn account_roles() -> DataSourceDef {
    object_lists(DataSourceDef::new(
        "lastline_account_roles",
        "Roles granted to an account. API: role/list.",
        vec![
            Field::string("id").computed().desc("The account."),
            input("account_username", "Account; default the provider's own account."),
            Field::list_of(
                "roles",
                vec![
                    out("role", "Role name."),
                    Field::bool("builtin").computed().api("builtin", Codec::BoolWord).desc("Whether it is built in."),
                    out("customer", "Customer context of the grant."),
                    Field::bool("is_ephemeral")
                        .computed()
                        .api("is_ephemeral", Codec::BoolWord)
                        .desc("A temporary grant (not managed by lastline_account_role)."),
                ],
            )
            .computed()
            .api("customer_roles", Codec::Plain)
            .desc("Role grants."),
        ],
        Rpc {
            path: "/accounting/role/list.json",
            what: "account roles",
            params: |c| param(c, "account_username", "account_username").into_iter().collect(),
            wrap: None,
            id: |c, provider, _| account_or_own(c, provider),
        },
    ))
}
