//! WebSocket I/O: opening a socket, reading it as a stream of what the core needs to hear, and
//! closing it with the code the core chose. Control frames are tungstenite's business (it answers
//! pings); the only frame this crate ever sends is a close frame.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use eventsub_proto::{ClientCloseCode, Url};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, Stream, StreamExt};
use tokio::net::TcpStream;
use tokio::time::Sleep;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The writing half: used once, for the close frame.
pub(crate) type Writer = SplitSink<Ws, Message>;

/// Opens a WebSocket (TLS by rustls for `wss://`); the error is text for the core.
pub(crate) async fn connect(url: Url, max_frame_bytes: usize) -> Result<(Writer, Reader), String> {
    let config = WebSocketConfig::default()
        .max_message_size(Some(max_frame_bytes))
        .max_frame_size(Some(max_frame_bytes));
    let (ws, _response) =
        tokio_tungstenite::connect_async_tls_with_config(url.as_str(), Some(config), true, None)
            .await
            .map_err(|error| error.to_string())?;
    let (writer, stream) = ws.split();
    Ok((
        writer,
        Reader {
            stream,
            close_deadline: None,
        },
    ))
}

/// What a socket did, as the core needs to hear it.
#[derive(Debug)]
pub(crate) enum SocketEvent {
    Text(Utf8Bytes),
    Binary(Bytes),
    /// The socket is gone; `code` is `None` when it ended without a close frame.
    Closed {
        code: Option<u16>,
        reason: String,
    },
}

/// The reading half, with the deadline of a close handshake the client started.
pub(crate) struct Reader {
    stream: SplitStream<Ws>,
    close_deadline: Option<Pin<Box<Sleep>>>,
}

impl Reader {
    /// The client sent its close frame: the server gets `timeout` to answer before the socket is
    /// given up as dropped.
    pub(crate) fn closing(&mut self, timeout: Duration) {
        self.close_deadline = Some(Box::pin(tokio::time::sleep(timeout)));
    }

    /// The next thing the socket did. After a [`SocketEvent::Closed`] the reader is done.
    pub(crate) fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<SocketEvent> {
        loop {
            match self.stream.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(Message::Text(text)))) => {
                    return Poll::Ready(SocketEvent::Text(text));
                }
                Poll::Ready(Some(Ok(Message::Binary(data)))) => {
                    return Poll::Ready(SocketEvent::Binary(data));
                }
                Poll::Ready(Some(Ok(Message::Close(frame)))) => {
                    let (code, reason) = frame.map_or((None, String::new()), |frame| {
                        (
                            Some(u16::from(frame.code)),
                            frame.reason.as_str().to_owned(),
                        )
                    });
                    return Poll::Ready(SocketEvent::Closed { code, reason });
                }
                // Pings are answered by tungstenite; pongs and raw frames carry nothing for the core.
                Poll::Ready(Some(Ok(_))) => continue,
                Poll::Ready(Some(Err(error))) => {
                    return Poll::Ready(SocketEvent::Closed {
                        code: None,
                        reason: error.to_string(),
                    });
                }
                Poll::Ready(None) => {
                    return Poll::Ready(SocketEvent::Closed {
                        code: None,
                        reason: "connection ended without a close frame".to_owned(),
                    });
                }
                Poll::Pending => break,
            }
        }
        if let Some(deadline) = &mut self.close_deadline {
            if deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(SocketEvent::Closed {
                    code: None,
                    reason: "the server did not answer the close frame in time".to_owned(),
                });
            }
        }
        Poll::Pending
    }
}

impl Stream for Reader {
    type Item = SocketEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<SocketEvent>> {
        self.get_mut().poll_event(cx).map(Some)
    }
}

/// Sends the close frame with `code` (bounded by `timeout`, so a stuck socket cannot hold it).
pub(crate) async fn send_close(mut writer: Writer, code: ClientCloseCode, timeout: Duration) {
    let frame = CloseFrame {
        code: code.as_u16().into(),
        reason: Utf8Bytes::from_static(""),
    };
    let _ = tokio::time::timeout(timeout, writer.send(Message::Close(Some(frame)))).await;
}
