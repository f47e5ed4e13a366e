//! The Department's consolidated reports (migration 0011): one row per
//! version of a province's report for one of its requests, like a commune's
//! (`reports.rs`): the settings as the officer set them and the frozen
//! [`ProvinceSnapshot`] as JSON text, so the files read the same after any
//! later change. Composing one (the body's figures summed from the
//! communes' accepted versions, the annex) is the reporting crate's.

use chrono::Utc;
use serde::Serialize;
use toso_reports::ProvinceSnapshot;

use crate::reports::{bind_version, version_columns, ReportVersion};
use crate::{Actor, ReportSettings, ReportingRequest, Result, Store, StoreError};

/// One version of a province's consolidated report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProvinceReport {
    pub id: i64,
    pub province_code: i32,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub stored: ReportVersion,
}

reads_through!(ProvinceReport => stored: ReportVersion);

impl ProvinceReport {
    pub fn snapshot(&self) -> Result<ProvinceSnapshot> {
        self.stored.frozen(format!("báo cáo tổng hợp {}", self.id))
    }
}

const SELECT: &str = concat!(
    "SELECT id, province_code, ",
    version_columns!(),
    " FROM province_reports"
);

/// What the audit log keeps of a new version: the settings and the
/// figures, not the whole snapshot.
#[derive(Serialize)]
struct Audited<'a> {
    version: i32,
    settings: &'a ReportSettings,
    figures: &'a [toso_reports::FrozenFigure],
    sources: &'a [toso_reports::SourceVersion],
}

impl Store {
    /// Store a new version of the province's consolidated report for
    /// `request` (a province-wide request of that province).
    pub async fn save_province_report(
        &self,
        actor: &Actor,
        request: &ReportingRequest,
        settings: ReportSettings,
        snapshot: ProvinceSnapshot,
    ) -> Result<ProvinceReport> {
        let request = self.province_request(request.id).await?;
        if snapshot.province_code != request.province_code || snapshot.request_id != request.id {
            return Err(StoreError::invalid(
                "request",
                "Bản chụp số liệu không thuộc yêu cầu báo cáo này.",
            ));
        }
        let json = serde_json::to_string(&snapshot).map_err(|e| {
            StoreError::invalid("body", format!("Không lưu được bản chụp số liệu: {e}"))
        })?;
        let now = Utc::now();
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let version: i32 = sqlx::query_scalar::<_, Option<i32>>(
                "SELECT MAX(version) FROM province_reports WHERE request_id = $1",
            )
            .bind(request.id)
            .fetch_one(&mut *tx)
            .await?
            .unwrap_or(0)
                + 1;
            let id: i64 = bind_version!(
                sqlx::query_scalar(concat!(
                    "INSERT INTO province_reports (province_code, ",
                    version_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id"
                )),
                request.province_code, request.id, version, settings, &json, actor, now
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                crate::error::on_constraint(e, "province_reports_version", "province_reports.version", || {
                    StoreError::invalid(
                        "version",
                        "Vừa có người khác lập một phiên bản của báo cáo này: tải lại trang rồi thử lại.",
                    )
                })
            })?;
            let audited = Audited {
                version,
                settings: &settings,
                figures: &snapshot.printed.figures,
                sources: &snapshot.sources,
            };
            audit!(tx, actor, province: Some(request.province_code), None::<i32>, "province_report", id, "generate", None::<&()>, Some(&audited));
            tx.commit().await?;
            Ok(ProvinceReport {
                id,
                province_code: request.province_code,
                stored: ReportVersion {
                    request_id: request.id,
                    version,
                    settings,
                    snapshot: json,
                    created_by: actor.name.clone(),
                    created_at: now,
                },
            })
        })
    }

    /// The versions of the province's report for `request_id`, newest first.
    pub async fn province_reports(&self, request_id: i64) -> Result<Vec<ProvinceReport>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, ProvinceReport>(&format!(
                "{SELECT} WHERE request_id = $1 ORDER BY version DESC"
            ))
            .bind(request_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Version `version` of the province's report for `request_id`.
    pub async fn province_report(&self, request_id: i64, version: i32) -> Result<ProvinceReport> {
        on_read!(self, pool => {
            sqlx::query_as::<_, ProvinceReport>(&format!(
                "{SELECT} WHERE request_id = $1 AND version = $2"
            ))
            .bind(request_id)
            .bind(version)
            .fetch_optional(pool)
            .await?
        })
        .ok_or_else(|| {
            StoreError::not_found(format!(
                "Không có phiên bản {version} của báo cáo tổng hợp này."
            ))
        })
    }
}
