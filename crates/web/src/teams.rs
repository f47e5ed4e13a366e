//! Teams and their members: the list, a team's page (decision, Zalo link as
//! a link and a QR code, members), creating and editing teams, adding,
//! editing, ending and moving memberships.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use toso_domain::{
    format_date, format_int, parse_date, Affiliation, BirthYear, ClientId, DocumentKind, Gender,
    Name, PersonName, PhoneNumber, Role, SupportCategory, TeamKind, ZaloGroupLink,
};
use toso_store::{
    MemberView, MembershipTerm, NewActivity, NewPerson, NewTeam, Person, PersonMembership, Team,
    TeamUpdate,
};

use crate::access::forbidden;
use crate::forms::{count_field, Fields, Form};
use crate::layout::{CommuneCtx, Layout, Manager, Officer};
use crate::params::{PageQuery, Query};
use crate::respond::{refused, render, saved, submit};
use crate::{offline, params, AppState, WebError};

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

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&v| (code(v).to_string(), label(v).to_string()))
        .collect()
}

fn gender_options() -> Vec<(String, String)> {
    let mut o = vec![(String::new(), "— không ghi —".to_string())];
    o.extend(options(Gender::ALL, Gender::code, Gender::label));
    o
}

async fn load_team(state: &AppState, ctx: &CommuneCtx, id: &str) -> Result<Team, WebError> {
    ctx.load(state.store.team(params::id(id)?)).await
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

async fn list(
    State(state): State<AppState>,
    Officer(ctx): Officer,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let store = &state.store;
    let today = toso_store::today();
    let villages: HashMap<i64, String> = store
        .villages(ctx.code, None)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    let counts: HashMap<i64, i64> = store
        .team_member_counts(ctx.code, today)
        .await?
        .into_iter()
        .collect();
    let lines = store
        .teams(ctx.code)
        .await?
        .into_iter()
        .map(|t| {
            let n = counts.get(&t.id).copied().unwrap_or(0);
            TeamLine {
                village: t
                    .village_id
                    .and_then(|v| villages.get(&v).cloned())
                    .unwrap_or_else(|| "Cấp xã".into()),
                members: format_int(n),
                few: n < 3 && t.is_active_on(today),
                active: t.is_active_on(today),
                team: t,
            }
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
    kinds: Vec<(String, String)>,
    villages: Vec<(String, String)>,
    decisions: Vec<(String, String)>,
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
        kinds: options(TeamKind::ALL, TeamKind::code, TeamKind::label),
        villages,
        decisions,
    })
}

async fn new_form(
    State(state): State<AppState>,
    Manager(ctx): Manager,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
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
    let established_on = form.field("established_on", |s| {
        parse_date(s, "established_on", "Ngày thành lập")
    });
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

async fn create(
    State(state): State<AppState>,
    Manager(ctx): Manager,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let mut form = Form::new(fields);
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
                Name::team(&format!("Tổ công nghệ số cộng đồng {}", village.name)).ok()
            }
            (None, None) => Name::team(&format!(
                "Đội hỗ trợ chuyển đổi số phản ứng nhanh {}",
                ctx.name
            ))
            .ok(),
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

async fn edit_form(
    State(state): State<AppState>,
    Manager(ctx): Manager,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let team = load_team(&state, &ctx, &id).await?;
    let form = team_values(&team);
    render(team_form_page(&state, &ctx, form, Some(team)).await?)
}

async fn update(
    State(state): State<AppState>,
    Manager(ctx): Manager,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let team = load_team(&state, &ctx, &id).await?;
    let mut form = Form::new(fields);
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
    roles: Vec<(String, String)>,
    affiliations: Vec<(String, String)>,
    genders: Vec<(String, String)>,
    saved: bool,
    /// May add and edit members (officer or the team's leader).
    manage: bool,
    /// May log support activities (the team's own people, the commune's officer).
    can_log: bool,
    activity: Form,
    categories: Vec<(String, String)>,
    helpers: Vec<(String, String)>,
    recent: Vec<ActivityLine>,
    /// The village's public page code (village teams).
    public_code: Option<String>,
    /// Citizens' requests of the team still open (new or in progress).
    open_requests: usize,
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

/// The Zalo link as an SVG QR code (inline, no script, no external image).
pub(crate) fn qr_svg(link: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(link.as_bytes()) else {
        return String::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    // One path segment per horizontal run of dark modules, in module units
    // with a 4-module quiet zone: about a third of the size of one square
    // per module, which matters on a page a phone opens offline.
    let mut path = String::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if colors[y * width + x] == qrcode::Color::Dark {
                let start = x;
                while x < width && colors[y * width + x] == qrcode::Color::Dark {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + 4,
                    y + 4,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    let side = width + 8;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"160\" height=\"160\" \
         shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    )
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
        .help_queue(
            ctx.code,
            toso_store::QueueScope::Team {
                team_id: team.id,
                quick_response: team.kind == toso_domain::TeamKind::QuickResponse,
            },
            None,
            1000,
        )
        .await?
        .iter()
        .filter(|r| !r.state.closed())
        .count();
    let phones = sees_member_phones(ctx.access, team.id);
    Ok(TeamPage {
        public_code,
        open_requests,
        user_id: ctx.user.id,
        layout: ctx.layout("teams"),
        can_log: ctx.access.team_log(team.id) && team.dissolved_on.is_none(),
        activity,
        categories: options(
            SupportCategory::ALL,
            SupportCategory::code,
            SupportCategory::label,
        ),
        helpers,
        recent,
        village,
        established: format_date(team.established_on),
        dissolved: team.dissolved_on.map(format_date),
        decision,
        qr: team.zalo_link.as_deref().map(qr_svg).unwrap_or_default(),
        members: members
            .into_iter()
            .map(|m| member_line(m, phones))
            .collect(),
        former: former.into_iter().map(|m| member_line(m, phones)).collect(),
        add,
        dissolve,
        roles: options(Role::ALL, Role::code, Role::label),
        affiliations: options(Affiliation::ALL, Affiliation::code, Affiliation::label),
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
                ("client_id", new_client_id()),
            ]),
        }
    }
}

/// Log a support activity from the team page (a phone form: date, what,
/// how many people, how many dossiers, who helped). With a `client_id` (the
/// form's hidden field, or the id the offline queue gave the entry) it is
/// recorded once however many times it is sent: a repeat answers like the
/// first success. A request that accepts JSON (the queue sending) gets the
/// JSON answers of [`crate::offline`], also when it is not signed in.
async fn log_activity(
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Result<CommuneCtx, WebError>,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    if offline::wants_json(&headers) {
        let answer = async {
            let ctx = ctx?;
            let team = load_team(&state, &ctx, &id).await?;
            record_activity(&state, &ctx, &team, fields).await
        };
        return Ok(match answer.await {
            Ok(Logged::Written { id, repeat }) => offline::logged(id, repeat),
            Ok(Logged::Refused(form)) => {
                let (field, message) = first_error(&form);
                offline::refused_field(field, message)
            }
            Err(e) => offline::json_error(e),
        });
    }
    let ctx = ctx?;
    let team = load_team(&state, &ctx, &id).await?;
    match record_activity(&state, &ctx, &team, fields).await? {
        Logged::Written { .. } => Ok(saved(format!("/communes/{}/teams/{}", ctx.code, team.id))),
        Logged::Refused(form) => {
            let forms = TeamForms {
                activity: form,
                ..TeamForms::default()
            };
            refused(team_page(&state, &ctx, team, forms, false).await?)
        }
    }
}

/// What became of a logged activity.
enum Logged {
    /// Recorded: now, or before under the same client id (`repeat`).
    Written { id: i64, repeat: bool },
    /// Refused: the form with its errors beside their fields.
    Refused(Form),
}

/// The fields of the log form, in the order the page shows them (the first
/// refused is the one a JSON answer names).
const LOG_FIELDS: [&str; 7] = [
    "activity_date",
    "category",
    "citizens_helped",
    "dossiers",
    "co_members",
    "note",
    "client_id",
];

/// The first refusal of a refused log form: its field and message.
fn first_error(form: &Form) -> (&'static str, String) {
    LOG_FIELDS
        .iter()
        .find_map(|f| form.error(f).map(|e| (*f, e.to_string())))
        .or_else(|| {
            form.general_errors(&LOG_FIELDS)
                .first()
                .map(|e| ("form", e.to_string()))
        })
        .unwrap_or(("form", "Chưa ghi được lượt hỗ trợ.".to_string()))
}

/// Check and write one activity of the log form for `team`. A repeat of
/// a client id this user already recorded for this team answers the
/// original even if the user may no longer log for the team (the answer to
/// the first send was lost); otherwise only who may log for the team may.
async fn record_activity(
    state: &AppState,
    ctx: &CommuneCtx,
    team: &Team,
    mut fields: HashMap<String, String>,
) -> Result<Logged, WebError> {
    let client_id = fields.get("client_id").map(|raw| ClientId::parse(raw));
    if let Some(Ok(client_id)) = &client_id {
        if let Some(original) = state
            .store
            .activity_by_client_id(ctx.user.id, client_id)
            .await?
            .filter(|a| a.team_id == team.id)
        {
            return Ok(Logged::Written {
                id: original.id,
                repeat: true,
            });
        }
    }
    if !ctx.access.team_log(team.id) {
        return Err(forbidden());
    }
    let co_members: Vec<i64> = fields
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("co_").filter(|_| v == "on"))
        .filter_map(|p| p.parse().ok())
        .collect();
    let mut bad_client_id = None;
    let client_id = match client_id {
        None => Some(None),
        Some(Ok(c)) => Some(Some(c)),
        Some(Err(e)) => {
            // Shown again with a good id, so that sending it again works.
            fields.insert("client_id".to_string(), new_client_id());
            bad_client_id = Some(e);
            None
        }
    };
    let mut form = Form::new(fields);
    if let Some(e) = bad_client_id {
        form.add_error(e.field, e.message);
    }
    let date = form.field("activity_date", |s| {
        parse_date(s, "activity_date", "Ngày hỗ trợ")
    });
    let category = form.field("category", |s| SupportCategory::parse(s, "category"));
    let citizens = form.field(
        "citizens_helped",
        count_field("citizens_helped", "Số người được hỗ trợ"),
    );
    let dossiers = form.optional("dossiers", count_field("dossiers", "Số hồ sơ trực tuyến"));
    if let (
        Some(client_id),
        Some(activity_date),
        Some(category),
        Some(citizens_helped),
        Some(dossiers),
    ) = (client_id, date, category, citizens, dossiers)
    {
        let new = NewActivity {
            team_id: team.id,
            activity_date,
            category,
            citizens_helped,
            dossiers: dossiers.unwrap_or(0),
            note: Some(form.free_text("note").chars().take(500).collect()),
            co_members,
        };
        let actor = ctx.actor();
        let written = match &client_id {
            Some(client_id) => state
                .store
                .create_activity_once(&actor, new, client_id)
                .await
                .map(|(a, repeat)| (a.id, repeat)),
            None => state
                .store
                .create_activity(&actor, new)
                .await
                .map(|a| (a.id, false)),
        };
        match written {
            Ok((id, repeat)) => return Ok(Logged::Written { id, repeat }),
            Err(e) => form.refused(e)?,
        }
    }
    Ok(Logged::Refused(form))
}

/// A fresh client id for the log form (48 hex characters), so that a double
/// click of the form without JavaScript records one activity.
fn new_client_id() -> String {
    crate::forms::new_token()
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

async fn page(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let team = load_team(&state, &ctx, &id).await?;
    ctx.access.team_view(team.id)?;
    let saved = q.saved();
    render(team_page(&state, &ctx, team, TeamForms::default(), saved).await?)
}

async fn dissolve(
    State(state): State<AppState>,
    Manager(ctx): Manager,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let team = load_team(&state, &ctx, &id).await?;
    let mut form = Form::new(fields);
    let actor = ctx.actor();
    let write = form
        .field("dissolved_on", |s| {
            parse_date(s, "dissolved_on", "Ngày giải thể")
        })
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

/// The person fields of the member forms.
fn parse_person(form: &mut Form, commune_code: i32) -> Option<NewPerson> {
    let today = toso_store::today();
    let full_name = form.field("full_name", PersonName::parse);
    let gender = form.optional("gender", |s| Gender::parse(s, "gender"));
    let birth_year = form.optional("birth_year", |s| BirthYear::parse(s, today));
    let phone = form.optional("phone", PhoneNumber::parse);
    Some(NewPerson {
        commune_code,
        full_name: full_name?,
        gender: gender?,
        birth_year: birth_year?,
        phone: phone?,
    })
}

fn parse_role(form: &mut Form) -> Option<(Role, Affiliation)> {
    let role = form.field("role", |s| Role::parse(s, "role"));
    let affiliation = form.field("affiliation", |s| Affiliation::parse(s, "affiliation"));
    Some((role?, affiliation?))
}

async fn add_member(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let team = load_team(&state, &ctx, &id).await?;
    if !ctx.access.team_manage(team.id) {
        return Err(forbidden());
    }
    let mut form = Form::new(fields);
    let person = parse_person(&mut form, ctx.code);
    let role = parse_role(&mut form);
    let started_on = form.field("started_on", |s| {
        parse_date(s, "started_on", "Ngày tham gia")
    });
    if let (Some(person), Some((role, affiliation)), Some(started_on)) = (person, role, started_on)
    {
        // Person and membership are written in one transaction: a refused
        // membership leaves no person behind.
        match state
            .store
            .create_member(&ctx.actor(), team.id, person, role, affiliation, started_on)
            .await
        {
            Ok(_) => return Ok(saved(format!("/communes/{}/teams/{}", ctx.code, team.id))),
            Err(e) => form.refused(e)?,
        }
    }
    let forms = TeamForms {
        add: form,
        ..TeamForms::default()
    };
    let page = team_page(&state, &ctx, team, forms, false).await?;
    refused(page)
}

// ---------------------------------------------------------------- one person

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    person: Person,
    /// Every membership of the person, latest first, each with its terms.
    memberships: Vec<(PersonMembership, Vec<MembershipTerm>)>,
}

/// One person's memberships across the commune's teams over time (officers).
async fn person_page(
    State(state): State<AppState>,
    Officer(ctx): Officer,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let person = ctx.load(state.store.person(params::id(&id)?)).await?;
    let mut memberships = Vec::new();
    for m in state.store.person_memberships(person.id).await? {
        let terms = state.store.membership_terms(&m.membership).await?;
        memberships.push((m, terms));
    }
    render(PersonPage {
        layout: ctx.layout("teams"),
        person,
        memberships,
    })
}

// ---------------------------------------------------------------- one member

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    layout: Layout,
    member: MemberView,
    /// The roles and affiliations held, oldest first (the last is current).
    terms: Vec<MembershipTerm>,
    team: Team,
    form: Form,
    end: Form,
    transfer: Form,
    roles: Vec<(String, String)>,
    affiliations: Vec<(String, String)>,
    genders: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    manage: bool,
    profile: bool,
    /// Agreed to be listed on the village's public page and poster.
    listed: bool,
}

async fn load_member(
    state: &AppState,
    ctx: &CommuneCtx,
    id: &str,
) -> Result<(MemberView, Team), WebError> {
    let membership = state.store.membership(params::id(id)?).await?;
    let team = load_team(state, ctx, &membership.team_id.to_string()).await?;
    let member = state
        .store
        .team_members(team.id, None)
        .await?
        .into_iter()
        .find(|m| m.membership.id == membership.id)
        .ok_or_else(|| WebError::NotFound("Không tìm thấy thành viên này.".into()))?;
    Ok((member, team))
}

fn member_values(m: &MemberView) -> Form {
    Form::filled([
        ("full_name", m.full_name.clone()),
        ("gender", m.gender.clone().unwrap_or_default()),
        (
            "birth_year",
            m.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        ("phone", m.phone.clone().unwrap_or_default()),
        ("role", m.membership.role.code().to_string()),
        ("affiliation", m.membership.affiliation.code().to_string()),
        ("role_from", format_date(toso_store::today())),
    ])
}

async fn member_page(
    state: &AppState,
    ctx: &CommuneCtx,
    (member, team): (MemberView, Team),
    form: Form,
    end: Form,
    transfer: Form,
) -> Result<MemberPage, WebError> {
    let today = toso_store::today();
    let mut teams = vec![(String::new(), "— chọn tổ —".to_string())];
    teams.extend(
        state
            .store
            .teams(ctx.code)
            .await?
            .into_iter()
            .filter(|t| t.id != team.id && t.is_active_on(today))
            .map(|t| (t.id.to_string(), t.name)),
    );
    let terms = state.store.membership_terms(&member.membership).await?;
    Ok(MemberPage {
        listed: state
            .store
            .listed_publicly(member.membership.person_id)
            .await?,
        layout: ctx.layout("teams"),
        terms,
        manage: ctx.access.team_manage(team.id),
        profile: ctx.access.profile(team.id, member.membership.person_id),
        member,
        team,
        form,
        end,
        transfer,
        roles: options(Role::ALL, Role::code, Role::label),
        affiliations: options(Affiliation::ALL, Affiliation::code, Affiliation::label),
        genders: gender_options(),
        teams,
    })
}

async fn member_form(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let loaded = load_member(&state, &ctx, &id).await?;
    ctx.access.team_view(loaded.1.id)?;
    let form = member_values(&loaded.0);
    render(
        member_page(
            &state,
            &ctx,
            loaded,
            form,
            today_form("ended_on"),
            today_form("moved_on"),
        )
        .await?,
    )
}

async fn update_member(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let (member, team) = load_member(&state, &ctx, &id).await?;
    if !ctx.access.profile(team.id, member.membership.person_id) {
        return Err(forbidden());
    }
    let mut form = Form::new(fields);
    let person = parse_person(&mut form, ctx.code);
    // A member editing their own profile cannot change their role.
    let (role, from) = if ctx.access.team_manage(team.id) {
        let from = if form.value("role_from").trim().is_empty() {
            Some(toso_store::today())
        } else {
            form.field("role_from", |s| parse_date(s, "role_from", "Ngày hiệu lực"))
        };
        (parse_role(&mut form), from)
    } else {
        (
            Some((member.membership.role, member.membership.affiliation)),
            Some(toso_store::today()),
        )
    };
    if let (Some(person), Some((role, affiliation)), Some(from)) = (person, role, from) {
        match state
            .store
            .update_member(
                &ctx.actor(),
                member.membership.id,
                person,
                role,
                affiliation,
                from,
            )
            .await
        {
            Ok(_) => return Ok(saved(format!("/communes/{}/teams/{}", ctx.code, team.id))),
            Err(e) => form.refused(e)?,
        }
    }
    let page = member_page(
        &state,
        &ctx,
        (member, team),
        form,
        today_form("ended_on"),
        today_form("moved_on"),
    )
    .await?;
    refused(page)
}

async fn end_member(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let (member, team) = load_member(&state, &ctx, &id).await?;
    if !ctx.access.team_manage(team.id) {
        return Err(forbidden());
    }
    let mut form = Form::new(fields);
    let actor = ctx.actor();
    let write = form
        .field("ended_on", |s| parse_date(s, "ended_on", "Ngày kết thúc"))
        .map(|on| state.store.end_membership(&actor, member.membership.id, on));
    let path = ctx.path(&format!("teams/{}", team.id));
    let values = member_values(&member);
    let moved = today_form("moved_on");
    let again = async |form| member_page(&state, &ctx, (member, team), values, form, moved).await;
    submit(form, write, path, again).await
}

async fn move_member(
    State(state): State<AppState>,
    Manager(ctx): Manager,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let (member, team) = load_member(&state, &ctx, &id).await?;
    let mut form = Form::new(fields);
    let to = form.field("team_id", |s| {
        s.parse::<i64>()
            .map_err(|_| toso_domain::DomainError::new("team_id", "Chọn tổ chuyển đến."))
    });
    let on = form.field("moved_on", |s| parse_date(s, "moved_on", "Ngày chuyển"));
    if let (Some(to), Some(on)) = (to, on) {
        let target = load_team(&state, &ctx, &to.to_string()).await?;
        match state
            .store
            .move_membership(&ctx.actor(), member.membership.id, target.id, on)
            .await
        {
            Ok(_) => return Ok(saved(format!("/communes/{}/teams/{}", ctx.code, target.id))),
            Err(e) => form.refused(e)?,
        }
    }
    let values = member_values(&member);
    let page = member_page(
        &state,
        &ctx,
        (member, team),
        values,
        today_form("ended_on"),
        form,
    )
    .await?;
    refused(page)
}

#[cfg(test)]
mod qr_tests {
    use super::qr_svg;

    /// The dark modules read back from the path's runs are exactly the
    /// QR code's.
    #[test]
    fn runs_draw_exactly_the_dark_modules() {
        let link = "https://zalo.me/g/xuubpv554";
        let code = qrcode::QrCode::new(link.as_bytes()).unwrap();
        let width = code.width();
        let svg = qr_svg(link);
        assert!(svg.starts_with("<svg") && svg.contains("viewBox"));
        let d = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut dark = vec![false; width * width];
        for seg in d.split('z').filter(|s| !s.is_empty()) {
            let nums: Vec<usize> = seg
                .trim_start_matches('M')
                .split([' ', 'h', 'v'])
                .take(3)
                .map(|n| n.parse().unwrap())
                .collect();
            let (x, y, run) = (nums[0] - 4, nums[1] - 4, nums[2]);
            for i in 0..run {
                dark[y * width + x + i] = true;
            }
        }
        let expected: Vec<bool> = code
            .to_colors()
            .iter()
            .map(|c| *c == qrcode::Color::Dark)
            .collect();
        assert_eq!(dark, expected);
        assert!(svg.len() < 4000, "{} bytes", svg.len());
    }
}
