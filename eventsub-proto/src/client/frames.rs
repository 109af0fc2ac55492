//! Frames from the server: welcome, keepalive, notification, reconnect, revocation.

use std::time::{Duration, SystemTime};

use url::Url;

use super::{Client, Takeover};
use crate::PayloadCheck;
use crate::close::ClientCloseCode;
use crate::connection::Connection;
use crate::error::{FrameError, InputError};
use crate::event::{DropReason, Event, Notification, NotificationParts, PendingBatch, Revocation};
use crate::ids::{ConnId, MessageId, SessionId};
use crate::message::{self, Events, Message, Metadata, NotificationMessage, SubscriptionRef};
use crate::scan::{self, Scanned};
use crate::wanted::SubscriptionState;

/// The events of a notification as the core routes them: text found in the frame.
pub(super) enum RoutedEvents<'a> {
    /// `payload.event`, read as JSON with the subscription by the full parse.
    Single(&'a str),
    /// `payload.event`, found by the scan: it and the subscription are checked when decoded.
    Unchecked(&'a str),
    /// `payload.events`, an array checked by the full parse.
    Batch(&'a str),
}

impl Client {
    /// Any frame, even one we cannot read, shows the socket is alive. Returns whether it is closing.
    /// A frame of `len` bytes arrived on `conn`: whether `conn` is closing. A closing socket that
    /// has delivered more than `max_close_drain_bytes` since the close frame is dropped after this
    /// frame: a server answering the close with an endless stream cannot hold it open, however
    /// slowly the consumer reads (the close timeout counts reading time only).
    pub(super) fn heard_from(&mut self, conn: ConnId, len: usize) -> Result<bool, InputError> {
        let now = self.now;
        let connection = self.connection_mut(conn)?;
        connection.heard_from(now);
        let closing = connection.is_closing();
        if connection.drained(len) {
            self.close_unanswered(conn);
        }
        Ok(closing)
    }

    pub(super) fn on_text(
        &mut self,
        conn: ConnId,
        text: &str,
        received_at: SystemTime,
    ) -> Result<(), InputError> {
        let closing = self.heard_from(conn, text.len())?;
        if self.stopped {
            return Ok(());
        }
        let parsed = if text.len() > self.config.max_frame_bytes {
            Err(FrameError::TooLarge {
                len: text.len(),
                limit: self.config.max_frame_bytes,
            })
        } else {
            // With a deferred payload check (the default), the lazy envelope first: a keepalive
            // it reads whole, a notification in Twitch's layout only as far as routing needs;
            // anything else is read by the full parse. (With the eager check the scan would only
            // add its metadata read to the full parse.)
            let scanned = match self.config.payload_check {
                PayloadCheck::Deferred => {
                    scan::scan_remembering(text, true, Some(&mut self.subscription_memo))
                }
                PayloadCheck::Eager => None,
            };
            match scanned {
                Some(Scanned::Keepalive { metadata }) => Ok(Message::Keepalive { metadata }),
                Some(Scanned::Notification {
                    metadata,
                    subscription,
                    event,
                }) => {
                    self.connection_mut(conn)?
                        .read_message(&metadata.message_timestamp, received_at);
                    self.on_notification(
                        conn,
                        text,
                        &metadata,
                        subscription,
                        RoutedEvents::Unchecked(event),
                        received_at,
                    );
                    return Ok(());
                }
                _ => message::parse(text),
            }
        };
        // Borrowed out of the result: moving a message out of it would copy the whole message.
        let message = match parsed {
            Ok(ref message) => message,
            Err(error) => {
                self.emit(Event::MalformedFrame { conn, error });
                return Ok(());
            }
        };
        self.connection_mut(conn)?
            .read_message(&message.metadata().message_timestamp, received_at);
        match message {
            Message::Notification(NotificationMessage {
                metadata,
                subscription,
                events,
            }) => {
                let events = match events {
                    Events::Single(event) => RoutedEvents::Single(event.get()),
                    Events::Batch(batch) => RoutedEvents::Batch(batch.raw().get()),
                };
                self.on_notification(
                    conn,
                    text,
                    metadata,
                    subscription.get(),
                    events,
                    received_at,
                )
            }
            Message::Revocation {
                metadata,
                subscription,
            } => self.on_revocation(conn, metadata, subscription),
            // A closing socket only still matters for the events it delivers.
            _ if closing => {}
            Message::Welcome {
                metadata,
                session_id,
                keepalive_timeout_seconds,
            } => {
                self.twitch_clock
                    .welcome(&metadata.message_timestamp, received_at, self.now);
                self.on_welcome(
                    conn,
                    metadata,
                    SessionId::new(session_id.as_ref()),
                    Duration::from_secs(*keepalive_timeout_seconds),
                )
            }
            Message::Keepalive { metadata } => {
                self.twitch_clock
                    .keepalive(&metadata.message_timestamp, received_at, self.now);
            }
            Message::Reconnect {
                metadata,
                reconnect_url,
            } => self.on_reconnect(conn, metadata, reconnect_url),
            Message::Unknown { metadata } => self.emit(Event::UnknownMessage {
                conn,
                message_type: metadata.message_type.to_string(),
            }),
        }
        Ok(())
    }

    pub(super) fn on_welcome(
        &mut self,
        conn: ConnId,
        metadata: &Metadata<'_>,
        session_id: SessionId,
        keepalive: Duration,
    ) {
        let Some(candidate) = self.candidate.filter(|candidate| candidate.conn == conn) else {
            self.emit(Event::UnexpectedMessage {
                conn,
                message_type: metadata.message_type.to_string(),
                detail: "a welcome on a connection that already has its session",
            });
            return;
        };
        self.candidate = None;
        // A reconnect URL still waiting came from the session now handed over or replaced.
        self.pending_handover = None;
        let silence_allowed = self.config.keepalive_grace.window(keepalive);
        let now = self.now;
        if let Ok(connection) = self.connection_mut(conn) {
            connection.go_live(session_id.clone(), keepalive, silence_allowed, now);
        }
        // The old socket is closed only now that the new one is welcomed: nothing is missed.
        let old = self.primary.replace(conn);
        // Only a session that stayed up for `healthy_after` resets the failure count: a server
        // looping on reconnect, welcome and close would otherwise defeat the backoff.
        let old_was_healthy = old
            .and_then(|old| self.connection(old))
            .and_then(Connection::live_since)
            .is_some_and(|since| {
                now.saturating_duration_since(since) >= self.config.backoff.healthy_after
            });
        if let Some(old) = old {
            if let Ok(replaced) = self.connection_mut(old) {
                replaced.replaced(now);
            }
            self.close(old, ClientCloseCode::Normal);
            if candidate.takeover == Takeover::Fresh {
                // The old session's subscriptions die with it; until they exist on the new one,
                // events can be missed: that is a gap, and it is reported as one.
                // The gap first: what was enabled until now was live when it began.
                let read_up_to = self.connection(old).and_then(Connection::read_up_to);
                self.widen_gap(now, read_up_to);
                self.subscriptions.session_lost();
            }
        }
        self.reconnect_at = None;
        // A handover moves the session's subscriptions, and is graceful when the old socket held
        // them up to now. One that outlived its old socket may find them gone, so it is treated as
        // a fresh session (409s then mean "still there").
        if old_was_healthy {
            self.failures = 0;
        }
        if candidate.takeover == Takeover::Handover && old.is_some() {
            self.emit(Event::Reconnected { conn, session_id });
        } else {
            self.emit(Event::SessionReady {
                conn,
                session_id: session_id.clone(),
                keepalive,
            });
            self.set_up_fresh_session(&session_id);
        }
    }

    pub(super) fn on_reconnect(
        &mut self,
        conn: ConnId,
        metadata: &Metadata<'_>,
        reconnect_url: &str,
    ) {
        if self.primary != Some(conn) {
            self.emit(Event::UnexpectedMessage {
                conn,
                message_type: metadata.message_type.to_string(),
                detail: "a reconnect on a connection that is not the live session",
            });
            return;
        }
        let url = match Url::parse(reconnect_url) {
            Ok(url) => url,
            Err(error) => {
                self.emit(Event::ReconnectUrlRejected {
                    conn,
                    url: reconnect_url.to_owned(),
                    reason: error.to_string(),
                });
                self.handover_failed();
                return;
            }
        };
        if let Err(reason) = self.config.reconnect_urls.check(&url, &self.config.url) {
            self.emit(Event::ReconnectUrlRejected {
                conn,
                url: reconnect_url.to_owned(),
                reason,
            });
            self.handover_failed();
            return;
        }
        self.request_handover(url);
    }

    /// A notification whose `metadata` has its subscription type and version set, and whose
    /// `subscription` and `events` are slices of `frame`.
    pub(super) fn on_notification(
        &mut self,
        conn: ConnId,
        frame: &str,
        metadata: &Metadata<'_>,
        subscription: &str,
        events: RoutedEvents<'_>,
        received_at: SystemTime,
    ) {
        let message_id = MessageId::parse(&metadata.message_id);
        if !self.dedup.insert(&message_id, self.now) {
            self.stats.duplicates_dropped += 1;
            return;
        }
        // Judged on Twitch's clock; a `received_at` with no Twitch time is no evidence.
        let stale = self
            .twitch_clock
            .stale_check_now(received_at)
            .and_then(|twitch_now| {
                self.stale_check
                    .age_if_stale(&metadata.message_timestamp, twitch_now)
            });
        if let Some(age) = stale {
            self.stats.stale_dropped += 1;
            self.emit(Event::Dropped {
                conn,
                message_id,
                reason: DropReason::Stale { age },
            });
            return;
        }
        let parts = NotificationParts {
            conn,
            message_id: &message_id,
            message_timestamp: &metadata.message_timestamp,
            subscription_type: metadata.subscription_type.as_deref().unwrap_or_default(),
            subscription_version: metadata.subscription_version.as_deref().unwrap_or_default(),
            subscription,
            unchecked: None,
            now: self.now,
        };
        if self.catch_up.is_some() {
            self.catch_up_delivered(
                parts.subscription_type,
                &events,
                &metadata.message_timestamp,
            );
        }
        match events {
            RoutedEvents::Single(event) => {
                let event = Event::Notification(Notification::single(
                    &mut self.frames,
                    &parts,
                    frame,
                    event,
                ));
                self.emit(event);
            }
            RoutedEvents::Unchecked(event) => {
                let parts = NotificationParts {
                    unchecked: Some(&self.malformed),
                    ..parts
                };
                let event = Event::Notification(Notification::single(
                    &mut self.frames,
                    &parts,
                    frame,
                    event,
                ));
                self.emit(event);
            }
            // Handed out one event at a time as the outputs are drained.
            RoutedEvents::Batch(items) => {
                self.outputs
                    .push_batch(PendingBatch::new(&mut self.frames, &parts, frame, items))
            }
        }
    }

    pub(super) fn on_revocation(
        &mut self,
        conn: ConnId,
        metadata: &Metadata<'_>,
        subscription: &SubscriptionRef<'_>,
    ) {
        let message_id = MessageId::parse(&metadata.message_id);
        if !self.dedup.insert(&message_id, self.now) {
            self.stats.duplicates_dropped += 1;
            return;
        }
        let subscription = match subscription.to_owned() {
            Ok(subscription) => subscription,
            Err(error) => {
                self.emit(Event::MalformedFrame { conn, error });
                return;
            }
        };
        let revoked_spec = subscription.spec();
        if let Some(wanted) = self.subscriptions.entries.iter_mut().find(|wanted| {
            wanted.spec == revoked_spec
                || matches!(&wanted.state, SubscriptionState::Enabled { id: Some(id), .. } if *id == subscription.id)
        }) {
            let freed = match wanted.state {
                SubscriptionState::Enabled { cost, .. } => Some(cost),
                _ => None,
            };
            wanted.state = SubscriptionState::Revoked;
            if let Some(cost) = freed {
                self.subscriptions.freed(cost);
            }
        }
        self.emit(Event::Revocation(Box::new(Revocation {
            conn,
            message_id,
            subscription,
        })));
        self.retry_for_room();
    }
}
