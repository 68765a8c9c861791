#![no_main]
//! See harness.rs for the input layout and what is checked.

mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::cache(data));
