//! The mock EventSub server behaves like Twitch, checked with a bare WebSocket client (no
//! eventsub crate in the way): welcome, keepalives, the keepalive range, 4001, 4003, 4004, 4007,
//! reconnect handover, Helix on the same port with the welcomed session, and the records.

use std::time::Duration;

use eventsub_helix::TransportRequest;
use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, stream_online};
use eventsub_mock::{
    BadFrame, Delivery, Ended, MockConfig, MockEventSub, Received, message_number, within,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
const WAIT: Duration = Duration::from_secs(5);

async fn mock() -> MockEventSub {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &[]);
    mock
}

async fn open(url: &str) -> Ws {
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// The next text frame as JSON, or the close code if the socket closes first.
async fn next(ws: &mut Ws) -> Result<Value, Option<u16>> {
    within(WAIT, "a frame", async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text).unwrap()),
                Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| u16::from(f.code))),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(None),
            }
        }
    })
    .await
}

fn message_type(frame: &Value) -> &str {
    frame["metadata"]["message_type"].as_str().unwrap()
}

async fn welcomed(url: &str) -> (Ws, String, u64) {
    let mut ws = open(url).await;
    let welcome = next(&mut ws).await.unwrap();
    assert_eq!(message_type(&welcome), "session_welcome");
    let session = &welcome["payload"]["session"];
    (
        ws,
        session["id"].as_str().unwrap().to_owned(),
        session["keepalive_timeout_seconds"].as_u64().unwrap(),
    )
}

