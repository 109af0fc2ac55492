//! A recording, cut into what each recorded connection received, in order, timed from its opening.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use eventsub_proto::recording::{Entry, Recording};

/// One frame the recorded client received.
#[derive(Clone, Debug)]
pub(crate) struct ScriptFrame {
    /// How long after the socket opened it arrived.
    pub(crate) after: Duration,
    /// The wall clock when it arrived.
    pub(crate) wall: SystemTime,
    pub(crate) frame: Frame,
}

#[derive(Clone, Debug)]
pub(crate) enum Frame {
    Text(String),
    Binary(Vec<u8>),
}

/// How a recorded connection ended, as the server has to act it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// The client closed it (or the recording ends with it open): wait for the client.
    Client,
    /// The server closed it with this code, this long after it opened.
    ServerCloses {
        after: Duration,
        code: u16,
        reason: String,
    },
    /// It broke without a close frame this long after it opened.
    Drops { after: Duration },
}

/// What one recorded connection got.
#[derive(Clone, Debug)]
pub(crate) struct Script {
    /// Its number in the recording.
    pub(crate) conn: u64,
    /// Why the recorded client could not open it, if it could not.
    pub(crate) refused: Option<String>,
    pub(crate) frames: Vec<ScriptFrame>,
    pub(crate) end: End,
    /// The keepalive its welcome announced: the pace of keepalives once the script is played.
    pub(crate) keepalive: Duration,
    opened_at: Option<Duration>,
    client_closed: bool,
}

impl Script {
    fn new(conn: u64) -> Self {
        Self {
            conn,
            refused: None,
            frames: Vec::new(),
            end: End::Client,
            keepalive: Duration::from_secs(10),
            opened_at: None,
            client_closed: false,
        }
    }
}

/// Close codes a close frame cannot carry: a connection recorded as closed with one broke.
fn sendable(code: u16) -> bool {
    !matches!(code, 1005 | 1006 | 1015) && (1000..5000).contains(&code)
}

/// The keepalive a `session_welcome` announces.
fn welcome_keepalive(text: &str) -> Option<Duration> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    if value.pointer("/metadata/message_type")?.as_str()? != "session_welcome" {
        return None;
    }
    let seconds = value
        .pointer("/payload/session/keepalive_timeout_seconds")?
        .as_u64()?;
    Some(Duration::from_secs(seconds.clamp(1, 600)))
}

/// The recording's connections in the order the client asked for them, each with what it received.
pub(crate) fn scripts(recording: &Recording) -> Vec<Script> {
    let mut scripts: Vec<Script> = Vec::new();
    let mut index: HashMap<u64, usize> = HashMap::new();
    for (_, line) in &recording.lines {
        if let Entry::Connect { conn, .. } = line.entry {
            index.insert(conn, scripts.len());
            scripts.push(Script::new(conn));
            continue;
        }
        let Some(script) = line
            .entry
            .conn()
            .and_then(|conn| index.get(&conn))
            .and_then(|at| scripts.get_mut(*at))
        else {
            continue;
        };
        let since_open =
            |opened_at: Option<Duration>| line.at.saturating_sub(opened_at.unwrap_or(line.at));
        match &line.entry {
            Entry::Opened { .. } => script.opened_at = Some(line.at),
            Entry::ConnectFailed { error, .. } => script.refused = Some(error.to_string()),
            Entry::Close { .. } => script.client_closed = true,
            Entry::Text { text, .. } => script.frames.push(ScriptFrame {
                after: since_open(script.opened_at),
                wall: line.wall,
                frame: Frame::Text(text.to_string()),
            }),
            Entry::Binary { data, .. } => script.frames.push(ScriptFrame {
                after: since_open(script.opened_at),
                wall: line.wall,
                frame: Frame::Binary(data.to_vec()),
            }),
            Entry::Closed { code, reason, .. } => {
                let after = since_open(script.opened_at);
                script.end = match (script.opened_at, script.client_closed, code) {
                    (None, _, _) => {
                        script.refused = Some(reason.to_string());
                        End::Client
                    }
                    (Some(_), true, _) => End::Client,
                    (Some(_), false, Some(code)) if sendable(*code) => End::ServerCloses {
                        after,
                        code: *code,
                        reason: reason.to_string(),
                    },
                    (Some(_), false, _) => End::Drops { after },
                };
            }
            _ => {}
        }
    }
    for script in &mut scripts {
        if let Some(keepalive) = script.frames.iter().find_map(|frame| match &frame.frame {
            Frame::Text(text) => welcome_keepalive(text),
            Frame::Binary(_) => None,
        }) {
            script.keepalive = keepalive;
        }
    }
    scripts
}

