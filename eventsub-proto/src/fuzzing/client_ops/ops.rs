//! The vocabulary of a structure-aware scenario: the client's configuration and the steps an
//! adapter and a (misbehaving) Twitch can take. Small integers choose among what exists at the
//! time (a socket, a pending request, a subscription), so nearly every input means something.

use crate::fuzzing::encode::{scenario_enum, scenario_struct};
use crate::fuzzing::text::Text;

scenario_struct! {
    /// The client's configuration, with every limit small enough for the fuzzer to reach it.
    pub struct Setup {
        /// Ids the duplicate filter remembers: `1 + dedup_entries % 32`.
        pub dedup_entries: u8,
        /// How long it remembers them, in seconds: `1 + dedup_age_seconds`.
        pub dedup_age_seconds: u16,
        /// Frames above `64 << (max_frame_exponent % 15)` bytes are refused.
        pub max_frame_exponent: u8,
        /// Notifications older than this many seconds are dropped; `None` keeps all.
        pub stale_after_seconds: Option<u16>,
        /// Follow reconnect URLs to the base URL's host ([`ReconnectUrlPolicy::SameHostAsUrl`](crate::ReconnectUrlPolicy::SameHostAsUrl)).
        pub same_host_reconnect_urls: bool,
        /// Delete the created subscriptions on shutdown.
        pub delete_subscriptions_on_shutdown: bool,
        /// Give up after this many failed attempts in a row.
        pub max_attempts: Option<u8>,
        /// First backoff delay, in milliseconds: `1 + backoff_initial_millis`.
        pub backoff_initial_millis: u16,
        /// Longest backoff delay, in seconds.
        pub backoff_max_seconds: u16,
        /// Keepalive grace: percent of the keepalive.
        pub grace_percent: u8,
        /// Keepalive grace: fixed part, in milliseconds.
        pub grace_fixed_millis: u16,
        /// Keepalive asked for: `10 + keepalive_seconds % 591`; `None` leaves it to Twitch.
        pub keepalive_seconds: Option<u16>,
        /// Which subscriptions of the pool are wanted from the start (bit `i`: pool entry `i`).
        pub initial_subscriptions: u8,
        /// Subscriptions allowed on one connection: `1 + max_subscriptions_per_connection % 16`.
        pub max_subscriptions_per_connection: u8,
        /// The token's `max_total_cost` until Twitch says otherwise.
        pub max_total_cost: u8,
        /// Seed of the backoff jitter. Its low bits also choose: bit 0 whether the token's user
        /// is preset, bit 1 the lazy envelope, `1 + (seed >> 2) % 3` the sessions of the pool.
        pub seed: u64,
        /// Connect timeout in seconds: `1 + connect_timeout_seconds`.
        pub connect_timeout_seconds: u8,
        /// Welcome timeout in seconds: `1 + welcome_timeout_seconds`.
        pub welcome_timeout_seconds: u8,
    }
}

scenario_enum! {
    /// One thing that happens. `conn` picks one of the sockets the adapter holds (in the order the
    /// client asked for them), `request` one of the unanswered requests, `spec` one of the pool's
    /// subscriptions; a step with nothing to pick from is skipped.
    pub enum Step {
        /// A text frame arrives.
        Text {
            /// The socket.
            conn: u8,
            /// The message.
            frame: Frame,
            /// What happened to it on the way.
            damage: Damage,
        },
        /// A binary frame of `len` bytes arrives.
        Binary {
            /// The socket.
            conn: u8,
            /// Its length.
            len: u8,
        },
        /// The socket opened.
        Opened {
            /// The socket.
            conn: u8,
        },
        /// The socket could not be opened.
        ConnectFailed {
            /// The socket.
            conn: u8,
            /// What went wrong.
            error: Text,
        },
        /// The socket closed: with a close frame (code and reason) or dropped (no code).
        Closed {
            /// The socket.
            conn: u8,
            /// The close code.
            code: Option<u16>,
            /// The close reason.
            reason: Text,
        },
        /// Time passes (or a racing adapter reports an earlier instant).
        Time {
            /// How.
            step: ClockStep,
        },
        /// The adapter wakes exactly when the client asked to be woken.
        Wake,
        /// Helix answers a create request.
        Created {
            /// The request.
            request: u8,
            /// The answer.
            outcome: CreateOutcome,
        },
        /// Helix answers a delete request.
        Deleted {
            /// The request.
            request: u8,
            /// The answer.
            outcome: DeleteOutcome,
        },
        /// The user subscribes.
        Subscribe {
            /// Which pool entry.
            spec: u8,
        },
        /// The user unsubscribes.
        Unsubscribe {
            /// Which pool entry.
            spec: u8,
        },
        /// The user shuts the client down.
        Shutdown,
        /// A frame arrives on a socket already reported closed (an adapter racing itself): the
        /// client must not know that socket any more.
        LateFrame {
            /// Which of the recently ended sockets.
            conn: u8,
        },
        /// A request already answered is answered again: the client must not know it any more.
        LateAnswer {
            /// Which of the recently answered requests.
            request: u8,
        },
    }
}

scenario_struct! {
    /// A step of the clocks.
    pub struct ClockStep {
        /// How far the monotonic clock moves, in milliseconds.
        pub millis: u32,
        /// Report `now - millis` instead (the client must read it as "no time passed").
        pub backwards: bool,
        /// What the wall clock does meanwhile.
        pub wall: WallClock,
    }
}

