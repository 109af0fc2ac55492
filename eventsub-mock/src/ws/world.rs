//! The test's hands on the world: make something happen in a channel, record it where the Helix
//! catch-up reads see it, and notify whoever listens.

use time::OffsetDateTime;

use super::server::MockEventSub;
use crate::helix::world::{Happening, MockReward, World};

/// What [`WorldHandle`] made happen.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Happened {
    /// The id of what was made (a poll, prediction, goal, redemption, campaign or stream), if any.
    pub id: Option<String>,
    /// The message ids of the notifications queued for it, one per listening subscription; empty
    /// when nobody listened (during a drop, say): then only Helix can tell.
    pub delivered: Vec<String>,
}

/// Makes things happen in the mock's world; from [`MockEventSub::world`].
///
/// Each change is recorded in the world the Helix catch-up reads serve
/// ([`MockState::world`](crate::helix::MockState::world)) and notified to every enabled
/// subscription of its type whose condition names the channel, on the session's current socket.
/// Timestamps come from the mock's clock (moved by
/// [`MockEventSub::set_clock_offset`]), the same as the frames' `message_timestamp`.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use eventsub_mock::{MockConfig, MockEventSub};
/// let mock = MockEventSub::start(MockConfig::fast()).await?;
/// // Nobody listens: not delivered, but Get Channel Followers shows it.
/// let follow = mock.world().follow("1234", "5678");
/// assert!(follow.delivered.is_empty());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct WorldHandle<'m> {
    mock: &'m MockEventSub,
}

impl MockEventSub {
    /// The world: make follows, bans, redemptions, polls, … happen; see [`WorldHandle`].
    pub fn world(&self) -> WorldHandle<'_> {
        WorldHandle { mock: self }
    }
}

