//! The opt-in recorder: every input the driver feeds the core, every timeout and user command, and
//! the outputs that name sockets, as the JSON lines of `eventsub_proto::recording`, written by a
//! thread of its own so a slow disk never holds the client.
//!
//! Bounded: lines wait for the writer thread in a queue of at most [`MAX_QUEUED_BYTES`]; when the
//! writer falls that far behind, or writing fails, recording stops (said once in the log) and the
//! client goes on. A recording that stopped is a prefix of the session: it still replays.

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use eventsub_proto::recording::{Entry, Header, Line, RecordedClaim, RecordedShards, Transcriber};
use eventsub_proto::{Input, Output};

use crate::runtime::Runtime;

/// The most bytes of lines waiting for the writer thread before recording stops.
pub const MAX_QUEUED_BYTES: usize = 16 << 20;

/// How long the client, when it finishes, waits for the writer thread to write what is queued.
const FINISH_GRACE: Duration = Duration::from_secs(5);

/// Where a recording goes, as given to the builder.
pub(crate) enum RecordTarget {
    /// Behind a mutex only so the builder stays `Sync`; it is taken out whole by `connect`.
    Writer(std::sync::Mutex<Box<dyn Write + Send>>),
    File(std::path::PathBuf),
}

impl RecordTarget {
    pub(crate) fn writer(writer: impl Write + Send + 'static) -> Self {
        Self::Writer(std::sync::Mutex::new(Box::new(writer)))
    }

    pub(crate) fn open(self) -> std::io::Result<Box<dyn Write + Send>> {
        match self {
            Self::Writer(writer) => Ok(writer
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)),
            Self::File(path) => Ok(Box::new(std::fs::File::create(path)?)),
        }
    }
}

