//! Helix REST client for Twitch EventSub.
//!
//! This crate will hold token validation, EventSub subscription management (create, list, delete) and
//! Conduit and shard management over reqwest, with typed errors and rate-limit handling. Not built yet.
