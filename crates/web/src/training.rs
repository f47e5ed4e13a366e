//! Training courses and campaigns with the mass organisations: the lists
//! (with their figures from the indicators module, and a CSV of each), and
//! the forms officers use to record them, correct them and (campaigns)
//! delete them.

use std::collections::HashMap;

use askama::Template;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use toso_domain::{
    format_date, format_int, format_percent, DomainError, IndicatorCode, Name, Node,
    PartnerOrganisation, TrainingMode,
};
use toso_sheets::{Column, Table, Value};
use toso_store::{Campaign, Course, NewCampaign, NewCourse};

use crate::dashboard::csv_response;
use crate::forms::{choices, Choices, Fields, Form};
use crate::layout::{CommuneCtx, Layout, Manager, Officer};
use crate::params::{Id, PageQuery, Query};
use crate::respond::{remove, render, submit};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/communes/{code}/training", get(courses))
        .route("/communes/{code}/training.csv", get(courses_csv))
        .route(
            "/communes/{code}/training/new",
            get(new_course).post(create_course),
        )
        .route(
            "/communes/{code}/training/{id}/edit",
            get(edit_course).post(update_course),
        )
        .route("/communes/{code}/campaigns", get(campaigns))
        .route("/communes/{code}/campaigns.csv", get(campaigns_csv))
        .route(
            "/communes/{code}/campaigns/new",
            get(new_campaign).post(create_campaign),
        )
        .route(
            "/communes/{code}/campaigns/{id}/edit",
            get(edit_campaign).post(update_campaign),
        )
        .route(
            "/communes/{code}/campaigns/{id}/delete",
            post(delete_campaign),
        )
}

/// One figure above a list, from the indicators module.
pub struct Figure {
    pub name: &'static str,
    pub display: String,
    pub unit: &'static str,
}

