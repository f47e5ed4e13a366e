//! Notices inside the app (issue 19; no outside messaging yet), derived
//! from the records rather than stored: a commune officer's are the open
//! requests of their commune (deadline, state, days overdue) and what the
//! Department did with their reports (returned with its comment, accepted,
//! reopened); a province officer's are the reports their communes
//! submitted. A notice is unread when it is newer than the last time the
//! user marked their notices read (`notice_reads`, migration 0011).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{ReportState, UserRole};

use crate::board::{timeliness, Timeliness};
use crate::{ReportingRequest, Result, Store, Transition, User};

/// What a notice is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoticeKind {
    /// An open request the commune has to answer, with its report's state
    /// and timeliness.
    Request {
        request: ReportingRequest,
        state: ReportState,
        timeliness: Timeliness,
    },
    /// A transition of one of the user's reports (the Department's action
    /// for a commune officer, a commune's submission for the province).
    Transition {
        request: ReportingRequest,
        commune_name: String,
        transition: Transition,
    },
}

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub at: DateTime<Utc>,
    pub unread: bool,
    pub kind: NoticeKind,
}

impl Store {
    /// When `user_id` last marked their notices read.
    pub async fn notices_seen_at(&self, user_id: i64) -> Result<Option<DateTime<Utc>>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, DateTime<Utc>>("SELECT seen_at FROM notice_reads WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Mark every notice of `user_id` up to now read.
    pub async fn mark_notices_read(&self, user_id: i64) -> Result<()> {
        let now = Utc::now();
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO notice_reads (user_id, seen_at) VALUES ($1, $2) \
                 ON CONFLICT (user_id) DO UPDATE SET seen_at = excluded.seen_at",
            )
            .bind(user_id)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The notices of `user` on `today`, newest first.
    pub async fn notices(&self, user: &User, today: NaiveDate) -> Result<Vec<Notice>> {
        let seen = self.notices_seen_at(user.id).await?;
        let mut out = Vec::new();
        match (user.role, user.commune_code, user.province_code) {
            (UserRole::CommuneOfficer, Some(commune), _) => {
                let name = self.commune(commune).await?.name;
                for request in self.requests_for_commune(commune).await? {
                    let status = self.report_status(commune, request.id).await?;
                    // Open until accepted, unless the Department does not
                    // expect this commune to answer.
                    let excluded = request.commune_code.is_none()
                        && self
                            .request_exclusions(request.id)
                            .await?
                            .iter()
                            .any(|e| e.commune_code == commune);
                    if status.state != ReportState::Accepted && !excluded {
                        let first_submit = status
                            .history
                            .iter()
                            .find(|t| t.action == "submit")
                            .map(|t| t.at);
                        let timeliness = timeliness(request.due(), first_submit, today);
                        out.push(Notice {
                            at: self.request_created_at(request.id).await?,
                            unread: false,
                            kind: NoticeKind::Request {
                                request: request.clone(),
                                state: status.state,
                                timeliness,
                            },
                        });
                    }
                    for t in status.history.into_iter().filter(|t| t.action != "submit") {
                        out.push(Notice {
                            at: t.at,
                            unread: false,
                            kind: NoticeKind::Transition {
                                request: request.clone(),
                                commune_name: name.clone(),
                                transition: t,
                            },
                        });
                    }
                }
            }
            (UserRole::ProvinceOfficer, _, Some(province)) => {
                let names: std::collections::BTreeMap<i32, String> = self
                    .communes_of(province)
                    .await?
                    .into_iter()
                    .map(|c| (c.code, c.name))
                    .collect();
                for request in self.requests_of_province(province).await? {
                    for (code, status) in self.request_states(request.id).await? {
                        for t in status.history.into_iter().filter(|t| t.action == "submit") {
                            out.push(Notice {
                                at: t.at,
                                unread: false,
                                kind: NoticeKind::Transition {
                                    request: request.clone(),
                                    commune_name: names.get(&code).cloned().unwrap_or_default(),
                                    transition: t,
                                },
                            });
                        }
                    }
                }
            }
            _ => {}
        }
        for n in &mut out {
            n.unread = seen.is_none_or(|seen| n.at > seen);
        }
        out.sort_by_key(|n| std::cmp::Reverse(n.at));
        Ok(out)
    }

    async fn request_created_at(&self, id: i64) -> Result<DateTime<Utc>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, DateTime<Utc>>("SELECT created_at FROM reporting_requests WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?
        }))
    }
}
