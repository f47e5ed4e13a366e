//! The merged regions of an XLSX worksheet without parsing the worksheet.
//!
//! A worksheet lists its merged cells in `<mergeCells>` after `<sheetData>`,
//! so they are needed before the rows but stored after them. calamine finds
//! them by parsing the whole worksheet as XML, which for a 500,000-row roster
//! (244 MB of XML) costs as much as reading the rows. Here the worksheet is
//! only inflated and searched for the end of `<sheetData>`; the few bytes
//! after it are parsed as XML.
//!
//! Anything unusual — a part that cannot be found by its exact name, an
//! empty `<sheetData/>`, an unreadable reference, a tail over
//! [`MAX_TAIL`] — answers `None`, and the caller asks calamine instead, so
//! the result is never worse than calamine's.

use std::collections::HashMap;
use std::io::{Read, Seek};

use quick_xml::events::Event;

/// A merged region: (row, column) of its first and last cell, from 0.
pub(crate) type Region = ((u32, u32), (u32, u32));

/// Largest part of a worksheet after `</sheetData>` kept (merges, conditional
/// formats, data validations…).
const MAX_TAIL: usize = 16 * 1024 * 1024;

/// The merged regions of every worksheet whose part is found, by sheet name
/// (as the workbook names it).
pub(crate) fn merges_by_sheet<R: Read + Seek>(reader: &mut R) -> HashMap<String, Vec<Region>> {
    let Ok(mut zip) = zip::ZipArchive::new(reader) else {
        return HashMap::new();
    };
    let Some(paths) = sheet_paths(&mut zip) else {
        return HashMap::new();
    };
    paths
        .into_iter()
        .filter_map(|(name, path)| Some((name, scan(&mut zip, &path)?)))
        .collect()
}

fn part<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<Vec<u8>> {
    let mut f = zip.by_name(name).ok()?;
    // Package parts other than worksheets are small; a huge one is not worth
    // a fast path.
    if f.size() > 16 * 1024 * 1024 {
        return None;
    }
    let mut out = Vec::with_capacity(f.size() as usize);
    f.read_to_end(&mut out).ok()?;
    Some(out)
}

/// Each element with the local name `element` in `xml`: its attributes by
/// local name, unescaped.
fn elements(xml: &[u8], element: &str) -> Option<Vec<HashMap<String, String>>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == element => {
                let mut attrs = HashMap::new();
                for attr in e.attributes() {
                    let attr = attr.ok()?;
                    let key = attr.key.local_name().as_ref().to_string();
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .ok()?
                        .into_owned();
                    attrs.insert(key, value);
                }
                out.push(attrs);
            }
            Event::Eof => return Some(out),
            _ => {}
        }
        buf.clear();
    }
}

/// Worksheet name → part path, resolved as calamine resolves it: the package
/// relationships name the workbook, the workbook's relationships each sheet's
/// part.
fn sheet_paths<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<Vec<(String, String)>> {
    let rels = part(zip, "_rels/.rels")?;
    let target = elements(&rels, "Relationship")?
        .into_iter()
        .find(|r| {
            r.get("Type")
                .is_some_and(|t| t.ends_with("/relationships/officeDocument"))
        })?
        .remove("Target")?;
    let (dir, workbook) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let dir = dir.strip_prefix('/').unwrap_or(dir);
    let workbook = if workbook.is_empty() {
        "workbook.xml"
    } else {
        workbook
    };
    let rels = part(zip, &format!("{dir}_rels/{workbook}.rels"))?;
    let targets: HashMap<String, String> = elements(&rels, "Relationship")?
        .into_iter()
        .filter_map(|mut r| Some((r.remove("Id")?, r.remove("Target")?)))
        .collect();
    let book = part(zip, &format!("{dir}{workbook}"))?;
    elements(&book, "sheet")?
        .into_iter()
        .map(|mut s| {
            let name = s.remove("name")?;
            let target = targets.get(s.get("id")?)?;
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("{dir}{target}"),
            };
            Some((name, path))
        })
        .collect()
}

/// The merged regions of the worksheet part at `path`.
fn scan<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, path: &str) -> Option<Vec<Region>> {
    let mut f = zip.by_name(path).ok()?;
    let finder = memchr::memmem::Finder::new(b"sheetData>");
    // Bytes kept from the previous chunk so that a match across two chunks
    // (and the `</x:` before it) is seen.
    const KEEP: usize = 64;
    let mut buf = vec![0u8; 1 << 18];
    let mut held = 0usize;
    let mut tail: Option<Vec<u8>> = None;
    loop {
        let n = f.read(&mut buf[held..]).ok()?;
        if n == 0 {
            break;
        }
        let filled = held + n;
        if let Some(tail) = tail.as_mut() {
            tail.extend_from_slice(&buf[held..filled]);
            if tail.len() > MAX_TAIL {
                return None;
            }
            held = 0;
            continue;
        }
        let window = &buf[..filled];
        let mut end = None;
        for at in finder.find_iter(window) {
            if is_end_tag(window, at) {
                end = Some(at + b"sheetData>".len());
            }
        }
        if let Some(end) = end {
            tail = Some(window[end..].to_vec());
            held = 0;
        } else {
            let keep = KEEP.min(filled);
            buf.copy_within(filled - keep..filled, 0);
            held = keep;
        }
    }
    // No `</sheetData>`: an empty `<sheetData/>` or something unusual.
    let tail = tail?;
    // The tail closes an element it did not open (`</worksheet>`).
    let mut reader = quick_xml::Reader::from_reader(tail.as_slice());
    reader.config_mut().allow_unmatched_ends = true;
    let mut regions = Vec::new();
    let mut ebuf = Vec::new();
    loop {
        match reader.read_event_into(&mut ebuf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "mergeCell" => {
                let value = e.try_get_attribute("ref").ok()??;
                regions.push(parse_range(&value.value)?);
            }
            Event::Eof => break,
            _ => {}
        }
        ebuf.clear();
    }
    Some(regions)
}

