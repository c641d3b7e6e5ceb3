//! Accounts, the customer's contact details, permission grants and roles.
//!
//! Accounts, the contact singleton and custom roles are declarations; the three grant
//! resources (account permission, role permission, account role) are written by hand in
//! `access.rs`, because their reads look into nested lists and their revokes are checked
//! by re-reading. The data sources are in `accounts_data.rs`.

#[path = "access.rs"]
mod access;
#[path = "accounts_data.rs"]
mod accounts_data;

use serde_json::{Map, Value as J};

use crate::engine::datasource::DataSourceDef;
use crate::engine::resource::{
    CreateOp, DeleteOp, ListSpec, Member, Op, Operations, ReadOp, Resource, ResourceDef, ResourceHooks, Toggle,
    UpdateOp,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::value::Value;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(account()),
        Box::new(customer_contact()),
        Box::new(access::account_permission()),
        Box::new(role()),
        Box::new(access::role_permission()),
        Box::new(access::account_role()),
    ]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    accounts_data::all()
}

const ACCOUNT: &[(&str, Member)] = &[("account_username", Member::Template("{username}"))];

/// `lastline_account`: account/create, read in account/get_accounts, account/update (with
/// the provider's password as `password_verify` when the e-mail or password changes),
/// account/block and account/unblock, account/delete.
pub fn account() -> ResourceDef {
    let by_username = ListSpec::new(
        Op::get("/accounting/account/get_accounts.json")
            .query(&[("account_username", "{username}"), ("customer", "{customer}")]),
        "",
    );
    let ops = Operations::crud(
        Op::post("/accounting/account/create.json"),
        Op::get("/accounting/account/get_accounts.json"),
        Some(
            UpdateOp::patch(Op::post("/accounting/account/update.json").extra(&[
                ("account_username", Member::Template("{username}")),
                ("password_verify", Member::Template("{provider.password}")),
            ]))
            .toggle(Toggle {
                attr: "blocked",
                on: Op::post("/accounting/account/block.json").extra(ACCOUNT),
                off: Op::post("/accounting/account/unblock.json").extra(ACCOUNT),
            }),
        ),
        Op::post("/accounting/account/delete.json").extra(ACCOUNT),
    )
    .read(ReadOp::FromList { list: by_username, key: &["username"] })
    .lookup(&["username"], Some(by_username));
    ResourceDef::new("lastline_account", "account", "{username}", ops)
        .desc("An account (login) of a Lastline customer. Destroy deletes it (account/delete).")
        .fields(vec![
            Field::string("username")
                .required()
                .replace()
                .api_create("account_username", Codec::Plain)
                .read_as("username")
                .desc("Login name of the account (e-mail-like), the API's `account_username`. Changing it creates another account."),
            Field::string("email")
                .required()
                .api_mutable("email", Codec::Plain)
                .desc("Contact e-mail. Updated in place; the provider's own password is sent along as `password_verify`."),
            Field::string("first_name")
                .default(Value::str(""))
                .api_mutable("first_name", Codec::Plain)
                .desc("First name (default empty)."),
            Field::string("last_name")
                .default(Value::str(""))
                .api_mutable("last_name", Codec::Plain)
                .desc("Last name (default empty)."),
            Field::string("customer")
                .optional_computed()
                .replace()
                .api_create("customer", Codec::Plain)
                .desc("Customer (its primary contact's username) that owns the account; when unset, the provider account's customer. No API method moves an account, so a change creates a new one."),
            Field::string("default_locale")
                .optional_computed()
                .api_mutable("default_locale", Codec::Plain)
                .desc("Default locale of the account; the server's default when unset."),
            Field::string("default_timezone")
                .optional_computed()
                .api_mutable("default_timezone", Codec::Plain)
                .desc("Default time zone of the account; the server's default when unset."),
            Field::string("password_wo")
                .optional()
                .sensitive()
                .sent_when_changed("password_wo_version")
                .api_mutable("password", Codec::Plain)
                .update_as("new_password")
                .desc("Password of the account: sent as `password` on create and as `new_password` whenever `password_wo_version` changes. Write-only (Terraform 1.11 and later): never stored in state or plans."),
            Field::number("password_wo_version")
                .optional()
                .desc("Change this number to send `password_wo` again (password rotation)."),
            Field::bool("blocked")
                .default(Value::Bool(false))
                .api("is_blocked", Codec::BoolDigit)
                .desc("A blocked account cannot log in. Set with account/block and account/unblock (also right after create when true); read back as `is_blocked`. Default false."),
            Field::string("created_by")
                .computed()
                .api("created_by", Codec::Plain)
                .desc("Who created the account, as the API reports it (`Lastline` and `deleted account` are possible)."),
            Field::string("create_time")
                .computed()
                .api("create_time", Codec::Plain)
                .desc("When the account was created, as the API reports it."),
        ])
        .hooks(AccountHooks)
}

struct AccountHooks;

impl ResourceHooks for AccountHooks {
    /// `password_verify` (the provider's password) goes only with an e-mail or password
    /// change, the two updates that need it.
    fn adjust_update_body(&self, _prior: &Value, _planned: &Value, body: &mut Map<String, J>) {
        if !body.contains_key("email") && !body.contains_key("new_password") {
            body.remove("password_verify");
        }
    }
}

