//! Typed receiving (`EventStream::typed`) end to end, the same scenarios for both adapters: events
//! of the kind arrive decoded and in order, everything else still reaches the consumer (the
//! lifecycle, gaps, other subscriptions' notifications, an event that does not decode), and the
//! stream ends after `Stopped`.

use eventsub_mock::helix::fixtures::USER_ID;
use eventsub_mock::{Delivery, MockEventSub};
use eventsub_proto::events::EventData;
use eventsub_proto::{BroadcasterId, Event, ModeratorId};
use eventsub_tokio::kinds::{ChannelBan, ChannelFollowV2};
use eventsub_tokio::{
    EventSubBuilder, EventSubHandle, Runtime, SubscriptionKind, SubscriptionSpec, Typed,
    TypedStream,
};

use super::{WAIT, assert_no_data_frames, current_socket, eventually, within};

fn follows() -> SubscriptionSpec {
    SubscriptionSpec::channel_follow_v2(BroadcasterId::new(USER_ID), ModeratorId::new(USER_ID))
}

/// The next item; panics after 5 s or at the end of the stream.
async fn next<K: SubscriptionKind>(stream: &mut TypedStream<K>, what: &str) -> Typed<K> {
    within(WAIT, what, stream.recv())
        .await
        .unwrap_or_else(|| panic!("the stream ended before {what}"))
}

/// Reads lifecycle items until one matches; any other item is a failure.
async fn until_lifecycle<K: SubscriptionKind>(
    stream: &mut TypedStream<K>,
    what: &str,
    matches: impl Fn(&Event) -> bool,
) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        match next(stream, what).await {
            Typed::Lifecycle(event) => {
                let done = matches(&event);
                seen.push(event);
                if done {
                    return seen;
                }
            }
            other => panic!("before {what}, only lifecycle events: {other:?}"),
        }
    }
}

async fn created<K: SubscriptionKind>(stream: &mut TypedStream<K>) -> Vec<Event> {
    until_lifecycle(stream, "subscription created", |event| {
        matches!(event, Event::SubscriptionCreated { .. })
    })
    .await
}

/// Shuts down, checks `Stopped` is the stream's last item, and that no data frame was sent.
async fn finish<K: SubscriptionKind>(
    mock: &MockEventSub,
    handle: EventSubHandle,
    mut stream: TypedStream<K>,
) {
    within(WAIT, "shutdown", handle.shutdown()).await;
    let mut last = None;
    while let Some(item) = within(WAIT, "the end of the stream", stream.recv()).await {
        last = Some(item);
    }
    assert!(
        matches!(last, Some(Typed::Lifecycle(Event::Stopped { .. }))),
        "Stopped comes last, then the stream ends: {last:?}"
    );
    assert_no_data_frames(mock);
}

pub async fn follows_arrive_decoded_in_order_after_the_lifecycle<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let (handle, events) = builder.subscribe(follows()).connect().unwrap();
    let mut stream = events.typed::<ChannelFollowV2>();
    let lifecycle = created(&mut stream).await;
    assert!(
        matches!(
            lifecycle
                .iter()
                .find(|event| !matches!(event, Event::TokenValidated { .. })),
            Some(Event::SessionReady { .. })
        ),
        "the session comes first, after the token's validation: {lifecycle:?}"
    );
    let sent: Vec<String> = (0..3)
        .flat_map(|_| mock.notify("channel.follow", Delivery::Once))
        .collect();
    let mut received = Vec::new();
    let mut followers = Vec::new();
    while received.len() < sent.len() {
        match next(&mut stream, "a follow").await {
            Typed::Event(follow) => {
                assert_eq!(follow.event().broadcaster_user_id.as_str(), USER_ID);
                assert!(matches!(follow.data(), EventData::ChannelFollowV2(_)));
                assert!(follow.notification().is::<ChannelFollowV2>());
                followers.push(follow.event().user_name.to_string());
                received.push(follow.into_notification().message_id().to_string());
            }
            other => panic!("only follows were sent: {other:?}"),
        }
    }
    assert_eq!(received, sent, "every follow once, in order");
    assert!(
        followers.iter().all(|name| name.starts_with("User")),
        "{followers:?}"
    );
    finish(mock, handle, stream).await;
}