impl WorldHandle<'_> {
    /// Applies `change` to the world at the mock's current time, then notifies what it returns;
    /// `None` when the change did not apply (such as ending an unknown poll).
    pub fn apply(
        &self,
        change: impl FnOnce(&mut World, OffsetDateTime) -> Option<Happening>,
    ) -> Option<Happened> {
        let now = self.mock.shared.now();
        let happening = change(&mut self.mock.helix().world, now)?;
        let delivered = self
            .mock
            .send_happening(&happening)
            .into_iter()
            .map(|routed| routed.message_id)
            .collect();
        Some(Happened {
            id: happening.id,
            delivered,
        })
    }

    fn always(&self, change: impl FnOnce(&mut World, OffsetDateTime) -> Happening) -> Happened {
        match self.apply(|world, now| Some(change(world, now))) {
            Some(happened) => happened,
            // `apply` returns what the change returns, and this change always returns one.
            None => Happened {
                id: None,
                delivered: Vec::new(),
            },
        }
    }

    /// `user_id` follows `broadcaster_id` (`channel.follow`).
    pub fn follow(&self, broadcaster_id: &str, user_id: &str) -> Happened {
        self.always(|world, now| world.follow(broadcaster_id, user_id, now))
    }

    /// `moderator_id` bans `user_id` from `broadcaster_id` for good (`channel.ban`).
    pub fn ban(&self, broadcaster_id: &str, user_id: &str, moderator_id: &str) -> Happened {
        self.always(|world, now| {
            world.ban(broadcaster_id, user_id, moderator_id, "mock ban", None, now)
        })
    }

    /// `moderator_id` times `user_id` out of `broadcaster_id` for `seconds` (`channel.ban`).
    pub fn timeout(
        &self,
        broadcaster_id: &str,
        user_id: &str,
        moderator_id: &str,
        seconds: u32,
    ) -> Happened {
        self.always(|world, now| {
            world.ban(
                broadcaster_id,
                user_id,
                moderator_id,
                "mock timeout",
                Some(seconds),
                now,
            )
        })
    }

    /// `user_id` redeems reward `reward_id` (100 points) in `broadcaster_id`, typing `input`
    /// (`channel.channel_points_custom_reward_redemption.add`); the id is the redemption's.
    pub fn redeem(
        &self,
        broadcaster_id: &str,
        reward_id: &str,
        user_id: &str,
        input: &str,
    ) -> Happened {
        self.always(|world, now| {
            world.redeem(
                broadcaster_id,
                &MockReward::new(reward_id, "Mock reward", 100),
                user_id,
                input,
                now,
            )
        })
    }

    /// A poll `title` with `choices` begins, running 300 s (`channel.poll.begin`); the id is the
    /// poll's.
    pub fn begin_poll(&self, broadcaster_id: &str, title: &str, choices: &[&str]) -> Happened {
        self.always(|world, now| world.begin_poll(broadcaster_id, title, choices, 300, now))
    }

    /// Poll `poll_id` ends as `COMPLETED` (`channel.poll.end`); `None` for an unknown poll.
    pub fn end_poll(&self, broadcaster_id: &str, poll_id: &str) -> Option<Happened> {
        self.apply(|world, now| world.end_poll(broadcaster_id, poll_id, "COMPLETED", now))
    }

    /// A prediction `title` with two outcomes begins, open 120 s (`channel.prediction.begin`);
    /// the id is the prediction's.
    pub fn begin_prediction(
        &self,
        broadcaster_id: &str,
        title: &str,
        outcomes: [&str; 2],
    ) -> Happened {
        self.always(|world, now| world.begin_prediction(broadcaster_id, title, outcomes, 120, now))
    }

    /// Prediction `prediction_id` is resolved with outcome `winner` (0 or 1)
    /// (`channel.prediction.end`); `None` for an unknown prediction or outcome.
    pub fn resolve_prediction(
        &self,
        broadcaster_id: &str,
        prediction_id: &str,
        winner: usize,
    ) -> Option<Happened> {
        self.apply(|world, now| {
            world.resolve_prediction(broadcaster_id, prediction_id, winner, now)
        })
    }

    /// A `goal_type` goal towards `target` begins (`channel.goal.begin`); the id is the goal's.
    pub fn begin_goal(&self, broadcaster_id: &str, goal_type: &str, target: i64) -> Happened {
        self.always(|world, now| world.begin_goal(broadcaster_id, goal_type, target, now))
    }

    /// Goal `goal_id` reaches `current` (`channel.goal.progress`); `None` for an unknown goal.
    pub fn goal_progress(
        &self,
        broadcaster_id: &str,
        goal_id: &str,
        current: i64,
    ) -> Option<Happened> {
        self.apply(|world, _| world.goal_progress(broadcaster_id, goal_id, current))
    }

    /// A charity campaign for `charity_name` towards `target_cents` USD cents starts
    /// (`channel.charity_campaign.start`); the id is the campaign's.
    pub fn start_charity(
        &self,
        broadcaster_id: &str,
        charity_name: &str,
        target_cents: i64,
    ) -> Happened {
        self.always(|world, now| {
            world.start_charity(broadcaster_id, charity_name, target_cents, now)
        })
    }

    /// The running campaign raises `cents` more (`channel.charity_campaign.progress`); `None`
    /// when none runs.
    pub fn charity_progress(&self, broadcaster_id: &str, cents: i64) -> Option<Happened> {
        self.apply(|world, _| world.charity_progress(broadcaster_id, cents))
    }

    /// `broadcaster_id` goes live (`stream.online`); the id is the stream's.
    pub fn stream_online(&self, broadcaster_id: &str) -> Happened {
        self.always(|world, now| world.stream_online(broadcaster_id, now))
    }

    /// `broadcaster_id` goes offline (`stream.offline`).
    pub fn stream_offline(&self, broadcaster_id: &str) -> Happened {
        self.always(|world, _| world.stream_offline(broadcaster_id))
    }

    /// `broadcaster_id` sets its title and category (`channel.update`).
    pub fn update_channel(
        &self,
        broadcaster_id: &str,
        title: &str,
        category_id: &str,
        category_name: &str,
    ) -> Happened {
        self.always(|world, _| {
            world.update_channel(broadcaster_id, title, category_id, category_name)
        })
    }
}
