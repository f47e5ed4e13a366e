//! The commune's current records as the planner reads them: villages,
//! teams and documents, and — for a roster or a duty-day sheet — the
//! members of the village teams in a compact form indexed by their natural
//! keys, and for a duty-day sheet the teams' duty days. Filled by
//! [`super::load`] inside the writing transaction; pure data here, so the
//! planner can be tested without a database.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use toso_domain::{fold, Gender};
use toso_sheets::village_key;

use crate::{Document, Membership, Person, Team, Village};

/// A hasher for keys that are already 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub(super) struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(super) type HashedMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<PassThrough>>;

/// A 64-bit hash of a natural key (team and phone, or team, folded name and
/// birth year). Maps keyed by it are compact (no owned strings); every hit
/// is checked against the real key, so a collision never matches the wrong
/// record.
pub(super) fn key_hash(value: impl std::hash::Hash) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(value)
}

/// One existing person, compact: the name, its fold and the phone live in
/// [`Members::text`].
#[derive(Debug, Clone, Copy)]
pub(super) struct PersonLite {
    pub(super) id: i64,
    pub(super) commune_code: i32,
    pub(super) at: u32,
    pub(super) name_len: u32,
    pub(super) fold_len: u32,
    pub(super) phone_len: u32,
    pub(super) has_phone: bool,
    pub(super) gender: Option<Gender>,
    pub(super) birth_year: Option<i32>,
}

/// The members of the commune's village teams, compact enough for a
/// province-sized roster: people sorted by id with their strings in one
/// buffer, memberships sorted by (team, person, id), and the natural keys
/// as hashes pointing at the first membership of a (team, person) group.
#[derive(Default)]
pub(super) struct Members {
    pub(super) people: Vec<PersonLite>,
    pub(super) text: String,
    pub(super) memberships: Vec<Membership>,
    /// hash(team, phone) → index in `memberships` of the group of the
    /// person (the first by membership id) with that phone in that team.
    pub(super) by_phone: HashedMap<u32>,
    /// hash(team, folded name, birth year) → the same for name and year.
    pub(super) by_name_year: HashedMap<u32>,
    /// Keys whose hash another key already took (almost never).
    pub(super) overflow: Vec<(u64, u32)>,
}

impl Members {
    pub(super) fn phone_hash(team: i64, phone: &str) -> u64 {
        key_hash((team, 1u8, phone))
    }

    pub(super) fn name_hash(team: i64, name_fold: &str, year: Option<i32>) -> u64 {
        key_hash((team, 2u8, name_fold, year))
    }

    pub(super) fn person(&self, id: i64) -> Option<&PersonLite> {
        self.people
            .binary_search_by_key(&id, |p| p.id)
            .ok()
            .map(|i| &self.people[i])
    }

    pub(super) fn name(&self, p: &PersonLite) -> &str {
        &self.text[p.at as usize..(p.at + p.name_len) as usize]
    }

    pub(super) fn name_fold(&self, p: &PersonLite) -> &str {
        let at = (p.at + p.name_len) as usize;
        &self.text[at..at + p.fold_len as usize]
    }

    pub(super) fn phone(&self, p: &PersonLite) -> Option<&str> {
        let at = (p.at + p.name_len + p.fold_len) as usize;
        p.has_phone
            .then(|| &self.text[at..at + p.phone_len as usize])
    }

    pub(super) fn full(&self, p: &PersonLite) -> Person {
        Person {
            id: p.id,
            commune_code: p.commune_code,
            full_name: self.name(p).to_string(),
            gender: p.gender.map(|g| g.code().to_string()),
            birth_year: p.birth_year,
            phone: self.phone(p).map(str::to_string),
        }
    }

    /// The group of memberships starting at `at` (one team, one person, by id).
    pub(super) fn group(&self, at: u32) -> &[Membership] {
        let m = &self.memberships;
        let at = at as usize;
        let first = &m[at];
        let len = m[at..]
            .iter()
            .take_while(|x| x.team_id == first.team_id && x.person_id == first.person_id)
            .count();
        &m[at..at + len]
    }

    /// The real key of a group: (team, phone) or (team, folded name, year).
    pub(super) fn group_key(&self, at: u32, phone_key: bool) -> Option<(i64, &str, Option<i32>)> {
        let m = &self.memberships[at as usize];
        let p = self.person(m.person_id)?;
        if phone_key {
            Some((m.team_id, self.phone(p)?, None))
        } else {
            Some((m.team_id, self.name_fold(p), p.birth_year))
        }
    }

    /// The person of `team` with that phone, else with that folded name
    /// and birth year, and their memberships in the team.
    pub(super) fn find(
        &self,
        team: i64,
        phone: Option<&str>,
        name_fold: impl FnOnce() -> String,
        year: Option<i32>,
    ) -> Option<(i64, &[Membership])> {
        let lookup = |map: &HashedMap<u32>, h: u64, key: (i64, &str, Option<i32>), phone_key| {
            map.get(&h)
                .copied()
                .into_iter()
                .chain(
                    self.overflow
                        .iter()
                        .filter(|(k, _)| *k == h)
                        .map(|(_, g)| *g),
                )
                .find(|&g| self.group_key(g, phone_key) == Some(key))
        };
        let group = phone
            .and_then(|p| {
                lookup(
                    &self.by_phone,
                    Self::phone_hash(team, p),
                    (team, p, None),
                    true,
                )
            })
            .or_else(|| {
                let name_fold = name_fold();
                lookup(
                    &self.by_name_year,
                    Self::name_hash(team, &name_fold, year),
                    (team, &name_fold, year),
                    false,
                )
            })?;
        let g = self.group(group);
        Some((g[0].person_id, g))
    }

