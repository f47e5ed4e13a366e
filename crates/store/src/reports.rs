//! Reporting requests (a Department's letter asking the communes to report)
//! and the communes' reports: their storage.
//!
//! A report is generated from its settings (number, dates, subject, the body
//! template, recipients, signer) and frozen into a [`Snapshot`] by the
//! reporting crate (`toso-reporting`), which composes it from the figures
//! and records this store keeps; the store checks the settings, keeps every
//! version with its snapshot byte for byte, and the commune's saved template.
//! Files are rendered from the snapshot, so a report reads the same after
//! the data changes; a new version is made explicitly and keeps the old ones.

use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use toso_domain::{fold, format_date, not_in_future, DocumentNumber, Name};
use toso_reports::template;
use toso_reports::text::{lines, lower_first};
use toso_reports::{placeholders, FrozenFigure, Snapshot};

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
    /// Days after the deadline a report still counts as on time.
    pub grace_days: i32,
    /// The body template communes start from (`None`: each commune's own
    /// default).
    pub template_body: Option<String>,
}

impl ReportingRequest {
    /// The last day a report counts as on time (the deadline plus the
    /// grace period), if the request has a deadline.
    pub fn due(&self) -> Option<NaiveDate> {
        self.deadline
            .map(|d| d + chrono::Days::new(self.grace_days.max(0) as u64))
    }

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
    /// Days after the deadline a report still counts as on time (0–90).
    pub grace_days: i32,
    /// The body template communes should start from, checked like a
    /// report's body; `None`: each commune's own default.
    pub template_body: Option<String>,
}

impl NewRequest {
    /// A request to every commune of the province, with no period asked
    /// for, no grace days and each commune's own template; the others are
    /// set on the value made (`NewRequest { commune_code: Some(..),
    /// ..NewRequest::new(..) }`).
    pub fn new(
        province_code: i32,
        number: DocumentNumber,
        issued_on: NaiveDate,
        issuer: Name,
        subject: Name,
        deadline: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Self {
        NewRequest {
            province_code,
            commune_code: None,
            number,
            issued_on,
            issuer,
            subject,
            deadline,
            as_of,
            period_from: None,
            grace_days: 0,
            template_body: None,
        }
    }
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

/// What a version of a report keeps after its owner, a commune's
/// ([`Report`]) or a province's ([`crate::ProvinceReport`]): the columns of
/// [`version_columns!`], read through the report (`report.version`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReportVersion {
    pub request_id: i64,
    pub version: i32,
    /// The settings this version was generated from.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub settings: ReportSettings,
    /// The frozen snapshot ([`Snapshot`], [`toso_reports::ProvinceSnapshot`])
    /// as JSON text, byte for byte as generated.
    #[serde(skip)]
    pub snapshot: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<Utc>,
}

impl ReportVersion {
    /// The frozen snapshot, read; `what` names the report in the error
    /// ("báo cáo 12").
    pub(crate) fn frozen<T: serde::de::DeserializeOwned>(&self, what: String) -> Result<T> {
        serde_json::from_str(&self.snapshot)
            .map_err(|e| StoreError::not_found(format!("Bản chụp số liệu của {what} bị hỏng: {e}")))
    }
}

/// One version of a commune's report for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub commune_code: i32,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub stored: ReportVersion,
}

reads_through!(Report => stored: ReportVersion);

impl Report {
    /// The frozen snapshot.
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.stored.frozen(format!("báo cáo {}", self.id))
    }
}

const SELECT_REQUEST: &str =
    "SELECT id, province_code, commune_code, doc_number, issued_on, issuer, subject, \
     deadline, as_of, period_from, grace_days, template_body FROM reporting_requests";
pub(crate) const SELECT_REPORT: &str = concat!(
    "SELECT id, commune_code, ",
    version_columns!(),
    " FROM reports"
);

/// The columns of a report version after its owner (the commune's code in
/// `reports`, the province's in `province_reports`): both tables keep the
/// same ones, read and written in this order (a literal, for `concat!`).
macro_rules! version_columns {
    () => {
        "request_id, version, as_of, report_date, number, place, parent_body, subject, body, \
         recipients, signer_capacity, signer_name, snapshot, created_by, created_at"
    };
}
pub(crate) use version_columns;

