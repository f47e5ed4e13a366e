//! The reporting cycle of one commune's report for one request (migration
//! 0010): the commune submits a frozen version; the province accepts it
//! (its figures are then locked: no new version) or returns it with a
//! comment; a returned report is resubmitted as a new version; an accepted
//! one can be reopened by the province with a reason. Each transition is a
//! row of `report_transitions` (author, time, version, comment) and an
//! audit entry, written in one transaction; the state is the last one's.
//!
//! Two officers acting at once: each transition names the number of
//! transitions it saw (`seen`); a stale one is refused, and of two that saw
//! the same number the unique index on (request, commune, seq) lets exactly
//! one in — the other is told the state changed. Who may act (the commune's
//! officer submits, the province's officer reviews) is the web layer's
//! extractors' rule; the order of the states is this module's.

use chrono::{DateTime, Utc};
use serde::Serialize;
use toso_domain::ReportState;

use crate::{Actor, Result, Store, StoreError};

/// One transition of a report's cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Transition {
    pub id: i64,
    pub request_id: i64,
    pub commune_code: i32,
    pub report_id: i64,
    /// The version the transition concerns.
    pub version: i32,
    pub seq: i32,
    /// `submit`, `return`, `accept` or `reopen`.
    pub action: String,
    /// The state it led to (`submitted`, `returned`, `accepted`).
    pub state: String,
    pub comment: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
}

impl Transition {
    /// The action in Vietnamese.
    pub fn action_label(&self) -> &'static str {
        match self.action.as_str() {
            "submit" => "Gửi Sở",
            "return" => "Sở trả lại",
            "accept" => "Sở chấp nhận",
            "reopen" => "Sở mở lại",
            _ => "Thao tác khác",
        }
    }
}

/// Where one commune's report for one request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleStatus {
    pub state: ReportState,
    /// Transitions so far: what a form must name as `seen` to act.
    pub seq: i32,
    /// The newest version (id, number), if any.
    pub latest: Option<(i64, i32)>,
    /// Every transition, oldest first.
    pub history: Vec<Transition>,
}

impl CycleStatus {
    /// The last transition, if any.
    pub fn last(&self) -> Option<&Transition> {
        self.history.last()
    }

    /// The version the state is about (submitted, returned or accepted).
    pub fn version(&self) -> Option<i32> {
        self.last().map(|t| t.version)
    }

    /// Whether a new version may be made: not while the province reviews
    /// a submitted one, nor once it accepted one (the figures are locked;
    /// [`Store::save_report`] refuses it).
    pub fn open_for_new_version(&self) -> bool {
        check_new_version(self.last().map(|t| t.state.as_str())).is_ok()
    }
}

/// Refuse a new version when the last transition left the report
/// submitted (the province reviews it) or accepted (its figures locked).
pub(crate) fn check_new_version(state: Option<&str>) -> Result<()> {
    match state {
        Some("submitted") => Err(StoreError::invalid(
            "state",
            "Báo cáo đã gửi Sở và đang chờ xem xét: chưa lập được phiên bản mới.",
        )),
        Some("accepted") => Err(StoreError::invalid(
            "state",
            "Sở đã chấp nhận báo cáo, số liệu đã khóa: không lập phiên bản mới (Sở có thể mở lại).",
        )),
        _ => Ok(()),
    }
}

/// What the province decides about a submitted (or accepted) report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Accept,
    /// Back to the commune, with what to correct.
    Return(String),
    /// An accepted report opened again, with the reason.
    Reopen(String),
}

/// The refusal when another transition came first.
fn changed() -> StoreError {
    StoreError::invalid(
        "state",
        "Trạng thái báo cáo vừa thay đổi (có người khác vừa thao tác): tải lại trang để xem trạng thái mới.",
    )
}

/// A comment or reason: required, at most 1,000 characters.
fn comment(field_label: &str, text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::invalid(
            "comment",
            format!("{field_label}: chưa ghi gì."),
        ));
    }
    if text.chars().count() > 1000 {
        return Err(StoreError::invalid(
            "comment",
            format!("{field_label} dài quá 1.000 ký tự."),
        ));
    }
    Ok(text.to_string())
}

const SELECT_TRANSITION: &str =
    "SELECT t.id, t.request_id, t.commune_code, t.report_id, r.version, \
     t.seq, t.action, t.state, t.comment, t.actor, t.at \
     FROM report_transitions t JOIN reports r ON r.id = t.report_id";

