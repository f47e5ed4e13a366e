//! The audit trail: every write appends who, when, from where, which record,
//! and the values before and after, in the same transaction as the write.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

/// Every kind of record the audit log names (its `entity`), with the
/// Vietnamese name the audit pages show and filter by. `tests/audit_entities.rs`
/// reads the store's audit writes (`audit!` and the importer's rows) from
/// its source: a kind written there and missing here fails it.
pub const ENTITIES: &[(&str, &str)] = &[
    ("village", "Thôn, tổ dân phố"),
    ("village_code", "Mã tra cứu của thôn"),
    ("team", "Tổ"),
    ("person", "Người"),
    ("membership", "Thành viên"),
    ("document", "Văn bản"),
    ("import", "Nhập từ tệp (bản ghi thêm mới)"),
    ("activity", "Lượt hỗ trợ"),
    ("duty_day", "Ngày trực"),
    ("help_request", "Yêu cầu hỗ trợ của người dân"),
    ("help_settings", "Thời hạn xử lý yêu cầu"),
    ("contest", "Cuộc thi"),
    ("contest_registration", "Đăng ký dự thi"),
    ("training_course", "Lớp tập huấn"),
    ("campaign", "Chiến dịch"),
    ("campaign_members", "Thành viên tham gia chiến dịch"),
    ("allowance_policy", "Chính sách chi trả"),
    ("allowance_month", "Chi trả tháng"),
    ("reporting_request", "Yêu cầu báo cáo"),
    ("request_exclusion", "Xã không phải báo cáo"),
    ("report", "Báo cáo"),
    ("report_template", "Mẫu báo cáo"),
    ("province_report", "Báo cáo tổng hợp của tỉnh"),
    ("user", "Tài khoản"),
    ("api_token", "Mã truy cập API"),
];

/// The Vietnamese name of an audit entry's kind of record (the code itself
/// for a kind not in [`ENTITIES`]).
pub fn entity_label(entity: &str) -> &str {
    ENTITIES
        .iter()
        .find(|(code, _)| *code == entity)
        .map_or(entity, |(_, label)| label)
}

/// A JSON value as stored in the audit log.
pub type JsonValue = Json<serde_json::Value>;

/// Who is writing. The web layer fills it from the session; the CLI from
/// the command.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub address: Option<String>,
}

impl Actor {
    /// A non-interactive writer such as `toso demo` or an import command.
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            name: name.to_string(),
            address: None,
        }
    }
}

/// One row of the audit log.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub address: Option<String>,
    pub commune_code: Option<i32>,
    /// The province of the change: its commune's, or the province's own
    /// (a reporting request, a province officer's account) with no commune.
    pub province_code: Option<i32>,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
}

pub(crate) fn json<T: Serialize>(value: Option<&T>) -> Option<Json<serde_json::Value>> {
    value.and_then(|v| serde_json::to_value(v).ok()).map(Json)
}

impl crate::Store {
    /// The audit entries of one record, oldest first. A record created by
    /// an import has no entry of its own for its creation: the import's
    /// entry for its kind (entity `import`, whose ids ranges hold it) is
    /// returned in its place.
    pub async fn audit_of(&self, entity: &str, entity_id: i64) -> crate::Result<Vec<AuditEntry>> {
        let (mut own, imports) = on_read!(self, pool => {
            let own = sqlx::query_as::<_, AuditEntry>(
                "SELECT id, at, actor, address, commune_code, province_code, entity, entity_id, action, before, after \
                 FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id",
            )
            .bind(entity)
            .bind(entity_id)
            .fetch_all(pool)
            .await?;
            let imports = if entity == "import" {
                Vec::new()
            } else {
                sqlx::query_as::<_, AuditEntry>(
                    "SELECT id, at, actor, address, commune_code, province_code, entity, entity_id, action, before, after \
                     FROM audit_log WHERE entity = 'import' AND entity_id = 0 AND after->>'entity' = $1 \
                     ORDER BY id",
                )
                .bind(entity)
                .fetch_all(pool)
                .await?
            };
            (own, imports)
        });
        own.extend(imports.into_iter().filter(|e| import_created(e, entity_id)));
        own.sort_by_key(|e| e.id);
        Ok(own)
    }

