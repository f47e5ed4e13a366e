//! `toso sample-roster`: a synthetic member roster for the import
//! benchmark (scripts/bench-import.sh), in the common layout of a
//! commune's list. Synthetic people only.

use toso_demo::synthetic::person_name;
use toso_domain::Gender;
use toso_sheets::{SheetKind, Table, Value};

/// A synthetic roster of `rows` members over `villages` villages, in the
/// common layout, with phones stored as numbers (leading 0 lost) as Excel
/// does. Deterministic; no real person (the names are drawn from the
/// demo's lists, `toso_demo::synthetic`).
pub fn sample_roster(rows: u64, villages: u64) -> Table {
    const AFF: &[&str] = &[
        "Trưởng thôn",
        "Bí thư chi bộ",
        "Công an",
        "Đoàn Thanh niên",
        "Hội Phụ nữ",
        "Hội Nông dân",
        "Hội Cựu chiến binh",
        "Mặt trận Tổ quốc",
        "Người có uy tín",
        "Khác",
    ];
    let mut table = toso_sheets::template(SheetKind::Members);
    table.rows.clear();
    table.rows.reserve(rows as usize);
    let mut x: u64 = 0x2545F4914F6CDD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..rows {
        let v = i % villages.max(1);
        let r = next();
        let gender = if (r >> 32) % 2 == 0 {
            Gender::Nam
        } else {
            Gender::Nu
        };
        // The name parts from bytes 0, 1 and 2 of `r`.
        let mut shift = 0;
        let name = person_name(gender, |n| {
            let i = ((r >> shift) % n as u64) as usize;
            shift += 8;
            i
        });
        let role = match i / villages.max(1) {
            0 => "Tổ trưởng",
            1 => "Tổ phó",
            _ => "Thành viên",
        };
        // Unique mobile numbers 09xxxxxxxx, stored as numbers.
        let phone = 900_000_000 + i;
        table.rows.push(vec![
            Value::Plain(i as i64 + 1),
            Value::Text(name),
            Value::Plain(1960 + ((r >> 24) % 45) as i64),
            Value::text(gender.label()),
            Value::text(AFF[((r >> 40) % 10) as usize]),
            Value::text(role),
            Value::Plain(phone as i64),
            Value::Text(format!("Thôn {}", v + 1)),
            Value::Empty,
        ]);
    }
    table
}
