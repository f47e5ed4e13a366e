//! Contests (e.g. "Công dân số Hải Phòng") and their registrations: the list
//! as of a chosen date (`?as_of=`), with the commune's figure from the
//! indicators module and the records behind it; the forms officers use to
//! add a contest and record registrations by date and group; and the pages
//! that correct or delete a contest (with its registrations) or one
//! registration entry.

use askama::Template;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use toso_domain::{format_date, format_int, ContestGroup, DomainError, IndicatorCode, Name, Node};
use toso_store::{Contest, NewContest, Registration, RegistrationUpdate};

use crate::forms::{choices, Choices, Form};
use crate::layout::{CommuneCtx, Layout, Manager, Officer};
use crate::params::{Id, PageQuery, Query};
use crate::respond::{remove, render, submit};
use crate::{params, AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/contests", get(list).post(create))
        .route(
            "/communes/{code}/contests/{id}/registrations",
            post(register),
        )
        .route(
            "/communes/{code}/contests/{id}/edit",
            get(edit_contest).post(update_contest),
        )
        .route(
            "/communes/{code}/contests/{id}/delete",
            post(delete_contest),
        )
        .route(
            "/communes/{code}/registrations/{id}/edit",
            get(edit_registration).post(update_registration),
        )
        .route(
            "/communes/{code}/registrations/{id}/delete",
            post(delete_registration),
        )
}

struct RegistrationLine {
    id: i64,
    date: String,
    group: &'static str,
    count: String,
}

struct ContestLine {
    contest: Contest,
    period: String,
    document: String,
    /// The registrations recorded up to the as-of date.
    registrations: Vec<RegistrationLine>,
    /// Their people, added up.
    subtotal: String,
    /// Entries recorded after the as-of date (not shown, not counted).
    later: usize,
}

#[derive(Template)]
#[template(path = "contests.html")]
struct ListPage {
    layout: Layout,
    as_of: String,
    /// The indicator "contest_registrations" of the commune on `as_of`.
    total: String,
    total_href: String,
    lines: Vec<ContestLine>,
    documents: Choices,
    groups: Choices,
    contests: Choices,
    contest_form: Form,
    registration_form: Form,
    saved: bool,
    deleted: bool,
}

fn period(contest: &Contest) -> String {
    match contest.ends_on {
        Some(end) => format!("{} – {}", format_date(contest.starts_on), format_date(end)),
        None => format!("từ {}", format_date(contest.starts_on)),
    }
}

/// The options of the document select: none, then the register.
async fn document_options(state: &AppState, code: i32) -> Result<Choices, WebError> {
    let docs = state.store.documents(code, &Default::default()).await?;
    Ok(std::iter::once((String::new(), "(không)".to_string()))
        .chain(docs.iter().map(|d| (d.id.to_string(), d.citation())))
        .collect())
}

fn group_options() -> Choices {
    choices(ContestGroup::ALL)
}

async fn page(
    state: &AppState,
    ctx: &CommuneCtx,
    as_of: NaiveDate,
    contest_form: Form,
    registration_form: Form,
) -> Result<ListPage, WebError> {
    let store = &state.store;
    let total = store
        .indicator(
            IndicatorCode::ContestRegistrations,
            Node::Commune(ctx.code),
            as_of,
        )
        .await?
        .display();
    let docs = store.documents(ctx.code, &Default::default()).await?;
    let mut lines = Vec::new();
    for contest in store.contests(ctx.code).await? {
        let all = store.registrations(contest.id).await?;
        let (shown, later): (Vec<Registration>, Vec<Registration>) =
            all.into_iter().partition(|r| r.registered_on <= as_of);
        let people: i64 = shown.iter().map(|r| r.count as i64).sum();
        lines.push(ContestLine {
            period: period(&contest),
            document: contest
                .document_id
                .and_then(|id| docs.iter().find(|d| d.id == id))
                .map(|d| d.citation())
                .unwrap_or_default(),
            registrations: shown
                .into_iter()
                .map(|r| RegistrationLine {
                    id: r.id,
                    date: format_date(r.registered_on),
                    group: r.grp.label(),
                    count: format_int(r.count as i64),
                })
                .collect(),
            subtotal: format_int(people),
            later: later.len(),
            contest,
        });
    }
    Ok(ListPage {
        layout: ctx.layout("contests"),
        as_of: format_date(as_of),
        total,
        total_href: format!(
            "/communes/{}/indicators/contest_registrations?as_of={}",
            ctx.code,
            format_date(as_of)
        ),
        documents: std::iter::once((String::new(), "(không)".to_string()))
            .chain(docs.iter().map(|d| (d.id.to_string(), d.citation())))
            .collect(),
        groups: group_options(),
        contests: lines
            .iter()
            .map(|l| (l.contest.id.to_string(), l.contest.name.clone()))
            .collect(),
        lines,
        contest_form,
        registration_form,
        saved: false,
        deleted: false,
    })
}

