//! The SQL fragments of the indicator queries: the scope of a node and the
//! FROM ... WHERE of each kind of record, written once for every figure and
//! for the records behind it.

use super::*;

/// Ids written into a query's `IN (…)`: numbers the store read from the
/// database, never text from a request.
pub(super) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The SQL condition restricting rows to `node`, given the columns holding
/// the commune code and (where there is one) the village id. `$2` is the
/// node's code or id.
pub(super) fn scope(node: Node, commune_col: &str, village_col: Option<&str>) -> String {
    match (node, village_col) {
        // Everything: `$2` is bound to 0 for the nation.
        (Node::Nation, _) => "$2 = 0".to_string(),
        (Node::Province(_), _) => {
            format!("{commune_col} IN (SELECT code FROM communes WHERE province_code = $2)")
        }
        (Node::Commune(_), _) => format!("{commune_col} = $2"),
        (Node::Village(_), Some(col)) => format!("{col} = $2"),
        // Nothing without a village lies below a village.
        (Node::Village(_), None) => "1 = 0".to_string(),
    }
}

pub(super) fn node_key(node: Node) -> i64 {
    node.id()
}

/// What a query of memberships does with them: count them (by
/// `m.person_id`), or list them with their person's name (`p`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Members {
    Counted,
    Listed,
}

impl Members {
    /// The join of the person, only for a list: a count needs no join (the
    /// foreign key guarantees the person), and the join cost the national
    /// table 0.25–0.75 s on PostgreSQL (566,668 people hashed in batches).
    fn person(self) -> &'static str {
        match self {
            Members::Counted => "",
            Members::Listed => "JOIN people p ON p.id = m.person_id ",
        }
    }
}

/// `FROM … WHERE …` of the active village teams' memberships in scope.
pub(super) fn village_members_from(node: Node, members: Members) -> String {
    format!(
        "FROM memberships m JOIN teams t ON t.id = m.team_id JOIN villages v ON v.id = t.village_id \
         {}WHERE t.kind = 'village' AND {} AND {} AND {} AND {}",
        members.person(),
        active_on("m.started_on", "m.ended_on"),
        active_on("t.established_on", "t.dissolved_on"),
        active_on("v.active_from", "v.active_until"),
        // Scoped on the team (its commune is its village's): the planner
        // can then start from the commune's teams (index teams_commune)
        // instead of scanning every team in the country.
        scope(node, "t.commune_code", Some("t.village_id")),
    )
}

pub(super) fn quick_response_members_from(node: Node, members: Members) -> String {
    format!(
        "FROM memberships m JOIN teams t ON t.id = m.team_id \
         {}WHERE t.kind = 'quick_response' AND {} AND {} AND {}",
        members.person(),
        active_on("m.started_on", "m.ended_on"),
        active_on("t.established_on", "t.dissolved_on"),
        scope(node, "t.commune_code", None),
    )
}

pub(super) fn villages_from(node: Node) -> String {
    format!(
        "FROM villages v WHERE {} AND {}",
        active_on("v.active_from", "v.active_until"),
        scope(node, "v.commune_code", Some("v.id")),
    )
}

pub(super) fn teams_from(node: Node) -> String {
    format!(
        "FROM teams t JOIN villages v ON v.id = t.village_id WHERE t.kind = 'village' AND {} AND {} AND {}",
        active_on("t.established_on", "t.dissolved_on"),
        active_on("v.active_from", "v.active_until"),
        scope(node, "t.commune_code", Some("t.village_id")),
    )
}

/// `FROM … WHERE …` of the support activities in scope in the period
/// (up to `$1`, from `$3` when the period has a start).
pub(super) fn activities_from(node: Node, period: Period) -> String {
    format!(
        "FROM support_activities a WHERE a.activity_date <= $1{} AND {}",
        period.lower("a.activity_date"),
        scope(node, "a.commune_code", Some("a.village_id")),
    )
}

/// `FROM … WHERE …` of the contest registrations in scope in the period.
pub(super) fn registrations_from(node: Node, period: Period) -> String {
    format!(
        "FROM contest_registrations r JOIN contests c ON c.id = r.contest_id \
         WHERE r.registered_on <= $1{} AND {}",
        period.lower("r.registered_on"),
        scope(node, "c.commune_code", None),
    )
}

/// `FROM … WHERE …` of the training courses in scope started in the
/// period. Courses belong to the commune: none lies below a village.
pub(super) fn courses_from(node: Node, period: Period) -> String {
    format!(
        "FROM training_courses c WHERE c.starts_on <= $1{} AND {}",
        period.lower("c.starts_on"),
        scope(node, "c.commune_code", None),
    )
}

