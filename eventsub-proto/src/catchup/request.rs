//! One Helix GET the core asks the adapter to run.

use crate::catchup::HelixRead;

/// A Helix GET for a catch-up: the read (its path is [`HelixRead::path`]) and its query
/// parameters, the page cursor (`after`) included. Carried by
/// [`Output::CatchUpRead`](crate::Output::CatchUpRead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadRequest {
    read: HelixRead,
    query: Vec<(&'static str, String)>,
}

impl ReadRequest {
    /// A GET of `read` with these query parameters, in this order (a name may repeat).
    ///
    /// ```
    /// use eventsub_proto::catchup::{HelixRead, ReadRequest};
    /// let request = ReadRequest::new(HelixRead::Streams, vec![("user_id", "1".into())]);
    /// assert_eq!(request.path(), "/streams");
    /// assert_eq!(request.query(), &[("user_id", "1".to_owned())]);
    /// ```
    pub fn new(read: HelixRead, query: Vec<(&'static str, String)>) -> Self {
        Self { read, query }
    }

    /// The read.
    pub fn read(&self) -> HelixRead {
        self.read
    }

    /// The Helix path, under the API base URL.
    pub fn path(&self) -> &'static str {
        self.read.path()
    }

    /// The query parameters.
    pub fn query(&self) -> &[(&'static str, String)] {
        &self.query
    }
}