async fn list(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    let as_of = q.as_of()?;
    let registration = Form::filled([("registered_on", format_date(toso_store::today()))]);
    let mut page = page(&state, &ctx, as_of, Form::default(), registration).await?;
    page.saved = q.saved();
    page.deleted = q.deleted();
    render(page)
}

/// The contest typed in `form`; `None` when a field is refused.
fn parse_contest(form: &mut Form, commune_code: i32) -> Option<NewContest> {
    let name = form.field("name", |s| {
        Name::parse_field(s, "name", "Tên cuộc thi", 500)
    });
    let organiser = form.field("organiser", |s| {
        Name::parse_field(s, "organiser", "Đơn vị tổ chức", 200)
    });
    let document_id = form.optional("document_id", |s| {
        params::id(s).map_err(|_| DomainError::new("document_id", "Văn bản không hợp lệ."))
    });
    let starts_on = form.date("starts_on", "Ngày bắt đầu");
    let ends_on = form.optional_date("ends_on", "Ngày kết thúc");
    Some(NewContest {
        commune_code,
        name: name?,
        organiser: organiser?,
        document_id: document_id?,
        starts_on: starts_on?,
        ends_on: ends_on?,
    })
}

async fn create(state: AppState, ctx: Manager, mut form: Form) -> Reply {
    let actor = ctx.actor();
    let write =
        parse_contest(&mut form, ctx.code).map(|new| state.store.create_contest(&actor, new));
    let today = toso_store::today();
    let again = async |form| page(&state, &ctx, today, form, Form::default()).await;
    submit(form, write, ctx.path("contests"), again).await
}

/// The registration typed in `form`; `None` when a field is refused.
fn parse_registration(form: &mut Form) -> Option<RegistrationUpdate> {
    let day = form.date("registered_on", "Ngày đăng ký");
    let group = form.field("group", |s| ContestGroup::parse(s, "group"));
    let count = form.count("count", "Số người đăng ký");
    Some(RegistrationUpdate {
        registered_on: day?,
        group: group?,
        count: count?,
    })
}

async fn register(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let contest = state.store.contest_of(ctx.code, id).await?;
    let actor = ctx.actor();
    let write = parse_registration(&mut form).map(|r| {
        state
            .store
            .add_registrations(&actor, contest.id, r.registered_on, r.group, r.count)
    });
    let today = toso_store::today();
    let again = async |form| page(&state, &ctx, today, Form::default(), form).await;
    submit(form, write, ctx.path("contests"), again).await
}

// ------------------------------------------------------- one contest

#[derive(Template)]
#[template(path = "contest_form.html")]
struct ContestPage {
    layout: Layout,
    contest: Contest,
    form: Form,
    documents: Choices,
    /// Its registration entries and their people (deleted with it).
    entries: usize,
    people: String,
    delete: Form,
    confirm_label: String,
}

async fn contest_page(
    state: &AppState,
    ctx: &CommuneCtx,
    contest: Contest,
    form: Form,
    delete: Form,
) -> Result<ContestPage, WebError> {
    let registrations = state.store.registrations(contest.id).await?;
    let confirm_label = if registrations.is_empty() {
        format!("Tôi xác nhận xóa cuộc thi «{}»", contest.name)
    } else {
        format!(
            "Tôi xác nhận xóa cuộc thi «{}» cùng {} lượt đăng ký",
            contest.name,
            registrations.len()
        )
    };
    Ok(ContestPage {
        confirm_label,
        layout: ctx.layout("contests"),
        documents: document_options(state, ctx.code).await?,
        entries: registrations.len(),
        people: format_int(registrations.iter().map(|r| r.count as i64).sum()),
        contest,
        form,
        delete,
    })
}

