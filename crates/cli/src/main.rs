//! `toso`: the one binary. A commune officer runs it on a laptop with the
//! embedded SQLite database; a province runs it against PostgreSQL.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use toso_domain::{parse_date, DomainError, Node};
use toso_sheets::{SheetError, SheetKind};
use toso_store::{Actor, ImportOptions, RowAction, Store, StoreError};

mod allowance;
mod backup;
mod bench;
mod config;
mod desktop;
mod help;
mod poster;
mod report;
mod sheets;
mod table;
mod units;
mod user;

#[derive(Parser)]
#[command(
    name = "toso",
    version,
    about = "Tổ Số: hồ sơ, số liệu và báo cáo của các Tổ công nghệ số cộng đồng \
             của một xã hay một tỉnh."
)]
struct Cli {
    #[arg(
        long,
        global = true,
        value_name = "TỆP",
        help = "Tệp cấu hình (TOML). Mặc định: TOSO_CONFIG, nếu không có thì \
                /etc/toso/toso.toml khi tệp đó tồn tại. Biến môi trường được ưu tiên \
                hơn tệp, tùy chọn trên dòng lệnh được ưu tiên hơn cả hai; \
                `toso config` cho xem kết quả."
    )]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Database {
    #[arg(
        long,
        value_name = "ĐỊA_CHỈ",
        help = "Nơi lưu dữ liệu: sqlite://TỆP (một tệp trên máy này, tự tạo nếu chưa \
                có) hoặc postgres://NGƯỜI_DÙNG@MÁY/CSDL. Mặc định: DATABASE_URL, nếu \
                không có thì database_url của cấu hình, rồi DATA_DIR/toso.db, rồi \
                sqlite://toso.db."
    )]
    database_url: Option<String>,
}

impl Database {
    /// The database to use: the flag, else the configuration's.
    fn url(&self) -> String {
        config::current().database_url(self.database_url.as_deref())
    }
}

