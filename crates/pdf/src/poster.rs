//! The village posters: one A4 page per village for its notice board, with
//! a QR code that opens the village's public page (and a second one for the
//! team's Zalo group when it has one), the members who agreed to be listed
//! and the commune's quick-response contact.
//!
//! Laid out like the reports (see the crate's documentation): the posters
//! go to a fixed template (`poster.typ`) as JSON data (`/poster.json`),
//! never as markup, in the same closed world with the same fonts, and the
//! same strictness; each QR code is an SVG string of that data, which the
//! template shows with `image(bytes(..))`. The same posters always give
//! the same bytes (the creation date is the day they are printed on).

use std::sync::LazyLock;

use chrono::NaiveDate;
use qrcode::render::svg;
use qrcode::QrCode;
use serde::Serialize;

use crate::{creation_date, export, lay_out, PdfError, Template};

/// The fixed typst template of the posters.
const POSTER_TEMPLATE: &str = include_str!("poster.typ");
/// Virtual path of the posters' template.
const POSTER_PATH: &str = "/poster.typ";
/// Virtual path of the posters' data.
const POSTER_DATA_PATH: &str = "/poster.json";

/// Members listed on a poster at most; the others are counted ("và 3
/// thành viên khác") so that a poster always fits on one page.
pub const POSTER_MAX_MEMBERS: usize = 12;

static POSTER: LazyLock<Template> =
    LazyLock::new(|| Template::new(POSTER_PATH, POSTER_DATA_PATH, POSTER_TEMPLATE));

/// One village's poster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Poster {
    pub province_name: String,
    pub commune_name: String,
    pub village_name: String,
    /// The village's team (none when the village has no team yet).
    pub team_name: Option<String>,
    /// The members who agreed to be listed, leader first.
    pub members: Vec<PosterMember>,
    /// The village's public page, which the big QR code opens.
    pub page_url: String,
    /// The village's code ("ABCD2345"), printed grouped ("ABCD-2345").
    pub page_code: String,
    /// The team's Zalo group, as a second QR code.
    pub zalo_link: Option<String>,
    /// The commune's quick-response team, for urgent help.
    pub quick_response: Option<PosterContact>,
    /// Printed at the foot of the poster; also the PDF's creation date.
    pub printed_on: NaiveDate,
}

/// A listed member: name, role and phone as printed ("Tổ trưởng",
/// "0912 345 678"; an empty phone when none is listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PosterMember {
    pub name: String,
    pub role: String,
    pub phone: String,
}

/// Whom to call in the commune's quick-response team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PosterContact {
    pub team_name: String,
    pub name: String,
    pub phone: String,
}

/// Renders `posters` as one A4 PDF, one page per poster, in order.
///
/// Refuses an empty list, a link too long for a QR code, and posters that
/// would not fit on their page. The same posters always give byte-identical
/// output.
pub fn render_posters(posters: &[Poster]) -> Result<Vec<u8>, PdfError> {
    let Some(first) = posters.first() else {
        return Err(PdfError::Layout(
            "không có thôn nào để in tờ thông tin".into(),
        ));
    };
    let date = creation_date(first.printed_on)?;
    let data = PostersData {
        title: format!(
            "Tờ thông tin Tổ công nghệ số cộng đồng – {}, {}",
            first.commune_name, first.province_name
        ),
        posters: posters
            .iter()
            .map(PosterData::of)
            .collect::<Result<_, _>>()?,
    };
    let document = lay_out(&POSTER, serde_json::to_vec(&data)?, date)?;
    let pages = document.pages().len();
    if pages != posters.len() {
        return Err(PdfError::Layout(format!(
            "tờ thông tin không vừa mỗi thôn một trang A4 ({pages} trang cho {} thôn)",
            posters.len()
        )));
    }
    let codes: Vec<&str> = posters.iter().map(|p| p.page_code.as_str()).collect();
    export(
        &document,
        format!("toso-poster|{}|{}", first.printed_on, codes.join(",")),
        date,
    )
}

/// What the template reads from `/poster.json`.
#[derive(Serialize)]
struct PostersData {
    title: String,
    posters: Vec<PosterData>,
}

/// One poster as the template prints it: every text as printed.
#[derive(Serialize)]
struct PosterData {
    village_name: String,
    /// "Đặc khu Cát Hải, Thành phố Hải Phòng".
    place: String,
    team_name: Option<String>,
    /// At most [`POSTER_MAX_MEMBERS`].
    members: Vec<PosterMember>,
    /// "và 3 thành viên khác", when some are left out.
    more: Option<String>,
    page_url: String,
    /// "Mã thôn: ABCD-2345".
    code_line: String,
    /// The page's QR code, as SVG.
    page_qr: String,
    zalo: Option<ZaloData>,
    quick_response: Option<PosterContact>,
    /// "In ngày 05/01/2026".
    printed: String,
}

