//! Replays every file of the fuzz corpus (`fuzz/corpus/<target>/`) through the same entry points
//! the cargo-fuzz targets call, so CI exercises them on the stable toolchain; and keeps the
//! generated seeds current.
//!
//! Seeds of `client_ops` are hand-built scenarios (`eventsub_proto::fuzzing::client_ops_seeds`),
//! those of `typed_event` the event fixtures (`tests/fixtures/events/`), those of
//! `url_and_close_reason` the table below. To write them after a change:
//! `WRITE_FUZZ_SEEDS=1 cargo test -p eventsub-tests --test fuzz_corpus seeds`.

use std::path::{Path, PathBuf};

use eventsub_proto::fuzzing::{self, Scenario};

/// A fuzz target's entry point.
type Target = fn(&[u8]);

/// Every target and its entry point: a corpus directory without an entry here fails the test.
const TARGETS: [(&str, Target); 7] = [
    ("envelope", fuzzing::envelope),
    ("close_code", fuzzing::close_code),
    ("client_inputs", fuzzing::client_inputs),
    ("typed_event", fuzzing::typed_event),
    ("client_ops", fuzzing::client_ops),
    ("url_and_close_reason", fuzzing::url_and_close_reason),
    ("claim_listings", fuzzing::claim_listings),
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

fn replay(target: &str, run: Target) -> usize {
    let dir = corpus().join(target);
    let mut count = 0;
    for entry in
        std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
    {
        let path = entry.expect("readable corpus entry").path();
        let data = std::fs::read(&path).expect("readable corpus file");
        run(&data);
        count += 1;
    }
    count
}

#[test]
fn every_corpus_replays_without_a_panic_or_a_broken_invariant() {
    for (target, run) in TARGETS {
        assert!(replay(target, run) > 0, "the {target} corpus is empty");
    }
}

#[test]
fn every_corpus_directory_has_a_target() {
    for entry in std::fs::read_dir(corpus()).expect("fuzz/corpus exists") {
        let name = entry.expect("readable entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            TARGETS.iter().any(|(target, _)| *target == name),
            "fuzz/corpus/{name} is replayed by no test"
        );
    }
}

/// Writes the seed under `fuzz/corpus/<target>/` with `WRITE_FUZZ_SEEDS=1`; otherwise checks it is
/// there, as generated.
fn keep_seed(target: &str, name: &str, bytes: &[u8]) {
    let path = corpus().join(target).join(name);
    if std::env::var_os("WRITE_FUZZ_SEEDS").is_some() {
        std::fs::write(&path, bytes).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        return;
    }
    let on_disk = std::fs::read(&path).unwrap_or_default();
    assert!(
        on_disk == bytes,
        "{} is missing or stale: run WRITE_FUZZ_SEEDS=1 cargo test -p eventsub-tests --test fuzz_corpus seeds",
        path.display()
    );
}

#[test]
fn client_ops_seeds_decode_to_their_scenarios_and_are_current() {
    for (name, scenario) in fuzzing::client_ops_seeds() {
        let bytes = scenario.to_bytes();
        assert_eq!(
            Scenario::from_bytes(&bytes),
            Some(scenario),
            "seed {name} does not decode to the scenario it was written from"
        );
        keep_seed("client_ops", &format!("seed-{name}"), &bytes);
    }
}

#[test]
fn typed_event_seeds_are_the_event_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/events");
    for entry in std::fs::read_dir(&fixtures).expect("tests/fixtures/events exists") {
        let path = entry.expect("readable entry").path();
        // `channel.follow.v2.json`: the type, then `v` and the version.
        let stem = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("UTF-8 name");
        let (kind, version) = stem
            .rsplit_once(".v")
            .expect("named <type>.v<version>.json");
        let payload = std::fs::read(&path).expect("readable fixture");
        let seed = fuzzing::typed_event_seed(kind, version, &payload);
        keep_seed("typed_event", &format!("seed-{stem}"), &seed);
    }
}

#[test]
fn url_and_close_reason_seeds_are_current() {
    let seeds = [
        (
            "wss",
            "wss://eventsub.wss.twitch.tv/ws?challenge=abc",
            false,
            false,
            Some(4004),
            "reconnect grace time expired",
        ),
        (
            "ws_refused",
            "ws://127.0.0.1:8080/ws",
            false,
            true,
            Some(1006),
            "",
        ),
        (
            "ws_allowed",
            "ws://127.0.0.1:8080/ws",
            true,
            true,
            Some(4007),
            "invalid reconnect",
        ),
        (
            "not_a_url",
            "eventsub.wss.twitch.tv/ws",
            false,
            false,
            None,
            "",
        ),
        (
            "inbound_traffic",
            "wss://eventsub.wss.twitch.tv/ws",
            false,
            true,
            Some(4001),
            "sending outgoing messages is not allowed",
        ),
        (
            "unicode_reason",
            "wss://[::1]:443/ws#frag",
            false,
            false,
            Some(4000),
            "serveur interne: erreur \u{1F4A5}",
        ),
    ];
    for (name, url, same_host_policy, close_new_first, code, reason) in seeds {
        let seed = fuzzing::url_and_close_reason_seed(
            url,
            same_host_policy,
            close_new_first,
            code,
            reason,
        );
        keep_seed("url_and_close_reason", &format!("seed-{name}"), &seed);
    }
}
