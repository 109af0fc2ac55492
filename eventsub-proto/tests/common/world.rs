//! What happened in the fake channel, and how Helix shows it: followers newest first, bans
//! still in force, redemptions per reward and status, polls newest first, the stream if live.

use std::time::SystemTime;

use eventsub_proto::RequestError;
use eventsub_proto::catchup::{HelixRead, ReadRequest};
use serde_json::{Value, json};

use super::{REWARD, rfc3339};

#[derive(Clone, Debug)]
pub struct Poll {
    pub id: String,
    pub started_at: SystemTime,
    pub ended_at: Option<SystemTime>,
}

#[derive(Clone, Debug)]
pub struct Prediction {
    pub id: String,
    pub started_at: SystemTime,
    pub locked_at: Option<SystemTime>,
    pub ended_at: Option<SystemTime>,
}

/// A creator goal in progress: (id, current amount, created_at).
pub type Goal = (String, i64, SystemTime);

#[derive(Clone, Debug, Default)]
pub struct World {
    pub broadcaster: String,
    /// Oldest first.
    pub followers: Vec<(String, SystemTime)>,
    pub bans: Vec<(String, SystemTime)>,
    /// (id, status, redeemed_at), oldest first.
    pub redemptions: Vec<(String, String, SystemTime)>,
    pub polls: Vec<Poll>,
    /// Oldest first.
    pub predictions: Vec<Prediction>,
    /// The goals in progress (Helix shows no other), oldest first.
    pub goals: Vec<Goal>,
    /// The charity campaign running: (id, amount raised); Helix shows at most one.
    pub charity: Option<(String, i64)>,
    /// The live stream: (id, started_at).
    pub stream: Option<(String, SystemTime)>,
    pub title: String,
    /// Answer every read with this instead.
    pub fail_with: Option<Result<String, RequestError>>,
}

impl World {
    pub fn new(broadcaster: &str) -> Self {
        Self {
            broadcaster: broadcaster.to_owned(),
            title: "first title".to_owned(),
            ..Self::default()
        }
    }

    fn user(&self, user: &str) -> Value {
        json!({"user_id": user, "user_login": format!("login{user}"), "user_name": format!("Name{user}")})
    }

    fn broadcaster_fields(&self) -> Value {
        json!({"broadcaster_id": self.broadcaster, "broadcaster_login": "caster", "broadcaster_name": "Caster"})
    }

    pub fn follower_item(&self, user: &str, at: SystemTime) -> Value {
        merged(self.user(user), json!({"followed_at": rfc3339(at)}))
    }

    pub fn ban_item(&self, user: &str, at: SystemTime) -> Value {
        merged(
            self.user(user),
            json!({"expires_at": "", "created_at": rfc3339(at), "reason": "", "moderator_id": self.broadcaster,
                   "moderator_login": "caster", "moderator_name": "Caster"}),
        )
    }

    pub fn redemption_item(&self, id: &str, status: &str, at: SystemTime) -> Value {
        merged(
            merged(self.broadcaster_fields(), self.user("9")),
            json!({"id": id, "user_input": "", "status": status, "redeemed_at": rfc3339(at),
                   "reward": {"id": REWARD, "title": "Hydrate", "prompt": "", "cost": 10}}),
        )
    }

    pub fn poll_item(&self, poll: &Poll) -> Value {
        merged(
            self.broadcaster_fields(),
            json!({"id": poll.id, "title": "Which?", "choices": [], "channel_points_voting_enabled": false,
                   "channel_points_per_vote": 0, "status": if poll.ended_at.is_some() { "COMPLETED" } else { "ACTIVE" },
                   "duration": 60, "started_at": rfc3339(poll.started_at),
                   "ended_at": poll.ended_at.map(rfc3339)}),
        )
    }

    pub fn prediction_item(&self, prediction: &Prediction) -> Value {
        let status = match (prediction.locked_at, prediction.ended_at) {
            (_, Some(_)) => "RESOLVED",
            (Some(_), None) => "LOCKED",
            (None, None) => "ACTIVE",
        };
        merged(
            self.broadcaster_fields(),
            json!({"id": prediction.id, "title": "Who wins?", "winning_outcome_id": if prediction.ended_at.is_some() { "o1" } else { "" },
                   "outcomes": [{"id": "o1", "title": "Yes", "users": 1, "channel_points": 10, "color": "BLUE"}],
                   "prediction_window": 60, "status": status, "created_at": rfc3339(prediction.started_at),
                   "locked_at": prediction.locked_at.map(rfc3339), "ended_at": prediction.ended_at.map(rfc3339)}),
        )
    }

