//! Outputs for people and tools: CSV files and the terminal comparison table.
//! It reads results; it knows nothing of the simulation's internals.

mod csv_out;
mod table;

pub use csv_out::{
    write_run, write_scenario_outputs, AtomicFile, AtomicWriter, CsvPodSink, OutputError,
    POD_COLUMNS, SERVICE_COLUMNS,
};
pub use table::{comparison_table, PolicyStats, TABLE_METRICS};
