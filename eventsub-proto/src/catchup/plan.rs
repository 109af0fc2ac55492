//! What a catch-up asks Helix for one subscription: the read, and its query from the
//! subscription's condition (before any page cursor).

use crate::subscription::SubscriptionSpec;

use super::read::HelixRead;
use super::report::Unrecoverable;

/// One query of a read, without its `after` cursor.
pub(crate) type Query = Vec<(&'static str, String)>;

/// The statuses Get Custom Reward Redemption needs one at a time: together they are every
/// redemption.
const REDEMPTION_STATUSES: [&str; 3] = ["UNFULFILLED", "FULFILLED", "CANCELED"];

/// What to ask for one subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) read: HelixRead,
    /// The channel the read is about (the condition's broadcaster).
    pub(crate) broadcaster: String,
    /// Each query is a read of its own (redemptions: one per status), walked page by page.
    pub(crate) queries: Vec<Query>,
}

/// The plan for `spec`, or why nothing can tell what it missed. `scopes` are the token's when it
/// was validated (`None`: unknown, the read is tried).
pub(crate) fn plan(
    spec: &SubscriptionSpec,
    scopes: Option<&[String]>,
) -> Result<Plan, Unrecoverable> {
    let read = HelixRead::for_subscription(&spec.kind).ok_or(Unrecoverable::NoHelixRead)?;
    if let Some(scopes) = scopes {
        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
        if let Some(missing) = read.missing_scopes(&scopes) {
            return Err(Unrecoverable::MissingScope {
                read,
                scopes: missing,
            });
        }
    }
    let field = "broadcaster_user_id";
    let broadcaster = spec
        .condition_str(field)
        .filter(|id| !id.is_empty())
        .ok_or(Unrecoverable::MissingCondition { read, field })?
        .to_owned();
    let by_broadcaster = |first: Option<&str>| {
        let mut query = vec![("broadcaster_id", broadcaster.clone())];
        query.extend(first.map(|first| ("first", first.to_owned())));
        query
    };
    let queries = match read {
        HelixRead::ChannelFollowers | HelixRead::BannedUsers => vec![by_broadcaster(Some("100"))],
        HelixRead::CustomRewardRedemptions => {
            let reward = spec
                .condition_str("reward_id")
                .filter(|id| !id.is_empty())
                .ok_or(Unrecoverable::NoRewardId { read })?;
            REDEMPTION_STATUSES
                .iter()
                .map(|status| {
                    vec![
                        ("broadcaster_id", broadcaster.clone()),
                        ("reward_id", reward.to_owned()),
                        ("status", (*status).to_owned()),
                        ("sort", "NEWEST".to_owned()),
                        ("first", "50".to_owned()),
                    ]
                })
                .collect()
        }
        HelixRead::Polls => vec![by_broadcaster(Some("20"))],
        HelixRead::Predictions => vec![by_broadcaster(Some("25"))],
        HelixRead::CreatorGoals | HelixRead::CharityCampaign | HelixRead::ChannelInformation => {
            vec![by_broadcaster(None)]
        }
        HelixRead::Streams => vec![vec![("user_id", broadcaster.clone())]],
    };
    Ok(Plan {
        read,
        broadcaster,
        queries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redemptions(reward: Option<&str>) -> SubscriptionSpec {
        let spec =
            SubscriptionSpec::new("channel.channel_points_custom_reward_redemption.add", "1")
                .with_condition("broadcaster_user_id", "1");
        match reward {
            Some(reward) => spec.with_condition("reward_id", reward),
            None => spec,
        }
    }

    #[test]
    fn redemptions_are_read_per_status_newest_first_for_the_reward() {
        let plan = plan(&redemptions(Some("r1")), None).expect("a reward is named"); // ok: a test's failure report
        let statuses: Vec<&str> = plan
            .queries
            .iter()
            .filter_map(|query| query.iter().find(|(name, _)| *name == "status"))
            .map(|(_, status)| status.as_str())
            .collect();
        assert_eq!(statuses, REDEMPTION_STATUSES);
        assert!(plan.queries.iter().all(|query| {
            query.contains(&("sort", "NEWEST".to_owned()))
                && query.contains(&("reward_id", "r1".to_owned()))
        }));
    }

    #[test]
    fn redemptions_of_every_reward_cannot_be_read() {
        let read = HelixRead::CustomRewardRedemptions;
        assert_eq!(
            plan(&redemptions(None), None),
            Err(Unrecoverable::NoRewardId { read })
        );
    }

    #[test]
    fn streams_are_read_by_user_id() {
        let spec =
            SubscriptionSpec::new("stream.offline", "1").with_condition("broadcaster_user_id", "9");
        let plan = plan(&spec, Some(&[])).expect("no scope needed"); // ok: a test's failure report
        assert_eq!(plan.queries, [vec![("user_id", "9".to_owned())]]);
    }
}
