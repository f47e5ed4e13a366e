//! Rendering a frozen report to its files: DOCX (toso-reports), PDF
//! (toso-pdf, typst) and the XLSX annex, and the files' names. The web's
//! downloads and the CLI's `toso report` both come here, so a report's
//! files are made in one place: a commune's report and the Department's
//! consolidated report both go through [`render_file`]. The DOCX and the
//! PDF print the annexes after the document, on landscape pages (versions
//! frozen before they did render as they were: the document alone); the
//! XLSX holds them as sheets.

use toso_reports::Printed;
use toso_store::{ProvinceReport, Report, ReportingRequest};

/// A file of a generated report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Docx,
    Pdf,
    Xlsx,
}

impl FileKind {
    pub const ALL: [FileKind; 3] = [FileKind::Docx, FileKind::Pdf, FileKind::Xlsx];

    pub fn parse(s: &str) -> Option<FileKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "docx" => Some(FileKind::Docx),
            "pdf" => Some(FileKind::Pdf),
            "xlsx" => Some(FileKind::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Docx => "docx",
            FileKind::Pdf => "pdf",
            FileKind::Xlsx => "xlsx",
        }
    }

    /// The MIME type a download is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Pdf => "application/pdf",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Render what a frozen report prints, a commune's or a province's, to one
/// file: the DOCX or the PDF of the document followed by its annexes (when
/// the snapshot says `annex_pages`), or the XLSX of the annexes (dated with
/// the document). The same snapshot always gives the same bytes (the
/// renderers take every date from it).
pub fn render_file(report: &Printed, kind: FileKind) -> Result<Vec<u8>, String> {
    let (document, annexes) = (&report.document, &report.annexes[..]);
    let printed = if report.annex_pages { annexes } else { &[] };
    match kind {
        FileKind::Docx => {
            toso_reports::render_docx_with_annexes(document, printed).map_err(|e| e.to_string())
        }
        FileKind::Pdf => {
            toso_pdf::render_pdf_with_annexes(document, printed).map_err(|e| e.to_string())
        }
        FileKind::Xlsx => toso_reports::xlsx::render_annex_dated(annexes, document.generated_on)
            .map_err(|e| e.to_string()),
    }
}

/// "bao-cao-4675-SKHCN-CNTT-11914-v2.pdf": ASCII, safe in any header.
pub fn file_name(request: &ReportingRequest, report: &Report, kind: FileKind) -> String {
    file_name_of(
        &request.doc_number,
        report.commune_code,
        report.version,
        kind,
    )
}

/// "bao-cao-tong-hop-4675-SKHCN-CNTT-31-v1.pdf": the Department's
/// consolidated report, named by the request, the province and the version.
pub fn province_file_name(
    request: &ReportingRequest,
    report: &ProvinceReport,
    kind: FileKind,
) -> String {
    format!(
        "bao-cao-tong-hop-{}-{}-v{}.{}",
        ascii_number(&request.doc_number),
        report.province_code,
        report.version,
        kind.extension()
    )
}

fn file_name_of(doc_number: &str, commune_code: i32, version: i32, kind: FileKind) -> String {
    format!(
        "bao-cao-{}-{}-v{}.{}",
        ascii_number(doc_number),
        commune_code,
        version,
        kind.extension()
    )
}

