//! Resource amounts: CPU in millicores and memory in bytes, as Kubernetes counts them.
//!
//! Extended resources (GPUs) will join this struct as further fields; every
//! operation below goes field by field so that adding one is a local change.

/// An amount of each resource a node offers or a pod requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Resources {
    /// CPU in millicores: 1000 is one core, `500m` is 500.
    pub cpu_m: u64,
    /// Memory in bytes.
    pub mem: u64,
}

impl Resources {
    pub const ZERO: Resources = Resources { cpu_m: 0, mem: 0 };

    pub const fn new(cpu_m: u64, mem: u64) -> Self {
        Resources { cpu_m, mem }
    }

    /// True when `self` is at least `other` in every resource.
    pub fn covers(&self, other: &Resources) -> bool {
        self.cpu_m >= other.cpu_m && self.mem >= other.mem
    }

    pub fn add(&mut self, other: &Resources) {
        self.cpu_m += other.cpu_m;
        self.mem += other.mem;
    }

    /// Subtracts, saturating at zero (a bug elsewhere must not wrap around).
    pub fn sub(&mut self, other: &Resources) {
        debug_assert!(self.covers(other), "{self:?} - {other:?}");
        self.cpu_m = self.cpu_m.saturating_sub(other.cpu_m);
        self.mem = self.mem.saturating_sub(other.mem);
    }

    pub fn saturating_minus(&self, other: &Resources) -> Resources {
        Resources {
            cpu_m: self.cpu_m.saturating_sub(other.cpu_m),
            mem: self.mem.saturating_sub(other.mem),
        }
    }

    /// The default requests the kube-scheduler assumes for scoring when a pod
    /// requests nothing (100m CPU, 200 MiB memory), so empty pods still spread.
    pub fn non_zero_for_scoring(&self) -> Resources {
        Resources {
            cpu_m: if self.cpu_m == 0 { 100 } else { self.cpu_m },
            mem: if self.mem == 0 { 200 << 20 } else { self.mem },
        }
    }
}

/// Why a quantity string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} quantity {input:?}: {why} (examples: {examples})")]
pub struct QuantityError {
    pub what: &'static str,
    pub input: String,
    pub why: &'static str,
    pub examples: &'static str,
}

/// Parses a CPU quantity as Kubernetes writes it: `4`, `0.5`, `500m` → millicores.
pub fn parse_cpu(input: &str) -> Result<u64, QuantityError> {
    let err = |why| QuantityError {
        what: "cpu",
        input: input.to_string(),
        why,
        examples: "\"4\", \"0.5\", \"500m\"",
    };
    let s = input.trim();
    if s.starts_with('-') {
        return Err(err("must not be negative"));
    }
    let (num, scale_m) = match s.strip_suffix('m') {
        Some(n) => (n, 1u128),
        None => (s, 1000u128),
    };
    let (mantissa, div) = crate::engine::parse_decimal(num).ok_or_else(|| err("not a number"))?;
    let total = mantissa
        .checked_mul(scale_m)
        .ok_or_else(|| err("too large"))?;
    if total % div != 0 {
        return Err(err("finer than a millicore"));
    }
    u64::try_from(total / div).map_err(|_| err("too large"))
}

/// Parses a memory quantity: `16Gi`, `512Mi`, `64Ki`, `1Ti`, `1G`, `500M`, `1000` (bytes) → bytes.
pub fn parse_memory(input: &str) -> Result<u64, QuantityError> {
    let err = |why| QuantityError {
        what: "memory",
        input: input.to_string(),
        why,
        examples: "\"16Gi\", \"512Mi\", \"1.5Gi\", \"1G\"",
    };
    let s = input.trim();
    if s.starts_with('-') {
        return Err(err("must not be negative"));
    }
    const SUFFIXES: [(&str, u128); 10] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("Pi", 1 << 50),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
    ];
    let (num, mult) = SUFFIXES
        .iter()
        .find_map(|(suf, m)| s.strip_suffix(suf).map(|n| (n, *m)))
        .unwrap_or((s, 1));
    if num.ends_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(err(
            "unknown unit (units: Ki, Mi, Gi, Ti, Pi, k, M, G, T, P)",
        ));
    }
    let (mantissa, div) = crate::engine::parse_decimal(num).ok_or_else(|| err("not a number"))?;
    let total = mantissa.checked_mul(mult).ok_or_else(|| err("too large"))?;
    if total % div != 0 {
        return Err(err("not a whole number of bytes"));
    }
    u64::try_from(total / div).map_err(|_| err("too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_quantities() {
        assert_eq!(parse_cpu("4"), Ok(4000));
        assert_eq!(parse_cpu("500m"), Ok(500));
        assert_eq!(parse_cpu("0.25"), Ok(250));
        assert_eq!(parse_cpu("1.5"), Ok(1500));
        assert!(parse_cpu("-1").is_err());
        assert!(parse_cpu("0.0001").is_err());
        assert!(parse_cpu("four").is_err());
        assert!(parse_cpu("").is_err());
    }

    #[test]
    fn memory_quantities() {
        assert_eq!(parse_memory("16Gi"), Ok(16 << 30));
        assert_eq!(parse_memory("512Mi"), Ok(512 << 20));
        assert_eq!(parse_memory("1.5Gi"), Ok(3 << 29));
        assert_eq!(parse_memory("1G"), Ok(1_000_000_000));
        assert_eq!(parse_memory("1000"), Ok(1000));
        assert!(parse_memory("16GB").is_err());
        assert!(parse_memory("-1Gi").is_err());
    }

    #[test]
    fn non_zero_defaults_for_scoring() {
        let r = Resources::ZERO.non_zero_for_scoring();
        assert_eq!(r, Resources::new(100, 200 << 20));
        let r = Resources::new(7, 9).non_zero_for_scoring();
        assert_eq!(r, Resources::new(7, 9));
    }
}
