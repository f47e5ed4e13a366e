//! The API's own request and response types: what `/api/v1` promises,
//! documented field by field in the OpenAPI document, and converted from
//! the store's structs here so that a change inside the store does not
//! change the API. Dates are ISO 8601 (`2025-11-30`); counts are integers;
//! `display` fields carry the value as the app shows it (`1.440`, `100%`).
//! The answers that are a store record as it is (a support activity, a duty
//! day, a unit's row of figures) are the store's types, their schema derived
//! in the store (feature `openapi`); `tests/api.rs` pins their fields, so a
//! change inside the store that would change them fails a test.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toso_domain::IndicatorValue;
use utoipa::{IntoParams, ToSchema};

/// A province (tỉnh, thành phố).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvinceOut {
    /// Mã tỉnh: the province's statistical code (GSO), e.g. 31 for Hải Phòng.
    pub code: i32,
    /// Tên tỉnh, thành phố.
    pub name: String,
    /// Loại: "tỉnh" or "thành phố".
    pub kind: String,
}

impl From<toso_store::Province> for ProvinceOut {
    fn from(p: toso_store::Province) -> Self {
        ProvinceOut {
            code: p.code,
            name: p.name,
            kind: p.kind,
        }
    }
}

/// A commune (xã, phường, đặc khu).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommuneOut {
    /// Mã xã: the commune's statistical code (GSO), e.g. 11914 for Cát Hải.
    pub code: i32,
    /// Mã tỉnh of its province.
    pub province_code: i32,
    /// Tên xã, phường, đặc khu.
    pub name: String,
    /// Loại: "xã", "phường" or "đặc khu".
    pub kind: String,
}

impl From<toso_store::Commune> for CommuneOut {
    fn from(c: toso_store::Commune) -> Self {
        CommuneOut {
            code: c.code,
            province_code: c.province_code,
            name: c.name,
            kind: c.kind,
        }
    }
}

/// A village of a commune (thôn, tổ dân phố, ấp, bản…).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VillageOut {
    /// Số hiệu: the village's id in Tổ Số.
    pub id: i64,
    /// Mã xã of its commune.
    pub commune_code: i32,
    /// Loại đơn vị, as named in the app: "Thôn", "Tổ dân phố", "Ấp", "Bản"…
    pub kind: String,
    /// Tên thôn, tổ dân phố.
    pub name: String,
    /// Ngày bắt đầu: the first day it exists in the records.
    pub active_from: NaiveDate,
    /// Ngày kết thúc (merged or dissolved), if any: it no longer exists from
    /// that day.
    pub active_until: Option<NaiveDate>,
}

impl From<toso_store::Village> for VillageOut {
    fn from(v: toso_store::Village) -> Self {
        VillageOut {
            id: v.id,
            commune_code: v.commune_code,
            kind: v.kind.label().to_string(),
            name: v.name,
            active_from: v.active_from,
            active_until: v.active_until,
        }
    }
}

/// One item of a breakdown (members by role, by affiliation…).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreakdownItemOut {
    /// The item's key (`to_truong`, `doan_thanh_nien`…).
    pub key: String,
    /// Its Vietnamese label.
    pub label: String,
    pub value: i64,
}

/// One figure: its definition and its value. Which value fields are present
/// depends on `kind`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorOut {
    /// The indicator's key (`villages`, `coverage`, `members`…), also the
    /// `{key}` of its records' route.
    pub key: String,
    /// Tên chỉ tiêu, in Vietnamese.
    pub name: String,
    /// Đơn vị tính ("thôn", "người", "%"…).
    pub unit: String,
    /// How it is counted, in Vietnamese.
    pub definition: String,
    /// `count`, `ratio`, `breakdown` or `duration`.
    pub kind: String,
    /// The count (`count`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// The numerator of a `ratio` (villages with a team…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerator: Option<i64>,
    /// The denominator of a `ratio` (villages…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<i64>,
    /// The items of a `breakdown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<BreakdownItemOut>>,
    /// A `duration` in working minutes (a median); absent when there is
    /// nothing to take it over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<i64>,
    /// The value as the app shows it, in Vietnamese format ("1.440",
    /// "100%", "2 giờ 30 phút").
    pub display: String,
}

