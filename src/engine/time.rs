//! Simulated time: integer microseconds, never floats.
//!
//! Float time drifts and makes ties ambiguous; integer microseconds are exact,
//! order totally, and a `u64` holds over 500,000 years of them.

use std::fmt;

/// An instant or a span of simulated time, in whole microseconds.
///
/// The same type serves for instants ("at 30 m") and spans ("a grace of 40 s")
/// because the simulator only ever adds spans to instants and subtracts
/// instants; keeping one type avoids a conversion at every timer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);
    pub const MICROS_PER_SEC: u64 = 1_000_000;

    pub const fn from_micros(us: u64) -> Self {
        SimTime(us)
    }
    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms * 1_000)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s * Self::MICROS_PER_SEC)
    }
    pub const fn from_mins(m: u64) -> Self {
        SimTime(m * 60 * Self::MICROS_PER_SEC)
    }
    pub const fn from_hours(h: u64) -> Self {
        SimTime(h * 3600 * Self::MICROS_PER_SEC)
    }
    /// Converts a non-negative number of seconds, rounding to the nearest
    /// microsecond; used only where a random draw yields float seconds.
    pub fn from_secs_f64(s: f64) -> Self {
        if !s.is_finite() || s <= 0.0 {
            return SimTime(0);
        }
        let us = (s * Self::MICROS_PER_SEC as f64).round();
        if us >= u64::MAX as f64 {
            SimTime(u64::MAX)
        } else {
            SimTime(us as u64)
        }
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Seconds as a float, for output and statistics only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / Self::MICROS_PER_SEC as f64
    }
    pub fn saturating_add(self, other: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(other.0))
    }
    pub fn saturating_sub(self, other: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(other.0))
    }
    /// Multiplies a span by a whole number, saturating.
    pub fn saturating_mul(self, k: u64) -> SimTime {
        SimTime(self.0.saturating_mul(k))
    }
}

impl std::ops::Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        self.saturating_add(rhs)
    }
}

impl std::ops::Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        self.saturating_sub(rhs)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(*self))
    }
}

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {input:?}: {why} (examples: 500ms, 90s, 5m, 2h, 3d, 1.5h)")]
pub struct TimeParseError {
    pub input: String,
    pub why: &'static str,
}

/// Parses a human duration: a non-negative decimal number followed by a unit
/// `us`, `ms`, `s`, `m`, `h` or `d` (`500ms`, `90s`, `5m`, `2h`, `3d`, `1.5h`),
/// or several such parts added up (`1h30m`, `1m30s`). The result must be a
/// whole number of microseconds.
pub fn parse_duration(input: &str) -> Result<SimTime, TimeParseError> {
    let err = |why| TimeParseError {
        input: input.to_string(),
        why,
    };
    let mut rest = input.trim();
    if rest.starts_with('-') {
        return Err(err("must not be negative"));
    }
    if rest.is_empty() {
        return Err(err("empty"));
    }
    let mut total_us: u128 = 0;
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| err("missing unit"))?;
        let (num, after) = rest.split_at(split);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let unit_us: u128 = match unit.trim() {
            "us" | "µs" => 1,
            "ms" => 1_000,
            "s" => 1_000_000,
            "m" | "min" => 60_000_000,
            "h" => 3_600_000_000,
            "d" => 86_400_000_000,
            _ => return Err(err("unknown unit")),
        };
        let (mantissa, scale) = parse_decimal(num).ok_or_else(|| err("not a number"))?;
        let part = mantissa
            .checked_mul(unit_us)
            .ok_or_else(|| err("too large"))?;
        if part % scale != 0 {
            return Err(err("finer than a microsecond"));
        }
        total_us = total_us
            .checked_add(part / scale)
            .ok_or_else(|| err("too large"))?;
        rest = next;
    }
    u64::try_from(total_us)
        .map(SimTime)
        .map_err(|_| err("too large"))
}

/// Parses `digits[.digits]` into (mantissa, 10^fraction_digits).
pub(crate) fn parse_decimal(num: &str) -> Option<(u128, u128)> {
    if num.is_empty() || num == "." {
        return None;
    }
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if int.len() + frac.len() > 30 {
        return None;
    }
    let digits = format!("{int}{frac}");
    let mantissa: u128 = digits.parse().ok()?;
    let scale = 10u128.checked_pow(frac.len() as u32)?;
    Some((mantissa, scale))
}

/// Formats a duration compactly and exactly: `0s`, `90s` → `1m30s`, `2h`, `1d2h`, `1.5s` → `1500ms`.
pub fn format_duration(t: SimTime) -> String {
    let us = t.0;
    if us == 0 {
        return "0s".into();
    }
    if !us.is_multiple_of(1_000_000) {
        return if us.is_multiple_of(1_000) {
            format!("{}ms", us / 1_000)
        } else {
            format!("{us}us")
        };
    }
    let mut s = us / 1_000_000;
    let mut out = String::new();
    for (unit, len) in [("d", 86_400u64), ("h", 3_600), ("m", 60), ("s", 1)] {
        if s >= len {
            out.push_str(&format!("{}{unit}", s / len));
            s %= len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_units() {
        assert_eq!(parse_duration("500ms"), Ok(SimTime::from_millis(500)));
        assert_eq!(parse_duration("90s"), Ok(SimTime::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(SimTime::from_mins(5)));
        assert_eq!(parse_duration("2h"), Ok(SimTime::from_hours(2)));
        assert_eq!(parse_duration("3d"), Ok(SimTime::from_hours(72)));
        assert_eq!(parse_duration("1.5h"), Ok(SimTime::from_mins(90)));
        assert_eq!(parse_duration("0s"), Ok(SimTime::ZERO));
    }

    #[test]
    fn rejects_bad_durations() {
        for bad in [
            "",
            "5",
            "-5m",
            "5 parsecs",
            "1.2.3s",
            "abc",
            "0.0000001s",
            "99999999999999999d",
            "5m3",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn formats_round_trip() {
        for s in ["1m30s", "2h", "1d2h", "1500ms", "0s", "7us"] {
            let t = parse_duration(s).unwrap();
            assert_eq!(format_duration(t), s);
        }
    }
}
