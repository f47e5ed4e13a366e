//! The Department's consolidated report for one of its requests (issue 19,
//! item 4): the settings of a new version ([`province_report_defaults`]),
//! the [`ProvinceSnapshot`] a version freezes ([`compose_province_report`])
//! and storing it ([`create_province_report`]).
//!
//! Where the figures come from:
//!
//! * The results (villages, teams, members, coverage, support, training,
//!   contests, campaigns) are SUMS over the communes' accepted versions
//!   only — for a commune whose state is accepted, the version of its last
//!   transition — read from each version's frozen [`Snapshot::values`].
//!   They are never recomputed from the live records: what the Department
//!   accepted is what it adds up, whatever a commune changed since.
//!   Coverage is Σ villages with a team / Σ villages over the same versions.
//! * A version frozen before `values` existed is read from its printed
//!   figures instead: a count whose key is there ("1.440" → 1440) is taken;
//!   any other figure of that version (a rate such as coverage, or a count
//!   its body did not print) is missing — it adds 0 to the sums and its
//!   annex cell reads "—".
//! * The completeness figures (communes expected, submitted, accepted, on
//!   time) come from the request's board ([`Store::request_board`]) on the
//!   day of composing, and are frozen with the text.
//!
//! The annex has one row per commune of the province in the board's order:
//! the figures of its accepted version as numbers (so a spreadsheet sums
//! them), or the state of its report and empty cells; the totals row is
//! the sum of the rows and equals the body's figures.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use toso_domain::{format_date, format_int, format_percent, ReportState};
use toso_reports::text::lines;
use toso_reports::{placeholders, template};
use toso_reports::{
    Annex, Cell, FrozenFigure, PlaceholderInfo, Printed, ProvinceSnapshot, Snapshot, SourceVersion,
};
use toso_store::reports::check_settings_for;
use toso_store::{
    Actor, Board, Province, ProvinceReport, ReportSettings, ReportingRequest, Result, Store,
    StoreError,
};

use crate::compose::{as_of_text, document, resolve_blocks};

/// Every placeholder a province report's body may use, with what it is.
pub const PROVINCE_PLACEHOLDERS: &[PlaceholderInfo] = &[
    PlaceholderInfo {
        key: "request",
        label: "Văn bản yêu cầu báo cáo (số, ngày, cơ quan ban hành, trích yếu)",
    },
    PlaceholderInfo {
        key: "province",
        label: "Tên tỉnh, thành phố (ví dụ «thành phố Hải Phòng»)",
    },
    placeholders::AS_OF,
    placeholders::AS_OF_TEXT,
    PlaceholderInfo {
        key: "communes_total",
        label: "Tổng số xã, phường, đặc khu của tỉnh, thành phố",
    },
    PlaceholderInfo {
        key: "communes",
        label: "Số xã, phường, đặc khu phải báo cáo",
    },
    PlaceholderInfo {
        key: "communes_submitted",
        label: "Số xã, phường, đặc khu đã gửi báo cáo",
    },
    PlaceholderInfo {
        key: "communes_reported",
        label: "Số xã, phường, đặc khu có báo cáo được Sở chấp nhận",
    },
    PlaceholderInfo {
        key: "reported_list",
        label: "Tên các xã, phường, đặc khu có báo cáo được Sở chấp nhận (được tổng hợp)",
    },
    PlaceholderInfo {
        key: "not_reported",
        label: "Tên các xã, phường, đặc khu phải báo cáo nhưng chưa có báo cáo được chấp nhận",
    },
    PlaceholderInfo {
        key: "submitted_rate",
        label: "Tỷ lệ đã gửi báo cáo («x/N xã, đạt y%»)",
    },
    PlaceholderInfo {
        key: "accepted_rate",
        label: "Tỷ lệ có báo cáo được Sở chấp nhận («x/N xã, đạt y%»)",
    },
    PlaceholderInfo {
        key: "on_time_rate",
        label: "Tỷ lệ gửi báo cáo đúng hạn («x/N xã, đạt y%»)",
    },
    PlaceholderInfo {
        key: "villages",
        label: "Tổng số thôn, tổ dân phố (cộng các báo cáo được chấp nhận)",
    },
    PlaceholderInfo {
        key: "teams",
        label: "Tổng số Tổ công nghệ số cộng đồng đã thành lập (cộng các báo cáo được chấp nhận)",
    },
    PlaceholderInfo {
        key: "members",
        label: "Tổng số thành viên Tổ công nghệ số cộng đồng (cộng các báo cáo được chấp nhận)",
    },
    PlaceholderInfo {
        key: "coverage",
        label:
            "Tỷ lệ thôn, tổ dân phố có Tổ công nghệ số cộng đồng (cộng các báo cáo được chấp nhận)",
    },
    PlaceholderInfo {
        key: "below_full",
        label: "Các xã, phường, đặc khu có tỷ lệ thôn có Tổ dưới 100%, kèm tỷ lệ",
    },
    PlaceholderInfo {
        key: "quick_response_members",
        label: "Tổng số thành viên Đội hỗ trợ chuyển đổi số phản ứng nhanh",
    },
    PlaceholderInfo {
        key: "support_activities",
        label: "Tổng số lượt hỗ trợ người dân",
    },
    PlaceholderInfo {
        key: "citizens_helped",
        label: "Tổng số lượt người dân được hỗ trợ",
    },
    PlaceholderInfo {
        key: "dossiers",
        label: "Tổng số hồ sơ dịch vụ công trực tuyến đã hỗ trợ nộp",
    },
    PlaceholderInfo {
        key: "training_courses",
        label: "Tổng số lớp bồi dưỡng, tập huấn",
    },
    PlaceholderInfo {
        key: "trainees",
        label: "Tổng số lượt người đăng ký tham gia tập huấn",
    },
    PlaceholderInfo {
        key: "members_trained",
        label: "Tổng số thành viên tổ đã được tập huấn",
    },
    PlaceholderInfo {
        key: "contest_registrations",
        label: "Tổng số lượt đăng ký tham gia cuộc thi",
    },
    PlaceholderInfo {
        key: "campaigns",
        label: "Tổng số đợt ra quân phối hợp với các tổ chức chính trị - xã hội",
    },
    PlaceholderInfo {
        key: "campaign_reach",
        label: "Tổng số lượt người dân được tiếp cận qua các đợt ra quân",
    },
];

