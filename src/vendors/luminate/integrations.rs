//! `luminate_aws_integration`, `luminate_aws_integration_bind`, DNS resiliency groups and
//! servers, and the `luminate_aws_integration` and `luminate_ssh_client` data sources.

use super::entities::spring;
use crate::engine::api::Method;
use crate::engine::datasource::{DataSourceDef, LookupOne};
use crate::engine::resource::{
    BodyShape, CreateOp, DeleteOp, ListSpec, Member, Op, Operations, Resource, ResourceDef, Toggle, UpdateOp,
};
use crate::engine::schema::{Codec, Field, Semantic, Validator};

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(aws_integration()), Box::new(aws_integration_bind()), Box::new(dns_group()), Box::new(dns_server())]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![aws_integration_data_source(), ssh_client_data_source()]
}

const INTEGRATIONS: &str = "/cloud-integrations/integrations";

/// Every integration: a bare array. `noHealthCheck` spares the API probing AWS for each.
const fn integrations_list() -> ListSpec {
    ListSpec::new(Op::get(INTEGRATIONS).query(&[("noHealthCheck", "true")]), "")
}

/// The members an integration's create and update carry besides its name: AWS, and
/// instances named by their `Name` tag (the Go provider's fixed choices).
const AMAZON: &[(&str, Member)] =
    &[("provider", Member::Literal("\"amazon\"")), ("hostname_tag_name", Member::Literal("\"Name\""))];

// ---------------------------------------------------------------- AWS integration

pub fn aws_integration() -> ResourceDef {
    let item = "/cloud-integrations/integrations/{id}";
    ResourceDef::new(
        "luminate_aws_integration",
        "AWS integration",
        "{id}",
        Operations::crud(
            Op::post(INTEGRATIONS).extra(AMAZON).ok(&[201]),
            Op::get(item).ok(&[200]),
            // The API replaces the whole integration, whose role and regions belong to
            // luminate_aws_integration_bind: a rename sends them back as they are.
            Some(UpdateOp::merge(Op::put(item).extra(AMAZON).ok(&[200]))),
            Op::delete(item).ok(&[204]),
        )
        .lookup(&["integration_name"], Some(integrations_list())),
    )
    .id_from_api("id")
    .sdkv2_state()
    .desc("An AWS cloud integration: Luminate discovers the instances of an AWS account through a role it may assume. Create it, create that role in AWS trusting `luminate_aws_account_id` with `aws_external_id`, then give the role to `luminate_aws_integration_bind`.")
    .fields(vec![
        Field::string("integration_name")
            .required()
            .api_mutable("name", Codec::Plain)
            .desc("Integration name. Renamed in place (the role and regions stay)."),
        Field::string("integration_id").computed().api("id", Codec::Plain).desc("The integration's ID."),
        Field::string("luminate_aws_account_id")
            .computed()
            .api("luminate_aws_account_id", Codec::Plain)
            .desc("The AWS account of Luminate that the role must trust."),
        Field::string("aws_external_id")
            .computed()
            .api("aws_external_id", Codec::Plain)
            .desc("The external ID the role's trust policy must require."),
    ])
}

