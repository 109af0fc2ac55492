//! The world keeps what happened in Helix's shapes, bounded, and says what it sends.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::json;
use time::OffsetDateTime;

use super::{MAX_RECORDS_PER_KIND, World};

#[test]
fn a_follow_is_kept_newest_first_and_its_event_names_the_same_time() {
    let mut world = World::default();
    let now = OffsetDateTime::UNIX_EPOCH;
    let first = world.follow("1", "10", now);
    world.follow("1", "11", now);
    let followers = &world.channel("1").unwrap().followers; // ok: a unit test; a panic is its failure report
    assert_eq!(followers[0]["user_id"], "11");
    assert_eq!(followers[1]["followed_at"], first.event["followed_at"]);
    assert_eq!(first.kind, "channel.follow");
    assert_eq!(first.event["broadcaster_user_id"], "1");
}

#[test]
fn records_of_one_kind_are_bounded_dropping_the_oldest() {
    let mut world = World::default();
    for user in 0..=MAX_RECORDS_PER_KIND {
        world.follow("1", &user.to_string(), OffsetDateTime::UNIX_EPOCH);
    }
    let followers = &world.channel("1").unwrap().followers; // ok: a unit test; a panic is its failure report
    assert_eq!(followers.len(), MAX_RECORDS_PER_KIND);
    assert_eq!(
        followers.last().unwrap()["user_id"], // ok: a unit test; a panic is its failure report
        "1",
        "user 0 went first"
    );
}

#[test]
fn a_new_ban_of_the_same_user_replaces_the_old_one() {
    let mut world = World::default();
    let now = OffsetDateTime::UNIX_EPOCH;
    world.ban("1", "7", "9", "first", Some(60), now);
    world.ban("1", "7", "9", "second", None, now);
    let bans = &world.channel("1").unwrap().bans; // ok: a unit test; a panic is its failure report
    assert_eq!(bans.len(), 1);
    assert_eq!(
        (&bans[0]["reason"], &bans[0]["expires_at"]),
        (&json!("second"), &json!(""))
    );
}

#[test]
fn ending_what_does_not_exist_changes_nothing() {
    let mut world = World::default();
    let now = OffsetDateTime::UNIX_EPOCH;
    assert!(
        world
            .end_poll("1", "no-such-poll", "COMPLETED", now)
            .is_none()
    );
    assert!(
        world
            .resolve_prediction("1", "no-such-prediction", 0, now)
            .is_none()
    );
    assert!(world.goal_progress("1", "no-such-goal", 5).is_none());
    assert!(world.charity_progress("1", 5).is_none());
    let prediction = world.begin_prediction("1", "Win?", ["Yes", "No"], 60, now);
    let id = prediction.id.unwrap(); // ok: a unit test; a panic is its failure report
    assert!(
        world.resolve_prediction("1", &id, 2, now).is_none(),
        "no third outcome"
    );
    assert_eq!(
        world.channel("1").unwrap().predictions[0]["status"], // ok: a unit test; a panic is its failure report
        "ACTIVE"
    );
}

#[test]
fn reads_are_logged_by_path_and_query_bounded_dropping_the_oldest() {
    let mut world = World::default();
    world.read("/polls", Some("broadcaster_id=1&first=20"));
    world.read("/streams", None);
    assert_eq!(
        world.reads,
        ["/polls?broadcaster_id=1&first=20", "/streams"]
    );
    assert_eq!(world.reads_of("/polls"), 1);
    assert_eq!(world.reads_of("/moderation/banned"), 0);
    for _ in 0..MAX_RECORDS_PER_KIND {
        world.read("/goals", Some("broadcaster_id=1"));
    }
    assert_eq!(world.reads.len(), MAX_RECORDS_PER_KIND);
    assert_eq!(world.reads_of("/polls"), 0, "the oldest went first");
}
