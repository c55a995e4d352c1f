//! balanced: Kubernetes' default profile: prefers emptier nodes whose CPU and memory fill evenly.

use crate::policy::ProfileSpec;

pub const SUMMARY: &str = "Kubernetes' default: LeastAllocated + BalancedAllocation (+ TaintToleration, PodTopologySpread, InterPodAffinity); spreads, keeps CPU and memory even";

pub fn spec() -> ProfileSpec {
    super::scored(
        "balanced",
        SUMMARY,
        &[
            ("least-allocated", 1),
            ("balanced-allocation", 1),
            ("taint-toleration", 3),
        ],
    )
}
