//! The small helpers every store test wrote for itself, written once: a
//! date from its parts, an account by its login (and its member's membership),
//! the writer recorded in the audit, the number an indicator comes to, and the field (and message) a
//! refusal names. Each
//! panics at the caller's line (`#[track_caller]`) when its input is wrong.

use chrono::NaiveDate;
use toso_domain::{IndicatorCode, IndicatorValue, Node};
use toso_store::{Actor, Membership, Store, StoreError, User};

/// The demo's commune, Đặc khu Cát Hải (Hải Phòng): the builders' default.
pub const DEMO_COMMUNE: i32 = toso_demo::COMMUNE_CODE;

/// The date `day/m/y`; panics at the caller on a day that does not exist.
#[track_caller]
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_else(|| panic!("no such date {day}/{m}/{y}"))
}

/// The account that signs in as `login` (a user name or phone); panics
/// naming the login when there is none.
pub async fn account(store: &Store, login: &str) -> toso_store::User {
    match store.user_by_login(login).await {
        Ok(Some(user)) => user,
        Ok(None) => panic!("no account signs in as «{login}»"),
        Err(e) => panic!("reading the account «{login}»: {e}"),
    }
}

/// The membership in its team of the member a team account acts for;
/// panics naming the login when the account acts for nobody or its member
/// is not (or no longer) in that team.
pub async fn membership_of(store: &Store, account: &User) -> Membership {
    let login = &account.username;
    let (Some(team), Some(person)) = (account.team_id, account.person_id) else {
        panic!("the account «{login}» acts for no member of a team");
    };
    let members = match store.team_members(team, None).await {
        Ok(members) => members,
        Err(e) => panic!("reading the members of team {team}: {e}"),
    };
    members
        .into_iter()
        .find(|m| m.membership.person_id == person)
        .unwrap_or_else(|| panic!("the member «{login}» acts for is not in team {team}"))
        .membership
}

/// The text of every Rust source file below `dir` (a crate's `src`), for
/// the tests that check what the source declares (routes, audited kinds).
pub fn rust_sources(dir: &std::path::Path) -> Vec<String> {
    let mut sources = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                sources.push(text);
            }
        }
    }
    sources
}

/// The writer the tests record in the audit: the system user "test".
pub fn actor() -> Actor {
    Actor::system("test")
}

/// The number an indicator value comes to: a count, the numerator of a
/// ratio, the sum of a breakdown, the minutes of a duration (0 for none).
pub fn count(value: &IndicatorValue) -> i64 {
    match value {
        IndicatorValue::Count { value } => *value,
        IndicatorValue::Ratio { numerator, .. } => *numerator,
        IndicatorValue::Breakdown { items } => items.iter().map(|i| i.value).sum(),
        IndicatorValue::Duration { minutes } => minutes.unwrap_or(0),
    }
}

/// [`count`] of the indicator `code` of `node` as of `on`.
#[track_caller]
pub fn indicator_count(
    store: &Store,
    code: IndicatorCode,
    node: Node,
    on: NaiveDate,
) -> impl std::future::Future<Output = i64> + '_ {
    let caller = std::panic::Location::caller();
    async move {
        let value = store
            .indicator(code, node, on)
            .await
            .unwrap_or_else(|e| panic!("{caller}: indicator {code:?} of {node:?}: {e:?}"));
        count(&value)
    }
}

/// The field and message of a refusal; panics at the caller on any other
/// error.
#[track_caller]
pub fn refusal(err: StoreError) -> (&'static str, String) {
    match err {
        StoreError::Invalid(e) => (e.field, e.message),
        other => panic!("expected a refusal naming a field, got {other:?}"),
    }
}

/// The field a refusal names; panics at the caller on any other error.
#[track_caller]
pub fn refused_field(err: StoreError) -> &'static str {
    refusal(err).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_counts() {
        assert_eq!(d(2025, 11, 30).to_string(), "2025-11-30");
        assert_eq!(count(&IndicatorValue::Count { value: 7 }), 7);
        assert_eq!(
            count(&IndicatorValue::Ratio {
                numerator: 3,
                denominator: 4
            }),
            3
        );
    }

    #[test]
    fn a_wrong_date_is_named() {
        let err = std::panic::catch_unwind(|| d(2025, 2, 30)).unwrap_err();
        let message = err.downcast_ref::<String>().unwrap();
        assert_eq!(message, "no such date 30/2/2025");
    }

    #[test]
    fn a_refusal_names_its_field() {
        let err = StoreError::Invalid(toso_domain::DomainError::new(
            "name",
            "Tên không được để trống.",
        ));
        assert_eq!(
            refusal(err),
            ("name", "Tên không được để trống.".to_string())
        );
        let err = StoreError::Invalid(toso_domain::DomainError::new(
            "phone",
            "Số điện thoại không hợp lệ.",
        ));
        assert_eq!(refused_field(err), "phone");
    }
}
