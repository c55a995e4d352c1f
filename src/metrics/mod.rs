//! Observations: the recorder that the control plane notifies of every state
//! change, and the records and summary built from it at the end of a run.
//! It knows nothing of charts or files.

mod pools;
mod recorder;
mod records;
mod service_load;
mod services;
mod stats;
mod summary;

pub use pools::{pool_records, PoolRecord};
pub use recorder::{LogEntry, Recorder, Sample, SkewTotals};
pub use records::{assemble, MemorySink, NodeRecord, PodRecord, PodSink, RunResult, ServiceSpread};
pub use service_load::ServiceSample;
pub use services::{RecoverySummary, ServiceHealth, ServiceRecord};
pub use stats::{mean_ci95, percentile_nearest_rank, t_quantile_975};
pub use summary::{SummaryRow, SUMMARY_COLUMNS};
