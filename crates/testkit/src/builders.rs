//! Test-data builders: a village, team, person, membership, user or
//! activity in one line, with defaults for everything a test does not care
//! about, written through the store's real API (validation, derived columns
//! and audit rows included — never raw SQL).
//!
//! The style is crates.io's test builders: `XBuilder::new()`, chained
//! setters, then `build(&store)` for a `Result` (to assert a refusal) or
//! `expect_build(&store)`, which panics naming the test's own line
//! (`#[track_caller]`) when the store refuses.
//!
//! Defaults: the demo commune ([`DEMO_COMMUNE`]), a fresh name unique in
//! the process, dates in October 2025 (before the demo's reporting date and
//! before today), the writer [`actor`]. A record that needs another one (a
//! team its village, a membership its team and person, an activity its
//! team) gets a fresh one unless given.
//!
//! ```ignore
//! let team = TeamBuilder::new().name("Tổ CNSCĐ Thôn 1").expect_build(store).await;
//! let m = MembershipBuilder::new().team(team.id).role(Role::ToTruong).expect_build(store).await;
//! ```

use std::future::Future;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use toso_domain::{
    Affiliation, BirthYear, Gender, Name, Password, PersonName, PhoneNumber, Rates, Role,
    SupportCategory, TeamKind, UserRole, Username, VillageKind, ZaloGroupLink,
};
use toso_store::{
    Activity, Actor, AllowancePolicy, DutyDay, Membership, NewActivity, NewDutyDay, NewMembership,
    NewPerson, NewPolicy, NewTeam, NewUser, NewVillage, Person, PolicyOwner, Result, Store, Team,
    User, Village,
};

use crate::helpers::{actor, d, DEMO_COMMUNE};

/// The password of every user a [`UserBuilder`] creates, unless set.
pub const TEST_PASSWORD: &str = "mat-khau-thu-1";

/// The day a built village becomes active, unless set.
pub fn default_active_from() -> NaiveDate {
    d(2025, 10, 1)
}

/// The day a built team is established, unless set.
pub fn default_established_on() -> NaiveDate {
    d(2025, 10, 31)
}

static FRESH: AtomicU32 = AtomicU32::new(1);

/// A number not handed out before in this process.
fn fresh() -> u32 {
    FRESH.fetch_add(1, Ordering::Relaxed)
}

/// `n` in letters (1 → "A", 27 → "AA"): person names take no digits.
fn letters(mut n: u32) -> String {
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    out.iter().rev().collect()
}

/// A chained setter: `set!(name(arg: T) => field = value)` is
/// `pub fn name(self, arg: T) -> Self` returning the builder with `field`
/// set to `value` (doc comments go inside, before the name).
macro_rules! set {
    ($(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $($field:ident = $value:expr),+) => {
        $(#[$doc])*
        pub fn $name(self, $arg: $ty) -> Self {
            Self { $($field: $value,)+ ..self }
        }
    };
}

/// What every builder has besides its setters: `Default` (its `new()`),
/// `by(actor)` (the writer in the audit, by default [`actor`]) and
/// `expect_build`, which awaits `build` and panics at the caller's line
/// with the store's refusal.
macro_rules! builds {
    ($builder:ident => $record:ident, $what:literal) => {
        impl Default for $builder {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $builder {
            set!(
                /// The writer recorded in the audit.
                by(actor: Actor) => actor = actor
            );

            #[doc = concat!("[`", stringify!($builder), "::build`], panicking at the caller's line when refused.")]
            #[track_caller]
            pub fn expect_build(self, store: &Store) -> impl Future<Output = $record> + '_ {
                expect($what, self.build(store))
            }
        }
    };
}

/// Await `build`, panicking at the caller of the `expect_build` that called
/// this (both are `#[track_caller]`) with the store's refusal.
#[track_caller]
fn expect<'a, T>(
    what: &'static str,
    build: impl Future<Output = Result<T>> + 'a,
) -> impl Future<Output = T> + 'a {
    let caller = Location::caller();
    async move {
        build
            .await
            .unwrap_or_else(|e| panic!("{caller}: could not build the {what}: {e:?}"))
    }
}

