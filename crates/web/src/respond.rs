//! How a page answers: a rendered template, the redirect after a write
//! ("saved", "deleted"), a form shown again with its errors (422), the
//! confirmation box of a delete form, and a file to download.

use std::future::Future;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use toso_store::StoreError;

use crate::forms::Form;
use crate::Reply;
use crate::WebError;

pub fn render(t: impl Template) -> Reply {
    Ok(Html(t.render()?).into_response())
}

/// After a successful write: back to `path`, which shows "Đã lưu.".
pub fn saved(path: String) -> Response {
    Redirect::to(&format!("{path}?saved")).into_response()
}

/// After a record is deleted: back to `path`, which shows "Đã xóa.".
pub fn deleted(path: String) -> Response {
    Redirect::to(&format!("{path}?deleted")).into_response()
}

/// Whether a delete form was confirmed (its `confirm` box ticked); if not,
/// the refusal is put beside the box.
pub fn confirmed(form: &mut Form) -> bool {
    let ticked = form.value("confirm") == "on";
    if !ticked {
        form.add_error(
            "confirm",
            "Chưa xóa: đánh dấu ô xác nhận rồi bấm «Xóa» lại.",
        );
    }
    ticked
}

/// A form page shown again with its errors (422).
pub fn refused(t: impl Template) -> Reply {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(t.render()?)).into_response())
}

/// The skeleton of a form's POST. `write` is the store write of what the
/// form parsed to (`None` when it did not parse: its errors are in `form`).
/// When the store takes it, back to `path`, which shows "Đã lưu.";
/// a refusal of the store is put beside its field, and `page` shows the
/// form again with its errors (422). Other errors pass on.
pub async fn submit<T, P: Template>(
    mut form: Form,
    write: Option<impl Future<Output = Result<T, StoreError>>>,
    path: String,
    page: impl AsyncFnOnce(Form) -> Result<P, WebError>,
) -> Reply {
    if let Some(write) = write {
        match write.await {
            Ok(_) => return Ok(saved(path)),
            Err(e) => form.refused(e)?,
        }
    }
    refused(page(form).await?)
}

/// The skeleton of a delete's POST: without the ticked confirmation nothing
/// is deleted; with it, `write` deletes and the list at `path` shows "Đã
/// xóa."; a refusal of the store (what still refers to the record) is put
/// beside the button, and `page` shows the record's page again (422).
pub async fn remove<T, P: Template>(
    mut form: Form,
    write: impl AsyncFnOnce() -> Result<T, StoreError>,
    path: String,
    page: impl AsyncFnOnce(Form) -> Result<P, WebError>,
) -> Reply {
    if confirmed(&mut form) {
        match write().await {
            Ok(_) => return Ok(deleted(path)),
            Err(e) => form.refused(e)?,
        }
    }
    refused(page(form).await?)
}

/// The CSV type of the app's downloads (UTF-8; the files start with a BOM
/// so that Excel shows the diacritics).
pub const CSV: &str = "text/csv; charset=utf-8";

/// Run `work` off the async workers: laying out a PDF or writing a
/// workbook takes tens of milliseconds of CPU. Its failure is an internal
/// error.
pub async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, WebError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(WebError::Internal)
}

/// `body` as a download named `name`. Never cached: what the app hands out
/// is private (reports, lists with phones, audit logs).
pub fn attachment(name: &str, content_type: &str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body.into(),
    )
        .into_response()
}
