//! The API's types for a commune's records ([`super::records`]): teams and
//! their members, documents, training courses, campaigns, contests and
//! report versions, each documented field by field and converted here from
//! the store's structs (never serialised directly), and the typed query
//! parameters of those routes. Dates are ISO 8601 (`2025-11-30`), times
//! RFC 3339 in UTC; every vocabulary value comes as its stable code with
//! its Vietnamese label beside it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// ---------------------------------------------------------------- queries

/// A day the figures are counted on.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Ngày tính (ISO 8601, `2025-11-30`; `30/11/2025` is read too):
    /// the day the members are counted on (or the registrations counted
    /// up to); default today.
    #[param(example = "2025-11-30")]
    pub as_of: Option<String>,
}

/// Filters of the document register, as on its page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentsQuery {
    /// Loại văn bản: only this kind (`quyet_dinh`, `cong_van`, `ke_hoach`,
    /// `bao_cao`, `thong_bao`, `chi_thi`, `nghi_quyet`, `khac`; the
    /// Vietnamese label is read too).
    #[param(example = "quyet_dinh")]
    pub kind: Option<String>,
    /// Năm ban hành: only documents issued that year.
    #[param(example = "2025")]
    pub year: Option<String>,
}

// ---------------------------------------------------------------- shared

/// A document of the commune's register, as cited.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentRefOut {
    /// Số hiệu: the document's id in Tổ Số (see `/communes/{code}/documents`).
    pub id: i64,
    /// Trích dẫn: "Quyết định số 1907/QĐ-UBND ngày 31/10/2025".
    pub citation: String,
}

impl From<&toso_store::Document> for DocumentRefOut {
    fn from(d: &toso_store::Document) -> Self {
        DocumentRefOut {
            id: d.id,
            citation: d.citation(),
        }
    }
}

// ---------------------------------------------------------------- teams

/// A team of the commune: a village's community digital technology team
/// (Tổ công nghệ số cộng đồng) or the commune's quick-response team (Đội
/// hỗ trợ chuyển đổi số phản ứng nhanh); dissolved ones too.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamOut {
    /// Số hiệu của tổ: the team's id (the `{id}` of its page and routes).
    pub id: i64,
    /// Mã xã of its commune.
    pub commune_code: i32,
    /// Loại tổ: `village` (a village's team) or `quick_response` (the
    /// commune's quick-response team).
    pub kind: String,
    /// The kind in Vietnamese ("Tổ công nghệ số cộng đồng"…).
    pub kind_label: String,
    /// Tên tổ.
    pub name: String,
    /// The village (thôn, tổ dân phố) of a village team; none for the
    /// quick-response team.
    pub village_id: Option<i64>,
    /// Tên thôn, tổ dân phố of a village team.
    pub village_name: Option<String>,
    /// Ngày thành lập.
    pub established_on: NaiveDate,
    /// Ngày giải thể, if dissolved: the team no longer exists from that day.
    pub dissolved_on: Option<NaiveDate>,
    /// Quyết định thành lập: the document that established it, if recorded.
    pub decision: Option<DocumentRefOut>,
    /// Nhóm Zalo: the link of the team's Zalo group (`https://zalo.me/g/…`),
    /// if recorded.
    pub zalo_link: Option<String>,
    /// Whether the team exists on `as_of` (established, not dissolved).
    pub active: bool,
    /// Số thành viên: distinct people who are members on `as_of`.
    pub members: i64,
}

impl TeamOut {
    /// `team` as of `as_of`, with its village's name, its decision and its
    /// member count on that day.
    pub fn new(
        team: toso_store::Team,
        village_name: Option<String>,
        decision: Option<DocumentRefOut>,
        as_of: NaiveDate,
        members: i64,
    ) -> TeamOut {
        TeamOut {
            active: team.is_active_on(as_of),
            id: team.id,
            commune_code: team.commune_code,
            kind: team.kind.code().to_string(),
            kind_label: team.kind.label().to_string(),
            name: team.name,
            village_id: team.village_id,
            village_name,
            established_on: team.established_on,
            dissolved_on: team.dissolved_on,
            decision,
            zalo_link: team.zalo_link,
            members,
        }
    }
}

