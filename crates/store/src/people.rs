//! People and their memberships of teams. Counts as of a date come from the
//! membership periods, never from a stored counter.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{
    fold, format_date, not_in_future, Affiliation, BirthYear, Gender, PersonName, PhoneNumber, Role,
};

use crate::{Actor, Result, Store, StoreError};

/// A person known to the commune. Only what the teams' work needs: name,
/// gender, birth year and phone (all but the name optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub commune_code: i32,
    pub full_name: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    pub phone: Option<String>,
}

impl Person {
    pub fn gender(&self) -> Option<Gender> {
        self.gender.as_deref().and_then(Gender::from_code)
    }
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub commune_code: i32,
    pub full_name: PersonName,
    pub gender: Option<Gender>,
    pub birth_year: Option<BirthYear>,
    pub phone: Option<PhoneNumber>,
}

/// New values of a person's details.
pub type PersonUpdate = NewPerson;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Membership {
    pub id: i64,
    pub team_id: i64,
    pub person_id: i64,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub affiliation: Affiliation,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// The day the current role and affiliation took effect; `None` when
    /// they have held since the membership started. Earlier values are
    /// [`MembershipTerm`]s.
    pub role_since: Option<NaiveDate>,
}

impl Membership {
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.started_on <= day && self.ended_on.is_none_or(|e| e > day)
    }

    /// The first day of the current role and affiliation.
    pub fn term_start(&self) -> NaiveDate {
        self.role_since.unwrap_or(self.started_on)
    }
}

/// A role and affiliation a membership held from `from_on` until the day
/// before `until_on` (`None`: the current values, still in force).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MembershipTerm {
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub affiliation: Affiliation,
    pub from_on: NaiveDate,
    pub until_on: Option<NaiveDate>,
}

impl MembershipTerm {
    /// The last day the term held: the day before its successor began, or
    /// before the membership ended (`ended_on`); `None` while in force.
    pub fn last_day(&self, ended_on: Option<NaiveDate>) -> Option<NaiveDate> {
        self.until_on.or(ended_on).and_then(|d| d.pred_opt())
    }
}

/// A membership of one person, with its team's name (a person's page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonMembership {
    #[sqlx(flatten)]
    pub membership: Membership,
    pub team_name: String,
    pub team_commune: i32,
}

/// SQL for the role of membership `m` on the day bound as `day` (e.g.
/// `"$1"`): the current value from `role_since` on, else the closed term in
/// force that day. Every as-of figure and list reads roles through this
/// and [`affiliation_on`], so a change never rewrites an earlier date.
pub(crate) fn role_on(day: &str) -> String {
    term_value_on("role", day)
}

/// SQL for the affiliation of membership `m` on the day bound as `day`.
pub(crate) fn affiliation_on(day: &str) -> String {
    term_value_on("affiliation", day)
}

fn term_value_on(column: &str, day: &str) -> String {
    format!(
        "(CASE WHEN m.role_since IS NULL OR m.role_since <= {day} THEN m.{column} ELSE \
         COALESCE((SELECT h.{column} FROM membership_terms h WHERE h.membership_id = m.id \
         AND h.from_on <= {day} AND h.until_on > {day}), m.{column}) END)"
    )
}

/// The rules of a change of role or affiliation taking effect on `from`:
/// not in the future, inside the membership, and not before the current
/// values took effect (history is appended, not rewritten).
pub(crate) fn check_term_change(before: &Membership, from: NaiveDate) -> Result<()> {
    const FIELD: &str = "role_from";
    not_in_future(from, crate::today(), FIELD, "Ngày hiệu lực")?;
    if from < before.started_on {
        return Err(StoreError::invalid(
            FIELD,
            format!(
                "Ngày hiệu lực không được trước ngày tham gia tổ ({}).",
                format_date(before.started_on)
            ),
        ));
    }
    if let Some(end) = before.ended_on {
        if from >= end {
            return Err(StoreError::invalid(
                FIELD,
                format!(
                    "Tư cách thành viên đã kết thúc từ ngày {}: ngày hiệu lực phải trước ngày đó.",
                    format_date(end)
                ),
            ));
        }
    }
    if from < before.term_start() {
        return Err(StoreError::invalid(
            FIELD,
            format!(
                "Ngày hiệu lực không được trước {} — ngày chức danh và đơn vị hiện tại bắt đầu.",
                format_date(before.term_start())
            ),
        ));
    }
    Ok(())
}

