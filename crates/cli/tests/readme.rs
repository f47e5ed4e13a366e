//! README.md against the binary: every `toso …` command the README shows (in
//! its code blocks and its inline code) names subcommands that exist, a list
//! kind after `import`, `export` or `template` is one the binary accepts, and
//! each `--option` it shows is one that command has. A command or option
//! renamed or removed in the code, or a typo in the README, fails here.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// One command as the README shows it: the words after `toso` (subcommands,
/// then perhaps a list kind) and the options given to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Shown {
    words: Vec<String>,
    options: Vec<String>,
}

/// The README's code: the lines of its fenced blocks and its inline code spans.
fn code_snippets(readme: &str) -> Vec<String> {
    let mut snippets = Vec::new();
    let mut fenced = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            snippets.push(line.to_string());
        } else {
            // Inline spans: the text between the odd and the even backticks.
            snippets.extend(line.split('`').skip(1).step_by(2).map(str::to_string));
        }
    }
    snippets
}

/// A word of a command: lowercase letters and hyphens (`bench`, `members`),
/// not a value such as `ds.xlsx`, `FILE` or `11914`.
fn is_word(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_lowercase())
        && token.chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

/// The option a token names, if it names one: `--dry-run`, `[--json]` and
/// `--format=csv` give `--dry-run`, `--json` and `--format`.
fn option(token: &str) -> Option<String> {
    let name = token.trim_start_matches('[').strip_prefix("--")?;
    let name: String = name
        .chars()
        .take_while(|c| c.is_ascii_lowercase() || *c == '-')
        .collect();
    (!name.is_empty()).then(|| format!("--{name}"))
}

/// Every `toso` command in the snippets: the words after `toso` up to the
/// first other token, and the options up to the end of the command (a `#`
/// comment, the next `toso`, or a lone `--` after which the options are not
/// toso's, as in `cargo run --bin toso -- serve`). `toso` alone has no words.
fn commands(snippets: &[String]) -> BTreeSet<Shown> {
    let mut found = BTreeSet::new();
    for snippet in snippets {
        let tokens: Vec<&str> = snippet.split_whitespace().collect();
        for (i, t) in tokens.iter().enumerate() {
            if *t != "toso" {
                continue;
            }
            let rest: Vec<&str> = tokens[i + 1..]
                .iter()
                .copied()
                .take_while(|t| !matches!(*t, "toso" | "#" | "--"))
                .collect();
            let words = rest
                .iter()
                .take_while(|t| is_word(t))
                .map(|w| w.to_string())
                .collect();
            let options = rest.iter().filter_map(|t| option(t)).collect();
            found.insert(Shown { words, options });
        }
    }
    found
}

/// `toso ARGS --help`: its text, or None when the binary refuses it.
fn help(args: &[String]) -> Option<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_toso"))
        .args(args)
        .arg("--help")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run toso");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The values a positional argument accepts, from clap's
/// "[một trong: a, b, c]" in a help text (src/help.rs).
fn possible_values(help: &str) -> Vec<String> {
    help.split("[một trong: ")
        .skip(1)
        .filter_map(|rest| rest.split(']').next())
        .flat_map(|list| list.split(", ").map(str::to_string))
        .collect()
}

/// Whether a help text lists `flag` as an option (`--as-of` is not found in
/// `--as-of-date`).
fn has_option(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(at, _)| {
        let before = help[..at].chars().next_back();
        let after = help[at + flag.len()..].chars().next();
        before.is_none_or(|c| c.is_whitespace() || c == ',' || c == '[')
            && after.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-'))
    })
}

