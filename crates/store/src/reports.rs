//! Reporting requests (a Department's letter asking the communes to report)
//! and the communes' reports.
//!
//! A report is generated from its settings (number, dates, subject, the body
//! template, recipients, signer) and frozen into a [`Snapshot`]: the resolved
//! document with every figure as printed, the village annex, and the list of
//! figures with the indicator they came from. Files are rendered from the
//! snapshot, so a report reads the same after the data changes; a new
//! version is made explicitly and keeps the old ones.

use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use toso_domain::{
    fold, format_date, format_date_long, format_int, not_in_future, DocumentKind, DocumentNumber,
    IndicatorCode, Name, Node, PartnerOrganisation, INDICATORS,
};
use toso_reports::template;
use toso_reports::{Annex, Cell, Document, Inline, Signature, Source};

use crate::{active_on, Actor, Result, Store, StoreError};

/// A Department's request for a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ReportingRequest {
    pub id: i64,
    pub province_code: i32,
    /// `None`: sent by the province to all its communes; `Some`: registered
    /// by one commune for itself.
    pub commune_code: Option<i32>,
    pub doc_number: String,
    pub issued_on: NaiveDate,
    pub issuer: String,
    pub subject: String,
    pub deadline: Option<NaiveDate>,
    /// The date the figures are asked for.
    pub as_of: NaiveDate,
    /// Start of the period asked for, when the request names one.
    pub period_from: Option<NaiveDate>,
}

impl ReportingRequest {
    /// "Công văn số 4675/SKHCN-CNTT ngày 19/12/2025 của Sở Khoa học và Công
    /// nghệ về việc …", as the opening of a report cites it.
    pub fn citation(&self) -> String {
        format!(
            "Công văn số {} ngày {} của {} {}",
            self.doc_number,
            format_date(self.issued_on),
            self.issuer,
            lower_first(&self.subject)
        )
    }
}

#[derive(Debug, Clone)]
pub struct NewRequest {
    pub province_code: i32,
    pub commune_code: Option<i32>,
    pub number: DocumentNumber,
    pub issued_on: NaiveDate,
    pub issuer: Name,
    pub subject: Name,
    pub deadline: Option<NaiveDate>,
    pub as_of: NaiveDate,
    pub period_from: Option<NaiveDate>,
}

/// What the officer sets for one report version. Multi-line fields hold one
/// printed line per text line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ReportSettings {
    pub as_of: NaiveDate,
    pub report_date: NaiveDate,
    /// After "Số: ", e.g. "05/BC-UBND"; "   /BC-UBND" until the clerk numbers it.
    pub number: String,
    /// Place in "Cát Hải, ngày … tháng … năm …".
    pub place: String,
    pub parent_body: Option<String>,
    pub subject: String,
    /// The body template (see [`toso_reports::template`]).
    pub body: String,
    pub recipients: String,
    pub signer_capacity: String,
    pub signer_name: String,
}

/// One version of a commune's report for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub commune_code: i32,
    pub request_id: i64,
    pub version: i32,
    /// The settings this version was generated from.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub settings: ReportSettings,
    /// The frozen [`Snapshot`] as JSON text, byte for byte as generated.
    #[serde(skip)]
    pub snapshot: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<Utc>,
}

impl Report {
    /// The frozen snapshot.
    pub fn snapshot(&self) -> Result<Snapshot> {
        serde_json::from_str(&self.snapshot).map_err(|e| {
            StoreError::not_found(format!(
                "Bản chụp số liệu của báo cáo {} bị hỏng: {e}",
                self.id
            ))
        })
    }
}

/// The frozen content of a generated report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub commune_code: i32,
    pub as_of: NaiveDate,
    pub document: Document,
    pub annexes: Vec<Annex>,
    /// Every figure the document prints, in order of first use.
    pub figures: Vec<FrozenFigure>,
}

/// One figure as frozen into a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenFigure {
    pub key: String,
    pub label: String,
    pub text: String,
    pub href: String,
}

/// A placeholder the body template may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceholderInfo {
    pub key: &'static str,
    pub label: &'static str,
}

/// Placeholders that are not indicators: the request, the commune, the
/// document register, the teams' Zalo group, the dates.
const OTHER_PLACEHOLDERS: &[PlaceholderInfo] = &[
    PlaceholderInfo {
        key: "request",
        label: "Văn bản yêu cầu báo cáo (số, ngày, cơ quan ban hành, trích yếu)",
    },
    PlaceholderInfo {
        key: "commune",
        label: "Tên xã, phường, đặc khu (ví dụ «đặc khu Cát Hải»)",
    },
    PlaceholderInfo {
        key: "directives",
        label: "Các văn bản chỉ đạo của xã trong kỳ (từ sổ văn bản)",
    },
    PlaceholderInfo {
        key: "decision",
        label: "Quyết định thành lập, kiện toàn các Tổ công nghệ số cộng đồng",
    },
    PlaceholderInfo {
        key: "courses",
        label: "Các lớp bồi dưỡng, tập huấn trong kỳ (tên, hình thức, thời gian, số đăng ký và hoàn thành)",
    },
    PlaceholderInfo {
        key: "contests",
        label: "Các cuộc thi trong kỳ (tên, đơn vị phát động; số người đăng ký khi có nhiều cuộc thi)",
    },
    PlaceholderInfo {
        key: "partners",
        label: "Các tổ chức đã phối hợp trong các đợt ra quân (ví dụ «Đoàn Thanh niên, Hội Phụ nữ»)",
    },
    PlaceholderInfo {
        key: "campaign_names",
        label: "Tên các đợt ra quân trong kỳ (ví dụ «“Chủ nhật xanh”, “Tuổi trẻ chuyển đổi số”»)",
    },
    PlaceholderInfo {
        key: "zalo",
        label: "Đường liên kết nhóm Zalo hoạt động của các tổ",
    },
    PlaceholderInfo {
        key: "as_of",
        label: "Ngày số liệu (dd/mm/yyyy)",
    },
    PlaceholderInfo {
        key: "as_of_text",
        label: "Thời điểm số liệu bằng lời («hết tháng 11/2025» hoặc «ngày 15/11/2025»)",
    },
];

