//! Request bodies as the proto declares them (`durosapiv2.proto`), read with proto3 JSON
//! rules: a field that is absent or `null` has its zero value, so an empty string or an
//! empty list cannot be told apart from "not sent"; strings must be JSON strings; 32-bit
//! integers may be numbers or numeric strings; enums are names or numbers.

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ProtoMessage;

fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(String::new()),
        Value::String(text) => Ok(text),
        other => Err(D::Error::custom(format!("invalid value for string field: {other}"))),
    }
}

fn uint32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let number = match &value {
        Value::Null => Some(0),
        Value::Number(n) => n.as_u64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    };
    number
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| D::Error::custom(format!("invalid value for uint32 field: {value}")))
}

fn boolean<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(false),
        Value::Bool(flag) => Ok(flag),
        other => Err(D::Error::custom(format!("invalid value for bool field: {other}"))),
    }
}

fn repeated<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// A string that must be a JSON string even inside a list.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct ProtoString(#[serde(deserialize_with = "string")] pub String);

/// `StringList`: a message, so unlike a repeated field its presence is visible.
#[derive(Deserialize)]
pub struct StringList {
    #[serde(default, deserialize_with = "repeated")]
    values: Vec<ProtoString>,
}

impl StringList {
    pub fn values(&self) -> Vec<String> {
        self.values.iter().map(|v| v.0.clone()).collect()
    }
}

/// `Label` (labels.proto).
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Label {
    #[serde(default, deserialize_with = "string")]
    pub key: String,
    #[serde(default, deserialize_with = "string")]
    pub value: String,
}

/// `PolicyType`: "unknown" (0) is "for internal use only".
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum PolicyType {
    Unknown,
    Snapshot,
    QosRateLimit,
}

impl<'de> Deserialize<'de> for PolicyType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        match &value {
            Value::Null => Ok(PolicyType::Unknown),
            Value::String(name) if name == "unknown" => Ok(PolicyType::Unknown),
            Value::String(name) if name == "snapshot" => Ok(PolicyType::Snapshot),
            Value::String(name) if name == "qosRateLimit" => Ok(PolicyType::QosRateLimit),
            Value::Number(n) if n.as_u64() == Some(0) => Ok(PolicyType::Unknown),
            Value::Number(n) if n.as_u64() == Some(1) => Ok(PolicyType::Snapshot),
            Value::Number(n) if n.as_u64() == Some(2) => Ok(PolicyType::QosRateLimit),
            _ => Err(D::Error::custom(format!("unknown value {value} for enum lightbits.api.duros.v2.PolicyType"))),
        }
    }
}

/// `DefaultPolicy`: the JSON names are `policyType` and `policyUUID`, in requests and
/// answers alike.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct DefaultPolicy {
    #[serde(rename = "policyType", default = "unknown_policy")]
    pub policy_type: PolicyType,
    #[serde(rename = "policyUUID", default, deserialize_with = "string")]
    pub policy_uuid: String,
}

fn unknown_policy() -> PolicyType {
    PolicyType::Unknown
}

#[derive(Deserialize)]
pub struct CreateProjectRequest {
    #[serde(default, deserialize_with = "string")]
    pub name: String,
    #[serde(default, deserialize_with = "string")]
    pub description: String,
    #[serde(rename = "defaultPolicies", default, deserialize_with = "repeated")]
    pub default_policies: Vec<DefaultPolicy>,
}

impl ProtoMessage for CreateProjectRequest {
    const NAME: &'static str = "CreateProjectRequest";
    const FIELDS: &'static [&'static str] = &["name", "description", "defaultPolicies"];
}

/// The only documented project update: its default policies. There is no description.
#[derive(Deserialize)]
pub struct UpdateProjectRequest {
    #[serde(rename = "defaultPolicies", default, deserialize_with = "repeated")]
    pub default_policies: Vec<DefaultPolicy>,
}

impl ProtoMessage for UpdateProjectRequest {
    const NAME: &'static str = "UpdateProjectRequest";
    const FIELDS: &'static [&'static str] = &["projectName", "defaultPolicies"];
}

/// `sectorSize`: `SectorSizeEnum` by name, or any number (proto3 enums are open; the
/// server then checks the value).
fn sector_size<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let value = Value::deserialize(deserializer)?;
    match &value {
        Value::Null => Ok(0),
        Value::String(name) if name == "sectorSize_Default" => Ok(0),
        Value::String(name) if name == "sectorSize_512B" => Ok(512),
        Value::String(name) if name == "sectorSize_4K" => Ok(4096),
        Value::Number(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| D::Error::custom("invalid value for enum SectorSizeEnum")),
        _ => Err(D::Error::custom(format!("unknown value {value} for enum SectorSizeEnum"))),
    }
}

