//! The support log from a team's page: the phone form's entry checked and
//! recorded once per client id (a double click, a retry or the offline
//! queue sending it again records nothing new), answered as a page or, for
//! the queue, as JSON (see [`crate::offline`]).

use super::*;
use crate::params::Id;
use crate::Reply;

/// Log a support activity from the team page (a phone form: date, what,
/// how many people, how many dossiers, who helped). With a `client_id` (the
/// form's hidden field, or the id the offline queue gave the entry) it is
/// recorded once however many times it is sent: a repeat answers like the
/// first success. A request that accepts JSON (the queue sending) gets the
/// JSON answers of [`crate::offline`], also when it is not signed in.
pub(super) async fn log_activity(
    state: AppState,
    headers: HeaderMap,
    ctx: Result<CommuneCtx, WebError>,
    Id(id): Id,
    axum::extract::Form(fields): Fields,
) -> Reply {
    if offline::wants_json(&headers) {
        let answer = async {
            let ctx = ctx?;
            let team = load_team(&state, &ctx, id).await?;
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
    let team = load_team(&state, &ctx, id).await?;
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
pub(super) enum Logged {
    /// Recorded: now, or before under the same client id (`repeat`).
    Written { id: i64, repeat: bool },
    /// Refused: the form with its errors beside their fields.
    Refused(Form),
}

/// The fields of the log form, in the order the page shows them (the first
/// refused is the one a JSON answer names).
pub(super) const LOG_FIELDS: [&str; 7] = [
    "activity_date",
    "category",
    "citizens_helped",
    "dossiers",
    "co_members",
    "note",
    "client_id",
];

/// The first refusal of a refused log form: its field and message.
pub(super) fn first_error(form: &Form) -> (&'static str, String) {
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
///
/// Written first, looked up only when the write cannot go ahead, as the
/// API's log route does: a first send (the usual case) costs the write
/// alone. The store answers a repeat refused by its checks or by the
/// unique client id with the original ([`toso_store::Store::create_activity_once`]);
/// a repeat from someone who may no longer log for the team is looked up
/// here, before the refusal.
pub(super) async fn record_activity(
    state: &AppState,
    ctx: &CommuneCtx,
    team: &Team,
    mut fields: HashMap<String, String>,
) -> Result<Logged, WebError> {
    let client_id = fields.get("client_id").map(|raw| ClientId::parse(raw));
    if !ctx.access.team_log(team.id) {
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
            fields.insert("client_id".to_string(), crate::new_client_id());
            bad_client_id = Some(e);
            None
        }
    };
    let mut form = Form::new(fields);
    if let Some(e) = bad_client_id {
        form.add_error(e.field, e.message);
    }
    let values = crate::activities::activity_values(&mut form);
    if let (Some(client_id), Some(values)) = (client_id, values) {
        let new = NewActivity {
            team_id: team.id,
            activity_date: values.activity_date,
            category: values.category,
            citizens_helped: values.citizens_helped,
            dossiers: values.dossiers,
            note: values.note,
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
