//! The records behind a figure: the query listing them for any indicator,
//! node and date or period, paged, with their details made readable.

use super::*;

impl Store {
    /// The records behind one indicator for `node` as of `as_of`.
    pub async fn indicator_records(
        &self,
        code: IndicatorCode,
        node: Node,
        as_of: NaiveDate,
    ) -> Result<Vec<Evidence>> {
        self.indicator_records_in(code, node, Period::as_of(as_of))
            .await
    }

    /// The records behind one indicator for `node` over `period`.
    pub async fn indicator_records_in(
        &self,
        code: IndicatorCode,
        node: Node,
        period: Period,
    ) -> Result<Vec<Evidence>> {
        self.records_window(code, node, period, None).await
    }

    /// One page of the records behind one indicator for `node` as of
    /// `as_of`: at most `per_page` (capped at [`MAX_RECORDS_PAGE`]) from
    /// page `page` (from 1), in the order of [`Store::indicator_records`],
    /// and how many records there are in all. A province or the nation can
    /// have millions; pages and the API read them this way.
    pub async fn indicator_records_page(
        &self,
        code: IndicatorCode,
        node: Node,
        as_of: NaiveDate,
        page: u32,
        per_page: u32,
    ) -> Result<RecordsPage> {
        let per_page = per_page.clamp(1, MAX_RECORDS_PAGE);
        let page = page.max(1);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let period = Period::as_of(as_of);
        let records = self
            .records_window(code, node, period, Some((offset, i64::from(per_page))))
            .await?;
        let total = self.records_total(code, node, period).await?;
        Ok(RecordsPage {
            records,
            total,
            page,
            per_page,
        })
    }

    /// How many records [`Store::indicator_records_in`] would list.
    async fn records_total(&self, code: IndicatorCode, node: Node, period: Period) -> Result<i64> {
        let (sql, period) = records_sql(code, node, period);
        let sql = format!("SELECT COUNT(*) FROM ({sql}) counted");
        Ok(on_read!(self, pool => {
            let q = sqlx::query_scalar::<_, i64>(&sql).bind(period.until).bind(node_key(node));
            let q = match period.third(&sql) {
                Some(from) => q.bind(from),
                None => q,
            };
            q.fetch_one(pool).await?
        }))
    }

    /// The records, all of them or the window (offset, limit).
    async fn records_window(
        &self,
        code: IndicatorCode,
        node: Node,
        period: Period,
        window: Option<(i64, i64)>,
    ) -> Result<Vec<Evidence>> {
        let (mut sql, period) = records_sql(code, node, period);
        if let Some((offset, limit)) = window {
            // Numbers computed here, not text from the request.
            sql.push_str(&format!(" LIMIT {limit} OFFSET {offset}"));
        }
        let mut rows: Vec<Evidence> = on_read!(self, pool => {
            let q = sqlx::query_as::<_, Evidence>(&sql).bind(period.until).bind(node_key(node));
            let q = match period.third(&sql) {
                Some(from) => q.bind(from),
                None => q,
            };
            q.fetch_all(pool).await?
        });
        for row in &mut rows {
            row.detail = readable_detail(&row.entity, &row.detail);
        }
        if matches!(
            code,
            IndicatorCode::ActivityDays
                | IndicatorCode::ActiveMembers
                | IndicatorCode::ActivityDaysPerTeam
        ) {
            self.count_days_of(node, period, &mut rows).await?;
        }
        Ok(rows)
    }

