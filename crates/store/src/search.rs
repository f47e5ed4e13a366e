//! Search across a commune's people, villages and documents, and across a
//! province's people, teams, villages and documents (every commune of it),
//! that ignores diacritics and case on both databases: each record keeps a
//! folded copy of its text (`toso_domain::fold`, which also folds đ → d,
//! unlike SQLite's FTS5), and the folded words of the query must all appear
//! in it. Teams keep no folded column: a province's teams (a few thousand
//! at most) are folded here, with their village's name.

use chrono::NaiveDate;
use serde::Serialize;
use toso_domain::{fold, TeamKind, VillageKind};

use crate::{Document, Result, Store, Village};

/// A person found, with the team they currently belong to (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonHit {
    pub id: i64,
    pub full_name: String,
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub membership_id: Option<i64>,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SearchResults {
    pub people: Vec<PersonHit>,
    pub villages: Vec<Village>,
    pub documents: Vec<Document>,
}

impl SearchResults {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty() && self.villages.is_empty() && self.documents.is_empty()
    }
}

/// At most this many words of a query are used, and this many hits per kind returned.
const MAX_WORDS: usize = 6;
pub const MAX_HITS: i64 = 50;

/// A person found in a province's search, with their commune and the team
/// they currently belong to (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProvincePersonHit {
    pub id: i64,
    pub commune_code: i32,
    pub commune_name: String,
    pub full_name: String,
    pub birth_year: Option<i32>,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
}

/// A team found in a province's search, with its commune and village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TeamHit {
    pub id: i64,
    pub commune_code: i32,
    pub commune_name: String,
    #[sqlx(try_from = "String")]
    pub kind: TeamKind,
    pub name: String,
    pub village_name: Option<String>,
    pub dissolved_on: Option<NaiveDate>,
}

/// A village found in a province's search, with its commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct VillageHit {
    pub id: i64,
    pub commune_code: i32,
    pub commune_name: String,
    #[sqlx(try_from = "String")]
    pub kind: VillageKind,
    pub name: String,
    pub active_until: Option<NaiveDate>,
}

/// A directive document found in a province's search, with its commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DocumentHit {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub document: Document,
    pub commune_name: String,
}

reads_through!(DocumentHit => document: Document);

/// The hits of one kind: at most [`MAX_HITS`], and whether there were more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hits<T> {
    pub items: Vec<T>,
    /// More records matched than [`MAX_HITS`]: only the first are here.
    pub capped: bool,
}

impl<T> Default for Hits<T> {
    fn default() -> Self {
        Hits {
            items: Vec::new(),
            capped: false,
        }
    }
}

impl<T> Hits<T> {
    /// The first [`MAX_HITS`] of `rows` (fetched with one more, to know
    /// whether there were more).
    fn capped(mut rows: Vec<T>) -> Self {
        let capped = rows.len() > MAX_HITS as usize;
        rows.truncate(MAX_HITS as usize);
        Hits {
            items: rows,
            capped,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }
}

/// What a province's search found, every hit with its commune.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProvinceResults {
    pub people: Hits<ProvincePersonHit>,
    pub teams: Hits<TeamHit>,
    pub villages: Hits<VillageHit>,
    pub documents: Hits<DocumentHit>,
}

impl ProvinceResults {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
            && self.teams.is_empty()
            && self.villages.is_empty()
            && self.documents.is_empty()
    }
}

/// The folded words of a query (at most [`MAX_WORDS`]).
fn words(query: &str) -> Vec<String> {
    fold(query)
        .split_whitespace()
        .take(MAX_WORDS)
        .map(str::to_string)
        .collect()
}

