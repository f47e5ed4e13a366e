//! Helpers shared by the renderer tests: unzip a part, check XML
//! well-formedness, extract paragraph text, find external tools.

#![allow(dead_code)]

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::Reader;

/// The text of one entry of a zip archive.
pub fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a valid zip archive");
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name} missing from the archive: {e}"));
    let mut text = String::new();
    file.read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"));
    text
}

/// Names of the entries of a zip archive, in order.
pub fn zip_names(bytes: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a valid zip archive");
    archive
        .file_names()
        .map(|n| n.expect("a UTF-8 entry name").into_owned())
        .collect()
}

fn legal_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn resolve_entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x") {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok()
            } else {
                None
            };
            let c = code
                .and_then(char::from_u32)
                .unwrap_or_else(|| panic!("unknown entity &{name};"));
            assert!(
                legal_xml_char(c),
                "entity &{name}; is not a legal XML character"
            );
            c.to_string()
        }
    }
}

/// Checks that `xml` is a well-formed XML 1.0 document (one root, tags
/// matched, only the five predefined entities, no illegal characters) and
/// returns the text of every `<w:p>` (its `<w:t>` joined, a
/// `<w:noBreakHyphen/>` read as "-"), in document order.
pub fn paragraphs(xml: &str) -> Vec<String> {
    if let Some((i, c)) = xml.char_indices().find(|(_, c)| !legal_xml_char(*c)) {
        panic!(
            "character U+{:04X} illegal in XML 1.0 at byte {i}",
            c as u32
        );
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut paras: Vec<String> = Vec::new();
    let mut open_paras: Vec<String> = Vec::new();
    let mut in_t = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if stack.is_empty() {
                    roots += 1;
                }
                let name = e.name().as_ref().to_string();
                match name.as_str() {
                    "w:p" => open_paras.push(String::new()),
                    "w:t" => in_t = true,
                    _ => {}
                }
                stack.push(name);
            }
            Ok(Event::Empty(e)) => {
                if stack.is_empty() {
                    roots += 1;
                }
                match e.name().as_ref() {
                    "w:p" => paras.push(String::new()),
                    // Printed as "-" (a hyphen Word does not break after).
                    "w:noBreakHyphen" => {
                        if let Some(p) = open_paras.last_mut() {
                            p.push('-');
                        }
                    }
                    _ => {}
                }
            }
            Ok(Event::End(e)) => {
                let open = stack.pop().expect("an end tag without a start");
                assert_eq!(open.as_str(), e.name().as_ref());
                match open.as_str() {
                    "w:p" => paras.push(open_paras.pop().unwrap()),
                    "w:t" => in_t = false,
                    _ => {}
                }
            }
            Ok(Event::Text(t)) => {
                let text = t.xml10_content();
                if stack.is_empty() {
                    assert!(text.trim().is_empty(), "text outside the root element");
                }
                if in_t {
                    if let Some(p) = open_paras.last_mut() {
                        p.push_str(&text);
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let resolved = resolve_entity(&r);
                if in_t {
                    if let Some(p) = open_paras.last_mut() {
                        p.push_str(&resolved);
                    }
                }
            }
            Ok(Event::CData(_)) => {}
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at byte {}: {e}", reader.buffer_position()),
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1, "an XML document has exactly one root element");
    paras
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Finds `program` on PATH or fails naming the Debian package to install.
pub fn require_tool(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(program);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "`{program}` not found on PATH: install the Debian package {package} \
         (apt-get install -y {package}); this test does not skip"
    );
}
