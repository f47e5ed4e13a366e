//! Search across a commune's people, villages and documents that ignores
//! diacritics and case on both databases: each record keeps a folded copy of
//! its text (`toso_domain::fold`, which also folds đ → d, unlike SQLite's
//! FTS5), and the folded words of the query must all appear in it.

use serde::Serialize;
use toso_domain::fold;

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

/// `LIKE` patterns for the folded words, with `%`, `_` and `\` escaped.
fn patterns(query: &str) -> Vec<String> {
    fold(query)
        .split_whitespace()
        .take(MAX_WORDS)
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
    fn one_condition_per_word() {
        assert_eq!(
            like_all("c", 2),
            "c LIKE $2 ESCAPE '\\' AND c LIKE $3 ESCAPE '\\'"
        );
    }
}
