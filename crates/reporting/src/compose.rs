//! Composing a report: the settings of a new report (the commune's saved
//! template or the built-in one) and the [`Snapshot`] a version freezes —
//! the body template resolved with every figure as printed (indicators from
//! the store, texts from the commune's records, see [`crate::phrases`]),
//! the document model around it, and the village annex.

use chrono::{Datelike, NaiveDate};
use toso_domain::{format_date, format_date_long, IndicatorCode, IndicatorValue, Node};
use toso_reports::placeholders::OTHER_PLACEHOLDERS;
use toso_reports::template;
use toso_reports::text::lines;
use toso_reports::{
    Document, FrozenFigure, FrozenValue, Inline, Printed, Signature, Snapshot, Source,
};
use toso_store::reports::check_settings;
use toso_store::{Actor, Report, ReportSettings, ReportingRequest, Result, Store, StoreError};

use crate::annex::village_annex;
use crate::phrases;

/// The built-in body template: the structure of the reference report of Cát
/// Hải (answer to 4675/SKHCN-CNTT), with every figure a placeholder and no
/// name of a place, contest, organisation or course written in: those come
/// from the commune's records ({contests}, {partners}, {campaign_names},
/// {courses}, {directives}), so the first draft is right in any province.
pub const DEFAULT_BODY: &str = "\
Thực hiện {request}. Ủy ban nhân dân {commune} báo cáo kết quả thực hiện như sau:
# I. CÔNG TÁC CHỈ ĐẠO, HƯỚNG DẪN TRIỂN KHAI THỰC HIỆN
{directives}
# II. KẾT QUẢ THỰC HIỆN
## 1. Kiện toàn các Tổ Công nghệ số
- Số lượng thôn bản, tổ dân phố trên địa bàn: Có {villages} thôn.
- Số lượng Tổ Công nghệ số trên địa bàn đã thành lập: {teams} Tổ Công nghệ số.
- Số lượng thành viên Tổ công nghệ số cộng đồng: {members} thành viên.
- Tỷ lệ số lượng Tổ CNSCĐ đã thành lập trên tổng số thôn, tổ dân phố: {coverage}.
- Quyết định kiện toàn Tổ CNSCĐ (nếu đã ban hành): {decision}.
- Nhóm zalo hoạt động Tổ CNSCĐ (nếu có): đường liên kết là {zalo}
- Đội hỗ trợ chuyển đổi số phản ứng nhanh cấp xã: {quick_response_members} thành viên.
## 2. Bồi dưỡng tập huấn nghiệp vụ
- Ủy ban nhân dân {commune} đã thành lập {teams} Tổ công nghệ số cộng đồng và Đội hỗ trợ chuyển đổi số phản ứng nhanh, với tổng số {members} thành viên thuộc {villages} thôn, tổ dân phố. Các tổ, đội có nhiệm vụ tuyên truyền, hướng dẫn người dân sử dụng dịch vụ công trực tuyến, thanh toán không dùng tiền mặt, cài đặt và khai thác các ứng dụng số phục vụ đời sống, đồng thời hỗ trợ kịp thời trong quá trình triển khai các nhiệm vụ chuyển đổi số tại cơ sở.
- Về bồi dưỡng, tập huấn: {courses}. Tổng cộng {training_courses} lớp với {trainees} lượt người đăng ký, {trainees_completed} lượt hoàn thành (đạt {training_completion}); {members_trained} thành viên tổ đã được tập huấn.
- Đến {as_of_text}, các tổ đã thực hiện {support_activities} lượt hỗ trợ với {citizens_helped} lượt người dân được hỗ trợ, trong đó hỗ trợ nộp {dossiers} hồ sơ dịch vụ công trực tuyến.
- Ủy ban nhân dân {commune} đã tích cực triển khai công tác tuyên truyền, khuyến khích cán bộ, công chức, viên chức, các Tổ Công nghệ số cộng đồng và người dân trên địa bàn tham gia {contests}. Đến {as_of_text}, Ủy ban nhân dân {commune} đã đăng ký {contest_registrations} người tham gia cuộc thi.
- Các tổ đã phối hợp với {partners} tổ chức {campaigns} đợt ra quân, tuyên truyền, hướng dẫn {campaign_reach} lượt người dân sử dụng dịch vụ số.
## 3. Một số đề xuất, giải pháp, kiến nghị
- Đẩy mạnh cơ chế phối hợp thường xuyên giữa Tổ công nghệ số cộng đồng với {partners} trong tuyên truyền, hướng dẫn người dân sử dụng dịch vụ số.
- Tổ chức lồng ghép các hoạt động của Tổ công nghệ số cộng đồng vào các chương trình, phong trào của đoàn thể như {campaign_names}./.
";

