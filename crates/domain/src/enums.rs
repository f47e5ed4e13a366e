//! Fixed vocabularies. Every enum has a stable ascii code (stored in the
//! database, equal to its serde name) and a Vietnamese label, and parses from
//! either, ignoring case and diacritics.

use crate::error::DomainError;
use crate::text::fold;

/// A closed list of values, each with a stable code and a Vietnamese label:
/// every enum of this module, and others like it (an API token's scope).
/// The forms offer such values as the choices of a select.
pub trait Vocabulary: Copy + 'static {
    /// The stable ascii code.
    fn code(self) -> &'static str;
    /// The Vietnamese label shown to users.
    fn label(self) -> &'static str;
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($field_key:literal, $field_label:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// Default machine key of the field holding this value (used by `FromStr`).
            pub const FIELD: &'static str = $field_key;

            /// Vietnamese name of the field holding this value.
            pub const FIELD_LABEL: &'static str = $field_label;

            /// Stable ascii code, stored in the database; equal to the serde name.
            pub fn code(self) -> &'static str {
                match self { $( Self::$variant => $code, )+ }
            }

            /// Vietnamese label shown to users.
            pub fn label(self) -> &'static str {
                match self { $( Self::$variant => $label, )+ }
            }

            /// Exact code lookup.
            pub fn from_code(s: &str) -> Option<Self> {
                match s { $( $code => Some(Self::$variant), )+ _ => None }
            }

            /// Accepts the code or the label, ignoring case, diacritics and
            /// extra spaces ("to truong", "TỔ TRƯỞNG", "to_truong").
            pub fn parse(s: &str, field: &'static str) -> Result<Self, DomainError> {
                let trimmed = s.trim();
                if let Some(v) = Self::from_code(trimmed) {
                    return Ok(v);
                }
                if trimmed.is_empty() {
                    return Err(DomainError::new(
                        field,
                        format!("{} không được để trống.", $field_label),
                    ));
                }
                let key = fold(trimmed);
                let spaced = key.replace('_', " ");
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| {
                        key == v.code() || spaced == fold(v.label())
                            || spaced == v.code().replace('_', " ")
                    })
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.label()).collect();
                        DomainError::new(
                            field,
                            format!(
                                "{} «{}» không hợp lệ: chọn một trong các giá trị {}.",
                                $field_label,
                                trimmed,
                                allowed.join(", ")
                            ),
                        )
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl std::str::FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s, $field_key)
            }
        }

        /// Decoding a stored code (the storage layer reads columns through this).
        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::from_code(&s).ok_or_else(|| {
                    DomainError::new($field_key, format!("{} «{}» không hợp lệ.", $field_label, s))
                })
            }
        }

        impl Vocabulary for $name {
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }
    };
}

vocabulary! {
    /// Kind of the lowest administrative unit (thôn, tổ dân phố, ấp, bản…).
    pub enum VillageKind ("village_kind", "Loại thôn") {
        Thon => "thon", "Thôn";
        ToDanPho => "to_dan_pho", "Tổ dân phố";
        KhuPho => "khu_pho", "Khu phố";
        Ap => "ap", "Ấp";
        Ban => "ban", "Bản";
        Xom => "xom", "Xóm";
        Khom => "khom", "Khóm";
        Buon => "buon", "Buôn";
        Lang => "lang", "Làng";
        // Central Highlands (Gia Lai, Kon Tum) and the Khmer communities of
        // the Mekong delta; urban areas that name the unit "khu dân cư",
        // "tổ dân cư" or just "khu". The codes above keep their meaning.
        Plei => "plei", "Plei";
        Soc => "soc", "Sóc";
        KhuDanCu => "khu_dan_cu", "Khu dân cư";
        ToDanCu => "to_dan_cu", "Tổ dân cư";
        Khu => "khu", "Khu";
        Khac => "khac", "Khác";
    }
}

