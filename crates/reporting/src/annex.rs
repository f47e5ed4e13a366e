//! The village annex of a report: one row per village active on the as-of
//! date with its team and its figures ([`Store::village_summaries`]), and a
//! totals row; rendered as the XLSX annex.

use chrono::NaiveDate;
use toso_domain::{format_date, format_int};
use toso_reports::{Annex, Cell};
use toso_store::{Result, Store};

pub async fn village_annex(
    store: &Store,
    commune_code: i32,
    name: &str,
    as_of: NaiveDate,
) -> Result<Annex> {
    let rows = store.village_summaries(commune_code, as_of).await?;
    let n = |v: i64| Cell::Number(v as f64);
    let t = |s: String| Cell::Text(s);
    let totals = vec![
        t(String::new()),
        t("Cộng".into()),
        t(format!(
            "{} tổ",
            format_int(rows.iter().filter(|r| r.team.is_some()).count() as i64)
        )),
        t(String::new()),
        t(String::new()),
        n(rows.iter().map(|r| r.members).sum()),
        n(rows.iter().map(|r| r.activities).sum()),
        n(rows.iter().map(|r| r.citizens_helped).sum()),
        n(rows.iter().map(|r| r.dossiers).sum()),
    ];
    Ok(Annex {
        title: "Phụ lục: Tổ công nghệ số cộng đồng theo thôn, tổ dân phố".into(),
        subtitle: vec![
            name.to_string(),
            format!("Số liệu đến ngày {}", format_date(as_of)),
        ],
        columns: [
            "STT",
            "Thôn, tổ dân phố",
            "Tổ công nghệ số cộng đồng",
            "Ngày thành lập",
            "Quyết định thành lập",
            "Số thành viên",
            "Số lượt hỗ trợ",
            "Số người dân được hỗ trợ",
            "Số hồ sơ DVC trực tuyến",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    n(i as i64 + 1),
                    t(r.village.clone()),
                    t(r.team
                        .as_ref()
                        .map_or_else(|| "Chưa thành lập".into(), |t| t.name.clone())),
                    t(r.team
                        .as_ref()
                        .map(|t| format_date(t.established_on))
                        .unwrap_or_default()),
                    t(r.decision.clone().unwrap_or_default()),
                    n(r.members),
                    n(r.activities),
                    n(r.citizens_helped),
                    n(r.dossiers),
                ]
            })
            .collect(),
        totals: Some(totals),
    })
}