/// The commune's teams as of a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamsOut {
    /// Ngày tính: the day `active` and `members` are counted on.
    pub as_of: NaiveDate,
    /// Every team of the commune (dissolved ones too): the quick-response
    /// team first, then the others by name.
    pub teams: Vec<TeamOut>,
}

/// A member of a team on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberOut {
    /// Số hiệu of the membership (the `{id}` of the member's page,
    /// `/communes/{code}/members/{id}`).
    pub membership_id: i64,
    /// Số hiệu of the person (the same person across teams and over time).
    pub person_id: i64,
    /// Họ và tên.
    pub full_name: String,
    /// Chức danh trong tổ held on `as_of`: `to_truong` (tổ trưởng),
    /// `to_pho` (tổ phó) or `thanh_vien` (thành viên).
    pub role: String,
    /// The role in Vietnamese.
    pub role_label: String,
    /// Chức vụ / đơn vị held on `as_of`: where the member comes from
    /// (`truong_thon`, `cong_an`, `doan_tn`, `hoi_pn`…, `khac`).
    pub affiliation: String,
    /// The affiliation in Vietnamese.
    pub affiliation_label: String,
    /// Giới tính: `nam`, `nu` or `khac`, if recorded.
    pub gender: Option<String>,
    /// Năm sinh, if recorded.
    pub birth_year: Option<i32>,
    /// Số điện thoại as stored (digits, `0912345678`): present only when
    /// recorded and when the caller's role sees the members' phones in the
    /// app (see the team's `phones_shown`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Ngày tham gia: the first day of the membership.
    pub started_on: NaiveDate,
    /// Ngày kết thúc: the membership ends on this day (it no longer holds
    /// from it), if an end is recorded.
    pub ended_on: Option<NaiveDate>,
}

impl MemberOut {
    /// `m` as the API shows it; its phone only when `phones`.
    pub fn new(m: toso_store::MemberView, phones: bool) -> MemberOut {
        MemberOut {
            membership_id: m.membership.id,
            person_id: m.membership.person_id,
            full_name: m.full_name,
            role: m.membership.role.code().to_string(),
            role_label: m.membership.role.label().to_string(),
            affiliation: m.membership.affiliation.code().to_string(),
            affiliation_label: m.membership.affiliation.label().to_string(),
            gender: m.gender,
            birth_year: m.birth_year,
            phone: m.phone.filter(|_| phones),
            started_on: m.membership.started_on,
            ended_on: m.membership.ended_on,
        }
    }
}

/// One team and its members on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamDetailOut {
    /// Ngày tính: the day the members (and their roles) are taken on.
    pub as_of: NaiveDate,
    /// The team; its `members` is the length of `members` below.
    pub team: TeamOut,
    /// Whether the members' phones are given: the caller's role sees them
    /// on the team's page in the app.
    pub phones_shown: bool,
    /// The members on `as_of`: the leader, the deputies, then the others
    /// by name.
    pub members: Vec<MemberOut>,
}

// ---------------------------------------------------------------- documents

/// A directive document of the commune's register (quyết định, công văn,
/// kế hoạch…).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentOut {
    /// Số hiệu: the document's id in Tổ Số.
    pub id: i64,
    /// Mã xã of its commune.
    pub commune_code: i32,
    /// Loại văn bản: `quyet_dinh`, `cong_van`, `ke_hoach`, `bao_cao`,
    /// `thong_bao`, `chi_thi`, `nghi_quyet` or `khac`.
    pub kind: String,
    /// The kind in Vietnamese ("Quyết định"…).
    pub kind_label: String,
    /// Số, ký hiệu văn bản ("1907/QĐ-UBND").
    pub number: String,
    /// Ngày ban hành.
    pub issued_on: NaiveDate,
    /// Cơ quan ban hành ("UBND đặc khu Cát Hải").
    pub issuer: String,
    /// Trích yếu: what the document is about.
    pub subject: String,
    /// Trích dẫn, as the app cites it: "Quyết định số 1907/QĐ-UBND ngày
    /// 31/10/2025".
    pub citation: String,
    /// Số tổ thành lập theo văn bản: the teams it established.
    pub teams_established: i64,
}

