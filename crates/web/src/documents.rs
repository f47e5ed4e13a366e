//! The directive-document register: list with filters, create, edit,
//! delete (a document entered by mistake, while nothing refers to it); and
//! the search across people, villages and documents.

use askama::Template;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use toso_domain::{format_date, DocumentKind, DocumentNumber, Name};
use toso_store::{Document, DocumentFilter, DocumentUses, NewDocument, SearchResults};

use crate::forms::{choices, Choices, Form};
use crate::layout::{CommuneCtx, Layout, Manager, Officer, Params};
use crate::params::{Id, PageQuery, Query};
use crate::respond::{remove, render, submit};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/documents", get(list))
        .route("/communes/{code}/documents/new", get(new_form).post(create))
        .route(
            "/communes/{code}/documents/{id}/edit",
            get(edit_form).post(update),
        )
        .route("/communes/{code}/documents/{id}/delete", post(delete))
        .route("/communes/{code}/search", get(search))
}

fn kind_options(blank: Option<&str>) -> Choices {
    let blank = blank.map(|b| (String::new(), b.to_string()));
    blank
        .into_iter()
        .chain(choices(DocumentKind::ALL))
        .collect()
}

struct DocLine {
    doc: Document,
    issued: String,
    teams: usize,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct ListPage {
    layout: Layout,
    filter: Form,
    kinds: Choices,
    years: Choices,
    lines: Vec<DocLine>,
    saved: bool,
    deleted: bool,
}

async fn list(state: AppState, ctx: Officer, Query(q): Params) -> Reply {
    let store = &state.store;
    let mut filter = Form::new(q.clone());
    let kind = filter
        .optional("kind", |s| DocumentKind::parse(s, "kind"))
        .flatten();
    let year = filter
        .optional("year", |s| {
            s.parse::<i32>().map_err(|_| {
                toso_domain::DomainError::new("year", format!("Năm «{s}» không hợp lệ."))
            })
        })
        .flatten();
    let all = store
        .documents(ctx.code, &DocumentFilter::default())
        .await?;
    let mut years: Vec<i32> = all.iter().map(|d| d.issued_on.year()).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut lines = Vec::new();
    for doc in all.into_iter().filter(|d| {
        kind.is_none_or(|k| d.kind == k) && year.is_none_or(|y| d.issued_on.year() == y)
    }) {
        lines.push(DocLine {
            issued: format_date(doc.issued_on),
            teams: store.teams_established_by(doc.id).await?.len(),
            doc,
        });
    }
    let status = if filter.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = render(ListPage {
        layout: ctx.layout("documents"),
        filter,
        kinds: kind_options(Some("Tất cả loại")),
        years: std::iter::once((String::new(), "Tất cả các năm".to_string()))
            .chain(years.into_iter().map(|y| (y.to_string(), y.to_string())))
            .collect(),
        lines,
        saved: q.contains_key("saved"),
        deleted: q.contains_key("deleted"),
    })?;
    Ok((status, page).into_response())
}

#[derive(Template)]
#[template(path = "document_form.html")]
struct FormPage {
    layout: Layout,
    form: Form,
    kinds: Choices,
    document: Option<Document>,
    /// Why the document cannot be deleted (what refers to it), if so.
    in_use: Option<String>,
    delete: Form,
}

fn form_page(ctx: &CommuneCtx, form: Form, document: Option<Document>) -> FormPage {
    FormPage {
        layout: ctx.layout("documents"),
        form,
        kinds: kind_options(None),
        document,
        in_use: None,
        delete: Form::default(),
    }
}

/// The edit page of `doc`, with what refers to it (for its delete section).
async fn edit_page(
    state: &AppState,
    ctx: &CommuneCtx,
    form: Form,
    doc: Document,
    delete: Form,
) -> Result<FormPage, WebError> {
    let uses: DocumentUses = state.store.document_uses(ctx.code, doc.id).await?;
    Ok(FormPage {
        in_use: uses.refusal(),
        delete,
        ..form_page(ctx, form, Some(doc))
    })
}

fn document_values(doc: &Document) -> Form {
    Form::filled([
        ("kind", doc.kind.code().to_string()),
        ("doc_number", doc.doc_number.clone()),
        ("issued_on", format_date(doc.issued_on)),
        ("issuer", doc.issuer.clone()),
        ("subject", doc.subject.clone()),
    ])
}

async fn new_form(ctx: Manager) -> Reply {
    let form = Form::filled([
        ("kind", DocumentKind::QuyetDinh.code().to_string()),
        ("issued_on", format_date(toso_store::today())),
        (
            "issuer",
            format!("Ủy ban nhân dân {}", lowercase_first(&ctx.name)),
        ),
    ]);
    render(form_page(&ctx, form, None))
}

/// "Đặc khu Cát Hải" → "đặc khu Cát Hải", as it reads after "Ủy ban nhân dân".
fn lowercase_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn parse(form: &mut Form, commune_code: i32) -> Option<NewDocument> {
    let kind = form.field("kind", |s| DocumentKind::parse(s, "kind"));
    let number = form.field("doc_number", DocumentNumber::parse);
    let issued_on = form.date("issued_on", "Ngày ban hành");
    let issuer = form.field("issuer", Name::issuer);
    let subject = form.field("subject", Name::subject);
    Some(NewDocument {
        commune_code,
        kind: kind?,
        number: number?,
        issued_on: issued_on?,
        issuer: issuer?,
        subject: subject?,
    })
}

async fn create(state: AppState, ctx: Manager, mut form: Form) -> Reply {
    let actor = ctx.actor();
    let write = parse(&mut form, ctx.code).map(|new| state.store.create_document(&actor, new));
    let again = async |form| Ok(form_page(&ctx, form, None));
    submit(form, write, ctx.path("documents"), again).await
}

async fn load(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<Document, WebError> {
    Ok(state.store.document_of(ctx.code, id).await?)
}

async fn edit_form(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let doc = load(&state, &ctx, id).await?;
    let form = document_values(&doc);
    render(edit_page(&state, &ctx, form, doc, Form::default()).await?)
}

async fn update(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let doc = load(&state, &ctx, id).await?;
    let actor = ctx.actor();
    let write =
        parse(&mut form, ctx.code).map(|new| state.store.update_document(&actor, doc.id, new));
    let again = async |form| edit_page(&state, &ctx, form, doc, Form::default()).await;
    submit(form, write, ctx.path("documents"), again).await
}

/// Delete a document entered by mistake; refused beside the button, with
/// what refers to it, while anything does.
async fn delete(state: AppState, ctx: Manager, Id(id): Id, form: Form) -> Reply {
    let doc = load(&state, &ctx, id).await?;
    let id = doc.id;
    let write = async || {
        state
            .store
            .delete_document(&ctx.actor(), ctx.code, id)
            .await
    };
    let again = async |delete| {
        let form = document_values(&doc);
        edit_page(&state, &ctx, form, doc, delete).await
    };
    remove(form, write, ctx.path("documents"), again).await
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    results: SearchResults,
    searched: bool,
}

impl SearchPage {
    fn date(&self, d: &chrono::NaiveDate) -> String {
        format_date(*d)
    }
}

async fn search(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    let query: String =
        q.q.as_deref()
            .map(|s| s.chars().take(200).collect())
            .unwrap_or_default();
    let results = state.store.search(ctx.code, &query).await?;
    render(SearchPage {
        layout: ctx.layout("search"),
        searched: !query.trim().is_empty(),
        q: query,
        results,
    })
}
