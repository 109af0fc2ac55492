//! The demo: a whole EventSub session over real sockets, printed as a timeline.
//!
//! Without credentials it starts the embedded mock EventSub server on 127.0.0.1 (no Twitch account,
//! no network beyond loopback), connects the tokio client with catch-up on, subscribes, triggers
//! notifications, a graceful reconnect, a duplicate delivery and an abrupt TCP drop during which
//! people follow, get banned and chat (nobody listens: only Helix can tell), shows the catch-up
//! that recovers what Helix can tell and reports what it cannot, shuts down, and checks against
//! the mock's records that every notification was delivered exactly once and that each thing
//! missed in the drop was recovered once (chat reported unrecoverable). It exits 0 when that
//! holds.
//!
//! With `TWITCH_CLIENT_ID`, `TWITCH_USER_TOKEN` and `TWITCH_BROADCASTER_ID` set, it connects to
//! Twitch for real, subscribes to that broadcaster's `stream.online`, `stream.offline` and
//! `channel.update` with catch-up on (after a gap, Get Streams and Get Channel Information tell
//! what changed), and prints events until Ctrl-C.
//!
//! Run: `cargo run -p eventsub-tests --example demo`

use std::time::{Duration, Instant};

use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::{Delivery, MockConfig, MockEventSub, SocketId};
use eventsub_proto::{BroadcasterId, Config, Event, ModeratorId, ReconnectUrlPolicy, UserId};
use eventsub_tokio::{
    AccessToken, CatchUp, CatchUpConfig, CatchUpResult, EventStream, EventSub, EventSubHandle,
    RecoveredEvent, SubscriptionSpec,
};
use futures_util::StreamExt;

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let credentials = (
        std::env::var("TWITCH_CLIENT_ID"),
        std::env::var("TWITCH_USER_TOKEN"),
        std::env::var("TWITCH_BROADCASTER_ID"),
    );
    match credentials {
        (Ok(client_id), Ok(token), Ok(broadcaster)) => {
            real_twitch(client_id, token, broadcaster).await
        }
        _ => against_the_mock().await,
    }
}

/// `channel.follow` v2 with the broadcaster as its own moderator (the broadcaster's token).
fn follow(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::channel_follow_v2(
        BroadcasterId::new(broadcaster),
        ModeratorId::new(broadcaster),
    )
}

fn online(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::stream_online(BroadcasterId::new(broadcaster))
}

fn bans(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::channel_ban(BroadcasterId::new(broadcaster))
}

/// The broadcaster's chat, read as the broadcaster.
fn chat(broadcaster: &str) -> SubscriptionSpec {
    SubscriptionSpec::channel_chat_message(
        BroadcasterId::new(broadcaster),
        UserId::new(broadcaster),
    )
}

/// Prints the timeline: what the mock is made to do, and every event the client delivers.
struct Timeline {
    start: Instant,
    events: EventStream,
    delivered: Vec<String>,
    /// What catch-ups recovered: counted apart from the notifications, never one of them.
    recovered: Vec<RecoveredEvent>,
}

impl Timeline {
    fn new(events: EventStream) -> Self {
        Self {
            start: Instant::now(),
            events,
            delivered: Vec::new(),
            recovered: Vec::new(),
        }
    }

    fn stamp(&self) -> String {
        format!("{:>6.2}s", self.start.elapsed().as_secs_f64())
    }

    fn action(&self, what: &str) {
        println!("{}  ── {what}", self.stamp());
    }

    /// Prints events until one matches `done`; errors after 10 s or at the end of the stream.
    async fn until(&mut self, what: &str, done: impl Fn(&Event) -> bool) -> Result<Event, Error> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.next())
                .await
                .map_err(|_| format!("timed out waiting for {what}"))?
                .ok_or_else(|| format!("the client stopped before {what}"))?;
            println!("{}     ★ {}", self.stamp(), describe(&event));
            match &event {
                Event::Notification(notification) => {
                    self.delivered.push(notification.message_id().to_string());
                }
                Event::Recovered(recovered) => self.recovered.push(recovered.event.clone()),
                _ => {}
            }
            if done(&event) {
                return Ok(event);
            }
        }
    }

    /// Prints events until every one of `sent` was delivered (in whatever order the sockets gave
    /// them).
    async fn delivered(&mut self, sent: &[String]) -> Result<(), Error> {
        while !sent.iter().all(|id| self.delivered.contains(id)) {
            self.until("a notification", |e| matches!(e, Event::Notification(_)))
                .await?;
        }
        Ok(())
    }
}