/// Every placeholder a template may use: the indicators, then the others.
pub fn placeholders() -> Vec<PlaceholderInfo> {
    INDICATORS
        .iter()
        .map(|d| PlaceholderInfo {
            key: d.key,
            label: d.name,
        })
        .chain(OTHER_PLACEHOLDERS.iter().cloned())
        .collect()
}

/// The built-in body template: the structure of the reference report of Cát
/// Hải (answer to 4675/SKHCN-CNTT), with every figure a placeholder and no
/// name of a place, contest, organisation or course written in: those come
/// from the commune's records ({contests}, {partners}, {campaign_names},
/// {courses}, {directives}), so the first draft is right in any province.
pub const DEFAULT_BODY: &str = "\
Thực hiện {request}. Ủy ban nhân dân {commune} báo cáo kết quả thực hiện như sau:
# I. CÔNG TÁC CHỈ ĐẠO, HƯỚNG DẪN TRIỂN KHAI THỰC HIỆN
{directives}
# II. KẾT QUẢ THỰC HIỆN
## 1. Kiện toàn các Tổ Công nghệ số
- Số lượng thôn bản, tổ dân phố trên địa bàn: Có {villages} thôn.
- Số lượng Tổ Công nghệ số trên địa bàn đã thành lập: {teams} Tổ Công nghệ số.
- Số lượng thành viên Tổ công nghệ số cộng đồng: {members} thành viên.
- Tỷ lệ số lượng Tổ CNSCĐ đã thành lập trên tổng số thôn, tổ dân phố: {coverage}.
- Quyết định kiện toàn Tổ CNSCĐ (nếu đã ban hành): {decision}.
- Nhóm zalo hoạt động Tổ CNSCĐ (nếu có): đường liên kết là {zalo}
- Đội hỗ trợ chuyển đổi số phản ứng nhanh cấp xã: {quick_response_members} thành viên.
## 2. Bồi dưỡng tập huấn nghiệp vụ
- Ủy ban nhân dân {commune} đã thành lập {teams} Tổ công nghệ số cộng đồng và Đội hỗ trợ chuyển đổi số phản ứng nhanh, với tổng số {members} thành viên thuộc {villages} thôn, tổ dân phố. Các tổ, đội có nhiệm vụ tuyên truyền, hướng dẫn người dân sử dụng dịch vụ công trực tuyến, thanh toán không dùng tiền mặt, cài đặt và khai thác các ứng dụng số phục vụ đời sống, đồng thời hỗ trợ kịp thời trong quá trình triển khai các nhiệm vụ chuyển đổi số tại cơ sở.
- Về bồi dưỡng, tập huấn: {courses}. Tổng cộng {training_courses} lớp với {trainees} lượt người đăng ký, {trainees_completed} lượt hoàn thành (đạt {training_completion}); {members_trained} thành viên tổ đã được tập huấn.
- Đến {as_of_text}, các tổ đã thực hiện {support_activities} lượt hỗ trợ với {citizens_helped} lượt người dân được hỗ trợ, trong đó hỗ trợ nộp {dossiers} hồ sơ dịch vụ công trực tuyến.
- Ủy ban nhân dân {commune} đã tích cực triển khai công tác tuyên truyền, khuyến khích cán bộ, công chức, viên chức, các Tổ Công nghệ số cộng đồng và người dân trên địa bàn tham gia {contests}. Đến {as_of_text}, Ủy ban nhân dân {commune} đã đăng ký {contest_registrations} người tham gia cuộc thi.
- Các tổ đã phối hợp với {partners} tổ chức {campaigns} đợt ra quân, tuyên truyền, hướng dẫn {campaign_reach} lượt người dân sử dụng dịch vụ số.
## 3. Một số đề xuất, giải pháp, kiến nghị
- Đẩy mạnh cơ chế phối hợp thường xuyên giữa Tổ công nghệ số cộng đồng với {partners} trong tuyên truyền, hướng dẫn người dân sử dụng dịch vụ số.
- Tổ chức lồng ghép các hoạt động của Tổ công nghệ số cộng đồng vào các chương trình, phong trào của đoàn thể như {campaign_names}./.
";

pub const DEFAULT_SUBJECT: &str = "Kết quả triển khai phát huy hiệu quả của các\n\
                                   Tổ công nghệ số cộng đồng trong hỗ trợ người dân";
pub const DEFAULT_SIGNER_CAPACITY: &str = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH";
/// The number before the clerk assigns one.
pub const UNNUMBERED: &str = "        /BC-UBND";

const SELECT_REQUEST: &str =
    "SELECT id, province_code, commune_code, doc_number, issued_on, issuer, subject, \
     deadline, as_of, period_from FROM reporting_requests";
const SELECT_REPORT: &str = "SELECT id, commune_code, request_id, version, as_of, report_date, number, place, \
     parent_body, subject, body, recipients, signer_capacity, signer_name, snapshot, created_by, created_at \
     FROM reports";

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Đặc khu Cát Hải" → ("đặc khu Cát Hải", "Cát Hải").
fn commune_names(name: &str, kind: &str) -> (String, String) {
    let lower = name.to_lowercase();
    let kind_lower = kind.to_lowercase();
    if lower.starts_with(&kind_lower) && name.len() > kind.len() {
        let short = name[kind.len()..].trim().to_string();
        (format!("{kind_lower} {short}"), short)
    } else {
        (name.to_string(), name.to_string())
    }
}

/// {contests} when the commune has recorded no contest in the period.
const NO_CONTEST: &str = "các cuộc thi về chuyển đổi số do cấp trên phát động";
/// {partners} when no campaign of the period names a partner.
const NO_PARTNER: &str = "các đoàn thể ở cơ sở";
/// {campaign_names} when the commune has recorded no campaign in the period.
const NO_CAMPAIGN: &str = "các đợt ra quân hỗ trợ người dân chuyển đổi số";

