//! `user.*`: the authorizing user's account and whispers.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::common::{UserId, UserLogin, optional_text};

/// `user.update`: the user changed their account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserUpdate<'a> {
    /// The user's id.
    #[serde(borrow)]
    pub user_id: UserId<'a>,
    /// The user's login.
    #[serde(borrow)]
    pub user_login: UserLogin<'a>,
    /// The user's display name.
    #[serde(borrow)]
    pub user_name: Cow<'a, str>,
    /// The user's email address: only with the `user:read:email` scope.
    #[serde(borrow, default, deserialize_with = "optional_text")]
    pub email: Option<Cow<'a, str>>,
    /// Whether Twitch verified the email address (false without `user:read:email`).
    pub email_verified: bool,
    /// The user's description.
    #[serde(borrow)]
    pub description: Cow<'a, str>,
}

/// `user.whisper.message`: the user received a whisper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WhisperMessage<'a> {
    /// The sender's user id.
    #[serde(borrow)]
    pub from_user_id: UserId<'a>,
    /// The sender's login.
    #[serde(borrow)]
    pub from_user_login: UserLogin<'a>,
    /// The sender's display name.
    #[serde(borrow)]
    pub from_user_name: Cow<'a, str>,
    /// The receiver's user id.
    #[serde(borrow)]
    pub to_user_id: UserId<'a>,
    /// The receiver's login.
    #[serde(borrow)]
    pub to_user_login: UserLogin<'a>,
    /// The receiver's display name.
    #[serde(borrow)]
    pub to_user_name: Cow<'a, str>,
    /// The whisper's id.
    #[serde(borrow)]
    pub whisper_id: Cow<'a, str>,
    /// The whisper.
    #[serde(borrow)]
    pub whisper: Whisper<'a>,
}

/// The body of a whisper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Whisper<'a> {
    /// The text.
    #[serde(borrow)]
    pub text: Cow<'a, str>,
}
