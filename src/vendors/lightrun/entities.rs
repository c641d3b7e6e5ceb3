//! Lightrun entities as declarations. Attribute names and flags are the interface's
//! (../shared/interfaces/lightrun.md); JSON names are the API's (OpenAPI 3.1).

use crate::engine::api::Method;
use crate::engine::resource::{LastPage, ListSpec, Op, Operations, Paging, ResourceDef, Toggle, UpdateOp};
use crate::engine::schema::{Codec, Field, Semantic, Validator};
use crate::engine::value::{Type, Value};

/// Lightrun lists: `page` from 0 and `size`, answering `{items, ..., hasMore}`. The
/// interface sends page/size only (a server ignoring offset/limit would loop on page 0).
pub(super) const fn pages(op: Op) -> ListSpec {
    ListSpec::new(op, "items").paging(Paging::PageNumber {
        page_param: "page",
        size_param: "size",
        size: 100,
        first: 0,
        last: LastPage::HasMore("hasMore"),
    })
}

/// The roles a Lightrun user can hold (the user's `roles`, the users data source's filter).
pub(super) const USER_ROLES: &[&str] =
    &["SYSTEM_ADMIN", "COMPANY_VIEWER", "GROUP_ADMIN", "SECURITY", "APP_SEC", "INCIDENT_RESPONDER", "DEVELOPER"];

pub(super) fn created_by() -> Field {
    Field::string("created_by").computed().api("createdBy", Codec::Plain).desc("Creator (user email or API key).")
}

pub(super) fn created_date() -> Field {
    Field::string("created_date")
        .computed()
        .api("createdDate", Codec::Plain)
        .desc("Creation time, an RFC 3339 timestamp as the API returns it.")
}

pub(super) fn string_set(name: &'static str) -> Field {
    Field::new(name, Type::set(Type::String))
}

// ---------------------------------------------------------------- agent pool

pub fn agent_pool() -> ResourceDef {
    let item = "/agent-pools/{id}";
    ResourceDef::new(
        "lightrun_agent_pool",
        "agent pool",
        "{id}",
        Operations::crud(
            Op::post("/agent-pools").ok(&[201]),
            Op::get(item),
            Some(UpdateOp::replace(Op::put(item)).toggle(Toggle {
                attr: "agents_enabled",
                on: Op::new(Method::Put, "/agent-pools/{id}/enable-agents"),
                off: Op::new(Method::Put, "/agent-pools/{id}/detach-agents"),
            })),
            Op::delete(item).ok(&[204]),
        )
        // Pool names are unique in a company: a lost create answer is found by name.
        .lookup(&["name"], Some(pages(Op::get("/agent-pools").query(&[("name", "{name}")])))),
    )
    .id_from_api("id")
    .desc("An agent pool: a partition of agents; RBAC grants are given per pool.")
    .fields(vec![
        Field::string("name")
            .required()
            .api_mutable("name", Codec::Plain)
            .desc("Pool name, unique in the company. Renamed in place."),
        Field::string("description")
            .optional()
            .validate(Validator::MaxLen(255))
            .api_mutable("description", Codec::Plain)
            .desc("Free text, at most 255 characters. Updated in place."),
        Field::bool("agents_enabled")
            .default(Value::Bool(true))
            .api("agentsEnabled", Codec::Plain)
            .desc("Whether agents may connect (default `true`). `false` detaches live agents and refuses new ones."),
        created_by(),
        created_date(),
    ])
}

// ---------------------------------------------------------------- user

pub fn user() -> ResourceDef {
    let item = "/users/{email}";
    ResourceDef::new(
        "lightrun_user",
        "user",
        "{email}",
        Operations::crud(
            Op::post("/users").ok(&[201]),
            Op::get(item),
            // The API needs all three of firstName, lastName and roles on every update.
            Some(UpdateOp::replace(Op::put(item)).toggle(Toggle {
                attr: "enabled",
                on: Op::new(Method::Put, "/users/{email}/enable"),
                off: Op::new(Method::Put, "/users/{email}/disable"),
            })),
            Op::delete(item).ok(&[204]),
        )
        .lookup(&["email"], None),
    )
    .desc("A Lightrun user, keyed by email (every path is `/users/{email}`).")
    .fields(vec![
        Field::string("email")
            .required()
            .replace()
            .validate(Validator::LenRange(5, 254))
            .semantic(Semantic::CaseInsensitive)
            .api_create("email", Codec::Plain)
            .desc("Login email, 5 to 254 characters, compared ignoring case. Changing it replaces the user (there is no rename)."),
        Field::string("first_name").required().api_mutable("firstName", Codec::Plain).desc("First name. Updated in place."),
        Field::string("last_name").required().api_mutable("lastName", Codec::Plain).desc("Last name. Updated in place."),
        string_set("roles")
            .optional_computed()
            .validate(Validator::EachOneOf(USER_ROLES))
            .api_mutable("roles", Codec::Plain)
            .desc("Roles. Unset: the server's default (`DEVELOPER`) is kept. With RBAC off only `DEVELOPER` and `SYSTEM_ADMIN` exist. Updated in place."),
        Field::bool("enabled")
            .default(Value::Bool(true))
            .api("enabled", Codec::Plain)
            .desc("Whether the user may log in (default `true`)."),
        Field::string("user_id").computed().api("id", Codec::Plain).desc("Server-assigned user UUID."),
        Field::string("register_method")
            .computed()
            .api("registerMethod", Codec::Plain)
            .desc("How the user registered: USER_PASS, SSO_GOOGLE, SCIM or LDAP."),
        Field::string("user_management_type")
            .computed()
            .api("userManagementType", Codec::Plain)
            .desc("Who manages the user: SYSTEM, SCIM, SAML_JIT or LDAP."),
        created_by(),
        created_date(),
        Field::string("activation_link")
            .computed_volatile()
            .sensitive()
            .api("activationLink", Codec::Plain)
            .desc("Account activation link, returned only while no SMTP server is set; a credential, hence sensitive."),
    ])
}

// ---------------------------------------------------------------- group

pub fn group() -> ResourceDef {
    let item = "/groups/{id}";
    ResourceDef::new(
        "lightrun_group",
        "group",
        "{id}",
        Operations::crud(
            Op::post("/groups").ok(&[201]),
            Op::get(item),
            Some(UpdateOp::replace(Op::put(item))),
            Op::delete(item).ok(&[204]),
        )
        .lookup(&["name"], Some(pages(Op::get("/groups")))),
    )
    .id_from_api("id")
    .desc("An RBAC user group: roles granted on a set of agent pools. Members are `lightrun_group_member`s.")
    .fields(vec![
        Field::string("name").required().api_mutable("name", Codec::Plain).desc("Group name, unique. Renamed in place."),
        string_set("roles")
            .optional_computed()
            .validate(Validator::EachOneOf(&["STANDARD", "PRIVILEGED"]))
            .api_mutable("roles", Codec::Plain)
            .desc("Roles the group grants on its pools: `STANDARD`, `PRIVILEGED`. Unset: the server's default is kept. Updated in place."),
        string_set("agent_pool_ids")
            .default(Value::Set(vec![]))
            .api_mutable("agentPoolIds", Codec::Plain)
            .desc("Agent pools the group has access to; unset means none (authoritative). Updated in place."),
        Field::bool("is_default")
            .computed()
            .api("default", Codec::Plain)
            .desc("Whether this is the built-in default group."),
        created_by(),
        created_date(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [agent_pool(), user(), group()] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new(), "{}", r.schema.type_name);
        }
    }
}
