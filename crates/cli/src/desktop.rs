//! The double-click start: what happens when a commune officer opens
//! `toso.exe` with no arguments (wired in `main` on Windows only; the
//! module itself builds and runs everywhere, so it is tested on Linux too).
//!
//! 1. The data folder: `%LOCALAPPDATA%\ToSo` on Windows (else `%APPDATA%\ToSo`,
//!    else the exe's folder); elsewhere `$XDG_DATA_HOME/toso` or
//!    `~/.local/share/toso`. `TOSO_DATA_DIR` overrides it on every system.
//! 2. One Tổ Số per data folder: a second start (the icon double-clicked
//!    again) finds the first one's lock (`toso.lock`), opens the browser at
//!    the address the first one noted (`toso.address`) and ends, instead of
//!    starting a second server on the same database.
//! 3. The database `toso.db` in it (SQLite, created if missing).
//! 4. First run (no account yet): explain in the console and ask for the
//!    first admin's user name and password (at the terminal, the password
//!    without echo; from a pipe, one line each).
//! 5. Listen on 127.0.0.1:8080, or the next free port up to 8099; say where
//!    the app is and that closing the window stops it; open the default
//!    browser there.
//! 6. Serve until Ctrl+C or until the console window is closed.

use std::ffi::OsString;
use std::future::Future;
use std::io::{BufRead, IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use toso_domain::{Name, Password, UserRole, Username};
use toso_store::{Actor, NewUser, Store};

use crate::CliError;

/// The ports tried in turn on 127.0.0.1.
pub const PORTS: RangeInclusive<u16> = 8080..=8099;

/// The data folder's name under the Windows user's application data.
const WINDOWS_FOLDER: &str = "ToSo";
/// The data folder's name under the XDG data home.
const UNIX_FOLDER: &str = "toso";
/// The SQLite file in the data folder.
const DATABASE_FILE: &str = "toso.db";
/// The file a running Tổ Số holds locked for as long as it runs.
const LOCK_FILE: &str = "toso.lock";
/// The address the running Tổ Số serves, for a second start to open. (Not
/// in the lock file: on Windows a locked file cannot be read by others.)
const ADDRESS_FILE: &str = "toso.address";

/// Windows gives a console program about 5 seconds after its window is
/// closed: requests in flight get less than that to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// [`run`], then its outcome as the process's exit code. On failure the
/// error is printed and, when a person is at the console, the window is
/// kept open until Enter is pressed (a double-clicked program's window
/// otherwise closes before the message can be read).
pub async fn start(shutdown: impl Future<Output = ()> + Send + 'static) -> ExitCode {
    match run(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            if std::io::stdin().is_terminal() {
                eprintln!("Bấm Enter để đóng cửa sổ.");
                let mut line = String::new();
                let _ = std::io::stdin().lock().read_line(&mut line);
            }
            ExitCode::FAILURE
        }
    }
}

/// Find or create the database, create the first admin on the first run,
/// then serve on the first free port of [`PORTS`] until `shutdown` resolves
/// (or, on Windows, the console window is closed).
pub async fn run(shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), CliError> {
    // Quiet by default: the console is the officer's, not an operator's
    // (RUST_LOG still asks for more).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    // Registered first, so that closing the window from now on asks for a
    // graceful stop instead of killing the process outright.
    let closed = window_closed()?;

    let exe = std::env::current_exe().ok();
    let folder = data_folder(
        cfg!(windows),
        |key| std::env::var_os(key),
        exe.as_deref().and_then(Path::parent),
    )
    .ok_or_else(|| {
        CliError::Usage(
            "Không tìm được thư mục để lưu dữ liệu: hãy đặt biến môi trường TOSO_DATA_DIR.".into(),
        )
    })?;
    std::fs::create_dir_all(&folder).map_err(|e| {
        CliError::Usage(format!(
            "Không tạo được thư mục dữ liệu {}: {}",
            folder.display(),
            toso_domain::io_reason(&e)
        ))
    })?;
    let lock = match claim(&folder)? {
        Claim::First(lock) => lock,
        Claim::Running(address) => {
            already_running(address.as_deref());
            return Ok(());
        }
    };
    let database = folder.join(DATABASE_FILE);
    let url = sqlite_url(&database)?;

    println!("Tổ Số — hồ sơ và báo cáo của Tổ công nghệ số cộng đồng");
    println!("Dữ liệu được lưu trong tệp {}", database.display());
    println!("Đang mở cơ sở dữ liệu…");
    let store = Store::connect(&url).await?;
    if !store.has_accounts().await? {
        let created = first_admin(&store).await;
        if created.is_err() {
            store.close().await;
        }
        created?;
    }

    let (port, listener) = first_free(PORTS, bind_local).map_err(|e| {
        CliError::Usage(format!(
            "Không mở được cổng nào từ {} đến {} trên máy này ({e}). Có thể Tổ Số đang chạy \
             trong một cửa sổ khác: hãy dùng cửa sổ đó, hoặc đóng nó rồi mở lại.",
            PORTS.start(),
            PORTS.end()
        ))
    })?;
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let address = app_address(port);
    lock.note(&address)?;
    println!();
    println!("Tổ Số đang chạy tại {address}");
    println!("Mở trình duyệt (Chrome, Edge, Cốc Cốc, Firefox…) ở địa chỉ trên để làm việc.");
    println!("Giữ cửa sổ này mở trong khi làm việc: đóng cửa sổ (hoặc bấm Ctrl+C) sẽ dừng Tổ Số.");
    match open_browser(&address) {
        Ok(()) => println!("Đang mở trình duyệt…"),
        Err(e) => println!(
            "Không tự mở được trình duyệt ({e}): hãy tự mở trình duyệt và gõ địa chỉ {address}"
        ),
    }

    let stop = async move {
        tokio::select! {
            () = shutdown => {},
            () = closed => {},
        }
    };
    let limits = toso_web::Limits {
        shutdown_grace: SHUTDOWN_GRACE,
        ..toso_web::Limits::default()
    };
    toso_web::serve_with(store, listener, limits, stop).await?;
    lock.release();
    println!("Đã dừng Tổ Số.");
    Ok(())
}

