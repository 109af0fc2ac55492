//! One shard process of a conduit: given its shard ids statically, or claiming them, it runs one
//! `eventsub-tokio` client holding all of them (`conduit_shards` or `claim_conduit_shards`: one
//! WebSocket session per shard, one token validation at a time, one duplicate filter) and prints
//! one line per delivered notification and per lifecycle event on stdout, flushed at once, so
//! that a supervisor (a test, the demo, a log pipeline) can follow it while it runs and after it
//! is killed.
//!
//! ```text
//! conduit_shard --conduit ID (--shards A..B | --ordinal K --count N --total S
//!                             | --claim MAX [--grow-to N] [--reread-secs S])
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
//! Claiming (no process is told anything but the conduit):
//! - `--claim MAX`: hold up to `MAX` shards, taken from those the conduit lists as not enabled
//!   (never assigned, or pointing at a dead session), each confirmed by a later read of the
//!   conduit's shards, given up when another process's session shows on it;
//! - `--grow-to N`: when every shard is held and this process holds fewer than `MAX`, raise the
//!   conduit's shard count, up to `N`;
//! - `--reread-secs S`: read the conduit's shards at least every `S` seconds (default 10, at
//!   least 1; decimals allowed): two processes never both believe they hold a shard for longer
//!   than that plus one read.
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
//! claimed shard=0 session=<session id>        (claiming: a read confirmed the claim)
//! released shard=0 taken_by=<session id>|none (claiming: given up, to that session or refused)
//! claim_failed retry_in_ms=1000               (claiming: a read or resize failed; on stderr why)
//! ```
//! A claiming process's notification that arrives before its shard's `assigned` line (Twitch
//! routes to a shard as soon as it is assigned) says `shard=unknown`.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::process::ExitCode;
use std::time::Duration;

use eventsub_mock::helix::fast_retries;
use eventsub_mock::scenario::client_config;
use eventsub_proto::{ConduitId, Event};
use eventsub_tokio::{AccessToken, ClaimConfig, EventSub};
use futures_util::StreamExt;

/// The first argument that makes a supervisor's own executable (the demo's, the test's) act as a
/// shard process: a flag, so that no test-name filter can be mistaken for it.
pub const ROLE_FLAG: &str = "--shard-process";

/// How a shard process comes to hold its shards.
#[derive(Clone, Debug, PartialEq)]
pub enum Allocation {
    /// Told its shard ids (`--shards`, or `--ordinal --count --total`).
    Static(Vec<u32>),
    /// Claims them (`--claim`).
    Claim(ClaimArgs),
}

/// What a claiming process was told.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimArgs {
    /// The most shards it holds.
    pub max_shards: usize,
    /// The shard count it may grow the conduit to, if any.
    pub grow_to: Option<u32>,
    /// How often it reads the conduit's shards again, if not the default.
    pub reread_interval: Option<Duration>,
}