impl From<toso_store::IndicatorEntry> for IndicatorOut {
    fn from(e: toso_store::IndicatorEntry) -> Self {
        let mut out = IndicatorOut {
            key: e.code.key().to_string(),
            name: e.name.to_string(),
            unit: e.unit.to_string(),
            definition: e.definition.to_string(),
            kind: String::new(),
            value: None,
            numerator: None,
            denominator: None,
            items: None,
            minutes: None,
            display: e.display,
        };
        match e.value {
            IndicatorValue::Count { value } => {
                out.kind = "count".into();
                out.value = Some(value);
            }
            IndicatorValue::Ratio {
                numerator,
                denominator,
            } => {
                out.kind = "ratio".into();
                out.numerator = Some(numerator);
                out.denominator = Some(denominator);
            }
            IndicatorValue::Breakdown { items } => {
                out.kind = "breakdown".into();
                out.items = Some(
                    items
                        .into_iter()
                        .map(|i| BreakdownItemOut {
                            key: i.key,
                            label: i.label,
                            value: i.value,
                        })
                        .collect(),
                );
            }
            IndicatorValue::Duration { minutes } => {
                out.kind = "duration".into();
                out.minutes = minutes;
            }
        }
        out
    }
}

/// Every indicator of a node, as of a day or over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorTable {
    /// The node: `nation`, `province:31`, `commune:11914` or `village:5`.
    pub node: String,
    /// Its name ("Đặc khu Cát Hải").
    pub node_name: String,
    /// Ngày báo cáo: the last day counted.
    pub as_of: NaiveDate,
    /// Từ ngày: the first day the flow indicators (activities, trainees,
    /// registrations…) count, for a period; absent for an as-of table,
    /// which counts from the beginning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    pub indicators: Vec<IndicatorOut>,
}

impl From<toso_store::IndicatorSet> for IndicatorTable {
    fn from(s: toso_store::IndicatorSet) -> Self {
        IndicatorTable {
            node: s.node.to_string(),
            node_name: s.node_name,
            as_of: s.as_of,
            from: s.from,
            indicators: s.indicators.into_iter().map(IndicatorOut::from).collect(),
        }
    }
}

/// One record behind a figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordOut {
    /// The kind of record: `village`, `team`, `membership`, `activity`,
    /// `person`…
    pub entity: String,
    /// Its id (the `{id}` of its page in the app).
    pub id: i64,
    /// Its name as listed.
    pub label: String,
    /// What the list shows beside it (village, role, dates…).
    pub detail: String,
    /// The breakdown item it falls in (role, affiliation, `with_team`…).
    pub group: Option<String>,
}

/// A page of the records behind one indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordsPage {
    /// The indicator's key.
    pub indicator: String,
    /// Tên chỉ tiêu.
    pub name: String,
    /// The node (`commune:11914`…).
    pub node: String,
    /// Ngày báo cáo.
    pub as_of: NaiveDate,
    /// Records in all; this answer holds page `page` of `per_page`.
    pub total: i64,
    /// The page, from 1.
    pub page: u32,
    /// Records per page (at most 500).
    pub per_page: u32,
    pub records: Vec<RecordOut>,
}

/// Support figures of one group (a month, a category, a village).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityGroupRow {
    /// The group's key: `2025-11` (month), the category's code, the
    /// village's id.
    pub key: String,
    /// Its Vietnamese label.
    pub label: String,
    /// Lượt hỗ trợ: support activities logged.
    pub activities: i64,
    /// Lượt người dân được hỗ trợ.
    pub citizens_helped: i64,
    /// Hồ sơ trực tuyến: online dossiers submitted with help.
    pub dossiers: i64,
}

/// The support activities of a commune grouped as on its dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityTable {
    /// The node (`commune:11914`).
    pub node: String,
    /// Từ ngày, for a period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Ngày báo cáo: the last day counted.
    pub as_of: NaiveDate,
    /// How the rows are grouped: `month`, `category` or `village`.
    pub by: String,
    pub rows: Vec<ActivityGroupRow>,
}

/// One unit (a commune of a province, or a province of the nation) in the
/// table of a province or of the nation: the store's row as it is.
pub use toso_store::UnitRow as UnitRowOut;

/// The units of a province (its communes) or of the nation (its provinces),
/// with totals equal to the node's own figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitTableOut {
    /// `province:31` or `nation`.
    pub node: String,
    pub node_name: String,
    /// Ngày báo cáo.
    pub as_of: NaiveDate,
    /// Từ ngày, for a period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Every unit, in code order, including those without data.
    pub rows: Vec<UnitRowOut>,
    /// The sums of the rows.
    pub totals: UnitRowOut,
}

impl From<toso_store::UnitTable> for UnitTableOut {
    fn from(t: toso_store::UnitTable) -> Self {
        UnitTableOut {
            node: t.node.to_string(),
            node_name: t.node_name,
            as_of: t.as_of,
            from: t.from,
            rows: t.rows,
            totals: t.totals,
        }
    }
}

