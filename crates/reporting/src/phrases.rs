//! The texts a report prints from the commune's records rather than from an
//! indicator: the directives of the period, the decision that established
//! the teams, the courses, the contests, the campaigns' partners and names,
//! the teams' Zalo group. Each has a neutral phrase for a commune without
//! such records, so a first draft never names another place.

use chrono::NaiveDate;
use toso_domain::{fold, format_date, format_int, DocumentKind, PartnerOrganisation};
use toso_reports::text::lower_first;
use toso_store::{Result, Store};

/// {contests} when the commune has recorded no contest in the period.
pub const NO_CONTEST: &str = "các cuộc thi về chuyển đổi số do cấp trên phát động";
/// {partners} when no campaign of the period names a partner.
pub const NO_PARTNER: &str = "các đoàn thể ở cơ sở";
/// {campaign_names} when the commune has recorded no campaign in the period.
pub const NO_CAMPAIGN: &str = "các đợt ra quân hỗ trợ người dân chuyển đổi số";

/// A contest's name without a leading "Cuộc thi", which the report prints
/// before the quotes: "Cuộc thi Công dân số" → "Công dân số".
fn contest_title(name: &str) -> &str {
    let name = name.trim();
    let prefix: String = name.chars().take(8).collect();
    let after = &name[prefix.len()..];
    if fold(&prefix) == "cuoc thi" && after.starts_with([' ', ':', '-', '–']) {
        let rest = after.trim_start_matches([' ', ':', '-', '–']);
        if !rest.is_empty() {
            return rest;
        }
    }
    name
}

/// The campaigns held in the period (from `from`, or the beginning, to
/// `as_of`), oldest first.
pub fn campaigns_in(
    mut campaigns: Vec<toso_store::Campaign>,
    from: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Vec<toso_store::Campaign> {
    campaigns.retain(|c| c.held_on <= as_of && from.is_none_or(|f| c.held_on >= f));
    campaigns.sort_by_key(|c| (c.held_on, c.id));
    campaigns
}

/// The organisations the campaigns were held with, in the vocabulary's
/// order, once each: "Đoàn Thanh niên, Hội Phụ nữ"; «Khác» reads "các tổ
/// chức khác". None: a neutral phrase.
pub fn partners_text(campaigns: &[toso_store::Campaign]) -> String {
    let mut partners: Vec<PartnerOrganisation> = campaigns
        .iter()
        .flat_map(|c| c.partners.iter().copied())
        .collect();
    partners.sort();
    partners.dedup();
    let mut names: Vec<&str> = partners
        .iter()
        .filter(|p| **p != PartnerOrganisation::Khac)
        .map(|p| p.label())
        .collect();
    if partners.contains(&PartnerOrganisation::Khac) {
        names.push("các tổ chức khác");
    }
    if names.is_empty() {
        NO_PARTNER.into()
    } else {
        names.join(", ")
    }
}

/// The campaigns' names in quotes, oldest first, once each:
/// "“Tuổi trẻ chuyển đổi số”, “Chủ nhật xanh”". None: a neutral phrase.
pub fn campaign_names_text(campaigns: &[toso_store::Campaign]) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for c in campaigns {
        let key = fold(&c.name);
        if !seen.contains(&key) {
            seen.push(key);
            names.push(format!("“{}”", c.name.trim()));
        }
    }
    if names.is_empty() {
        NO_CAMPAIGN.into()
    } else {
        names.join(", ")
    }
}