async fn current_socket(mock: &MockEventSub) -> Result<SocketId, Error> {
    mock.wait_for(Duration::from_secs(5), |m| m.current_socket().is_some())
        .await;
    mock.current_socket()
        .ok_or_else(|| "no session on the mock".into())
}

async fn against_the_mock() -> Result<(), Error> {
    let mock = MockEventSub::start(MockConfig::default()).await?;
    // The subscriptions' scopes, and Get Banned Users' (`moderation:read`) for the catch-up.
    mock.helix().add_user_token(
        USER_TOKEN,
        CLIENT_ID,
        USER_ID,
        &[
            "moderator:read:followers",
            "channel:moderate",
            "moderation:read",
            "user:read:chat",
        ],
    );
    println!(
        "mock EventSub server on {} (WebSocket /ws and Helix /helix)\n",
        mock.addr()
    );
    let mut config = Config::default();
    // The mock hands out ws:// reconnect URLs, as the Twitch CLI's does.
    config.reconnect_urls = ReconnectUrlPolicy::SameHostAsUrl;
    let (handle, events) = EventSub::builder(CLIENT_ID, AccessToken::new(USER_TOKEN))
        .config(config)
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .subscribe(follow(USER_ID))
        .subscribe(bans(USER_ID))
        .subscribe(chat(USER_ID))
        .catch_up(CatchUpConfig::default())
        .connect()?;
    let mut timeline = Timeline::new(events);
    timeline.action("client connects with catch-up on; the mock welcomes it");
    for _ in 0..3 {
        timeline
            .until("the subscriptions", |e| {
                matches!(e, Event::SubscriptionCreated { .. })
            })
            .await?;
    }

    timeline.action("three followers arrive");
    let mut sent = Vec::new();
    for follower in ["2001", "2002", "2003"] {
        sent.extend(mock.world().follow(USER_ID, follower).delivered);
    }
    timeline.delivered(&sent).await?;

    timeline.action("subscribe at runtime to stream.online; the stream goes live");
    handle.subscribe(online(USER_ID)).await?;
    timeline
        .until("the second subscription", |e| {
            matches!(e, Event::SubscriptionCreated { .. })
        })
        .await?;
    let sent = mock.world().stream_online(USER_ID).delivered;
    timeline.delivered(&sent).await?;

    let old = current_socket(&mock).await?;
    timeline.action("Twitch sends session_reconnect: a graceful handover begins");
    mock.reconnect(old);
    timeline.action("a follow arrives on the old socket while the new one opens");
    let mut sent = mock.notify("channel.follow", Delivery::Once);
    timeline
        .until("the handover", |e| matches!(e, Event::Reconnected { .. }))
        .await?;
    timeline.action("Twitch delivers a follow twice (at-least-once): the duplicate is dropped");
    sent.extend(mock.notify("channel.follow", Delivery::Twice));
    timeline.delivered(&sent).await?;

    let socket = current_socket(&mock).await?;
    timeline.action("the TCP connection drops without a close frame; the mock holds the reconnect");
    mock.hold_connections(true);
    mock.drop_socket(socket);
    timeline
        .until("the gap", |e| matches!(e, Event::Disconnected { .. }))
        .await?;
    mock.wait_for(Duration::from_secs(5), |m| m.live_subscriptions() == 0)
        .await;
    timeline.action("during the gap: two follows, a ban and a chat message (nobody listens)");
    let missed = [
        mock.world().follow(USER_ID, "2004"),
        mock.world().follow(USER_ID, "2005"),
        mock.world().ban(USER_ID, "2666", USER_ID),
    ];
    let chatted = mock.notify("channel.chat.message", Delivery::Once);
    if missed.iter().any(|m| !m.delivered.is_empty()) || !chatted.is_empty() {
        return Err("something reached a client that was not connected".into());
    }
    timeline.action("the mock lets the client back in");
    mock.hold_connections(false);
    timeline
        .until("the resumption", |e| matches!(e, Event::Resumed { .. }))
        .await?;
    let recovered_before = timeline.recovered.len();
    let report = match timeline
        .until("the catch-up report", |e| matches!(e, Event::CatchUp(_)))
        .await?
    {
        Event::CatchUp(report) => *report,
        _ => return Err("not a report".into()),
    };
    check_catch_up(&report, &timeline.recovered[recovered_before..])?;
    let sent = mock.world().follow(USER_ID, "2006").delivered;
    timeline.delivered(&sent).await?;

    timeline.action("graceful shutdown: close 1000");
    shutdown(&handle, &mut timeline).await?;

    let records = mock.records();
    let sent = records.notification_ids();
    let frames = records.sent_notifications().len();
    let mut unique = timeline.delivered.clone();
    unique.sort();
    unique.dedup();
    let lost = sent
        .iter()
        .filter(|id| !timeline.delivered.contains(id))
        .count();
    let duplicated = timeline.delivered.len() - unique.len();
    println!(
        "\n{} notifications sent in {frames} frames, {} delivered: {lost} lost, {duplicated} duplicated; \
         {} recovered over Helix after the drop; {} data frames from the client",
        sent.len(),
        timeline.delivered.len(),
        timeline.recovered.len(),
        records.client_data_frames().len(),
    );
    if lost > 0 || duplicated > 0 || !records.client_data_frames().is_empty() {
        return Err("the client lost, duplicated or sent something".into());
    }
    Ok(())
}

