//! Instants as the APIs and configurations spell them. Shared by the engine (semantic equality of
//! instants) and the simulators, which must not depend on the engine.

/// An RFC 3339 date-time (`2026-12-31T23:59:59+01:00`, `...Z`, an optional fraction).
pub fn parse_rfc3339(text: &str) -> Option<time::OffsetDateTime> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::try_from(number(0..4)?).ok()?, month, u8::try_from(number(8..10)?).ok()?)
            .ok()?;
    let mut rest = text.get(19..)?;
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        nanos = format!("{:0<9}", &fraction[..digits.min(9)]).parse().ok()?;
        rest = &fraction[digits..];
    }
    let clock = time::Time::from_hms_nano(
        u8::try_from(number(11..13)?).ok()?,
        u8::try_from(number(14..16)?).ok()?,
        u8::try_from(number(17..19)?).ok()?,
        nanos,
    )
    .ok()?;
    let offset = match rest {
        "Z" | "z" => time::UtcOffset::UTC,
        _ => {
            let sign: i8 = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let hours = i8::try_from(rest.get(1..3)?.parse::<u8>().ok()?).ok()?;
            let minutes = i8::try_from(rest.get(4..6)?.parse::<u8>().ok()?).ok()?;
            time::UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
        }
    };
    Some(time::PrimitiveDateTime::new(date, clock).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339;

    #[test]
    fn offsets_and_fractions_parse_and_malformed_text_does_not() {
        let utc = parse_rfc3339("2021-12-31T22:59:59Z").expect("utc");
        assert_eq!(parse_rfc3339("2021-12-31T23:59:59+01:00"), Some(utc));
        assert_eq!(parse_rfc3339("2021-12-31T23:59:59.000+01:00"), Some(utc));
        assert!(parse_rfc3339("2021-12-31T23:59:59.5Z").is_some_and(|t| t.millisecond() == 500));
        for bad in [
            "2021-12-31",
            "2021-13-01T00:00:00Z",
            "2021-12-31T23:59:59",
            "2021-12-31T23:59:59+0100",
            "2021-12-31T23:59:0\u{e9}Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
