//! A user token by the device code flow (twitch_oauth2's `DeviceUserTokenBuilder`), kept fresh by
//! [`UserTokenProvider`] while the client runs: the app prints the first follow it receives.
//!
//! With `TWITCH_CLIENT_ID` set (a public client of yours, with the device code flow enabled) it
//! asks Twitch: open the printed URL, enter the code, and follow the channel you authorized as.
//! Without it, the embedded mock stands in for Twitch, its OAuth server included: its user
//! authorizes the code at once and a follow arrives, so the example ends on its own.
//!
//! `cargo run -p eventsub-tokio --features twitch_oauth2 --example device_code`

mod common;

use eventsub_mock::helix::fixtures::CLIENT_ID;
use eventsub_mock::scenario::client_config;
use eventsub_tokio::twitch_oauth2::client::Client;
use eventsub_tokio::twitch_oauth2::{DeviceUserTokenBuilder, Scope};
use eventsub_tokio::{
    BroadcasterId, Event, EventSub, EventSubBuilder, ModeratorId, SubscriptionSpec, TokioRuntime,
    UserTokenProvider,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::var("TWITCH_CLIENT_ID") {
        Ok(client_id) => {
            // Twitch's OAuth server and Helix, with the TLS this build has.
            let http = eventsub_tokio::tls::reqwest_client()?;
            run(http, &client_id, |builder| builder).await
        }
        Err(_) => {
            let mock = common::start().await?;
            common::send_in_background(&mock, "channel.follow", 1);
            // twitch_oauth2's calls to id.twitch.tv go to the mock instead (no environment
            // variable to set: twitch_oauth2 reads those once, and setting one is `unsafe`).
            let http = mock.oauth2_client();
            run(http, CLIENT_ID, |builder| {
                builder
                    .config(client_config()) // short timeouts; follows the mock's ws:// reconnect URLs
                    .eventsub_url(mock.ws_url())
                    .helix_url(mock.helix_url())
            })
            .await
        }
    }
}

/// The app: a token by the device code flow over `http`, then the first follow.
async fn run<C: Client + 'static>(
    http: C,
    client_id: &str,
    point: impl FnOnce(EventSubBuilder<TokioRuntime>) -> EventSubBuilder<TokioRuntime>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut device =
        DeviceUserTokenBuilder::new(client_id.to_owned(), vec![Scope::ModeratorReadFollowers]);
    let code = device.start(&http).await?;
    println!(
        "to authorize, open {} (code {})",
        code.verification_uri, code.user_code
    );
    let token = device.wait_for_code(&http, tokio::time::sleep).await?;
    println!("authorized as {} ({})", token.login, token.user_id);

    let user = token.user_id.to_string();
    let tokens = UserTokenProvider::with_client(http, token).on_refresh(|token| {
        // Store `token.refresh_token` to skip the device flow next time (never print it).
        println!("token refreshed for {}", token.login);
    });
    let follows =
        SubscriptionSpec::channel_follow_v2(BroadcasterId::new(&user), ModeratorId::new(&user));
    let (handle, mut events) = point(EventSub::builder(client_id, tokens))
        .subscribe(follows)
        .connect()?;
    while let Some(event) = events.recv().await {
        match event {
            Event::Notification(notification) => {
                println!("a follow: {}", notification.event_json());
                handle.shutdown().await;
            }
            Event::Stopped { reason } => println!("stopped: {reason:?}"),
            other => println!("{other:?}"),
        }
    }
    Ok(())
}
