//! The `serde` feature: every kind of `Event` serializes as one flat JSON object named by `type`,
//! a notification with its metadata and its event as the raw JSON Twitch sent.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use eventsub_proto::events::EventData;
use eventsub_proto::{
    CloseCode, ConnId, Created, DisconnectCause, DropReason, Event, FrameError, Gap, IdleReason,
    Inactive, MessageId, RequestError, SessionId, StopReason, SubscriptionFailure, SubscriptionId,
    SubscriptionSpec, TokenIdentity, UserId,
};
use eventsub_tests::sim::{BATCHED_NOTIFICATION, Harness, rfc3339};
use serde_json::value::RawValue;
use serde_json::{Value, json};

const FOLLOW: &str = include_str!("../../eventsub-proto/benches/frames/channel_follow_v2.json");

/// A connection's number, as it serializes (`conn#3` is `3`).
fn number(conn: ConnId) -> u64 {
    conn.to_string()
        .trim_start_matches("conn#")
        .parse()
        .unwrap()
}

/// The harness's config with a second subscription, so that revoking the first leaves the client
/// something to reconnect for (instead of going idle).
fn with_a_second_subscription() -> eventsub_proto::Config {
    let mut config = Harness::config();
    config.subscriptions.push(
        SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "12826"),
    );
    config
}

fn to_json(event: &Event) -> Value {
    serde_json::to_value(event).unwrap()
}

/// The first event the harness delivered that `pick` accepts, serialized.
fn first(harness: &Harness, pick: impl Fn(&Event) -> bool) -> (Event, Value) {
    let event = harness.events.iter().find(|event| pick(event)).unwrap();
    (event.clone(), to_json(event))
}

#[test]
fn a_notification_serializes_with_its_metadata_and_the_raw_event() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.send(conn, FOLLOW);
    let (event, json) = first(&harness, |event| matches!(event, Event::Notification(_)));
    let Event::Notification(notification) = &event else {
        unreachable!()
    };
    let frame: Value = serde_json::from_str(FOLLOW).unwrap();
    assert_eq!(
        json,
        json!({
            "type": "notification",
            "conn": number(conn),
            "message_id": "befa7b53-d79d-478f-86b9-120f112b044f",
            "message_timestamp": "2023-11-06T18:11:47.492253549Z",
            "subscription_type": "channel.follow",
            "subscription_version": "2",
            "batch_item_id": null,
            "subscription": frame["payload"]["subscription"],
            "event": frame["payload"]["event"],
        })
    );
    assert_eq!(notification.message_id().to_string(), json["message_id"]);
}

#[test]
fn a_notification_event_round_trips_byte_for_byte() {
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        #[serde(borrow)]
        event: &'a RawValue,
        subscription_type: &'a str,
        subscription_version: &'a str,
    }
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    // Spaces and an escape inside the event: kept as sent, not re-encoded.
    let spaced = FOLLOW.replace(
        r#""user_name":"Cool_User""#,
        r#""user_name" : "Cool_\u0055ser""#,
    );
    harness.send(conn, &spaced);
    let (event, _) = first(&harness, |event| matches!(event, Event::Notification(_)));
    let Event::Notification(notification) = &event else {
        unreachable!()
    };
    let line = serde_json::to_string(&event).unwrap();
    assert!(!line.contains('\n'), "one event, one line");
    let read: Line<'_> = serde_json::from_str(&line).unwrap();
    assert_eq!(read.event.get(), notification.event_json());
    assert!(
        read.event
            .get()
            .contains(r#""user_name" : "Cool_\u0055ser""#)
    );
    // What a reader of the line decodes is what the client would have typed.
    let typed = EventData::decode(
        read.subscription_type,
        read.subscription_version,
        read.event.get(),
    )
    .unwrap();
    assert_eq!(typed, notification.typed().unwrap());
}

#[test]
fn each_event_of_a_batch_serializes_with_its_batch_item_id() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.send(conn, BATCHED_NOTIFICATION);
    let items: Vec<(Value, Value)> = harness
        .events
        .iter()
        .filter(|event| matches!(event, Event::Notification(_)))
        .map(|event| {
            let json = to_json(event);
            (json["batch_item_id"].clone(), json["event"].clone())
        })
        .collect();
    assert_eq!(
        items,
        [
            (json!("e1"), json!({"n": 1})),
            (json!("e2"), json!({"n": 2}))
        ]
    );
}

