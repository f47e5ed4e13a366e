//! Excel and CSV in and out, in the browser: upload a sheet, see the dry
//! run (rows to create, update, skip, and every error by row and column, and
//! which sheet column was taken for which field), choose columns by hand
//! when the headers were not recognised, then write it all or nothing;
//! download templates, every list and the indicator table as XLSX or CSV.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use toso_domain::{format_date, DomainError, Node};
use toso_sheets::{
    column_letter, Field, ManualColumns, Pick, ReadOptions, SheetError, SheetHeader, SheetKind,
    Table, Value, DEFAULT_MAX_BYTES,
};
use toso_store::{ImportOptions, ImportReport, RowAction};

use crate::forms::{Choices, Form};
use crate::layout::{CommuneCtx, Layout, Manager, Officer};
use crate::params::{PageQuery, Query};
use crate::respond::{attachment, refused, render, CSV};
use crate::{AppState, Reply, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/communes/{code}/import",
            get(form_page)
                .post(preview)
                // An upload may be up to the importer's own limit (50 MB)
                // plus the multipart envelope.
                .layer(DefaultBodyLimit::max(
                    DEFAULT_MAX_BYTES as usize + 1024 * 1024,
                )),
        )
        .route("/communes/{code}/import/commit", post(commit))
        .route("/communes/{code}/import/columns", post(columns))
        .route("/communes/{code}/import/template/{kind}", get(template))
        .route("/communes/{code}/export/{file}", get(export))
}

/// Uploads waiting for the officer to confirm the dry run, by token. Held
/// in memory for a short while; a confirmation re-reads the same bytes.
#[derive(Clone, Default)]
pub struct Uploads(Arc<Mutex<HashMap<String, Staged>>>);

struct Staged {
    commune: i32,
    user: i64,
    kind: SheetKind,
    name: String,
    bytes: Vec<u8>,
    established_on: Option<NaiveDate>,
    /// Columns chosen by hand (empty: as recognised).
    columns: ManualColumns,
    /// The header the last read of these bytes settled on: its line,
    /// whether it spans two rows, and how many columns it has.
    header: Option<(u32, bool, usize)>,
    at: Instant,
}

const STAGED_FOR: Duration = Duration::from_secs(30 * 60);
const MAX_STAGED: usize = 8;

