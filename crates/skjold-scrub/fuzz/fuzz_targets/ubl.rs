//! Fuzzes the UBL path: any bytes in, never a panic; whatever is accepted comes out
//! well-formed.
//!
//! Run with `cargo +nightly fuzz run ubl corpus/ubl` from `crates/skjold-scrub/fuzz`.
//! Crashes found go into `corpus/ubl/` so the replay test in `skjold-scrub` keeps them.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use skjold_scrub::{Config, Scrubber};

fn scrubber() -> &'static Scrubber {
    static S: OnceLock<Scrubber> = OnceLock::new();
    S.get_or_init(|| {
        Scrubber::new(Config {
            keep_clean_attachments: true,
            max_xml_bytes: 1 << 20,
            ..Config::default()
        })
        .expect("default config builds")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = scrubber().scrub_ubl(data) {
        assert!(skjold_scrub::ubl::well_formed::check_well_formed(&out.xml).is_ok());
    }
});
