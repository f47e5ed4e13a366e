//! Teams: the list, a team's page (decision, Zalo link as a link and a QR
//! code, members, the support log's form), creating, editing and
//! dissolving teams. Members are in [`members`], the log's entries in
//! [`support_log`].

use std::collections::HashMap;

use askama::Template;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use toso_domain::{
    format_date, format_int, Affiliation, BirthYear, ClientId, DocumentKind, Gender, Name,
    PersonName, PhoneNumber, Role, SupportCategory, TeamKind, ZaloGroupLink,
};
use toso_store::{
    MemberView, MembershipTerm, NewActivity, NewPerson, NewTeam, Person, PersonMembership, Team,
    TeamUpdate,
};

use crate::access::{forbidden, Access};
use crate::forms::{choices, Choices, Fields, Form};
use crate::layout::{CommuneCtx, Layout, Manager, Officer};
use crate::params::{Id, PageQuery, Query};
use crate::respond::{refused, render, saved, submit};
use crate::{offline, AppState, Reply, WebError};

mod members;
mod support_log;

use members::{add_member, end_member, member_form, move_member, person_page, update_member};
use support_log::log_activity;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/teams", get(list))
        .route("/communes/{code}/teams/new", get(new_form).post(create))
        .route("/communes/{code}/teams/{id}", get(page))
        .route(
            "/communes/{code}/teams/{id}/edit",
            get(edit_form).post(update),
        )
        .route("/communes/{code}/teams/{id}/dissolve", post(dissolve))
        .route("/communes/{code}/teams/{id}/members", post(add_member))
        .route("/communes/{code}/teams/{id}/activities", post(log_activity))
        .route(
            "/communes/{code}/members/{id}",
            get(member_form).post(update_member),
        )
        .route("/communes/{code}/members/{id}/end", post(end_member))
        .route("/communes/{code}/members/{id}/move", post(move_member))
        .route("/communes/{code}/people/{id}", get(person_page))
}

fn gender_options() -> Choices {
    let mut o = vec![(String::new(), "— không ghi —".to_string())];
    o.extend(choices(Gender::ALL));
    o
}

async fn load_team(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<Team, WebError> {
    ctx.load(state.store.team(id)).await
}

/// The team `id` of the commune (another commune's is not found), if the
/// caller's access `may` act on it (403 otherwise).
pub(crate) async fn team_of(
    state: &AppState,
    ctx: &CommuneCtx,
    id: i64,
    may: fn(Access, i64) -> bool,
) -> Result<Team, WebError> {
    let team = ctx.load(state.store.team(id)).await?;
    if may(ctx.access, team.id) {
        Ok(team)
    } else {
        Err(forbidden())
    }
}

// ---------------------------------------------------------------- list

struct TeamLine {
    team: Team,
    village: String,
    members: String,
    few: bool,
    active: bool,
}

#[derive(Template)]
#[template(path = "teams.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<TeamLine>,
    saved: bool,
}

async fn list(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    let store = &state.store;
    let today = toso_store::today();
    let lines = store
        .teams_listed(ctx.code, today)
        .await?
        .into_iter()
        .map(|l| TeamLine {
            village: l.village.unwrap_or_else(|| "Cấp xã".into()),
            members: format_int(l.members),
            few: l.members < 3 && l.team.is_active_on(today),
            active: l.team.is_active_on(today),
            team: l.team,
        })
        .collect();
    render(ListPage {
        layout: ctx.layout("teams"),
        lines,
        saved: q.saved(),
    })
}

// ---------------------------------------------------------------- create / edit

#[derive(Template)]
#[template(path = "team_form.html")]
struct TeamFormPage {
    layout: Layout,
    form: Form,
    team: Option<Team>,
    kinds: Choices,
    villages: Choices,
    decisions: Choices,
}