/// A contest's name without a leading "Cuộc thi", which the report prints
/// before the quotes: "Cuộc thi Công dân số" → "Công dân số".
fn contest_title(name: &str) -> &str {
    let name = name.trim();
    let prefix: String = name.chars().take(8).collect();
    let after = &name[prefix.len()..];
    if fold(&prefix) == "cuoc thi" && after.starts_with([' ', ':', '-', '–']) {
        let rest = after.trim_start_matches([' ', ':', '-', '–']);
        if !rest.is_empty() {
            return rest;
        }
    }
    name
}

/// The campaigns held in the period (from `from`, or the beginning, to
/// `as_of`), oldest first.
fn campaigns_in(
    mut campaigns: Vec<crate::Campaign>,
    from: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Vec<crate::Campaign> {
    campaigns.retain(|c| c.held_on <= as_of && from.is_none_or(|f| c.held_on >= f));
    campaigns.sort_by_key(|c| (c.held_on, c.id));
    campaigns
}

/// The organisations the campaigns were held with, in the vocabulary's
/// order, once each: "Đoàn Thanh niên, Hội Phụ nữ"; «Khác» reads "các tổ
/// chức khác". None: a neutral phrase.
fn partners_text(campaigns: &[crate::Campaign]) -> String {
    let mut partners: Vec<PartnerOrganisation> = campaigns
        .iter()
        .flat_map(|c| c.partners.iter().copied())
        .collect();
    partners.sort();
    partners.dedup();
    let mut names: Vec<&str> = partners
        .iter()
        .filter(|p| **p != PartnerOrganisation::Khac)
        .map(|p| p.label())
        .collect();
    if partners.contains(&PartnerOrganisation::Khac) {
        names.push("các tổ chức khác");
    }
    if names.is_empty() {
        NO_PARTNER.into()
    } else {
        names.join(", ")
    }
}

/// The campaigns' names in quotes, oldest first, once each:
/// "“Tuổi trẻ chuyển đổi số”, “Chủ nhật xanh”". None: a neutral phrase.
fn campaign_names_text(campaigns: &[crate::Campaign]) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for c in campaigns {
        let key = fold(&c.name);
        if !seen.contains(&key) {
            seen.push(key);
            names.push(format!("“{}”", c.name.trim()));
        }
    }
    if names.is_empty() {
        NO_CAMPAIGN.into()
    } else {
        names.join(", ")
    }
}

/// "hết tháng 11/2025" on a month's last day, else "ngày 15/11/2025".
fn as_of_text(d: NaiveDate) -> String {
    if d.succ_opt().is_some_and(|n| n.month() != d.month()) {
        format!("hết tháng {:02}/{}", d.month(), d.year())
    } else {
        format!("ngày {}", format_date(d))
    }
}

/// Lines of a multi-line field, trimmed, empty ones dropped.
fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Natural order for village names: "Tổ dân phố 2" before "Tổ dân phố 10".
fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num: Option<u64> = None;
    for c in fold(name).chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(num.unwrap_or(0).saturating_mul(10).saturating_add(d as u64));
        } else {
            if let Some(n) = num.take() {
                out.push((std::mem::take(&mut text), n));
            }
            text.push(c);
        }
    }
    out.push((text, num.unwrap_or(0)));
    out
}

fn check_len(field: &'static str, label: &str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("{label} quá dài (tối đa {max} ký tự)."),
        ));
    }
    Ok(())
}

/// Check the settings of a report version; the body template is checked
/// against the placeholder list. Returns the parsed template.
fn check_settings(s: &ReportSettings, today: NaiveDate) -> Result<Vec<template::Line>> {
    not_in_future(s.as_of, today, "as_of", "Ngày số liệu")?;
    if s.report_date < s.as_of {
        return Err(StoreError::invalid(
            "report_date",
            format!(
                "Ngày báo cáo {} không được trước ngày số liệu {}.",
                format_date(s.report_date),
                format_date(s.as_of)
            ),
        ));
    }
    if s.report_date > today + chrono::Days::new(31) {
        return Err(StoreError::invalid(
            "report_date",
            "Ngày báo cáo không được quá một tháng sau hôm nay.",
        ));
    }
    let required = [
        ("number", "Số văn bản", &s.number, 40),
        ("place", "Địa danh", &s.place, 100),
        ("subject", "Trích yếu", &s.subject, 400),
        ("recipients", "Nơi nhận", &s.recipients, 3_000),
        ("signer_capacity", "Thẩm quyền ký", &s.signer_capacity, 300),
    ];
    for (field, label, value, max) in required {
        if value.trim().is_empty() {
            return Err(StoreError::invalid(
                field,
                format!("{label} không được để trống."),
            ));
        }
        check_len(field, label, value, max)?;
    }
    check_len("signer_name", "Họ và tên người ký", &s.signer_name, 100)?;
    if let Some(p) = &s.parent_body {
        check_len("parent_body", "Cơ quan chủ quản", p, 200)?;
    }
    if lines(&s.subject).len() > 4 {
        return Err(StoreError::invalid("subject", "Trích yếu tối đa 4 dòng."));
    }
    if lines(&s.signer_capacity).len() > 4 {
        return Err(StoreError::invalid(
            "signer_capacity",
            "Thẩm quyền ký tối đa 4 dòng (ví dụ TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH).",
        ));
    }
    if lines(&s.recipients).len() > 30 {
        return Err(StoreError::invalid(
            "recipients",
            "Nơi nhận tối đa 30 dòng.",
        ));
    }
    let parsed = template::parse(&s.body)
        .map_err(|e| StoreError::invalid("body", format!("Nội dung báo cáo, {e}")))?;
    if parsed.is_empty() {
        return Err(StoreError::invalid(
            "body",
            "Nội dung báo cáo không được để trống.",
        ));
    }
    let known: Vec<&str> = placeholders().iter().map(|p| p.key).collect();
    template::check(&parsed, &known)
        .map_err(|e| StoreError::invalid("body", format!("Nội dung báo cáo, {e}")))?;
    Ok(parsed)
}

/// One row of the village annex: the village, its team (records), and the
/// village's figures from the indicators module ([`Store::village_ranking`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageSummary {
    pub village_id: i64,
    pub village: String,
    pub team: Option<crate::Team>,
    pub decision: Option<String>,
    pub members: i64,
    pub activities: i64,
    pub citizens_helped: i64,
    pub dossiers: i64,
}