impl DocumentOut {
    pub fn new(d: toso_store::Document, teams_established: i64) -> DocumentOut {
        DocumentOut {
            citation: d.citation(),
            id: d.id,
            commune_code: d.commune_code,
            kind: d.kind.code().to_string(),
            kind_label: d.kind.label().to_string(),
            number: d.doc_number,
            issued_on: d.issued_on,
            issuer: d.issuer,
            subject: d.subject,
            teams_established,
        }
    }
}

// ---------------------------------------------------------------- training

/// A training course (lớp bồi dưỡng, tập huấn) with its participants
/// counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseOut {
    /// Số hiệu of the course.
    pub id: i64,
    /// Mã xã of its commune.
    pub commune_code: i32,
    /// Tên lớp.
    pub title: String,
    /// Đơn vị tổ chức.
    pub organiser: String,
    /// Văn bản: the document the course was held under, if recorded.
    pub document: Option<DocumentRefOut>,
    /// Từ ngày.
    pub starts_on: NaiveDate,
    /// Đến ngày, for a course of more than one day.
    pub ends_on: Option<NaiveDate>,
    /// Hình thức: `truc_tuyen` (online) or `truc_tiep` (in person). The
    /// place of a course is not recorded in Tổ Số.
    pub mode: String,
    /// The mode in Vietnamese.
    pub mode_label: String,
    /// Thành viên tổ đăng ký: team members registered by name.
    pub members_registered: i64,
    /// Thành viên tổ hoàn thành.
    pub members_completed: i64,
    /// Cán bộ, công chức đăng ký (a count).
    pub officials_registered: i64,
    /// Cán bộ, công chức hoàn thành.
    pub officials_completed: i64,
    /// Người dân đăng ký (a count).
    pub citizens_registered: i64,
    /// Người dân hoàn thành.
    pub citizens_completed: i64,
    /// Tổng số đăng ký: members, officials and citizens.
    pub registered: i64,
    /// Tổng số hoàn thành.
    pub completed: i64,
}

impl CourseOut {
    pub fn new(c: toso_store::Course, document: Option<DocumentRefOut>) -> CourseOut {
        CourseOut {
            registered: c.registered(),
            completed: c.completed(),
            members_registered: c.participants.len() as i64,
            members_completed: c.participants.iter().filter(|p| p.completed).count() as i64,
            id: c.id,
            commune_code: c.commune_code,
            title: c.title,
            organiser: c.organiser,
            document,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            mode: c.mode.code().to_string(),
            mode_label: c.mode.label().to_string(),
            officials_registered: c.officials_registered.into(),
            officials_completed: c.officials_completed.into(),
            citizens_registered: c.citizens_registered.into(),
            citizens_completed: c.citizens_completed.into(),
        }
    }
}

// ---------------------------------------------------------------- campaigns

/// A vocabulary value: its code and its Vietnamese label.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodeLabelOut {
    /// The stable code (`doan_tn`…).
    pub code: String,
    /// Its Vietnamese label ("Đoàn Thanh niên"…).
    pub label: String,
}

/// A village named by a record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VillageRefOut {
    /// Số hiệu of the village.
    pub id: i64,
    /// Tên thôn, tổ dân phố.
    pub name: String,
}

