//! Contests (e.g. "Công dân số Hải Phòng") and their registrations: the list
//! with the commune's figure from the indicators module and the records
//! behind it, and the forms officers use to add a contest and record
//! registrations by date and group.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use toso_domain::{format_date, format_int, parse_date, ContestGroup, IndicatorCode, Name, Node};
use toso_store::{Contest, NewContest};

use crate::forms::{Fields, Form};
use crate::layout::{refused, render, saved, CommuneCtx, Layout};
use crate::teams::count_field;
use crate::{params, AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/contests", get(list).post(create))
        .route(
            "/communes/{code}/contests/{id}/registrations",
            post(register),
        )
}

struct RegistrationLine {
    date: String,
    group: &'static str,
    count: String,
}

struct ContestLine {
    contest: Contest,
    period: String,
    document: String,
    registrations: Vec<RegistrationLine>,
}

#[derive(Template)]
#[template(path = "contests.html")]
struct ListPage {
    layout: Layout,
    /// The indicator "contest_registrations" of the commune today.
    total: String,
    total_href: String,
    lines: Vec<ContestLine>,
    documents: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    contests: Vec<(String, String)>,
    contest_form: Form,
    registration_form: Form,
}

async fn page(
    state: &AppState,
    ctx: &CommuneCtx,
    contest_form: Form,
    registration_form: Form,
) -> Result<ListPage, WebError> {
    let store = &state.store;
    let today = toso_store::today();
    let total = store
        .indicator(
            IndicatorCode::ContestRegistrations,
            Node::Commune(ctx.code),
            today,
        )
        .await?
        .display();
    let docs = store.documents(ctx.code, &Default::default()).await?;
    let mut lines = Vec::new();
    for contest in store.contests(ctx.code).await? {
        let registrations = store
            .registrations(contest.id)
            .await?
            .into_iter()
            .map(|r| RegistrationLine {
                date: format_date(r.registered_on),
                group: r.grp.label(),
                count: format_int(r.count as i64),
            })
            .collect();
        lines.push(ContestLine {
            period: match contest.ends_on {
                Some(end) => format!("{} – {}", format_date(contest.starts_on), format_date(end)),
                None => format!("từ {}", format_date(contest.starts_on)),
            },
            document: contest
                .document_id
                .and_then(|id| docs.iter().find(|d| d.id == id))
                .map(|d| d.citation())
                .unwrap_or_default(),
            registrations,
            contest,
        });
    }
    Ok(ListPage {
        layout: ctx.layout("contests"),
        total,
        total_href: format!(
            "/communes/{}/indicators/contest_registrations?as_of={}",
            ctx.code,
            format_date(today)
        ),
        documents: std::iter::once((String::new(), "(không)".to_string()))
            .chain(docs.iter().map(|d| (d.id.to_string(), d.citation())))
            .collect(),
        groups: ContestGroup::ALL
            .iter()
            .map(|g| (g.code().to_string(), g.label().to_string()))
            .collect(),
        contests: lines
            .iter()
            .map(|l| (l.contest.id.to_string(), l.contest.name.clone()))
            .collect(),
        lines,
        contest_form,
        registration_form,
    })
}

async fn list(State(state): State<AppState>, ctx: CommuneCtx) -> Result<Response, WebError> {
    ctx.access.officer()?;
    let registration = Form::filled([("registered_on", format_date(toso_store::today()))]);
    render(page(&state, &ctx, Form::default(), registration).await?)
}

async fn create(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    ctx.access.manager()?;
    let mut form = Form::new(fields);
    let name = form.field("name", Name::subject);
    let organiser = form.field("organiser", Name::issuer);
    let document_id = form.optional("document_id", |s| {
        params::id(s)
            .map_err(|_| toso_domain::DomainError::new("document_id", "Văn bản không hợp lệ."))
    });
    let starts_on = form.field("starts_on", |s| parse_date(s, "starts_on", "Ngày bắt đầu"));
    let ends_on = form.optional("ends_on", |s| parse_date(s, "ends_on", "Ngày kết thúc"));
    if let (Some(name), Some(organiser), Some(document_id), Some(starts_on), Some(ends_on)) =
        (name, organiser, document_id, starts_on, ends_on)
    {
        let new = NewContest {
            commune_code: ctx.code,
            name,
            organiser,
            document_id,
            starts_on,
            ends_on,
        };
        match state.store.create_contest(&ctx.actor(), new).await {
            Ok(_) => return Ok(saved(format!("/communes/{}/contests", ctx.code))),
            Err(e) => form.refused(e)?,
        }
    }
    refused(page(&state, &ctx, form, Form::default()).await?)
}

async fn register(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    ctx.access.manager()?;
    let contest = state.store.contest(params::id(&id)?).await?;
    ctx.owns(contest.commune_code, "cuộc thi")?;
    let mut form = Form::new(fields);
    let day = form.field("registered_on", |s| {
        parse_date(s, "registered_on", "Ngày đăng ký")
    });
    let group = form.field("group", |s| ContestGroup::parse(s, "group"));
    let count = form.field("count", count_field("count", "Số người đăng ký"));
    if let (Some(day), Some(group), Some(count)) = (day, group, count) {
        match state
            .store
            .add_registrations(&ctx.actor(), contest.id, day, group, count)
            .await
        {
            Ok(_) => return Ok(saved(format!("/communes/{}/contests", ctx.code))),
            Err(e) => form.refused(e)?,
        }
    }
    refused(page(&state, &ctx, Form::default(), form).await?)
}
