//! Typed values in a scenario file (durations, CPU, memory, rates), parsed
//! while the TOML is read so that a bad value is reported at its own line.

use crate::cluster::{parse_cpu, parse_memory};
use crate::engine::{parse_duration, SimTime};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// A duration such as `"90s"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dur(pub SimTime);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a duration string such as \"500ms\", \"90s\", \"5m\", \"2h\" or \"3d\"",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
                parse_duration(v).map(Dur).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
                if v == 0 {
                    Ok(Dur(SimTime::ZERO))
                } else if v < 0 {
                    Err(E::custom(format!(
                        "invalid duration {v}: must not be negative"
                    )))
                } else {
                    Err(E::custom(format!(
                        "a duration needs a unit: write \"{v}s\" or \"{v}m\" (units: ms, s, m, h, d)"
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A CPU amount in millicores: `4`, `0.5`, `"4"`, `"500m"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu(pub u64);

impl<'de> Deserialize<'de> for Cpu {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Cpu;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a CPU quantity such as \"4\", \"0.5\" or \"500m\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cpu, E> {
                parse_cpu(v).map(Cpu).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cpu, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cpu, E> {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(E::custom(format!(
                        "invalid cpu quantity {v}: must be a non-negative number"
                    )));
                }
                let m = v * 1000.0;
                if (m - m.round()).abs() > 1e-6 {
                    return Err(E::custom(format!(
                        "invalid cpu quantity {v}: finer than a millicore"
                    )));
                }
                Ok(Cpu(m.round() as u64))
            }
        }
        d.deserialize_any(V)
    }
}

/// A memory amount in bytes: `"16Gi"`, `"512Mi"`, or a whole number of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mem(pub u64);

impl<'de> Deserialize<'de> for Mem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Mem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a memory quantity such as \"16Gi\" or \"512Mi\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Mem, E> {
                parse_memory(v).map(Mem).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Mem, E> {
                self.visit_str(&v.to_string())
            }
        }
        d.deserialize_any(V)
    }
}

/// An event rate, `"2/m"`, `"0.5/s"`, `"120/h"`, `"10/d"`, kept as events per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate(pub f64);

/// Parses a rate such as `"2/m"` into events per second.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let bad =
        |why: &str| format!("invalid rate {s:?}: {why} (examples: \"2/m\", \"0.5/s\", \"120/h\")");
    let (num, unit) = s
        .trim()
        .split_once('/')
        .ok_or_else(|| bad("needs a unit after '/'"))?;
    let per_s = match unit.trim() {
        "s" => 1.0,
        "m" | "min" => 1.0 / 60.0,
        "h" => 1.0 / 3600.0,
        "d" => 1.0 / 86400.0,
        _ => return Err(bad("unknown unit (s, m, h, d)")),
    };
    let n: f64 = num.trim().parse().map_err(|_| bad("not a number"))?;
    if !(n.is_finite() && n > 0.0) {
        return Err(bad("must be positive"));
    }
    Ok(n * per_s)
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_rate(&s).map(Rate).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("2/m").unwrap(), 2.0 / 60.0);
        assert_eq!(parse_rate("0.5/s").unwrap(), 0.5);
        assert!(parse_rate("2").is_err());
        assert!(parse_rate("0/m").is_err());
        assert!(parse_rate("-1/m").is_err());
        assert!(parse_rate("2/fortnight").is_err());
    }
}
