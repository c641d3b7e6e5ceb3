//! The simulator's own reading of values the API validates. Deliberately independent of
//! the provider's parsers (`crate::engine::normalize`), so that a bug there shows up as a
//! refusal here instead of being mirrored.

use std::net::IpAddr;

/// Names of projects, volumes and snapshots, and label keys and values:
/// `^[a-zA-Z0-9-_\.]{1,253}$` (proto `CreateVolumeRequest.name`, `labels.proto`).
pub fn is_valid_name(name: &str) -> bool {
    (1..=253).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// A volume size in bytes. The proto types it as a string and says only "Volume size.";
/// the catalog (§4.5.25) shows a byte count (CSI) and `"10 gib"` (Cinder). Units are
/// read case-insensitively, binary (KiB..PiB) and decimal (KB..PB); which spellings the
/// real API accepts beyond those two examples is not documented. Fractions are refused.
pub fn size_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        "pib" => 1 << 50,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "pb" => 1_000_000_000_000_000,
        _ => return None,
    };
    let bytes = number.parse::<u64>().ok()?.checked_mul(multiplier)?;
    (bytes > 0).then_some(bytes)
}

/// A `google.protobuf.Duration` in proto3 JSON: decimal seconds with an `s` suffix and at
/// most nine fractional digits, e.g. `"86400s"` or `"1.5s"`. Anything else (`"24h"`,
/// `"86400"`) fails to unmarshal on the real gateway.
pub fn duration_seconds(text: &str) -> Option<f64> {
    let number = text.strip_suffix('s')?;
    let unsigned = number.strip_prefix('-').unwrap_or(number);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.len() <= 9
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok {
        return None;
    }
    number.parse().ok()
}

/// The volume `compression` string: "true/enable/enabled/false/disable/disabled" (proto
/// comment), empty meaning the default (disabled). The Cinder driver sends "True"/"False",
/// so case is ignored.
pub fn compression(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "enable" | "enabled" => Some(true),
        "" | "false" | "disable" | "disabled" => Some(false),
        _ => None,
    }
}

/// One `IPAcl` entry: "list of valid IP addresses/ALLOW_ANY/ALLOW_NONE" (proto). Whether
/// the API also takes CIDR ranges is not documented; they are refused here, as is any
/// address that does not parse (e.g. "999.999.999.999").
pub fn is_valid_ip_acl_entry(entry: &str) -> bool {
    matches!(entry, "ALLOW_ANY" | "ALLOW_NONE") || entry.parse::<IpAddr>().is_ok()
}

/// One host `acl` entry: host NQNs, `ALLOW_ANY` or `ALLOW_NONE`. The documents give no
/// NQN syntax the API enforces, so only empty and blank-containing entries are refused.
pub fn is_valid_host_acl_entry(entry: &str) -> bool {
    !entry.is_empty() && !entry.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size_bytes("1073741824"), Some(1 << 30));
        assert_eq!(size_bytes("10 gib"), Some(10 << 30));
        assert_eq!(size_bytes("10GiB"), Some(10 << 30));
        assert_eq!(size_bytes("2 GB"), Some(2_000_000_000));
        for bad in ["", "0", "0 GiB", "1.5GiB", "-1", "GiB", "10 parsecs", "99999999999999999999"] {
            assert_eq!(size_bytes(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("86400s"), Some(86400.0));
        assert_eq!(duration_seconds("1.5s"), Some(1.5));
        for bad in ["86400", "24h", "s", ".5s", "1.1234567890s", "1e3s"] {
            assert_eq!(duration_seconds(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn acl_entries_and_names() {
        assert!(is_valid_ip_acl_entry("10.0.0.1"));
        assert!(is_valid_ip_acl_entry("fe80::1"));
        assert!(is_valid_ip_acl_entry("ALLOW_NONE"));
        assert!(!is_valid_ip_acl_entry("999.999.999.999"));
        assert!(!is_valid_ip_acl_entry("10.0.0.0/24"));
        assert!(!is_valid_ip_acl_entry("allow_any"));
        assert!(is_valid_name("a-b_c.d"));
        assert!(!is_valid_name("a b"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name(&"x".repeat(254)));
        assert_eq!(compression("True"), Some(true));
        assert_eq!(compression("maybe"), None);
    }
}
