//! One shard process of a conduit: given its shard ids statically, it runs one
//! `eventsub-tokio` client holding all of them (`conduit_shards`: one WebSocket session per
//! shard, one token validation at a time, one duplicate filter) and prints one line per delivered notification and
//! per lifecycle event on stdout, flushed at once, so that a supervisor (a test, the demo, a log
//! pipeline) can follow it while it runs and after it is killed.
//!
//! ```text
//! conduit_shard --conduit ID (--shards A..B | --ordinal K --count N --total S)
//!               [--ws-url URL] [--helix-url URL] [--auth-url URL] [--mock] [--exit-on-stdin-eof]
//!               [--count-only]
//! ```
//! The client id and app token come from `TWITCH_CLIENT_ID` and `TWITCH_APP_TOKEN` (kept off the
//! command line, where `ps` would show the token).
//!
//! Static allocation:
//! - `--shards A..B`: the shards `A` to `B - 1`, a contiguous block (`--shards 3`: shard 3 alone).
//! - `--ordinal K --count N --total S`: process `K` of `N` (a StatefulSet's ordinal, say) of a
//!   conduit with `S` shards holds the shards `K, K + N, K + 2N, … < S` (strided, so growing `S`
//!   spreads the new shards over all processes).
//!
//! A notification Twitch sends again on another shard of the same process is delivered once.
//!
//! Output lines, `kind key=value …`, values without spaces:
//! ```text
//! assigned shard=0 session=<session id>
//! notification shard=0 type=stream.online message_id=<message id>
//! disconnected shard=0
//! resumed shard=0
//! failed shard=0 permanent=false
//! stopped shard=0      (that shard alone: refused for good, or out of attempts)
//! stopped shard=all    (the whole process)
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::process::ExitCode;

use eventsub_mock::helix::fast_retries;
use eventsub_mock::scenario::client_config;
use eventsub_proto::{ConduitId, Event};
use eventsub_tokio::{AccessToken, EventSub};
use futures_util::StreamExt;

/// The first argument that makes a supervisor's own executable (the demo's, the test's) act as a
/// shard process: a flag, so that no test-name filter can be mistaken for it.
pub const ROLE_FLAG: &str = "--shard-process";

/// What a shard process was told.
#[derive(Debug)]
pub struct ShardArgs {
    /// The conduit.
    pub conduit_id: String,
    /// Its shard ids.
    pub shards: Vec<u32>,
    /// EventSub's WebSocket URL, if not Twitch's.
    pub ws_url: Option<String>,
    /// Helix's URL, if not Twitch's.
    pub helix_url: Option<String>,
    /// The token validation URL, if not Twitch's.
    pub auth_url: Option<String>,
    /// Use the mock's quick timings (backoff, timeouts, keepalive grace).
    pub mock: bool,
    /// Stop when stdin ends: a child stops with the process that started it, even one that died.
    pub exit_on_stdin_eof: bool,
    /// Print no line per notification, only `received count=N` at every thousandth (for a
    /// benchmark: a line per notification would cost more than receiving it).
    pub count_only: bool,
}

/// The shard ids `--ordinal K --count N --total S` stands for: `K, K + N, … < S`.
pub fn strided(ordinal: u32, count: u32, total: u32) -> Vec<u32> {
    (ordinal..total)
        .step_by(usize::try_from(count.max(1)).unwrap_or(1))
        .collect()
}

fn parse_range(text: &str) -> Result<Range<u32>, String> {
    let bad = || format!("--shards wants A..B or A, not {text:?}");
    match text.split_once("..") {
        Some((start, end)) => {
            let start = start.parse().map_err(|_| bad())?;
            let end = end.parse().map_err(|_| bad())?;
            Ok(start..end)
        }
        None => {
            let only: u32 = text.parse().map_err(|_| bad())?;
            Ok(only..only.saturating_add(1))
        }
    }
}

