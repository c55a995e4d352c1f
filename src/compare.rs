//! Many runs side by side: every (policy × seed) of a scenario, in parallel
//! with rayon, collected in a fixed order so the outputs never depend on the
//! number of threads.

use crate::metrics::RunResult;
use crate::report::CsvPodSink;
use crate::scenario::Scenario;
use crate::simulation::{RunError, Simulation};
use rayon::prelude::*;
use std::path::Path;
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
/// plan order and each run's wall-clock time in milliseconds. Pod records are
/// kept in memory.
pub fn run_all(
    scenario: &Scenario,
    plans: &[RunPlan],
    jobs: usize,
) -> Result<(Vec<RunResult>, Vec<f64>), RunError> {
    run_all_to(scenario, plans, jobs, None)
}

/// Like [`run_all`], but when `stream_to` names the scenario's output folder,
/// each run streams its pod records to `<folder>/<policy>/seed-<seed>/pods.csv`
/// as pods end instead of keeping them, so memory does not grow with the
/// number of pods the run goes through.
pub fn run_all_to(
    scenario: &Scenario,
    plans: &[RunPlan],
    jobs: usize,
    stream_to: Option<&Path>,
) -> Result<(Vec<RunResult>, Vec<f64>), RunError> {
    // Resolve every policy first so an unknown name fails before any work.
    for p in plans {
        crate::policy::resolve(&p.policy, &scenario.profiles).map_err(RunError::Input)?;
    }
    let work = || -> Result<Vec<(RunResult, f64)>, RunError> {
        plans
            .par_iter()
            .map(|p| {
                let start = Instant::now();
                let mut sim =
                    Simulation::new(scenario, &p.policy, p.seed).map_err(RunError::Input)?;
                if let Some(dir) = stream_to {
                    let path = dir
                        .join(&p.policy)
                        .join(format!("seed-{}", p.seed))
                        .join("pods.csv");
                    let sink =
                        CsvPodSink::create(&path).map_err(|e| RunError::Output(e.to_string()))?;
                    sim = sim.with_pod_sink(Box::new(sink));
                }
                let r = sim.try_finish()?;
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
            .map_err(|e| RunError::Output(format!("cannot start {jobs} worker threads: {e}")))?
            .install(work)?
    };
    Ok(out.into_iter().unzip())
}