async fn figures(
    state: &AppState,
    code: i32,
    as_of: NaiveDate,
    codes: &[IndicatorCode],
) -> Result<Vec<Figure>, WebError> {
    let mut out = Vec::new();
    for &c in codes {
        let value = state.store.indicator(c, Node::Commune(code), as_of).await?;
        let def = c.def();
        out.push(Figure {
            name: def.name,
            display: value.display(),
            unit: if def.unit == "%" { "" } else { def.unit },
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------- courses

struct CourseLine {
    course: Course,
    dates: String,
    document: String,
    registered: String,
    completed: String,
    percent: String,
}

#[derive(Template)]
#[template(path = "training.html")]
struct CoursesPage {
    layout: Layout,
    figures: Vec<Figure>,
    lines: Vec<CourseLine>,
    as_of: String,
    saved: bool,
}

fn dates(from: NaiveDate, until: Option<NaiveDate>) -> String {
    match until {
        Some(u) if u != from => format!("{} – {}", format_date(from), format_date(u)),
        _ => format_date(from),
    }
}

async fn course_lines(state: &AppState, code: i32) -> Result<Vec<CourseLine>, WebError> {
    let citations: HashMap<i64, String> = state
        .store
        .documents(code, &Default::default())
        .await?
        .into_iter()
        .map(|d| (d.id, d.citation()))
        .collect();
    Ok(state
        .store
        .courses(code)
        .await?
        .into_iter()
        .map(|c| CourseLine {
            dates: dates(c.starts_on, c.ends_on),
            document: c
                .document_id
                .and_then(|d| citations.get(&d).cloned())
                .unwrap_or_default(),
            registered: format_int(c.registered()),
            completed: format_int(c.completed()),
            percent: format_percent(c.completed(), c.registered()),
            course: c,
        })
        .collect())
}

const COURSE_FIGURES: &[IndicatorCode] = &[
    IndicatorCode::TrainingCourses,
    IndicatorCode::Trainees,
    IndicatorCode::TraineesCompleted,
    IndicatorCode::TrainingCompletion,
    IndicatorCode::MembersTrained,
];

async fn courses(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    let as_of = q.as_of()?;
    render(CoursesPage {
        layout: ctx.layout("training"),
        figures: figures(&state, ctx.code, as_of, COURSE_FIGURES).await?,
        lines: course_lines(&state, ctx.code).await?,
        as_of: format_date(as_of),
        saved: q.saved(),
    })
}

async fn courses_csv(state: AppState, ctx: Officer) -> Reply {
    let mut table = Table::new(
        "Tap huan",
        format!("CÁC LỚP BỒI DƯỠNG, TẬP HUẤN — {}", ctx.name.to_uppercase()),
        [
            "Tên lớp",
            "Đơn vị tổ chức",
            "Văn bản",
            "Từ ngày",
            "Đến ngày",
            "Hình thức",
            "Thành viên tổ đăng ký",
            "Thành viên tổ hoàn thành",
            "Cán bộ, công chức đăng ký",
            "Cán bộ, công chức hoàn thành",
            "Người dân đăng ký",
            "Người dân hoàn thành",
            "Tổng số đăng ký",
            "Tổng số hoàn thành",
            "Tỷ lệ hoàn thành",
        ]
        .into_iter()
        .map(|h| Column::new(h, 14.0))
        .collect(),
    );
    for l in course_lines(&state, ctx.code).await? {
        let c = &l.course;
        let members_done = c.participants.iter().filter(|p| p.completed).count() as i64;
        table.rows.push(vec![
            Value::text(&c.title),
            Value::text(&c.organiser),
            Value::text(&l.document),
            Value::Date(c.starts_on),
            Value::opt_date(c.ends_on),
            Value::text(c.mode.label()),
            Value::Int(c.participants.len() as i64),
            Value::Int(members_done),
            Value::Int(c.officials_registered as i64),
            Value::Int(c.officials_completed as i64),
            Value::Int(c.citizens_registered as i64),
            Value::Int(c.citizens_completed as i64),
            Value::Int(c.registered()),
            Value::Int(c.completed()),
            if c.registered() > 0 {
                Value::Percent(c.completed() as f64 / c.registered() as f64)
            } else {
                Value::Empty
            },
        ]);
    }
    csv_response(&table, &format!("tap-huan-{}.csv", ctx.code))
}

/// A team member the course form can list: (person id, name, team name).
struct Trainee {
    person_id: i64,
    name: String,
    team: String,
}

#[derive(Template)]
#[template(path = "training_form.html")]
struct CourseForm {
    layout: Layout,
    form: Form,
    course_id: Option<i64>,
    documents: Choices,
    modes: Choices,
    trainees: Vec<Trainee>,
}

impl CourseForm {
    fn checked(&self, prefix: &str, person: &i64) -> bool {
        self.form.value(&format!("{prefix}{person}")) == "on"
    }
}

async fn course_form(
    state: &AppState,
    ctx: &CommuneCtx,
    form: Form,
    course: Option<&Course>,
) -> Result<CourseForm, WebError> {
    let today = toso_store::today();
    let mut documents = vec![(String::new(), "— không ghi —".to_string())];
    documents.extend(
        state
            .store
            .documents(ctx.code, &Default::default())
            .await?
            .into_iter()
            .map(|d| {
                (
                    d.id.to_string(),
                    format!("{} — {}", d.citation(), d.subject),
                )
            }),
    );
    let mut trainees = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for team in state.store.teams(ctx.code).await? {
        if !team.is_active_on(today) {
            continue;
        }
        for m in state.store.team_members(team.id, Some(today)).await? {
            if seen.insert(m.membership.person_id) {
                trainees.push(Trainee {
                    person_id: m.membership.person_id,
                    name: m.full_name,
                    team: team.name.clone(),
                });
            }
        }
    }
    // Former members already listed on the course stay listed.
    if let Some(c) = course {
        for p in &c.participants {
            if seen.insert(p.person_id) {
                trainees.push(Trainee {
                    person_id: p.person_id,
                    name: p.full_name.clone(),
                    team: String::new(),
                });
            }
        }
    }
    Ok(CourseForm {
        layout: ctx.layout("training"),
        form,
        course_id: course.map(|c| c.id),
        documents,
        modes: choices(TrainingMode::ALL),
        trainees,
    })
}

fn course_values(c: &Course) -> Form {
    let mut values: HashMap<String, String> = [
        ("title", c.title.clone()),
        ("organiser", c.organiser.clone()),
        (
            "document_id",
            c.document_id.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("starts_on", format_date(c.starts_on)),
        ("ends_on", c.ends_on.map(format_date).unwrap_or_default()),
        ("mode", c.mode.code().to_string()),
        ("officials_registered", c.officials_registered.to_string()),
        ("officials_completed", c.officials_completed.to_string()),
        ("citizens_registered", c.citizens_registered.to_string()),
        ("citizens_completed", c.citizens_completed.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for p in &c.participants {
        values.insert(format!("p_{}", p.person_id), "on".into());
        if p.completed {
            values.insert(format!("c_{}", p.person_id), "on".into());
        }
    }
    Form::new(values)
}

/// The members ticked in a course form: `p_{person}` (takes part) and
/// `c_{person}` (completed).
fn ticked_participants(fields: &HashMap<String, String>) -> Vec<(i64, bool)> {
    let on = |k: &str| fields.get(k).is_some_and(|v| v == "on");
    let mut participants: Vec<(i64, bool)> = fields
        .keys()
        .filter(|k| on(k))
        .filter_map(|k| k.strip_prefix("p_")?.parse::<i64>().ok())
        .map(|p| (p, on(&format!("c_{p}"))))
        .collect();
    participants.sort_unstable();
    participants
}

/// The course typed in `form`; `None` when a field is refused.
fn parse_course(
    form: &mut Form,
    commune_code: i32,
    participants: Vec<(i64, bool)>,
) -> Option<NewCourse> {
    let title = form.field("title", |s| {
        Name::parse_field(s, "title", "Tên lớp tập huấn", 300)
    });
    let organiser = form.field("organiser", |s| {
        Name::parse_field(s, "organiser", "Đơn vị tổ chức", 200)
    });
    let document_id = form.optional("document_id", |s| {
        s.parse::<i64>()
            .map_err(|_| DomainError::new("document_id", "Văn bản chỉ đạo không hợp lệ."))
    });
    let starts_on = form.date("starts_on", "Ngày khai giảng");
    let ends_on = form.optional_date("ends_on", "Ngày kết thúc");
    let mode = form.field("mode", |s| TrainingMode::parse(s, "mode"));
    let mut count = |name: &'static str, label: &'static str| {
        if form.value(name).trim().is_empty() {
            Some(0)
        } else {
            form.count(name, label)
        }
    };
    let officials_registered = count("officials_registered", "Số cán bộ, công chức đăng ký");
    let officials_completed = count("officials_completed", "Số cán bộ, công chức hoàn thành");
    let citizens_registered = count("citizens_registered", "Số người dân đăng ký");
    let citizens_completed = count("citizens_completed", "Số người dân hoàn thành");
    Some(NewCourse {
        commune_code,
        title: title?,
        organiser: organiser?,
        document_id: document_id?,
        starts_on: starts_on?,
        ends_on: ends_on?,
        mode: mode?,
        officials_registered: officials_registered?,
        officials_completed: officials_completed?,
        citizens_registered: citizens_registered?,
        citizens_completed: citizens_completed?,
        participants,
    })
}

async fn new_course(state: AppState, ctx: Manager) -> Reply {
    let form = Form::filled([
        ("starts_on", format_date(toso_store::today())),
        ("mode", TrainingMode::TrucTiep.code().to_string()),
    ]);
    render(course_form(&state, &ctx, form, None).await?)
}

async fn create_course(
    state: AppState,
    ctx: Manager,
    axum::extract::Form(fields): Fields,
) -> Reply {
    let participants = ticked_participants(&fields);
    let mut form = Form::new(fields);
    let actor = ctx.actor();
    let write = parse_course(&mut form, ctx.code, participants)
        .map(|new| state.store.create_course(&actor, new));
    let again = async |form| course_form(&state, &ctx, form, None).await;
    submit(form, write, ctx.path("training"), again).await
}

async fn load_course(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<Course, WebError> {
    ctx.load(state.store.course(id)).await
}

async fn edit_course(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let course = load_course(&state, &ctx, id).await?;
    render(course_form(&state, &ctx, course_values(&course), Some(&course)).await?)
}

async fn update_course(
    state: AppState,
    ctx: Manager,
    Id(id): Id,
    axum::extract::Form(fields): Fields,
) -> Reply {
    let course = load_course(&state, &ctx, id).await?;
    let participants = ticked_participants(&fields);
    let mut form = Form::new(fields);
    let actor = ctx.actor();
    let write = parse_course(&mut form, ctx.code, participants)
        .map(|new| state.store.update_course(&actor, course.id, new));
    let again = async |form| course_form(&state, &ctx, form, Some(&course)).await;
    submit(form, write, ctx.path("training"), again).await
}

// ---------------------------------------------------------------- campaigns

struct CampaignLine {
    campaign: Campaign,
    date: String,
    partners: String,
    villages: String,
    participants: String,
    reached: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    layout: Layout,
    figures: Vec<Figure>,
    lines: Vec<CampaignLine>,
    as_of: String,
    saved: bool,
    deleted: bool,
}

fn partner_list(c: &Campaign) -> String {
    c.partners
        .iter()
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(", ")
}

fn village_list(c: &Campaign) -> String {
    c.villages
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn campaigns(state: AppState, ctx: Officer, Query(q): Query<PageQuery>) -> Reply {
    let as_of = q.as_of()?;
    let lines = state
        .store
        .campaigns(ctx.code)
        .await?
        .into_iter()
        .map(|c| CampaignLine {
            date: format_date(c.held_on),
            partners: partner_list(&c),
            villages: village_list(&c),
            participants: format_int(c.participants as i64),
            reached: format_int(c.citizens_reached as i64),
            campaign: c,
        })
        .collect();
    render(CampaignsPage {
        layout: ctx.layout("campaigns"),
        figures: figures(
            &state,
            ctx.code,
            as_of,
            &[IndicatorCode::Campaigns, IndicatorCode::CampaignReach],
        )
        .await?,
        lines,
        as_of: format_date(as_of),
        saved: q.saved(),
        deleted: q.deleted(),
    })
}

async fn campaigns_csv(state: AppState, ctx: Officer) -> Reply {
    let mut table = Table::new(
        "Ra quan",
        format!(
            "CÁC ĐỢT RA QUÂN PHỐI HỢP VỚI CÁC TỔ CHỨC — {}",
            ctx.name.to_uppercase()
        ),
        [
            ("Tên đợt, phong trào", 36.0),
            ("Ngày", 12.0),
            ("Tổ chức phối hợp", 36.0),
            ("Thôn, tổ dân phố", 48.0),
            ("Số người tham gia", 12.0),
            ("Số người dân được tiếp cận", 14.0),
            ("Ghi chú", 24.0),
        ]
        .into_iter()
        .map(|(h, w)| Column::new(h, w))
        .collect(),
    );
    for c in state.store.campaigns(ctx.code).await? {
        table.rows.push(vec![
            Value::text(&c.name),
            Value::Date(c.held_on),
            Value::text(partner_list(&c)),
            Value::text(village_list(&c)),
            Value::Int(c.participants as i64),
            Value::Int(c.citizens_reached as i64),
            Value::opt_text(c.note.clone()),
        ]);
    }
    csv_response(&table, &format!("ra-quan-{}.csv", ctx.code))
}

#[derive(Template)]
#[template(path = "campaign_form.html")]
struct CampaignForm {
    layout: Layout,
    form: Form,
    partners: Choices,
    villages: Choices,
    /// The campaign being corrected (none for a new one).
    campaign: Option<Campaign>,
    delete: Form,
}

impl CampaignForm {
    fn checked(&self, name: &str) -> bool {
        self.form.value(name) == "on"
    }
}

/// The form of a new campaign, or of `campaign` being corrected: the
/// villages active today, and those the campaign already lists.
async fn campaign_form(
    state: &AppState,
    ctx: &CommuneCtx,
    form: Form,
    campaign: Option<Campaign>,
    delete: Form,
) -> Result<CampaignForm, WebError> {
    let today = toso_store::today();
    let villages = state
        .store
        .villages(ctx.code, None)
        .await?
        .into_iter()
        .filter(|v| {
            v.is_active_on(today)
                || campaign
                    .as_ref()
                    .is_some_and(|c| c.villages.iter().any(|(id, _)| *id == v.id))
        })
        .map(|v| (v.id.to_string(), v.name))
        .collect();
    Ok(CampaignForm {
        layout: ctx.layout("campaigns"),
        form,
        partners: choices(PartnerOrganisation::ALL),
        villages,
        campaign,
        delete,
    })
}

async fn new_campaign(state: AppState, ctx: Manager) -> Reply {
    let form = Form::filled([("held_on", format_date(toso_store::today()))]);
    render(campaign_form(&state, &ctx, form, None, Form::default()).await?)
}

/// The campaign typed in `fields`, or `None` with the refusals in `form`.
fn parse_campaign(
    form: &mut Form,
    fields: &HashMap<String, String>,
    commune_code: i32,
) -> Option<NewCampaign> {
    let village_ids: Vec<i64> = fields
        .iter()
        .filter(|(_, v)| *v == "on")
        .filter_map(|(k, _)| k.strip_prefix("village_")?.parse().ok())
        .collect();
    let name = form.field("name", |s| {
        Name::parse_field(s, "name", "Tên đợt ra quân", 200)
    });
    let held_on = form.date("held_on", "Ngày ra quân");
    let participants = form.count("participants", "Số người tham gia");
    let reached = form.count("citizens_reached", "Số người dân được tiếp cận");
    let partners: Vec<PartnerOrganisation> = PartnerOrganisation::ALL
        .iter()
        .copied()
        .filter(|p| form.value(&format!("partner_{}", p.code())) == "on")
        .collect();
    Some(NewCampaign {
        commune_code,
        name: name?,
        held_on: held_on?,
        partners,
        village_ids,
        participants: participants?,
        citizens_reached: reached?,
        note: Some(form.free_text("note").chars().take(500).collect()),
    })
}

async fn create_campaign(
    state: AppState,
    ctx: Manager,
    axum::extract::Form(fields): Fields,
) -> Reply {
    let mut form = Form::new(fields.clone());
    let actor = ctx.actor();
    let write = parse_campaign(&mut form, &fields, ctx.code)
        .map(|new| state.store.create_campaign(&actor, new));
    let again = async |form| campaign_form(&state, &ctx, form, None, Form::default()).await;
    submit(form, write, ctx.path("campaigns"), again).await
}

/// The values of a stored campaign, as its form shows them.
fn campaign_values(c: &Campaign) -> Form {
    let mut values: HashMap<String, String> = [
        ("name", c.name.clone()),
        ("held_on", format_date(c.held_on)),
        ("participants", c.participants.to_string()),
        ("citizens_reached", c.citizens_reached.to_string()),
        ("note", c.note.clone().unwrap_or_default()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for p in &c.partners {
        values.insert(format!("partner_{}", p.code()), "on".into());
    }
    for (id, _) in &c.villages {
        values.insert(format!("village_{id}"), "on".into());
    }
    Form::new(values)
}

async fn load_campaign(state: &AppState, ctx: &CommuneCtx, id: i64) -> Result<Campaign, WebError> {
    Ok(state.store.campaign_of(ctx.code, id).await?)
}

async fn edit_campaign(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let campaign = load_campaign(&state, &ctx, id).await?;
    let form = campaign_values(&campaign);
    render(campaign_form(&state, &ctx, form, Some(campaign), Form::default()).await?)
}

async fn update_campaign(
    state: AppState,
    ctx: Manager,
    Id(id): Id,
    axum::extract::Form(fields): Fields,
) -> Reply {
    let campaign = load_campaign(&state, &ctx, id).await?;
    let mut form = Form::new(fields.clone());
    let actor = ctx.actor();
    let write = parse_campaign(&mut form, &fields, ctx.code)
        .map(|new| state.store.update_campaign(&actor, campaign.id, new));
    let again =
        async |form| campaign_form(&state, &ctx, form, Some(campaign), Form::default()).await;
    submit(form, write, ctx.path("campaigns"), again).await
}

async fn delete_campaign(state: AppState, ctx: Manager, Id(id): Id, form: Form) -> Reply {
    let campaign = load_campaign(&state, &ctx, id).await?;
    let id = campaign.id;
    let write = async || {
        state
            .store
            .delete_campaign(&ctx.actor(), ctx.code, id)
            .await
    };
    let again = async |delete| {
        let form = campaign_values(&campaign);
        campaign_form(&state, &ctx, form, Some(campaign), delete).await
    };
    remove(form, write, ctx.path("campaigns"), again).await
}
