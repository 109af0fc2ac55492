//! A raw Helix GET: for a caller that decodes the answer itself (the core's catch-up reads, whose
//! paths and queries the core chooses), through the same request loop as every typed call.

use reqwest::Method;

use crate::client::{Call, HelixClient, Service};
use crate::error::HelixError;

impl HelixClient {
    /// `GET {api_base}{path}` with `query` (in this order; a name may repeat), returning the body
    /// of the 200 answer undecoded. Retries, the rate limit, the body cap
    /// ([`HelixClientBuilder::max_body_bytes`](crate::HelixClientBuilder::max_body_bytes)) and
    /// the error mapping are those of every other call; only decoding is left to the caller.
    ///
    /// ```no_run
    /// use eventsub_helix::{HelixClient, HelixError};
    /// # async fn run(client: HelixClient) -> Result<(), HelixError> {
    /// let query = [("user_id", "1234".to_owned()), ("user_id", "5678".to_owned())];
    /// let body = client.get_raw("/streams", &query).await?;
    /// println!("{}", String::from_utf8_lossy(&body));
    /// # Ok(()) }
    /// ```
    pub async fn get_raw(
        &self,
        path: &'static str,
        query: &[(&'static str, String)],
    ) -> Result<Vec<u8>, HelixError> {
        let call = query.iter().fold(
            Call::new(Method::GET, Service::Helix, path),
            |call, (name, value)| call.query(name, value.clone()),
        );
        self.send(&call).await
    }
}
