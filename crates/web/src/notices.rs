//! The notice page (`/notices`, issue 19): what the reporting cycle asks of
//! the signed-in user, newest first, unread ones marked — a commune
//! officer's open requests (deadline, state, days overdue) and what the
//! Department did with their reports; a province officer's reports
//! submitted by its communes. `POST /notices/read` marks them all read.
//! The notices are derived from the records ([`toso_store::notices`]).

use askama::Template;
use axum::routing::{get, post};
use axum::Router;
use toso_domain::format_date;
use toso_store::{Notice, NoticeKind, Timeliness};

use crate::auth::CurrentUser;
use crate::forms::Csrf;
use crate::respond::{render, saved};
use crate::AppState;
use crate::Reply;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(page))
        .route("/notices/read", post(mark_read))
}

/// One notice as the page shows it.
struct Line {
    unread: bool,
    day: String,
    text: String,
    /// A second line: the Department's comment, the deadline.
    detail: String,
    href: String,
}

/// `commune`: the signed-in user's commune, where their requests are answered.
fn line(n: &Notice, commune: Option<i32>) -> Line {
    let day = format_date(toso_store::board::vietnam_date(n.at));
    match &n.kind {
        NoticeKind::Request {
            request,
            state,
            timeliness,
        } => {
            let when = match timeliness {
                Timeliness::Overdue { days } => format!("Quá hạn {days} ngày"),
                Timeliness::Late { days } => format!("Gửi trễ {days} ngày"),
                Timeliness::OnTime => "Đã gửi đúng hạn".into(),
                Timeliness::Pending => request
                    .due()
                    .map(|d| format!("Hạn {}", format_date(d)))
                    .unwrap_or_default(),
                Timeliness::NoDeadline => "Không đặt hạn".into(),
            };
            Line {
                unread: n.unread,
                day,
                text: format!(
                    "Yêu cầu báo cáo: Công văn số {} của {}",
                    request.doc_number, request.issuer
                ),
                detail: format!("{when} · {}", state.label()),
                href: commune
                    .map(|c| format!("/communes/{c}/reports"))
                    .unwrap_or_default(),
            }
        }
        NoticeKind::Transition {
            request,
            commune_name,
            transition: t,
        } => {
            let text = match t.action.as_str() {
                "submit" => format!(
                    "{commune_name} gửi báo cáo theo Công văn số {} (phiên bản {})",
                    request.doc_number, t.version
                ),
                "return" => format!(
                    "Sở trả lại báo cáo theo Công văn số {} (phiên bản {})",
                    request.doc_number, t.version
                ),
                "accept" => format!(
                    "Sở chấp nhận báo cáo theo Công văn số {} (phiên bản {})",
                    request.doc_number, t.version
                ),
                _ => format!(
                    "Sở mở lại báo cáo theo Công văn số {} (phiên bản {})",
                    request.doc_number, t.version
                ),
            };
            Line {
                unread: n.unread,
                day,
                text,
                detail: t
                    .comment
                    .as_ref()
                    .map(|c| format!("Ý kiến của Sở: {c}"))
                    .unwrap_or_default(),
                href: format!("/communes/{}/reports/{}", t.commune_code, t.report_id),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    csrf: String,
    user_name: String,
    lines: Vec<Line>,
    unread: usize,
}

async fn page(state: AppState, Csrf(csrf): Csrf, CurrentUser(user): CurrentUser) -> Reply {
    let notices = state.store.notices(&user, toso_store::today()).await?;
    let lines: Vec<Line> = notices.iter().map(|n| line(n, user.commune_code)).collect();
    render(NoticesPage {
        csrf,
        user_name: user.full_name,
        unread: lines.iter().filter(|l| l.unread).count(),
        lines,
    })
}

async fn mark_read(state: AppState, CurrentUser(user): CurrentUser) -> Reply {
    state.store.mark_notices_read(user.id).await?;
    Ok(saved("/notices".to_string()))
}
