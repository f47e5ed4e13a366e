//! `toso bench`: the flags of the benchmarks; the measuring is in
//! toso-tooling (`toso_tooling::bench`).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::Database;

#[derive(Subcommand)]
pub enum BenchCommand {
    #[command(
        about = "Đo thời gian lập báo cáo của xã: tổng hợp số liệu từ hồ sơ, rồi \
                       xuất bản chốt ra DOCX, PDF và XLSX; bên cạnh LibreOffice chạy \
                       không giao diện chuyển cùng tệp DOCX sang PDF (mốc so sánh)."
    )]
    Report {
        #[command(flatten)]
        at: Measured,
        #[arg(
            long,
            default_value = "4675/SKHCN-CNTT",
            value_name = "SỐ_KÝ_HIỆU",
            help = "Yêu cầu báo cáo được trả lời."
        )]
        request: String,
        #[arg(
            long,
            value_name = "NGÀY",
            help = "Ngày số liệu; mặc định: ngày của yêu cầu."
        )]
        as_of: Option<String>,
        #[arg(long, default_value_t = 20, value_name = "SỐ", help = RUNS)]
        runs: u32,
        #[arg(
            long,
            default_value_t = 3,
            value_name = "SỐ",
            help = "Số lần chuyển đổi bằng LibreOffice được đo (mỗi lần khởi động \
                    soffice mới, như khi một kịch bản gọi nó)."
        )]
        baseline_runs: u32,
        #[arg(long, value_name = "THƯ_MỤC", help = WORK)]
        work: Option<PathBuf>,
    },
    #[command(
        about = "Phía Sở của một yêu cầu ở quy mô một tỉnh: bảng theo dõi và báo \
                       cáo tổng hợp (cộng từ bản đã được chấp nhận của mọi xã, xuất ra \
                       DOCX, PDF và XLSX), bên cạnh LibreOffice chuyển cùng tệp DOCX. \
                       Lập (một lần) yêu cầu `9999/SKHCN-BENCH` được mọi xã của tỉnh \
                       trả lời và được chấp nhận."
    )]
    Cycle {
        #[command(flatten)]
        db: Database,
        #[arg(
            long,
            default_value_t = 79,
            value_name = "MÃ_TỈNH",
            help = "Tỉnh được đo; mặc định: tỉnh có nhiều xã nhất (Thành phố Hồ Chí \
                    Minh, 79)."
        )]
        province: i32,
        #[arg(
            long,
            help = "Trước hết sinh các xã của tỉnh bằng bộ sinh dữ liệu của `toso gen` \
                    ở quy mô cả nước (trên cơ sở dữ liệu chưa có các xã đó)."
        )]
        generate: bool,
        #[arg(long, default_value_t = 10, value_name = "SỐ", help = RUNS)]
        runs: u32,
        #[arg(
            long,
            default_value_t = 3,
            value_name = "SỐ",
            help = "Số lần chuyển đổi bằng LibreOffice được đo."
        )]
        baseline_runs: u32,
        #[arg(long, value_name = "THƯ_MỤC", help = WORK)]
        work: Option<PathBuf>,
    },
    #[command(
        about = "Ghi nhật ký hỗ trợ qua HTTP từ nhiều máy khách cùng lúc: số lần \
                       ghi được nhận mỗi giây và độ trễ, bên cạnh cùng các máy khách gọi \
                       địa chỉ đơn giản nhất (/healthz) của cùng máy chủ: biểu mẫu của \
                       trang tổ có mã máy khách, API JSON có khóa, rồi (để tham khảo) \
                       biểu mẫu không có mã máy khách; sau đó tra trong cơ sở dữ liệu \
                       từng lần ghi đã được xác nhận."
    )]
    Writes {
        #[command(flatten)]
        at: Measured,
        #[arg(
            long,
            default_value_t = 32,
            value_name = "SỐ",
            help = "Số máy khách chạy cùng lúc."
        )]
        clients: usize,
        #[arg(
            long,
            default_value_t = 30.0,
            value_name = "GIÂY",
            help = "Số giây của mỗi giai đoạn (mốc so sánh, rồi từng kiểu ghi)."
        )]
        seconds: f64,
        #[arg(
            long,
            help = "Chạy giai đoạn API JSON trước giai đoạn biểu mẫu (mặc định biểu mẫu \
                    chạy trước): giai đoạn sau gặp cơ sở dữ liệu và WAL mà giai đoạn \
                    trước đã làm lớn lên."
        )]
        api_first: bool,
        #[arg(
            long,
            default_value_t = 1,
            value_name = "SỐ",
            help = "Số vòng của giai đoạn biểu mẫu và giai đoạn API, đổi thứ tự mỗi vòng \
                    (số chẵn cho mỗi kiểu số lượt chạy trước và chạy sau bằng nhau); tỉ \
                    lệ tính trên mọi vòng."
        )]
        rounds: u32,
    },
    #[command(
        about = "Bảng chỉ tiêu của một xã qua API JSON (một mã API, qua loopback) \
                       bên cạnh cùng bảng tính ngay trong tiến trình (mốc so sánh)."
    )]
    Api {
        #[command(flatten)]
        at: Measured,
        #[arg(
            long,
            default_value = "2025-11-30",
            value_name = "NGÀY",
            help = "Ngày số liệu (2025-11-30 hoặc dd/mm/yyyy)."
        )]
        as_of: String,
        #[arg(long, default_value_t = 50, value_name = "SỐ", help = RUNS)]
        runs: u32,
    },
    #[command(
        about = "Bộ nhớ thường trú của `toso serve` khi rảnh sau khi khởi động và \
                       sau khi phục vụ các trang, bên cạnh chính chương trình khi không \
                       làm gì khác."
    )]
    Idle {
        #[command(flatten)]
        db: Database,
        #[arg(
            long,
            default_value_t = 200,
            value_name = "SỐ",
            help = "Số lần tải trang giữa hai lần đọc."
        )]
        pages: u32,
    },
    #[command(
        about = "Bảng chỉ tiêu (mọi chỉ tiêu) của cả nước (lần lượt 34 tỉnh, thành \
                       phố), một tỉnh và một xã, vào một ngày và trong một kỳ, trên cơ sở \
                       dữ liệu hiện tại; bên cạnh một câu `SELECT … GROUP BY \
                       commune_code` thô đếm cùng các lượt hỗ trợ và cộng số người được \
                       hỗ trợ (mốc so sánh). Sinh dữ liệu trước bằng `toso gen`."
    )]
    Indicators {
        #[command(flatten)]
        data: GenData,
        #[arg(
            long,
            default_value_t = toso_tooling::gen::CITY_PROVINCE,
            value_name = "MÃ_TỈNH",
            help = "Tỉnh được đo."
        )]
        province: i32,
        #[arg(
            long,
            value_name = "NGÀY",
            help = "Ngày đầu của kỳ; mặc định: ngày đầu tháng của ngày số liệu."
        )]
        from: Option<String>,
        #[arg(long, default_value_t = 5, value_name = "SỐ", help = RUNS)]
        runs: u32,
        #[arg(
            long,
            help = "Sau đó đo riêng từng chỉ tiêu (vào ngày số liệu, một lần sau các \
                    bảng trên), để thấy thời gian của một bảng đi vào đâu."
        )]
        by_indicator: bool,
    },
    #[command(about = "Trang tổng quan của xã (GET qua máy chủ thật trên một cổng \
                       loopback, đã đăng nhập), báo cáo của xã (tổng hợp; tổng hợp và \
                       xuất PDF), trang chủ của tỉnh (mọi xã của một tỉnh) và trang chủ \
                       cả nước (mọi tỉnh), bên cạnh địa chỉ đơn giản nhất /healthz được \
                       gọi cùng cách; hai trang chủ còn bên cạnh bảng của kho dữ liệu \
                       riêng và một câu `SELECT … GROUP BY commune_code` thô trên cùng \
                       các lượt hỗ trợ.")]
    Pages {
        #[command(flatten)]
        data: GenData,
        #[arg(
            long,
            value_name = "MÃ_TỈNH",
            help = "Tỉnh có trang chủ được đo; mặc định: tỉnh có nhiều xã nhất (Thành \
                    phố Hồ Chí Minh, 79)."
        )]
        province: Option<i32>,
        #[arg(
            long,
            default_value = "admin",
            value_name = "TÊN",
            help = "Tài khoản dùng để đọc các trang (quản trị viên, hoặc cán bộ của xã); \
                    một phiên được mở cho nó và đóng lại sau đó."
        )]
        user: String,
        #[arg(long, default_value_t = 20, value_name = "SỐ", help = RUNS)]
        runs: u32,
    },
}

