//! Helpers shared by the readers of the public traces that have no header
//! line (Alibaba 2018, Google 2011, Azure VM): telling from a file's first
//! row whether it is the table asked for, and turning the traces' units
//! (normalized fractions, hundredths of a core, gigabytes) into millicores
//! and bytes exactly.

use super::{CsvRows, TraceError};
use std::path::PathBuf;

/// The first row of `files`, read to check that they are the table the
/// format expects. Files with no rows at all are skipped; if every file is
/// empty, or the first row cannot be read, reading stops here.
pub(super) fn first_row(
    files: &[PathBuf],
    table: &str,
) -> Result<(String, u64, csv::StringRecord), TraceError> {
    let first = files
        .first()
        .map(|p| p.display().to_string())
        .ok_or_else(|| TraceError::new("<none>", None, "no file given"))?;
    let mut rows = CsvRows::open(files, false);
    match rows.next_row() {
        Some(Ok((file, line, rec))) => Ok((file, line, rec.clone())),
        Some(Err(b)) if b.line == 0 => Err(TraceError::new(b.file, None, b.message)),
        Some(Err(b)) => Err(TraceError::from(b)),
        None => Err(TraceError::new(
            first,
            None,
            format!("the file is empty: expected rows of {table}"),
        )),
    }
}

/// Whether a field reads as a number (decimal or with an exponent).
pub(super) fn is_number(s: &str) -> bool {
    s.trim().parse::<f64>().is_ok_and(f64::is_finite)
}

/// The value of `raw` (`0.2493`, `12`, or `6.9e-05`) times `num / den`,
/// rounded to the nearest whole unit. Decimals are converted exactly; only
/// a value written with an exponent goes through floating point.
pub(super) fn scaled(raw: &str, column: &str, num: u64, den: u64) -> Result<u64, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(format!("column {column} is empty"));
    }
    if s.starts_with('-') {
        return Err(format!("column {column}: {s:?} is negative"));
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let not_number = || format!("column {column}: {raw:?} is not a valid number");
    let too_large = || format!("column {column}: {raw:?} is too large");
    if let Some((m, scale)) = crate::engine::parse_decimal(s) {
        let top = m.checked_mul(num as u128);
        let bottom = scale.checked_mul(den as u128);
        if let (Some(top), Some(bottom)) = (top, bottom) {
            let v = (top + bottom / 2) / bottom;
            return u64::try_from(v).map_err(|_| too_large());
        }
    }
    let v: f64 = s.parse().map_err(|_| not_number())?;
    if !v.is_finite() || v < 0.0 {
        return Err(not_number());
    }
    let x = (v * num as f64 / den as f64).round();
    if x >= u64::MAX as f64 {
        return Err(too_large());
    }
    Ok(x as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_is_exact_for_decimals() {
        assert_eq!(scaled("0.5", "c", 32_000, 1).unwrap(), 16_000);
        assert_eq!(scaled("1.56", "m", 1 << 30, 100).unwrap(), 16_750_372);
        assert_eq!(scaled("400", "c", 10, 1).unwrap(), 4_000);
        assert_eq!(scaled("6.25e-2", "c", 1000, 1).unwrap(), 63);
        assert!(scaled("", "c", 1, 1)
            .unwrap_err()
            .contains("column c is empty"));
        assert!(scaled("-1", "c", 1, 1).unwrap_err().contains("negative"));
        assert!(scaled("lots", "c", 1, 1)
            .unwrap_err()
            .contains("column c: \"lots\""));
    }
}
