//! What the mock's OAuth server remembers besides the tokens: refresh tokens, device codes, and
//! how the device flow behaves; and how tokens are issued from them.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use super::reply::Reject;
use super::state::{MockState, TokenOwner};

/// How long a device code may be exchanged, as Twitch's (30 minutes).
pub const DEVICE_CODE_LIFETIME: Duration = Duration::from_secs(1_800);

/// How the mock's "user" answers device codes (`POST /oauth2/device`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceFlow {
    /// The user who authorizes every device code.
    pub user_id: String,
    /// That user's login.
    pub login: String,
    /// How long after it was issued a device code is authorized: `Some(Duration::ZERO)` (the
    /// default) at once, `Some(delay)` later (until then the token endpoint answers
    /// `authorization_pending`), `None` never on its own (a test calls
    /// [`MockState::authorize_device`]).
    pub authorize_after: Option<Duration>,
    /// The `interval` (seconds) the client is told to wait between polls; 5 by default, as
    /// Twitch's. Clients poll at once first, so with immediate authorization no one waits.
    pub interval_secs: u64,
}

impl Default for DeviceFlow {
    fn default() -> Self {
        Self {
            user_id: super::fixtures::USER_ID.to_owned(),
            login: format!("user{}", super::fixtures::USER_ID),
            authorize_after: Some(Duration::ZERO),
            interval_secs: 5,
        }
    }
}

/// Whom a refresh token issues tokens for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefreshGrant {
    /// The access token issued with it, which a refresh replaces (and revokes).
    pub(crate) access_token: String,
    pub(crate) client_id: String,
    pub(crate) owner: TokenOwner,
    pub(crate) scopes: Vec<String>,
}

/// A device code waiting to be exchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeviceCode {
    pub(crate) client_id: String,
    pub(crate) user_code: String,
    pub(crate) scopes: Vec<String>,
    /// When the user authorized it (may be ahead: an automatic authorization after a delay).
    pub(crate) authorized_at: Option<Instant>,
    pub(crate) expires_at: Option<Instant>,
}

/// Refresh tokens, device codes and the device flow's settings.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Grants {
    /// How device codes are authorized.
    pub device_flow: DeviceFlow,
    /// How many access tokens the token endpoint issued (by refresh or device code).
    pub issued: u64,
    pub(crate) refresh_tokens: HashMap<String, RefreshGrant>,
    pub(crate) device_codes: HashMap<String, DeviceCode>,
    device_codes_issued: u64,
}

/// An access token the token endpoint issued, as it answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_in: Duration,
}

/// The 400 the token endpoint answers, with Twitch's message.
fn bad_request(message: &str) -> Reject {
    Reject::bad_request(message)
}

impl MockState {
    /// Issues `refresh_token` for the user, client and scopes of the registered `access_token`:
    /// `POST /oauth2/token` with `grant_type=refresh_token` then gives a new access token (and a
    /// new refresh token: each is good once) for them. False for an unknown access token.
    pub fn add_refresh_token(&mut self, refresh_token: &str, access_token: &str) -> bool {
        let Some(record) = self.token_record(access_token) else {
            return false;
        };
        let grant = RefreshGrant {
            access_token: access_token.to_owned(),
            client_id: record.client_id.clone(),
            owner: record.owner.clone(),
            scopes: record.scopes.clone(),
        };
        self.grants
            .refresh_tokens
            .insert(refresh_token.to_owned(), grant);
        true
    }

    /// Authorizes the device code whose user code is `user_code` now (as the user of
    /// [`DeviceFlow`]); false when there is none.
    pub fn authorize_device(&mut self, user_code: &str) -> bool {
        let now = Instant::now();
        match self
            .grants
            .device_codes
            .values_mut()
            .find(|code| code.user_code == user_code)
        {
            Some(code) => {
                code.authorized_at = Some(now);
                true
            }
            None => false,
        }
    }