impl ShardArgs {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut values = BTreeMap::new();
        let mut flags = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--mock" | "--exit-on-stdin-eof" | "--count-only" => flags.push(arg),
                "--conduit" | "--shards" | "--ordinal" | "--count" | "--total" | "--ws-url"
                | "--helix-url" | "--auth-url" => {
                    let value = args.next().ok_or_else(|| format!("{arg} wants a value"))?;
                    values.insert(arg, value);
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        let number = |name: &str| -> Result<Option<u32>, String> {
            values
                .get(name)
                .map(|v| v.parse().map_err(|_| format!("{name} wants a number")))
                .transpose()
        };
        let shards: Vec<u32> = match (
            values.get("--shards"),
            number("--ordinal")?,
            number("--count")?,
            number("--total")?,
        ) {
            (Some(range), None, None, None) => parse_range(range)?.collect(),
            (None, Some(ordinal), Some(count), Some(total)) if count > 0 && ordinal < count => {
                strided(ordinal, count, total)
            }
            _ => {
                return Err(
                    "give either --shards A..B or --ordinal K --count N --total S (K < N)".into(),
                );
            }
        };
        if shards.is_empty() {
            return Err("no shard ids to hold".into());
        }
        Ok(Self {
            conduit_id: values.remove("--conduit").ok_or("--conduit is required")?,
            shards,
            ws_url: values.remove("--ws-url"),
            helix_url: values.remove("--helix-url"),
            auth_url: values.remove("--auth-url"),
            mock: flags.iter().any(|f| f == "--mock"),
            exit_on_stdin_eof: flags.iter().any(|f| f == "--exit-on-stdin-eof"),
            count_only: flags.iter().any(|f| f == "--count-only"),
        })
    }

    /// The arguments that [`ShardArgs::parse`] reads back, for a supervisor starting a child
    /// against the mock.
    pub fn for_mock(
        mock: &eventsub_mock::MockEventSub,
        conduit_id: &str,
        shards: Range<u32>,
    ) -> Vec<String> {
        [
            "--conduit",
            conduit_id,
            "--shards",
            &format!("{}..{}", shards.start, shards.end),
            "--ws-url",
            &mock.ws_url(),
            "--helix-url",
            &mock.helix_url(),
            "--auth-url",
            &mock.auth_url(),
            "--mock",
            "--exit-on-stdin-eof",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect()
    }
}

/// One line a shard process printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardLine {
    /// `assigned`, `notification`, `disconnected`, `resumed`, `failed` or `stopped`.
    pub kind: String,
    /// Its `key=value` fields.
    pub fields: BTreeMap<String, String>,
}

