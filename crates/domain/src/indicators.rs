//! The one place every reported figure is defined. Queries, reports, the API
//! and the web pages all take names, units and definitions from here.

use crate::format::{format_int, format_percent};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorCode {
    Villages,
    Teams,
    Members,
    Coverage,
    MembersByRole,
    MembersByAffiliation,
    QuickResponseMembers,
    SupportActivities,
    CitizensHelped,
    CitizensHelpedByCategory,
    Dossiers,
    ActiveTeams,
    ContestRegistrations,
    ActivitiesPerTeam,
    TrainingCourses,
    Trainees,
    TraineesCompleted,
    TrainingCompletion,
    MembersTrained,
    Campaigns,
    CampaignReach,
    HelpRequests,
    HelpRequestsDone,
    HelpRequestsOnTime,
    HelpFirstResponse,
    HelpResolution,
    ActivityDays,
    ActivityDaysPerTeam,
    ActiveMembers,
    AllowanceApproved,
}

/// Definition of one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorDef {
    pub code: IndicatorCode,
    /// Stable key, equal to the serde name of `code`.
    pub key: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub definition: &'static str,
}

/// One entry per [`IndicatorCode`], in declaration order.
pub const INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: IndicatorCode::Villages,
        key: "villages",
        name: "Số thôn, tổ dân phố",
        unit: "thôn",
        definition: "Thôn, tổ dân phố đang hoạt động tại ngày báo cáo (ngày bắt đầu ≤ ngày báo cáo, \
                     chưa giải thể hoặc giải thể sau ngày báo cáo).",
    },
    IndicatorDef {
        code: IndicatorCode::Teams,
        key: "teams",
        name: "Số Tổ công nghệ số cộng đồng đã thành lập",
        unit: "tổ",
        definition: "Tổ công nghệ số cộng đồng ở thôn, tổ dân phố có ngày thành lập ≤ ngày báo cáo, \
                     chưa giải thể hoặc giải thể sau ngày báo cáo, và thuộc một thôn, tổ dân phố \
                     đang hoạt động tại ngày báo cáo. Không tính Đội hỗ trợ chuyển đổi số phản ứng \
                     nhanh cấp xã.",
    },
    IndicatorDef {
        code: IndicatorCode::Members,
        key: "members",
        name: "Số thành viên Tổ công nghệ số cộng đồng",
        unit: "thành viên",
        definition: "Số người (mỗi người chỉ tính một lần) đang là thành viên của ít nhất một Tổ công \
                     nghệ số cộng đồng được tính ở chỉ tiêu «Số Tổ công nghệ số cộng đồng đã thành \
                     lập», tức là ngày tham gia ≤ ngày báo cáo và chưa rời tổ hoặc rời tổ sau ngày \
                     báo cáo.",
    },
    IndicatorDef {
        code: IndicatorCode::Coverage,
        key: "coverage",
        name: "Tỷ lệ Tổ CNSCĐ đã thành lập trên tổng số thôn, tổ dân phố",
        unit: "%",
        definition: "Số thôn, tổ dân phố đang hoạt động có ít nhất một Tổ công nghệ số cộng đồng \
                     đã thành lập, chia cho tổng số thôn, tổ dân phố đang hoạt động tại ngày báo \
                     cáo, nhân 100; làm tròn một chữ số thập phân. Một thôn có nhiều tổ chỉ tính \
                     một lần, nên tỷ lệ không vượt quá 100%.",
    },
    IndicatorDef {
        code: IndicatorCode::MembersByRole,
        key: "members_by_role",
        name: "Thành viên theo chức danh trong tổ",
        unit: "thành viên",
        definition: "Số thành viên Tổ công nghệ số cộng đồng tại ngày báo cáo, chia theo chức danh \
                     trong tổ (Tổ trưởng, Tổ phó, Thành viên). Người giữ chức danh ở nhiều tổ được \
                     tính một lần theo chức danh cao nhất, nên tổng các nhóm bằng Số thành viên Tổ \
                     công nghệ số cộng đồng.",
    },
    IndicatorDef {
        code: IndicatorCode::MembersByAffiliation,
        key: "members_by_affiliation",
        name: "Thành viên theo chức vụ / đơn vị",
        unit: "thành viên",
        definition: "Số thành viên Tổ công nghệ số cộng đồng tại ngày báo cáo (mỗi người một lần), \
                     chia theo chức vụ / đơn vị công tác: trưởng thôn, bí thư chi bộ, công an, Đoàn \
                     Thanh niên, Hội Phụ nữ, Hội Nông dân, Hội Cựu chiến binh, Mặt trận Tổ quốc, \
                     người có uy tín, doanh nghiệp viễn thông. Người chưa khai báo hoặc thuộc đơn \
                     vị khác được tính vào nhóm «Khác».",
    },
    IndicatorDef {
        code: IndicatorCode::QuickResponseMembers,
        key: "quick_response_members",
        name: "Số thành viên Đội hỗ trợ chuyển đổi số phản ứng nhanh",
        unit: "thành viên",
        definition: "Số người (mỗi người chỉ tính một lần) đang là thành viên của Đội hỗ trợ chuyển \
                     đổi số phản ứng nhanh đã thành lập và chưa giải thể tại ngày báo cáo (ngày tham \
                     gia ≤ ngày báo cáo, chưa rời đội hoặc rời đội sau ngày báo cáo). Chỉ tiêu này \
                     tính riêng, không cộng vào Số thành viên Tổ công nghệ số cộng đồng.",
    },
    IndicatorDef {
        code: IndicatorCode::SupportActivities,
        key: "support_activities",
        name: "Số lượt hỗ trợ người dân",
        unit: "lượt",
        definition: "Số lượt hỗ trợ người dân do các Tổ công nghệ số cộng đồng và Đội hỗ trợ chuyển \
                     đổi số phản ứng nhanh ghi nhận, từ khi bắt đầu đến hết ngày báo cáo.",
    },
    IndicatorDef {
        code: IndicatorCode::CitizensHelped,
        key: "citizens_helped",
        name: "Số người dân được hỗ trợ",
        unit: "người",
        definition: "Tổng số người dân được hỗ trợ trong các lượt hỗ trợ, từ khi bắt đầu đến hết \
                     ngày báo cáo (một người được hỗ trợ nhiều lần được tính nhiều lần).",
    },
    IndicatorDef {
        code: IndicatorCode::CitizensHelpedByCategory,
        key: "citizens_helped_by_category",
        name: "Số người dân được hỗ trợ theo lĩnh vực",
        unit: "người",
        definition: "Số người dân được hỗ trợ, chia theo lĩnh vực hỗ trợ (DVC trực tuyến, thanh \
                     toán không dùng tiền mặt, VNeID, ứng dụng số, an toàn không gian mạng, ứng \
                     dụng AI, Bình dân học vụ số, khác), đến hết ngày báo cáo.",
    },
    IndicatorDef {
        code: IndicatorCode::Dossiers,
        key: "dossiers",
        name: "Số hồ sơ dịch vụ công trực tuyến đã hỗ trợ nộp",
        unit: "hồ sơ",
        definition: "Tổng số hồ sơ dịch vụ công trực tuyến người dân nộp được nhờ các lượt hỗ trợ, \
                     đến hết ngày báo cáo.",
    },
    IndicatorDef {
        code: IndicatorCode::ActiveTeams,
        key: "active_teams",
        name: "Số tổ có hoạt động trong 30 ngày",
        unit: "tổ",
        definition: "Số Tổ công nghệ số cộng đồng đang hoạt động đã ghi ít nhất một lượt hỗ trợ \
                     trong 30 ngày tính đến hết ngày báo cáo; khi xem theo kỳ (từ ngày … đến \
                     ngày …), là số tổ đã ghi ít nhất một lượt hỗ trợ trong kỳ.",
    },
    IndicatorDef {
        code: IndicatorCode::ContestRegistrations,
        key: "contest_registrations",
        name: "Số lượt đăng ký tham gia cuộc thi",
        unit: "người",
        definition: "Tổng số người đăng ký tham gia các cuộc thi (mọi nhóm: cán bộ, công chức, \
                     viên chức; thành viên tổ; người dân) ghi nhận đến hết ngày báo cáo.",
    },
    IndicatorDef {
        code: IndicatorCode::ActivitiesPerTeam,
        key: "activities_per_team",
        name: "Số lượt hỗ trợ theo tổ",
        unit: "lượt",
        definition: "Số lượt hỗ trợ người dân mỗi tổ (Tổ công nghệ số cộng đồng và Đội hỗ trợ \
                     chuyển đổi số phản ứng nhanh đang hoạt động tại ngày báo cáo) đã ghi, đến hết \
                     ngày báo cáo hoặc trong kỳ; tổ chưa ghi lượt nào được tính 0.",
    },
    IndicatorDef {
        code: IndicatorCode::TrainingCourses,
        key: "training_courses",
        name: "Số lớp bồi dưỡng, tập huấn",
        unit: "lớp",
        definition: "Số lớp bồi dưỡng, tập huấn (trực tuyến hoặc trực tiếp) do xã tổ chức hoặc cử \
                     người tham gia, có ngày khai giảng đến hết ngày báo cáo (hoặc trong kỳ). Lớp \
                     học thuộc cấp xã, không chia theo thôn.",
    },
    IndicatorDef {
        code: IndicatorCode::Trainees,
        key: "trainees",
        name: "Số lượt người đăng ký tham gia tập huấn",
        unit: "người",
        definition: "Tổng số người đăng ký tham gia các lớp được tính ở chỉ tiêu «Số lớp bồi \
                     dưỡng, tập huấn»: thành viên tổ ghi theo tên, cộng số cán bộ, công chức và \
                     số người dân đăng ký (một người học nhiều lớp được tính nhiều lần).",
    },
    IndicatorDef {
        code: IndicatorCode::TraineesCompleted,
        key: "trainees_completed",
        name: "Số lượt người hoàn thành tập huấn",
        unit: "người",
        definition: "Trong số người đăng ký ở chỉ tiêu «Số lượt người đăng ký tham gia tập \
                     huấn», số người đã hoàn thành lớp học: thành viên tổ được đánh dấu hoàn \
                     thành, cộng số cán bộ, công chức và số người dân hoàn thành.",
    },
    IndicatorDef {
        code: IndicatorCode::TrainingCompletion,
        key: "training_completion",
        name: "Tỷ lệ hoàn thành tập huấn",
        unit: "%",
        definition: "Số lượt người hoàn thành tập huấn chia cho số lượt người đăng ký tham gia \
                     tập huấn, nhân 100; làm tròn một chữ số thập phân.",
    },
    IndicatorDef {
        code: IndicatorCode::MembersTrained,
        key: "members_trained",
        name: "Số thành viên tổ đã được tập huấn",
        unit: "thành viên",
        definition: "Số thành viên Tổ công nghệ số cộng đồng và Đội hỗ trợ chuyển đổi số phản \
                     ứng nhanh (mỗi người một lần) đã hoàn thành ít nhất một lớp được tính ở chỉ \
                     tiêu «Số lớp bồi dưỡng, tập huấn».",
    },
    IndicatorDef {
        code: IndicatorCode::Campaigns,
        key: "campaigns",
        name: "Số đợt ra quân phối hợp với các tổ chức chính trị - xã hội",
        unit: "đợt",
        definition: "Số đợt ra quân, phong trào (như «Ngày thứ Bảy tình nguyện», «Chủ nhật \
                     xanh», «Tuổi trẻ chuyển đổi số») các tổ phối hợp với Đoàn Thanh niên, Hội \
                     Phụ nữ, Hội Nông dân, Hội Cựu chiến binh, Mặt trận Tổ quốc… tổ chức đến hết \
                     ngày báo cáo (hoặc trong kỳ). Ở cấp thôn, tính các đợt có thôn đó tham gia.",
    },
    IndicatorDef {
        code: IndicatorCode::CampaignReach,
        key: "campaign_reach",
        name: "Số người dân được tiếp cận qua các đợt ra quân",
        unit: "người",
        definition: "Tổng số người dân được tuyên truyền, hướng dẫn trong các đợt được tính ở chỉ \
                     tiêu «Số đợt ra quân phối hợp với các tổ chức chính trị - xã hội». Ở cấp \
                     thôn, một đợt nhiều thôn được tính toàn bộ ở mỗi thôn tham gia.",
    },
    IndicatorDef {
        code: IndicatorCode::HelpRequests,
        key: "help_requests",
        name: "Số yêu cầu hỗ trợ người dân gửi đến",
        unit: "yêu cầu",
        definition: "Số yêu cầu người dân gửi qua trang công khai của thôn (mã QR trên áp phích) \
                     đến hết ngày báo cáo (hoặc trong kỳ), theo ngày gửi, giờ Việt Nam. Ở cấp \
                     thôn, tính các yêu cầu gửi từ trang của thôn đó.",
    },
    IndicatorDef {
        code: IndicatorCode::HelpRequestsDone,
        key: "help_requests_done",
        name: "Số yêu cầu hỗ trợ đã giải quyết xong",
        unit: "yêu cầu",
        definition: "Trong các yêu cầu được tính ở chỉ tiêu «Số yêu cầu hỗ trợ người dân gửi đến», \
                     số yêu cầu tổ đã đóng với kết quả «Đã hỗ trợ». Mỗi yêu cầu đã hỗ trợ ghi một \
                     lượt hỗ trợ, được tính một lần ở các chỉ tiêu về lượt hỗ trợ.",
    },
    IndicatorDef {
        code: IndicatorCode::HelpRequestsOnTime,
        key: "help_requests_on_time",
        name: "Tỷ lệ yêu cầu giải quyết đúng hạn",
        unit: "%",
        definition: "Số yêu cầu đã hỗ trợ xong trước thời hạn giải quyết (tính theo ngày làm việc \
                     của xã khi yêu cầu đến) chia cho số yêu cầu đã hỗ trợ xong, nhân 100; làm \
                     tròn một chữ số thập phân.",
    },
    IndicatorDef {
        code: IndicatorCode::HelpFirstResponse,
        key: "help_first_response",
        name: "Thời gian phản hồi lần đầu (trung vị)",
        unit: "giờ làm việc",
        definition: "Trung vị của thời gian từ lúc yêu cầu đến tới lúc tổ nhận (hoặc đóng) yêu \
                     cầu, tính bằng giờ làm việc (thứ Hai đến thứ Sáu, 7 giờ 30 – 11 giờ 30 và \
                     13 giờ – 17 giờ, trừ ngày nghỉ của xã), trên các yêu cầu đã được phản hồi.",
    },
    IndicatorDef {
        code: IndicatorCode::HelpResolution,
        key: "help_resolution",
        name: "Thời gian giải quyết (trung vị)",
        unit: "giờ làm việc",
        definition: "Trung vị của thời gian từ lúc yêu cầu đến tới lúc tổ đóng yêu cầu với kết \
                     quả «Đã hỗ trợ», tính bằng giờ làm việc như chỉ tiêu «Thời gian phản hồi lần \
                     đầu (trung vị)».",
    },
    IndicatorDef {
        code: IndicatorCode::ActivityDays,
        key: "activity_days",
        name: "Số ngày công hoạt động của thành viên",
        unit: "ngày công",
        definition: "Tổng số ngày hoạt động của các thành viên đến hết ngày báo cáo (hoặc trong \
                     kỳ): mỗi người, mỗi ngày có tên trong một lượt hỗ trợ (người ghi hoặc người \
                     cùng hỗ trợ), một ngày trực của tổ, một ngày của lớp tập huấn đã tham gia \
                     hoặc một đợt ra quân được tính một ngày công, dù ngày đó có nhiều hồ sơ. Ở \
                     cấp thôn, tính lượt hỗ trợ, ngày trực của tổ thôn và đợt ra quân tại thôn.",
    },
    IndicatorDef {
        code: IndicatorCode::ActivityDaysPerTeam,
        key: "activity_days_per_team",
        name: "Số ngày công theo tổ",
        unit: "ngày công",
        definition: "Số ngày công hoạt động (như chỉ tiêu «Số ngày công hoạt động của thành viên») \
                     của thành viên mỗi tổ (Tổ công nghệ số cộng đồng và Đội hỗ trợ chuyển đổi số \
                     phản ứng nhanh đang hoạt động tại ngày báo cáo), đến hết ngày báo cáo hoặc \
                     trong kỳ: mỗi ngày hoạt động của một người được tính cho tổ mà người đó là \
                     thành viên vào ngày ấy, như trên bảng chấm công; người ở hai tổ được tính ở \
                     cả hai tổ. Tổ không có ngày công nào được tính 0.",
    },
    IndicatorDef {
        code: IndicatorCode::ActiveMembers,
        key: "active_members",
        name: "Số thành viên có ngày hoạt động",
        unit: "người",
        definition: "Số người có ít nhất một ngày hoạt động (như chỉ tiêu «Số ngày công hoạt động \
                     của thành viên») đến hết ngày báo cáo (hoặc trong kỳ); mỗi người tính một lần.",
    },
    IndicatorDef {
        code: IndicatorCode::AllowanceApproved,
        key: "allowance_approved",
        name: "Kinh phí chi trả thù lao đã duyệt",
        unit: "đồng",
        definition: "Tổng số tiền của các danh sách chi trả đã được xã duyệt (tháng đã duyệt, \
                     chưa mở lại) có tháng bắt đầu từ đầu kỳ đến ngày báo cáo, theo chính sách chi \
                     trả của tỉnh (hoặc của xã khi tỉnh chưa có). Không tính ở cấp thôn.",
    },
];