/// The built-in body of the consolidated report: the reporting situation,
/// the summed results, proposals. No name of a place is written in: the
/// province and the communes come from the records.
pub const PROVINCE_BODY: &str = "\
Thực hiện {request}, Sở Khoa học và Công nghệ tổng hợp kết quả báo cáo của các xã, phường, đặc khu trên địa bàn {province} (số liệu đến ngày {as_of}) như sau:
# I. TÌNH HÌNH BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU
- Tổng số xã, phường, đặc khu trên địa bàn: {communes_total}; số đơn vị phải báo cáo: {communes}; đã gửi báo cáo: {communes_submitted}; có báo cáo được Sở chấp nhận: {communes_reported}.
- Tỷ lệ đơn vị đã gửi báo cáo: {submitted_rate}.
- Tỷ lệ đơn vị có báo cáo được Sở chấp nhận: {accepted_rate}.
- Tỷ lệ đơn vị gửi báo cáo đúng hạn: {on_time_rate}.
- Các đơn vị có báo cáo được tổng hợp: {reported_list}.
- Các đơn vị chưa có báo cáo được chấp nhận: {not_reported}.
# II. KẾT QUẢ TRIỂN KHAI
Số liệu dưới đây là tổng số liệu trong các báo cáo đã được Sở chấp nhận (chi tiết từng đơn vị tại Phụ lục kèm theo).
## 1. Kiện toàn các Tổ công nghệ số cộng đồng
- Số lượng thôn, tổ dân phố: {villages} thôn, tổ dân phố.
- Số lượng Tổ công nghệ số cộng đồng đã thành lập: {teams} tổ, với {members} thành viên.
- Tỷ lệ thôn, tổ dân phố có Tổ công nghệ số cộng đồng: {coverage}; các đơn vị chưa đạt 100%: {below_full}.
- Đội hỗ trợ chuyển đổi số phản ứng nhanh cấp xã: {quick_response_members} thành viên.
## 2. Bồi dưỡng, tập huấn
- Các xã, phường, đặc khu đã tổ chức hoặc cử người tham gia {training_courses} lớp bồi dưỡng, tập huấn với {trainees} lượt người đăng ký; {members_trained} thành viên tổ đã được tập huấn.
- Các đơn vị đã đăng ký {contest_registrations} lượt người tham gia các cuộc thi.
## 3. Hỗ trợ người dân
- Đến {as_of_text}, các tổ đã thực hiện {support_activities} lượt hỗ trợ với {citizens_helped} lượt người dân được hỗ trợ, trong đó hỗ trợ nộp {dossiers} hồ sơ dịch vụ công trực tuyến.
- Các tổ đã phối hợp với các tổ chức chính trị - xã hội tổ chức {campaigns} đợt ra quân, tuyên truyền, hướng dẫn {campaign_reach} lượt người dân sử dụng dịch vụ số.
# III. ĐỀ XUẤT, KIẾN NGHỊ
- Đề nghị các đơn vị chưa có báo cáo được chấp nhận hoàn thiện, gửi báo cáo về Sở Khoa học và Công nghệ.
- Đề nghị các đơn vị có tỷ lệ thôn, tổ dân phố có Tổ công nghệ số cộng đồng dưới 100% kiện toàn, thành lập đủ các tổ.
- Tiếp tục bồi dưỡng, tập huấn kỹ năng số cho thành viên các tổ; duy trì hoạt động hỗ trợ người dân sử dụng dịch vụ công trực tuyến và các ứng dụng số./.
";