/// A day, or a period ending on a day.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Ngày báo cáo, ISO 8601 (`2025-11-30`; `30/11/2025` is read too);
    /// default today.
    #[param(example = "2025-11-30")]
    pub as_of: Option<String>,
    /// Từ ngày: count the flow indicators from this day only (a period).
    #[param(example = "2025-11-01")]
    pub from: Option<String>,
}

/// `period()` for the queries that take `as_of` and `from`: the period
/// asked for, `from` (optional) to `as_of` (default today).
macro_rules! period_of_query {
    ($($query:ty),*) => {$(
        impl $query {
            pub fn period(&self) -> Result<toso_store::Period, crate::WebError> {
                crate::params::period(self.as_of.as_deref(), self.from.as_deref())
            }
        }
    )*};
}

period_of_query!(PeriodQuery, NodeQuery, ActivityQuery);

/// A node, and a day or a period.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NodeQuery {
    /// The node: `nation`, `province:31`, `commune:11914` or `village:5`.
    #[param(example = "commune:11914")]
    pub node: String,
    /// Ngày báo cáo (ISO 8601); default today.
    #[param(example = "2025-11-30")]
    pub as_of: Option<String>,
    /// Từ ngày, for a period.
    pub from: Option<String>,
}

/// A node, a day and a page.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordsQuery {
    /// The node: `nation`, `province:31`, `commune:11914` or `village:5`.
    #[param(example = "commune:11914")]
    pub node: String,
    /// Ngày báo cáo (ISO 8601); default today.
    pub as_of: Option<String>,
    /// The page, from 1 (default 1).
    pub page: Option<String>,
    /// Records per page, 1 to 500 (default 200).
    pub per_page: Option<String>,
}

/// How to group, and a day or a period.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// `month` (default), `category` or `village`.
    pub by: Option<String>,
    /// Ngày báo cáo (ISO 8601); default today.
    pub as_of: Option<String>,
    /// Từ ngày, for a period.
    pub from: Option<String>,
}

/// No query parameters (any given is refused).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

/// A support activity as recorded: the store's record as it is.
pub use toso_store::Activity as ActivityOut;

/// A support activity to log, as on the team page's form.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "activity_date": "2025-11-20",
    "category": "vneid",
    "citizens_helped": 3,
    "dossiers": 1,
    "note": "Cài VNeID mức 2 tại nhà văn hóa"
}))]
pub struct NewActivityIn {
    /// Ngày hỗ trợ (ISO 8601): not in the future, within the team's period,
    /// and for a team member within the edit window.
    pub activity_date: NaiveDate,
    /// Lĩnh vực: an active support category's code (see the categories in
    /// the app's support log: `dvc_truc_tuyen`, `vneid`, `thanh_toan`…).
    pub category: String,
    /// Số người được hỗ trợ, 0 to 10.000.
    pub citizens_helped: i32,
    /// Số hồ sơ trực tuyến, 0 to 10.000 (default 0).
    #[serde(default)]
    pub dossiers: Option<i32>,
    /// Ghi chú, at most 500 characters.
    #[serde(default)]
    pub note: Option<String>,
    /// Other members of the team who helped (person ids), members of the
    /// team on that day.
    #[serde(default)]
    pub co_members: Vec<i64>,
}

/// The corrected values of a logged activity (all of them).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityCorrectionIn {
    /// Ngày hỗ trợ (ISO 8601).
    pub activity_date: NaiveDate,
    /// Lĩnh vực (category code).
    pub category: String,
    /// Số người được hỗ trợ.
    pub citizens_helped: i32,
    /// Số hồ sơ trực tuyến (default 0).
    #[serde(default)]
    pub dossiers: Option<i32>,
    /// Ghi chú.
    #[serde(default)]
    pub note: Option<String>,
}

/// A duty day to record for a team (a shift at the commune's desk…).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDutyDayIn {
    /// Ngày trực (ISO 8601): not in the future, within the team's period.
    pub held_on: NaiveDate,
    /// Địa điểm, 1 to 200 characters.
    pub place: String,
    /// The members on duty (person ids), members of the team that day.
    pub members: Vec<i64>,
    /// Ghi chú.
    #[serde(default)]
    pub note: Option<String>,
}

/// A duty day as recorded, and a member on it: the store's records as they
/// are.
pub use toso_store::{DutyDay as DutyDayOut, DutyMember as DutyMemberOut};
