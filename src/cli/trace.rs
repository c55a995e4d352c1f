//! `podsim trace ...`: look into a trace and convert it. The work is in
//! [`crate::workload::trace::stats`] and [`crate::workload::trace::convert`];
//! this file only parses arguments, opens files and prints.

use super::CliError;
use crate::cluster::{parse_cpu, parse_memory};
use crate::engine::parse_duration;
use crate::report::AtomicWriter;
use crate::workload::trace::convert::{convert_nodes, convert_pods, ConvertError, ConvertOptions};
use crate::workload::trace::stats::{collect, StatsOptions};
use crate::workload::trace::{
    expand_paths, open_nodes, open_pods, ReplayOptions, Scales, TraceFiles, TraceFormat,
};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum TraceCommand {
    /// Read a trace once and print what it holds: counts, bad rows, time span,
    /// arrivals over time, request and run-time percentiles, kinds, priorities, machines.
    Stats(StatsArgs),
    /// Convert a trace to podsim's own format (streaming; see docs/traces.md).
    Convert(ConvertArgs),
    /// Write the workload a scenario's jobs would submit (OUT/pods.csv) and its nodes and node events (OUT/nodes.csv) as a podsim trace.
    Generate {
        /// The scenario file.
        scenario: PathBuf,
        /// The folder to write pods.csv and nodes.csv into (created if needed).
        out: PathBuf,
        /// Replace the scenario's seed.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
    },
}

/// Which trace, and how to read its normalized figures.
#[derive(Args, Debug)]
pub struct TraceInput {
    /// The pods file: a file, a folder of part files, or a quoted glob such as 'part-*.csv.gz'.
    pub file: String,
    /// The trace's format.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(TraceFormat::NAMES))]
    pub format: String,
    /// The machine file (or folder, or quoted glob), for formats that have one.
    #[arg(long, value_name = "FILE")]
    pub nodes: Option<String>,
    /// What a normalized CPU of 1.0 stands for, in cores ("32") or millicores ("500m"). Default 32.
    #[arg(long, value_name = "CPU")]
    pub cpu_scale: Option<String>,
    /// What a normalized memory of 1.0 stands for ("128Gi"). Default 128Gi.
    #[arg(long, value_name = "MEMORY")]
    pub memory_scale: Option<String>,
    /// Items a replay may hold to restore time order (the scenario's `reorder-window`).
    #[arg(long, value_name = "N", default_value_t = ReplayOptions::default().reorder_window as u32,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub reorder_window: u32,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub input: TraceInput,
    /// Also write the figures as CSV (section,name,value,unit,note) to this file.
    #[arg(long, value_name = "OUT")]
    pub csv: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub input: TraceInput,
    /// The format to write.
    #[arg(long, value_name = "FORMAT", default_value = "podsim",
          value_parser = clap::builder::PossibleValuesParser::new(["podsim"]))]
    pub to: String,
    /// The pods file to write (written under a temporary name, renamed when complete).
    pub out: PathBuf,
    /// The machine-event file to write (needs --nodes).
    #[arg(long, value_name = "OUT2", requires = "nodes")]
    pub nodes_out: Option<PathBuf>,
    /// Leave out items before this trace time, and make it time 0 ("2h", "90s").
    #[arg(long, value_name = "DURATION")]
    pub from: Option<String>,
    /// Leave out items after this trace time.
    #[arg(long, value_name = "DURATION")]
    pub until: Option<String>,
    /// Stop at the first bad row instead of counting and skipping it.
    #[arg(long)]
    pub strict: bool,
    /// The most pods held while waiting for a run time that a later end record gives.
    #[arg(long, value_name = "N", default_value_t = ConvertOptions::default().hold_limit)]
    pub hold_limit: usize,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Expands a path given on the command line like a scenario's (folder, glob).
fn expand(pattern: &str, what: &str) -> Result<Vec<PathBuf>, CliError> {
    // A glob in the current folder needs "." to list; anything else is taken as given.
    let base = if pattern.contains('*') && !pattern.contains('/') {
        Path::new(".")
    } else {
        Path::new("")
    };
    let v = expand_paths(base, pattern).map_err(|e| CliError::Input(format!("{what}: {e}")))?;
    Ok(v.into_iter()
        .map(|p| p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p))
        .collect())
}

impl TraceInput {
    fn format(&self) -> Result<TraceFormat, CliError> {
        TraceFormat::parse(&self.format).ok_or_else(|| {
            CliError::Input(format!(
                "unknown trace format {:?} (known: {})",
                self.format,
                TraceFormat::NAMES.join(", ")
            ))
        })
    }

    fn files(&self, format: TraceFormat) -> Result<TraceFiles, CliError> {
        let pods = expand(&self.file, "FILE")?;
        let nodes = match &self.nodes {
            None => Vec::new(),
            Some(n) => {
                if !format.has_machines() {
                    return Err(CliError::Input(format!(
                        "--nodes: the {format} format has no machine file"
                    )));
                }
                expand(n, "--nodes")?
            }
        };
        Ok(TraceFiles { pods, nodes })
    }

