//! Test support for the twitch-eventsub workspace: mock servers that behave like Twitch, used by
//! the integration tests in `tests/`.

pub mod mock_helix;
