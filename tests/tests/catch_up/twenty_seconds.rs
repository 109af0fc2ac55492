//! The main proof: a drop of 20 s on Twitch's clock during which follows, bans, redemptions, a
//! poll ending, the stream going offline and chat messages happen; after it each missed event
//! comes back once, nothing delivered comes back, and the report says so (chat: no Helix read).

use eventsub_mock::{Delivery, Happened};
use eventsub_tokio::{RecoveredEvent, Unrecoverable};

use super::*;

/// The report of the main test's subscriptions, with these counts of recovered follows, bans,
/// redemptions and poll ends, nothing for the stream (no change), and chat unrecoverable.
fn expected_report(
    [follows_back, bans_back, redemptions_back, polls_back]: [u32; 4],
) -> BTreeMap<String, CatchUpResult> {
    [
        (
            follows(),
            recovered_count(HelixRead::ChannelFollowers, follows_back),
        ),
        (bans(), recovered_count(HelixRead::BannedUsers, bans_back)),
        (
            redemptions(),
            recovered_count(HelixRead::CustomRewardRedemptions, redemptions_back),
        ),
        (poll_ends(), recovered_count(HelixRead::Polls, polls_back)),
        (offline(), recovered_count(HelixRead::Streams, 0)),
        (
            chat(),
            CatchUpResult::Unrecoverable {
                reason: Unrecoverable::NoHelixRead,
            },
        ),
    ]
    .into_iter()
    .map(|(spec, result)| (spec.kind, result))
    .collect()
}

