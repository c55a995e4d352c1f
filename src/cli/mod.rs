//! The command line: argument parsing, the commands, and exit codes.
//!
//! Exit codes: 0 success; 2 bad input (a scenario that does not validate, an
//! unknown policy, bad arguments); 1 anything else (for example, an output
//! folder that cannot be written).

use crate::compare::{plan, run_all_to};
use crate::report::{comparison_table, write_scenario_outputs};
use crate::scenario::Scenario;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub mod trace;

/// The built-in scenario `podsim demo` runs.
pub const DEMO_SCENARIO: &str = include_str!("../../scenarios/node-failure.toml");

#[derive(Parser, Debug)]
#[command(
    name = "podsim",
    version,
    about = "A discrete-event simulator of a Kubernetes-like container cluster: scenarios in, comparable results out."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario under each of its policies and seeds; write CSVs and print a comparison.
    Run {
        /// The scenario file (TOML; see docs/scenario-format.md).
        scenario: PathBuf,
        /// Policies to compare, replacing the scenario's list (repeat the flag).
        #[arg(long = "policy", value_name = "NAME")]
        policies: Vec<String>,
        /// Run K consecutive seeds starting at the scenario's seed.
        #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        seeds: u32,
        /// Replace the scenario's seed.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Folder for the outputs; results go to <out>/<scenario name>/.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Runs at once (default: all cores). Outputs are identical whatever the number.
        #[arg(long, value_name = "N", default_value_t = 0)]
        jobs: usize,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the built-in demo scenario (a node fails and the control plane heals it); writes <out>/demo/.
    Demo {
        #[arg(long, default_value = "output")]
        out: PathBuf,
        #[arg(long, value_name = "N", default_value_t = 0)]
        jobs: usize,
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check scenario files without running them.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the built-in policies, one line each.
    Policies,
    /// Look into a cluster trace, convert it, or generate one from a scenario (see docs/traces.md).
    Trace {
        #[command(subcommand)]
        command: trace::TraceCommand,
    },
}

/// An error with the exit code it deserves.
#[derive(Debug)]
pub enum CliError {
    /// Bad input: exit 2.
    Input(String),
    /// Anything else: exit 1.
    Failure(String),
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 2,
            CliError::Failure(_) => 1,
        }
    }
    pub fn message(&self) -> &str {
        match self {
            CliError::Input(m) | CliError::Failure(m) => m,
        }
    }
}

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run {
            scenario,
            policies,
            seeds,
            seed,
            out,
            jobs,
            quiet,
        } => {
            let sc = Scenario::load(&scenario).map_err(|e| CliError::Input(e.to_string()))?;
            run_scenario(&sc, &policies, seeds, seed, &out, jobs, quiet)
        }
        Command::Demo { out, jobs, quiet } => {
            let mut sc = Scenario::parse(
                DEMO_SCENARIO,
                "<built-in demo: scenarios/node-failure.toml>",
            )
            .map_err(|e| {
                CliError::Failure(format!("the built-in demo does not validate (a bug): {e}"))
            })?;
            sc.name = "demo".to_string();
            if !quiet {
                println!("podsim demo: {}\n", sc.description);
            }
            run_scenario(&sc, &[], 1, None, &out, jobs, quiet)
        }
        Command::Validate { files } => {
            let mut failed = Vec::new();
            for f in &files {
                match Scenario::load(f) {
                    Ok(sc) => println!(
                        "ok: {} ({}: {} pools, {} services, {} jobs, {} events, policies {})",
                        f.display(),
                        sc.name,
                        sc.pools.len(),
                        sc.services.len(),
                        sc.jobs.len(),
                        sc.events.len(),
                        sc.policies.join(", ")
                    ),
                    Err(e) => failed.push(e.to_string()),
                }
            }
            match failed.len() {
                0 => Ok(()),
                1 => Err(CliError::Input(failed.remove(0))),
                n => {
                    for e in &failed {
                        eprintln!("error: {e}");
                    }
                    Err(CliError::Input(format!(
                        "{n} of {} scenario files did not validate",
                        files.len()
                    )))
                }
            }
        }
        Command::Policies => {
            let w = crate::policy::builtins()
                .iter()
                .map(|b| b.name.len())
                .max()
                .unwrap_or(0);
            for b in crate::policy::builtins() {
                println!("{:<w$}  {}", b.name, b.summary);
            }
            Ok(())
        }
        Command::Trace { command } => trace::execute(command),
    }
}

fn run_scenario(
    sc: &Scenario,
    policies: &[String],
    seeds: u32,
    seed: Option<u64>,
    out: &std::path::Path,
    jobs: usize,
    quiet: bool,
) -> Result<(), CliError> {
    let policies: Vec<String> = if policies.is_empty() {
        sc.policies.clone()
    } else {
        let mut v: Vec<String> = Vec::new();
        for p in policies {
            if !crate::policy::is_known(p, &sc.profiles) {
                return Err(CliError::Input(format!(
                    "--policy: {}",
                    crate::policy::unknown_policy_message(p, &sc.profiles)
                )));
            }
            if !v.contains(p) {
                v.push(p.clone());
            }
        }
        v
    };
    let first = seed.unwrap_or(sc.seed);
    let seed_list: Vec<u64> = (0..seeds as u64).map(|k| first.wrapping_add(k)).collect();
    let plans = plan(&policies, &seed_list);
    if !quiet {
        eprintln!(
            "running {}: {} policies x {} seeds, horizon {}",
            sc.name,
            policies.len(),
            seed_list.len(),
            sc.horizon
        );
    }
    let dir = out.join(&sc.name);
    // A summary left by an earlier run must not sit beside this run's files
    // if this one fails half-way.
    let _ = std::fs::remove_file(dir.join("summary.csv"));
    let (results, wall) = run_all_to(sc, &plans, jobs, Some(&dir)).map_err(|e| match e {
        crate::simulation::RunError::Input(m) => CliError::Input(m),
        crate::simulation::RunError::Output(m) => CliError::Failure(m),
    })?;
    let dir = write_scenario_outputs(out, sc, &results, &wall)
        .map_err(|e| CliError::Failure(e.to_string()))?;
    if !quiet {
        // What each trace read is the same in every run of a seed; show the first run's.
        if let Some(first) = results.first() {
            for e in first.log.iter().filter(|e| e.kind == "trace-read") {
                eprintln!("trace {}: {}", e.subject, e.detail);
            }
        }
        println!("{}", comparison_table(&results));
        println!(
            "wrote {}/ (summary.csv, services.csv, timings.csv, <policy>/seed-<seed>/{{pods,timeseries,nodes,pools,events}}.csv; docs/outputs.md explains them)",
            dir.display()
        );
    }
    Ok(())
}
