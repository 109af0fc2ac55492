//! The catch-up scenario both adapters run (`catch_up/main.rs` under tokio,
//! `catch_up_async_std.rs` under async-std): the same builder API turns catch-up on, and the
//! driver runs the reads on either runtime. Waiting is on async-io timers, which run under any
//! executor.

use std::future::Future;
use std::time::Duration;

use eventsub_mock::{Delivery, MockEventSub};
use eventsub_proto::{BroadcasterId, ModeratorId, UserId};
use eventsub_tokio::{
    CatchUpConfig, CatchUpResult, Event, EventStream, EventSubBuilder, HelixRead, Runtime,
    SubscriptionSpec, Unrecoverable,
};
use futures_util::StreamExt;
use futures_util::future::{Either, select};

/// The channel, whose token the builder holds, with `moderator:read:followers` and
/// `user:read:chat`.
pub const BROADCASTER: &str = "1001";
const WAIT: Duration = Duration::from_secs(15);

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    futures_util::pin_mut!(future);
    match select(future, async_io::Timer::after(WAIT)).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out waiting for {what}"),
    }
}

/// The next event that `matches`, with every event seen on the way appended to `seen`.
async fn until(
    events: &mut EventStream,
    seen: &mut Vec<Event>,
    what: &str,
    matches: impl Fn(&Event) -> bool,
) -> Event {
    within(what, async {
        loop {
            let event = events.next().await.expect("the client runs");
            seen.push(event.clone());
            if matches(&event) {
                return event;
            }
        }
    })
    .await
}

/// Polls `condition` on the mock until it holds (the mock's own `wait_for` needs tokio).
async fn eventually(what: &str, condition: impl Fn() -> bool) {
    within(what, async {
        while !condition() {
            async_io::Timer::after(Duration::from_millis(5)).await;
        }
    })
    .await;
}

/// The scenario's subscriptions, in the order it adds them: follows and chat of
/// [`BROADCASTER`].
pub fn subscriptions() -> [SubscriptionSpec; 2] {
    [
        SubscriptionSpec::channel_follow_v2(
            BroadcasterId::new(BROADCASTER),
            ModeratorId::new(BROADCASTER),
        ),
        SubscriptionSpec::channel_chat_message(
            BroadcasterId::new(BROADCASTER),
            UserId::new(BROADCASTER),
        ),
    ]
}

/// A follow delivered live, then a drop (the reconnect held at the mock's door) during which
/// someone follows and someone chats: after `Resumed`, the missed follow comes back once as
/// `Event::Recovered`, the live one does not, and the report (after it) says 1 recovered for
/// follows and no Helix read for chat. Returns every event the client delivered, to its end.
pub async fn a_follow_missed_in_a_drop_is_recovered<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) -> Vec<Event> {
    let [follows, chat] = subscriptions();
    let (handle, mut events) = builder
        .subscribe(follows.clone())
        .subscribe(chat.clone())
        .catch_up(CatchUpConfig::default())
        .connect()
        .expect("the configuration works");
    let mut seen = Vec::new();
    for _ in 0..2 {
        until(&mut events, &mut seen, "the subscriptions", |e| {
            matches!(e, Event::SubscriptionCreated { .. })
        })
        .await;
    }
    let live = mock.world().follow(BROADCASTER, "5001").delivered;
    assert_eq!(live.len(), 1);
    until(
        &mut events,
        &mut seen,
        "the live follow",
        |e| matches!(e, Event::Notification(n) if n.message_id().to_string() == live[0]),
    )
    .await;

    mock.hold_connections(true);
    assert!(mock.drop_socket(mock.current_socket().expect("a session")));
    until(&mut events, &mut seen, "the gap", |e| {
        matches!(e, Event::Disconnected { .. })
    })
    .await;
    eventually("the session's end", || mock.live_subscriptions() == 0).await;
    assert!(
        mock.world()
            .follow(BROADCASTER, "5002")
            .delivered
            .is_empty()
    );
    assert!(
        mock.notify("channel.chat.message", Delivery::Once)
            .is_empty()
    );
    mock.hold_connections(false);
    until(&mut events, &mut seen, "resumed", |e| {
        matches!(e, Event::Resumed { .. })
    })
    .await;
    let resumed_at = seen.len();
    let Event::CatchUp(report) = until(&mut events, &mut seen, "the report", |e| {
        matches!(e, Event::CatchUp(_))
    })
    .await
    else {
        unreachable!("until returns what it matched")
    };

    let recovered: Vec<&str> = seen[resumed_at..]
        .iter()
        .filter_map(|event| match event {
            Event::Recovered(recovered) => match &recovered.event {
                eventsub_tokio::RecoveredEvent::Follow { follower } => {
                    Some(follower.user_id.as_str())
                }
                other => panic!("only a follow was missed: {other:?}"),
            },
            _ => None,
        })
        .collect();
    assert_eq!(
        recovered,
        ["5002"],
        "the missed follow, once; not the live one"
    );
    let result_of = |spec: &SubscriptionSpec| {
        report
            .subscriptions
            .iter()
            .find(|outcome| &outcome.subscription == spec)
            .map(|outcome| outcome.result.clone())
    };
    assert_eq!(
        result_of(&follows),
        Some(CatchUpResult::Recovered {
            read: HelixRead::ChannelFollowers,
            events: 1,
            complete: true,
        })
    );
    assert_eq!(
        result_of(&chat),
        Some(CatchUpResult::Unrecoverable {
            reason: Unrecoverable::NoHelixRead,
        })
    );
    within("the shutdown", handle.shutdown()).await;
    while let Some(event) = within("the end of the stream", events.next()).await {
        seen.push(event);
    }
    within("the client's end", handle.finished()).await;
    assert!(mock.records().client_data_frames().is_empty());
    seen
}