scenario_enum! {
    /// What the wall clock (which stamps frames for the stale check) does while time passes.
    pub enum WallClock {
        /// Moves with the monotonic clock.
        Follows,
        /// Stands still.
        Stands,
        /// Jumps by this many seconds (either way; far enough to leave the years a timestamp can
        /// spell).
        Jumps {
            /// How far.
            seconds: i64,
        },
    }
}

scenario_enum! {
    /// A message as Twitch would send it, before any damage.
    pub enum Frame {
        /// `session_welcome` with a new session id.
        Welcome {
            /// `keepalive_timeout_seconds` (valid from 1 to 3600).
            keepalive_seconds: u16,
        },
        /// `session_keepalive`.
        Keepalive,
        /// `notification`.
        Notification {
            /// Its `message_id`.
            id: MessageIdChoice,
            /// The subscription type: an index into the registry of typed events.
            kind: u8,
            /// Its `message_timestamp`.
            sent: Sent,
            /// 0: one `payload.event`; otherwise a `payload.events` batch of `batch % 4` items
            /// (an empty batch included).
            batch: u8,
        },
        /// `session_reconnect`.
        Reconnect {
            /// Where to.
            url: ReconnectUrl,
        },
        /// `revocation`.
        Revocation {
            /// Its `message_id`.
            id: MessageIdChoice,
            /// The pool entry it revokes (its id: one Helix gave, chosen by `subscription / 8`).
            subscription: u8,
            /// Which status (reason) it gives.
            status: u8,
        },
        /// A well-formed message of another `message_type`.
        Unknown {
            /// The type.
            message_type: Text,
        },
        /// Any text at all.
        Raw {
            /// The text.
            text: Text,
        },
    }
}

scenario_enum! {
    /// A `message_id`: from a small pool, so duplicates are frequent, or fresh.
    pub enum MessageIdChoice {
        /// One of 16 fixed UUIDs.
        Pool {
            /// Which.
            index: u8,
        },
        /// The same UUID as `Pool`, in upper case (the same id to Twitch).
        Upper {
            /// Which.
            index: u8,
        },
        /// A UUID never used before.
        Fresh,
        /// Any text (a mock server's ids, or garbage).
        Other {
            /// The id.
            text: Text,
        },
    }
}

scenario_enum! {
    /// A `message_timestamp`, relative to the wall clock at arrival.
    pub enum Sent {
        /// Just now.
        Now,
        /// This many seconds ago.
        SecondsAgo {
            /// How long.
            seconds: u16,
        },
        /// This many seconds ahead (a skewed clock).
        SecondsAhead {
            /// How far.
            seconds: u16,
        },
        /// Any text.
        Other {
            /// The text.
            text: Text,
        },
    }
}

scenario_enum! {
    /// A `reconnect_url`.
    pub enum ReconnectUrl {
        /// A `wss://` URL like Twitch's.
        Wss {
            /// Tells URLs apart.
            index: u8,
        },
        /// A `ws://` URL like a mock server's.
        Ws {
            /// Its port.
            port: u8,
        },
        /// Any text.
        Other {
            /// The text.
            text: Text,
        },
    }
}

scenario_enum! {
    /// What happens to a frame on its way: nothing, or a fault at a chosen place. Places count the
    /// JSON tree's nodes (or leaves) depth-first, and the text's bytes, modulo their number.
    pub enum Damage {
        /// It arrives intact.
        Intact,
        /// Cut short after `at` bytes.
        Truncated {
            /// Where.
            at: u16,
        },
        /// One byte XORed with `mask` (invalid UTF-8 is replaced).
        FlippedByte {
            /// Where.
            at: u16,
            /// How.
            mask: u8,
        },
        /// The values of two leaves swapped (say `message_id` and `message_type`).
        SwappedLeaves {
            /// One leaf.
            first: u8,
            /// The other.
            second: u8,
        },
        /// A node replaced by a value of another type.
        WrongType {
            /// Which node.
            at: u8,
            /// The value put there.
            value: WrongValue,
        },
        /// A field removed from its object.
        Removed {
            /// Which node.
            at: u8,
        },
    }
}

scenario_enum! {
    /// A JSON value put where another was expected.
    pub enum WrongValue {
        /// `null`.
        Null,
        /// `true`.
        True,
        /// A small integer.
        Integer {
            /// The integer.
            value: i32,
        },
        /// `18446744073709551615`.
        Huge,
        /// `-1.5e300`.
        Float,
        /// A string.
        Text {
            /// The string.
            text: Text,
        },
        /// `[]`.
        Array,
        /// `{}`.
        Object,
    }
}

scenario_enum! {
    /// How Helix answers a create request.
    pub enum CreateOutcome {
        /// 202, with costs.
        Created {
            /// The subscription's cost.
            cost: u8,
            /// The token's total cost now.
            total_cost: u16,
            /// The token's maximum.
            max_total_cost: u16,
        },
        /// 409: it exists already.
        Conflict,
        /// 401.
        Unauthorized {
            /// Twitch's message.
            message: Text,
        },
        /// Another 4xx.
        Rejected {
            /// The status.
            status: u16,
            /// Twitch's message.
            message: Text,
        },
        /// 429, 5xx or a network failure.
        Unavailable {
            /// What went wrong.
            message: Text,
        },
    }
}

scenario_enum! {
    /// How Helix answers a delete request.
    pub enum DeleteOutcome {
        /// 204.
        Deleted,
        /// 404: already gone.
        NotFound,
        /// 401.
        Unauthorized {
            /// Twitch's message.
            message: Text,
        },
        /// Another 4xx.
        Rejected {
            /// The status.
            status: u16,
        },
        /// 429, 5xx or a network failure.
        Unavailable {
            /// What went wrong.
            message: Text,
        },
    }
}
