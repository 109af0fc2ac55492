//! The conduit manager: one conduit of an app, found or created, resized, its shards assigned in
//! bulk, its subscriptions created and its shards listed.

use eventsub_proto::{ConduitId, SessionId, SubscriptionSpec};

use crate::HelixClient;
use crate::conduits::{
    Conduit, ConduitShard, MAX_CONDUITS_PER_CLIENT, MAX_SHARDS_PER_CONDUIT, ShardStatus,
};
use crate::error::HelixError;
use crate::shard_assignment::{AssignOptions, AssignmentReport, assign};
use crate::subscriptions::{CreatedSubscription, TransportRequest};

/// Which conduit a [`ConduitManager`] manages.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindConduit {
    /// This conduit, which must exist.
    Id(ConduitId),
    /// The client id's only conduit, created with this many shards when there is none. More
    /// than one is an error ([`ConduitError::Ambiguous`]): the manager will not guess.
    OnlyOne {
        /// The shard count of a conduit created because there was none.
        shards_if_created: u32,
    },
    /// A new conduit with this many shards.
    Create {
        /// Its shard count.
        shard_count: u32,
    },
}

/// Whether a resize may remove shards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resize {
    /// Grow to the count asked for; never shrink (a smaller count keeps the conduit as it is).
    GrowOnly,
    /// Set exactly the count asked for, removing the shards above it when smaller.
    Exact,
}

/// What a resize did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resized {
    /// The shard count before.
    pub before: u32,
    /// The shard count now.
    pub after: u32,
}

/// What creating a subscription on the conduit found.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Subscribed {
    /// Created now.
    Created(Box<CreatedSubscription>),
    /// It already existed (Twitch answered 409): nothing to do.
    AlreadyExisted,
}

/// What the conduit manager can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConduitError {
    /// The conduit asked for by id does not belong to this client id.
    #[error("conduit {id} not found for this client id")]
    NotFound {
        /// The id asked for.
        id: ConduitId,
    },
    /// The client id has several conduits, so "the only one" is ambiguous.
    #[error("the client id has {count} conduits; name the one to use")]
    Ambiguous {
        /// How many it has.
        count: usize,
    },
    /// A shard count outside Twitch's range of 1 to 20,000.
    #[error("shard count {requested} is outside 1..={max}")]
    ShardCountOutOfRange {
        /// The count asked for.
        requested: u32,
        /// The most a conduit may have.
        max: u32,
    },
    /// Twitch refused a new conduit: the client id has its 5 already.
    #[error("the client id already has the most conduits Twitch allows ({max}): {message}")]
    TooManyConduits {
        /// Twitch's explanation.
        message: String,
        /// The most conduits per client id.
        max: usize,
    },
    /// A shard id at or above the conduit's shard count was given.
    #[error("shard {shard_id} is outside the conduit's {shard_count} shards")]
    ShardOutOfRange {
        /// The shard id given.
        shard_id: u32,
        /// The conduit's shard count.
        shard_count: u32,
    },
    /// The same shard was given twice in one assignment.
    #[error("shard {shard_id} is assigned twice in one call")]
    DuplicateShard {
        /// The shard id given twice.
        shard_id: u32,
    },
    /// A Helix call failed.
    #[error(transparent)]
    Helix(#[from] HelixError),
}

fn check_shard_count(requested: u32) -> Result<u32, ConduitError> {
    if (1..=MAX_SHARDS_PER_CONDUIT).contains(&requested) {
        Ok(requested)
    } else {
        Err(ConduitError::ShardCountOutOfRange {
            requested,
            max: MAX_SHARDS_PER_CONDUIT,
        })
    }
}

/// Manages one conduit over a [`HelixClient`] holding an app access token.
///
/// ```no_run
/// use eventsub_helix::{AccessToken, ConduitManager, FindConduit, HelixClient, Resize};
/// use eventsub_proto::{SessionId, SubscriptionSpec};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = HelixClient::builder("my-client-id", AccessToken::new("app-access-token")).build()?;
/// let mut manager = ConduitManager::open(client, FindConduit::OnlyOne { shards_if_created: 4 }).await?;
/// manager.resize(8, Resize::GrowOnly).await?;
///
/// // Sessions from the welcomes of 8 websockets, one per shard.
/// let sessions: Vec<(u32, SessionId)> = (0..8).map(|shard| (shard, SessionId::new(format!("session-{shard}")))).collect();
/// let report = manager.assign(&sessions).await?;
/// for failure in &report.failed {
///     eprintln!("shard {} not assigned: {:?}", failure.shard_id, failure.reason);
/// }
///
/// let online = SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "1234");
/// manager.subscribe(&online).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ConduitManager {
    client: HelixClient,
    conduit: Conduit,
    options: AssignOptions,
}

