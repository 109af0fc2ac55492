//! EventSub subscriptions: create, list (with filters, page by page) and delete.

use eventsub_proto::{
    ConduitId, SessionId, Subscription, SubscriptionId, SubscriptionSpec, SubscriptionStatus,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Call, HelixClient, Service};
use crate::error::HelixError;
use crate::pagination::{Page, PageQuery, Pages, Pagination};
use crate::secret::WebhookSecret;

const PATH: &str = "/eventsub/subscriptions";

/// Where a new subscription (or a conduit shard) should deliver notifications: the request side
/// of [`eventsub_proto::Transport`].
///
/// ```
/// use eventsub_helix::TransportRequest;
/// let websocket = TransportRequest::websocket("AQoQexAWVYKSTIu4ec_2VAxyuhAB");
/// assert_eq!(
///     serde_json::to_value(&websocket)?,
///     serde_json::json!({"method": "websocket", "session_id": "AQoQexAWVYKSTIu4ec_2VAxyuhAB"})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransportRequest {
    /// A WebSocket session (user access token only).
    #[non_exhaustive]
    Websocket {
        /// The id from the session's welcome message.
        session_id: SessionId,
    },
    /// A conduit (app access token only; not valid for a conduit's own shards).
    #[non_exhaustive]
    Conduit {
        /// The conduit's id.
        conduit_id: ConduitId,
    },
    /// A webhook (app access token only).
    #[non_exhaustive]
    Webhook {
        /// The HTTPS callback URL.
        callback: String,
        /// The secret Twitch signs notifications with; never printed.
        secret: WebhookSecret,
    },
}

impl TransportRequest {
    /// The websocket transport for `session_id`.
    pub fn websocket(session_id: impl Into<SessionId>) -> Self {
        Self::Websocket {
            session_id: session_id.into(),
        }
    }

    /// The conduit transport for `conduit_id`.
    pub fn conduit(conduit_id: impl Into<ConduitId>) -> Self {
        Self::Conduit {
            conduit_id: conduit_id.into(),
        }
    }

    /// The webhook transport to `callback`, signed with `secret`.
    pub fn webhook(callback: impl Into<String>, secret: WebhookSecret) -> Self {
        Self::Webhook {
            callback: callback.into(),
            secret,
        }
    }
}

/// What Create EventSub Subscription returns: the new subscription and the token's totals.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CreatedSubscription {
    /// The subscription Twitch created.
    pub subscription: Subscription,
    /// How many subscriptions the token (user) or client (app) now has.
    pub total: u32,
    /// Their summed cost.
    pub total_cost: u32,
    /// The most `total_cost` may reach.
    pub max_total_cost: u32,
}

/// The body shared by the create and list answers.
#[derive(Deserialize)]
struct SubscriptionsBody {
    data: Vec<Subscription>,
    total: u32,
    total_cost: u32,
    max_total_cost: u32,
    #[serde(default)]
    pagination: Pagination,
}

/// Which subscriptions to list. Twitch takes at most one filter per request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionFilter {
    /// Every subscription of the token (user) or client (app).
    #[default]
    All,
    /// Those with this status, such as `enabled`.
    Status(SubscriptionStatus),
    /// Those of this type, such as `channel.follow`.
    Type(String),
    /// Those whose condition names this user id.
    UserId(String),
    /// The one with this id.
    SubscriptionId(SubscriptionId),
}

impl SubscriptionFilter {
    fn apply(&self, call: Call) -> Call {
        match self {
            Self::All => call,
            Self::Status(status) => call.query("status", status.as_str()),
            Self::Type(kind) => call.query("type", kind.as_str()),
            Self::UserId(user_id) => call.query("user_id", user_id.as_str()),
            Self::SubscriptionId(id) => call.query("subscription_id", id.as_str()),
        }
    }
}

/// One page of Get EventSub Subscriptions.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SubscriptionPage {
    /// The subscriptions on this page.
    pub subscriptions: Vec<Subscription>,
    /// How many subscriptions the token (user) or client (app) has in all.
    pub total: u32,
    /// The summed cost of all the token's subscriptions.
    pub total_cost: u32,
    /// The most `total_cost` may reach.
    pub max_total_cost: u32,
    /// The cursor of the next page, if any.
    pub cursor: Option<String>,
}

