//! Directive documents (Quyết định, Công văn, Kế hoạch, …) in the commune's
//! register, linked to what they established or launched. A document
//! entered by mistake can be deleted while nothing refers to it.

use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{fold, format_int, not_in_future, DocumentKind, DocumentNumber, Name};

use crate::{Actor, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub commune_code: i32,
    #[sqlx(try_from = "String")]
    pub kind: DocumentKind,
    pub doc_number: String,
    pub issued_on: NaiveDate,
    pub issuer: String,
    pub subject: String,
}

impl Document {
    /// "Quyết định số 1907/QĐ-UBND ngày 31/10/2025"
    pub fn citation(&self) -> String {
        format!(
            "{} số {} ngày {}",
            self.kind.label(),
            self.doc_number,
            toso_domain::format_date(self.issued_on)
        )
    }
}

#[derive(Debug, Clone)]
pub struct NewDocument {
    pub commune_code: i32,
    pub kind: DocumentKind,
    pub number: DocumentNumber,
    pub issued_on: NaiveDate,
    pub issuer: Name,
    pub subject: Name,
}

/// Filters of the document register; all optional.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub kind: Option<DocumentKind>,
    pub year: Option<i32>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// The columns of a [`Document`], for every read of the table.
pub(crate) const SELECT: &str =
    "SELECT id, commune_code, kind, doc_number, issued_on, issuer, subject FROM documents";

/// The columns a new document is written with, by
/// [`Store::create_document`] and by the importer's [`insert_documents!`].
pub(crate) const INSERT: &str =
    "INSERT INTO documents (commune_code, kind, doc_number, issued_on, issued_year, \
     issuer, subject, search_fold, created_at, updated_at) ";

/// Insert new documents (`Document`s, their ids ignored) of commune
/// `$commune` inside `$tx`, in multi-row statements (the importer's fast
/// path), with their issued year and search key. Evaluates to their ids, in
/// order. The caller audits them.
macro_rules! insert_documents {
    ($tx:expr, $commune:expr, $now:expr, $documents:expr) => {
        $crate::multirow::insert_chunks!(
            $tx,
            $crate::documents::INSERT,
            $documents,
            |b, d| {
                b.push_bind($commune)
                    .push_bind(d.kind.code())
                    .push_bind(&d.doc_number)
                    .push_bind(d.issued_on)
                    .push_bind(chrono::Datelike::year(&d.issued_on))
                    .push_bind(&d.issuer)
                    .push_bind(&d.subject)
                    .push_bind($crate::documents::search_fold(d))
                    .push_bind($now)
                    .push_bind($now);
            },
            "doc_number",
            |d| d.doc_number
        )
    };
}
pub(crate) use insert_documents;

