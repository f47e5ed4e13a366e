//! `toso sample-roster`: a synthetic member roster for the import
//! benchmark (scripts/bench-import.sh), in the common layout of a
//! commune's list. Synthetic people only.

use toso_sheets::{SheetKind, Table, Value};

/// A synthetic roster of `rows` members over `villages` villages, in the
/// common layout, with phones stored as numbers (leading 0 lost) as Excel
/// does. Deterministic; no real person.
pub fn sample_roster(rows: u64, villages: u64) -> Table {
    const FAMILY: &[&str] = &[
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ",
    ];
    const MIDDLE: &[&str] = &["Văn", "Thị", "Hữu", "Minh", "Thanh", "Đức", "Ngọc", "Quang"];
    const GIVEN: &[&str] = &[
        "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Linh",
        "Mai", "Nam", "Nga", "Phong", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vân", "Yến",
    ];
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
        let name = format!(
            "{} {} {}",
            FAMILY[(r % 10) as usize],
            MIDDLE[((r >> 8) % 8) as usize],
            GIVEN[((r >> 16) % 23) as usize]
        );
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
            Value::text(if (r >> 32) % 2 == 0 { "Nam" } else { "Nữ" }),
            Value::text(AFF[((r >> 40) % 10) as usize]),
            Value::text(role),
            Value::Plain(phone as i64),
            Value::Text(format!("Thôn {}", v + 1)),
            Value::Empty,
        ]);
    }
    table
}
