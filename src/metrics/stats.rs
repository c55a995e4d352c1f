//! Small statistics: percentiles and confidence intervals.

/// The nearest-rank percentile of sorted data: the smallest value with at
/// least `p` percent of the data at or below it. `None` for no data.
pub fn percentile_nearest_rank(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Student's t quantile at 0.975 for `df` degrees of freedom (two-sided 95 %).
pub fn t_quantile_975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df - 1],
        31..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

/// Mean and half-width of the 95 % confidence interval (t distribution).
/// The half-width is `None` with fewer than two values.
pub fn mean_ci95(values: &[f64]) -> (f64, Option<f64>) {
    let n = values.len();
    if n == 0 {
        return (f64::NAN, None);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, None);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, Some(t_quantile_975(n - 1) * (var / n as f64).sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let d: Vec<f64> = (1..=10).map(|x| x as f64).collect();
        assert_eq!(percentile_nearest_rank(&d, 50.0), Some(5.0));
        assert_eq!(percentile_nearest_rank(&d, 95.0), Some(10.0));
        assert_eq!(percentile_nearest_rank(&d, 0.0), Some(1.0));
        assert_eq!(percentile_nearest_rank(&[], 50.0), None);
    }

    #[test]
    fn ci_by_hand() {
        // 1, 2, 3: mean 2, s = 1, half-width = 4.303 × 1/√3.
        let (m, h) = mean_ci95(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert!((h.unwrap() - 4.303 / 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(mean_ci95(&[5.0]).1, None);
    }
}