/// Write a document's new values (`$after`) inside `$tx`, with its issued
/// year, its search key and the audit row: the one UPDATE of a document,
/// for the form and the importer.
macro_rules! write_document_update {
    ($tx:expr, $actor:expr, $before:expr, $after:expr, $now:expr) => {{
        let before: &$crate::Document = $before;
        let after: &$crate::Document = $after;
        let year = chrono::Datelike::year(&after.issued_on);
        sqlx::query(
            "UPDATE documents SET kind = $1, doc_number = $2, issued_on = $3, issued_year = $4, issuer = $5, \
             subject = $6, search_fold = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(after.kind.code())
        .bind(&after.doc_number)
        .bind(after.issued_on)
        .bind(year)
        .bind(&after.issuer)
        .bind(&after.subject)
        .bind($crate::documents::search_fold(after))
        .bind($now)
        .bind(after.id)
        .execute(&mut *$tx)
        .await
        .map_err(|e| $crate::documents::on_duplicate(e, &after.doc_number, year))?;
        audit!($tx, $actor, Some(after.commune_code), "document", after.id, "update", Some(before), Some(after));
    }};
}
pub(crate) use write_document_update;

/// A document's write refused by the one number per commune and year
/// (`documents_number_year`).
pub(crate) fn on_duplicate(err: sqlx::Error, number: &str, year: i32) -> StoreError {
    crate::error::on_constraint(
        err,
        "documents_number_year",
        "documents.doc_number, documents.issued_year",
        || {
            StoreError::invalid(
                "doc_number",
                format!("Văn bản số {number} năm {year} đã có trong sổ văn bản của xã."),
            )
        },
    )
}

impl Store {
    pub async fn document(&self, id: i64) -> Result<Document> {
        let sql = format!("{SELECT} WHERE id = $1");
        on_read!(self, pool => {
            sqlx::query_as::<_, Document>(&sql).bind(id).fetch_optional(pool).await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy văn bản số {id}.")))
    }

    /// Find a document of the commune by its number and symbol.
    pub async fn document_by_number(
        &self,
        commune_code: i32,
        number: &DocumentNumber,
    ) -> Result<Option<Document>> {
        let sql =
            format!("{SELECT} WHERE commune_code = $1 AND doc_number = $2 ORDER BY issued_on DESC");
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Document>(&sql)
                .bind(commune_code)
                .bind(number.as_str())
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The register, newest first.
    pub async fn documents(
        &self,
        commune_code: i32,
        filter: &DocumentFilter,
    ) -> Result<Vec<Document>> {
        // Optional filters as `$n IS NULL OR …` keep one statement text.
        let sql = format!(
            "{SELECT} WHERE commune_code = $1 \
             AND ($2 IS NULL OR kind = $2) \
             AND ($3 IS NULL OR issued_year = $3) \
             AND ($4 IS NULL OR issued_on >= $4) \
             AND ($5 IS NULL OR issued_on <= $5) \
             ORDER BY issued_on DESC, id DESC"
        );
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Document>(&sql)
                .bind(commune_code)
                .bind(filter.kind.map(|k| k.code()))
                .bind(filter.year)
                .bind(filter.from)
                .bind(filter.until)
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn create_document(&self, actor: &Actor, new: NewDocument) -> Result<Document> {
        self.commune(new.commune_code).await?;
        not_in_future(new.issued_on, crate::today(), "issued_on", "Ngày ban hành")?;
        let doc = Document {
            id: 0,
            commune_code: new.commune_code,
            kind: new.kind,
            doc_number: new.number.as_str().to_string(),
            issued_on: new.issued_on,
            issuer: new.issuer.as_str().to_string(),
            subject: new.subject.as_str().to_string(),
        };
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(&format!(
                "{INSERT}VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id"
            ))
            .bind(doc.commune_code)
            .bind(doc.kind.code())
            .bind(&doc.doc_number)
            .bind(doc.issued_on)
            .bind(doc.issued_on.year())
            .bind(&doc.issuer)
            .bind(&doc.subject)
            .bind(search_fold(&doc))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| on_duplicate(e, &doc.doc_number, doc.issued_on.year()))?;
            let doc = Document { id, ..doc };
            audit!(tx, actor, Some(doc.commune_code), "document", id, "create", None::<&Document>, Some(&doc));
            tx.commit().await?;
            Ok(doc)
        })
    }

    pub async fn update_document(
        &self,
        actor: &Actor,
        id: i64,
        new: NewDocument,
    ) -> Result<Document> {
        let before = self.document(id).await?;
        if before.commune_code != new.commune_code {
            return Err(StoreError::not_found(format!(
                "Không tìm thấy văn bản số {id}."
            )));
        }
        not_in_future(new.issued_on, crate::today(), "issued_on", "Ngày ban hành")?;
        let after = Document {
            id,
            commune_code: before.commune_code,
            kind: new.kind,
            doc_number: new.number.as_str().to_string(),
            issued_on: new.issued_on,
            issuer: new.issuer.as_str().to_string(),
            subject: new.subject.as_str().to_string(),
        };
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            write_document_update!(tx, actor, &before, &after, Utc::now());
            tx.commit().await?;
            Ok(after)
        })
    }
}

/// What refers to a document: the records that keep it from being deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DocumentUses {
    /// Teams it established (`teams.decision_id`).
    pub teams: i64,
    /// Contests it launched (`contests.document_id`).
    pub contests: i64,
    /// Training courses it directed (`training_courses.document_id`).
    pub courses: i64,
    /// Generated reports whose frozen text cites it.
    pub reports: i64,
}

impl DocumentUses {
    pub fn is_empty(&self) -> bool {
        *self == DocumentUses::default()
    }

    /// Why the document cannot be deleted, in Vietnamese ("Văn bản đang
    /// được dùng làm quyết định thành lập của 58 tổ; không thể xóa."), or
    /// `None` when nothing refers to it.
    pub fn refusal(&self) -> Option<String> {
        let mut uses = Vec::new();
        if self.teams > 0 {
            uses.push(format!(
                "quyết định thành lập của {} tổ",
                format_int(self.teams)
            ));
        }
        if self.contests > 0 {
            uses.push(format!(
                "văn bản triển khai của {} cuộc thi",
                format_int(self.contests)
            ));
        }
        if self.courses > 0 {
            uses.push(format!(
                "văn bản chỉ đạo của {} lớp tập huấn",
                format_int(self.courses)
            ));
        }
        let cited = (self.reports > 0).then(|| {
            format!(
                "được trích dẫn trong {} báo cáo đã lập",
                format_int(self.reports)
            )
        });
        let what = match (uses.is_empty(), cited) {
            (true, None) => return None,
            (true, Some(c)) => c,
            (false, None) => format!("đang được dùng làm {}", uses.join(", ")),
            (false, Some(c)) => format!("đang được dùng làm {}, và {c}", uses.join(", ")),
        };
        Some(format!("Văn bản {what}; không thể xóa."))
    }
}

