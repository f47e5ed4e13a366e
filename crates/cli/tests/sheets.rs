//! `toso template`, `toso import` and `toso export` as a user runs them, on
//! both databases.

mod common;
use common::toso;
use std::process::Output;

use toso_testkit::{both_backends, Backend, TestDb};

both_backends!(
    template_import_export_round_trip,
    a_bad_file_is_refused_and_nothing_written,
    columns_are_named_and_chosen_with_column
);

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

async fn template_import_export_round_trip(backend: Backend) {
    let db = TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("ds.csv");
    std::fs::write(
        &roster,
        "\u{feff}STT,Họ và tên,Năm sinh,Giới tính,Chức vụ / đơn vị,Chức danh trong tổ,SĐT,Thôn/TDP\n\
         1,Nguyễn Văn An,1975,Nam,Trưởng thôn,Tổ trưởng,912345678,Thôn Hải Sơn\n\
         2,Trần Thị Bình,1990,Nữ,Hội Phụ nữ,Tổ phó,0987654321,Thôn Hải Sơn\n",
    )
    .unwrap();
    let file = roster.to_str().unwrap();
    let args = [
        "import",
        "members",
        file,
        "--commune",
        "11914",
        "--established-on",
        "31/10/2025",
    ];

    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let out = toso(&db.url, &dry);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Thêm mới: 2 dòng · Cập nhật: 0 dòng · Không đổi: 0 dòng · Lỗi: 0"),
        "{stdout}"
    );
    assert!(stderr.contains("chưa ghi gì"), "{stderr}");
    assert!(db.store.villages(11914, None).await.unwrap().is_empty());

    let out = toso(&db.url, &args);
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(db.store.villages(11914, None).await.unwrap().len(), 1);

    let out = toso(&db.url, &args);
    assert!(
        text(&out)
            .0
            .contains("Thêm mới: 0 dòng · Cập nhật: 0 dòng · Không đổi: 2 dòng"),
        "{}",
        text(&out).0
    );

    let xlsx = dir.path().join("tv.xlsx");
    let out = toso(
        &db.url,
        &[
            "export",
            "members",
            "--commune",
            "11914",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let out = toso(
        &db.url,
        &[
            "import",
            "members",
            xlsx.to_str().unwrap(),
            "--commune",
            "11914",
            "--dry-run",
        ],
    );
    assert!(
        text(&out).0.contains("Không đổi: 2 dòng · Lỗi: 0"),
        "{}",
        text(&out).0
    );

    let csv = dir.path().join("chi-tieu.csv");
    let out = toso(
        &db.url,
        &[
            "export",
            "indicators",
            "--commune",
            "11914",
            "--format",
            "csv",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let bytes = std::fs::read(&csv).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBFSTT,Ch\xe1\xbb\x89 ti\xc3\xaau"),
        "BOM and header"
    );
    assert!(String::from_utf8_lossy(&bytes).contains("Số thành viên Tổ công nghệ số cộng đồng,2,"));

    let tpl = dir.path().join("mau.xlsx");
    let out = toso(
        &db.url,
        &["template", "members", "--out", tpl.to_str().unwrap()],
    );
    assert!(out.status.success());
    assert!(std::fs::read(&tpl).unwrap().starts_with(b"PK"));
}

async fn a_bad_file_is_refused_and_nothing_written(backend: Backend) {
    let db = TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("ds.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n\0\0binary").unwrap();
    let out = toso(
        &db.url,
        &[
            "import",
            "members",
            pdf.to_str().unwrap(),
            "--commune",
            "11914",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .1
            .contains("Lỗi: Tệp «ds.pdf» không phải là bảng tính"),
        "{}",
        text(&out).1
    );

    let bad = dir.path().join("loi.csv");
    std::fs::write(&bad, "Họ và tên,Thôn/TDP,Số điện thoại\nNguyễn Văn An,Thôn 1,12345\nTrần Văn Bình,Thôn 1,0912345678\n").unwrap();
    let out = toso(
        &db.url,
        &[
            "import",
            "members",
            bad.to_str().unwrap(),
            "--commune",
            "11914",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout.contains("Dòng 2, cột «Số điện thoại»: Số điện thoại «12345» không hợp lệ"),
        "{stdout}"
    );
    assert!(
        stderr.contains("có 1 lỗi: không ghi gì vào cơ sở dữ liệu"),
        "{stderr}"
    );
    assert!(db.store.villages(11914, None).await.unwrap().is_empty());

    // A file that is not there, and an export into a folder that is not
    // there: said in Vietnamese, the file or folder named.
    let missing = dir.path().join("khong-co.xlsx");
    let out = toso(
        &db.url,
        &[
            "import",
            "members",
            missing.to_str().unwrap(),
            "--commune",
            "11914",
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("Lỗi: Không đọc được tệp «khong-co.xlsx»: không có tệp hay thư mục này"),
        "{stderr}"
    );
    assert!(!stderr.contains("os error"), "{stderr}");
    let nowhere = dir.path().join("khong-co").join("tv.csv");
    let out = toso(
        &db.url,
        &[
            "export",
            "villages",
            "--commune",
            "11914",
            "--out",
            nowhere.to_str().unwrap(),
        ],
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!(
            "Lỗi: {}: không có tệp hay thư mục này",
            nowhere.display()
        )),
        "{stderr}"
    );
}

/// The preview names the column taken for each field; a column whose header
/// is not recognised is refused with the sheet's columns listed, then taken
/// with `--column FIELD=HEADER`.
async fn columns_are_named_and_chosen_with_column(backend: Backend) {
    let db = TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("ds.csv");
    std::fs::write(
        &roster,
        "STT,Họ và tên,Năm sinh,Chức danh,SĐT,Nơi ở,Tên ấp\n\
         1,Thạch Sa Rươn,1985,Tổ trưởng,0914000001,Sóc Ruộng,Sóc Ruộng\n",
    )
    .unwrap();
    let file = roster.to_str().unwrap();
    let args = ["import", "members", file, "--commune", "11914", "--dry-run"];
    let out = toso(&db.url, &args);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Cột G «Tên ấp» → Thôn/TDP"), "{stdout}");
    assert!(
        stdout.contains("Bỏ qua các cột không dùng: Nơi ở."),
        "{stdout}"
    );

    let with = |column: &str| {
        let mut a = args.to_vec();
        a.extend(["--column", column]);
        toso(&db.url, &a)
    };
    // By hand: the village from "Nơi ở"; "Tên ấp" is then left out.
    let out = with("Thôn/TDP=Nơi ở");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Cột F «Nơi ở» → Thôn/TDP (chọn tay)"),
        "{stdout}"
    );
    // Without a name column: the refusal lists the sheet's columns.
    let out = with("full_name=");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("thiếu cột bắt buộc «Họ và tên»"),
        "{stderr}"
    );
    assert!(stderr.contains("B «Họ và tên», C «Năm sinh»"), "{stderr}");
    assert!(stderr.contains("--column"), "{stderr}");
    let out = with("Không có=Nơi ở");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("không có mục «Không có»"));
    assert!(db.store.villages(11914, None).await.unwrap().is_empty());
}