/// The subject's first words; the province's phrase follows.
pub const PROVINCE_SUBJECT_LEAD: &str =
    "Kết quả triển khai Tổ công nghệ số cộng đồng\ntrên địa bàn";
pub const PROVINCE_SIGNER_CAPACITY: &str = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC";
/// The number before the clerk assigns one.
pub const PROVINCE_UNNUMBERED: &str = "        /BC-SKHCN";
/// The issuing body of every consolidated report.
pub const PROVINCE_ISSUING_BODY: &str = "SỞ KHOA HỌC VÀ CÔNG NGHỆ";
/// What an empty list of communes reads.
pub const NO_COMMUNE: &str = "không có";
/// An annex cell whose figure the version did not freeze.
pub const MISSING: &str = "—";

/// The figures summed over the accepted versions, in the annex's order of
/// the figure columns where they have one.
const SUMMED: &[&str] = &[
    "villages",
    "teams",
    "coverage",
    "members",
    "quick_response_members",
    "support_activities",
    "citizens_helped",
    "dossiers",
    "training_courses",
    "trainees",
    "members_trained",
    "contest_registrations",
    "campaigns",
    "campaign_reach",
];

/// The annex's figure columns: key and header.
const FIGURE_COLUMNS: &[(&str, &str)] = &[
    ("villages", "Số thôn, tổ dân phố"),
    ("teams", "Số Tổ CNSCĐ"),
    ("coverage", "Tỷ lệ thôn có Tổ"),
    ("members", "Số thành viên"),
    ("quick_response_members", "Thành viên Đội PƯN"),
    ("citizens_helped", "Lượt người dân được hỗ trợ"),
    ("dossiers", "Hồ sơ DVC trực tuyến"),
    ("trainees", "Lượt người tập huấn"),
    ("contest_registrations", "Lượt đăng ký cuộc thi"),
];

/// Settings for a new version of the consolidated report: the built-in
/// texts with the province's name, the request's as-of date (not after
/// today), dated today.
pub async fn province_report_defaults(
    store: &Store,
    request: &ReportingRequest,
) -> Result<ReportSettings> {
    let province = store.province(request.province_code).await?;
    let (phrase, short) = province_names(&province);
    let today = toso_store::today();
    let as_of = request.as_of.min(today);
    Ok(ReportSettings {
        as_of,
        report_date: today.max(as_of),
        number: PROVINCE_UNNUMBERED.into(),
        place: short,
        parent_body: Some(format!("UBND {}", phrase.to_uppercase())),
        subject: format!("{PROVINCE_SUBJECT_LEAD} {phrase}"),
        body: PROVINCE_BODY.into(),
        recipients: format!(
            "Bộ Khoa học và Công nghệ;\nUBND {phrase};\nLãnh đạo Sở;\nLưu: VT, CNTT."
        ),
        signer_capacity: PROVINCE_SIGNER_CAPACITY.into(),
        signer_name: String::new(),
    })
}