#[tokio::test]
async fn what_a_20s_drop_missed_is_recovered_once_after_the_delivered_and_reported_after() {
    let mock = mock(EVERY_SCOPE).await;
    // Before the client: the stream is live and a poll runs (nobody listens yet).
    mock.world().stream_online(BROADCASTER);
    let poll = mock
        .world()
        .begin_poll(BROADCASTER, "Best snack?", &["chips", "fruit"])
        .id
        .unwrap();
    let specs = [
        follows(),
        bans(),
        redemptions(),
        poll_ends(),
        offline(),
        chat(),
    ];
    let (handle, mut watch) = connect(&mock, &specs).await;
    // A first, empty gap: its catch-up reads the stream's state after it, which is the state
    // before the next one (the baseline the session's start asks for may be answered only after a
    // drop, too late to count; this report is the proof the state was taken).
    drop_and_hold(&mock, &mut watch).await;
    let first_gap = resume(&mock, &mut watch).await;
    let first = report(&mut watch).await;
    mock.set_clock_offset(Duration::ZERO, true);
    assert_eq!(
        (first.gap_from, first.gap_until),
        (first_gap.from, first_gap.until)
    );
    // The stream's row: no change, or no state from before it to compare with.
    let mut first_results = results(&first);
    let stream_row = first_results.remove("stream.offline");
    let no_baseline = CatchUpResult::Unrecoverable {
        reason: Unrecoverable::NoBaseline {
            read: HelixRead::Streams,
        },
    };
    assert!(
        stream_row == Some(recovered_count(HelixRead::Streams, 0))
            || stream_row == Some(no_baseline),
        "{stream_row:?}"
    );
    let mut nothing_missed = expected_report([0, 0, 0, 0]);
    nothing_missed.remove("stream.offline");
    assert_eq!(
        first_results, nothing_missed,
        "nothing happened in the first gap"
    );
    assert!(
        watch.recovered_since(0).is_empty(),
        "nothing to recover yet"
    );

    // Live: delivered over the socket.
    let mut live = Vec::new();
    live.extend(mock.world().follow(BROADCASTER, "5001").delivered);
    live.extend(mock.world().ban(BROADCASTER, "6001", BROADCASTER).delivered);
    let live_redemption = mock.world().redeem(BROADCASTER, REWARD, "7001", "hi");
    live.extend(live_redemption.delivered);
    live.extend(mock.notify("channel.chat.message", Delivery::Once));
    assert_eq!(live.len(), 4, "each went to its subscription: {live:?}");
    watch.delivered(&live).await;

    drop_and_hold(&mock, &mut watch).await;
    // During the drop, spread over the gap on Twitch's clock: nobody listens.
    let happen = |seconds: u64, what: &dyn Fn() -> Happened| {
        at(&mock, seconds);
        let happened = what();
        assert!(
            happened.delivered.is_empty(),
            "nobody listened: {happened:?}"
        );
        happened
    };
    let world = mock.world();
    happen(2, &|| world.follow(BROADCASTER, "5002"));
    happen(4, &|| world.ban(BROADCASTER, "6002", BROADCASTER));
    let first = happen(6, &|| world.redeem(BROADCASTER, REWARD, "7002", "a"));
    at(&mock, 8);
    assert!(
        mock.notify("channel.chat.message", Delivery::Once)
            .is_empty()
    );
    happen(10, &|| world.follow(BROADCASTER, "5003"));
    happen(12, &|| world.end_poll(BROADCASTER, &poll).unwrap());
    happen(14, &|| world.timeout(BROADCASTER, "6003", BROADCASTER, 600));
    let second = happen(16, &|| world.redeem(BROADCASTER, REWARD, "7003", "b"));
    happen(18, &|| world.stream_offline(BROADCASTER));
    let mut missed_redemptions = vec![first.id, second.id];
    let gap = resume(&mock, &mut watch).await;
    assert!(
        gap.duration() >= GAP - Duration::from_secs(1),
        "the gap lasted about 20 s on Twitch's clock: {gap:?}"
    );
    let resumed_at = watch.seen.len();
    let report = report(&mut watch).await;

    // Each missed event, once, marked as recovered for its subscription and this gap.
    let recovered = watch.recovered_since(resumed_at);
    for event in &recovered {
        assert_eq!((event.gap_from, event.gap_until), (gap.from, gap.until));
        assert!(specs.contains(&event.subscription), "{event:?}");
    }
    let mut follows_back: Vec<&str> = Vec::new();
    let mut bans_back: Vec<&str> = Vec::new();
    let mut redemptions_back: Vec<Option<String>> = Vec::new();
    let mut polls_back: Vec<&str> = Vec::new();
    let mut offline_back = 0;
    for event in &recovered {
        match &event.event {
            RecoveredEvent::Follow { follower } => {
                assert_eq!(event.subscription, follows());
                follows_back.push(&follower.user_id);
            }
            RecoveredEvent::Ban { ban } => {
                assert_eq!(event.subscription, bans());
                bans_back.push(&ban.user_id);
            }
            RecoveredEvent::Redemption { redemption } => {
                assert_eq!(event.subscription, redemptions());
                assert_eq!(redemption.reward.id, REWARD);
                redemptions_back.push(Some(redemption.id.clone()));
            }
            RecoveredEvent::PollEnd { poll } => {
                assert_eq!(event.subscription, poll_ends());
                polls_back.push(&poll.id);
            }
            RecoveredEvent::StreamOffline {
                broadcaster_user_id,
                ..
            } => {
                assert_eq!(event.subscription, offline());
                assert_eq!(broadcaster_user_id, BROADCASTER);
                offline_back += 1;
            }
            other => panic!("nothing else happened: {other:?}"),
        }
    }
    follows_back.sort_unstable();
    bans_back.sort_unstable();
    redemptions_back.sort_unstable();
    missed_redemptions.sort_unstable();
    assert_eq!(follows_back, ["5002", "5003"], "not 5001: it was delivered");
    assert_eq!(bans_back, ["6002", "6003"], "not 6001: it was delivered");
    assert_eq!(
        redemptions_back, missed_redemptions,
        "not the delivered one"
    );
    assert_eq!(polls_back, [poll.as_str()]);
    assert_eq!(offline_back, 1);

    // Nothing delivered live came again, as a notification or otherwise.
    let delivered = watch.notification_ids();
    let mut unique = delivered.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(delivered.len(), unique.len(), "no notification twice");
    assert_eq!(
        delivered.len(),
        live.len(),
        "nothing of the gap came as a notification"
    );

    // The report: per subscription, what the recovered events above were; chat cannot be known.
    assert_eq!((report.gap_from, report.gap_until), (gap.from, gap.until));
    let mut expected = expected_report([2, 2, 2, 1]);
    expected.insert(
        "stream.offline".to_owned(),
        recovered_count(HelixRead::Streams, 1),
    );
    assert_eq!(results(&report), expected);
    assert_eq!(report.subscriptions.len(), specs.len(), "one outcome each");

    handle.shutdown().await;
    assert!(mock.records().client_data_frames().is_empty());
}
