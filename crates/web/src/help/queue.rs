//! Inside the commune: the queue of requests (a team's own, the
//! quick-response team's escalated ones, every request for the officers)
//! and a request's page with take / done / could-not-help.

use super::*;
use crate::forms::Choices;
use crate::params::Id;
use crate::Reply;

#[derive(Deserialize, Default)]
pub(super) struct QueueQuery {
    state: Option<String>,
    overdue: Option<String>,
    pub(super) saved: Option<String>,
}

pub(super) struct Row {
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
pub(super) struct QueuePage {
    layout: Layout,
    title: String,
    rows: Vec<Row>,
    filter: String,
    overdue_only: bool,
    open: i64,
    overdue: i64,
    settings: HelpSettings,
}

pub(super) fn escalation_label(r: &HelpRequest) -> Option<&'static str> {
    match r.escalation.as_deref() {
        Some("handed") => Some("Tổ chuyển Đội phản ứng nhanh"),
        Some(_) => Some("Quá hạn, đã chuyển Đội phản ứng nhanh"),
        None => None,
    }
}

pub(super) fn row(r: &HelpRequest, personal: bool, now: chrono::DateTime<Utc>) -> Row {
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

pub(super) async fn queue(state: AppState, ctx: CommuneCtx, Query(q): Query<QueueQuery>) -> Reply {
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
pub(super) struct RequestPage {
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
    categories: Choices,
    history: Vec<(String, String, String)>,
    saved: bool,
    can_hand_over: bool,
}

pub(crate) async fn load_request(
    state: &AppState,
    ctx: &CommuneCtx,
    id: i64,
) -> Result<(HelpRequest, Option<i64>), WebError> {
    let r = ctx.load(state.store.help_request(id)).await?;
    let qr = quick_response_id(state, ctx).await?;
    if !may_see(ctx.access, &r, qr) {
        return Err(forbidden());
    }
    Ok((r, qr))
}

pub(super) fn action_label(action: &str) -> &'static str {
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

pub(super) async fn request_view(
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

pub(super) fn done_defaults(r: &HelpRequest) -> Form {
    Form::filled([
        ("category", r.category.clone()),
        ("citizens_helped", "1".to_string()),
        ("dossiers", "0".to_string()),
    ])
}

pub(super) async fn request_page(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    Query(q): Query<QueueQuery>,
) -> Reply {
    let (r, qr) = load_request(&state, &ctx, id).await?;
    let forms = (done_defaults(&r), Form::default());
    render(request_view(&state, &ctx, r, qr, forms, q.saved.is_some()).await?)
}

/// The request of the path, which the user may act on.
pub(crate) async fn acting(
    state: &AppState,
    ctx: &CommuneCtx,
    id: i64,
) -> Result<(HelpRequest, Option<i64>), WebError> {
    let (r, qr) = load_request(state, ctx, id).await?;
    if !may_act(ctx.access, &r, qr) {
        return Err(forbidden());
    }
    Ok((r, qr))
}

pub(super) fn request_path(ctx: &CommuneCtx, id: i64) -> String {
    ctx.path(&format!("requests/{id}"))
}

pub(super) async fn take(state: AppState, ctx: CommuneCtx, Id(id): Id) -> Reply {
    let (r, qr) = acting(&state, &ctx, id).await?;
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

pub(super) async fn done(state: AppState, ctx: CommuneCtx, Id(id): Id, mut form: Form) -> Reply {
    let (r, qr) = acting(&state, &ctx, id).await?;
    let team_id = acting_team(ctx.access, &r, qr);
    let category = form.field("category", |s| SupportCategory::parse(s, "category"));
    let citizens = form.count("citizens_helped", "Số người được hỗ trợ");
    let dossiers = form.optional_count("dossiers", "Số hồ sơ trực tuyến");
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

pub(super) async fn unable(state: AppState, ctx: CommuneCtx, Id(id): Id, mut form: Form) -> Reply {
    let (r, qr) = acting(&state, &ctx, id).await?;
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