/// A village ("thôn"); defaults: the demo commune, a fresh "Thôn Thử N",
/// active from [`default_active_from`].
pub struct VillageBuilder {
    commune_code: i32,
    kind: VillageKind,
    name: Option<String>,
    active_from: NaiveDate,
    actor: Actor,
}

builds!(VillageBuilder => Village, "village");

impl VillageBuilder {
    pub fn new() -> Self {
        VillageBuilder {
            commune_code: DEMO_COMMUNE,
            kind: VillageKind::Thon,
            name: None,
            active_from: default_active_from(),
            actor: actor(),
        }
    }

    set!(commune(commune_code: i32) => commune_code = commune_code);
    set!(kind(kind: VillageKind) => kind = kind);
    set!(name(name: &str) => name = Some(name.to_string()));
    set!(active_from(active_from: NaiveDate) => active_from = active_from);

    /// Create the village; the store's refusal, if any, as an error.
    pub async fn build(self, store: &Store) -> Result<Village> {
        let name = self.name.unwrap_or_else(|| format!("Thôn Thử {}", fresh()));
        let new = NewVillage {
            commune_code: self.commune_code,
            kind: self.kind,
            name: Name::village(&name)?,
            active_from: self.active_from,
        };
        store.create_village(&self.actor, new).await
    }
}

/// A team; defaults: a village team of a fresh village of the demo commune
/// (active from the team's day), a fresh "Tổ CNSCĐ thử N", established on
/// [`default_established_on`], no decision, no Zalo group.
pub struct TeamBuilder {
    commune_code: Option<i32>,
    kind: TeamKind,
    village_id: Option<i64>,
    name: Option<String>,
    established_on: NaiveDate,
    decision_id: Option<i64>,
    zalo_link: Option<String>,
    actor: Actor,
}

builds!(TeamBuilder => Team, "team");

impl TeamBuilder {
    pub fn new() -> Self {
        TeamBuilder {
            commune_code: None,
            kind: TeamKind::Village,
            village_id: None,
            name: None,
            established_on: default_established_on(),
            decision_id: None,
            zalo_link: None,
            actor: actor(),
        }
    }

    set!(
        /// The commune (by default the village's, else the demo commune).
        commune(commune_code: i32) => commune_code = Some(commune_code)
    );
    set!(
        /// The team of this village.
        village(village_id: i64) => kind = TeamKind::Village, village_id = Some(village_id)
    );

    /// The commune's quick-response team (no village).
    pub fn quick_response(self) -> Self {
        Self {
            kind: TeamKind::QuickResponse,
            village_id: None,
            ..self
        }
    }

    set!(name(name: &str) => name = Some(name.to_string()));
    set!(established_on(established_on: NaiveDate) => established_on = established_on);
    set!(decision(decision_id: i64) => decision_id = Some(decision_id));
    set!(zalo(link: &str) => zalo_link = Some(link.to_string()));

    /// Create the team (and its village when none was given).
    pub async fn build(self, store: &Store) -> Result<Team> {
        let (commune_code, village_id) = match (self.kind, self.village_id) {
            (TeamKind::Village, Some(id)) => {
                let commune = match self.commune_code {
                    Some(c) => c,
                    None => store.village(id).await?.commune_code,
                };
                (commune, Some(id))
            }
            (TeamKind::Village, None) => {
                let commune = self.commune_code.unwrap_or(DEMO_COMMUNE);
                let village = VillageBuilder::new()
                    .commune(commune)
                    .active_from(self.established_on)
                    .by(self.actor.clone())
                    .build(store)
                    .await?;
                (commune, Some(village.id))
            }
            (_, village_id) => (self.commune_code.unwrap_or(DEMO_COMMUNE), village_id),
        };
        let name = self
            .name
            .unwrap_or_else(|| format!("Tổ CNSCĐ thử {}", fresh()));
        let new = NewTeam {
            commune_code,
            kind: self.kind,
            village_id,
            name: Name::team(&name)?,
            established_on: self.established_on,
            decision_id: self.decision_id,
            zalo_link: self
                .zalo_link
                .as_deref()
                .map(ZaloGroupLink::parse)
                .transpose()?,
        };
        store.create_team(&self.actor, new).await
    }
}

