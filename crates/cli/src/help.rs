//! The command line in Vietnamese. clap writes its own words in English: the
//! help pages' headings ("Usage", "Options"), the help and version flags, the
//! "[possible values: …]" and "[default: …]" notes and every usage error
//! ("error: unexpected argument …"). [`localised`] gives each command a
//! Vietnamese help layout, flags and notes; [`parse`] says clap's refusals
//! in Vietnamese, naming the option and the value it could not take.
//! The commands' own descriptions are written in Vietnamese where they are
//! declared (main.rs and the subcommands' modules).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::net::AddrParseError;
use std::num::{IntErrorKind, ParseFloatError, ParseIntError};

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

/// The arguments of this run. Help and the version are printed on standard
/// output (exit 0); a refused command line, in Vietnamese, on standard error
/// (exit 2).
pub fn parse<T: CommandFactory + FromArgMatches>() -> T {
    parse_from(std::env::args_os()).unwrap_or_else(|e| {
        let text = message::<T>(&e);
        if e.use_stderr() {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
        std::process::exit(e.exit_code())
    })
}

/// [`parse`] of given arguments (the program's name first), for tests.
pub fn parse_from<T, I>(args: I) -> Result<T, clap::Error>
where
    T: CommandFactory + FromArgMatches,
    I: IntoIterator,
    I::Item: Into<OsString> + Clone,
{
    let matches = localised(T::command()).try_get_matches_from(args)?;
    T::from_arg_matches(&matches)
}

/// `cmd` and its subcommands with Vietnamese headings, flags and notes.
pub fn localised(cmd: Command) -> Command {
    let root = cmd.get_version().is_some();
    let page = template(&cmd);
    let mut cmd = cmd
        .help_template(page)
        .subcommand_value_name("LỆNH")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("In hướng dẫn này."),
        )
        .mut_args(noted)
        .mut_subcommands(localised);
    if root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("In số phiên bản."),
        );
    }
    cmd
}

/// The help page: what the command does, how to call it, then its
/// subcommands, arguments and options under Vietnamese headings.
fn template(cmd: &Command) -> String {
    let mut page = String::from("{about-with-newline}\nCách dùng: {usage}\n");
    if cmd.get_subcommands().any(|c| !c.is_hide_set()) {
        page.push_str("\nLệnh:\n{subcommands}\n");
    }
    if cmd.get_positionals().next().is_some() {
        page.push_str("\nTham số:\n{positionals}\n");
    }
    page.push_str("\nTùy chọn:\n{options}\n{after-help}");
    page
}

/// An argument whose values are listed, or which has a default, says so in
/// Vietnamese in its help (clap's own notes hidden).
fn noted(arg: Arg) -> Arg {
    if !arg.get_action().takes_values() {
        return arg;
    }
    let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !values.is_empty() {
        let _ = write!(help, " [một trong: {}]", values.join(", "));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() {
        let _ = write!(help, " [mặc định: {}]", defaults.join(", "));
    }
    arg.help(help.trim_start().to_string())
        .hide_possible_values(true)
        .hide_default_value(true)
}

/// What to print for clap's answer to the command line of `T`: the help
/// page or version as it is, a refusal in Vietnamese with the command's usage.
pub fn message<T: CommandFactory>(e: &clap::Error) -> String {
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | ErrorKind::DisplayVersion => own_words(&e.render().to_string()),
        _ => refusal(e, &hidden(&T::command())),
    }
}

/// The one English token left in clap's usage lines.
fn own_words(text: &str) -> String {
    text.replace("[OPTIONS]", "[TÙY_CHỌN]")
}

/// The commands of `cmd` left out of the help pages, at any depth: not
/// suggested either.
fn hidden(cmd: &Command) -> Vec<String> {
    cmd.get_subcommands()
        .flat_map(|sub| {
            let mut names = hidden(sub);
            if sub.is_hide_set() {
                names.push(sub.get_name().to_string());
            }
            names
        })
        .collect()
}