pub async fn other_notifications_and_undecodable_events_are_reported_in_order<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    // The mock's channel.ban event lacks the banned user: it cannot decode as a ban.
    let (handle, events) = builder
        .subscribe(SubscriptionSpec::channel_ban(BroadcasterId::new(USER_ID)))
        .subscribe(follows())
        .connect()
        .unwrap();
    let mut stream = events.typed::<ChannelBan>();
    created(&mut stream).await;
    created(&mut stream).await;
    let ban = mock.notify("channel.ban", Delivery::Once);
    let follow = mock.notify("channel.follow", Delivery::Once);
    match next(&mut stream, "the ban").await {
        Typed::Undecodable(error) => {
            assert_eq!(error.notification.subscription_type(), "channel.ban");
            assert_eq!(ban, [error.notification.message_id().to_string()]);
            assert!(error.to_string().contains("channel.ban"), "{error}");
        }
        other => panic!("the ban is reported as undecodable: {other:?}"),
    }
    match next(&mut stream, "the follow").await {
        Typed::OtherNotification(notification) => {
            assert_eq!(notification.subscription_type(), "channel.follow");
            assert_eq!(follow, [notification.message_id().to_string()]);
        }
        other => panic!("the follow passes through untouched: {other:?}"),
    }
    finish(mock, handle, stream).await;
}

pub async fn a_dropped_socket_reaches_a_typed_consumer_as_a_gap<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let (handle, events) = builder.subscribe(follows()).connect().unwrap();
    let mut stream = events.typed::<ChannelFollowV2>();
    created(&mut stream).await;
    mock.drop_socket(current_socket(mock).await);
    until_lifecycle(&mut stream, "disconnected", |event| {
        matches!(event, Event::Disconnected { .. })
    })
    .await;
    let resumed = until_lifecycle(&mut stream, "resumed", |event| {
        matches!(event, Event::Resumed { .. })
    })
    .await;
    assert!(
        resumed
            .iter()
            .any(|event| matches!(event, Event::SubscriptionCreated { .. })),
        "resubscribed before resuming: {resumed:?}"
    );
    let sent = mock.notify("channel.follow", Delivery::Once);
    match next(&mut stream, "a follow after the gap").await {
        Typed::Event(follow) => {
            assert_eq!(sent, [follow.notification().message_id().to_string()]);
        }
        other => panic!("the follow after the gap: {other:?}"),
    }
    finish(mock, handle, stream).await;
}

pub async fn next_event_hands_everything_else_to_the_closure_in_order<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let (handle, events) = builder
        .subscribe(follows())
        .subscribe(SubscriptionSpec::stream_online(BroadcasterId::new(USER_ID)))
        .connect()
        .unwrap();
    let mut stream = events.typed::<ChannelFollowV2>();
    assert!(eventually(|| mock.live_subscriptions() == 2).await);
    let online = mock.notify("stream.online", Delivery::Once);
    let follow = mock.notify("channel.follow", Delivery::Once);
    let mut others = Vec::new();
    let received = within(
        WAIT,
        "the follow",
        stream.next_event(|other| others.push(other)),
    )
    .await
    .expect("the client runs");
    assert_eq!(follow, [received.notification().message_id().to_string()]);
    assert!(
        matches!(
            others
                .iter()
                .find(|other| !matches!(other, Typed::Lifecycle(Event::TokenValidated { .. }))),
            Some(Typed::Lifecycle(Event::SessionReady { .. }))
        ),
        "{others:?}"
    );
    let passed_on: Vec<String> = others
        .iter()
        .filter_map(|other| match other {
            Typed::OtherNotification(notification) => Some(notification.message_id().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        passed_on, online,
        "the stream.online before it, handed over"
    );
    finish(mock, handle, stream).await;
}