/// The database and commune a benchmark of the demo measures (Đặc khu
/// Cát Hải by default).
#[derive(Args)]
pub struct Measured {
    #[command(flatten)]
    db: Database,
    #[arg(
        long,
        default_value_t = toso_demo::COMMUNE_CODE,
        value_name = "MÃ_XÃ",
        help = "Xã được đo."
    )]
    commune: i32,
}

/// What the indicator and page benchmarks read: `toso gen`'s data, one
/// commune of it and the whole country unless left out.
#[derive(Args)]
pub struct GenData {
    #[command(flatten)]
    db: Database,
    #[arg(
        long,
        default_value_t = toso_tooling::gen::DEFAULT_COMMUNE,
        value_name = "MÃ_XÃ",
        help = "Xã được đo."
    )]
    commune: i32,
    #[arg(long, value_name = "NGÀY", help = GEN_DAY)]
    as_of: Option<String>,
    #[arg(
        long,
        help = "Bỏ phần cả nước: bảng của lần lượt 34 tỉnh, thành phố (indicators), \
                trang chủ `/nation` và mốc so sánh của nó (pages)."
    )]
    no_nation: bool,
}

/// The help of the runs option of every benchmark.
const RUNS: &str = "Số lần đo của mỗi bước (sau một lần chạy khởi động).";
/// The help of the work folder option.
const WORK: &str = "Thư mục chứa các tệp (mặc định: một thư mục tạm).";
/// The help of an as-of date over `toso gen`'s data.
const GEN_DAY: &str = "Ngày số liệu; mặc định: ngày cuối của dữ liệu `toso gen` (31/10/2026).";

