//! The single error type of the spreadsheet layer: a whole file refused.
//! Problems of single rows are not errors of this kind but [`Issue`]s
//! (crate::Issue), collected so that every one can be shown at once.

/// Why a file as a whole cannot be read. Messages are Vietnamese sentences
/// shown to the user as they are.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error(
        "Tệp «{name}» không phải là bảng tính: chỉ nhận tệp Excel (.xlsx, .xls) hoặc CSV (.csv)."
    )]
    NotASpreadsheet { name: String },
    #[error(
        "Tệp «{name}» là tệp CSV nhưng không dùng mã UTF-8 (dòng {line}): trong Excel chọn \
         «Lưu dưới dạng» → «CSV UTF-8 (phân cách bằng dấu phẩy)» rồi nhập lại."
    )]
    NotUtf8 { name: String, line: u64 },
    #[error("Tệp «{name}» bị hỏng hoặc không đọc được ({detail}). Hãy mở lại bằng Excel, lưu lại rồi nhập lại.")]
    Corrupt { name: String, detail: String },
    #[error(
        "Tệp «{name}» được đặt mật khẩu: hãy mở bằng Excel, bỏ mật khẩu, lưu lại rồi nhập lại."
    )]
    Encrypted { name: String },
    #[error("Tệp «{name}» quá lớn ({size}): chỉ nhận tệp đến {limit}.")]
    TooLarge {
        name: String,
        size: String,
        limit: String,
    },
    #[error(
        "Trang tính «{sheet}» có quá nhiều dòng: chỉ nhận đến {limit} dòng dữ liệu mỗi lần nhập. \
         Hãy chia thành nhiều tệp nhỏ hơn."
    )]
    TooManyRows { sheet: String, limit: String },
    #[error("Tệp «{name}» không có dữ liệu: bảng tính trống.")]
    Empty { name: String },
    #[error(
        "Không tìm thấy dòng tiêu đề của danh sách {what} trong tệp «{name}»: cần các cột {required}. \
         Hãy dùng tệp mẫu (toso template) hoặc đặt tên cột như tệp mẫu."
    )]
    NoHeader {
        name: String,
        what: &'static str,
        required: String,
    },
    #[error("Trang tính «{sheet}», dòng tiêu đề {line}: thiếu cột bắt buộc {missing}.")]
    MissingColumns {
        sheet: String,
        line: u32,
        missing: String,
        /// The row taken for the header, for choosing the columns by hand.
        header: Box<crate::columns::SheetHeader>,
    },
    #[error(
        "Ô {cell} của trang tính «{sheet}» chứa công thức chưa có giá trị tính sẵn: hãy mở tệp bằng \
         Excel, lưu lại (để Excel tính công thức) hoặc thay công thức bằng giá trị rồi nhập lại."
    )]
    UncomputedFormula { sheet: String, cell: String },
    #[error("Không đọc được tệp «{name}»: {detail}")]
    Io { name: String, detail: String },
    #[error("Không ghi được bảng tính: {0}")]
    Write(String),
}

impl SheetError {
    /// The file `name` could not be read (or written), said in Vietnamese.
    pub fn io(name: impl Into<String>, e: std::io::Error) -> Self {
        SheetError::Io {
            name: name.into(),
            detail: toso_domain::io_reason(&e),
        }
    }
}

/// "A1"-style address of a zero-based (row, column).
pub fn cell_address(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = ((c - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

/// "12,5 MB" / "830 kB" / "512 byte": sizes in Vietnamese notation.
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{},{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1024 {
        format!("{} kB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} byte")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(cell_address(0, 0), "A1");
        assert_eq!(cell_address(6, 6), "G7");
        assert_eq!(cell_address(9, 25), "Z10");
        assert_eq!(cell_address(0, 26), "AA1");
        assert_eq!(cell_address(0, 701), "ZZ1");
        assert_eq!(cell_address(0, 702), "AAA1");
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(50 * 1024 * 1024), "50 MB");
        assert_eq!(human_size(52_953_088), "50,5 MB");
        assert_eq!(human_size(2048), "2 kB");
        assert_eq!(human_size(10), "10 byte");
    }
}
