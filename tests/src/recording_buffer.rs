//! A recording kept in memory, for tests that record a client and read the recording back.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use eventsub_proto::recording::Recording;

/// A `Write` a test hands to `record_to` and reads back; its clones share one buffer.
#[derive(Clone, Debug, Default)]
pub struct RecordingBuffer(Arc<Mutex<Vec<u8>>>);

impl RecordingBuffer {
    /// What was written so far, as text.
    ///
    /// # Panics
    /// When it is not UTF-8 (a recording always is).
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8(bytes.clone()).expect("a recording is UTF-8")
    }

    /// How many lines written so far are entries of `kind` (as spelled in the recording's JSON,
    /// `reading_paused` say), without parsing the whole recording: cheap enough to poll.
    pub fn count_kind(&self, kind: &str) -> usize {
        let needle = format!("\"kind\":\"{kind}\"");
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        bytes
            .split(|&byte| byte == b'\n')
            .filter(|line| {
                line.windows(needle.len())
                    .any(|part| part == needle.as_bytes())
            })
            .count()
    }

    /// What was written so far, parsed.
    ///
    /// # Panics
    /// When it is not a recording.
    pub fn recording(&self) -> Recording {
        Recording::parse(&self.text()).expect("the recording reads")
    }
}

impl Write for RecordingBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
