//! Runtime-neutral (async-std / smol) adapter for Twitch EventSub over WebSocket.
//!
//! This crate will hold the same public API as `eventsub-tokio`, built on futures-io, async-io and
//! async-tungstenite so it runs under async-std and smol alike. It holds no protocol logic of its own.
//! Not built yet.