#[test]
fn lifecycle_events_from_a_client_serialize_with_their_fields() {
    let mut harness = Harness::new(with_a_second_subscription());
    let conn = harness.establish();

    let (session_ready, ready) = first(&harness, |event| {
        matches!(event, Event::SessionReady { .. })
    });
    let Event::SessionReady { session_id, .. } = session_ready else {
        unreachable!()
    };
    assert_eq!(ready["type"], "session_ready");
    assert_eq!(ready["conn"], number(conn));
    assert_eq!(ready["session_id"], session_id.as_str());
    assert!(ready["keepalive_secs"].as_f64().unwrap() > 0.0);

    let (_, created) = first(&harness, |event| {
        matches!(event, Event::SubscriptionCreated { .. })
    });
    assert_eq!(created["type"], "subscription_created");
    assert_eq!(
        created["spec"],
        json!({"type": "channel.follow", "version": "1", "condition": {"broadcaster_user_id": "12826"}})
    );
    assert_eq!(created["created"]["cost"], 0);
    assert_eq!(created["created"]["max_total_cost"], 10);
    assert!(created["created"]["id"].is_string());

    let revocation = harness
        .twitch
        .revocation(conn, "channel.follow", "authorization_revoked")
        .unwrap();
    harness.send(conn, &revocation);
    let (_, revoked) = first(&harness, |event| matches!(event, Event::Revocation(_)));
    assert_eq!(revoked["type"], "revocation");
    assert_eq!(revoked["conn"], number(conn));
    assert!(revoked["message_id"].is_string());
    assert_eq!(revoked["subscription"]["status"], "authorization_revoked");
    assert_eq!(revoked["subscription"]["type"], "channel.follow");

    harness.send(conn, "not json");
    let (_, malformed) = first(&harness, |event| {
        matches!(event, Event::MalformedFrame { .. })
    });
    assert_eq!(malformed["type"], "malformed_frame");
    assert_eq!(malformed["error"]["kind"], "invalid_json");
    assert_eq!(malformed["error"]["line"], 1);

    harness.wall += Duration::from_secs(601);
    harness.notify(conn);
    let (_, dropped) = first(&harness, |event| matches!(event, Event::Dropped { .. }));
    assert_eq!(dropped["type"], "dropped");
    assert_eq!(dropped["reason"]["kind"], "stale");
    assert!(dropped["reason"]["age_secs"].as_f64().unwrap() > 600.0);
}

#[test]
fn a_gap_serializes_as_its_duration_and_wall_clock_start_and_retries_as_waits() {
    let mut harness = Harness::new(Harness::config());
    let conn = harness.establish();
    harness.send(conn, FOLLOW);
    harness.server_close(conn, Some(4000));
    let (disconnected, json) = first(&harness, |event| {
        matches!(event, Event::Disconnected { .. })
    });
    let Event::Disconnected {
        retry_at, retry_in, ..
    } = disconnected
    else {
        unreachable!()
    };
    // The Instant stays out; the wait from the event's moment goes in.
    assert_eq!(retry_in, retry_at.map(|at| at - harness.now));
    assert_eq!(
        json,
        json!({
            "type": "disconnected",
            "conn": number(conn),
            "cause": {"kind": "closed", "code": 4000, "reason": "closed by fake twitch"},
            "retry_in_secs": retry_in.unwrap().as_secs_f64(),
        })
    );

    assert!(harness.advance_to_next_timeout());
    let failing = harness.next_connect().unwrap();
    harness.fail_connect(failing);
    let (_, failed) = first(&harness, |event| {
        matches!(event, Event::ConnectFailed { .. })
    });
    assert_eq!(failed["type"], "connect_failed");
    assert_eq!(failed["conn"], number(failing));
    assert_eq!(failed["cause"]["kind"], "connect_failed");
    assert_eq!(failed["cause"]["error"], "connection refused");
    assert!(failed["retry_in_secs"].as_f64().unwrap() > 0.0);

    let began = harness.now;
    assert!(harness.advance_to_next_timeout());
    let fresh = harness.connect_next();
    harness.create_all();
    let (resumed, json) = first(&harness, |event| matches!(event, Event::Resumed { .. }));
    let Event::Resumed { gap } = resumed else {
        unreachable!()
    };
    assert!(gap.recovery_time() >= harness.now - began);
    assert_eq!(
        json,
        json!({
            "type": "resumed",
            "gap": {
                // The follow frame's own timestamp: Twitch's clock, where catching up starts.
                "from": "2023-11-06T18:11:47.492253549Z",
                "until": rfc3339(gap.until),
                "duration_secs": gap.duration().as_secs_f64(),
                "recovery_secs": gap.recovery_time().as_secs_f64(),
            }
        })
    );

    let session_id = harness.twitch.sockets[&fresh]
        .session_id()
        .unwrap()
        .to_owned();
    harness.reconnect(fresh);
    let handed_to = harness.connect_next();
    let (_, reconnected) = first(&harness, |event| matches!(event, Event::Reconnected { .. }));
    assert_eq!(
        reconnected,
        json!({"type": "reconnected", "conn": number(handed_to), "session_id": session_id})
    );
}