impl IndicatorCode {
    pub const ALL: &'static [Self] = &[
        Self::Villages,
        Self::Teams,
        Self::Members,
        Self::Coverage,
        Self::MembersByRole,
        Self::MembersByAffiliation,
        Self::QuickResponseMembers,
        Self::SupportActivities,
        Self::CitizensHelped,
        Self::CitizensHelpedByCategory,
        Self::Dossiers,
        Self::ActiveTeams,
        Self::ContestRegistrations,
        Self::ActivitiesPerTeam,
        Self::TrainingCourses,
        Self::Trainees,
        Self::TraineesCompleted,
        Self::TrainingCompletion,
        Self::MembersTrained,
        Self::Campaigns,
        Self::CampaignReach,
        Self::HelpRequests,
        Self::HelpRequestsDone,
        Self::HelpRequestsOnTime,
        Self::HelpFirstResponse,
        Self::HelpResolution,
        Self::ActivityDays,
        Self::ActivityDaysPerTeam,
        Self::ActiveMembers,
        Self::AllowanceApproved,
    ];

    pub fn def(self) -> &'static IndicatorDef {
        &INDICATORS[self as usize]
    }

    pub fn key(self) -> &'static str {
        self.def().key
    }

    pub fn from_key(s: &str) -> Option<Self> {
        INDICATORS.iter().find(|d| d.key == s).map(|d| d.code)
    }
}