/// The membership after a change of role and affiliation from `from`
/// (checked by [`check_term_change`]): on the day the current values took
/// effect it corrects them; later, the current values become a closed term.
pub(crate) fn after_term_change(
    before: &Membership,
    role: Role,
    affiliation: Affiliation,
    from: NaiveDate,
) -> Membership {
    let role_since = if from == before.term_start() {
        before.role_since
    } else {
        Some(from)
    };
    Membership {
        role,
        affiliation,
        role_since,
        ..before.clone()
    }
}

#[derive(Debug, Clone)]
pub struct NewMembership {
    pub team_id: i64,
    pub person_id: i64,
    pub role: Role,
    pub affiliation: Affiliation,
    pub started_on: NaiveDate,
}

/// A membership joined with its person, as a team page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MemberView {
    #[sqlx(flatten)]
    pub membership: Membership,
    pub full_name: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    pub phone: Option<String>,
}

/// The columns of a [`Person`] as every read of `people` answers them
/// (a literal, for `concat!`).
macro_rules! person_columns {
    () => {
        "id, commune_code, full_name, gender, birth_year, phone"
    };
}
pub(crate) use person_columns;

/// The columns of a [`Membership`] as every read of `memberships` answers
/// them.
macro_rules! membership_columns {
    () => {
        "id, team_id, person_id, role, affiliation, started_on, ended_on, role_since"
    };
}
pub(crate) use membership_columns;

/// The columns a new person is written with (the id, when the writer
/// assigns it, before them): by [`Store::create_person`] and the importer's
/// bulk writers alike.
macro_rules! new_person_columns {
    () => {
        "commune_code, full_name, name_fold, gender, birth_year, phone, created_at, updated_at"
    };
}
pub(crate) use new_person_columns;

/// The columns a new membership is written with (the id, when the writer
/// assigns it, before them).
macro_rules! new_membership_columns {
    () => {
        "team_id, person_id, role, affiliation, started_on, created_at, updated_at"
    };
}
pub(crate) use new_membership_columns;

/// The folded name of a person (`people.name_fold`: search and the
/// importer's natural key), written with every insert and update.
pub(crate) fn name_fold(full_name: &str) -> String {
    fold(full_name)
}

const SELECT_PERSON: &str = concat!("SELECT ", person_columns!(), " FROM people");
/// An open or later-ending membership of person `$2` in team `$1` that
/// overlaps a period starting on `$3`.
const OVERLAP: &str = "SELECT started_on FROM memberships WHERE team_id = $1 AND person_id = $2 \
                       AND (ended_on IS NULL OR ended_on > $3) LIMIT 1";

const SELECT_MEMBERSHIP: &str = concat!("SELECT ", membership_columns!(), " FROM memberships");

/// One new membership (team, person, role, affiliation, start, at `$6`).
const INSERT_MEMBERSHIP: &str = concat!(
    "INSERT INTO memberships (",
    new_membership_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
);

/// Insert a person (a `NewPerson`) inside `$tx`, with its audit row.
macro_rules! insert_person {
    ($tx:expr, $actor:expr, $new:expr) => {{
        let new: NewPerson = $new;
        let person = Person {
            id: 0,
            commune_code: new.commune_code,
            full_name: new.full_name.as_str().to_string(),
            gender: new.gender.map(|g| g.code().to_string()),
            birth_year: new.birth_year.map(|b| b.get()),
            phone: new.phone.as_ref().map(|p| p.as_str().to_string()),
        };
        let id: i64 = sqlx::query_scalar(concat!(
            "INSERT INTO people (",
            new_person_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
        ))
        .bind(person.commune_code)
        .bind(&person.full_name)
        .bind(name_fold(&person.full_name))
        .bind(person.gender.as_deref())
        .bind(person.birth_year)
        .bind(person.phone.as_deref())
        .bind(Utc::now())
        .fetch_one(&mut *$tx)
        .await?;
        let person = Person { id, ..person };
        audit!(
            $tx,
            $actor,
            Some(person.commune_code),
            "person",
            id,
            "create",
            None::<&Person>,
            Some(&person)
        );
        person
    }};
}

