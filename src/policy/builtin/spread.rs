//! spread: prefers the node with the most free CPU and memory (LeastAllocated).

use crate::policy::ProfileSpec;

pub const SUMMARY: &str = "LeastAllocated: the node with the most free CPU and memory; small blast radius, more nodes busy";

pub fn spec() -> ProfileSpec {
    super::scored(
        "spread",
        SUMMARY,
        &[("least-allocated", 1), ("taint-toleration", 3)],
    )
}
