//! Knowing the token, end to end over the mock Helix (issue 13's "Done means"): an app token and a
//! token lacking a scope are refused at connect before any socket or subscription call, a dozen
//! own-channel subscriptions (cost 0) survive drops with the token's user learned from validation
//! only, and a client whose only subscription is revoked idles without a socket until it is
//! subscribed again. Shared by `e2e_tokio.rs` and `e2e_async_std.rs`.

use std::time::Duration;

use eventsub_mock::helix::fixtures::{CLIENT_ID, USER_ID, USER_TOKEN, stream_online};
use eventsub_mock::{Ended, MockEventSub};
use eventsub_proto::{Event, StopReason, SubscriptionFailure, SubscriptionSpec, SubscriptionState};
use eventsub_tokio::{ConnectError, EventSubBuilder, Runtime};
use futures_util::FutureExt;

use super::{TestClient, WAIT, current_socket, eventually, finish, within};

/// A user token of [`USER_ID`] with no scopes at all.
pub const UNSCOPED_TOKEN: &str = "user-token-of-1001-without-scopes";

/// The scopes [`own_channel`] needs.
const OWN_CHANNEL_SCOPES: &[&str] = &[
    "channel:read:subscriptions",
    "bits:read",
    "channel:moderate",
    "channel:read:polls",
    "channel:read:predictions",
];

/// Twelve subscriptions on the token user's own channel (`broadcaster_user_id` is [`USER_ID`]):
/// each costs 0 at Twitch.
pub fn own_channel() -> Vec<SubscriptionSpec> {
    eventsub_tests::sim::own_channel_subscriptions(USER_ID, 12)
}

/// The kinds of `specs`, each at cost 0, sorted: what [`on_current_session`] should find.
fn at_no_cost(specs: &[SubscriptionSpec]) -> Vec<(String, u32)> {
    let mut kinds: Vec<(String, u32)> = specs.iter().map(|s| (s.kind.clone(), 0)).collect();
    kinds.sort();
    kinds
}

/// `channel.follow` v2 on the token user's channel: needs `moderator:read:followers`.
pub fn own_follows() -> SubscriptionSpec {
    SubscriptionSpec::new("channel.follow", "2")
        .with_condition("broadcaster_user_id", USER_ID)
        .with_condition("moderator_user_id", USER_ID)
}

/// `channel.poll.begin` on the token user's channel: needs `channel:read:polls` or
/// `channel:manage:polls`.
pub fn own_polls() -> SubscriptionSpec {
    SubscriptionSpec::new("channel.poll.begin", "1").with_condition("broadcaster_user_id", USER_ID)
}

/// What `connect_validated` refuses `builder` with; panics when it accepts `what`.
async fn refusal<R: Runtime>(builder: EventSubBuilder<R>, what: &str) -> ConnectError {
    match within(WAIT, "connect_validated", builder.connect_validated()).await {
        Err(error) => error,
        Ok(_) => panic!("{what} is accepted"),
    }
}

/// Requests that reached the mock's HTTP side (Helix and OAuth), faults included.
fn http_requests(mock: &MockEventSub) -> u64 {
    mock.helix().requests
}

/// The mock knows no subscription, and no socket was ever opened.
fn nothing_subscribed_nor_opened(mock: &MockEventSub) {
    assert!(
        mock.helix().subscriptions.is_empty(),
        "no subscription reached the mock Helix: {:?}",
        mock.helix().subscriptions
    );
    assert!(
        mock.records().opened().is_empty(),
        "no socket opened: {:?}",
        mock.records().opened()
    );
}