/// Bind a new version's values to `$query` (an `INSERT … ($owner column,
/// version_columns!()) VALUES ($1, … $16)`), in that order.
macro_rules! bind_version {
    ($query:expr, $owner:expr, $request:expr, $version:expr, $settings:expr, $snapshot:expr, $actor:expr, $now:expr) => {
        $query
            .bind($owner)
            .bind($request)
            .bind($version)
            .bind($settings.as_of)
            .bind($settings.report_date)
            .bind(&$settings.number)
            .bind(&$settings.place)
            .bind(&$settings.parent_body)
            .bind(&$settings.subject)
            .bind(&$settings.body)
            .bind(&$settings.recipients)
            .bind(&$settings.signer_capacity)
            .bind(&$settings.signer_name)
            .bind($snapshot)
            .bind(&$actor.name)
            .bind($now)
    };
}
pub(crate) use bind_version;

/// The commune's saved defaults for its next reports (the settings
/// without dates and number).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportTemplate {
    pub subject: String,
    pub body: String,
    pub recipients: String,
    pub signer_capacity: String,
    pub signer_name: String,
    pub parent_body: Option<String>,
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
pub fn check_settings(s: &ReportSettings, today: NaiveDate) -> Result<Vec<template::Line>> {
    let known: Vec<&str> = placeholders().iter().map(|p| p.key).collect();
    check_settings_for(s, today, &known)
}

/// [`check_settings`] with the placeholders a body may name (a province's
/// consolidated report has its own).
pub fn check_settings_for(
    s: &ReportSettings,
    today: NaiveDate,
    known: &[&str],
) -> Result<Vec<template::Line>> {
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
    check_template("body", "Nội dung báo cáo", &s.body, known)
}

/// A commune report's body template, checked against the commune
/// placeholders.
fn check_body(field: &'static str, label: &str, body: &str) -> Result<Vec<template::Line>> {
    let known: Vec<&str> = placeholders().iter().map(|p| p.key).collect();
    check_template(field, label, body, &known)
}

/// Parse a body template and check that it is not empty and names only
/// placeholders in `known`; errors name `field`.
pub fn check_template(
    field: &'static str,
    label: &str,
    body: &str,
    known: &[&str],
) -> Result<Vec<template::Line>> {
    let parsed =
        template::parse(body).map_err(|e| StoreError::invalid(field, format!("{label}, {e}")))?;
    if parsed.is_empty() {
        return Err(StoreError::invalid(
            field,
            format!("{label} không được để trống."),
        ));
    }
    template::check(&parsed, known)
        .map_err(|e| StoreError::invalid(field, format!("{label}, {e}")))?;
    Ok(parsed)
}