/// A campaign the teams ran with the mass organisations (đợt ra quân:
/// "Ngày thứ Bảy tình nguyện", "Chủ nhật xanh"…).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignOut {
    /// Số hiệu of the campaign.
    pub id: i64,
    /// Mã xã of its commune.
    pub commune_code: i32,
    /// Tên đợt, phong trào.
    pub name: String,
    /// Ngày ra quân.
    pub held_on: NaiveDate,
    /// Tổ chức phối hợp: the partner organisations (`doan_tn`, `hoi_pn`,
    /// `hoi_nd`, `hoi_ccb`, `mttq`, `doanh_nghiep_vien_thong`, `khac`).
    pub partners: Vec<CodeLabelOut>,
    /// Thôn, tổ dân phố where it was held, by name.
    pub villages: Vec<VillageRefOut>,
    /// Số người tham gia (a count, as recorded).
    pub participants: i64,
    /// Số người dân được tiếp cận.
    pub citizens_reached: i64,
    /// Thành viên tổ được ghi tên: team members named as having taken part
    /// (whose day of activity the campaign counts).
    pub members_named: i64,
    /// Ghi chú.
    pub note: Option<String>,
}

impl CampaignOut {
    pub fn new(c: toso_store::Campaign, members_named: i64) -> CampaignOut {
        CampaignOut {
            id: c.id,
            commune_code: c.commune_code,
            name: c.name,
            held_on: c.held_on,
            partners: c
                .partners
                .into_iter()
                .map(|p| CodeLabelOut {
                    code: p.code().to_string(),
                    label: p.label().to_string(),
                })
                .collect(),
            villages: c
                .villages
                .into_iter()
                .map(|(id, name)| VillageRefOut { id, name })
                .collect(),
            participants: c.participants.into(),
            citizens_reached: c.citizens_reached.into(),
            members_named,
            note: c.note,
        }
    }
}

// ---------------------------------------------------------------- contests

/// One entry of registrations for a contest (a day, a group, a count).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationOut {
    /// Số hiệu of the entry.
    pub id: i64,
    /// Ngày đăng ký.
    pub registered_on: NaiveDate,
    /// Nhóm đăng ký: `can_bo` (cán bộ, công chức, viên chức),
    /// `thanh_vien_to` (thành viên tổ) or `nguoi_dan` (người dân).
    pub group: String,
    /// The group in Vietnamese.
    pub group_label: String,
    /// Số lượt đăng ký in the entry.
    pub count: i64,
    /// Ghi chú.
    pub note: Option<String>,
}

impl From<toso_store::Registration> for RegistrationOut {
    fn from(r: toso_store::Registration) -> Self {
        RegistrationOut {
            id: r.id,
            registered_on: r.registered_on,
            group: r.grp.code().to_string(),
            group_label: r.grp.label().to_string(),
            count: r.count.into(),
            note: r.note,
        }
    }
}

/// The registrations of one group, added up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupTotalOut {
    /// Nhóm đăng ký (`can_bo`, `thanh_vien_to`, `nguoi_dan`).
    pub group: String,
    /// The group in Vietnamese.
    pub label: String,
    /// Số lượt đăng ký up to `as_of`.
    pub count: i64,
}

/// A contest (cuộc thi, e.g. "Công dân số Hải Phòng") with its
/// registrations up to the day asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContestOut {
    /// Số hiệu of the contest.
    pub id: i64,
    /// Mã xã of its commune.
    pub commune_code: i32,
    /// Tên cuộc thi.
    pub name: String,
    /// Đơn vị tổ chức.
    pub organiser: String,
    /// Văn bản phát động, if recorded.
    pub document: Option<DocumentRefOut>,
    /// Ngày bắt đầu.
    pub starts_on: NaiveDate,
    /// Ngày kết thúc, if set.
    pub ends_on: Option<NaiveDate>,
    /// Tổng số lượt đăng ký recorded up to `as_of`.
    pub registrations: i64,
    /// The same by group (every group, zero included).
    pub by_group: Vec<GroupTotalOut>,
    /// The entries recorded up to `as_of`, oldest first.
    pub entries: Vec<RegistrationOut>,
    /// Entries recorded after `as_of` (neither listed nor counted).
    pub later_entries: i64,
}

