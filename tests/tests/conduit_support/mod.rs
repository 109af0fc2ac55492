//! What the conduit tests share: a bare WebSocket shard session against the mock (these tests
//! check the mock and the manager, not the client's shard mode), a mock with an app token, and
//! waiting without sleeping.
#![allow(dead_code)]

use std::time::Duration;

use eventsub_mock::{MockConfig, MockEventSub, within};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// The client id and app token registered by [`start_mock`].
pub const CLIENT_ID: &str = "conduit-client";
/// An app token of [`CLIENT_ID`].
pub const APP_TOKEN: &str = "conduit-app-token";

/// How long any one wait may take before the test fails (a guard, not a timing assertion).
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A mock whose fresh sessions have a minute to be assigned, with [`APP_TOKEN`] registered.
pub async fn start_mock() -> MockEventSub {
    let config = MockConfig::fast().with_unused_window(Duration::from_secs(60));
    let mock = MockEventSub::start(config).await.unwrap();
    mock.helix().add_app_token(APP_TOKEN, CLIENT_ID);
    mock
}

/// One WebSocket session used as a shard: it reads the welcome, then hands every other frame
/// (as JSON) to the test.
pub struct ShardSocket {
    /// The session id from the welcome.
    pub session_id: String,
    frames: mpsc::UnboundedReceiver<Value>,
    close: mpsc::UnboundedSender<u16>,
    task: JoinHandle<()>,
}

impl ShardSocket {
    /// Connects to `ws_url` and waits for the welcome.
    pub async fn connect(ws_url: &str) -> Self {
        let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await.unwrap();
        let welcome = within(PATIENCE, "the welcome", ws.next()).await;
        let Some(Ok(Message::Text(text))) = welcome else {
            panic!("expected a welcome, got {welcome:?}");
        };
        let welcome: Value = serde_json::from_str(text.as_str()).unwrap();
        let session_id = welcome["payload"]["session"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (sender, frames) = mpsc::unbounded_channel();
        let (close, mut closing) = mpsc::unbounded_channel::<u16>();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    code = closing.recv() => {
                        let frame = code.map(|code| CloseFrame { code: code.into(), reason: "".into() });
                        let _ = ws.close(frame).await;
                        while let Some(Ok(_)) = ws.next().await {}
                        return;
                    }
                    message = ws.next() => match message {
                        Some(Ok(Message::Text(text))) => {
                            let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                            if sender.send(frame).is_err() {
                                return;
                            }
                        }
                        Some(Ok(_)) => {}
                        _ => return,
                    },
                }
            }
        });
        Self {
            session_id,
            frames,
            close,
            task,
        }
    }

    /// The next frame of `message_type`, skipping others (keepalives).
    pub async fn next_of(&mut self, message_type: &str) -> Value {
        within(PATIENCE, message_type, async {
            loop {
                let frame = self.frames.recv().await.expect("the socket ended");
                if frame["metadata"]["message_type"] == message_type {
                    return frame;
                }
            }
        })
        .await
    }

    /// The next `count` notifications.
    pub async fn notifications(&mut self, count: usize) -> Vec<Value> {
        let mut notifications = Vec::with_capacity(count);
        for _ in 0..count {
            notifications.push(self.next_of("notification").await);
        }
        notifications
    }

    /// The notifications already received, without waiting.
    pub fn received_notifications(&mut self) -> Vec<Value> {
        let mut notifications = Vec::new();
        while let Ok(frame) = self.frames.try_recv() {
            if frame["metadata"]["message_type"] == "notification" {
                notifications.push(frame);
            }
        }
        notifications
    }

    /// Forgets the frames received so far, so the next wait sees only later ones.
    pub fn forget_received(&mut self) {
        while self.frames.try_recv().is_ok() {}
    }

    /// Waits until the server ends the socket.
    pub async fn ended(mut self) {
        within(PATIENCE, "the socket to end", async {
            while self.frames.recv().await.is_some() {}
        })
        .await;
    }

    /// Closes the socket from the client side with `code` and waits until it is done.
    pub async fn close(self, code: u16) {
        let _ = self.close.send(code);
        within(PATIENCE, "the close", self.task).await.unwrap();
    }
}

/// Opens `count` shard sockets, a few at a time.
pub async fn connect_many(ws_url: &str, count: usize) -> Vec<ShardSocket> {
    let mut sockets = Vec::with_capacity(count);
    let mut pending = futures_util::stream::iter(0..count)
        .map(|_| ShardSocket::connect(ws_url))
        .buffered(32);
    while let Some(socket) = pending.next().await {
        sockets.push(socket);
    }
    sockets
}
