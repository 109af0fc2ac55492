//! Conduits and their shards (app access token only).

use eventsub_proto::{ConduitId, SubscriptionStatus, Transport};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Call, HelixClient, Service};
use crate::error::HelixError;
use crate::pagination::{Page, PageQuery, Pages, Pagination};
use crate::subscriptions::TransportRequest;

const CONDUITS: &str = "/eventsub/conduits";
const SHARDS: &str = "/eventsub/conduits/shards";

/// The most conduits one client id may have.
pub const MAX_CONDUITS_PER_CLIENT: usize = 5;
/// The most shards one conduit may have.
pub const MAX_SHARDS_PER_CONDUIT: u32 = 20_000;

/// The status of a conduit shard. Shards share the subscription statuses (`enabled`,
/// `websocket_disconnected`, `webhook_callback_verification_pending`, …).
pub type ShardStatus = SubscriptionStatus;

/// A conduit: an id and how many shards it spreads notifications over.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Conduit {
    /// The conduit's id.
    pub id: ConduitId,
    /// How many shards it has; their ids are `0` to `shard_count - 1`.
    pub shard_count: u32,
}

#[derive(Deserialize)]
struct DataBody<T> {
    data: Vec<T>,
}

/// One shard of a conduit.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ConduitShard {
    /// The shard id, a number as text (`"0"`).
    pub id: String,
    /// Whether the shard delivers notifications.
    pub status: ShardStatus,
    /// Where it delivers them; `None` for a shard nothing was assigned to yet.
    #[serde(default)]
    pub transport: Option<Transport>,
}

/// One page of Get Conduit Shards.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardPage {
    /// The shards on this page.
    pub shards: Vec<ConduitShard>,
    /// The cursor of the next page, if any.
    pub cursor: Option<String>,
}

impl Page for ShardPage {
    type Item = ConduitShard;

    fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    fn into_items(self) -> Vec<ConduitShard> {
        self.shards
    }
}

/// The query behind [`HelixClient::conduit_shards`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardQuery {
    conduit_id: ConduitId,
    status: Option<ShardStatus>,
}

impl PageQuery for ShardQuery {
    type Page = ShardPage;

    fn fetch_page<'a>(
        &'a self,
        client: &'a HelixClient,
        after: Option<&'a str>,
    ) -> impl Future<Output = Result<ShardPage, HelixError>> + Send + 'a {
        client.conduit_shards_page(&self.conduit_id, self.status.as_ref(), after)
    }
}

/// Assigns a transport to one shard, in [`HelixClient::update_conduit_shards`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ShardUpdate {
    /// The shard id, a number as text.
    pub id: String,
    /// A websocket session or a webhook (a conduit transport is refused by Twitch).
    pub transport: TransportRequest,
}

impl ShardUpdate {
    /// Assigns `transport` to shard `id`.
    pub fn new(id: u32, transport: TransportRequest) -> Self {
        Self {
            id: id.to_string(),
            transport,
        }
    }
}

/// Why one shard of an update was not changed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ShardUpdateError {
    /// The shard id.
    pub id: String,
    /// Twitch's explanation.
    #[serde(default)]
    pub message: String,
    /// Twitch's error code.
    #[serde(default)]
    pub code: String,
}

/// What Update Conduit Shards did: partial success is normal, so failed shards are listed here
/// rather than failing the call.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ShardUpdateResult {
    /// The shards that were updated, as they are now.
    #[serde(rename = "data", default)]
    pub updated: Vec<ConduitShard>,
    /// The shards that were not, and why.
    #[serde(default)]
    pub errors: Vec<ShardUpdateError>,
}

impl ShardUpdateResult {
    /// Whether every shard was updated.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }
}

impl HelixClient {
    /// The client's conduits (`GET /eventsub/conduits`).
    pub async fn conduits(&self) -> Result<Vec<Conduit>, HelixError> {
        let body: DataBody<Conduit> = self
            .send_json(&Call::new(Method::GET, Service::Helix, CONDUITS))
            .await?;
        Ok(body.data)
    }

