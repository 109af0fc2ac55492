//! Replays every file of the fuzz corpus (`fuzz/corpus/<target>/`) through the same entry points
//! the cargo-fuzz targets call, so CI exercises them on the stable toolchain.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
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
fn envelope_corpus_never_panics() {
    assert!(replay("envelope", eventsub_proto::fuzzing::envelope) > 0);
}

#[test]
fn client_inputs_corpus_never_panics_and_keeps_memory_bounded() {
    assert!(replay("client_inputs", eventsub_proto::fuzzing::client_inputs) > 0);
}

#[test]
fn close_code_corpus_never_panics() {
    assert!(replay("close_code", eventsub_proto::fuzzing::close_code) > 0);
}
