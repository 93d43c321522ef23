#![cfg(target_arch = "wasm32")]
//! `Timestamp` parsing and formatting, run in headless Chromium.

use reeldb::Timestamp;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn formats_and_parses_scenario_times() {
    let t = Timestamp::from_secs(1_608_821_700);
    assert_eq!(t.to_string(), "2020-12-24 14:55:00");
    assert_eq!(Timestamp::parse("2020-12-24 14:55:00"), Some(t));
    assert_eq!(Timestamp::parse("2020-12-24T14:55:00"), Some(t));
    assert_eq!(Timestamp::parse("2020-12-24 14:55:00.5").unwrap().0, t.0 + 500_000);
    assert_eq!(Timestamp(t.0 + 42).to_string(), "2020-12-24 14:55:00.000042");
}

#[wasm_bindgen_test]
fn handles_times_before_the_epoch() {
    let t = Timestamp::parse("1969-12-31 23:59:59").unwrap();
    assert_eq!(t.secs(), -1);
    assert_eq!(t.to_string(), "1969-12-31 23:59:59");
    let t = Timestamp(-1);
    assert_eq!(t.secs(), -1);
    assert_eq!(t.subsec_micros(), 999_999);
    assert_eq!(t.to_string(), "1969-12-31 23:59:59.999999");
}

#[wasm_bindgen_test]
fn rejects_impossible_dates() {
    for bad in [
        "2021-02-29",
        "2020-13-01",
        "2020-00-10",
        "2020-01-01 24:00:00",
        "2020-01-01 10:61:00",
        "2020-01-01 10:00:00.1234567",
        "x",
        "",
    ] {
        assert_eq!(Timestamp::parse(bad), None, "{bad}");
    }
    assert!(Timestamp::parse("2020-02-29").is_some());
    assert!(Timestamp::parse("2000-02-29").is_some());
    assert!(Timestamp::parse("1900-02-29").is_none());
}

#[wasm_bindgen_test]
fn round_trips_every_day_of_four_centuries() {
    // 146 097 days: one full Gregorian cycle, through the JS number boundary
    // of i64 arithmetic compiled to wasm32.
    let start = Timestamp::parse("1900-01-01").unwrap().secs() / 86_400;
    for day in start..start + 146_097 {
        let t = Timestamp::from_secs(day * 86_400 + 3_723);
        let text = t.to_string();
        assert_eq!(Timestamp::parse(&text), Some(t), "{text}");
    }
}

#[wasm_bindgen_test]
fn system_clock_reads_the_browser_clock() {
    let now = Timestamp::system_now();
    // After 2024-01-01 and before 2200-01-01.
    assert!(now > Timestamp::from_secs(1_704_067_200), "{now}");
    assert!(now < Timestamp::parse("2200-01-01").unwrap(), "{now}");
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(reeldb::wasm::version(), env!("CARGO_PKG_VERSION"));
}