async fn subscribe(mock: &MockEventSub, session_id: &str) {
    mock.helix_client(CLIENT_ID, USER_TOKEN)
        .create_subscription(
            &stream_online(USER_ID),
            &TransportRequest::websocket(session_id),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn welcome_honours_the_requested_keepalive_and_keepalives_follow_when_idle() {
    let mock = mock().await;
    let (_ws, _, keepalive) =
        welcomed(&format!("{}?keepalive_timeout_seconds=2", mock.ws_url())).await;
    assert_eq!(keepalive, 2);
    let (mut ws, session, keepalive) = welcomed(&mock.ws_url()).await;
    assert_eq!(
        keepalive, 1,
        "the configured default when none is asked for"
    );
    subscribe(&mock, &session).await;
    for _ in 0..2 {
        assert_eq!(
            message_type(&next(&mut ws).await.unwrap()),
            "session_keepalive"
        );
    }
}

#[tokio::test]
async fn a_keepalive_outside_the_range_is_refused_with_a_clear_http_error() {
    let mock = MockEventSub::start(MockConfig::default()).await.unwrap();
    for bad in ["5", "601", "ten"] {
        let url = format!("{}?keepalive_timeout_seconds={bad}", mock.ws_url());
        let error = tokio_tungstenite::connect_async(&url).await.unwrap_err();
        let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
            panic!("expected an HTTP error, got {error}");
        };
        assert_eq!(response.status(), 400);
        let body = String::from_utf8(response.body().clone().unwrap()).unwrap();
        assert!(body.contains("between 10 and 600"), "{body}");
    }
}

#[tokio::test]
async fn any_client_data_frame_is_closed_4001_and_recorded() {
    let mock = mock().await;
    let (mut ws, _, _) = welcomed(&mock.ws_url()).await;
    ws.send(Message::text("hello")).await.unwrap();
    assert_eq!(next(&mut ws).await.unwrap_err(), Some(4001));
    let records = mock.records();
    assert_eq!(
        records.client_data_frames().len(),
        1,
        "the fault a test asserts on"
    );
    assert!(
        matches!(records.client_data_frames()[0].1, Received::Text(ref text) if text == "hello")
    );
}

#[tokio::test]
async fn a_session_without_a_subscription_is_closed_4003_after_the_window() {
    let mock = mock().await;
    let (mut ws, _, _) = welcomed(&mock.ws_url()).await;
    loop {
        match next(&mut ws).await {
            Ok(frame) => assert_eq!(message_type(&frame), "session_keepalive"),
            Err(code) => break assert_eq!(code, Some(4003)),
        }
    }
}

#[tokio::test]
async fn helix_on_the_same_port_knows_welcomed_sessions_and_notifications_follow_subscriptions() {
    let mock = mock().await;
    let helix = mock.helix_client(CLIENT_ID, USER_TOKEN);
    let unknown = helix
        .create_subscription(
            &stream_online(USER_ID),
            &TransportRequest::websocket("no-such-session"),
        )
        .await;
    assert!(unknown.is_err(), "only welcomed sessions are accepted");
    let (mut ws, session, _) = welcomed(&mock.ws_url()).await;
    subscribe(&mock, &session).await;
    assert!(
        mock.notify("channel.follow", Delivery::Once).is_empty(),
        "not subscribed"
    );
    let sent = mock.notify("stream.online", Delivery::Once);
    let frame = next(&mut ws).await.unwrap();
    assert_eq!(message_type(&frame), "notification");
    assert_eq!(frame["metadata"]["message_id"], sent[0].as_str());
    assert_eq!(frame["payload"]["event"]["broadcaster_user_id"], USER_ID);
    assert_eq!(frame["payload"]["event"]["type"], "live");
    assert_eq!(
        frame["payload"]["subscription"]["transport"]["session_id"],
        session.as_str()
    );
    drop(ws);
    assert!(
        mock.wait_for(WAIT, |m| m.helix().subscriptions[0].status
            == "websocket_disconnected")
            .await,
        "a session that ends disables its subscriptions"
    );
}

#[tokio::test]
async fn reconnect_hands_the_session_over_and_a_lingering_old_socket_gets_4004() {
    let mock = mock().await;
    let (mut old, session, _) = welcomed(&mock.ws_url()).await;
    subscribe(&mock, &session).await;
    let socket = mock.current_socket().unwrap();
    let url = mock.reconnect(socket).unwrap();
    let reconnect = next(&mut old).await.unwrap();
    assert_eq!(message_type(&reconnect), "session_reconnect");
    assert_eq!(
        reconnect["payload"]["session"]["reconnect_url"],
        url.as_str()
    );
    let (mut new, new_session, _) = welcomed(&url).await;
    assert_eq!(new_session, session, "the session moves over");
    let sent = mock.notify("stream.online", Delivery::EverySocket);
    assert_eq!(
        next(&mut new).await.unwrap()["metadata"]["message_id"],
        sent[0].as_str()
    );
    assert_eq!(
        next(&mut old).await.unwrap()["metadata"]["message_id"],
        sent[0].as_str(),
        "duplicated across sockets"
    );
    // The old socket is never closed by this client: the grace (2 s) runs out.
    loop {
        match next(&mut old).await {
            Ok(frame) => assert_eq!(message_type(&frame), "session_keepalive"),
            Err(code) => break assert_eq!(code, Some(4004)),
        }
    }
    assert_eq!(
        mock.live_subscriptions(),
        1,
        "the session lives on on the new socket"
    );
    let stale = welcomed_or_close(&url).await;
    assert_eq!(stale, Some(4007), "a reconnect URL works once");
}

async fn welcomed_or_close(url: &str) -> Option<u16> {
    let mut ws = open(url).await;
    next(&mut ws).await.err().flatten()
}

#[tokio::test]
async fn faults_drop_duplicate_and_close_with_any_code_are_recorded() {
    let mock = mock().await;
    let (mut ws, session, _) = welcomed(&mock.ws_url()).await;
    subscribe(&mock, &session).await;
    let sent = mock.notify("stream.online", Delivery::Twice);
    let first = next(&mut ws).await.unwrap();
    let second = next(&mut ws).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first["metadata"]["message_id"], sent[0].as_str());
    let socket = mock.current_socket().unwrap();
    mock.delay(socket, Duration::from_millis(300));
    let started = std::time::Instant::now();
    mock.notify("stream.online", Delivery::Once);
    assert_eq!(message_type(&next(&mut ws).await.unwrap()), "notification");
    assert!(started.elapsed() >= Duration::from_millis(300), "delayed");
    mock.close(socket, 4000, "internal server error");
    assert_eq!(next(&mut ws).await.unwrap_err(), Some(4000));
    let (mut ws, _, _) = welcomed(&mock.ws_url()).await;
    let socket = mock.current_socket().unwrap();
    mock.drop_socket(socket);
    assert_eq!(next(&mut ws).await.unwrap_err(), None, "no close frame");
    let ended =
        |how: Ended| move |m: &MockEventSub| m.records().endings().iter().any(|(_, h)| *h == how);
    assert!(mock.wait_for(WAIT, ended(Ended::ByServer(4000))).await);
    assert!(mock.wait_for(WAIT, ended(Ended::Dropped)).await);
    let records = mock.records();
    assert_eq!(records.sent_notifications().len(), 3);
    assert_eq!(records.notification_ids()[0], sent[0]);
    assert!(records.endings().contains(&(socket, Ended::Dropped)));
}