/// `LabelValueKeyPair.Key`, by name or number.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlacementKey {
    Unknown,
    #[serde(rename = "FD")]
    FailureDomain,
    #[serde(rename = "PrimaryFD")]
    PrimaryFailureDomain,
    #[serde(rename = "ClusterID")]
    ClusterId,
}

impl<'de> Deserialize<'de> for PlacementKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        match &value {
            Value::Null => Ok(PlacementKey::Unknown),
            Value::String(name) => match name.as_str() {
                "Unknown" => Ok(PlacementKey::Unknown),
                "FD" => Ok(PlacementKey::FailureDomain),
                "PrimaryFD" => Ok(PlacementKey::PrimaryFailureDomain),
                "ClusterID" => Ok(PlacementKey::ClusterId),
                _ => Err(D::Error::custom(format!("unknown value {value} for enum LabelValueKeyPair.Key"))),
            },
            Value::Number(n) => match n.as_u64() {
                Some(0) => Ok(PlacementKey::Unknown),
                Some(1) => Ok(PlacementKey::FailureDomain),
                Some(2) => Ok(PlacementKey::PrimaryFailureDomain),
                Some(3) => Ok(PlacementKey::ClusterId),
                _ => Err(D::Error::custom(format!("unknown value {value} for enum LabelValueKeyPair.Key"))),
            },
            _ => Err(D::Error::custom(format!("unknown value {value} for enum LabelValueKeyPair.Key"))),
        }
    }
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct LabelValueKeyPair {
    #[serde(default = "unknown_key")]
    pub key: PlacementKey,
    #[serde(default, deserialize_with = "string")]
    pub value: String,
}

fn unknown_key() -> PlacementKey {
    PlacementKey::Unknown
}

/// `LabelMatchExpression`: `operator` is `Unknown` (0) or `In` (1).
#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct LabelMatchExpression {
    #[serde(default, deserialize_with = "match_operator")]
    pub operator: String,
    #[serde(rename = "labelValueKeyPairs", default, deserialize_with = "repeated")]
    pub label_value_key_pairs: Vec<LabelValueKeyPair>,
}

fn match_operator<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = Value::deserialize(deserializer)?;
    match &value {
        Value::Null => Ok("Unknown".into()),
        Value::String(name) if name == "Unknown" || name == "In" => Ok(name.clone()),
        Value::Number(n) if n.as_u64() == Some(0) => Ok("Unknown".into()),
        Value::Number(n) if n.as_u64() == Some(1) => Ok("In".into()),
        _ => Err(D::Error::custom(format!("unknown value {value} for enum LabelMatchExpression.Operator"))),
    }
}

#[derive(Deserialize)]
pub struct CreateVolumeRequest {
    #[serde(default, deserialize_with = "string")]
    pub name: String,
    #[serde(default, deserialize_with = "string")]
    pub size: String,
    #[serde(default)]
    pub acl: Option<StringList>,
    #[serde(default, deserialize_with = "string")]
    pub compression: String,
    #[serde(rename = "replicaCount", default, deserialize_with = "uint32")]
    pub replica_count: u32,
    #[serde(rename = "IPAcl", default)]
    pub ip_acl: Option<StringList>,
    #[serde(rename = "sectorSize", default, deserialize_with = "sector_size")]
    pub sector_size: u32,
    #[serde(rename = "projectName", default, deserialize_with = "string")]
    pub project_name: String,
    #[serde(rename = "sourceSnapshotUUID", default, deserialize_with = "string")]
    pub source_snapshot_uuid: String,
    #[serde(rename = "sourceSnapshotName", default, deserialize_with = "string")]
    pub source_snapshot_name: String,
    #[serde(rename = "placementRestrictions", default, deserialize_with = "repeated")]
    pub placement_restrictions: Vec<LabelMatchExpression>,
    #[serde(rename = "qosPolicyUUID", default, deserialize_with = "string")]
    pub qos_policy_uuid: String,
    #[serde(rename = "qosPolicyName", default, deserialize_with = "string")]
    pub qos_policy_name: String,
    #[serde(default, deserialize_with = "repeated")]
    pub labels: Vec<Label>,
}

impl ProtoMessage for CreateVolumeRequest {
    const NAME: &'static str = "CreateVolumeRequest";
    const FIELDS: &'static [&'static str] = &[
        "name",
        "size",
        "acl",
        "compression",
        "replicaCount",
        "IPAcl",
        "minReplicas",
        "sectorSize",
        "projectName",
        "sourceSnapshotUUID",
        "sourceSnapshotName",
        "placementRestrictions",
        "qosPolicyUUID",
        "qosPolicyName",
        "labels",
    ];
}

