//! Rendering a frozen report to its files: DOCX (toso-reports), PDF
//! (toso-pdf, typst) and the XLSX annex, and the files' names. The web's
//! downloads and the CLI's `toso report` both come here, so a report's
//! files are made in one place.

use toso_reports::Snapshot;
use toso_store::{Report, ReportingRequest};

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

/// Render a frozen report to one file. The same snapshot always gives the
/// same bytes (the renderers take every date from the snapshot).
pub fn render_file(snapshot: &Snapshot, kind: FileKind) -> Result<Vec<u8>, String> {
    match kind {
        FileKind::Docx => {
            toso_reports::docx::render_docx(&snapshot.document).map_err(|e| e.to_string())
        }
        FileKind::Pdf => toso_pdf::render_pdf(&snapshot.document).map_err(|e| e.to_string()),
        FileKind::Xlsx => toso_reports::xlsx::render_annex_dated(
            &snapshot.annexes,
            snapshot.document.generated_on,
        )
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

fn file_name_of(doc_number: &str, commune_code: i32, version: i32, kind: FileKind) -> String {
    // "1907/QĐ-UBND" → "1907-QD-UBND": folded to ASCII, the rest a dash.
    let number: String = toso_domain::fold(doc_number)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "bao-cao-{}-{}-v{}.{}",
        number,
        commune_code,
        version,
        kind.extension()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