    /// Writes into each listed record its number of days of activity: a
    /// person's in the period, a membership's while it lasted.
    async fn count_days_of(&self, node: Node, period: Period, rows: &mut [Evidence]) -> Result<()> {
        let memberships: Vec<i64> = rows
            .iter()
            .filter(|r| r.entity == "membership")
            .map(|r| r.id)
            .collect();
        let terms: Vec<(i64, i64, NaiveDate, Option<NaiveDate>)> = if memberships.is_empty() {
            Vec::new()
        } else {
            let sql = format!(
                "SELECT id, person_id, started_on, ended_on FROM memberships WHERE id IN ({})",
                id_list(&memberships)
            );
            on_read!(self, pool => { sqlx::query_as(&sql).fetch_all(pool).await? })
        };
        let mut people: Vec<i64> = rows
            .iter()
            .filter(|r| r.entity == "person")
            .map(|r| r.id)
            .chain(terms.iter().map(|t| t.1))
            .collect();
        people.sort_unstable();
        people.dedup();
        if people.is_empty() {
            return Ok(());
        }
        let ids = id_list(&people);
        let pairs: Vec<(i64, NaiveDate)> = self
            .period_rows(
                &format!(
                    "SELECT x.person, x.day FROM ({}) x WHERE x.person IN ({ids})",
                    activity_day_pairs_sql(node, period)
                ),
                period,
                node,
            )
            .await?;
        let courses: Vec<(i64, NaiveDate, Option<NaiveDate>)> = self
            .period_rows(
                &format!(
                    "SELECT y.person, y.starts_on, y.ends_on FROM ({}) y WHERE y.person IN ({ids})",
                    course_days_sql(node, period)
                ),
                period,
                node,
            )
            .await?;
        let mut days: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        for (person, day) in pairs {
            days.entry(person).or_default().push(day);
        }
        for (person, starts, ends) in courses {
            days.entry(person)
                .or_default()
                .extend(course_days(period, starts, ends));
        }
        for list in days.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        let none = Vec::new();
        for row in rows {
            let n = match row.entity.as_str() {
                "person" => days.get(&row.id).unwrap_or(&none).len(),
                "membership" => match terms.iter().find(|t| t.0 == row.id) {
                    Some((_, person, started, ended)) => {
                        days_within(days.get(person).unwrap_or(&none), &[(*started, *ended)])
                    }
                    None => 0,
                },
                _ => continue,
            };
            let counted = format!("{} ngày công", toso_domain::format_int(n as i64));
            row.detail = match row.entity.as_str() {
                "membership" => format!("{} — {counted}", row.detail),
                _ => counted,
            };
        }
        Ok(())
    }
}

/// The most records one page of [`Store::indicator_records_page`] holds.
pub const MAX_RECORDS_PAGE: u32 = 500;

/// One page of the records behind a figure.
#[derive(Debug, Clone, Serialize)]
pub struct RecordsPage {
    pub records: Vec<Evidence>,
    /// Records in all (on every page).
    pub total: i64,
    /// This page, from 1.
    pub page: u32,
    pub per_page: u32,
}

