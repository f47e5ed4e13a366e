//! The public pages, no account: the village page a poster's QR code
//! opens (`/v/{code}`) with the help-request form and its intake, and the
//! status page a tracking code opens (`/tra-cuu/{code}`: state and dates,
//! never the name or phone).

use super::*;
use crate::forms::Choices;
use crate::Reply;
use axum::extract::FromRequestParts;

/// The code in a public address, as typed. An address whose code is not
/// even text (`/v/%FF`, from a badly printed or scanned poster) is an
/// unknown code, answered with the same friendly page as any other, not
/// the router's plain 400.
pub(super) struct TypedCode(String);

impl<S: Send + Sync> FromRequestParts<S> for TypedCode {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let code = Path::<String>::from_request_parts(parts, state).await;
        Ok(TypedCode(code.map(|Path(c)| c).unwrap_or_default()))
    }
}

pub(super) struct MemberLine {
    name: String,
    role: &'static str,
    phone: String,
    tel: String,
}

pub(super) struct TeamBox {
    name: String,
    zalo: Option<String>,
    zalo_qr: String,
    members: Vec<MemberLine>,
}

pub(super) fn team_box(t: &PublicTeam, with_qr: bool) -> TeamBox {
    TeamBox {
        name: t.name.clone(),
        zalo_qr: match (&t.zalo_link, with_qr) {
            (Some(z), true) => crate::svg::qr_svg(z),
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
pub(super) struct VillagePage {
    csrf: String,
    code: String,
    village: String,
    commune: String,
    province: String,
    team: Option<TeamBox>,
    quick_response: Option<TeamBox>,
    form: Form,
    categories: Choices,
}

pub(super) fn village_view(v: &PublicVillage, csrf: String, form: Form) -> VillagePage {
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
pub(super) struct GonePage {
    title: &'static str,
    message: String,
    commune: Option<String>,
    quick_response: Option<TeamBox>,
}

/// The friendly 404 of an unknown or expired village code: what to do
/// instead, with the commune's contact when the code was once valid.
pub(super) fn gone(lookup: PublicLookup) -> Reply {
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

pub(super) async fn village_page(
    state: AppState,
    Csrf(csrf): Csrf,
    TypedCode(code): TypedCode,
) -> Reply {
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
pub(super) fn parse_request(form: &mut Form, village_code: String) -> Option<NewHelpRequest> {
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

pub(super) async fn submit_request(
    state: AppState,
    Csrf(csrf): Csrf,
    TypedCode(code): TypedCode,
    ClientKey(address): ClientKey,
    mut form: Form,
) -> Reply {
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
pub(super) struct LookupQuery {
    ma: Option<String>,
    moi: Option<String>,
}

#[derive(Template)]
#[template(path = "public_status.html")]
pub(super) struct StatusPage {
    code: String,
    typed: String,
    error: Option<String>,
    request: Option<StatusView>,
    new: bool,
}

pub(super) struct StatusView {
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
pub(super) async fn lookup(Query(q): Query<LookupQuery>) -> Reply {
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

pub(super) async fn status_page(
    state: AppState,
    TypedCode(code): TypedCode,
    Query(q): Query<LookupQuery>,
) -> Reply {
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