/// Insert a membership inside `$tx` after the overlap check (which must
/// run in the writing transaction), with its audit row.
macro_rules! insert_membership {
    ($tx:expr, $actor:expr, $team:expr, $person:expr, $new:expr) => {{
        let new: NewMembership = $new;
        let twice = |since: NaiveDate| {
            StoreError::invalid(
                "person_id",
                crate::rules::member_twice(&$person.full_name, &$team.name, since),
            )
        };
        let overlap: Option<NaiveDate> = sqlx::query_scalar(OVERLAP)
            .bind(new.team_id)
            .bind(new.person_id)
            .bind(new.started_on)
            .fetch_optional(&mut *$tx)
            .await?;
        if let Some(since) = overlap {
            return Err(twice(since));
        }
        let id: i64 = sqlx::query_scalar(INSERT_MEMBERSHIP)
            .bind(new.team_id)
            .bind(new.person_id)
            .bind(new.role.code())
            .bind(new.affiliation.code())
            .bind(new.started_on)
            .bind(Utc::now())
            .fetch_one(&mut *$tx)
            .await
            .map_err(|e| {
                crate::error::on_constraint(
                    e,
                    "memberships_one_open",
                    "memberships.team_id, memberships.person_id",
                    || twice(new.started_on),
                )
            })?;
        let membership = Membership {
            id,
            team_id: new.team_id,
            person_id: new.person_id,
            role: new.role,
            affiliation: new.affiliation,
            started_on: new.started_on,
            ended_on: None,
            role_since: None,
        };
        audit!(
            $tx,
            $actor,
            Some($team.commune_code),
            "membership",
            id,
            "create",
            None::<&Membership>,
            Some(&membership)
        );
        membership
    }};
}

