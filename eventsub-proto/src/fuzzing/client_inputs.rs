//! A byte-coded sequence of raw inputs to a client: two bytes an input, time only moving forward.

use std::time::{Duration, Instant, SystemTime};

use crate::config::Config;
use crate::io::{Created, Input, Output, RequestError};
use crate::shard::{ShardAssignError, ShardConfig};
use crate::{Client, ConduitId, SubscriptionId, SubscriptionSpec};

/// Drives a client with an arbitrary sequence of inputs decoded from `data`, with time only moving
/// forward, and checks after every step that memory stays bounded. A first byte with its high bit
/// set makes the client a conduit shard, whose assignments the Helix answers then go to.
pub fn client_inputs(data: &[u8]) {
    let start = Instant::now();
    let shard_mode = data.first().is_some_and(|first| first & 0x80 != 0);
    let mut config = Config {
        reconnect_urls: crate::config::ReconnectUrlPolicy::SameHostAsUrl,
        dedup_max_entries: 16,
        subscriptions: vec![
            SubscriptionSpec::new("channel.follow", "2").with_condition("broadcaster_user_id", "1"),
        ],
        token_user_id: Some("1".to_owned()),
        // The inputs are about sockets and Helix; `client_ops` answers validations.
        validate_token: false,
        ..Config::default()
    };
    if shard_mode {
        config.subscriptions.clear();
        config.shard = Some(ShardConfig::new(ConduitId::new("c"), 0));
    }
    let Ok(mut client) = Client::new(config, start) else {
        return;
    };
    let mut now = start;
    let mut conns = Vec::new();
    let mut requests = Vec::new();
    let mut bytes = data;
    while let [op, arg, rest @ ..] = bytes {
        bytes = rest;
        drain(&mut client, now, &mut conns, &mut requests);
        let conn = conns.get(usize::from(*arg) % conns.len().max(1)).copied();
        match (op % 8, conn) {
            (0, _) => {
                now += Duration::from_millis(u64::from(*arg) * 250);
                client.handle_timeout(now);
            }
            (1, Some(conn)) => {
                let _ = client.handle_input(now, Input::Opened { conn });
            }
            (2, Some(conn)) => {
                let len = usize::from(*arg).min(bytes.len());
                let (frame, rest) = bytes.split_at(len);
                bytes = rest;
                if let Ok(text) = std::str::from_utf8(frame) {
                    let received_at = SystemTime::UNIX_EPOCH;
                    let _ = client.handle_input(
                        now,
                        Input::Text {
                            conn,
                            text,
                            received_at,
                        },
                    );
                }
            }
            (3, Some(conn)) => {
                let code = if *arg == 0 {
                    None
                } else {
                    Some(4000 + u16::from(*arg % 10))
                };
                let _ = client.handle_input(
                    now,
                    Input::Closed {
                        conn,
                        code,
                        reason: "",
                    },
                );
            }
            (4, Some(conn)) => {
                let _ = client.handle_input(now, Input::ConnectFailed { conn, error: "" });
            }
            (5, _) if shard_mode => {
                if let Some(request) = requests.pop() {
                    let result = match arg % 4 {
                        0 => Ok(()),
                        1 => Err(ShardAssignError::refused("c", "not connected")),
                        2 => Err(ShardAssignError::refused(
                            "invalid_shard_id",
                            crate::shard::SHARD_OUT_OF_RANGE_MESSAGE,
                        )),
                        _ => Err(ShardAssignError::Request(RequestError::Unavailable {
                            message: String::new(),
                        })),
                    };
                    let _ = client.handle_input(now, Input::ShardAssigned { request, result });
                }
            }
            (5, _) => {
                if let Some(request) = requests.pop() {
                    let result = match arg % 4 {
                        0 => Ok(Created {
                            id: SubscriptionId::new("s"),
                            cost: u32::from(*arg),
                            total_cost: u32::from(*arg),
                            max_total_cost: 10,
                        }),
                        1 => Err(RequestError::AlreadyExists),
                        2 => Err(RequestError::Unavailable {
                            message: String::new(),
                        }),
                        _ => Err(RequestError::Rejected {
                            status: 400,
                            message: String::new(),
                        }),
                    };
                    let _ =
                        client.handle_input(now, Input::SubscriptionCreated { request, result });
                }
            }
            (6, _) => {
                let spec = SubscriptionSpec::new("stream.online", "1")
                    .with_condition("broadcaster_user_id", arg.to_string());
                if arg % 2 == 0 {
                    let _ = client.subscribe(spec);
                } else {
                    let _ = client.unsubscribe(&spec);
                }
            }
            _ => {
                if let Some(at) = client.poll_timeout() {
                    now = now.max(at);
                    client.handle_timeout(now);
                }
            }
        }
        let stats = client.stats();
        assert!(
            stats.dedup_entries <= 16,
            "dedup window grew past its bound"
        );
        assert!(
            stats.connections <= 8,
            "connections leaked: {}",
            stats.connections
        );
    }
}

fn drain(
    client: &mut Client,
    now: Instant,
    conns: &mut Vec<crate::ConnId>,
    requests: &mut Vec<crate::RequestId>,
) {
    while let Some(output) = client.poll_output() {
        match output {
            Output::Connect { conn, .. } => conns.push(conn),
            Output::CreateSubscription { request, .. } | Output::AssignShard { request, .. } => {
                requests.push(request)
            }
            Output::Close { conn, .. } | Output::Abort { conn } => {
                // The socket goes away as asked.
                let _ = client.handle_input(
                    now,
                    Input::Closed {
                        conn,
                        code: Some(1000),
                        reason: "",
                    },
                );
                conns.retain(|known| *known != conn);
            }
            _ => {}
        }
    }
}