/// What [`claim`] found in the data folder.
pub enum Claim {
    /// No other Tổ Số runs on it: this one does, for as long as it holds
    /// the lock.
    First(Lock),
    /// Another one runs on it, at the address it noted (none yet while it
    /// is still starting, e.g. asking for the first admin).
    Running(Option<String>),
}

/// The data folder's lock, held while the server runs (the system lets go
/// of it when the process ends, however it ends).
pub struct Lock {
    _file: std::fs::File,
    address: PathBuf,
}

impl Lock {
    /// Note the address this Tổ Số serves, for a second start to open.
    pub fn note(&self, address: &str) -> std::io::Result<()> {
        std::fs::write(&self.address, address)
    }

    /// Stop serving: forget the address, let go of the lock.
    pub fn release(self) {
        let _ = std::fs::remove_file(&self.address);
    }
}

/// Take the data folder's lock, or find the Tổ Số that holds it.
pub fn claim(folder: &Path) -> Result<Claim, CliError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(folder.join(LOCK_FILE))?;
    let address = folder.join(ADDRESS_FILE);
    match file.try_lock() {
        Ok(()) => {
            // A previous run that did not end cleanly may have left its
            // address behind.
            let _ = std::fs::remove_file(&address);
            Ok(Claim::First(Lock {
                _file: file,
                address,
            }))
        }
        Err(std::fs::TryLockError::WouldBlock) => Ok(Claim::Running(
            std::fs::read_to_string(&address)
                .ok()
                .map(|a| a.trim().to_string())
                .filter(|a| a.starts_with("http://127.0.0.1:")),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// A second start: say so, and open the browser at the running one.
fn already_running(address: Option<&str>) {
    println!("Tổ Số — hồ sơ và báo cáo của Tổ công nghệ số cộng đồng");
    match address {
        Some(address) => {
            println!("Tổ Số đã đang chạy trong một cửa sổ khác, tại {address}");
            match open_browser(address) {
                Ok(()) => println!("Đang mở trình duyệt ở địa chỉ đó…"),
                Err(e) => println!(
                    "Không tự mở được trình duyệt ({e}): hãy tự mở trình duyệt và gõ địa chỉ {address}"
                ),
            }
        }
        None => println!(
            "Tổ Số đang được mở trong một cửa sổ khác: hãy dùng cửa sổ đó (không cần mở thêm)."
        ),
    }
    // Long enough to read before a double-clicked window closes.
    if std::io::stdout().is_terminal() {
        std::thread::sleep(Duration::from_secs(5));
    }
}

/// The folder the data lives in, from the environment as `var` reads it
/// (`windows`: which system's rules apply; `exe_folder`: the last resort).
/// `TOSO_DATA_DIR`, when set, is taken as it is. Empty variables count as
/// unset, and `XDG_DATA_HOME` only when absolute (as its specification says).
pub fn data_folder(
    windows: bool,
    var: impl Fn(&str) -> Option<OsString>,
    exe_folder: Option<&Path>,
) -> Option<PathBuf> {
    let var = |key: &str| var(key).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("TOSO_DATA_DIR") {
        return Some(dir);
    }
    let home = if windows {
        var("LOCALAPPDATA")
            .or_else(|| var("APPDATA"))
            .map(|d| d.join(WINDOWS_FOLDER))
    } else {
        var("XDG_DATA_HOME")
            .filter(|d| d.is_absolute())
            .or_else(|| var("HOME").map(|h| h.join(".local").join("share")))
            .map(|d| d.join(UNIX_FOLDER))
    };
    home.or_else(|| exe_folder.map(Path::to_path_buf))
}

/// The `sqlite://` URL of a database file, as sqlx reads it back: the path
/// follows the scheme as it is (`sqlite:///var/lib/toso.db`,
/// `sqlite://C:\Users\…\toso.db`), with `%`, `?` and `#` percent-encoded
/// (sqlx percent-decodes the path and cuts it at the first `?`).
pub fn sqlite_url(path: &Path) -> Result<String, CliError> {
    let text = path.to_str().ok_or_else(|| {
        CliError::Usage(format!(
            "Đường dẫn {} có ký tự không đọc được: hãy chọn thư mục khác bằng biến môi trường TOSO_DATA_DIR.",
            path.display()
        ))
    })?;
    let mut url = String::with_capacity(text.len() + 9);
    url.push_str("sqlite://");
    for c in text.chars() {
        match c {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    Ok(url)
}

/// The first port of `ports` that `bind` accepts, with what it returned;
/// when none does, the last error.
pub fn first_free<T, E>(
    ports: impl IntoIterator<Item = u16>,
    mut bind: impl FnMut(u16) -> Result<T, E>,
) -> Result<(u16, T), E> {
    let mut last = None;
    for port in ports {
        match bind(port) {
            Ok(bound) => return Ok((port, bound)),
            // Taken by another program, or (on Windows) in a range the
            // system reserves: try the next one.
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("at least one port is tried"))
}

/// Listen on `port` of 127.0.0.1 (this computer only).
fn bind_local(port: u16) -> std::io::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
}

/// The address the officer opens.
pub fn app_address(port: u16) -> String {
    format!("http://127.0.0.1:{port}/")
}

/// The first run: explain, ask for the first admin and create the account.
async fn first_admin(store: &Store) -> Result<(), CliError> {
    println!();
    println!("Đây là lần chạy đầu tiên: chưa có tài khoản nào.");
    println!(
        "Hãy tạo tài khoản {} đầu tiên. Sau đó đăng nhập bằng tài khoản này trên trình duyệt",
        UserRole::Admin.label().to_lowercase()
    );
    println!("để tạo tài khoản cho cán bộ xã, tổ trưởng và thành viên các tổ.");
    let (username, password) = tokio::task::spawn_blocking(|| {
        let terminal = std::io::stdin().is_terminal();
        ask_first_admin(
            &mut std::io::stdin().lock(),
            &mut std::io::stdout(),
            terminal,
        )
    })
    .await
    .map_err(|e| CliError::Usage(e.to_string()))??;
    let full_name = Name::parse_field(username.as_str(), "full_name", "Họ và tên", 80)?;
    let user = store
        .create_user(
            &Actor::system("toso (lần chạy đầu)"),
            NewUser {
                username,
                full_name,
                phone: None,
                password,
                role: UserRole::Admin,
                province_code: None,
                commune_code: None,
                team_id: None,
                person_id: None,
            },
        )
        .await?;
    println!(
        "Đã tạo tài khoản «{}» ({}). Hãy nhớ mật khẩu: không ai xem lại được.",
        user.username,
        user.role.label()
    );
    Ok(())
}

/// Ask for the first admin's user name and password until both are valid
/// (the rules of `toso user add`). At a terminal (`terminal`) the password
/// is typed twice without echo; otherwise it is the next line of `input`.
/// Running out of input is an error.
pub fn ask_first_admin(
    input: &mut impl BufRead,
    out: &mut impl Write,
    terminal: bool,
) -> Result<(Username, Password), CliError> {
    let username = loop {
        write!(
            out,
            "Tên đăng nhập (3–40 ký tự: chữ không dấu, số, các dấu . _ -): "
        )?;
        out.flush()?;
        let answer = read_answer(input)?;
        if !terminal {
            // Not typed here: show the answer read, as a typed one would be.
            writeln!(out, "{answer}")?;
        }
        match Username::parse(&answer) {
            Ok(u) => break u,
            Err(e) => writeln!(out, "{e}")?,
        }
    };
    let password = loop {
        let typed = if terminal {
            let first = rpassword::prompt_password("Mật khẩu (ít nhất 8 ký tự): ")?;
            let second = rpassword::prompt_password("Nhập lại mật khẩu: ")?;
            if first != second {
                writeln!(out, "Hai lần nhập mật khẩu không khớp: hãy nhập lại.")?;
                continue;
            }
            first
        } else {
            write!(out, "Mật khẩu (ít nhất 8 ký tự): ")?;
            out.flush()?;
            let line = read_answer(input)?;
            // Not shown, as at a terminal.
            writeln!(out)?;
            line
        };
        match Password::parse(&typed) {
            Ok(p) => break p,
            Err(e) => writeln!(out, "{e}")?,
        }
    };
    Ok((username, password))
}

/// One answer: the next line without its end (`\n` or `\r\n`).
fn read_answer(input: &mut impl BufRead) -> Result<String, CliError> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Err(CliError::Usage(
            "Chưa tạo được tài khoản quản trị: không còn câu trả lời nào để đọc.".into(),
        ));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Open `url` in the default browser, without waiting for it.
fn open_browser(url: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    #[cfg(windows)]
    let mut command = {
        use std::os::windows::process::CommandExt;
        /// No console window for the helper process.
        const CREATE_NO_WINDOW: u32 = 0x0800_0000;
        let mut c = Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", url])
            .creation_flags(CREATE_NO_WINDOW);
        c
    };
    #[cfg(not(windows))]
    let mut command = {
        let mut c = Command::new("xdg-open");
        c.arg(url);
        c
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Reaped in the background (no zombie process on Unix).
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Resolves when the console window is closed (Windows); never elsewhere.
#[cfg(windows)]
fn window_closed() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    let mut close = tokio::signal::windows::ctrl_close()?;
    Ok(async move {
        close.recv().await;
        tracing::info!("cửa sổ đã đóng, đang dừng…");
    })
}

/// Resolves when the console window is closed (Windows); never elsewhere.
#[cfg(not(windows))]
fn window_closed() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(std::future::pending())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// One Tổ Số per data folder: while the first holds the lock, a second
    /// start finds it and the address it noted; once it stops, the next
    /// start is the first again (and a stale address is not offered).
    #[test]
    fn a_second_start_finds_the_running_one() {
        let dir = tempfile::tempdir().unwrap();
        let Claim::First(first) = claim(dir.path()).unwrap() else {
            panic!("nothing runs yet");
        };
        assert!(matches!(claim(dir.path()).unwrap(), Claim::Running(None)));
        first.note("http://127.0.0.1:8081/").unwrap();
        match claim(dir.path()).unwrap() {
            Claim::Running(Some(address)) => assert_eq!(address, "http://127.0.0.1:8081/"),
            _ => panic!("the running one's address"),
        }
        first.release();
        let Claim::First(again) = claim(dir.path()).unwrap() else {
            panic!("the first stopped");
        };
        // A run killed before it let go leaves its address: not offered.
        again.note("http://127.0.0.1:8082/").unwrap();
        drop(again);
        let Claim::First(next) = claim(dir.path()).unwrap() else {
            panic!("a killed run's lock is gone with it");
        };
        assert!(!dir.path().join(ADDRESS_FILE).exists());
        drop(next);
        // Only an address of this computer is opened.
        let _held = claim(dir.path()).unwrap();
        std::fs::write(dir.path().join(ADDRESS_FILE), "http://evil.example/").unwrap();
        assert!(matches!(claim(dir.path()).unwrap(), Claim::Running(None)));
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |key| map.get(key).cloned()
    }

    #[test]
    fn windows_data_folder_is_local_app_data_then_app_data_then_the_exe_folder() {
        let exe = Path::new(r"D:\Tools");
        let local = r"C:\Users\Lan\AppData\Local";
        let roaming = r"C:\Users\Lan\AppData\Roaming";
        assert_eq!(
            data_folder(
                true,
                env(&[("LOCALAPPDATA", local), ("APPDATA", roaming)]),
                Some(exe)
            ),
            Some(PathBuf::from(local).join("ToSo"))
        );
        assert_eq!(
            data_folder(
                true,
                env(&[("LOCALAPPDATA", ""), ("APPDATA", roaming)]),
                Some(exe)
            ),
            Some(PathBuf::from(roaming).join("ToSo"))
        );
        assert_eq!(
            data_folder(true, env(&[("HOME", "/home/lan")]), Some(exe)),
            Some(exe.to_path_buf())
        );
        assert_eq!(data_folder(true, env(&[]), None), None);
    }

    #[test]
    fn other_systems_use_the_xdg_data_home() {
        assert_eq!(
            data_folder(
                false,
                env(&[("XDG_DATA_HOME", "/data/lan"), ("HOME", "/home/lan")]),
                None
            ),
            Some(PathBuf::from("/data/lan/toso"))
        );
        // A relative XDG_DATA_HOME is ignored, as the specification says.
        assert_eq!(
            data_folder(
                false,
                env(&[("XDG_DATA_HOME", "data"), ("HOME", "/home/lan")]),
                None
            ),
            Some(PathBuf::from("/home/lan/.local/share/toso"))
        );
        assert_eq!(
            data_folder(
                false,
                env(&[("LOCALAPPDATA", "/x")]),
                Some(Path::new("/opt/toso"))
            ),
            Some(PathBuf::from("/opt/toso"))
        );
    }

    #[test]
    fn toso_data_dir_overrides_everything() {
        for windows in [true, false] {
            assert_eq!(
                data_folder(
                    windows,
                    env(&[
                        ("TOSO_DATA_DIR", "/srv/toso"),
                        ("LOCALAPPDATA", "/l"),
                        ("HOME", "/h")
                    ]),
                    None
                ),
                Some(PathBuf::from("/srv/toso"))
            );
        }
    }

    #[test]
    fn sqlite_urls_keep_the_path_as_it_is() {
        let url = |p: &str| sqlite_url(Path::new(p)).unwrap();
        assert_eq!(url("toso.db"), "sqlite://toso.db");
        assert_eq!(
            url("/home/lan/.local/share/toso/toso.db"),
            "sqlite:///home/lan/.local/share/toso/toso.db"
        );
        assert_eq!(
            url(r"C:\Users\Lan\AppData\Local\ToSo\toso.db"),
            r"sqlite://C:\Users\Lan\AppData\Local\ToSo\toso.db"
        );
        assert_eq!(url("/a/50%?#/t.db"), "sqlite:///a/50%25%3F%23/t.db");
    }

    #[test]
    fn sqlite_urls_read_back_to_the_same_file() {
        for path in [
            "/tmp/toso/toso.db",
            r"C:\Users\Nguyễn Văn An\AppData\Local\ToSo\toso.db",
            r"\\?\C:\Users\An\AppData\Local\ToSo\toso.db",
            "/tmp/100% sure?/x#1/toso.db",
            "relative dir/toso.db",
        ] {
            let url = sqlite_url(Path::new(path)).unwrap();
            assert_eq!(
                toso_store::backup::sqlite_path(&url).unwrap(),
                PathBuf::from(path),
                "{url}"
            );
        }
    }

    #[test]
    fn the_first_port_that_binds_is_taken() {
        let taken = [8080, 8081];
        let got = first_free(PORTS, |p| {
            if taken.contains(&p) {
                Err(p)
            } else {
                Ok(p * 2)
            }
        });
        assert_eq!(got, Ok((8082, 16164)));
        assert_eq!(first_free(PORTS, Err::<(), _>), Err(8099));
        assert_eq!(app_address(8082), "http://127.0.0.1:8082/");
    }

    #[test]
    fn a_port_in_use_is_skipped() {
        let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let busy_port = busy.local_addr().unwrap().port();
        // Port 0: any free port, standing in for "the next one".
        let (port, listener) = first_free([busy_port, 0], bind_local).unwrap();
        assert_eq!(port, 0);
        assert_ne!(listener.local_addr().unwrap().port(), busy_port);
    }

    #[test]
    fn answers_are_asked_again_until_valid() {
        let mut input = "ab\nquan.tri\n123\nngan\nmat-khau-2025\r\n".as_bytes();
        let mut out = Vec::new();
        let (username, password) = ask_first_admin(&mut input, &mut out, false).unwrap();
        assert_eq!(username.as_str(), "quan.tri");
        assert_eq!(password.expose(), "mat-khau-2025");
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("Tên đăng nhập (").count(), 2, "{out}");
        assert!(out.contains("): quan.tri\n"), "{out}");
        assert!(!out.contains("mat-khau-2025"), "{out}");
        assert_eq!(out.matches("Mật khẩu (").count(), 3, "{out}");
        assert!(out.contains("Mật khẩu cần ít nhất 8 ký tự."), "{out}");
    }

    #[test]
    fn running_out_of_answers_is_an_error() {
        let mut input = "quantri\n".as_bytes();
        let err = ask_first_admin(&mut input, &mut Vec::new(), false).unwrap_err();
        assert!(err.to_string().contains("không còn câu trả lời"), "{err}");
    }
}
