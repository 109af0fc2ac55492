//! A page of a Helix read as Twitch sends it: `data` (a list, `null` for none) and
//! `pagination.cursor`.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::report::ReadError;

/// More items than any Helix page holds (100) are not looked at: a body cannot make the core
/// keep more than a page's worth.
const MAX_ITEMS_PER_PAGE: usize = 100;

/// The longest page cursor followed: it goes back to Helix in the next request's URL, and
/// Twitch's own are a few hundred bytes at most.
const MAX_CURSOR_BYTES: usize = 1024;

/// The longest error message kept from a body that does not decode.
const MAX_MESSAGE_CHARS: usize = 200;

#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Page<T> {
    #[serde(default)]
    data: Option<Vec<T>>,
    #[serde(default)]
    pagination: Option<Pagination>,
    #[serde(default)]
    total: Option<u64>,
}

#[derive(Deserialize)]
struct Pagination {
    #[serde(default)]
    cursor: Option<String>,
}

/// A decoded page.
pub(crate) struct Decoded<T> {
    pub(crate) items: Vec<T>,
    /// The cursor of the next page (`None` at the end).
    pub(crate) cursor: Option<String>,
    /// `total`, where the read gives one (Get Channel Followers).
    pub(crate) total: Option<u64>,
}

/// The items of a page and the cursor of the next one (`None` at the end).
pub(crate) fn decode<T: DeserializeOwned>(
    body: &str,
) -> Result<(Vec<T>, Option<String>), ReadError> {
    decode_page(body).map(|page| (page.items, page.cursor))
}

/// The whole page, `total` included.
pub(crate) fn decode_page<T: DeserializeOwned>(body: &str) -> Result<Decoded<T>, ReadError> {
    let page: Page<T> = serde_json::from_str(body).map_err(|error| ReadError::Malformed {
        message: error.to_string().chars().take(MAX_MESSAGE_CHARS).collect(),
    })?;
    let mut items = page.data.unwrap_or_default();
    items.truncate(MAX_ITEMS_PER_PAGE);
    let cursor = page
        .pagination
        .and_then(|pagination| pagination.cursor)
        .filter(|cursor| !cursor.is_empty());
    if let Some(cursor) = cursor
        .as_ref()
        .filter(|cursor| cursor.len() > MAX_CURSOR_BYTES)
    {
        return Err(ReadError::Malformed {
            message: format!(
                "a pagination cursor of {} bytes (at most {MAX_CURSOR_BYTES} are followed)",
                cursor.len()
            ),
        });
    }
    Ok(Decoded {
        items,
        cursor,
        total: page.total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catchup::helix::ChannelFollower;

    #[test]
    fn null_data_and_an_empty_pagination_are_an_empty_last_page() {
        let (items, cursor) =
            decode::<ChannelFollower>(r#"{"data":null,"pagination":{}}"#).expect("valid"); // ok: a test's failure report
        assert!(items.is_empty());
        assert_eq!(cursor, None);
    }

    #[test]
    fn a_cursor_too_long_to_send_back_is_malformed_and_one_that_fits_is_followed() {
        let page = |cursor: &str| format!(r#"{{"data":[],"pagination":{{"cursor":"{cursor}"}}}}"#);
        let long = "a".repeat(MAX_CURSOR_BYTES + 1);
        let result = decode::<ChannelFollower>(&page(&long));
        assert!(
            matches!(&result, Err(ReadError::Malformed { message }) if message.contains("cursor")),
            "{:?}",
            result.map(|(_, cursor)| cursor)
        );
        let fits = "a".repeat(MAX_CURSOR_BYTES);
        let result = decode::<ChannelFollower>(&page(&fits));
        assert!(matches!(result, Ok((_, Some(cursor))) if cursor == fits));
    }

    #[test]
    fn a_body_of_another_shape_is_malformed() {
        let result = decode::<ChannelFollower>(r#"{"data":[{"user_id":5}]}"#);
        assert!(
            matches!(result, Err(ReadError::Malformed { .. })),
            "{result:?}"
        );
    }
}
