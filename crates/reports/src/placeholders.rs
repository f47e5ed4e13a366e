//! The placeholders a report's body template may use: every indicator of
//! `toso_domain::INDICATORS`, and the texts composed from the commune's
//! records (the request, the directives, the courses, the Zalo group…).
//! The template check and the composer both read this one list.

use serde::Serialize;
use toso_domain::INDICATORS;

/// A placeholder the body template may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceholderInfo {
    pub key: &'static str,
    pub label: &'static str,
}

/// Placeholders that are not indicators: the request, the commune, the
/// document register, the teams' Zalo group, the dates.
pub const OTHER_PLACEHOLDERS: &[PlaceholderInfo] = &[
    PlaceholderInfo {
        key: "request",
        label: "Văn bản yêu cầu báo cáo (số, ngày, cơ quan ban hành, trích yếu)",
    },
    PlaceholderInfo {
        key: "commune",
        label: "Tên xã, phường, đặc khu (ví dụ «đặc khu Cát Hải»)",
    },
    PlaceholderInfo {
        key: "directives",
        label: "Các văn bản chỉ đạo của xã trong kỳ (từ sổ văn bản)",
    },
    PlaceholderInfo {
        key: "decision",
        label: "Quyết định thành lập, kiện toàn các Tổ công nghệ số cộng đồng",
    },
    PlaceholderInfo {
        key: "courses",
        label: "Các lớp bồi dưỡng, tập huấn trong kỳ (tên, hình thức, thời gian, số đăng ký và hoàn thành)",
    },
    PlaceholderInfo {
        key: "contests",
        label: "Các cuộc thi trong kỳ (tên, đơn vị phát động; số người đăng ký khi có nhiều cuộc thi)",
    },
    PlaceholderInfo {
        key: "partners",
        label: "Các tổ chức đã phối hợp trong các đợt ra quân (ví dụ «Đoàn Thanh niên, Hội Phụ nữ»)",
    },
    PlaceholderInfo {
        key: "campaign_names",
        label: "Tên các đợt ra quân trong kỳ (ví dụ «“Chủ nhật xanh”, “Tuổi trẻ chuyển đổi số”»)",
    },
    PlaceholderInfo {
        key: "zalo",
        label: "Đường liên kết nhóm Zalo hoạt động của các tổ",
    },
    AS_OF,
    AS_OF_TEXT,
];

/// The day of the figures, a placeholder of the commune's and of the
/// province's reports.
pub const AS_OF: PlaceholderInfo = PlaceholderInfo {
    key: "as_of",
    label: "Ngày số liệu (dd/mm/yyyy)",
};

/// The day of the figures in words, a placeholder of both reports.
pub const AS_OF_TEXT: PlaceholderInfo = PlaceholderInfo {
    key: "as_of_text",
    label: "Thời điểm số liệu bằng lời («hết tháng 11/2025» hoặc «ngày 15/11/2025»)",
};

/// Every placeholder a template may use: the indicators, then the others.
pub fn placeholders() -> Vec<PlaceholderInfo> {
    INDICATORS
        .iter()
        .map(|d| PlaceholderInfo {
            key: d.key,
            label: d.name,
        })
        .chain(OTHER_PLACEHOLDERS.iter().cloned())
        .collect()
}