vocabulary! {
    /// Kind of team: a village-level community team or the commune-level
    /// quick response team.
    pub enum TeamKind ("team_kind", "Loại tổ") {
        Village => "village", "Tổ công nghệ số cộng đồng";
        QuickResponse => "quick_response", "Đội hỗ trợ chuyển đổi số phản ứng nhanh";
    }
}

impl TeamKind {
    /// The usual name of a team of this kind: the kind, then its village (a
    /// village team) or its commune (the quick-response team), as
    /// "Tổ công nghệ số cộng đồng Thôn Hải Sơn". The name a new team takes
    /// when none is given, wherever it is made.
    pub fn usual_name(self, place: &str) -> String {
        format!("{} {place}", self.label())
    }
}

vocabulary! {
    /// Position held inside a team. Ordered from the highest position.
    pub enum Role ("role", "Chức danh trong tổ") {
        ToTruong => "to_truong", "Tổ trưởng";
        ToPho => "to_pho", "Tổ phó";
        ThanhVien => "thanh_vien", "Thành viên";
    }
}

vocabulary! {
    /// Position or organisation a member comes from.
    pub enum Affiliation ("affiliation", "Chức vụ / đơn vị") {
        TruongThon => "truong_thon", "Trưởng thôn";
        BiThuChiBo => "bi_thu_chi_bo", "Bí thư chi bộ";
        CongAn => "cong_an", "Công an";
        DoanTn => "doan_tn", "Đoàn Thanh niên";
        HoiPn => "hoi_pn", "Hội Phụ nữ";
        HoiNd => "hoi_nd", "Hội Nông dân";
        HoiCcb => "hoi_ccb", "Hội Cựu chiến binh";
        Mttq => "mttq", "Mặt trận Tổ quốc";
        NguoiCoUyTin => "nguoi_co_uy_tin", "Người có uy tín";
        DoanhNghiepVienThong => "doanh_nghiep_vien_thong", "Doanh nghiệp viễn thông";
        Khac => "khac", "Khác";
    }
}

vocabulary! {
    /// Where a citizen's request stands.
    pub enum HelpState ("state", "Trạng thái yêu cầu") {
        New => "new", "Mới, chưa có người nhận";
        InProgress => "in_progress", "Đang hỗ trợ";
        Done => "done", "Đã hỗ trợ";
        Unable => "unable", "Không hỗ trợ được";
    }
}

vocabulary! {
    pub enum Gender ("gender", "Giới tính") {
        Nam => "nam", "Nam";
        Nu => "nu", "Nữ";
        Khac => "khac", "Khác";
    }
}

vocabulary! {
    /// Kind of an administrative document.
    pub enum DocumentKind ("document_kind", "Loại văn bản") {
        QuyetDinh => "quyet_dinh", "Quyết định";
        CongVan => "cong_van", "Công văn";
        KeHoach => "ke_hoach", "Kế hoạch";
        BaoCao => "bao_cao", "Báo cáo";
        ThongBao => "thong_bao", "Thông báo";
        ChiThi => "chi_thi", "Chỉ thị";
        NghiQuyet => "nghi_quyet", "Nghị quyết";
        Khac => "khac", "Khác";
    }
}

vocabulary! {
    /// What a support activity helped with (the default managed list).
    pub enum SupportCategory ("category", "Lĩnh vực hỗ trợ") {
        DvcTrucTuyen => "dvc_truc_tuyen", "DVC trực tuyến";
        ThanhToanKhongTienMat => "thanh_toan_khong_tien_mat", "Thanh toán không dùng tiền mặt";
        Vneid => "vneid", "VNeID / định danh điện tử";
        UngDungSo => "ung_dung_so", "Cài đặt và sử dụng ứng dụng số";
        AnToanMang => "an_toan_mang", "An toàn trên không gian mạng";
        UngDungAi => "ung_dung_ai", "Ứng dụng AI";
        BinhDanHocVuSo => "binh_dan_hoc_vu_so", "Bình dân học vụ số";
        Khac => "khac", "Khác";
    }
}

