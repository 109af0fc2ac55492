//! The claim state machine alone, fed listings by hand.

use std::time::{Duration, Instant};

use super::state::{Claims, Decision};
use super::{ClaimConfig, ClaimError, ListingError, MAX_PAGES_PER_READ};
use crate::error::InputError;
use crate::event::Event;
use crate::ids::{ConduitId, RequestId};
use crate::io::Output;

fn claims(claim: ClaimConfig, now: Instant, ids: &mut u64) -> Claims {
    let mut claims = Claims::new(claim, 7, false, now);
    claims.tick(now, ids);
    claims
}

fn read_request(claims: &mut Claims) -> RequestId {
    match claims.pop_request() {
        Some(Output::ReadConduitShards { request, .. }) => request,
        other => panic!("a read, not {other:?}"),
    }
}

fn enabled(count: u32) -> String {
    let data: Vec<String> = (0..count)
        .map(|id| format!(r#"{{"id":"{id}","status":"enabled","transport":{{"method":"websocket","session_id":"other-{id}"}}}}"#))
        .collect();
    format!(r#"{{"data":[{}],"pagination":{{}}}}"#, data.join(","))
}

#[test]
fn growing_sets_the_count_to_what_is_lacking_within_the_cap_and_never_lower()
-> Result<(), InputError> {
    for (cap, expected) in [(10, Some(5)), (4, Some(4)), (2, None)] {
        let now = Instant::now();
        let mut ids = 0;
        let claim = ClaimConfig::new(ConduitId::new("c"), 3).with_grow_to(cap);
        let mut claims = claims(claim, now, &mut ids);
        let request = read_request(&mut claims);
        claims.page_read(request, Ok(enabled(2)), &mut ids)?;
        let resize = claims.pop_request().map(|output| match output {
            Output::ResizeConduit { shard_count, .. } => shard_count,
            other => panic!("a resize, not {other:?}"),
        });
        assert_eq!(resize, expected, "cap {cap}");
        assert_eq!(claims.pop_decision(), None, "nothing free to claim");
    }
    Ok(())
}

#[test]
fn a_read_that_never_ends_its_pages_fails_at_the_bound() -> Result<(), InputError> {
    let now = Instant::now();
    let mut ids = 0;
    let mut claims = claims(ClaimConfig::new(ConduitId::new("c"), 1), now, &mut ids);
    let mut request = read_request(&mut claims);
    let endless = r#"{"data":[],"pagination":{"cursor":"again"}}"#;
    for _ in 1..MAX_PAGES_PER_READ {
        claims.page_read(request, Ok(endless.to_owned()), &mut ids)?;
        request = read_request(&mut claims);
    }
    claims.page_read(request, Ok(endless.to_owned()), &mut ids)?;
    assert!(claims.pop_request().is_none());
    let Some(Event::ClaimFailed {
        error, retry_in, ..
    }) = claims.pop_event()
    else {
        panic!("a failed read");
    };
    assert_eq!(
        error,
        ClaimError::Listing(ListingError::TooManyPages {
            max: MAX_PAGES_PER_READ
        })
    );
    assert!(
        retry_in <= Duration::from_secs(10),
        "no longer than the interval"
    );
    Ok(())
}

#[test]
fn free_shards_are_claimed_up_to_the_maximum_in_an_order_drawn_from_the_seed()
-> Result<(), InputError> {
    let now = Instant::now();
    let mut ids = 0;
    let mut claims = claims(ClaimConfig::new(ConduitId::new("c"), 3), now, &mut ids);
    let request = read_request(&mut claims);
    let data: Vec<String> = (0..8)
        .map(|id| format!(r#"{{"id":"{id}","status":"websocket_disconnected"}}"#))
        .collect();
    let body = format!(r#"{{"data":[{}]}}"#, data.join(","));
    claims.page_read(request, Ok(body), &mut ids)?;
    let taken: Vec<u32> = std::iter::from_fn(|| claims.pop_decision())
        .map(|decision| match decision {
            Decision::Claim(shard) => shard,
            Decision::Release(_) => panic!("nothing to release"),
        })
        .collect();
    assert_eq!(taken.len(), 3);
    assert_ne!(taken, [0, 1, 2], "not simply the first ones listed");
    Ok(())
}

#[test]
fn a_conduit_that_does_not_grow_is_resized_once_a_reread_interval() -> Result<(), InputError> {
    let now = Instant::now();
    let mut ids = 0;
    let interval = Duration::from_secs(10);
    let claim = ClaimConfig::new(ConduitId::new("c"), 3)
        .with_grow_to(10)
        .with_reread_interval(interval);
    let mut claims = claims(claim, now, &mut ids);
    let resizes = |claims: &mut Claims| {
        std::iter::from_fn(|| claims.pop_request())
            .filter(|output| matches!(output, Output::ResizeConduit { .. }))
            .count()
    };
    let request = read_request(&mut claims);
    claims.page_read(request, Ok(enabled(2)), &mut ids)?;
    let Some(Output::ResizeConduit { request, .. }) = claims.pop_request() else {
        panic!("a resize");
    };
    // Update Conduits says yes, yet the next read still shows 2 shards, all held.
    claims.resized(request, Ok(5))?;
    claims.tick(now, &mut ids);
    let request = read_request(&mut claims);
    claims.page_read(request, Ok(enabled(2)), &mut ids)?;
    assert_eq!(
        resizes(&mut claims),
        0,
        "no second resize within the interval"
    );
    let later = now + interval;
    claims.tick(later, &mut ids);
    let request = read_request(&mut claims);
    claims.page_read(request, Ok(enabled(2)), &mut ids)?;
    assert_eq!(resizes(&mut claims), 1, "one more after the interval");
    Ok(())
}
