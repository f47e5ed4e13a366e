//! The month: the attendance sheets gathered from every record that names
//! a member, the allowance list under the policy in force, and the approval
//! that freezes both as they stood (reopened only with a reason).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use toso_domain::{
    compute, differences, format_date, AllowanceList, DaySource, Month, Role, RowChange,
    SheetMember, SheetTeam, TeamKind,
};

use super::{trimmed, AllowancePolicy};
use crate::{Actor, Result, Store, StoreError};

/// What an approval froze: the sheets, the list and the policy as they
/// stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frozen {
    pub sheets: Vec<SheetTeam>,
    pub list: AllowanceList,
    pub policy: AllowancePolicy,
}

/// The approval of a commune's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthApproval {
    pub commune_code: i32,
    pub month: Month,
    /// True while approved; false once reopened (until approved again).
    pub approved: bool,
    pub total: i64,
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
    pub reopened_by: Option<String>,
    pub reopened_at: Option<DateTime<Utc>>,
    pub reopen_reason: Option<String>,
    #[serde(skip)]
    pub frozen: Frozen,
}

#[derive(sqlx::FromRow)]
pub(super) struct ApprovalRow {
    commune_code: i32,
    state: String,
    frozen: String,
    total: i64,
    approved_by: String,
    approved_at: DateTime<Utc>,
    reopened_by: Option<String>,
    reopened_at: Option<DateTime<Utc>>,
    reopen_reason: Option<String>,
}

/// A commune's month as the records give it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub month: Month,
    pub sheets: Vec<SheetTeam>,
    /// The policy in force, if any.
    pub policy: Option<AllowancePolicy>,
    /// The list under that policy (`None` without one).
    pub list: Option<AllowanceList>,
}

/// What a commune's month shows and prints: the frozen copy while
/// approved, otherwise the records now; with the rows that differ between
/// the approved copy (if any) and the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthView {
    pub month: Month,
    pub sheets: Vec<SheetTeam>,
    pub policy: Option<AllowancePolicy>,
    pub list: Option<AllowanceList>,
    pub approval: Option<MonthApproval>,
    pub changes: Vec<RowChange>,
}

impl MonthView {
    /// "Đã duyệt ngày 02/12/2025 (username)" or "Chưa duyệt — số liệu tính
    /// từ hồ sơ đến ngày …" (also when reopened), for the printed list.
    pub fn status(&self, today: NaiveDate) -> String {
        match &self.approval {
            Some(a) if a.approved => {
                let vn = toso_domain::vietnam();
                format!(
                    "Đã duyệt ngày {} ({})",
                    format_date(a.approved_at.with_timezone(&vn).date_naive()),
                    a.approved_by
                )
            }
            Some(_) => format!(
                "Đã mở lại để sửa, chưa duyệt lại — số liệu tính từ hồ sơ đến ngày {}",
                format_date(today)
            ),
            None => format!(
                "Chưa duyệt — số liệu tính từ hồ sơ đến ngày {}",
                format_date(today)
            ),
        }
    }
}

/// The audit record of an approval (the list's totals, not the JSON).
#[derive(Serialize)]
pub(super) struct ApprovalRecord<'a> {
    month: String,
    state: &'a str,
    policy_id: i64,
    total: i64,
    people_paid: usize,
    reason: Option<&'a str>,
}

