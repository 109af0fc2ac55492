//! Catch-up after a gap: what Twitch did not replay, recovered over Helix (opt-in,
//! [`Config::catch_up`](crate::Config::catch_up)).
//!
//! Twitch does not replay what it sent while nobody listened. When a gap ends
//! ([`Event::Resumed`](crate::Event::Resumed)), the core looks at every subscription that was live
//! during it and, where a Helix read can tell what happened ([`HelixRead::for_subscription`]),
//! asks for it ([`Output::CatchUpRead`](crate::Output::CatchUpRead)); the adapter only runs the
//! GET and feeds the body back ([`Input::CatchUpRead`](crate::Input::CatchUpRead)).
//!
//! - *Events* reads (follows, bans, redemptions, polls, predictions) give timestamped items: each
//!   one inside the gap that was not delivered becomes an [`Event::Recovered`](crate::Event::Recovered).
//! - *State* reads (streams, channel information, goals, charity) are compared with how things
//!   were before the gap: a change is a recovered state event.
//! - Types no read can tell about (chat, cheers, raids, …), and reads the token has no scope for,
//!   are named unrecoverable.
//!
//! An [`Event::CatchUp`](crate::Event::CatchUp) report for the gap follows the recovered events.
//! Recovered events carry Helix's own shapes ([`helix`] models): what Helix does not say is
//! absent, never invented.
//!
//! # How the core decides
//!
//! - **Which subscriptions**: those enabled when the gap began (or at any moment while it was
//!   open), still wanted when it ends (not unsubscribed, not revoked). One outcome each in the
//!   report, in the order they were live.
//! - **Scopes first**: with a validated token ([`Config::validate_token`](crate::Config)), a read
//!   whose scopes the token lacks is [`Unrecoverable::MissingScope`] without a request (Twitch
//!   would answer 401, or for followers a 200 with only `total`, which the core also reads as a
//!   missing scope, never as "no follows"). Without validation the read is tried.
//! - **Queries** come from the condition: `broadcaster_id` (or `user_id` for Get Streams) is its
//!   `broadcaster_user_id`; redemptions need its `reward_id` ([`Unrecoverable::NoRewardId`]
//!   without) and are read once per status (`UNFULFILLED`, `FULFILLED`, `CANCELED`, `sort=NEWEST`).
//!   Page sizes are Twitch's largest (followers and bans 100, redemptions 50, predictions 25,
//!   polls 20).
//! - **Pages**: a read follows `pagination.cursor` (`after`) while its page's oldest item is still
//!   inside the window, for at most [`CatchUpConfig::max_pages_per_read`] pages; cut short, its
//!   outcome says `complete: false`. Every GET counts against
//!   [`CatchUpConfig::max_reads_per_gap`]; a subscription left without any is
//!   [`Unrecoverable::ReadBudget`]. One read is in flight at a time, subscriptions in order.
//! - **The window** is the gap widened by [`CatchUpConfig::slack`] on each side. An item inside it
//!   is recovered unless an event with the same identity was delivered or recovered already: a
//!   follow's user (and time, give or take the slack), a ban's user and time, a redemption's id, a
//!   poll's or prediction's id and phase (`poll.begin` is its start in the window, `poll.end` its
//!   end; `prediction.begin`, `.lock`, `.end` likewise). Those keys are kept from twice the slack
//!   before a gap's start until its catch-up ends, bounded by
//!   [`CatchUpConfig::max_remembered_keys`] and [`CatchUpConfig::max_remembered_bytes`].
//! - **State**: once a session is settled (live, every subscription answered, no gap), each state
//!   subscription's channel is read once as a baseline; these reads come outside gaps, one at a
//!   time too. Delivered notifications keep it current (`stream.online`/`offline`,
//!   `channel.update`); goal and charity notifications make it read again. After a gap the state
//!   is read again and compared: only a real difference is an event (a stream that went offline,
//!   or another stream id: offline then online). Without a baseline the outcome is
//!   [`Unrecoverable::NoBaseline`], and what was read becomes the next gap's baseline.
//! - **Answers older than notifications**: a state read's answer describes the channel at some
//!   moment after the read was sent. When a notification about that channel is delivered while
//!   the read is in flight, the answer may be older than what the notification taught: a
//!   baseline's is dropped (read again if the notification left none), a gap's is asked again
//!   (from the gap's read budget). A baseline read sent before a gap began and answered after is
//!   kept when no notification of its channel came since it was sent: the gap's `from` is the
//!   last frame read, and every change before it was notified, so the answer is how the channel
//!   stood when the gap began. (A change in the gap's first moments, before Helix served the
//!   read, would be hidden by it: a window as short as the read's latency.)
//! - **Memory**: the state kept per channel goes when no subscription wants the channel any more
//!   (a channel subscribed to again is read again), and a catch-up read in flight counts in
//!   [`Stats::pending_requests`](crate::Stats::pending_requests) until its answer is given back.
//! - **The report** ([`CatchUp`]) comes after the gap's recovered events, one per `Resumed`. A gap
//!   that ends while another's catch-up runs waits for it (at most
//!   [`CatchUpConfig::max_queued_gaps`]; one more joins the last that waits). A body that does
//!   not decode is [`CatchUpResult::Failed`] with [`ReadError::Malformed`], a Helix error
//!   [`ReadError::Request`].
//! - **Stopping** abandons what waits: no report follows `Stopped`, and the answer to the read in
//!   flight is taken and ignored.

mod config;
pub(crate) mod engine;
pub mod helix;
mod items;
mod keys;
mod page;
mod plan;
mod read;
mod recovered;
mod remembered;
mod report;
mod request;
mod run;
mod state;

pub use config::CatchUpConfig;
pub use helix::{
    BannedUser, ChannelFollower, ChannelInformation, CharityAmount, CharityCampaign, CreatorGoal,
    CustomRewardRedemption, Poll, PollChoice, Prediction, PredictionOutcome, RedeemedReward,
    Stream,
};
pub use read::{HelixRead, Recovery};
pub use recovered::{Recovered, RecoveredEvent};
pub use report::{CatchUp, CatchUpOutcome, CatchUpResult, ReadError, Unrecoverable};
pub use request::ReadRequest;
