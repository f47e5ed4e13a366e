//! Citizens reach their village team (issue 20).
//!
//! Public pages, no account: the village page a poster's QR code opens
//! (`/v/{code}`: the team, the members who agreed to be listed, the Zalo
//! group, the quick-response team, and the help-request form), and the
//! status page a tracking code opens (`/tra-cuu/{code}`: state and dates,
//! never the name or phone). Both are small (no script, the app's one
//! stylesheet) and work at 320 px.
//!
//! Inside the commune: the queue of requests (`/communes/{code}/requests`:
//! a team's own, the quick-response team's escalated ones, every request
//! for the officers), a request's page with take / done / could-not-help,
//! the commune's deadlines and holidays, members' consent to be listed,
//! new village codes, and the posters (one village, or the whole commune).
//!
//! Who sees the citizen's name and phone: the team the request is routed
//! to, the quick-response team once it is escalated, and the commune's
//! managers ([`may_act`]); the province and the Ministry see the request
//! without them.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use serde::Deserialize;
use toso_domain::{
    display_code, format_date, normalize_code, parse_date, plain_text, HelpState, PersonName,
    PhoneNumber, SupportCategory, DESCRIPTION_MAX, PREFERRED_TIME_MAX, REASON_MAX,
};
use toso_store::help::format_moment;
use toso_store::{
    HelpDone, HelpRequest, HelpSettings, Holiday, NewHelpRequest, PublicLookup, PublicTeam,
    PublicVillage, QueueScope,
};

use crate::access::{forbidden, Access};
use crate::forms::{count_field, Csrf, Fields, Form};
use crate::layout::{CommuneCtx, InCommune, Layout, Manager, Officer};
use crate::respond::{refused, render, saved};
use crate::{params, AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v/{code}", get(village_page).post(submit_request))
        .route("/tra-cuu", get(lookup))
        .route("/tra-cuu/{code}", get(status_page))
        .route("/communes/{code}/requests", get(queue))
        .route(
            "/communes/{code}/requests/settings",
            get(settings_form).post(save_settings),
        )
        .route("/communes/{code}/requests/{id}", get(request_page))
        .route("/communes/{code}/requests/{id}/take", post(take))
        .route("/communes/{code}/requests/{id}/done", post(done))
        .route("/communes/{code}/requests/{id}/unable", post(unable))
        .route("/communes/{code}/members/{id}/listing", post(listing))
        .route(
            "/communes/{code}/villages/{id}/public-code",
            post(renew_code),
        )
        .route("/communes/{code}/teams/{id}/poster.pdf", get(team_poster))
        .route("/communes/{code}/posters.pdf", get(commune_posters))
}

// ---------------------------------------------------------------------------
// Limits of the public intake
// ---------------------------------------------------------------------------

/// Requests one address may send in [`INTAKE_WINDOW`].
const PER_ADDRESS: usize = 5;
const INTAKE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Addresses remembered at most (a flood from many addresses cannot grow
/// the table without bound; the oldest are forgotten first).
const ADDRESSES_KEPT: usize = 10_000;

/// The recent submissions of each address, in memory: a citizen sends one
/// or two requests; a script sending hundreds is refused before the
/// database is touched. The village's hourly and the commune's daily
/// limits ([`toso_store::help`]) hold across restarts and addresses.
#[derive(Clone, Default)]
pub struct Intake(Arc<Mutex<HashMap<String, VecDeque<Instant>>>>);

impl Intake {
    /// Count a submission from `address` at `now`; false when over the
    /// limit (then nothing is counted).
    pub fn allow(&self, address: &str, now: Instant) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= ADDRESSES_KEPT && !map.contains_key(address) {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < INTAKE_WINDOW)
            });
            if map.len() >= ADDRESSES_KEPT {
                return false;
            }
        }
        let times = map.entry(address.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= INTAKE_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= PER_ADDRESS {
            return false;
        }
        times.push_back(now);
        true
    }
}

/// Whom the intake limit counts: the client's address; behind a trusted
/// reverse proxy, the one its `X-Forwarded-For` names (see [`crate::ops::client_ip`]).
pub struct ClientKey(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientKey {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientKey(
            crate::ops::client_of(parts).map_or_else(String::new, |c| c.0.to_string()),
        ))
    }
}