/// Registered (or, with `completed`, completed) people of course `c`:
/// members by name plus the counts of officials and citizens.
pub(super) fn course_people(completed: bool) -> String {
    if completed {
        "(c.officials_completed + c.citizens_completed + (SELECT COUNT(*) FROM training_participants tp \
         WHERE tp.course_id = c.id AND tp.completed = 1))"
            .to_string()
    } else {
        "(c.officials_registered + c.citizens_registered + (SELECT COUNT(*) FROM training_participants tp \
         WHERE tp.course_id = c.id))"
            .to_string()
    }
}

/// `FROM … WHERE …` of the completions by team members of courses in the
/// period; for a village, the members of its teams.
pub(super) fn members_trained_from(node: Node, period: Period) -> String {
    let scope = match node {
        Node::Village(_) => "tp.person_id IN (SELECT m.person_id FROM memberships m \
             JOIN teams t ON t.id = m.team_id WHERE t.village_id = $2)"
            .to_string(),
        _ => scope(node, "c.commune_code", None),
    };
    format!(
        "FROM training_participants tp JOIN training_courses c ON c.id = tp.course_id \
         JOIN people p ON p.id = tp.person_id \
         WHERE tp.completed = 1 AND c.starts_on <= $1{} AND {scope}",
        period.lower("c.starts_on"),
    )
}

/// `FROM … WHERE …` of the campaigns in scope held in the period; for a
/// village, the campaigns it took part in.
pub(super) fn campaigns_from(node: Node, period: Period) -> String {
    format!(
        "FROM campaigns k WHERE k.held_on <= $1{} AND {}",
        period.lower("k.held_on"),
        campaign_scope(node),
    )
}

/// The condition on a campaign `k` in scope: of the node's communes; for a
/// village, one it took part in.
fn campaign_scope(node: Node) -> String {
    match node {
        Node::Village(_) => "EXISTS (SELECT 1 FROM campaign_villages cv \
             WHERE cv.campaign_id = k.id AND cv.village_id = $2)"
            .to_string(),
        _ => scope(node, "k.commune_code", None),
    }
}

/// The condition on a rollup's province column for a province (`$2`) or the
/// nation (`$2` bound to 0: every province).
pub(super) fn province_scope(node: Node, col: &str) -> String {
    match node {
        Node::Nation => "$2 = 0".to_string(),
        _ => format!("{col} = $2"),
    }
}

/// The distinct (person, day) pairs of activity from the records naming a
/// person on one day, in scope and period: support entries (author and
/// helpers), duty days, campaigns. Courses span days: see
/// [`course_days_sql`]. Columns `person`, `day`.
pub(super) fn activity_day_pairs_sql(node: Node, period: Period) -> String {
    let campaign_scope = campaign_scope(node);
    format!(
        "SELECT u.person_id AS person, a.activity_date AS day FROM support_activities a \
         JOIN users u ON u.id = a.created_by \
         WHERE a.created_by IS NOT NULL AND u.person_id IS NOT NULL AND a.activity_date <= $1{la} AND {sa} \
         UNION SELECT am.person_id, a.activity_date FROM activity_members am \
         JOIN support_activities a ON a.id = am.activity_id WHERE a.activity_date <= $1{la} AND {sa} \
         UNION SELECT dm.person_id, d.held_on FROM duty_day_members dm JOIN duty_days d ON d.id = dm.duty_day_id \
         JOIN teams t ON t.id = d.team_id WHERE d.held_on <= $1{ld} AND {sd} \
         UNION SELECT cm.person_id, k.held_on FROM campaign_members cm JOIN campaigns k ON k.id = cm.campaign_id \
         WHERE k.held_on <= $1{lk} AND {campaign_scope}",
        la = period.lower("a.activity_date"),
        sa = scope(node, "a.commune_code", Some("a.village_id")),
        ld = period.lower("d.held_on"),
        sd = scope(node, "d.commune_code", Some("t.village_id")),
        lk = period.lower("k.held_on"),
    )
}

/// The courses overlapping the period with their participants, in scope
/// (a commune's courses belong to no village): columns `person`,
/// `starts_on`, `ends_on`.
pub(super) fn course_days_sql(node: Node, period: Period) -> String {
    format!(
        "SELECT tp.person_id AS person, c.starts_on, c.ends_on FROM training_participants tp \
         JOIN training_courses c ON c.id = tp.course_id WHERE c.starts_on <= $1{} AND {}",
        period.lower("COALESCE(c.ends_on, c.starts_on)"),
        scope(node, "c.commune_code", None),
    )
}

/// `FROM … WHERE …` of the approved months (the month's first day in
/// `month`) from the period's start to its end, in scope (none below a
/// commune).
pub(super) fn approved_months_from(node: Node, period: Period) -> String {
    format!(
        "FROM allowance_months am JOIN communes co ON co.code = am.commune_code \
         WHERE am.state = 'approved' AND am.month <= $1{} AND {}",
        period.lower("am.month"),
        scope(node, "am.commune_code", None),
    )
}
