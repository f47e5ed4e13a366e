//! A commune's month as a document to print: the [`MonthView`] the store
//! gives (the frozen copy while approved, otherwise the records now) with
//! the names and status lines the XLSX and the PDF carry. One place for the
//! web download and `toso allowance`.

use chrono::NaiveDate;
use toso_store::MonthView;

use crate::allowance::AllowanceDoc;

/// The document of `view`; `None` when no policy is in force for the month
/// (no list to print).
pub fn month_document<'a>(
    view: &'a MonthView,
    commune_name: &'a str,
    province_name: &'a str,
    today: NaiveDate,
) -> Option<AllowanceDoc<'a>> {
    let (Some(policy), Some(list)) = (&view.policy, &view.list) else {
        return None;
    };
    Some(AllowanceDoc {
        commune_name,
        province_name,
        month: view.month,
        sheets: &view.sheets,
        list,
        policy: format!("{}, có hiệu lực {}", policy.title(), policy.period()),
        status: view.status(today),
    })
}

/// The refusal when a month has no policy in force.
pub fn no_policy(view: &MonthView) -> String {
    format!(
        "Chưa có chính sách chi trả có hiệu lực trong tháng {}: chưa lập được danh sách chi trả.",
        view.month.label()
    )
}
