//! The demo: a whole EventSub session against a simulated Twitch, on simulated time, printed as a
//! timeline. Needs no Twitch account and no network.
//!
//! Today it drives the protocol core (`eventsub-proto`) against the sans-IO fake server; once the
//! runtime adapters exist it will run the same story over real sockets against the mock server.
//!
//! Run: `cargo run -p eventsub-tests --example demo`

use std::time::{Duration, Instant};

use eventsub_proto::{Event, Output};
use eventsub_tests::sim::Harness;

fn main() {
    let mut harness = Harness::new(Harness::config());
    let start = harness.now;
    let mut printed = 0;
    let mut show = |harness: &Harness, what: &str| {
        println!("           ── {what}");
        for (at, output) in &harness.outputs[printed..] {
            println!("{:>7.1}s     {}", secs(*at, start), describe(output));
        }
        printed = harness.outputs.len();
    };
    show(&harness, "client starts");

    let first = harness.connect_next();
    show(
        &harness,
        "Twitch accepts the socket and sends session_welcome",
    );
    harness.create_all();
    show(&harness, "Helix answers 202 for the subscription");

    for _ in 0..3 {
        harness.advance(Duration::from_secs(2));
        harness.notify(first);
    }
    show(&harness, "three channel.follow notifications arrive");

    harness.advance(Duration::from_secs(5));
    harness.reconnect(first);
    show(
        &harness,
        "Twitch sends session_reconnect (graceful handover)",
    );
    let second = harness.next_connect().expect("reconnect opens a socket");
    harness.open(second);
    harness.notify(first);
    show(
        &harness,
        "the old socket still delivers while the new one opens",
    );
    let duplicate = harness.twitch.duplicate(3, second).expect("sent before");
    harness.welcome(second);
    harness.send(second, &duplicate);
    show(
        &harness,
        "new socket welcomed; a duplicate of the overlap is dropped",
    );

    harness.notify(second);
    harness.advance(Duration::from_secs(4));
    harness.server_close(second, None);
    show(
        &harness,
        "the network drops the socket without a close frame (1006)",
    );
    while harness.next_connect().is_none() && harness.advance_to_next_timeout() {}
    let third = harness.connect_next();
    harness.create_all();
    show(
        &harness,
        "after backoff: fresh session, subscriptions re-created",
    );
    harness.notify(third);
    let closes = harness.client_closes.len();
    while harness.client_closes.len() == closes && harness.advance_to_next_timeout() {}
    show(
        &harness,
        "silence past keepalive + grace: the socket is declared dead",
    );
    while harness.next_connect().is_none() && harness.advance_to_next_timeout() {}
    harness.connect_next();
    harness.create_all();
    let now = harness.now;
    harness.client.shutdown(now);
    harness.drain();
    show(&harness, "fresh session again, then a graceful shutdown");

    let delivered = harness.delivered();
    let sent = harness.twitch.sent.len();
    println!(
        "\n{} notifications sent, {} delivered, {} duplicates dropped, {} lost on live sockets",
        sent,
        delivered.len(),
        harness.client.stats().duplicates_dropped,
        sent - delivered.len()
    );
    assert_eq!(
        delivered.len(),
        sent,
        "every notification delivered exactly once"
    );
}

fn secs(at: Instant, start: Instant) -> f64 {
    at.duration_since(start).as_secs_f64()
}

fn describe(output: &Output) -> String {
    match output {
        Output::Connect { conn, url } => format!("→ connect {conn} to {url}"),
        Output::Close { conn, code } => format!("→ close {conn} with {}", code.as_u16()),
        Output::CreateSubscription {
            session_id,
            subscription,
            ..
        } => format!(
            "→ Helix: create {} v{} for {session_id}",
            subscription.kind, subscription.version
        ),
        Output::DeleteSubscription { id, .. } => format!("→ Helix: delete {id}"),
        Output::Event(event) => describe_event(event),
        other => format!("→ {other:?}"),
    }
}

fn describe_event(event: &Event) -> String {
    match event {
        Event::SessionReady {
            session_id,
            keepalive,
            ..
        } => {
            format!(
                "★ session ready: {session_id} (keepalive {}s)",
                keepalive.as_secs()
            )
        }
        Event::Notification(n) => format!(
            "★ notification {} {} {}",
            n.subscription_type(),
            n.message_id(),
            n.event_json()
        ),
        Event::Reconnected { session_id, .. } => {
            format!("★ reconnected gracefully, still {session_id}")
        }
        Event::Disconnected {
            cause, retry_at, ..
        } => format!(
            "★ disconnected ({cause:?}); a gap begins{}",
            retry_at.map_or(String::new(), |_| ", retry scheduled".into())
        ),
        Event::Resumed { gap } => format!(
            "★ resumed after a gap of {:.1}s",
            gap.duration().as_secs_f64()
        ),
        Event::SubscriptionCreated { spec, created } => {
            format!(
                "★ subscribed to {} (cost {}, total {}/{})",
                spec.kind, created.cost, created.total_cost, created.max_total_cost
            )
        }
        Event::Stopped { reason } => format!("★ stopped: {reason:?}"),
        other => format!("★ {other:?}"),
    }
}
