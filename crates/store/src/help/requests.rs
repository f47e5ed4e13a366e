//! A help request's life: taken from a citizen at a village's code (with
//! the flood limits), routed to the village's team, listed in the queues,
//! taken, closed as done (recording its support activity) or as not
//! helped, escalated past its deadlines and erased after the retention
//! period by the sweep; and the requests the indicators count.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use toso_domain::{HelpState, PhoneNumber, HOURS_PER_DAY};

use super::{
    random_code, system_actor, HelpAudit, HelpDone, HelpFigures, HelpRequest, NewHelpRequest,
    PublicLookup, QueueScope, Sweep, COMMUNE_DAILY_LIMIT, SELECT_REQUEST, VILLAGE_HOURLY_LIMIT,
};
use crate::activities::{check_activity, insert_activity, Activity, NewActivity};
use crate::error::on_constraint;
use crate::{Actor, Result, Store, StoreError};

impl Store {
    /// Take a citizen's request at `now`: routed to the village's team (the
    /// quick-response team where the village has none), its deadlines set
    /// from the commune's settings and calendar, a tracking code given.
    /// Refused for an unknown or expired village code, and beyond the
    /// village's hourly and the commune's daily limits.
    pub async fn create_help_request(
        &self,
        new: NewHelpRequest,
        now: DateTime<Utc>,
    ) -> Result<HelpRequest> {
        let day = crate::board::vietnam_date(now);
        let village = match self.public_village(&new.village_code, day).await? {
            PublicLookup::Found(v) => *v,
            _ => {
                return Err(StoreError::not_found(
                    "Mã thôn này không còn dùng được: vui lòng liên hệ UBND xã.",
                ))
            }
        };
        let (hour, day_ago) = (now - Duration::hours(1), now - Duration::days(1));
        let (in_village, in_commune): (i64, i64) = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM help_requests WHERE village_id = $1 AND received_at > $2), \
                        (SELECT COUNT(*) FROM help_requests WHERE commune_code = $3 AND received_at > $4)",
            )
            .bind(village.village_id)
            .bind(hour)
            .bind(village.commune_code)
            .bind(day_ago)
            .fetch_one(pool)
            .await?
        });
        if in_village >= VILLAGE_HOURLY_LIMIT || in_commune >= COMMUNE_DAILY_LIMIT {
            let contact = village
                .quick_response
                .as_ref()
                .and_then(|t| t.members.iter().find_map(|m| m.phone.clone()))
                .and_then(|p| PhoneNumber::parse(&p).ok())
                .map(|p| format!(" hoặc gọi {}", p.display()))
                .unwrap_or_default();
            return Err(StoreError::invalid(
                "description",
                format!(
                    "Thôn đang nhận quá nhiều yêu cầu cùng lúc. Vui lòng thử lại sau ít phút{contact}."
                ),
            ));
        }
        let team_id = village
            .team
            .as_ref()
            .or(village.quick_response.as_ref())
            .map(|t| t.id);
        let settings = self.help_settings(village.commune_code).await?;
        let calendar = self.work_calendar(village.commune_code).await?;
        let respond_by = calendar.add_working_minutes(now, settings.response_hours as i64 * 60);
        let resolve_by =
            calendar.add_working_minutes(now, settings.resolution_days as i64 * HOURS_PER_DAY * 60);
        let blank = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let mut request = HelpRequest {
            id: 0,
            tracking_code: String::new(),
            commune_code: village.commune_code,
            village_id: village.village_id,
            village_name: village.village_name.clone(),
            team_id,
            category: new.category.code().to_string(),
            description: blank(&new.description),
            citizen_name: Some(new.citizen_name.as_str().to_string()),
            citizen_phone: Some(new.citizen_phone.as_str().to_string()),
            preferred_time: blank(&new.preferred_time),
            state: HelpState::New,
            received_at: now,
            respond_by,
            resolve_by,
            first_response_at: None,
            closed_at: None,
            response_minutes: None,
            resolution_minutes: None,
            assignee_id: None,
            assignee_name: None,
            escalated_at: None,
            escalation: None,
            unable_reason: None,
            activity_id: None,
            erased_at: None,
        };
        let citizen = Actor {
            user_id: None,
            name: "người dân".into(),
            address: None,
        };
        // A new random code on the (vanishingly rare) collision.
        for _ in 0..3 {
            request.tracking_code = random_code();
            let written: Result<i64> = async { on_write!(self, pool => {
                let mut tx = pool.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO help_requests (tracking_code, commune_code, village_id, team_id, category, \
                     description, citizen_name, citizen_phone, preferred_time, state, received_at, respond_by, \
                     resolve_by, updated_at, received_on) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, $11, $12, $10, $13) RETURNING id",
                )
                .bind(&request.tracking_code)
                .bind(request.commune_code)
                .bind(request.village_id)
                .bind(request.team_id)
                .bind(&request.category)
                .bind(request.description.as_deref())
                .bind(request.citizen_name.as_deref())
                .bind(request.citizen_phone.as_deref())
                .bind(request.preferred_time.as_deref())
                .bind(now)
                .bind(respond_by)
                .bind(resolve_by)
                .bind(day)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| on_constraint(e, "help_requests_tracking", "help_requests.tracking_code", || {
                    StoreError::invalid("tracking_code", "collision")
                }))?;
                audit!(tx, citizen, Some(request.commune_code), "help_request", id, "create",
                    None::<&HelpAudit>, Some(&HelpAudit::from(&request)));
                tx.commit().await?;
                Ok(id)
            }) }.await;
            match written {
                Ok(id) => return Ok(HelpRequest { id, ..request }),
                Err(StoreError::Invalid(e)) if e.field == "tracking_code" => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::invalid(
            "description",
            "Chưa gửi được yêu cầu: vui lòng bấm gửi lại.",
        ))
    }

    /// A request by its id.
    pub async fn help_request(&self, id: i64) -> Result<HelpRequest> {
        let sql = format!("{SELECT_REQUEST} WHERE h.id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, HelpRequest>(&sql).bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy yêu cầu hỗ trợ số {id}.")))
    }

    /// A request by its tracking code (already normalised).
    pub async fn help_request_by_code(&self, code: &str) -> Result<HelpRequest> {
        let sql = format!("{SELECT_REQUEST} WHERE h.tracking_code = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, HelpRequest>(&sql).bind(code).fetch_optional(pool).await?
        })
        .ok_or_else(|| {
            StoreError::not_found(
                "Không tìm thấy yêu cầu với mã này. Vui lòng kiểm tra lại mã tra cứu (8 ký tự).",
            )
        })
    }

    /// The requests of a queue, newest first; at most `limit`.
    pub async fn help_queue(
        &self,
        commune_code: i32,
        scope: QueueScope,
        state: Option<HelpState>,
        limit: i64,
    ) -> Result<Vec<HelpRequest>> {
        let (team_filter, team) = scope.filter(3);
        let sql = format!(
            "{SELECT_REQUEST} WHERE h.commune_code = $1 AND ($2 = '' OR h.state = $2){team_filter} \
             ORDER BY h.received_at DESC, h.id DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        Ok(on_read!(self, pool => {
            let q = sqlx::query_as::<_, HelpRequest>(&sql)
                .bind(commune_code)
                .bind(state.map_or("", |s| s.code()));
            let q = match team { Some(team) => q.bind(team), None => q };
            q.fetch_all(pool).await?
        }))
    }

    /// How many requests of a queue are open (new or in progress), however
    /// many closed ones came after them (the team page's count).
    pub async fn help_open_in_queue(&self, commune_code: i32, scope: QueueScope) -> Result<i64> {
        let (team_filter, team) = scope.filter(2);
        let sql = format!(
            "SELECT COUNT(*) FROM help_requests h WHERE h.commune_code = $1 \
             AND h.state IN ('new', 'in_progress'){team_filter}"
        );
        Ok(on_read!(self, pool => {
            let q = sqlx::query_scalar::<_, i64>(&sql).bind(commune_code);
            let q = match team { Some(team) => q.bind(team), None => q };
            q.fetch_one(pool).await?
        }))
    }

    /// Open requests of the commune and how many of them are overdue at
    /// `now` (the commune home's line).
    pub async fn help_open_counts(
        &self,
        commune_code: i32,
        now: DateTime<Utc>,
    ) -> Result<(i64, i64)> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN resolve_by < $2 \
                    OR (first_response_at IS NULL AND respond_by < $2) THEN 1 ELSE 0 END), 0) \
                 FROM help_requests WHERE commune_code = $1 AND state IN ('new', 'in_progress')",
            )
            .bind(commune_code)
            .bind(now)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Write `after` over request `before` (state, assignee, closing,
    /// escalation), with its audit row, in `tx`'s transaction.
    pub(super) async fn update_request(
        &self,
        actor: &Actor,
        before: &HelpRequest,
        after: &HelpRequest,
        action: &str,
        activity: Option<&Activity>,
    ) -> Result<HelpRequest> {
        let now = Utc::now();
        let mut after = after.clone();
        let minutes = |at: Option<DateTime<Utc>>, cal: &toso_domain::WorkCalendar| {
            at.map(|at| {
                cal.working_minutes_between(before.received_at, at)
                    .min(i32::MAX as i64) as i32
            })
        };
        if (after.first_response_at.is_some() && after.response_minutes.is_none())
            || (after.closed_at.is_some() && after.resolution_minutes.is_none())
        {
            let calendar = self.work_calendar(before.commune_code).await?;
            after.response_minutes = after
                .response_minutes
                .or(minutes(after.first_response_at, &calendar));
            after.resolution_minutes = after
                .resolution_minutes
                .or(minutes(after.closed_at, &calendar));
        }
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            if let Some(a) = activity {
                let id = insert_activity!(tx, a, actor.user_id, now, None)?;
                let written = Activity { id, ..a.clone() };
                audit!(tx, actor, Some(a.commune_code), "activity", id, "create", None::<&Activity>, Some(&written));
                after.activity_id = Some(id);
            }
            // Guarded on the state read: two members taking or closing the
            // same request at once, only the first one's write lands.
            let changed = sqlx::query(
                "UPDATE help_requests SET state = $1, team_id = $2, first_response_at = $3, closed_at = $4, \
                 assignee_id = $5, assignee_name = $6, escalated_at = $7, escalation = $8, unable_reason = $9, \
                 activity_id = $10, updated_at = $11, response_minutes = $14, resolution_minutes = $15 \
                 WHERE id = $12 AND state = $13",
            )
            .bind(after.state.code())
            .bind(after.team_id)
            .bind(after.first_response_at)
            .bind(after.closed_at)
            .bind(after.assignee_id)
            .bind(after.assignee_name.as_deref())
            .bind(after.escalated_at)
            .bind(after.escalation.as_deref())
            .bind(after.unable_reason.as_deref())
            .bind(after.activity_id)
            .bind(now)
            .bind(before.id)
            .bind(before.state.code())
            .bind(after.response_minutes)
            .bind(after.resolution_minutes)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::invalid(
                    "state",
                    "Yêu cầu vừa được người khác cập nhật: vui lòng tải lại trang.",
                ));
            }
            audit!(tx, actor, Some(before.commune_code), "help_request", before.id, action,
                Some(&HelpAudit::from(before)), Some(&HelpAudit::from(&after)));
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })?;
        Ok(after)
    }

    /// A member takes a new request: it is theirs, in progress, and its
    /// first response is now.
    pub async fn take_help_request(
        &self,
        actor: &Actor,
        id: i64,
        assignee: (i64, &str),
        now: DateTime<Utc>,
    ) -> Result<HelpRequest> {
        let before = self.help_request(id).await?;
        if before.state != HelpState::New {
            return Err(StoreError::invalid(
                "state",
                format!(
                    "Yêu cầu đang ở trạng thái «{}»: chỉ nhận được yêu cầu mới.",
                    before.state.label()
                ),
            ));
        }
        let after = HelpRequest {
            state: HelpState::InProgress,
            first_response_at: before.first_response_at.or(Some(now)),
            assignee_id: Some(assignee.0),
            assignee_name: Some(assignee.1.to_string()),
            ..before.clone()
        };
        self.update_request(actor, &before, &after, "take", None)
            .await
    }

    /// Close a request as done by `team_id` (the routed team, or the
    /// quick-response team on an escalated one): records its support
    /// activity (dated the day closed) in the same transaction, linked to
    /// the request, so the commune's figures count it once.
    pub async fn close_help_request_done(
        &self,
        actor: &Actor,
        id: i64,
        team_id: i64,
        done: HelpDone,
        now: DateTime<Utc>,
    ) -> Result<HelpRequest> {
        let before = self.help_request(id).await?;
        if before.state.closed() {
            return Err(StoreError::invalid("state", "Yêu cầu đã đóng trước đó."));
        }
        let team = self.team(team_id).await?;
        let day = crate::board::vietnam_date(now);
        let new = NewActivity {
            team_id,
            activity_date: day,
            category: done.category,
            citizens_helped: done.citizens_helped,
            dossiers: done.dossiers,
            note: None,
            co_members: Vec::new(),
        };
        check_activity(&team, &new, day)?;
        if done.citizens_helped < 1 {
            return Err(StoreError::invalid(
                "citizens_helped",
                "Đã hỗ trợ thì số người được hỗ trợ phải từ 1 trở lên.",
            ));
        }
        let note = match toso_domain::non_blank(done.note.as_deref()) {
            Some(n) => format!("Yêu cầu {}: {n}", before.tracking_code),
            None => format!("Yêu cầu {}", before.tracking_code),
        };
        let activity = Activity {
            id: 0,
            commune_code: team.commune_code,
            team_id: team.id,
            village_id: team.village_id.or(Some(before.village_id)),
            activity_date: day,
            category: done.category.code().to_string(),
            citizens_helped: done.citizens_helped,
            dossiers: done.dossiers,
            note: Some(note),
        };
        let after = HelpRequest {
            state: HelpState::Done,
            first_response_at: before.first_response_at.or(Some(now)),
            closed_at: Some(now),
            ..before.clone()
        };
        self.update_request(actor, &before, &after, "done", Some(&activity))
            .await
    }

    /// Close a request the team could not help with, with the reason; or,
    /// with `hand_over`, pass it to the commune's quick-response team
    /// (it becomes new again there, escalated).
    pub async fn close_help_request_unable(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
        hand_over: bool,
        now: DateTime<Utc>,
    ) -> Result<HelpRequest> {
        let before = self.help_request(id).await?;
        if before.state.closed() {
            return Err(StoreError::invalid("state", "Yêu cầu đã đóng trước đó."));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "Lý do không hỗ trợ được không được để trống.",
            ));
        }
        let after = if hand_over {
            let day = crate::board::vietnam_date(now);
            let Some(qr) = self.quick_response_team(before.commune_code, day).await? else {
                return Err(StoreError::invalid(
                    "hand_over",
                    "Xã chưa có Đội hỗ trợ chuyển đổi số phản ứng nhanh đang hoạt động để chuyển yêu cầu.",
                ));
            };
            if before.team_id == Some(qr.id) {
                return Err(StoreError::invalid(
                    "hand_over",
                    "Yêu cầu đã ở Đội phản ứng nhanh: không chuyển tiếp được nữa.",
                ));
            }
            HelpRequest {
                state: HelpState::New,
                team_id: Some(qr.id),
                first_response_at: before.first_response_at.or(Some(now)),
                assignee_id: None,
                assignee_name: None,
                escalated_at: Some(now),
                escalation: Some("handed".into()),
                unable_reason: Some(reason.to_string()),
                ..before.clone()
            }
        } else {
            HelpRequest {
                state: HelpState::Unable,
                first_response_at: before.first_response_at.or(Some(now)),
                closed_at: Some(now),
                unable_reason: Some(reason.to_string()),
                ..before.clone()
            }
        };
        let action = if hand_over { "hand_over" } else { "unable" };
        self.update_request(actor, &before, &after, action, None)
            .await
    }

    /// What the clock does to requests at `now`: open requests past a
    /// deadline are escalated to the quick-response team (once), and the
    /// personal data of requests closed longer ago than their commune's
    /// retention period is erased (the counts stay). Run by the server
    /// every minute; each change has its audit row.
    pub async fn sweep_help_requests(&self, now: DateTime<Utc>) -> Result<Sweep> {
        let sql = format!(
            "{SELECT_REQUEST} WHERE h.state IN ('new', 'in_progress') AND h.escalated_at IS NULL \
             AND (h.resolve_by < $1 OR (h.first_response_at IS NULL AND h.respond_by < $1))"
        );
        let overdue: Vec<HelpRequest> = on_read!(self, pool => {
            sqlx::query_as::<_, HelpRequest>(&sql).bind(now).fetch_all(pool).await?
        });
        let system = system_actor();
        let mut sweep = Sweep::default();
        for before in overdue {
            let after = HelpRequest {
                escalated_at: Some(now),
                escalation: Some("overdue".into()),
                ..before.clone()
            };
            match self
                .update_request(&system, &before, &after, "escalate", None)
                .await
            {
                Ok(_) => sweep.escalated += 1,
                // Changed meanwhile by a member: the next sweep sees it.
                Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        // Erase by commune, each with its own retention.
        let closed: Vec<(i64, i32, i32, DateTime<Utc>)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT h.id, h.commune_code, COALESCE(s.retention_days, 90), h.closed_at FROM help_requests h \
                 LEFT JOIN help_settings s ON s.commune_code = h.commune_code \
                 WHERE h.erased_at IS NULL AND h.closed_at IS NOT NULL AND h.closed_at < $1",
            )
            .bind(now - Duration::days(7))
            .fetch_all(pool)
            .await?
        });
        for (id, commune_code, days, closed) in closed {
            if closed + Duration::days(days as i64) > now {
                continue;
            }
            on_write!(self, pool => {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "UPDATE help_requests SET citizen_name = NULL, citizen_phone = NULL, description = NULL, \
                     preferred_time = NULL, erased_at = $1, updated_at = $1 WHERE id = $2 AND erased_at IS NULL",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                audit!(tx, system, Some(commune_code), "help_request", id, "erase_personal_data",
                    None::<&HelpAudit>, Some(&serde_json::json!({ "retention_days": days })));
                tx.commit().await?;
                Ok::<_, StoreError>(())
            })?;
            sweep.erased += 1;
        }
        Ok(sweep)
    }

    /// The requests received in a scope during a period, for the
    /// indicators: (state, closed on time, response minutes, resolution
    /// minutes). `sql_scope` restricts `h`; `$2` is the node; the period
    /// runs from `from` (or the beginning) to `until`, days of arrival.
    pub(crate) async fn help_figures(
        &self,
        sql_scope: &str,
        until: NaiveDate,
        node_key: i64,
        from: Option<NaiveDate>,
    ) -> Result<Vec<HelpFigures>> {
        let sql = format!(
            "SELECT h.state, CASE WHEN h.closed_at IS NOT NULL AND h.closed_at <= h.resolve_by THEN 1 ELSE 0 END, \
             h.response_minutes, h.resolution_minutes FROM help_requests h \
             WHERE h.received_on <= $1 AND {sql_scope}{}",
            if from.is_some() { " AND h.received_on >= $3" } else { "" }
        );
        Ok(on_read!(self, pool => {
            let q = sqlx::query_as::<_, HelpFigures>(&sql).bind(until).bind(node_key);
            let q = match from {
                Some(f) => q.bind(f),
                None => q,
            };
            q.fetch_all(pool).await?
        }))
    }
}
