//! The province's search (`/provinces/{province}/search?q=…`): people,
//! teams, villages and documents of every commune of the province, for
//! those who read it (admin, its officer, the Ministry), ignoring
//! diacritics and case as the commune's search does. Each hit names its
//! commune and links to the record's page in that commune. A query of
//! fewer than 2 characters shows the form alone; one over 100 characters
//! is refused (422) with the form kept. Characters are counted in the
//! folded text that is searched for: diacritics and repeated spaces do
//! not count.

use askama::Template;
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use serde::Deserialize;
use toso_domain::{fold, format_date, TeamKind};
use toso_store::search::{Hits, ProvinceResults, MAX_HITS};

use super::{ProvinceCtx, ProvinceLayout};
use crate::params::Query;
use crate::respond::{refused, render};
use crate::AppState;
use crate::Reply;

pub fn router() -> Router<AppState> {
    Router::new().route("/provinces/{province}/search", get(search))
}

/// A shorter query shows the form without results.
pub const MIN_CHARS: usize = 2;
/// A longer query is refused.
pub const MAX_CHARS: usize = 100;

#[derive(Debug, Clone, Default, Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// One hit as shown: the record's link and text, a detail, its commune.
struct Line {
    href: String,
    text: String,
    detail: String,
    commune_href: String,
    commune: String,
}

/// The hits of one kind.
struct Section {
    key: &'static str,
    title: &'static str,
    lines: Vec<Line>,
    capped: bool,
}

#[derive(Template)]
#[template(path = "province_search.html")]
struct SearchPage {
    layout: ProvinceLayout,
    province_name: String,
    action: String,
    q: String,
    /// Why the query was refused.
    error: Option<String>,
    /// Why nothing was searched for (a 1-character query).
    hint: Option<String>,
    searched: bool,
    found: bool,
    sections: Vec<Section>,
    max_hits: i64,
}

impl Line {
    /// A hit at `path` in the commune `code` (named `commune`), its detail
    /// trimmed.
    fn new(code: i32, commune: String, path: String, text: String, detail: String) -> Line {
        Line {
            href: format!("/communes/{code}/{path}"),
            text,
            detail: detail.trim().to_string(),
            commune_href: format!("/communes/{code}"),
            commune,
        }
    }
}

/// One kind's hits as a section, each hit a line.
fn section<T>(
    key: &'static str,
    title: &'static str,
    hits: Hits<T>,
    line: impl Fn(T) -> Line,
) -> Section {
    Section {
        key,
        title,
        capped: hits.capped,
        lines: hits.items.into_iter().map(line).collect(),
    }
}

/// The results, one section per kind (empty kinds left out), each hit
/// linking to its page in its commune.
fn sections(results: ProvinceResults) -> Vec<Section> {
    let people = section("people", "Người", results.people, |p| {
        let mut detail = p.birth_year.map(|y| format!("({y})")).unwrap_or_default();
        if let Some(team) = p.team_name {
            detail.push_str(&format!(" — {team}"));
        }
        let path = format!("people/{}", p.id);
        Line::new(p.commune_code, p.commune_name, path, p.full_name, detail)
    });
    let teams = section("teams", "Tổ", results.teams, |t| {
        let mut detail = match (t.kind, &t.village_name) {
            (TeamKind::QuickResponse, _) => t.kind.label().to_string(),
            (_, Some(v)) => v.clone(),
            (_, None) => String::new(),
        };
        if let Some(d) = t.dissolved_on {
            detail.push_str(&format!(" (giải thể từ {})", format_date(d)));
        }
        let path = format!("teams/{}", t.id);
        Line::new(t.commune_code, t.commune_name, path, t.name, detail)
    });
    let villages = section(
        "villages",
        "Thôn, tổ dân phố",
        results.villages,
        |v| {
            let detail = v
                .active_until
                .map(|d| format!("(ngừng hoạt động từ {})", format_date(d)))
                .unwrap_or_default();
            let path = format!("villages/{}/dashboard", v.id);
            Line::new(v.commune_code, v.commune_name, path, v.name, detail)
        },
    );
    let documents = section("documents", "Văn bản", results.documents, |hit| {
        let d = hit.document;
        let query = serde_urlencoded::to_string([
            ("kind", d.kind.code().to_string()),
            ("year", d.issued_on.year().to_string()),
        ])
        .unwrap_or_default();
        let text = format!("{} số {}", d.kind.label(), d.doc_number);
        let detail = format!("ngày {} — {}", format_date(d.issued_on), d.subject);
        let path = format!("documents?{query}");
        Line::new(d.commune_code, hit.commune_name, path, text, detail)
    });
    [people, teams, villages, documents]
        .into_iter()
        .filter(|s| !s.lines.is_empty())
        .collect()
}

async fn search(state: AppState, ctx: ProvinceCtx, Query(query): Query<SearchQuery>) -> Reply {
    let q = query.q.unwrap_or_default();
    let chars = fold(&q).chars().count();
    let mut page = SearchPage {
        layout: ctx.layout("search"),
        province_name: ctx.province.name.clone(),
        action: format!("/provinces/{}/search", ctx.code()),
        q,
        error: None,
        hint: None,
        searched: false,
        found: false,
        sections: Vec::new(),
        max_hits: MAX_HITS,
    };
    if chars > MAX_CHARS {
        page.error = Some(format!(
            "Từ khóa dài quá {MAX_CHARS} ký tự ({chars} ký tự): hãy rút gọn rồi tìm lại."
        ));
        return refused(page);
    }
    if chars < MIN_CHARS {
        if chars > 0 {
            page.hint = Some(format!("Gõ ít nhất {MIN_CHARS} ký tự để tìm."));
        }
        return render(page);
    }
    let results = state.store.search_province(ctx.code(), &page.q).await?;
    page.searched = true;
    page.found = !results.is_empty();
    page.sections = sections(results);
    render(page)
}