impl ShardLine {
    /// Reads a line; `None` for one that is not `kind key=value …`.
    pub fn parse(line: &str) -> Option<Self> {
        let mut words = line.split_whitespace();
        let kind = words.next()?.to_owned();
        let fields = words
            .map(|word| {
                word.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect::<Option<_>>()?;
        Some(Self { kind, fields })
    }

    /// The field `key`, if present.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// The shard id it concerns.
    pub fn shard(&self) -> Option<u32> {
        self.field("shard")?.parse().ok()
    }
}

/// Prints one line and flushes it: a process killed right after has its lines out.
fn emit(line: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    // A closed stdout (the supervisor went away) is no reason to stop receiving.
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// The shard id an event concerns, through the pool's place for it (`shards[session index]`).
fn shard_of(shards: &[u32], event: &Event) -> Option<u32> {
    let index = match event {
        Event::ShardAssigned { shard, .. }
        | Event::ShardFailed { shard, .. }
        | Event::ShardStopped { shard, .. } => return Some(shard.shard_id),
        Event::Notification(n) => n.conn().session_index(),
        Event::Disconnected { conn, .. } => conn.session_index(),
        Event::Resumed { gap } => gap.session,
        _ => return None,
    };
    shards.get(index).copied()
}

/// The line for `event`, or `None` for events a supervisor does not follow.
fn describe(shards: &[u32], event: &Event) -> Option<String> {
    if let Event::Stopped { .. } = event {
        return Some("stopped shard=all".to_owned());
    }
    let shard = shard_of(shards, event)?;
    Some(match event {
        Event::ShardAssigned { session_id, .. } => {
            format!("assigned shard={shard} session={session_id}")
        }
        Event::Notification(n) => format!(
            "notification shard={shard} type={} message_id={}",
            n.subscription_type(),
            n.message_id()
        ),
        Event::Disconnected { .. } => format!("disconnected shard={shard}"),
        Event::Resumed { .. } => format!("resumed shard={shard}"),
        Event::ShardFailed { permanent, .. } => {
            format!("failed shard={shard} permanent={permanent}")
        }
        Event::ShardStopped { .. } => format!("stopped shard={shard}"),
        _ => return None,
    })
}

/// Runs the process's one client, holding all its shards, until it stops, or until ctrl-c (or
/// stdin's end, if asked); the reasons of failures and stops go to stderr, in full.
pub async fn run(args: ShardArgs) -> ExitCode {
    let (Ok(client_id), Ok(token)) = (
        std::env::var("TWITCH_CLIENT_ID"),
        std::env::var("TWITCH_APP_TOKEN"),
    ) else {
        eprintln!("set TWITCH_CLIENT_ID and TWITCH_APP_TOKEN (an app access token)");
        return ExitCode::from(2);
    };
    let conduit_id = ConduitId::new(args.conduit_id.clone());
    let seed = args.shards.first().map_or(1, |first| u64::from(*first) + 1);
    let mut builder = EventSub::builder(client_id, AccessToken::new(token))
        .seed(seed)
        .conduit_shards(conduit_id, args.shards.iter().copied());
    if args.mock {
        builder = builder.config(client_config()).helix_retry(fast_retries());
    }
    if let Some(url) = &args.ws_url {
        builder = builder.eventsub_url(url.clone());
    }
    if let Some(url) = &args.helix_url {
        builder = builder.helix_url(url.clone());
    }
    if let Some(url) = &args.auth_url {
        builder = builder.auth_url(url.clone());
    }
    let (handle, mut events) = match builder.connect() {
        Ok(connected) => connected,
        Err(error) => {
            eprintln!("shards {:?}: {error}", args.shards);
            return ExitCode::from(2);
        }
    };
    let stdin_ended = async {
        if args.exit_on_stdin_eof {
            let mut sink = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut tokio::io::stdin(), &mut sink).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(stdin_ended);
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let mut stopped_badly = false;
    let mut received: u64 = 0;
    loop {
        tokio::select! {
            next = events.next() => {
                let Some(event) = next else { break };
                match &event {
                    Event::ShardFailed { shard, reason, .. } => {
                        eprintln!("shard {} failed: {reason:?}", shard.shard_id);
                    }
                    Event::ShardStopped { shard, reason } => {
                        eprintln!("shard {} stopped: {reason:?}", shard.shard_id);
                        stopped_badly = true;
                    }
                    Event::Stopped { reason } => {
                        eprintln!("stopped: {reason:?}");
                        stopped_badly = true;
                    }
                    _ => {}
                }
                if args.count_only && matches!(event, Event::Notification(_)) {
                    received += 1;
                    if received % 1_000 == 0 {
                        emit(format_args!("received count={received}"));
                    }
                } else if let Some(line) = describe(&args.shards, &event) {
                    emit(format_args!("{line}"));
                }
            }
            _ = &mut interrupted => break,
            () = &mut stdin_ended => break,
        }
    }
    handle.shutdown().await;
    if stopped_badly {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The whole process: parses `args` (after the program name), runs on a tokio runtime.
pub fn main_with(args: impl IntoIterator<Item = String>) -> ExitCode {
    let args = match ShardArgs::parse(args) {
        Ok(args) => args,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(args))
}