/// The commune's directive documents issued in the period (all up to
/// `as_of` when the request names no start), decisions first, as one
/// sentence: "Quyết định số … ngày … về việc …; Công văn số … ."
pub async fn directives_text(
    store: &Store,
    commune_code: i32,
    from: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Result<String> {
    let filter = toso_store::DocumentFilter {
        from,
        until: Some(as_of),
        ..Default::default()
    };
    let mut docs: Vec<_> = store
        .documents(commune_code, &filter)
        .await?
        .into_iter()
        .filter(|d| d.kind != DocumentKind::BaoCao)
        .collect();
    docs.sort_by_key(|d| (d.kind != DocumentKind::QuyetDinh, d.issued_on, d.id));
    if docs.is_empty() {
        return Ok("Trong kỳ báo cáo, xã chưa ban hành văn bản chỉ đạo nào.".into());
    }
    let parts: Vec<String> = docs
        .iter()
        .map(|d| format!("{} {}", d.citation(), lower_first(&d.subject)))
        .collect();
    Ok(format!("{}.", parts.join("; ")))
}

/// The decision that established the teams active on `as_of` (the
/// newest when several), cited with its subject.
pub async fn decision_text(store: &Store, commune_code: i32, as_of: NaiveDate) -> Result<String> {
    Ok(match store.teams_decision(commune_code, as_of).await? {
        Some(d) => format!("{} {}", d.citation(), lower_first(&d.subject)),
        None => "chưa ban hành".into(),
    })
}

/// The training courses started in the period (all up to `as_of` when
/// the request names no start), oldest first, as one phrase:
/// "lớp “…” (trực tuyến, 28/10/2025 – 14/11/2025; 44 người đăng ký, 40 hoàn thành); lớp “…” …".
pub async fn courses_text(
    store: &Store,
    commune_code: i32,
    from: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Result<String> {
    let mut courses: Vec<_> = store
        .courses(commune_code)
        .await?
        .into_iter()
        .filter(|c| c.starts_on <= as_of && from.is_none_or(|f| c.starts_on >= f))
        .collect();
    courses.sort_by_key(|c| (c.starts_on, c.id));
    if courses.is_empty() {
        return Ok("trong kỳ chưa có lớp bồi dưỡng, tập huấn nào".into());
    }
    let parts: Vec<String> = courses
        .iter()
        .map(|c| {
            let dates = match c.ends_on {
                Some(end) if end != c.starts_on => {
                    format!("{} – {}", format_date(c.starts_on), format_date(end))
                }
                _ => format_date(c.starts_on),
            };
            format!(
                "lớp “{}” ({}, {}; {} người đăng ký, {} hoàn thành)",
                c.title,
                c.mode.label().to_lowercase(),
                dates,
                format_int(c.registered()),
                format_int(c.completed())
            )
        })
        .collect();
    Ok(parts.join("; "))
}

/// The commune's contests that ran in the period (started by `as_of`,
/// not ended before `from`), oldest first, as the object of "tham gia …":
/// "Cuộc thi “…” do … phát động"; with several, each with the people
/// registered for it in the period up to `as_of`. None: a neutral phrase.
pub async fn contests_text(
    store: &Store,
    commune_code: i32,
    from: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Result<String> {
    let mut contests: Vec<_> = store
        .contests(commune_code)
        .await?
        .into_iter()
        .filter(|c| c.starts_on <= as_of && from.is_none_or(|f| c.ends_on.is_none_or(|e| e >= f)))
        .collect();
    contests.sort_by_key(|c| (c.starts_on, c.id));
    if contests.is_empty() {
        return Ok(NO_CONTEST.into());
    }
    let mut parts = Vec::with_capacity(contests.len());
    for c in &contests {
        let named = format!(
            "Cuộc thi “{}” do {} phát động",
            contest_title(&c.name),
            c.organiser
        );
        if contests.len() == 1 {
            parts.push(named);
            continue;
        }
        let registered: i64 = store
            .registrations(c.id)
            .await?
            .iter()
            .filter(|r| r.registered_on <= as_of && from.is_none_or(|f| r.registered_on >= f))
            .map(|r| i64::from(r.count))
            .sum();
        parts.push(format!(
            "{named} ({} người đăng ký)",
            format_int(registered)
        ));
    }
    Ok(parts.join("; "))
}

/// The teams' Zalo group: the quick-response team's link, else the one
/// link the village teams share, else how many groups there are.
pub async fn zalo_text(store: &Store, commune_code: i32, as_of: NaiveDate) -> Result<String> {
    let teams: Vec<toso_store::Team> = store
        .teams(commune_code)
        .await?
        .into_iter()
        .filter(|t| t.is_active_on(as_of))
        .collect();
    let quick = teams
        .iter()
        .filter(|t| t.kind == toso_domain::TeamKind::QuickResponse)
        .find_map(|t| t.zalo_link.clone());
    let mut links: Vec<String> = teams.iter().filter_map(|t| t.zalo_link.clone()).collect();
    links.sort();
    links.dedup();
    Ok(match (quick, links.len()) {
        (Some(link), _) => link,
        (None, 0) => "chưa có".into(),
        (None, 1) => links.remove(0),
        (None, n) => format!(
            "{} nhóm Zalo của các tổ (xem danh sách tổ)",
            format_int(n as i64)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contest_titles() {
        assert_eq!(contest_title("Cuộc thi Công dân số"), "Công dân số");
        assert_eq!(
            contest_title("CUỘC THI: Rung chuông vàng"),
            "Rung chuông vàng"
        );
        assert_eq!(
            contest_title("Công dân số Quảng Ninh"),
            "Công dân số Quảng Ninh"
        );
        assert_eq!(contest_title("Cuộc thiên"), "Cuộc thiên");
        assert_eq!(contest_title("Cuộc thi"), "Cuộc thi");
    }

    fn campaign(name: &str, partners: &[PartnerOrganisation]) -> toso_store::Campaign {
        toso_store::Campaign {
            id: 1,
            commune_code: 6652,
            name: name.into(),
            held_on: NaiveDate::from_ymd_opt(2025, 11, 9).unwrap(),
            participants: 10,
            citizens_reached: 50,
            note: None,
            partners: partners.to_vec(),
            villages: vec![],
        }
    }

    #[test]
    fn partners_and_campaign_names_come_from_the_campaigns() {
        use PartnerOrganisation::*;
        let list = [
            campaign("Tuổi trẻ chuyển đổi số", &[DoanTn]),
            campaign("Chủ nhật xanh", &[HoiPn, DoanTn]),
            campaign("chu nhat  xanh", &[Khac]),
        ];
        assert_eq!(
            partners_text(&list),
            "Đoàn Thanh niên, Hội Phụ nữ, các tổ chức khác"
        );
        assert_eq!(
            campaign_names_text(&list),
            "“Tuổi trẻ chuyển đổi số”, “Chủ nhật xanh”"
        );
        assert_eq!(partners_text(&[]), NO_PARTNER);
        assert_eq!(campaign_names_text(&[]), NO_CAMPAIGN);
    }
}
