//! A follow bot: thanks each new follower, receiving `channel.follow` events typed.
//!
//! Runs against the embedded mock Twitch (no account needed), which sends three follows; the bot
//! thanks them and shuts down. Everything that is not a follow (the session coming up, the
//! subscription created, gaps, the stop) is printed to stderr, never silently dropped.
//!
//! `cargo run -p eventsub-async-std --example async_std_typed_follow`

mod common;

use common::BROADCASTER;
use eventsub_async_std::kinds::ChannelFollowV2;
use eventsub_async_std::{BroadcasterId, ModeratorId, SubscriptionSpec};

#[async_std::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = common::start()?;
    common::send_in_background(&mock, "channel.follow", 3);

    // The bot.
    let spec = SubscriptionSpec::channel_follow_v2(
        BroadcasterId::new(BROADCASTER),
        ModeratorId::new(BROADCASTER),
    );
    let (handle, events) = common::client(&mock).subscribe(spec).connect()?;
    let mut follows = events.typed::<ChannelFollowV2>();
    for _ in 0..3 {
        let Some(follow) = follows.next_event(|other| eprintln!("{other:?}")).await else {
            break; // the client stopped
        };
        println!("Thanks for the follow, {}!", follow.event().user_name);
    }
    handle.shutdown().await;
    Ok(())
}
