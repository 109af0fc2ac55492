//! A catch-up recorded by the client (`record_to`) replays through a fresh core to the same
//! recovered events and report: the driver records each read's answer as the core was fed it.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use eventsub_mock::{MockConfig, MockEventSub};
use eventsub_proto::Url;
use eventsub_proto::recording;
use eventsub_tokio::{AccessToken, CatchUpConfig, Event, EventSub};

use super::any_runtime::{self, BROADCASTER};

const CLIENT: &str = "catch-up-client";
/// A token no recording line could contain by chance.
const TOKEN: &str = "oauth-SECRET-catch-up-must-never-be-recorded";

/// A `Write` the test reads back.
#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let mut bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The catch-up's events among `events`, as text (`Event` has no `PartialEq`).
fn catch_up_events(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter(|event| matches!(event, Event::Recovered(_) | Event::CatchUp(_)))
        .map(|event| format!("{event:?}"))
        .collect()
}

#[tokio::test]
async fn a_recorded_catch_up_replays_to_the_same_recovered_events_and_report() {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    mock.helix().add_user_token(
        TOKEN,
        CLIENT,
        BROADCASTER,
        &["moderator:read:followers", "user:read:chat"],
    );
    let recording = SharedBuffer::default();
    let config = eventsub_mock::scenario::client_config();
    let builder = EventSub::builder(CLIENT, AccessToken::new(TOKEN))
        .config(config.clone())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url())
        .record_to(recording.clone());
    let live = any_runtime::a_follow_missed_in_a_drop_is_recovered(&mock, builder).await;
    let text = String::from_utf8(recording.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains(TOKEN), "never the token");

    // The configuration the builder gave the recorded client.
    let mut replay_config = config;
    replay_config.url = Url::parse(&mock.ws_url()).unwrap();
    replay_config.subscriptions = any_runtime::subscriptions().to_vec();
    replay_config.catch_up = Some(CatchUpConfig::default());
    let replayed = recording::replay(replay_config, &text, Instant::now()).unwrap();

    let recovered = catch_up_events(&live);
    assert_eq!(recovered.len(), 2, "one follow, one report: {recovered:#?}");
    assert_eq!(catch_up_events(&replayed), recovered);
}