/// `make` builds a client with an app token of [`CLIENT_ID`] (from the mock's client-credentials
/// grant): `connect_validated` refuses it with [`ConnectError::AppToken`], and `connect` reports
/// it as `Stopped { reason: AppToken }`. Neither opens a socket or asks Helix for a subscription:
/// the only request each makes is the validation.
pub async fn app_token_refused_at_connect<R: Runtime>(
    mock: &MockEventSub,
    make: impl Fn() -> EventSubBuilder<R>,
) {
    let requests_before = http_requests(mock);
    let error = refusal(make(), "an app token").await;
    assert!(
        matches!(&error, ConnectError::AppToken { client_id } if client_id == CLIENT_ID),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("app access token")
            && message.contains("needs a user access token")
            && message.contains(CLIENT_ID),
        "{message}"
    );
    assert_eq!(
        http_requests(mock) - requests_before,
        1,
        "one request: the validation"
    );
    nothing_subscribed_nor_opened(mock);

    let mut client = TestClient::connect(make()).await;
    let Event::Stopped { reason } = client
        .until("stopped", |e| matches!(e, Event::Stopped { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!(reason, StopReason::AppToken);
    assert!(
        within(WAIT, "end of stream", client.events.recv())
            .await
            .is_none(),
        "nothing after Stopped"
    );
    within(WAIT, "the client task ends", client.handle.finished()).await;
    assert_eq!(
        http_requests(mock) - requests_before,
        2,
        "again, one request: the validation"
    );
    nothing_subscribed_nor_opened(mock);
}

/// `builder` has a token the mock does not know: `connect_validated` refuses it with
/// [`ConnectError::Unauthorized`] and Twitch's message, having opened no socket.
pub async fn unknown_token_refused_at_connect<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let error = refusal(
        builder.subscribe(stream_online(USER_ID)),
        "an unknown token",
    )
    .await;
    assert!(
        matches!(&error, ConnectError::Unauthorized { message } if !message.is_empty()),
        "{error:?}"
    );
    assert!(error.to_string().contains("401"), "{error}");
    nothing_subscribed_nor_opened(mock);
}

/// `make` builds a client with [`UNSCOPED_TOKEN`] (registered here, a user token without scopes)
/// that wants `stream.online` (no scope needed), `channel.follow` and `channel.poll.begin` (scopes
/// needed). `connect_validated` refuses it naming the follows and the scope they need, with the
/// polls in `also_refused`, and the client is gone: no socket was opened and no request but the
/// validation reached the mock (the servable `stream.online` was not created either). With
/// `connect` the same refusals come as events, and only `stream.online` reaches Helix.
pub async fn missing_scope_refused_before_any_helix_call<R: Runtime>(
    mock: &MockEventSub,
    make: impl Fn() -> EventSubBuilder<R>,
) {
    mock.helix()
        .add_user_token(UNSCOPED_TOKEN, CLIENT_ID, USER_ID, &[]);
    let wanting = || {
        make()
            .subscribe(stream_online(USER_ID))
            .subscribe(own_follows())
            .subscribe(own_polls())
    };
    let requests_before = http_requests(mock);
    let error = refusal(wanting(), "a token without the scopes").await;
    let ConnectError::MissingScope {
        spec,
        missing,
        also_refused,
    } = &error
    else {
        panic!("not a missing scope: {error:?}");
    };
    assert_eq!(**spec, own_follows());
    assert_eq!(missing, &[&["moderator:read:followers"][..]]);
    assert_eq!(also_refused.len(), 1, "{also_refused:?}");
    assert_eq!(also_refused[0].spec, own_polls());
    assert!(
        matches!(
            also_refused[0].reason,
            SubscriptionFailure::MissingScope { .. }
        ),
        "{also_refused:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("channel.follow v2")
            && message.contains("scope `moderator:read:followers`")
            && message.contains("channel.poll.begin v1"),
        "{message}"
    );
    assert_eq!(
        http_requests(mock) - requests_before,
        1,
        "one request: the validation"
    );
    nothing_subscribed_nor_opened(mock);

    // `connect`: the refusals are events, and what the token can serve goes on.
    let mut client = TestClient::connect(wanting()).await;
    client
        .until("validated", |e| matches!(e, Event::TokenValidated { .. }))
        .await;
    client.subscribed().await;
    let refusals: Vec<&SubscriptionSpec> = client
        .seen
        .iter()
        .filter_map(|event| match event {
            Event::SubscriptionFailed {
                spec,
                reason: SubscriptionFailure::MissingScope { .. },
            } => Some(&**spec),
            _ => None,
        })
        .collect();
    assert_eq!(refusals, [&own_follows(), &own_polls()]);
    let on_helix: Vec<String> = mock
        .helix()
        .subscriptions
        .iter()
        .map(|s| s.kind.clone())
        .collect();
    assert_eq!(on_helix, ["stream.online"], "only what the token can serve");
    finish(mock, client).await;
}

/// `builder` has [`USER_TOKEN`] (with `moderator:read:followers`) and wants the follows of
/// another broadcaster read as another moderator: `connect_validated` refuses it with
/// [`ConnectError::NotTokenUser`] naming the field, and nothing reaches the mock.
pub async fn another_users_condition_refused_at_connect<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let theirs = SubscriptionSpec::new("channel.follow", "2")
        .with_condition("broadcaster_user_id", "2002")
        .with_condition("moderator_user_id", "2002");
    let error = refusal(
        builder.subscribe(theirs.clone()),
        "another moderator's subscription",
    )
    .await;
    let ConnectError::NotTokenUser {
        spec,
        field,
        named,
        token_user,
        also_refused,
    } = &error
    else {
        panic!("not a refusal for the token's user: {error:?}");
    };
    assert_eq!(**spec, theirs);
    assert_eq!(
        (field.as_str(), named.as_str(), token_user.as_str()),
        ("moderator_user_id", "2002", USER_ID)
    );
    assert!(also_refused.is_empty(), "{also_refused:?}");
    nothing_subscribed_nor_opened(mock);
}

/// The kinds and costs of the enabled subscriptions on the session of the mock's current socket.
fn on_current_session(mock: &MockEventSub) -> Vec<(String, u32)> {
    let Some(socket) = mock.current_socket() else {
        return Vec::new();
    };
    let Some(session) = mock
        .sockets()
        .into_iter()
        .find(|info| info.socket == socket)
        .map(|info| info.session_id)
    else {
        return Vec::new();
    };
    let mut kinds: Vec<(String, u32)> = mock
        .helix()
        .subscriptions
        .iter()
        .filter(|s| s.is_enabled() && s.transport.session_id() == Some(session.as_str()))
        .map(|s| (s.kind.clone(), s.cost))
        .collect();
    kinds.sort();
    kinds
}

/// `builder` has [`USER_TOKEN`] (given here every scope [`own_channel`] needs) and a config
/// without `token_user_id`. Ten own-channel subscriptions at connect and two added through the
/// handle on the live session: all twelve exist at cost 0, and again on the new session after
/// each of three TCP drops; the handle reports them enabled at cost 0, total 0.
pub async fn twelve_own_channel_subscriptions_survive_drops<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    const DROPS: usize = 3;
    const AT_RUNTIME: usize = 2;
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, OWN_CHANNEL_SCOPES);
    let wanted = own_channel();
    let (at_connect, later) = wanted.split_at(wanted.len() - AT_RUNTIME);
    let builder = at_connect
        .iter()
        .cloned()
        .fold(builder, EventSubBuilder::subscribe);
    let (handle, events) = within(WAIT, "connect_validated", builder.connect_validated())
        .await
        .expect("the token serves every subscription");
    let mut client = TestClient {
        handle,
        events,
        seen: Vec::new(),
    };
    let first = client.events.recv().await;
    assert!(
        matches!(&first, Some(Event::TokenValidated { identity })
            if identity.user_id.as_ref().map(|id| id.as_str()) == Some(USER_ID)),
        "the validation is the first event: {first:?}"
    );
    client.ready().await;
    let expected = at_no_cost(at_connect);
    assert!(
        eventually(|| on_current_session(mock) == expected).await,
        "the ten at connect exist at cost 0: {:?}",
        on_current_session(mock)
    );
    for spec in later {
        client
            .handle
            .subscribe(spec.clone())
            .await
            .expect("subscribes at runtime");
    }
    let expected = at_no_cost(&wanted);
    assert!(
        eventually(|| on_current_session(mock) == expected).await,
        "all twelve exist at cost 0: {:?}",
        on_current_session(mock)
    );
    for drop in 1..=DROPS {
        let socket = current_socket(mock).await;
        assert!(mock.drop_socket(socket), "drop {drop}");
        client
            .until("disconnected", |e| matches!(e, Event::Disconnected { .. }))
            .await;
        client
            .until("resumed", |e| matches!(e, Event::Resumed { .. }))
            .await;
        assert!(
            eventually(|| mock.current_socket().is_some_and(|now| now != socket)
                && on_current_session(mock) == expected)
            .await,
            "after drop {drop}, all twelve exist again at cost 0: {:?}",
            on_current_session(mock)
        );
    }
    assert_eq!(
        mock.records().opened().len(),
        DROPS + 1,
        "one socket per session"
    );
    assert!(
        !client.saw(|e| matches!(e, Event::SubscriptionFailed { .. })),
        "no creation failed"
    );
    let report = client
        .handle
        .subscriptions()
        .await
        .expect("the client runs");
    assert_eq!(report.subscriptions.len(), wanted.len());
    for entry in &report.subscriptions {
        assert!(
            matches!(entry.state, SubscriptionState::Enabled { cost: 0, .. })
                && entry.cost == 0
                && entry.cost_reported
                && entry.id.is_some(),
            "{entry:?}"
        );
    }
    assert_eq!(report.total_cost, 0, "{report:?}");
    finish(mock, client).await;
}

