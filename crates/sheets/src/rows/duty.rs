//! The rows of a duty-day sheet: one row per member on duty, with the day,
//! the village (whose team kept the duty) and the place. The store groups
//! the rows of one team, day and place into one duty day.

use std::sync::Arc;

use chrono::NaiveDate;
use toso_domain::{clean_text, DomainError, PersonName, PhoneNumber};

use super::RowParser;
use crate::cell::Cell;
use crate::columns::Field;
use crate::rows::Issue;

/// One member on duty on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct DutyDayRow {
    pub line: u32,
    /// The member, found by folded name among the team's members that day.
    pub full_name: PersonName,
    /// Tells apart two members of the team with the same name.
    pub phone: Option<PhoneNumber>,
    /// The village whose team kept the duty.
    pub village: Arc<str>,
    pub held_on: NaiveDate,
    /// Where, in canonical form (never empty).
    pub place: String,
    pub note: Option<String>,
}

/// Cell text in canonical form; an error naming the field when nothing is
/// left of it.
fn text(cell: &Cell, field: &'static str, label: &str) -> Result<String, DomainError> {
    let t = clean_text(&cell.text_cow());
    if t.is_empty() {
        Err(DomainError::new(
            field,
            format!("{label} không được để trống."),
        ))
    } else {
        Ok(t)
    }
}

impl RowParser {
    pub(super) fn duty_day_row(
        &mut self,
        line: u32,
        cells: &[Cell],
        bad: &mut Vec<Issue>,
    ) -> Option<DutyDayRow> {
        let name = self.required(line, cells, Field::FullName, bad, |c| {
            PersonName::parse(&c.text_cow())
        });
        let phone = self.field(line, cells, Field::Phone, bad, |c| {
            PhoneNumber::parse_lenient(&c.text_cow())
        });
        let village = self.village_cell(line, cells, bad);
        let held_on = self.required(line, cells, Field::HeldOn, bad, |c| {
            c.date("held_on", "Ngày trực")
        });
        let place = self.required(line, cells, Field::Place, bad, |c| {
            text(c, "place", "Nơi trực")
        });
        let note = self.field(line, cells, Field::Note, bad, |c| {
            Ok(Some(clean_text(&c.text_cow())).filter(|t| !t.is_empty()))
        });
        Some(DutyDayRow {
            line,
            full_name: name?,
            phone: phone?,
            village: village?,
            held_on: held_on?,
            place: place?,
            note: note?.flatten(),
        })
    }
}

#[cfg(all(test, feature = "files"))]
mod tests {
    use crate::{read_bytes, ReadOptions, Rows, SheetKind};

    #[test]
    fn duty_day_rows_parse_or_name_their_column() {
        let csv = "STT,Họ và tên,Ấp,Ngày trực,Địa điểm trực,Ghi chú\n\
                   1,Nguyễn Văn An,TDP 1,03/11/2025,  Bộ phận   một cửa ,\n\
                   2,Trần Thị Bình,Tổ dân phố 1,31/11/2025,Chợ,\n\
                   3,Lê Văn Cường,Tổ dân phố 1,04/11/2025,,Trực thay\n";
        let today = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).expect("a date");
        let parsed = read_bytes(
            "ngay-truc.csv",
            csv.as_bytes(),
            SheetKind::DutyDays,
            &ReadOptions::new(today),
            &mut |_, _| {},
        )
        .expect("a sheet");
        let Rows::DutyDays(rows) = &parsed.rows else {
            panic!("duty-day rows");
        };
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].full_name.as_str(), "Nguyễn Văn An");
        assert_eq!(&*rows[0].village, "TDP 1");
        assert_eq!(
            rows[0].held_on,
            chrono::NaiveDate::from_ymd_opt(2025, 11, 3).expect("a date")
        );
        assert_eq!(rows[0].place, "Bộ phận một cửa");
        assert_eq!(rows[0].note, None);
        let errors: Vec<String> = parsed.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("Dòng 3, cột «Ngày trực»"),
            "{errors:?}"
        );
        assert_eq!(
            errors[1],
            "Dòng 4, cột «Nơi trực»: Nơi trực không được để trống."
        );
    }
}