impl Page for SubscriptionPage {
    type Item = Subscription;

    fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    fn into_items(self) -> Vec<Subscription> {
        self.subscriptions
    }
}

/// The query behind [`HelixClient::subscriptions`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionQuery {
    filter: SubscriptionFilter,
}

impl PageQuery for SubscriptionQuery {
    type Page = SubscriptionPage;

    fn fetch_page<'a>(
        &'a self,
        client: &'a HelixClient,
        after: Option<&'a str>,
    ) -> impl Future<Output = Result<SubscriptionPage, HelixError>> + Send + 'a {
        client.subscriptions_page(&self.filter, after)
    }
}

impl HelixClient {
    /// Creates a subscription (`POST /eventsub/subscriptions`).
    ///
    /// A websocket transport needs a user token; conduit and webhook transports need an app
    /// token. [`HelixError::AlreadyExists`] means the same subscription is already there.
    ///
    /// ```no_run
    /// # async fn demo(client: eventsub_helix::HelixClient) -> Result<(), eventsub_helix::HelixError> {
    /// use eventsub_helix::TransportRequest;
    /// use eventsub_proto::SubscriptionSpec;
    /// let spec = SubscriptionSpec::new("stream.online", "1").with_condition("broadcaster_user_id", "1234");
    /// let created = client
    ///     .create_subscription(&spec, &TransportRequest::websocket("AQoQexAWVYKSTIu4ec_2VAxyuhAB"))
    ///     .await?;
    /// println!("cost {} of {}", created.total_cost, created.max_total_cost);
    /// # Ok(()) }
    /// ```
    pub async fn create_subscription(
        &self,
        spec: &SubscriptionSpec,
        transport: &TransportRequest,
    ) -> Result<CreatedSubscription, HelixError> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(flatten)]
            spec: &'a SubscriptionSpec,
            transport: &'a TransportRequest,
        }
        let call = Call::new(Method::POST, Service::Helix, PATH).json(&Body { spec, transport })?;
        let body: SubscriptionsBody = self.send_json(&call).await?;
        let subscription = body.data.into_iter().next().ok_or_else(|| {
            HelixError::MalformedBody(serde::de::Error::custom(
                "the created subscription is missing from data",
            ))
        })?;
        Ok(CreatedSubscription {
            subscription,
            total: body.total,
            total_cost: body.total_cost,
            max_total_cost: body.max_total_cost,
        })
    }

    /// One page of Get EventSub Subscriptions: the first when `after` is `None`.
    pub async fn subscriptions_page(
        &self,
        filter: &SubscriptionFilter,
        after: Option<&str>,
    ) -> Result<SubscriptionPage, HelixError> {
        let call = filter
            .apply(Call::new(Method::GET, Service::Helix, PATH))
            .query_opt("after", after);
        let body: SubscriptionsBody = self.send_json(&call).await?;
        Ok(SubscriptionPage {
            subscriptions: body.data,
            total: body.total,
            total_cost: body.total_cost,
            max_total_cost: body.max_total_cost,
            cursor: body.pagination.cursor,
        })
    }

    /// All pages of Get EventSub Subscriptions matching `filter`, walked with
    /// [`Pages::next_page`] or gathered with [`Pages::collect_all`].
    pub fn subscriptions(&self, filter: SubscriptionFilter) -> Pages<'_, SubscriptionQuery> {
        Pages::new(self, SubscriptionQuery { filter })
    }

    /// Deletes a subscription (`DELETE /eventsub/subscriptions?id=`); [`HelixError::NotFound`]
    /// when there is none with that id.
    pub async fn delete_subscription(&self, id: &SubscriptionId) -> Result<(), HelixError> {
        let call = Call::new(Method::DELETE, Service::Helix, PATH).query("id", id.as_str());
        self.send(&call).await.map(drop)
    }
}