/// The query listing the records behind `code` (and the period it binds).
fn records_sql(code: IndicatorCode, node: Node, period: Period) -> (String, Period) {
    // Active teams look at their own days (30 for an as-of figure).
    let period = if code == IndicatorCode::ActiveTeams {
        period.active_teams()
    } else {
        period
    };
    // Roles and affiliations as they were on the period's last day ($1).
    let (role, affiliation) = (role_on("$1"), affiliation_on("$1"));
    let member_cols = |from: String, grp: &str| {
        format!(
            "SELECT 'membership' AS entity, m.id, p.full_name AS label, \
                 t.name || '|' || {role} || '|' || {affiliation} AS detail, {grp} AS grp \
                 {from} ORDER BY t.name, p.name_fold, m.id"
        )
    };
    let sql = match code {
            IndicatorCode::Villages => format!(
                "SELECT 'village' AS entity, v.id, v.name AS label, v.kind AS detail, NULL AS grp {} \
                 ORDER BY v.name_fold, v.id",
                villages_from(node)
            ),
            IndicatorCode::Teams => format!(
                "SELECT 'team' AS entity, t.id, t.name AS label, v.name AS detail, NULL AS grp {} \
                 ORDER BY v.name_fold, t.id",
                teams_from(node)
            ),
            // The team's commune is its village's: joined on it too, the
            // teams are found through teams_commune instead of a scan of
            // every team (560 ms per commune page at national scale).
            IndicatorCode::Coverage => format!(
                "SELECT 'village' AS entity, v.id, v.name AS label, COALESCE(t.name, '') AS detail, \
                 CASE WHEN t.id IS NULL THEN 'without_team' ELSE 'with_team' END AS grp \
                 FROM villages v LEFT JOIN teams t ON t.village_id = v.id AND t.kind = 'village' AND {} \
                 AND t.commune_code = v.commune_code \
                 WHERE {} AND {} ORDER BY v.name_fold, v.id",
                active_on("t.established_on", "t.dissolved_on"),
                active_on("v.active_from", "v.active_until"),
                scope(node, "v.commune_code", Some("v.id")),
            ),
            IndicatorCode::Members => member_cols(village_members_from(node, Members::Listed), "NULL"),
            IndicatorCode::MembersByRole => member_cols(village_members_from(node, Members::Listed), &role),
            IndicatorCode::MembersByAffiliation => member_cols(village_members_from(node, Members::Listed), &affiliation),
            IndicatorCode::QuickResponseMembers => member_cols(quick_response_members_from(node, Members::Listed), &role),
            IndicatorCode::SupportActivities
            | IndicatorCode::CitizensHelped
            | IndicatorCode::CitizensHelpedByCategory
            | IndicatorCode::Dossiers
            | IndicatorCode::ActivitiesPerTeam => format!(
                "SELECT 'activity' AS entity, a.id, t.name AS label, \
                 a.activity_date || '|' || a.category || '|' || a.citizens_helped || '|' || a.dossiers AS detail, \
                 {} AS grp FROM support_activities a JOIN teams t ON t.id = a.team_id \
                 WHERE a.activity_date <= $1{} AND {} ORDER BY a.activity_date DESC, a.id DESC",
                if code == IndicatorCode::ActivitiesPerTeam {
                    "CAST(a.team_id AS TEXT)"
                } else {
                    "a.category"
                },
                period.lower("a.activity_date"),
                scope(node, "a.commune_code", Some("a.village_id")),
            ),
            IndicatorCode::ActiveTeams => format!(
                "SELECT 'team' AS entity, t.id, t.name AS label, COALESCE(v.name, '') AS detail, NULL AS grp \
                 FROM teams t JOIN villages v ON v.id = t.village_id \
                 WHERE t.kind = 'village' AND {} AND {} AND EXISTS (SELECT 1 FROM support_activities a \
                 WHERE a.team_id = t.id AND a.activity_date <= $1{}) AND {} ORDER BY t.name, t.id",
                active_on("t.established_on", "t.dissolved_on"),
                active_on("v.active_from", "v.active_until"),
                period.lower("a.activity_date"),
                scope(node, "t.commune_code", Some("t.village_id")),
            ),
            IndicatorCode::ContestRegistrations => format!(
                "SELECT 'contest_registration' AS entity, r.id, c.name AS label, \
                 r.registered_on || '|' || r.grp || '|' || r.count AS detail, r.grp AS grp {} \
                 ORDER BY r.registered_on, r.id",
                registrations_from(node, period)
            ),
            IndicatorCode::TrainingCourses
            | IndicatorCode::Trainees
            | IndicatorCode::TraineesCompleted
            | IndicatorCode::TrainingCompletion => format!(
                "SELECT 'training_course' AS entity, c.id, c.title AS label, \
                 c.starts_on || '|' || c.mode || '|' || {} || '|' || {} AS detail, c.mode AS grp {} \
                 ORDER BY c.starts_on, c.id",
                course_people(false),
                course_people(true),
                courses_from(node, period)
            ),
            IndicatorCode::MembersTrained => format!(
                "SELECT 'person' AS entity, p.id, p.full_name AS label, CAST(COUNT(*) AS TEXT) AS detail, \
                 NULL AS grp {} GROUP BY p.id, p.full_name, p.name_fold ORDER BY p.name_fold, p.id",
                members_trained_from(node, period)
            ),
            IndicatorCode::HelpRequests
            | IndicatorCode::HelpFirstResponse
            | IndicatorCode::HelpRequestsDone
            | IndicatorCode::HelpRequestsOnTime
            | IndicatorCode::HelpResolution => format!(
                "SELECT 'help_request' AS entity, h.id, h.tracking_code AS label, \
                 h.received_on || '|' || h.state || '|' || COALESCE(CAST(h.response_minutes AS TEXT), '') \
                 || '|' || COALESCE(CAST(h.resolution_minutes AS TEXT), '') AS detail, \
                 CASE WHEN h.state <> 'done' THEN h.state WHEN h.closed_at <= h.resolve_by THEN 'on_time' \
                 ELSE 'late' END AS grp \
                 FROM help_requests h WHERE h.received_on <= $1{}{} AND {} ORDER BY h.received_on, h.id",
                period.lower("h.received_on"),
                match code {
                    IndicatorCode::HelpRequests => "",
                    IndicatorCode::HelpFirstResponse => " AND h.response_minutes IS NOT NULL",
                    _ => " AND h.state = 'done'",
                },
                scope(node, "h.commune_code", Some("h.village_id")),
            ),
            IndicatorCode::ActivityDays | IndicatorCode::ActiveMembers => format!(
                "SELECT 'person' AS entity, p.id, p.full_name AS label, '' AS detail, NULL AS grp \
                 FROM people p WHERE p.id IN (SELECT x.person FROM ({}) x UNION SELECT y.person FROM ({}) y) \
                 ORDER BY p.name_fold, p.id",
                activity_day_pairs_sql(node, period),
                course_days_sql(node, period),
            ),
            // The memberships of the teams in which their person had a day
            // of activity (a course overlapping the membership and the
            // period is one), grouped by team.
            IndicatorCode::ActivityDaysPerTeam => format!(
                "SELECT 'membership' AS entity, m.id, p.full_name AS label, \
                 t.name || '|' || {role} || '|' || {affiliation} AS detail, CAST(t.id AS TEXT) AS grp \
                 FROM memberships m JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id \
                 WHERE {} AND {} AND m.id IN (\
                   SELECT m2.id FROM memberships m2 JOIN ({}) x ON x.person = m2.person_id \
                   AND x.day >= m2.started_on AND (m2.ended_on IS NULL OR x.day < m2.ended_on) \
                   UNION SELECT m3.id FROM memberships m3 JOIN ({}) y ON y.person = m3.person_id \
                   AND COALESCE(y.ends_on, y.starts_on) >= m3.started_on \
                   AND (m3.ended_on IS NULL OR y.starts_on < m3.ended_on){}) \
                 ORDER BY t.name, t.id, p.name_fold, m.id",
                active_on("t.established_on", "t.dissolved_on"),
                scope(node, "t.commune_code", Some("t.village_id")),
                activity_day_pairs_sql(node, period),
                course_days_sql(node, period),
                match period.from {
                    Some(_) => " AND m3.started_on <= $1 AND (m3.ended_on IS NULL OR m3.ended_on > $3)",
                    None => " AND m3.started_on <= $1",
                },
            ),
            IndicatorCode::AllowanceApproved => format!(
                "SELECT 'allowance_month' AS entity, CAST(am.commune_code AS BIGINT) AS id, co.name AS label, \
                 am.month || '|' || am.total AS detail, NULL AS grp {} ORDER BY am.month, co.name",
                approved_months_from(node, period),
            ),
            IndicatorCode::Campaigns | IndicatorCode::CampaignReach => format!(
                "SELECT 'campaign' AS entity, k.id, k.name AS label, \
                 k.held_on || '|' || k.participants || '|' || k.citizens_reached AS detail, NULL AS grp {} \
                 ORDER BY k.held_on, k.id",
                campaigns_from(node, period)
            ),
        };
    (sql, period)
}

