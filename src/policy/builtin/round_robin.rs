//! round-robin: prefers the next node after the one used last, wrapping around.

use crate::policy::{ProfileSpec, Select};

pub const SUMMARY: &str =
    "the next feasible node after the last one used, wrapping around; even pod counts";

pub fn spec() -> ProfileSpec {
    super::unscored("round-robin", SUMMARY, Select::RoundRobin)
}