#[derive(Subcommand)]
enum Command {
    #[command(about = "Chạy ứng dụng web.")]
    Serve {
        #[command(flatten)]
        db: Database,
        #[arg(
            long,
            value_name = "ĐỊA_CHỈ:CỔNG",
            help = "Địa chỉ và cổng nhận kết nối. Mặc định: TOSO_BIND, nếu không có \
                    thì bind của cấu hình, rồi 127.0.0.1:8080."
        )]
        bind: Option<SocketAddr>,
        #[arg(
            long,
            value_name = "ĐỊA_CHỈ",
            help = "Địa chỉ người dân dùng để vào ứng dụng, in trong mã QR của các \
                    thôn (https://toso.example.vn). Mặc định: TOSO_PUBLIC_URL, nếu \
                    không có thì public_url của cấu hình, rồi chính địa chỉ của từng \
                    yêu cầu."
        )]
        public_url: Option<String>,
        #[arg(
            long,
            help = "Nạp trước xã mẫu (Đặc khu Cát Hải) và các xã mẫu của tỉnh, nếu \
                    chưa có."
        )]
        demo: bool,
    },
    #[command(about = "In cấu hình đang dùng (tệp, biến môi trường, tùy chọn) dạng \
                       TOML, mỗi giá trị kèm nguồn của nó; các giá trị bí mật được ẩn.")]
    Config,
    #[command(about = "Áp dụng các bước cấu trúc cơ sở dữ liệu còn chờ và cho biết \
                       số bước (`toso serve` cũng tự áp dụng; gói Debian chạy lệnh \
                       này khi nâng cấp).")]
    Migrate {
        #[command(flatten)]
        db: Database,
    },
    #[command(
        about = "Quản lý tài khoản: `toso user add --role admin --username TÊN` \
                       tạo quản trị viên đầu tiên của một bản cài đặt mới (mật khẩu đọc \
                       từ đầu vào chuẩn hoặc hỏi tại cửa sổ lệnh)."
    )]
    User {
        #[command(flatten)]
        db: Database,
        #[command(subcommand)]
        command: user::UserCommand,
    },
    #[command(
        about = "Sao lưu cơ sở dữ liệu trong khi máy chủ vẫn chạy: có --out thì \
                       chép một bản nhất quán của cơ sở dữ liệu SQLite vào tệp đó; \
                       không có thì thêm một bản vào bộ sao lưu xoay vòng (backup.dir \
                       của cấu hình, hoặc --dir) và xóa các bản cũ nhất vượt quá \
                       backup.keep — bản chép SQLite, hoặc với PostgreSQL một bản \
                       `pg_dump --format=custom`."
    )]
    Backup {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: backup::BackupArgs,
    },
    #[command(about = "Đặt một bản sao lưu trở lại làm cơ sở dữ liệu SQLite của \
                       --database-url (kiểm tra trước, thay trong một bước). Với \
                       PostgreSQL, in lệnh pg_restore cần chạy.")]
    Restore {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: backup::RestoreArgs,
    },
    #[command(about = "Nạp xã mẫu Đặc khu Cát Hải như trong báo cáo tham chiếu (58 \
                       thôn, 58 tổ, 386 thành viên) cùng mười hai xã mẫu khác của \
                       Thành phố Hải Phòng. Không làm gì nếu đã có.")]
    Demo {
        #[command(flatten)]
        db: Database,
    },
    #[command(
        about = "In các chỉ tiêu của một xã, một tỉnh, một thôn hay cả nước vào \
                       một ngày (hoặc trong một kỳ, với --from); hoặc bảng các xã của \
                       một tỉnh (`--province 31 --by-commune`) hay của 34 tỉnh, thành \
                       phố (`--nation --by-province`), mỗi đơn vị một dòng, rồi dòng \
                       tổng."
    )]
    Indicators {
        #[command(flatten)]
        db: Database,
        #[arg(long, group = "node", value_name = "MÃ_XÃ", help = COMMUNE)]
        commune: Option<i32>,
        #[arg(long, group = "node", value_name = "MÃ_TỈNH", help = PROVINCE)]
        province: Option<i32>,
        #[arg(
            long,
            group = "node",
            value_name = "SỐ",
            help = "Số của thôn (như hiển thị trong ứng dụng web)."
        )]
        village: Option<i64>,
        #[arg(long, group = "node", help = "Cả nước (mọi tỉnh, thành phố).")]
        nation: bool,
        #[arg(
            long,
            help = "Với --province: mỗi xã của tỉnh một dòng, rồi dòng tổng."
        )]
        by_commune: bool,
        #[arg(long, help = "Với --nation: mỗi tỉnh một dòng, rồi dòng tổng.")]
        by_province: bool,
        #[arg(
            long,
            value_name = "NGÀY",
            help = "Ngày tính số liệu: 2025-11-30 hoặc 30/11/2025. Mặc định: hôm nay."
        )]
        as_of: Option<String>,
        #[arg(
            long,
            value_name = "NGÀY",
            help = "Ngày đầu của kỳ: lượt người dân được hỗ trợ, hồ sơ, người được \
                    tập huấn, lượt đăng ký và tổ hoạt động tính từ ngày này (thôn, tổ \
                    và thành viên tính vào ngày --as-of). Mặc định: từ đầu."
        )]
        from: Option<String>,
        #[arg(long, help = "In JSON thay cho bảng.")]
        json: bool,
    },
    #[command(
        about = "Nhập một danh sách từ tệp Excel (.xlsx, .xls) hoặc CSV vào một xã: \
                 cho xem những gì sẽ được tạo mới, cập nhật và giữ nguyên cùng mọi lỗi \
                 theo dòng và cột, rồi ghi tất cả trong một giao dịch — hoặc không ghi \
                 gì nếu có bất kỳ lỗi nào.",
        long_about = "Nhập một danh sách từ tệp Excel (.xlsx, .xls) hoặc CSV vào một \
                      xã: cho xem những gì sẽ được tạo mới, cập nhật và giữ nguyên cùng \
                      mọi lỗi theo dòng và cột, rồi ghi tất cả trong một giao dịch — \
                      hoặc không ghi gì nếu có bất kỳ lỗi nào.\n\n\
                      LOẠI là villages (thôn), teams (tổ), members (danh sách thành \
                      viên: mỗi dòng một thành viên kèm thôn, lập thôn, tổ và thành \
                      viên trong một lần), documents (văn bản) hoặc duty_days (ngày \
                      trực: mỗi dòng một thành viên trực; các dòng cùng thôn, ngày và \
                      nơi trực là một ngày trực của tổ thôn đó)."
    )]
    Import {
        #[command(flatten)]
        db: Database,
        #[arg(value_name = "LOẠI", help = "Danh sách cần nhập.")]
        kind: ListKind,
        #[arg(value_name = "TỆP", help = "Tệp cần nhập.")]
        file: std::path::PathBuf,
        #[arg(long, value_name = "MÃ_XÃ", help = COMMUNE)]
        commune: i32,
        #[arg(long, help = "Chỉ cho xem những gì sẽ thay đổi; không ghi gì.")]
        dry_run: bool,
        #[arg(
            long,
            value_name = "NGÀY",
            help = "Ngày thành lập của các thôn, tổ do lần nhập tạo ra, và ngày bắt \
                    đầu tham gia của các thành viên không có «Ngày tham gia». Mặc \
                    định: --as-of."
        )]
        established_on: Option<String>,
        #[arg(
            long,
            value_name = "NGÀY",
            help = "Ngày tham chiếu của lần nhập, cũng là ngày có hiệu lực của vai trò \
                    hay thành phần được đổi. Mặc định: hôm nay."
        )]
        as_of: Option<String>,
        #[arg(
            long,
            default_value_t = 50,
            value_name = "MB",
            help = "Dung lượng tệp lớn nhất được nhận, tính bằng MB."
        )]
        max_size_mb: u64,
        #[arg(
            long,
            default_value_t = toso_sheets::DEFAULT_MAX_ROWS,
            value_name = "SỐ",
            help = "Số dòng dữ liệu nhiều nhất được nhận."
        )]
        max_rows: u64,
        #[arg(
            long,
            default_value_t = 20,
            value_name = "SỐ",
            help = "Số dòng mỗi loại được liệt kê trong bản xem trước."
        )]
        show: usize,
        #[arg(
            long = "column",
            value_name = "TRƯỜNG=TIÊU_ĐỀ",
            help = "Lấy một cột cho một trường khi tiêu đề của cột không được nhận ra: \
                    TRƯỜNG là tiêu đề trong mẫu hoặc khóa của nó (`--column \
                    \"Thôn/TDP=Nơi ở\"`, `--column full_name=Người tham gia`); TIÊU_ĐỀ \
                    để trống thì bỏ trường đó. Dùng được nhiều lần."
        )]
        columns: Vec<String>,
    },
    #[command(about = "Xuất một danh sách của xã (hoặc bảng chỉ tiêu) ra XLSX hoặc CSV.")]
    Export {
        #[command(flatten)]
        db: Database,
        #[arg(
            value_name = "LOẠI",
            help = "Danh sách cần xuất (indicators: bảng chỉ tiêu)."
        )]
        kind: ExportKind,
        #[arg(long, value_name = "MÃ_XÃ", help = COMMUNE)]
        commune: i32,
        #[arg(
            long,
            value_enum,
            default_value_t = FileFormat::Xlsx,
            value_name = "ĐỊNH_DẠNG",
            help = "Định dạng tệp; CSV ghi UTF-8 có BOM, mở trong Excel vẫn đúng dấu."
        )]
        format: FileFormat,
        #[arg(long, value_name = "TỆP", help = "Tệp cần ghi.")]
        out: std::path::PathBuf,
        #[arg(
            long,
            value_name = "NGÀY",
            help = "Thành viên và chỉ tiêu tính vào ngày này, ngày trực đến hết ngày \
                    này. Mặc định: hôm nay."
        )]
        as_of: Option<String>,
    },
    #[command(
        about = "Trả lời một yêu cầu báo cáo: chốt số liệu của xã thành một báo \
                       cáo (hoặc dùng lại bản mới nhất có cùng ngày số liệu) và ghi ra \
                       DOCX, PDF và phụ lục XLSX, ví dụ `toso report --commune 11914 \
                       --request 4675/SKHCN-CNTT --as-of 2025-11-30 --format \
                       docx,pdf,xlsx --out THƯ_MỤC`; hoặc báo cáo tổng hợp của Sở cho \
                       một yêu cầu của tỉnh, cộng từ các bản đã được chấp nhận của các \
                       xã: `toso report --province 31 --request 4675/SKHCN-CNTT --format \
                       docx,pdf,xlsx --out THƯ_MỤC`."
    )]
    Report {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: report::ReportArgs,
    },
    #[command(
        about = "In áp phích các thôn của một xã thành một tệp PDF, mỗi thôn đang \
                       hoạt động một trang A4, có mã QR dẫn tới trang công khai của thôn \
                       (và nhóm Zalo của tổ), ví dụ `toso poster --commune 11914 --out \
                       posters.pdf --public-url https://toso.example.vn`."
    )]
    Poster {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: poster::PosterArgs,
    },
    #[command(
        about = "Một tháng của xã: danh sách chi hỗ trợ và bảng chấm công của \
                       từng tổ dạng XLSX và PDF (bản đã duyệt khi tháng đã được duyệt), \
                       ví dụ `toso allowance --commune 11914 --month 2025-11 --format \
                       xlsx,pdf --out THƯ_MỤC`."
    )]
    Allowance {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: allowance::AllowanceArgs,
    },
    #[command(
        about = "Đo hiệu năng, mỗi phép đo bên cạnh một mốc so sánh chạy trong \
                       cùng tiến trình (kết quả trong BENCHMARKS.md). Cần build với \
                       --release trước."
    )]
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    #[command(
        about = "Sinh dữ liệu giả lập để đo hiệu năng: một xã, 114 xã của Hải \
                       Phòng (city) hoặc cả 3.321 xã (national), với thôn, tổ, thành \
                       viên và hai năm hoạt động hỗ trợ. Cùng --seed cho cùng dữ liệu. \
                       Từ chối cơ sở dữ liệu đã có dữ liệu của các xã đó. Chỉ có người \
                       giả lập."
    )]
    Gen {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        args: toso_tooling::gen::GenArgs,
    },
    #[command(
        about = "In tài liệu OpenAPI 3.1 của API JSON (tài liệu máy chủ cung cấp \
                       tại /api/v1/openapi.json), cho các công cụ kiểm tra và sinh mã \
                       máy khách."
    )]
    Openapi,
    #[command(about = "Ghi mẫu nhập trống của một danh sách (XLSX có danh sách thả \
                       xuống, hoặc CSV khi TỆP kết thúc bằng .csv).")]
    Template {
        #[arg(value_name = "LOẠI", help = "Danh sách của mẫu.")]
        kind: ListKind,
        #[arg(long, value_name = "TỆP", help = "Tệp cần ghi.")]
        out: std::path::PathBuf,
    },
    #[command(
        hide = true,
        about = "Ghi một danh sách thành viên giả lập để đo hiệu năng (người giả lập, \
                 không có người thật)."
    )]
    SampleRoster {
        #[arg(long, default_value_t = 500_000, value_name = "SỐ", help = "Số dòng.")]
        rows: u64,
        #[arg(long, default_value_t = 1000, value_name = "SỐ", help = "Số thôn.")]
        villages: u64,
        #[arg(long, value_name = "TỆP", help = "Tệp cần ghi.")]
        out: std::path::PathBuf,
    },
}

