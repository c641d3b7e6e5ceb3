//! Parsers behind semantic equality: byte sizes ("10GiB" = "10 GiB" = 10737418240) and
//! durations ("1h30m", "86400s").

/// Reads a boolean in the spellings APIs and environment variables use: true/false,
/// 1/0, yes/no, enable(d)/disable(d), any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "enable" | "enabled" => Some(true),
        "false" | "0" | "no" | "disable" | "disabled" => Some(false),
        _ => None,
    }
}

/// Parses a byte size: a plain byte count, or a number with a binary (KiB..PiB) or
/// decimal (KB..PB) unit, case-insensitive, with optional space: "10GiB", "10 gib", "512MiB".
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("a size must not be empty".into());
    }
    if t.starts_with('-') {
        return Err(format!("{s:?} is negative; a size must be positive"));
    }
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let mult: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kib" | "ki" => 1 << 10,
        "m" | "mib" | "mi" => 1 << 20,
        "g" | "gib" | "gi" => 1 << 30,
        "t" | "tib" | "ti" => 1 << 40,
        "p" | "pib" | "pi" => 1 << 50,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "pb" => 1_000_000_000_000_000,
        _ => return Err(format!("{s:?} has an unknown unit {unit:?}; use a byte count or KiB, MiB, GiB, TiB, PiB")),
    };
    if num.is_empty() {
        return Err(format!("{s:?} has no number; expected e.g. \"10GiB\" or \"10737418240\""));
    }
    let bytes = if num.contains('.') {
        let f: f64 = num.parse().map_err(|_| format!("{s:?} is not a valid size"))?;
        let b = f * mult as f64;
        if b.fract() != 0.0 || b > u64::MAX as f64 {
            return Err(format!("{s:?} is not a whole number of bytes"));
        }
        b as u64
    } else {
        let n: u64 = num.parse().map_err(|_| format!("{s:?} is too large"))?;
        n.checked_mul(mult).ok_or_else(|| format!("{s:?} is too large"))?
    };
    if bytes == 0 {
        return Err(format!("{s:?} is zero; a size must be positive"));
    }
    Ok(bytes)
}

/// The canonical spelling of a byte count: the largest binary unit that divides it
/// exactly ("20GiB", "512MiB"), else the plain number. Used for sizes read from the API
/// with no prior value (import), so that the usual configuration spelling matches.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 5] = [("PiB", 50), ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)];
    for (unit, shift) in UNITS {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    bytes.to_string()
}

/// The canonical spelling of a whole number of seconds in the largest Go duration unit
/// that divides it ("24h", "90m", "45s"): what durations read from the API look like.
pub fn format_duration_secs(secs: u64) -> String {
    if secs >= 3600 && secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// Parses a Go-style duration ("30s", "20m", "1h30m", "1.5h") or a bare number of
/// seconds into seconds.
pub fn parse_duration_secs(s: &str) -> Result<f64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("a duration must not be empty".into());
    }
    if let Ok(n) = t.parse::<f64>() {
        return Ok(n);
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let n_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if n_end == 0 {
            return Err(format!("{s:?} is not a duration; expected e.g. \"30s\", \"20m\" or \"1h30m\""));
        }
        let n: f64 = rest[..n_end].parse().map_err(|_| format!("{s:?} is not a duration"))?;
        rest = &rest[n_end..];
        let u_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let factor = match &rest[..u_end] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            u => return Err(format!("{s:?} has an unknown unit {u:?}; use ms, s, m, h or d")),
        };
        total += n * factor;
        rest = &rest[u_end..];
    }
    Ok(total)
}

/// The longest duration accepted anywhere (timeouts, request limits): a year. Larger
/// values are typing mistakes, and would overflow clock arithmetic.
pub const MAX_DURATION_SECS: f64 = 366.0 * 86400.0;

pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let secs = parse_duration_secs(s)?;
    if secs < 0.0 || !secs.is_finite() {
        return Err(format!("{s:?} must be a positive duration"));
    }
    if secs > MAX_DURATION_SECS {
        return Err(format!("{s:?} is longer than a year; use a duration such as \"30m\" or \"2h\""));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_every_accepted_spelling() {
        let gib10 = 10 * (1u64 << 30);
        for s in ["10GiB", "10 GiB", "10gib", "10 gib", "10G", "10737418240", "10737418240B"] {
            assert_eq!(parse_size(s), Ok(gib10), "{s}");
        }
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1TiB"), Ok(1 << 40));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
    }

    #[test]
    fn canonical_size_spelling() {
        assert_eq!(format_size(20 << 30), "20GiB");
        assert_eq!(format_size(512 << 20), "512MiB");
        assert_eq!(format_size(1 << 40), "1TiB");
        assert_eq!(format_size(1536 << 20), "1536MiB");
        assert_eq!(format_size(1000), "1000");
        for b in [1u64, 4096, 3 << 29, 10 << 30] {
            assert_eq!(parse_size(&format_size(b)), Ok(b));
        }
    }

    #[test]
    fn bad_sizes_say_why() {
        assert!(parse_size("").unwrap_err().contains("empty"));
        assert!(parse_size("10 parsecs").unwrap_err().contains("unknown unit"));
        assert!(parse_size("GiB").unwrap_err().contains("no number"));
        assert!(parse_size("0").unwrap_err().contains("positive"));
        assert!(parse_size("-1GiB").unwrap_err().contains("negative"));
        assert!(parse_size("99999999999999999999").unwrap_err().contains("too large"));
        assert!(parse_size("20000000PiB").unwrap_err().contains("too large"));
    }

    #[test]
    fn canonical_duration_spelling() {
        assert_eq!(format_duration_secs(86400), "24h");
        assert_eq!(format_duration_secs(5400), "90m");
        assert_eq!(format_duration_secs(45), "45s");
        assert_eq!(format_duration_secs(0), "0s");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_secs("86400s"), Ok(86400.0));
        assert_eq!(parse_duration_secs("1h30m"), Ok(5400.0));
        assert_eq!(parse_duration_secs("24h"), Ok(86400.0));
        assert_eq!(parse_duration_secs("90"), Ok(90.0));
        assert_eq!(parse_duration_secs("250ms"), Ok(0.25));
        assert!(parse_duration_secs("soon").is_err());
        assert!(parse_duration_secs("5x").is_err());
    }

    #[test]
    fn huge_durations_are_refused_not_panicked_on() {
        for s in ["1e20", "100000000000000000000", "1e19", "9999999999h", "400d"] {
            assert!(parse_duration(s).unwrap_err().contains("longer than a year"), "{s}");
        }
        assert!(parse_duration("-5s").is_err());
        assert_eq!(parse_duration("365d").unwrap().as_secs(), 365 * 86400);
    }
}
