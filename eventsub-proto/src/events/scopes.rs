//! Checking a token's scopes against subscriptions before asking Twitch for them.

use crate::events::SubscriptionType;
use crate::subscription::SubscriptionSpec;

/// Why a subscription would fail (or cannot be checked) with the token's scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScopeProblem<'s> {
    /// The token lacks a scope the type needs; any one of `any_of` would do.
    Missing {
        /// The subscription.
        spec: &'s SubscriptionSpec,
        /// The scopes of which the token needs one.
        any_of: &'static [&'static str],
    },
    /// This crate does not know the type and version, so cannot tell.
    UnknownType {
        /// The subscription.
        spec: &'s SubscriptionSpec,
    },
}

impl<'s> ScopeProblem<'s> {
    /// The subscription concerned.
    pub fn spec(&self) -> &'s SubscriptionSpec {
        match self {
            Self::Missing { spec, .. } | Self::UnknownType { spec } => spec,
        }
    }

    /// For a missing scope, the scopes of which one would do.
    pub fn any_of(&self) -> Option<&'static [&'static str]> {
        match self {
            Self::Missing { any_of, .. } => Some(any_of),
            Self::UnknownType { .. } => None,
        }
    }
}

/// Which of `specs` would fail for a missing scope, given the scopes of the user access token (as
/// token validation lists them): one [`ScopeProblem::Missing`] per unsatisfied scope group, and a
/// [`ScopeProblem::UnknownType`] for a type this crate does not know. Empty when all is well.
///
/// Scopes are not everything: some types also require that the condition names the token's user
/// (or a channel where that user is a moderator); Twitch checks that when subscribing.
pub fn check_scopes<'s, S: AsRef<str>>(
    specs: impl IntoIterator<Item = &'s SubscriptionSpec>,
    token_scopes: impl IntoIterator<Item = S>,
) -> Vec<ScopeProblem<'s>> {
    let owned: Vec<S> = token_scopes.into_iter().collect();
    let scopes: Vec<&str> = owned.iter().map(AsRef::as_ref).collect();
    let mut problems = Vec::new();
    for spec in specs {
        match SubscriptionType::find(&spec.kind, &spec.version) {
            Some(entry) => problems.extend(
                entry
                    .missing_scopes(&scopes)
                    .map(|any_of| ScopeProblem::Missing { spec, any_of }),
            ),
            None => problems.push(ScopeProblem::UnknownType { spec }),
        }
    }
    problems
}

/// "scope `a`" or "one of the scopes `a`, `b`", for each group, joined by "and".
pub(crate) fn describe_scopes(missing: &[&'static [&'static str]]) -> String {
    let groups: Vec<String> = missing
        .iter()
        .map(|any_of| match any_of {
            [only] => format!("scope `{only}`"),
            many => format!(
                "one of the scopes {}",
                many.iter()
                    .map(|scope| format!("`{scope}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect();
    groups.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::BroadcasterId;

    #[test]
    fn any_one_scope_of_a_group_satisfies_it() {
        let poll = SubscriptionSpec::channel_poll_begin(BroadcasterId::new("1"));
        assert!(check_scopes([&poll], ["channel:manage:polls"]).is_empty());
        assert!(check_scopes([&poll], ["channel:read:polls"]).is_empty());
        let problems = check_scopes([&poll], ["bits:read"]);
        assert_eq!(
            problems,
            vec![ScopeProblem::Missing {
                spec: &poll,
                any_of: &["channel:read:polls", "channel:manage:polls"]
            }]
        );
    }

    #[test]
    fn missing_scopes_are_described_group_by_group() {
        assert_eq!(
            describe_scopes(&[
                &["bits:read"],
                &["channel:read:polls", "channel:manage:polls"]
            ]),
            "scope `bits:read` and one of the scopes `channel:read:polls`, `channel:manage:polls`"
        );
    }

    #[test]
    fn types_without_scopes_and_unknown_types() {
        let online = SubscriptionSpec::stream_online(BroadcasterId::new("1"));
        let future = SubscriptionSpec::new("channel.future", "9");
        let problems = check_scopes([&online, &future], Vec::<String>::new());
        assert_eq!(problems, vec![ScopeProblem::UnknownType { spec: &future }]);
    }
}