vocabulary! {
    /// Who registered for a contest.
    pub enum ContestGroup ("group", "Nhóm đăng ký") {
        CanBo => "can_bo", "Cán bộ, công chức, viên chức";
        ThanhVienTo => "thanh_vien_to", "Thành viên tổ";
        NguoiDan => "nguoi_dan", "Người dân";
    }
}

vocabulary! {
    /// How a training course is held.
    pub enum TrainingMode ("mode", "Hình thức") {
        TrucTuyen => "truc_tuyen", "Trực tuyến";
        TrucTiep => "truc_tiep", "Trực tiếp";
    }
}

vocabulary! {
    /// A mass organisation the teams run a campaign with.
    pub enum PartnerOrganisation ("partner", "Tổ chức phối hợp") {
        DoanTn => "doan_tn", "Đoàn Thanh niên";
        HoiPn => "hoi_pn", "Hội Phụ nữ";
        HoiNd => "hoi_nd", "Hội Nông dân";
        HoiCcb => "hoi_ccb", "Hội Cựu chiến binh";
        Mttq => "mttq", "Mặt trận Tổ quốc";
        DoanhNghiepVienThong => "doanh_nghiep_vien_thong", "Doanh nghiệp viễn thông";
        Khac => "khac", "Khác";
    }
}

vocabulary! {
    /// What a user account may do; its scope (a province, a commune, a team)
    /// says where.
    pub enum UserRole ("role", "Vai trò") {
        Admin => "admin", "Quản trị hệ thống";
        MinistryOfficer => "ministry_officer", "Cán bộ Bộ KH&CN";
        ProvinceOfficer => "province_officer", "Cán bộ Sở KH&CN";
        CommuneOfficer => "commune_officer", "Cán bộ xã";
        TeamLeader => "team_leader", "Tổ trưởng";
        TeamMember => "team_member", "Thành viên tổ";
    }
}

vocabulary! {
    /// Where a commune's report for a reporting request stands in the cycle
    /// with the province (issue 19): not started (no version), a draft
    /// (versions, none submitted), submitted, returned with a comment, or
    /// accepted (its figures locked).
    pub enum ReportState ("state", "Trạng thái báo cáo") {
        NotStarted => "not_started", "Chưa lập báo cáo";
        Draft => "draft", "Đang soạn, chưa gửi";
        Submitted => "submitted", "Đã gửi, chờ Sở xem xét";
        Returned => "returned", "Sở trả lại";
        Accepted => "accepted", "Sở đã chấp nhận";
    }
}

