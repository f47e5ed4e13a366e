//! Training courses (bồi dưỡng, tập huấn) with their participants: team
//! members by person, and counts of officials and citizens. The figures
//! built on them are computed in [`crate::indicators`].

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{format_date, not_in_future, Name, TrainingMode};

use crate::{Actor, Result, Store, StoreError};

/// A team member registered for a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub person_id: i64,
    pub full_name: String,
    pub completed: bool,
}

/// One training course with its participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Course {
    pub id: i64,
    pub commune_code: i32,
    pub title: String,
    pub organiser: String,
    pub document_id: Option<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    pub mode: TrainingMode,
    pub officials_registered: i32,
    pub officials_completed: i32,
    pub citizens_registered: i32,
    pub citizens_completed: i32,
    #[sqlx(skip)]
    pub participants: Vec<Participant>,
}

impl Course {
    /// Everyone registered: members by name, officials, citizens.
    pub fn registered(&self) -> i64 {
        self.participants.len() as i64
            + self.officials_registered as i64
            + self.citizens_registered as i64
    }

    /// Everyone who completed the course.
    pub fn completed(&self) -> i64 {
        self.participants.iter().filter(|p| p.completed).count() as i64
            + self.officials_completed as i64
            + self.citizens_completed as i64
    }
}

/// A new course, or the new values of one (see [`Store::update_course`]).
#[derive(Debug, Clone)]
pub struct NewCourse {
    pub commune_code: i32,
    pub title: Name,
    pub organiser: Name,
    pub document_id: Option<i64>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub mode: TrainingMode,
    pub officials_registered: i32,
    pub officials_completed: i32,
    pub citizens_registered: i32,
    pub citizens_completed: i32,
    /// Team members by person id, with whether each completed the course.
    pub participants: Vec<(i64, bool)>,
}

/// Most people one course may count in one group (a typo guard).
pub const MAX_TRAINEES_PER_GROUP: i32 = 100_000;