/// What is wrong with one README command, if anything: each word is a
/// subcommand while its parent has subcommands; after a command without
/// subcommands, the next word must be one of the values it accepts; every
/// option is one the command has.
fn check(shown: &Shown) -> Result<(), String> {
    let mut printed = format!("toso {}", shown.words.join(" "));
    for o in &shown.options {
        printed = format!("{printed} {o}");
    }
    let mut path: Vec<String> = Vec::new();
    let mut text = help(&path).ok_or("`toso --help` fails")?;
    for word in &shown.words {
        if text.contains("\nLệnh:\n") {
            path.push(word.clone());
            text = help(&path)
                .ok_or_else(|| format!("`{printed}`: `toso {}` is no command", path.join(" ")))?;
        } else {
            let values = possible_values(&text);
            if !values.contains(word) {
                return Err(format!(
                    "`{printed}`: `toso {}` takes no «{word}» (it accepts {values:?})",
                    path.join(" ")
                ));
            }
            break;
        }
    }
    match shown.options.iter().find(|o| !has_option(&text, o)) {
        Some(o) => Err(format!(
            "`{printed}`: `toso {}` has no option {o}",
            path.join(" ")
        )),
        None => Ok(()),
    }
}

fn shown(words: &[&str], options: &[&str]) -> Shown {
    Shown {
        words: words.iter().map(|w| w.to_string()).collect(),
        options: options.iter().map(|o| o.to_string()).collect(),
    }
}

#[test]
fn every_toso_command_in_the_readme_exists() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("README.md");
    let found = commands(&code_snippets(&readme));
    // The README shows far more than this; far fewer means the extraction broke.
    assert!(
        found.len() >= 15,
        "only {} commands found: {found:?}",
        found.len()
    );
    let words: BTreeSet<&[String]> = found.iter().map(|s| &s.words[..]).collect();
    for expected in [
        &["serve"][..],
        &["bench", "pages"],
        &["import", "members"],
        &["user", "add"],
    ] {
        let expected: Vec<String> = expected.iter().map(|w| w.to_string()).collect();
        assert!(
            words.contains(&expected[..]),
            "{expected:?} not found in {found:?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|s| s.options.contains(&"--dry-run".into())),
        "no option found: {found:?}"
    );
    let wrong: Vec<String> = found.iter().filter_map(|c| check(c).err()).collect();
    assert!(
        wrong.is_empty(),
        "README.md shows commands the binary does not have:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_refuses_commands_that_do_not_exist() {
    let readme = "Run `toso frobnicate --now`, then:\n\n```sh\n\
                  toso bench nothing   # no such benchmark\n\
                  toso export people --commune 1\n\
                  toso backup --out FILE / toso restore FILE [--force] # --not-an-option\n\
                  toso import members ds.xlsx --commune 1 --dry-runs\n\
                  cargo run --bin toso -- serve --demo\n\
                  ```\nor `sqlite:///var/lib/toso/toso.db`.\n";
    let found = commands(&code_snippets(readme));
    assert_eq!(
        found,
        BTreeSet::from([
            shown(&[], &[]),
            shown(&["backup"], &["--out"]),
            shown(&["bench", "nothing"], &[]),
            shown(&["export", "people"], &["--commune"]),
            shown(&["frobnicate"], &["--now"]),
            shown(&["import", "members"], &["--commune", "--dry-runs"]),
            shown(&["restore"], &["--force"]),
        ])
    );
    let refusal = |s: Shown| check(&s).unwrap_err();
    assert!(refusal(shown(&["frobnicate"], &[])).contains("`toso frobnicate` is no command"));
    assert!(
        refusal(shown(&["bench", "nothing"], &[])).contains("`toso bench nothing` is no command")
    );
    assert!(refusal(shown(&["export", "people"], &[])).contains("takes no «people»"));
    assert!(
        refusal(shown(&["import", "members"], &["--commune", "--dry-runs"]))
            .contains("`toso import` has no option --dry-runs")
    );
    assert!(refusal(shown(&["backup"], &["--force"])).contains("has no option --force"));
    assert_eq!(
        check(&shown(&["import", "members"], &["--commune", "--dry-run"])),
        Ok(())
    );
    assert_eq!(check(&shown(&["restore"], &["--force"])), Ok(()));
    assert_eq!(check(&shown(&["bench", "pages"], &["--user"])), Ok(()));
    assert_eq!(check(&shown(&[], &[])), Ok(()));
}
