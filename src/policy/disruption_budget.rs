//! PodDisruptionBudgets: how many of a service's pods must stay healthy
//! through voluntary disruptions (descheduler evictions, drains).
//!
//! Kubernetes checks a budget in the eviction API: an eviction that would
//! take the healthy pods below `minAvailable` is refused (HTTP 429), and the
//! caller may retry later. Involuntary losses (a node dies, the node
//! lifecycle controller evicts from a NotReady node, a node is removed) and a
//! controller deleting its own surplus pods do not go through that API and
//! ignore budgets.

use std::fmt;

/// A budget's `minAvailable`: a count of pods, or a percentage of the
/// controller's desired replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinAvailable {
    Count(u32),
    /// Whole percent, 0–100.
    Percent(u32),
}

impl MinAvailable {
    /// The number of healthy pods the budget requires when the controller
    /// wants `desired` replicas. A percentage rounds up, as Kubernetes'
    /// disruption controller does (`GetScaledValueFromIntOrPercent(..., true)`).
    pub fn required(self, desired: u32) -> u32 {
        match self {
            MinAvailable::Count(n) => n,
            MinAvailable::Percent(p) => (p as u64 * desired as u64).div_ceil(100) as u32,
        }
    }
}

impl fmt::Display for MinAvailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MinAvailable::Count(n) => write!(f, "{n}"),
            MinAvailable::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// Would the eviction API let a pod go? `healthy` counts the budget's pods
/// that are running (Ready) and not being deleted; `required` is
/// [`MinAvailable::required`].
///
/// A healthy pod may go only if one fewer healthy pod still meets the
/// budget (`disruptionsAllowed ≥ 1`). A pod that is not healthy yet (still
/// starting) may go while the service is not disrupted (`healthy ≥
/// required`): the default `unhealthyPodEvictionPolicy: IfHealthyBudget`.
pub fn eviction_allowed(required: u32, healthy: u32, pod_is_healthy: bool) -> bool {
    if pod_is_healthy {
        healthy > required
    } else {
        healthy >= required
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up() {
        assert_eq!(MinAvailable::Percent(50).required(5), 3);
        assert_eq!(MinAvailable::Percent(80).required(10), 8);
        assert_eq!(MinAvailable::Percent(1).required(10), 1);
        assert_eq!(MinAvailable::Percent(0).required(10), 0);
        assert_eq!(MinAvailable::Percent(100).required(7), 7);
        assert_eq!(MinAvailable::Count(4).required(2), 4);
    }

    #[test]
    fn healthy_pods_need_a_spare_unhealthy_ones_a_whole_budget() {
        assert!(eviction_allowed(2, 3, true));
        assert!(!eviction_allowed(2, 2, true));
        assert!(eviction_allowed(2, 2, false));
        assert!(!eviction_allowed(2, 1, false));
        assert!(eviction_allowed(0, 0, false));
        assert!(!eviction_allowed(0, 0, true));
    }
}