/// `LIKE` patterns for the folded words, with `%`, `_` and `\` escaped.
fn patterns(query: &str) -> Vec<String> {
    words(query)
        .iter()
        .map(|w| {
            let escaped = w
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
        .collect()
}

/// `col LIKE $2 ESCAPE '\' AND col LIKE $3 …` for `n` words.
fn like_all(col: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{col} LIKE ${} ESCAPE '\\'", i + 2))
        .collect::<Vec<_>>()
        .join(" AND ")
}

impl Store {
    pub async fn search(&self, commune_code: i32, query: &str) -> Result<SearchResults> {
        let words = patterns(query);
        if words.is_empty() {
            return Ok(SearchResults::default());
        }
        let people_sql = format!(
            "SELECT p.id, p.full_name, p.phone, p.birth_year, m.id AS membership_id, t.id AS team_id, \
             t.name AS team_name FROM people p \
             LEFT JOIN memberships m ON m.id = (SELECT MAX(m2.id) FROM memberships m2 \
                 WHERE m2.person_id = p.id AND m2.ended_on IS NULL) \
             LEFT JOIN teams t ON t.id = m.team_id \
             WHERE p.commune_code = $1 AND {} ORDER BY p.name_fold, p.id LIMIT {MAX_HITS}",
            like_all("p.name_fold", words.len())
        );
        let villages_sql = format!(
            "SELECT id, commune_code, kind, name, active_from, active_until FROM villages \
             WHERE commune_code = $1 AND {} ORDER BY name_fold LIMIT {MAX_HITS}",
            like_all("name_fold", words.len())
        );
        let documents_sql = format!(
            "SELECT id, commune_code, kind, doc_number, issued_on, issuer, subject FROM documents \
             WHERE commune_code = $1 AND {} ORDER BY issued_on DESC LIMIT {MAX_HITS}",
            like_all("search_fold", words.len())
        );
        Ok(on_read!(self, pool => {
            let mut people = sqlx::query_as::<_, PersonHit>(&people_sql).bind(commune_code);
            let mut villages = sqlx::query_as::<_, Village>(&villages_sql).bind(commune_code);
            let mut documents = sqlx::query_as::<_, Document>(&documents_sql).bind(commune_code);
            for w in &words {
                people = people.bind(w);
                villages = villages.bind(w);
                documents = documents.bind(w);
            }
            SearchResults {
                people: people.fetch_all(pool).await?,
                villages: villages.fetch_all(pool).await?,
                documents: documents.fetch_all(pool).await?,
            }
        }))
    }
}

/// Whether every word appears in `folded`, as the `LIKE` of its pattern
/// would decide.
fn contains_all(folded: &str, words: &[String]) -> bool {
    words.iter().all(|w| folded.contains(w.as_str()))
}

impl Store {
    /// People, teams, villages and documents of every commune of the
    /// province `province_code` whose folded text holds every folded word
    /// of `query`; at most [`MAX_HITS`] of each kind (with whether there
    /// were more). An empty query finds nothing.
    pub async fn search_province(
        &self,
        province_code: i32,
        query: &str,
    ) -> Result<ProvinceResults> {
        let plain = words(query);
        if plain.is_empty() {
            return Ok(ProvinceResults::default());
        }
        let likes = patterns(query);
        let limit = MAX_HITS + 1;
        let people_sql = format!(
            "SELECT p.id, p.commune_code, c.name AS commune_name, p.full_name, p.birth_year, \
             t.id AS team_id, t.name AS team_name FROM people p \
             JOIN communes c ON c.code = p.commune_code \
             LEFT JOIN memberships m ON m.id = (SELECT MAX(m2.id) FROM memberships m2 \
                 WHERE m2.person_id = p.id AND m2.ended_on IS NULL) \
             LEFT JOIN teams t ON t.id = m.team_id \
             WHERE c.province_code = $1 AND {} ORDER BY p.name_fold, p.id LIMIT {limit}",
            like_all("p.name_fold", likes.len())
        );
        let villages_sql = format!(
            "SELECT v.id, v.commune_code, c.name AS commune_name, v.kind, v.name, v.active_until \
             FROM villages v JOIN communes c ON c.code = v.commune_code \
             WHERE c.province_code = $1 AND {} ORDER BY v.name_fold, v.id LIMIT {limit}",
            like_all("v.name_fold", likes.len())
        );
        let documents_sql = format!(
            "SELECT d.id, d.commune_code, c.name AS commune_name, d.kind, d.doc_number, d.issued_on, \
             d.issuer, d.subject FROM documents d JOIN communes c ON c.code = d.commune_code \
             WHERE c.province_code = $1 AND {} ORDER BY d.issued_on DESC, d.id DESC LIMIT {limit}",
            like_all("d.search_fold", likes.len())
        );
        // Every team of the province: folded here (teams keep no folded
        // column), with the village's name so that "thon 3" finds its team.
        let teams_sql = "SELECT t.id, t.commune_code, c.name AS commune_name, t.kind, t.name, \
             v.name AS village_name, t.dissolved_on FROM teams t \
             JOIN communes c ON c.code = t.commune_code \
             LEFT JOIN villages v ON v.id = t.village_id \
             WHERE c.province_code = $1";
        let (people, villages, documents, teams) = on_read!(self, pool => {
            let mut people = sqlx::query_as::<_, ProvincePersonHit>(&people_sql).bind(province_code);
            let mut villages = sqlx::query_as::<_, VillageHit>(&villages_sql).bind(province_code);
            let mut documents = sqlx::query_as::<_, DocumentHit>(&documents_sql).bind(province_code);
            for w in &likes {
                people = people.bind(w);
                villages = villages.bind(w);
                documents = documents.bind(w);
            }
            (
                people.fetch_all(pool).await?,
                villages.fetch_all(pool).await?,
                documents.fetch_all(pool).await?,
                sqlx::query_as::<_, TeamHit>(teams_sql)
                    .bind(province_code)
                    .fetch_all(pool)
                    .await?,
            )
        });
        let mut teams: Vec<(String, TeamHit)> = teams
            .into_iter()
            .filter_map(|t| {
                let name = fold(&t.name);
                let text = match &t.village_name {
                    Some(v) => format!("{name} {}", fold(v)),
                    None => name.clone(),
                };
                contains_all(&text, &plain).then_some((name, t))
            })
            .collect();
        teams.sort_by(|(a, x), (b, y)| a.cmp(b).then(x.id.cmp(&y.id)));
        Ok(ProvinceResults {
            people: Hits::capped(people),
            teams: Hits::capped(teams.into_iter().map(|(_, t)| t).collect()),
            villages: Hits::capped(villages),
            documents: Hits::capped(documents),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_fold_and_escape() {
        assert_eq!(
            patterns("  Nguyễn  VĂN Đức "),
            vec!["%nguyen%", "%van%", "%duc%"]
        );
        assert_eq!(patterns("100%_x"), vec!["%100\\%\\_x%"]);
        assert!(patterns("   ").is_empty());
        assert_eq!(patterns("a b c d e f g h").len(), MAX_WORDS);
    }

    #[test]
    fn team_names_match_as_like_would() {
        let plain = words("TỔ 1 cát");
        assert_eq!(plain, vec!["to", "1", "cat"]);
        assert!(contains_all("to cnscd to dan pho 1 cat hai", &plain));
        assert!(!contains_all("to cnscd to dan pho 2", &plain));
        let marks = words("100%_x");
        assert!(contains_all("muc 100%_x dat", &marks));
        assert!(
            !contains_all("muc 1000x", &marks),
            "% and _ are no wildcards"
        );
    }

    #[test]
    fn hits_are_capped_with_a_flag() {
        let few = Hits::capped(vec![1, 2, 3]);
        assert_eq!((few.len(), few.capped), (3, false));
        let many = Hits::capped((0..=MAX_HITS).collect::<Vec<_>>());
        assert_eq!(many.len(), MAX_HITS as usize);
        assert!(many.capped);
    }

    #[test]
    fn one_condition_per_word() {
        assert_eq!(
            like_all("c", 2),
            "c LIKE $2 ESCAPE '\\' AND c LIKE $3 ESCAPE '\\'"
        );
    }
}
