//! More than 300 subscriptions: one client holding up to three sessions for its user token.
//!
//! Runs against the embedded mock Twitch (no account needed), which keeps Twitch's limits: 300
//! enabled subscriptions per connection, 3 connections per user token. With `.max_sessions(3)`
//! the client reads chat in 750 channels: it opens three sessions (300, 300 and 150
//! subscriptions), each chat message arrives on the session that holds its channel, 150 more
//! channels added through the handle fill the third session, and the 901st is refused.
//!
//! `cargo run -p eventsub-tokio --example session_pool`

mod common;

use std::collections::BTreeMap;

use common::BROADCASTER;
use eventsub_tokio::{
    BroadcasterId, Event, EventStream, EventSubHandle, HandleError, SubscriptionSpec, UserId,
};

/// The channels the client starts with.
const CHANNELS: usize = 750;
/// What three sessions of 300 hold.
const ROOM: usize = 900;

/// Chat in `channel`, read by the token's user: free whatever the channel, so only the count
/// limits bind (as for a chat bot in many channels).
fn chat(channel: usize) -> SubscriptionSpec {
    let broadcaster = BroadcasterId::new((100_000 + channel).to_string());
    SubscriptionSpec::channel_chat_message(broadcaster, UserId::new(BROADCASTER))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = common::start_patient().await?;
    let builder = (0..CHANNELS)
        .map(chat)
        .fold(common::client(&mock).max_sessions(3), |builder, spec| {
            builder.subscribe(spec)
        });
    let (handle, mut events) = builder.connect()?;
    created(&mut events, CHANNELS).await?;
    print_sessions(&handle).await?;

    let sent = common::notify_every(&mock, "channel.chat.message");
    let mut by_session = BTreeMap::new();
    let mut received = 0;
    while received < sent {
        if let Event::Notification(message) = events.recv().await.ok_or("the stream ended")? {
            // Every event that names a connection says which session it came from.
            *by_session
                .entry(message.conn().session_index())
                .or_insert(0) += 1;
            received += 1;
        }
    }
    println!("{sent} chat messages (one per channel) arrived, by session: {by_session:?}");

    for channel in CHANNELS..ROOM {
        handle.subscribe(chat(channel)).await?;
    }
    created(&mut events, ROOM - CHANNELS).await?;
    print_sessions(&handle).await?;
    match handle.subscribe(chat(ROOM)).await {
        Err(HandleError::Subscribe(refused)) => println!("refused: {refused}"),
        other => return Err(format!("the 901st subscription: {other:?}").into()),
    }

    handle.shutdown().await;
    while let Some(event) = events.recv().await {
        if let Event::Stopped { reason } = event {
            println!("stopped: {reason:?}");
        }
    }
    Ok(())
}

/// Reads events until `count` subscriptions were created, saying when each session is up.
async fn created(events: &mut EventStream, count: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut created = 0;
    while created < count {
        match events.recv().await.ok_or("the stream ended")? {
            Event::SessionReady {
                conn, session_id, ..
            } => println!("session {} is up: {session_id}", conn.session_index()),
            Event::SubscriptionCreated { .. } => created += 1,
            Event::SubscriptionFailed { spec, reason } => {
                return Err(format!("{spec} failed: {reason:?}").into());
            }
            _ => {}
        }
    }
    Ok(())
}

/// How many subscriptions each session holds, as the handle reports them.
async fn print_sessions(handle: &EventSubHandle) -> Result<(), HandleError> {
    let report = handle.subscriptions().await?;
    let mut by_session = BTreeMap::new();
    for subscription in &report.subscriptions {
        *by_session.entry(subscription.session).or_insert(0) += 1;
    }
    println!("subscriptions by session: {by_session:?}");
    Ok(())
}
