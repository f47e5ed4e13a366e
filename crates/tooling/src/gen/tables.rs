//! The rows `toso gen` writes, buffered per table with the table's columns,
//! and what the generator keeps between communes: the next ids, the teams'
//! paces, a day's date and timestamp in the backend's format.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};

use crate::bulk::{BulkLoad, Val};
use crate::Error;

/// Rows waiting to be written to one table.
pub(super) struct Buf {
    pub(super) table: &'static str,
    pub(super) columns: &'static [&'static str],
    pub(super) values: Vec<Val>,
}

impl Buf {
    pub(super) fn new(table: &'static str, columns: &'static [&'static str]) -> Buf {
        Buf {
            table,
            columns,
            values: Vec::new(),
        }
    }
    pub(super) fn row<const N: usize>(&mut self, row: [Val; N]) {
        debug_assert_eq!(N, self.columns.len(), "{}", self.table);
        self.values.extend(row);
    }
    pub(super) fn rows(&self) -> usize {
        self.values.len() / self.columns.len()
    }
    pub(super) async fn flush(&mut self, load: &mut BulkLoad) -> Result<(), Error> {
        load.write(self.table, self.columns, &self.values).await?;
        self.values.clear();
        Ok(())
    }
}

/// Every table gen writes to, parents first.
pub(super) const TABLES: &[&str] = &[
    "documents",
    "villages",
    "teams",
    "people",
    "memberships",
    "contests",
    "contest_registrations",
    "training_courses",
    "training_participants",
    "campaigns",
    "campaign_partners",
    "campaign_villages",
    "support_activities",
];

pub(super) struct Bufs {
    pub(super) documents: Buf,
    pub(super) villages: Buf,
    pub(super) teams: Buf,
    pub(super) people: Buf,
    pub(super) memberships: Buf,
    pub(super) contests: Buf,
    pub(super) registrations: Buf,
    pub(super) courses: Buf,
    pub(super) participants: Buf,
    pub(super) campaigns: Buf,
    pub(super) partners: Buf,
    pub(super) campaign_villages: Buf,
}

impl Bufs {
    pub(super) fn new() -> Bufs {
        Bufs {
            documents: Buf::new(
                "documents",
                &[
                    "id",
                    "commune_code",
                    "kind",
                    "doc_number",
                    "issued_on",
                    "issued_year",
                    "issuer",
                    "subject",
                    "search_fold",
                    "created_at",
                    "updated_at",
                ],
            ),
            villages: Buf::new(
                "villages",
                &[
                    "id",
                    "commune_code",
                    "kind",
                    "name",
                    "name_fold",
                    "active_from",
                    "created_at",
                    "updated_at",
                ],
            ),
            teams: Buf::new(
                "teams",
                &[
                    "id",
                    "commune_code",
                    "village_id",
                    "kind",
                    "name",
                    "established_on",
                    "decision_id",
                    "zalo_link",
                    "created_at",
                    "updated_at",
                ],
            ),
            people: Buf::new(
                "people",
                &[
                    "id",
                    "commune_code",
                    "full_name",
                    "name_fold",
                    "gender",
                    "birth_year",
                    "phone",
                    "created_at",
                    "updated_at",
                ],
            ),
            memberships: Buf::new(
                "memberships",
                &[
                    "id",
                    "team_id",
                    "person_id",
                    "role",
                    "affiliation",
                    "started_on",
                    "ended_on",
                    "created_at",
                    "updated_at",
                ],
            ),
            contests: Buf::new(
                "contests",
                &[
                    "id",
                    "commune_code",
                    "name",
                    "organiser",
                    "document_id",
                    "starts_on",
                    "ends_on",
                    "created_at",
                    "updated_at",
                ],
            ),
            registrations: Buf::new(
                "contest_registrations",
                &["contest_id", "registered_on", "grp", "count", "created_at"],
            ),
            courses: Buf::new(
                "training_courses",
                &[
                    "id",
                    "commune_code",
                    "title",
                    "organiser",
                    "starts_on",
                    "ends_on",
                    "mode",
                    "officials_registered",
                    "officials_completed",
                    "citizens_registered",
                    "citizens_completed",
                    "created_at",
                    "updated_at",
                ],
            ),
            participants: Buf::new(
                "training_participants",
                &["course_id", "person_id", "completed"],
            ),
            campaigns: Buf::new(
                "campaigns",
                &[
                    "id",
                    "commune_code",
                    "name",
                    "held_on",
                    "participants",
                    "citizens_reached",
                    "created_at",
                    "updated_at",
                ],
            ),
            partners: Buf::new("campaign_partners", &["campaign_id", "partner"]),
            campaign_villages: Buf::new("campaign_villages", &["campaign_id", "village_id"]),
        }
    }

    pub(super) fn all(&mut self) -> [&mut Buf; 12] {
        [
            &mut self.documents,
            &mut self.villages,
            &mut self.teams,
            &mut self.people,
            &mut self.memberships,
            &mut self.contests,
            &mut self.registrations,
            &mut self.courses,
            &mut self.participants,
            &mut self.campaigns,
            &mut self.partners,
            &mut self.campaign_villages,
        ]
    }

    /// Write the buffers holding at least `min_rows` rows.
    pub(super) async fn flush(
        &mut self,
        load: &mut BulkLoad,
        min_rows: usize,
    ) -> Result<(), Error> {
        for buf in self.all() {
            if buf.rows() >= min_rows.max(1) {
                buf.flush(load).await?;
            }
        }
        Ok(())
    }
}

/// Next ids of the tables whose rows others point at.
pub(super) struct Ids {
    pub(super) document: i64,
    pub(super) village: i64,
    pub(super) team: i64,
    pub(super) person: i64,
    pub(super) membership: i64,
    pub(super) contest: i64,
    pub(super) course: i64,
    pub(super) campaign: i64,
}

impl Ids {
    pub(super) fn take(n: &mut i64) -> i64 {
        *n += 1;
        *n
    }
}

/// A team as the activity generator needs it.
pub(super) struct TeamPace {
    pub(super) id: i64,
    pub(super) commune_code: i32,
    pub(super) village_id: Option<i64>,
    /// Expected activities per day before the trend and weekday factors.
    pub(super) rate: f64,
}

/// Day-dependent text of one day (date, and the timestamp of 10:00 in
/// Vietnam), in the backend's format.
pub(super) struct DayText {
    pub(super) date: Arc<str>,
    pub(super) at: Arc<str>,
}

pub(super) fn day_text(load: &BulkLoad, d: NaiveDate) -> DayText {
    let at = Utc.from_utc_datetime(&d.and_hms_opt(3, 0, 0).expect("valid time"));
    DayText {
        date: load.date_text(d),
        at: load.time_text(at),
    }
}