pub fn aws_integration_bind() -> ResourceDef {
    let item = "/cloud-integrations/integrations/{integration_id}";
    let ops = Operations::crud(
        Op::put(item),
        Op::get(item).ok(&[200]),
        Some(UpdateOp::merge(Op::put(item).extra(AMAZON).ok(&[200]))),
        Op::delete(item),
    )
    // The integration exists already: binding reads it and sets role and regions.
    .create(CreateOp::Adopt)
    // Unbinding is not an API operation (a role cannot be cleared without naming one):
    // destroy forgets the binding, as the Go provider does, and says so.
    .delete(DeleteOp::StateOnly {
        before: None,
        warning: "The AWS integration {integration_id} keeps its role {aws_role_arn} and regions. Destroy the luminate_aws_integration to remove them.",
    });
    ResourceDef::new("luminate_aws_integration_bind", "AWS integration binding", "{integration_id}", ops)
        .sdkv2_state()
        .desc("Gives an AWS integration the role Luminate assumes and the regions it looks in. Destroying it only removes it from Terraform state: the integration keeps its role until it is destroyed itself.")
        .fields(vec![
            Field::string("integration_name")
                .required()
                .api_mutable("name", Codec::Plain)
                .desc("The integration's name (the API's update carries it, so a different name renames the integration)."),
            Field::string("integration_id")
                .required()
                .validate(Validator::Uuid)
                .replace_if(|_, _| true, "Another integration: the binding is made there, and the old integration keeps its role.")
                .api("id", Codec::Plain)
                .desc("The integration to bind (`luminate_aws_integration.<name>.integration_id`). Changing it binds the other integration instead."),
            Field::string("aws_role_arn")
                .required()
                .api_mutable("aws_role_arn", Codec::Plain)
                .desc("ARN of the AWS role Luminate assumes."),
            Field::string("luminate_aws_account_id")
                .required()
                .api_mutable("luminate_aws_account_id", Codec::Plain)
                .desc("The integration's `luminate_aws_account_id`. Set by the API: a different value is refused."),
            Field::string("aws_external_id")
                .required()
                .api_mutable("aws_external_id", Codec::Plain)
                .desc("The integration's `aws_external_id`. Set by the API: a different value is refused."),
            Field::string_list("regions")
                .required()
                .semantic(Semantic::UnorderedStrings)
                .api_mutable("regions", Codec::Plain)
                .desc("AWS regions to discover instances in, such as `us-east-1`. Order does not matter."),
        ])
}

pub fn aws_integration_data_source() -> DataSourceDef {
    DataSourceDef::new(
        "luminate_aws_integration",
        "Looks up an AWS integration by its exact name.",
        vec![
            Field::string("id").computed().desc("The integration's ID."),
            Field::string("integration_name").required().api("name", Codec::Plain).desc("Name of the integration."),
            Field::string("integration_id")
                .computed()
                .api("id", Codec::Plain)
                .desc("The integration's ID (also in `id`; the Go provider left this one empty)."),
        ],
        LookupOne {
            by_key: None,
            by_list: Some((integrations_list(), &["integration_name"])),
            id_template: "{integration_id}",
            noun: "AWS integration",
        },
    )
}

// ---------------------------------------------------------------- DNS resiliency

const DNS_GROUPS: &str = "/wss-integration-tenant/dns-groups";

/// Turns groups on or off by ID: the one way to change what the API's group model does
/// not show.
const fn enable_groups(on: bool) -> Op {
    Op::new(Method::Post, "/wss-integration-tenant/dns-groups/enableByIds").body(BodyShape::Fields).extra(if on {
        &[("enable", Member::Literal("true")), ("groupIds", Member::OneItemList("{id}"))]
    } else {
        &[("enable", Member::Literal("false")), ("groupIds", Member::OneItemList("{id}"))]
    })
}

pub fn dns_group() -> ResourceDef {
    let item = "/wss-integration-tenant/dns-groups/{id}";
    ResourceDef::new(
        "luminate_dns_group_resiliency",
        "DNS group",
        "{id}",
        Operations::crud(
            Op::post(DNS_GROUPS),
            Op::get(item),
            Some(UpdateOp::replace(Op::put(item)).toggle(Toggle {
                attr: "is_enabled",
                on: enable_groups(true),
                off: enable_groups(false),
            })),
            Op::delete(item),
        )
        .lookup(&["name"], Some(spring(Op::get(DNS_GROUPS).query(&[("filter", "{name}")])))),
    )
    .id_from_api("id")
    .sdkv2_state()
    .desc("A DNS resiliency group: DNS servers in sites that resolve the listed domain suffixes, one at a time, the next taking over when one fails.")
    .fields(vec![
        Field::string("name").required().api_mutable("name", Codec::Plain).desc("Group name."),
        Field::bool("send_notifications")
            .required()
            .api_mutable("sendNotifications", Codec::Plain)
            .desc("Notify administrators when the group's active server changes."),
        Field::bool("is_enabled").optional().desc(
            "Turn the group on (`true`) or off (`false`); unset leaves it as the API has it. The API does not report it, so a change made outside Terraform is not seen.",
        ),
        Field::string_list("domain_suffixes")
            .required()
            .validate(Validator::MinItems(1))
            .api_mutable("domainSuffixes", Codec::Plain)
            .desc("Domain suffixes the group's servers resolve, such as `corp.example.com`."),
    ])
}