/// The team `team_id`, or a fresh one (see [`TeamBuilder`]) when none.
async fn team_or_fresh(store: &Store, team_id: Option<i64>, actor: &Actor) -> Result<Team> {
    match team_id {
        Some(id) => store.team(id).await,
        None => TeamBuilder::new().by(actor.clone()).build(store).await,
    }
}

/// A person; defaults: the demo commune, a fresh "Nguyễn Thị Thử X" (names
/// take no digits), no gender, birth year or phone.
pub struct PersonBuilder {
    commune_code: i32,
    full_name: Option<String>,
    gender: Option<Gender>,
    birth_year: Option<i32>,
    phone: Option<String>,
    actor: Actor,
}

builds!(PersonBuilder => Person, "person");

impl PersonBuilder {
    pub fn new() -> Self {
        PersonBuilder {
            commune_code: DEMO_COMMUNE,
            full_name: None,
            gender: None,
            birth_year: None,
            phone: None,
            actor: actor(),
        }
    }

    set!(commune(commune_code: i32) => commune_code = commune_code);
    set!(name(full_name: &str) => full_name = Some(full_name.to_string()));
    set!(gender(gender: Gender) => gender = Some(gender));
    set!(birth_year(year: i32) => birth_year = Some(year));
    set!(phone(phone: &str) => phone = Some(phone.to_string()));

    /// The person's record as the store takes it (validated here).
    fn new_person(self) -> Result<(NewPerson, Actor)> {
        let name = self
            .full_name
            .unwrap_or_else(|| format!("Nguyễn Thị Thử {}", letters(fresh())));
        let birth_year = self
            .birth_year
            .map(|y| BirthYear::new(y, toso_store::today()))
            .transpose()?;
        let new = NewPerson {
            commune_code: self.commune_code,
            full_name: PersonName::parse(&name)?,
            gender: self.gender,
            birth_year,
            phone: self.phone.as_deref().map(PhoneNumber::parse).transpose()?,
        };
        Ok((new, self.actor))
    }

    /// Create the person.
    pub async fn build(self, store: &Store) -> Result<Person> {
        let (new, actor) = self.new_person()?;
        store.create_person(&actor, new).await
    }
}

/// A membership; defaults: a fresh team (see [`TeamBuilder`]), a fresh
/// person of the team's commune, a plain member ("thành viên") of the
/// Women's Union, from the day the team was established.
pub struct MembershipBuilder {
    team_id: Option<i64>,
    person_id: Option<i64>,
    role: Role,
    affiliation: Affiliation,
    started_on: Option<NaiveDate>,
    actor: Actor,
}

builds!(MembershipBuilder => Membership, "membership");

impl MembershipBuilder {
    pub fn new() -> Self {
        MembershipBuilder {
            team_id: None,
            person_id: None,
            role: Role::ThanhVien,
            affiliation: Affiliation::HoiPn,
            started_on: None,
            actor: actor(),
        }
    }

    set!(team(team_id: i64) => team_id = Some(team_id));
    set!(person(person_id: i64) => person_id = Some(person_id));
    set!(role(role: Role) => role = role);
    set!(affiliation(affiliation: Affiliation) => affiliation = affiliation);
    set!(started_on(started_on: NaiveDate) => started_on = Some(started_on));

    /// The membership as the store takes it, creating the team and person
    /// that were not given.
    pub async fn new_membership(&self, store: &Store) -> Result<NewMembership> {
        let team = team_or_fresh(store, self.team_id, &self.actor).await?;
        let person_id = match self.person_id {
            Some(id) => id,
            None => {
                PersonBuilder::new()
                    .commune(team.commune_code)
                    .by(self.actor.clone())
                    .build(store)
                    .await?
                    .id
            }
        };
        Ok(NewMembership {
            team_id: team.id,
            person_id,
            role: self.role,
            affiliation: self.affiliation,
            started_on: self.started_on.unwrap_or(team.established_on),
        })
    }

    /// Add the membership (with its team and person when not given).
    pub async fn build(self, store: &Store) -> Result<Membership> {
        let new = self.new_membership(store).await?;
        store.add_membership(&self.actor, new).await
    }
}

