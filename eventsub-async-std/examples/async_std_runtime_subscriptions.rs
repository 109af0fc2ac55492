//! Adding and removing subscriptions while the client runs, through the handle.
//!
//! Runs against the embedded mock Twitch (no account needed). The client starts with
//! `stream.online`; once that exists it adds `channel.follow` through the handle, and after the
//! first follow arrives it removes it again and shuts down.
//!
//! `cargo run -p eventsub-async-std --example async_std_runtime_subscriptions`

mod common;

use common::BROADCASTER;
use eventsub_async_std::{BroadcasterId, Event, ModeratorId, SubscriptionSpec};

#[async_std::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = common::start()?;
    common::send_in_background(&mock, "channel.follow", 1);

    let broadcaster = BroadcasterId::new(BROADCASTER);
    let online = SubscriptionSpec::stream_online(&broadcaster);
    let follows = SubscriptionSpec::channel_follow_v2(&broadcaster, ModeratorId::new(BROADCASTER));
    let (handle, mut events) = common::client(&mock).subscribe(online.clone()).connect()?;
    while let Some(event) = events.recv().await {
        match event {
            Event::SubscriptionCreated { spec, .. } if *spec == online => {
                println!("{spec} created; adding {follows} at runtime");
                // Created on the live session now, and on every fresh session after a drop.
                handle.subscribe(follows.clone()).await?;
            }
            Event::SubscriptionCreated { spec, .. } => println!("{spec} created"),
            Event::Notification(notification)
                if notification.subscription_type() == follows.kind =>
            {
                println!("a follow: {}", notification.event_json());
                // Deleted over Helix, and never created again.
                let was_wanted = handle.unsubscribe(follows.clone()).await?;
                println!("{follows} removed (it was wanted: {was_wanted})");
                handle.shutdown().await;
            }
            Event::Stopped { reason } => println!("stopped: {reason:?}"),
            other => println!("{other:?}"),
        }
    }
    Ok(())
}
