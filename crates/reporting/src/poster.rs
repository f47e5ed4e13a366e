//! The village posters of a commune: each active village's public page (as
//! the store gives it, [`toso_store::PublicVillage`]) mapped to the poster
//! `toso-pdf` prints ([`toso_pdf::Poster`]), and the commune's posters as
//! one PDF, one page per village. The web and the CLI (`toso poster`) both
//! come here.

use chrono::NaiveDate;
use toso_domain::{format_date, PhoneNumber};
use toso_pdf::{PdfError, Poster, PosterContact, PosterMember};
use toso_store::{PublicVillage, Store, StoreError};

/// Why a commune's posters could not be made.
#[derive(Debug)]
pub enum PosterError {
    /// Reading the store failed, or the commune does not exist (its
    /// message says so).
    Store(StoreError),
    /// The commune has no active village on the day.
    NoVillage {
        commune_name: String,
        day: NaiveDate,
    },
    /// The village asked for is not an active village of the commune.
    UnknownVillage {
        village_id: i64,
        commune_name: String,
        day: NaiveDate,
    },
    /// The PDF could not be made.
    Pdf(PdfError),
}

impl std::fmt::Display for PosterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PosterError::Store(e) => write!(f, "{e}"),
            PosterError::NoVillage { commune_name, day } => write!(
                f,
                "{commune_name} không có thôn, tổ dân phố nào đang hoạt động ngày {}: \
                 không có tờ thông tin nào để in.",
                format_date(*day)
            ),
            PosterError::UnknownVillage {
                village_id,
                commune_name,
                day,
            } => write!(
                f,
                "Thôn, tổ dân phố số {village_id} không thuộc {commune_name} hoặc không còn \
                 hoạt động ngày {}.",
                format_date(*day)
            ),
            PosterError::Pdf(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PosterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PosterError::Store(e) => Some(e),
            PosterError::Pdf(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for PosterError {
    fn from(e: StoreError) -> Self {
        PosterError::Store(e)
    }
}

impl From<PdfError> for PosterError {
    fn from(e: PdfError) -> Self {
        PosterError::Pdf(e)
    }
}

/// The poster of `village`, whose page is `{base_url}/v/{code}`, printed
/// on `printed_on`.
pub fn poster_of(village: &PublicVillage, base_url: &str, printed_on: NaiveDate) -> Poster {
    let team = village.team.as_ref();
    Poster {
        province_name: village.province_name.clone(),
        commune_name: village.commune_name.clone(),
        village_name: village.village_name.clone(),
        team_name: team.map(|t| t.name.clone()),
        members: team
            .map(|t| {
                t.members
                    .iter()
                    .map(|m| PosterMember {
                        name: m.name.clone(),
                        role: m.role.label().to_owned(),
                        phone: m.phone.as_deref().map(shown_phone).unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        page_url: page_url(base_url, &village.code),
        page_code: village.code.clone(),
        zalo_link: team.and_then(|t| t.zalo_link.clone()),
        quick_response: village.quick_response.as_ref().and_then(|t| {
            t.members.iter().find_map(|m| {
                m.phone.as_deref().map(|p| PosterContact {
                    team_name: t.name.clone(),
                    name: m.name.clone(),
                    phone: shown_phone(p),
                })
            })
        }),
        printed_on,
    }
}

/// The posters of the commune's active villages on `day` (only
/// `village_id`'s when given), in the villages' order. Refuses an unknown
/// commune, a commune without an active village, and a village that is not
/// one of the commune's active villages.
pub async fn posters_of(
    store: &Store,
    commune_code: i32,
    village_id: Option<i64>,
    base_url: &str,
    day: NaiveDate,
) -> Result<Vec<Poster>, PosterError> {
    let commune = store.commune(commune_code).await?;
    let mut villages = store.public_villages(commune_code, day).await?;
    if villages.is_empty() {
        return Err(PosterError::NoVillage {
            commune_name: commune.name,
            day,
        });
    }
    if let Some(id) = village_id {
        villages.retain(|v| v.village_id == id);
        if villages.is_empty() {
            return Err(PosterError::UnknownVillage {
                village_id: id,
                commune_name: commune.name,
                day,
            });
        }
    }
    Ok(villages
        .iter()
        .map(|v| poster_of(v, base_url, day))
        .collect())
}

/// The posters as one PDF, one page each (see [`toso_pdf::render_posters`]).
pub fn render(posters: &[Poster]) -> Result<Vec<u8>, PosterError> {
    Ok(toso_pdf::render_posters(posters)?)
}

/// Every active village's poster of the commune on `day` as one PDF, one
/// page per village, printed on `day`.
pub async fn commune_posters(
    store: &Store,
    commune_code: i32,
    base_url: &str,
    day: NaiveDate,
) -> Result<Vec<u8>, PosterError> {
    render(&posters_of(store, commune_code, None, base_url, day).await?)
}

/// `{base_url without its trailing slashes}/v/{code}`.
fn page_url(base_url: &str, code: &str) -> String {
    format!("{}/v/{code}", base_url.trim_end_matches('/'))
}

/// A phone grouped for reading ("0912 345 678"); as stored when it is not
/// a valid Vietnamese number.
fn shown_phone(phone: &str) -> String {
    PhoneNumber::parse(phone)
        .map(|p| p.display())
        .unwrap_or_else(|_| phone.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use toso_domain::Role;
    use toso_store::{PublicMember, PublicTeam};

    fn member(name: &str, role: Role, phone: Option<&str>) -> PublicMember {
        PublicMember {
            name: name.into(),
            role,
            phone: phone.map(str::to_owned),
        }
    }

    fn village() -> PublicVillage {
        PublicVillage {
            code: "ABCD2345".into(),
            village_id: 7,
            village_name: "Tổ dân phố 1".into(),
            commune_code: 11914,
            commune_name: "Đặc khu Cát Hải".into(),
            province_name: "Thành phố Hải Phòng".into(),
            team: Some(PublicTeam {
                id: 1,
                name: "Tổ công nghệ số cộng đồng Tổ dân phố 1".into(),
                zalo_link: Some("https://zalo.me/g/xuubpv554".into()),
                members: vec![
                    member("Nguyễn Văn Hùng", Role::ToTruong, Some("0912345678")),
                    member("Trần Thị Lan", Role::ThanhVien, None),
                ],
            }),
            quick_response: Some(PublicTeam {
                id: 2,
                name: "Đội hỗ trợ chuyển đổi số phản ứng nhanh".into(),
                zalo_link: None,
                members: vec![
                    member("Lê Văn An", Role::ToTruong, None),
                    member("Phạm Thị Bích", Role::ToPho, Some("02251234567")),
                ],
            }),
        }
    }

    #[test]
    fn a_public_village_maps_to_its_poster() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let p = poster_of(&village(), "http://example.test/", day);
        assert_eq!(p.page_url, "http://example.test/v/ABCD2345");
        assert_eq!(p.page_code, "ABCD2345");
        assert_eq!(p.village_name, "Tổ dân phố 1");
        assert_eq!(
            p.team_name.as_deref(),
            Some("Tổ công nghệ số cộng đồng Tổ dân phố 1")
        );
        assert_eq!(
            p.members,
            vec![
                PosterMember {
                    name: "Nguyễn Văn Hùng".into(),
                    role: "Tổ trưởng".into(),
                    phone: "0912 345 678".into(),
                },
                PosterMember {
                    name: "Trần Thị Lan".into(),
                    role: "Thành viên".into(),
                    phone: String::new(),
                },
            ]
        );
        assert_eq!(p.zalo_link.as_deref(), Some("https://zalo.me/g/xuubpv554"));
        // The first listed member with a phone.
        assert_eq!(
            p.quick_response,
            Some(PosterContact {
                team_name: "Đội hỗ trợ chuyển đổi số phản ứng nhanh".into(),
                name: "Phạm Thị Bích".into(),
                phone: "0225 123 4567".into(),
            })
        );
        assert_eq!(p.printed_on, day);
    }

    #[test]
    fn a_village_without_team_or_phones_has_no_contacts() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let mut v = village();
        v.team = None;
        if let Some(q) = v.quick_response.as_mut() {
            for m in &mut q.members {
                m.phone = None;
            }
        }
        let p = poster_of(&v, "http://localhost:8080", day);
        assert_eq!(p.page_url, "http://localhost:8080/v/ABCD2345");
        assert!(p.team_name.is_none());
        assert!(p.members.is_empty());
        assert!(p.zalo_link.is_none());
        assert!(p.quick_response.is_none());
    }

    #[test]
    fn the_errors_are_in_vietnamese() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let e = PosterError::NoVillage {
            commune_name: "Xã Thử".into(),
            day,
        };
        assert_eq!(
            e.to_string(),
            "Xã Thử không có thôn, tổ dân phố nào đang hoạt động ngày 05/01/2026: \
             không có tờ thông tin nào để in."
        );
    }
}