    /// Registers a fresh user token with a refresh token, as the token endpoint issues it.
    fn issue(&mut self, client_id: String, owner: TokenOwner, scopes: Vec<String>) -> Issued {
        let id = self.next_id();
        let access_token = format!("mock-access-{id}");
        let refresh_token = format!("mock-refresh-{id}");
        let grant = RefreshGrant {
            access_token: access_token.clone(),
            client_id: client_id.clone(),
            owner: owner.clone(),
            scopes: scopes.clone(),
        };
        self.insert_token(access_token.clone(), client_id, owner, scopes.clone());
        self.grants
            .refresh_tokens
            .insert(refresh_token.clone(), grant);
        self.grants.issued += 1;
        Issued {
            access_token,
            refresh_token: Some(refresh_token),
            scopes,
            expires_in: self.token_lifetime,
        }
    }

    /// `grant_type=refresh_token`: the token it was issued with is revoked and a new pair issued;
    /// the refresh token is used up (as a public client's is on Twitch).
    pub(crate) fn refresh(
        &mut self,
        refresh_token: &str,
        client_id: &str,
    ) -> Result<Issued, Reject> {
        let grant = match self.grants.refresh_tokens.get(refresh_token) {
            Some(grant) if grant.client_id == client_id => grant.clone(),
            _ => return Err(bad_request("Invalid refresh token")),
        };
        self.grants.refresh_tokens.remove(refresh_token);
        self.revoke_token(&grant.access_token);
        Ok(self.issue(grant.client_id, grant.owner, grant.scopes))
    }

    /// `POST /oauth2/device`: a new device code for `client_id` and `scopes`; the device code,
    /// the user code, and the code's lifetime.
    pub(crate) fn start_device_flow(
        &mut self,
        client_id: &str,
        scopes: Vec<String>,
    ) -> (String, String, Duration) {
        let id = self.next_id();
        let device_code = format!("mock-device-code-{id}");
        // Eight letters, as Twitch's user codes: a counter in base 26.
        self.grants.device_codes_issued += 1;
        let mut number = self.grants.device_codes_issued;
        let user_code: String = (0..8)
            .map(|_| {
                let letter = char::from(b'A' + (number % 26) as u8);
                number /= 26;
                letter
            })
            .collect();
        let now = Instant::now();
        let authorized_at = self
            .grants
            .device_flow
            .authorize_after
            .and_then(|delay| now.checked_add(delay));
        self.grants.device_codes.insert(
            device_code.clone(),
            DeviceCode {
                client_id: client_id.to_owned(),
                user_code: user_code.clone(),
                scopes,
                authorized_at,
                expires_at: now.checked_add(DEVICE_CODE_LIFETIME),
            },
        );
        (device_code, user_code, DEVICE_CODE_LIFETIME)
    }

    /// `grant_type=urn:ietf:params:oauth:grant-type:device_code`: a user token once the device
    /// code is authorized (`authorization_pending` until then); each code is good once.
    pub(crate) fn exchange_device_code(
        &mut self,
        device_code: &str,
        client_id: &str,
    ) -> Result<Issued, Reject> {
        let now = Instant::now();
        let code = match self.grants.device_codes.get(device_code) {
            Some(code) if code.client_id == client_id => code.clone(),
            _ => return Err(bad_request("invalid device code")),
        };
        if code.expires_at.is_some_and(|at| at <= now) {
            self.grants.device_codes.remove(device_code);
            return Err(bad_request("invalid device code"));
        }
        if code.authorized_at.is_none_or(|at| at > now) {
            return Err(bad_request("authorization_pending"));
        }
        self.grants.device_codes.remove(device_code);
        let owner = TokenOwner::User {
            user_id: self.grants.device_flow.user_id.clone(),
            login: self.grants.device_flow.login.clone(),
        };
        Ok(self.issue(code.client_id, owner, code.scopes))
    }

    /// `grant_type=client_credentials`: an app access token for `client_id` (no refresh token).
    pub(crate) fn issue_app_token(&mut self, client_id: &str) -> Issued {
        let id = self.next_id();
        let access_token = format!("mock-app-access-{id}");
        self.insert_token(
            access_token.clone(),
            client_id.to_owned(),
            TokenOwner::App,
            Vec::new(),
        );
        self.grants.issued += 1;
        Issued {
            access_token,
            refresh_token: None,
            scopes: Vec::new(),
            expires_in: self.token_lifetime,
        }
    }
}