fn refusal(e: &clap::Error, hidden: &[String]) -> String {
    let one = |k| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    let arg = one(ContextKind::InvalidArg).unwrap_or_default();
    let value = one(ContextKind::InvalidValue).unwrap_or_default();
    let number = |k| match e.get(k) {
        Some(ContextValue::Number(n)) => *n,
        _ => 0,
    };
    let mut out = String::from("Lỗi: ");
    match e.kind() {
        ErrorKind::InvalidValue if value.is_empty() => {
            let _ = write!(out, "{arg} cần một giá trị.");
        }
        ErrorKind::InvalidValue => {
            let _ = write!(out, "«{value}» không phải giá trị hợp lệ của {arg}.");
            if let Some(valid) = one(ContextKind::ValidValue) {
                let _ = write!(out, "\n  Chọn một trong: {valid}.");
            }
        }
        ErrorKind::ValueValidation => {
            let _ = write!(out, "«{value}» không phải giá trị hợp lệ của {arg}");
            match std::error::Error::source(e) {
                Some(why) => {
                    let _ = write!(out, ": {}.", reason(why));
                }
                None => out.push('.'),
            }
        }
        ErrorKind::UnknownArgument => {
            let _ = write!(out, "lệnh không nhận «{arg}».");
        }
        ErrorKind::InvalidSubcommand => {
            let sub = one(ContextKind::InvalidSubcommand).unwrap_or_default();
            let _ = write!(out, "không có lệnh «{sub}».");
        }
        ErrorKind::MissingRequiredArgument => {
            let _ = write!(out, "thiếu {arg}.");
        }
        ErrorKind::MissingSubcommand => {
            out.push_str("thiếu lệnh.");
            if let Some(valid) = one(ContextKind::ValidSubcommand) {
                let _ = write!(out, "\n  Chọn một trong: {valid}.");
            }
        }
        ErrorKind::ArgumentConflict => match one(ContextKind::PriorArg) {
            Some(prior) if prior != arg => {
                let _ = write!(out, "{arg} không dùng cùng {prior}.");
            }
            _ => {
                let _ = write!(out, "{arg} chỉ được dùng một lần.");
            }
        },
        ErrorKind::TooManyValues => {
            let _ = write!(out, "«{value}» là giá trị thừa: {arg} không nhận thêm.");
        }
        ErrorKind::TooFewValues => {
            let _ = write!(
                out,
                "{arg} cần ít nhất {} giá trị, mới có {}.",
                number(ContextKind::MinValues),
                number(ContextKind::ActualNumValues)
            );
        }
        ErrorKind::WrongNumberOfValues => {
            let _ = write!(
                out,
                "{arg} cần {} giá trị, mới có {}.",
                number(ContextKind::ExpectedNumValues),
                number(ContextKind::ActualNumValues)
            );
        }
        ErrorKind::NoEquals => {
            let _ = write!(out, "{arg} cần dấu bằng: {arg}=GIÁ_TRỊ.");
        }
        ErrorKind::InvalidUtf8 => out.push_str("một tham số không phải văn bản UTF-8 hợp lệ."),
        _ => {
            let _ = write!(out, "không đọc được dòng lệnh ({}).", e.kind());
        }
    }
    let suggested: Vec<&String> = [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .filter_map(|k| match e.get(k) {
        Some(ContextValue::String(s)) => Some(vec![s]),
        Some(ContextValue::Strings(v)) => Some(v.iter().collect()),
        _ => None,
    })
    .flatten()
    .filter(|s| !hidden.contains(s))
    .collect();
    if !suggested.is_empty() {
        let names: Vec<&str> = suggested.iter().map(|s| s.as_str()).collect();
        let _ = write!(out, "\n  Có phải là: {}?", names.join(" hoặc "));
    }
    if let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) {
        let usage = usage.to_string();
        let usage = usage.trim_start_matches("Usage:").trim();
        let _ = write!(out, "\n\nCách dùng: {}", own_words(usage));
    }
    out.push_str("\n\nXem hướng dẫn: thêm --help vào lệnh.\n");
    out
}

