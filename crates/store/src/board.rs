//! The Department's completeness and timeliness board for one request
//! (issue 19): one row per commune of the province with the state of its
//! report, when it was first and last submitted, whether it came on time
//! (against the deadline plus the request's grace period), and the commune
//! officers to call; the counts and rates over the communes expected to
//! answer. The Department may mark a commune as not expected (not yet
//! onboarded…) with a reason (`request_exclusions`, migration 0011).
//!
//! The whole board is four queries whatever the province's size: the
//! communes, the states of every report ([`Store::request_states`]), the
//! exclusions and the officers; [`Board::build`] is pure, so its rules are
//! tested without a database.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use toso_domain::ReportState;

use crate::{Actor, Commune, CycleStatus, ReportingRequest, Result, Store, StoreError, User};

/// A commune the Department does not expect to answer a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Exclusion {
    pub commune_code: i32,
    pub reason: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// Whether a commune's report came in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Timeliness {
    /// First submitted on or before the due day.
    OnTime,
    /// First submitted `days` after the due day.
    Late { days: i64 },
    /// Not submitted, and the due day passed `days` ago.
    Overdue { days: i64 },
    /// Not submitted yet, still in time.
    Pending,
    /// The request has no deadline.
    NoDeadline,
}

impl Timeliness {
    /// "Đúng hạn", "Trễ 3 ngày", "Quá hạn 5 ngày", "Chưa đến hạn", "Không có hạn".
    pub fn label(&self) -> String {
        match self {
            Timeliness::OnTime => "Đúng hạn".into(),
            Timeliness::Late { days } => format!("Trễ {days} ngày"),
            Timeliness::Overdue { days } => format!("Quá hạn {days} ngày"),
            Timeliness::Pending => "Chưa đến hạn".into(),
            Timeliness::NoDeadline => "Không có hạn".into(),
        }
    }
}

/// A commune officer to call about a late report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Officer {
    pub name: String,
    pub phone: Option<String>,
}

/// One commune on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardRow {
    pub commune: Commune,
    /// `Some`: the Department does not expect this commune to answer.
    pub exclusion: Option<Exclusion>,
    pub status: CycleStatus,
    pub first_submitted: Option<DateTime<Utc>>,
    pub last_submitted: Option<DateTime<Utc>>,
    /// The version last submitted (the one under review, accepted or
    /// returned), if any: its id and number.
    pub submitted_version: Option<(i64, i32)>,
    pub timeliness: Timeliness,
    pub officers: Vec<Officer>,
}

impl BoardRow {
    pub fn expected(&self) -> bool {
        self.exclusion.is_none()
    }

    pub fn submitted(&self) -> bool {
        self.first_submitted.is_some()
    }

    /// Expected, not submitted, and past the due day.
    pub fn overdue(&self) -> bool {
        self.expected() && matches!(self.timeliness, Timeliness::Overdue { .. })
    }

    /// Expected and nothing made yet (no version).
    pub fn not_started(&self) -> bool {
        self.expected() && self.status.state == ReportState::NotStarted
    }
}

/// The board of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Board {
    pub request: ReportingRequest,
    /// The day the board was computed for (Vietnam's date).
    pub today: NaiveDate,
    pub rows: Vec<BoardRow>,
    /// Communes expected to answer (N).
    pub expected: usize,
    /// Expected communes that submitted at least once.
    pub submitted: usize,
    /// Expected communes whose report is accepted.
    pub accepted: usize,
    /// Expected communes whose first submission came on time.
    pub on_time: usize,
}

/// The day of `at` in Vietnam (UTC+7): a report sent at 23:30 on the
/// deadline is on time.
pub fn vietnam_date(at: DateTime<Utc>) -> NaiveDate {
    let vn = toso_domain::vietnam();
    at.with_timezone(&vn).date_naive()
}