const COUNT_USES: &str = "SELECT \
     (SELECT COUNT(*) FROM teams WHERE commune_code = $1 AND decision_id = $2), \
     (SELECT COUNT(*) FROM contests WHERE commune_code = $1 AND document_id = $2), \
     (SELECT COUNT(*) FROM training_courses WHERE commune_code = $1 AND document_id = $2)";

impl Store {
    /// The commune's document `id`; not found when it is another commune's.
    pub async fn document_of(&self, commune_code: i32, id: i64) -> Result<Document> {
        let sql = format!("{SELECT} WHERE commune_code = $1 AND id = $2");
        on_read!(self, pool => {
            sqlx::query_as::<_, Document>(&sql)
                .bind(commune_code)
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy văn bản số {id}.")))
    }

    /// What refers to the commune's document `id` (every foreign key to
    /// `documents`, and the generated reports that cite it).
    pub async fn document_uses(&self, commune_code: i32, id: i64) -> Result<DocumentUses> {
        let doc = self.document_of(commune_code, id).await?;
        let (teams, contests, courses): (i64, i64, i64) = on_read!(self, pool => {
            sqlx::query_as(COUNT_USES)
                .bind(commune_code)
                .bind(id)
                .fetch_one(pool)
                .await?
        });
        let snapshots: Vec<String> = on_read!(self, pool => {
            sqlx::query_scalar("SELECT snapshot FROM reports WHERE commune_code = $1")
                .bind(commune_code)
                .fetch_all(pool)
                .await?
        });
        Ok(DocumentUses {
            teams,
            contests,
            courses,
            reports: citing(&snapshots, &doc),
        })
    }

    /// Delete a document entered by mistake: only when nothing refers to it
    /// (see [`DocumentUses`]); otherwise refused with what refers to it, and
    /// nothing changes. Written with its audit row (values before).
    pub async fn delete_document(
        &self,
        actor: &Actor,
        commune_code: i32,
        id: i64,
    ) -> Result<Document> {
        let sql = format!("{SELECT} WHERE commune_code = $1 AND id = $2");
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let doc = sqlx::query_as::<_, Document>(&sql)
                .bind(commune_code)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::not_found(format!("Không tìm thấy văn bản số {id}.")))?;
            let (teams, contests, courses): (i64, i64, i64) = sqlx::query_as(COUNT_USES)
                .bind(commune_code)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let snapshots: Vec<String> =
                sqlx::query_scalar("SELECT snapshot FROM reports WHERE commune_code = $1")
                    .bind(commune_code)
                    .fetch_all(&mut *tx)
                    .await?;
            let uses = DocumentUses {
                teams,
                contests,
                courses,
                reports: citing(&snapshots, &doc),
            };
            if let Some(refusal) = uses.refusal() {
                return Err(StoreError::invalid("delete", refusal));
            }
            sqlx::query("DELETE FROM documents WHERE commune_code = $1 AND id = $2")
                .bind(commune_code)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    // A record linked to it meanwhile (another session).
                    if crate::error::is_foreign_key(&e) {
                        StoreError::invalid(
                            "delete",
                            "Văn bản vừa được một hồ sơ khác dùng đến; không thể xóa.",
                        )
                    } else {
                        StoreError::Database(e)
                    }
                })?;
            audit!(tx, actor, Some(commune_code), "document", id, "delete", Some(&doc), None::<&Document>);
            tx.commit().await?;
            Ok(doc)
        })
    }
}

/// How many of the frozen report snapshots cite `doc` (its citation,
/// "Quyết định số … ngày …", appears in their text, whatever non-breaking
/// spaces or joiners the text keeps it together with).
fn citing(snapshots: &[String], doc: &Document) -> i64 {
    let plain = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '\u{2060}' | '\u{200b}' | '\u{feff}' | '\u{ad}'))
            .map(|c| {
                if matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}') {
                    ' '
                } else {
                    c
                }
            })
            .collect()
    };
    let citation = plain(&doc.citation());
    snapshots
        .iter()
        .filter(|s| plain(s).contains(&citation))
        .count() as i64
}

/// The search key of a document: its kind, number, issuer and subject,
/// folded (written with every insert and update).
pub(crate) fn search_fold(doc: &Document) -> String {
    fold(&format!(
        "{} {} {} {}",
        doc.kind.label(),
        doc.doc_number,
        doc.issuer,
        doc.subject
    ))
}