pub const DEFAULT_SUBJECT: &str = "Kết quả triển khai phát huy hiệu quả của các\n\
                                   Tổ công nghệ số cộng đồng trong hỗ trợ người dân";
pub const DEFAULT_SIGNER_CAPACITY: &str = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH";
/// The number before the clerk assigns one.
pub const UNNUMBERED: &str = "        /BC-UBND";

/// Settings for a new report: the commune's saved template, or the
/// built-in one, dated today with the request's as-of date. When the
/// request carries a body template (the Department's, so that every commune
/// answers in the same shape), the body starts from it.
pub async fn report_defaults(
    store: &Store,
    commune_code: i32,
    request: &ReportingRequest,
) -> Result<ReportSettings> {
    let commune = store.commune(commune_code).await?;
    let (_, short) = commune_names(&commune.name, &commune.kind);
    let saved = store.report_template(commune_code).await?;
    let today = toso_store::today();
    let as_of = request.as_of.min(today);
    let report_date = today.max(as_of);
    let mut settings = match saved {
        Some(saved) => ReportSettings {
            as_of,
            report_date,
            number: UNNUMBERED.into(),
            place: short,
            parent_body: saved.parent_body,
            subject: saved.subject,
            body: saved.body,
            recipients: saved.recipients,
            signer_capacity: saved.signer_capacity,
            signer_name: saved.signer_name,
        },
        None => ReportSettings {
            as_of,
            report_date,
            number: UNNUMBERED.into(),
            place: short.clone(),
            parent_body: None,
            subject: DEFAULT_SUBJECT.into(),
            body: DEFAULT_BODY.into(),
            recipients: format!(
                "{};\nCT, các PCT UBND {};\nLưu: VT, VHXH.",
                request.issuer,
                commune.kind.to_lowercase()
            ),
            signer_capacity: DEFAULT_SIGNER_CAPACITY.into(),
            signer_name: String::new(),
        },
    };
    if let Some(body) = &request.template_body {
        settings.body = body.clone();
    }
    Ok(settings)
}

/// Compute the snapshot a report with these settings would freeze, without
/// storing anything (the preview, and the first step of [`create_report`]).
pub async fn compose_report(
    store: &Store,
    commune_code: i32,
    request: &ReportingRequest,
    settings: &ReportSettings,
) -> Result<Snapshot> {
    let parsed = check_settings(settings, toso_store::today())?;
    let commune = store.commune(commune_code).await?;
    let (commune_phrase, _) = commune_names(&commune.name, &commune.kind);
    let as_of = settings.as_of;
    let node = Node::Commune(commune_code);
    let set = store.indicators(node, as_of).await?;
    // Values of every placeholder the template uses, computed once.
    let mut figures: Vec<FrozenFigure> = Vec::new();
    for key in template::placeholders(&parsed) {
        let figure = if let Some(entry) = IndicatorCode::ALL
            .iter()
            .find(|c| c.key() == key)
            .and_then(|c| set.get(*c))
        {
            FrozenFigure {
                key: key.into(),
                label: entry.name.into(),
                text: entry.display.clone(),
            }
        } else {
            let label = OTHER_PLACEHOLDERS
                .iter()
                .find(|p| p.key == key)
                .map(|p| p.label)
                .unwrap_or(key);
            let text = match key {
                "request" => request.citation(),
                "commune" => commune_phrase.clone(),
                "as_of" => format_date(as_of),
                "as_of_text" => as_of_text(as_of),
                "directives" => {
                    phrases::directives_text(store, commune_code, request.period_from, as_of)
                        .await?
                }
                "decision" => phrases::decision_text(store, commune_code, as_of).await?,
                "courses" => {
                    phrases::courses_text(store, commune_code, request.period_from, as_of).await?
                }
                "contests" => {
                    phrases::contests_text(store, commune_code, request.period_from, as_of).await?
                }
                "partners" => phrases::partners_text(&phrases::campaigns_in(
                    store.campaigns(commune_code).await?,
                    request.period_from,
                    as_of,
                )),
                "campaign_names" => phrases::campaign_names_text(&phrases::campaigns_in(
                    store.campaigns(commune_code).await?,
                    request.period_from,
                    as_of,
                )),
                "zalo" => phrases::zalo_text(store, commune_code, as_of).await?,
                _ => {
                    return Err(StoreError::invalid(
                        "body",
                        format!("Nội dung báo cáo: không có số liệu tên «{{{key}}}»."),
                    ))
                }
            };
            FrozenFigure {
                key: key.into(),
                label: label.into(),
                text,
            }
        };
        figures.push(figure);
    }
    let blocks = resolve_blocks(&parsed, &figures)?;
    let document = document(
        settings,
        vec!["ỦY BAN NHÂN DÂN".into(), commune.name.to_uppercase()],
        blocks,
        format!(
            "Báo cáo {} – {}",
            lines(&settings.subject).join(" "),
            commune.name
        ),
    );
    let annex = village_annex(store, commune_code, &commune.name, as_of).await?;
    Ok(Snapshot {
        commune_code,
        printed: Printed {
            as_of,
            document,
            annexes: vec![annex],
            annex_pages: true,
            figures,
        },
        values: frozen_values(&set),
    })
}

