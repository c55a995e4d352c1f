//! A service's `load` curve and `hpa` table, exactly as written.

use crate::scenario::values::{Cpu, Dur};
use serde::Deserialize;
use toml::Spanned;

/// `load = { curve = ..., ... }` on a service.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLoad {
    pub curve: Spanned<String>,
    // constant
    pub cores: Option<Spanned<Cpu>>,
    // steps
    pub steps: Option<Spanned<Vec<RawLoadStep>>>,
    // diurnal
    pub mean: Option<Spanned<Cpu>>,
    pub amplitude: Option<Spanned<f64>>,
    pub peak: Option<Spanned<Dur>>,
    pub hourly: Option<Spanned<Vec<f64>>>,
    pub time_of_day: Option<Spanned<Dur>>,
    // csv
    pub file: Option<Spanned<String>>,
}

/// One `{ at, cores }` entry of a `steps` curve.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLoadStep {
    pub at: Spanned<Dur>,
    pub cores: Spanned<Cpu>,
}

/// `hpa = { ... }` (or `[services.hpa]`) on a service.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawHpa {
    pub target_cpu_utilization: Spanned<i64>,
    pub min_replicas: Option<Spanned<u32>>,
    pub max_replicas: Spanned<u32>,
    pub scale_up: Option<Spanned<RawScalingRules>>,
    pub scale_down: Option<Spanned<RawScalingRules>>,
}

/// `scale-up` or `scale-down` of an `hpa` (Kubernetes' `behavior`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawScalingRules {
    pub stabilization: Option<Spanned<Dur>>,
    pub select: Option<Spanned<String>>,
    pub policies: Option<Spanned<Vec<Spanned<RawScalingPolicy>>>>,
}

/// One `{ pods | percent, period }` scaling policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawScalingPolicy {
    pub pods: Option<Spanned<u32>>,
    pub percent: Option<Spanned<u32>>,
    pub period: Spanned<Dur>,
}