    fn scales(&self) -> Result<Scales, CliError> {
        let d = Scales::default();
        let cpu_m = match &self.cpu_scale {
            None => d.cpu_m,
            Some(s) => parse_cpu(s).map_err(|e| CliError::Input(format!("--cpu-scale: {e}")))?,
        };
        let memory = match &self.memory_scale {
            None => d.memory,
            Some(s) => {
                parse_memory(s).map_err(|e| CliError::Input(format!("--memory-scale: {e}")))?
            }
        };
        if cpu_m == 0 || memory == 0 {
            return Err(CliError::Input(
                "--cpu-scale and --memory-scale must be more than zero".into(),
            ));
        }
        Ok(Scales { cpu_m, memory })
    }
}

pub fn execute(cmd: TraceCommand) -> Result<(), CliError> {
    match cmd {
        TraceCommand::Stats(a) => stats(a),
        TraceCommand::Convert(a) => convert(a),
        TraceCommand::Generate {
            scenario,
            out,
            seed,
        } => generate(&scenario, &out, seed),
    }
}

fn generate(scenario: &Path, out: &Path, seed: Option<u64>) -> Result<(), CliError> {
    let sc =
        crate::scenario::Scenario::load(scenario).map_err(|e| CliError::Input(e.to_string()))?;
    let seed = seed.unwrap_or(sc.seed);
    let w = crate::workload::synthetic::export::write_trace(&sc, seed, out)
        .map_err(CliError::Failure)?;
    print!("{}", w.report(out, seed));
    Ok(())
}

fn stats(a: StatsArgs) -> Result<(), CliError> {
    let format = a.input.format()?;
    let files = a.input.files(format)?;
    let opts = StatsOptions {
        scales: a.input.scales()?,
        reorder_window: a.input.reorder_window as usize,
    };
    let s = collect(format, &files, &opts).map_err(|e| CliError::Input(e.to_string()))?;
    print!("{}", s.render());
    if let Some(out) = &a.csv {
        let fail = |e: &dyn std::fmt::Display| CliError::Failure(e.to_string());
        let mut w = AtomicWriter::create(out).map_err(|e| fail(&e))?;
        s.write_csv(&mut w)
            .map_err(|e| fail(&format!("cannot write {}: {e}", out.display())))?;
        w.commit().map_err(|e| fail(&e))?;
        println!("\nwrote {}", out.display());
    }
    Ok(())
}

fn convert(a: ConvertArgs) -> Result<(), CliError> {
    let format = a.input.format()?;
    let files = a.input.files(format)?;
    let scales = a.input.scales()?;
    if a.input.nodes.is_some() && a.nodes_out.is_none() {
        return Err(CliError::Input(
            "--nodes needs --nodes-out: the file to write the machine events to".into(),
        ));
    }
    if a.nodes_out.as_deref() == Some(a.out.as_path()) {
        return Err(CliError::Input(
            "--nodes-out must differ from the pods output".into(),
        ));
    }
    let dur = |s: &Option<String>, flag: &str| -> Result<Option<_>, CliError> {
        s.as_deref()
            .map(|s| parse_duration(s).map_err(|e| CliError::Input(format!("{flag}: {e}"))))
            .transpose()
    };
    let from = dur(&a.from, "--from")?.unwrap_or_default();
    let until = dur(&a.until, "--until")?;
    if until.is_some_and(|u| u <= from) {
        return Err(CliError::Input("--until must come after --from".into()));
    }
    let opts = ConvertOptions {
        replay: ReplayOptions {
            from,
            until,
            strict: a.strict,
            reorder_window: a.input.reorder_window as usize,
            ..ReplayOptions::default()
        },
        hold_limit: a.hold_limit.max(1),
    };
    let input = |e: crate::workload::trace::TraceError| CliError::Input(e.to_string());
    let stream = open_pods(format, &files, &scales).map_err(input)?;
    let nodes = open_nodes(format, &files, &scales).map_err(input)?;

    let failure = |e: &dyn std::fmt::Display| CliError::Failure(e.to_string());
    let converted = |e: ConvertError, path: &Path| match e {
        ConvertError::Trace(t) => CliError::Input(t.to_string()),
        ConvertError::Io(e) => CliError::Failure(format!("cannot write {}: {e}", path.display())),
    };
    let w = AtomicWriter::create(&a.out).map_err(|e| failure(&e))?;
    let (w, mut report) = convert_pods(stream, &opts, 0, w).map_err(|e| converted(e, &a.out))?;
    let mut nodes_w = None;
    if let (Some(stream), Some(path)) = (nodes, &a.nodes_out) {
        let nw = AtomicWriter::create(path).map_err(|e| failure(&e))?;
        let (nw, read, written) =
            convert_nodes(stream, &opts, nw).map_err(|e| converted(e, path))?;
        report.machines_read = Some(read);
        report.machine_events_written = written;
        nodes_w = Some(nw);
    }
    // Both files appear only when both are complete.
    w.commit().map_err(|e| failure(&e))?;
    if let Some(nw) = nodes_w {
        nw.commit().map_err(|e| failure(&e))?;
    }
    if !a.quiet {
        println!("{}", report.describe());
        print!("wrote {}", a.out.display());
        if let Some(p) = &a.nodes_out {
            print!(" and {}", p.display());
        }
        println!();
    }
    Ok(())
}
