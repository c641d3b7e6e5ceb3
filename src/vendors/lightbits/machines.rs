//! The cluster's machines (catalog §4.5.16-4.5.18, 4.5.26; §4.7 rows 18 and 19, data
//! sources 24-31): nodes, NVMe devices, servers and connected hosts as data sources; a
//! server joining the cluster and an NVMe device's assignment to a node as resources.

use std::time::Duration;

use serde_json::Value as J;

use crate::engine::datasource::{DataSourceDef, LookupOne, PagedList};
use crate::engine::resource::Resource;
use crate::engine::resource::{
    AsyncStates, DeleteOp, ListSpec, Member, Op, Operations, ResourceDef, ResourceHooks, Timeouts, Toggle, UpdateOp,
    UpdateStyle,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::value::Value;

const TEN_MINUTES: Duration = Duration::from_secs(600);

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(server()), Box::new(nvme_device_assignment())]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![
        node_data_source(),
        nodes_data_source(),
        nvme_device_data_source(),
        nvme_devices_data_source(),
        server_data_source(),
        servers_data_source(),
        connected_hosts_data_source(),
    ]
}

// ---------------------------------------------------------------- nodes

fn node_fields() -> Vec<Field> {
    vec![
        Field::string("state")
            .computed()
            .api("state", Codec::Plain)
            .desc("`Active`, `Activating`, `Inactive`, `Unattached`, `Attaching`, `Detaching` or `Unknown`."),
        Field::string("status")
            .computed()
            .api("status", Codec::Plain)
            .desc("Connectivity: `ConnectivityOK`, `ConnectivityProblem`, `IssuedDeletePeer` or `NoStatus`."),
        Field::string("nvme_endpoint")
            .computed()
            .api("nvmeEndpoint", Codec::Plain)
            .desc("NVMe/TCP endpoint, `<ip>:<port>`."),
        Field::string_list("failure_domains")
            .computed()
            .api("failureDomains", Codec::Plain)
            .desc("Failure domains of the node."),
        Field::string("hostname").computed().api("hostname", Codec::Plain).desc("Host name of the node's server."),
        Field::string("server_uuid")
            .computed()
            .api("serverUUID", Codec::Plain)
            .desc("UUID of the server the node runs on."),
        Field::number("num_managed_devices")
            .computed()
            .api("numManagedDevices", Codec::Plain)
            .desc("NVMe devices the node manages."),
        Field::number("max_nvme_devices")
            .computed()
            .api("maxNvmeDevices", Codec::Plain)
            .desc("Most NVMe devices the node can manage."),
        Field::bool("read_only").computed().api("readOnly", Codec::Plain).desc("Whether the node is read-only."),
        Field::string("etag").computed().api("ETag", Codec::Plain).desc("Version of the node as the API reports it."),
    ]
}

fn with_keys(keys: Vec<Field>, rest: Vec<Field>) -> Vec<Field> {
    keys.into_iter().chain(rest).collect()
}

pub fn node_data_source() -> DataSourceDef {
    let fields = with_keys(
        vec![
            Field::string("id").computed().desc("The node UUID."),
            Field::string("uuid")
                .optional_computed()
                .validate(Validator::Uuid)
                .api("UUID", Codec::Plain)
                .desc("Node UUID; set it or `name`."),
            Field::string("name")
                .optional_computed()
                .api("name", Codec::Plain)
                .desc("Node name, e.g. `server00-0`; set it or `uuid`."),
        ],
        node_fields(),
    );
    DataSourceDef::new(
        "lightbits_node",
        "Looks up one node of the cluster (a LightOS instance on a server) by `uuid` or `name`.",
        fields,
        LookupOne {
            by_key: Some(Op::get("/api/v2/nodes/{uuid}")),
            by_list: Some((ListSpec::new(Op::get("/api/v2/nodes").query(&[("name", "{name}")]), "nodes"), &["name"])),
            id_template: "{uuid}",
            noun: "node",
        },
    )
    .exactly_one_of(&["uuid", "name"])
}