/// What a shard process was told.
#[derive(Debug)]
pub struct ShardArgs {
    /// The conduit.
    pub conduit_id: String,
    /// Its shard ids, or how it claims them.
    pub allocation: Allocation,
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

fn parse_claim(values: &BTreeMap<String, String>) -> Result<Option<ClaimArgs>, String> {
    let Some(max) = values.get("--claim") else {
        if values.contains_key("--grow-to") || values.contains_key("--reread-secs") {
            return Err("--grow-to and --reread-secs go with --claim".into());
        }
        return Ok(None);
    };
    let max_shards = max
        .parse()
        .ok()
        .filter(|max| *max > 0)
        .ok_or_else(|| format!("--claim wants a number of shards above 0, not {max:?}"))?;
    let grow_to = values
        .get("--grow-to")
        .map(|n| {
            n.parse()
                .map_err(|_| format!("--grow-to wants a shard count, not {n:?}"))
        })
        .transpose()?;
    let reread_interval = values
        .get("--reread-secs")
        .map(|secs| {
            secs.parse()
                .ok()
                .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
                .ok_or_else(|| format!("--reread-secs wants seconds, not {secs:?}"))
        })
        .transpose()?;
    Ok(Some(ClaimArgs {
        max_shards,
        grow_to,
        reread_interval,
    }))
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
                "--conduit" | "--shards" | "--ordinal" | "--count" | "--total" | "--claim"
                | "--grow-to" | "--reread-secs" | "--ws-url" | "--helix-url" | "--auth-url" => {
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
        let claim = parse_claim(&values)?;
        let allocation = match (
            values.get("--shards"),
            number("--ordinal")?,
            number("--count")?,
            number("--total")?,
            claim,
        ) {
            (None, None, None, None, Some(claim)) => Allocation::Claim(claim),
            (Some(range), None, None, None, None) => {
                Allocation::Static(parse_range(range)?.collect())
            }
            (None, Some(ordinal), Some(count), Some(total), None)
                if count > 0 && ordinal < count =>
            {
                Allocation::Static(strided(ordinal, count, total))
            }
            _ => {
                return Err(
                    "give one of --shards A..B, --ordinal K --count N --total S (K < N), \
                            or --claim MAX"
                        .into(),
                );
            }
        };
        if allocation == Allocation::Static(Vec::new()) {
            return Err("no shard ids to hold".into());
        }
        Ok(Self {
            conduit_id: values.remove("--conduit").ok_or("--conduit is required")?,
            allocation,
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
        let mut args = vec![
            "--shards".to_owned(),
            format!("{}..{}", shards.start, shards.end),
        ];
        args.extend(Self::mock_args(mock, conduit_id));
        args
    }

    /// The arguments of a child claiming up to `max_shards` against the mock, growing the
    /// conduit up to `grow_to` if given, reading its shards every `reread_interval`.
    pub fn for_mock_claiming(
        mock: &eventsub_mock::MockEventSub,
        conduit_id: &str,
        max_shards: usize,
        grow_to: Option<u32>,
        reread_interval: Duration,
    ) -> Vec<String> {
        let mut args = vec![
            "--claim".to_owned(),
            max_shards.to_string(),
            "--reread-secs".to_owned(),
            reread_interval.as_secs_f64().to_string(),
        ];
        if let Some(cap) = grow_to {
            args.extend(["--grow-to".to_owned(), cap.to_string()]);
        }
        args.extend(Self::mock_args(mock, conduit_id));
        args
    }

    /// What every child against the mock is told: where the mock is, its quick timings.
    fn mock_args(mock: &eventsub_mock::MockEventSub, conduit_id: &str) -> Vec<String> {
        [
            "--conduit",
            conduit_id,
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

/// Which shard each of the client's sessions holds, by the session's index in the pool.
enum Places {
    /// Static: the session at index `i` holds `shards[i]`.
    Static(Vec<u32>),
    /// Claiming: learnt from each `ShardAssigned` (a session may hold another shard later).
    Claimed(BTreeMap<usize, u32>),
}

impl Places {
    fn new(allocation: &Allocation) -> Self {
        match allocation {
            Allocation::Static(shards) => Self::Static(shards.clone()),
            Allocation::Claim(_) => Self::Claimed(BTreeMap::new()),
        }
    }

    /// Learns from `event` which shard a session holds.
    fn note(&mut self, event: &Event) {
        if let (Self::Claimed(places), Event::ShardAssigned { conn, shard, .. }) = (self, event) {
            places.insert(conn.session_index(), shard.shard_id);
        }
    }

    /// The shard the session at `index` holds, if known.
    fn shard(&self, index: usize) -> Option<u32> {
        match self {
            Self::Static(shards) => shards.get(index).copied(),
            Self::Claimed(places) => places.get(&index).copied(),
        }
    }

    /// The shard id an event concerns: named by the event, or through the session's place.
    fn shard_of(&self, event: &Event) -> Option<u32> {
        let index = match event {
            Event::ShardAssigned { shard, .. }
            | Event::ShardFailed { shard, .. }
            | Event::ShardStopped { shard, .. }
            | Event::ShardClaimed { shard, .. }
            | Event::ShardReleased { shard, .. } => return Some(shard.shard_id),
            Event::Notification(n) => n.conn().session_index(),
            Event::Disconnected { conn, .. } => conn.session_index(),
            Event::Resumed { gap } => gap.session,
            _ => return None,
        };
        self.shard(index)
    }
}

/// The line for `event`, or `None` for events a supervisor does not follow.
fn describe(places: &Places, event: &Event) -> Option<String> {
    match event {
        Event::Stopped { .. } => return Some("stopped shard=all".to_owned()),
        Event::ClaimFailed { retry_in, .. } => {
            return Some(format!("claim_failed retry_in_ms={}", retry_in.as_millis()));
        }
        // Every notification is printed, even one that arrives before its session's shard is
        // known: a supervisor counts them.
        Event::Notification(n) => {
            let shard = places
                .shard_of(event)
                .map_or_else(|| "unknown".to_owned(), |shard| shard.to_string());
            return Some(format!(
                "notification shard={shard} type={} message_id={}",
                n.subscription_type(),
                n.message_id()
            ));
        }
        _ => {}
    }
    let shard = places.shard_of(event)?;
    Some(match event {
        Event::ShardAssigned { session_id, .. } => {
            format!("assigned shard={shard} session={session_id}")
        }
        Event::Disconnected { .. } => format!("disconnected shard={shard}"),
        Event::Resumed { .. } => format!("resumed shard={shard}"),
        Event::ShardFailed { permanent, .. } => {
            format!("failed shard={shard} permanent={permanent}")
        }
        Event::ShardStopped { .. } => format!("stopped shard={shard}"),
        Event::ShardClaimed { session_id, .. } => {
            format!("claimed shard={shard} session={session_id}")
        }
        Event::ShardReleased { taken_by, .. } => format!(
            "released shard={shard} taken_by={}",
            taken_by
                .as_ref()
                .map_or_else(|| "none".to_owned(), ToString::to_string)
        ),
        _ => return None,
    })
}

/// The claim a `--claim` process makes of `conduit_id`; with the mock's quick backoff if
/// `mock`.
fn claim_config(conduit_id: ConduitId, claim: &ClaimArgs, mock: bool) -> ClaimConfig {
    let mut config = ClaimConfig::new(conduit_id, claim.max_shards);
    if let Some(interval) = claim.reread_interval {
        config = config.with_reread_interval(interval);
    }
    if let Some(cap) = claim.grow_to {
        config = config.with_grow_to(cap);
    }
    if mock {
        config = config.with_backoff(client_config().backoff);
    }
    config
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
    let mut builder = EventSub::builder(client_id, AccessToken::new(token));
    builder = match &args.allocation {
        Allocation::Static(shards) => {
            let seed = shards.first().map_or(1, |first| u64::from(*first) + 1);
            builder
                .seed(seed)
                .conduit_shards(conduit_id, shards.iter().copied())
        }
        // The seed (the order shards are claimed in) is the builder's, one per process: processes
        // that read the same listing at once pick apart.
        Allocation::Claim(claim) => {
            builder.claim_conduit_shards(claim_config(conduit_id, claim, args.mock))
        }
    };
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
            eprintln!("{:?}: {error}", args.allocation);
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
    let mut places = Places::new(&args.allocation);
    loop {
        tokio::select! {
            next = events.next() => {
                let Some(event) = next else { break };
                places.note(&event);
                match &event {
                    Event::ClaimFailed { error, .. } => eprintln!("claiming failed: {error}"),
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
                } else if let Some(line) = describe(&places, &event) {
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
