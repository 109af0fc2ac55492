//! Checks that text shown to a person or a log carries none of the given secrets.

/// Panics, naming the leak, if `text` contains any of `secrets`.
pub fn assert_hidden(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
}