impl Uploads {
    fn put(&self, staged: Staged) -> String {
        let mut map = self.0.lock().expect("uploads lock");
        map.retain(|_, s| s.at.elapsed() < STAGED_FOR && s.user != staged.user);
        while map.len() >= MAX_STAGED {
            let oldest = map.iter().min_by_key(|(_, s)| s.at).map(|(k, _)| k.clone());
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        let token = crate::forms::new_token();
        map.insert(token.clone(), staged);
        token
    }

    fn take(&self, token: &str, commune: i32, user: i64) -> Option<Staged> {
        let mut map = self.0.lock().expect("uploads lock");
        match map.get(token) {
            Some(s) if s.commune == commune && s.user == user && s.at.elapsed() < STAGED_FOR => {
                map.remove(token)
            }
            _ => None,
        }
    }
}

fn kinds() -> Choices {
    SheetKind::ALL
        .iter()
        .map(|k| {
            let label = match k {
                SheetKind::Members => {
                    "Danh sách thành viên (một dòng một người, có cột thôn: lập cả thôn, tổ)"
                        .to_string()
                }
                SheetKind::DutyDays => {
                    "Ngày trực (một dòng một người trực; cùng thôn, cùng ngày, cùng nơi trực là \
                     một ngày trực; Đội phản ứng nhanh: ghi tên đội ở cột thôn)"
                        .to_string()
                }
                other => format!("Danh sách {}", other.what()),
            };
            (k.key().to_string(), label)
        })
        .collect()
}

struct Line {
    line: u32,
    action: &'static str,
    label: String,
    changes: String,
}

struct Problem {
    line: u32,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    layout: Layout,
    form: Form,
    kinds: Choices,
    file_error: Option<String>,
    report: Option<Summary>,
    token: Option<String>,
    mapping: Option<Mapping>,
    /// The mapping form's selected columns (`col_<field>`) and errors.
    mapping_form: Form,
    /// The sheet's columns: (index, "Cột C — «Tên ấp»"), after "not used".
    mapping_options: Choices,
}

/// Which sheet column feeds which field, and the form to choose them by hand.
struct Mapping {
    /// The staged upload the form remaps.
    upload: String,
    /// "Cột C «Tên ấp» → Thôn/TDP", left to right.
    taken: Vec<String>,
    ignored: Vec<String>,
    line: u32,
    /// (form name, the field's label) for each field of the list.
    fields: Vec<(String, String)>,
    /// Open the form: a required column is missing, or the choice was refused.
    open: bool,
}

fn mapping_field(field: Field) -> String {
    format!("col_{}", field.key())
}

/// The mapping shown for `header`, with its form's values and options.
fn mapping(
    kind: SheetKind,
    header: &SheetHeader,
    upload: String,
    open: bool,
) -> (Mapping, Form, Choices) {
    let mut values = HashMap::new();
    for c in kind.columns() {
        let at = header
            .mapping
            .iter()
            .find(|m| m.field == c.field)
            .map(|m| m.index.to_string())
            .unwrap_or_default();
        values.insert(mapping_field(c.field), at);
    }
    let mut options = vec![(String::new(), "— không dùng —".to_string())];
    options.extend(
        header
            .cells
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.trim().is_empty())
            .map(|(i, h)| (i.to_string(), format!("Cột {} — «{h}»", column_letter(i)))),
    );
    let shown = Mapping {
        upload,
        taken: header.mapping.iter().map(|m| m.describe()).collect(),
        ignored: header.ignored.clone(),
        line: header.line,
        fields: kind
            .columns()
            .iter()
            .map(|c| {
                let label = if c.required {
                    format!("{} (bắt buộc)", c.label)
                } else {
                    c.label.to_string()
                };
                (mapping_field(c.field), label)
            })
            .collect(),
        open,
    };
    (shown, Form::new(values), options)
}

/// What the preview or result shows of an [`ImportReport`].
struct Summary {
    committed: bool,
    name: String,
    create: usize,
    update: usize,
    skip: usize,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
    lines: Vec<Line>,
    more: usize,
}

const SHOWN_ROWS: usize = 300;

fn problems(issues: &[toso_sheets::Issue]) -> Vec<Problem> {
    issues
        .iter()
        .map(|i| Problem {
            line: i.line,
            column: i.column.unwrap_or("").to_string(),
            message: i.message.clone(),
        })
        .collect()
}

fn summary(name: &str, r: &ImportReport) -> Summary {
    Summary {
        committed: r.committed,
        name: name.to_string(),
        create: r.count(RowAction::Create),
        update: r.count(RowAction::Update),
        skip: r.count(RowAction::Skip),
        errors: problems(&r.errors),
        warnings: problems(&r.warnings),
        lines: r
            .rows
            .iter()
            .filter(|row| row.action != RowAction::Skip)
            .take(SHOWN_ROWS)
            .map(|row| Line {
                line: row.line,
                action: row.action.label(),
                label: row.label.clone(),
                changes: row.changes.join("; "),
            })
            .collect(),
        more: r
            .rows
            .iter()
            .filter(|row| row.action != RowAction::Skip)
            .count()
            .saturating_sub(SHOWN_ROWS),
    }
}

fn page(ctx: &CommuneCtx, form: Form) -> ImportPage {
    ImportPage {
        layout: ctx.layout("import"),
        form,
        kinds: kinds(),
        file_error: None,
        report: None,
        token: None,
        mapping: None,
        mapping_form: Form::default(),
        mapping_options: Vec::new(),
    }
}

async fn form_page(ctx: Manager) -> Reply {
    render(page(
        &ctx,
        Form::filled([("kind", SheetKind::Members.key().to_string())]),
    ))
}

/// What reading and planning an upload gave.
struct Planned {
    /// The plan, or why the file cannot be imported.
    outcome: Result<ImportReport, String>,
    /// The header row the read settled on (also when required columns are
    /// missing), for the mapping form.
    header: Option<SheetHeader>,
}

