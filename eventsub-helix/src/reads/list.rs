//! The one GET-with-cursor request every paginated read goes through, and the page it returns.

use std::marker::PhantomData;

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::client::{Call, HelixClient, Service};
use crate::error::HelixError;
use crate::pagination::{Page, PageQuery, Pagination};

/// One page of a catch-up read: its items, the cursor of the next page, and `total` when the
/// endpoint reports one (Get Channel Followers does).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadPage<T> {
    /// The items on this page, in the order Twitch sent them.
    pub items: Vec<T>,
    /// The cursor of the next page, if any.
    pub cursor: Option<String>,
    /// The endpoint's `total`, if it sends one.
    pub total: Option<u64>,
}

impl<T> Page for ReadPage<T> {
    type Item = T;

    fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    fn into_items(self) -> Vec<T> {
        self.items
    }
}

/// A paginated catch-up read: a Helix path and its query parameters, fetched one page at a time
/// by [`Pages`](crate::Pages). Made by the read methods of [`HelixClient`] (such as
/// [`HelixClient::channel_followers`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadQuery<T> {
    path: &'static str,
    params: Vec<(&'static str, String)>,
    item: PhantomData<fn() -> T>,
}

impl<T> ReadQuery<T> {
    pub(crate) fn new(path: &'static str) -> Self {
        Self {
            path,
            params: Vec::new(),
            item: PhantomData,
        }
    }

    /// Adds a query parameter.
    pub(crate) fn param(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    /// Adds a query parameter when there is a value.
    pub(crate) fn param_opt(self, name: &'static str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.param(name, value),
            None => self,
        }
    }

    /// The Helix path, such as `/channels/followers`.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The query parameters sent with every page (the cursor aside).
    pub fn params(&self) -> &[(&'static str, String)] {
        &self.params
    }
}

#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct ListBody<T> {
    // `null` is taken as an empty list: Twitch sends it for "nothing" on some reads.
    #[serde(default = "Vec::new", deserialize_with = "null_as_empty")]
    data: Vec<T>,
    #[serde(default)]
    pagination: Option<Pagination>,
    #[serde(default)]
    total: Option<u64>,
}

fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// Decodes one page of a list read.
pub(crate) fn decode_page<T: DeserializeOwned>(body: &[u8]) -> Result<ReadPage<T>, HelixError> {
    let body: ListBody<T> = serde_json::from_slice(body).map_err(HelixError::MalformedBody)?;
    Ok(ReadPage {
        items: body.data,
        cursor: body.pagination.and_then(|pagination| pagination.cursor),
        total: body.total,
    })
}

impl<T: DeserializeOwned + Send> ReadQuery<T> {
    async fn fetch(
        &self,
        client: &HelixClient,
        after: Option<&str>,
    ) -> Result<ReadPage<T>, HelixError> {
        let call = self
            .params
            .iter()
            .fold(
                Call::new(Method::GET, Service::Helix, self.path),
                |call, (name, value)| call.query(name, value.clone()),
            )
            .query_opt("after", after);
        decode_page(&client.send(&call).await?)
    }
}

impl<T: DeserializeOwned + Send + Sync> PageQuery for ReadQuery<T> {
    type Page = ReadPage<T>;

    fn fetch_page<'a>(
        &'a self,
        client: &'a HelixClient,
        after: Option<&'a str>,
    ) -> impl Future<Output = Result<ReadPage<T>, HelixError>> + Send + 'a {
        self.fetch(client, after)
    }
}

impl HelixClient {
    /// Fetches the single page of a read that Twitch does not paginate (Get Creator Goals, Get
    /// Charity Campaign).
    pub(crate) async fn read_unpaged<T: DeserializeOwned + Send>(
        &self,
        query: &ReadQuery<T>,
    ) -> Result<Vec<T>, HelixError> {
        Ok(query.fetch(self, None).await?.items)
    }
}

/// `first` clamped to what an endpoint allows (1 to `max`).
pub(crate) fn page_size(first: u32, max: u32) -> String {
    first.clamp(1, max).to_string()
}