/// A user account; defaults: a commune officer of the demo commune, a fresh
/// user name "thu-N", the full name "Người dùng thử", no phone, the
/// password [`TEST_PASSWORD`]. A province officer defaults to the demo's
/// province; team roles need [`UserBuilder::team`].
pub struct UserBuilder {
    username: Option<String>,
    full_name: String,
    phone: Option<String>,
    password: String,
    role: UserRole,
    province_code: Option<i32>,
    commune_code: Option<i32>,
    team_id: Option<i64>,
    person_id: Option<i64>,
    actor: Actor,
}

builds!(UserBuilder => User, "user");

impl UserBuilder {
    pub fn new() -> Self {
        UserBuilder {
            username: None,
            full_name: "Người dùng thử".to_string(),
            phone: None,
            password: TEST_PASSWORD.to_string(),
            role: UserRole::CommuneOfficer,
            province_code: None,
            commune_code: None,
            team_id: None,
            person_id: None,
            actor: Actor::system("admin"),
        }
    }

    set!(username(username: &str) => username = Some(username.to_string()));
    set!(full_name(full_name: &str) => full_name = full_name.to_string());
    set!(phone(phone: &str) => phone = Some(phone.to_string()));
    set!(password(password: &str) => password = password.to_string());
    set!(role(role: UserRole) => role = role);
    set!(province(province_code: i32) => province_code = Some(province_code));
    set!(commune(commune_code: i32) => commune_code = Some(commune_code));
    set!(team(team_id: i64) => team_id = Some(team_id));
    set!(person(person_id: i64) => person_id = Some(person_id));

    /// Create the account.
    pub async fn build(self, store: &Store) -> Result<User> {
        let username = self.username.unwrap_or_else(|| format!("thu-{}", fresh()));
        let (province_code, commune_code) = match self.role {
            UserRole::ProvinceOfficer => (
                self.province_code.or(Some(toso_demo::PROVINCE_CODE)),
                self.commune_code,
            ),
            UserRole::CommuneOfficer => {
                (self.province_code, self.commune_code.or(Some(DEMO_COMMUNE)))
            }
            _ => (self.province_code, self.commune_code),
        };
        let new = NewUser {
            username: Username::parse(&username)?,
            full_name: Name::parse_field(&self.full_name, "full_name", "Họ và tên", 80)?,
            phone: self.phone.as_deref().map(PhoneNumber::parse).transpose()?,
            password: Password::parse(&self.password)?,
            role: self.role,
            province_code,
            commune_code,
            team_id: self.team_id,
            person_id: self.person_id,
        };
        store.create_user(&self.actor, new).await
    }
}

/// A support activity; defaults: a fresh team (see [`TeamBuilder`]), on the
/// day the team was established, online public services ("DVC trực
/// tuyến"), one citizen helped, no dossier, no note, no co-members.
pub struct ActivityBuilder {
    team_id: Option<i64>,
    activity_date: Option<NaiveDate>,
    category: SupportCategory,
    citizens_helped: i32,
    dossiers: i32,
    note: Option<String>,
    co_members: Vec<i64>,
    actor: Actor,
}

builds!(ActivityBuilder => Activity, "activity");

impl ActivityBuilder {
    pub fn new() -> Self {
        ActivityBuilder {
            team_id: None,
            activity_date: None,
            category: SupportCategory::DvcTrucTuyen,
            citizens_helped: 1,
            dossiers: 0,
            note: None,
            co_members: Vec::new(),
            actor: actor(),
        }
    }

    set!(team(team_id: i64) => team_id = Some(team_id));
    set!(on(activity_date: NaiveDate) => activity_date = Some(activity_date));
    set!(category(category: SupportCategory) => category = category);
    set!(citizens_helped(citizens_helped: i32) => citizens_helped = citizens_helped);
    set!(dossiers(dossiers: i32) => dossiers = dossiers);
    set!(note(note: &str) => note = Some(note.to_string()));

    pub fn co_member(mut self, person_id: i64) -> Self {
        self.co_members.push(person_id);
        self
    }

