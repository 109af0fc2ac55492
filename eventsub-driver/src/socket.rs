//! WebSocket I/O on any runtime: reading a socket as a stream of what the core needs to hear, and
//! closing it with the code the core chose. Control frames are tungstenite's business (it answers
//! pings); the only frame this crate ever sends is a close frame.
//!
//! A server that sends pings but does not read the pongs cannot make the client hold more than
//! the write buffer's bound ([`MAX_WRITE_BUFFER_BYTES`]: past it tungstenite keeps only the newest
//! pong), and a socket whose pongs stay stuck through [`MAX_PINGS_WHILE_BLOCKED`] pings in a row
//! is ended and reported as closed.

use std::task::{Context, Poll};

use eventsub_proto::ClientCloseCode;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tungstenite::protocol::CloseFrame;
use tungstenite::{Bytes, Message, Utf8Bytes};

use crate::runtime::BoxWebSocket;
use crate::token::BoxFuture;

/// How much tungstenite reads from the socket at a time. It zeroes that much of its buffer before
/// every read (its default, 128 KiB, made zeroing cost more than routing a frame when frames came
/// one at a time); against a bulk sender 16 KiB is still a dozen chat frames per read. A larger
/// frame grows the buffer to its size, as before.
pub(crate) const READ_BUFFER_BYTES: usize = 16 * 1024;
/// What every socket's read buffer may take together: a client holding many sessions (the
/// shards of a pool) reads each with a smaller buffer, down to [`MIN_READ_BUFFER_BYTES`], so that
/// a thousand idle shards do not keep 16 MiB of buffers resident.
pub(crate) const READ_BUFFERS_BUDGET_BYTES: usize = 256 * 1024;
/// The least read buffer: still several notifications, or a whole keepalive, per read.
pub(crate) const MIN_READ_BUFFER_BYTES: usize = 4 * 1024;

/// The read buffer of each of `sockets` sockets held at once (see [`READ_BUFFERS_BUDGET_BYTES`]).
pub(crate) fn read_buffer_bytes(sockets: usize) -> usize {
    (READ_BUFFERS_BUDGET_BYTES / sockets.max(1)).clamp(MIN_READ_BUFFER_BYTES, READ_BUFFER_BYTES)
}
/// What tungstenite buffers before writing to the socket: pongs and the close frame are all the
/// client writes, so a small buffer is plenty.
pub(crate) const WRITE_BUFFER_BYTES: usize = 4 * 1024;
/// The most the write buffer may hold: past it, tungstenite keeps only the newest pending pong
/// instead of queueing more.
pub(crate) const MAX_WRITE_BUFFER_BYTES: usize = 64 * 1024;
/// How many pings in a row may find the pongs still stuck (the socket not writable: the server
/// does not read) before the socket is ended. Twitch pings rarely and reads what it is sent; only
/// a server flooding pings while it stops reading gets here.
pub(crate) const MAX_PINGS_WHILE_BLOCKED: u32 = 64;

/// How many frames that carry nothing for the core (pings, pongs, raw frames) one poll of a
/// socket reads before it gives the driver's other work a turn: a server sending such frames
/// faster than they are read would otherwise hold the driver in one poll for as long as it likes
/// (async-io has no cooperative budget to stop it), with its timers, its commands, its other
/// socket and this socket's close deadline unseen. 1,024 pings are at most 130 KB, read in well
/// under a millisecond; a bound of 64 made the process's heap peak in `tests/tests/ping_flood.rs`
/// (mock and client together) rise from 21–81 KB to 413–474 KB, as the flood then met a client
/// that stepped out of its reads sixteen times as often.
pub(crate) const MAX_CONTROL_FRAMES_PER_POLL: u32 = 1024;

/// The writing half: used once, for the close frame.
pub(crate) type Writer = SplitSink<BoxWebSocket, Message>;

