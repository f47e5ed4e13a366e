//! The Vietnamese wording of the store's rules, shared by the single-record
//! writes and the spreadsheet importer so that both say the same thing.

use chrono::NaiveDate;
use toso_domain::{format_date, TeamKind};

/// A village (or the commune, for the quick-response team) that already
/// has an active team.
pub(crate) fn team_clash(kind: TeamKind, name: &str, since: NaiveDate) -> String {
    let what = match kind {
        TeamKind::Village => "Thôn, tổ dân phố này đã có tổ",
        TeamKind::QuickResponse => "Xã đã có đội",
    };
    format!(
        "{what} đang hoạt động («{name}», thành lập ngày {}): giải thể tổ cũ trước khi thành lập tổ mới.",
        format_date(since)
    )
}

/// A team established before the decision that establishes it.
pub(crate) fn before_decision(established: NaiveDate, issued: NaiveDate) -> String {
    format!(
        "Ngày thành lập {} không được trước ngày ban hành quyết định ({}).",
        format_date(established),
        format_date(issued)
    )
}

/// A membership starting outside its team's active period.
pub(crate) fn outside_team_period(
    started: NaiveDate,
    team: &str,
    established: NaiveDate,
    dissolved: Option<NaiveDate>,
) -> String {
    format!(
        "Ngày tham gia {} nằm ngoài thời gian hoạt động của tổ «{team}» (thành lập ngày {}{}).",
        format_date(started),
        format_date(established),
        dissolved
            .map(|d| format!(", giải thể ngày {}", format_date(d)))
            .unwrap_or_default()
    )
}

/// The same person twice in one team at the same time.
pub(crate) fn member_twice(person: &str, team: &str, since: NaiveDate) -> String {
    format!(
        "{person} đã là thành viên của tổ «{team}» từ ngày {}: một người không thể có hai tư cách trong cùng một tổ cùng lúc.",
        format_date(since)
    )
}
