//! Administrative units: the 34 provinces and 3,321 communes of the official
//! list (GSO codes, after the July 2025 reorganisation), embedded in the binary
//! and loaded idempotently at first start.

use serde::Serialize;
use sqlx::QueryBuilder;
use toso_domain::{fold, Node};

use crate::{Result, Store, StoreError};

/// `data/vn-admin-units-2025.csv`: from the list published with the
/// `vietnam-provinces` package (2025.10.1), which follows the GSO's list.
pub const ADMIN_UNITS_CSV: &str = include_str!("../../../data/vn-admin-units-2025.csv");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Province {
    pub code: i32,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Commune {
    pub code: i32,
    pub province_code: i32,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, serde::Deserialize)]
struct CsvRow {
    province_code: i32,
    province_name: String,
    province_type: String,
    commune_code: i32,
    commune_name: String,
    commune_type: String,
}

/// Parse the embedded list into provinces and communes.
pub fn parse_admin_units(csv_text: &str) -> Result<(Vec<Province>, Vec<Commune>)> {
    let mut provinces: Vec<Province> = Vec::new();
    let mut communes = Vec::new();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    for (i, row) in reader.deserialize::<CsvRow>().enumerate() {
        let row = row.map_err(|e| StoreError::AdminData(format!("dòng {}: {e}", i + 2)))?;
        if provinces.last().map(|p| p.code) != Some(row.province_code) {
            provinces.push(Province {
                code: row.province_code,
                name: row.province_name,
                kind: row.province_type,
            });
        }
        communes.push(Commune {
            code: row.commune_code,
            province_code: row.province_code,
            name: row.commune_name,
            kind: row.commune_type,
        });
    }
    provinces.sort_by_key(|p| p.code);
    provinces.dedup_by_key(|p| p.code);
    Ok((provinces, communes))
}

const BATCH: usize = 500;

impl Store {
    /// Load the embedded provinces and communes where they are missing.
    /// Returns how many communes were inserted (0 when already loaded).
    pub async fn load_admin_units(&self) -> Result<u64> {
        let (provinces, communes) = parse_admin_units(ADMIN_UNITS_CSV)?;
        let present: i64 = on_read!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM communes").fetch_one(pool).await?
        });
        if present as usize >= communes.len() {
            return Ok(0);
        }
        let inserted = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in provinces.chunks(BATCH) {
                let mut q = QueryBuilder::new("INSERT INTO provinces (code, name, kind) ");
                q.push_values(chunk, |mut b, p| {
                    b.push_bind(p.code).push_bind(&p.name).push_bind(&p.kind);
                });
                q.push(" ON CONFLICT (code) DO NOTHING");
                q.build().execute(&mut *tx).await?;
            }
            let mut inserted = 0;
            for chunk in communes.chunks(BATCH) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO communes (code, province_code, name, kind, name_fold) ",
                );
                q.push_values(chunk, |mut b, c| {
                    b.push_bind(c.code)
                        .push_bind(c.province_code)
                        .push_bind(&c.name)
                        .push_bind(&c.kind)
                        .push_bind(fold(&c.name));
                });
                q.push(" ON CONFLICT (code) DO NOTHING");
                inserted += q.build().execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            inserted
        });
        tracing::info!(inserted, "administrative units loaded");
        Ok(inserted)
    }

    pub async fn provinces(&self) -> Result<Vec<Province>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Province>("SELECT code, name, kind FROM provinces ORDER BY code")
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn province(&self, code: i32) -> Result<Province> {
        on_read!(self, pool => {
            sqlx::query_as::<_, Province>("SELECT code, name, kind FROM provinces WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không có tỉnh, thành phố mã {code}.")))
    }

    pub async fn commune(&self, code: i32) -> Result<Commune> {
        on_read!(self, pool => {
            sqlx::query_as::<_, Commune>(
                "SELECT code, province_code, name, kind FROM communes WHERE code = $1",
            )
            .bind(code)
            .fetch_optional(pool)
            .await?
        })
        .ok_or_else(|| StoreError::not_found(format!("Không có xã, phường, đặc khu mã {code}.")))
    }

    pub async fn communes_of(&self, province_code: i32) -> Result<Vec<Commune>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Commune>(
                "SELECT code, province_code, name, kind FROM communes \
                 WHERE province_code = $1 ORDER BY name_fold",
            )
            .bind(province_code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Communes that have entered at least one village: the ones worth
    /// showing on a start page.
    pub async fn communes_in_use(&self) -> Result<Vec<Commune>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, Commune>(
                "SELECT c.code, c.province_code, c.name, c.kind FROM communes c \
                 WHERE EXISTS (SELECT 1 FROM villages v WHERE v.commune_code = c.code) \
                 ORDER BY c.name_fold",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The display name of a node ("Thành phố Hải Phòng", "Đặc khu Cát Hải",
    /// "Thôn Hải Sơn"); errors when the node does not exist.
    pub async fn node_name(&self, node: Node) -> Result<String> {
        Ok(match node {
            Node::Nation => "Toàn quốc".to_string(),
            Node::Province(code) => self.province(code).await?.name,
            Node::Commune(code) => self.commune(code).await?.name,
            Node::Village(id) => self.village(id).await?.name,
        })
    }
}