#[cfg(test)]
mod tests {
    use super::*;

    const WELCOME: &str = r#"{"metadata":{"message_id":"w","message_type":"session_welcome","message_timestamp":"2022-11-16T10:11:12Z"},"payload":{"session":{"id":"s","status":"connected","keepalive_timeout_seconds":30,"reconnect_url":null,"connected_at":"2022-11-16T10:11:12Z"}}}"#;

    fn recording(lines: &[&str]) -> Recording {
        let mut text = r#"{"format":"eventsub-recording","version":1,"started_at":"2022-11-16T10:11:12Z","seed":1,"timeouts":true}"#.to_owned();
        for line in lines {
            text.push('\n');
            text.push_str(&line.replace("WALL", r#""wall":"2022-11-16T10:11:13Z""#));
        }
        Recording::parse(&text).expect("a valid recording") // ok: a unit test over a constant recording
    }

    fn welcome_line(at_ns: u64, conn: u64) -> String {
        let text = serde_json::to_string(WELCOME).expect("a string"); // ok: a unit test; a `&str` always serializes
        format!(r#"{{"at_ns":{at_ns},WALL,"kind":"text","conn":{conn},"text":{text}}}"#)
    }

    #[test]
    fn frames_are_timed_from_the_opening_and_keepalives_paced_by_the_welcome() {
        let welcome = welcome_line(3_000, 1);
        let scripts = scripts(&recording(&[
            r#"{"at_ns":0,WALL,"kind":"connect","conn":1,"url":"ws://x/ws"}"#,
            r#"{"at_ns":1000,WALL,"kind":"opened","conn":1}"#,
            &welcome,
            r#"{"at_ns":9000,WALL,"kind":"binary","conn":1,"data":"00ff"}"#,
        ]));
        let [script] = scripts.as_slice() else {
            panic!("{scripts:?}")
        };
        let after: Vec<Duration> = script.frames.iter().map(|frame| frame.after).collect();
        assert_eq!(
            after,
            [Duration::from_nanos(2_000), Duration::from_nanos(8_000)]
        );
        assert_eq!(script.keepalive, Duration::from_secs(30));
        assert_eq!(
            script.end,
            End::Client,
            "still open when the recording ends"
        );
        assert_eq!(script.refused, None);
    }

    #[test]
    fn each_recorded_ending_is_acted_out() {
        let scripts = scripts(&recording(&[
            // The client closed it: wait for the client.
            r#"{"at_ns":0,WALL,"kind":"connect","conn":1,"url":"ws://x/ws"}"#,
            r#"{"at_ns":0,WALL,"kind":"opened","conn":1}"#,
            r#"{"at_ns":5,WALL,"kind":"close","conn":1,"code":1000}"#,
            r#"{"at_ns":6,WALL,"kind":"closed","conn":1,"code":1000,"reason":""}"#,
            // The server closed it with a code.
            r#"{"at_ns":10,WALL,"kind":"connect","conn":2,"url":"ws://x/ws"}"#,
            r#"{"at_ns":10,WALL,"kind":"opened","conn":2}"#,
            r#"{"at_ns":30,WALL,"kind":"closed","conn":2,"code":4004,"reason":"grace"}"#,
            // It broke without a close frame.
            r#"{"at_ns":40,WALL,"kind":"connect","conn":3,"url":"ws://x/ws"}"#,
            r#"{"at_ns":40,WALL,"kind":"opened","conn":3}"#,
            r#"{"at_ns":45,WALL,"kind":"closed","conn":3,"code":null,"reason":"reset"}"#,
            // It never opened.
            r#"{"at_ns":50,WALL,"kind":"connect","conn":4,"url":"ws://x/ws"}"#,
            r#"{"at_ns":51,WALL,"kind":"connect_failed","conn":4,"error":"refused"}"#,
        ]));
        let ends: Vec<&End> = scripts.iter().map(|script| &script.end).collect();
        assert_eq!(
            ends,
            [
                &End::Client,
                &End::ServerCloses {
                    after: Duration::from_nanos(20),
                    code: 4004,
                    reason: "grace".to_owned()
                },
                &End::Drops {
                    after: Duration::from_nanos(5)
                },
                &End::Client,
            ]
        );
        let refused: Vec<Option<&str>> = scripts.iter().map(|s| s.refused.as_deref()).collect();
        assert_eq!(refused, [None, None, None, Some("refused")]);
    }
}
