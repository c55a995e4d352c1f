//! Synthetic workloads: when a job's tasks arrive, how long each runs and
//! what it asks for, drawn from the job's own seeded streams.
//!
//! [`JobGenerator`] is the one place this is decided. The simulation's job
//! controller creates pods from it, and `podsim trace generate` writes the
//! same tasks to a podsim trace ([`export`]), so a synthetic run and the
//! replay of its trace submit identical pods.
//!
//! Streams (see [`crate::engine::RngStreams`]), per job `<name>`:
//! - `job/<name>/arrivals`: every draw of the arrival process (gaps,
//!   thinning, on/off periods);
//! - `job/<name>/durations`: one run time per task;
//! - `job/<name>/sizes`: one draw per task, only for a `sizes` table of two
//!   or more entries;
//! - `job/<name>/durations/reservoir`: which trace values an empirical
//!   distribution keeps, drawn once when the scenario is read.

mod arrival;
mod dist;
pub mod export;

pub use dist::{describe_files, load_empirical, mean_secs, sample_duration};

use crate::engine::{RngStreams, SimRng, SimTime};
use crate::scenario::{Arrival, DurationDist, Job};
use crate::workload::trace::TraceError;
use arrival::ArrivalSampler;
use rand::RngExt;

/// One task of a job, as the generator draws it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeneratedTask {
    /// Numbered from 0 in arrival order.
    pub task: u32,
    pub submit: SimTime,
    /// How long it runs once started.
    pub work: SimTime,
    /// Index into the job's [`Job::sizes`].
    pub size: usize,
}

/// Draws one job's tasks in arrival order.
pub struct JobGenerator {
    count: u32,
    at_once: bool,
    process: ArrivalSampler,
    arrivals: SimRng,
    dist: DurationDist,
    durations: SimRng,
    /// Cumulative size weights; a draw only when there are two or more.
    cumulative: Vec<f64>,
    sizes: Option<SimRng>,
    issued: u32,
    /// The next arrival: its time and how many tasks it still brings.
    next: Option<(SimTime, u32)>,
}

impl JobGenerator {
    /// Sets up the job's streams under `seed` and draws its first arrival.
    /// Fails only if a trace the arrival process reads cannot be opened.
    pub fn new(job: &Job, seed: u64) -> Result<Self, TraceError> {
        let streams = RngStreams::new(seed);
        let mut arrivals = streams.stream(&format!("job/{}/arrivals", job.name));
        let durations = streams.stream(&format!("job/{}/durations", job.name));
        let sizes =
            (job.sizes.len() > 1).then(|| streams.stream(&format!("job/{}/sizes", job.name)));
        let mut total = 0.0;
        let cumulative = job
            .sizes
            .iter()
            .map(|s| {
                total += s.weight;
                total
            })
            .collect();
        let mut process = ArrivalSampler::new(&job.arrival, seed)?;
        let at_once = matches!(job.arrival, Arrival::AtOnce { .. });
        let next = if job.count > 0 {
            process
                .first(&mut arrivals)?
                .map(|t| (t, if at_once { job.count } else { 1 }))
        } else {
            None
        };
        Ok(JobGenerator {
            count: job.count,
            at_once,
            process,
            arrivals,
            dist: job.duration.clone(),
            durations,
            cumulative,
            sizes,
            issued: 0,
            next,
        })
    }

    /// When the next tasks arrive and how many arrive together then (all of
    /// them for `at-once`, otherwise one); `None` once every task has arrived
    /// or the process has no more arrivals.
    pub fn peek(&self) -> Option<(SimTime, u32)> {
        self.next
    }

    /// Draws the next task of the arrival [`peek`](Self::peek) shows: its run
    /// time, then its size. After the last task of that arrival it draws the
    /// next arrival (reading the trace, for a trace process).
    pub fn take(&mut self) -> Result<Option<GeneratedTask>, TraceError> {
        let Some((at, left)) = self.next else {
            return Ok(None);
        };
        let work = sample_duration(&self.dist, &mut self.durations);
        let size = match &mut self.sizes {
            Some(rng) => {
                let total = self.cumulative.last().copied().unwrap_or(0.0);
                let u = rng.random::<f64>() * total;
                self.cumulative
                    .iter()
                    .position(|&c| u < c)
                    .unwrap_or(self.cumulative.len() - 1)
            }
            None => 0,
        };
        let task = GeneratedTask {
            task: self.issued,
            submit: at,
            work,
            size,
        };
        self.issued += 1;
        self.next = if left > 1 {
            Some((at, left - 1))
        } else if self.issued < self.count && !self.at_once {
            self.process.next(at, &mut self.arrivals)?.map(|t| (t, 1))
        } else {
            None
        };
        Ok(Some(task))
    }

    /// For a trace process: what it read, for the event log.
    pub fn trace_stats(&self) -> Option<String> {
        self.process.trace_stats()
    }
}