/// A document number in a file name: "1907/QĐ-UBND" → "1907-QD-UBND",
/// folded to ASCII, anything else a dash.
pub fn ascii_number(doc_number: &str) -> String {
    toso_domain::fold(doc_number)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot frozen before the DOCX and the PDF printed the annexes
    /// (no `annex_pages` in its JSON) renders as it did: the document alone,
    /// byte for byte; a snapshot frozen since prints them after it. The
    /// XLSX holds them either way.
    #[test]
    fn a_version_frozen_before_annex_pages_renders_as_it_was() {
        use toso_reports::{Annex, Cell, Document, Snapshot};
        let document = Document::sample();
        let annex = Annex {
            title: "Phụ lục: Tổ công nghệ số cộng đồng theo thôn".into(),
            subtitle: vec!["Xã Thử".into()],
            columns: vec![
                "STT".into(),
                "Thôn, tổ dân phố".into(),
                "Số thành viên".into(),
            ],
            rows: vec![vec![
                Cell::Number(1.0),
                Cell::Text("Thôn Một".into()),
                Cell::Number(7.0),
            ]],
            totals: None,
        };
        let new = Snapshot {
            commune_code: 1,
            printed: Printed {
                as_of: document.generated_on,
                document: document.clone(),
                annexes: vec![annex.clone()],
                annex_pages: true,
                figures: vec![],
            },
            values: vec![],
        };
        let mut json = serde_json::to_value(&new).unwrap();
        assert_eq!(json["annex_pages"], true);
        json.as_object_mut().unwrap().remove("annex_pages");
        let old: Snapshot = serde_json::from_value(json).unwrap();
        assert!(!old.printed.annex_pages);
        let alone = toso_reports::render_docx_with_annexes(&document, &[]).unwrap();
        assert_eq!(render_file(&old.printed, FileKind::Docx).unwrap(), alone);
        assert_ne!(render_file(&new.printed, FileKind::Docx).unwrap(), alone);
        let pdf_alone = toso_pdf::render_pdf_with_annexes(&document, &[]).unwrap();
        assert_eq!(render_file(&old.printed, FileKind::Pdf).unwrap(), pdf_alone);
        assert!(render_file(&new.printed, FileKind::Pdf).unwrap().len() > pdf_alone.len());
        assert_eq!(
            render_file(&old.printed, FileKind::Xlsx).unwrap(),
            render_file(&new.printed, FileKind::Xlsx).unwrap()
        );
        // Written back, the old snapshot stays without the field.
        assert!(serde_json::to_value(&old)
            .unwrap()
            .get("annex_pages")
            .is_none());
    }

    #[test]
    fn file_names_are_ascii() {
        assert_eq!(
            file_name_of("4675/SKHCN-CNTT", 11914, 1, FileKind::Pdf),
            "bao-cao-4675-SKHCN-CNTT-11914-v1.pdf"
        );
        assert_eq!(
            file_name_of("12/QĐ-UBND \"x\";", 4, 2, FileKind::Docx),
            "bao-cao-12-QD-UBND--X---4-v2.docx"
        );
        assert_eq!(FileKind::parse(" PDF "), Some(FileKind::Pdf));
        assert_eq!(FileKind::parse("odt"), None);
    }

    #[test]
    fn a_province_report_is_named_by_request_province_and_version() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2025, 12, d).unwrap();
        let request = ReportingRequest {
            id: 3,
            province_code: 31,
            commune_code: None,
            doc_number: "4675/SKHCN-CNTT".into(),
            issued_on: day(19),
            issuer: "Sở Khoa học và Công nghệ".into(),
            subject: "Về việc báo cáo".into(),
            deadline: None,
            as_of: day(1),
            period_from: None,
            grace_days: 0,
            template_body: None,
        };
        let report = ProvinceReport {
            id: 9,
            province_code: 31,
            stored: toso_store::ReportVersion {
                request_id: 3,
                version: 1,
                settings: toso_store::ReportSettings {
                    as_of: day(1),
                    report_date: day(20),
                    number: "        /BC-SKHCN".into(),
                    place: "Hải Phòng".into(),
                    parent_body: None,
                    subject: "Kết quả".into(),
                    body: "Nội dung".into(),
                    recipients: "Lưu: VT.".into(),
                    signer_capacity: "GIÁM ĐỐC".into(),
                    signer_name: String::new(),
                },
                snapshot: String::new(),
                created_by: "test".into(),
                created_at: chrono::DateTime::UNIX_EPOCH,
            },
        };
        assert_eq!(
            province_file_name(&request, &report, FileKind::Pdf),
            "bao-cao-tong-hop-4675-SKHCN-CNTT-31-v1.pdf"
        );
        assert_eq!(
            province_file_name(&request, &report, FileKind::Xlsx),
            "bao-cao-tong-hop-4675-SKHCN-CNTT-31-v1.xlsx"
        );
    }
}
