//! The fake Twitch of a scenario: the text of each [`Frame`] it sends, with fresh session ids,
//! timestamps from the wall clock and ids from the pools.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::damage;
use super::ops::{Damage, Frame, MessageIdChoice, ReconnectUrl, Sent};
use super::pool;
use crate::events::SUBSCRIPTION_TYPES;
use crate::fuzzing::frames::Envelope;
use crate::ids::SubscriptionId;
use crate::subscription::SubscriptionSpec;

/// The last second RFC 3339 can spell (the end of year 9999).
const LAST_FORMATTABLE_SECOND: u64 = 253_402_300_799;

#[derive(Debug, Default)]
pub(super) struct FakeTwitch {
    sessions: u32,
    fresh_ids: u64,
    sequence: u64,
}

impl FakeTwitch {
    /// The text of `frame` after `damage`, sent when the wall clock says `wall`. `created` are the
    /// subscription ids Helix handed out, for revocations to name.
    pub(super) fn text(
        &mut self,
        frame: &Frame,
        damage: &Damage,
        wall: SystemTime,
        created: &[SubscriptionId],
    ) -> String {
        if matches!(frame, Frame::Welcome { .. }) {
            self.sessions += 1;
        }
        let session_id = format!("session-{}", self.sessions);
        let now = rfc3339(wall);
        let own_id = self.fresh_id();
        let envelope = Envelope {
            message_id: &own_id,
            timestamp: &now,
            session_id: &session_id,
        };
        let message = match frame {
            Frame::Welcome { keepalive_seconds } => envelope.welcome(u64::from(*keepalive_seconds)),
            Frame::Keepalive => envelope.keepalive(),
            Frame::Notification {
                id,
                kind,
                sent,
                batch,
            } => {
                let entry = SUBSCRIPTION_TYPES.get(usize::from(*kind) % SUBSCRIPTION_TYPES.len());
                let spec = entry.map_or_else(
                    || SubscriptionSpec::new("stream.online", "1"),
                    |entry| SubscriptionSpec::new(entry.kind, entry.version),
                );
                let spec = spec.with_condition("broadcaster_user_id", pool::TOKEN_USER);
                let count = if *batch == 0 { 1 } else { batch % 4 };
                let events = (0..count).map(|_| self.event()).collect();
                let (message_id, sent_at) = (self.message_id(id), sent_at(sent, wall));
                let envelope = Envelope {
                    message_id: &message_id,
                    timestamp: &sent_at,
                    ..envelope
                };
                let subscription = envelope.subscription("sub-notified", "enabled", &spec);
                envelope.notification(subscription, events, *batch != 0)
            }
            Frame::Reconnect { url } => envelope.reconnect(&reconnect_url(url)),
            Frame::Revocation {
                id,
                subscription,
                status,
            } => {
                let spec = pool::subscription(*subscription);
                let chosen = usize::from(subscription / pool::SUBSCRIPTION_COUNT);
                let subscription_id = created
                    .get(chosen % created.len().max(1))
                    .map_or("sub-unknown", SubscriptionId::as_str);
                let message_id = self.message_id(id);
                let envelope = Envelope {
                    message_id: &message_id,
                    ..envelope
                };
                let status = pool::revocation_status(*status);
                envelope.revocation(envelope.subscription(subscription_id, status, &spec))
            }
            Frame::Unknown { message_type } => envelope.message(message_type.as_str(), json!({})),
            Frame::Raw { text } => return text.0.clone(),
        };
        damage::apply(message, damage)
    }

    fn fresh_id(&mut self) -> String {
        self.fresh_ids += 1;
        pool::fresh_message_id(self.fresh_ids)
    }

    fn message_id(&mut self, choice: &MessageIdChoice) -> String {
        match choice {
            MessageIdChoice::Pool { index } => pool::message_id(*index),
            MessageIdChoice::Upper { index } => pool::message_id(*index).to_uppercase(),
            MessageIdChoice::Fresh => self.fresh_id(),
            MessageIdChoice::Other { text } => text.0.clone(),
        }
    }

    fn event(&mut self) -> Value {
        self.sequence += 1;
        json!({
            "broadcaster_user_id": pool::TOKEN_USER,
            "broadcaster_user_login": "fuzz",
            "broadcaster_user_name": "Fuzz",
            "sequence": self.sequence,
        })
    }
}

fn sent_at(sent: &Sent, wall: SystemTime) -> String {
    let seconds = |seconds: &u16| Duration::from_secs(u64::from(*seconds));
    match sent {
        Sent::Now => rfc3339(wall),
        Sent::SecondsAgo { seconds: ago } => {
            rfc3339(wall.checked_sub(seconds(ago)).unwrap_or(wall))
        }
        Sent::SecondsAhead { seconds: ahead } => {
            rfc3339(wall.checked_add(seconds(ahead)).unwrap_or(wall))
        }
        Sent::Other { text } => text.0.clone(),
    }
}

fn reconnect_url(url: &ReconnectUrl) -> String {
    match url {
        ReconnectUrl::Wss { index } => format!("wss://eventsub.fuzz.test/ws?reconnect={index}"),
        ReconnectUrl::Ws { port } => format!("ws://127.0.0.1:{port}/ws"),
        ReconnectUrl::Other { text } => text.0.clone(),
    }
}

/// Twitch's timestamp form (UTC, nanoseconds). RFC 3339 spells 1970 (for a wall time) to 9999
/// only: a wall clock outside that range stamps the nearest end.
pub(super) fn rfc3339(at: SystemTime) -> String {
    const TWITCH: &[BorrowedFormatItem<'_>] =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let clamped = since_epoch.min(Duration::from_secs(LAST_FORMATTABLE_SECOND));
    i128::try_from(clamped.as_nanos())
        .ok()
        .and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
        .and_then(|stamp| stamp.format(TWITCH).ok())
        .unwrap_or_default()
}
