//! binpack: prefers the fullest node that still fits (MostAllocated), packing pods tightly.

use crate::policy::ProfileSpec;

pub const SUMMARY: &str =
    "MostAllocated: the fullest node that still fits; fewer busy nodes, larger blast radius";

pub fn spec() -> ProfileSpec {
    super::scored(
        "binpack",
        SUMMARY,
        &[("most-allocated", 1), ("taint-toleration", 3)],
    )
}