/// Read and plan (never write) the uploaded sheet.
async fn plan(
    state: &AppState,
    ctx: &CommuneCtx,
    staged: &Staged,
    commit: bool,
) -> Result<Planned, WebError> {
    let (name, bytes, kind) = (staged.name.clone(), staged.bytes.clone(), staged.kind);
    let today = toso_store::today();
    let mut read_options = ReadOptions::new(today);
    read_options.columns = staged.columns.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        toso_sheets::read_bytes(&name, &bytes, kind, &read_options, &mut |_, _| {})
    })
    .await
    .map_err(|e| WebError::Internal(format!("import task: {e}")))?;
    let sheet = match parsed {
        Ok(sheet) => sheet,
        Err(e) => {
            let header = match &e {
                SheetError::MissingColumns { header, .. } => Some((**header).clone()),
                _ => None,
            };
            return Ok(Planned {
                outcome: Err(e.to_string()),
                header,
            });
        }
    };
    let opts = ImportOptions {
        commune_code: ctx.code,
        as_of: today,
        established_on: staged.established_on,
        commit,
        source: staged.name.clone(),
    };
    let outcome = match state.store.import(&ctx.actor(), &sheet, &opts).await {
        Ok(report) => Ok(report),
        Err(toso_store::StoreError::Invalid(e)) => Err(e.message),
        Err(e) => return Err(e.into()),
    };
    Ok(Planned {
        outcome,
        header: Some(sheet.header),
    })
}

/// The preview page of a staged upload: the plan, which column went where,
/// and the mapping form. The upload stays staged (under a new token) while
/// its header was found, so the officer can choose its columns or write it.
async fn show_plan(
    state: &AppState,
    ctx: &CommuneCtx,
    mut shown: ImportPage,
    mut staged: Staged,
    mapping_error: Option<(String, String)>,
) -> Reply {
    let planned = plan(state, ctx, &staged, false).await?;
    let kind = staged.kind;
    let name = staged.name.clone();
    let mut ok = false;
    let mut status_ok = false;
    match &planned.outcome {
        Err(message) => shown.file_error = Some(message.clone()),
        Ok(report) => {
            ok = report.is_ok() && !report.changes_nothing();
            status_ok = report.is_ok();
            shown.report = Some(summary(&name, report));
        }
    }
    if let Some(header) = &planned.header {
        staged.header = Some((header.line, header.two_rows, header.cells.len()));
        let missing = planned.outcome.is_err();
        let refused_choice = mapping_error.is_some();
        let token = state.uploads.put(staged);
        let (m, mut form, options) =
            mapping(kind, header, token.clone(), missing || refused_choice);
        if let Some((field, message)) = mapping_error {
            form.add_error(&field, message);
        }
        shown.mapping = Some(m);
        shown.mapping_form = form;
        shown.mapping_options = options;
        if ok {
            shown.token = Some(token);
        }
    }
    if status_ok && !shown.mapping_form.has_errors() {
        render(shown)
    } else {
        refused(shown)
    }
}

async fn preview(
    state: AppState,
    // Authorised by the extractor, before the body is read.
    ctx: Manager,
    request: axum::extract::Request,
) -> Reply {
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| {
            WebError::Invalid(DomainError::new(
                "file",
                "Hãy gửi tệp bằng biểu mẫu tải lên (multipart/form-data).",
            ))
        })?;
    let mut fields = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    // Over the limit is "too large"; any other broken upload (cut off on
    // a weak signal, a malformed body) is asked for again.
    let unread = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge(format!(
                "Tệp quá lớn: chỉ nhận tệp đến {} MB.",
                DEFAULT_MAX_BYTES / 1024 / 1024
            ))
        } else {
            WebError::Invalid(DomainError::new(
                "file",
                "Tệp tải lên không đọc được (bị ngắt giữa chừng hoặc hỏng): hãy chọn tệp và tải lên lại.",
            ))
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(unread)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("tệp").to_string();
            let bytes = field.bytes().await.map_err(unread)?;
            file = Some((file_name, bytes.to_vec()));
        } else {
            fields.insert(name, field.text().await.map_err(unread)?);
        }
    }
    let mut form = Form::new(fields);
    let kind = form.field("kind", |s| {
        SheetKind::from_key(s)
            .ok_or_else(|| DomainError::new("kind", "Chọn loại danh sách cần nhập."))
    });
    let established_on = form.optional_date("established_on", "Ngày thành lập, ngày tham gia");
    let mut shown = page(&ctx, form.clone());
    let (Some(kind), Some(established_on)) = (kind, established_on) else {
        return refused(shown);
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        shown.file_error = Some("Chọn tệp Excel (.xlsx) hoặc CSV cần nhập.".into());
        return refused(shown);
    };
    let staged = Staged {
        commune: ctx.code,
        user: ctx.user.id,
        kind,
        name,
        bytes,
        established_on,
        columns: ManualColumns::default(),
        header: None,
        at: Instant::now(),
    };
    show_plan(&state, &ctx, shown, staged, None).await
}