    /// The commune's latest changes, newest first.
    pub async fn recent_changes(
        &self,
        commune_code: i32,
        limit: i64,
    ) -> crate::Result<Vec<AuditEntry>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, AuditEntry>(
                "SELECT id, at, actor, address, commune_code, province_code, entity, entity_id, action, before, after \
                 FROM audit_log WHERE commune_code = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(commune_code)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The commune's audit log, newest first, filtered; at most `limit` rows.
    pub async fn audit_search(
        &self,
        commune_code: i32,
        filter: &AuditFilter,
        limit: i64,
    ) -> crate::Result<Vec<AuditEntry>> {
        self.audit_where("commune_code = $6", commune_code, None, filter, limit)
            .await
    }

    /// The province's audit log, newest first, filtered; at most `limit`
    /// rows: the entries of its communes and its own (those naming no
    /// commune: its reporting requests, its officers' accounts), or its own
    /// only with `own_only`.
    pub async fn audit_search_province(
        &self,
        province_code: i32,
        own_only: bool,
        filter: &AuditFilter,
        limit: i64,
    ) -> crate::Result<Vec<AuditEntry>> {
        let scope = "province_code = $6 AND ($7 = 0 OR commune_code IS NULL)";
        let own = Some(i32::from(own_only));
        self.audit_where(scope, province_code, own, filter, limit)
            .await
    }

    /// The audit entries matching `filter` (`$1` to `$4`) within `scope`, a
    /// condition on `$6` (the code) and, when given, `$7`; newest first, at
    /// most `limit` (`$5`).
    async fn audit_where(
        &self,
        scope: &str,
        code: i32,
        more: Option<i32>,
        filter: &AuditFilter,
        limit: i64,
    ) -> crate::Result<Vec<AuditEntry>> {
        if !filter.can_match() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, at, actor, address, commune_code, province_code, entity, entity_id, action, before, after \
             FROM audit_log WHERE {scope} \
             AND ($1 IS NULL OR entity = $1) AND ($2 IS NULL OR actor = $2) \
             AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4) \
             ORDER BY id DESC LIMIT $5"
        );
        Ok(on_read!(self, pool => {
            let q = sqlx::query_as::<_, AuditEntry>(&sql)
                .bind(filter.entity.as_deref())
                .bind(filter.actor.as_deref())
                .bind(filter.from)
                .bind(filter.until)
                .bind(limit)
                .bind(code);
            match more {
                Some(m) => q.bind(m).fetch_all(pool).await?,
                None => q.fetch_all(pool).await?,
            }
        }))
    }
}

/// True when the import entry `e` lists `id` among the records it created
/// (`after.ids`: ranges `[first, last]`).
fn import_created(e: &AuditEntry, id: i64) -> bool {
    e.after
        .as_ref()
        .and_then(|a| a.0.get("ids"))
        .and_then(|ids| ids.as_array())
        .is_some_and(|ranges| {
            ranges.iter().any(|r| {
                let bound = |i: usize| r.get(i).and_then(|v| v.as_i64());
                matches!((bound(0), bound(1)), (Some(lo), Some(hi)) if lo <= id && id <= hi)
            })
        })
}

/// Filters of the audit browser; all optional. `until` is exclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// False when a text filter holds a NUL character: no stored value
    /// holds one (PostgreSQL cannot even compare text with it), so nothing
    /// matches and the database is not asked.
    fn can_match(&self) -> bool {
        [&self.entity, &self.actor]
            .iter()
            .all(|t| !t.as_deref().is_some_and(|t| t.contains('\0')))
    }
}