pub fn nodes_data_source() -> DataSourceDef {
    let item_fields = with_keys(
        vec![
            Field::string("uuid").computed().api("UUID", Codec::Plain).desc("Node UUID."),
            Field::string("name").computed().api("name", Codec::Plain).desc("Node name."),
        ],
        node_fields(),
    );
    PagedList {
        list: ListSpec::new(Op::get("/api/v2/nodes").query(&[("failureDomain", "{failure_domain}")]), "nodes"),
        output: "nodes",
        item_fields,
        id_template: "nodes",
    }
    .into_data_source(
        "lightbits_nodes",
        "Lists the cluster's nodes, optionally of one failure domain.",
        vec![Field::string("failure_domain").optional().desc("Only the nodes of this failure domain.")],
        "Always `nodes`.",
        "The cluster's nodes, in the API's order.",
    )
}

// ---------------------------------------------------------------- NVMe devices

fn device_fields() -> Vec<Field> {
    vec![
        Field::string("name").computed().api("name", Codec::Plain).desc("Device name or address, e.g. `nvme0n1`."),
        Field::string("model").computed().api("model", Codec::Plain).desc("Device model, if known."),
        Field::number("size").computed().api("size", Codec::IntString).desc("Capacity in bytes."),
        Field::string("numa_node_id").computed().api("numaNodeID", Codec::Plain).desc("NUMA node of the device."),
        Field::string("server_uuid")
            .computed()
            .api("serverUUID", Codec::Plain)
            .desc("UUID of the server the device is installed in."),
        Field::string("node_uuid")
            .computed()
            .api("nodeUUID", Codec::Plain)
            .desc("UUID of the node managing the device; empty when unmanaged."),
        Field::string("state")
            .computed()
            .api("state", Codec::Plain)
            .desc("`Healthy`, `Adding`, `Rebuilding`, `Failed`, or `None` for an unmanaged device."),
        Field::string("failure_time")
            .computed()
            .api("failureTime", Codec::Plain)
            .desc("When the device failed (RFC 3339), if it did."),
        Field::string("rebuild_completion_time")
            .computed()
            .api("rebuildCompletionTime", Codec::Plain)
            .desc("When the rebuild of its data completed (RFC 3339), if one did."),
        Field::string("etag").computed().api("ETag", Codec::Plain).desc("Version of the device as the API reports it."),
    ]
}

pub fn nvme_device_data_source() -> DataSourceDef {
    let fields = with_keys(
        vec![
            Field::string("id").computed().desc("The serial number."),
            Field::string("serial").required().api("serial", Codec::Plain).desc("Serial number of the device."),
        ],
        device_fields(),
    );
    DataSourceDef::new(
        "lightbits_nvme_device",
        "Looks up one NVMe device of the cluster by serial number.",
        fields,
        LookupOne {
            by_key: Some(Op::get("/api/v2/nvmeDevices/{serial}")),
            by_list: None,
            id_template: "{serial}",
            noun: "NVMe device",
        },
    )
}

pub fn nvme_devices_data_source() -> DataSourceDef {
    let item_fields = with_keys(
        vec![Field::string("serial").computed().api("serial", Codec::Plain).desc("Serial number.")],
        device_fields(),
    );
    PagedList {
        list: ListSpec::new(
            Op::get("/api/v2/nvmeDevices").query(&[("nodeUUID", "{node_uuid}"), ("serverUUID", "{server_uuid}")]),
            "NvmeDevices",
        ),
        output: "nvme_devices",
        item_fields,
        id_template: "nvme-devices",
    }
    .into_data_source(
        "lightbits_nvme_devices",
        "Lists the cluster's NVMe devices, optionally of one node or one server.",
        vec![
            Field::string("node_uuid").optional().validate(Validator::Uuid).desc("Only the devices this node manages."),
            Field::string("server_uuid")
                .optional()
                .validate(Validator::Uuid)
                .desc("Only the devices installed in this server."),
        ],
        "Always `nvme-devices`.",
        "The NVMe devices, managed or not, in the API's order.",
    )
}

// ---------------------------------------------------------------- servers