/// Why a value could not be read, for the value parsers clap uses here
/// (numbers, addresses); any other parser's own words.
fn reason(why: &(dyn std::error::Error + 'static)) -> String {
    if let Some(e) = why.downcast_ref::<ParseIntError>() {
        return match e.kind() {
            IntErrorKind::Empty => "cần một số, ô này trống".into(),
            IntErrorKind::PosOverflow => "số quá lớn".into(),
            IntErrorKind::NegOverflow => "số quá nhỏ".into(),
            _ => "cần một số nguyên (chỉ gồm chữ số)".into(),
        };
    }
    if why.downcast_ref::<ParseFloatError>().is_some() {
        return "cần một số (dấu chấm thập phân, ví dụ 2.5)".into();
    }
    if why.downcast_ref::<AddrParseError>().is_some() {
        return "cần địa chỉ IP và cổng, ví dụ 127.0.0.1:8080".into();
    }
    why.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cli;

    /// Every help page of every command, as `toso … --help` prints it.
    fn pages(cmd: &mut Command, path: &mut Vec<String>, out: &mut Vec<(String, String)>) {
        let mut args = vec!["toso".to_string()];
        args.extend(path.iter().cloned());
        args.push("--help".into());
        let e = parse_from::<Cli, _>(&args).err().expect("--help answers");
        assert_eq!(e.kind(), ErrorKind::DisplayHelp, "{args:?}");
        out.push((args.join(" "), message::<Cli>(&e)));
        for sub in cmd.get_subcommands_mut() {
            path.push(sub.get_name().to_string());
            pages(sub, path, out);
            path.pop();
        }
    }

    #[test]
    fn every_help_page_is_in_vietnamese() {
        let mut cmd = localised(Cli::command());
        let mut all = Vec::new();
        pages(&mut cmd, &mut Vec::new(), &mut all);
        assert!(all.len() > 20, "{} pages", all.len());
        let english = [
            "Usage",
            "Options",
            "Arguments",
            "Commands",
            "Print help",
            "Print version",
            "possible values",
            "default:",
            "[OPTIONS]",
            "<COMMAND>",
        ];
        for (call, page) in &all {
            for word in english {
                assert!(!page.contains(word), "`{call}` says «{word}»:\n{page}");
            }
            assert!(page.contains("Cách dùng: toso"), "`{call}`:\n{page}");
            assert!(page.contains("Tùy chọn:\n"), "`{call}`:\n{page}");
            assert!(page.contains("-h, --help"), "`{call}`:\n{page}");
        }
        let import = &all
            .iter()
            .find(|(c, _)| c == "toso import --help")
            .unwrap()
            .1;
        assert!(import.contains("Tham số:\n"), "{import}");
        assert!(
            import.contains("[một trong: villages, teams, members, documents, duty_days]"),
            "{import}"
        );
        assert!(import.contains("[mặc định: 50]"), "{import}");
        let top = &all.iter().find(|(c, _)| c == "toso --help").unwrap().1;
        assert!(top.contains("Lệnh:\n"), "{top}");
        assert!(top.contains("-V, --version"), "{top}");
        assert!(
            !top.contains("sample-roster"),
            "hidden command listed:\n{top}"
        );
    }

    fn refused(args: &[&str]) -> String {
        let mut all = vec!["toso"];
        all.extend(args);
        let e = parse_from::<Cli, _>(&all).err().expect("refused");
        assert!(e.use_stderr(), "{args:?} is an error");
        assert_eq!(e.exit_code(), 2, "{args:?}");
        message::<Cli>(&e)
    }

    #[test]
    fn refusals_name_the_option_and_value_in_vietnamese() {
        let cases: &[(&[&str], &[&str])] = &[
            (
                &["import", "thon", "a.xlsx", "--commune", "11914"],
                &[
                    "«thon» không phải giá trị hợp lệ của <LOẠI>",
                    "Chọn một trong: villages",
                ],
            ),
            (
                &["import", "villages", "a.xlsx", "--commune", "11914x"],
                &[
                    "«11914x» không phải giá trị hợp lệ của --commune <MÃ_XÃ>",
                    "cần một số nguyên",
                ],
            ),
            (
                &["serve", "--bind", "localhost"],
                &[
                    "«localhost» không phải giá trị hợp lệ của --bind",
                    "127.0.0.1:8080",
                ],
            ),
            (
                &["import", "villages", "a.xlsx"],
                &[
                    "thiếu --commune <MÃ_XÃ>",
                    "Cách dùng: toso import --commune <MÃ_XÃ>",
                ],
            ),
            (
                &["import", "villages", "a.xlsx", "--commune", "1", "--dry-rn"],
                &["lệnh không nhận «--dry-rn»", "Có phải là: --dry-run?"],
            ),
            (
                &["improt"],
                &["không có lệnh «improt»", "Có phải là: import?"],
            ),
            (
                &["import", "villages", "a", "b", "--commune", "1"],
                &["lệnh không nhận «b»"],
            ),
            (
                &["backup", "--out", "a.db", "--keep", "3"],
                &["--out <TỆP> không dùng cùng --keep <SỐ_BẢN>"],
            ),
            (
                &["indicators", "--as-of"],
                &["--as-of <NGÀY> cần một giá trị"],
            ),
        ];
        for (args, says) in cases {
            let text = refused(args);
            assert!(text.starts_with("Lỗi: "), "{args:?}:\n{text}");
            for s in *says {
                assert!(text.contains(s), "{args:?} should say «{s}»:\n{text}");
            }
            for word in ["error", "Usage", "[OPTIONS]", "For more information"] {
                assert!(!text.contains(word), "{args:?} says «{word}»:\n{text}");
            }
        }
    }

    #[test]
    fn a_command_line_that_is_right_parses_as_before() {
        let cli: Cli = parse_from([
            "toso",
            "import",
            "members",
            "roster.xlsx",
            "--commune",
            "11914",
            "--dry-run",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            crate::Command::Import {
                commune: 11914,
                dry_run: true,
                max_size_mb: 50,
                ..
            }
        ));
    }
}