vocabulary! {
    /// Level of the administrative tree (two-tier local government).
    pub enum AdminLevel ("admin_level", "Cấp hành chính") {
        Nation => "nation", "Toàn quốc";
        Province => "province", "Tỉnh, thành phố";
        Commune => "commune", "Xã, phường, đặc khu";
        Village => "village", "Thôn, tổ dân phố";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_all<T>(all: &[T])
    where
        T: Copy
            + std::fmt::Debug
            + PartialEq
            + std::fmt::Display
            + serde::Serialize
            + serde::de::DeserializeOwned,
        T: VocabularyForTest,
    {
        let mut codes = std::collections::HashSet::new();
        let mut labels = std::collections::HashSet::new();
        for &v in all {
            let code = v.code_();
            assert!(codes.insert(code), "duplicate code {code}");
            assert!(labels.insert(fold(v.label_())), "duplicate label");
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            // serde name == code
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{code}\""));
            let back: T = serde_json::from_str(&json).unwrap();
            assert_eq!(back, v);
            // parse by code, label, folded label, uppercased label
            assert_eq!(T::parse_(code).unwrap(), v);
            assert_eq!(T::parse_(v.label_()).unwrap(), v);
            assert_eq!(T::parse_(&fold(v.label_())).unwrap(), v);
            assert_eq!(T::parse_(&v.label_().to_uppercase()).unwrap(), v);
            assert_eq!(v.to_string(), v.label_());
        }
    }

    trait VocabularyForTest: Sized {
        fn code_(self) -> &'static str;
        fn label_(self) -> &'static str;
        fn parse_(s: &str) -> Result<Self, DomainError>;
    }

    macro_rules! impl_test_vocab {
        ($($t:ty),+) => {$(
            impl VocabularyForTest for $t {
                fn code_(self) -> &'static str { self.code() }
                fn label_(self) -> &'static str { self.label() }
                fn parse_(s: &str) -> Result<Self, DomainError> { <$t>::parse(s, "x") }
            }
        )+};
    }
    impl_test_vocab!(
        VillageKind,
        TeamKind,
        Role,
        Affiliation,
        Gender,
        DocumentKind,
        AdminLevel,
        TrainingMode,
        PartnerOrganisation,
        ReportState,
        HelpState,
        UserRole
    );

    #[test]
    fn every_enum_is_consistent() {
        check_all(VillageKind::ALL);
        check_all(TeamKind::ALL);
        check_all(Role::ALL);
        check_all(Affiliation::ALL);
        check_all(Gender::ALL);
        check_all(DocumentKind::ALL);
        check_all(AdminLevel::ALL);
        check_all(TrainingMode::ALL);
        check_all(PartnerOrganisation::ALL);
        check_all(ReportState::ALL);
        check_all(HelpState::ALL);
        check_all(UserRole::ALL);
        assert_eq!(VillageKind::ALL.len(), 15);
        assert_eq!(Affiliation::ALL.len(), 11);
        assert_eq!(DocumentKind::ALL.len(), 8);
    }

    #[test]
    fn role_parses_many_spellings() {
        for s in [
            "to truong",
            "Tổ trưởng",
            "TỔ TRƯỞNG",
            "to_truong",
            "  tổ   trưởng ",
        ] {
            assert_eq!(Role::parse(s, "role").unwrap(), Role::ToTruong, "{s}");
        }
        assert_eq!("thanh vien".parse::<Role>().unwrap(), Role::ThanhVien);
        assert_eq!(Role::ToPho.code(), "to_pho");
        assert_eq!(Role::ToPho.label(), "Tổ phó");
        assert!(Role::ToTruong < Role::ThanhVien);
    }

    #[test]
    fn labels_without_diacritics() {
        assert_eq!(
            Affiliation::parse("doan thanh nien", "affiliation").unwrap(),
            Affiliation::DoanTn
        );
        assert_eq!(
            Affiliation::parse("HOI CUU CHIEN BINH", "affiliation").unwrap(),
            Affiliation::HoiCcb
        );
        assert_eq!(
            VillageKind::parse("to dan pho", "kind").unwrap(),
            VillageKind::ToDanPho
        );
        assert_eq!(Gender::parse("nu", "gender").unwrap(), Gender::Nu);
        assert_eq!(Gender::parse("Nữ", "gender").unwrap(), Gender::Nu);
        assert_eq!(
            DocumentKind::parse("quyet dinh", "kind").unwrap(),
            DocumentKind::QuyetDinh
        );
        assert_eq!(
            TeamKind::parse("Đội hỗ trợ chuyển đổi số phản ứng nhanh", "kind").unwrap(),
            TeamKind::QuickResponse
        );
    }

    #[test]
    fn rejection_lists_labels() {
        let err = Role::parse("trưởng ban", "role").unwrap_err();
        assert_eq!(err.field, "role");
        assert!(
            err.message.contains("Chức danh trong tổ"),
            "{}",
            err.message
        );
        assert!(err.message.contains("«trưởng ban»"));
        assert!(err.message.contains("Tổ trưởng, Tổ phó, Thành viên"));

        let err = Gender::parse("", "gender").unwrap_err();
        assert_eq!(err.field, "gender");
        assert!(err.message.contains("Giới tính"));
        assert!(err.message.contains("không được để trống"));

        assert!(serde_json::from_str::<Role>("\"Tổ trưởng\"").is_err());
        assert_eq!(Role::from_code("Tổ trưởng"), None);
    }
}