/// The body template resolved with the frozen figures, each printed as a
/// figure that knows its placeholder (the preview links it).
pub(crate) fn resolve_blocks(
    parsed: &[template::Line],
    figures: &[FrozenFigure],
) -> Result<Vec<toso_reports::Block>> {
    template::resolve(parsed, |key| {
        figures
            .iter()
            .find(|f| f.key == key)
            .map(|f| Inline::Figure {
                text: f.text.clone(),
                source: Source {
                    key: f.key.clone(),
                    label: f.label.clone(),
                },
            })
    })
    .map_err(|e| StoreError::invalid("body", format!("Nội dung báo cáo, {e}")))
}

/// The document a version's settings describe (Nghị định 30 layout), a
/// commune's or a Department's: `issuing_body` one entry per printed line.
pub(crate) fn document(
    settings: &ReportSettings,
    issuing_body: Vec<String>,
    blocks: Vec<toso_reports::Block>,
    file_title: String,
) -> Document {
    Document {
        parent_body: toso_domain::non_blank(settings.parent_body.as_deref()).map(str::to_uppercase),
        issuing_body,
        number: spaced_number(&settings.number),
        place_date: format_date_long(settings.place.trim(), settings.report_date),
        title: "BÁO CÁO".into(),
        subject: lines(&settings.subject),
        blocks,
        recipients: lines(&settings.recipients)
            .into_iter()
            .map(|l| {
                l.trim_start_matches(['-', '–', '+', '•'])
                    .trim()
                    .to_string()
            })
            .collect(),
        signature: Signature {
            capacity: lines(&settings.signer_capacity)
                .into_iter()
                .map(|l| l.to_uppercase())
                .collect(),
            name: settings.signer_name.trim().to_string(),
        },
        file_title,
        generated_on: settings.report_date,
    }
}

/// Generate and store a new version of the commune's report for
/// `request`: the figures are computed now and frozen.
pub async fn create_report(
    store: &Store,
    actor: &Actor,
    commune_code: i32,
    request_id: i64,
    settings: ReportSettings,
) -> Result<Report> {
    let request = store.request_for_commune(commune_code, request_id).await?;
    let snapshot = compose_report(store, commune_code, &request, &settings).await?;
    store.save_report(actor, &request, settings, snapshot).await
}

/// Every count and rate of the set as a number (breakdowns and medians
/// are left out).
fn frozen_values(set: &toso_store::IndicatorSet) -> Vec<FrozenValue> {
    set.indicators
        .iter()
        .filter_map(|e| {
            let key = e.code.key().to_string();
            match &e.value {
                IndicatorValue::Count { value } => Some(FrozenValue {
                    key,
                    value: *value,
                    denominator: None,
                }),
                IndicatorValue::Ratio {
                    numerator,
                    denominator,
                } => Some(FrozenValue {
                    key,
                    value: *numerator,
                    denominator: Some(*denominator),
                }),
                // Breakdowns' parts are counts of their own; a median of
                // medians is no median: the province report leaves it out.
                IndicatorValue::Breakdown { .. } | IndicatorValue::Duration { .. } => None,
            }
        })
        .collect()
}

