//! Reading a recording back: the header first, then one line at a time, every error naming its
//! line. A recording is untrusted input: lines are bounded and nothing in one can panic.

use std::io::{BufRead, Read};

use super::line::{FORMAT, Header, Line, VERSION};

/// The longest line read (a 1 MiB frame fits many times over, whatever its escaping).
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Why a recording cannot be read (or a line written). Every error about a line names it (1-based).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordingError {
    /// There is no header line.
    #[error("the recording is empty")]
    Empty,
    /// The first line is not a recording header.
    #[error("line {line}: not an eventsub recording header: {detail}")]
    NotARecording {
        /// The line number.
        line: usize,
        /// What is wrong with it.
        detail: String,
    },
    /// A version of the format this crate does not read.
    #[error(
        "line {line}: recording format version {version}, this crate reads version {supported}"
    )]
    UnsupportedVersion {
        /// The line number.
        line: usize,
        /// The recording's version.
        version: u32,
        /// The version this crate reads.
        supported: u32,
    },
    /// A line is not a valid recording line.
    #[error("line {line}: {detail}")]
    InvalidLine {
        /// The line number.
        line: usize,
        /// What is wrong with it (from the JSON parser, with the column).
        detail: String,
    },
    /// A line is longer than [`MAX_LINE_BYTES`].
    #[error("line {line} is longer than {limit} bytes")]
    LineTooLong {
        /// The line number.
        line: usize,
        /// The limit.
        limit: usize,
    },
    /// A line is not UTF-8.
    #[error("line {line} is not UTF-8")]
    NotUtf8 {
        /// The line number.
        line: usize,
    },
    /// Reading failed.
    #[error("line {line}: reading failed: {source}")]
    Read {
        /// The line number.
        line: usize,
        /// Why.
        source: std::io::Error,
    },
    /// A line cannot be written (a wall time outside the years 1 to 9999).
    #[error("the line cannot be written: {detail}")]
    Encode {
        /// Why.
        detail: String,
    },
}

fn parse_header(line: usize, text: &str) -> Result<Header, RecordingError> {
    let header: Header =
        serde_json::from_str(text).map_err(|error| RecordingError::NotARecording {
            line,
            detail: error.to_string(),
        })?;
    if header.format != FORMAT {
        return Err(RecordingError::NotARecording {
            line,
            detail: format!("format is `{}`, not `{FORMAT}`", header.format),
        });
    }
    if header.version != VERSION {
        return Err(RecordingError::UnsupportedVersion {
            line,
            version: header.version,
            supported: VERSION,
        });
    }
    Ok(header)
}

/// Reads a line of a recording (not the header); `number` is its line number, for errors.
pub(super) fn parse_line(number: usize, text: &str) -> Result<Line<'static>, RecordingError> {
    serde_json::from_str::<Line<'_>>(text)
        .map(Line::into_owned)
        .map_err(|error| RecordingError::InvalidLine {
            line: number,
            detail: error.to_string(),
        })
}

/// Reads a recording one line at a time: the header at once, then the lines as an iterator of
/// `(line number, line)`. Blank lines are skipped.
#[derive(Debug)]
pub struct RecordingReader<R> {
    reader: R,
    header: Header,
    number: usize,
    buffer: Vec<u8>,
    failed: bool,
}

impl<R: BufRead> RecordingReader<R> {
    /// Reads the header; fails when the first line is not one this crate reads.
    pub fn new(reader: R) -> Result<Self, RecordingError> {
        let mut this = Self {
            reader,
            header: Header::new(std::time::SystemTime::UNIX_EPOCH, 0),
            number: 0,
            buffer: Vec::new(),
            failed: false,
        };
        let Some((number, text)) = this.next_text()? else {
            return Err(RecordingError::Empty);
        };
        this.header = parse_header(number, text)?;
        Ok(this)
    }

    /// The header line.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next non-blank line and its number, or `None` at the end.
    fn next_text(&mut self) -> Result<Option<(usize, &str)>, RecordingError> {
        loop {
            self.number += 1;
            self.buffer.clear();
            let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX);
            let read = (&mut self.reader)
                .take(limit + 1)
                .read_until(b'\n', &mut self.buffer)
                .map_err(|source| RecordingError::Read {
                    line: self.number,
                    source,
                })?;
            if read == 0 {
                return Ok(None);
            }
            if self.buffer.len() > MAX_LINE_BYTES {
                return Err(RecordingError::LineTooLong {
                    line: self.number,
                    limit: MAX_LINE_BYTES,
                });
            }
            if !self.buffer.iter().all(u8::is_ascii_whitespace) {
                break;
            }
        }
        let line = self.number;
        std::str::from_utf8(&self.buffer)
            .map(|text| Some((line, text.trim_end_matches(['\n', '\r']))))
            .map_err(|_| RecordingError::NotUtf8 { line })
    }
}

impl<R: BufRead> Iterator for RecordingReader<R> {
    type Item = Result<(usize, Line<'static>), RecordingError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = match self.next_text() {
            Ok(None) => return None,
            Ok(Some((number, text))) => parse_line(number, text).map(|line| (number, line)),
            Err(error) => Err(error),
        };
        // After an error the position in the stream is unknown: stop there.
        self.failed = result.is_err();
        Some(result)
    }
}

/// A whole recording in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recording {
    /// The header line.
    pub header: Header,
    /// Every other line, with its line number.
    pub lines: Vec<(usize, Line<'static>)>,
}

impl Recording {
    /// Reads a recording from its text.
    ///
    /// ```
    /// use eventsub_proto::recording::{Recording, RecordingError};
    /// let text = r#"{"format":"eventsub-recording","version":1,"started_at":"2025-06-01T12:00:00Z","seed":7}
    /// {"at_ns":0,"wall":"2025-06-01T12:00:00Z","kind":"opened","conn":1}
    /// {"at_ns":5,"wall":"2025-06-01T12:00:00Z","kind":"teleported"}"#;
    /// let error = Recording::parse(text).unwrap_err();
    /// assert!(matches!(error, RecordingError::InvalidLine { line: 3, .. }), "{error}");
    /// ```
    pub fn parse(text: &str) -> Result<Self, RecordingError> {
        Self::read(text.as_bytes())
    }

    /// Reads a recording from `reader` (a file behind a `BufReader`, say).
    pub fn read(reader: impl BufRead) -> Result<Self, RecordingError> {
        let reader = RecordingReader::new(reader)?;
        let header = reader.header().clone();
        let lines = reader.collect::<Result<Vec<_>, _>>()?;
        Ok(Self { header, lines })
    }

    /// The connections the recording names, in order of their `connect` lines.
    pub fn connections(&self) -> Vec<u64> {
        let mut conns = Vec::new();
        for (_, line) in &self.lines {
            if let super::Entry::Connect { conn, .. } = line.entry {
                if !conns.contains(&conn) {
                    conns.push(conn);
                }
            }
        }
        conns
    }
}
