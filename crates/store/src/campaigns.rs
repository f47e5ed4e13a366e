//! Campaigns the teams run with the mass organisations ("Ngày thứ Bảy tình
//! nguyện", "Chủ nhật xanh", "Tuổi trẻ chuyển đổi số"…): partner
//! organisations, villages, participants and citizens reached. The figures
//! built on them are computed in [`crate::indicators`].

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use toso_domain::{format_date, not_in_future, Name, PartnerOrganisation};

use crate::{Actor, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub commune_code: i32,
    pub name: String,
    pub held_on: NaiveDate,
    pub participants: i32,
    pub citizens_reached: i32,
    pub note: Option<String>,
    #[sqlx(skip)]
    pub partners: Vec<PartnerOrganisation>,
    /// (village id, village name), by name.
    #[sqlx(skip)]
    pub villages: Vec<(i64, String)>,
}

#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub commune_code: i32,
    pub name: Name,
    pub held_on: NaiveDate,
    pub partners: Vec<PartnerOrganisation>,
    pub village_ids: Vec<i64>,
    pub participants: i32,
    pub citizens_reached: i32,
    pub note: Option<String>,
}

/// Largest count one campaign may carry (a typo guard).
pub const MAX_PER_CAMPAIGN: i32 = 1_000_000;

const SELECT_CAMPAIGN: &str =
    "SELECT id, commune_code, name, held_on, participants, citizens_reached, note FROM campaigns";

fn check_campaign(new: &NewCampaign, today: NaiveDate) -> Result<()> {
    not_in_future(new.held_on, today, "held_on", "Ngày ra quân")?;
    for (field, label, value) in [
        ("participants", "Số người tham gia", new.participants),
        (
            "citizens_reached",
            "Số người dân được tiếp cận",
            new.citizens_reached,
        ),
    ] {
        if value < 0 {
            return Err(StoreError::invalid(
                field,
                format!("{label} không được là số âm."),
            ));
        }
        if value > MAX_PER_CAMPAIGN {
            return Err(StoreError::invalid(
                field,
                format!("{label} {value} quá lớn (tối đa {MAX_PER_CAMPAIGN})."),
            ));
        }
    }
    if new.partners.is_empty() {
        return Err(StoreError::invalid(
            "partners",
            "Chọn ít nhất một tổ chức phối hợp.",
        ));
    }
    if new.village_ids.is_empty() {
        return Err(StoreError::invalid(
            "villages",
            "Chọn ít nhất một thôn, tổ dân phố nơi ra quân.",
        ));
    }
    Ok(())
}