/// The address the public pages print in QR codes: the configured
/// `public_url` when there is one, else the request's own host (and
/// scheme, `https` behind a TLS-terminating proxy).
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = state.ops.settings.public_url.as_deref() {
        if !url.trim().is_empty() {
            return url.trim().trim_end_matches('/').to_string();
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost:8080");
    let scheme = if crate::forms::behind_https(headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

// ---------------------------------------------------------------------------
// Who may do what with a request
// ---------------------------------------------------------------------------

/// May act on `r` (take, close, hand over) and see the citizen's name and
/// phone: the team it is routed to, the quick-response team once it is
/// escalated, the commune's managers.
pub fn may_act(access: Access, r: &HelpRequest, quick_response: Option<i64>) -> bool {
    match access {
        Access::Manage => true,
        Access::Read => false,
        Access::Team { team_id, .. } => {
            r.team_id == Some(team_id)
                || (Some(team_id) == quick_response && r.escalated_at.is_some())
        }
    }
}

/// May see `r` at all: its actors, and the officers who read the commune.
fn may_see(access: Access, r: &HelpRequest, quick_response: Option<i64>) -> bool {
    matches!(access, Access::Read) || may_act(access, r, quick_response)
}

impl InCommune for HelpRequest {
    fn commune_code(&self) -> Option<i32> {
        Some(self.commune_code)
    }
    fn elsewhere(commune_name: &str) -> String {
        format!("Không tìm thấy yêu cầu hỗ trợ này trong {commune_name}.")
    }
}

fn categories() -> Vec<(String, String)> {
    SupportCategory::ALL
        .iter()
        .map(|c| (c.code().to_string(), c.label().to_string()))
        .collect()
}

fn phone_text(phone: Option<&str>) -> String {
    phone
        .and_then(|p| PhoneNumber::parse(p).ok())
        .map(|p| p.display())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// The public village page and the intake
// ---------------------------------------------------------------------------

struct MemberLine {
    name: String,
    role: &'static str,
    phone: String,
    tel: String,
}

struct TeamBox {
    name: String,
    zalo: Option<String>,
    zalo_qr: String,
    members: Vec<MemberLine>,
}

fn team_box(t: &PublicTeam, with_qr: bool) -> TeamBox {
    TeamBox {
        name: t.name.clone(),
        zalo_qr: match (&t.zalo_link, with_qr) {
            (Some(z), true) => crate::teams::qr_svg(z),
            _ => String::new(),
        },
        zalo: t.zalo_link.clone(),
        members: t
            .members
            .iter()
            .map(|m| MemberLine {
                name: m.name.clone(),
                role: m.role.label(),
                phone: phone_text(m.phone.as_deref()),
                tel: m.phone.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "public_village.html")]
struct VillagePage {
    csrf: String,
    code: String,
    village: String,
    commune: String,
    province: String,
    team: Option<TeamBox>,
    quick_response: Option<TeamBox>,
    form: Form,
    categories: Vec<(String, String)>,
}

fn village_view(v: &PublicVillage, csrf: String, form: Form) -> VillagePage {
    VillagePage {
        csrf,
        code: v.code.clone(),
        village: v.village_name.clone(),
        commune: v.commune_name.clone(),
        province: v.province_name.clone(),
        team: v.team.as_ref().map(|t| team_box(t, true)),
        quick_response: v.quick_response.as_ref().map(|t| team_box(t, false)),
        form,
        categories: categories(),
    }
}

#[derive(Template)]
#[template(path = "public_gone.html")]
struct GonePage {
    title: &'static str,
    message: String,
    commune: Option<String>,
    quick_response: Option<TeamBox>,
}

/// The friendly 404 of an unknown or expired village code: what to do
/// instead, with the commune's contact when the code was once valid.
fn gone(lookup: PublicLookup) -> Result<Response, WebError> {
    let page = match lookup {
        PublicLookup::Expired {
            commune_name,
            quick_response,
        } => GonePage {
            title: "Mã thôn đã hết hiệu lực",
            message: format!(
                "Mã này đã được thay bằng mã mới hoặc thôn không còn hoạt động. Vui lòng quét mã QR trên áp phích mới ở nhà văn hóa, hoặc liên hệ {commune_name}."
            ),
            quick_response: quick_response.as_ref().map(|t| team_box(t, false)),
            commune: Some(commune_name),
        },
        _ => GonePage {
            title: "Không tìm thấy thôn",
            message: "Không có thôn, tổ dân phố nào với mã này. Vui lòng kiểm tra lại địa chỉ (mã gồm 8 ký tự in trên áp phích), hoặc liên hệ UBND xã, phường nơi bạn ở.".into(),
            commune: None,
            quick_response: None,
        },
    };
    Ok((StatusCode::NOT_FOUND, Html(page.render()?)).into_response())
}

async fn village_page(
    State(state): State<AppState>,
    Csrf(csrf): Csrf,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let Some(code) = normalize_code(&code) else {
        return gone(PublicLookup::Unknown);
    };
    match state
        .store
        .public_village(&code, toso_store::today())
        .await?
    {
        PublicLookup::Found(v) => {
            let form = Form::filled([("category", SupportCategory::Vneid.code().to_string())]);
            render(village_view(&v, csrf, form))
        }
        other => gone(other),
    }
}

/// The fields of the help-request form, parsed; their errors beside them.
fn parse_request(form: &mut Form, village_code: String) -> Option<NewHelpRequest> {
    let category = form.field("category", |s| SupportCategory::parse(s, "category"));
    let description = form.field("description", |s| {
        plain_text(
            s,
            "description",
            "Nội dung cần hỗ trợ",
            DESCRIPTION_MAX,
            false,
        )
    });
    let name = form.field("citizen_name", |s| {
        // Refused, not cleaned away: the citizen sees what was wrong.
        plain_text(s, "citizen_name", "Họ và tên", 80, true)?;
        PersonName::parse(s).map_err(|e| toso_domain::DomainError::new("citizen_name", e.message))
    });
    let phone = form.field("citizen_phone", |s| {
        PhoneNumber::parse(s).map_err(|e| toso_domain::DomainError::new("citizen_phone", e.message))
    });
    let preferred = form.field("preferred_time", |s| {
        plain_text(
            s,
            "preferred_time",
            "Thời gian thuận tiện",
            PREFERRED_TIME_MAX,
            false,
        )
    });
    Some(NewHelpRequest {
        village_code,
        category: category?,
        description: description?,
        citizen_name: name?,
        citizen_phone: phone?,
        preferred_time: preferred?,
    })
}

async fn submit_request(
    State(state): State<AppState>,
    Csrf(csrf): Csrf,
    Path(code): Path<String>,
    ClientKey(address): ClientKey,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let Some(code) = normalize_code(&code) else {
        return gone(PublicLookup::Unknown);
    };
    let village = match state
        .store
        .public_village(&code, toso_store::today())
        .await?
    {
        PublicLookup::Found(v) => v,
        other => return gone(other),
    };
    let mut form = Form::new(fields);
    // The honeypot: a field people never see (hidden by the stylesheet
    // and marked for screen readers); only a script fills it in.
    if !form.value("website").is_empty() {
        form.add_error(
            "description",
            "Chưa gửi được yêu cầu. Vui lòng thử lại, hoặc gọi trực tiếp cho tổ.",
        );
        return refused(village_view(&village, csrf, form));
    }
    let parsed = parse_request(&mut form, code);
    let Some(new) = parsed else {
        return refused(village_view(&village, csrf, form));
    };
    if !state.intake.allow(&address, Instant::now()) {
        form.add_error(
            "description",
            "Bạn đã gửi nhiều yêu cầu trong ít phút. Vui lòng đợi 15 phút rồi gửi lại, hoặc gọi trực tiếp cho tổ.",
        );
        return refused(village_view(&village, csrf, form));
    }
    match state.store.create_help_request(new, Utc::now()).await {
        Ok(r) => Ok(Redirect::to(&format!("/tra-cuu/{}?moi", r.tracking_code)).into_response()),
        Err(toso_store::StoreError::Invalid(e)) => {
            form.add_error(e.field, e.message);
            refused(village_view(&village, csrf, form))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct LookupQuery {
    ma: Option<String>,
    moi: Option<String>,
}

#[derive(Template)]
#[template(path = "public_status.html")]
struct StatusPage {
    code: String,
    typed: String,
    error: Option<String>,
    request: Option<StatusView>,
    new: bool,
}

struct StatusView {
    state: &'static str,
    done: bool,
    village: String,
    category: &'static str,
    received: String,
    respond_by: String,
    resolve_by: String,
    first_response: Option<String>,
    closed: Option<String>,
    handed: bool,
}

/// `/tra-cuu?ma=…`: the lookup form, or straight to the code's page.
async fn lookup(Query(q): Query<LookupQuery>) -> Result<Response, WebError> {
    let typed = q.ma.unwrap_or_default();
    if typed.trim().is_empty() {
        return render(StatusPage {
            code: String::new(),
            typed,
            error: None,
            request: None,
            new: false,
        });
    }
    match normalize_code(&typed) {
        Some(code) => Ok(Redirect::to(&format!("/tra-cuu/{code}")).into_response()),
        None => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(
                StatusPage {
                    code: String::new(),
                    error: Some(format!(
                        "Mã tra cứu «{}» không đúng: mã gồm 8 chữ và số in hoa, ví dụ ABCD-2345.",
                        typed.chars().take(40).collect::<String>()
                    )),
                    typed,
                    request: None,
                    new: false,
                }
                .render()?,
            ),
        )
            .into_response()),
    }
}

async fn status_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LookupQuery>,
) -> Result<Response, WebError> {
    let missing = |typed: String| -> Result<Response, WebError> {
        Ok((
            StatusCode::NOT_FOUND,
            Html(
                StatusPage {
                    code: String::new(),
                    error: Some(
                        "Không tìm thấy yêu cầu với mã này. Vui lòng kiểm tra lại mã tra cứu (8 ký tự)."
                            .into(),
                    ),
                    typed,
                    request: None,
                    new: false,
                }
                .render()?,
            ),
        )
            .into_response())
    };
    let Some(normal) = normalize_code(&code) else {
        return missing(code.chars().take(40).collect());
    };
    let r = match state.store.help_request_by_code(&normal).await {
        Ok(r) => r,
        Err(toso_store::StoreError::NotFound(_)) => return missing(display_code(&normal)),
        Err(e) => return Err(e.into()),
    };
    render(StatusPage {
        code: display_code(&r.tracking_code),
        typed: String::new(),
        error: None,
        new: q.moi.is_some(),
        request: Some(StatusView {
            state: r.state.citizen_label(),
            done: r.state == HelpState::Done,
            village: r.village_name.clone(),
            category: r.category_label(),
            received: format_moment(r.received_at),
            respond_by: format_moment(r.respond_by),
            resolve_by: format_moment(r.resolve_by),
            first_response: r.first_response_at.map(format_moment),
            closed: r.closed_at.map(format_moment),
            handed: r.escalation.is_some() && !r.state.closed(),
        }),
    })
}

// ---------------------------------------------------------------------------
// The queue and a request's page
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct QueueQuery {
    state: Option<String>,
    overdue: Option<String>,
    saved: Option<String>,
}

struct Row {
    id: i64,
    code: String,
    received: String,
    village: String,
    category: &'static str,
    state: &'static str,
    deadline: String,
    overdue: bool,
    escalated: Option<&'static str>,
    citizen: Option<(String, String, String)>,
    assignee: String,
}

#[derive(Template)]
#[template(path = "help_queue.html")]
struct QueuePage {
    layout: Layout,
    title: String,
    rows: Vec<Row>,
    filter: String,
    overdue_only: bool,
    open: i64,
    overdue: i64,
    settings: HelpSettings,
}

fn escalation_label(r: &HelpRequest) -> Option<&'static str> {
    match r.escalation.as_deref() {
        Some("handed") => Some("Tổ chuyển Đội phản ứng nhanh"),
        Some(_) => Some("Quá hạn, đã chuyển Đội phản ứng nhanh"),
        None => None,
    }
}

fn row(r: &HelpRequest, personal: bool, now: chrono::DateTime<Utc>) -> Row {
    let deadline = if r.first_response_at.is_none() {
        format!("Phản hồi trước {}", format_moment(r.respond_by))
    } else {
        format!("Giải quyết trước {}", format_moment(r.resolve_by))
    };
    Row {
        id: r.id,
        code: display_code(&r.tracking_code),
        received: format_moment(r.received_at),
        village: r.village_name.clone(),
        category: r.category_label(),
        state: r.state.label(),
        deadline: if r.state.closed() {
            r.closed_at
                .map(|c| format!("Đóng lúc {}", format_moment(c)))
                .unwrap_or_default()
        } else {
            deadline
        },
        overdue: r.overdue(now),
        escalated: escalation_label(r),
        citizen: personal
            .then(|| {
                r.citizen_name.clone().map(|n| {
                    (
                        n,
                        phone_text(r.citizen_phone.as_deref()),
                        r.citizen_phone.clone().unwrap_or_default(),
                    )
                })
            })
            .flatten(),
        assignee: r.assignee_name.clone().unwrap_or_default(),
    }
}

/// The quick-response team's id, today.
pub(crate) async fn quick_response_id(
    state: &AppState,
    ctx: &CommuneCtx,
) -> Result<Option<i64>, WebError> {
    Ok(state
        .store
        .quick_response_team(ctx.code, toso_store::today())
        .await?
        .map(|t| t.id))
}

/// The queue `access` sees: a team's own requests (and, for the
/// quick-response team `qr`, every escalated one); the officers', every
/// request of the commune.
pub(crate) fn queue_scope(access: Access, qr: Option<i64>) -> QueueScope {
    match access {
        Access::Team { team_id, .. } => QueueScope::Team {
            team_id,
            quick_response: Some(team_id) == qr,
        },
        _ => QueueScope::Commune,
    }
}

async fn queue(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let qr = quick_response_id(&state, &ctx).await?;
    let scope = queue_scope(ctx.access, qr);
    let title = match scope {
        QueueScope::Team { team_id, .. } => {
            format!("Yêu cầu hỗ trợ — {}", state.store.team(team_id).await?.name)
        }
        QueueScope::Commune => format!("Yêu cầu hỗ trợ của người dân — {}", ctx.name),
    };
    let filter = q.state.clone().unwrap_or_default();
    let state_filter = match filter.as_str() {
        "" => None,
        s => Some(HelpState::parse(s, "state").map_err(WebError::Invalid)?),
    };
    let now = Utc::now();
    let overdue_only = q.overdue.is_some();
    let rows: Vec<Row> = state
        .store
        .help_queue(ctx.code, scope, state_filter, 500)
        .await?
        .iter()
        .filter(|r| !overdue_only || r.overdue(now))
        .map(|r| row(r, may_act(ctx.access, r, qr), now))
        .collect();
    let (open, overdue) = state.store.help_open_counts(ctx.code, now).await?;
    render(QueuePage {
        layout: ctx.layout("requests"),
        title,
        rows,
        filter,
        overdue_only,
        open,
        overdue,
        settings: state.store.help_settings(ctx.code).await?,
    })
}

#[derive(Template)]
#[template(path = "help_request.html")]
struct RequestPage {
    layout: Layout,
    row: Row,
    description: Option<String>,
    preferred_time: Option<String>,
    erased: bool,
    unable_reason: Option<String>,
    first_response: Option<String>,
    activity_id: Option<i64>,
    act: bool,
    open: bool,
    new: bool,
    done_form: Form,
    unable_form: Form,
    categories: Vec<(String, String)>,
    history: Vec<(String, String, String)>,
    saved: bool,
    can_hand_over: bool,
}

pub(crate) async fn load_request(
    state: &AppState,
    ctx: &CommuneCtx,
    id: &str,
) -> Result<(HelpRequest, Option<i64>), WebError> {
    let r = ctx.load(state.store.help_request(params::id(id)?)).await?;
    let qr = quick_response_id(state, ctx).await?;
    if !may_see(ctx.access, &r, qr) {
        return Err(forbidden());
    }
    Ok((r, qr))
}

fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "Người dân gửi yêu cầu",
        "take" => "Nhận hỗ trợ",
        "done" => "Đã hỗ trợ",
        "unable" => "Không hỗ trợ được",
        "hand_over" => "Chuyển Đội phản ứng nhanh",
        "escalate" => "Quá hạn: tự động chuyển Đội phản ứng nhanh",
        "erase_personal_data" => "Xóa thông tin cá nhân (hết thời gian lưu)",
        _ => "Cập nhật",
    }
}

async fn request_view(
    state: &AppState,
    ctx: &CommuneCtx,
    r: HelpRequest,
    qr: Option<i64>,
    forms: (Form, Form),
    saved: bool,
) -> Result<RequestPage, WebError> {
    let act = may_act(ctx.access, &r, qr);
    let history = state
        .store
        .audit_of("help_request", r.id)
        .await?
        .into_iter()
        .map(|e| {
            (
                format_moment(e.at),
                action_label(&e.action).to_string(),
                e.actor,
            )
        })
        .collect();
    let now = Utc::now();
    Ok(RequestPage {
        layout: ctx.layout("requests"),
        row: row(&r, act, now),
        description: r.description.clone().filter(|_| act),
        preferred_time: r.preferred_time.clone().filter(|_| act),
        erased: r.erased_at.is_some(),
        unable_reason: r.unable_reason.clone(),
        first_response: r.first_response_at.map(format_moment),
        activity_id: r.activity_id,
        act,
        open: !r.state.closed(),
        new: r.state == HelpState::New,
        done_form: forms.0,
        unable_form: forms.1,
        categories: categories(),
        history,
        saved,
        can_hand_over: qr.is_some() && r.team_id != qr,
    })
}

fn done_defaults(r: &HelpRequest) -> Form {
    Form::filled([
        ("category", r.category.clone()),
        ("citizens_helped", "1".to_string()),
        ("dossiers", "0".to_string()),
    ])
}

async fn request_page(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let (r, qr) = load_request(&state, &ctx, &id).await?;
    let forms = (done_defaults(&r), Form::default());
    render(request_view(&state, &ctx, r, qr, forms, q.saved.is_some()).await?)
}

/// The request of the path, which the user may act on.
pub(crate) async fn acting(
    state: &AppState,
    ctx: &CommuneCtx,
    id: &str,
) -> Result<(HelpRequest, Option<i64>), WebError> {
    let (r, qr) = load_request(state, ctx, id).await?;
    if !may_act(ctx.access, &r, qr) {
        return Err(forbidden());
    }
    Ok((r, qr))
}

fn request_path(ctx: &CommuneCtx, id: i64) -> String {
    ctx.path(&format!("requests/{id}"))
}

async fn take(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (r, qr) = acting(&state, &ctx, &id).await?;
    let name = ctx.user.full_name.clone();
    match state
        .store
        .take_help_request(&ctx.actor(), r.id, (ctx.user.id, &name), Utc::now())
        .await
    {
        Ok(_) => Ok(saved(request_path(&ctx, r.id))),
        Err(toso_store::StoreError::Invalid(e)) => {
            let mut form = done_defaults(&r);
            form.add_error("state", e.message);
            refused(request_view(&state, &ctx, r, qr, (form, Form::default()), false).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The team whose support activity closing `r` as done records: a
/// member's own team; for an officer, the team the request is routed to
/// (else the quick-response team `qr`).
pub(crate) fn acting_team(access: Access, r: &HelpRequest, qr: Option<i64>) -> Option<i64> {
    match access {
        Access::Team { team_id, .. } => Some(team_id),
        _ => r.team_id.or(qr),
    }
}

/// Why a request of a village without a team cannot be closed as done.
pub(crate) const NO_TEAM: &str =
    "Thôn chưa có tổ và xã chưa có Đội phản ứng nhanh: chưa ghi được lượt hỗ trợ.";

async fn done(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let (r, qr) = acting(&state, &ctx, &id).await?;
    let team_id = acting_team(ctx.access, &r, qr);
    let mut form = Form::new(fields);
    let category = form.field("category", |s| SupportCategory::parse(s, "category"));
    let citizens = form.field(
        "citizens_helped",
        count_field("citizens_helped", "Số người được hỗ trợ"),
    );
    let dossiers = form.optional("dossiers", count_field("dossiers", "Số hồ sơ trực tuyến"));
    let note = form.field("note", |s| plain_text(s, "note", "Ghi chú", 300, false));
    if team_id.is_none() {
        form.add_error("state", NO_TEAM);
    }
    if let (Some(team_id), Some(category), Some(citizens_helped), Some(dossiers), Some(note)) =
        (team_id, category, citizens, dossiers, note)
    {
        let done = HelpDone {
            category,
            citizens_helped,
            dossiers: dossiers.unwrap_or(0),
            note: Some(note),
        };
        match state
            .store
            .close_help_request_done(&ctx.actor(), r.id, team_id, done, Utc::now())
            .await
        {
            Ok(_) => return Ok(saved(request_path(&ctx, r.id))),
            Err(e) => form.refused(e)?,
        }
    }
    refused(request_view(&state, &ctx, r, qr, (form, Form::default()), false).await?)
}

async fn unable(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let (r, qr) = acting(&state, &ctx, &id).await?;
    let mut form = Form::new(fields);
    let hand_over = form.value("hand_over") == "on";
    let reason = form.field("reason", |s| {
        plain_text(s, "reason", "Lý do", REASON_MAX, true)
    });
    if let Some(reason) = reason {
        match state
            .store
            .close_help_request_unable(&ctx.actor(), r.id, &reason, hand_over, Utc::now())
            .await
        {
            Ok(_) => return Ok(saved(request_path(&ctx, r.id))),
            Err(e) => form.refused(e)?,
        }
    }
    let defaults = done_defaults(&r);
    refused(request_view(&state, &ctx, r, qr, (defaults, form), false).await?)
}

// ---------------------------------------------------------------------------
// Settings, consent, village codes, posters
// ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "help_settings.html")]
struct SettingsPage {
    layout: Layout,
    form: Form,
    saved: bool,
}

fn holidays_text(holidays: &[Holiday]) -> String {
    holidays
        .iter()
        .map(|h| format!("{} {}", format_date(h.day), h.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One holiday per line: "dd/mm/yyyy Name" (the name may be left out).
fn parse_holidays(text: &str) -> Result<Vec<Holiday>, toso_domain::DomainError> {
    let mut out: Vec<Holiday> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (date, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let day = parse_date(date, "holidays", "Ngày nghỉ").map_err(|e| {
            toso_domain::DomainError::new("holidays", format!("Dòng {}: {}", i + 1, e.message))
        })?;
        let name = plain_text(name, "holidays", "Tên ngày nghỉ", 80, false).map_err(|e| {
            toso_domain::DomainError::new("holidays", format!("Dòng {}: {}", i + 1, e.message))
        })?;
        if out.len() >= 100 {
            return Err(toso_domain::DomainError::new(
                "holidays",
                "Tối đa 100 ngày nghỉ.",
            ));
        }
        out.push(Holiday {
            day,
            name: if name.is_empty() {
                "Ngày nghỉ".into()
            } else {
                name
            },
        });
    }
    Ok(out)
}

async fn settings_form(
    State(state): State<AppState>,
    Officer(ctx): Officer,
    Query(q): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let s = state.store.help_settings(ctx.code).await?;
    let holidays = state.store.holidays(ctx.code).await?;
    render(SettingsPage {
        layout: ctx.layout("requests"),
        form: Form::filled([
            ("response_hours", s.response_hours.to_string()),
            ("resolution_days", s.resolution_days.to_string()),
            ("retention_days", s.retention_days.to_string()),
            ("holidays", holidays_text(&holidays)),
        ]),
        saved: q.saved.is_some(),
    })
}

async fn save_settings(
    State(state): State<AppState>,
    Manager(ctx): Manager,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let mut form = Form::new(fields);
    let number = |field: &'static str, label: &'static str| count_field(field, label);
    let response_hours = form.field(
        "response_hours",
        number("response_hours", "Thời hạn phản hồi"),
    );
    let resolution_days = form.field(
        "resolution_days",
        number("resolution_days", "Thời hạn giải quyết"),
    );
    let retention_days = form.field(
        "retention_days",
        number("retention_days", "Thời gian giữ thông tin cá nhân"),
    );
    let holidays = form.field("holidays", parse_holidays);
    if let (Some(response_hours), Some(resolution_days), Some(retention_days), Some(holidays)) =
        (response_hours, resolution_days, retention_days, holidays)
    {
        let settings = HelpSettings {
            response_hours,
            resolution_days,
            retention_days,
        };
        match state
            .store
            .save_help_settings(&ctx.actor(), ctx.code, settings, holidays)
            .await
        {
            Ok(()) => return Ok(saved(ctx.path("requests/settings"))),
            Err(e) => form.refused(e)?,
        }
    }
    refused(SettingsPage {
        layout: ctx.layout("requests"),
        form,
        saved: false,
    })
}

/// A member's consent to be listed on the public page and poster: the
/// member themself, the team's leader, the commune's managers.
async fn listing(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    axum::extract::Form(fields): Fields,
) -> Result<Response, WebError> {
    let membership = state.store.membership(params::id(&id)?).await?;
    let team = ctx.load(state.store.team(membership.team_id)).await?;
    if !ctx.access.profile(team.id, membership.person_id) {
        return Err(forbidden());
    }
    let listed = fields.get("listed").is_some_and(|v| v == "on");
    state
        .store
        .set_listed_publicly(&ctx.actor(), membership.person_id, listed)
        .await?;
    Ok(saved(ctx.path(&format!("members/{}", membership.id))))
}

async fn renew_code(
    State(state): State<AppState>,
    Manager(ctx): Manager,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let village = ctx.load(state.store.village(params::id(&id)?)).await?;
    state
        .store
        .renew_village_code(&ctx.actor(), village.id)
        .await?;
    Ok(saved(ctx.path(&format!("villages/{}/edit", village.id))))
}

fn pdf(name: &str, bytes: Vec<u8>) -> Response {
    crate::imports::attachment(name, "application/pdf", bytes)
}

/// The poster of one team's village.
async fn team_poster(
    State(state): State<AppState>,
    ctx: CommuneCtx,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let team = ctx.load(state.store.team(params::id(&id)?)).await?;
    ctx.access.team_view(team.id)?;
    let Some(village_id) = team.village_id else {
        return Err(WebError::NotFound(
            "Đội phản ứng nhanh không có áp phích thôn: áp phích in cho từng thôn.".into(),
        ));
    };
    let today = toso_store::today();
    let village = state
        .store
        .public_villages(ctx.code, today)
        .await?
        .into_iter()
        .find(|v| v.village_id == village_id)
        .ok_or_else(|| WebError::NotFound("Thôn của tổ không còn hoạt động.".into()))?;
    let poster = toso_reporting::poster::poster_of(&village, &public_base(&state, &headers), today);
    let bytes =
        toso_pdf::render_posters(&[poster]).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(pdf(&format!("ap-phich-{}.pdf", village.code), bytes))
}

/// Every village poster of the commune, one page each.
async fn commune_posters(
    State(state): State<AppState>,
    Officer(ctx): Officer,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let bytes = toso_reporting::poster::commune_posters(
        &state.store,
        ctx.code,
        &public_base(&state, &headers),
        toso_store::today(),
    )
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(pdf(&format!("ap-phich-{}.pdf", ctx.code), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intake_allows_five_per_address_per_window() {
        let intake = Intake::default();
        let t0 = Instant::now();
        for _ in 0..PER_ADDRESS {
            assert!(intake.allow("10.0.0.1", t0));
        }
        assert!(!intake.allow("10.0.0.1", t0));
        assert!(
            intake.allow("10.0.0.2", t0),
            "another address is not held back"
        );
        assert!(intake.allow("10.0.0.1", t0 + INTAKE_WINDOW));
    }

    #[test]
    fn holidays_parse_by_line_and_name_the_line() {
        let h = parse_holidays("01/01/2027 Tết Dương lịch\n\n02/09/2027").unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].name, "Tết Dương lịch");
        assert_eq!(h[1].name, "Ngày nghỉ");
        let e = parse_holidays("01/01/2027\n31/02/2027 Sai").unwrap_err();
        assert!(e.message.starts_with("Dòng 2"), "{}", e.message);
    }
}