/// Whether a report due on `due` (the deadline plus the grace period) and
/// first submitted at `first_submit` came in time, on `today`.
pub fn timeliness(
    due: Option<NaiveDate>,
    first_submit: Option<DateTime<Utc>>,
    today: NaiveDate,
) -> Timeliness {
    match (due, first_submit.map(vietnam_date)) {
        (None, _) => Timeliness::NoDeadline,
        (Some(due), Some(day)) if day <= due => Timeliness::OnTime,
        (Some(due), Some(day)) => Timeliness::Late {
            days: (day - due).num_days(),
        },
        (Some(due), None) if today > due => Timeliness::Overdue {
            days: (today - due).num_days(),
        },
        (Some(_), None) => Timeliness::Pending,
    }
}

impl Board {
    /// The board from its parts (pure): `states` by commune code (communes
    /// without an entry have not started), `officers` the commune officers
    /// of the province.
    pub fn build(
        request: ReportingRequest,
        communes: Vec<Commune>,
        mut states: BTreeMap<i32, CycleStatus>,
        exclusions: Vec<Exclusion>,
        officers: &[User],
        today: NaiveDate,
    ) -> Board {
        let due = request.due();
        let mut exclusions: BTreeMap<i32, Exclusion> = exclusions
            .into_iter()
            .map(|e| (e.commune_code, e))
            .collect();
        let rows: Vec<BoardRow> = communes
            .into_iter()
            .map(|commune| {
                let status = states.remove(&commune.code).unwrap_or(CycleStatus {
                    state: ReportState::NotStarted,
                    seq: 0,
                    latest: None,
                    history: Vec::new(),
                });
                let submits: Vec<_> = status
                    .history
                    .iter()
                    .filter(|t| t.action == "submit")
                    .collect();
                let first_submitted = submits.first().map(|t| t.at);
                let last_submitted = submits.last().map(|t| t.at);
                let submitted_version = submits.last().map(|t| (t.report_id, t.version));
                let timeliness = timeliness(due, first_submitted, today);
                let officers = officers
                    .iter()
                    .filter(|u| u.commune_code == Some(commune.code) && !u.is_disabled())
                    .map(|u| Officer {
                        name: u.full_name.clone(),
                        phone: u.phone.clone(),
                    })
                    .collect();
                BoardRow {
                    exclusion: exclusions.remove(&commune.code),
                    commune,
                    status,
                    first_submitted,
                    last_submitted,
                    submitted_version,
                    timeliness,
                    officers,
                }
            })
            .collect();
        let expected: Vec<&BoardRow> = rows.iter().filter(|r| r.expected()).collect();
        Board {
            expected: expected.len(),
            submitted: expected.iter().filter(|r| r.submitted()).count(),
            accepted: expected
                .iter()
                .filter(|r| r.status.state == ReportState::Accepted)
                .count(),
            on_time: expected
                .iter()
                .filter(|r| r.timeliness == Timeliness::OnTime)
                .count(),
            request,
            today,
            rows,
        }
    }

    /// Expected communes past the due day without a submission.
    pub fn overdue(&self) -> impl Iterator<Item = &BoardRow> {
        self.rows.iter().filter(|r| r.overdue())
    }

    /// Expected communes that have not made a version.
    pub fn not_started(&self) -> impl Iterator<Item = &BoardRow> {
        self.rows.iter().filter(|r| r.not_started())
    }

    /// Expected communes whose report waits for the Department.
    pub fn awaiting_review(&self) -> impl Iterator<Item = &BoardRow> {
        self.rows
            .iter()
            .filter(|r| r.expected() && r.status.state == ReportState::Submitted)
    }
}

impl Store {
    /// The board of province request `request_id` on `today`. A request a
    /// commune registered for itself has no board (not found).
    pub async fn request_board(&self, request_id: i64, today: NaiveDate) -> Result<Board> {
        let request = self.province_request(request_id).await?;
        let communes = self.communes_of(request.province_code).await?;
        let states = self.request_states(request_id).await?;
        let exclusions = self.request_exclusions(request_id).await?;
        let officers: Vec<User> = self
            .users_of_province(request.province_code)
            .await?
            .into_iter()
            .filter(|u| u.role == toso_domain::UserRole::CommuneOfficer)
            .collect();
        Ok(Board::build(
            request, communes, states, exclusions, &officers, today,
        ))
    }

