//! The line format (round trips, errors that name their line) and exact replays.

use std::borrow::Cow;
use std::time::{Duration, Instant, SystemTime};

use super::line::{format_wall, parse_wall};
use super::reader::parse_line;
use super::*;
use crate::{
    Config, Created, DisconnectCause, Event, Input, Output, Pool, RequestError, SubscriptionId,
    SubscriptionSpec,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn wall(text: &str) -> SystemTime {
    parse_wall(text).unwrap_or(SystemTime::UNIX_EPOCH)
}

fn header_line() -> String {
    r#"{"format":"eventsub-recording","version":1,"started_at":"2022-11-16T10:11:12Z","seed":7,"timeouts":true}"#.to_owned()
}

fn every_kind_of_entry() -> Vec<Entry<'static>> {
    let spec =
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "1");
    vec![
        Entry::Connect {
            conn: 1,
            url: "wss://eventsub.wss.twitch.tv/ws".into(),
        },
        Entry::Opened { conn: 1 },
        Entry::Text {
            conn: 1,
            text: "{\"quoted\": \"line\nbreak\" \u{1F600}".into(),
        },
        Entry::Binary {
            conn: 1,
            data: Cow::Owned(vec![0, 1, 0xfe, 0xff]),
        },
        Entry::Close {
            conn: 1,
            code: 4000,
        },
        Entry::Closed {
            conn: 1,
            code: Some(4000),
            reason: "bye".into(),
        },
        Entry::Closed {
            conn: 2,
            code: None,
            reason: "connection reset".into(),
        },
        Entry::ConnectFailed {
            conn: 3,
            error: "refused".into(),
        },
        Entry::SubscriptionCreated {
            request: 1,
            result: Ok(Created {
                id: SubscriptionId::new("sub-1"),
                cost: 1,
                total_cost: 2,
                max_total_cost: 10,
            }),
        },
        Entry::SubscriptionCreated {
            request: 2,
            result: Err(RequestError::Rejected {
                status: 403,
                message: "missing scope".into(),
            }),
        },
        Entry::SubscriptionCreated {
            request: 3,
            result: Err(RequestError::AlreadyExists),
        },
        Entry::SubscriptionDeleted {
            request: 4,
            result: Ok(()),
        },
        Entry::SubscriptionDeleted {
            request: 5,
            result: Err(RequestError::Unavailable {
                message: "timeout".into(),
            }),
        },
        Entry::SubscriptionDeleted {
            request: 6,
            result: Err(RequestError::Unauthorized {
                message: "invalid token".into(),
            }),
        },
        Entry::ShardAssigned {
            request: 7,
            result: Ok(()),
        },
        Entry::ShardAssigned {
            request: 8,
            result: Err(crate::ShardAssignError::refused(
                "invalid_shard_id",
                "The shard id is outside of the conduit's range.",
            )),
        },
        Entry::ShardAssigned {
            request: 9,
            result: Err(crate::ShardAssignError::Request(RequestError::Rejected {
                status: 404,
                message: "conduit not found".into(),
            })),
        },
        Entry::Timeout,
        Entry::Subscribe { spec: spec.clone() },
        Entry::Unsubscribe { spec },
        Entry::Shutdown,
    ]
}

#[test]
fn every_kind_of_line_round_trips_through_its_json() -> TestResult {
    for (index, entry) in every_kind_of_entry().into_iter().enumerate() {
        let line = Line {
            at: Duration::from_nanos(1_234_567_891),
            wall: wall("2025-06-01T12:00:00.123456789Z"),
            entry,
        };
        let json = line.to_json()?;
        assert!(!json.contains('\n'), "one line: {json}");
        assert_eq!(parse_line(index + 2, &json)?, line, "{json}");
    }
    Ok(())
}

#[test]
fn a_line_reads_as_documented() -> TestResult {
    let line = parse_line(
        2,
        r#"{"at_ns":48211520,"wall":"2025-06-01T12:00:00.54821152Z","kind":"closed","conn":1,"code":4004,"reason":"grace"}"#,
    )?;
    assert_eq!(line.at, Duration::from_nanos(48_211_520));
    assert_eq!(
        format_wall(line.wall).as_deref(),
        Some("2025-06-01T12:00:00.54821152Z")
    );
    assert_eq!(
        line.entry,
        Entry::Closed {
            conn: 1,
            code: Some(4004),
            reason: "grace".into()
        }
    );
    Ok(())
}

