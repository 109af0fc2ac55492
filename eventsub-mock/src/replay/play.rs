//! Playing one recorded connection to the client that took its place.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::{Duration, Instant, sleep_until};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

use super::ReplayShared;
use super::rewrite::prepare;
use super::script::{End, Frame, Script};

/// Accepts the next WebSocket as the next recorded connection and plays it; refuses it (HTTP 503)
/// when that connection could not be opened in the recording, or when the recording has no more.
// The handshake callback's error type is tungstenite's (a whole HTTP response).
#[allow(clippy::result_large_err)]
pub(super) async fn serve(shared: Arc<ReplayShared>, stream: TcpStream) {
    let index = shared.next.fetch_add(1, Ordering::AcqRel);
    let script = shared.scripts.get(index);
    let refusal = match script {
        None => Some("the recording has no more connections".to_owned()),
        Some(script) => script.refused.clone(),
    };
    let check = move |_: &Request, response: Response| match refusal {
        None => Ok(response),
        Some(reason) => {
            let mut response = ErrorResponse::new(Some(reason));
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            Err(response)
        }
    };
    let accepted = tokio_tungstenite::accept_hdr_async(stream, check).await;
    if let (Ok(ws), Some(script)) = (accepted, script) {
        let mut player = Player {
            shared: shared.clone(),
            ws,
            script,
            origin: Instant::now(),
            sessions: Vec::new(),
            stopped: shared.stopped.subscribe(),
        };
        player.play().await;
        player.sessions_end();
    }
    if script.is_some() {
        shared.played.fetch_add(1, Ordering::AcqRel);
    }
}

struct Player<'a> {
    shared: Arc<ReplayShared>,
    ws: WebSocketStream<TcpStream>,
    script: &'a Script,
    origin: Instant,
    /// Sessions this connection welcomed.
    sessions: Vec<String>,
    stopped: tokio::sync::watch::Receiver<bool>,
}

impl Player<'_> {
    /// When something recorded `after` the opening happens in the replay.
    fn at(&self, after: Duration) -> Instant {
        // A recording is untrusted: a huge offset at a tiny speed saturates rather than panics.
        let scaled = Duration::try_from_secs_f64(after.as_secs_f64() / self.shared.options.speed)
            .unwrap_or(Duration::MAX);
        let far = self.origin + Duration::from_secs(86_400 * 365);
        self.origin
            .checked_add(scaled)
            .map_or(far, |at| at.min(far))
    }

    async fn play(&mut self) {
        let script = self.script;
        for frame in &script.frames {
            if !self.wait_until(self.at(frame.after)).await {
                return;
            }
            let message = match &frame.frame {
                Frame::Text(text) => Message::text(self.prepare(text, frame.wall)),
                Frame::Binary(data) => Message::binary(data.clone()),
            };
            if self.ws.send(message).await.is_err() {
                return;
            }
        }
        match &script.end {
            End::ServerCloses {
                after,
                code,
                reason,
            } => {
                if self.wait_until(self.at(*after)).await {
                    self.close(*code, reason).await;
                }
            }
            // Dropping the socket is what a broken connection looks like to the client.
            End::Drops { after } => {
                self.wait_until(self.at(*after)).await;
            }
            End::Client => self.idle().await,
        }
    }

    /// The recording is played: keep the session alive, as Twitch would, until the client leaves.
    async fn idle(&mut self) {
        let pace = self.script.keepalive;
        loop {
            if !self.wait_until(Instant::now() + pace).await {
                return;
            }
            let number = self.shared.keepalives.fetch_add(1, Ordering::AcqRel);
            let message_id = format!("replay-keepalive-{number}");
            let text = crate::ws::frames_now().keepalive(&message_id);
            if self.ws.send(Message::text(text)).await.is_err() {
                return;
            }
        }
    }

    fn prepare(&mut self, text: &str, recorded_wall: SystemTime) -> String {
        let shift = self
            .shared
            .options
            .shift_timestamps
            .then(|| (recorded_wall, SystemTime::now()));
        let prepared = prepare(text, &self.shared.reconnect_url(), shift);
        if let Some(session_id) = prepared.welcomed_session {
            crate::helix::lock(&self.shared.helix).add_known_session(&session_id);
            self.shared
                .carriers()
                .insert(session_id.clone(), self.script.conn);
            self.sessions.push(session_id);
        }
        prepared.text
    }

    /// Reads what the client sends until `at`; false when the client closed or left first.
    async fn wait_until(&mut self, at: Instant) -> bool {
        loop {
            let message = tokio::select! {
                // The server is gone: so is the socket.
                _ = self.stopped.wait_for(|stopped| *stopped) => return false,
                () = sleep_until(at) => return true,
                message = self.ws.next() => message,
            };
            match message {
                Some(Ok(Message::Close(_))) => {
                    // tungstenite queued the answer; reading on flushes it.
                    self.drain().await;
                    return false;
                }
                // Twitch answers any data frame from the client so.
                Some(Ok(Message::Text(_) | Message::Binary(_))) => {
                    self.close(4001, "client sent inbound traffic").await;
                    return false;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return false,
            }
        }
    }

    async fn drain(&mut self) {
        let ws = &mut self.ws;
        let drain = async move { while let Some(Ok(_)) = ws.next().await {} };
        let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
    }

    async fn close(&mut self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code: code.into(),
            reason: reason.to_owned().into(),
        };
        let _ = self.ws.close(Some(frame)).await;
        self.drain().await;
    }

    /// The sessions this connection still carried end with it (their subscriptions are
    /// disconnected, as on Twitch).
    fn sessions_end(&mut self) {
        for session_id in std::mem::take(&mut self.sessions) {
            let carried = {
                let mut carriers = self.shared.carriers();
                let carried = carriers.get(&session_id) == Some(&self.script.conn);
                if carried {
                    carriers.remove(&session_id);
                }
                carried
            };
            if carried {
                crate::helix::lock(&self.shared.helix).disconnect_session(&session_id);
            }
        }
    }
}