#[test]
fn every_kind_of_event_serializes_as_an_object_named_by_its_type() {
    let mut harness = Harness::new(with_a_second_subscription());
    let conn = harness.establish();
    harness.send(conn, FOLLOW);
    let revocation = harness
        .twitch
        .revocation(conn, "channel.follow", "user_removed")
        .unwrap();
    harness.send(conn, &revocation);
    // 4007: reconnect at once, which fails.
    harness.server_close(conn, Some(4007));
    let retry = harness.next_connect().unwrap();
    harness.fail_connect(retry);
    let spec = Box::new(SubscriptionSpec::new("stream.online", "1"));
    let made_by_hand = [
        Event::SubscriptionAlreadyExists { spec: spec.clone() },
        Event::SubscriptionFailed {
            spec: spec.clone(),
            reason: SubscriptionFailure::Request(RequestError::Rejected {
                status: 403,
                message: "missing scope".into(),
            }),
        },
        Event::SubscriptionFailed {
            spec: spec.clone(),
            reason: SubscriptionFailure::CostLimitExceeded {
                cost: 1,
                would_be: 11,
                max_total_cost: 10,
            },
        },
        Event::SubscriptionCreated {
            spec,
            created: Created::new(SubscriptionId::new("sub-1"), 1, 2, 10),
        },
        Event::UnsubscribeFailed {
            id: SubscriptionId::new("sub-1"),
            error: RequestError::AlreadyExists,
        },
        Event::Dropped {
            conn,
            message_id: MessageId::parse("mock-17"),
            reason: DropReason::Stale {
                age: Duration::from_millis(1500),
            },
        },
        Event::MalformedFrame {
            conn,
            error: FrameError::MissingField {
                message_type: "notification".into(),
                field: "payload.subscription",
            },
        },
        Event::UnknownMessage {
            conn,
            message_type: "session_brand_new".into(),
        },
        Event::UnexpectedMessage {
            conn,
            message_type: "session_welcome".into(),
            detail: "a second welcome",
        },
        Event::ReconnectUrlRejected {
            conn,
            url: "ws://insecure.test".into(),
            reason: "not wss".into(),
        },
        Event::Lagged {
            missed: 3,
            first_sent: Some(std::time::UNIX_EPOCH + Duration::new(1_699_294_307, 492_253_549)),
            last_sent: Some(std::time::UNIX_EPOCH + Duration::from_secs(1_699_294_308)),
        },
        Event::Lagged {
            missed: 1,
            first_sent: None,
            last_sent: None,
        },
        Event::Stopped {
            reason: StopReason::Unauthorized {
                message: "invalid token".into(),
            },
        },
        Event::Stopped {
            reason: StopReason::Shutdown,
        },
        Event::Disconnected {
            conn,
            cause: DisconnectCause::KeepaliveTimeout {
                silent_for: Duration::from_millis(13_250),
            },
            retry_at: None,
            retry_in: None,
        },
        Event::Resumed {
            gap: Gap::new(
                SystemTime::UNIX_EPOCH + Duration::new(1_699_294_307, 492_253_549),
                SystemTime::UNIX_EPOCH + Duration::new(1_699_294_309, 492_253_549),
                harness.now,
                harness.now + Duration::from_millis(500),
            ),
        },
        Event::Reconnected {
            conn,
            session_id: SessionId::new("session-9"),
        },
        Event::TokenValidated {
            identity: TokenIdentity::user("c", UserId::new("12826"), "twitchdev", ["bits:read"])
                .with_expires_in(Duration::from_secs(5_000)),
        },
        Event::Idle {
            reasons: vec![
                IdleReason::new(
                    SubscriptionSpec::new("stream.online", "1"),
                    Inactive::Revoked,
                ),
                IdleReason::new(
                    SubscriptionSpec::new("channel.poll.begin", "1"),
                    Inactive::Failed {
                        reason: SubscriptionFailure::MissingScope {
                            subscription_type: "channel.poll.begin".into(),
                            version: "1".into(),
                            missing: vec![&["channel:read:polls", "channel:manage:polls"]],
                        },
                    },
                ),
            ],
        },
        Event::Stopped {
            reason: StopReason::AppToken,
        },
    ];
    let by_hand: Vec<Value> = made_by_hand.iter().map(to_json).collect();
    let n = number(conn);
    assert_eq!(
        by_hand,
        [
            json!({"type": "subscription_already_exists", "spec": {"type": "stream.online", "version": "1", "condition": {}}}),
            json!({"type": "subscription_failed", "spec": {"type": "stream.online", "version": "1", "condition": {}},
                "reason": {"kind": "request", "error": {"kind": "rejected", "status": 403, "message": "missing scope"}}}),
            json!({"type": "subscription_failed", "spec": {"type": "stream.online", "version": "1", "condition": {}},
                "reason": {"kind": "cost_limit_exceeded", "cost": 1, "would_be": 11, "max_total_cost": 10}}),
            json!({"type": "subscription_created", "spec": {"type": "stream.online", "version": "1", "condition": {}},
                "created": {"id": "sub-1", "cost": 1, "total_cost": 2, "max_total_cost": 10}}),
            json!({"type": "unsubscribe_failed", "id": "sub-1", "error": {"kind": "already_exists"}}),
            json!({"type": "dropped", "conn": n, "message_id": "mock-17", "reason": {"kind": "stale", "age_secs": 1.5}}),
            json!({"type": "malformed_frame", "conn": n,
                "error": {"kind": "missing_field", "message_type": "notification", "field": "payload.subscription"}}),
            json!({"type": "unknown_message", "conn": n, "message_type": "session_brand_new"}),
            json!({"type": "unexpected_message", "conn": n, "message_type": "session_welcome", "detail": "a second welcome"}),
            json!({"type": "reconnect_url_rejected", "conn": n, "url": "ws://insecure.test", "reason": "not wss"}),
            json!({"type": "lagged", "missed": 3, "first_sent": "2023-11-06T18:11:47.492253549Z",
                "last_sent": "2023-11-06T18:11:48Z"}),
            json!({"type": "lagged", "missed": 1, "first_sent": null, "last_sent": null}),
            json!({"type": "stopped", "reason": {"kind": "unauthorized", "message": "invalid token"}}),
            json!({"type": "stopped", "reason": {"kind": "shutdown"}}),
            json!({"type": "disconnected", "conn": n, "cause": {"kind": "keepalive_timeout", "silent_for_secs": 13.25},
                "retry_in_secs": null}),
            json!({"type": "resumed", "gap": {"from": "2023-11-06T18:11:47.492253549Z",
                "until": "2023-11-06T18:11:49.492253549Z", "duration_secs": 2.0, "recovery_secs": 0.5}}),
            json!({"type": "reconnected", "conn": n, "session_id": "session-9"}),
            json!({"type": "token_validated", "identity": {"client_id": "c", "user_id": "12826",
                "login": "twitchdev", "scopes": ["bits:read"], "expires_in_secs": 5000.0}}),
            json!({"type": "idle", "reasons": [
                {"spec": {"type": "stream.online", "version": "1", "condition": {}}, "why": {"kind": "revoked"}},
                {"spec": {"type": "channel.poll.begin", "version": "1", "condition": {}},
                 "why": {"kind": "failed", "reason": {"kind": "missing_scope", "subscription_type": "channel.poll.begin",
                    "version": "1", "missing": [["channel:read:polls", "channel:manage:polls"]]}}},
            ]}),
            json!({"type": "stopped", "reason": {"kind": "app_token"}}),
        ]
    );

    // Every variant has a sample here or from the client: none is left without a shape.
    let types: BTreeSet<String> = harness
        .events
        .iter()
        .chain(&made_by_hand)
        .map(|event| to_json(event)["type"].as_str().unwrap().to_owned())
        .collect();
    let expected = [
        "connect_failed",
        "disconnected",
        "dropped",
        "idle",
        "lagged",
        "malformed_frame",
        "notification",
        "reconnect_url_rejected",
        "reconnected",
        "resumed",
        "revocation",
        "session_ready",
        "stopped",
        "subscription_already_exists",
        "subscription_created",
        "subscription_failed",
        "token_validated",
        "unexpected_message",
        "unknown_message",
        "unsubscribe_failed",
    ];
    let missing: Vec<_> = expected
        .iter()
        .filter(|kind| !types.contains(**kind))
        .collect();
    assert!(missing.is_empty(), "no sample of {missing:?}");
    assert_eq!(types.len(), expected.len());
    let close = serde_json::to_value(CloseCode(4007)).unwrap();
    assert_eq!(close, json!(4007));
}