async fn team_form_page(
    state: &AppState,
    ctx: &CommuneCtx,
    form: Form,
    team: Option<Team>,
) -> Result<TeamFormPage, WebError> {
    let today = toso_store::today();
    let mut villages = vec![(String::new(), "— chọn thôn, tổ dân phố —".to_string())];
    villages.extend(
        state
            .store
            .villages(ctx.code, Some(today))
            .await?
            .into_iter()
            .map(|v| (v.id.to_string(), v.name)),
    );
    let mut decisions = vec![(String::new(), "— chưa có —".to_string())];
    let docs = state.store.documents(ctx.code, &Default::default()).await?;
    // Decisions first: they are what establishes a team.
    let (first, rest): (Vec<_>, Vec<_>) = docs
        .into_iter()
        .partition(|d| d.kind == DocumentKind::QuyetDinh);
    decisions.extend(
        first
            .into_iter()
            .chain(rest)
            .map(|d| (d.id.to_string(), d.citation())),
    );
    Ok(TeamFormPage {
        layout: ctx.layout("teams"),
        form,
        team,
        kinds: choices(TeamKind::ALL),
        villages,
        decisions,
    })
}

async fn new_form(state: AppState, ctx: Manager, Query(q): Query<PageQuery>) -> Reply {
    let form = Form::filled([
        ("kind", TeamKind::Village.code().to_string()),
        ("village_id", q.village.clone().unwrap_or_default()),
        ("established_on", format_date(toso_store::today())),
    ]);
    render(team_form_page(&state, &ctx, form, None).await?)
}

/// Fields shared by create and edit.
struct TeamFields {
    name: Option<Name>,
    established_on: NaiveDate,
    decision_id: Option<i64>,
    zalo_link: Option<ZaloGroupLink>,
}

fn parse_team(form: &mut Form) -> Option<TeamFields> {
    let name = form.optional("name", Name::team);
    let established_on = form.date("established_on", "Ngày thành lập");
    let decision_id = form.optional("decision_id", |s| {
        s.parse::<i64>().map_err(|_| {
            toso_domain::DomainError::new("decision_id", "Quyết định thành lập không hợp lệ.")
        })
    });
    let zalo_link = form.optional("zalo_link", ZaloGroupLink::parse);
    Some(TeamFields {
        name: name?,
        established_on: established_on?,
        decision_id: decision_id?,
        zalo_link: zalo_link?,
    })
}

async fn create(state: AppState, ctx: Manager, mut form: Form) -> Reply {
    let kind = form.field("kind", |s| TeamKind::parse(s, "kind"));
    let village_id = match kind {
        Some(TeamKind::Village) => form
            .field("village_id", |s| {
                s.parse::<i64>().map_err(|_| {
                    toso_domain::DomainError::new("village_id", "Chọn thôn, tổ dân phố của tổ.")
                })
            })
            .map(Some),
        _ => Some(None),
    };
    let parsed = parse_team(&mut form);
    if let (Some(kind), Some(village_id), Some(f)) = (kind, village_id, parsed) {
        // An empty name takes the usual one.
        let name = match (f.name, village_id) {
            (Some(n), _) => Some(n),
            (None, Some(v)) => {
                let village = state.store.village(v).await?;
                Name::team(&TeamKind::Village.usual_name(&village.name)).ok()
            }
            (None, None) => Name::team(&TeamKind::QuickResponse.usual_name(&ctx.name)).ok(),
        };
        if let Some(name) = name {
            let new = NewTeam {
                commune_code: ctx.code,
                kind,
                village_id,
                name,
                established_on: f.established_on,
                decision_id: f.decision_id,
                zalo_link: f.zalo_link,
            };
            match state.store.create_team(&ctx.actor(), new).await {
                Ok(team) => return Ok(saved(format!("/communes/{}/teams/{}", ctx.code, team.id))),
                Err(e) => form.refused(e)?,
            }
        }
    }
    refused(team_form_page(&state, &ctx, form, None).await?)
}

fn team_values(team: &Team) -> Form {
    Form::filled([
        ("kind", team.kind.code().to_string()),
        (
            "village_id",
            team.village_id.map(|v| v.to_string()).unwrap_or_default(),
        ),
        ("name", team.name.clone()),
        ("established_on", format_date(team.established_on)),
        (
            "decision_id",
            team.decision_id.map(|v| v.to_string()).unwrap_or_default(),
        ),
        ("zalo_link", team.zalo_link.clone().unwrap_or_default()),
    ])
}

