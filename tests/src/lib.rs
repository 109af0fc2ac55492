//! Test support for the twitch-eventsub workspace.
