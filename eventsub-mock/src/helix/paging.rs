//! Cursor pagination over a list: the cursor is an opaque-looking token for the next index.

use serde_json::Value;

use super::reply::Reject;

const PREFIX: &str = "mock-cursor-";

/// The page of `items` after `after`, `page_size` long, and the cursor of the next page.
pub fn page(
    items: Vec<Value>,
    after: Option<&str>,
    page_size: usize,
) -> Result<(Vec<Value>, Option<String>), Reject> {
    let start = match after {
        None => 0,
        Some(cursor) => cursor
            .strip_prefix(PREFIX)
            .and_then(|index| index.parse::<usize>().ok())
            .filter(|index| *index <= items.len())
            .ok_or_else(|| Reject::bad_request("invalid cursor in after"))?,
    };
    let end = start.saturating_add(page_size.max(1)).min(items.len());
    let cursor = (end < items.len()).then(|| format!("{PREFIX}{end}"));
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, cursor))
}

/// The `pagination` object: `{}` on the last page.
pub fn pagination(cursor: Option<String>) -> Value {
    match cursor {
        Some(cursor) => serde_json::json!({ "cursor": cursor }),
        None => serde_json::json!({}),
    }
}