/// Run the benchmark `command` (toso-tooling does the measuring).
pub async fn run(command: BenchCommand) -> Result<(), toso_tooling::Error> {
    use toso_tooling::bench;
    match command {
        BenchCommand::Indicators {
            data:
                GenData {
                    db,
                    commune,
                    as_of,
                    no_nation,
                },
            province,
            from,
            runs,
            by_indicator,
        } => {
            bench::indicators(
                &db.url(),
                (commune, province, !no_nation),
                (as_of, from),
                (runs, by_indicator),
            )
            .await
        }
        BenchCommand::Pages {
            data:
                GenData {
                    db,
                    commune,
                    as_of,
                    no_nation,
                },
            province,
            user,
            runs,
        } => {
            bench::pages(
                &db.url(),
                (commune, province, !no_nation),
                as_of,
                &user,
                runs,
            )
            .await
        }
        BenchCommand::Writes {
            at: Measured { db, commune },
            clients,
            seconds,
            api_first,
            rounds,
        } => bench::writes(&db.url(), commune, clients, seconds, api_first, rounds).await,
        BenchCommand::Idle { db, pages } => bench::idle(&db.url(), pages).await,
        BenchCommand::Api {
            at: Measured { db, commune },
            as_of,
            runs,
        } => {
            let as_of = toso_domain::parse_date(&as_of, "as_of", "Ngày báo cáo")
                .map_err(|e| toso_tooling::Error::Usage(e.message))?;
            bench::api_reads(&db.url(), commune, as_of, runs.max(1)).await
        }
        BenchCommand::Cycle {
            db,
            province,
            generate,
            runs,
            baseline_runs,
            work,
        } => bench::cycle(&db.url(), province, generate, (runs, baseline_runs), work).await,
        BenchCommand::Report {
            at: Measured { db, commune },
            request,
            as_of,
            runs,
            baseline_runs,
            work,
        } => {
            bench::report(
                &db.url(),
                commune,
                &request,
                as_of,
                (runs, baseline_runs),
                work,
            )
            .await
        }
    }
}
