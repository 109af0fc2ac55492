#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| eventsub_proto::fuzzing::claim_listings(data));
