//! Report body templates: parse then check never panic; what parses keeps
//! its line numbers in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use toso_reports::template;

const KNOWN: &[&str] = &[
    "members",
    "villages",
    "teams",
    "documents",
    "commune",
    "year",
];

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(lines) = template::parse(s) {
        assert!(lines.windows(2).all(|w| w[0].number < w[1].number));
        assert!(lines.iter().all(|l| l.heading <= 3 && !l.parts.is_empty()));
        let _ = template::placeholders(&lines);
        let _ = template::check(&lines, KNOWN);
    }
});