    pub fn goal_item(&self, (id, amount, created_at): &Goal) -> Value {
        merged(
            self.broadcaster_fields(),
            json!({"id": id, "type": "follower", "description": "", "current_amount": amount,
                   "target_amount": 100, "created_at": rfc3339(*created_at)}),
        )
    }

    pub fn charity_item(&self, (id, raised): &(String, i64)) -> Value {
        merged(
            self.broadcaster_fields(),
            json!({"id": id, "charity_name": "Good", "charity_description": "", "charity_logo": "",
                   "charity_website": "", "current_amount": {"value": raised, "decimal_places": 2, "currency": "USD"},
                   "target_amount": {"value": 100_000, "decimal_places": 2, "currency": "USD"}}),
        )
    }

    pub fn stream_item(&self) -> Option<Value> {
        self.stream.as_ref().map(|(id, started_at)| {
            json!({"id": id, "user_id": self.broadcaster, "user_login": "caster", "user_name": "Caster",
                   "game_id": "", "game_name": "", "type": "live", "title": self.title, "viewer_count": 3,
                   "started_at": rfc3339(*started_at), "language": "en"})
        })
    }

    /// What Helix answers to `read`.
    pub fn helix(&self, read: &ReadRequest) -> Result<String, RequestError> {
        if let Some(answer) = &self.fail_with {
            return answer.clone();
        }
        let param = |name: &str| {
            read.query()
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
        };
        let first: usize = param("first").map_or(20, |first| first.parse().unwrap());
        let after: usize = param("after").map_or(0, |after| after.parse().unwrap());
        let newest_first = |items: Vec<Value>| -> Vec<Value> { items.into_iter().rev().collect() };
        let items = match read.read() {
            HelixRead::ChannelFollowers => newest_first(
                self.followers
                    .iter()
                    .map(|(user, at)| self.follower_item(user, *at))
                    .collect(),
            ),
            HelixRead::BannedUsers => newest_first(
                self.bans
                    .iter()
                    .map(|(user, at)| self.ban_item(user, *at))
                    .collect(),
            ),
            HelixRead::CustomRewardRedemptions => {
                assert_eq!(param("reward_id").as_deref(), Some(REWARD));
                assert_eq!(param("sort").as_deref(), Some("NEWEST"));
                let status = param("status").expect("Twitch needs a status");
                newest_first(
                    self.redemptions
                        .iter()
                        .filter(|(_, s, _)| *s == status)
                        .map(|(id, s, at)| self.redemption_item(id, s, *at))
                        .collect(),
                )
            }
            HelixRead::Polls => {
                newest_first(self.polls.iter().map(|poll| self.poll_item(poll)).collect())
            }
            HelixRead::Predictions => newest_first(
                self.predictions
                    .iter()
                    .map(|prediction| self.prediction_item(prediction))
                    .collect(),
            ),
            HelixRead::CreatorGoals => self.goals.iter().map(|goal| self.goal_item(goal)).collect(),
            HelixRead::CharityCampaign => self
                .charity
                .iter()
                .map(|campaign| self.charity_item(campaign))
                .collect(),
            HelixRead::Streams => {
                assert_eq!(param("user_id").as_deref(), Some(self.broadcaster.as_str()));
                self.stream_item().into_iter().collect()
            }
            HelixRead::ChannelInformation => vec![merged(
                self.broadcaster_fields(),
                json!({"broadcaster_language": "en", "game_id": "", "game_name": "", "title": self.title,
                       "content_classification_labels": [], "is_branded_content": false}),
            )],
            other => panic!("no such read in this world: {other:?}"),
        };
        let page: Vec<Value> = items.iter().skip(after).take(first).cloned().collect();
        let next = after + page.len();
        let pagination = if next < items.len() {
            json!({"cursor": next.to_string()})
        } else {
            json!({})
        };
        Ok(json!({"data": page, "pagination": pagination}).to_string())
    }
}

fn merged(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}