impl Store {
    /// Every team of the commune in operation during `month` (village teams
    /// first, then the quick-response team), each member who belonged to it
    /// during the month, and their days of activity while they belonged.
    pub async fn month_sheets(&self, commune_code: i32, month: Month) -> Result<Vec<SheetTeam>> {
        let (first, last) = (month.first_day(), month.last_day());
        let mut teams: Vec<_> = self
            .teams(commune_code)
            .await?
            .into_iter()
            .filter(|t| t.established_on <= last && t.dissolved_on.is_none_or(|d| d > first))
            .collect();
        teams.sort_by_key(|t| (t.kind == TeamKind::QuickResponse, t.name.clone(), t.id));
        #[derive(sqlx::FromRow)]
        struct MemberRow {
            team_id: i64,
            person_id: i64,
            full_name: String,
            role: String,
            started_on: NaiveDate,
            ended_on: Option<NaiveDate>,
        }
        let role = crate::people::role_on("$3");
        let sql = format!(
            "SELECT m.team_id, m.person_id, p.full_name, {role} AS role, m.started_on, m.ended_on \
             FROM memberships m JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id \
             WHERE t.commune_code = $1 AND m.started_on <= $3 AND (m.ended_on IS NULL OR m.ended_on > $2) \
             ORDER BY CASE {role} WHEN 'to_truong' THEN 0 WHEN 'to_pho' THEN 1 ELSE 2 END, p.name_fold, p.id"
        );
        let members: Vec<MemberRow> = on_read!(self, pool => {
            sqlx::query_as(&sql).bind(commune_code).bind(first).bind(last).fetch_all(pool).await?
        });
        // Every (person, day, source) of the month in the commune.
        let points: Vec<(i64, NaiveDate, String)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT u.person_id, a.activity_date, 'support' FROM support_activities a JOIN users u ON u.id = a.created_by \
                 WHERE a.commune_code = $1 AND a.activity_date >= $2 AND a.activity_date <= $3 AND u.person_id IS NOT NULL \
                 UNION ALL \
                 SELECT am.person_id, a.activity_date, 'support' FROM activity_members am JOIN support_activities a ON a.id = am.activity_id \
                 WHERE a.commune_code = $1 AND a.activity_date >= $2 AND a.activity_date <= $3 \
                 UNION ALL \
                 SELECT dm.person_id, d.held_on, 'duty' FROM duty_day_members dm JOIN duty_days d ON d.id = dm.duty_day_id \
                 WHERE d.commune_code = $1 AND d.held_on >= $2 AND d.held_on <= $3 \
                 UNION ALL \
                 SELECT cm.person_id, c.held_on, 'campaign' FROM campaign_members cm JOIN campaigns c ON c.id = cm.campaign_id \
                 WHERE c.commune_code = $1 AND c.held_on >= $2 AND c.held_on <= $3",
            )
            .bind(commune_code)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        let courses: Vec<(i64, NaiveDate, Option<NaiveDate>)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT tp.person_id, c.starts_on, c.ends_on FROM training_participants tp \
                 JOIN training_courses c ON c.id = tp.course_id \
                 WHERE c.commune_code = $1 AND c.starts_on <= $3 AND COALESCE(c.ends_on, c.starts_on) >= $2",
            )
            .bind(commune_code)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        let mut days: HashMap<i64, BTreeMap<NaiveDate, BTreeSet<DaySource>>> = HashMap::new();
        for (person, day, source) in points {
            if let Some(s) = DaySource::from_code(&source) {
                days.entry(person)
                    .or_default()
                    .entry(day)
                    .or_default()
                    .insert(s);
            }
        }
        for (person, starts, ends) in courses {
            let mut day = starts.max(first);
            let end = ends.unwrap_or(starts).min(last);
            while day <= end {
                days.entry(person)
                    .or_default()
                    .entry(day)
                    .or_default()
                    .insert(DaySource::Training);
                day = day.succ_opt().expect("a next day");
            }
        }
        let mut sheets = Vec::with_capacity(teams.len());
        for team in teams {
            let mut sheet = SheetTeam {
                team_id: team.id,
                name: team.name.clone(),
                leader: None,
                members: Vec::new(),
            };
            for m in members.iter().filter(|m| m.team_id == team.id) {
                let role =
                    Role::from_code(&m.role).map_or(m.role.clone(), |r| r.label().to_string());
                if m.role == Role::ToTruong.code() && sheet.leader.is_none() {
                    sheet.leader = Some(m.full_name.clone());
                }
                let mut own: BTreeMap<u32, BTreeSet<DaySource>> = BTreeMap::new();
                if let Some(person_days) = days.get(&m.person_id) {
                    for (day, sources) in person_days {
                        let member_then =
                            m.started_on <= *day && m.ended_on.is_none_or(|e| e > *day);
                        if member_then {
                            use chrono::Datelike;
                            own.entry(day.day())
                                .or_default()
                                .extend(sources.iter().copied());
                        }
                    }
                }
                // One row per person: a second membership in the same month
                // (left and came back) adds its days to the first.
                match sheet
                    .members
                    .iter_mut()
                    .find(|x| x.person_id == m.person_id)
                {
                    Some(existing) => {
                        for (d, s) in own {
                            existing.days.entry(d).or_default().extend(s);
                        }
                    }
                    None => sheet.members.push(SheetMember {
                        person_id: m.person_id,
                        full_name: m.full_name.clone(),
                        role,
                        days: own,
                    }),
                }
            }
            sheets.push(sheet);
        }
        Ok(sheets)
    }

    /// The commune's month as the records give it now: the sheets, the
    /// policy in force and the list it pays.
    pub async fn month_figures(&self, commune_code: i32, month: Month) -> Result<MonthFigures> {
        let sheets = self.month_sheets(commune_code, month).await?;
        let policy = self.policy_for(commune_code, month).await?;
        let list = policy.as_ref().map(|p| compute(month, &p.rates, &sheets));
        Ok(MonthFigures {
            month,
            sheets,
            policy,
            list,
        })
    }

    /// The commune's month as shown and printed (see [`MonthView`]).
    pub async fn month_view(&self, commune_code: i32, month: Month) -> Result<MonthView> {
        let now = self.month_figures(commune_code, month).await?;
        let approval = self.month_approval(commune_code, month).await?;
        let changes = match (&approval, &now.list) {
            (Some(a), Some(list)) => differences(&a.frozen.list, list),
            (Some(a), None) => differences(
                &a.frozen.list,
                &compute(month, &a.frozen.policy.rates, &now.sheets),
            ),
            _ => Vec::new(),
        };
        Ok(match approval {
            Some(a) if a.approved => MonthView {
                month,
                sheets: a.frozen.sheets.clone(),
                policy: Some(a.frozen.policy.clone()),
                list: Some(a.frozen.list.clone()),
                approval: Some(a),
                changes,
            },
            other => MonthView {
                month,
                sheets: now.sheets,
                policy: now.policy,
                list: now.list,
                approval: other,
                changes,
            },
        })
    }

    /// The approval of the commune's month, if it was ever approved.
    pub async fn month_approval(
        &self,
        commune_code: i32,
        month: Month,
    ) -> Result<Option<MonthApproval>> {
        let row: Option<ApprovalRow> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT commune_code, state, frozen, total, approved_by, approved_at, reopened_by, reopened_at, reopen_reason \
                 FROM allowance_months WHERE commune_code = $1 AND month = $2",
            )
            .bind(commune_code)
            .bind(month.first_day())
            .fetch_optional(pool)
            .await?
        });
        let Some(r) = row else { return Ok(None) };
        let frozen: Frozen = serde_json::from_str(&r.frozen)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
        Ok(Some(MonthApproval {
            commune_code: r.commune_code,
            month,
            approved: r.state == "approved",
            total: r.total,
            approved_by: r.approved_by,
            approved_at: r.approved_at,
            reopened_by: r.reopened_by,
            reopened_at: r.reopened_at,
            reopen_reason: r.reopen_reason,
            frozen,
        }))
    }

    /// The commune's approvals whose month lies between two months
    /// (inclusive), by month.
    pub async fn month_approvals(
        &self,
        commune_code: i32,
        from: Month,
        until: Month,
    ) -> Result<Vec<(Month, bool, i64)>> {
        let rows: Vec<(NaiveDate, String, i64)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT month, state, total FROM allowance_months WHERE commune_code = $1 AND month >= $2 AND month <= $3 ORDER BY month",
            )
            .bind(commune_code)
            .bind(from.first_day())
            .bind(until.first_day())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(m, s, t)| (Month::of(m), s == "approved", t))
            .collect())
    }

    /// Approve the commune's month: the sheets and the list as the records
    /// give them now are frozen. Refuses a month not yet over, a month with
    /// no policy in force, and a month already approved.
    pub async fn approve_month(
        &self,
        actor: &Actor,
        commune_code: i32,
        month: Month,
    ) -> Result<MonthApproval> {
        let today = crate::today();
        if !month.is_over(today) {
            return Err(StoreError::invalid(
                "month",
                format!(
                    "Tháng {} chưa kết thúc: chỉ duyệt được từ ngày {}.",
                    month.label(),
                    format_date(month.next().first_day())
                ),
            ));
        }
        let figures = self.month_figures(commune_code, month).await?;
        let (Some(policy), Some(list)) = (figures.policy, figures.list) else {
            return Err(StoreError::invalid(
                "month",
                format!(
                    "Chưa có chính sách chi trả có hiệu lực trong tháng {}.",
                    month.label()
                ),
            ));
        };
        let frozen = Frozen {
            sheets: figures.sheets,
            list,
            policy,
        };
        let json = serde_json::to_string(&frozen)
            .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        let now = Utc::now();
        let record = ApprovalRecord {
            month: month.code(),
            state: "approved",
            policy_id: frozen.policy.id,
            total: frozen.list.total,
            people_paid: frozen.list.people_paid(),
            reason: None,
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let state: Option<String> = sqlx::query_scalar(
                "SELECT state FROM allowance_months WHERE commune_code = $1 AND month = $2",
            )
            .bind(commune_code)
            .bind(month.first_day())
            .fetch_optional(&mut *tx)
            .await?;
            if state.as_deref() == Some("approved") {
                return Err(StoreError::invalid(
                    "month",
                    format!("Tháng {} đã được duyệt.", month.label()),
                ));
            }
            sqlx::query(
                "INSERT INTO allowance_months (commune_code, month, state, policy_id, frozen, total, approved_by, approved_at) \
                 VALUES ($1, $2, 'approved', $3, $4, $5, $6, $7) \
                 ON CONFLICT (commune_code, month) DO UPDATE SET state = 'approved', policy_id = $3, frozen = $4, total = $5, \
                 approved_by = $6, approved_at = $7, reopened_by = NULL, reopened_at = NULL, reopen_reason = NULL",
            )
            .bind(commune_code)
            .bind(month.first_day())
            .bind(frozen.policy.id)
            .bind(&json)
            .bind(frozen.list.total)
            .bind(&actor.name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            audit!(tx, actor, Some(commune_code), "allowance_month", i64::from(commune_code), "approve", None::<&ApprovalRecord>, Some(&record));
            tx.commit().await?;
        });
        self.month_approval(commune_code, month)
            .await?
            .ok_or_else(|| StoreError::not_found("Tháng vừa duyệt không còn."))
    }

    /// Reopen an approved month, with a reason: the records give its
    /// figures again until it is approved anew (the frozen copy is kept
    /// for comparison).
    pub async fn reopen_month(
        &self,
        actor: &Actor,
        commune_code: i32,
        month: Month,
        reason: &str,
    ) -> Result<()> {
        let reason = trimmed(reason);
        if reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "Ghi lý do mở lại tháng đã duyệt.",
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(StoreError::invalid("reason", "Lý do dài quá 1.000 ký tự."));
        }
        let Some(approval) = self.month_approval(commune_code, month).await? else {
            return Err(StoreError::invalid(
                "month",
                format!("Tháng {} chưa được duyệt.", month.label()),
            ));
        };
        if !approval.approved {
            return Err(StoreError::invalid(
                "month",
                format!("Tháng {} đã được mở lại.", month.label()),
            ));
        }
        let record = ApprovalRecord {
            month: month.code(),
            state: "reopened",
            policy_id: approval.frozen.policy.id,
            total: approval.total,
            people_paid: approval.frozen.list.people_paid(),
            reason: Some(&reason),
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE allowance_months SET state = 'reopened', reopened_by = $1, reopened_at = $2, reopen_reason = $3 \
                 WHERE commune_code = $4 AND month = $5 AND state = 'approved'",
            )
            .bind(&actor.name)
            .bind(Utc::now())
            .bind(&reason)
            .bind(commune_code)
            .bind(month.first_day())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::invalid("month", format!("Tháng {} đã được mở lại.", month.label())));
            }
            audit!(tx, actor, Some(commune_code), "allowance_month", i64::from(commune_code), "reopen", None::<&ApprovalRecord>, Some(&record));
            tx.commit().await?;
            Ok(())
        })
    }
}
