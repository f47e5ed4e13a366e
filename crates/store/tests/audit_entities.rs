//! Every kind of record the store writes to the audit log has a Vietnamese
//! name in `audit::ENTITIES`, so the audit pages can name and filter it:
//! the kinds are read from the store's source, from each `audit!` call and
//! each of the importer's audit rows.

use std::collections::BTreeSet;
use std::path::Path;

use toso_store::audit::{entity_label, ENTITIES};

/// The first string literal of each call to `call` in `text`: the entity
/// of an `audit!(tx, actor, [province: p,] commune, "entity", …)`, of an
/// `audit_row(commune, "entity", …)` and of the importer's
/// `created("entity", …)`.
fn entities_of<'a>(text: &'a str, call: &str, out: &mut BTreeSet<&'a str>) {
    let mut rest = text;
    while let Some(at) = rest.find(call) {
        // A call of this name, not of a longer one (`import_audit_row(`).
        let own = !rest[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let args = &rest[at + call.len()..];
        let end = args.find(';').unwrap_or(args.len());
        if let Some(literal) = args[..end].split('"').nth(1).filter(|_| own) {
            if literal.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                out.insert(literal);
            }
        }
        rest = args;
    }
}

#[test]
fn every_audited_kind_of_record_has_a_vietnamese_name() {
    let sources = toso_testkit::rust_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let mut written = BTreeSet::new();
    for text in &sources {
        for call in ["audit!(", "audit_row(", "created("] {
            entities_of(text, call, &mut written);
        }
    }
    // The macro's own definition names no entity; the calls name many.
    assert!(written.len() > 15, "the calls are found: {written:?}");
    let named: BTreeSet<&str> = ENTITIES.iter().map(|(code, _)| *code).collect();
    let missing: Vec<_> = written.difference(&named).collect();
    assert!(missing.is_empty(), "audited without a name: {missing:?}");
    assert_eq!(named.len(), ENTITIES.len(), "each kind is named once");
    for (code, label) in ENTITIES {
        assert_eq!(entity_label(code), *label);
        assert!(!label.is_empty() && !label.contains('_'), "{code}: {label}");
    }
    assert_eq!(entity_label("reporting_request"), "Yêu cầu báo cáo");
    // A kind the list does not know is shown as it is stored.
    assert_eq!(entity_label("khac"), "khac");
}