/// How long an idle client is watched for a reconnect: a few of the mock's 1 s keepalives (and
/// many of its 500 ms windows before a 4003, the loop an idle client must not fall into).
const IDLE_WATCH: Duration = Duration::from_millis(2_500);

/// `builder` wants `stream.online` only. The mock revokes it: the client reports the revocation,
/// then `Idle`, closes its socket with 1000 and opens none for a few keepalive periods.
/// Subscribing again creates it again on a new session.
pub async fn revoking_the_only_subscription_idles_until_resubscribed<R: Runtime>(
    mock: &MockEventSub,
    builder: EventSubBuilder<R>,
) {
    let mut client = super::subscribed(builder).await;
    let socket = current_socket(mock).await;
    assert_eq!(
        mock.revoke("stream.online", "authorization_revoked").len(),
        1
    );
    client
        .until("revocation", |e| matches!(e, Event::Revocation(_)))
        .await;
    let idle = client
        .until("idle", |e| matches!(e, Event::Idle { .. }))
        .await;
    let Event::Idle { reasons } = idle else {
        unreachable!()
    };
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        super::ended(mock, socket, Ended::ByClient(Some(1000))).await,
        "the client closed its socket with 1000: {:?}",
        mock.records().endings()
    );
    async_io::Timer::after(IDLE_WATCH).await;
    assert_eq!(
        mock.records().opened().len(),
        1,
        "no socket opened while idle"
    );
    assert!(mock.sockets().is_empty(), "no socket held while idle");
    let idle_at = client.seen.len();
    // Whatever came while idle, without waiting.
    while let Some(Some(event)) = client.events.recv().now_or_never() {
        client.seen.push(event);
    }
    let while_idle = &client.seen[idle_at..];
    assert!(
        while_idle.iter().all(|e| !matches!(
            e,
            Event::SessionReady { .. }
                | Event::Disconnected { .. }
                | Event::ConnectFailed { .. }
                | Event::Resumed { .. }
        )),
        "no connection attempt while idle: {while_idle:#?}"
    );
    client
        .handle
        .subscribe(stream_online(USER_ID))
        .await
        .expect("a revoked subscription may be subscribed again");
    client.ready().await;
    client.subscribed().await;
    assert_eq!(mock.records().opened().len(), 2, "one new socket");
    assert_eq!(mock.live_subscriptions(), 1, "created again");
    finish(mock, client).await;
}