/// Compute the snapshot a consolidated report with these settings would
/// freeze, without storing anything (the preview, and the first step of
/// [`create_province_report`]).
pub async fn compose_province_report(
    store: &Store,
    request: &ReportingRequest,
    settings: &ReportSettings,
) -> Result<ProvinceSnapshot> {
    let known: Vec<&str> = PROVINCE_PLACEHOLDERS.iter().map(|p| p.key).collect();
    let parsed = check_settings_for(settings, toso_store::today(), &known)?;
    let board = store.request_board(request.id, toso_store::today()).await?;
    let province = store.province(board.request.province_code).await?;
    let consolidation = Consolidation::read(store, &province, &board).await?;
    let as_of = settings.as_of;

    let texts = consolidation.texts(request, as_of);
    let figures: Vec<FrozenFigure> = template::placeholders(&parsed)
        .into_iter()
        .map(|key| -> Result<FrozenFigure> {
            let text = texts
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, t)| t.clone())
                .ok_or_else(|| {
                    StoreError::invalid(
                        "body",
                        format!("Nội dung báo cáo: không có số liệu tên «{{{key}}}»."),
                    )
                })?;
            Ok(FrozenFigure {
                key: key.into(),
                label: label_of(key).into(),
                text,
            })
        })
        .collect::<Result<_>>()?;
    let blocks = resolve_blocks(&parsed, &figures)?;
    let document = document(
        settings,
        vec![PROVINCE_ISSUING_BODY.into()],
        blocks,
        format!(
            "Báo cáo tổng hợp {} – {}",
            lines(&settings.subject).join(" "),
            province.name
        ),
    );
    Ok(ProvinceSnapshot {
        province_code: province.code,
        request_id: request.id,
        printed: Printed {
            as_of,
            document,
            annexes: vec![consolidation.annex(&province.name, request, as_of)],
            annex_pages: true,
            figures,
        },
        sources: consolidation.sources(),
    })
}

/// Generate and store a new version of the province's consolidated report
/// for its request `request_id`: the accepted versions are summed now and
/// frozen.
pub async fn create_province_report(
    store: &Store,
    actor: &Actor,
    request_id: i64,
    settings: ReportSettings,
) -> Result<ProvinceReport> {
    let request = store.province_request(request_id).await?;
    let snapshot = compose_province_report(store, &request, &settings).await?;
    store
        .save_province_report(actor, &request, settings, snapshot)
        .await
}

/// The label of a province placeholder.
fn label_of(key: &str) -> &str {
    PROVINCE_PLACEHOLDERS
        .iter()
        .find(|p| p.key == key)
        .map_or(key, |p| p.label)
}

/// "Thành phố Hải Phòng" → ("thành phố Hải Phòng", "Hải Phòng"); "An
/// Giang" (a tỉnh) → ("tỉnh An Giang", "An Giang").
fn province_names(province: &Province) -> (String, String) {
    let kind = province.kind.to_lowercase();
    let word = if kind.starts_with("thành phố") {
        "thành phố"
    } else if kind.starts_with("tỉnh") {
        "tỉnh"
    } else {
        kind.as_str()
    };
    let name = province.name.trim();
    let short = ["Thành phố ", "Tỉnh ", "thành phố ", "tỉnh "]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
        .trim()
        .to_string();
    if word.is_empty() {
        return (short.clone(), short);
    }
    (format!("{word} {short}"), short)
}

/// "3/5 xã, đạt 60%".
fn rate(part: usize, whole: usize) -> String {
    format!(
        "{}/{} xã, đạt {}",
        format_int(part as i64),
        format_int(whole as i64),
        format_percent(part as i64, whole as i64)
    )
}

/// Names joined with ", ", or "không có".
fn name_list(names: Vec<String>) -> String {
    if names.is_empty() {
        NO_COMMUNE.to_string()
    } else {
        names.join(", ")
    }
}

/// One figure of an accepted version: a count, or a rate's numerator with
/// its denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Frozen {
    value: i64,
    denominator: Option<i64>,
}

/// A count printed as "1.440" (or "386"), as a number; anything else
/// (a rate, a text) is `None`.
fn parse_count(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty()
        || text.starts_with('.')
        || text.ends_with('.')
        || !text.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return None;
    }
    text.replace('.', "").parse().ok()
}

/// Figure `key` of a commune version: its frozen value, or, for a version
/// frozen before values were, the count its body printed.
fn frozen(snapshot: &Snapshot, key: &str) -> Option<Frozen> {
    if let Some(v) = snapshot.value(key) {
        return Some(Frozen {
            value: v.value,
            denominator: v.denominator,
        });
    }
    let figure = snapshot.printed.figures.iter().find(|f| f.key == key)?;
    parse_count(&figure.text).map(|value| Frozen {
        value,
        denominator: None,
    })
}

