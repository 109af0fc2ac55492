//! Secrets that must never be printed: access tokens and webhook secrets.
//!
//! Both hold a [`secrecy::SecretString`]: zeroized when dropped, and never in `Debug` or `Display`
//! (both print `[redacted]`), so a token can sit inside a client, an error or a log line without
//! leaking. The only way to read one is the explicit `expose_secret`, used where the value goes on
//! the wire.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a secret.
            pub fn new(secret: impl Into<String>) -> Self {
                Self(SecretString::from(secret.into()))
            }

            /// The secret itself, for putting it on the wire. Never log the result.
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl ExposeSecret<str> for $name {
            fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}([redacted])", stringify!($name))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.expose_secret() == other.expose_secret()
            }
        }

        impl Eq for $name {}

        impl From<SecretString> for $name {
            fn from(secret: SecretString) -> Self {
                Self(secret)
            }
        }

        impl From<String> for $name {
            fn from(secret: String) -> Self {
                Self(SecretString::from(secret))
            }
        }

        impl From<&str> for $name {
            fn from(secret: &str) -> Self {
                Self(SecretString::from(secret))
            }
        }
    };
}

secret_string!(
    /// An OAuth access token (user or app), sent as `Authorization: Bearer …` to Helix and as
    /// `Authorization: OAuth …` to the validate endpoint.
    ///
    /// ```
    /// use eventsub_helix::AccessToken;
    /// let token = AccessToken::new("2gbdx6oar67tqtcmt49t3wpcgycthx");
    /// assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
    /// assert_eq!(token.to_string(), "[redacted]");
    ///
    /// // A token kept as a `secrecy::SecretString` converts without an unprotected copy.
    /// let kept = eventsub_helix::secrecy::SecretString::from("2gbdx6oar67tqtcmt49t3wpcgycthx");
    /// assert_eq!(AccessToken::from(kept), token);
    /// ```
    AccessToken
);

secret_string!(
    /// The secret of a webhook transport, used by Twitch to sign notifications (10 to 100
    /// ASCII characters).
    ///
    /// ```
    /// use eventsub_helix::WebhookSecret;
    /// let secret = WebhookSecret::new("s3cre7-s3cre7");
    /// assert!(!format!("{secret:?} {secret}").contains("s3cre7"));
    /// ```
    WebhookSecret
);

impl serde::Serialize for WebhookSecret {
    // The secret has to reach Twitch in the create-subscription body; that is its only exit.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}
