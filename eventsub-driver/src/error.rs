//! Typed errors of the adapter.

use std::fmt;

use eventsub_proto::{
    ConfigError, StopReason, SubscribeError, SubscriptionFailure, SubscriptionSpec,
};

/// Why [`EventSubBuilder::connect`](crate::EventSubBuilder::connect) or
/// [`EventSubBuilder::connect_validated`](crate::EventSubBuilder::connect_validated) failed. The
/// first four are about the configuration (both methods); the others say why the token cannot
/// work, as the first validation found (`connect_validated` only: `connect` reports the same as
/// events).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The EventSub URL does not parse.
    #[error("invalid EventSub URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The core refused the configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Helix client could not be built (an invalid Helix URL).
    #[error(transparent)]
    Helix(#[from] eventsub_helix::HelixError),
    /// [`EventSubBuilder::claim_conduit_shards`](crate::EventSubBuilder::claim_conduit_shards)
    /// was combined with `option`, which cannot go with it: a claiming client holds the shards it
    /// claims (not shards it is given), one session each, and creates no subscriptions (they
    /// belong to the conduit).
    #[error(
        "claim_conduit_shards cannot be combined with {option}: a claiming client holds the \
         shards it claims, one session each, and no subscriptions of its own"
    )]
    ClaimCombined {
        /// The other option: `conduit_shard`, `conduit_shards`, `subscriptions` or
        /// `max_sessions` (above 1).
        option: &'static str,
    },
    /// The recording asked for cannot start (its file cannot be created, say).
    #[error("cannot start recording: {0}")]
    Recording(#[source] std::io::Error),
    /// The token is an app access token (`/oauth2/validate` names no user): the WebSocket
    /// transport needs a user access token. Nothing was subscribed and no socket opened.
    #[error(
        "the token given for client id {client_id:?} is an app access token; the WebSocket \
         transport needs a user access token (one a user authorized for this client)"
    )]
    AppToken {
        /// The client id the builder was given.
        client_id: String,
    },
    /// Twitch answered 401 to the token's validation: it is invalid, expired or revoked (and the
    /// [`TokenProvider`](crate::TokenProvider) had no other). Nothing was subscribed and no socket
    /// opened.
    #[error("Twitch refused the token (401 to /oauth2/validate): {message}")]
    Unauthorized {
        /// Twitch's message.
        message: String,
    },
    /// A wanted subscription's type needs a scope the token lacks. The client was shut down
    /// before any subscription was asked of Helix.
    #[error(
        "the token cannot serve {spec}: it lacks {}{}",
        describe_missing(missing),
        AlsoRefused(also_refused)
    )]
    MissingScope {
        /// The first subscription refused (in the order they were added).
        spec: Box<SubscriptionSpec>,
        /// The scope groups the token does not satisfy: any one scope of each group would do.
        missing: Vec<&'static [&'static str]>,
        /// Every other subscription the token cannot serve, and why.
        also_refused: Vec<Refusal>,
    },
    /// A wanted subscription's condition names another user where its type needs the token's
    /// own (the moderator, or the user reading chat). The client was shut down before any
    /// subscription was asked of Helix.
    #[error(
        "the token cannot serve {spec}: its `{field}` is {named}, but it must be the token's \
         user {token_user}{}",
        AlsoRefused(also_refused)
    )]
    NotTokenUser {
        /// The first subscription refused (in the order they were added).
        spec: Box<SubscriptionSpec>,
        /// The condition field.
        field: String,
        /// The user it names.
        named: String,
        /// The token's user.
        token_user: String,
        /// Every other subscription the token cannot serve, and why.
        also_refused: Vec<Refusal>,
    },
    /// The client stopped, for another reason, before the token was validated.
    #[error("the client stopped before the token was validated: {reason}")]
    Stopped {
        /// Why it stopped.
        reason: StopReason,
    },
    /// The client task ended without a word before the token was validated (it can only have
    /// panicked).
    #[error("the client task ended before the token was validated")]
    TaskEnded,
    /// [`Config::validate_token`](eventsub_proto::Config::validate_token) is off, so there is no
    /// validation to wait for: use [`EventSubBuilder::connect`](crate::EventSubBuilder::connect).
    #[error(
        "connect_validated waits for the token's validation, which Config::validate_token turns off"
    )]
    ValidationOff,
}