/// A customer's contact details (customer/get_customer, customer/update_customer), as the
/// resource and the data source show them.
const CONTACT_FIELDS: [(&str, &str); 10] = [
    ("first_name", "First name of the primary contact."),
    ("last_name", "Last name of the primary contact."),
    ("phone", "Phone number."),
    ("affiliation", "Affiliation (organisation)."),
    ("address1", "Address, first line."),
    ("address2", "Address, second line."),
    ("city", "City."),
    ("state", "State or region."),
    ("zipcode", "Zip or postal code."),
    ("country", "Country."),
];

/// `lastline_customer_contact`: the contact details of an existing customer, adopted
/// with customer/get_customer and changed with customer/update_customer.
pub fn customer_contact() -> ResourceDef {
    let ops = Operations {
        create: CreateOp::Adopt,
        read: ReadOp::Get(Op::get("/accounting/customer/get_customer.json").query(&[("customer", "{customer}")])),
        update: Some(UpdateOp::patch(Op::post("/accounting/customer/update_customer.json"))),
        delete: DeleteOp::StateOnly {
            before: None,
            warning: "Customers cannot be deleted through the API: customer {customer} and its contact details stay as they are.",
        },
        lookup: None,
        async_states: None,
        etag: None,
        adopt_existing: false,
    };
    let mut fields = vec![Field::string("customer")
        .optional_computed()
        .replace()
        .api("customer", Codec::Plain)
        .desc("Customer whose contact details these are (its primary contact's username); when unset, the provider account's customer.")];
    fields.extend(CONTACT_FIELDS.iter().map(|(name, desc)| {
        Field::string(name)
            .optional_computed()
            .api_mutable(name, Codec::Plain)
            .desc(format!("{desc} Left as it is on the server when unset."))
    }));
    ResourceDef::new("lastline_customer_contact", "customer contact", "{customer}", ops)
        .hooks(ContactHooks)
        .desc("Contact details of an existing customer. Customers cannot be created or deleted through the API: create adopts the customer (customer/get_customer) and sets the configured fields (customer/update_customer); destroy only forgets it (warning). Unset fields keep their server values.")
        .fields(fields)
}

/// `lastline_role`: a custom role (role/create, read in role/info, role/update with
/// `new_name`); roles cannot be deleted, so destroy forgets it.
pub fn role() -> ResourceDef {
    let by_name = ListSpec::new(
        Op::get("/accounting/role/info.json").query(&[("role_name", "{name}"), ("builtin", "False")]),
        "",
    );
    let ops = Operations::crud(
        Op::post("/accounting/role/create.json"),
        Op::get("/accounting/role/info.json"),
        Some(UpdateOp::patch(Op::post("/accounting/role/update.json"))),
        Op::post("/accounting/role/update.json"),
    )
    .read(ReadOp::FromList { list: by_name, key: &["name"] })
    .lookup(&["name"], Some(by_name))
    .delete(DeleteOp::StateOnly {
        before: None,
        warning: "Custom roles cannot be deleted through the API: role {name} stays with the customer (with the permissions no lastline_role_permission revoked), and can be imported again by its name.",
    });
    ResourceDef::new("lastline_role", "role", "{name}", ops)
        .desc("A custom role of the provider account's customer. Renamed in place (role/update), which keeps its grants. Roles cannot be deleted through the API: destroy only forgets the role (warning).")
        .fields(vec![
            Field::string("name")
                .required()
                .validate(Validator::LenRange(1, 64))
                .api_create("name", Codec::Plain)
                .read_as("role_name")
                .update_as("new_name")
                .desc("Role name, 1 to 64 characters. A change renames the role in place (role/update `new_name`) and keeps the accounts and permissions it has; a replacement would leave the old role behind, as roles cannot be deleted."),
            Field::string("description")
                .default(Value::str(""))
                .validate(Validator::MaxLen(128))
                .api_mutable("description", Codec::Plain)
                .desc("Description, up to 128 characters (default empty)."),
            Field::new("contexts", crate::engine::value::Type::set(crate::engine::value::Type::String))
                .computed()
                .api("contexts", Codec::Plain)
                .desc("Contexts the role applies in (today only `customer`)."),
        ])
        .hooks(RoleHooks)
}

struct ContactHooks;

impl ResourceHooks for ContactHooks {
    /// update_customer names the customer it changes: the one read (and adopted).
    fn adjust_update_body(&self, prior: &Value, _planned: &Value, body: &mut Map<String, J>) {
        if let Some(c) = prior.get("customer").as_str() {
            body.insert("customer".into(), J::String(c.to_string()));
        }
    }
}

struct RoleHooks;

impl ResourceHooks for RoleHooks {
    /// role/update selects the role by its current name; the new one goes as `new_name`.
    fn adjust_update_body(&self, prior: &Value, _planned: &Value, body: &mut Map<String, J>) {
        if let Some(name) = prior.get("name").as_str() {
            body.insert("name".into(), J::String(name.to_string()));
        }
    }

    /// The ID is the name: a rename moves it.
    fn adjust_plan(&self, _provider_config: &Value, prior: &Value, _config: &Value, planned: &mut Value) {
        if !prior.is_null() && prior.get("name") != planned.get("name") {
            let id = planned.get("name").clone();
            planned.set("id", id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_are_consistent() {
        for def in [account(), customer_contact(), role()] {
            assert_eq!(def.declaration_errors(), Vec::<String>::new(), "{}", def.schema.type_name);
        }
    }
}