impl ConduitManager {
    /// Finds or creates the conduit `find` names.
    pub async fn open(client: HelixClient, find: FindConduit) -> Result<Self, ConduitError> {
        let conduit = match find {
            FindConduit::Id(id) => client
                .conduits()
                .await?
                .into_iter()
                .find(|conduit| conduit.id == id)
                .ok_or(ConduitError::NotFound { id })?,
            FindConduit::OnlyOne { shards_if_created } => {
                let mut conduits = client.conduits().await?;
                match (conduits.len(), conduits.pop()) {
                    (0, _) => create(&client, shards_if_created).await?,
                    (1, Some(only)) => only,
                    (count, _) => return Err(ConduitError::Ambiguous { count }),
                }
            }
            FindConduit::Create { shard_count } => create(&client, shard_count).await?,
        };
        Ok(Self {
            client,
            conduit,
            options: AssignOptions::default(),
        })
    }

    /// Uses `options` for [`ConduitManager::assign`].
    #[must_use]
    pub fn with_assign_options(mut self, options: AssignOptions) -> Self {
        self.options = options;
        self
    }

    /// The conduit as last seen.
    pub fn conduit(&self) -> &Conduit {
        &self.conduit
    }

    /// The Helix client it calls.
    pub fn client(&self) -> &HelixClient {
        &self.client
    }

    /// Changes the shard count: with [`Resize::GrowOnly`] only upwards.
    pub async fn resize(
        &mut self,
        shard_count: u32,
        resize: Resize,
    ) -> Result<Resized, ConduitError> {
        check_shard_count(shard_count)?;
        let before = self.conduit.shard_count;
        let wanted = match resize {
            Resize::GrowOnly => shard_count.max(before),
            Resize::Exact => shard_count,
        };
        if wanted != before {
            self.conduit = self.client.update_conduit(&self.conduit.id, wanted).await?;
        }
        Ok(Resized {
            before,
            after: self.conduit.shard_count,
        })
    }

    /// Assigns websocket sessions to shards, as many per Update Conduit Shards call as the
    /// options say and paced by the rate-limit bucket. Each shard's outcome is in the report;
    /// the call itself fails only for shard ids out of range or given twice, before any request.
    pub async fn assign(
        &self,
        assignments: &[(u32, SessionId)],
    ) -> Result<AssignmentReport, ConduitError> {
        let shard_count = self.conduit.shard_count;
        let mut seen = std::collections::HashSet::new();
        for (shard_id, _) in assignments {
            if *shard_id >= shard_count {
                return Err(ConduitError::ShardOutOfRange {
                    shard_id: *shard_id,
                    shard_count,
                });
            }
            if !seen.insert(*shard_id) {
                return Err(ConduitError::DuplicateShard {
                    shard_id: *shard_id,
                });
            }
        }
        Ok(assign(&self.client, &self.conduit.id, assignments, &self.options).await)
    }

    /// Creates a subscription with the conduit transport: it belongs to the conduit, so no
    /// shard's reconnect ever needs to create it again.
    pub async fn subscribe(&self, spec: &SubscriptionSpec) -> Result<Subscribed, ConduitError> {
        let transport = TransportRequest::conduit(self.conduit.id.clone());
        match self.client.create_subscription(spec, &transport).await {
            Ok(created) => Ok(Subscribed::Created(Box::new(created))),
            Err(error) if error.is_already_exists() => Ok(Subscribed::AlreadyExisted),
            Err(error) => Err(error.into()),
        }
    }

    /// Subscribes the conduit to `conduit.shard.disabled` for its own shards.
    pub async fn subscribe_shard_disabled(&self) -> Result<Subscribed, ConduitError> {
        let spec = SubscriptionSpec::new("conduit.shard.disabled", "1")
            .with_condition("client_id", self.client.client_id())
            .with_condition("conduit_id", self.conduit.id.as_str());
        self.subscribe(&spec).await
    }

    /// Every shard (all pages), or those with `status`.
    pub async fn shards(
        &self,
        status: Option<ShardStatus>,
    ) -> Result<Vec<ConduitShard>, ConduitError> {
        Ok(self
            .client
            .conduit_shards(self.conduit.id.clone(), status)
            .collect_all()
            .await?)
    }

    /// Deletes the conduit, and with it its subscriptions.
    pub async fn delete(self) -> Result<(), ConduitError> {
        Ok(self.client.delete_conduit(&self.conduit.id).await?)
    }
}

async fn create(client: &HelixClient, shard_count: u32) -> Result<Conduit, ConduitError> {
    check_shard_count(shard_count)?;
    match client.create_conduit(shard_count).await {
        Ok(conduit) => Ok(conduit),
        Err(HelixError::LimitExceeded { message }) => Err(ConduitError::TooManyConduits {
            message,
            max: MAX_CONDUITS_PER_CLIENT,
        }),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_counts_outside_twitchs_range_are_refused() {
        assert!(check_shard_count(0).is_err());
        assert!(check_shard_count(MAX_SHARDS_PER_CONDUIT + 1).is_err());
        assert_eq!(check_shard_count(1).ok(), Some(1));
        assert_eq!(
            check_shard_count(MAX_SHARDS_PER_CONDUIT).ok(),
            Some(MAX_SHARDS_PER_CONDUIT)
        );
    }
}