/// What the drop missed, as the catch-up must tell it: the two follows and the ban recovered once
/// each (not the follows delivered before), chat unrecoverable.
fn check_catch_up(report: &CatchUp, recovered: &[RecoveredEvent]) -> Result<(), Error> {
    let mut followers: Vec<&str> = Vec::new();
    let mut banned: Vec<&str> = Vec::new();
    for event in recovered {
        match event {
            RecoveredEvent::Follow { follower } => followers.push(&follower.user_id),
            RecoveredEvent::Ban { ban } => banned.push(&ban.user_id),
            other => return Err(format!("nothing else was missed: {other:?}").into()),
        }
    }
    followers.sort_unstable();
    if followers != ["2004", "2005"] || banned != ["2666"] {
        return Err(format!("recovered {followers:?} and {banned:?}").into());
    }
    let counted = |kind: &str| {
        report
            .subscriptions
            .iter()
            .find(|outcome| outcome.subscription.kind == kind)
            .map(|outcome| outcome.result.clone())
    };
    let as_expected = matches!(
        counted("channel.follow"),
        Some(CatchUpResult::Recovered { events: 2, .. })
    ) && matches!(
        counted("channel.ban"),
        Some(CatchUpResult::Recovered { events: 1, .. })
    ) && matches!(
        counted("channel.chat.message"),
        Some(CatchUpResult::Unrecoverable { .. })
    );
    if !as_expected {
        return Err(format!("the report does not say what happened: {report:?}").into());
    }
    Ok(())
}

async fn shutdown(handle: &EventSubHandle, timeline: &mut Timeline) -> Result<(), Error> {
    handle.shutdown().await;
    timeline
        .until("the stop", |e| matches!(e, Event::Stopped { .. }))
        .await?;
    Ok(())
}