async fn edit_form(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let team = load_team(&state, &ctx, id).await?;
    let form = team_values(&team);
    render(team_form_page(&state, &ctx, form, Some(team)).await?)
}

async fn update(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let team = load_team(&state, &ctx, id).await?;
    let actor = ctx.actor();
    let write = parse_team(&mut form).map(|f| {
        let upd = TeamUpdate {
            name: f
                .name
                .unwrap_or_else(|| Name::team(&team.name).expect("stored name is valid")),
            established_on: f.established_on,
            decision_id: f.decision_id,
            zalo_link: f.zalo_link,
        };
        state.store.update_team(&actor, team.id, upd)
    });
    let path = ctx.path(&format!("teams/{}", team.id));
    let again = async |form| team_form_page(&state, &ctx, form, Some(team)).await;
    submit(form, write, path, again).await
}

// ---------------------------------------------------------------- the team page

struct MemberLine {
    m: MemberView,
    role: &'static str,
    affiliation: &'static str,
    phone: String,
    since: String,
    until: String,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    team: Team,
    village: Option<String>,
    established: String,
    dissolved: Option<String>,
    decision: Option<(i64, String)>,
    qr: String,
    members: Vec<MemberLine>,
    former: Vec<MemberLine>,
    add: Form,
    dissolve: Form,
    roles: Choices,
    affiliations: Choices,
    genders: Choices,
    saved: bool,
    /// May add and edit members (officer or the team's leader).
    manage: bool,
    /// May log support activities (the team's own people, the commune's officer).
    can_log: bool,
    activity: Form,
    categories: Choices,
    helpers: Choices,
    recent: Vec<ActivityLine>,
    /// The village's public page code (village teams).
    public_code: Option<String>,
    /// Citizens' requests of the team still open (new or in progress).
    open_requests: String,
    /// The signed-in user's id: the offline queue is bound to it
    /// (`data-user` of the log form).
    user_id: i64,
}

struct ActivityLine {
    id: i64,
    /// The user may still correct it (see `activities::may_edit`).
    editable: bool,
    date: String,
    category: &'static str,
    citizens: String,
    dossiers: String,
    note: String,
}

/// Whether `access` sees the phones of `team`'s members, on the team's
/// page and through the API (`api/records.rs`): everyone who sees the team
/// (its people, the commune's and the province's officers, the Ministry,
/// admin).
pub(crate) fn sees_member_phones(access: crate::access::Access, team: i64) -> bool {
    access.team_view(team).is_ok()
}

/// `m` as the page lists it; its phone only when `phones`.
fn member_line(mut m: MemberView, phones: bool) -> MemberLine {
    if !phones {
        m.phone = None;
    }
    MemberLine {
        role: m.membership.role.label(),
        affiliation: m.membership.affiliation.label(),
        phone: m
            .phone
            .as_deref()
            .and_then(|p| PhoneNumber::parse(p).ok())
            .map(|p| p.display())
            .unwrap_or_default(),
        since: format_date(m.membership.started_on),
        until: m.membership.ended_on.map(format_date).unwrap_or_default(),
        m,
    }
}