/// A commune's accepted version, as summed.
#[derive(Debug, Clone)]
struct Accepted {
    report_id: i64,
    version: i32,
    /// The figures of [`SUMMED`] the version holds.
    values: BTreeMap<&'static str, Frozen>,
}

impl Accepted {
    fn from_snapshot(report_id: i64, version: i32, snapshot: &Snapshot) -> Accepted {
        Accepted {
            report_id,
            version,
            values: SUMMED
                .iter()
                .filter_map(|key| frozen(snapshot, key).map(|f| (*key, f)))
                .collect(),
        }
    }
}

/// One commune of the province in the consolidation.
#[derive(Debug, Clone)]
struct Line {
    code: i32,
    name: String,
    /// Expected to answer the request.
    expected: bool,
    /// What the annex says of its report.
    state: String,
    /// The version the state is about, if any.
    version: Option<i32>,
    /// Its accepted version, summed.
    accepted: Option<Accepted>,
}

/// The province's communes with their accepted versions, and the board's
/// counts: everything the body and the annex print.
#[derive(Debug, Clone)]
struct Consolidation {
    province_phrase: String,
    lines: Vec<Line>,
    expected: usize,
    submitted: usize,
    accepted: usize,
    on_time: usize,
}

impl Consolidation {
    /// The board's rows with the accepted versions' snapshots read.
    async fn read(store: &Store, province: &Province, board: &Board) -> Result<Consolidation> {
        let mut accepted_reports: BTreeMap<i32, toso_store::Report> = store
            .accepted_reports(board.request.id)
            .await?
            .into_iter()
            .map(|r| (r.commune_code, r))
            .collect();
        let mut lines = Vec::with_capacity(board.rows.len());
        for row in &board.rows {
            let status = &row.status;
            let state = match (&row.exclusion, status.state) {
                (Some(e), _) => format!("Không phải báo cáo: {}", e.reason),
                (None, ReportState::NotStarted | ReportState::Draft) => "Chưa báo cáo".into(),
                (None, other) => other.label().to_string(),
            };
            let version = match status.state {
                ReportState::Submitted | ReportState::Returned | ReportState::Accepted => {
                    status.version()
                }
                _ => None,
            };
            let accepted = match accepted_reports.remove(&row.commune.code) {
                Some(report) if row.expected() => Some(Accepted::from_snapshot(
                    report.id,
                    report.version,
                    &report.snapshot()?,
                )),
                _ => None,
            };
            lines.push(Line {
                code: row.commune.code,
                name: row.commune.name.clone(),
                expected: row.expected(),
                state,
                version,
                accepted,
            });
        }
        Ok(Consolidation {
            province_phrase: province_names(province).0,
            lines,
            expected: board.expected,
            submitted: board.submitted,
            accepted: board.accepted,
            on_time: board.on_time,
        })
    }

    fn accepted_lines(&self) -> impl Iterator<Item = (&Line, &Accepted)> {
        self.lines
            .iter()
            .filter_map(|l| l.accepted.as_ref().map(|a| (l, a)))
    }

    /// Σ of figure `key` over the accepted versions (a missing one adds 0).
    fn sum(&self, key: &str) -> i64 {
        self.accepted_lines()
            .filter_map(|(_, a)| a.values.get(key))
            .map(|f| f.value)
            .sum()
    }

    /// Σ villages with a team and Σ villages over the versions that froze
    /// their coverage.
    fn coverage(&self) -> (i64, i64) {
        self.accepted_lines()
            .filter_map(|(_, a)| a.values.get("coverage"))
            .fold((0, 0), |(n, d), f| {
                (n + f.value, d + f.denominator.unwrap_or(0))
            })
    }

