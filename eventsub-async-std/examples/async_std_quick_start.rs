//! Quick start: the untyped event stream, every event as the client reports it.
//!
//! Runs against the embedded mock Twitch (no account needed), which sends three `stream.online`
//! notifications; the example prints each event and shuts down after the third notification.
//!
//! `cargo run -p eventsub-async-std --example async_std_quick_start`

mod common;

use common::BROADCASTER;
use eventsub_async_std::{BroadcasterId, Event, SubscriptionSpec};

#[async_std::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = common::start()?;
    common::send_in_background(&mock, "stream.online", 3);

    let (handle, mut events) = common::client(&mock)
        .subscribe(SubscriptionSpec::stream_online(BroadcasterId::new(
            BROADCASTER,
        )))
        .connect()?;
    let mut notifications = 0;
    while let Some(event) = events.recv().await {
        match event {
            Event::Notification(notification) => {
                println!(
                    "{} v{}: {}",
                    notification.subscription_type(),
                    notification.subscription_version(),
                    notification.event_json()
                );
                notifications += 1;
                if notifications == 3 {
                    handle.shutdown().await; // close 1000; the stream ends after Stopped
                }
            }
            Event::SessionReady { session_id, .. } => println!("session {session_id} ready"),
            // The real outage on Twitch's clock, from the last message received to the
            // subscriptions' return: catch up over Helix for what happened between the two.
            Event::Resumed { gap } => println!(
                "missed up to {:?}: catch up over Helix from {:?} to {:?}",
                gap.duration(),
                gap.from,
                gap.until
            ),
            Event::Stopped { reason } => println!("stopped: {reason:?}"),
            other => println!("{other:?}"),
        }
    }
    Ok(())
}