fn server_fields() -> Vec<Field> {
    vec![
        Field::string("state").computed().api("state", Codec::Plain).desc(
            "`Creating`, `Enabled`, `Disabling`, `Disabled`, `Enabling`, `Deleting`, `Failed` or `UnknownState`.",
        ),
        Field::string("risk_of_service_loss").computed().api("RiskOfServiceLossState", Codec::Plain).desc(
            "`NoRiskOfServiceLoss`, `InRiskOfServiceLoss`, `SourceOfRiskOfServiceLoss` or `UnknownRiskOfServiceLoss`.",
        ),
        Field::string_list("nodes_uuids")
            .computed()
            .api("NodesUUIDs", Codec::Plain)
            .desc("UUIDs of the server's nodes."),
        Field::string_list("server_endpoints")
            .computed()
            .api("ServerEndpoints", Codec::Plain)
            .desc("Etcd member endpoints of the server."),
        Field::string_list("api_endpoints")
            .computed()
            .api("ApiEndpoints", Codec::Plain)
            .desc("Management API endpoints the server serves."),
        Field::string("lightos_version")
            .computed()
            .api("LightOSVersion", Codec::Plain)
            .desc("LightOS version the server runs."),
        Field::bool("is_witness")
            .computed()
            .api("IsWitness", Codec::Plain)
            .desc("Whether the server is a witness (no data)."),
        Field::string("etag").computed().api("ETag", Codec::Plain).desc("Version of the server as the API reports it."),
    ]
}

pub fn server_data_source() -> DataSourceDef {
    let fields = with_keys(
        vec![
            Field::string("id").computed().desc("The server UUID."),
            Field::string("uuid")
                .optional_computed()
                .validate(Validator::Uuid)
                .api("UUID", Codec::Plain)
                .desc("Server UUID; set it or `name`."),
            Field::string("name")
                .optional_computed()
                .api("name", Codec::Plain)
                .desc("Server name, e.g. `server00`; set it or `uuid`."),
        ],
        server_fields(),
    );
    DataSourceDef::new(
        "lightbits_server",
        "Looks up one server of the cluster by `uuid` or `name`.",
        fields,
        LookupOne {
            by_key: Some(Op::get("/api/v2/servers/{uuid}")),
            by_list: Some((
                ListSpec::new(Op::get("/api/v2/servers").query(&[("Name", "{name}")]), "servers"),
                &["name"],
            )),
            id_template: "{uuid}",
            noun: "server",
        },
    )
    .exactly_one_of(&["uuid", "name"])
}

pub fn servers_data_source() -> DataSourceDef {
    let item_fields = with_keys(
        vec![
            Field::string("uuid").computed().api("UUID", Codec::Plain).desc("Server UUID."),
            Field::string("name").computed().api("name", Codec::Plain).desc("Server name."),
        ],
        server_fields(),
    );
    PagedList {
        list: ListSpec::new(
            Op::get("/api/v2/servers").query(&[("RiskOfServiceLoss", "{risk_of_service_loss}")]),
            "servers",
        ),
        output: "servers",
        item_fields,
        id_template: "servers",
    }
    .into_data_source(
        "lightbits_servers",
        "Lists the cluster's servers.",
        vec![Field::string("risk_of_service_loss")
            .optional()
            .validate(Validator::OneOf(&["NoRiskOfServiceLoss", "InRiskOfServiceLoss", "SourceOfRiskOfServiceLoss"]))
            .desc("Only the servers in this risk-of-service-loss state.")],
        "Always `servers`.",
        "The cluster's servers, in the API's order.",
    )
}

// ---------------------------------------------------------------- connected hosts

pub fn connected_hosts_data_source() -> DataSourceDef {
    let item_fields = vec![
        Field::string("host_nqn").computed().api("hostNQN", Codec::Plain).desc("The host's NVMe qualified name."),
        Field::string("ip_address").computed().api("iPAddress", Codec::Plain).desc("The host's IP address."),
        Field::string("hostname").computed().api("hostname", Codec::Plain).desc("The host's name."),
        Field::string_list("volume_uuids")
            .computed()
            .api("volumeUUIDs", Codec::Plain)
            .desc("Volumes the host is connected to."),
    ];
    PagedList {
        list: ListSpec::new(
            Op::get("/api/v2/connectedHosts").query(&[("volumeUUID", "{volume_uuid}")]),
            "connectedHosts",
        ),
        output: "connected_hosts",
        item_fields,
        id_template: "connected-hosts",
    }
    .into_data_source(
        "lightbits_connected_hosts",
        "Lists the NVMe hosts (initiators) connected to the cluster now, or to one volume.",
        vec![Field::string("volume_uuid")
            .optional()
            .validate(Validator::Uuid)
            .desc("Only the hosts connected to this volume (which must exist).")],
        "Always `connected-hosts`.",
        "NVMe hosts connected now.",
    )
}