/// A wanted subscription the validated token cannot serve, and why (a missing scope, or a
/// condition naming another user than the token's).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// The subscription.
    pub spec: SubscriptionSpec,
    /// Why the token cannot serve it.
    pub reason: SubscriptionFailure,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.spec, self.reason)
    }
}

/// "scope `a`" or "one of the scopes `a`, `b`" for each group, joined by "and".
fn describe_missing(missing: &[&'static [&'static str]]) -> String {
    let groups: Vec<String> = missing
        .iter()
        .map(|any_of| {
            let scopes: Vec<String> = any_of.iter().map(|scope| format!("`{scope}`")).collect();
            match scopes.as_slice() {
                [only] => format!("scope {only}"),
                many => format!("one of the scopes {}", many.join(", ")),
            }
        })
        .collect();
    groups.join(" and ")
}

/// The other refusals, after the first one's text: "; also refused: ...".
struct AlsoRefused<'a>(&'a [Refusal]);

impl fmt::Display for AlsoRefused<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, refusal) in self.0.iter().enumerate() {
            let separator = if index == 0 { "; also refused: " } else { "; " };
            write!(f, "{separator}{refusal}")?;
        }
        Ok(())
    }
}

/// Why a command on an [`EventSubHandle`](crate::EventSubHandle) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandleError {
    /// The core refused the subscription (already wanted, over a limit, stopped).
    #[error(transparent)]
    Subscribe(#[from] SubscribeError),
    /// The client has stopped; no command reaches it any more.
    #[error("the EventSub client has stopped")]
    Stopped,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follows() -> SubscriptionSpec {
        SubscriptionSpec::new("channel.follow", "2")
            .with_condition("broadcaster_user_id", "1")
            .with_condition("moderator_user_id", "2")
    }

    fn polls() -> SubscriptionSpec {
        SubscriptionSpec::new("channel.poll.begin", "1").with_condition("broadcaster_user_id", "1")
    }

    const POLL_SCOPES: &[&str] = &["channel:read:polls", "channel:manage:polls"];

    #[test]
    fn a_missing_scope_names_the_subscription_the_scopes_and_the_other_refusals() {
        let error = ConnectError::MissingScope {
            spec: Box::new(polls()),
            missing: vec![POLL_SCOPES, &["bits:read"]],
            also_refused: vec![Refusal {
                spec: follows(),
                reason: SubscriptionFailure::MissingScope {
                    subscription_type: "channel.follow".to_owned(),
                    version: "2".to_owned(),
                    missing: vec![&["moderator:read:followers"]],
                },
            }],
        };
        assert_eq!(
            error.to_string(),
            format!(
                "the token cannot serve {}: it lacks one of the scopes `channel:read:polls`, \
                 `channel:manage:polls` and scope `bits:read`; also refused: {}: channel.follow \
                 v2 needs scope `moderator:read:followers`",
                polls(),
                follows()
            )
        );
    }

    #[test]
    fn a_condition_naming_another_user_says_which_field_and_whose_token_it_is() {
        let error = ConnectError::NotTokenUser {
            spec: Box::new(follows()),
            field: "moderator_user_id".to_owned(),
            named: "2".to_owned(),
            token_user: "1".to_owned(),
            also_refused: Vec::new(),
        };
        assert_eq!(
            error.to_string(),
            format!(
                "the token cannot serve {}: its `moderator_user_id` is 2, but it must be the \
                 token's user 1",
                follows()
            )
        );
    }

    #[test]
    fn an_app_token_is_named_with_its_client_id_and_what_is_needed_instead() {
        let error = ConnectError::AppToken {
            client_id: "my-client".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "the token given for client id \"my-client\" is an app access token; the WebSocket \
             transport needs a user access token (one a user authorized for this client)"
        );
    }
}
