//! The pieces under the catch-up: the raw Helix GET the driver runs, the mock's door that holds a
//! reconnect, and the scenario shared with the async-std adapter, under tokio.

use eventsub_mock::within;

use super::*;

#[tokio::test]
async fn the_raw_get_sends_repeated_names_in_order_and_hands_back_the_body() {
    let mock = mock(EVERY_SCOPE).await;
    mock.world().stream_online("1001");
    mock.world().stream_online("1002");
    mock.world().stream_online("1003");
    let client = mock.helix_client(CLIENT, TOKEN);
    let query = [
        ("user_id", "1003".to_owned()),
        ("user_id", "1001".to_owned()),
    ];
    let body = client.get_raw("/streams", &query).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut live: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stream| stream["user_id"].as_str().unwrap())
        .collect();
    live.sort_unstable();
    assert_eq!(live, ["1001", "1003"]);
    assert_eq!(
        mock.helix().world.reads,
        ["/streams?user_id=1003&user_id=1001"]
    );
    // A refusal is the typed error every call gives.
    let error = client
        .get_raw(
            "/moderation/banned",
            &[("broadcaster_id", "2002".to_owned())],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, eventsub_helix::HelixError::Forbidden { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_follow_missed_in_a_drop_is_recovered_under_tokio() {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    mock.helix().add_user_token(
        TOKEN,
        CLIENT,
        BROADCASTER,
        &["moderator:read:followers", "user:read:chat"],
    );
    let builder = EventSub::builder(CLIENT, AccessToken::new(TOKEN))
        .config(eventsub_mock::scenario::client_config())
        .eventsub_url(mock.ws_url())
        .helix_url(mock.helix_url());
    any_runtime::a_follow_missed_in_a_drop_is_recovered(&mock, builder).await;
}

#[tokio::test]
async fn the_mocks_door_holds_a_new_connection_until_released() {
    let mock = MockEventSub::start(MockConfig::fast()).await.unwrap();
    mock.hold_connections(true);
    let url = mock.ws_url();
    let connecting = tokio::spawn(async move {
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        futures_util::StreamExt::next(&mut ws).await
    });
    assert!(
        mock.wait_for(WAIT, |mock| mock.held_connections() == 1)
            .await
    );
    assert!(mock.sockets().is_empty(), "not served while held");
    assert!(!connecting.is_finished(), "no handshake answered");
    mock.hold_connections(false);
    let first = within(WAIT, "the welcome", connecting).await.unwrap();
    let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(welcome))) = first else {
        panic!("not a welcome: {first:?}");
    };
    assert!(welcome.contains("session_welcome"), "{welcome}");
    assert_eq!(mock.held_connections(), 0);
}
