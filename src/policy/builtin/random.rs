//! random: no preference; a feasible node uniformly at random from a seeded stream.

use crate::policy::{ProfileSpec, Select};

pub const SUMMARY: &str =
    "a feasible node uniformly at random (seeded); the baseline any policy should beat";

pub fn spec() -> ProfileSpec {
    super::unscored("random", SUMMARY, Select::Random)
}