impl std::fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.def().name)
    }
}

/// The value of an indicator for one node and date.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IndicatorValue {
    Count {
        value: i64,
    },
    Ratio {
        numerator: i64,
        denominator: i64,
    },
    Breakdown {
        items: Vec<BreakdownItem>,
    },
    /// A length of working time in minutes (a median); `None` when there
    /// is nothing to take it over.
    Duration {
        minutes: Option<i64>,
    },
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BreakdownItem {
    pub key: String,
    pub label: String,
    pub value: i64,
}

impl IndicatorValue {
    /// Vietnamese text: "1.440", "100%", "Tổ trưởng: 58; Tổ phó: 58; …".
    pub fn display(&self) -> String {
        match self {
            Self::Count { value } => format_int(*value),
            Self::Ratio {
                numerator,
                denominator,
            } => format_percent(*numerator, *denominator),
            Self::Breakdown { items } if items.is_empty() => "—".to_string(),
            Self::Breakdown { items } => items
                .iter()
                .map(|i| format!("{}: {}", i.label, format_int(i.value)))
                .collect::<Vec<_>>()
                .join("; "),
            Self::Duration { minutes: None } => "—".to_string(),
            Self::Duration {
                minutes: Some(minutes),
            } => format_working_time(*minutes),
        }
    }