/// The state a last transition (or none) and the versions leave.
fn state_of(last: Option<&Transition>, has_versions: bool) -> ReportState {
    match last.map(|t| t.state.as_str()) {
        Some("submitted") => ReportState::Submitted,
        Some("returned") => ReportState::Returned,
        Some("accepted") => ReportState::Accepted,
        _ if has_versions => ReportState::Draft,
        _ => ReportState::NotStarted,
    }
}

impl Store {
    /// Where the commune's report for `request_id` stands, with its history.
    pub async fn report_status(&self, commune_code: i32, request_id: i64) -> Result<CycleStatus> {
        let (history, latest) = on_read!(self, pool => {
            let history: Vec<Transition> = sqlx::query_as(&format!(
                "{SELECT_TRANSITION} WHERE t.commune_code = $1 AND t.request_id = $2 ORDER BY t.seq"
            ))
            .bind(commune_code)
            .bind(request_id)
            .fetch_all(pool)
            .await?;
            let latest: Option<(i64, i32)> = sqlx::query_as(
                "SELECT id, version FROM reports WHERE commune_code = $1 AND request_id = $2 \
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(commune_code)
            .bind(request_id)
            .fetch_optional(pool)
            .await?;
            (history, latest)
        });
        Ok(CycleStatus {
            state: state_of(history.last(), latest.is_some()),
            seq: history.last().map_or(0, |t| t.seq),
            latest,
            history,
        })
    }

    /// The commune submits version `report_id` to the province. `seen`: the
    /// transitions the officer's page showed.
    pub async fn submit_report(
        &self,
        actor: &Actor,
        report_id: i64,
        seen: i32,
    ) -> Result<CycleStatus> {
        self.submit_report_at(actor, report_id, seen, Utc::now())
            .await
    }

    /// [`Store::submit_report`] recorded at `at` rather than now: for
    /// loading a cycle's history (the demo's request of 12/2025).
    pub async fn submit_report_at(
        &self,
        actor: &Actor,
        report_id: i64,
        seen: i32,
        at: DateTime<Utc>,
    ) -> Result<CycleStatus> {
        let report = self.report(report_id).await?;
        let status = self
            .report_status(report.commune_code, report.request_id)
            .await?;
        if status.seq != seen {
            return Err(changed());
        }
        match status.state {
            ReportState::Submitted => {
                return Err(StoreError::invalid(
                    "state",
                    format!(
                        "Báo cáo đã gửi Sở (phiên bản {}) và đang chờ xem xét: không gửi lại được.",
                        status.version().unwrap_or(report.version)
                    ),
                ))
            }
            ReportState::Accepted => {
                return Err(StoreError::invalid(
                    "state",
                    "Sở đã chấp nhận báo cáo này: số liệu đã khóa, không gửi lại được.",
                ))
            }
            ReportState::Returned if status.version() >= Some(report.version) => {
                return Err(StoreError::invalid(
                    "state",
                    format!(
                        "Sở đã trả lại phiên bản {}: lập phiên bản mới theo góp ý rồi gửi lại.",
                        status.version().unwrap_or_default()
                    ),
                ))
            }
            _ => {}
        }
        if status.latest.map(|l| l.0) != Some(report.id) {
            return Err(StoreError::invalid(
                "state",
                format!(
                    "Phiên bản {} không phải phiên bản mới nhất: gửi phiên bản {}.",
                    report.version,
                    status.latest.map_or(0, |l| l.1)
                ),
            ));
        }
        self.transition(actor, &report, status.seq, "submit", "submitted", None, at)
            .await?;
        self.report_status(report.commune_code, report.request_id)
            .await
    }

    /// The province accepts, returns or reopens the commune's report for
    /// `request_id`. `seen`: the transitions the officer's page showed.
    pub async fn review_report(
        &self,
        actor: &Actor,
        commune_code: i32,
        request_id: i64,
        review: Review,
        seen: i32,
    ) -> Result<CycleStatus> {
        self.review_report_at(actor, commune_code, request_id, review, seen, Utc::now())
            .await
    }

    /// [`Store::review_report`] recorded at `at` rather than now (loading a
    /// cycle's history).
    pub async fn review_report_at(
        &self,
        actor: &Actor,
        commune_code: i32,
        request_id: i64,
        review: Review,
        seen: i32,
        at: DateTime<Utc>,
    ) -> Result<CycleStatus> {
        let status = self.report_status(commune_code, request_id).await?;
        if status.seq != seen {
            return Err(changed());
        }
        let (action, state, note) =
            match (&review, status.state) {
                (Review::Accept, ReportState::Submitted) => ("accept", "accepted", None),
                (Review::Return(text), ReportState::Submitted) => (
                    "return",
                    "returned",
                    Some(comment("Nội dung trả lại", text)?),
                ),
                (Review::Reopen(text), ReportState::Accepted) => {
                    ("reopen", "returned", Some(comment("Lý do mở lại", text)?))
                }
                (Review::Reopen(_), _) => {
                    return Err(StoreError::invalid(
                        "state",
                        format!(
                            "Chỉ mở lại được báo cáo Sở đã chấp nhận (trạng thái hiện tại: {}).",
                            status.state.label()
                        ),
                    ))
                }
                (_, ReportState::Accepted) => return Err(StoreError::invalid(
                    "state",
                    "Báo cáo đã được chấp nhận: muốn trả lại thì mở lại báo cáo trước, ghi lý do.",
                )),
                (_, other) => {
                    return Err(StoreError::invalid(
                        "state",
                        format!(
                            "Chỉ xem xét được báo cáo xã đã gửi (trạng thái hiện tại: {}).",
                            other.label()
                        ),
                    ))
                }
            };
        let last = status.last().ok_or_else(changed)?;
        let report = self.report(last.report_id).await?;
        self.transition(actor, &report, status.seq, action, state, note, at)
            .await?;
        self.report_status(commune_code, request_id).await
    }

    /// Write transition number `after + 1` and its audit entry.
    #[allow(clippy::too_many_arguments)]
    async fn transition(
        &self,
        actor: &Actor,
        report: &crate::Report,
        after: i32,
        action: &str,
        state: &str,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let seq = after + 1;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO report_transitions (request_id, commune_code, report_id, seq, action, state, \
                 comment, user_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(report.request_id)
            .bind(report.commune_code)
            .bind(report.id)
            .bind(seq)
            .bind(action)
            .bind(state)
            .bind(note.as_deref())
            .bind(actor.user_id)
            .bind(&actor.name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                crate::error::on_constraint(
                    e,
                    "report_transitions_one_at_a_time",
                    "report_transitions.seq",
                    changed,
                )
            })?;
            let after = serde_json::json!({
                "transition": id,
                "request_id": report.request_id,
                "version": report.version,
                "seq": seq,
                "state": state,
                "comment": note,
            });
            audit!(tx, actor, Some(report.commune_code), "report", report.id, action, None::<&()>, Some(&after));
            tx.commit().await?;
        });
        Ok(())
    }

    /// The state of every commune's report for `request_id` that has one
    /// (versions or transitions), by commune code: two queries for the whole
    /// request, for the province's board.
    pub async fn request_states(
        &self,
        request_id: i64,
    ) -> Result<std::collections::BTreeMap<i32, CycleStatus>> {
        let (transitions, latest) = on_read!(self, pool => {
            let transitions: Vec<Transition> = sqlx::query_as(&format!(
                "{SELECT_TRANSITION} WHERE t.request_id = $1 ORDER BY t.commune_code, t.seq"
            ))
            .bind(request_id)
            .fetch_all(pool)
            .await?;
            let latest: Vec<(i32, i64, i32)> = sqlx::query_as(
                "SELECT r.commune_code, r.id, r.version FROM reports r WHERE r.request_id = $1 \
                 AND r.version = (SELECT MAX(x.version) FROM reports x \
                 WHERE x.commune_code = r.commune_code AND x.request_id = r.request_id)",
            )
            .bind(request_id)
            .fetch_all(pool)
            .await?;
            (transitions, latest)
        });
        let mut out: std::collections::BTreeMap<i32, CycleStatus> = latest
            .into_iter()
            .map(|(code, id, version)| {
                (
                    code,
                    CycleStatus {
                        state: ReportState::Draft,
                        seq: 0,
                        latest: Some((id, version)),
                        history: Vec::new(),
                    },
                )
            })
            .collect();
        for t in transitions {
            out.entry(t.commune_code)
                .or_insert_with(|| CycleStatus {
                    state: ReportState::NotStarted,
                    seq: 0,
                    latest: None,
                    history: Vec::new(),
                })
                .history
                .push(t);
        }
        for status in out.values_mut() {
            status.seq = status.last().map_or(0, |t| t.seq);
            status.state = state_of(status.last(), status.latest.is_some());
        }
        Ok(out)
    }
}
