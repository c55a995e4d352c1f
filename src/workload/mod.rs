//! Workloads: synthetic generators (arrival processes, duration
//! distributions) and readers of real cluster traces. It knows nothing of the
//! scheduler.

pub mod synthetic;
pub mod trace;

pub use synthetic::{first_arrival, mean_secs, next_gap, sample_duration};
