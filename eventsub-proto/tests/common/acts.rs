//! What the fake Twitch does: it records each happening in the world (what Helix shows later)
//! and notifies the client if it listens. Each returns whether it was delivered live.

use serde_json::json;

use super::world::Poll;
use super::{
    BROADCASTER, Harness, REWARD, ban, chat, follow, poll_begin, poll_end, redemption, rfc3339,
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

    pub fn act_chat(&mut self, id: &str) -> bool {
        let event = with(
            broadcaster(),
            json!({"chatter_user_id": "9", "message_id": id, "message": {"text": "hi"}}),
        );
        self.notify(&chat(), &event)
    }
}
