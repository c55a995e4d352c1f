//! # podsim
//!
//! A discrete-event simulator of a multi-host container cluster run the way
//! Kubernetes runs one. A scenario declares nodes, workloads and what happens
//! to the cluster (failures, drains, scale-out); podsim replays it under
//! several placement policies and seeds and writes comparable results.
//!
//! ## The picture
//!
//! ```text
//!  scenario.toml ──► scenario::Scenario (validated, typed)
//!                          │
//!                          ▼
//!        simulation::Simulation ── engine (clock, event queue, seeded streams)
//!          │  cluster (nodes, pods)   control (scheduler, node lifecycle, controllers)
//!          │  policy (filters, scorers, profiles: decide, never mutate)
//!          ▼ every change is reported to
//!        metrics::Recorder ──► metrics::RunResult ──► report (CSV, table)
//!  compare: many (policy × seed) runs in parallel, merged in a fixed order
//! ```
//!
//! Data flows one way; nothing downstream reaches back.
//!
//! ## Contracts
//!
//! - **Time** is an integer count of microseconds ([`engine::SimTime`]), never a float.
//! - **Ordering**: events run in `(time, sequence)` order, where the sequence
//!   is the order in which they were scheduled. Events at the same instant run
//!   in the order they were scheduled.
//! - **Determinism**: same scenario and seed give byte-identical outputs,
//!   serial or parallel. Each random consumer draws from its own stream
//!   derived from (seed, name) ([`engine::RngStreams`]); no std `HashMap`
//!   order reaches results; score ties break by the profile's rule.
//! - **Policies decide; the control plane acts.** A [`policy::Filter`] or
//!   [`policy::Scorer`] reads a node, a pod and a read-only
//!   [`policy::ClusterView`] (the cluster with its per-owner topology counts);
//!   only [`control`] changes the cluster.
//!
//! ## Example
//!
//! ```
//! use podsim::scenario::Scenario;
//! use podsim::simulation::run_one;
//!
//! let sc = Scenario::parse(r#"
//!     name = "tiny"
//!     horizon = "10m"
//!     [[pools]]
//!     name = "w"
//!     count = 2
//!     cpu = "2"
//!     memory = "4Gi"
//!     [[services]]
//!     name = "web"
//!     replicas = 3
//!     cpu = "500m"
//!     memory = "512Mi"
//! "#, "tiny.toml").unwrap();
//! let result = run_one(&sc, "spread", 1).unwrap();
//! assert_eq!(result.summary.pods_running_at_end, 3);
//! assert_eq!(result.summary.availability_pct, Some(100.0));
//! ```

pub mod cli;
pub mod cluster;
pub mod compare;
pub mod control;
pub mod engine;
pub mod metrics;
pub mod policy;
pub mod report;
pub mod scenario;
pub mod simulation;
pub mod workload;