// ---------------------------------------------------------------- server (advanced)

const SERVER_STATES: AsyncStates =
    AsyncStates { json: "state", ready: &["Enabled", "Disabled"], failed: &["Failed"], deleting: &["Deleting"] };

/// A server joining the cluster (catalog §4.5.26, §4.7 row 18): advanced and opt-in.
pub fn server() -> ResourceDef {
    let item = "/api/v2/servers/{uuid}";
    let update = UpdateOp {
        op: None,
        style: UpdateStyle::Patch,
        toggles: vec![Toggle {
            attr: "enabled",
            on: Op::post("/api/v2/servers/{uuid}/enable").extra(&[("UUID", Member::Template("{uuid}"))]),
            off: Op::post("/api/v2/servers/{uuid}/disable")
                .extra(&[("UUID", Member::Template("{uuid}")), ("evictData", Member::Attr("evict_data_on_disable"))]),
        }],
        per_field: vec![],
    };
    ResourceDef::new(
        "lightbits_server",
        "server",
        "{uuid}",
        Operations::crud(
            Op::post("/api/v2/servers"),
            Op::get(item),
            Some(update),
            Op::delete(item).query(&[("forceDelete", "{force_delete}")]),
        )
        .lookup(&["uuid"], None)
        .async_states(SERVER_STATES)
        .etag("ETag"),
    )
    .desc("**Advanced; opt in knowingly.** Adds a server (a machine running LightOS) to the cluster, enables or disables it, and removes it on destroy. This changes the cluster's hardware membership: disabling a server makes its nodes Inactive (with `evict_data_on_disable`, its data is moved away first), and deleting one detaches its resources in the background. Most configurations only read servers, with the `lightbits_server` and `lightbits_servers` data sources. Import by server UUID; the API does not report `reuse_ip` and `extend_cluster`, so the first plan after an import shows them being recorded from the configuration (an apply that sends nothing).")
    .timeouts(Timeouts { create: TEN_MINUTES, update: Some(TEN_MINUTES), delete: TEN_MINUTES })
    .fields(vec![
        Field::string("uuid")
            .required()
            .replace()
            .validate(Validator::Uuid)
            .api_create("serverUUID", Codec::Plain)
            .read_as("UUID")
            .desc("UUID of the server (the one LightOS was installed with). Changing it replaces the server."),
        Field::string_list("server_endpoints")
            .required()
            .replace()
            .validate(Validator::MaxItems(1))
            .api_create("serverEndpoints", Codec::Plain)
            .read_as("ServerEndpoints")
            .desc("The server's etcd member endpoint, e.g. `[\"http://10.0.0.1:2380\"]`; the API takes exactly one."),
        Field::bool("reuse_ip")
            .optional()
            .replace_if(|prior, planned| !prior.is_null() && prior != planned, "it changes from a value Terraform set (the API does not report it)")
            .api_create("reuseIP", Codec::Plain)
            .desc("Skip the check that the endpoint is not used by another server. Only sent on create; the API does not report it, so after an import it is taken from the configuration."),
        Field::bool("extend_cluster")
            .optional()
            .replace_if(|prior, planned| !prior.is_null() && prior != planned, "it changes from a value Terraform set (the API does not report it)")
            .api_create("extendCluster", Codec::Plain)
            .desc("`true`: the server's nodes come up Active and take new volumes. `false` (the API's default): they come up Unattached, usable as targets to replace failed nodes. Only sent on create; the API does not report it, so after an import it is taken from the configuration."),
        Field::bool("enabled")
            .default(Value::Bool(true))
            .api("enabled", Codec::Plain)
            .desc("Whether the server is enabled. Disabling makes its nodes Inactive; enabling makes them rebuild the replicas they hold."),
        Field::bool("evict_data_on_disable")
            .default(Value::Bool(false))
            .api("evictData", Codec::Plain)
            .desc("When `enabled` turns false: move every replica off the server before disabling it."),
        Field::bool("force_delete")
            .default(Value::Bool(false))
            .desc("On destroy: delete in the background even with resources still attached (the API's `forceDelete`). Servers holding single-replica volumes cannot be deleted either way."),
        Field::string("name").computed().api("name", Codec::Plain).desc("Server name the cluster assigned."),
        Field::string("state").computed_volatile().api("state", Codec::Plain).desc("Lifecycle state, e.g. `Enabled` or `Disabled`."),
        Field::string_list("nodes_uuids").computed().api("NodesUUIDs", Codec::Plain).desc("UUIDs of the server's nodes."),
        Field::string("lightos_version").computed().api("LightOSVersion", Codec::Plain).desc("LightOS version the server runs."),
        Field::string("etag").computed_volatile().api("ETag", Codec::Plain).desc("Version of the server; sent as If-Match on changes."),
    ])
    .hooks(ServerHooks)
}

