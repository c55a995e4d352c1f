//! The comparison table printed at the end of a run: one row per policy,
//! each metric's mean over seeds with its 95 % confidence half-width.

use crate::metrics::{mean_ci95, RunResult};

/// (column in summary.csv, heading, decimals) of the metrics the table shows.
pub const TABLE_METRICS: &[(&str, &str, usize)] = &[
    ("pods_completed", "completed", 0),
    ("pods_pending_at_end", "pending", 0),
    ("pods_failed", "failed", 0),
    ("wait_mean_s", "wait mean s", 1),
    ("wait_p95_s", "wait p95 s", 1),
    ("availability_pct", "avail %", 2),
    ("cpu_alloc_mean_pct", "cpu alloc %", 1),
    ("imbalance_mean", "imbalance", 1),
    ("lost_work_core_s", "lost core-s", 0),
    ("node_hours", "node-h", 1),
];

/// One metric of one policy across seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyStats {
    pub policy: String,
    pub seeds: usize,
    /// Per metric in [`TABLE_METRICS`]: (mean, CI half-width), `None` when no seed has a value.
    pub metrics: Vec<Option<(f64, Option<f64>)>>,
}

/// Groups results by policy (in first-seen order) and computes each metric's mean and CI.
pub fn policy_stats(results: &[RunResult]) -> Vec<PolicyStats> {
    let mut policies: Vec<&str> = Vec::new();
    for r in results {
        if !policies.contains(&r.policy.as_str()) {
            policies.push(&r.policy);
        }
    }
    policies
        .into_iter()
        .map(|p| {
            let runs: Vec<&RunResult> = results.iter().filter(|r| r.policy == p).collect();
            let metrics = TABLE_METRICS
                .iter()
                .map(|(col, _, _)| {
                    let vals: Vec<f64> = runs.iter().filter_map(|r| r.summary.value(col)).collect();
                    (!vals.is_empty()).then(|| mean_ci95(&vals))
                })
                .collect();
            PolicyStats {
                policy: p.to_string(),
                seeds: runs.len(),
                metrics,
            }
        })
        .collect()
}

/// The table as text, ready to print.
pub fn comparison_table(results: &[RunResult]) -> String {
    let stats = policy_stats(results);
    let mut header = vec!["policy".to_string(), "seeds".to_string()];
    header.extend(TABLE_METRICS.iter().map(|(_, h, _)| h.to_string()));
    let mut rows = vec![header];
    for s in &stats {
        let mut row = vec![s.policy.clone(), s.seeds.to_string()];
        for (m, (_, _, dec)) in s.metrics.iter().zip(TABLE_METRICS) {
            row.push(match m {
                None => "-".to_string(),
                Some((mean, None)) => format!("{mean:.dec$}"),
                Some((mean, Some(h))) => format!("{mean:.dec$}±{h:.dec$}"),
            });
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c == 0 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            out.push('\n');
        }
    }
    if stats.iter().any(|s| s.seeds > 1) {
        out.push_str(
            "values are means over seeds; ± is the 95% confidence half-width (Student's t)\n",
        );
    }
    out
}
