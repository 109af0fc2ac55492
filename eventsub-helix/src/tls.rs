//! TLS, chosen by cargo features: one choice for Helix (reqwest) and for the WebSocket (the
//! adapters `eventsub-tokio` and `eventsub-async-std` forward the same features here).
//!
//! | feature         | what it does                                                              |
//! |-----------------|---------------------------------------------------------------------------|
//! | `rustls-ring`   | rustls with the ring crypto provider (**default**; needs only `cc`)       |
//! | `rustls-aws-lc` | rustls with the aws-lc-rs provider (a larger C build; cmake on some targets) |
//! | `native-tls`    | the platform's TLS: OpenSSL on Linux (libssl-dev, pkg-config), SChannel, Security.framework |
//! | `native-roots`  | rustls trusts the platform's root certificates (**default**)             |
//! | `webpki-roots`  | rustls trusts Mozilla's root certificates, compiled in                    |
//!
//! Several may be on at once, as features add up across a dependency graph; nothing panics then.
//! The first of `native-tls`, `rustls-aws-lc`, `rustls-ring` is used: an explicitly added backend
//! beats the default one. (tokio-tungstenite and async-tungstenite also prefer native-tls.) Both
//! root features together trust the union of both sets. rustls without a root feature is a
//! compile error: it could verify no server.
//!
//! The rustls setup is one [`ClientConfig`](rustls::ClientConfig) built here with the chosen
//! provider passed explicitly (never the process-wide default provider, which rustls cannot pick
//! when both providers are compiled in) and shared by Helix and every WebSocket connect.
//!
//! With no backend at all the crates still build: `http://` and `ws://` work (enough for the mock
//! server of `eventsub-mock`), and an `https://` or `wss://` URL fails with
//! [`TlsError::NotEnabled`].

#[cfg(all(
    any(feature = "rustls-ring", feature = "rustls-aws-lc"),
    not(any(feature = "webpki-roots", feature = "native-roots"))
))]
compile_error!(
    "rustls needs root certificates to verify servers: enable `native-roots` or `webpki-roots` \
     (or both) along with `rustls-ring` or `rustls-aws-lc`"
);

#[cfg(any(feature = "rustls-ring", feature = "rustls-aws-lc"))]
pub use rustls;

/// A reqwest client with the TLS the features select, following no redirects (as OAuth calls
/// want: twitch_oauth2 asks for it) and giving up on a request after
/// [`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT) (a token refresh that hangs would hold every call
/// waiting for the token), for the HTTP calls of an app's own: an OAuth library's
/// (`twitch_oauth2::client::Client` is implemented for `reqwest::Client`), say. A bare
/// `reqwest::Client::new()` could panic in a build with both rustls providers, or none chosen.
///
/// ```
/// let http = eventsub_helix::tls::reqwest_client()?;
/// # let _ = http;
/// # Ok::<(), eventsub_helix::HelixError>(())
/// ```
pub fn reqwest_client() -> Result<reqwest::Client, crate::HelixError> {
    crate::client::http_client_builder()?
        .redirect(reqwest::redirect::Policy::none())
        .timeout(crate::DEFAULT_TIMEOUT)
        .build()
        .map_err(crate::HelixError::Transport)
}

/// The TLS implementation a build uses, as the enabled features select it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsBackend {
    /// No TLS feature: `http://` and `ws://` only.
    None,
    /// rustls with the ring provider (`rustls-ring`).
    RustlsRing,
    /// rustls with the aws-lc-rs provider (`rustls-aws-lc`).
    RustlsAwsLc,
    /// The platform's TLS (`native-tls`).
    NativeTls,
}

