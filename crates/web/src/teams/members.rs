//! Members: adding one to a team (with the person), one member's page (the
//! roles and affiliations held over time, the public-listing consent),
//! editing, ending and moving a membership, and one person's memberships
//! across the commune's teams.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::*;
use crate::forms::Choices;
use crate::params::Id;
use crate::Reply;

/// The person fields of the member forms.
pub(super) fn parse_person(form: &mut Form, commune_code: i32) -> Option<NewPerson> {
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

pub(super) fn parse_role(form: &mut Form) -> Option<(Role, Affiliation)> {
    let role = form.field("role", |s| Role::parse(s, "role"));
    let affiliation = form.field("affiliation", |s| Affiliation::parse(s, "affiliation"));
    Some((role?, affiliation?))
}

pub(super) async fn add_member(
    state: AppState,
    ctx: CommuneCtx,
    Id(id): Id,
    mut form: Form,
) -> Reply {
    let team = crate::teams::team_of(&state, &ctx, id, Access::team_manage).await?;
    let person = parse_person(&mut form, ctx.code);
    let role = parse_role(&mut form);
    let started_on = form.date("started_on", "Ngày tham gia");
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
pub(super) struct PersonPage {
    layout: Layout,
    person: Person,
    /// Every membership of the person, latest first, each with its terms.
    memberships: Vec<(PersonMembership, Vec<MembershipTerm>)>,
}

/// One person's memberships across the commune's teams over time (officers).
pub(super) async fn person_page(state: AppState, ctx: Officer, Id(id): Id) -> Reply {
    let person = ctx.load(state.store.person(id)).await?;
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
pub(super) struct MemberPage {
    layout: Layout,
    member: MemberView,
    /// The roles and affiliations held, oldest first (the last is current).
    terms: Vec<MembershipTerm>,
    team: Team,
    form: Form,
    end: Form,
    transfer: Form,
    roles: Choices,
    affiliations: Choices,
    genders: Choices,
    teams: Choices,
    manage: bool,
    profile: bool,
    /// Agreed to be listed on the village's public page and poster.
    listed: bool,
}

pub(super) async fn load_member(
    state: &AppState,
    ctx: &CommuneCtx,
    id: i64,
) -> Result<(MemberView, Team), WebError> {
    let membership = state.store.membership(id).await?;
    let team = load_team(state, ctx, membership.team_id).await?;
    let member = state
        .store
        .team_members(team.id, None)
        .await?
        .into_iter()
        .find(|m| m.membership.id == membership.id)
        .ok_or_else(|| WebError::NotFound("Không tìm thấy thành viên này.".into()))?;
    Ok((member, team))
}

/// The membership named by the `{id}` path segment, with its team, in the
/// commune of the path: loaded before the handler runs (a membership of
/// another commune is not found). Each handler then checks what the user
/// may do with it.
pub(super) struct Member {
    ctx: CommuneCtx,
    member: MemberView,
    team: Team,
}

impl FromRequestParts<AppState> for Member {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let ctx = CommuneCtx::from_request_parts(parts, state).await?;
        let Id(id) = Id::from_request_parts(parts, state).await?;
        let (member, team) = load_member(state, &ctx, id).await?;
        Ok(Member { ctx, member, team })
    }
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

/// The member page's three forms: the profile, the end of the membership
/// and the transfer. `fresh` fills them as a first visit shows them; a
/// refused submission replaces its own form with what was sent.
pub(super) struct MemberForms {
    profile: Form,
    end: Form,
    transfer: Form,
}

impl MemberForms {
    pub(super) fn fresh(m: &MemberView) -> Self {
        MemberForms {
            profile: member_values(m),
            end: today_form("ended_on"),
            transfer: today_form("moved_on"),
        }
    }
}

pub(super) async fn member_page(
    state: &AppState,
    ctx: &CommuneCtx,
    (member, team): (MemberView, Team),
    forms: MemberForms,
) -> Result<MemberPage, WebError> {
    let MemberForms {
        profile: form,
        end,
        transfer,
    } = forms;
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
        roles: choices(Role::ALL),
        affiliations: choices(Affiliation::ALL),
        genders: gender_options(),
        teams,
    })
}

pub(super) async fn member_form(state: AppState, m: Member) -> Reply {
    let Member { ctx, member, team } = m;
    ctx.access.team_view(team.id)?;
    let forms = MemberForms::fresh(&member);
    render(member_page(&state, &ctx, (member, team), forms).await?)
}

pub(super) async fn update_member(state: AppState, m: Member, mut form: Form) -> Reply {
    let Member { ctx, member, team } = m;
    if !ctx.access.profile(team.id, member.membership.person_id) {
        return Err(forbidden());
    }
    let person = parse_person(&mut form, ctx.code);
    // A member editing their own profile cannot change their role.
    let (role, from) = if ctx.access.team_manage(team.id) {
        let from = if form.value("role_from").trim().is_empty() {
            Some(toso_store::today())
        } else {
            form.date("role_from", "Ngày hiệu lực")
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
    let forms = MemberForms {
        profile: form,
        ..MemberForms::fresh(&member)
    };
    refused(member_page(&state, &ctx, (member, team), forms).await?)
}

pub(super) async fn end_member(state: AppState, m: Member, mut form: Form) -> Reply {
    let Member { ctx, member, team } = m;
    if !ctx.access.team_manage(team.id) {
        return Err(forbidden());
    }
    let actor = ctx.actor();
    let write = form
        .date("ended_on", "Ngày kết thúc")
        .map(|on| state.store.end_membership(&actor, member.membership.id, on));
    let path = ctx.path(&format!("teams/{}", team.id));
    let fresh = MemberForms::fresh(&member);
    let again = async |end| {
        let forms = MemberForms { end, ..fresh };
        member_page(&state, &ctx, (member, team), forms).await
    };
    submit(form, write, path, again).await
}

pub(super) async fn move_member(
    state: AppState,
    ctx: Manager,
    Id(id): Id,
    mut form: Form,
) -> Reply {
    let (member, team) = load_member(&state, &ctx, id).await?;
    let to = form.field("team_id", |s| {
        s.parse::<i64>()
            .map_err(|_| toso_domain::DomainError::new("team_id", "Chọn tổ chuyển đến."))
    });
    let on = form.date("moved_on", "Ngày chuyển");
    if let (Some(to), Some(on)) = (to, on) {
        let target = load_team(&state, &ctx, to).await?;
        match state
            .store
            .move_membership(&ctx.actor(), member.membership.id, target.id, on)
            .await
        {
            Ok(_) => return Ok(saved(format!("/communes/{}/teams/{}", ctx.code, target.id))),
            Err(e) => form.refused(e)?,
        }
    }
    let forms = MemberForms {
        transfer: form,
        ..MemberForms::fresh(&member)
    };
    refused(member_page(&state, &ctx, (member, team), forms).await?)
}
