//! Get Creator Goals (`GET /goals`) and Get Charity Campaign (`GET /charity/campaigns`): a
//! channel's active goals and its running charity campaign. Twitch does not paginate them.

use eventsub_proto::catchup::{CharityCampaign, CreatorGoal};

use super::list::ReadQuery;
use crate::client::HelixClient;
use crate::error::HelixError;

impl HelixClient {
    /// The goals in progress of a channel (Get Creator Goals). Scope: `channel:read:goals`; the
    /// token's user must be the broadcaster. A goal that ended is no longer listed.
    pub async fn creator_goals(
        &self,
        broadcaster_id: &str,
    ) -> Result<Vec<CreatorGoal>, HelixError> {
        let query = ReadQuery::new("/goals").param("broadcaster_id", broadcaster_id);
        self.read_unpaged(&query).await
    }

    /// The running charity campaign of a channel, if any (Get Charity Campaign). Scope:
    /// `channel:read:charity`; the token's user must be the broadcaster. Donations are not
    /// listed here: `current_amount` is their sum.
    pub async fn charity_campaign(
        &self,
        broadcaster_id: &str,
    ) -> Result<Option<CharityCampaign>, HelixError> {
        let query = ReadQuery::new("/charity/campaigns").param("broadcaster_id", broadcaster_id);
        Ok(self.read_unpaged(&query).await?.into_iter().next())
    }
}
