//! Directive documents (Quyết định, Công văn, Kế hoạch, …) in the commune's
//! register, linked to what they established or launched.

use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{fold, not_in_future, DocumentKind, DocumentNumber, Name};

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

const SELECT: &str =
    "SELECT id, commune_code, kind, doc_number, issued_on, issuer, subject FROM documents";

fn duplicate(number: &str, year: i32) -> String {
    format!("Văn bản số {number} năm {year} đã có trong sổ văn bản của xã.")
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
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO documents (commune_code, kind, doc_number, issued_on, issued_year, issuer, subject, \
                 search_fold, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
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
            .map_err(|e| {
                StoreError::on_unique(e, "doc_number", duplicate(&doc.doc_number, doc.issued_on.year()))
            })?;
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
            sqlx::query(
                "UPDATE documents SET kind = $1, doc_number = $2, issued_on = $3, issued_year = $4, issuer = $5, \
                 subject = $6, search_fold = $7, updated_at = $8 WHERE id = $9",
            )
            .bind(after.kind.code())
            .bind(&after.doc_number)
            .bind(after.issued_on)
            .bind(after.issued_on.year())
            .bind(&after.issuer)
            .bind(&after.subject)
            .bind(search_fold(&after))
            .bind(Utc::now())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::on_unique(e, "doc_number", duplicate(&after.doc_number, after.issued_on.year()))
            })?;
            audit!(tx, actor, Some(after.commune_code), "document", id, "update", Some(&before), Some(&after));
            tx.commit().await?;
            Ok(after)
        })
    }
}

fn search_fold(doc: &Document) -> String {
    fold(&format!(
        "{} {} {} {}",
        doc.kind.label(),
        doc.doc_number,
        doc.issuer,
        doc.subject
    ))
}