/// One row of the village annex: the village, its team (records), and the
/// village's figures from the indicators module ([`Store::village_ranking`]);
/// the rows of the report's village annex.
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
        if !(0..=90).contains(&new.grace_days) {
            return Err(StoreError::invalid(
                "grace_days",
                "Số ngày gia hạn phải từ 0 đến 90.",
            ));
        }
        let template_body = match new.template_body.as_deref().map(str::trim) {
            Some(body) if !body.is_empty() => {
                check_len("template_body", "Mẫu nội dung", body, 20_000)?;
                check_body("template_body", "Mẫu nội dung", body)?;
                Some(body.to_string())
            }
            _ => None,
        };
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
            grace_days: new.grace_days,
            template_body,
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
                 issuer, subject, deadline, as_of, period_from, grace_days, template_body, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
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
            .bind(request.grace_days)
            .bind(&request.template_body)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            let request = ReportingRequest { id, ..request };
            audit!(tx, actor, province: Some(request.province_code), request.commune_code, "reporting_request", id, "create", None::<&ReportingRequest>, Some(&request));
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
    /// The commune's saved template, if it saved one.
    pub async fn report_template(&self, commune_code: i32) -> Result<Option<ReportTemplate>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ReportTemplate>(
                "SELECT subject, body, recipients, signer_capacity, signer_name, parent_body \
                 FROM report_templates WHERE commune_code = $1",
            )
            .bind(commune_code)
            .fetch_optional(pool)
            .await?
        }))
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

    /// Store a new version of the commune's report for `request` with the
    /// snapshot the reporting crate composed of `settings` (a caller that
    /// checks the composed document first saves it without composing twice).
    pub async fn save_report(
        &self,
        actor: &Actor,
        request: &ReportingRequest,
        settings: ReportSettings,
        snapshot: Snapshot,
    ) -> Result<Report> {
        self.save_report_at(actor, request, settings, snapshot, Utc::now())
            .await
    }

    /// [`Store::save_report`] recorded as made at `now` (loading a cycle's
    /// history: the demo's request of 12/2025).
    pub async fn save_report_at(
        &self,
        actor: &Actor,
        request: &ReportingRequest,
        settings: ReportSettings,
        snapshot: Snapshot,
        now: chrono::DateTime<Utc>,
    ) -> Result<Report> {
        let commune_code = snapshot.commune_code;
        let request_id = self.request_for_commune(commune_code, request.id).await?.id;
        let json = serde_json::to_string(&snapshot).map_err(|e| {
            StoreError::invalid("body", format!("Không lưu được bản chụp số liệu: {e}"))
        })?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            // The reporting cycle (cycle.rs): no new version while the
            // province reviews one, nor once it accepted one.
            let state: Option<String> = sqlx::query_scalar(
                "SELECT state FROM report_transitions WHERE commune_code = $1 AND request_id = $2 \
                 ORDER BY seq DESC LIMIT 1",
            )
            .bind(commune_code)
            .bind(request_id)
            .fetch_optional(&mut *tx)
            .await?;
            crate::cycle::check_new_version(state.as_deref())?;
            let version: i32 = sqlx::query_scalar::<_, Option<i32>>(
                "SELECT MAX(version) FROM reports WHERE commune_code = $1 AND request_id = $2",
            )
            .bind(commune_code)
            .bind(request_id)
            .fetch_one(&mut *tx)
            .await?
            .unwrap_or(0)
                + 1;
            let id: i64 = bind_version!(
                sqlx::query_scalar(concat!(
                    "INSERT INTO reports (commune_code, ",
                    version_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id"
                )),
                commune_code, request_id, version, settings, &json, actor, now
            )
            .fetch_one(&mut *tx)
            .await?;
            let report = Report {
                id,
                commune_code,
                stored: ReportVersion {
                    request_id,
                    version,
                    settings,
                    snapshot: json,
                    created_by: actor.name.clone(),
                    created_at: now,
                },
            };
            audit!(tx, actor, Some(commune_code), "report", id, "generate", None::<&Report>, Some(&AuditedReport { report: &report, figures: &snapshot.printed.figures }));
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

    /// The decision that established the teams active on `as_of` (the
    /// newest when several).
    pub async fn teams_decision(
        &self,
        commune_code: i32,
        as_of: NaiveDate,
    ) -> Result<Option<crate::Document>> {
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
        match id {
            Some(id) => Ok(Some(self.document(id).await?)),
            None => Ok(None),
        }
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

    /// The versions the province accepted for `request_id`, one per commune
    /// whose report is accepted now (the version of its last transition),
    /// in one query: what a consolidated report sums.
    pub async fn accepted_reports(&self, request_id: i64) -> Result<Vec<Report>> {
        let sql = format!(
            "{} WHERE id IN (SELECT t.report_id FROM report_transitions t \
             WHERE t.request_id = $1 AND t.state = 'accepted' AND t.seq = \
             (SELECT MAX(x.seq) FROM report_transitions x \
              WHERE x.request_id = t.request_id AND x.commune_code = t.commune_code)) \
             ORDER BY commune_code",
            SELECT_REPORT
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Report>(&sql)
                .bind(request_id)
                .fetch_all(pool)
                .await?
        }))
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
    fn villages_in_natural_order() {
        let mut names = vec!["Tổ dân phố 10", "Tổ dân phố 2", "Thôn Bắc", "Tổ dân phố 1"];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(
            names,
            vec!["Thôn Bắc", "Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 10"]
        );
    }
}