/// Write a change of role and affiliation (`$after`, from
/// [`after_term_change`]) of membership `$before` inside `$tx`: the values
/// that end become a closed term, the membership row carries the new ones.
/// The caller writes the audit row. The one writer of role history: the
/// member form and the importer both come here.
macro_rules! write_term_change {
    ($tx:expr, $before:expr, $after:expr, $now:expr) => {{
        let before: &$crate::Membership = $before;
        let after: &$crate::Membership = $after;
        if after.role_since != before.role_since {
            let until = after.role_since.expect("a new term has a start");
            sqlx::query(
                "INSERT INTO membership_terms (membership_id, role, affiliation, from_on, until_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(before.id)
            .bind(before.role.code())
            .bind(before.affiliation.code())
            .bind(before.term_start())
            .bind(until)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
        sqlx::query(
            "UPDATE memberships SET role = $1, affiliation = $2, role_since = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(after.role.code())
        .bind(after.affiliation.code())
        .bind(after.role_since)
        .bind($now)
        .bind(after.id)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use write_term_change;

/// End membership `$before` from `$on` inside `$tx`, with the audit row
/// (action `end`, commune `$commune`): the one writer of a membership's end,
/// for ending it, moving it and dissolving its team. Evaluates to the
/// ended membership.
macro_rules! write_membership_end {
    ($tx:expr, $actor:expr, $commune:expr, $before:expr, $on:expr, $now:expr) => {{
        let before: &$crate::Membership = $before;
        sqlx::query("UPDATE memberships SET ended_on = $1, updated_at = $2 WHERE id = $3")
            .bind($on)
            .bind($now)
            .bind(before.id)
            .execute(&mut *$tx)
            .await?;
        let ended = $crate::Membership {
            ended_on: Some($on),
            ..before.clone()
        };
        audit!(
            $tx,
            $actor,
            Some($commune),
            "membership",
            before.id,
            "end",
            Some(before),
            Some(&ended)
        );
        ended
    }};
}
pub(crate) use write_membership_end;

/// A person after `upd`; refuses a person of another commune as not found.
fn person_after(before: &Person, id: i64, upd: PersonUpdate) -> Result<Person> {
    if before.commune_code != upd.commune_code {
        return Err(StoreError::not_found(format!(
            "Không tìm thấy người số {id}."
        )));
    }
    Ok(Person {
        full_name: upd.full_name.as_str().to_string(),
        gender: upd.gender.map(|g| g.code().to_string()),
        birth_year: upd.birth_year.map(|b| b.get()),
        phone: upd.phone.as_ref().map(|p| p.as_str().to_string()),
        ..before.clone()
    })
}

/// Write a person's new details (`$after`) inside `$tx`, with the folded
/// name: the one UPDATE of a person, for the forms and the importer. The
/// caller writes the audit row ([`write_person_update!`]; the importer
/// writes its audit rows in batches).
macro_rules! update_person_row {
    ($tx:expr, $after:expr, $now:expr) => {{
        let after: &$crate::Person = $after;
        sqlx::query(
            "UPDATE people SET full_name = $1, name_fold = $2, gender = $3, birth_year = $4, phone = $5, \
             updated_at = $6 WHERE id = $7",
        )
        .bind(&after.full_name)
        .bind($crate::people::name_fold(&after.full_name))
        .bind(after.gender.as_deref())
        .bind(after.birth_year)
        .bind(after.phone.as_deref())
        .bind($now)
        .bind(after.id)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use update_person_row;

/// Write a person's new details (`$after`) inside `$tx`, with the audit row.
macro_rules! write_person_update {
    ($tx:expr, $actor:expr, $before:expr, $after:expr) => {{
        let before: &Person = $before;
        let after: &Person = $after;
        update_person_row!($tx, after, Utc::now());
        audit!(
            $tx,
            $actor,
            Some(after.commune_code),
            "person",
            after.id,
            "update",
            Some(before),
            Some(after)
        );
    }};
}

/// The rules of a new membership that need no database: same commune, a
/// start date not in the future and within the team's active period.
pub(crate) fn check_membership(
    team: &crate::Team,
    person_commune: i32,
    started_on: NaiveDate,
) -> Result<()> {
    if person_commune != team.commune_code {
        return Err(StoreError::invalid(
            "person_id",
            "Người này không thuộc xã của tổ.",
        ));
    }
    not_in_future(started_on, crate::today(), "started_on", "Ngày tham gia")?;
    if !team.is_active_on(started_on) {
        return Err(StoreError::invalid(
            "started_on",
            crate::rules::outside_team_period(
                started_on,
                &team.name,
                team.established_on,
                team.dissolved_on,
            ),
        ));
    }
    Ok(())
}

impl Store {
    pub async fn person(&self, id: i64) -> Result<Person> {
        let sql = format!("{SELECT_PERSON} WHERE id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, Person>(&sql).bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy người số {id}.")))
    }

    pub async fn create_person(&self, actor: &Actor, new: NewPerson) -> Result<Person> {
        self.commune(new.commune_code).await?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let person = insert_person!(tx, actor, new);
            tx.commit().await?;
            Ok(person)
        })
    }

    pub async fn membership(&self, id: i64) -> Result<Membership> {
        let sql = format!("{SELECT_MEMBERSHIP} WHERE id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, Membership>(&sql).bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy thành viên số {id}.")))
    }

    /// Add a person to a team. Refuses a person of another commune, a date
    /// outside the team's active period, and a second membership of the same
    /// person in the same team overlapping in time.
    pub async fn add_membership(&self, actor: &Actor, new: NewMembership) -> Result<Membership> {
        let team = self.team(new.team_id).await?;
        let person = self.person(new.person_id).await?;
        check_membership(&team, person.commune_code, new.started_on)?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let membership = insert_membership!(tx, actor, team, person, new);
            tx.commit().await?;
            Ok(membership)
        })
    }

    /// Create a person and their membership of a team in one transaction,
    /// under the same rules as [`Store::create_person`] and
    /// [`Store::add_membership`]: a refusal writes nothing.
    pub async fn create_member(
        &self,
        actor: &Actor,
        team_id: i64,
        person: NewPerson,
        role: Role,
        affiliation: Affiliation,
        started_on: NaiveDate,
    ) -> Result<(Person, Membership)> {
        let team = self.team(team_id).await?;
        check_membership(&team, person.commune_code, started_on)?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let person = insert_person!(tx, actor, person);
            let new = NewMembership { team_id, person_id: person.id, role, affiliation, started_on };
            let membership = insert_membership!(tx, actor, team, person, new);
            tx.commit().await?;
            Ok((person, membership))
        })
    }

    /// End a membership from `on` (the first day the person is no longer a member).
    pub async fn end_membership(
        &self,
        actor: &Actor,
        id: i64,
        on: NaiveDate,
    ) -> Result<Membership> {
        let before = self.membership(id).await?;
        let team = self.team(before.team_id).await?;
        not_in_future(on, crate::today(), "ended_on", "Ngày kết thúc")?;
        if before.ended_on.is_some() {
            return Err(StoreError::invalid(
                "ended_on",
                "Tư cách thành viên này đã kết thúc.",
            ));
        }
        if on < before.started_on {
            return Err(StoreError::invalid(
                "ended_on",
                format!(
                    "Ngày kết thúc không được trước ngày tham gia ({}).",
                    format_date(before.started_on)
                ),
            ));
        }
        if let Some(since) = before.role_since.filter(|since| on < *since) {
            return Err(StoreError::invalid(
                "ended_on",
                format!(
                    "Ngày kết thúc không được trước ngày chức danh hiện tại có hiệu lực ({}).",
                    format_date(since)
                ),
            ));
        }
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let after = write_membership_end!(tx, actor, team.commune_code, &before, on, Utc::now());
            tx.commit().await?;
            Ok(after)
        })
    }

    /// The team's members; with `active_on`, only those who are members
    /// that day, with the role and affiliation they held that day.
    pub async fn team_members(
        &self,
        team_id: i64,
        active_on: Option<NaiveDate>,
    ) -> Result<Vec<MemberView>> {
        // Without a day, the current values (a day after every change).
        let (role, affiliation) = match active_on {
            Some(_) => (role_on("$2"), affiliation_on("$2")),
            None => ("m.role".to_string(), "m.affiliation".to_string()),
        };
        let sql = format!(
            "SELECT m.id, m.team_id, m.person_id, {role} AS role, {affiliation} AS affiliation, \
             m.started_on, m.ended_on, m.role_since, p.full_name, p.gender, p.birth_year, p.phone \
             FROM memberships m JOIN people p ON p.id = m.person_id \
             WHERE m.team_id = $1 AND ($2 IS NULL OR (m.started_on <= $2 AND (m.ended_on IS NULL OR m.ended_on > $2))) \
             ORDER BY CASE {role} WHEN 'to_truong' THEN 0 WHEN 'to_pho' THEN 1 ELSE 2 END, p.name_fold, m.started_on"
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, MemberView>(&sql)
                .bind(team_id)
                .bind(active_on)
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn update_person(&self, actor: &Actor, id: i64, upd: PersonUpdate) -> Result<Person> {
        let before = self.person(id).await?;
        let after = person_after(&before, id, upd)?;
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            write_person_update!(tx, actor, &before, &after);
            tx.commit().await?;
            Ok(after)
        })
    }

    /// A member's form: the person's details and the membership's role and
    /// affiliation (from `from`, see [`Store::update_membership`]) in one
    /// transaction, so a refusal of either writes neither.
    pub async fn update_member(
        &self,
        actor: &Actor,
        membership_id: i64,
        upd: PersonUpdate,
        role: Role,
        affiliation: Affiliation,
        from: NaiveDate,
    ) -> Result<(Person, Membership)> {
        let m_before = self.membership(membership_id).await?;
        let p_before = self.person(m_before.person_id).await?;
        let p_after = person_after(&p_before, p_before.id, upd)?;
        let changed = m_before.role != role || m_before.affiliation != affiliation;
        if changed {
            check_term_change(&m_before, from)?;
        }
        let m_after = if changed {
            after_term_change(&m_before, role, affiliation, from)
        } else {
            m_before.clone()
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            write_person_update!(tx, actor, &p_before, &p_after);
            if changed {
                write_term_change!(tx, &m_before, &m_after, Utc::now());
                audit!(tx, actor, Some(p_after.commune_code), "membership", membership_id, "update", Some(&m_before), Some(&m_after));
            }
            tx.commit().await?;
            Ok((p_after, m_after))
        })
    }

    /// Change the role and affiliation of a membership from `from` (the
    /// first day the new values hold). Figures as of an earlier day keep
    /// the earlier values. A change on the day the current values took
    /// effect corrects them; a change before that day is refused (see
    /// [`check_term_change`]). Nothing changed: nothing written.
    pub async fn update_membership(
        &self,
        actor: &Actor,
        id: i64,
        role: Role,
        affiliation: Affiliation,
        from: NaiveDate,
    ) -> Result<Membership> {
        let before = self.membership(id).await?;
        if before.role == role && before.affiliation == affiliation {
            return Ok(before);
        }
        check_term_change(&before, from)?;
        let team = self.team(before.team_id).await?;
        let after = after_term_change(&before, role, affiliation, from);
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            write_term_change!(tx, &before, &after, Utc::now());
            audit!(tx, actor, Some(team.commune_code), "membership", id, "update", Some(&before), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }

    /// The roles and affiliations a membership has held, oldest first; the
    /// last is the current one (no `until_on`).
    pub async fn membership_terms(&self, membership: &Membership) -> Result<Vec<MembershipTerm>> {
        let mut terms: Vec<MembershipTerm> = on_read!(self, pool => {
            sqlx::query_as::<_, MembershipTerm>(
                "SELECT role, affiliation, from_on, until_on FROM membership_terms \
                 WHERE membership_id = $1 ORDER BY from_on",
            )
            .bind(membership.id)
            .fetch_all(pool)
            .await?
        });
        terms.push(MembershipTerm {
            role: membership.role,
            affiliation: membership.affiliation,
            from_on: membership.term_start(),
            until_on: None,
        });
        Ok(terms)
    }

    /// Every membership of a person, in any team, latest first.
    pub async fn person_memberships(&self, person_id: i64) -> Result<Vec<PersonMembership>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, PersonMembership>(
                "SELECT m.id, m.team_id, m.person_id, m.role, m.affiliation, m.started_on, m.ended_on, \
                 m.role_since, t.name AS team_name, t.commune_code AS team_commune \
                 FROM memberships m JOIN teams t ON t.id = m.team_id WHERE m.person_id = $1 \
                 ORDER BY m.started_on DESC, m.id DESC",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Move a member to another team of the same commune from `on`: the old
    /// membership ends that day and a new one (same role and affiliation)
    /// starts, and the member's own accounts in the old team move with them
    /// (`accounts_follow_member!`), in one transaction.
    pub async fn move_membership(
        &self,
        actor: &Actor,
        id: i64,
        to_team: i64,
        on: NaiveDate,
    ) -> Result<Membership> {
        let before = self.membership(id).await?;
        let from = self.team(before.team_id).await?;
        let to = self.team(to_team).await?;
        let person = self.person(before.person_id).await?;
        not_in_future(on, crate::today(), "moved_on", "Ngày chuyển")?;
        if to.commune_code != from.commune_code {
            return Err(StoreError::invalid(
                "team_id",
                "Tổ chuyển đến không thuộc xã này.",
            ));
        }
        if to.id == from.id {
            return Err(StoreError::invalid(
                "team_id",
                "Chọn một tổ khác với tổ hiện tại.",
            ));
        }
        if before.ended_on.is_some() {
            return Err(StoreError::invalid(
                "moved_on",
                "Tư cách thành viên này đã kết thúc.",
            ));
        }
        if on <= before.started_on {
            return Err(StoreError::invalid(
                "moved_on",
                format!(
                    "Ngày chuyển phải sau ngày tham gia ({}).",
                    format_date(before.started_on)
                ),
            ));
        }
        if let Some(since) = before.role_since.filter(|since| on < *since) {
            return Err(StoreError::invalid(
                "moved_on",
                format!(
                    "Ngày chuyển không được trước ngày chức danh hiện tại có hiệu lực ({}).",
                    format_date(since)
                ),
            ));
        }
        if !to.is_active_on(on) {
            return Err(StoreError::invalid(
                "moved_on",
                format!(
                    "Tổ «{}» không hoạt động vào ngày {}.",
                    to.name,
                    format_date(on)
                ),
            ));
        }
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let overlap: Option<NaiveDate> = sqlx::query_scalar(OVERLAP)
                .bind(to.id)
                .bind(person.id)
                .bind(on)
                .fetch_optional(&mut *tx)
                .await?;
            if overlap.is_some() {
                return Err(StoreError::invalid(
                    "team_id",
                    format!("{} đã là thành viên của tổ «{}».", person.full_name, to.name),
                ));
            }
            write_membership_end!(tx, actor, from.commune_code, &before, on, now);
            let new_id: i64 = sqlx::query_scalar(INSERT_MEMBERSHIP)
            .bind(to.id)
            .bind(person.id)
            .bind(before.role.code())
            .bind(before.affiliation.code())
            .bind(on)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let moved = Membership {
                id: new_id,
                team_id: to.id,
                started_on: on,
                ended_on: None,
                role_since: None,
                ..before.clone()
            };
            audit!(tx, actor, Some(to.commune_code), "membership", new_id, "create", None::<&Membership>, Some(&moved));
            crate::accounts::accounts_follow_member!(tx, actor, person.id, from.id, to.id, now);
            tx.commit().await?;
            Ok(moved)
        })
    }
}
