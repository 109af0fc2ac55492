//! Get Streams (`GET /streams`) by user id and Get Channel Information (`GET /channels`): state
//! reads, to compare a channel before and after a gap.

use eventsub_proto::catchup::{ChannelInformation, Stream};

use super::list::{ReadQuery, page_size};
use crate::client::HelixClient;
use crate::error::HelixError;
use crate::pagination::Pages;

/// The most user ids (and streams per page) Get Streams takes, and broadcaster ids Get Channel
/// Information takes.
pub const MAX_IDS_PER_STATE_READ: usize = 100;

/// A list of ids longer than an endpoint takes.
fn too_many_ids(count: usize) -> HelixError {
    HelixError::TooManyIds {
        count,
        max: MAX_IDS_PER_STATE_READ,
    }
}

impl HelixClient {
    /// The live streams of these users (Get Streams by `user_id`; at most
    /// [`MAX_IDS_PER_STATE_READ`]), page by page. No scope: any token. A user that is offline is
    /// absent.
    pub fn streams_of(
        &self,
        user_ids: &[&str],
    ) -> Result<Pages<'_, ReadQuery<Stream>>, HelixError> {
        if user_ids.len() > MAX_IDS_PER_STATE_READ {
            return Err(too_many_ids(user_ids.len()));
        }
        let query = user_ids
            .iter()
            .fold(ReadQuery::new("/streams"), |query, id| {
                query.param("user_id", *id)
            });
        let first = u32::try_from(MAX_IDS_PER_STATE_READ).unwrap_or(u32::MAX);
        Ok(Pages::new(
            self,
            query.param("first", page_size(first, first)),
        ))
    }

    /// The information of these channels (Get Channel Information; at most
    /// [`MAX_IDS_PER_STATE_READ`]). No scope: any token. An unknown id is absent.
    pub async fn channel_information(
        &self,
        broadcaster_ids: &[&str],
    ) -> Result<Vec<ChannelInformation>, HelixError> {
        if broadcaster_ids.len() > MAX_IDS_PER_STATE_READ {
            return Err(too_many_ids(broadcaster_ids.len()));
        }
        let query = broadcaster_ids
            .iter()
            .fold(ReadQuery::new("/channels"), |query, id| {
                query.param("broadcaster_id", *id)
            });
        self.read_unpaged(&query).await
    }
}