/// The page to answer with and the upload the form names, taken from the
/// staged ones; none once its preview has expired (30 minutes), the page
/// then saying so.
fn take_staged(state: &AppState, ctx: &CommuneCtx, form: &Form) -> (ImportPage, Option<Staged>) {
    let mut shown = page(
        ctx,
        Form::filled([("kind", SheetKind::Members.key().to_string())]),
    );
    let staged = state
        .uploads
        .take(form.value("upload"), ctx.code, ctx.user.id);
    if staged.is_none() {
        shown.file_error = Some("Bản xem trước đã hết hạn (30 phút): hãy tải tệp lên lại.".into());
    }
    (shown, staged)
}

/// The officer's choice of columns for a staged upload (`col_<field>`: a
/// column index, or empty for "not used"): a new preview with it.
async fn columns(state: AppState, ctx: Manager, form: Form) -> Reply {
    let (mut shown, staged) = take_staged(&state, &ctx, &form);
    let Some(mut staged) = staged else {
        return refused(shown);
    };
    shown.form = Form::filled([("kind", staged.kind.key().to_string())]);
    let Some((line, two_rows, width)) = staged.header else {
        shown.file_error = Some("Tệp này chưa đọc được dòng tiêu đề: hãy tải tệp lên lại.".into());
        return refused(shown);
    };
    match chosen_columns(staged.kind, &form, width) {
        Ok(picks) => {
            staged.columns = ManualColumns {
                header: Some((line, two_rows)),
                picks,
                only: true,
            };
            show_plan(&state, &ctx, shown, staged, None).await
        }
        Err(refusal) => show_plan(&state, &ctx, shown, staged, Some(refusal)).await,
    }
}

/// The columns chosen in the mapping form (of a header `width` columns
/// wide), or the first refusal as (form field, Vietnamese message).
fn chosen_columns(
    kind: SheetKind,
    form: &Form,
    width: usize,
) -> Result<Vec<(Field, Pick)>, (String, String)> {
    let mut picks: Vec<(Field, Pick)> = Vec::new();
    for c in kind.columns() {
        let name = mapping_field(c.field);
        let value = form.value(&name).trim();
        if value.is_empty() {
            picks.push((c.field, Pick::Skip));
            continue;
        }
        let index = value
            .parse::<usize>()
            .ok()
            .filter(|i| *i < width.min(toso_sheets::read::MAX_COLUMNS as usize))
            .ok_or_else(|| {
                (
                    name.clone(),
                    format!(
                        "Cột chọn cho «{}» không hợp lệ: chọn một cột có trong tệp hoặc «không dùng».",
                        c.label
                    ),
                )
            })?;
        if let Some((other, _)) = picks
            .iter()
            .find(|(_, p)| matches!(p, Pick::Index(i) if *i == index))
        {
            let other = kind
                .columns()
                .iter()
                .find(|o| o.field == *other)
                .map_or("", |o| o.label);
            return Err((
                name,
                format!(
                    "Cột {} đã được chọn cho «{other}»: mỗi cột chỉ dùng cho một mục.",
                    column_letter(index)
                ),
            ));
        }
        picks.push((c.field, Pick::Index(index)));
    }
    Ok(picks)
}

