//! Cursor pagination: a [`Pages`] walker that follows `pagination.cursor` until Twitch stops
//! sending one.

use std::future::Future;

use serde::Deserialize;

use crate::client::HelixClient;
use crate::error::HelixError;

/// The `pagination` object of a list response: `{}` or `{"cursor": "…"}` on the last page.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct Pagination {
    #[serde(default)]
    pub(crate) cursor: Option<String>,
}

/// One page of a paginated list.
pub trait Page {
    /// What the page lists.
    type Item;
    /// The cursor of the next page, if there is one.
    fn cursor(&self) -> Option<&str>;
    /// The listed items.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A paginated list request, fetched one page at a time by [`Pages`]. Implemented by the query
/// types of this crate ([`SubscriptionQuery`](crate::SubscriptionQuery),
/// [`ShardQuery`](crate::ShardQuery)).
pub trait PageQuery {
    /// The page this query returns.
    type Page: Page;
    /// Fetches the page after `after` (the first page when `None`).
    fn fetch_page<'a>(
        &'a self,
        client: &'a HelixClient,
        after: Option<&'a str>,
    ) -> impl Future<Output = Result<Self::Page, HelixError>> + Send + 'a;
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Next {
    First,
    After(String),
    Done,
}

/// Walks all pages of a list, following each page's cursor.
///
/// After an error the walker stays where it was, so calling [`next_page`](Self::next_page)
/// again retries the same page. A cursor that repeats the one just used ends the walk, so a
/// misbehaving server cannot make it loop forever.
///
/// ```no_run
/// # async fn demo(client: eventsub_helix::HelixClient) -> Result<(), eventsub_helix::HelixError> {
/// use eventsub_helix::SubscriptionFilter;
/// let mut pages = client.subscriptions(SubscriptionFilter::All);
/// while let Some(page) = pages.next_page().await? {
///     println!("{} of {} subscriptions", page.subscriptions.len(), page.total);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a Pages does nothing until next_page is called"]
pub struct Pages<'c, Q> {
    client: &'c HelixClient,
    query: Q,
    next: Next,
}

impl<'c, Q: PageQuery> Pages<'c, Q> {
    pub(crate) fn new(client: &'c HelixClient, query: Q) -> Self {
        Self {
            client,
            query,
            next: Next::First,
        }
    }

    /// The next page, or `None` once the last page has been returned.
    pub async fn next_page(&mut self) -> Result<Option<Q::Page>, HelixError> {
        let after = match &self.next {
            Next::Done => return Ok(None),
            Next::First => None,
            Next::After(cursor) => Some(cursor.clone()),
        };
        let page = self.query.fetch_page(self.client, after.as_deref()).await?;
        self.next = match page.cursor() {
            Some(cursor) if !cursor.is_empty() && Some(cursor) != after.as_deref() => {
                Next::After(cursor.to_owned())
            }
            _ => Next::Done,
        };
        Ok(Some(page))
    }

    /// Walks the remaining pages and returns all their items.
    pub async fn collect_all(mut self) -> Result<Vec<<Q::Page as Page>::Item>, HelixError> {
        let mut items = Vec::new();
        while let Some(page) = self.next_page().await? {
            items.extend(page.into_items());
        }
        Ok(items)
    }

    /// Walks at most `max_pages` more pages and returns their items, and whether the list ended
    /// within the bound. A catch-up read uses this so that a long list (or a server that never
    /// stops sending cursors) costs a known number of requests.
    ///
    /// ```no_run
    /// # async fn demo(client: eventsub_helix::HelixClient) -> Result<(), eventsub_helix::HelixError> {
    /// use eventsub_helix::FollowersRequest;
    /// let walked = client.channel_followers(&FollowersRequest::new("1234")).collect_pages(3).await?;
    /// if !walked.complete {
    ///     println!("more than 3 pages of followers; stopped after {}", walked.items.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn collect_pages(
        mut self,
        max_pages: usize,
    ) -> Result<Collected<<Q::Page as Page>::Item>, HelixError> {
        let mut items = Vec::new();
        let mut pages = 0;
        while pages < max_pages {
            match self.next_page().await? {
                Some(page) => {
                    pages += 1;
                    items.extend(page.into_items());
                }
                None => break,
            }
        }
        Ok(Collected {
            items,
            pages,
            complete: self.next == Next::Done,
        })
    }
}

/// What [`Pages::collect_pages`] walked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Collected<T> {
    /// The items of the pages walked, in order.
    pub items: Vec<T>,
    /// How many pages were fetched.
    pub pages: usize,
    /// Whether the list ended within the bound (`false`: there are more pages).
    pub complete: bool,
}
