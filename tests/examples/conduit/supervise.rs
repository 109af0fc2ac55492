//! Starting shard processes and following what they print: shared by the demo and the test
//! `conduit_processes`.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use tokio::sync::mpsc;

use super::shard::ShardLine;

/// One line, and which process (by the supervisor's number, a new one per start) printed it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The process.
    pub process: usize,
    /// The line.
    pub line: ShardLine,
}

/// A running shard process. Dropping it kills it; its stdin is a pipe, so it also stops by
/// itself (`--exit-on-stdin-eof`) if the supervisor dies without dropping it.
pub struct ShardProcess {
    /// The supervisor's number for it.
    pub number: usize,
    child: Child,
    /// Its stdin: closing it stops a child started with `--exit-on-stdin-eof`.
    stdin: Option<ChildStdin>,
}

impl ShardProcess {
    /// Closes its stdin, so that it shuts down by itself (`--exit-on-stdin-eof`), and waits up to
    /// `patience` for it to exit; kills it after that. Whether it exited by itself.
    pub fn finish(mut self, patience: Duration) -> bool {
        self.stdin.take();
        let started = std::time::Instant::now();
        while started.elapsed() < patience {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Its process id (for `/proc/<pid>`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills it with SIGKILL (on Unix) and reaps it: no chance to close its sockets itself.
    pub fn kill(mut self) {
        self.child.kill().expect("kill the shard process");
        self.child.wait().expect("reap the shard process");
    }
}

impl Drop for ShardProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts shard processes and collects their lines in order of arrival.
pub struct Supervisor {
    sender: mpsc::UnboundedSender<Seen>,
    receiver: mpsc::UnboundedReceiver<Seen>,
    next_number: usize,
    /// Every line read so far.
    pub seen: Vec<Seen>,
}

impl Default for Supervisor {
    fn default() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        Self {
            sender,
            receiver,
            next_number: 0,
            seen: Vec::new(),
        }
    }
}

impl Supervisor {
    /// Starts `program` with `args`, the client id and app token in its environment, and a
    /// thread reading its stdout.
    pub fn spawn(
        &mut self,
        program: &Path,
        args: &[String],
        client_id: &str,
        app_token: &str,
    ) -> ShardProcess {
        let mut child = Command::new(program)
            .args(args)
            .env("TWITCH_CLIENT_ID", client_id)
            .env("TWITCH_APP_TOKEN", app_token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start a shard process");
        let number = self.next_number;
        self.next_number += 1;
        let stdout = child.stdout.take().expect("piped stdout");
        let stdin = child.stdin.take().expect("piped stdin");
        let sender = self.sender.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let Some(line) = ShardLine::parse(&line) else {
                    continue;
                };
                if sender
                    .send(Seen {
                        process: number,
                        line,
                    })
                    .is_err()
                {
                    return;
                }
            }
        });
        ShardProcess {
            number,
            child,
            stdin: Some(stdin),
        }
    }

    /// Takes the lines that arrived, without waiting.
    pub fn collect(&mut self) {
        while let Ok(seen) = self.receiver.try_recv() {
            self.seen.push(seen);
        }
    }

    /// Reads lines until `done` holds for all of them; panics naming `what` after `patience`
    /// (a guard against hanging, not a timing assertion). `done` is asked again at every line,
    /// and every [`RECHECK`] without one, so it may also look at what the lines do not show (the
    /// mock's shard table, say).
    pub async fn until(&mut self, patience: Duration, what: &str, done: impl Fn(&[Seen]) -> bool) {
        self.collect();
        let wait = async {
            while !done(&self.seen) {
                if let Ok(seen) = tokio::time::timeout(RECHECK, self.receiver.recv()).await {
                    self.seen.push(seen.expect("the sender lives here"));
                }
            }
        };
        if tokio::time::timeout(patience, wait).await.is_err() {
            panic!(
                "waited {patience:?} for {what}; lines:\n{}",
                describe_lines(&self.seen)
            );
        }
    }

    /// The sessions process `number` was assigned (its `assigned` lines), in order.
    pub fn sessions_of(&self, number: usize) -> Vec<String> {
        self.seen
            .iter()
            .filter(|seen| seen.process == number && seen.line.kind == "assigned")
            .filter_map(|seen| seen.line.field("session").map(str::to_owned))
            .collect()
    }

    /// The message ids of `type` notifications process `number` printed.
    pub fn notifications_of(&self, number: usize, kind: &str) -> Vec<String> {
        notifications(&self.seen, kind)
            .filter(|(process, _)| *process == number)
            .map(|(_, id)| id.to_owned())
            .collect()
    }

    /// Whether process `number` printed a line of `kind` (`assigned`, ...).
    pub fn printed(&self, number: usize, kind: &str) -> bool {
        self.seen
            .iter()
            .any(|seen| seen.process == number && seen.line.kind == kind)
    }
}

/// The lines, one per row as `process N: kind key=value …`, for a failure message.
pub fn describe_lines(seen: &[Seen]) -> String {
    seen.iter()
        .map(|seen| {
            let fields: Vec<String> = seen
                .line
                .fields
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            format!(
                "process {}: {} {}",
                seen.process,
                seen.line.kind,
                fields.join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How often [`Supervisor::until`] asks again while no line arrives.
pub const RECHECK: Duration = Duration::from_millis(25);

/// The shards process `number` holds by its lines, with the session of each: those it printed
/// `claimed` for, minus those it printed `released` for since.
pub fn claimed_by(seen: &[Seen], number: usize) -> BTreeMap<u32, String> {
    let mut held = BTreeMap::new();
    for seen in seen.iter().filter(|seen| seen.process == number) {
        let (Some(shard), kind) = (seen.line.shard(), seen.line.kind.as_str()) else {
            continue;
        };
        match (kind, seen.line.field("session")) {
            ("claimed", Some(session)) => {
                held.insert(shard, session.to_owned());
            }
            ("released", _) => {
                held.remove(&shard);
            }
            _ => {}
        }
    }
    held
}

/// Whether libtest's arguments (as `cargo test -- …` passes them on to a `harness = false`
/// test) select the test `name`: not when only ignored tests are asked for, nor when a filter
/// does not match it or a skip does.
pub fn selected(args: &[String], name: &str) -> bool {
    const TAKES_A_VALUE: [&str; 6] = [
        "--test-threads",
        "--format",
        "--color",
        "--logfile",
        "--report-time",
        "-Z",
    ];
    let mut filters = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ignored" => return false,
            "--skip" => {
                if args.next().is_some_and(|skip| name.contains(skip.as_str())) {
                    return false;
                }
            }
            flag if TAKES_A_VALUE.contains(&flag) => {
                args.next();
            }
            flag if flag.starts_with('-') => {}
            filter => filters.push(filter),
        }
    }
    filters.is_empty() || filters.iter().any(|filter| name.contains(filter))
}

/// `(process, message id)` of each `kind` notification in `seen`.
pub fn notifications<'a>(
    seen: &'a [Seen],
    kind: &'a str,
) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    seen.iter().filter_map(move |seen| {
        (seen.line.kind == "notification" && seen.line.field("type") == Some(kind))
            .then(|| seen.line.field("message_id").map(|id| (seen.process, id)))
            .flatten()
    })
}