/// Write the partners and villages of the [`CampaignRecord`] `$record`
/// anew inside the transaction `$tx` (the one place they are written, for
/// a new campaign and a corrected one).
macro_rules! write_places {
    ($tx:expr, $record:expr) => {{
        let record: &CampaignRecord = &$record;
        for table in ["campaign_partners", "campaign_villages"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE campaign_id = $1"))
                .bind(record.id)
                .execute(&mut *$tx)
                .await?;
        }
        for p in &record.partners {
            sqlx::query("INSERT INTO campaign_partners (campaign_id, partner) VALUES ($1, $2)")
                .bind(record.id)
                .bind(p.code())
                .execute(&mut *$tx)
                .await?;
        }
        for v in &record.village_ids {
            sqlx::query("INSERT INTO campaign_villages (campaign_id, village_id) VALUES ($1, $2)")
                .bind(record.id)
                .bind(v)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// Bind a campaign's values to `$query`, `$1` to `$7`: commune, name,
/// day, participants, citizens reached, note, and the time written (its
/// INSERT and its UPDATE name them in this order).
macro_rules! bind_campaign {
    ($query:expr, $after:expr) => {
        $query
            .bind($after.commune_code)
            .bind(&$after.name)
            .bind($after.held_on)
            .bind($after.participants)
            .bind($after.citizens_reached)
            .bind($after.note.as_deref())
            .bind(Utc::now())
    };
}

impl Store {
    /// Record a campaign. Refuses a future date, negative counts, no
    /// partner, no village, and villages of another commune or not active
    /// on the day.
    pub async fn create_campaign(&self, actor: &Actor, new: NewCampaign) -> Result<Campaign> {
        let (partners, villages) = self.check_campaign_places(&new).await?;
        let mut after = CampaignRecord::new(0, &new, partners, villages);
        let id = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = bind_campaign!(
                sqlx::query_scalar(
                    "INSERT INTO campaigns (commune_code, name, held_on, participants, citizens_reached, note, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                ),
                after
            )
            .fetch_one(&mut *tx)
            .await?;
            after.id = id;
            write_places!(tx, after);
            audit!(tx, actor, Some(new.commune_code), "campaign", id, "create", None::<&CampaignRecord>, Some(&after));
            tx.commit().await?;
            id
        });
        self.campaign(id).await
    }

    /// The checks of a campaign's values ([`check_campaign`]) and of its
    /// villages (of the commune, active on the day); its partners and
    /// villages sorted and without repeats.
    async fn check_campaign_places(
        &self,
        new: &NewCampaign,
    ) -> Result<(Vec<PartnerOrganisation>, Vec<i64>)> {
        check_campaign(new, crate::today())?;
        let commune = self.commune(new.commune_code).await?;
        let mut partners = new.partners.clone();
        partners.sort();
        partners.dedup();
        let mut villages = new.village_ids.clone();
        villages.sort_unstable();
        villages.dedup();
        for id in &villages {
            let village = match self.village(*id).await {
                Ok(v) if v.commune_code == new.commune_code => v,
                Ok(_) | Err(StoreError::NotFound(_)) => {
                    return Err(StoreError::invalid(
                        "villages",
                        format!("Thôn, tổ dân phố số {id} không thuộc {}.", commune.name),
                    ))
                }
                Err(e) => return Err(e),
            };
            if !village.is_active_on(new.held_on) {
                return Err(StoreError::invalid(
                    "villages",
                    format!(
                        "{} không hoạt động vào ngày {}.",
                        village.name,
                        format_date(new.held_on)
                    ),
                ));
            }
        }
        Ok((partners, villages))
    }

    /// The commune's campaign `id`; not found when it is another commune's.
    pub async fn campaign_of(&self, commune_code: i32, id: i64) -> Result<Campaign> {
        let campaign = self.campaign(id).await?;
        if campaign.commune_code != commune_code {
            return Err(campaign_not_found(id));
        }
        Ok(campaign)
    }

    /// Correct a campaign (of `new.commune_code`): the rules of a new one;
    /// its partners and villages are replaced by the new lists. Written with
    /// its audit row (values before and after).
    pub async fn update_campaign(
        &self,
        actor: &Actor,
        id: i64,
        new: NewCampaign,
    ) -> Result<Campaign> {
        let before = CampaignRecord::of(&self.campaign_of(new.commune_code, id).await?);
        let (partners, villages) = self.check_campaign_places(&new).await?;
        let after = CampaignRecord::new(id, &new, partners, villages);
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = bind_campaign!(
                sqlx::query(
                    "UPDATE campaigns SET name = $2, held_on = $3, participants = $4, citizens_reached = $5, \
                     note = $6, updated_at = $7 WHERE commune_code = $1 AND id = $8",
                ),
                after
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(campaign_not_found(id));
            }
            write_places!(tx, after);
            audit!(tx, actor, Some(after.commune_code), "campaign", id, "update", Some(&before), Some(&after));
            tx.commit().await?;
        });
        self.campaign(id).await
    }

    /// Delete the commune's campaign `id` with its partners and villages, in
    /// one transaction, with its audit row (values before).
    pub async fn delete_campaign(
        &self,
        actor: &Actor,
        commune_code: i32,
        id: i64,
    ) -> Result<Campaign> {
        let campaign = self.campaign_of(commune_code, id).await?;
        let before = CampaignRecord::of(&campaign);
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for table in ["campaign_partners", "campaign_villages", "campaign_members"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE campaign_id IN \
                     (SELECT id FROM campaigns WHERE commune_code = $1 AND id = $2)"
                ))
                .bind(commune_code)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            let done = sqlx::query("DELETE FROM campaigns WHERE commune_code = $1 AND id = $2")
                .bind(commune_code)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(campaign_not_found(id));
            }
            audit!(tx, actor, Some(commune_code), "campaign", id, "delete", Some(&before), None::<&CampaignRecord>);
            tx.commit().await?;
        });
        Ok(campaign)
    }

    pub async fn campaign(&self, id: i64) -> Result<Campaign> {
        let sql = format!("{SELECT_CAMPAIGN} WHERE id = $1");
        let campaign = on_read!(self, pool => {
            sqlx::query_as::<_, Campaign>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?
        })
        .ok_or_else(|| campaign_not_found(id))?;
        let mut list = vec![campaign];
        self.fill_campaigns(&mut list, "k.id = $1", id).await?;
        Ok(list.remove(0))
    }

    /// The commune's campaigns, newest first.
    pub async fn campaigns(&self, commune_code: i32) -> Result<Vec<Campaign>> {
        let sql =
            format!("{SELECT_CAMPAIGN} WHERE commune_code = $1 ORDER BY held_on DESC, id DESC");
        let mut list = on_read!(self, pool => {
            sqlx::query_as::<_, Campaign>(&sql)
                .bind(commune_code)
                .fetch_all(pool)
                .await?
        });
        self.fill_campaigns(&mut list, "k.commune_code = $1", commune_code as i64)
            .await?;
        Ok(list)
    }

    async fn fill_campaigns(&self, list: &mut [Campaign], condition: &str, key: i64) -> Result<()> {
        let partners_sql = format!(
            "SELECT cp.campaign_id, cp.partner FROM campaign_partners cp \
             JOIN campaigns k ON k.id = cp.campaign_id WHERE {condition}"
        );
        let villages_sql = format!(
            "SELECT cv.campaign_id, v.id, v.name FROM campaign_villages cv \
             JOIN campaigns k ON k.id = cv.campaign_id JOIN villages v ON v.id = cv.village_id \
             WHERE {condition} ORDER BY v.name_fold, v.id"
        );
        let partners: Vec<(i64, String)> = on_read!(self, pool => {
            sqlx::query_as(&partners_sql).bind(key).fetch_all(pool).await?
        });
        // (campaign id, village id, village name)
        let villages: Vec<(i64, i64, String)> = on_read!(self, pool => {
            sqlx::query_as(&villages_sql).bind(key).fetch_all(pool).await?
        });
        for c in list.iter_mut() {
            c.partners = partners
                .iter()
                .filter(|(id, _)| *id == c.id)
                .filter_map(|(_, p)| PartnerOrganisation::from_code(p))
                .collect();
            c.partners.sort();
            c.villages = villages
                .iter()
                .filter(|(id, _, _)| *id == c.id)
                .map(|(_, v, n)| (*v, n.clone()))
                .collect();
        }
        Ok(())
    }
}

