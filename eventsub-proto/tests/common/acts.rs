//! What the fake Twitch does: it records each happening in the world (what Helix shows later)
//! and notifies the client if it listens. Each returns whether it was delivered live.

use std::time::SystemTime;

use serde_json::json;

use super::world::{Poll, Prediction};
use super::{
    BROADCASTER, Harness, REWARD, ban, chat, follow, poll_begin, poll_end, redemption, rfc3339,
};
use super::{
    charity_progress, charity_start, charity_stop, goal_begin, goal_end, goal_progress,
    prediction_begin, prediction_end, prediction_lock,
};
use super::{stream_offline, stream_online};

fn broadcaster() -> serde_json::Value {
    json!({"broadcaster_user_id": BROADCASTER, "broadcaster_user_login": "caster", "broadcaster_user_name": "Caster"})
}

fn with(mut a: serde_json::Value, b: serde_json::Value) -> String {
    if let (Some(a), serde_json::Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a.to_string()
}

impl Harness {
    pub fn act_follow(&mut self, user: &str) -> bool {
        let at = self.wall();
        self.world.followers.push((user.to_owned(), at));
        let event = with(
            broadcaster(),
            json!({"user_id": user, "user_login": format!("login{user}"), "user_name": format!("Name{user}"),
                   "followed_at": rfc3339(at)}),
        );
        self.notify(&follow(), &event)
    }

    pub fn act_ban(&mut self, user: &str) -> bool {
        let at = self.wall();
        self.world.bans.push((user.to_owned(), at));
        let event = with(
            broadcaster(),
            json!({"user_id": user, "user_login": format!("login{user}"), "user_name": format!("Name{user}"),
                   "moderator_user_id": BROADCASTER, "moderator_user_login": "caster", "moderator_user_name": "Caster",
                   "reason": "", "banned_at": rfc3339(at), "ends_at": null, "is_permanent": true}),
        );
        self.notify(&ban(), &event)
    }

    pub fn act_redeem(&mut self, id: &str, status: &str) -> bool {
        let at = self.wall();
        self.world
            .redemptions
            .push((id.to_owned(), status.to_owned(), at));
        let event = with(
            broadcaster(),
            json!({"id": id, "user_id": "9", "user_login": "login9", "user_name": "Name9", "user_input": "",
                   "status": status.to_lowercase(), "redeemed_at": rfc3339(at),
                   "reward": {"id": REWARD, "title": "Hydrate", "cost": 10, "prompt": ""}}),
        );
        self.notify(&redemption(), &event)
    }

    pub fn act_poll_begin(&mut self, id: &str) -> bool {
        let at = self.wall();
        self.world.polls.push(Poll {
            id: id.to_owned(),
            started_at: at,
            ended_at: None,
        });
        let event = with(
            broadcaster(),
            json!({"id": id, "title": "Which?", "choices": [], "started_at": rfc3339(at), "ends_at": rfc3339(at)}),
        );
        self.notify(&poll_begin(), &event)
    }

    pub fn act_poll_end(&mut self, id: &str) -> bool {
        let at = self.wall();
        let poll = self
            .world
            .polls
            .iter_mut()
            .find(|poll| poll.id == id)
            .expect("a poll that began");
        poll.ended_at = Some(at);
        let started = poll.started_at;
        let event = with(
            broadcaster(),
            json!({"id": id, "title": "Which?", "choices": [], "status": "completed",
                   "started_at": rfc3339(started), "ended_at": rfc3339(at)}),
        );
        self.notify(&poll_end(), &event)
    }

    pub fn act_stream_online(&mut self, id: &str) -> bool {
        let at = self.wall();
        self.world.stream = Some((id.to_owned(), at));
        let event = with(
            broadcaster(),
            json!({"id": id, "type": "live", "started_at": rfc3339(at)}),
        );
        self.notify(&stream_online(), &event)
    }

    pub fn act_stream_offline(&mut self) -> bool {
        self.world.stream = None;
        self.notify(&stream_offline(), &with(broadcaster(), json!({})))
    }

    pub fn act_prediction_begin(&mut self, id: &str) -> bool {
        let at = self.wall();
        self.world.predictions.push(Prediction {
            id: id.to_owned(),
            started_at: at,
            locked_at: None,
            ended_at: None,
        });
        let event = with(
            broadcaster(),
            json!({"id": id, "title": "Who wins?", "outcomes": [{"id": "o1", "title": "Yes", "color": "blue"}],
                   "started_at": rfc3339(at), "locks_at": rfc3339(at)}),
        );
        self.notify(&prediction_begin(), &event)
    }

    /// Locks the prediction (if still open) and, with `end`, resolves it.
    fn prediction_moves(&mut self, id: &str, end: bool) -> (SystemTime, SystemTime, SystemTime) {
        let at = self.wall();
        let prediction = self
            .world
            .predictions
            .iter_mut()
            .find(|prediction| prediction.id == id)
            .expect("a prediction that began");
        let locked = *prediction.locked_at.get_or_insert(at);
        if end {
            prediction.ended_at = Some(at);
        }
        (prediction.started_at, locked, at)
    }

    pub fn act_prediction_lock(&mut self, id: &str) -> bool {
        let (started, locked, _) = self.prediction_moves(id, false);
        let event = with(
            broadcaster(),
            json!({"id": id, "title": "Who wins?", "outcomes": [], "started_at": rfc3339(started),
                   "locked_at": rfc3339(locked)}),
        );
        self.notify(&prediction_lock(), &event)
    }

    /// Resolves the prediction (locked first if it was not: Helix then shows it locked when it
    /// ended, and no lock notification is sent).
    pub fn act_prediction_end(&mut self, id: &str) -> bool {
        let (started, _, ended) = self.prediction_moves(id, true);
        let event = with(
            broadcaster(),
            json!({"id": id, "title": "Who wins?", "winning_outcome_id": "o1", "outcomes": [],
                   "status": "resolved", "started_at": rfc3339(started), "ended_at": rfc3339(ended)}),
        );
        self.notify(&prediction_end(), &event)
    }

    fn goal_event(&self, id: &str, amount: i64) -> String {
        with(
            broadcaster(),
            json!({"id": id, "type": "follower", "description": "", "current_amount": amount,
                   "target_amount": 100, "started_at": rfc3339(self.wall())}),
        )
    }

    pub fn act_goal_begin(&mut self, id: &str) -> bool {
        self.world.goals.push((id.to_owned(), 0, self.wall()));
        let event = self.goal_event(id, 0);
        self.notify(&goal_begin(), &event)
    }

    pub fn act_goal_progress(&mut self, id: &str, amount: i64) -> bool {
        let goal = self
            .world
            .goals
            .iter_mut()
            .find(|goal| goal.0 == id)
            .expect("a goal in progress");
        goal.1 = amount;
        let event = self.goal_event(id, amount);
        self.notify(&goal_progress(), &event)
    }

    /// The goal leaves the goals in progress (Get Creator Goals lists it no more).
    pub fn act_goal_end(&mut self, id: &str) -> bool {
        let amount = self
            .world
            .goals
            .iter()
            .find(|goal| goal.0 == id)
            .map(|goal| goal.1)
            .expect("a goal in progress");
        self.world.goals.retain(|goal| goal.0 != id);
        let event = self.goal_event(id, amount);
        self.notify(&goal_end(), &event)
    }

    /// Charity events name the channel `broadcaster_id`, not `broadcaster_user_id`.
    fn charity_event(&self, id: &str, raised: i64, started: bool) -> String {
        let amount = |value: i64| json!({"value": value, "decimal_places": 2, "currency": "USD"});
        let mut event = json!({"id": id, "broadcaster_id": BROADCASTER, "broadcaster_login": "caster",
            "broadcaster_name": "Caster", "charity_name": "Good", "charity_description": "",
            "charity_logo": "", "charity_website": "", "current_amount": amount(raised),
            "target_amount": amount(100_000)});
        if started {
            event["started_at"] = json!(rfc3339(self.wall()));
        }
        event.to_string()
    }

    pub fn act_charity_start(&mut self, id: &str) -> bool {
        self.world.charity = Some((id.to_owned(), 0));
        let event = self.charity_event(id, 0, true);
        self.notify(&charity_start(), &event)
    }

    pub fn act_charity_progress(&mut self, raised: i64) -> bool {
        let campaign = self.world.charity.as_mut().expect("a campaign running");
        campaign.1 = raised;
        let id = campaign.0.clone();
        let event = self.charity_event(&id, raised, false);
        self.notify(&charity_progress(), &event)
    }

    /// The running campaign stops (Get Charity Campaign lists none).
    pub fn act_charity_stop(&mut self) -> bool {
        let (id, raised) = self.world.charity.take().expect("a campaign running");
        let event = self.charity_event(&id, raised, false);
        self.notify(&charity_stop(), &event)
    }

    pub fn act_chat(&mut self, id: &str) -> bool {
        let event = with(
            broadcaster(),
            json!({"chatter_user_id": "9", "message_id": id, "message": {"text": "hi"}}),
        );
        self.notify(&chat(), &event)
    }
}