/// The commune's contests and their registrations as of a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContestsOut {
    /// Ngày tính: registrations are counted up to this day.
    pub as_of: NaiveDate,
    /// Lượt đăng ký dự thi: the commune's indicator `contest_registrations`
    /// on `as_of` (the figure the dashboards and reports show).
    pub total: i64,
    /// Every contest of the commune, newest first.
    pub contests: Vec<ContestOut>,
}

// ---------------------------------------------------------------- reports

/// The reporting request (văn bản yêu cầu báo cáo) a report answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestOut {
    /// Số hiệu of the request.
    pub id: i64,
    /// Mã tỉnh of the province that asks.
    pub province_code: i32,
    /// Whether the province sent it to all its communes in Tổ Số (`false`:
    /// the commune registered a request it received).
    pub from_province: bool,
    /// Số, ký hiệu ("4675/SKHCN-CNTT").
    pub number: String,
    /// Ngày ban hành.
    pub issued_on: NaiveDate,
    /// Cơ quan ban hành.
    pub issuer: String,
    /// Trích yếu.
    pub subject: String,
    /// Hạn báo cáo, if set.
    pub deadline: Option<NaiveDate>,
    /// Số liệu tính đến ngày: the day the figures are asked for.
    pub as_of: NaiveDate,
    /// Kỳ báo cáo từ ngày, when the request names a period.
    pub period_from: Option<NaiveDate>,
}

impl From<&toso_store::ReportingRequest> for RequestOut {
    fn from(r: &toso_store::ReportingRequest) -> Self {
        RequestOut {
            id: r.id,
            province_code: r.province_code,
            from_province: r.commune_code.is_none(),
            number: r.doc_number.clone(),
            issued_on: r.issued_on,
            issuer: r.issuer.clone(),
            subject: r.subject.clone(),
            deadline: r.deadline,
            as_of: r.as_of,
            period_from: r.period_from,
        }
    }
}

/// A file of a report version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportFileOut {
    /// `docx` (the report), `pdf` (the report) or `xlsx` (the annex of
    /// figures).
    pub kind: String,
    /// Tên tệp, as downloaded.
    pub name: String,
    /// Where the API answers it (with the same bytes as the page's
    /// download).
    pub url: String,
}

/// One version of the commune's report for a request: its figures frozen
/// when it was made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportOut {
    /// Số hiệu of the version (the `{id}` of its page and files).
    pub id: i64,
    /// Mã xã.
    pub commune_code: i32,
    /// Phiên bản: 1, 2… for the request.
    pub version: i32,
    /// The request it answers.
    pub request: RequestOut,
    /// Số báo cáo, after "Số: " ("05/BC-UBND"; blank until numbered).
    pub number: String,
    /// Trích yếu of the report.
    pub subject: String,
    /// Số liệu tính đến ngày: the day the figures were counted on.
    pub as_of: NaiveDate,
    /// Ngày báo cáo: the date the report bears.
    pub report_date: NaiveDate,
    /// Người tạo: the account that made the version (its user name).
    pub created_by: String,
    /// When the version was made (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When this version was last submitted to the province (RFC 3339,
    /// UTC), if it was.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Whether this is the newest version for the request.
    pub latest: bool,
    /// Trạng thái: where the commune's report for the request stands in the
    /// cycle with the province: `draft`, `submitted`, `returned` or
    /// `accepted` (`not_started` does not occur: there is a version).
    pub state: String,
    /// The state in Vietnamese ("Đã gửi, chờ Sở xem xét"…).
    pub state_label: String,
    /// The version the state concerns (submitted, returned or accepted);
    /// none for a draft.
    pub state_version: Option<i32>,
    /// The files of this version.
    pub files: Vec<ReportFileOut>,
}