fn campaign_not_found(id: i64) -> StoreError {
    StoreError::not_found(format!("Không tìm thấy đợt ra quân số {id}."))
}

/// What the audit log keeps of a campaign.
#[derive(Debug, Serialize)]
struct CampaignRecord {
    id: i64,
    commune_code: i32,
    name: String,
    held_on: NaiveDate,
    participants: i32,
    citizens_reached: i32,
    note: Option<String>,
    partners: Vec<PartnerOrganisation>,
    village_ids: Vec<i64>,
}

impl CampaignRecord {
    /// Campaign `id` as `new` gives it, with its checked `partners` and
    /// `village_ids` (an empty note is none).
    fn new(
        id: i64,
        new: &NewCampaign,
        partners: Vec<PartnerOrganisation>,
        village_ids: Vec<i64>,
    ) -> CampaignRecord {
        CampaignRecord {
            id,
            commune_code: new.commune_code,
            name: new.name.as_str().to_string(),
            held_on: new.held_on,
            participants: new.participants,
            citizens_reached: new.citizens_reached,
            note: new.note.clone().filter(|n| !n.trim().is_empty()),
            partners,
            village_ids,
        }
    }

    fn of(c: &Campaign) -> CampaignRecord {
        let mut village_ids: Vec<i64> = c.villages.iter().map(|(id, _)| *id).collect();
        village_ids.sort_unstable();
        CampaignRecord {
            id: c.id,
            commune_code: c.commune_code,
            name: c.name.clone(),
            held_on: c.held_on,
            participants: c.participants,
            citizens_reached: c.citizens_reached,
            note: c.note.clone(),
            partners: c.partners.clone(),
            village_ids,
        }
    }
}