    /// Creates a conduit with `shard_count` shards (`POST /eventsub/conduits`).
    ///
    /// ```no_run
    /// # async fn demo(client: eventsub_helix::HelixClient) -> Result<(), eventsub_helix::HelixError> {
    /// use eventsub_helix::{ShardUpdate, TransportRequest};
    /// let conduit = client.create_conduit(2).await?;
    /// let result = client
    ///     .update_conduit_shards(&conduit.id, &[ShardUpdate::new(0, TransportRequest::websocket("session"))])
    ///     .await?;
    /// for failed in &result.errors {
    ///     eprintln!("shard {}: {}", failed.id, failed.message);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create_conduit(&self, shard_count: u32) -> Result<Conduit, HelixError> {
        #[derive(Serialize)]
        struct Body {
            shard_count: u32,
        }
        let call = Call::new(Method::POST, Service::Helix, CONDUITS).json(&Body { shard_count })?;
        self.single_conduit(&call).await
    }

    /// Changes a conduit's shard count (`PATCH /eventsub/conduits`); shards above the new count
    /// are removed.
    pub async fn update_conduit(
        &self,
        id: &ConduitId,
        shard_count: u32,
    ) -> Result<Conduit, HelixError> {
        #[derive(Serialize)]
        struct Body<'a> {
            id: &'a ConduitId,
            shard_count: u32,
        }
        let call =
            Call::new(Method::PATCH, Service::Helix, CONDUITS).json(&Body { id, shard_count })?;
        self.single_conduit(&call).await
    }

    async fn single_conduit(&self, call: &Call) -> Result<Conduit, HelixError> {
        let body: DataBody<Conduit> = self.send_json(call).await?;
        body.data.into_iter().next().ok_or_else(|| {
            HelixError::MalformedBody(serde::de::Error::custom("the conduit is missing from data"))
        })
    }

    /// Deletes a conduit (`DELETE /eventsub/conduits?id=`) and with it its subscriptions.
    pub async fn delete_conduit(&self, id: &ConduitId) -> Result<(), HelixError> {
        let call = Call::new(Method::DELETE, Service::Helix, CONDUITS).query("id", id.as_str());
        self.send(&call).await.map(drop)
    }

    /// One page of Get Conduit Shards, optionally only shards with `status`.
    pub async fn conduit_shards_page(
        &self,
        conduit_id: &ConduitId,
        status: Option<&ShardStatus>,
        after: Option<&str>,
    ) -> Result<ShardPage, HelixError> {
        #[derive(Deserialize)]
        struct Body {
            data: Vec<ConduitShard>,
            #[serde(default)]
            pagination: Pagination,
        }
        let call = Call::new(Method::GET, Service::Helix, SHARDS)
            .query("conduit_id", conduit_id.as_str())
            .query_opt("status", status.map(ShardStatus::as_str))
            .query_opt("after", after);
        let body: Body = self.send_json(&call).await?;
        Ok(ShardPage {
            shards: body.data,
            cursor: body.pagination.cursor,
        })
    }

    /// One page of Get Conduit Shards of every status, its body undecoded: for a caller that
    /// decodes the page itself (a client claiming shards, whose core reads the statuses and the
    /// sessions). `after` is the cursor of the page before; the body cap and retries are those of
    /// every call.
    pub async fn conduit_shards_page_body(
        &self,
        conduit_id: &ConduitId,
        after: Option<&str>,
    ) -> Result<Vec<u8>, HelixError> {
        let call = Call::new(Method::GET, Service::Helix, SHARDS)
            .query("conduit_id", conduit_id.as_str())
            .query_opt("after", after);
        self.send(&call).await
    }

    /// All pages of Get Conduit Shards, optionally only shards with `status`.
    pub fn conduit_shards(
        &self,
        conduit_id: ConduitId,
        status: Option<ShardStatus>,
    ) -> Pages<'_, ShardQuery> {
        Pages::new(self, ShardQuery { conduit_id, status })
    }

    /// Assigns transports to shards (`PATCH /eventsub/conduits/shards`). Shards Twitch refused are
    /// in [`ShardUpdateResult::errors`]; the call fails only when the request as a whole does.
    pub async fn update_conduit_shards(
        &self,
        conduit_id: &ConduitId,
        shards: &[ShardUpdate],
    ) -> Result<ShardUpdateResult, HelixError> {
        #[derive(Serialize)]
        struct Body<'a> {
            conduit_id: &'a ConduitId,
            shards: &'a [ShardUpdate],
        }
        let call =
            Call::new(Method::PATCH, Service::Helix, SHARDS).json(&Body { conduit_id, shards })?;
        self.send_json(&call).await
    }
}