    /// Request `id` if the province sent it to all its communes.
    pub async fn province_request(&self, id: i64) -> Result<ReportingRequest> {
        let request = self.request(id).await?;
        if request.commune_code.is_some() {
            return Err(StoreError::not_found(format!(
                "Yêu cầu báo cáo số {id} do một xã tự ghi nhận, không phải yêu cầu của Sở."
            )));
        }
        Ok(request)
    }

    /// The communes not expected to answer `request_id`.
    pub async fn request_exclusions(&self, request_id: i64) -> Result<Vec<Exclusion>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Exclusion>(
                "SELECT commune_code, reason, actor, at FROM request_exclusions \
                 WHERE request_id = $1 ORDER BY commune_code",
            )
            .bind(request_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Mark commune `commune_code` as not expected to answer the province
    /// request `request_id` (`Some(reason)`), or as expected again
    /// (`None`). A commune that has submitted cannot be left out.
    pub async fn set_expected(
        &self,
        actor: &Actor,
        request_id: i64,
        commune_code: i32,
        not_expected: Option<&str>,
    ) -> Result<()> {
        let request = self.province_request(request_id).await?;
        let commune = self.commune(commune_code).await?;
        if commune.province_code != request.province_code {
            return Err(StoreError::invalid(
                "commune",
                "Xã không thuộc tỉnh, thành phố gửi yêu cầu.",
            ));
        }
        let reason = match not_expected.map(toso_domain::clean_text).as_deref() {
            None => None,
            Some("") => {
                return Err(StoreError::invalid(
                    "reason",
                    "Lý do: ghi vì sao xã không phải báo cáo (ví dụ: chưa triển khai Tổ Số).",
                ))
            }
            Some(r) if r.chars().count() > 300 => {
                return Err(StoreError::invalid("reason", "Lý do dài quá 300 ký tự."))
            }
            Some(r) => Some(r.to_string()),
        };
        if reason.is_some() {
            let status = self.report_status(commune_code, request_id).await?;
            if status.history.iter().any(|t| t.action == "submit") {
                return Err(StoreError::invalid(
                    "commune",
                    format!(
                        "{} đã gửi báo cáo cho yêu cầu này: không đánh dấu «không phải báo cáo» được.",
                        commune.name
                    ),
                ));
            }
        }
        let before = self
            .request_exclusions(request_id)
            .await?
            .into_iter()
            .find(|e| e.commune_code == commune_code);
        if before.as_ref().map(|e| &e.reason) == reason.as_ref() {
            return Ok(());
        }
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM request_exclusions WHERE request_id = $1 AND commune_code = $2")
                .bind(request_id)
                .bind(commune_code)
                .execute(&mut *tx)
                .await?;
            let after = match &reason {
                Some(reason) => {
                    sqlx::query(
                        "INSERT INTO request_exclusions (request_id, commune_code, reason, user_id, actor, at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(request_id)
                    .bind(commune_code)
                    .bind(reason)
                    .bind(actor.user_id)
                    .bind(&actor.name)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    Some(Exclusion {
                        commune_code,
                        reason: reason.clone(),
                        actor: actor.name.clone(),
                        at: now,
                    })
                }
                None => None,
            };
            let action = if after.is_some() { "exclude" } else { "include" };
            audit!(tx, actor, Some(commune_code), "request_exclusion", request_id, action, before.as_ref(), after.as_ref());
            tx.commit().await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Transition;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn commune(code: i32) -> Commune {
        Commune {
            code,
            province_code: 31,
            name: format!("Xã {code}"),
            kind: "xã".into(),
        }
    }

    fn submit(code: i32, seq: i32, at: &str) -> Transition {
        Transition {
            id: seq as i64,
            request_id: 1,
            commune_code: code,
            report_id: 100 + seq as i64,
            version: seq,
            seq,
            action: "submit".into(),
            state: "submitted".into(),
            comment: None,
            actor: "x".into(),
            at: at.parse().unwrap(),
        }
    }

    fn request(deadline: Option<NaiveDate>, grace_days: i32) -> ReportingRequest {
        ReportingRequest {
            id: 1,
            province_code: 31,
            commune_code: None,
            doc_number: "1/SKHCN".into(),
            issued_on: d(2025, 12, 1),
            issuer: "Sở".into(),
            subject: "Báo cáo".into(),
            deadline,
            as_of: d(2025, 11, 30),
            period_from: None,
            grace_days,
            template_body: None,
        }
    }

    fn status(history: Vec<Transition>, state: ReportState) -> CycleStatus {
        CycleStatus {
            state,
            seq: history.len() as i32,
            latest: Some((1, 1)),
            history,
        }
    }

    /// On time by Vietnam's date and the grace period; late, overdue,
    /// pending; the counts are over the expected communes only.
    #[test]
    fn timeliness_and_counts() {
        let mut states = BTreeMap::new();
        // 23:30 in Vietnam on the deadline (16:30 UTC): on time.
        states.insert(
            1,
            status(
                vec![submit(1, 1, "2025-12-31T16:30:00Z")],
                ReportState::Submitted,
            ),
        );
        // 00:30 in Vietnam the day after (17:30 UTC): one day late without
        // grace, on time with two days of grace.
        states.insert(
            2,
            status(
                vec![submit(2, 1, "2025-12-31T17:30:00Z")],
                ReportState::Accepted,
            ),
        );
        states.insert(3, status(vec![], ReportState::Draft));
        let communes = vec![commune(1), commune(2), commune(3), commune(4), commune(5)];
        let excluded = Exclusion {
            commune_code: 5,
            reason: "Chưa triển khai".into(),
            actor: "sokhcn".into(),
            at: Utc::now(),
        };
        let today = d(2026, 1, 5);
        let board = Board::build(
            request(Some(d(2025, 12, 31)), 0),
            communes.clone(),
            states.clone(),
            vec![excluded.clone()],
            &[],
            today,
        );
        let t: Vec<Timeliness> = board.rows.iter().map(|r| r.timeliness).collect();
        assert_eq!(
            t,
            [
                Timeliness::OnTime,
                Timeliness::Late { days: 1 },
                Timeliness::Overdue { days: 5 },
                Timeliness::Overdue { days: 5 },
                Timeliness::Overdue { days: 5 },
            ]
        );
        assert_eq!(
            (
                board.expected,
                board.submitted,
                board.accepted,
                board.on_time
            ),
            (4, 2, 1, 1)
        );
        let overdue: Vec<i32> = board.overdue().map(|r| r.commune.code).collect();
        assert_eq!(overdue, [3, 4], "the excluded commune is not overdue");
        let not_started: Vec<i32> = board.not_started().map(|r| r.commune.code).collect();
        assert_eq!(not_started, [4]);

        let graced = Board::build(
            request(Some(d(2025, 12, 31)), 2),
            communes.clone(),
            states.clone(),
            vec![],
            &[],
            d(2026, 1, 2),
        );
        assert_eq!(graced.rows[1].timeliness, Timeliness::OnTime);
        assert_eq!(graced.rows[3].timeliness, Timeliness::Pending);
        assert_eq!((graced.expected, graced.on_time), (5, 2));

        let open = Board::build(request(None, 0), communes, states, vec![], &[], today);
        assert!(open
            .rows
            .iter()
            .all(|r| r.timeliness == Timeliness::NoDeadline));
        assert_eq!(open.overdue().count(), 0);
    }
}