#[derive(Serialize)]
struct ZaloData {
    link: String,
    /// The group's QR code, as SVG.
    qr: String,
}

impl PosterData {
    fn of(p: &Poster) -> Result<PosterData, PdfError> {
        let left_out = p.members.len().saturating_sub(POSTER_MAX_MEMBERS);
        Ok(PosterData {
            village_name: p.village_name.clone(),
            place: format!("{}, {}", p.commune_name, p.province_name),
            team_name: p.team_name.clone(),
            members: p.members.iter().take(POSTER_MAX_MEMBERS).cloned().collect(),
            more: (left_out > 0).then(|| format!("và {left_out} thành viên khác")),
            page_url: p.page_url.clone(),
            code_line: format!("Mã thôn: {}", grouped_code(&p.page_code)),
            page_qr: qr_svg(&p.page_url)?,
            zalo: match &p.zalo_link {
                Some(link) => Some(ZaloData {
                    link: link.clone(),
                    qr: qr_svg(link)?,
                }),
                None => None,
            },
            quick_response: p.quick_response.clone(),
            printed: format!("In ngày {}", p.printed_on.format("%d/%m/%Y")),
        })
    }
}

/// A village code grouped for reading: "ABCD2345" → "ABCD-2345" (as
/// `toso_domain::display_code` does); any other text as it is.
fn grouped_code(code: &str) -> String {
    if code.len() == 8 && code.is_ascii() {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

/// `link` as a QR code in SVG: one unit per module, with the quiet zone
/// the standard asks for (4 modules), black on white.
fn qr_svg(link: &str) -> Result<String, PdfError> {
    let code = QrCode::new(link.as_bytes()).map_err(|_| PdfError::Qr(link.to_owned()))?;
    Ok(code
        .render::<svg::Color>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poster(members: usize) -> Poster {
        Poster {
            province_name: "Thành phố Hải Phòng".into(),
            commune_name: "Đặc khu Cát Hải".into(),
            village_name: "Tổ dân phố 1".into(),
            team_name: Some("Tổ công nghệ số cộng đồng Tổ dân phố 1".into()),
            members: (1..=members)
                .map(|i| PosterMember {
                    name: format!("Nguyễn Văn {i}"),
                    role: "Thành viên".into(),
                    phone: "0912 345 678".into(),
                })
                .collect(),
            page_url: "http://localhost:8080/v/ABCD2345".into(),
            page_code: "ABCD2345".into(),
            zalo_link: None,
            quick_response: None,
            printed_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        }
    }

    #[test]
    fn the_code_is_grouped_four_and_four() {
        assert_eq!(grouped_code("ABCD2345"), "ABCD-2345");
        assert_eq!(grouped_code("ABC"), "ABC");
    }

    #[test]
    fn a_long_member_list_is_cut_and_counted() {
        let data = PosterData::of(&poster(15)).unwrap();
        assert_eq!(data.members.len(), POSTER_MAX_MEMBERS);
        assert_eq!(data.more.as_deref(), Some("và 3 thành viên khác"));
        assert_eq!(data.code_line, "Mã thôn: ABCD-2345");
        assert_eq!(data.printed, "In ngày 05/01/2026");
        let data = PosterData::of(&poster(12)).unwrap();
        assert_eq!(data.members.len(), 12);
        assert!(data.more.is_none());
    }

    #[test]
    fn the_qr_code_is_an_svg_with_its_quiet_zone() {
        let svg = qr_svg("http://localhost:8080/v/ABCD2345").unwrap();
        assert!(svg.contains("<svg"), "{svg}");
        // Version 3 (29 modules) plus 4 modules of quiet zone each side.
        assert!(svg.contains(r#"viewBox="0 0 37 37""#), "{svg}");
        let too_long = "x".repeat(8000);
        assert!(matches!(qr_svg(&too_long), Err(PdfError::Qr(_))));
    }

    #[test]
    fn no_poster_is_refused() {
        assert!(matches!(render_posters(&[]), Err(PdfError::Layout(_))));
    }

    #[test]
    fn fifteen_members_still_fit_on_one_page() {
        let mut p = poster(15);
        p.zalo_link = Some("https://zalo.me/g/xuubpv554".into());
        p.quick_response = Some(PosterContact {
            team_name: "Đội hỗ trợ chuyển đổi số phản ứng nhanh".into(),
            name: "Trần Thị Bình".into(),
            phone: "0987 654 321".into(),
        });
        for m in &mut p.members {
            m.name = format!("{} Nguyễn Thị Hoàng Phương Thảo Nguyên", m.name);
        }
        let pdf = render_posters(&[p]).expect("renders");
        assert!(pdf.starts_with(b"%PDF"));
    }
}
