//! What cannot be read is said, not guessed: a read the token has no scope for is reported
//! missing and never made; a read Helix refuses is reported failed with Helix's error.

use eventsub_proto::RequestError;
use eventsub_tokio::{ReadError, RecoveredEvent, Unrecoverable};

use super::*;

#[tokio::test]
async fn a_read_the_token_has_no_scope_for_is_reported_missing_and_never_made() {
    // The ban subscription needs `channel:moderate`, which the token has; Get Banned Users needs
    // `moderation:read` or `moderator:manage:banned_users`, which it lacks.
    let scopes: Vec<&str> = EVERY_SCOPE
        .iter()
        .copied()
        .filter(|scope| *scope != "moderation:read")
        .collect();
    let mock = mock(&scopes).await;
    let (handle, mut watch) = connect(&mock, &[follows(), bans()]).await;
    // Delivered live: the lost socket's last frames are stamped after the welcome's shift (see
    // the module docs), and this one is not to be recovered.
    let live = mock.world().follow(BROADCASTER, "5001").delivered;
    assert_eq!(live.len(), 1);
    watch.delivered(&live).await;

    drop_and_hold(&mock, &mut watch).await;
    at(&mock, 5);
    assert!(
        mock.world()
            .ban(BROADCASTER, "6002", BROADCASTER)
            .delivered
            .is_empty()
    );
    at(&mock, 10);
    assert!(
        mock.world()
            .follow(BROADCASTER, "5002")
            .delivered
            .is_empty()
    );
    let gap = resume(&mock, &mut watch).await;
    let resumed_at = watch.seen.len();
    let report = report(&mut watch).await;

    let recovered = watch.recovered_since(resumed_at);
    assert_eq!(recovered.len(), 1, "{recovered:?}");
    assert!(
        matches!(&recovered[0].event, RecoveredEvent::Follow { follower } if follower.user_id == "5002"),
        "{recovered:?}"
    );
    assert_eq!((report.gap_from, report.gap_until), (gap.from, gap.until));
    let results = results(&report);
    assert_eq!(
        results[&bans().kind],
        CatchUpResult::Unrecoverable {
            reason: Unrecoverable::MissingScope {
                read: HelixRead::BannedUsers,
                scopes: HelixRead::BannedUsers.scopes(),
            },
        }
    );
    assert_eq!(
        results[&follows().kind],
        recovered_count(HelixRead::ChannelFollowers, 1)
    );
    {
        let helix = mock.helix();
        let reads = &helix.world.reads;
        assert_eq!(helix.world.reads_of("/moderation/banned"), 0, "{reads:?}");
        assert!(helix.world.reads_of("/channels/followers") > 0, "{reads:?}");
    }

    handle.shutdown().await;
}

#[tokio::test]
async fn a_read_helix_refuses_is_reported_failed_with_helixs_error() {
    let mock = mock(EVERY_SCOPE).await;
    // Twitch shows a reward's redemptions only to the client id that created it.
    let foreign = "reward-of-another-app";
    mock.helix()
        .world
        .create_reward(BROADCASTER, foreign, "another-client");
    let theirs = SubscriptionSpec::channel_points_custom_reward_redemption_add_of(
        broadcaster(),
        RewardId::new(foreign),
    );
    let (handle, mut watch) = connect(&mock, &[follows(), theirs.clone()]).await;
    let live = mock.world().follow(BROADCASTER, "5001").delivered;
    watch.delivered(&live).await;

    drop_and_hold(&mock, &mut watch).await;
    at(&mock, 10);
    let missed = mock.world().redeem(BROADCASTER, foreign, "7002", "a");
    assert!(missed.delivered.is_empty());
    resume(&mock, &mut watch).await;
    let resumed_at = watch.seen.len();
    let report = report(&mut watch).await;

    assert!(watch.recovered_since(resumed_at).is_empty());
    let results = results(&report);
    let failed = &results[&theirs.kind];
    assert!(
        matches!(
            failed,
            CatchUpResult::Failed {
                read: HelixRead::CustomRewardRedemptions,
                error: ReadError::Request(RequestError::Rejected { status: 403, .. }),
            }
        ),
        "{failed:?}"
    );
    assert_eq!(
        results[&follows().kind],
        recovered_count(HelixRead::ChannelFollowers, 0),
        "the other read still ran"
    );
    handle.shutdown().await;
}
