//! The reads decode Twitch's documented example bodies, and Helix's ways of saying "none".
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::list::decode_page;
use super::*;

#[test]
fn twitchs_get_polls_example_decodes_with_ended_at_absent() {
    let body = br#"{"data":[{"id":"ed961efd-8a3f-4cf5-a9d0-e616c590cd2a","broadcaster_id":"55696719","broadcaster_name":"TwitchDev","broadcaster_login":"twitchdev","title":"Heads or Tails?","choices":[{"id":"4c123012-1351-4f33-84b7-43856e7a0f47","title":"Heads","votes":0,"channel_points_votes":0,"bits_votes":0},{"id":"279087e3-54a7-467e-bcd0-c1393fcea4f0","title":"Tails","votes":0,"channel_points_votes":0,"bits_votes":0}],"bits_voting_enabled":false,"bits_per_vote":0,"channel_points_voting_enabled":false,"channel_points_per_vote":0,"status":"ACTIVE","duration":1800,"started_at":"2021-03-19T06:08:33.871278372Z"}],"pagination":{}}"#;
    let page = decode_page::<Poll>(body).unwrap(); // ok: a unit test; a panic is its failure report
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].choices.len(), 2);
    assert_eq!(page.items[0].ended_at, None);
    assert_eq!(page.items[0].started_at.nanosecond(), 871_278_372);
    assert_eq!(page.cursor, None);
}

#[test]
fn a_permanent_ban_has_no_expiry_and_an_empty_reason_is_absent() {
    let body = br#"{"data":[{"user_id":"423374343","user_login":"glowillig","user_name":"glowillig","expires_at":"","created_at":"2022-03-15T02:00:28Z","reason":"","moderator_id":"141981764","moderator_login":"twitchdev","moderator_name":"TwitchDev"}],"pagination":{"cursor":"eyJiIjpudWxsLCJhIjp7IkN1cnNvciI6I"}}"#;
    let page = decode_page::<BannedUser>(body).unwrap(); // ok: a unit test; a panic is its failure report
    assert_eq!(page.items[0].expires_at, None);
    assert_eq!(page.items[0].reason, None);
    assert!(page.cursor.is_some());
}

#[test]
fn null_data_is_an_empty_page_and_total_is_kept() {
    let page =
        decode_page::<ChannelFollower>(br#"{"data":null,"total":8,"pagination":{}}"#).unwrap(); // ok: a unit test; a panic is its failure report
    assert!(page.items.is_empty());
    assert_eq!(page.total, Some(8));
}

#[test]
fn a_missing_timestamp_or_id_is_an_error_not_a_default() {
    let no_time = br#"{"data":[{"user_id":"1","user_login":"a","user_name":"A"}]}"#;
    assert!(decode_page::<ChannelFollower>(no_time).is_err());
    let bad_time =
        br#"{"data":[{"user_id":"1","user_login":"a","user_name":"A","followed_at":"soon"}]}"#;
    let error = decode_page::<ChannelFollower>(bad_time).unwrap_err();
    assert!(error.to_string().contains("soon"), "{error}");
}
