//! Tokio adapter for Twitch EventSub over WebSocket.
//!
//! This crate will hold the thin tokio + tokio-tungstenite driver around the sans-IO core in
//! `eventsub-proto`: it opens the sockets, runs the timers and performs the Helix calls the core asks
//! for, and hands the user a `Stream` of events. It holds no protocol logic of its own. Not built yet.