impl Store {
    pub async fn create_request(&self, actor: &Actor, new: NewRequest) -> Result<ReportingRequest> {
        let province = self.province(new.province_code).await?;
        if let Some(code) = new.commune_code {
            if self.commune(code).await?.province_code != province.code {
                return Err(StoreError::invalid(
                    "commune_code",
                    "Xã không thuộc tỉnh, thành phố gửi yêu cầu.",
                ));
            }
        }
        let today = crate::today();
        not_in_future(new.issued_on, today, "issued_on", "Ngày ban hành")?;
        if let Some(deadline) = new.deadline {
            if deadline < new.issued_on {
                return Err(StoreError::invalid(
                    "deadline",
                    "Hạn báo cáo không được trước ngày ban hành văn bản.",
                ));
            }
        }
        if let Some(from) = new.period_from {
            if from > new.as_of {
                return Err(StoreError::invalid(
                    "period_from",
                    "Ngày bắt đầu kỳ báo cáo không được sau ngày số liệu.",
                ));
            }
        }
        let request = ReportingRequest {
            id: 0,
            province_code: new.province_code,
            commune_code: new.commune_code,
            doc_number: new.number.as_str().to_string(),
            issued_on: new.issued_on,
            issuer: new.issuer.as_str().to_string(),
            subject: new.subject.as_str().to_string(),
            deadline: new.deadline,
            as_of: new.as_of,
            period_from: new.period_from,
        };
        let year = request.issued_on.year();
        if self
            .requests_visible(request.province_code, request.commune_code)
            .await?
            .iter()
            .any(|r| {
                r.doc_number == request.doc_number
                    && r.issued_on.year() == year
                    && r.commune_code == request.commune_code
            })
        {
            return Err(StoreError::invalid(
                "number",
                format!(
                    "Văn bản số {} năm {year} đã có trong danh sách yêu cầu báo cáo.",
                    request.doc_number
                ),
            ));
        }
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO reporting_requests (province_code, commune_code, doc_number, issued_on, issued_year, \
                 issuer, subject, deadline, as_of, period_from, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(request.province_code)
            .bind(request.commune_code)
            .bind(&request.doc_number)
            .bind(request.issued_on)
            .bind(year)
            .bind(&request.issuer)
            .bind(&request.subject)
            .bind(request.deadline)
            .bind(request.as_of)
            .bind(request.period_from)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            let request = ReportingRequest { id, ..request };
            audit!(tx, actor, request.commune_code, "reporting_request", id, "create", None::<&ReportingRequest>, Some(&request));
            tx.commit().await?;
            Ok(request)
        })
    }

    /// Requests a commune sees: its province's, and those it registered.
    pub async fn requests_for_commune(&self, commune_code: i32) -> Result<Vec<ReportingRequest>> {
        let commune = self.commune(commune_code).await?;
        self.requests_visible(commune.province_code, Some(commune_code))
            .await
    }

    /// Requests the province sent to all its communes.
    pub async fn requests_of_province(&self, province_code: i32) -> Result<Vec<ReportingRequest>> {
        self.requests_visible(province_code, None).await
    }

    async fn requests_visible(
        &self,
        province_code: i32,
        commune_code: Option<i32>,
    ) -> Result<Vec<ReportingRequest>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ReportingRequest>(&format!(
                "{SELECT_REQUEST} WHERE province_code = $1 AND (commune_code IS NULL OR commune_code = $2) \
                 ORDER BY issued_on DESC, id DESC"
            ))
            .bind(province_code)
            .bind(commune_code)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn request(&self, id: i64) -> Result<ReportingRequest> {
        on_read!(self, pool => {
            sqlx::query_as::<_, ReportingRequest>(&format!("{SELECT_REQUEST} WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy yêu cầu báo cáo số {id}.")))
    }

    /// The request a commune sees under `number` (e.g. "4675/SKHCN-CNTT"),
    /// the newest when several years share it.
    pub async fn request_by_number(
        &self,
        commune_code: i32,
        number: &str,
    ) -> Result<ReportingRequest> {
        let wanted = number.trim().to_uppercase();
        self.requests_for_commune(commune_code)
            .await?
            .into_iter()
            .find(|r| r.doc_number.to_uppercase() == wanted)
            .ok_or_else(|| {
                StoreError::not_found(format!(
                    "Không có yêu cầu báo cáo số {number} gửi xã {commune_code}."
                ))
            })
    }

    /// The request `id` if commune `commune_code` may answer it.
    pub async fn request_for_commune(
        &self,
        commune_code: i32,
        id: i64,
    ) -> Result<ReportingRequest> {
        let request = self.request(id).await?;
        let commune = self.commune(commune_code).await?;
        if request.province_code != commune.province_code
            || request.commune_code.is_some_and(|c| c != commune_code)
        {
            return Err(StoreError::not_found(format!(
                "Không tìm thấy yêu cầu báo cáo số {id}."
            )));
        }
        Ok(request)
    }

    /// Settings for a new report: the commune's saved template, or the
    /// built-in one, dated today with the request's as-of date.
    pub async fn report_defaults(
        &self,
        commune_code: i32,
        request: &ReportingRequest,
    ) -> Result<ReportSettings> {
        let commune = self.commune(commune_code).await?;
        let (_, short) = commune_names(&commune.name, &commune.kind);
        let saved: Option<(String, String, String, String, String, Option<String>)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT subject, body, recipients, signer_capacity, signer_name, parent_body \
                 FROM report_templates WHERE commune_code = $1",
            )
            .bind(commune_code)
            .fetch_optional(pool)
            .await?
        });
        let today = crate::today();
        let as_of = request.as_of.min(today);
        let report_date = today.max(as_of);
        Ok(match saved {
            Some((subject, body, recipients, signer_capacity, signer_name, parent_body)) => {
                ReportSettings {
                    as_of,
                    report_date,
                    number: UNNUMBERED.into(),
                    place: short,
                    parent_body,
                    subject,
                    body,
                    recipients,
                    signer_capacity,
                    signer_name,
                }
            }
            None => ReportSettings {
                as_of,
                report_date,
                number: UNNUMBERED.into(),
                place: short.clone(),
                parent_body: None,
                subject: DEFAULT_SUBJECT.into(),
                body: DEFAULT_BODY.into(),
                recipients: format!(
                    "{};\nCT, các PCT UBND {};\nLưu: VT, VHXH.",
                    request.issuer,
                    commune.kind.to_lowercase()
                ),
                signer_capacity: DEFAULT_SIGNER_CAPACITY.into(),
                signer_name: String::new(),
            },
        })
    }

    /// Keep `settings` (without dates and number) as the commune's default
    /// for its next reports.
    pub async fn save_report_template(
        &self,
        actor: &Actor,
        commune_code: i32,
        settings: &ReportSettings,
    ) -> Result<()> {
        check_settings(settings, crate::today())?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO report_templates (commune_code, subject, body, recipients, signer_capacity, \
                 signer_name, parent_body, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (commune_code) DO UPDATE SET subject = excluded.subject, body = excluded.body, \
                 recipients = excluded.recipients, signer_capacity = excluded.signer_capacity, \
                 signer_name = excluded.signer_name, parent_body = excluded.parent_body, \
                 updated_at = excluded.updated_at",
            )
            .bind(commune_code)
            .bind(&settings.subject)
            .bind(&settings.body)
            .bind(&settings.recipients)
            .bind(&settings.signer_capacity)
            .bind(&settings.signer_name)
            .bind(&settings.parent_body)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            audit!(tx, actor, Some(commune_code), "report_template", commune_code as i64, "save", None::<&ReportSettings>, Some(settings));
            tx.commit().await?;
            Ok(())
        })
    }

    /// Compute the snapshot a report with these settings would freeze, without
    /// storing anything (the preview, and the first step of [`Self::create_report`]).
    pub async fn compose_report(
        &self,
        commune_code: i32,
        request: &ReportingRequest,
        settings: &ReportSettings,
    ) -> Result<Snapshot> {
        let parsed = check_settings(settings, crate::today())?;
        let commune = self.commune(commune_code).await?;
        let (commune_phrase, _) = commune_names(&commune.name, &commune.kind);
        let as_of = settings.as_of;
        let node = Node::Commune(commune_code);
        let set = self.indicators(node, as_of).await?;
        let base = format!("/communes/{commune_code}");
        let as_of_q = format_date(as_of);

        // Values of every placeholder the template uses, computed once.
        let mut figures: Vec<FrozenFigure> = Vec::new();
        for key in template::placeholders(&parsed) {
            let figure = if let Some(entry) = IndicatorCode::ALL
                .iter()
                .find(|c| c.key() == key)
                .and_then(|c| set.get(*c))
            {
                FrozenFigure {
                    key: key.into(),
                    label: entry.name.into(),
                    text: entry.display.clone(),
                    href: format!("{base}/indicators/{key}?as_of={as_of_q}"),
                }
            } else {
                let label = OTHER_PLACEHOLDERS
                    .iter()
                    .find(|p| p.key == key)
                    .map(|p| p.label)
                    .unwrap_or(key);
                let (text, href) = match key {
                    "request" => (request.citation(), format!("{base}/reports")),
                    "commune" => (commune_phrase.clone(), base.clone()),
                    "as_of" => (format_date(as_of), base.clone()),
                    "as_of_text" => (as_of_text(as_of), base.clone()),
                    "directives" => (
                        self.directives_text(commune_code, request.period_from, as_of)
                            .await?,
                        format!("{base}/documents"),
                    ),
                    "decision" => (
                        self.decision_text(commune_code, as_of).await?,
                        format!("{base}/documents"),
                    ),
                    "courses" => (
                        self.courses_text(commune_code, request.period_from, as_of)
                            .await?,
                        format!("{base}/training"),
                    ),
                    "contests" => (
                        self.contests_text(commune_code, request.period_from, as_of)
                            .await?,
                        format!("{base}/contests"),
                    ),
                    "partners" => (
                        partners_text(&campaigns_in(
                            self.campaigns(commune_code).await?,
                            request.period_from,
                            as_of,
                        )),
                        format!("{base}/campaigns"),
                    ),
                    "campaign_names" => (
                        campaign_names_text(&campaigns_in(
                            self.campaigns(commune_code).await?,
                            request.period_from,
                            as_of,
                        )),
                        format!("{base}/campaigns"),
                    ),
                    "zalo" => (
                        self.zalo_text(commune_code, as_of).await?,
                        format!("{base}/teams"),
                    ),
                    _ => {
                        return Err(StoreError::invalid(
                            "body",
                            format!("Nội dung báo cáo: không có số liệu tên «{{{key}}}»."),
                        ))
                    }
                };
                FrozenFigure {
                    key: key.into(),
                    label: label.into(),
                    text,
                    href,
                }
            };
            figures.push(figure);
        }
        let blocks = template::resolve(&parsed, |key| {
            figures
                .iter()
                .find(|f| f.key == key)
                .map(|f| Inline::Figure {
                    text: f.text.clone(),
                    source: Source {
                        key: f.key.clone(),
                        label: f.label.clone(),
                        href: f.href.clone(),
                    },
                })
        })
        .map_err(|e| StoreError::invalid("body", format!("Nội dung báo cáo, {e}")))?;

        let recipients = lines(&settings.recipients)
            .into_iter()
            .map(|l| {
                l.trim_start_matches(['-', '–', '+', '•'])
                    .trim()
                    .to_string()
            })
            .collect();
        let document = Document {
            parent_body: settings
                .parent_body
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_uppercase),
            issuing_body: vec!["ỦY BAN NHÂN DÂN".into(), commune.name.to_uppercase()],
            // Spaces before "/BC-UBND" leave room for the number the clerk
            // writes in; non-breaking so that no renderer collapses them.
            number: {
                let n = settings.number.trim_end();
                let lead = n.len() - n.trim_start().len();
                format!("{}{}", "\u{a0}".repeat(lead.min(10)), n.trim_start())
            },
            place_date: format_date_long(settings.place.trim(), settings.report_date),
            title: "BÁO CÁO".into(),
            subject: lines(&settings.subject),
            blocks,
            recipients,
            signature: Signature {
                capacity: lines(&settings.signer_capacity)
                    .into_iter()
                    .map(|l| l.to_uppercase())
                    .collect(),
                name: settings.signer_name.trim().to_string(),
            },
            file_title: format!(
                "Báo cáo {} – {}",
                lines(&settings.subject).join(" "),
                commune.name
            ),
            generated_on: settings.report_date.to_string(),
        };
        let annex = self
            .village_annex(commune_code, &commune.name, as_of)
            .await?;
        Ok(Snapshot {
            commune_code,
            as_of,
            document,
            annexes: vec![annex],
            figures,
        })
    }

    /// Generate and store a new version of the commune's report for
    /// `request`: the figures are computed now and frozen.
    pub async fn create_report(
        &self,
        actor: &Actor,
        commune_code: i32,
        request_id: i64,
        settings: ReportSettings,
    ) -> Result<Report> {
        let request = self.request_for_commune(commune_code, request_id).await?;
        let snapshot = self
            .compose_report(commune_code, &request, &settings)
            .await?;
        self.save_report(actor, &request, settings, snapshot).await
    }

    /// Store a new version of the commune's report for `request` with the
    /// snapshot [`Self::compose_report`] made of `settings` (a caller that
    /// checks the composed document first saves it without composing twice).
    pub async fn save_report(
        &self,
        actor: &Actor,
        request: &ReportingRequest,
        settings: ReportSettings,
        snapshot: Snapshot,
    ) -> Result<Report> {
        let commune_code = snapshot.commune_code;
        let request_id = self.request_for_commune(commune_code, request.id).await?.id;
        let json = serde_json::to_string(&snapshot).map_err(|e| {
            StoreError::invalid("body", format!("Không lưu được bản chụp số liệu: {e}"))
        })?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let version: i32 = sqlx::query_scalar::<_, Option<i32>>(
                "SELECT MAX(version) FROM reports WHERE commune_code = $1 AND request_id = $2",
            )
            .bind(commune_code)
            .bind(request_id)
            .fetch_one(&mut *tx)
            .await?
            .unwrap_or(0)
                + 1;
            let now = Utc::now();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO reports (commune_code, request_id, version, as_of, report_date, number, place, \
                 parent_body, subject, body, recipients, signer_capacity, signer_name, snapshot, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
            )
            .bind(commune_code)
            .bind(request_id)
            .bind(version)
            .bind(settings.as_of)
            .bind(settings.report_date)
            .bind(&settings.number)
            .bind(&settings.place)
            .bind(&settings.parent_body)
            .bind(&settings.subject)
            .bind(&settings.body)
            .bind(&settings.recipients)
            .bind(&settings.signer_capacity)
            .bind(&settings.signer_name)
            .bind(&json)
            .bind(&actor.name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let report = Report {
                id,
                commune_code,
                request_id,
                version,
                settings,
                snapshot: json,
                created_by: actor.name.clone(),
                created_at: now,
            };
            audit!(tx, actor, Some(commune_code), "report", id, "generate", None::<&Report>, Some(&AuditedReport { report: &report, figures: &snapshot.figures }));
            tx.commit().await?;
            Ok(report)
        })
    }

    pub async fn report(&self, id: i64) -> Result<Report> {
        on_read!(self, pool => {
            sqlx::query_as::<_, Report>(&format!("{SELECT_REPORT} WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy báo cáo số {id}.")))
    }

    /// Every version of every report of the commune, newest first.
    pub async fn reports_of(&self, commune_code: i32) -> Result<Vec<Report>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Report>(&format!(
                "{SELECT_REPORT} WHERE commune_code = $1 ORDER BY request_id DESC, version DESC"
            ))
            .bind(commune_code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The newest version of the commune's report for `request_id` with the
    /// given as-of date, if any.
    pub async fn latest_report(
        &self,
        commune_code: i32,
        request_id: i64,
        as_of: NaiveDate,
    ) -> Result<Option<Report>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Report>(&format!(
                "{SELECT_REPORT} WHERE commune_code = $1 AND request_id = $2 AND as_of = $3 \
                 ORDER BY version DESC LIMIT 1"
            ))
            .bind(commune_code)
            .bind(request_id)
            .bind(as_of)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Communes of the province that have generated a report for the request
    /// (code, name, newest version, its date), for the province's follow-up.
    pub async fn request_answers(
        &self,
        request_id: i64,
    ) -> Result<Vec<(i32, String, i32, NaiveDate)>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as(
                "SELECT c.code, c.name, MAX(r.version), MAX(r.report_date) FROM reports r \
                 JOIN communes c ON c.code = r.commune_code WHERE r.request_id = $1 \
                 GROUP BY c.code, c.name ORDER BY c.name",
            )
            .bind(request_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The commune's directive documents issued in the period (all up to
    /// `as_of` when the request names no start), decisions first, as one
    /// sentence: "Quyết định số … ngày … về việc …; Công văn số … ."
    async fn directives_text(
        &self,
        commune_code: i32,
        from: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Result<String> {
        let filter = crate::DocumentFilter {
            from,
            until: Some(as_of),
            ..Default::default()
        };
        let mut docs: Vec<_> = self
            .documents(commune_code, &filter)
            .await?
            .into_iter()
            .filter(|d| d.kind != DocumentKind::BaoCao)
            .collect();
        docs.sort_by_key(|d| (d.kind != DocumentKind::QuyetDinh, d.issued_on, d.id));
        if docs.is_empty() {
            return Ok("Trong kỳ báo cáo, xã chưa ban hành văn bản chỉ đạo nào.".into());
        }
        let parts: Vec<String> = docs
            .iter()
            .map(|d| format!("{} {}", d.citation(), lower_first(&d.subject)))
            .collect();
        Ok(format!("{}.", parts.join("; ")))
    }

    /// The decision that established the teams active on `as_of` (the
    /// newest when several), cited with its subject.
    async fn decision_text(&self, commune_code: i32, as_of: NaiveDate) -> Result<String> {
        let id: Option<i64> = on_read!(self, pool => {
            sqlx::query_scalar(&format!(
                "SELECT d.id FROM teams t JOIN documents d ON d.id = t.decision_id \
                 WHERE t.commune_code = $2 AND {} ORDER BY d.issued_on DESC, d.id DESC LIMIT 1",
                active_on("t.established_on", "t.dissolved_on")
            ))
            .bind(as_of)
            .bind(commune_code)
            .fetch_optional(pool)
            .await?
        });
        Ok(match id {
            Some(id) => {
                let d = self.document(id).await?;
                format!("{} {}", d.citation(), lower_first(&d.subject))
            }
            None => "chưa ban hành".into(),
        })
    }

    /// The training courses started in the period (all up to `as_of` when
    /// the request names no start), oldest first, as one phrase:
    /// "lớp “…” (trực tuyến, 28/10/2025 – 14/11/2025; 44 người đăng ký, 40 hoàn thành); lớp “…” …".
    async fn courses_text(
        &self,
        commune_code: i32,
        from: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Result<String> {
        let mut courses: Vec<_> = self
            .courses(commune_code)
            .await?
            .into_iter()
            .filter(|c| c.starts_on <= as_of && from.is_none_or(|f| c.starts_on >= f))
            .collect();
        courses.sort_by_key(|c| (c.starts_on, c.id));
        if courses.is_empty() {
            return Ok("trong kỳ chưa có lớp bồi dưỡng, tập huấn nào".into());
        }
        let parts: Vec<String> = courses
            .iter()
            .map(|c| {
                let dates = match c.ends_on {
                    Some(end) if end != c.starts_on => {
                        format!("{} – {}", format_date(c.starts_on), format_date(end))
                    }
                    _ => format_date(c.starts_on),
                };
                format!(
                    "lớp “{}” ({}, {}; {} người đăng ký, {} hoàn thành)",
                    c.title,
                    c.mode.label().to_lowercase(),
                    dates,
                    format_int(c.registered()),
                    format_int(c.completed())
                )
            })
            .collect();
        Ok(parts.join("; "))
    }

    /// The commune's contests that ran in the period (started by `as_of`,
    /// not ended before `from`), oldest first, as the object of "tham gia …":
    /// "Cuộc thi “…” do … phát động"; with several, each with the people
    /// registered for it in the period up to `as_of`. None: a neutral phrase.
    async fn contests_text(
        &self,
        commune_code: i32,
        from: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Result<String> {
        let mut contests: Vec<_> = self
            .contests(commune_code)
            .await?
            .into_iter()
            .filter(|c| {
                c.starts_on <= as_of && from.is_none_or(|f| c.ends_on.is_none_or(|e| e >= f))
            })
            .collect();
        contests.sort_by_key(|c| (c.starts_on, c.id));
        if contests.is_empty() {
            return Ok(NO_CONTEST.into());
        }
        let mut parts = Vec::with_capacity(contests.len());
        for c in &contests {
            let named = format!(
                "Cuộc thi “{}” do {} phát động",
                contest_title(&c.name),
                c.organiser
            );
            if contests.len() == 1 {
                parts.push(named);
                continue;
            }
            let registered: i64 = self
                .registrations(c.id)
                .await?
                .iter()
                .filter(|r| r.registered_on <= as_of && from.is_none_or(|f| r.registered_on >= f))
                .map(|r| i64::from(r.count))
                .sum();
            parts.push(format!(
                "{named} ({} người đăng ký)",
                format_int(registered)
            ));
        }
        Ok(parts.join("; "))
    }

    /// The teams' Zalo group: the quick-response team's link, else the one
    /// link the village teams share, else how many groups there are.
    async fn zalo_text(&self, commune_code: i32, as_of: NaiveDate) -> Result<String> {
        let teams: Vec<crate::Team> = self
            .teams(commune_code)
            .await?
            .into_iter()
            .filter(|t| t.is_active_on(as_of))
            .collect();
        let quick = teams
            .iter()
            .filter(|t| t.kind == toso_domain::TeamKind::QuickResponse)
            .find_map(|t| t.zalo_link.clone());
        let mut links: Vec<String> = teams.iter().filter_map(|t| t.zalo_link.clone()).collect();
        links.sort();
        links.dedup();
        Ok(match (quick, links.len()) {
            (Some(link), _) => link,
            (None, 0) => "chưa có".into(),
            (None, 1) => links.remove(0),
            (None, n) => format!(
                "{} nhóm Zalo của các tổ (xem danh sách tổ)",
                format_int(n as i64)
            ),
        })
    }

    /// One row per village active on `as_of` with its team and the figures
    /// of the indicators module up to `as_of`, in natural name order.
    pub async fn village_summaries(
        &self,
        commune_code: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<VillageSummary>> {
        let ranks = self
            .village_ranking(commune_code, crate::Period::as_of(as_of))
            .await?;
        let teams: Vec<crate::Team> = self
            .teams(commune_code)
            .await?
            .into_iter()
            .filter(|t| t.village_id.is_some() && t.is_active_on(as_of))
            .collect();
        let mut rows = Vec::with_capacity(ranks.len());
        for r in ranks {
            let team = teams
                .iter()
                .find(|t| t.village_id == Some(r.village_id))
                .cloned();
            let decision = match team.as_ref().and_then(|t| t.decision_id) {
                Some(id) => Some(self.document(id).await?.doc_number),
                None => None,
            };
            rows.push(VillageSummary {
                village_id: r.village_id,
                village: r.name,
                team,
                decision,
                members: r.members,
                activities: r.activities,
                citizens_helped: r.citizens_helped,
                dossiers: r.dossiers,
            });
        }
        rows.sort_by_cached_key(|r| (natural_key(&r.village), r.village_id));
        Ok(rows)
    }

    async fn village_annex(
        &self,
        commune_code: i32,
        name: &str,
        as_of: NaiveDate,
    ) -> Result<Annex> {
        let rows = self.village_summaries(commune_code, as_of).await?;
        let n = |v: i64| Cell::Number(v as f64);
        let t = |s: String| Cell::Text(s);
        let totals = vec![
            t(String::new()),
            t("Cộng".into()),
            t(format!(
                "{} tổ",
                format_int(rows.iter().filter(|r| r.team.is_some()).count() as i64)
            )),
            t(String::new()),
            t(String::new()),
            n(rows.iter().map(|r| r.members).sum()),
            n(rows.iter().map(|r| r.activities).sum()),
            n(rows.iter().map(|r| r.citizens_helped).sum()),
            n(rows.iter().map(|r| r.dossiers).sum()),
        ];
        Ok(Annex {
            title: "Phụ lục: Tổ công nghệ số cộng đồng theo thôn, tổ dân phố".into(),
            subtitle: vec![
                name.to_string(),
                format!("Số liệu đến ngày {}", format_date(as_of)),
            ],
            columns: [
                "STT",
                "Thôn, tổ dân phố",
                "Tổ công nghệ số cộng đồng",
                "Ngày thành lập",
                "Quyết định thành lập",
                "Số thành viên",
                "Số lượt hỗ trợ",
                "Số người dân được hỗ trợ",
                "Số hồ sơ DVC trực tuyến",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    vec![
                        n(i as i64 + 1),
                        t(r.village.clone()),
                        t(r.team
                            .as_ref()
                            .map_or_else(|| "Chưa thành lập".into(), |t| t.name.clone())),
                        t(r.team
                            .as_ref()
                            .map(|t| format_date(t.established_on))
                            .unwrap_or_default()),
                        t(r.decision.clone().unwrap_or_default()),
                        n(r.members),
                        n(r.activities),
                        n(r.citizens_helped),
                        n(r.dossiers),
                    ]
                })
                .collect(),
            totals: Some(totals),
        })
    }
}

/// What the audit log keeps of a generated report: its settings and the
/// figures it froze (the snapshot itself is in the report row).
#[derive(Serialize)]
struct AuditedReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    figures: &'a [FrozenFigure],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(
            commune_names("Đặc khu Cát Hải", "đặc khu"),
            ("đặc khu Cát Hải".to_string(), "Cát Hải".to_string())
        );
        assert_eq!(commune_names("Phường Ba Đình", "phường").1, "Ba Đình");
        assert_eq!(
            as_of_text(NaiveDate::from_ymd_opt(2025, 11, 30).unwrap()),
            "hết tháng 11/2025"
        );
        assert_eq!(
            as_of_text(NaiveDate::from_ymd_opt(2025, 11, 15).unwrap()),
            "ngày 15/11/2025"
        );
        let mut names = vec!["Tổ dân phố 10", "Tổ dân phố 2", "Thôn Bắc", "Tổ dân phố 1"];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(
            names,
            vec!["Thôn Bắc", "Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 10"]
        );
        assert_eq!(lower_first("Về việc thành lập"), "về việc thành lập");
        assert_eq!(contest_title("Cuộc thi Công dân số"), "Công dân số");
        assert_eq!(
            contest_title("CUỘC THI: Rung chuông vàng"),
            "Rung chuông vàng"
        );
        assert_eq!(
            contest_title("Công dân số Quảng Ninh"),
            "Công dân số Quảng Ninh"
        );
        assert_eq!(contest_title("Cuộc thiên"), "Cuộc thiên");
        assert_eq!(contest_title("Cuộc thi"), "Cuộc thi");
    }

    fn campaign(name: &str, partners: &[PartnerOrganisation]) -> crate::Campaign {
        crate::Campaign {
            id: 1,
            commune_code: 6652,
            name: name.into(),
            held_on: NaiveDate::from_ymd_opt(2025, 11, 9).unwrap(),
            participants: 10,
            citizens_reached: 50,
            note: None,
            partners: partners.to_vec(),
            villages: vec![],
        }
    }

    #[test]
    fn partners_and_campaign_names_come_from_the_campaigns() {
        use PartnerOrganisation::*;
        let list = [
            campaign("Tuổi trẻ chuyển đổi số", &[DoanTn]),
            campaign("Chủ nhật xanh", &[HoiPn, DoanTn]),
            campaign("chu nhat  xanh", &[Khac]),
        ];
        assert_eq!(
            partners_text(&list),
            "Đoàn Thanh niên, Hội Phụ nữ, các tổ chức khác"
        );
        assert_eq!(
            campaign_names_text(&list),
            "“Tuổi trẻ chuyển đổi số”, “Chủ nhật xanh”"
        );
        assert_eq!(partners_text(&[]), NO_PARTNER);
        assert_eq!(campaign_names_text(&[]), NO_CAMPAIGN);
    }

    /// The built-in texts name no province, commune or ward of the country:
    /// every name of the 34 provinces and 3,321 communes (without "Tỉnh",
    /// "Thành phố", "Xã", "Phường", "Đặc khu") is looked for in them.
    #[test]
    fn the_built_in_texts_name_no_place() {
        let texts = [
            DEFAULT_BODY,
            DEFAULT_SUBJECT,
            DEFAULT_SIGNER_CAPACITY,
            NO_CONTEST,
            NO_PARTNER,
            NO_CAMPAIGN,
        ];
        let mut names = 0;
        for line in crate::admin::ADMIN_UNITS_CSV.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            for name in [cols[1], cols[4]] {
                let short = ["Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu "]
                    .iter()
                    .find_map(|p| name.strip_prefix(p))
                    .unwrap_or(name);
                names += 1;
                for text in texts {
                    assert!(!text.contains(short), "«{short}» in a built-in text");
                }
            }
        }
        assert!(names > 6_000, "{names}");
        assert!(!DEFAULT_BODY.contains("thành phố"));
        // Every placeholder of the default body is one the store fills.
        let known: Vec<&str> = placeholders().iter().map(|p| p.key).collect();
        let parsed = template::parse(DEFAULT_BODY).unwrap();
        template::check(&parsed, &known).unwrap();
        for key in ["contests", "partners", "campaign_names", "courses"] {
            assert!(template::placeholders(&parsed).contains(&key), "{key}");
        }
    }
}
