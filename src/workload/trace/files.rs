//! Opening trace files: plain or gzipped, single files or globs of part files,
//! read row by row with line numbers.

use super::{BadRow, TraceError};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Opens a file for reading, decompressing it on the fly if its name ends in `.gz`.
pub fn open_text(path: &Path) -> Result<Box<dyn Read + Send>, TraceError> {
    let name = path.display().to_string();
    let f =
        File::open(path).map_err(|e| TraceError::new(&name, None, format!("cannot open: {e}")))?;
    let buf = BufReader::with_capacity(1 << 16, f);
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(buf)))
    } else {
        Ok(Box::new(buf))
    }
}

/// Expands a path relative to `base`: a directory means every file in it, a
/// `*` in the last component matches any run of characters; the result is
/// sorted by name. An expansion that matches nothing is an error.
pub fn expand_paths(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let full = base.join(pattern);
    if full.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&full)
            .map_err(|e| format!("cannot list {}: {e}", full.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(format!("the folder {} holds no files", full.display()));
        }
        return Ok(v);
    }
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if !name.contains('*') {
        if full.is_file() {
            return Ok(vec![full]);
        }
        return Err(format!("no file {}", full.display()));
    }
    let dir = full.parent().unwrap_or(Path::new("."));
    let parts: Vec<&str> = name.split('*').collect();
    let matches = |n: &str| {
        let mut rest = n;
        for (i, p) in parts.iter().enumerate() {
            if i == 0 {
                match rest.strip_prefix(p) {
                    Some(r) => rest = r,
                    None => return false,
                }
            } else if i == parts.len() - 1 {
                return rest.ends_with(p);
            } else {
                match rest.find(p) {
                    Some(k) => rest = &rest[k + p.len()..],
                    None => return false,
                }
            }
        }
        true
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| matches(&n.to_string_lossy())))
        .collect();
    v.sort();
    if v.is_empty() {
        return Err(format!("no file matches {}", full.display()));
    }
    Ok(v)
}

/// CSV rows of one or more files in order, with each row's file and line.
/// Rows of the wrong width are passed on: readers decide what is bad.
pub struct CsvRows {
    files: std::collections::VecDeque<PathBuf>,
    current: Option<(String, csv::Reader<Box<dyn Read + Send>>)>,
    has_header: bool,
    record: csv::StringRecord,
    /// The first file's header: every later part file must have the same.
    first_header: Option<csv::StringRecord>,
}

impl CsvRows {
    /// Reads `files` one after another; with `has_header`, the first line of
    /// each file is a header and is checked by `check_header`.
    pub fn open(files: &[PathBuf], has_header: bool) -> Self {
        CsvRows {
            files: files.iter().cloned().collect(),
            current: None,
            has_header,
            record: csv::StringRecord::new(),
            first_header: None,
        }
    }

    /// The header of the first file, for formats that have one.
    pub fn header(files: &[PathBuf]) -> Result<csv::StringRecord, TraceError> {
        let Some(first) = files.first() else {
            return Err(TraceError::new("<none>", None, "no file given"));
        };
        let name = first.display().to_string();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(open_text(first)?);
        r.headers()
            .cloned()
            .map_err(|e| TraceError::new(&name, Some(1), format!("cannot read the header: {e}")))
    }