/// Makes the lines and hands them to the writer thread.
pub(crate) struct Recorder {
    transcriber: Transcriber,
    lines: mpsc::Sender<Vec<u8>>,
    queued: Arc<AtomicUsize>,
    limit: usize,
    writer: JoinHandle<()>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("queued", &self.queued.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// Starts the writer thread on `out` and queues the header of a client created at `start`
    /// (with the conduit `shards` it holds, if it is a pool of them, or its `claim`, if it
    /// claims them).
    pub(crate) fn start(
        out: Box<dyn Write + Send>,
        start: Instant,
        seed: u64,
        shards: Option<RecordedShards>,
        claim: Option<RecordedClaim>,
        limit: usize,
    ) -> std::io::Result<Self> {
        let (lines, queue) = mpsc::channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let writer = std::thread::Builder::new()
            .name("eventsub-recorder".to_owned())
            .spawn({
                let queued = queued.clone();
                move || write_lines(out, &queue, &queued)
            })?;
        let mut recorder = Self {
            transcriber: Transcriber::new(start),
            lines,
            queued,
            limit,
            writer,
        };
        let mut header = Header::new(SystemTime::now(), seed);
        header.recorder = Some(concat!("eventsub-driver ", env!("CARGO_PKG_VERSION")).to_owned());
        header.shards = shards;
        header.claim = claim;
        let header = header
            .to_json()
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        if !recorder.queue(header) {
            return Err(std::io::Error::other(
                "the recording writer stopped at once",
            ));
        }
        Ok(recorder)
    }

    /// Queues one line; false when recording has stopped (and says why, once).
    fn write(&mut self, line: &Line<'_>) -> bool {
        match line.to_json() {
            Ok(json) => self.queue(json),
            Err(error) => {
                tracing::error!(%error, "recording stopped: a line cannot be written");
                false
            }
        }
    }

    fn queue(&mut self, json: String) -> bool {
        let mut bytes = json.into_bytes();
        bytes.push(b'\n');
        let len = bytes.len();
        let queued = self.queued.fetch_add(len, Ordering::AcqRel) + len;
        if queued > self.limit {
            tracing::error!(
                queued,
                limit = self.limit,
                "recording stopped: the writer fell too far behind"
            );
            return false;
        }
        // A send fails only when the writer thread stopped, after it said why.
        self.lines.send(bytes).is_ok()
    }

    /// Records an input fed to the core at `now`.
    pub(crate) fn input(&mut self, now: Instant, input: &Input<'_>) -> bool {
        let line = self.transcriber.input(now, SystemTime::now(), input);
        self.write(&line)
    }

    /// Records an output of the core, drained at `now` (only those naming sockets are written).
    pub(crate) fn output(&mut self, now: Instant, output: &Output) -> bool {
        match self.transcriber.output(now, SystemTime::now(), output) {
            Some(line) => self.write(&line),
            None => true,
        }
    }

    /// Records a timeout or a user command at `now`.
    pub(crate) fn entry(&mut self, now: Instant, entry: Entry<'_>) -> bool {
        let line = self.transcriber.line(now, SystemTime::now(), entry);
        self.write(&line)
    }

    /// Lets the writer thread write what is queued and waits for it, a few seconds at most, so a
    /// recording is whole once the client has finished.
    pub(crate) async fn finish<R: Runtime>(self, runtime: &R) {
        drop(self.lines);
        // Real time, not the runtime's: a virtual clock (tokio's paused one) would race past the
        // thread. The wait polls, so it never blocks the runtime.
        let give_up = Instant::now() + FINISH_GRACE;
        while !self.writer.is_finished() {
            if Instant::now() >= give_up {
                tracing::warn!("recording: the writer is still busy; not waiting for it");
                return;
            }
            runtime
                .sleep_until(runtime.now() + Duration::from_millis(2))
                .await;
        }
    }
}

/// The writer thread: writes lines as they come, flushing whenever the queue is empty, until the
/// recorder is gone or writing fails.
fn write_lines(out: Box<dyn Write + Send>, queue: &mpsc::Receiver<Vec<u8>>, queued: &AtomicUsize) {
    let mut out = BufWriter::new(out);
    let write = |out: &mut BufWriter<_>, line: Vec<u8>| {
        queued.fetch_sub(line.len(), Ordering::AcqRel);
        out.write_all(&line)
    };
    let mut result = Ok(());
    while let Ok(line) = queue.recv() {
        result = write(&mut out, line);
        // Whatever queued meanwhile goes out before the flush.
        while result.is_ok() {
            match queue.try_recv() {
                Ok(line) => result = write(&mut out, line),
                Err(_) => break,
            }
        }
        result = result.and_then(|()| out.flush());
        if result.is_err() {
            break;
        }
    }
    if let Err(error) = result.and_then(|()| out.flush()) {
        tracing::error!(%error, "recording stopped: writing it failed");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer that fails every write.
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A writer that blocks until its gate opens.
    struct Gated(Arc<Mutex<()>>);

    impl Write for Gated {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            let _open = self.0.lock();
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn wait_until(condition: impl Fn() -> bool) -> bool {
        for _ in 0..1000 {
            if condition() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    #[test]
    fn a_builder_with_a_recording_writer_can_still_be_shared_between_threads() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<RecordTarget>();
    }

    #[test]
    fn a_writer_that_fails_stops_the_recording_without_a_panic() -> std::io::Result<()> {
        let mut recorder =
            Recorder::start(Box::new(Broken), Instant::now(), 1, None, None, 1 << 20)?;
        assert!(
            wait_until(|| recorder.writer.is_finished()),
            "the writer gives up"
        );
        assert!(
            !recorder.entry(Instant::now(), Entry::Timeout),
            "recording stopped"
        );
        Ok(())
    }

    #[test]
    fn a_writer_that_falls_behind_stops_the_recording_at_the_limit() -> std::io::Result<()> {
        let gate = Arc::new(Mutex::new(()));
        let closed = gate.lock();
        let mut recorder = Recorder::start(
            Box::new(Gated(gate.clone())),
            Instant::now(),
            1,
            None,
            None,
            4096,
        )?;
        let now = Instant::now();
        let mut written = 0;
        while recorder.entry(now, Entry::Timeout) {
            written += 1;
            assert!(written < 4096, "the queue is bounded");
        }
        assert!(written > 10, "{written} lines fit in the queue");
        drop(closed);
        Ok(())
    }
}
