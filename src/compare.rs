//! Many runs side by side: every (policy × seed) of a scenario, in parallel
//! with rayon, collected in a fixed order so the outputs never depend on the
//! number of threads.

use crate::metrics::RunResult;
use crate::scenario::Scenario;
use crate::simulation::Simulation;
use rayon::prelude::*;
use std::time::Instant;

/// One run to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunPlan {
    pub policy: String,
    pub seed: u64,
}

/// The runs for `policies` × `seeds`, policy-major (the order of summary.csv).
pub fn plan(policies: &[String], seeds: &[u64]) -> Vec<RunPlan> {
    policies
        .iter()
        .flat_map(|p| {
            seeds.iter().map(move |s| RunPlan {
                policy: p.clone(),
                seed: *s,
            })
        })
        .collect()
}

/// Runs every plan, `jobs` at a time (0 = all cores). Returns the results in
/// plan order and each run's wall-clock time in milliseconds.
pub fn run_all(
    scenario: &Scenario,
    plans: &[RunPlan],
    jobs: usize,
) -> Result<(Vec<RunResult>, Vec<f64>), String> {
    // Resolve every policy first so an unknown name fails before any work.
    for p in plans {
        crate::policy::resolve(&p.policy, &scenario.profiles)?;
    }
    let work = || -> Result<Vec<(RunResult, f64)>, String> {
        plans
            .par_iter()
            .map(|p| {
                let start = Instant::now();
                let r = Simulation::new(scenario, &p.policy, p.seed)?.run();
                Ok((r, start.elapsed().as_secs_f64() * 1e3))
            })
            .collect()
    };
    let out = if jobs == 0 {
        work()?
    } else {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .map_err(|e| format!("cannot start {jobs} worker threads: {e}"))?
            .install(work)?
    };
    Ok(out.into_iter().unzip())
}
