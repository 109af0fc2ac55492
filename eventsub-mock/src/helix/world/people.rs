//! People in a channel: follows, bans and timeouts, channel points redemptions.

use serde_json::json;
use time::OffsetDateTime;

use super::{
    Happening, MAX_RECORDS_PER_KIND, MockReward, World, merged, push_newest, rfc3339, user_fields,
    with,
};

impl World {
    /// `client_id` created the custom reward `reward_id` of `broadcaster_id`: from now on only it
    /// may read the reward's redemptions (403 for another client, as on Twitch).
    pub fn create_reward(&mut self, broadcaster_id: &str, reward_id: &str, client_id: &str) {
        self.channel_mut(broadcaster_id)
            .reward_owners
            .insert(reward_id.to_owned(), client_id.to_owned());
    }

    /// `user_id` follows `broadcaster_id` at `now` (`channel.follow`).
    pub fn follow(
        &mut self,
        broadcaster_id: &str,
        user_id: &str,
        now: OffsetDateTime,
    ) -> Happening {
        let at = rfc3339(now);
        let record = with(user_fields("user", user_id), json!({"followed_at": at}));
        push_newest(&mut self.channel_mut(broadcaster_id).followers, record);
        let event = merged(
            user_fields("user", user_id),
            user_fields("broadcaster_user", broadcaster_id),
            json!({"followed_at": at}),
        );
        Self::happening("channel.follow", broadcaster_id, event)
    }

    /// `moderator_id` bans `user_id` in `broadcaster_id` at `now`: for `timeout_secs` seconds, or
    /// for good when `None` (`channel.ban`).
    pub fn ban(
        &mut self,
        broadcaster_id: &str,
        user_id: &str,
        moderator_id: &str,
        reason: &str,
        timeout_secs: Option<u32>,
        now: OffsetDateTime,
    ) -> Happening {
        let at = rfc3339(now);
        let ends_at = timeout_secs.map(|secs| rfc3339(now + time::Duration::seconds(secs.into())));
        let mut record = user_fields("user", user_id);
        record.extend(user_fields("moderator", moderator_id));
        let record = with(
            record,
            json!({
                "created_at": at,
                "expires_at": ends_at.clone().unwrap_or_default(),
                "reason": reason,
            }),
        );
        let bans = &mut self.channel_mut(broadcaster_id).bans;
        bans.retain(|ban| ban.get("user_id") != Some(&json!(user_id)));
        push_newest(bans, record);
        let mut event = user_fields("user", user_id);
        event.extend(user_fields("broadcaster_user", broadcaster_id));
        event.extend(user_fields("moderator_user", moderator_id));
        let event = with(
            event,
            json!({
                "reason": reason,
                "banned_at": at,
                "ends_at": ends_at,
                "is_permanent": timeout_secs.is_none(),
            }),
        );
        Self::happening("channel.ban", broadcaster_id, event)
    }

    /// `user_id` redeems `reward` in `broadcaster_id` at `now`, typing `input`
    /// (`channel.channel_points_custom_reward_redemption.add`).
    pub fn redeem(
        &mut self,
        broadcaster_id: &str,
        reward: &MockReward,
        user_id: &str,
        input: &str,
        now: OffsetDateTime,
    ) -> Happening {
        let reward_id = reward.id.as_str();
        let id = self.id("redemption");
        let at = rfc3339(now);
        let reward =
            json!({"id": reward_id, "title": reward.title, "prompt": "", "cost": reward.cost});
        let record = merged(
            user_fields("broadcaster", broadcaster_id),
            user_fields("user", user_id),
            json!({
                "id": id,
                "user_input": input,
                "status": "UNFULFILLED",
                "redeemed_at": at,
                "reward": reward,
            }),
        );
        let redemptions = &mut self.channel_mut(broadcaster_id).redemptions;
        redemptions.push(record);
        if redemptions.len() > MAX_RECORDS_PER_KIND {
            redemptions.remove(0);
        }
        let event = merged(
            user_fields("broadcaster_user", broadcaster_id),
            user_fields("user", user_id),
            json!({
                "id": id,
                "user_input": input,
                "status": "unfulfilled",
                "redeemed_at": at,
                "reward": reward,
            }),
        );
        Happening {
            reward_id: Some(reward_id.to_owned()),
            id: Some(id),
            ..Self::happening(
                "channel.channel_points_custom_reward_redemption.add",
                broadcaster_id,
                event,
            )
        }
    }
}