/// "Đặc khu Cát Hải" → ("đặc khu Cát Hải", "Cát Hải").
fn commune_names(name: &str, kind: &str) -> (String, String) {
    let lower = name.to_lowercase();
    let kind_lower = kind.to_lowercase();
    if lower.starts_with(&kind_lower) && name.len() > kind.len() {
        let short = name[kind.len()..].trim().to_string();
        (format!("{kind_lower} {short}"), short)
    } else {
        (name.to_string(), name.to_string())
    }
}

/// A document's number as printed: the spaces before "/BC-UBND" leave room
/// for the number the clerk writes in; non-breaking so that no renderer
/// collapses them.
pub(crate) fn spaced_number(number: &str) -> String {
    let n = number.trim_end();
    let lead = n.len() - n.trim_start().len();
    format!("{}{}", "\u{a0}".repeat(lead.min(10)), n.trim_start())
}

/// "hết tháng 11/2025" on a month's last day, else "ngày 15/11/2025".
pub(crate) fn as_of_text(d: NaiveDate) -> String {
    if d.succ_opt().is_some_and(|n| n.month() != d.month()) {
        format!("hết tháng {:02}/{}", d.month(), d.year())
    } else {
        format!("ngày {}", format_date(d))
    }
}

/// Fails when a built-in text names a province, commune or ward of the
/// country: every name of the 34 provinces and 3,321 communes (without
/// "Tỉnh", "Thành phố", "Xã", "Phường", "Đặc khu") is looked for in them.
#[cfg(test)]
pub(crate) fn assert_no_place_named(texts: &[&str]) {
    let mut names = 0;
    for line in toso_store::admin::ADMIN_UNITS_CSV.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        for name in [cols[1], cols[4]] {
            let short = ["Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu "]
                .iter()
                .find_map(|p| name.strip_prefix(p))
                .unwrap_or(name);
            names += 1;
            for text in texts {
                assert!(!text.contains(short), "«{short}» in a built-in text");
            }
        }
    }
    assert!(names > 6_000, "{names}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use toso_reports::placeholders;

    #[test]
    fn helpers() {
        assert_eq!(
            commune_names("Đặc khu Cát Hải", "đặc khu"),
            ("đặc khu Cát Hải".to_string(), "Cát Hải".to_string())
        );
        assert_eq!(commune_names("Phường Ba Đình", "phường").1, "Ba Đình");
        assert_eq!(
            as_of_text(NaiveDate::from_ymd_opt(2025, 11, 30).unwrap()),
            "hết tháng 11/2025"
        );
        assert_eq!(
            as_of_text(NaiveDate::from_ymd_opt(2025, 11, 15).unwrap()),
            "ngày 15/11/2025"
        );
        assert_eq!(
            toso_reports::text::lower_first("Về việc thành lập"),
            "về việc thành lập"
        );
    }

    /// The built-in texts name no province, commune or ward of the country:
    /// every name of the 34 provinces and 3,321 communes (without "Tỉnh",
    /// "Thành phố", "Xã", "Phường", "Đặc khu") is looked for in them.
    #[test]
    fn the_built_in_texts_name_no_place() {
        let texts = [
            DEFAULT_BODY,
            DEFAULT_SUBJECT,
            DEFAULT_SIGNER_CAPACITY,
            phrases::NO_CONTEST,
            phrases::NO_PARTNER,
            phrases::NO_CAMPAIGN,
        ];
        assert_no_place_named(&texts);
        assert!(!DEFAULT_BODY.contains("thành phố"));
        // Every placeholder of the default body is one the store fills.
        let known: Vec<&str> = placeholders().iter().map(|p| p.key).collect();
        let parsed = template::parse(DEFAULT_BODY).unwrap();
        template::check(&parsed, &known).unwrap();
        for key in ["contests", "partners", "campaign_names", "courses"] {
            assert!(template::placeholders(&parsed).contains(&key), "{key}");
        }
    }
}