    /// Percentage of a ratio (None for other kinds or a zero denominator).
    pub fn percent(&self) -> Option<f64> {
        match self {
            Self::Ratio {
                numerator,
                denominator,
            } if *denominator != 0 => Some(*numerator as f64 * 100.0 / *denominator as f64),
            _ => None,
        }
    }

    /// Sum of a count or of the items of a breakdown; None for a ratio.
    pub fn total(&self) -> Option<i64> {
        match self {
            Self::Count { value } => Some(*value),
            Self::Breakdown { items } => Some(items.iter().map(|i| i.value).sum()),
            Self::Ratio { .. } | Self::Duration { .. } => None,
        }
    }
}

/// "45 phút", "2 giờ", "3 giờ 15 phút" (working hours are not folded into
/// days: a working day is 8 hours, a reader would misread "1 ngày").
pub fn format_working_time(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} phút"),
        (h, 0) => format!("{} giờ", format_int(h)),
        (h, m) => format!("{} giờ {m} phút", format_int(h)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_codes() {
        assert_eq!(INDICATORS.len(), IndicatorCode::ALL.len());
        for (i, &code) in IndicatorCode::ALL.iter().enumerate() {
            let def = code.def();
            assert_eq!(def.code, code);
            assert_eq!(def, &INDICATORS[i]);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", def.key));
            assert_eq!(IndicatorCode::from_key(def.key), Some(code));
            assert!(!def.name.is_empty() && !def.unit.is_empty());
            assert!(def.definition.ends_with('.'));
        }
        assert_eq!(IndicatorCode::from_key("nope"), None);
        assert_eq!(IndicatorCode::Villages.def().unit, "thôn");
        assert_eq!(IndicatorCode::Teams.def().unit, "tổ");
        assert_eq!(IndicatorCode::Coverage.def().unit, "%");
        assert_eq!(
            IndicatorCode::QuickResponseMembers.def().name,
            "Số thành viên Đội hỗ trợ chuyển đổi số phản ứng nhanh"
        );
    }

    #[test]
    fn display_values() {
        assert_eq!(IndicatorValue::Count { value: 1440 }.display(), "1.440");
        let r = IndicatorValue::Ratio {
            numerator: 58,
            denominator: 58,
        };
        assert_eq!(r.display(), "100%");
        assert_eq!(r.percent(), Some(100.0));
        let r = IndicatorValue::Ratio {
            numerator: 1,
            denominator: 8,
        };
        assert_eq!(r.display(), "12,5%");
        assert_eq!(r.percent(), Some(12.5));
        let zero = IndicatorValue::Ratio {
            numerator: 0,
            denominator: 0,
        };
        assert_eq!(zero.display(), "—");
        assert_eq!(zero.percent(), None);
        let b = IndicatorValue::Breakdown {
            items: vec![
                BreakdownItem {
                    key: "to_truong".into(),
                    label: "Tổ trưởng".into(),
                    value: 58,
                },
                BreakdownItem {
                    key: "thanh_vien".into(),
                    label: "Thành viên".into(),
                    value: 1270,
                },
            ],
        };
        assert_eq!(b.display(), "Tổ trưởng: 58; Thành viên: 1.270");
        assert_eq!(b.total(), Some(1328));
        assert_eq!(b.percent(), None);
        let d = IndicatorValue::Duration { minutes: Some(195) };
        assert_eq!(d.display(), "3 giờ 15 phút");
        assert_eq!(d.total(), None);
        assert_eq!(
            IndicatorValue::Duration { minutes: Some(45) }.display(),
            "45 phút"
        );
        assert_eq!(
            IndicatorValue::Duration {
                minutes: Some(1200)
            }
            .display(),
            "20 giờ"
        );
        assert_eq!(IndicatorValue::Duration { minutes: None }.display(), "—");
    }

    #[test]
    fn value_serialises_tagged() {
        let v = serde_json::to_value(IndicatorValue::Count { value: 3 }).unwrap();
        assert_eq!(v, serde_json::json!({"type": "count", "value": 3}));
        let v = serde_json::to_value(IndicatorValue::Ratio {
            numerator: 1,
            denominator: 2,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "ratio", "numerator": 1, "denominator": 2})
        );
    }
}