async fn real_twitch(client_id: String, token: String, broadcaster: String) -> Result<(), Error> {
    println!("connecting to Twitch for broadcaster {broadcaster}; Ctrl-C to stop\n");
    let broadcaster_id = BroadcasterId::new(&broadcaster);
    let (handle, events) = EventSub::builder(client_id, AccessToken::new(token))
        .subscribe(SubscriptionSpec::stream_online(&broadcaster_id))
        .subscribe(SubscriptionSpec::stream_offline(&broadcaster_id))
        .subscribe(SubscriptionSpec::channel_update_v2(&broadcaster_id))
        .catch_up(CatchUpConfig::default())
        .connect()?;
    let mut timeline = Timeline::new(events);
    tokio::select! {
        result = timeline.until("Ctrl-C", |e| matches!(e, Event::Stopped { .. })) => { result?; }
        _ = tokio::signal::ctrl_c() => {
            timeline.action("Ctrl-C: graceful shutdown");
            shutdown(&handle, &mut timeline).await?;
        }
    }
    Ok(())
}

fn describe(event: &Event) -> String {
    match event {
        Event::SessionReady {
            session_id,
            keepalive,
            ..
        } => {
            format!(
                "session ready: {session_id} (keepalive {}s)",
                keepalive.as_secs()
            )
        }
        Event::Notification(n) => {
            let who = n
                .decode::<serde_json::Value>()
                .ok()
                .and_then(|event| {
                    event
                        .get("user_name")
                        .or(event.get("broadcaster_user_name"))
                        .cloned()
                })
                .map_or(String::new(), |name| format!(" ({name})"));
            format!(
                "notification {} {}{who}",
                n.subscription_type(),
                n.message_id()
            )
        }
        Event::SubscriptionCreated { spec, created } => format!(
            "subscribed to {} v{} (cost {}, total {}/{})",
            spec.kind, spec.version, created.cost, created.total_cost, created.max_total_cost
        ),
        Event::Reconnected { session_id, .. } => {
            format!("reconnected gracefully: still {session_id}, nothing resubscribed")
        }
        Event::Disconnected {
            cause, retry_at, ..
        } => {
            let retry = retry_at.map_or(String::new(), |at| {
                let wait = at.saturating_duration_since(tokio::time::Instant::now().into_std());
                format!(", retrying in {:.2}s", wait.as_secs_f64())
            });
            format!("disconnected ({cause:?}): a gap begins{retry}")
        }
        Event::Resumed { gap } => format!(
            "resumed after a gap of {:.2}s ({} to {} on Twitch's clock): subscriptions \
             re-created, catching up over Helix",
            gap.duration().as_secs_f64(),
            clock(gap.from),
            clock(gap.until)
        ),
        Event::Recovered(recovered) => format!(
            "recovered over Helix ({}): {}",
            recovered.subscription.kind,
            describe_recovered(&recovered.event)
        ),
        Event::CatchUp(report) => {
            let outcomes: Vec<String> = report
                .subscriptions
                .iter()
                .map(|outcome| {
                    let result = match &outcome.result {
                        CatchUpResult::Recovered { events, read, .. } => {
                            format!("{events} recovered ({})", read.name())
                        }
                        CatchUpResult::Unrecoverable { reason } => {
                            format!("unrecoverable ({reason:?})")
                        }
                        CatchUpResult::Failed { read, error } => {
                            format!("failed ({}: {error:?})", read.name())
                        }
                        other => format!("{other:?}"),
                    };
                    format!("{} {result}", outcome.subscription.kind)
                })
                .collect();
            format!("catch-up report: {}", outcomes.join("; "))
        }
        Event::Stopped { reason } => format!("stopped: {reason:?}"),
        other => format!("{other:?}"),
    }
}

fn describe_recovered(event: &RecoveredEvent) -> String {
    match event {
        RecoveredEvent::Follow { follower } => {
            format!(
                "{} followed at {}",
                follower.user_name,
                clock(follower.followed_at)
            )
        }
        RecoveredEvent::Ban { ban } => format!("{} was banned", ban.user_name),
        other => format!("{other:?}"),
    }
}

/// A moment on Twitch's clock as the time of day (UTC), to the millisecond.
fn clock(at: impl Into<time::OffsetDateTime>) -> String {
    let at = at.into();
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}