/// The help of a commune code option (several commands take one).
const COMMUNE: &str = "Mã xã (mã thống kê), ví dụ 11914 là Đặc khu Cát Hải.";
/// The help of a province code option.
const PROVINCE: &str = "Mã tỉnh (mã thống kê), ví dụ 31 là Thành phố Hải Phòng.";

#[derive(Clone, Copy, ValueEnum)]
enum ListKind {
    Villages,
    Teams,
    Members,
    Documents,
    #[value(name = "duty_days")]
    DutyDays,
}

impl From<ListKind> for SheetKind {
    fn from(k: ListKind) -> SheetKind {
        match k {
            ListKind::Villages => SheetKind::Villages,
            ListKind::Teams => SheetKind::Teams,
            ListKind::Members => SheetKind::Members,
            ListKind::Documents => SheetKind::Documents,
            ListKind::DutyDays => SheetKind::DutyDays,
        }
    }
}

/// What `export` writes: one of the lists, or the indicator table.
#[derive(Clone, Copy)]
enum ExportKind {
    List(ListKind),
    Indicators,
}

impl ValueEnum for ExportKind {
    fn value_variants<'a>() -> &'a [Self] {
        use ListKind::*;
        &[
            ExportKind::List(Villages),
            ExportKind::List(Teams),
            ExportKind::List(Members),
            ExportKind::List(Documents),
            ExportKind::List(DutyDays),
            ExportKind::Indicators,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        match self {
            ExportKind::List(k) => k.to_possible_value(),
            ExportKind::Indicators => Some(clap::builder::PossibleValue::new("indicators")),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FileFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error("Lỗi vào/ra: {}", toso_domain::io_reason(.0))]
    Io(#[from] std::io::Error),
    /// A file or folder the command reads or writes, named.
    #[error("{}: {}", .0.display(), toso_domain::io_reason(.1))]
    File(std::path::PathBuf, std::io::Error),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    User(#[from] user::UserError),
    #[error(transparent)]
    Backup(#[from] backup::BackupError),
    /// The import found errors: nothing was written (already reported).
    #[error("{0}")]
    Refused(String),
}

/// The refusal of a file system call on `path`, naming it:
/// `std::fs::write(&p, b).map_err(at(&p))?`.
fn at(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |e| CliError::File(path.to_path_buf(), e)
}

/// The tooling's failures, as the binary's own (the same messages and exit
/// codes as when the tooling lived in this crate).
impl From<toso_tooling::Error> for CliError {
    fn from(e: toso_tooling::Error) -> CliError {
        match e {
            toso_tooling::Error::Store(e) => CliError::Store(e),
            toso_tooling::Error::Invalid(e) => CliError::Invalid(e),
            toso_tooling::Error::Io(e) => CliError::Io(e),
            toso_tooling::Error::Usage(s) => CliError::Usage(s),
            toso_tooling::Error::Refused(s) => CliError::Refused(s),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // Double-clicked on Windows (no arguments): the commune officer's start
    // (desktop.rs), not clap's usage message.
    if cfg!(windows) && std::env::args_os().len() == 1 {
        return desktop::start(shutdown_signal()).await;
    }
    let cli: Cli = help::parse();
    let cfg = match config::Config::load(cli.config.as_deref(), |k| std::env::var(k).ok()) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&cfg);
    config::set_current(cfg);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            match e {
                CliError::Usage(_)
                | CliError::User(_)
                | CliError::Backup(_)
                | CliError::Invalid(_)
                | CliError::Sheet(_)
                | CliError::Refused(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Log lines to standard error, as plain text or one JSON object per line
/// (`log_format`), filtered by `log_level`.
fn init_logging(cfg: &config::Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log_level.value)
        .unwrap_or_else(|_| config::DEFAULT_LOG.into());
    // Colours only for a person at a terminal, not in the journal or a file.
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(terminal)
        .with_writer(std::io::stderr);
    match cfg.log_format.value {
        config::LogFormat::Text => logs.init(),
        config::LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve {
            db,
            bind,
            public_url,
            demo,
        } => {
            let mut cfg = config::current().clone();
            cfg.apply_serve_flags(bind, public_url.as_deref())
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let url = db.url();
            let mut store = Store::connect(&url).await?;
            if demo {
                let commune = toso_demo::load(&store).await?;
                // The province's communes go in through a bulk load, which
                // wants the database to itself.
                store.close().await;
                let province = toso_tooling::demo_province::load(&url).await?;
                report_demo(commune, province);
                store = Store::connect(&url).await?;
            }
            let listener = tokio::net::TcpListener::bind(cfg.bind.value).await?;
            toso_web::serve_configured(store, listener, cfg.web_settings(), shutdown_signal())
                .await?;
        }
        Command::Config => print!("{}", config::current().describe()),
        Command::Migrate { db } => {
            let store = Store::connect_only(&db.url()).await?;
            let done = store.migrate_counting().await;
            store.close().await;
            let (applied, state) = done?;
            println!(
                "Đã áp dụng {applied} bước cấu trúc mới; cơ sở dữ liệu có {}/{} bước.",
                state.applied, state.known
            );
        }
        Command::User { db, command } => {
            let store = Store::connect(&db.url()).await?;
            let done = user::run(&store, command).await;
            store.close().await;
            done?;
        }
        Command::Backup { db, args } => backup::backup(&db.url(), args).await?,
        Command::Restore { db, args } => backup::restore(&db.url(), args).await?,
        Command::Report { db, args } => {
            let store = Store::connect(&db.url()).await?;
            let done = report::run(&store, args).await;
            store.close().await;
            done?;
        }
        Command::Poster { db, args } => {
            let store = Store::connect(&db.url()).await?;
            let done = poster::run(&store, args).await;
            store.close().await;
            done?;
        }
        Command::Allowance { db, args } => {
            let store = Store::connect(&db.url()).await?;
            let done = allowance::run(&store, args).await;
            store.close().await;
            done?;
        }
        Command::Bench { command } => bench::run(command).await?,
        Command::Openapi => {
            let doc = serde_json::to_string_pretty(toso_web::api::document())
                .map_err(|e| CliError::Usage(e.to_string()))?;
            println!("{doc}");
        }
        Command::Gen { db, args } => toso_tooling::gen::command(&db.url(), args).await?,
        Command::Demo { db } => {
            let store = Store::connect(&db.url()).await?;
            let commune = toso_demo::load(&store).await;
            store.close().await;
            let commune = commune?;
            let province = toso_tooling::demo_province::load(&db.url()).await?;
            report_demo(commune, province);
        }
        Command::Indicators {
            db,
            commune,
            province,
            village,
            nation,
            by_commune,
            by_province,
            as_of,
            from,
            json,
        } => {
            let node = match (commune, province, village, nation) {
                (Some(c), _, _, _) => Some(Node::Commune(c)),
                (_, Some(p), _, _) => Some(Node::Province(p)),
                (_, _, Some(v), _) => Some(Node::Village(v)),
                (_, _, _, true) => Some(Node::Nation),
                _ => None,
            };
            let form = units::Form::new(node, by_commune, by_province)?;
            let period = units::period(as_of, from)?;
            let store = Store::connect(&db.url()).await?;
            let done = units::print(&store, form, period, json).await;
            store.close().await;
            done?;
        }
        Command::Import {
            db,
            kind,
            file,
            commune,
            dry_run,
            established_on,
            as_of,
            max_size_mb,
            max_rows,
            show,
            columns,
        } => {
            let as_of = date_arg(as_of, "Ngày nhập (--as-of)")?;
            let established_on = match established_on {
                Some(s) => Some(parse_date(
                    &s,
                    "established_on",
                    "Ngày thành lập (--established-on)",
                )?),
                None => None,
            };
            let mut opts = toso_sheets::ReadOptions::new(toso_store::today());
            opts.max_bytes = max_size_mb * 1024 * 1024;
            opts.max_rows = max_rows;
            opts.columns = sheets::manual_columns(kind.into(), &columns)?;
            let parsed = sheets::read_with_progress(&file, kind.into(), &opts)
                .map_err(sheets::with_column_hint)?;
            let store = Store::connect(&db.url()).await?;
            let spinner = sheets::spinner(if dry_run {
                "Đang kiểm tra với dữ liệu của xã…"
            } else {
                "Đang kiểm tra và ghi vào cơ sở dữ liệu…"
            });
            let report = store
                .import(
                    &Actor::system(&format!("toso import {}", file.display())),
                    &parsed,
                    &ImportOptions {
                        commune_code: commune,
                        as_of,
                        established_on,
                        commit: !dry_run,
                        source: file.file_name().map_or_else(
                            || file.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        ),
                    },
                )
                .await;
            spinner.finish_and_clear();
            store.close().await;
            let report = report?;
            sheets::print_report(&parsed, &report, show);
            if !report.is_ok() {
                return Err(CliError::Refused(format!(
                    "có {} lỗi: không ghi gì vào cơ sở dữ liệu. Sửa tệp rồi nhập lại.",
                    toso_domain::format_int(report.errors.len() as i64)
                )));
            }
            if dry_run {
                eprintln!("Chạy thử (--dry-run): chưa ghi gì. Chạy lại không có --dry-run để ghi.");
            } else {
                let n = report.count(RowAction::Create) + report.count(RowAction::Update);
                eprintln!(
                    "Đã ghi: {} dòng thêm mới hoặc cập nhật, trong một giao dịch.",
                    toso_domain::format_int(n as i64)
                );
            }
        }
        Command::Export {
            db,
            kind,
            commune,
            format,
            out,
            as_of,
        } => {
            let as_of = date_arg(as_of, "Ngày số liệu (--as-of)")?;
            let store = Store::connect(&db.url()).await?;
            if let ExportKind::List(ListKind::Members) = kind {
                // Streamed: a province-sized roster is never held whole.
                let n =
                    sheets::export_members(&store, commune, as_of, format == FileFormat::Csv, &out)
                        .await;
                store.close().await;
                eprintln!(
                    "Đã ghi {} dòng vào {}.",
                    toso_domain::format_int(n? as i64),
                    out.display()
                );
                return Ok(());
            }
            let table = match kind {
                ExportKind::Indicators => {
                    store
                        .indicators_table(Node::Commune(commune), as_of)
                        .await?
                }
                ExportKind::List(k) => store.export_table(k.into(), commune, as_of).await?,
            };
            store.close().await;
            sheets::write_table(&table, format == FileFormat::Csv, &out)?;
            eprintln!(
                "Đã ghi {} dòng vào {}.",
                toso_domain::format_int(table.rows.len() as i64),
                out.display()
            );
        }
        Command::Template { kind, out } => {
            let csv = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            if csv {
                let mut t = toso_sheets::template(kind.into());
                t.rows.clear();
                sheets::write_table(&t, true, &out)?;
            } else {
                std::fs::write(&out, toso_sheets::template_xlsx(kind.into())?).map_err(at(&out))?;
            }
            eprintln!("Đã ghi tệp mẫu {}.", out.display());
        }
        Command::SampleRoster {
            rows,
            villages,
            out,
        } => {
            let table = toso_tooling::roster::sample_roster(rows, villages);
            sheets::write_table(&table, out.extension().is_some_and(|e| e == "csv"), &out)?;
            eprintln!(
                "Đã ghi {} dòng vào {}.",
                toso_domain::format_int(rows as i64),
                out.display()
            );
        }
    }
    Ok(())
}

fn date_arg(s: Option<String>, label: &'static str) -> Result<chrono::NaiveDate, CliError> {
    Ok(match s {
        Some(s) => parse_date(&s, "as_of", label)?,
        None => toso_store::today(),
    })
}

fn report_demo(loaded: toso_demo::Loaded, province: toso_tooling::demo_province::Loaded) {
    use toso_domain::format_int;
    use toso_tooling::demo_province;
    match loaded {
        toso_demo::Loaded::Created {
            villages,
            teams,
            people,
        } => eprintln!(
            "Đã nạp dữ liệu mẫu đặc khu Cát Hải: {villages} thôn, {teams} tổ/đội, {people} người."
        ),
        toso_demo::Loaded::AlreadyPresent => {
            eprintln!("Dữ liệu mẫu đặc khu Cát Hải đã có sẵn; không nạp lại.")
        }
    }
    match province {
        demo_province::Loaded::Created {
            communes,
            villages,
            teams,
            people,
            support_activities,
            officers,
            versions,
        } => eprintln!(
            "Đã nạp thêm {communes} xã, phường khác của Hải Phòng (dữ liệu tổng hợp): {} thôn, {} tổ/đội, \
             {} người, {} lượt hỗ trợ; {officers} tài khoản cán bộ xã (canbo<mã xã>); {versions} phiên bản \
             báo cáo theo yêu cầu {} ở mọi trạng thái (đã chấp nhận, chờ xem xét, nộp trễ, bị trả lại, \
             bản nháp, chưa làm, không phải báo cáo).",
            format_int(villages),
            format_int(teams),
            format_int(people),
            format_int(support_activities),
            toso_demo::REQUEST_NUMBER
        ),
        demo_province::Loaded::AlreadyPresent => eprintln!(
            "Dữ liệu mẫu các xã, phường khác của Hải Phòng đã có sẵn; không nạp lại."
        ),
    }
    eprintln!(
        "Tài khoản mẫu (mật khẩu chung «{}», chỉ dùng để thử):",
        toso_demo::DEMO_PASSWORD
    );
    for (username, role, _) in toso_demo::DEMO_USERS {
        eprintln!("  {username:<10} {}", role.label());
    }
    eprintln!(
        "  canbo<mã xã> {} của {} xã, phường mẫu khác",
        toso_domain::UserRole::CommuneOfficer.label(),
        demo_province::CASES.len()
    );
}

/// Resolves on Ctrl-C or SIGTERM, for a graceful shutdown.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("nhận tín hiệu dừng, đang hoàn tất các yêu cầu dở dang…");
}
