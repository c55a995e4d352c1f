//! Profiles: a named set of filters, weighted scorers and a selection rule.

use super::{Filter, Scorer};

/// How the scheduler picks among feasible nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// Highest weighted score wins (kube-scheduler).
    BestScore,
    /// The lowest-numbered feasible node.
    FirstFit,
    /// The first feasible node after the one chosen last, wrapping around.
    RoundRobin,
    /// A feasible node uniformly at random (seeded).
    Random,
}

impl Select {
    pub const NAMES: &'static [&'static str] =
        &["best-score", "first-fit", "round-robin", "random"];
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "best-score" => Some(Self::BestScore),
            "first-fit" => Some(Self::FirstFit),
            "round-robin" => Some(Self::RoundRobin),
            "random" => Some(Self::Random),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::BestScore => "best-score",
            Self::FirstFit => "first-fit",
            Self::RoundRobin => "round-robin",
            Self::Random => "random",
        }
    }
}

/// How equal best scores are broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TieBreak {
    /// Uniformly among the best, from the scheduler's own seeded stream (kube-scheduler).
    Random,
    /// The lowest node id among the best.
    LowestIndex,
}

impl TieBreak {
    pub const NAMES: &'static [&'static str] = &["random", "lowest-id"];
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "random" => Some(Self::Random),
            "lowest-id" => Some(Self::LowestIndex),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Random => "random",
            Self::LowestIndex => "lowest-id",
        }
    }
}

/// A profile as written (by name), before its plugins are built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSpec {
    pub name: String,
    pub description: String,
    pub filters: Vec<String>,
    /// (scorer name, weight).
    pub scorers: Vec<(String, i64)>,
    pub select: Select,
    pub tie_break: TieBreak,
    /// Share of nodes to search for feasible ones; 0 = Kubernetes' adaptive default.
    pub percentage_of_nodes_to_score: u32,
    /// Run DefaultPreemption when a pod fits nowhere (Kubernetes' default: on).
    pub preemption: bool,
}

/// A profile with its plugins built, ready to schedule.
pub struct Profile {
    pub name: String,
    pub filters: Vec<Box<dyn Filter>>,
    pub scorers: Vec<(Box<dyn Scorer>, i64)>,
    pub select: Select,
    pub tie_break: TieBreak,
    pub percentage_of_nodes_to_score: u32,
    pub preemption: bool,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field(
                "filters",
                &self.filters.iter().map(|x| x.name()).collect::<Vec<_>>(),
            )
            .field(
                "scorers",
                &self
                    .scorers
                    .iter()
                    .map(|(s, w)| (s.name(), *w))
                    .collect::<Vec<_>>(),
            )
            .field("select", &self.select)
            .finish()
    }
}

impl Profile {
    /// How many feasible nodes to look for before scoring, as kube-scheduler's
    /// `numFeasibleNodesToFind`: every node below 100 nodes; otherwise the
    /// percentage (adaptive default `max(5, 50 − nodes/125)`) of the nodes,
    /// but never fewer than 100.
    pub fn feasible_nodes_to_find(&self, nodes: usize) -> usize {
        const MIN_FEASIBLE: usize = 100;
        if nodes < MIN_FEASIBLE || self.percentage_of_nodes_to_score >= 100 {
            return nodes;
        }
        let pct = if self.percentage_of_nodes_to_score == 0 {
            (50i64 - (nodes as i64) / 125).max(5) as usize
        } else {
            self.percentage_of_nodes_to_score as usize
        };
        (nodes * pct / 100).max(MIN_FEASIBLE)
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::resolve;

    #[test]
    fn adaptive_share_of_nodes_matches_kubernetes() {
        let p = resolve("balanced", &[]).unwrap();
        assert_eq!(p.feasible_nodes_to_find(50), 50);
        assert_eq!(p.feasible_nodes_to_find(100), 100); // 49% of 100 < 100 → 100
        assert_eq!(p.feasible_nodes_to_find(1000), 420); // 50 - 8 = 42%
        assert_eq!(p.feasible_nodes_to_find(5000), 500); // 50 - 40 = 10%
        assert_eq!(p.feasible_nodes_to_find(10000), 500); // floor at 5%
    }
}