    /// The next row: `(file, line, fields)`. A row the CSV layer cannot read
    /// (bad quoting, invalid UTF-8) comes back as a bad row.
    #[allow(clippy::type_complexity)]
    pub fn next_row(&mut self) -> Option<Result<(String, u64, &csv::StringRecord), BadRow>> {
        loop {
            if self.current.is_none() {
                let path = self.files.pop_front()?;
                let name = path.display().to_string();
                let reader = match open_text(&path) {
                    Ok(r) => r,
                    Err(e) => {
                        return Some(Err(BadRow {
                            file: name,
                            line: 0,
                            message: e.message,
                            left_out: false,
                        }))
                    }
                };
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(self.has_header)
                    .flexible(true)
                    .trim(csv::Trim::All)
                    .from_reader(reader);
                if self.has_header {
                    // A part file whose columns differ would be misread row
                    // by row: skip it whole, as one bad row.
                    let header = r.headers().cloned().unwrap_or_default();
                    match &self.first_header {
                        None => self.first_header = Some(header),
                        Some(first) if *first != header => {
                            return Some(Err(BadRow {
                                file: name,
                                line: 1,
                                message: format!(
                                    "its header {:?} differs from the first file's {:?}; the file is skipped",
                                    header.iter().collect::<Vec<_>>().join(","),
                                    first.iter().collect::<Vec<_>>().join(",")
                                ),
                                left_out: false,
                            }));
                        }
                        Some(_) => {}
                    }
                }
                self.current = Some((name, r));
            }
            let (name, reader) = self.current.as_mut()?;
            match reader.read_record(&mut self.record) {
                Ok(true) => {
                    let line = self.record.position().map_or(0, |p| p.line());
                    return Some(Ok((name.clone(), line, &self.record)));
                }
                Ok(false) => self.current = None,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    let file = name.clone();
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        self.current = None;
                    }
                    return Some(Err(BadRow {
                        file,
                        line,
                        message: format!("unreadable row: {e}"),
                        left_out: false,
                    }));
                }
            }
        }
    }
}

/// Parses a field as a number, naming the column on failure.
pub fn field<T: std::str::FromStr>(
    rec: &csv::StringRecord,
    i: usize,
    column: &str,
) -> Result<T, String> {
    let raw = rec
        .get(i)
        .ok_or_else(|| format!("missing column {column} (field {})", i + 1))?;
    raw.trim()
        .parse()
        .map_err(|_| format!("column {column}: {raw:?} is not a valid number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["part-00001.csv.gz", "part-00000.csv.gz", "other.txt"] {
            std::fs::write(dir.path().join(n), b"").unwrap();
        }
        let v = expand_paths(dir.path(), "part-*.csv.gz").unwrap();
        let names: Vec<_> = v
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, ["part-00000.csv.gz", "part-00001.csv.gz"]);
        assert_eq!(expand_paths(dir.path(), ".").unwrap().len(), 3);
        assert!(expand_paths(dir.path(), "nothing-*.csv").is_err());
        assert!(expand_paths(dir.path(), "missing.csv").is_err());
    }

    #[test]
    fn part_files_with_another_header_are_skipped_whole() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        let c = dir.path().join("c.csv");
        std::fs::write(&a, "x,y\n1,2\n").unwrap();
        std::fs::write(&b, "y,x\n3,4\n").unwrap();
        std::fs::write(&c, "x,y\n5,6\n").unwrap();
        let mut rows = CsvRows::open(&[a, b, c], true);
        let mut seen = Vec::new();
        while let Some(r) = rows.next_row() {
            seen.push(match r {
                Ok((_, line, rec)) => format!("{line}:{}", rec.get(0).unwrap()),
                Err(b) => format!("bad {}:{}", b.line, b.file.ends_with("b.csv")),
            });
        }
        assert_eq!(seen, ["2:1", "bad 1:true", "2:5"]);
    }

    #[test]
    fn reads_gzip_and_plain_with_line_numbers() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.csv");
        std::fs::write(&plain, "1,2\n3,4\n").unwrap();
        let gz = dir.path().join("b.csv.gz");
        let mut enc =
            flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::fast());
        enc.write_all(b"5,6\n").unwrap();
        enc.finish().unwrap();
        let mut rows = CsvRows::open(&[plain, gz], false);
        let mut seen = Vec::new();
        while let Some(r) = rows.next_row() {
            let (f, line, rec) = r.unwrap();
            seen.push((f.ends_with(".gz"), line, rec.get(0).unwrap().to_string()));
        }
        assert_eq!(
            seen,
            [
                (false, 1, "1".into()),
                (false, 2, "3".into()),
                (true, 1, "5".into())
            ]
        );
    }
}