    /// Log the activity (creating its team when none was given).
    pub async fn build(self, store: &Store) -> Result<Activity> {
        let team = team_or_fresh(store, self.team_id, &self.actor).await?;
        let new = NewActivity {
            team_id: team.id,
            activity_date: self.activity_date.unwrap_or(team.established_on),
            category: self.category,
            citizens_helped: self.citizens_helped,
            dossiers: self.dossiers,
            note: self.note,
            co_members: self.co_members,
        };
        store.create_activity(&self.actor, new).await
    }
}

/// A duty day; defaults: a fresh team, with one fresh member on duty, on
/// the team's founding day, at "Bộ phận một cửa".
pub struct DutyDayBuilder {
    team_id: Option<i64>,
    held_on: Option<NaiveDate>,
    place: String,
    members: Vec<i64>,
    actor: Actor,
}

builds!(DutyDayBuilder => DutyDay, "duty day");

impl DutyDayBuilder {
    pub fn new() -> Self {
        DutyDayBuilder {
            team_id: None,
            held_on: None,
            place: "Bộ phận một cửa".to_string(),
            members: Vec::new(),
            actor: actor(),
        }
    }

    set!(team(team_id: i64) => team_id = Some(team_id));
    set!(on(held_on: NaiveDate) => held_on = Some(held_on));
    set!(place(place: &str) => place = place.to_string());

    /// A member on duty (by person id); without any, a fresh member of the
    /// team is.
    pub fn member(mut self, person_id: i64) -> Self {
        self.members.push(person_id);
        self
    }

    /// Record the duty day (creating its team and member when not given).
    pub async fn build(self, store: &Store) -> Result<DutyDay> {
        let team = team_or_fresh(store, self.team_id, &self.actor).await?;
        let mut members = self.members;
        if members.is_empty() {
            let m = MembershipBuilder::new()
                .team(team.id)
                .by(self.actor.clone())
                .build(store)
                .await?;
            members.push(m.person_id);
        }
        store
            .create_duty_day(
                &self.actor,
                NewDutyDay {
                    team_id: team.id,
                    held_on: self.held_on.unwrap_or(team.established_on),
                    place: self.place,
                    note: None,
                    members,
                },
            )
            .await
    }
}

/// An allowance policy; defaults: for the demo commune's province (31), a
/// fresh "99N/2025/NQ-HĐND" of 01/07/2025 in force from that day with no
/// end, paying 50.000 đ a day of activity with no cap.
pub struct PolicyBuilder {
    owner: PolicyOwner,
    resolution: Option<String>,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    rates: Rates,
    actor: Actor,
}

builds!(PolicyBuilder => AllowancePolicy, "allowance policy");

impl PolicyBuilder {
    pub fn new() -> Self {
        PolicyBuilder {
            owner: PolicyOwner::Province(31),
            resolution: None,
            effective_from: d(2025, 7, 1),
            effective_until: None,
            rates: Rates {
                per_day: 50_000,
                ..Rates::default()
            },
            actor: actor(),
        }
    }

    set!(owner(owner: PolicyOwner) => owner = owner);
    set!(resolution(resolution: &str) => resolution = Some(resolution.to_string()));
    /// In force from `from` to `until` (inclusive; open-ended if `None`).
    pub fn period(self, from: NaiveDate, until: Option<NaiveDate>) -> Self {
        Self {
            effective_from: from,
            effective_until: until,
            ..self
        }
    }
    set!(rates(rates: Rates) => rates = rates);

    pub async fn build(self, store: &Store) -> Result<AllowancePolicy> {
        let new = NewPolicy {
            resolution: self
                .resolution
                .unwrap_or_else(|| format!("99{}/2025/NQ-HĐND", fresh())),
            resolution_on: self.effective_from.min(d(2025, 7, 1)),
            effective_from: self.effective_from,
            effective_until: self.effective_until,
            rates: self.rates,
            example: false,
            note: None,
        };
        store.save_policy(&self.actor, self.owner, None, new).await
    }
}

#[cfg(test)]
mod tests {
    use super::letters;

    #[test]
    fn letters_count_like_spreadsheet_columns() {
        assert_eq!(letters(1), "A");
        assert_eq!(letters(26), "Z");
        assert_eq!(letters(27), "AA");
        assert_eq!(letters(703), "AAA");
    }
}