impl TlsBackend {
    /// The backend Helix calls use in this build: the first enabled of `native-tls`,
    /// `rustls-aws-lc`, `rustls-ring`.
    ///
    /// ```
    /// use eventsub_helix::tls::TlsBackend;
    /// # #[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc"), not(feature = "native-tls")))]
    /// assert_eq!(TlsBackend::selected(), TlsBackend::RustlsRing);
    /// ```
    pub const fn selected() -> Self {
        if cfg!(feature = "native-tls") {
            Self::NativeTls
        } else if cfg!(feature = "rustls-aws-lc") {
            Self::RustlsAwsLc
        } else if cfg!(feature = "rustls-ring") {
            Self::RustlsRing
        } else {
            Self::None
        }
    }
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// An `https://` or `wss://` URL, in a build without a TLS feature.
    #[error(
        "{url} needs TLS, but this build has none: enable a TLS feature \
         (`rustls-ring`, `rustls-aws-lc` or `native-tls`)"
    )]
    NotEnabled {
        /// The URL that needed TLS.
        url: String,
    },
    /// Not one trusted root certificate could be loaded (with `native-roots` alone: the
    /// platform's store is empty or unreadable; `SSL_CERT_FILE` and `SSL_CERT_DIR` point
    /// elsewhere).
    #[error("no trusted root certificate could be loaded{}", errors_suffix(.errors))]
    NoRootCertificates {
        /// What went wrong reading the platform's store, if anything did.
        errors: Vec<String>,
    },
    /// The TLS library refused the configuration.
    #[error("TLS setup failed: {0}")]
    Setup(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn errors_suffix(errors: &[String]) -> String {
    if errors.is_empty() {
        String::new()
    } else {
        format!(": {}", errors.join("; "))
    }
}

/// [`TlsError::NotEnabled`] for a URL with a TLS scheme when this build has no TLS backend.
///
/// ```
/// use eventsub_helix::tls::{TlsBackend, require_tls_for};
/// assert!(require_tls_for("ws://127.0.0.1:8080/ws").is_ok());
/// let needs = require_tls_for("wss://eventsub.wss.twitch.tv/ws");
/// assert_eq!(needs.is_ok(), TlsBackend::selected() != TlsBackend::None);
/// ```
pub fn require_tls_for(url: &str) -> Result<(), TlsError> {
    let secure = url.starts_with("https://") || url.starts_with("wss://");
    if secure && TlsBackend::selected() == TlsBackend::None {
        return Err(TlsError::NotEnabled {
            url: url.to_owned(),
        });
    }
    Ok(())
}

#[cfg(any(feature = "rustls-ring", feature = "rustls-aws-lc"))]
pub use self::rustls_setup::rustls_config;

#[cfg(any(feature = "rustls-ring", feature = "rustls-aws-lc"))]
mod rustls_setup {
    use std::sync::{Arc, OnceLock};

    use rustls::crypto::CryptoProvider;
    use rustls::{ClientConfig, RootCertStore};

    use super::TlsError;

    /// The rustls client configuration of this build: the provider of `rustls-aws-lc` (or else
    /// `rustls-ring`), and the roots of `native-roots` and `webpki-roots`. Built at the first
    /// call (which reads the platform's store, with `native-roots`) and shared afterwards.
    ///
    /// ```
    /// let config = eventsub_helix::tls::rustls_config()?;
    /// assert!(config.alpn_protocols.is_empty());
    /// # Ok::<(), eventsub_helix::tls::TlsError>(())
    /// ```
    pub fn rustls_config() -> Result<Arc<ClientConfig>, TlsError> {
        static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
        if let Some(config) = CONFIG.get() {
            return Ok(config.clone());
        }
        let config = Arc::new(client_config(provider(), root_store()?)?);
        Ok(CONFIG.get_or_init(|| config).clone())
    }

    /// The provider the features choose; aws-lc-rs wins because it is never the default, so
    /// having it on means someone asked for it.
    fn provider() -> CryptoProvider {
        #[cfg(feature = "rustls-aws-lc")]
        {
            rustls::crypto::aws_lc_rs::default_provider()
        }
        #[cfg(not(feature = "rustls-aws-lc"))]
        {
            rustls::crypto::ring::default_provider()
        }
    }

    pub(super) fn client_config(
        provider: CryptoProvider,
        roots: RootCertStore,
    ) -> Result<ClientConfig, TlsError> {
        Ok(ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .map_err(|error| TlsError::Setup(Box::new(error)))?
            .with_root_certificates(roots)
            .with_no_client_auth())
    }

    pub(super) fn root_store() -> Result<RootCertStore, TlsError> {
        let mut roots = RootCertStore::empty();
        #[cfg(feature = "webpki-roots")]
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        #[cfg_attr(not(feature = "native-roots"), expect(unused_mut))]
        let mut errors = Vec::new();
        #[cfg(feature = "native-roots")]
        {
            // One unreadable file in the platform's store is no reason to trust nothing: keep
            // what loaded, and report the errors only when nothing did.
            let native = rustls_native_certs::load_native_certs();
            errors.extend(native.errors.iter().map(ToString::to_string));
            let (added, ignored) = roots.add_parsable_certificates(native.certs);
            tracing::debug!(
                added,
                ignored,
                errors = errors.len(),
                "native root certificates"
            );
        }
        if roots.is_empty() {
            return Err(TlsError::NoRootCertificates { errors });
        }
        Ok(roots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_urls_never_need_tls() {
        assert!(require_tls_for("http://127.0.0.1:1/helix").is_ok());
        assert!(require_tls_for("ws://127.0.0.1:1/ws").is_ok());
    }

    #[test]
    #[cfg(not(any(
        feature = "rustls-ring",
        feature = "rustls-aws-lc",
        feature = "native-tls"
    )))]
    fn a_build_without_tls_names_the_features_for_a_secure_url() {
        let error = require_tls_for("wss://eventsub.wss.twitch.tv/ws").unwrap_err();
        assert!(error.to_string().contains("rustls-ring"), "{error}");
    }

    #[test]
    #[cfg(all(
        feature = "native-tls",
        feature = "rustls-aws-lc",
        feature = "rustls-ring"
    ))]
    fn with_every_backend_compiled_in_native_tls_is_used() {
        assert_eq!(TlsBackend::selected(), TlsBackend::NativeTls);
    }

    #[test]
    #[cfg(all(
        not(feature = "native-tls"),
        feature = "rustls-aws-lc",
        feature = "rustls-ring"
    ))]
    fn with_both_rustls_providers_compiled_in_aws_lc_is_used() {
        assert_eq!(TlsBackend::selected(), TlsBackend::RustlsAwsLc);
    }

    #[test]
    #[cfg(all(
        not(feature = "native-tls"),
        not(feature = "rustls-aws-lc"),
        feature = "rustls-ring"
    ))]
    fn the_default_backend_is_rustls_with_ring() {
        assert_eq!(TlsBackend::selected(), TlsBackend::RustlsRing);
    }

    #[cfg(any(feature = "rustls-ring", feature = "rustls-aws-lc"))]
    mod with_rustls {
        #![allow(clippy::unwrap_used)]
        use super::super::rustls_setup::client_config;
        use super::super::*;
        use ::rustls::RootCertStore;

        #[test]
        #[cfg(feature = "rustls-ring")]
        fn a_config_with_the_ring_provider_builds() {
            let provider = ::rustls::crypto::ring::default_provider();
            assert!(client_config(provider, RootCertStore::empty()).is_ok());
        }

        #[test]
        #[cfg(feature = "rustls-aws-lc")]
        fn a_config_with_the_aws_lc_provider_builds() {
            let provider = ::rustls::crypto::aws_lc_rs::default_provider();
            assert!(client_config(provider, RootCertStore::empty()).is_ok());
        }

        #[test]
        #[cfg(feature = "webpki-roots")]
        fn webpki_roots_are_compiled_in() {
            use super::super::rustls_setup::root_store;
            assert!(root_store().unwrap().len() >= webpki_roots::TLS_SERVER_ROOTS.len()); // ok: a unit test; a panic is its failure report
        }

        #[test]
        fn the_shared_config_builds_once_and_is_shared() {
            let first = rustls_config().unwrap(); // ok: a unit test; a panic is its failure report
            let second = rustls_config().unwrap(); // ok: a unit test; a panic is its failure report
            assert!(std::sync::Arc::ptr_eq(&first, &second));
        }
    }
}