pub fn dns_server() -> ResourceDef {
    let servers = "/wss-integration-tenant/dns-groups/{group_id}/servers/";
    let item = "/wss-integration-tenant/dns-groups/{group_id}/servers/{id}";
    ResourceDef::new(
        "luminate_dns_server_resiliency",
        "DNS server",
        "{id}",
        Operations::crud(
            Op::post(servers),
            Op::get(item),
            Some(UpdateOp::replace(Op::put(item))),
            Op::new(Method::Post, "/wss-integration-tenant/dns-groups/{group_id}/servers/delete-by-ids")
                .body(BodyShape::Fields)
                .extra(&[("DnsServerIds", Member::OneItemList("{id}"))]),
        )
        .lookup(&["name"], Some(ListSpec::new(Op::get(servers), ""))),
    )
    .id_from_api("id")
    // Imported by its own ID: the group is the one listing it.
    .parent_from("group_id", spring(Op::get(DNS_GROUPS)), "servers")
    .sdkv2_state()
    .desc("A DNS server of a DNS resiliency group: a resolver reached through a site's connectors.")
    .fields(vec![
        Field::string("internal_address")
            .required()
            .api_mutable("internalAddress", Codec::Plain)
            .desc("Address of the DNS server inside the site, such as `10.0.0.53`."),
        Field::string("site_id")
            .required()
            .validate(Validator::Uuid)
            .api_mutable("siteId", Codec::Plain)
            .desc("The site whose connectors reach the server."),
        Field::string("name").required().api_mutable("name", Codec::Plain).desc("Server name, unique within its group."),
        Field::string("group_id")
            .required()
            .validate(Validator::Uuid)
            .replace_if(|_, _| true, "A server cannot move to another group: it is created there anew.")
            .api_mutable("groupId", Codec::Plain)
            .desc("The DNS group (`luminate_dns_group_resiliency.<name>.id`). Changing it re-creates the server in the other group."),
    ])
}

// ---------------------------------------------------------------- SSH clients

pub fn ssh_client_data_source() -> DataSourceDef {
    let computed =
        |name: &'static str, desc: &'static str| Field::string(name).computed().api(name, Codec::Plain).desc(desc);
    DataSourceDef::new(
        "luminate_ssh_client",
        "Looks up an SSH client of the tenant by its exact name (the API's filter matches substrings; the pages are followed to the exact match).",
        vec![
            computed("id", "The SSH client's ID."),
            Field::string("name")
                .required()
                .validate(Validator::Regex(r"(?s).", "a non-empty name"))
                .api("name", Codec::Plain)
                .desc("Name of the SSH client."),
            computed("description", "Its description."),
            Field::number("key_size").computed().api("key_size", Codec::Plain).desc("Size of its key, in bits."),
            computed("created_on", "When it was created (RFC 3339)."),
            computed("modified_on", "When it was last changed (RFC 3339)."),
            computed("last_accessed", "When it was last used (RFC 3339)."),
            computed("expires", "When its key expires (RFC 3339)."),
        ],
        LookupOne {
            by_key: None,
            by_list: Some((spring(Op::get("/ssh-clients").query(&[("filter", "{name}")])), &["name"])),
            id_template: "{id}",
            noun: "SSH client",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [aws_integration(), aws_integration_bind(), dns_group(), dns_server()] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new(), "{}", r.schema.type_name);
        }
    }

    #[test]
    fn is_enabled_is_not_sent_with_the_group() {
        assert!(dns_group().schema.field("is_enabled").is_some_and(|f| f.api.is_none()));
    }
}