async fn team_page(
    state: &AppState,
    ctx: &CommuneCtx,
    team: Team,
    forms: TeamForms,
    saved: bool,
) -> Result<TeamPage, WebError> {
    let TeamForms {
        add,
        dissolve,
        activity,
    } = forms;
    let store = &state.store;
    let today = toso_store::today();
    let village = match team.village_id {
        Some(v) => Some(store.village(v).await?.name),
        None => None,
    };
    let decision = match team.decision_id {
        Some(id) => Some((id, store.document(id).await?.citation())),
        None => None,
    };
    let (members, former): (Vec<_>, Vec<_>) = store
        .team_members(team.id, None)
        .await?
        .into_iter()
        .partition(|m| m.membership.is_active_on(today));
    let today = toso_store::today();
    let mut recent = Vec::new();
    for a in store
        .activities(ctx.code, today - chrono::Days::new(90), today)
        .await?
        .into_iter()
        .filter(|a| a.team_id == team.id)
        .take(10)
    {
        let author = store.activity_author(a.id).await?;
        let editable =
            crate::activities::may_edit(ctx.access, ctx.user.id, &a, &author, chrono::Utc::now());
        recent.push((a, editable));
    }
    let recent = recent
        .into_iter()
        .map(|(a, editable)| ActivityLine {
            id: a.id,
            editable,
            date: format_date(a.activity_date),
            category: SupportCategory::from_code(&a.category).map_or("Khác", |c| c.label()),
            citizens: format_int(a.citizens_helped as i64),
            dossiers: format_int(a.dossiers as i64),
            note: a.note.unwrap_or_default(),
        })
        .collect();
    let helpers = members
        .iter()
        .map(|m| (m.membership.person_id.to_string(), m.full_name.clone()))
        .collect();
    let public_code = match (team.village_id, team.dissolved_on) {
        (Some(v), None) => Some(store.village_code(v).await?),
        _ => None,
    };
    let open_requests = store
        .help_open_in_queue(
            ctx.code,
            toso_store::QueueScope::Team {
                team_id: team.id,
                quick_response: team.kind == toso_domain::TeamKind::QuickResponse,
            },
        )
        .await?;
    let phones = sees_member_phones(ctx.access, team.id);
    Ok(TeamPage {
        public_code,
        open_requests: format_int(open_requests),
        user_id: ctx.user.id,
        layout: ctx.layout("teams"),
        can_log: ctx.access.team_log(team.id) && team.dissolved_on.is_none(),
        activity,
        categories: choices(SupportCategory::ALL),
        helpers,
        recent,
        village,
        established: format_date(team.established_on),
        dissolved: team.dissolved_on.map(format_date),
        decision,
        qr: team
            .zalo_link
            .as_deref()
            .map(crate::svg::qr_svg)
            .unwrap_or_default(),
        members: members
            .into_iter()
            .map(|m| member_line(m, phones))
            .collect(),
        former: former.into_iter().map(|m| member_line(m, phones)).collect(),
        add,
        dissolve,
        roles: choices(Role::ALL),
        affiliations: choices(Affiliation::ALL),
        genders: gender_options(),
        saved,
        manage: ctx.access.team_manage(team.id),
        team,
    })
}

/// The three forms of a team page, with what was typed when one was refused.
struct TeamForms {
    add: Form,
    dissolve: Form,
    activity: Form,
}

impl Default for TeamForms {
    fn default() -> Self {
        TeamForms {
            add: blank_member(),
            dissolve: today_form("dissolved_on"),
            activity: Form::filled([
                ("activity_date", format_date(toso_store::today())),
                ("category", SupportCategory::DvcTrucTuyen.code().to_string()),
                ("dossiers", "0".to_string()),
                ("client_id", crate::new_client_id()),
            ]),
        }
    }
}

fn blank_member() -> Form {
    Form::filled([
        ("role", Role::ThanhVien.code().to_string()),
        ("affiliation", Affiliation::Khac.code().to_string()),
        ("started_on", format_date(toso_store::today())),
    ])
}

fn today_form(name: &str) -> Form {
    Form::new(HashMap::from([(
        name.to_string(),
        format_date(toso_store::today()),
    )]))
}

async fn page(state: AppState, ctx: CommuneCtx, Id(id): Id, Query(q): Query<PageQuery>) -> Reply {
    let team = load_team(&state, &ctx, id).await?;
    ctx.access.team_view(team.id)?;
    let saved = q.saved();
    render(team_page(&state, &ctx, team, TeamForms::default(), saved).await?)
}

async fn dissolve(state: AppState, ctx: Manager, Id(id): Id, mut form: Form) -> Reply {
    let team = load_team(&state, &ctx, id).await?;
    let actor = ctx.actor();
    let write = form
        .date("dissolved_on", "Ngày giải thể")
        .map(|on| state.store.dissolve_team(&actor, team.id, on));
    let path = ctx.path(&format!("teams/{}", team.id));
    let again = async |form| {
        let forms = TeamForms {
            dissolve: form,
            ..TeamForms::default()
        };
        team_page(&state, &ctx, team, forms, false).await
    };
    submit(form, write, path, again).await
}