#[derive(Deserialize)]
pub struct UpdateVolumeRequest {
    #[serde(default)]
    pub acl: Option<StringList>,
    #[serde(rename = "IPAcl", default)]
    pub ip_acl: Option<StringList>,
    #[serde(default, deserialize_with = "string")]
    pub size: String,
    #[serde(default, deserialize_with = "string")]
    pub compression: String,
    #[serde(rename = "projectName", default, deserialize_with = "string")]
    pub project_name: String,
    #[serde(rename = "qosPolicyUUID", default, deserialize_with = "string")]
    pub qos_policy_uuid: String,
    #[serde(rename = "qosPolicyName", default, deserialize_with = "string")]
    pub qos_policy_name: String,
    #[serde(rename = "Force", default, deserialize_with = "boolean")]
    pub force: bool,
    #[serde(default, deserialize_with = "repeated")]
    pub labels: Vec<Label>,
    #[serde(rename = "newName", default, deserialize_with = "string")]
    pub new_name: String,
}

impl ProtoMessage for UpdateVolumeRequest {
    const NAME: &'static str = "UpdateVolumeRequest";
    const FIELDS: &'static [&'static str] = &[
        "UUID",
        "acl",
        "IPAcl",
        "size",
        "compression",
        "projectName",
        "qosPolicyUUID",
        "qosPolicyName",
        "Force",
        "name",
        "labels",
        "newName",
    ];
}

#[derive(Deserialize)]
pub struct CreateSnapshotRequest {
    #[serde(default, deserialize_with = "string")]
    pub name: String,
    #[serde(rename = "sourceVolumeUUID", default, deserialize_with = "string")]
    pub source_volume_uuid: String,
    #[serde(rename = "sourceVolumeName", default, deserialize_with = "string")]
    pub source_volume_name: String,
    /// A `google.protobuf.Duration` ("86400s"); checked by the handler.
    #[serde(rename = "retentionTime", default, deserialize_with = "string")]
    pub retention_time: String,
    #[serde(default, deserialize_with = "string")]
    pub description: String,
}

impl ProtoMessage for CreateSnapshotRequest {
    const NAME: &'static str = "CreateSnapshotRequest";
    const FIELDS: &'static [&'static str] =
        &["name", "sourceVolumeUUID", "sourceVolumeName", "retentionTime", "description", "projectName"];
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn proto3_json_rules() {
        let update: UpdateVolumeRequest =
            serde_json::from_value(json!({"labels": null, "size": null, "Force": true})).expect("valid");
        assert!(update.labels.is_empty() && update.size.is_empty() && update.force);
        assert!(serde_json::from_value::<UpdateVolumeRequest>(json!({"size": 1073741824})).is_err());
        assert!(serde_json::from_value::<UpdateVolumeRequest>(json!({"compression": true})).is_err());
        let create: CreateVolumeRequest =
            serde_json::from_value(json!({"replicaCount": "2", "sectorSize": "sectorSize_512B", "acl": {}}))
                .expect("valid");
        assert_eq!((create.replica_count, create.sector_size), (2, 512));
        assert!(create.acl.is_some_and(|acl| acl.values().is_empty()) && create.ip_acl.is_none());
        let project: UpdateProjectRequest =
            serde_json::from_value(json!({"defaultPolicies": [{"policyType": 2, "policyUUID": "u"}]})).expect("valid");
        assert_eq!(project.default_policies[0].policy_type, PolicyType::QosRateLimit);
        assert_eq!(
            serde_json::to_value(&project.default_policies).expect("serializes"),
            json!([{"policyType": "qosRateLimit", "policyUUID": "u"}])
        );
        assert!(serde_json::from_value::<UpdateProjectRequest>(json!({"defaultPolicies": [{"policyType": "QoS"}]}))
            .is_err());
    }
}

/// `POST /api/v2/cluster/encryption/enable` (EnableClusterEncryptionRequest): where the
/// key-encryption key is kept, `file` (the default) or `tpm`, by name or number.
#[derive(Deserialize)]
pub struct EnableEncryptionRequest {
    #[serde(rename = "keyStore", default)]
    pub key_store: Option<Value>,
}

impl ProtoMessage for EnableEncryptionRequest {
    const NAME: &'static str = "EnableClusterEncryptionRequest";
    const FIELDS: &'static [&'static str] = &["keyStore"];
}
