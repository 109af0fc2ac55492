//! Sans-IO core of a Twitch EventSub WebSocket client.
#![warn(missing_docs)]

mod ids;
mod subscription;

pub use ids::{ConduitId, ConnId, MessageId, RequestId, SessionId, SubscriptionId};
pub use subscription::{
    DEFAULT_MAX_TOTAL_COST, MAX_SUBSCRIPTIONS_PER_CONNECTION, Subscription, SubscriptionSpec,
    SubscriptionStatus, Transport,
};
