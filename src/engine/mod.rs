//! The discrete-event engine: integer simulated time, an event queue ordered by
//! `(time, sequence)`, and seeded random streams. It knows nothing of Kubernetes,
//! resources or files.

mod queue;
mod rng;
mod time;

pub use queue::EventQueue;
pub use rng::{stream_seed, RngStreams, SimRng};
pub(crate) use time::parse_decimal;
pub use time::{format_duration, parse_duration, SimTime, TimeParseError};