/// Whether the `sheetData>` at `at` closes an element: `</sheetData>` or
/// `</prefix:sheetData>`.
fn is_end_tag(window: &[u8], at: usize) -> bool {
    let mut i = at;
    if i > 0 && window[i - 1] == b':' {
        i -= 1;
        while i > 0
            && (window[i - 1].is_ascii_alphanumeric()
                || matches!(window[i - 1], b'_' | b'-' | b'.'))
        {
            i -= 1;
        }
    }
    i >= 2 && &window[i - 2..i] == b"</"
}

/// `A1:C3` (or `B2` alone) as ((row, column), (row, column)) from 0.
pub(crate) fn parse_range(text: &str) -> Option<Region> {
    let (start, end) = text.split_once(':').unwrap_or((text, text));
    let (start, end) = (parse_cell(start)?, parse_cell(end)?);
    // A reversed range is left to calamine (which refuses the file).
    (start.0 <= end.0 && start.1 <= end.1).then_some((start, end))
}

fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().trim_start_matches('$');
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut column: u32 = 0;
    for b in text[..letters].bytes() {
        column = column * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    let row: u32 = text[letters..].trim_start_matches('$').parse().ok()?;
    if row == 0 || column > 16_384 || row > 1_048_576 {
        return None;
    }
    Some((row - 1, column - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("A1:C3"), Some(((0, 0), (2, 2))));
        assert_eq!(parse_range("B2"), Some(((1, 1), (1, 1))));
        assert_eq!(parse_range("$AA$10:$AB$12"), Some(((9, 26), (11, 27))));
        assert_eq!(
            parse_range("XFD1048576"),
            Some(((1_048_575, 16_383), (1_048_575, 16_383)))
        );
        assert_eq!(parse_range("B6:C4"), None);
        assert_eq!(parse_range("A0"), None);
        assert_eq!(parse_range("XFE1"), None);
        assert_eq!(parse_range("1A"), None);
        assert_eq!(parse_range(""), None);
    }

    /// A workbook with a title merged across the header and a village
    /// merged down its rows.
    fn merged_book() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let format = rust_xlsxwriter::Format::new();
        let s = book.add_worksheet().set_name("Danh sách & thôn").unwrap();
        s.merge_range(0, 0, 0, 3, "DANH SÁCH", &format).unwrap();
        s.write(2, 0, "Họ và tên").unwrap();
        s.write(2, 1, "Thôn/TDP").unwrap();
        for r in 3..9 {
            s.write(r, 0, format!("Người {r}")).unwrap();
        }
        s.merge_range(3, 1, 8, 1, "Thôn 1", &format).unwrap();
        book.add_worksheet().set_name("Trống").unwrap();
        book.save_to_buffer().unwrap()
    }

    fn calamine_merges(bytes: &[u8], sheet: &str) -> Vec<Region> {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let _ = book.sheet_names();
        book.merge_cells_by_sheet_name(sheet)
            .unwrap()
            .into_iter()
            .map(|d| (d.start, d.end))
            .collect()
    }

    #[test]
    fn finds_what_calamine_finds_without_parsing_the_rows() {
        let bytes = merged_book();
        let found = merges_by_sheet(&mut std::io::Cursor::new(&bytes));
        let mut expected = calamine_merges(&bytes, "Danh sách & thôn");
        expected.sort();
        let mut got = found["Danh sách & thôn"].clone();
        got.sort();
        assert_eq!(got, expected);
        assert_eq!(got, [((0, 0), (0, 3)), ((3, 1), (8, 1))]);
        // An empty worksheet (`<sheetData/>`) is left to calamine.
        assert!(!found.contains_key("Trống"));
    }

    #[test]
    fn anything_unusual_is_left_to_calamine() {
        assert!(merges_by_sheet(&mut std::io::Cursor::new(b"not a zip".to_vec())).is_empty());
        // A zip without the package relationships.
        let mut zip = Vec::new();
        {
            let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
            w.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, b"<workbook/>").unwrap();
            w.finish().unwrap();
        }
        assert!(merges_by_sheet(&mut std::io::Cursor::new(zip)).is_empty());
    }

    #[test]
    fn end_tags() {
        assert!(is_end_tag(b"</sheetData>", 2));
        assert!(is_end_tag(b"</x:sheetData>", 4));
        assert!(!is_end_tag(b"<sheetData>", 1));
        assert!(!is_end_tag(b"<x:sheetData>", 3));
        assert!(!is_end_tag(b"sheetData>", 0));
    }
}