#[tokio::test]
async fn a_blast_sends_distinct_notifications_back_to_back_and_records_them_as_one_entry() {
    let mock = mock().await;
    let (mut ws, session, _) = welcomed(&mock.ws_url()).await;
    assert!(mock.blast("stream.online", 3).is_none(), "not subscribed");
    subscribe(&mock, &session).await;
    let blast = mock.blast("stream.online", 300).unwrap();
    for index in 0..300 {
        let frame = next(&mut ws).await.unwrap();
        assert_eq!(message_type(&frame), "notification");
        assert_eq!(
            frame["metadata"]["message_id"],
            blast.message_id(index).as_str()
        );
        assert_eq!(frame["payload"]["event"]["type"], "live");
    }
    assert!(
        mock.wait_for(WAIT, |m| !m.records().blasts().is_empty())
            .await,
        "the blast is recorded once written"
    );
    let records = mock.records();
    assert_eq!(records.blasts(), vec![(&blast, 300)]);
    assert!(
        records.sent_notifications().is_empty(),
        "no per-frame records"
    );
}

#[tokio::test]
async fn faulty_frames_and_late_duplicates_go_out_and_are_recorded_and_records_can_be_taken() {
    let mock = mock().await;
    let (mut ws, session, _) = welcomed(&mock.ws_url()).await;
    subscribe(&mock, &session).await;
    let socket = mock.current_socket().unwrap();
    let sent = mock.notify("stream.online", Delivery::Once);
    let first = next(&mut ws).await.unwrap();
    let before = mock.take_records();
    assert_eq!(before.notification_ids(), sent, "taken with the records");
    assert!(mock.records().entries.is_empty(), "a new log begins");

    assert!(mock.inject(socket, BadFrame::NotJson));
    assert!(mock.inject(socket, BadFrame::MissingFields));
    assert!(mock.inject(socket, BadFrame::Oversized { bytes: 70_000 }));
    let notification = before.sent_notifications()[0].clone();
    assert!(mock.send_again(socket, &notification));
    let texts: Vec<String> = within(WAIT, "four frames", async {
        let mut texts = Vec::new();
        while texts.len() < 4 {
            if let Some(Ok(Message::Text(text))) = ws.next().await {
                texts.push(text.as_str().to_owned());
            }
        }
        texts
    })
    .await;
    assert!(
        serde_json::from_str::<Value>(&texts[0]).is_err(),
        "not JSON"
    );
    let missing: Value = serde_json::from_str(&texts[1]).unwrap();
    assert_eq!(message_type(&missing), "notification");
    assert!(missing["payload"]["event"].is_null());
    assert_eq!(texts[2].len(), 70_000);
    let again: Value = serde_json::from_str(&texts[3]).unwrap();
    assert_eq!(again, first, "the same frame, message id included");

    let records = mock.records();
    assert_eq!(
        records.injected(),
        [
            (socket, BadFrame::NotJson),
            (socket, BadFrame::MissingFields),
            (socket, BadFrame::Oversized { bytes: 70_000 }),
        ]
    );
    assert_eq!(records.sent_notifications().len(), 1, "the duplicate");
    assert_eq!(records.notification_ids(), sent);
    assert!(message_number(&sent[0]).is_some());
    assert_eq!(message_number("not-from-this-mock"), None);
}

/// Skips keepalives; the next `session_reconnect`'s URL.
async fn next_reconnect_url(ws: &mut Ws) -> String {
    loop {
        let frame = next(ws).await.unwrap();
        match message_type(&frame) {
            "session_keepalive" => continue,
            "session_reconnect" => {
                return frame["payload"]["session"]["reconnect_url"]
                    .as_str()
                    .unwrap()
                    .to_owned();
            }
            other => panic!("unexpected {other}"),
        }
    }
}

#[tokio::test]
async fn a_reconnect_storm_follows_the_session_to_its_new_socket_and_counts_open_sockets() {
    let mock = mock().await;
    let (mut first, session, _) = welcomed(&mock.ws_url()).await;
    subscribe(&mock, &session).await;
    let socket = mock.current_socket().unwrap();
    assert!(mock.reconnect_storm(socket, 4, Duration::from_millis(20)));
    // The storm goes on on the socket that carries the session: follow the first URL.
    let url = next_reconnect_url(&mut first).await;
    let (mut second, moved, _) = welcomed(&url).await;
    assert_eq!(moved, session, "the session moves over");
    // Every URL of the storm is valid (once): the next ones come on the new socket.
    let later = next_reconnect_url(&mut second).await;
    assert_ne!(later, url);
    assert!(
        mock.wait_for(WAIT, |mock| {
            mock.records()
                .sent()
                .filter(|frame| frame.message_type == "session_reconnect")
                .count()
                == 4
        })
        .await,
        "the storm sends exactly its count"
    );
    assert_eq!(mock.open_sockets(), 2);
    assert_eq!(mock.peak_open_sockets(), 2);
    let (_third, _, _) = welcomed(&later).await;
    assert_eq!(mock.peak_open_sockets(), 3);
    drop(first);
    assert!(
        mock.wait_for(WAIT, |mock| mock.open_sockets() == 2).await,
        "a socket that ends is no longer counted"
    );
    assert_eq!(mock.peak_open_sockets(), 3, "the peak stays");
}