impl Store {
    /// Members of each of the commune's teams on `as_of` (teams with none
    /// included), by team id: the team list and the "fewer than 3 members"
    /// warning read this.
    pub async fn team_member_counts(
        &self,
        commune_code: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<(i64, i64)>> {
        let sql = format!(
            "SELECT t.id, COUNT(DISTINCT m.person_id) FROM teams t \
             LEFT JOIN memberships m ON m.team_id = t.id AND {} \
             WHERE t.commune_code = $2 GROUP BY t.id",
            active_on("m.started_on", "m.ended_on")
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, (i64, i64)>(&sql)
                .bind(as_of)
                .bind(commune_code)
                .fetch_all(pool)
                .await?
        }))
    }
}

/// Replace the stored codes in an evidence detail by their Vietnamese labels.
fn readable_detail(entity: &str, detail: &str) -> String {
    match entity {
        "village" => VillageKind::from_code(detail)
            .map(|k| k.label().to_string())
            .unwrap_or_else(|| detail.to_string()),
        "membership" => {
            let mut parts = detail.splitn(3, '|');
            let team = parts.next().unwrap_or_default();
            let role = parts
                .next()
                .and_then(Role::from_code)
                .map_or("", Role::label);
            let affiliation = parts
                .next()
                .and_then(Affiliation::from_code)
                .map_or("", Affiliation::label);
            format!("{team} — {role} — {affiliation}")
        }
        "activity" => {
            let parts: Vec<&str> = detail.splitn(4, '|').collect();
            match parts.as_slice() {
                [date, category, citizens, dossiers] => format!(
                    "{} — {} — {} người, {} hồ sơ",
                    readable_date(date),
                    SupportCategory::from_code(category)
                        .map(|c| c.label())
                        .unwrap_or(category),
                    citizens,
                    dossiers
                ),
                _ => detail.to_string(),
            }
        }
        "allowance_month" => match detail.split_once('|') {
            Some((month, total)) => format!(
                "Tháng {} — {}",
                readable_date(month).get(3..).unwrap_or(month),
                total
                    .parse::<i64>()
                    .map(toso_domain::format_money)
                    .unwrap_or_else(|_| total.to_string())
            ),
            None => detail.to_string(),
        },
        "help_request" => {
            let parts: Vec<&str> = detail.splitn(4, '|').collect();
            match parts.as_slice() {
                [date, state, response, resolution] => {
                    let minutes = |m: &str| {
                        m.parse::<i64>()
                            .map(toso_domain::format_working_time)
                            .unwrap_or_else(|_| "—".into())
                    };
                    format!(
                        "{} — {} — phản hồi sau {}, đóng sau {} (giờ làm việc)",
                        readable_date(date),
                        toso_domain::HelpState::from_code(state).map_or(*state, |s| s.label()),
                        minutes(response),
                        minutes(resolution)
                    )
                }
                _ => detail.to_string(),
            }
        }
        "training_course" => {
            let parts: Vec<&str> = detail.splitn(4, '|').collect();
            match parts.as_slice() {
                [date, mode, registered, completed] => format!(
                    "{} — {} — {} người đăng ký, {} người hoàn thành",
                    readable_date(date),
                    toso_domain::TrainingMode::from_code(mode)
                        .map(|m| m.label())
                        .unwrap_or(mode),
                    registered,
                    completed
                ),
                _ => detail.to_string(),
            }
        }
        "person" => format!("Hoàn thành {detail} lớp"),
        "campaign" => {
            let parts: Vec<&str> = detail.splitn(3, '|').collect();
            match parts.as_slice() {
                [date, participants, reached] => format!(
                    "{} — {} người tham gia, {} người dân được tiếp cận",
                    readable_date(date),
                    participants,
                    reached
                ),
                _ => detail.to_string(),
            }
        }
        "contest_registration" => {
            let parts: Vec<&str> = detail.splitn(3, '|').collect();
            match parts.as_slice() {
                [date, group, count] => format!(
                    "{} — {} — {} người",
                    readable_date(date),
                    toso_domain::ContestGroup::from_code(group)
                        .map(|g| g.label())
                        .unwrap_or(group),
                    count
                ),
                _ => detail.to_string(),
            }
        }
        _ => detail.to_string(),
    }
}

/// An ISO date as dd/mm/yyyy (text from SQL concatenation).
fn readable_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(toso_domain::format_date)
        .unwrap_or_else(|_| iso.to_string())
}
