//! The commune's deadlines and holidays, members' consent to be listed,
//! new village codes, and the posters (one village's team, or the whole
//! commune).

use super::queue::QueueQuery;
use super::*;
use crate::params::Id;
use crate::Reply;

#[derive(Template)]
#[template(path = "help_settings.html")]
pub(super) struct SettingsPage {
    layout: Layout,
    form: Form,
    saved: bool,
}

pub(super) fn holidays_text(holidays: &[Holiday]) -> String {
    holidays
        .iter()
        .map(|h| format!("{} {}", format_date(h.day), h.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One holiday per line: "dd/mm/yyyy Name" (the name may be left out).
pub(super) fn parse_holidays(text: &str) -> Result<Vec<Holiday>, toso_domain::DomainError> {
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

pub(super) async fn settings_form(
    state: AppState,
    ctx: Officer,
    Query(q): Query<QueueQuery>,
) -> Reply {
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

pub(super) async fn save_settings(state: AppState, ctx: Manager, mut form: Form) -> Reply {
    let response_hours = form.count("response_hours", "Thời hạn phản hồi");
    let resolution_days = form.count("resolution_days", "Thời hạn giải quyết");
    let retention_days = form.count("retention_days", "Thời gian giữ thông tin cá nhân");
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
pub(super) async fn listing(state: AppState, ctx: CommuneCtx, Id(id): Id, form: Form) -> Reply {
    let membership = state.store.membership(id).await?;
    let team = ctx.load(state.store.team(membership.team_id)).await?;
    if !ctx.access.profile(team.id, membership.person_id) {
        return Err(forbidden());
    }
    let listed = form.value("listed") == "on";
    state
        .store
        .set_listed_publicly(&ctx.actor(), membership.person_id, listed)
        .await?;
    Ok(saved(ctx.path(&format!("members/{}", membership.id))))
}

pub(super) async fn renew_code(state: AppState, ctx: Manager, Id(id): Id) -> Reply {
    let village = ctx.load(state.store.village(id)).await?;
    state
        .store
        .renew_village_code(&ctx.actor(), village.id)
        .await?;
    Ok(saved(ctx.path(&format!("villages/{}/edit", village.id))))
}

pub(super) fn pdf(name: &str, bytes: Vec<u8>) -> Response {
    crate::respond::attachment(name, "application/pdf", bytes)
}

/// The poster of one team's village.
pub(super) async fn team_poster(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    headers: HeaderMap,
) -> Reply {
    let team = ctx.load(state.store.team(id)).await?;
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
pub(super) async fn commune_posters(state: AppState, ctx: Officer, headers: HeaderMap) -> Reply {
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
    fn holidays_parse_by_line_and_name_the_line() {
        let h = parse_holidays("01/01/2027 Tết Dương lịch\n\n02/09/2027").unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].name, "Tết Dương lịch");
        assert_eq!(h[1].name, "Ngày nghỉ");
        let e = parse_holidays("01/01/2027\n31/02/2027 Sai").unwrap_err();
        assert!(e.message.starts_with("Dòng 2"), "{}", e.message);
    }
}