#[test]
fn a_header_round_trips_and_names_the_format_and_version() -> TestResult {
    let header = Header::new(wall("2025-06-01T12:00:00.5Z"), 42);
    let json = header.to_json()?;
    assert!(
        json.starts_with(r#"{"format":"eventsub-recording","version":1,"#),
        "{json}"
    );
    let recording = Recording::parse(&json)?;
    assert_eq!(recording.header, header);
    assert!(recording.lines.is_empty());
    Ok(())
}

#[test]
fn wall_times_keep_their_nanoseconds() {
    let time = SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
    let text = format_wall(time);
    assert_eq!(text.as_deref(), Some("2023-11-14T22:13:20.123456789Z"));
    assert_eq!(text.as_deref().and_then(parse_wall), Some(time));
}

#[test]
fn a_line_that_is_not_json_is_an_error_naming_its_line_number() {
    let text = format!(
        "{}\n{{\"at_ns\":0,\"wall\":\"2022-11-16T10:11:12Z\",\"kind\":\"timeout\"}}\n\nnot json\n",
        header_line()
    );
    let error = Recording::parse(&text).unwrap_err();
    assert!(
        matches!(error, RecordingError::InvalidLine { line: 4, .. }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("line 4: "), "{error}");
}

#[test]
fn a_line_of_an_unknown_kind_is_an_error_naming_its_line_number() {
    let text = format!(
        "{}\n{{\"at_ns\":0,\"wall\":\"2022-11-16T10:11:12Z\",\"kind\":\"teleported\",\"conn\":1}}",
        header_line()
    );
    let error = Recording::parse(&text).unwrap_err();
    let RecordingError::InvalidLine { line: 2, detail } = &error else {
        panic!("{error:?}")
    };
    assert!(detail.contains("teleported"), "{detail}");
}

#[test]
fn a_line_without_its_time_is_an_error_naming_its_line_number() {
    let text = format!("{}\n{{\"kind\":\"opened\",\"conn\":1}}", header_line());
    let error = Recording::parse(&text).unwrap_err();
    assert!(
        matches!(error, RecordingError::InvalidLine { line: 2, .. }),
        "{error:?}"
    );
}

#[test]
fn binary_data_that_is_not_hex_is_an_error_naming_its_line_number() {
    for data in ["abc", "zz", "é1"] {
        let text = format!(
            "{}\n{{\"at_ns\":0,\"wall\":\"2022-11-16T10:11:12Z\",\"kind\":\"binary\",\"conn\":1,\"data\":\"{data}\"}}",
            header_line()
        );
        let error = Recording::parse(&text).unwrap_err();
        assert!(
            matches!(error, RecordingError::InvalidLine { line: 2, .. }),
            "{data}: {error:?}"
        );
    }
}

#[test]
fn a_wall_time_that_is_not_rfc_3339_is_an_error_naming_its_line_number() {
    let text = format!(
        "{}\n{{\"at_ns\":0,\"wall\":\"yesterday\",\"kind\":\"timeout\"}}",
        header_line()
    );
    let error = Recording::parse(&text).unwrap_err();
    assert!(
        matches!(error, RecordingError::InvalidLine { line: 2, .. }),
        "{error:?}"
    );
}

#[test]
fn a_first_line_that_is_not_a_header_is_refused() {
    let error = Recording::parse(r#"{"at_ns":0,"wall":"2022-11-16T10:11:12Z","kind":"timeout"}"#)
        .unwrap_err();
    assert!(
        matches!(error, RecordingError::NotARecording { line: 1, .. }),
        "{error:?}"
    );
    let other = header_line().replace("eventsub-recording", "something-else");
    let error = Recording::parse(&other).unwrap_err();
    assert!(
        matches!(error, RecordingError::NotARecording { line: 1, .. }),
        "{error:?}"
    );
}

#[test]
fn a_recording_of_another_version_is_refused() {
    let text = header_line().replace(r#""version":1"#, r#""version":2"#);
    let error = Recording::parse(&text).unwrap_err();
    assert!(
        matches!(
            error,
            RecordingError::UnsupportedVersion {
                line: 1,
                version: 2,
                supported: 1
            }
        ),
        "{error:?}"
    );
}

#[test]
fn an_empty_recording_is_refused() {
    assert!(matches!(
        Recording::parse("\n\n"),
        Err(RecordingError::Empty)
    ));
}

#[test]
fn a_line_that_is_not_utf8_is_an_error_naming_its_line_number() {
    let mut bytes = header_line().into_bytes();
    bytes.extend_from_slice(b"\n\xff\xfe\n");
    let error = Recording::read(&bytes[..]).unwrap_err();
    assert!(
        matches!(error, RecordingError::NotUtf8 { line: 2 }),
        "{error:?}"
    );
}

// --- replays ---

const WALL: &str = "2022-11-16T10:11:13Z";

fn welcome(message_id: &str, session_id: &str) -> String {
    format!(
        r#"{{"metadata":{{"message_id":"{message_id}","message_type":"session_welcome","message_timestamp":"2022-11-16T10:11:12.634234626Z"}},"payload":{{"session":{{"id":"{session_id}","status":"connected","keepalive_timeout_seconds":10,"reconnect_url":null,"connected_at":"2022-11-16T10:11:12Z"}}}}}}"#
    )
}

fn reconnect(message_id: &str, session_id: &str, url: &str) -> String {
    format!(
        r#"{{"metadata":{{"message_id":"{message_id}","message_type":"session_reconnect","message_timestamp":"2022-11-16T10:11:12Z"}},"payload":{{"session":{{"id":"{session_id}","status":"reconnecting","keepalive_timeout_seconds":null,"reconnect_url":"{url}","connected_at":"2022-11-16T10:11:12Z"}}}}}}"#
    )
}

fn notification(message_id: &str) -> String {
    format!(
        r#"{{"metadata":{{"message_id":"{message_id}","message_type":"notification","message_timestamp":"2022-11-16T10:11:12Z","subscription_type":"stream.online","subscription_version":"1"}},"payload":{{"subscription":{{"id":"s","status":"enabled","type":"stream.online","version":"1","cost":0,"condition":{{}},"transport":{{"method":"websocket","session_id":"x"}},"created_at":"2022-11-16T10:11:12Z"}},"event":{{"n":1}}}}}}"#
    )
}

/// A client (a pool: one session unless the config or the shards say more) driven by hand,
/// recording what it is fed as an adapter would.
struct Session {
    client: Pool,
    transcriber: Transcriber,
    text: String,
    start: Instant,
    now: Instant,
    events: Vec<Event>,
    outputs: Vec<Output>,
}

impl Session {
    fn new(config: Config) -> Result<Self, Box<dyn std::error::Error>> {
        let start = Instant::now();
        let header = Header::new(wall(WALL), config.seed);
        Self::of(Pool::new(config, start)?, &header, start)
    }

    /// Shards `shard_ids` of conduit `conduit_id`, recorded with them in the header.
    fn shards(
        config: Config,
        conduit_id: &str,
        shard_ids: Vec<u32>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let start = Instant::now();
        let mut header = Header::new(wall(WALL), config.seed);
        header.shards = Some(RecordedShards::new(conduit_id, shard_ids.clone()));
        let conduit_id = crate::ConduitId::new(conduit_id);
        Self::of(
            Pool::conduit_shards(config, conduit_id, shard_ids, start)?,
            &header,
            start,
        )
    }

    /// A pool claiming shards as `claim` says, recorded with it in the header.
    fn claiming(
        config: Config,
        claim: crate::ClaimConfig,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let start = Instant::now();
        let mut header = Header::new(wall(WALL), config.seed);
        header.claim = Some(RecordedClaim::of(&claim));
        Self::of(Pool::claim_shards(config, claim, start)?, &header, start)
    }

    fn of(
        client: Pool,
        header: &Header,
        start: Instant,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let mut session = Self {
            client,
            transcriber: Transcriber::new(start),
            text: header.to_json()?,
            start,
            now: start,
            events: Vec::new(),
            outputs: Vec::new(),
        };
        session.drain()?;
        Ok(session)
    }

    fn write(&mut self, line: Line<'_>) -> Result<(), RecordingError> {
        self.text.push('\n');
        self.text.push_str(&line.to_json()?);
        Ok(())
    }

    fn drain(&mut self) -> Result<(), RecordingError> {
        while let Some(output) = self.client.poll_output() {
            if let Some(line) = self.transcriber.output(self.now, wall(WALL), &output) {
                let line = line.into_owned();
                self.write(line)?;
            }
            match output {
                Output::Event(event) => self.events.push(event),
                other => self.outputs.push(other),
            }
        }
        Ok(())
    }

    fn at(&mut self, millis: u64) {
        self.now = self.start + Duration::from_millis(millis);
    }

    fn feed(&mut self, input: Input<'_>) -> TestResult {
        let line = self
            .transcriber
            .input(self.now, wall(WALL), &input)
            .into_owned();
        self.write(line)?;
        let _ = self.client.handle_input(self.now, input);
        self.drain()?;
        Ok(())
    }

    fn text(&mut self, conn: crate::ConnId, text: &str) -> TestResult {
        self.feed(Input::Text {
            conn,
            text,
            received_at: wall(WALL),
        })
    }

    fn tick(&mut self) -> TestResult {
        let line = self.transcriber.line(self.now, wall(WALL), Entry::Timeout);
        self.write(line)?;
        self.client.handle_timeout(self.now);
        self.drain()?;
        Ok(())
    }

    /// Opens and welcomes `connects` (sessions `session-0`, `session-1`, …), lets the gather
    /// window of their shard assignments pass (50 ms), and takes the batch that goes out.
    fn welcome_and_batch(
        &mut self,
        connects: &[crate::ConnId],
    ) -> Result<(crate::RequestId, Vec<crate::ShardSession>), Box<dyn std::error::Error>> {
        for (n, conn) in connects.iter().enumerate() {
            self.feed(Input::Opened { conn: *conn })?;
            self.text(*conn, &welcome(&format!("w{n}"), &format!("session-{n}")))?;
        }
        self.at(50);
        self.tick()?;
        let batch = self.outputs.iter().find_map(|output| match output {
            Output::AssignShards {
                request, shards, ..
            } => Some((*request, shards.clone())),
            _ => None,
        });
        Ok(batch.ok_or("no batch of assignments after the window")?)
    }

    fn connects(&self) -> Vec<crate::ConnId> {
        self.outputs
            .iter()
            .filter_map(|output| match output {
                Output::Connect { conn, .. } => Some(*conn),
                _ => None,
            })
            .collect()
    }

    fn requests(&self) -> Vec<crate::RequestId> {
        self.outputs
            .iter()
            .filter_map(|output| match output {
                Output::CreateSubscription { request, .. } => Some(*request),
                _ => None,
            })
            .collect()
    }
}

/// What an event says, without the instants and connection ids that differ between runs.
fn summary(event: &Event) -> String {
    match event {
        Event::Notification(n) => format!("notification {}", n.message_id()),
        Event::Disconnected { cause, .. } => format!("disconnected {cause:?}"),
        Event::Resumed { .. } => "resumed".to_owned(),
        other => {
            let debug = format!("{other:?}");
            debug
                .split([' ', '{', '('])
                .next()
                .unwrap_or_default()
                .to_owned()
        }
    }
}

fn config() -> Config {
    // These recordings start with the socket: the token was not validated.
    let mut config = Config {
        seed: 99,
        validate_token: false,
        ..Config::default()
    };
    config.subscriptions.push(
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "1"),
    );
    config
}

#[test]
fn a_recorded_session_replays_to_the_same_events() -> TestResult {
    let mut session = Session::new(config())?;
    let first = session.connects()[0];
    session.at(40);
    session.feed(Input::Opened { conn: first })?;
    session.at(60);
    session.text(first, &welcome("w1", "session-1"))?;
    let request = session.requests()[0];
    session.at(90);
    session.feed(Input::SubscriptionCreated {
        request,
        result: Ok(Created {
            id: SubscriptionId::new("sub-1"),
            cost: 0,
            total_cost: 0,
            max_total_cost: 10,
        }),
    })?;
    session.at(1_000);
    session.text(first, &notification("n1"))?;
    session.text(first, &notification("n1"))?; // a duplicate
    session.text(
        first,
        &reconnect("r1", "session-1", "wss://eventsub.wss.twitch.tv/ws?r=1"),
    )?;
    let second = session.connects()[1];
    session.at(1_100);
    session.feed(Input::Opened { conn: second })?;
    session.text(first, &notification("n2"))?;
    session.at(1_150);
    session.text(second, &welcome("w2", "session-1"))?;
    session.text(second, &notification("n2"))?; // the same message on the new socket
    session.at(1_200);
    session.feed(Input::Closed {
        conn: first,
        code: Some(1000),
        reason: "",
    })?;
    session.feed(Input::Binary {
        conn: second,
        data: &[1, 2, 3],
    })?;
    // Silence past the keepalive: the client gives the socket up and reconnects after a backoff.
    session.at(1_200 + 13_000);
    session.tick()?;
    session.feed(Input::Closed {
        conn: second,
        code: None,
        reason: "closed",
    })?;
    session.at(20_000);
    session.tick()?;
    session.client.shutdown(session.now);
    let line = session
        .transcriber
        .line(session.now, wall(WALL), Entry::Shutdown);
    session.write(line)?;
    session.drain()?;

    let recorded: Vec<String> = session.events.iter().map(summary).collect();
    assert!(
        recorded.contains(&"disconnected KeepaliveTimeout { silent_for: 13s }".to_owned()),
        "{recorded:#?}"
    );
    assert_eq!(
        recorded
            .iter()
            .filter(|e| e.starts_with("notification"))
            .count(),
        2,
        "{recorded:#?}"
    );

    let replayed = replay(config(), &session.text, Instant::now())?;
    assert_eq!(replayed.iter().map(summary).collect::<Vec<_>>(), recorded);
    Ok(())
}

/// The assignments a shard-mode session asked for.
fn assignments(session: &Session) -> Vec<crate::RequestId> {
    session
        .outputs
        .iter()
        .filter_map(|output| match output {
            Output::AssignShard { request, .. } => Some(*request),
            _ => None,
        })
        .collect()
}

#[test]
fn a_recorded_shard_session_replays_its_assignments_and_refusals() -> TestResult {
    let shard_config = || {
        let mut config = config();
        config.subscriptions.clear();
        config.shard = Some(crate::ShardConfig::new(crate::ConduitId::new("c"), 1));
        config
    };
    let mut session = Session::new(shard_config())?;
    let first = session.connects()[0];
    session.feed(Input::Opened { conn: first })?;
    session.at(20);
    session.text(first, &welcome("w1", "session-1"))?;
    let refused = assignments(&session)[0];
    session.at(30);
    session.feed(Input::ShardAssigned {
        request: refused,
        result: Err(crate::ShardAssignError::refused(
            "websocket_session_not_connected",
            "The websocket session is not connected.",
        )),
    })?;
    session.at(5_000);
    session.tick()?;
    let retried = assignments(&session)[1];
    session.feed(Input::ShardAssigned {
        request: retried,
        result: Ok(()),
    })?;
    session.text(first, &notification("n1"))?;

    let recorded: Vec<String> = session.events.iter().map(summary).collect();
    assert_eq!(
        recorded,
        [
            "SessionReady",
            "ShardFailed",
            "ShardAssigned",
            "notification n1"
        ]
    );
    let replayed = replay(shard_config(), &session.text, Instant::now())?;
    assert_eq!(replayed.iter().map(summary).collect::<Vec<_>>(), recorded);
    Ok(())
}

#[test]
fn a_recorded_pool_of_shards_replays_as_that_pool() -> TestResult {
    let shard_config = || {
        let mut config = config();
        config.subscriptions.clear();
        config
    };
    let mut session = Session::shards(shard_config(), "c", vec![5, 3])?;
    let connects = session.connects();
    assert_eq!(connects.len(), 2);
    let (request, shards) = session.welcome_and_batch(&connects)?;
    assert_eq!(shards.len(), 2);
    session.at(60);
    session.feed(Input::ShardsAssigned {
        request,
        results: vec![
            (5, Ok(())),
            (
                3,
                Err(crate::ShardAssignError::refused(
                    "invalid_shard",
                    crate::shard::SHARD_OUT_OF_RANGE_MESSAGE,
                )),
            ),
        ],
    })?;
    session.text(connects[0], &notification("n1"))?;

    let recorded: Vec<String> = session.events.iter().map(summary).collect();
    assert!(
        recorded.contains(&"ShardStopped".to_owned()),
        "{recorded:?}"
    );
    assert!(
        recorded.contains(&"notification n1".to_owned()),
        "{recorded:?}"
    );
    let header = RecordingReader::new(session.text.as_bytes())?
        .header()
        .clone();
    assert_eq!(
        header.shards,
        Some(RecordedShards::new("c", vec![5, 3])),
        "the header names the shards"
    );
    let replayed = replay(shard_config(), &session.text, Instant::now())?;
    assert_eq!(replayed.iter().map(summary).collect::<Vec<_>>(), recorded);
    Ok(())
}

/// The body of a Get Conduit Shards page: each shard with its status and session.
fn listing(shards: &[(u32, &str, &str)]) -> String {
    let data: Vec<String> = shards
        .iter()
        .map(|(id, status, session)| {
            format!(r#"{{"id":"{id}","status":"{status}","transport":{{"method":"websocket","session_id":"{session}"}}}}"#)
        })
        .collect();
    format!(r#"{{"data":[{}],"pagination":{{}}}}"#, data.join(","))
}

/// The read of the conduit's shards the session asked for last.
fn last_read(session: &Session) -> Option<crate::RequestId> {
    session
        .outputs
        .iter()
        .rev()
        .find_map(|output| match output {
            Output::ReadConduitShards { request, .. } => Some(*request),
            _ => None,
        })
}

#[test]
fn a_recorded_claiming_pool_replays_as_that_pool() -> TestResult {
    let claiming_config = || {
        let mut config = config();
        config.subscriptions.clear();
        config
    };
    let claim = || {
        crate::ClaimConfig::new(crate::ConduitId::new("c"), 2)
            .with_reread_interval(Duration::from_secs(5))
            .with_grow_to(6)
    };
    let mut session = Session::claiming(claiming_config(), claim())?;
    let Some(read) = last_read(&session) else {
        panic!("the first read: {:?}", session.outputs);
    };
    // Two free shards of three: the pool claims both.
    let table = listing(&[
        (0, "websocket_disconnected", "gone-0"),
        (1, "enabled", "other"),
        (2, "websocket_disconnected", "gone-2"),
    ]);
    session.feed(Input::ConduitShardsRead {
        request: read,
        result: Ok(table),
    })?;
    let connects = session.connects();
    assert_eq!(connects.len(), 2, "one session per claimed shard");
    let (request, shards) = session.welcome_and_batch(&connects)?;
    session.at(60);
    let results = shards
        .iter()
        .map(|shard| (shard.shard_id, Ok(())))
        .collect();
    session.feed(Input::ShardsAssigned { request, results })?;
    // The confirming read: one shard is ours, the other was taken meanwhile.
    let Some(confirm) = last_read(&session).filter(|confirm| *confirm != read) else {
        panic!("a confirming read: {:?}", session.outputs);
    };
    let ours = shards
        .first()
        .map(|shard| (shard.shard_id, shard.session_id.as_str().to_owned()));
    let Some((kept, kept_session)) = ours else {
        panic!("two shards assigned");
    };
    let taken = if kept == 0 { 2 } else { 0 };
    let table = listing(&[
        (kept, "enabled", &kept_session),
        (1, "enabled", "other"),
        (taken, "enabled", "thief"),
    ]);
    session.at(70);
    session.feed(Input::ConduitShardsRead {
        request: confirm,
        result: Ok(table.clone()),
    })?;
    // The second assignment was seen while that read was in flight: one more read settles it.
    let Some(again) = last_read(&session).filter(|again| *again != confirm) else {
        panic!("a read after the one in flight: {:?}", session.outputs);
    };
    session.at(80);
    session.feed(Input::ConduitShardsRead {
        request: again,
        result: Ok(table),
    })?;

    let recorded: Vec<String> = session.events.iter().map(summary).collect();
    for expected in ["ShardClaimed", "ShardReleased"] {
        assert!(
            recorded.contains(&expected.to_owned()),
            "{expected}: {recorded:?}"
        );
    }
    let header = RecordingReader::new(session.text.as_bytes())?
        .header()
        .clone();
    assert_eq!(
        header.claim.map(|claim| claim.to_config()),
        Some(claim()),
        "the header names the claim"
    );
    let replayed = replay(claiming_config(), &session.text, Instant::now())?;
    assert_eq!(replayed.iter().map(summary).collect::<Vec<_>>(), recorded);
    Ok(())
}

#[test]
fn a_header_without_shards_still_reads() -> TestResult {
    let old = r#"{"format":"eventsub-recording","version":1,"started_at":"2025-06-01T12:00:00Z","seed":1}"#;
    let header: Header = serde_json::from_str(old)?;
    assert_eq!(header.shards, None);
    assert_eq!(header.claim, None);
    assert!(!header.to_json()?.contains("shards"));
    Ok(())
}

#[test]
fn the_replay_uses_the_recorded_seed() -> TestResult {
    let mut session = Session::new(Config {
        seed: 1234,
        ..config()
    })?;
    let first = session.connects()[0];
    session.at(10);
    session.feed(Input::ConnectFailed {
        conn: first,
        error: "refused",
    })?;
    let Some(Event::ConnectFailed {
        retry_at: Some(retry_at),
        ..
    }) = session.events.first()
    else {
        panic!("{:?}", session.events)
    };
    let backoff = retry_at.duration_since(session.start);
    let base = Instant::now();
    let replayed = replay(config(), &session.text, base)?;
    let Some(Event::ConnectFailed {
        retry_at: Some(replayed_at),
        ..
    }) = replayed.first()
    else {
        panic!("{replayed:?}")
    };
    assert_eq!(replayed_at.duration_since(base), backoff, "the same jitter");
    Ok(())
}

#[test]
fn a_line_about_a_connection_the_client_never_asked_for_is_an_error_naming_its_line() {
    let text = format!(
        "{}\n{{\"at_ns\":0,\"wall\":\"{WALL}\",\"kind\":\"opened\",\"conn\":1}}\n{{\"at_ns\":5,\"wall\":\"{WALL}\",\"kind\":\"opened\",\"conn\":2}}",
        header_line()
    );
    let error = replay(config(), &text, Instant::now()).unwrap_err();
    assert!(
        matches!(error, ReplayError::UnknownConnection { line: 3, conn: 2 }),
        "{error:?}"
    );
}

#[test]
fn an_answer_to_a_request_the_client_never_made_is_an_error_naming_its_line() {
    let text = format!(
        "{}\n{{\"at_ns\":0,\"wall\":\"{WALL}\",\"kind\":\"subscription_deleted\",\"request\":1,\"result\":{{\"ok\":null}}}}",
        header_line()
    );
    let error = replay(config(), &text, Instant::now()).unwrap_err();
    assert!(
        matches!(
            error,
            ReplayError::UnknownRequest {
                line: 2,
                request: 1
            }
        ),
        "{error:?}"
    );
}

#[test]
fn a_recording_without_timeouts_wakes_the_client_at_its_own_deadlines() -> TestResult {
    let welcome = serde_json::to_string(&welcome("w1", "session-1"))?;
    let text = format!(
        "{header}\n\
         {{\"at_ns\":0,\"wall\":\"{WALL}\",\"kind\":\"opened\",\"conn\":1}}\n\
         {{\"at_ns\":0,\"wall\":\"{WALL}\",\"kind\":\"text\",\"conn\":1,\"text\":{welcome}}}\n\
         {{\"at_ns\":60000000000,\"wall\":\"{WALL}\",\"kind\":\"shutdown\"}}",
        header = header_line().replace(r#","timeouts":true"#, "")
    );
    let events = replay(config(), &text, Instant::now())?;
    let summaries: Vec<String> = events.iter().map(summary).collect();
    assert!(
        events.iter().any(|event| matches!(
            event,
            Event::Disconnected {
                cause: DisconnectCause::KeepaliveTimeout { .. },
                ..
            }
        )),
        "{summaries:#?}"
    );
    assert_eq!(summaries.last().map(String::as_str), Some("Stopped"));
    Ok(())
}