/// The server's `enabled` is its state; the API takes `enabled` through toggles only, and
/// `evictData` only with a disable.
struct ServerHooks;

impl ResourceHooks for ServerHooks {
    fn adjust_answer(&self, base: &Value, obj: &mut J) {
        let state = obj.get("state").and_then(J::as_str).unwrap_or_default();
        let enabled = !matches!(state, "Disabled" | "Disabling");
        // Only sent with a disable, never reported: kept as configured (false after import).
        let evict = base.get("evict_data_on_disable").as_bool().unwrap_or(false);
        if let J::Object(m) = obj {
            m.insert("enabled".into(), J::Bool(enabled));
            m.insert("evictData".into(), J::Bool(evict));
        }
    }
}

// ---------------------------------------------------------------- NVMe device assignment

/// A node managing an NVMe device (catalog §4.5.18, §4.7 row 19): added with one request;
/// the API has no way to remove it, so destroy only forgets it.
pub fn nvme_device_assignment() -> ResourceDef {
    ResourceDef::new(
        "lightbits_nvme_device_assignment",
        "NVMe device assignment",
        "{serial_number}",
        Operations::crud(
            Op::post("/api/v2/nvmeDevices"),
            Op::get("/api/v2/nvmeDevices/{serial_number}"),
            None,
            Op::delete("/api/v2/nvmeDevices/{serial_number}"),
        )
        .delete(DeleteOp::StateOnly {
            before: None,
            warning: "NVMe device {serial_number} stays managed by node {node_uuid}: the Lightbits API cannot detach a device from its node.",
        })
        .async_states(AsyncStates { json: "state", ready: &["Healthy"], failed: &["Failed"], deleting: &[] })
        .etag("ETag"),
    )
    .desc("Makes a node manage an NVMe device of its server (`POST /api/v2/nvmeDevices`), waiting until the device is `Healthy`. The API cannot detach a device: destroying this resource only removes it from Terraform state, with a warning at plan time, and the device stays managed. The cluster refuses a device already managed by another node, a node on another server, an inactive node and a node at its device maximum. Import by serial number.")
    .timeouts(Timeouts { create: TEN_MINUTES, update: None, delete: TEN_MINUTES })
    .fields(vec![
        Field::string("serial_number")
            .required()
            .replace()
            .api_create("serialNumber", Codec::Plain)
            .read_as("serial")
            .desc("Serial number of the device."),
        Field::string("node_uuid")
            .required()
            .replace()
            .validate(Validator::Uuid)
            .api_create("nodeUUID", Codec::Plain)
            .desc("UUID of the node to manage the device; it must be an active node of the device's server. Changing it re-creates the assignment (which the API can only do for a device no node manages)."),
        Field::string("server_uuid").computed().api("serverUUID", Codec::Plain).desc("Server the device is installed in."),
        Field::string("state").computed_volatile().api("state", Codec::Plain).desc("Device state, e.g. `Healthy`."),
        Field::number("size").computed().api("size", Codec::IntString).desc("Capacity in bytes."),
        Field::string("etag").computed_volatile().api("ETag", Codec::Plain).desc("Version of the device."),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [server(), nvme_device_assignment()] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new(), "{}", r.schema.type_name);
        }
    }
}