fn contest_values(c: &Contest) -> Form {
    Form::filled([
        ("name", c.name.clone()),
        ("organiser", c.organiser.clone()),
        (
            "document_id",
            c.document_id.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("starts_on", format_date(c.starts_on)),
        ("ends_on", c.ends_on.map(format_date).unwrap_or_default()),
    ])
}

async fn edit_contest(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let contest = state.store.contest_of(ctx.code, id).await?;
    let form = contest_values(&contest);
    render(contest_page(&state, &ctx, contest, form, Form::default()).await?)
}

async fn update_contest(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let contest = state.store.contest_of(ctx.code, id).await?;
    let actor = ctx.actor();
    let write = parse_contest(&mut form, ctx.code)
        .map(|new| state.store.update_contest(&actor, contest.id, new));
    let again = async |form| contest_page(&state, &ctx, contest, form, Form::default()).await;
    submit(form, write, ctx.path("contests"), again).await
}

async fn delete_contest(state: AppState, ctx: Manager, Id(id): Id, form: Form) -> Reply {
    let contest = state.store.contest_of(ctx.code, id).await?;
    let id = contest.id;
    let write = async || state.store.delete_contest(&ctx.actor(), ctx.code, id).await;
    let again = async |delete| {
        let form = contest_values(&contest);
        contest_page(&state, &ctx, contest, form, delete).await
    };
    remove(form, write, ctx.path("contests"), again).await
}

// ------------------------------------------------------- one registration entry

#[derive(Template)]
#[template(path = "registration_form.html")]
struct RegistrationPage {
    layout: Layout,
    contest: Contest,
    period: String,
    registration: Registration,
    date: String,
    people: String,
    form: Form,
    groups: Choices,
    delete: Form,
    confirm_label: String,
}

fn registration_page(
    ctx: &CommuneCtx,
    contest: Contest,
    registration: Registration,
    form: Form,
    delete: Form,
) -> RegistrationPage {
    let date = format_date(registration.registered_on);
    let people = format_int(registration.count as i64);
    RegistrationPage {
        confirm_label: format!("Tôi xác nhận xóa lượt đăng ký ngày {date} ({people} người)"),
        layout: ctx.layout("contests"),
        period: period(&contest),
        contest,
        date,
        people,
        registration,
        form,
        groups: group_options(),
        delete,
    }
}

/// The commune's registration entry from the path, with its contest.
async fn load_registration(
    state: &AppState,
    ctx: &CommuneCtx,
    id: i64,
) -> Result<(Contest, Registration), WebError> {
    let registration = state.store.registration_of(ctx.code, id).await?;
    let contest = state
        .store
        .contest_of(ctx.code, registration.contest_id)
        .await?;
    Ok((contest, registration))
}

fn registration_values(r: &Registration) -> Form {
    Form::filled([
        ("registered_on", format_date(r.registered_on)),
        ("group", r.grp.code().to_string()),
        ("count", r.count.to_string()),
    ])
}

async fn edit_registration(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let (contest, registration) = load_registration(&state, &ctx, id).await?;
    let form = registration_values(&registration);
    render(registration_page(
        &ctx,
        contest,
        registration,
        form,
        Form::default(),
    ))
}

async fn update_registration(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let (contest, registration) = load_registration(&state, &ctx, id).await?;
    let actor = ctx.actor();
    let write = parse_registration(&mut form).map(|upd| {
        state
            .store
            .update_registration(&actor, ctx.code, registration.id, upd)
    });
    let again = async |form| {
        Ok(registration_page(
            &ctx,
            contest,
            registration,
            form,
            Form::default(),
        ))
    };
    submit(form, write, ctx.path("contests"), again).await
}

async fn delete_registration(state: AppState, ctx: Manager, Id(id): Id, form: Form) -> Reply {
    let (contest, registration) = load_registration(&state, &ctx, id).await?;
    let id = registration.id;
    let write = async || {
        state
            .store
            .delete_registration(&ctx.actor(), ctx.code, id)
            .await
    };
    let again = async |delete| {
        let form = registration_values(&registration);
        Ok(registration_page(&ctx, contest, registration, form, delete))
    };
    remove(form, write, ctx.path("contests"), again).await
}
