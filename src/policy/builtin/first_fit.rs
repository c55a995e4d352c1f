//! first-fit: prefers the lowest-numbered node that fits.

use crate::policy::{ProfileSpec, Select};

pub const SUMMARY: &str =
    "the lowest-numbered node that fits; packs the first nodes, deterministic";

pub fn spec() -> ProfileSpec {
    super::unscored("first-fit", SUMMARY, Select::FirstFit)
}