/// Splits an open socket into its halves.
pub(crate) fn split(ws: BoxWebSocket) -> (Writer, Reader) {
    let (writer, stream) = ws.split();
    (
        writer,
        Reader {
            stream,
            pings_while_blocked: 0,
        },
    )
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

/// The reading half. A socket the client is closing is read like any other until the server
/// answers (or the core gives up waiting for the answer, [`Output::Abort`]): what the server sent
/// before it saw the close frame is fed to the core. The wait is the core's deadline, not one of
/// this reader's: it must not run while reading is paused.
///
/// [`Output::Abort`]: eventsub_proto::Output::Abort
pub(crate) struct Reader {
    stream: SplitStream<BoxWebSocket>,
    /// Pings in a row whose pongs could not be written out.
    pings_while_blocked: u32,
}

impl Reader {
    /// The next thing the socket did. After a [`SocketEvent::Closed`] the reader is done.
    /// `writer` is the socket's writing half while the client has not sent its close frame: each
    /// ping checks that the pongs get written out.
    pub(crate) fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
        writer: Option<&mut Writer>,
    ) -> Poll<SocketEvent> {
        let mut writer = writer;
        let mut control_frames = 0_u32;
        loop {
            if control_frames == MAX_CONTROL_FRAMES_PER_POLL {
                // Back at once, after whatever else is ready.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            match self.stream.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(Message::Ping(_)))) => {
                    if let Some(closed) = self.pong_due(cx, writer.as_deref_mut()) {
                        return Poll::Ready(closed);
                    }
                    control_frames += 1;
                }
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
                Poll::Ready(Some(Ok(_))) => control_frames += 1,
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
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// tungstenite queued a pong for the ping just read: pushes it out, and ends the socket when
    /// pong after pong stays stuck (the server sends but does not read).
    fn pong_due(
        &mut self,
        cx: &mut Context<'_>,
        writer: Option<&mut Writer>,
    ) -> Option<SocketEvent> {
        let writer = writer?;
        match writer.poll_flush_unpin(cx) {
            Poll::Ready(Ok(())) => {
                self.pings_while_blocked = 0;
                None
            }
            Poll::Ready(Err(error)) => Some(SocketEvent::Closed {
                code: None,
                reason: error.to_string(),
            }),
            Poll::Pending => {
                self.pings_while_blocked = self.pings_while_blocked.saturating_add(1);
                (self.pings_while_blocked >= MAX_PINGS_WHILE_BLOCKED).then(|| SocketEvent::Closed {
                    code: None,
                    reason: format!(
                        "the server sent {MAX_PINGS_WHILE_BLOCKED} pings in a row without reading the pongs"
                    ),
                })
            }
        }
    }
}

/// Answers the server's close frame, as RFC 6455 §5.5.1 requires: tungstenite queued the answer
/// when it read the server's close; closing the sink flushes it. Given up when `deadline`
/// completes first.
pub(crate) async fn answer_close(mut writer: Writer, deadline: BoxFuture<'static, ()>) {
    let answer = async move {
        let _ = writer.close().await;
    };
    futures_util::future::select(Box::pin(answer), deadline).await;
}

/// Sends the close frame with `code`, given up when `deadline` completes first (a stuck socket
/// cannot hold it).
pub(crate) async fn send_close(
    mut writer: Writer,
    code: ClientCloseCode,
    deadline: BoxFuture<'static, ()>,
) {
    let frame = CloseFrame {
        code: code.as_u16().into(),
        reason: Utf8Bytes::from_static(""),
    };
    let send = async move {
        let _ = writer.send(Message::Close(Some(frame))).await;
    };
    futures_util::future::select(Box::pin(send), deadline).await;
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use futures_util::Stream;
    use tungstenite::Error as WsError;

    use super::*;
    use crate::test_support::{Socket, counting_waker};

    /// A server flooding pings: `pings` of them ready at once, then nothing (as a [`Socket`], it
    /// takes whatever is written, the pongs, at once).
    struct PingFlood {
        pings: u64,
        read: Arc<AtomicU64>,
    }

    impl Stream for PingFlood {
        type Item = Result<Message, WsError>;

        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if self.read.load(Ordering::SeqCst) == self.pings {
                return Poll::Pending;
            }
            self.read.fetch_add(1, Ordering::SeqCst);
            Poll::Ready(Some(Ok(Message::Ping(Bytes::from_static(b"ping")))))
        }
    }

    #[test]
    fn a_ping_flood_hands_the_driver_back_after_a_bounded_number_of_frames() {
        const PINGS: u64 = 1_000_000;
        let read = Arc::new(AtomicU64::new(0));
        let flood = PingFlood {
            pings: PINGS,
            read: read.clone(),
        };
        let (mut writer, mut reader) = split(Box::pin(Socket(flood)));
        let (wakes, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        for poll in 1..=3_u64 {
            let polled = reader.poll_event(&mut cx, Some(&mut writer));
            assert!(polled.is_pending(), "{polled:?}");
            assert_eq!(
                read.load(Ordering::SeqCst),
                poll * u64::from(MAX_CONTROL_FRAMES_PER_POLL),
                "each poll reads a bounded number of pings"
            );
            assert_eq!(wakes.count(), poll, "and asks to be polled again");
        }
    }
}