    /// The text of every placeholder of [`PROVINCE_PLACEHOLDERS`].
    fn texts(&self, request: &ReportingRequest, as_of: NaiveDate) -> Vec<(&'static str, String)> {
        PROVINCE_PLACEHOLDERS
            .iter()
            .map(|p| {
                let text = match p.key {
                    "request" => request.citation(),
                    "province" => self.province_phrase.clone(),
                    "as_of" => format_date(as_of),
                    "as_of_text" => as_of_text(as_of),
                    "communes_total" => format_int(self.lines.len() as i64),
                    "communes" => format_int(self.expected as i64),
                    "communes_submitted" => format_int(self.submitted as i64),
                    "communes_reported" => format_int(self.accepted as i64),
                    "reported_list" => {
                        name_list(self.accepted_lines().map(|(l, _)| l.name.clone()).collect())
                    }
                    "not_reported" => name_list(
                        self.lines
                            .iter()
                            .filter(|l| l.expected && l.accepted.is_none())
                            .map(|l| l.name.clone())
                            .collect(),
                    ),
                    "submitted_rate" => rate(self.submitted, self.expected),
                    "accepted_rate" => rate(self.accepted, self.expected),
                    "on_time_rate" => rate(self.on_time, self.expected),
                    "coverage" => {
                        let (n, d) = self.coverage();
                        format_percent(n, d)
                    }
                    "below_full" => name_list(
                        self.accepted_lines()
                            .filter_map(|(l, a)| {
                                let f = a.values.get("coverage")?;
                                let d = f.denominator?;
                                (d > 0 && f.value < d)
                                    .then(|| format!("{} ({})", l.name, format_percent(f.value, d)))
                            })
                            .collect(),
                    ),
                    // Every other placeholder is a summed count.
                    key => format_int(self.sum(key)),
                };
                (p.key, text)
            })
            .collect()
    }

    /// The accepted versions summed, in the annex's order.
    fn sources(&self) -> Vec<SourceVersion> {
        self.accepted_lines()
            .map(|(l, a)| SourceVersion {
                commune_code: l.code,
                commune_name: l.name.clone(),
                report_id: a.report_id,
                version: a.version,
            })
            .collect()
    }