/// Run the course statement `$sql` inside `$tx` — `$1` the commune (a new
/// course) or the course's id (an update), `$2` to `$11` the values of the
/// [`NewCourse`] `$new`, `$12` the time, `RETURNING id` — then write the
/// course's participants anew; evaluates to the course's id. The one place
/// a course's columns are bound, for the create and the update.
macro_rules! write_course {
    ($tx:expr, $sql:expr, $first:expr, $new:expr, $now:expr) => {{
        let new: &NewCourse = &$new;
        let id: i64 = sqlx::query_scalar($sql)
            .bind($first)
            .bind(new.title.as_str())
            .bind(new.organiser.as_str())
            .bind(new.document_id)
            .bind(new.starts_on)
            .bind(new.ends_on)
            .bind(new.mode.code())
            .bind(new.officials_registered)
            .bind(new.officials_completed)
            .bind(new.citizens_registered)
            .bind(new.citizens_completed)
            .bind($now)
            .fetch_one(&mut *$tx)
            .await?;
        sqlx::query("DELETE FROM training_participants WHERE course_id = $1")
            .bind(id)
            .execute(&mut *$tx)
            .await?;
        for (person, completed) in &new.participants {
            sqlx::query(
                "INSERT INTO training_participants (course_id, person_id, completed) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(person)
            .bind(i32::from(*completed))
            .execute(&mut *$tx)
            .await?;
        }
        id
    }};
}

const SELECT_COURSE: &str =
    "SELECT id, commune_code, title, organiser, document_id, starts_on, ends_on, mode, \
     officials_registered, officials_completed, citizens_registered, citizens_completed \
     FROM training_courses";

/// The checks that need no database: dates and counts.
fn check_course(new: &NewCourse, today: NaiveDate) -> Result<()> {
    not_in_future(new.starts_on, today, "starts_on", "Ngày khai giảng")?;
    if let Some(end) = new.ends_on {
        if end < new.starts_on {
            return Err(StoreError::invalid(
                "ends_on",
                format!(
                    "Ngày kết thúc {} không được trước ngày khai giảng {}.",
                    format_date(end),
                    format_date(new.starts_on)
                ),
            ));
        }
    }
    for (field, label, value) in [
        (
            "officials_registered",
            "Số cán bộ, công chức đăng ký",
            new.officials_registered,
        ),
        (
            "officials_completed",
            "Số cán bộ, công chức hoàn thành",
            new.officials_completed,
        ),
        (
            "citizens_registered",
            "Số người dân đăng ký",
            new.citizens_registered,
        ),
        (
            "citizens_completed",
            "Số người dân hoàn thành",
            new.citizens_completed,
        ),
    ] {
        if value < 0 {
            return Err(StoreError::invalid(
                field,
                format!("{label} không được là số âm."),
            ));
        }
        if value > MAX_TRAINEES_PER_GROUP {
            return Err(StoreError::invalid(
                field,
                format!("{label} {value} quá lớn (tối đa {MAX_TRAINEES_PER_GROUP})."),
            ));
        }
    }
    for (field, label, completed, registered) in [
        (
            "officials_completed",
            "Số cán bộ, công chức hoàn thành",
            new.officials_completed,
            new.officials_registered,
        ),
        (
            "citizens_completed",
            "Số người dân hoàn thành",
            new.citizens_completed,
            new.citizens_registered,
        ),
    ] {
        if completed > registered {
            return Err(StoreError::invalid(
                field,
                format!("{label} ({completed}) không được lớn hơn số đăng ký ({registered})."),
            ));
        }
    }
    Ok(())
}

impl Store {
    /// The checks that read the database: the directive document and the
    /// participants belong to the commune.
    async fn check_course_records(&self, new: &NewCourse) -> Result<()> {
        let commune = self.commune(new.commune_code).await?;
        if let Some(doc) = new.document_id {
            let found = match self.document(doc).await {
                Ok(d) => d.commune_code == new.commune_code,
                Err(StoreError::NotFound(_)) => false,
                Err(e) => return Err(e),
            };
            if !found {
                return Err(StoreError::invalid(
                    "document_id",
                    "Văn bản chỉ đạo không có trong sổ văn bản của xã.",
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (person, _) in &new.participants {
            if !seen.insert(*person) {
                return Err(StoreError::invalid(
                    "participants",
                    format!("Người số {person} được ghi hai lần trong danh sách học viên."),
                ));
            }
            let found: Option<(String, i32, bool)> = on_read!(self, pool => {
                sqlx::query_as(
                    "SELECT p.full_name, p.commune_code, EXISTS (SELECT 1 FROM memberships m \
                     JOIN teams t ON t.id = m.team_id WHERE m.person_id = p.id AND t.commune_code = $2) \
                     FROM people p WHERE p.id = $1",
                )
                .bind(person)
                .bind(new.commune_code)
                .fetch_optional(pool)
                .await?
            });
            match found {
                Some((_, code, true)) if code == new.commune_code => {}
                Some((name, _, _)) => {
                    return Err(StoreError::invalid(
                        "participants",
                        format!(
                            "«{name}» không phải thành viên tổ công nghệ số nào của {}: chỉ ghi theo tên thành viên tổ; cán bộ và người dân ghi theo số lượng.",
                            commune.name
                        ),
                    ))
                }
                None => {
                    return Err(StoreError::invalid(
                        "participants",
                        format!(
                            "Không tìm thấy người số {person} trong danh sách thành viên tổ của {}.",
                            commune.name
                        ),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Record a training course. Refuses a future start, an end before the
    /// start, negative counts, more completed than registered, a document
    /// of another commune, and participants who are not team members of
    /// the commune.
    pub async fn create_course(&self, actor: &Actor, new: NewCourse) -> Result<Course> {
        check_course(&new, crate::today())?;
        self.check_course_records(&new).await?;
        let now = Utc::now();
        let id = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id = write_course!(
                tx,
                "INSERT INTO training_courses (commune_code, title, organiser, document_id, starts_on, ends_on, mode, \
                 officials_registered, officials_completed, citizens_registered, citizens_completed, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
                new.commune_code,
                new,
                now
            );
            let after = course_record(id, &new);
            audit!(tx, actor, Some(new.commune_code), "training_course", id, "create", None::<&CourseRecord>, Some(&after));
            tx.commit().await?;
            id
        });
        self.course(id).await
    }

    /// Replace a course's values and participants (completion is usually
    /// marked this way after the course ends). Same rules as a new course.
    pub async fn update_course(&self, actor: &Actor, id: i64, new: NewCourse) -> Result<Course> {
        let before = self.course(id).await?;
        if before.commune_code != new.commune_code {
            return Err(StoreError::not_found(format!(
                "Không tìm thấy lớp tập huấn số {id}."
            )));
        }
        check_course(&new, crate::today())?;
        self.check_course_records(&new).await?;
        let before_record = CourseRecord::from(&before);
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            write_course!(
                tx,
                "UPDATE training_courses SET title = $2, organiser = $3, document_id = $4, starts_on = $5, \
                 ends_on = $6, mode = $7, officials_registered = $8, officials_completed = $9, \
                 citizens_registered = $10, citizens_completed = $11, updated_at = $12 WHERE id = $1 RETURNING id",
                id,
                new,
                Utc::now()
            );
            let after = course_record(id, &new);
            audit!(tx, actor, Some(new.commune_code), "training_course", id, "update", Some(&before_record), Some(&after));
            tx.commit().await?;
        });
        self.course(id).await
    }

    pub async fn course(&self, id: i64) -> Result<Course> {
        let sql = format!("{SELECT_COURSE} WHERE id = $1");
        let mut course = on_read!(self, pool => {
            sqlx::query_as::<_, Course>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy lớp tập huấn số {id}.")))?;
        course.participants = self
            .participants("tp.course_id = $1", id)
            .await?
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        Ok(course)
    }

    /// The commune's courses with their participants, newest first.
    pub async fn courses(&self, commune_code: i32) -> Result<Vec<Course>> {
        let sql =
            format!("{SELECT_COURSE} WHERE commune_code = $1 ORDER BY starts_on DESC, id DESC");
        let mut courses = on_read!(self, pool => {
            sqlx::query_as::<_, Course>(&sql)
                .bind(commune_code)
                .fetch_all(pool)
                .await?
        });
        let all = self
            .participants(
                "tp.course_id IN (SELECT id FROM training_courses WHERE commune_code = $1)",
                commune_code as i64,
            )
            .await?;
        for course in &mut courses {
            course.participants = all
                .iter()
                .filter(|(c, _)| *c == course.id)
                .map(|(_, p)| p.clone())
                .collect();
        }
        Ok(courses)
    }

    async fn participants(&self, condition: &str, key: i64) -> Result<Vec<(i64, Participant)>> {
        let sql = format!(
            "SELECT tp.course_id, tp.person_id, p.full_name, tp.completed FROM training_participants tp \
             JOIN people p ON p.id = tp.person_id WHERE {condition} ORDER BY p.name_fold, p.id"
        );
        let rows: Vec<(i64, i64, String, i32)> = on_read!(self, pool => {
            sqlx::query_as(&sql).bind(key).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(course, person_id, full_name, completed)| {
                (
                    course,
                    Participant {
                        person_id,
                        full_name,
                        completed: completed != 0,
                    },
                )
            })
            .collect())
    }
}

/// What the audit log keeps of a course.
#[derive(Debug, Serialize)]
struct CourseRecord {
    id: i64,
    commune_code: i32,
    title: String,
    organiser: String,
    document_id: Option<i64>,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    mode: TrainingMode,
    officials_registered: i32,
    officials_completed: i32,
    citizens_registered: i32,
    citizens_completed: i32,
    /// (person id, completed)
    participants: Vec<(i64, bool)>,
}

fn course_record(id: i64, new: &NewCourse) -> CourseRecord {
    CourseRecord {
        id,
        commune_code: new.commune_code,
        title: new.title.as_str().to_string(),
        organiser: new.organiser.as_str().to_string(),
        document_id: new.document_id,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        mode: new.mode,
        officials_registered: new.officials_registered,
        officials_completed: new.officials_completed,
        citizens_registered: new.citizens_registered,
        citizens_completed: new.citizens_completed,
        participants: new.participants.clone(),
    }
}

impl From<&Course> for CourseRecord {
    fn from(c: &Course) -> Self {
        CourseRecord {
            id: c.id,
            commune_code: c.commune_code,
            title: c.title.clone(),
            organiser: c.organiser.clone(),
            document_id: c.document_id,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            mode: c.mode,
            officials_registered: c.officials_registered,
            officials_completed: c.officials_completed,
            citizens_registered: c.citizens_registered,
            citizens_completed: c.citizens_completed,
            participants: c
                .participants
                .iter()
                .map(|p| (p.person_id, p.completed))
                .collect(),
        }
    }
}