    /// Add people (in id order).
    pub(super) fn add_people(&mut self, people: impl Iterator<Item = Person>) {
        for p in people {
            let at = self.text.len() as u32;
            let name_fold = fold(&p.full_name);
            self.text.push_str(&p.full_name);
            self.text.push_str(&name_fold);
            if let Some(phone) = &p.phone {
                self.text.push_str(phone);
            }
            self.people.push(PersonLite {
                id: p.id,
                commune_code: p.commune_code,
                at,
                name_len: p.full_name.len() as u32,
                fold_len: name_fold.len() as u32,
                phone_len: p.phone.as_ref().map_or(0, |p| p.len() as u32),
                has_phone: p.phone.is_some(),
                gender: p.gender.as_deref().and_then(Gender::from_code),
                birth_year: p.birth_year,
            });
        }
    }

    /// Sort and index once the people and memberships are in. A key belongs to
    /// the person whose membership with it came first (by id), as when
    /// the records are read in id order.
    pub(super) fn finish(&mut self) {
        self.people.sort_by_key(|p| p.id);
        self.people.dedup_by_key(|p| p.id);
        self.people.shrink_to_fit();
        self.memberships
            .sort_unstable_by_key(|m| (m.team_id, m.person_id, m.id));
        self.memberships.shrink_to_fit();
        let mut by_phone = HashedMap::default();
        let mut by_name_year = HashedMap::default();
        by_phone.reserve(self.memberships.len());
        by_name_year.reserve(self.memberships.len());
        let mut overflow: Vec<(u64, u32)> = Vec::new();
        let mut at = 0usize;
        while at < self.memberships.len() {
            let g = at as u32;
            let len = self.group(g).len();
            let m = &self.memberships[at];
            let (team, first_id) = (m.team_id, m.id);
            if let Some(p) = self.person(m.person_id) {
                let mut keys = vec![(
                    Self::name_hash(team, self.name_fold(p), p.birth_year),
                    false,
                )];
                if let Some(phone) = self.phone(p) {
                    keys.push((Self::phone_hash(team, phone), true));
                }
                for (h, phone_key) in keys {
                    let map = if phone_key {
                        &mut by_phone
                    } else {
                        &mut by_name_year
                    };
                    let key = self.group_key(g, phone_key);
                    // The group already holding this very key, if any.
                    let holder = map
                        .get(&h)
                        .copied()
                        .into_iter()
                        .chain(overflow.iter().filter(|(k, _)| *k == h).map(|(_, o)| *o))
                        .find(|&o| self.group_key(o, phone_key) == key);
                    match holder {
                        Some(o) if self.memberships[o as usize].id < first_id => {}
                        Some(o) => {
                            if map.get(&h) == Some(&o) {
                                map.insert(h, g);
                            } else if let Some(e) =
                                overflow.iter_mut().find(|(k, v)| *k == h && *v == o)
                            {
                                e.1 = g;
                            }
                        }
                        None if map.contains_key(&h) => overflow.push((h, g)),
                        None => {
                            map.insert(h, g);
                        }
                    }
                }
            }
            at += len;
        }
        self.by_phone = by_phone;
        self.by_name_year = by_name_year;
        self.overflow = overflow;
    }
}

/// A duty day of one of the commune's village teams, as a duty-day import
/// compares its groups of rows with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ExistingDutyDay {
    pub(super) id: i64,
    pub(super) team_id: i64,
    pub(super) held_on: NaiveDate,
    pub(super) place: String,
    pub(super) note: Option<String>,
    /// The members on duty (person ids), ascending.
    pub(super) members: Vec<i64>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) villages: Vec<Village>,
    pub(super) village_by_key: HashMap<String, usize>,
    /// The village teams (for a duty-day sheet, the quick-response team
    /// too).
    pub(super) teams: Vec<Team>,
    /// Village id → indexes in `teams`.
    pub(super) teams_of_village: HashMap<i64, Vec<usize>>,
    /// The members of `teams` (roster and duty-day imports only).
    pub(super) members: Members,
    pub(super) documents: Vec<Document>,
    /// The teams' duty days (duty-day imports only).
    pub(super) duty_days: Vec<ExistingDutyDay>,
}

impl State {
    /// The commune's villages, village teams and documents, indexed (the
    /// members, for a roster, are added to [`State::members`]).
    pub(super) fn new(villages: Vec<Village>, teams: Vec<Team>, documents: Vec<Document>) -> State {
        let mut village_by_key = HashMap::new();
        for (i, v) in villages.iter().enumerate() {
            village_by_key.entry(village_key(&v.name)).or_insert(i);
        }
        let mut teams_of_village: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, t) in teams.iter().enumerate() {
            if let Some(v) = t.village_id {
                teams_of_village.entry(v).or_default().push(i);
            }
        }
        State {
            villages,
            village_by_key,
            teams,
            teams_of_village,
            members: Members::default(),
            documents,
            duty_days: Vec::new(),
        }
    }

    pub(super) fn open_team(&self, village_id: i64) -> Option<&Team> {
        self.teams_of_village
            .get(&village_id)?
            .iter()
            .map(|&i| &self.teams[i])
            .find(|t| t.dissolved_on.is_none())
    }

    pub(super) fn document(&self, number: &str, year: i32) -> Option<&Document> {
        self.documents
            .iter()
            .find(|d| d.doc_number == number && d.issued_on.year() == year)
    }

    /// The latest document with that number issued on or before `on`.
    pub(super) fn decision(&self, number: &str, on: NaiveDate) -> Option<&Document> {
        self.documents
            .iter()
            .filter(|d| d.doc_number == number)
            .min_by_key(|d| (d.issued_on > on, std::cmp::Reverse(d.issued_on)))
    }
}
