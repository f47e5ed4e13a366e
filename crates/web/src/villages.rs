//! Villages: list, create, edit, deactivate.

use askama::Template;
use axum::routing::{get, post};
use axum::Router;
use toso_domain::{format_date, Name, VillageKind};
use toso_store::{NewVillage, Village, VillageUpdate};

use crate::forms::{choices, Choices, Form};
use crate::layout::{CommuneCtx, Layout, Manager, Officer};
use crate::params::{Id, PageQuery, Query};
use crate::respond::{render, submit};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/villages", get(list))
        .route("/communes/{code}/villages/new", get(new_form).post(create))
        .route(
            "/communes/{code}/villages/{id}/edit",
            get(edit_form).post(update),
        )
        .route(
            "/communes/{code}/villages/{id}/deactivate",
            post(deactivate),
        )
}

fn kind_options() -> Choices {
    choices(VillageKind::ALL)
}

struct Line {
    village: Village,
    from: String,
    until: Option<String>,
    active: bool,
    team: String,
}

#[derive(Template)]
#[template(path = "villages.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<Line>,
    active: usize,
    saved: bool,
}

async fn list(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    let store = &state.store;
    let today = toso_store::today();
    let villages = store.villages(ctx.code, None).await?;
    let teams = store.teams(ctx.code).await?;
    let lines: Vec<Line> = villages
        .into_iter()
        .map(|v| {
            let team = teams
                .iter()
                .find(|t| t.village_id == Some(v.id) && t.is_active_on(today))
                .map(|t| t.name.clone())
                .unwrap_or_default();
            Line {
                from: format_date(v.active_from),
                until: v.active_until.map(format_date),
                active: v.is_active_on(today),
                team,
                village: v,
            }
        })
        .collect();
    render(ListPage {
        active: lines.iter().filter(|l| l.active).count(),
        lines,
        saved: q.saved(),
        layout: ctx.layout("villages"),
    })
}

#[derive(Template)]
#[template(path = "village_form.html")]
struct FormPage {
    layout: Layout,
    form: Form,
    kinds: Choices,
    village: Option<Village>,
    deactivate: Form,
}

async fn new_form(ctx: Manager) -> Reply {
    render(FormPage {
        layout: ctx.layout("villages"),
        form: Form::filled([
            ("kind", VillageKind::Thon.code().to_string()),
            ("active_from", format_date(toso_store::today())),
        ]),
        kinds: kind_options(),
        village: None,
        deactivate: Form::default(),
    })
}

/// The typed values of the village form, or the form with its errors.
fn parse(form: &mut Form) -> Option<(VillageKind, Name, chrono::NaiveDate)> {
    let kind = form.field("kind", |s| VillageKind::parse(s, "kind"));
    let name = form.field("name", Name::village);
    let from = form.date("active_from", "Ngày bắt đầu hoạt động");
    Some((kind?, name?, from?))
}

async fn create(state: AppState, ctx: Manager, mut form: Form) -> Reply {
    let actor = ctx.actor();
    let write = parse(&mut form).map(|(kind, name, active_from)| {
        let new = NewVillage {
            commune_code: ctx.code,
            kind,
            name,
            active_from,
        };
        state.store.create_village(&actor, new)
    });
    let again = async |form| {
        Ok(FormPage {
            layout: ctx.layout("villages"),
            form,
            kinds: kind_options(),
            village: None,
            deactivate: Form::default(),
        })
    };
    submit(form, write, ctx.path("villages"), again).await
}

async fn load(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<Village, WebError> {
    ctx.load(state.store.village(id)).await
}

fn edit_page(ctx: &CommuneCtx, village: Village, form: Form, deactivate: Form) -> FormPage {
    FormPage {
        layout: ctx.layout("villages"),
        form,
        kinds: kind_options(),
        village: Some(village),
        deactivate,
    }
}

async fn edit_form(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let village = load(&state, &ctx, id).await?;
    let form = Form::filled([
        ("kind", village.kind.code().to_string()),
        ("name", village.name.clone()),
        ("active_from", format_date(village.active_from)),
    ]);
    let deactivate = Form::filled([("active_until", format_date(toso_store::today()))]);
    render(edit_page(&ctx, village, form, deactivate))
}

async fn update(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let village = load(&state, &ctx, id).await?;
    let actor = ctx.actor();
    let write = parse(&mut form).map(|(kind, name, active_from)| {
        let upd = VillageUpdate {
            kind,
            name,
            active_from,
        };
        state.store.update_village(&actor, village.id, upd)
    });
    let deactivate = Form::filled([("active_until", format_date(toso_store::today()))]);
    let again = async |form| Ok(edit_page(&ctx, village, form, deactivate));
    submit(form, write, ctx.path("villages"), again).await
}

async fn deactivate(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let village = load(&state, &ctx, id).await?;
    let actor = ctx.actor();
    let write = form
        .date("active_until", "Ngày ngừng hoạt động")
        .map(|on| state.store.deactivate_village(&actor, village.id, on));
    let edit = Form::filled([
        ("kind", village.kind.code().to_string()),
        ("name", village.name.clone()),
        ("active_from", format_date(village.active_from)),
    ]);
    let again = async |form| Ok(edit_page(&ctx, village, edit, form));
    submit(form, write, ctx.path("villages"), again).await
}