    /// The annex: one row per commune, a totals row equal to their sum.
    fn annex(&self, province_name: &str, request: &ReportingRequest, as_of: NaiveDate) -> Annex {
        let n = |v: i64| Cell::Number(v as f64);
        let t = |s: &str| Cell::Text(s.to_string());
        let rows = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut row = vec![
                    n(i as i64 + 1),
                    t(&l.name),
                    t(&l.state),
                    l.version.map_or_else(|| t(""), |v| n(v as i64)),
                ];
                row.extend(FIGURE_COLUMNS.iter().map(|(key, _)| {
                    let Some(accepted) = &l.accepted else {
                        return t("");
                    };
                    match (accepted.values.get(key), *key) {
                        (None, _) => t(MISSING),
                        (Some(f), "coverage") => match f.denominator {
                            Some(d) => Cell::Text(format_percent(f.value, d)),
                            None => t(MISSING),
                        },
                        (Some(f), _) => n(f.value),
                    }
                }));
                row
            })
            .collect();
        let mut totals = vec![
            t(""),
            t("Cộng"),
            Cell::Text(format!(
                "{} xã được tổng hợp",
                format_int(self.accepted_lines().count() as i64)
            )),
            t(""),
        ];
        totals.extend(FIGURE_COLUMNS.iter().map(|(key, _)| {
            if *key == "coverage" {
                let (num, den) = self.coverage();
                Cell::Text(format_percent(num, den))
            } else {
                n(self.sum(key))
            }
        }));
        let columns = [
            "STT",
            "Xã, phường, đặc khu",
            "Tình trạng báo cáo",
            "Phiên bản",
        ]
        .into_iter()
        .chain(FIGURE_COLUMNS.iter().map(|(_, header)| *header))
        .map(String::from)
        .collect();
        Annex {
            title: "Phụ lục: Kết quả báo cáo của các xã, phường, đặc khu".into(),
            subtitle: vec![
                province_name.to_string(),
                format!("Số liệu đến ngày {}", format_date(as_of)),
                format!(
                    "Theo Công văn số {} ngày {}",
                    request.doc_number,
                    format_date(request.issued_on)
                ),
            ],
            columns,
            rows,
            totals: Some(totals),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::spaced_number;
    use toso_reports::Document;
    use toso_reports::FrozenValue;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The body uses every placeholder of the list, and only those; each
    /// key is listed once, and every key has a text.
    #[test]
    fn the_placeholder_list_matches_the_body() {
        let keys: Vec<&str> = PROVINCE_PLACEHOLDERS.iter().map(|p| p.key).collect();
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "a key is listed twice");
        let parsed = template::parse(PROVINCE_BODY).unwrap();
        template::check(&parsed, &keys).unwrap();
        let mut used = template::placeholders(&parsed);
        used.sort_unstable();
        assert_eq!(used, unique, "the body and the list differ");
        for p in PROVINCE_PLACEHOLDERS {
            assert!(!p.label.trim().is_empty(), "{}", p.key);
        }
        // Every summed figure and annex column is a placeholder.
        for key in SUMMED.iter().chain(FIGURE_COLUMNS.iter().map(|(k, _)| k)) {
            assert!(keys.contains(key), "{key}");
        }
        let texts = sample().texts(&sample_request(), day(2025, 11, 30));
        assert_eq!(texts.len(), keys.len());
        assert!(texts.iter().all(|(_, t)| !t.is_empty()));
        // The body names a place only through {province} and the lists.
        assert!(!PROVINCE_BODY.contains("thành phố"));
        assert!(!PROVINCE_BODY.contains("tỉnh "));
    }

    /// The built-in texts name no province, commune or ward of the country
    /// (as the commune report's test does).
    #[test]
    fn the_built_in_texts_name_no_place() {
        let texts = [
            PROVINCE_BODY,
            PROVINCE_SUBJECT_LEAD,
            PROVINCE_SIGNER_CAPACITY,
            PROVINCE_ISSUING_BODY,
            NO_COMMUNE,
        ];
        crate::compose::assert_no_place_named(&texts);
    }

    #[test]
    fn names_counts_and_dates() {
        let city = Province {
            code: 31,
            name: "Thành phố Hải Phòng".into(),
            kind: "thành phố trung ương".into(),
        };
        assert_eq!(
            province_names(&city),
            ("thành phố Hải Phòng".to_string(), "Hải Phòng".to_string())
        );
        let tinh = Province {
            code: 22,
            name: "Quảng Ninh".into(),
            kind: "tỉnh".into(),
        };
        assert_eq!(
            province_names(&tinh),
            ("tỉnh Quảng Ninh".to_string(), "Quảng Ninh".to_string())
        );
        assert_eq!(parse_count("1.440"), Some(1440));
        assert_eq!(parse_count("386"), Some(386));
        for not_a_count in ["100%", "12,5%", "", ".", "1.", "không có", "-3"] {
            assert_eq!(parse_count(not_a_count), None, "{not_a_count}");
        }
        assert_eq!(rate(3, 4), "3/4 xã, đạt 75%");
        assert_eq!(rate(0, 0), "0/0 xã, đạt —");
        assert_eq!(as_of_text(day(2025, 11, 30)), "hết tháng 11/2025");
        assert_eq!(as_of_text(day(2025, 11, 15)), "ngày 15/11/2025");
        assert_eq!(
            spaced_number(PROVINCE_UNNUMBERED).trim_start_matches('\u{a0}'),
            "/BC-SKHCN"
        );
    }

    fn sample_request() -> ReportingRequest {
        ReportingRequest {
            id: 7,
            province_code: 31,
            commune_code: None,
            doc_number: "12/SKHCN".into(),
            issued_on: day(2025, 12, 1),
            issuer: "Sở Khoa học và Công nghệ".into(),
            subject: "Về việc báo cáo".into(),
            deadline: None,
            as_of: day(2025, 11, 30),
            period_from: None,
            grace_days: 0,
            template_body: None,
        }
    }

    fn snapshot(values: Vec<FrozenValue>, figures: Vec<FrozenFigure>) -> Snapshot {
        Snapshot {
            commune_code: 1,
            printed: Printed {
                as_of: day(2025, 11, 30),
                document: Document::sample(),
                annexes: vec![],
                annex_pages: true,
                figures,
            },
            values,
        }
    }

    fn value(key: &str, value: i64, denominator: Option<i64>) -> FrozenValue {
        FrozenValue {
            key: key.into(),
            value,
            denominator,
        }
    }

    fn line(code: i32, state: &str, accepted: Option<Accepted>) -> Line {
        Line {
            code,
            name: format!("Xã {code}"),
            expected: true,
            state: state.into(),
            version: accepted.as_ref().map(|a| a.version),
            accepted,
        }
    }

    /// Two accepted versions (one frozen before values existed), one
    /// returned, one not expected.
    fn sample() -> Consolidation {
        let full = snapshot(
            SUMMED
                .iter()
                .enumerate()
                .map(|(i, k)| match *k {
                    "coverage" => value(k, 4, Some(5)),
                    k => value(k, 10 + i as i64, None),
                })
                .collect(),
            vec![],
        );
        let old = snapshot(
            vec![],
            vec![
                FrozenFigure {
                    key: "members".into(),
                    label: "Số thành viên".into(),
                    text: "1.440".into(),
                },
                FrozenFigure {
                    key: "coverage".into(),
                    label: "Tỷ lệ".into(),
                    text: "100%".into(),
                },
            ],
        );
        let mut excluded = line(4, "Không phải báo cáo: chưa triển khai", None);
        excluded.expected = false;
        Consolidation {
            province_phrase: "tỉnh Thử".into(),
            lines: vec![
                line(
                    1,
                    "Sở đã chấp nhận",
                    Some(Accepted::from_snapshot(11, 2, &full)),
                ),
                line(
                    2,
                    "Sở đã chấp nhận",
                    Some(Accepted::from_snapshot(12, 1, &old)),
                ),
                line(3, "Sở trả lại", None),
                excluded,
            ],
            expected: 3,
            submitted: 3,
            accepted: 2,
            on_time: 1,
        }
    }

    /// The sums, the rates, the lists, the missing figures of an old
    /// version, and a totals row equal to the sum of the rows and to the
    /// body's figures.
    #[test]
    fn the_consolidation_sums_the_accepted_versions() {
        let c = sample();
        let request = sample_request();
        let texts = c.texts(&request, day(2025, 11, 30));
        let text = |key: &str| texts.iter().find(|(k, _)| *k == key).unwrap().1.clone();
        // members: 10 + index 3 in the full version, 1.440 from the old one.
        assert_eq!(text("members"), format_int(13 + 1440));
        assert_eq!(text("villages"), "10");
        assert_eq!(text("coverage"), "80%");
        assert_eq!(text("below_full"), "Xã 1 (80%)");
        assert_eq!(text("reported_list"), "Xã 1, Xã 2");
        assert_eq!(text("not_reported"), "Xã 3");
        assert_eq!(text("accepted_rate"), "2/3 xã, đạt 66,7%");
        assert_eq!(text("on_time_rate"), "1/3 xã, đạt 33,3%");
        assert_eq!(text("communes_total"), "4");
        assert_eq!(text("province"), "tỉnh Thử");
        assert_eq!(text("as_of_text"), "hết tháng 11/2025");

        let annex = c.annex("Tỉnh Thử", &request, day(2025, 11, 30));
        assert_eq!(annex.rows.len(), 4);
        assert!(annex.rows.iter().all(|r| r.len() == annex.columns.len()));
        let col = |header: &str| annex.columns.iter().position(|c| c == header).unwrap();
        // The old version's coverage and villages are missing: "—".
        assert_eq!(
            annex.rows[1][col("Số thôn, tổ dân phố")],
            Cell::Text(MISSING.into())
        );
        assert_eq!(
            annex.rows[1][col("Tỷ lệ thôn có Tổ")],
            Cell::Text(MISSING.into())
        );
        assert_eq!(annex.rows[1][col("Số thành viên")], Cell::Number(1440.0));
        assert_eq!(
            annex.rows[0][col("Tỷ lệ thôn có Tổ")],
            Cell::Text("80%".into())
        );
        // Not accepted: the state, empty figures.
        assert_eq!(annex.rows[2][2], Cell::Text("Sở trả lại".into()));
        assert_eq!(
            annex.rows[3][2],
            Cell::Text("Không phải báo cáo: chưa triển khai".into())
        );
        for row in &annex.rows[2..] {
            assert!(row[4..].iter().all(|c| *c == Cell::Text(String::new())));
        }
        let totals = annex.totals.as_ref().unwrap();
        for (i, (key, _)) in FIGURE_COLUMNS.iter().enumerate() {
            let col = 4 + i;
            if *key == "coverage" {
                assert_eq!(totals[col], Cell::Text(text("coverage")));
                continue;
            }
            let sum: f64 = annex
                .rows
                .iter()
                .filter_map(|r| match r[col] {
                    Cell::Number(v) => Some(v),
                    _ => None,
                })
                .sum();
            assert_eq!(totals[col], Cell::Number(sum), "{key}");
            assert_eq!(format_int(sum as i64), text(key), "{key}");
        }
        let sources = c.sources();
        assert_eq!(
            sources
                .iter()
                .map(|s| (s.report_id, s.version))
                .collect::<Vec<_>>(),
            [(11, 2), (12, 1)]
        );
    }
}