async fn commit(state: AppState, ctx: Manager, form: Form) -> Reply {
    let (mut shown, staged) = take_staged(&state, &ctx, &form);
    let Some(staged) = staged else {
        return refused(shown);
    };
    match plan(&state, &ctx, &staged, true).await?.outcome {
        Err(message) => {
            shown.file_error = Some(message);
            refused(shown)
        }
        Ok(report) => {
            shown.report = Some(summary(&staged.name, &report));
            if report.committed {
                render(shown)
            } else {
                refused(shown)
            }
        }
    }
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn sheet_error(e: toso_sheets::SheetError) -> WebError {
    WebError::Internal(e.to_string())
}

async fn template(_: Officer, Path((_, kind)): Path<(String, String)>) -> Reply {
    let kind = SheetKind::from_key(kind.trim_end_matches(".xlsx"))
        .ok_or_else(|| WebError::NotFound(format!("Không có mẫu «{kind}».")))?;
    let bytes = toso_sheets::template_xlsx(kind).map_err(sheet_error)?;
    Ok(attachment(&format!("mau-{}.xlsx", kind.key()), XLSX, bytes))
}

/// `/communes/{code}/export/{kind}.xlsx|csv` (kind: villages, teams,
/// members, documents, duty_days, indicators), counted as of `?as_of=`
/// (default today).
///
/// The file is streamed: written on a blocking thread into the response
/// body in chunks of [`CHUNK`] bytes as the client takes them (a bounded
/// channel), never whole in memory. The members list is moreover read from
/// the database a village at a time ([`toso_store::Store::export_members_by_village`])
/// and the XLSX rows wait in `rust_xlsxwriter`'s temporary file, so memory
/// stays bounded by the largest village whatever the commune's size (as
/// `toso export members`); the other lists are small and read whole first.
async fn export(
    state: AppState,
    ctx: Officer,
    Path((_, file)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Reply {
    let as_of = q.as_of()?;
    let not_found = || WebError::NotFound(format!("Không có danh sách «{file}» để tải về."));
    let (stem, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let csv = match ext {
        "xlsx" => false,
        "csv" => true,
        _ => return Err(not_found()),
    };
    let members = stem == SheetKind::Members.key();
    // Errors found before the first byte (no such commune, the database
    // down) are answered as usual; later ones cut the download short.
    let table: Table = match stem {
        "indicators" => {
            state
                .store
                .indicators_table(Node::Commune(ctx.code), as_of)
                .await?
        }
        _ if members => {
            state
                .store
                .export_header(SheetKind::Members, ctx.code, as_of)
                .await?
        }
        other => {
            let kind = SheetKind::from_key(other).ok_or_else(not_found)?;
            state.store.export_table(kind, ctx.code, as_of).await?
        }
    };
    let name = format!(
        "{stem}-{}-{}.{ext}",
        ctx.code,
        format_date(as_of).replace('/', "-")
    );
    let (body_tx, body_rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    // The rows of the members list, village by village, from the database
    // to the writer.
    let (rows_tx, rows_rx) = tokio::sync::mpsc::channel::<Result<Vec<Vec<Value>>, String>>(2);
    if members {
        let store = state.store.clone();
        let code = ctx.code;
        tokio::spawn(async move {
            let read = store
                .export_members_by_village(code, as_of, |rows| {
                    let tx = rows_tx.clone();
                    async move { tx.send(Ok(rows)).await.map_err(|_| Stop::Gone) }
                })
                .await;
            if let Err(Stop::Store(e)) = read {
                tracing::warn!(error = %e, "members export: reading stopped");
                let _ = rows_tx.send(Err(e.to_string())).await;
            }
        });
    } else {
        drop(rows_tx);
    }
    Ok(stream(table, csv, &name, rows_rx, body_tx, body_rx))
}

/// A download of `table` as CSV (with BOM) or XLSX, written on a blocking
/// thread and streamed to the client in chunks, like the commune's lists.
pub(crate) fn download(table: Table, csv: bool, name: &str) -> Response {
    let (body_tx, body_rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let (_, rows_rx) = tokio::sync::mpsc::channel::<Result<Vec<Vec<Value>>, String>>(1);
    stream(table, csv, name, rows_rx, body_tx, body_rx)
}

/// Write `table`, then the rows arriving on `rows_rx`, to the response body.
fn stream(
    table: Table,
    csv: bool,
    name: &str,
    rows_rx: tokio::sync::mpsc::Receiver<Result<Vec<Vec<Value>>, String>>,
    body_tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    body_rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> Response {
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter::new(body_tx);
        if let Err(e) = write_export(&table, csv, rows_rx, &mut out) {
            tracing::warn!(error = %e, "export: stopped");
            out.fail(e);
        } else if let Err(e) = std::io::Write::flush(&mut out) {
            tracing::debug!(error = %e, "export: the client left");
        }
    });
    attachment(
        name,
        if csv { CSV } else { XLSX },
        axum::body::Body::new(ChannelBody(body_rx)),
    )
}

/// Why the reading of a streamed list stopped early.
enum Stop {
    Store(toso_store::StoreError),
    /// The writer is gone (the client left, or writing failed).
    Gone,
}

impl From<toso_store::StoreError> for Stop {
    fn from(e: toso_store::StoreError) -> Self {
        Stop::Store(e)
    }
}

/// Write `head` (title, columns and its own rows) then the rows received on
/// `rows` to `out`, as XLSX or CSV; on the blocking thread of a download.
fn write_export(
    head: &Table,
    csv: bool,
    mut rows: tokio::sync::mpsc::Receiver<Result<Vec<Vec<Value>>, String>>,
    out: &mut ChunkWriter,
) -> Result<(), std::io::Error> {
    let sheet = |e: toso_sheets::SheetError| std::io::Error::other(e.to_string());
    if csv {
        let mut w = toso_sheets::CsvStream::new(head, &mut *out).map_err(sheet)?;
        while let Some(batch) = rows.blocking_recv() {
            for row in batch.map_err(std::io::Error::other)? {
                w.push(&row).map_err(sheet)?;
            }
        }
        w.finish().map_err(sheet)?;
    } else {
        let mut w = toso_sheets::XlsxStream::new(head).map_err(sheet)?;
        while let Some(batch) = rows.blocking_recv() {
            for row in batch.map_err(std::io::Error::other)? {
                w.push(&row).map_err(sheet)?;
            }
        }
        drop(rows);
        w.save_to_writer(&mut *out).map_err(sheet)?;
    }
    Ok(())
}

/// Bytes per chunk of a streamed download.
const CHUNK: usize = 64 * 1024;

/// How long a download may wait for the client to take the next chunk
/// before it is abandoned (a stuck client does not hold the writer for
/// ever).
const STALLED: Duration = Duration::from_secs(60);

/// A `Write` that hands its bytes, in chunks of [`CHUNK`], to the response
/// body through a bounded channel; used on a blocking thread, it waits
/// while the client is slow (at most [`STALLED`] per chunk).
struct ChunkWriter {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    handle: tokio::runtime::Handle,
}

impl ChunkWriter {
    fn new(tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>) -> ChunkWriter {
        ChunkWriter {
            buf: Vec::with_capacity(CHUNK),
            tx,
            handle: tokio::runtime::Handle::current(),
        }
    }

    fn send(&mut self, item: Result<Bytes, std::io::Error>) -> std::io::Result<()> {
        let tx = self.tx.clone();
        let sent = self
            .handle
            .block_on(async move { tokio::time::timeout(STALLED, tx.send(item)).await });
        match sent {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the client left",
            )),
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading",
            )),
        }
    }

    /// End the body with an error (the client sees a cut download, not a
    /// complete-looking file).
    fn fail(&mut self, e: std::io::Error) {
        self.buf.clear();
        let _ = self.tx.try_send(Err(e));
    }
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.send(Ok(chunk))
    }
}

/// A response body fed by a channel of chunks.
struct ChannelBody(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|item| item.map(|r| r.map(hyper::body::Frame::data)))
    }
}
