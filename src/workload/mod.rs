//! Workloads: synthetic generators (arrival processes, duration
//! distributions, size mixes) and readers of real cluster traces. It knows
//! nothing of the scheduler.

pub mod load;
pub mod synthetic;
pub mod trace;

pub use synthetic::{mean_secs, sample_duration, GeneratedTask, JobGenerator};
