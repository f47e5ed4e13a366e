//! A corpus of hostile and malformed input sent through the real HTTP server
//! to every form, query parameter, JSON endpoint and the import upload: no
//! answer is a 5xx, a refusal is a 4xx that writes nothing, and text typed by
//! a user is always shown back escaped.

use chrono::{Duration, NaiveDate};
use toso_domain::{Name, Node, VillageKind, DESCRIPTION_MAX, PREFERRED_TIME_MAX, REASON_MAX};
use toso_store::{Actor, DocumentFilter, NewVillage};
use toso_testkit::{both_backends, Backend, TestApp};

both_backends!(
    hostile_input_is_refused_or_escaped,
    citizens_forms_refuse_hostile_input,
    api_writes_refuse_hostile_json
);

const C: &str = "/communes/11914";
const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const MARKS: [&str; 2] = [SCRIPT, "onerror=alert(1)>"];

/// One mutation of a field.
#[derive(Clone, Debug)]
enum V {
    /// A value, URL-encoded on the wire.
    S(String),
    /// Already encoded (invalid UTF-8 percent-escapes and the like).
    Raw(&'static str),
    /// The field is left out.
    Drop,
    /// The field is sent twice.
    Twice(String, String),
}

/// A value and whether the server must refuse it.
type Hostile = (V, bool);

fn s(v: impl Into<String>) -> V {
    V::S(v.into())
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Who {
    Officer,
    Member,
    /// The demo province's officer (the province's pages).
    Province,
}

#[derive(Debug)]
struct Case {
    label: String,
    who: Who,
    get: bool,
    path: String,
    body: String,
    refuse: bool,
}

/// Text for a free-text field: what must be refused depends on whether the
/// field is required and how long it may be.
fn text(required: bool, max: usize) -> Vec<Hostile> {
    let long = "Nguyễn Văn Thử ".repeat(700);
    let long: String = long.chars().take(10_000).collect();
    let mut v: Vec<Hostile> = vec![
        (s(""), required),
        (s("   "), required),
        (s("\t\r\n"), required),
        (s("\u{feff}\u{200b}"), required),
        (s("\0"), required),
        (s(long), max < 10_000),
        (s("Tên\0ẩn\u{1}\u{7}\u{1b}[31m\u{7f}"), false),
        (V::Raw("%FF"), false),
        (V::Raw("T%C3%AAn%FF%FE%C3%28"), false),
        (V::Raw("%ED%A0%80"), false),
        (V::Raw("%"), false),
        (V::Raw("%zz%"), false),
        (s("😀🇻🇳👨‍👩‍👧 số"), false),
        (s("\u{202e}gnp.exe"), false),
        (s(format!("a{}", "\u{301}".repeat(3000))), false),
        (s(SCRIPT), false),
        (s(IMG), false),
        (s("'; DROP TABLE villages; --"), false),
        (s("\" OR 1=1 --"), false),
        (s("{"), false),
        (s("}}"), false),
        (s("{members"), false),
        (s("{{}}"), false),
        (s("{{ 7*7 }}"), false),
        (s("../../etc/passwd"), false),
        (s("&amp;&lt;b&gt;"), false),
        (V::Twice(SCRIPT.into(), "Bình thường".into()), false),
        (V::Drop, required),
    ];
    // A long but valid value, at the limit.
    if max < 10_000 {
        v.push((s("Ấ".repeat(max)), false));
        v.push((s("Ấ".repeat(max + 1)), true));
    }
    v
}

/// A few text values, for the second text fields of a form.
fn some_text(required: bool) -> Vec<Hostile> {
    vec![
        (s(""), required),
        (s("\0"), required),
        (s("a\0b"), false),
        (s(SCRIPT), false),
        (s(IMG), false),
        (V::Raw("%FF%FE"), false),
        (s("x".repeat(10_000)), true),
        (s("{members}}"), false),
        (s("\u{202e}ab"), false),
    ]
}

/// Whole numbers of people (at least 0).
fn counts(required: bool) -> Vec<Hostile> {
    vec![
        (s("-1"), true),
        (s("1e9"), true),
        (s("99999999999999999999"), true),
        (s("2147483648"), true),
        (s("NaN"), true),
        (s("0x10"), true),
        (s("1.5"), true),
        (s("١٢"), true),
        (s(SCRIPT), true),
        (V::Raw("%FF"), true),
        (s(""), required),
        (s(" 7 "), false),
        (s("0"), false),
        (V::Twice("1".into(), "-5".into()), true),
    ]
}

fn tomorrow() -> String {
    toso_domain::format_date(toso_store::today() + Duration::days(1))
}

/// Dates: the impossible ones must be refused; far ones may be refused.
fn dates(required: bool) -> Vec<Hostile> {
    vec![
        (s("31/02/2025"), true),
        (s("00/00/0000"), true),
        (s("2025-13-01"), true),
        (s("2025-02-30"), true),
        (s("99/99/9999"), true),
        (s("+275760-09-13"), true),
        (s("01/01/2025 extra"), true),
        (s(SCRIPT), true),
        (V::Raw("%FF"), true),
        (s("\0"), required),
        (s("9999-12-31"), false),
        (s("01/01/1800"), false),
        (s("01/01/0001"), false),
        (s(tomorrow()), false),
        (s(""), required),
    ]
}

/// Enumerated codes that do not exist.
fn codes() -> Vec<Hostile> {
    vec![
        (s("khong_co"), true),
        (s(""), true),
        (s("THON"), false),
        (s(SCRIPT), true),
        (s("'; DROP TABLE teams; --"), true),
        (V::Raw("%FF"), true),
        (V::Drop, true),
    ]
}

/// Record ids: not numbers, not existing, or of another commune.
fn ids(required: bool, elsewhere: i64) -> Vec<Hostile> {
    vec![
        (s("abc"), true),
        (s("-1"), true),
        (s("0"), true),
        (s("99999999999999999999"), true),
        (s("9999999"), true),
        (s("1.5"), true),
        (s(SCRIPT), true),
        (s(elsewhere.to_string()), true),
        (s(""), required),
    ]
}

/// The client id of a logged activity (issue 21): 8 to 64 characters of
/// letters, digits, `-` and `_`; left out, the form works as before.
fn client_ids() -> Vec<Hostile> {
    vec![
        (s(""), true),
        (s("short"), true),
        (s("z".repeat(65)), true),
        (s("z".repeat(10_000)), true),
        (s("abc def gh"), true),
        (s(" abcdefgh"), true),
        (s("mã-lượt-ghi-1"), true),
        (s("../../etc/passwd"), true),
        (s("'; DROP TABLE support_activities; --"), true),
        (s(SCRIPT), true),
        (s(IMG), true),
        (s("\0\0\0\0\0\0\0\0"), true),
        (V::Raw("%FF%FE%FD%FC%FB%FA%F9%F8"), true),
        (V::Drop, false),
        (s("hostile-client-id-ok-1"), false),
        (s("Z".repeat(64)), false),
    ]
}

/// Path segments standing for a record id.
const BAD_IDS: [&str; 6] = ["abc", "-1", "0", "99999999999999999999", "9999999", "%FF"];

fn enc(k: &str, v: &str) -> String {
    serde_urlencoded::to_string([(k, v)]).unwrap()
}

fn encv(v: &str) -> String {
    enc("x", v)[2..].to_string()
}

/// The body of `base` with `field` mutated by `v` (`#` in a base value is
/// replaced by `n`, so that names stay unique between cases).
fn body(base: &[(&str, String)], field: &str, v: &V, n: usize) -> String {
    let mut parts = Vec::new();
    let mutate = |parts: &mut Vec<String>| match v {
        V::S(x) => parts.push(enc(field, x)),
        V::Raw(r) => parts.push(format!("{}={r}", encv(field))),
        V::Drop => {}
        V::Twice(a, b) => {
            parts.push(enc(field, a));
            parts.push(enc(field, b));
        }
    };
    let mut seen = false;
    for (k, bv) in base {
        if *k == field {
            seen = true;
            mutate(&mut parts);
        } else {
            parts.push(enc(k, &bv.replace('#', &n.to_string())));
        }
    }
    if !seen {
        mutate(&mut parts);
    }
    parts.join("&")
}

struct Corpus {
    cases: Vec<Case>,
}

impl Corpus {
    fn form(
        &mut self,
        who: Who,
        path: &str,
        base: &[(&str, String)],
        field: &str,
        values: &[Hostile],
    ) {
        for (v, refuse) in values {
            let n = self.cases.len();
            self.cases.push(Case {
                label: format!("POST {path} {field}={v:?}")
                    .chars()
                    .take(160)
                    .collect(),
                who,
                get: false,
                path: path.to_string(),
                body: body(base, field, v, n),
                refuse: *refuse,
            });
        }
    }

    fn query(&mut self, path: &str, key: &str, values: &[Hostile]) {
        self.query_as(Who::Officer, path, key, values);
    }

    fn query_as(&mut self, who: Who, path: &str, key: &str, values: &[Hostile]) {
        for (v, refuse) in values {
            let q = match v {
                V::S(x) => format!("{key}={}", encv(x)),
                V::Raw(r) => format!("{key}={r}"),
                V::Drop => String::new(),
                V::Twice(a, b) => format!("{key}={}&{key}={}", encv(a), encv(b)),
            };
            let sep = if path.contains('?') { '&' } else { '?' };
            self.get_as(who, &format!("{path}{sep}{q}"), *refuse);
        }
    }

    fn get(&mut self, path: &str, refuse: bool) {
        self.get_as(Who::Officer, path, refuse);
    }

    fn get_as(&mut self, who: Who, path: &str, refuse: bool) {
        self.cases.push(Case {
            label: format!("GET {path} as {who:?}").chars().take(160).collect(),
            who,
            get: true,
            path: path.to_string(),
            body: String::new(),
            refuse,
        });
    }

    fn raw(&mut self, who: Who, path: &str, body: &str, refuse: bool) {
        self.cases.push(Case {
            label: format!("POST {path} raw {body}")
                .chars()
                .take(160)
                .collect(),
            who,
            get: false,
            path: path.to_string(),
            body: body.to_string(),
            refuse,
        });
    }
}

/// What must not change when a write is refused, looked at in two ways.
///
/// The quick look, after every refused write: the commune's last audit
/// entry (every write adds one, in its own transaction), its villages and
/// teams as shown, and the counts of its records. The whole fingerprint
/// adds every figure of the commune and, over its support activities of
/// any date, how many there are and the people they helped; taken again at
/// the end of each run of refused writes to one address, it catches a
/// refused write that changed the data without an audit entry. (Taken
/// after every write, the whole fingerprint was four fifths of the
/// corpus's time, the figures more than half of that; the activities are
/// summed by one grouped query, not read row by row.)
struct Watch {
    quick: String,
    whole: String,
    /// The address of the refused writes since `whole` was taken.
    run: Option<String>,
    /// What the looks cost, printed at the end of a test.
    cost: Cost,
}

/// How many looks of each kind a test took (every one, the first included)
/// and their time, with the writes they followed (shown with `--nocapture`:
/// where the corpus's time goes).
#[derive(Default, Debug)]
struct Cost {
    quick: (u32, std::time::Duration),
    whole: (u32, std::time::Duration),
    /// Writes accepted, and refused.
    accepted: u32,
    refused: u32,
    /// Runs of refused writes to one address.
    runs: u32,
}

impl Watch {
    async fn new(app: &TestApp) -> Self {
        let mut watch = Watch {
            quick: String::new(),
            whole: String::new(),
            run: None,
            cost: Cost::default(),
        };
        let quick = watch.quick(app).await;
        watch.whole = watch.whole(app, &quick).await;
        watch.quick = quick;
        watch
    }

    /// The whole fingerprint now, against the one last taken (after the
    /// uploads, which may only be refused or dry runs).
    async fn unchanged(&mut self, app: &TestApp) -> bool {
        let quick = self.quick(app).await;
        self.whole(app, &quick).await == self.whole
    }

    async fn quick(&mut self, app: &TestApp) -> String {
        let t = std::time::Instant::now();
        let quick = quick_look(app).await;
        self.cost.quick.0 += 1;
        self.cost.quick.1 += t.elapsed();
        quick
    }

    async fn whole(&mut self, app: &TestApp, quick: &str) -> String {
        let t = std::time::Instant::now();
        let whole = whole_fingerprint(app, quick).await;
        self.cost.whole.0 += 1;
        self.cost.whole.1 += t.elapsed();
        whole
    }

    /// Before a write to `place`: the run of refused writes to another
    /// address ends, and is checked. `None`: a write that may be accepted,
    /// so any run ends before it.
    async fn before(&mut self, app: &TestApp, place: Option<&str>) -> Option<String> {
        if self.run.is_some() && self.run.as_deref() != place {
            return self.settle(app).await;
        }
        None
    }

    /// After a write (`label`) to `place`, refused or not.
    async fn after(
        &mut self,
        app: &TestApp,
        place: &str,
        label: &str,
        refused: bool,
    ) -> Option<String> {
        let quick = self.quick(app).await;
        if !refused {
            self.cost.accepted += 1;
            self.whole = self.whole(app, &quick).await;
            self.quick = quick;
            self.run = None;
            return None;
        }
        self.cost.refused += 1;
        if self.run.is_none() {
            self.cost.runs += 1;
        }
        self.run = Some(place.to_string());
        let changed = quick != self.quick;
        self.quick = quick;
        changed.then(|| format!("{label}: refused yet the data changed"))
    }

    /// The run of refused writes ends: the whole fingerprint is as it was.
    async fn settle(&mut self, app: &TestApp) -> Option<String> {
        let place = self.run.take()?;
        let quick = self.quick(app).await;
        let whole = self.whole(app, &quick).await;
        let changed = whole != self.whole;
        self.whole = whole;
        changed.then(|| {
            format!("refused writes to {place} changed the figures or the activities without an audit entry")
        })
    }
}

async fn quick_look(app: &TestApp) -> String {
    let st = &app.db.store;
    let villages: Vec<String> = st
        .villages(11914, None)
        .await
        .unwrap()
        .iter()
        .map(|v| format!("{}:{}:{:?}", v.name, v.active_from, v.active_until))
        .collect();
    let teams: Vec<String> = st
        .teams(11914)
        .await
        .unwrap()
        .iter()
        .map(|t| format!("{}:{}:{:?}", t.name, t.established_on, t.zalo_link))
        .collect();
    format!(
        "{villages:?}|{teams:?}|d{}|r{}|q{}|c{}|k{}|u{}|audit{:?}",
        st.documents(11914, &DocumentFilter::default())
            .await
            .unwrap()
            .len(),
        st.reports_of(11914).await.unwrap().len(),
        st.requests_for_commune(11914).await.unwrap().len(),
        st.courses(11914).await.unwrap().len(),
        st.campaigns(11914).await.unwrap().len(),
        st.users_of_commune(11914).await.unwrap().len(),
        st.recent_changes(11914, 1)
            .await
            .unwrap()
            .first()
            .map(|e| e.id),
    )
}

/// The quick look (`quick`, just taken) with every figure and the count of
/// activities.
async fn whole_fingerprint(app: &TestApp, quick: &str) -> String {
    let st = &app.db.store;
    let indicators = serde_json::to_string(
        &st.indicators(Node::Commune(11914), toso_store::today())
            .await
            .unwrap(),
    )
    .unwrap();
    // Every support activity of the commune, whatever its date: how many,
    // and the people they helped (one grouped query, not the rows).
    let (_, activities, helped) = st
        .raw_activity_totals(
            Some(Node::Commune(11914)),
            None,
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
        )
        .await
        .unwrap();
    format!("{quick}|{indicators}|a{activities}|h{helped}")
}

/// The status and page are acceptable; returns the page.
fn judge(who: &Sessions, label: &str, status: u16, html: bool, page: &str, refuse: bool) {
    let mut failures = who.failures.lock().unwrap();
    macro_rules! check {
        ($cond:expr, $($arg:tt)*) => {
            if !$cond {
                failures.push(format!($($arg)*));
            }
        };
    }
    let excerpt: String = page
        .split("<main")
        .nth(1)
        .unwrap_or(page)
        .chars()
        .take(600)
        .collect();
    check!(status < 500, "{label}: answered {status}: {excerpt}");
    if refuse {
        check!(
            (400..500).contains(&status),
            "{label}: should be refused, answered {status}: {excerpt}"
        );
    }
    if html {
        for mark in MARKS {
            check!(
                !page.contains(mark),
                "{label}: unescaped markup in the page ({status})"
            );
        }
    }
    if status == 422 && html {
        check!(
            page.contains("aria-invalid=\"true\"")
                || page.contains("class=\"form-errors\"")
                || page.contains("class=\"error-text\"")
                || page.contains("Dữ liệu chưa hợp lệ")
                || page.contains("chưa ghi gì")
                || page.contains("Chưa lưu được"),
            "{label}: a refusal without a Vietnamese message: {excerpt}"
        );
    }
}

struct Sessions {
    token: String,
    officer: String,
    member: String,
    province: String,
    failures: std::sync::Mutex<Vec<String>>,
}

async fn run(app: &TestApp, who: &Sessions, case: &Case) -> (u16, Option<String>, bool, String) {
    let session = match case.who {
        Who::Officer => &who.officer,
        Who::Member => &who.member,
        Who::Province => &who.province,
    };
    let cookie = format!("toso_csrf={}; toso_session={session}", who.token);
    let request = if case.get {
        app.client.get(app.url(&case.path))
    } else {
        let body = if case.body.is_empty() {
            format!("csrf={}", who.token)
        } else {
            format!("{}&csrf={}", case.body, who.token)
        };
        app.client
            .post(app.url(&case.path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let res = match request.header("cookie", cookie).send().await {
        Ok(res) => res,
        Err(e) => panic!(
            "{}: no answer: {}",
            case.label,
            e.to_string().chars().take(200).collect::<String>()
        ),
    };
    read(res).await
}

async fn read(res: reqwest::Response) -> (u16, Option<String>, bool, String) {
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let html = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let bytes = res.bytes().await.unwrap_or_default();
    (
        status,
        location,
        html,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// After an accepted write, the page it leads to shows the input escaped.
async fn follow(app: &TestApp, who: &Sessions, label: &str, location: Option<String>) {
    let Some(location) = location.filter(|l| l.starts_with('/') && !l.starts_with("/login")) else {
        return;
    };
    let case = Case {
        label: format!("{label} → GET {location}"),
        who: Who::Officer,
        get: true,
        path: location,
        body: String::new(),
        refuse: false,
    };
    let (status, _, html, page) = run(app, who, &case).await;
    judge(who, &case.label, status, html, &page, false);
}

fn pairs(list: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    list.iter().map(|(k, v)| (leak(k), v.to_string())).collect()
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

async fn hostile_input_is_refused_or_escaped(backend: Backend) {
    let started = std::time::Instant::now();
    let app = TestApp::demo_as(backend, "canboxa").await;
    let member_session = app.session_for("thanhvien").await;
    let province_session = app.session_for("sokhcn").await;
    let (token, _) = app.csrf().await;
    let who = Sessions {
        token,
        officer: app.session.clone().unwrap(),
        member: member_session,
        province: province_session,
        failures: Default::default(),
    };
    let st = app.db.store.clone();
    let today = toso_store::today();

    // Records to aim at, and one of another commune.
    let users = st.users_of_commune(11914).await.unwrap();
    let member_user = users.iter().find(|u| u.username == "thanhvien").unwrap();
    let leader = users.iter().find(|u| u.username == "totruong").unwrap();
    let own_team = member_user.team_id.unwrap();
    let teams = st.teams(11914).await.unwrap();
    let other_team = teams.iter().find(|t| t.id != own_team).unwrap().id;
    let village = st.villages(11914, None).await.unwrap()[0].clone();
    let members = st.team_members(own_team, None).await.unwrap();
    let member = members[0].membership.id;
    let person = members[0].membership.person_id;
    let far = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let activity = st
        .activities(11914, far, today + Duration::days(3650))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.team_id == own_team)
        .unwrap()
        .id;
    let document = st
        .documents(11914, &DocumentFilter::default())
        .await
        .unwrap()[0]
        .id;
    let course = st.courses(11914).await.unwrap()[0].id;
    let request = st
        .request_by_number(11914, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap()
        .id;
    let elsewhere = st
        .create_village(
            &Actor::system("hostile-test"),
            NewVillage {
                commune_code: 11948,
                kind: VillageKind::Thon,
                name: Name::village("Thôn Nơi Khác").unwrap(),
                active_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            },
        )
        .await
        .unwrap()
        .id;
    let elsewhere_team = st
        .create_team(
            &Actor::system("hostile-test"),
            toso_store::NewTeam {
                commune_code: 11948,
                kind: toso_domain::TeamKind::Village,
                village_id: Some(elsewhere),
                name: Name::team("Tổ Nơi Khác").unwrap(),
                established_on: NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
                decision_id: None,
                zalo_link: None,
            },
        )
        .await
        .unwrap()
        .id;
    let elsewhere_person = st
        .create_member(
            &Actor::system("hostile-test"),
            elsewhere_team,
            toso_store::NewPerson {
                commune_code: 11948,
                full_name: toso_domain::PersonName::parse("Người Nơi Khác").unwrap(),
                gender: None,
                birth_year: None,
                phone: None,
            },
            toso_domain::Role::ThanhVien,
            toso_domain::Affiliation::Khac,
            NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
        )
        .await
        .unwrap()
        .0
        .id;
    // A village of Cát Hải without a team, for the team form.
    let free_village = st
        .create_village(
            &Actor::system("hostile-test"),
            NewVillage {
                commune_code: 11914,
                kind: VillageKind::Thon,
                name: Name::village("Thôn Chưa Có Tổ").unwrap(),
                active_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            },
        )
        .await
        .unwrap()
        .id;

    let mut c = Corpus { cases: Vec::new() };
    let o = Who::Officer;

    // Villages.
    let path = format!("{C}/villages/new");
    let base = pairs(&[
        ("kind", "thon"),
        ("name", "Thôn Thử #"),
        ("active_from", "01/07/2025"),
    ]);
    c.form(o, &path, &base, "name", &text(true, 120));
    c.form(o, &path, &base, "active_from", &dates(true));
    c.form(o, &path, &base, "kind", &codes());
    let path = format!("{C}/villages/{}/edit", village.id);
    let base = pairs(&[
        ("kind", village.kind.code()),
        ("name", "Thôn Sửa #"),
        ("active_from", "01/07/2025"),
    ]);
    c.form(o, &path, &base, "name", &some_text(true));
    c.form(o, &path, &base, "active_from", &dates(true)[..9]);
    for id in BAD_IDS
        .iter()
        .map(|s| s.to_string())
        .chain([elsewhere.to_string()])
    {
        c.raw(
            o,
            &format!("{C}/villages/{id}/edit"),
            "kind=thon&name=X&active_from=01%2F07%2F2025",
            true,
        );
        c.raw(
            o,
            &format!("{C}/villages/{id}/deactivate"),
            "active_until=01%2F11%2F2025",
            true,
        );
    }
    let path = format!("{C}/villages/{free_village}/deactivate");
    c.form(o, &path, &[], "active_until", &dates(true)[..9]);

    // Teams.
    let path = format!("{C}/teams/new");
    let base = pairs(&[
        ("kind", "village"),
        ("village_id", &free_village.to_string()),
        ("name", ""),
        ("established_on", "15/11/2025"),
        ("decision_id", ""),
        ("zalo_link", ""),
    ]);
    c.form(o, &path, &base, "village_id", &ids(true, elsewhere));
    c.form(o, &path, &base, "decision_id", &ids(false, elsewhere)[..7]);
    c.form(o, &path, &base, "established_on", &dates(true)[..9]);
    c.form(o, &path, &base, "kind", &codes());
    let zalo = [
        (s("javascript:alert(1)"), true),
        (s(format!("https://zalo.me/g/{SCRIPT}")), true),
        (s(IMG), true),
        (s("https://evil.example/g/abc"), true),
        (s("zalo.me/g/\0abc"), true),
    ];
    c.form(o, &path, &base, "zalo_link", &zalo);
    let path = format!("{C}/teams/{other_team}/edit");
    let base = pairs(&[
        ("name", "Tổ Thử #"),
        ("established_on", "15/11/2025"),
        ("decision_id", ""),
        ("zalo_link", ""),
    ]);
    c.form(o, &path, &base, "name", &text(false, 160));
    c.form(o, &path, &base, "zalo_link", &zalo);
    c.form(o, &path, &base, "decision_id", &ids(false, elsewhere)[..7]);
    for id in BAD_IDS {
        c.raw(
            o,
            &format!("{C}/teams/{id}/edit"),
            "name=X&established_on=15%2F11%2F2025",
            true,
        );
        c.raw(
            o,
            &format!("{C}/teams/{id}/dissolve"),
            "dissolved_on=01%2F12%2F2025",
            true,
        );
        c.get(&format!("{C}/teams/{id}"), true);
        c.get(&format!("{C}/members/{id}"), true);
        c.get(&format!("{C}/people/{id}"), true);
    }
    c.form(
        o,
        &format!("{C}/teams/{other_team}/dissolve"),
        &[],
        "dissolved_on",
        &dates(true)[..9],
    );

    // Members.
    let path = format!("{C}/teams/{own_team}/members");
    let base = pairs(&[
        ("full_name", "Nguyễn Văn Thử"),
        ("gender", "nam"),
        ("birth_year", "1990"),
        ("phone", ""),
        ("role", "thanh_vien"),
        ("affiliation", "khac"),
        ("started_on", "01/11/2025"),
    ]);
    let mut names = text(true, 80);
    // A person's name is letters only: markup and code are refused.
    for (v, refuse) in names.iter_mut() {
        if let V::S(x) = v {
            if x.contains('<') || x.contains(';') || x.contains('{') || x.contains('}') {
                *refuse = true;
            }
        }
    }
    c.form(
        o,
        &path,
        &base,
        "full_name",
        &names
            .iter()
            .map(|(v, _)| (v.clone(), false))
            .collect::<Vec<_>>(),
    );
    c.form(
        o,
        &path,
        &base,
        "birth_year",
        &[
            (s("-1"), true),
            (s("1800"), true),
            (s("99999999999999999999"), true),
            (s("NaN"), true),
            (s("1e3"), true),
            (s("2999"), true),
            (s(SCRIPT), true),
        ],
    );
    c.form(
        o,
        &path,
        &base,
        "phone",
        &[
            (s("12345"), true),
            (s("+84 912 345 678 999 999"), true),
            (s(SCRIPT), true),
            (s("0912345678\0"), false),
            (s("0x10"), true),
            (s("9".repeat(10_000)), true),
        ],
    );
    c.form(
        o,
        &path,
        &base,
        "gender",
        &[codes()[0].clone(), codes()[3].clone(), codes()[5].clone()],
    );
    c.form(o, &path, &base, "role", &codes());
    c.form(o, &path, &base, "affiliation", &codes());
    c.form(o, &path, &base, "started_on", &dates(true)[..9]);
    let path = format!("{C}/members/{member}");
    let m = &members[0];
    let base = pairs(&[
        ("full_name", &m.full_name),
        ("gender", m.gender.as_deref().unwrap_or("")),
        (
            "birth_year",
            &m.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        ("phone", m.phone.as_deref().unwrap_or("")),
        ("role", m.membership.role.code()),
        ("affiliation", m.membership.affiliation.code()),
    ]);
    c.form(
        o,
        &path,
        &base,
        "full_name",
        &some_text(true)
            .into_iter()
            .map(|(v, _)| (v, false))
            .collect::<Vec<_>>(),
    );
    c.form(o, &path, &base, "role", &codes()[..4]);
    // A change of role with an impossible effective date.
    let other_role = if m.membership.role.code() == "to_pho" {
        "thanh_vien"
    } else {
        "to_pho"
    };
    let promoted: Vec<(&str, String)> = base
        .iter()
        .map(|(k, v)| match *k {
            "role" => (*k, other_role.to_string()),
            _ => (*k, v.clone()),
        })
        .collect();
    c.form(o, &path, &promoted, "role_from", &dates(true)[..9]);
    c.form(
        o,
        &format!("{C}/members/{member}/end"),
        &[],
        "ended_on",
        &dates(true)[..9],
    );
    let base = pairs(&[
        ("team_id", &other_team.to_string()),
        ("moved_on", "01/12/2025"),
    ]);
    c.form(
        o,
        &format!("{C}/members/{member}/move"),
        &base,
        "team_id",
        &ids(true, elsewhere_team),
    );
    c.form(
        o,
        &format!("{C}/members/{member}/move"),
        &base,
        "moved_on",
        &dates(true)[..9],
    );

    // Activities: the team page's log form and the edit form.
    for path in [
        format!("{C}/teams/{own_team}/activities"),
        format!("{C}/activities/{activity}/edit"),
    ] {
        let base = pairs(&[
            ("activity_date", &toso_domain::format_date(today)),
            ("category", "vneid"),
            ("citizens_helped", "3"),
            ("dossiers", "0"),
            ("note", "Ghi chú #"),
        ]);
        c.form(
            o,
            &path,
            &base,
            "note",
            &if path.ends_with("/edit") {
                some_text(false)
                    .into_iter()
                    .map(|(v, _)| (v, false))
                    .collect()
            } else {
                text(false, 10_000)
            },
        );
        c.form(o, &path, &base, "citizens_helped", &counts(true));
        c.form(o, &path, &base, "dossiers", &counts(false)[..10]);
        c.form(o, &path, &base, "activity_date", &dates(true)[..10]);
        c.form(o, &path, &base, "category", &codes());
        for key in [
            "co_abc",
            "co_-1",
            "co_99999999999999999999",
            "co_9999999",
            "co_",
        ] {
            c.form(o, &path, &base, key, &[(s("on"), false)]);
        }
    }
    for id in BAD_IDS {
        c.raw(
            o,
            &format!("{C}/activities/{id}/edit"),
            "citizens_helped=1",
            true,
        );
        c.raw(
            o,
            &format!("{C}/teams/{id}/activities"),
            "citizens_helped=1",
            true,
        );
    }

    // Documents.
    for path in [
        format!("{C}/documents/new"),
        format!("{C}/documents/{document}/edit"),
    ] {
        let base = pairs(&[
            ("kind", "ke_hoach"),
            ("doc_number", "#/KH-UBND"),
            ("issued_on", "02/12/2025"),
            ("issuer", "Ủy ban nhân dân đặc khu Cát Hải"),
            ("subject", "Kế hoạch thử #"),
        ]);
        c.form(
            o,
            &path,
            &base,
            "subject",
            &if path.ends_with("/edit") {
                some_text(true)
            } else {
                text(true, 500)
            },
        );
        c.form(o, &path, &base, "issuer", &some_text(true));
        c.form(o, &path, &base, "doc_number", &some_text(true));
        c.form(o, &path, &base, "issued_on", &dates(true)[..9]);
        c.form(o, &path, &base, "kind", &codes());
    }

    // Training courses and campaigns.
    for path in [
        format!("{C}/training/new"),
        format!("{C}/training/{course}/edit"),
    ] {
        let base = pairs(&[
            ("title", "Lớp thử #"),
            ("organiser", "UBND đặc khu"),
            ("document_id", ""),
            ("starts_on", "01/11/2025"),
            ("ends_on", ""),
            ("mode", "truc_tiep"),
            ("officials_registered", "3"),
            ("officials_completed", "2"),
            ("citizens_registered", ""),
            ("citizens_completed", ""),
        ]);
        c.form(
            o,
            &path,
            &base,
            "title",
            &if path.ends_with("/edit") {
                some_text(true)
            } else {
                text(true, 300)
            },
        );
        c.form(o, &path, &base, "organiser", &some_text(true));
        c.form(o, &path, &base, "document_id", &ids(false, elsewhere)[..7]);
        c.form(o, &path, &base, "starts_on", &dates(true)[..9]);
        c.form(o, &path, &base, "ends_on", &dates(false)[..9]);
        c.form(o, &path, &base, "mode", &codes());
        c.form(o, &path, &base, "officials_registered", &counts(false));
        c.form(o, &path, &base, "citizens_completed", &counts(false)[..9]);
        for key in [
            "p_abc".to_string(),
            "p_-1".to_string(),
            "p_99999999999999999999".to_string(),
            "p_9999999".to_string(),
            format!("c_{person}"),
        ] {
            c.form(o, &path, &base, &key, &[(s("on"), false)]);
        }
    }
    for id in BAD_IDS {
        c.raw(o, &format!("{C}/training/{id}/edit"), "title=X", true);
    }
    let path = format!("{C}/campaigns/new");
    let base = pairs(&[
        ("name", "Ra quân thử #"),
        ("held_on", "01/11/2025"),
        ("participants", "10"),
        ("citizens_reached", "100"),
        ("note", ""),
    ]);
    c.form(o, &path, &base, "name", &text(true, 200));
    c.form(
        o,
        &path,
        &base,
        "note",
        &some_text(false)
            .into_iter()
            .map(|(v, _)| (v, false))
            .collect::<Vec<_>>(),
    );
    c.form(o, &path, &base, "held_on", &dates(true)[..9]);
    c.form(o, &path, &base, "participants", &counts(true));
    c.form(o, &path, &base, "citizens_reached", &counts(true)[..9]);
    for key in [
        "village_abc",
        "village_-1",
        "village_9999999",
        "partner_khong_co",
    ] {
        c.form(o, &path, &base, key, &[(s("on"), false)]);
    }
    c.form(
        o,
        &path,
        &base,
        &format!("village_{elsewhere}"),
        &[(s("on"), false)],
    );

    // Corrections: contests, registration entries, campaigns edited and
    // deleted; documents deleted. Records of another commune to aim at, and
    // records of Cát Hải to delete last.
    let system = Actor::system("hostile-test");
    let contest = st.contests(11914).await.unwrap()[0].clone();
    let registration = st.registrations(contest.id).await.unwrap()[0].id;
    let campaign = st.campaigns(11914).await.unwrap()[0].clone();
    let decision = teams.iter().find_map(|t| t.decision_id).unwrap();
    let day = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    let new_contest = |commune_code: i32, name: &str| toso_store::NewContest {
        commune_code,
        name: Name::subject(name).unwrap(),
        organiser: Name::issuer("Ủy ban nhân dân").unwrap(),
        document_id: None,
        starts_on: day,
        ends_on: None,
    };
    let new_campaign = |commune_code: i32, village: i64| toso_store::NewCampaign {
        commune_code,
        name: Name::subject("Ra quân để xóa").unwrap(),
        held_on: day,
        partners: vec![toso_domain::PartnerOrganisation::DoanTn],
        village_ids: vec![village],
        participants: 5,
        citizens_reached: 50,
        note: None,
    };
    let new_document = |commune_code: i32| toso_store::NewDocument {
        commune_code,
        kind: toso_domain::DocumentKind::CongVan,
        number: toso_domain::DocumentNumber::parse("88/UBND-XOA").unwrap(),
        issued_on: day,
        issuer: Name::issuer("Ủy ban nhân dân").unwrap(),
        subject: Name::subject("Văn bản để xóa").unwrap(),
    };
    let far_contest = st
        .create_contest(&system, new_contest(11948, "Cuộc thi nơi khác"))
        .await
        .unwrap()
        .id;
    let far_registration = st
        .add_registrations(
            &system,
            far_contest,
            day,
            toso_domain::ContestGroup::CanBo,
            3,
        )
        .await
        .unwrap()
        .id;
    let far_campaign = st
        .create_campaign(&system, new_campaign(11948, elsewhere))
        .await
        .unwrap()
        .id;
    let far_document = st
        .create_document(&system, new_document(11948))
        .await
        .unwrap()
        .id;
    let doomed_contest = st
        .create_contest(&system, new_contest(11914, "Cuộc thi để xóa"))
        .await
        .unwrap()
        .id;
    let doomed_registration = st
        .add_registrations(
            &system,
            doomed_contest,
            day,
            toso_domain::ContestGroup::CanBo,
            4,
        )
        .await
        .unwrap()
        .id;
    let doomed_campaign = st
        .create_campaign(&system, new_campaign(11914, village.id))
        .await
        .unwrap()
        .id;
    let doomed_document = st
        .create_document(&system, new_document(11914))
        .await
        .unwrap()
        .id;

    let path = format!("{C}/contests");
    let base = pairs(&[
        ("name", "Cuộc thi thử #"),
        ("organiser", "Ủy ban nhân dân đặc khu Cát Hải"),
        ("document_id", ""),
        ("starts_on", "01/11/2025"),
        ("ends_on", ""),
    ]);
    c.form(o, &path, &base, "name", &text(true, 500));
    c.form(o, &path, &base, "organiser", &some_text(true));
    c.form(o, &path, &base, "document_id", &ids(false, far_document));
    c.form(o, &path, &base, "starts_on", &dates(true)[..9]);
    c.form(o, &path, &base, "ends_on", &dates(false)[..9]);
    c.form(o, &path, &base, "ends_on", &[(s("01/10/2025"), true)]);
    let path = format!("{C}/contests/{}/edit", contest.id);
    let base = pairs(&[
        ("name", "Công dân số Hải Phòng #"),
        ("organiser", &contest.organiser),
        ("document_id", ""),
        ("starts_on", &toso_domain::format_date(contest.starts_on)),
        (
            "ends_on",
            &contest
                .ends_on
                .map(toso_domain::format_date)
                .unwrap_or_default(),
        ),
    ]);
    c.form(o, &path, &base, "name", &some_text(true));
    c.form(o, &path, &base, "document_id", &ids(false, far_document));
    c.form(o, &path, &base, "starts_on", &dates(true)[..9]);
    c.form(o, &path, &base, "ends_on", &dates(false)[..9]);
    // Periods that leave registrations outside.
    c.form(
        o,
        &path,
        &base,
        "starts_on",
        &[(s("30/11/2025"), true), (s("01/01/2030"), true)],
    );
    c.form(o, &path, &base, "ends_on", &[(s("16/10/2025"), true)]);
    for path in [
        format!("{C}/contests/{}/registrations", contest.id),
        format!("{C}/registrations/{registration}/edit"),
    ] {
        let base = pairs(&[
            ("registered_on", "01/11/2025"),
            ("group", "nguoi_dan"),
            ("count", "3"),
        ]);
        c.form(o, &path, &base, "registered_on", &dates(true)[..9]);
        c.form(
            o,
            &path,
            &base,
            "registered_on",
            &[(s("01/01/2020"), true), (s(tomorrow()), true)],
        );
        c.form(o, &path, &base, "group", &codes());
        c.form(o, &path, &base, "count", &counts(true));
        c.form(o, &path, &base, "count", &[(s("0"), true)]);
    }
    let path = format!("{C}/campaigns/{}/edit", campaign.id);
    let village_key = format!("village_{}", campaign.villages[0].0);
    let partner_key = format!("partner_{}", campaign.partners[0].code());
    let held_on = toso_domain::format_date(campaign.held_on);
    let base = pairs(&[
        ("name", "Ra quân sửa #"),
        ("held_on", &held_on),
        ("participants", "10"),
        ("citizens_reached", "100"),
        ("note", ""),
        (&village_key, "on"),
        (&partner_key, "on"),
    ]);
    c.form(o, &path, &base, "name", &some_text(true));
    c.form(o, &path, &base, "held_on", &dates(true)[..9]);
    c.form(o, &path, &base, "held_on", &[(s(tomorrow()), true)]);
    c.form(o, &path, &base, "participants", &counts(true));
    c.form(o, &path, &base, "citizens_reached", &counts(true)[..9]);
    c.form(o, &path, &base, &village_key, &[(s("off"), true)]);
    c.form(o, &path, &base, &partner_key, &[(s("off"), true)]);
    c.form(
        o,
        &path,
        &base,
        &format!("village_{elsewhere}"),
        &[(s("on"), true)],
    );
    for key in ["village_abc", "village_-1", "partner_khong_co"] {
        c.form(o, &path, &base, key, &[(s("on"), false)]);
    }
    // Ids that are not numbers, not there, or another commune's.
    let bad = |far: i64| {
        BAD_IDS
            .iter()
            .map(|s| s.to_string())
            .chain([far.to_string()])
            .collect::<Vec<_>>()
    };
    for id in bad(far_contest) {
        c.raw(o, &format!("{C}/contests/{id}/edit"), "name=X", true);
        c.raw(o, &format!("{C}/contests/{id}/delete"), "confirm=on", true);
        c.raw(
            o,
            &format!("{C}/contests/{id}/registrations"),
            "registered_on=01%2F11%2F2025&group=can_bo&count=1",
            true,
        );
        c.get(&format!("{C}/contests/{id}/edit"), true);
    }
    for id in bad(far_registration) {
        c.raw(o, &format!("{C}/registrations/{id}/edit"), "count=1", true);
        c.raw(
            o,
            &format!("{C}/registrations/{id}/delete"),
            "confirm=on",
            true,
        );
        c.get(&format!("{C}/registrations/{id}/edit"), true);
    }
    for id in bad(far_campaign) {
        c.raw(o, &format!("{C}/campaigns/{id}/edit"), "name=X", true);
        c.raw(o, &format!("{C}/campaigns/{id}/delete"), "confirm=on", true);
        c.get(&format!("{C}/campaigns/{id}/edit"), true);
    }
    for id in bad(far_document) {
        c.raw(o, &format!("{C}/documents/{id}/delete"), "confirm=on", true);
        c.get(&format!("{C}/documents/{id}/edit"), true);
    }
    // A delete without its box ticked, or of a document in use, is refused.
    let unconfirmed = [
        (s(""), true),
        (s("off"), true),
        (s("ON"), true),
        (s(SCRIPT), true),
        (V::Raw("%FF"), true),
        (V::Drop, true),
    ];
    for path in [
        format!("{C}/contests/{doomed_contest}/delete"),
        format!("{C}/registrations/{doomed_registration}/delete"),
        format!("{C}/campaigns/{doomed_campaign}/delete"),
        format!("{C}/documents/{doomed_document}/delete"),
    ] {
        c.form(o, &path, &[], "confirm", &unconfirmed);
        c.raw(Who::Member, &path, "confirm=on", true);
    }
    c.raw(
        o,
        &format!("{C}/documents/{decision}/delete"),
        "confirm=on",
        true,
    );
    // Then deleted, the registration before its contest.
    for path in [
        format!("{C}/registrations/{doomed_registration}/delete"),
        format!("{C}/contests/{doomed_contest}/delete"),
        format!("{C}/campaigns/{doomed_campaign}/delete"),
        format!("{C}/documents/{doomed_document}/delete"),
    ] {
        c.raw(o, &path, "confirm=on", false);
    }

    // Reports: the request form and the report form.
    let path = format!("{C}/reports");
    let base = pairs(&[
        ("doc_number", "#/SKHCN-CNTT"),
        ("issued_on", "02/12/2025"),
        ("issuer", "Sở Khoa học và Công nghệ"),
        ("subject", "Báo cáo thử #"),
        ("deadline", ""),
        ("as_of", "30/11/2025"),
        ("period_from", ""),
    ]);
    c.form(o, &path, &base, "subject", &text(true, 500));
    c.form(o, &path, &base, "doc_number", &some_text(true));
    c.form(o, &path, &base, "as_of", &dates(true)[..9]);
    c.form(o, &path, &base, "deadline", &dates(false)[..9]);
    c.form(o, &path, &base, "period_from", &dates(false)[..9]);
    let path = format!("{C}/reports/new?request={request}");
    let base = pairs(&[
        ("as_of", "30/11/2025"),
        ("report_date", "05/01/2026"),
        ("number", "#/BC-UBND"),
        ("place", "Cát Hải"),
        ("parent_body", ""),
        ("subject", "Kết quả hoạt động"),
        ("body", "Số thành viên: {members}."),
        ("recipients", "- Sở KH&CN;"),
        ("signer_capacity", "CHỦ TỊCH"),
        ("signer_name", "Vũ Hữu Vững"),
        ("action", "preview"),
    ]);
    let free =
        |vs: Vec<Hostile>| -> Vec<Hostile> { vs.into_iter().map(|(v, _)| (v, false)).collect() };
    c.form(o, &path, &base, "body", &free(text(false, 10_000)));
    c.form(o, &path, &base, "subject", &free(some_text(false)));
    c.form(o, &path, &base, "signer_name", &free(some_text(false)));
    c.form(o, &path, &base, "as_of", &dates(true)[..9]);
    c.form(o, &path, &base, "report_date", &dates(true)[..9]);
    // The same, stored rather than previewed.
    let stored: Vec<(&'static str, String)> = base
        .iter()
        .filter(|(k, _)| *k != "action")
        .cloned()
        .collect();
    c.form(o, &path, &stored, "body", &free(some_text(false)));
    c.form(o, &path, &stored, "number", &free(some_text(false)));
    c.form(o, &path, &stored, "place", &free(some_text(false)));
    for q in ["abc", "-1", "99999999999999999999", "9999999", "%FF", ""] {
        c.raw(
            o,
            &format!("{C}/reports/new?request={q}"),
            "as_of=30%2F11%2F2025",
            true,
        );
        c.get(&format!("{C}/reports/new?request={q}"), true);
        c.get(&format!("{C}/reports/new?request={request}&from={q}"), true);
        c.get(&format!("{C}/reports/{q}"), true);
        c.get(&format!("{C}/reports/{q}/bao-cao.pdf"), true);
    }
    c.raw(o, &format!("{C}/reports/new"), "as_of=30%2F11%2F2025", true);
    // The static files: a name that is none of them is a 404, never a file
    // from elsewhere.
    for name in [
        "%FF",
        "app.css%00",
        "..%2Fapp.css",
        "..%2F..%2FCargo.toml",
        "APP.CSS",
        "app.css.",
        "%3Cscript%3E",
        "sw.js%20",
    ] {
        c.get(&format!("/static/{name}"), true);
    }
    c.get(&format!("/static/{}", "a".repeat(5000)), true);

    // The reporting cycle: a version to submit and review, with hostile
    // values of what the forms send; nothing is submitted or decided.
    let version = {
        let req = st.request(request).await.unwrap();
        let mut settings = toso_reporting::report_defaults(&st, 11914, &req)
            .await
            .unwrap();
        // A body citing no document: the corpus deletes one further up,
        // which a report citing it would keep.
        settings.body = "Số thành viên: {members}.".into();
        toso_reporting::create_report(&st, &Actor::system("test"), 11914, req.id, settings)
            .await
            .unwrap()
            .id
    };
    let submit = format!("{C}/reports/{version}/submit");
    c.form(o, &submit, &pairs(&[("seen", "1")]), "seen", &counts(true));
    let review = format!("{C}/reports/{version}/review");
    let base = pairs(&[("seen", "0"), ("decision", "accept"), ("comment", "")]);
    c.form(Who::Province, &review, &base, "decision", &some_text(true));
    c.form(Who::Province, &review, &base, "seen", &counts(true));
    let base = pairs(&[("seen", "0"), ("decision", "return"), ("comment", "x")]);
    c.form(Who::Province, &review, &base, "comment", &text(true, 1000));
    for q in ["abc", "-1", "99999999999999999999", "9999999", "%FF"] {
        c.raw(o, &format!("{C}/reports/{q}/submit"), "seen=0", true);
        c.raw(
            Who::Province,
            &format!("{C}/reports/{q}/review"),
            "seen=0&decision=accept",
            true,
        );
    }
    c.raw(Who::Member, &submit, "seen=0", true);

    // Users and accounts.
    let path = format!("{C}/users");
    let base = pairs(&[
        ("username", "thu#"),
        ("full_name", "Người Thử"),
        ("phone", ""),
        ("password", "mat-khau-dai-du-12"),
        ("role", "team_member"),
        ("team_id", &own_team.to_string()),
        ("person_id", ""),
    ]);
    c.form(
        o,
        &path,
        &base,
        "username",
        &some_text(true)
            .into_iter()
            .map(|(v, _)| (v, true))
            .collect::<Vec<_>>(),
    );
    c.form(o, &path, &base, "full_name", &some_text(true));
    c.form(
        o,
        &path,
        &base,
        "password",
        &[
            (s(""), true),
            (s("\0\0\0\0\0\0\0\0\0\0\0\0"), false),
            (s("a".repeat(10_000)), true),
            (s("😀".repeat(12)), false),
            (s(SCRIPT), false),
            (V::Raw("%FF%FF%FF%FF%FF%FF%FF%FF%FF%FF%FF%FF"), false),
        ],
    );
    c.form(o, &path, &base, "role", &codes());
    c.form(
        o,
        &path,
        &base,
        "role",
        &[(s("admin"), true), (s("province_officer"), true)],
    );
    c.form(o, &path, &base, "team_id", &ids(true, elsewhere_team));
    c.form(o, &path, &base, "person_id", &ids(false, elsewhere_person));
    let path = format!("{C}/users/{}/password", leader.id);
    c.form(
        o,
        &path,
        &[],
        "new_password",
        &[
            (s(""), true),
            (s("ngan"), true),
            (s("a".repeat(10_000)), true),
            (V::Raw("%FF"), true),
        ],
    );
    for id in BAD_IDS {
        c.raw(
            o,
            &format!("{C}/users/{id}/password"),
            "new_password=mat-khau-dai-du-12",
            true,
        );
        c.raw(o, &format!("{C}/users/{id}/disable"), "", true);
    }
    let base = pairs(&[
        ("current", toso_demo::DEMO_PASSWORD),
        ("password", "mat-khau-moi-dai-du"),
        ("confirm", "khong-khop"),
    ]);
    c.form(
        o,
        "/account",
        &base,
        "password",
        &free(some_text(true))
            .into_iter()
            .map(|(v, _)| (v, true))
            .collect::<Vec<_>>(),
    );
    c.form(o, "/account/tokens", &[], "name", &text(true, 80));
    // Token scopes and expiry, personal and service tokens (issue 23).
    let token_base = [
        ("name", "Hệ thống của tỉnh".to_string()),
        ("scope", "read".to_string()),
        ("expires_on", String::new()),
    ];
    let scopes: Vec<Hostile> = vec![
        (s("admin"), true),
        (s("READ WRITE"), true),
        (s(SCRIPT), true),
        (V::Raw("%FF"), true),
        (V::Twice("read".into(), "write".into()), false),
    ];
    for (who, path) in [
        (o, "/account/tokens"),
        (o, "/communes/11914/service-tokens"),
        (Who::Province, "/provinces/31/service-tokens"),
    ] {
        c.form(who, path, &token_base, "scope", &scopes);
        c.form(who, path, &token_base, "expires_on", &dates(false));
        c.form(who, path, &token_base, "name", &text(true, 80));
    }
    for id in BAD_IDS {
        c.raw(
            o,
            &format!("/communes/11914/service-tokens/{id}/revoke"),
            "",
            true,
        );
        c.raw(
            Who::Province,
            &format!("/provinces/31/service-tokens/{id}/revoke"),
            "",
            true,
        );
    }
    for id in BAD_IDS {
        c.raw(o, &format!("/account/tokens/{id}/revoke"), "", true);
    }

    // Queries: search, dates of pages, filters, the API.
    let queries = text(false, 10_000);
    for (v, _) in &queries {
        c.query(&format!("{C}/search"), "q", &[(v.clone(), false)]);
    }
    let mut bad_dates: Vec<Hostile> = dates(false)[..9].to_vec();
    bad_dates.push((s("9999-12-31"), false));
    bad_dates.push((s("01/01/1800"), false));
    for page in [
        C.to_string(),
        format!("{C}/training"),
        format!("{C}/campaigns"),
        format!("{C}/dashboard"),
        format!("{C}/indicators/members"),
        format!("{C}/export/indicators.csv"),
        format!("{C}/villages/{}/dashboard", village.id),
    ] {
        c.query(&page, "as_of", &bad_dates);
    }
    c.query(&format!("{C}/dashboard"), "from", &bad_dates);
    c.query(
        &format!("{C}/dashboard?until=01/01/2020"),
        "from",
        &[(s("01/01/2025"), true)],
    );
    // Filters of a list answer the list, the refused filter marked beside it.
    let any =
        |vs: Vec<Hostile>| -> Vec<Hostile> { vs.into_iter().map(|(v, _)| (v, false)).collect() };
    c.query(&format!("{C}/audit"), "from", &any(bad_dates[..5].to_vec()));
    c.query(
        &format!("{C}/documents"),
        "kind",
        &any(codes()[..6].to_vec()),
    );
    c.query(
        &format!("{C}/documents"),
        "year",
        &any(counts(false)[..9].to_vec()),
    );
    for q in ["node", "as_of"] {
        let values: Vec<Hostile> = if q == "node" {
            vec![
                (s("commune:abc"), true),
                (s("commune:99999999999999999999"), true),
                (s("commune:-1"), true),
                (s("village:9999999"), true),
                (s(format!("village:{elsewhere}")), true),
                (s("province:0"), true),
                (s("galaxy:1"), true),
                (s(SCRIPT), true),
                (V::Raw("%FF"), true),
                (s(""), true),
                (s("commune:11914:extra"), true),
            ]
        } else {
            bad_dates.clone()
        };
        let base = if q == "node" {
            "/api/v1/indicators?as_of=30/11/2025".to_string()
        } else {
            "/api/v1/indicators?node=commune:11914".to_string()
        };
        c.query(&base, q, &values);
        let base = base.replace("/indicators?", "/indicators/members/records?");
        c.query(&base, q, &values[..6]);
    }
    c.query("/api/v1/communes/11914/activities", "from", &bad_dates);
    c.query(
        "/api/v1/communes/11914/activities",
        "as_of",
        &bad_dates[..6],
    );
    for code in ["abc", "-1", "99999999999999999999", "%FF", "0"] {
        c.get(&format!("/api/v1/communes/{code}"), true);
        c.get(&format!("/api/v1/communes/{code}/indicators"), true);
        c.get(&format!("/communes/{code}"), true);
    }
    c.get(
        "/api/v1/indicators/khong_co/records?node=commune:11914",
        true,
    );
    c.get(
        &format!(
            "/api/v1/indicators/{}/records?node=commune:11914",
            encv(SCRIPT)
        ),
        true,
    );
    // The API's other reads (issue 23): dates, unknown parameters, ids and
    // files that are not.
    for path in [
        "/api/v1/communes/11914/teams",
        "/api/v1/communes/11914/contests",
        "/api/v1/communes/11914/indicators",
    ] {
        c.query(path, "as_of", &bad_dates[..6]);
    }
    c.query(
        "/api/v1/communes/11914/documents",
        "year",
        &[
            (s("abc"), true),
            (s("-1"), true),
            (s(SCRIPT), true),
            (V::Raw("%FF"), true),
        ],
    );
    for path in [
        "/api/v1/communes/11914/training?hacked=1",
        "/api/v1/communes/11914/campaigns?as_of=2025-11-30",
        "/api/v1/communes/11914/villages?page=1",
        "/api/v1/communes/11914/teams/abc",
        "/api/v1/communes/11914/teams/99999999999999999999",
        "/api/v1/communes/11914/reports/999999/files/docx",
        "/api/v1/communes/11914/reports/1/files/exe",
        "/api/v1/provinces/abc/communes",
        "/api/v1/provinces/31/table?as_of=31/02/2025",
        "/api/v1/nation/table?from=x",
        "/api/v1/openapi.json?x=1",
    ] {
        c.get(path, true);
    }
    for path in [
        "/api/v1/provinces/31/table?as_of=31/02/2025",
        "/api/v1/provinces/31/table?from=2025-12-01&as_of=2025-11-30",
        "/api/v1/provinces/31/communes?x=1",
    ] {
        c.get_as(Who::Province, path, true);
    }

    // The province's pages, as the province's officer: dates, order and
    // filters of the table, unknown provinces, figures and files.
    let p = Who::Province;
    for page in [
        "/provinces/31",
        "/provinces/31/download/communes.csv",
        "/provinces/31/download/communes.xlsx",
        "/provinces/31/indicators/members",
    ] {
        for (v, refuse) in &bad_dates {
            let q = match v {
                V::S(x) => format!("as_of={}", encv(x)),
                V::Raw(r) => format!("as_of={r}"),
                V::Drop => String::new(),
                V::Twice(a, b) => format!("as_of={}&as_of={}", encv(a), encv(b)),
            };
            c.get_as(p, &format!("{page}?{q}"), *refuse);
        }
    }
    c.get_as(p, "/provinces/31?from=01/01/2025&until=01/01/2020", true);
    c.get_as(p, "/provinces/31?from=32/13/2025", true);
    for (key, values) in [
        (
            "sort",
            vec![SCRIPT, "khong_co", "%FF", "villages;DROP TABLE users"],
        ),
        ("dir", vec![SCRIPT, "up", "ASC"]),
        ("kind", vec![SCRIPT, "tinh", "xa'--"]),
        ("show", vec![SCRIPT, "all", "nodata'"]),
    ] {
        for v in values {
            let q = format!("{key}={}", encv(v));
            c.get_as(p, &format!("/provinces/31?{q}"), true);
            c.get_as(p, &format!("/provinces/31/download/communes.csv?{q}"), true);
        }
    }
    for ok in [
        "sort=coverage&dir=desc",
        "kind=xa",
        "show=nodata",
        "sort=name",
        "sort=",
    ] {
        c.get_as(p, &format!("/provinces/31?{ok}"), false);
    }
    for code in ["abc", "-1", "99999999999999999999", "%FF", "0", "1"] {
        c.get_as(p, &format!("/provinces/{code}"), true);
        c.get_as(p, &format!("/provinces/{code}/download/communes.csv"), true);
        c.get_as(p, &format!("/provinces/{code}/indicators/members"), true);
    }
    for path in [
        "/provinces/31/indicators/khong_co",
        "/provinces/31/download/communes.pdf",
        "/provinces/31/download/..%2F..%2Fetc%2Fpasswd",
        "/provinces/31/indicators/members?page=0",
        "/provinces/31/indicators/members?page=abc",
        "/nation",
        "/nation/download/provinces.csv",
    ] {
        c.get_as(p, path, true);
    }
    c.get_as(
        p,
        &format!("/provinces/31/indicators/{}", encv(SCRIPT)),
        true,
    );
    // The province's search: any text is searched for, or refused when
    // over 100 characters (422, the form kept), and shown back escaped.
    for (v, refuse) in text(false, 100) {
        let q = match &v {
            V::S(x) => format!("q={}", encv(x)),
            V::Raw(r) => format!("q={r}"),
            V::Drop => String::new(),
            V::Twice(a, b) => format!("q={}&q={}", encv(a), encv(b)),
        };
        c.get_as(p, &format!("/provinces/31/search?{q}"), refuse);
    }
    for code in ["abc", "-1", "%FF", "0", "1"] {
        c.get_as(p, &format!("/provinces/{code}/search?q=abc"), true);
    }

    // The province's accounts and audit log: a commune officer for a
    // commune of the province only, no role above the officer's own,
    // accounts outside the province not found; filters marked, never 5xx.
    let path = "/provinces/31/users";
    c.get_as(p, path, false);
    let ha_noi_commune = st.communes_of(1).await.unwrap()[0].code;
    let admin_id = toso_testkit::account(&st, "admin").await.id;
    let base = pairs(&[
        ("username", "tinh#"),
        ("full_name", "Cán Bộ Thử"),
        ("phone", ""),
        ("password", "mat-khau-dai-du-12"),
        ("role", "commune_officer"),
        ("commune_code", "11914"),
    ]);
    c.form(
        p,
        path,
        &base,
        "username",
        &some_text(true)
            .into_iter()
            .map(|(v, _)| (v, true))
            .collect::<Vec<_>>(),
    );
    c.form(p, path, &base, "full_name", &some_text(true));
    c.form(p, path, &base, "role", &codes());
    c.form(
        p,
        path,
        &base,
        "role",
        &[
            (s("admin"), true),
            (s("province_officer"), true),
            (s("ministry_officer"), true),
            (s("team_leader"), true),
        ],
    );
    c.form(
        p,
        path,
        &base,
        "commune_code",
        &ids(true, ha_noi_commune as i64),
    );
    c.form(
        p,
        &format!("{path}/{}/password", leader.id),
        &[],
        "new_password",
        &[
            (s(""), true),
            (s("ngan"), true),
            (s("a".repeat(10_000)), true),
            (V::Raw("%FF"), true),
        ],
    );
    for id in BAD_IDS
        .iter()
        .map(|s| s.to_string())
        .chain([admin_id.to_string()])
    {
        c.raw(
            p,
            &format!("{path}/{id}/password"),
            "new_password=mat-khau-dai-du-12",
            true,
        );
        c.raw(p, &format!("{path}/{id}/disable"), "", true);
        c.raw(p, &format!("{path}/{id}/enable"), "", true);
    }
    for page in ["/provinces/31/audit", "/provinces/31/audit.csv"] {
        for (key, values) in [
            ("from", vec![SCRIPT, "32/13/2025", "%FF", "01/01/0001"]),
            ("until", vec!["00/00/0000", "9999-12-31"]),
            ("scope", vec![SCRIPT, "khac", "province"]),
            ("entity", vec![SCRIPT, "user' OR 1=1 --"]),
            ("actor", vec![SCRIPT, "\0"]),
        ] {
            for v in values {
                c.get_as(p, &format!("{page}?{key}={}", encv(v)), false);
            }
        }
    }
    // The operations routes (issue 24) take no parameters: anything sent
    // along is ignored, never echoed, never a 5xx (their forwarding and
    // token headers: tests/ops.rs).
    for route in ["/livez", "/readyz", "/metrics"] {
        for v in [SCRIPT, "%FF", "\0", "user' OR 1=1 --"] {
            c.get(&format!("{route}?q={}", encv(v)), false);
        }
    }
    // The commune's log reads the same filters through the same store.
    c.get(&format!("{C}/audit?actor=%00"), false);
    c.get(&format!("{C}/audit.csv?entity=%00"), false);
    for code in ["abc", "-1", "%FF", "0", "1"] {
        c.get_as(p, &format!("/provinces/{code}/users"), true);
        c.get_as(p, &format!("/provinces/{code}/audit"), true);
        c.get_as(p, &format!("/provinces/{code}/audit.csv"), true);
        c.raw(p, &format!("/provinces/{code}/users"), "username=x", true);
    }

    // The Department's board of a request, its downloads, the communes not
    // expected, the consolidated report and the notices.
    let rid = st
        .request_by_number(11914, toso_demo::REQUEST_NUMBER)
        .await
        .unwrap()
        .id;
    let board = format!("/provinces/31/requests/{rid}");
    c.get_as(p, &board, false);
    for show in [
        "awaiting",
        "overdue",
        "not_started",
        "late",
        "returned",
        "excluded",
    ] {
        c.get_as(p, &format!("{board}?show={show}"), false);
    }
    for q in [SCRIPT, "%FF", "ALL", "\0", "overdue%00"] {
        c.get_as(p, &format!("{board}?show={}", encv(q)), true);
    }
    for id in BAD_IDS {
        c.get_as(p, &format!("/provinces/31/requests/{id}"), true);
        c.get_as(p, &format!("/provinces/31/requests/{id}/report"), true);
        c.raw(
            p,
            &format!("/provinces/31/requests/{id}/expected"),
            "commune=10606&expected=0&reason=x",
            true,
        );
    }
    for file in [
        "board.pdf",
        "x.csv",
        "..%2F..%2Fetc%2Fpasswd",
        "board",
        "overdue.xlsx.exe",
    ] {
        c.get_as(p, &format!("{board}/download/{file}"), true);
    }
    for file in ["board.csv", "board.xlsx", "overdue.csv", "overdue.xlsx"] {
        c.get_as(p, &format!("{board}/download/{file}"), false);
    }
    // The board of another province's request path, and a commune's own
    // registered request, are not found.
    c.get_as(p, &format!("/provinces/1/requests/{rid}"), true);
    let expected = format!("{board}/expected");
    let base = pairs(&[
        ("commune", "10606"),
        ("expected", "0"),
        ("reason", "Chưa triển khai"),
    ]);
    c.form(p, &expected, &base, "reason", &text(true, 300));
    let ids: Vec<Hostile> = BAD_IDS
        .iter()
        .map(|v| (V::S(v.to_string()), true))
        .chain([
            (s("11914x"), true),
            (s("1"), true),
            (s(""), true),
            (V::Drop, true),
        ])
        .collect();
    c.form(p, &expected, &base, "commune", &ids);
    let flags: Vec<Hostile> = ["", "2", "-1", "true", SCRIPT, "\0"]
        .iter()
        .map(|v| (s(*v), true))
        .chain([(V::Drop, true), (V::Raw("%FF"), true)])
        .collect();
    c.form(p, &expected, &base, "expected", &flags);
    c.raw(
        Who::Officer,
        &expected,
        "commune=10606&expected=0&reason=x",
        true,
    );
    let report = format!("{board}/report");
    let req = st.request(rid).await.unwrap();
    let defaults = toso_reporting::province::province_report_defaults(&st, &req)
        .await
        .unwrap();
    let settings = [
        ("as_of", toso_domain::format_date(defaults.as_of)),
        (
            "report_date",
            toso_domain::format_date(defaults.report_date),
        ),
        ("number", defaults.number.clone()),
        ("place", defaults.place.clone()),
        (
            "parent_body",
            defaults.parent_body.clone().unwrap_or_default(),
        ),
        ("subject", defaults.subject.clone()),
        ("body", "Tổng số thành viên: {members}.".to_string()),
        ("recipients", defaults.recipients.clone()),
        ("signer_capacity", defaults.signer_capacity.clone()),
        ("signer_name", String::new()),
        ("action", "preview".to_string()),
    ];
    let base: Vec<(&str, String)> = settings.iter().map(|(k, v)| (*k, v.clone())).collect();
    c.form(p, &report, &base, "body", &text(true, 20_000));
    c.form(p, &report, &base, "as_of", &dates(true));
    c.form(p, &report, &base, "subject", &some_text(true));
    for v in ["0", "-1", "abc", "99999999999999999999", "%FF"] {
        c.get_as(p, &format!("{report}/{v}"), true);
        c.get_as(p, &format!("{report}/{v}/pdf"), true);
    }
    c.get_as(p, &format!("{report}/1/odt"), true);
    c.raw(Who::Officer, &report, "action=generate", true);
    c.get("/notices", false);
    c.get_as(p, "/notices", false);
    c.raw(Who::Officer, "/notices/read", "x=%FF", false);

    // The team member: outside their team, and typing markup in their log.
    let m = Who::Member;
    c.raw(
        m,
        &format!("{C}/villages/new"),
        "kind=thon&name=X&active_from=01%2F07%2F2025",
        true,
    );
    c.raw(m, &format!("{C}/users"), "username=x&role=admin", true);
    c.raw(
        m,
        &format!("{C}/teams/{other_team}/activities"),
        "category=vneid&citizens_helped=1",
        true,
    );
    c.raw(
        m,
        &format!("{C}/teams/{own_team}/dissolve"),
        "dissolved_on=01%2F12%2F2025",
        true,
    );
    c.raw(
        m,
        &format!("{C}/teams/{own_team}/members"),
        "full_name=X&role=to_truong",
        true,
    );
    let base = pairs(&[
        ("activity_date", &toso_domain::format_date(today)),
        ("category", "vneid"),
        ("citizens_helped", "2"),
        ("dossiers", "1"),
        ("note", ""),
    ]);
    let path = format!("{C}/teams/{own_team}/activities");
    c.form(
        m,
        &path,
        &base,
        "note",
        &some_text(false)
            .into_iter()
            .map(|(v, _)| (v, false))
            .collect::<Vec<_>>(),
    );
    c.form(m, &path, &base, "citizens_helped", &counts(true)[..8]);
    c.form(m, &path, &base, "client_id", &client_ids());

    // Who worked which day (issue 22): duty days, the month, campaigns.
    let on_duty = st
        .team_members(own_team, Some(today))
        .await
        .unwrap()
        .first()
        .expect("a member of the team")
        .membership
        .person_id;
    let duty_path = format!("{C}/teams/{own_team}/duty");
    let base = vec![
        ("held_on", toso_domain::format_date(today)),
        ("place", "Bộ phận một cửa #".to_string()),
        ("note", String::new()),
        (leak(&format!("m_{on_duty}")), "on".to_string()),
    ];
    c.form(o, &duty_path, &base, "held_on", &dates(true)[..9]);
    c.form(o, &duty_path, &base, "held_on", &[(s(tomorrow()), true)]);
    c.form(o, &duty_path, &base, "place", &text(true, 300));
    c.form(
        o,
        &duty_path,
        &base,
        "note",
        &some_text(false)
            .into_iter()
            .map(|(v, _)| (v, false))
            .collect::<Vec<_>>(),
    );
    for key in ["m_abc", "m_-1", "m_9999999", "m_0"] {
        c.form(o, &duty_path, &base, key, &[(s("on"), false)]);
    }
    c.raw(m, &duty_path, "held_on=01%2F12%2F2025&place=X", true);
    for id in BAD_IDS {
        c.raw(o, &format!("{duty_path}/{id}/delete"), "", true);
    }
    let months: Vec<Hostile> = vec![
        (s("13/2025"), true),
        (s("2025-00"), true),
        (s("2025"), true),
        (s("abc"), true),
        (s(SCRIPT), true),
        (V::Raw("%FF"), true),
        (s("99999-01"), true),
        (s("1999-12"), false),
        (s("2100-12"), false),
        (V::Twice("2025-11".into(), "abc".into()), true),
    ];
    for page in [
        format!("{C}/allowances"),
        format!("{C}/allowances.xlsx"),
        format!("{C}/allowances.pdf"),
        format!("{C}/teams/{own_team}/days"),
    ] {
        c.query(&page, "month", &months);
    }
    // The province's month of every commune (its officer).
    c.query_as(Who::Province, "/provinces/31/allowances", "month", &months);
    let approve = format!("{C}/allowances/approve");
    c.form(o, &approve, &[], "month", &months);
    let this_month = toso_domain::Month::of(today).code();
    c.form(o, &approve, &[], "month", &[(s(this_month.clone()), true)]);
    let reopen = format!("{C}/allowances/reopen");
    let base = pairs(&[("month", "2025-11"), ("reason", "Lý do")]);
    c.form(o, &reopen, &base, "month", &months[..7]);
    // November 2025 is not approved yet: reopening it is refused.
    c.form(o, &reopen, &base, "reason", &text(true, 1000));
    c.raw(m, &approve, "month=2025-11", true);
    let members_path = format!("{C}/campaigns/{}/members", campaign.id);
    c.form(o, &members_path, &[], "m_abc", &[(s("on"), false)]);
    for key in ["m_-1", "m_9999999"] {
        c.form(o, &members_path, &[], key, &[(s("on"), true)]);
    }
    c.raw(m, &members_path, "", true);

    // Allowance policies: the province's (its officer) and the commune's own.
    let amounts: Vec<Hostile> = vec![
        (s("-1"), true),
        (s("abc"), true),
        (s("100,000"), true),
        (s("99999999999999999999"), true),
        (s("20000001"), true),
        (s(SCRIPT), true),
        (V::Raw("%FF"), true),
        (s("300.000 đ"), false),
        (s(""), false),
        (V::Twice("1".into(), "-5".into()), true),
    ];
    let days: Vec<Hostile> = vec![
        (s("-1"), true),
        (s("32"), true),
        (s("1.5"), true),
        (s(SCRIPT), true),
        (s(""), false),
        (s("8"), false),
    ];
    for (who, path, from) in [
        (
            Who::Province,
            "/provinces/31/allowance-policies".to_string(),
            "01/01/2031",
        ),
        (o, format!("{C}/allowance-policies"), "01/01/2032"),
    ] {
        let base = pairs(&[
            ("resolution", "12/2031/NQ-HĐND #"),
            ("resolution_on", "01/12/2030"),
            ("effective_from", from),
            ("effective_until", ""),
            ("per_team_month", "500000"),
            ("per_member_month", "0"),
            ("per_day", "50000"),
            ("day_cap", "8"),
            ("min_days", "0"),
            ("note", ""),
        ]);
        c.form(who, &path, &base, "resolution", &text(true, 100));
        for field in ["resolution_on", "effective_from"] {
            c.form(who, &path, &base, field, &dates(true)[..9]);
        }
        c.form(who, &path, &base, "effective_until", &dates(false)[..9]);
        for field in ["per_team_month", "per_member_month", "per_day"] {
            c.form(who, &path, &base, field, &amounts);
        }
        for field in ["day_cap", "min_days"] {
            c.form(who, &path, &base, field, &days);
        }
        c.raw(m, &path, "resolution=X", true);
        for id in BAD_IDS {
            c.raw(who, &format!("{path}/{id}"), "resolution=X", true);
            c.raw(who, &format!("{path}/{id}/delete"), "confirm=on", true);
        }
    }
    for id in BAD_IDS {
        c.raw(o, &format!("{C}/campaigns/{id}/members"), "", true);
        c.get(&format!("{C}/campaigns/{id}/members"), true);
    }

    // Forms sent as something else, or without their fields.
    c.raw(o, &format!("{C}/villages/new"), "", true);
    c.raw(
        o,
        &format!("{C}/villages/new"),
        "kind&name&active_from",
        true,
    );
    c.raw(o, &format!("{C}/villages/new"), "%FF=%FF&==&&&", true);
    c.raw(
        o,
        &format!("{C}/documents/new"),
        "kind=cong_van&kind=ke_hoach",
        true,
    );
    c.raw(
        o,
        &format!("{C}/teams/new"),
        "kind=village&village_id=1&village_id=abc",
        true,
    );

    // Login last: its failures are throttled by address.
    for (v, _) in some_text(true).into_iter().take(8) {
        let base = pairs(&[("login", "khongco"), ("password", "sai"), ("next", "/")]);
        c.form(o, "/login", &base, "login", &[(v, true)]);
    }
    for next in [
        "//evil.example",
        "javascript:alert(1)",
        SCRIPT,
        "/\\evil.example",
    ] {
        let base = pairs(&[("login", "khongco"), ("password", "sai")]);
        c.form(o, "/login", &base, "next", &[(s(next), true)]);
    }

    let total = c.cases.len();
    println!(
        "{backend:?}: {total} cases ready after {:?}",
        started.elapsed()
    );
    let mut watch = Watch::new(&app).await;
    let mut refused = 0;
    for case in &c.cases {
        if !case.get {
            let place = case.refuse.then_some(case.path.as_str());
            let found = watch.before(&app, place).await;
            who.failures.lock().unwrap().extend(found);
        }
        let (status, location, html, page) = run(&app, &who, case).await;
        judge(&who, &case.label, status, html, &page, case.refuse);
        if case.get {
            // A GET writes nothing; any write would show at the next check.
            refused += usize::from(status >= 400);
            continue;
        }
        refused += usize::from(status >= 400);
        let label = format!("{} ({status})", case.label);
        let found = watch.after(&app, &case.path, &label, status >= 400).await;
        who.failures.lock().unwrap().extend(found);
        if status == 303 {
            follow(&app, &who, &case.label, location).await;
        }
    }

    // The offline queue's sends (JSON answers): a bad client id is refused
    // beside `client_id` in Vietnamese, and nothing is written.
    let log_path = format!("{C}/teams/{own_team}/activities");
    for bad in [
        "",
        "short",
        SCRIPT,
        "mã-lượt-ghi-1",
        "a b c d e f g h",
        &"z".repeat(65),
    ] {
        let found = watch.before(&app, Some(&log_path)).await;
        who.failures.lock().unwrap().extend(found);
        let body = format!(
            "{}&{}&csrf={}",
            [
                ("activity_date", toso_domain::format_date(today)),
                ("category", "vneid".to_string()),
                ("citizens_helped", "2".to_string()),
            ]
            .iter()
            .map(|(k, v)| enc(k, v))
            .collect::<Vec<_>>()
            .join("&"),
            enc("client_id", bad),
            who.token
        );
        let res = app
            .client
            .post(app.url(&log_path))
            .header(
                "cookie",
                format!("toso_csrf={}; toso_session={}", who.token, who.member),
            )
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let mut problems = Vec::new();
        if status != 422
            || json["error"] != "invalid"
            || json["field"] != "client_id"
            || !json["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Mã lượt ghi"))
        {
            problems.push(format!("JSON client_id={bad:?}: {status} {text}"));
        }
        if text.contains(SCRIPT) {
            problems.push(format!(
                "JSON client_id={bad:?}: the markup is sent back raw"
            ));
        }
        problems.extend(
            watch
                .after(&app, &log_path, &format!("JSON client_id={bad:?}"), true)
                .await,
        );
        who.failures.lock().unwrap().extend(problems);
    }
    let found = watch.settle(&app).await;
    who.failures.lock().unwrap().extend(found);

    // Too large: a 1 MB field, an upload over the limit.
    let big = "x".repeat(1024 * 1024);
    for path in [
        format!("{C}/villages/new"),
        format!("{C}/documents/new"),
        "/login".into(),
    ] {
        let case = Case {
            label: format!("POST {path} 1 MB"),
            who: o,
            get: false,
            path: path.clone(),
            body: enc("name", &big),
            refuse: true,
        };
        let (status, ..) = run(&app, &who, &case).await;
        if status != 413 {
            who.failures
                .lock()
                .unwrap()
                .push(format!("{}: {status} instead of 413", case.label));
        }
    }
    let case = Case {
        label: "GET search 60 KB (cut to 200 characters)".into(),
        who: o,
        get: true,
        path: format!("{C}/search?q={}", "x".repeat(60_000)),
        body: String::new(),
        refuse: false,
    };
    let (status, _, html, page) = run(&app, &who, &case).await;
    judge(&who, &case.label, status, html, &page, false);

    println!("{backend:?}: queries done after {:?}", started.elapsed());
    // The import upload.
    let uploads = imports(&app, &who).await;
    assert!(
        watch.unchanged(&app).await,
        "a refused or dry-run upload changed data"
    );

    // Pages that draw the accepted names: still escaped.
    for page in [
        format!("{C}/villages"),
        format!("{C}/teams"),
        format!("{C}/documents"),
        format!("{C}/training"),
        format!("{C}/campaigns"),
        format!("{C}/campaigns/{}/edit", campaign.id),
        format!("{C}/contests"),
        format!("{C}/contests/{}/edit", contest.id),
        format!("{C}/registrations/{registration}/edit"),
        format!("{C}/dashboard"),
        format!("{C}/reports"),
        format!("{C}/users"),
        format!("{C}/audit"),
        format!("{C}/teams/{own_team}"),
        format!("{C}/teams/{own_team}/dashboard"),
        C.to_string(),
    ] {
        let case = Case {
            label: format!("GET {page} afterwards"),
            who: o,
            get: true,
            path: page,
            body: String::new(),
            refuse: false,
        };
        let (status, _, html, body) = run(&app, &who, &case).await;
        assert_eq!(status, 200, "{}", case.label);
        judge(&who, &case.label, status, html, &body, false);
    }
    // The confirmed deletes that end the corrections went through; the
    // records of another commune and the decision in use are still there.
    assert!(st
        .registration_of(11914, doomed_registration)
        .await
        .is_err());
    assert!(st.contest_of(11914, doomed_contest).await.is_err());
    assert!(st.campaign_of(11914, doomed_campaign).await.is_err());
    assert!(st.document_of(11914, doomed_document).await.is_err());
    st.registration_of(11948, far_registration).await.unwrap();
    st.campaign_of(11948, far_campaign).await.unwrap();
    st.document_of(11948, far_document).await.unwrap();
    st.document_of(11914, decision).await.unwrap();
    // Accepted text is stored as typed (cleaned), not altered or cut.
    let villages = st.villages(11914, None).await.unwrap();
    for name in [
        SCRIPT,
        IMG,
        "'; DROP TABLE villages; --",
        "{{}}",
        "😀🇻🇳👨‍👩‍👧 số",
        "\u{202e}gnp.exe",
        &"Ấ".repeat(120),
    ] {
        let stored = toso_domain::clean_text(name);
        if !villages.iter().any(|v| v.name == stored) {
            who.failures
                .lock()
                .unwrap()
                .push(format!("village «{name}» not stored as typed"));
        }
    }
    println!(
        "{backend:?}: {total} form and query cases ({refused} refused), {uploads} uploads, {:?}; looks {:?}",
        started.elapsed(),
        watch.cost
    );
    assert!(total + uploads >= 200);
    let failures = who.failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.stop().await;
}

/// Hostile uploads: file names, contents, kinds, dates, the commit token.
async fn imports(app: &TestApp, who: &Sessions) -> usize {
    let roster =
        "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ / đơn vị,Chức danh trong Tổ,SĐT,Thôn/TDP\n\
                  1,Khúc Văn Thử,1980,Nam,Trưởng thôn,Tổ trưởng,912345001,Thôn Nhập Mới\n";
    let script_row = format!(
        "STT,Họ và tên,Năm sinh,Giới tính,Chức vụ / đơn vị,Chức danh trong Tổ,SĐT,Thôn/TDP\n\
         1,{SCRIPT},1980,Nam,{IMG},Tổ trưởng,912345001,{SCRIPT}\n"
    );
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend(std::iter::repeat_n(0u8, 200));
    let files: Vec<(String, Vec<u8>)> = vec![
        ("../../etc/passwd.csv".into(), roster.as_bytes().to_vec()),
        (format!("{SCRIPT}.csv"), roster.as_bytes().to_vec()),
        (format!("{IMG}.csv"), roster.as_bytes().to_vec()),
        ("a\0b.csv".into(), roster.as_bytes().to_vec()),
        (
            format!("{}.csv", "x".repeat(5000)),
            roster.as_bytes().to_vec(),
        ),
        (
            "C:\\Windows\\win.ini.csv".into(),
            roster.as_bytes().to_vec(),
        ),
        ("noi-dung-xau.csv".into(), script_row.into_bytes()),
        (
            "cong-thuc.csv".into(),
            roster
                .replace("Khúc Văn Thử", "=cmd|' /C calc'!A0")
                .into_bytes(),
        ),
        ("rong.csv".into(), Vec::new()),
        ("rong.xlsx".into(), Vec::new()),
        ("hong.xlsx".into(), zip.clone()),
        ("hong.zip".into(), zip),
        (
            "nhi-phan.csv".into(),
            (0..=255u8).cycle().take(4096).collect(),
        ),
        ("utf16.csv".into(), b"\xff\xfeS\0T\0T\0".to_vec()),
        ("khong-dong.csv".into(), b"STT\n".to_vec()),
        ("ngoac.csv".into(), b"\"\"\"\n\"".to_vec()),
        ("anh.png".into(), b"\x89PNG\r\n\x1a\nnot a sheet".to_vec()),
        ("lon.csv".into(), roster.repeat(60_000).into_bytes()),
        ("".into(), roster.as_bytes().to_vec()),
    ];
    let mut n = 0;
    for (name, bytes) in files {
        let (status, html, page) = upload(
            app,
            who,
            &[("kind", "members"), ("established_on", "01/11/2025")],
            &name,
            bytes,
        )
        .await;
        let label = format!("upload «{}»", name.chars().take(60).collect::<String>());
        judge(who, &label, status, html, &page, false);
        n += 1;
    }
    for (kind, date) in [
        ("khong_co", "01/11/2025"),
        (SCRIPT, "01/11/2025"),
        ("", "01/11/2025"),
        ("members", "31/02/2025"),
        ("members", SCRIPT),
        ("members", "99999999999999999999"),
    ] {
        let (status, html, page) = upload(
            app,
            who,
            &[("kind", kind), ("established_on", date)],
            "danh-sach.csv",
            roster.as_bytes().to_vec(),
        )
        .await;
        let label = format!("upload kind={kind} established_on={date}");
        judge(who, &label, status, html, &page, true);
        n += 1;
    }
    for token in ["", "abc", SCRIPT, "%FF", &"0".repeat(10_000)] {
        let case = Case {
            label: format!(
                "commit upload={}",
                token.chars().take(20).collect::<String>()
            ),
            who: Who::Officer,
            get: false,
            path: format!("{C}/import/commit"),
            body: enc("upload", token),
            refuse: true,
        };
        let (status, _, html, page) = run(app, who, &case).await;
        judge(who, &case.label, status, html, &page, true);
        n += 1;
    }
    // Columns chosen by hand: for an unknown upload, then hostile choices
    // for a staged one (each refused with its reason; the upload stays
    // staged under a new token).
    for token in ["", "abc", SCRIPT, "%FF", &"0".repeat(10_000)] {
        let case = Case {
            label: format!(
                "columns upload={}",
                token.chars().take(20).collect::<String>()
            ),
            who: Who::Officer,
            get: false,
            path: format!("{C}/import/columns"),
            body: format!("{}&col_full_name=1", enc("upload", token)),
            refuse: true,
        };
        let (status, _, html, page) = run(app, who, &case).await;
        judge(who, &case.label, status, html, &page, true);
        n += 1;
    }
    let (_, _, mut page) = upload(
        app,
        who,
        &[("kind", "members"), ("established_on", "01/11/2025")],
        "chon-cot.csv",
        roster.as_bytes().to_vec(),
    )
    .await;
    for (field, value) in [
        ("col_full_name", "abc"),
        ("col_full_name", "-1"),
        ("col_full_name", "99999999999999999999"),
        ("col_full_name", "256"),
        ("col_full_name", SCRIPT),
        ("col_full_name", "1.5"),
        ("col_full_name", "200"),
        ("col_village", "1"),
    ] {
        let token = page
            .split("name=\"upload\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_string();
        // col_village=1 repeats col_full_name's column.
        let full_name = if field == "col_village" { "1" } else { value };
        let case = Case {
            label: format!(
                "columns {field}={}",
                value.chars().take(20).collect::<String>()
            ),
            who: Who::Officer,
            get: false,
            path: format!("{C}/import/columns"),
            body: format!(
                "{}&{}&{}",
                enc("upload", &token),
                enc("col_full_name", full_name),
                enc(
                    "col_village",
                    if field == "col_village" { value } else { "7" }
                )
            ),
            refuse: true,
        };
        let (status, _, html, answer) = run(app, who, &case).await;
        judge(who, &case.label, status, html, &answer, true);
        if !answer.contains("name=\"upload\"") {
            who.failures
                .lock()
                .unwrap()
                .push(format!("{}: the staged upload was lost", case.label));
        }
        page = answer;
        n += 1;
    }
    // An upload sent as a urlencoded form, and one with a broken boundary.
    for (ctype, body) in [
        (
            "application/x-www-form-urlencoded",
            format!("kind=members&csrf={}", who.token),
        ),
        (
            "multipart/form-data; boundary=zzz",
            "--zzz\r\nnot a part".to_string(),
        ),
        ("multipart/form-data", "garbage".to_string()),
        ("application/json", "{\"kind\":\"members\"}".to_string()),
    ] {
        let res = app
            .client
            .post(app.url(&format!("{C}/import?csrf={}", who.token)))
            .header("content-type", ctype)
            .header(
                "cookie",
                format!("toso_csrf={}; toso_session={}", who.token, who.officer),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, _, html, page) = read(res).await;
        judge(
            who,
            &format!("upload as {ctype}"),
            status,
            html,
            &page,
            true,
        );
        // A broken body is asked for again, not called too large.
        if ctype.contains("boundary=zzz")
            && (status != 422 || !page.contains("không đọc được (bị ngắt giữa chừng hoặc hỏng)"))
        {
            who.failures.lock().unwrap().push(format!(
                "upload with a broken part: {status}, not asked again"
            ));
        }
        n += 1;
    }
    // An upload over the limit: too large, said with the limit.
    let limit = toso_sheets::DEFAULT_MAX_BYTES as usize;
    let over = vec![b'x'; limit + 2 * 1024 * 1024];
    let (status, html, page) = upload(app, who, &[("kind", "members")], "lon.csv", over).await;
    judge(who, "upload over the limit", status, html, &page, true);
    let said = format!("Tệp quá lớn: chỉ nhận tệp đến {} MB.", limit / 1024 / 1024);
    if status != 413 || !page.contains(&said) {
        who.failures
            .lock()
            .unwrap()
            .push(format!("upload over the limit: {status}, not «{said}»"));
    }
    n + 1
}

async fn upload(
    app: &TestApp,
    who: &Sessions,
    fields: &[(&str, &str)],
    name: &str,
    bytes: Vec<u8>,
) -> (u16, bool, String) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let res = app
        .client
        .post(app.url(&format!("{C}/import?csrf={}", who.token)))
        .header(
            "cookie",
            format!("toso_csrf={}; toso_session={}", who.token, who.officer),
        )
        .multipart(form)
        .send()
        .await;
    let res = match res {
        Ok(res) => res,
        Err(e) => panic!("upload «{name}»: no answer: {e}"),
    };
    let (status, _, html, page) = read(res).await;
    (status, html, page)
}

// ---------------------------------------------------------------------------
// The citizens' forms (issue 20)
// ---------------------------------------------------------------------------

/// What the server answered a form.
struct Answer {
    status: u16,
    location: String,
    page: String,
}

/// POST `body` (already encoded) to `path` with a CSRF token, as `session`
/// (or anonymous), from the client address `address` (the server sits
/// behind a loopback peer, so `X-Forwarded-For` names the client).
async fn send(
    app: &TestApp,
    session: Option<&str>,
    path: &str,
    body: &str,
    address: &str,
) -> Answer {
    let (token, mut cookie) = app.csrf().await;
    if let Some(s) = session {
        cookie.push_str(&format!("; toso_session={s}"));
    }
    let body = if body.is_empty() {
        format!("csrf={token}")
    } else {
        format!("{body}&csrf={token}")
    };
    let res = app
        .client
        .post(app.url(path))
        .header("cookie", cookie)
        .header("x-forwarded-for", address)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    Answer {
        status,
        location,
        page: res.text().await.unwrap_or_default(),
    }
}

/// The message shown beside `field` (`<p class="error-text" id="e-…">`).
fn error_beside(page: &str, field: &str) -> Option<String> {
    let marker = format!("id=\"e-{field}\">");
    let at = page.find(&marker)? + marker.len();
    let end = page[at..].find("</p>")?;
    Some(page[at..at + end].to_string())
}

/// Requests of the demo commune, all states.
async fn help_count(st: &toso_store::Store) -> usize {
    st.help_queue(11914, toso_store::QueueScope::Commune, None, 1000)
        .await
        .unwrap()
        .len()
}

/// One hostile value of a citizens' form: the field changed, the value,
/// the field the refusal must stand beside, text the page must show back
/// (the typed value, escaped).
struct Refusal {
    field: &'static str,
    value: V,
    beside: &'static str,
    kept: Option<String>,
}

fn refusal(field: &'static str, value: V, kept: Option<&str>) -> Refusal {
    Refusal {
        field,
        value,
        beside: field,
        kept: kept.map(str::to_string),
    }
}

/// Send each refusal through `path` and check the answer: 422, the
/// Vietnamese message beside its field, the typed input kept (the
/// unchanged fields' `shown` text and the changed field's), no raw markup,
/// never a 5xx. Whether anything was stored is the caller's check.
#[allow(clippy::too_many_arguments)]
async fn refuse_each(
    app: &TestApp,
    session: Option<&str>,
    path: &str,
    address: &str,
    base: &[(&str, String)],
    shown: &[(&str, &str)],
    cases: &[Refusal],
    failures: &mut Vec<String>,
) {
    for (n, case) in cases.iter().enumerate() {
        let label: String = format!("POST {path} {}={:?}", case.field, case.value)
            .chars()
            .take(160)
            .collect();
        let answer = send(
            app,
            session,
            path,
            &body(base, case.field, &case.value, n),
            address,
        )
        .await;
        if answer.status != 422 {
            failures.push(format!("{label}: answered {} not 422", answer.status));
            continue;
        }
        match error_beside(&answer.page, case.beside) {
            Some(message) if !message.is_ascii() => {}
            other => failures.push(format!(
                "{label}: no Vietnamese message beside {}: {other:?}",
                case.beside
            )),
        }
        for (field, text) in shown {
            if *field != case.field && !answer.page.contains(text) {
                failures.push(format!("{label}: the typed {field} «{text}» was lost"));
            }
        }
        if let Some(kept) = &case.kept {
            // Markup comes back as entities, named or numbered.
            let page = answer
                .page
                .replace("&#60;", "&lt;")
                .replace("&#62;", "&gt;");
            if !page.contains(kept.as_str()) {
                failures.push(format!(
                    "{label}: the typed value is not shown back ({})",
                    kept.chars().take(40).collect::<String>()
                ));
            }
        }
        for mark in [SCRIPT, "<b>", "<i>", "<!--", "<img"] {
            if answer.page.contains(mark) {
                failures.push(format!("{label}: unescaped {mark} in the page"));
            }
        }
    }
}

/// The citizens' forms: the public request form (no account), the
/// commune's deadlines and holidays, closing a request as done or "could
/// not help". Each hostile value is refused with 422 beside its field in
/// Vietnamese, the typed input kept, nothing stored, never a 5xx; hostile
/// submissions do not use up the address's intake limit; the limits
/// themselves refuse with 422 and store nothing.
async fn citizens_forms_refuse_hostile_input(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let officer = app.session.clone().unwrap();
    let st = app.db.store.clone();
    let today = toso_store::today();
    let leader = toso_testkit::account(&st, "totruong").await;
    let team = st.team(leader.team_id.unwrap()).await.unwrap();
    let village = team.village_id.unwrap();
    let code = st.village_code(village).await.unwrap();
    let public = format!("/v/{code}");
    let mut failures = Vec::new();
    // The demo's two requests: today's (to close) and the escalated one.
    let demo = st
        .help_queue(11914, toso_store::QueueScope::Commune, None, 1000)
        .await
        .unwrap();
    let request = demo.iter().find(|r| r.escalated_at.is_none()).unwrap().id;
    let late = demo.iter().find(|r| r.escalated_at.is_some()).unwrap().id;

    // The public form, anonymous, every hostile value from one address.
    let address = "203.0.113.7";
    let base = pairs(&[
        ("category", "vneid"),
        ("description", "Kích hoạt tài khoản VNeID mức 2"),
        ("citizen_name", "Nguyễn Thị Thử"),
        ("citizen_phone", "0912 345 678"),
        ("preferred_time", "Sáng thứ Bảy"),
        ("website", ""),
    ]);
    let shown = [
        ("category", "<option value=\"vneid\" selected>"),
        ("description", ">Kích hoạt tài khoản VNeID mức 2</textarea>"),
        ("citizen_name", "value=\"Nguyễn Thị Thử\""),
        ("citizen_phone", "value=\"0912 345 678\""),
        ("preferred_time", "value=\"Sáng thứ Bảy\""),
    ];
    let long = "Ấ".repeat(DESCRIPTION_MAX + 1);
    let mut cases = vec![
        refusal(
            "description",
            s("Cần <b>gấp</b> giúp"),
            Some("Cần &lt;b&gt;gấp"),
        ),
        refusal("description", s(SCRIPT), Some("&lt;script&gt;alert(1)")),
        refusal(
            "description",
            s("<!-- ẩn --> nộp hồ sơ"),
            Some("&lt;!-- ẩn"),
        ),
        refusal("description", s(format!("{IMG} ảnh")), None),
        refusal("description", s("Cần\u{7}giúp"), Some("giúp")),
        refusal("description", s("Hồ sơ\u{1b}[31m đỏ"), Some("đỏ")),
        refusal("description", s("a\0b"), None),
        refusal("description", s("Dòng một\u{8}\u{7f}"), None),
        refusal("description", s(long.clone()), Some(&long)),
        refusal("description", s("x".repeat(10_000)), None),
        refusal("citizen_name", V::Drop, None),
        refusal("citizen_name", s(""), None),
        refusal("citizen_name", s("   "), None),
        refusal("citizen_name", s("\u{feff}\u{200b}"), None),
        refusal("citizen_name", s("<b>An</b>"), Some("&lt;b&gt;An")),
        refusal("citizen_name", s(SCRIPT), None),
        refusal("citizen_name", s("Nguyễn Văn 3"), Some("Nguyễn Văn 3")),
        refusal("citizen_name", s("A"), None),
        refusal("citizen_name", s("Ấ".repeat(81)), None),
        refusal("citizen_name", s("'; DROP TABLE help_requests; --"), None),
        refusal("citizen_phone", V::Drop, None),
        refusal("citizen_phone", s(""), None),
        refusal("citizen_phone", s("12345"), Some("value=\"12345\"")),
        refusal("citizen_phone", s("abc"), None),
        refusal("citizen_phone", s("+1 202 555 0100"), None),
        refusal("citizen_phone", s("0912 345 678 999"), None),
        refusal("citizen_phone", s(SCRIPT), None),
        refusal("citizen_phone", s("0x10"), None),
        refusal("citizen_phone", s("9".repeat(10_000)), None),
        refusal("category", s("khong_co"), None),
        refusal("category", s(""), None),
        refusal("category", V::Drop, None),
        refusal("category", s(SCRIPT), None),
        refusal("category", V::Raw("%FF"), None),
        refusal("category", s("'; DROP TABLE help_requests; --"), None),
        refusal("preferred_time", s("<i>sáng</i>"), Some("&lt;i&gt;sáng")),
        refusal("preferred_time", s("sáng\u{7}"), None),
        refusal(
            "preferred_time",
            s("x".repeat(PREFERRED_TIME_MAX + 1)),
            None,
        ),
    ];
    // The honeypot: a script fills in the hidden field; refused with a
    // message above the description, nothing stored.
    for bait in ["http://spam.example", "x"] {
        cases.push(Refusal {
            field: "website",
            value: s(bait),
            beside: "description",
            kept: None,
        });
    }
    let before = help_count(&st).await;
    refuse_each(
        &app,
        None,
        &public,
        address,
        &base,
        &shown,
        &cases,
        &mut failures,
    )
    .await;
    assert_eq!(
        help_count(&st).await,
        before,
        "a refused citizen's request was stored"
    );
    // Signed in or not, the same form refuses the same way.
    refuse_each(
        &app,
        Some(&officer),
        &public,
        address,
        &base,
        &shown,
        &cases[..3],
        &mut failures,
    )
    .await;
    assert_eq!(help_count(&st).await, before);
    // A code that leads nowhere: the friendly 404, nothing stored.
    // Not even text (`%FF`, `%C3%28`) is a code that leads nowhere too.
    for path in [
        "/v/ZZZZZZZZ",
        "/v/abc",
        "/v/%3Cscript%3E",
        "/v/%FF",
        "/v/AB%C3%28CD",
    ] {
        let answer = send(&app, None, path, &body(&base, "", &V::Drop, 0), address).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(answer.page.contains("Không tìm thấy thôn"), "{path}");
        let (status, page) = app.text(path).await;
        assert_eq!(status, 404, "GET {path}");
        assert!(page.contains("Không tìm thấy thôn"), "GET {path}");
    }
    for path in ["/tra-cuu/%FF", "/tra-cuu/AB%FECD"] {
        let (status, page) = app.text(path).await;
        assert_eq!(status, 404, "GET {path}");
        assert!(page.contains("mã"), "GET {path}: {page}");
    }
    assert_eq!(help_count(&st).await, before);

    // The hostile submissions used none of the address's five: a valid
    // request at the description's limit, then four more, pass; the sixth
    // is refused beside the description, nothing stored.
    let at_limit = "Ấ".repeat(DESCRIPTION_MAX);
    let valid = body(&base, "description", &s(at_limit), 0);
    for i in 0..5 {
        let answer = send(&app, None, &public, &valid, address).await;
        assert_eq!(answer.status, 303, "valid request {i} from {address}");
        assert!(
            answer.location.starts_with("/tra-cuu/"),
            "{}",
            answer.location
        );
        assert_eq!(help_count(&st).await, before + i + 1);
        if i == 0 {
            let (status, page) = app.text(&answer.location).await;
            assert_eq!(status, 200);
            assert!(!page.contains("Nguyễn Thị Thử") && !page.contains("0912 345 678"));
        }
    }
    let answer = send(&app, None, &public, &valid, address).await;
    assert_eq!(answer.status, 422, "the sixth request of an address");
    assert!(error_beside(&answer.page, "description").is_some_and(|m| m.contains("15 phút")));
    assert!(answer.page.contains("value=\"Nguyễn Thị Thử\""));
    assert_eq!(help_count(&st).await, before + 5);
    // Other addresses go on until the village's hourly limit, which
    // refuses the same way.
    let village_hour = |st: toso_store::Store| async move {
        let hour_ago = chrono::Utc::now() - Duration::hours(1);
        st.help_queue(11914, toso_store::QueueScope::Commune, None, 1000)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.village_id == village && r.received_at > hour_ago)
            .count() as i64
    };
    let mut refused_at = None;
    for i in 0..toso_store::help::VILLAGE_HOURLY_LIMIT {
        let stored = help_count(&st).await;
        let answer = send(&app, None, &public, &valid, &format!("198.51.100.{i}")).await;
        match answer.status {
            303 => assert_eq!(help_count(&st).await, stored + 1),
            422 => {
                assert!(error_beside(&answer.page, "description")
                    .is_some_and(|m| m.contains("quá nhiều yêu cầu")));
                assert_eq!(
                    help_count(&st).await,
                    stored,
                    "a refused request was stored"
                );
                refused_at = Some(village_hour(st.clone()).await);
                break;
            }
            other => panic!("request from 198.51.100.{i}: {other}"),
        }
    }
    assert_eq!(
        refused_at,
        Some(toso_store::help::VILLAGE_HOURLY_LIMIT),
        "the village's hourly limit"
    );

    // The commune's deadlines and holidays, as its officer.
    let path = "/communes/11914/requests/settings";
    let settings = st.help_settings(11914).await.unwrap();
    let holidays = st.holidays(11914).await.unwrap();
    let base = pairs(&[
        ("response_hours", "8"),
        ("resolution_days", "3"),
        ("retention_days", "90"),
        ("holidays", "01/01/2027 Tết Dương lịch"),
    ]);
    let shown = [
        ("response_hours", "value=\"8\""),
        ("resolution_days", "value=\"3\""),
        ("retention_days", "value=\"90\""),
        ("holidays", "01/01/2027 Tết Dương lịch</textarea>"),
    ];
    let many: Vec<String> = (0..101)
        .map(|i| toso_domain::format_date(today + Duration::days(i)))
        .collect();
    let mut cases = Vec::new();
    for (field, values) in [
        (
            "response_hours",
            vec!["0", "81", "-1", "abc", "1.5", "99999999999", "", SCRIPT],
        ),
        ("resolution_days", vec!["0", "31", "-3", "1e3"]),
        ("retention_days", vec!["6", "731", "0", "NaN"]),
    ] {
        for v in values {
            let kept = (!v.is_empty() && v != SCRIPT).then(|| format!("value=\"{v}\""));
            cases.push(refusal(field, s(v), kept.as_deref()));
        }
    }
    for (v, kept) in [
        ("31/02/2027 Ngày sai", Some("31/02/2027 Ngày sai")),
        ("Tết Dương lịch", None),
        ("01/01/2027 <b>Tết</b>", Some("&lt;b&gt;Tết")),
        ("01/01/2027 Tết\u{7}", None),
        ("2027-13-01 Tết", None),
        ("01/01/2027 Tết Dương lịch\n99/99/9999", Some("99/99/9999")),
    ] {
        cases.push(refusal("holidays", s(v), kept));
    }
    cases.push(refusal(
        "holidays",
        s(format!("01/01/2027 {}", "x".repeat(81))),
        None,
    ));
    cases.push(refusal("holidays", s(many.join("\n")), None));
    refuse_each(
        &app,
        Some(&officer),
        path,
        address,
        &base,
        &shown,
        &cases,
        &mut failures,
    )
    .await;
    let answer = send(
        &app,
        Some(&officer),
        path,
        &body(&base, "holidays", &s("01/01/2027 Tết\n31/02/2027 Sai"), 0),
        address,
    )
    .await;
    assert!(
        error_beside(&answer.page, "holidays").is_some_and(|m| m.starts_with("Dòng 2")),
        "the refused holiday names its line"
    );
    assert_eq!(st.help_settings(11914).await.unwrap(), settings);
    assert_eq!(st.holidays(11914).await.unwrap(), holidays);

    // Closing the demo's request of today as done, then as "could not
    // help": refused values leave it new, with no activity recorded.
    let far = (
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        today + Duration::days(1),
    );
    let activities = st.activities(11914, far.0, far.1).await.unwrap().len();
    let done = format!("/communes/11914/requests/{}/done", request);
    let base = pairs(&[
        ("category", "vneid"),
        ("citizens_helped", "2"),
        ("dossiers", "0"),
        ("note", "Đã gọi lại"),
    ]);
    let shown = [
        ("category", "<option value=\"vneid\" selected>"),
        ("citizens_helped", "value=\"2\""),
        ("dossiers", "value=\"0\""),
        ("note", "value=\"Đã gọi lại\""),
    ];
    let mut cases = Vec::new();
    for v in ["-1", "0", "abc", "1.5", "99999999999", "", "-0.5", SCRIPT] {
        let kept = (!v.is_empty() && v != SCRIPT).then(|| format!("value=\"{v}\""));
        cases.push(refusal("citizens_helped", s(v), kept.as_deref()));
    }
    cases.push(refusal("citizens_helped", V::Drop, None));
    for v in ["-2", "x", "1e3"] {
        cases.push(refusal("dossiers", s(v), Some(&format!("value=\"{v}\""))));
    }
    cases.push(refusal("category", s("khong_co"), None));
    cases.push(refusal("category", s(SCRIPT), None));
    cases.push(refusal("note", s("<b>x</b>"), Some("&lt;b&gt;x")));
    cases.push(refusal("note", s("x".repeat(301)), None));
    refuse_each(
        &app,
        Some(&officer),
        &done,
        address,
        &base,
        &shown,
        &cases,
        &mut failures,
    )
    .await;
    let unable = format!("/communes/11914/requests/{}/unable", request);
    let base = pairs(&[("reason", "Không liên lạc được")]);
    let mut cases = vec![
        refusal("reason", s(""), None),
        refusal("reason", s("   "), None),
        refusal("reason", V::Drop, None),
        refusal("reason", s(SCRIPT), Some("&lt;script&gt;")),
        refusal("reason", s("Lý do\u{7}"), None),
        refusal("reason", s("Ấ".repeat(REASON_MAX + 1)), None),
    ];
    cases.push(refusal("reason", s("\u{feff}\u{200b}"), None));
    refuse_each(
        &app,
        Some(&officer),
        &unable,
        address,
        &base,
        &[],
        &cases,
        &mut failures,
    )
    .await;
    let still = st.help_request(request).await.unwrap();
    assert_eq!(still.state, toso_domain::HelpState::New);
    assert_eq!(still.activity_id, None);
    assert_eq!(
        st.activities(11914, far.0, far.1).await.unwrap().len(),
        activities,
        "a refused closing recorded an activity"
    );

    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The bases were valid all along: the same forms, unchanged, save.
    let answer = send(
        &app,
        Some(&officer),
        path,
        &body(
            &pairs(&[
                ("response_hours", "8"),
                ("resolution_days", "3"),
                ("retention_days", "90"),
                ("holidays", "01/01/2027 Tết Dương lịch"),
            ]),
            "",
            &V::Drop,
            0,
        ),
        address,
    )
    .await;
    assert_eq!(answer.status, 303, "the settings' base is valid");
    assert_eq!(st.holidays(11914).await.unwrap().len(), 1);
    let answer = send(
        &app,
        Some(&officer),
        &done,
        &body(
            &pairs(&[
                ("category", "vneid"),
                ("citizens_helped", "2"),
                ("dossiers", "0"),
                ("note", "Đã gọi lại"),
            ]),
            "",
            &V::Drop,
            0,
        ),
        address,
    )
    .await;
    assert_eq!(answer.status, 303, "the done form's base is valid");
    let closed = st.help_request(request).await.unwrap();
    assert_eq!(closed.state, toso_domain::HelpState::Done);
    assert!(closed.activity_id.is_some());
    assert_eq!(
        st.activities(11914, far.0, far.1).await.unwrap().len(),
        activities + 1
    );
    let answer = send(
        &app,
        Some(&officer),
        &format!("/communes/11914/requests/{late}/unable"),
        "reason=Kh%C3%B4ng+li%C3%AAn+l%E1%BA%A1c+%C4%91%C6%B0%E1%BB%A3c",
        address,
    )
    .await;
    assert_eq!(answer.status, 303, "the unable form's base is valid");
    assert_eq!(
        st.help_request(late).await.unwrap().state,
        toso_domain::HelpState::Unable
    );
    app.stop().await;
}

/// The API's writes with hostile JSON (issue 23), with write tokens of the
/// commune's officer, the team's leader and a member: every mutation of a
/// valid body — a field left out, of the wrong type, out of range, too
/// long, an unknown field, a body that is not an object, not JSON or not
/// UTF-8, a bad `Idempotency-Key` — is refused with a 4xx problem document
/// naming what was wrong, and writes nothing.
async fn api_writes_refuse_hostile_json(backend: Backend) {
    use serde_json::{json, Value};
    // No rate limit: every case must reach the handler (a 429 would pass
    // as a refusal and hide what the case tests).
    let limits = toso_web::Limits {
        api_requests_per_minute: 0,
        ..Default::default()
    };
    let app = TestApp::spawn_with(toso_testkit::TestDb::with_demo(backend).await, limits).await;
    let st = app.db.store.clone();
    let today = toso_store::today();
    let leader = toso_testkit::account(&st, "totruong").await;
    let team = leader.team_id.unwrap();
    let mut tokens = Vec::new();
    for login in ["canboxa", "totruong", "thanhvien"] {
        let user = toso_testkit::account(&st, login).await;
        let (_, secret) = st
            .create_api_token(
                &Actor::system("test"),
                user.id,
                Name::parse("hostile").unwrap(),
                toso_store::TokenScope::Write,
                None,
            )
            .await
            .unwrap();
        tokens.push((login, secret));
    }
    let member = toso_testkit::account(&st, "thanhvien").await;
    let activity = st
        .create_activity(
            &Actor {
                user_id: Some(member.id),
                name: member.username.clone(),
                address: None,
            },
            toso_store::NewActivity {
                team_id: team,
                activity_date: today,
                category: toso_domain::SupportCategory::Vneid,
                citizens_helped: 2,
                dossiers: 0,
                note: None,
                co_members: Vec::new(),
            },
        )
        .await
        .unwrap();
    let person = st.team_members(team, Some(today)).await.unwrap()[0]
        .membership
        .person_id;
    let day = today.to_string();
    // The demo's request of today, which all three may act on.
    let help = st
        .help_queue(11914, toso_store::QueueScope::Commune, None, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.escalated_at.is_none())
        .unwrap()
        .id;
    let help = format!("/api/v1/communes/11914/help-requests/{help}");
    // (method, path, a valid body, its fields and hostile values for each).
    let long = "x".repeat(100_000);
    let routes: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            format!("/api/v1/communes/11914/teams/{team}/activities"),
            json!({"activity_date": day, "category": "vneid", "citizens_helped": 2, "dossiers": 0, "note": "ghi chú", "co_members": []}),
        ),
        (
            "PUT",
            format!("/api/v1/communes/11914/activities/{}", activity.id),
            json!({"activity_date": day, "category": "vneid", "citizens_helped": 3, "dossiers": 1, "note": "sửa"}),
        ),
        (
            "POST",
            format!("/api/v1/communes/11914/teams/{team}/duty-days"),
            json!({"held_on": day, "place": "Nhà văn hóa", "members": [person], "note": ""}),
        ),
        // Taking a request has no fields: only the generic bodies.
        ("POST", format!("{help}/take"), json!({})),
        (
            "POST",
            format!("{help}/done"),
            json!({"category": "vneid", "citizens_helped": 1, "dossiers": 0, "note": "ghi chú"}),
        ),
        (
            "POST",
            format!("{help}/unable"),
            json!({"reason": "Không liên lạc được", "hand_over": false}),
        ),
    ];
    let hostile = |field: &str| -> Vec<Value> {
        let mut values = vec![
            Value::Null,
            json!([]),
            json!({}),
            json!(true),
            json!(1.5),
            json!(SCRIPT),
            json!("\u{0}"),
            json!(99_999_999_999_999_999u64),
            json!(-1),
        ];
        if field.ends_with("date") || field == "held_on" {
            values.extend([
                json!("2025-02-30"),
                json!("30/02/2025"),
                json!("0000-01-01"),
                json!("9999-12-31"),
                json!((today + Duration::days(1)).to_string()),
                json!(""),
            ]);
        }
        if field == "place" {
            values.extend([json!(""), json!("   "), json!(long.clone())]);
        }
        if field == "members" || field == "co_members" {
            values.extend([json!([0]), json!([999_999_999]), json!(["a"]), json!([-5])]);
        }
        if field == "category" {
            // (The code is read as the form reads it: "VNEID " is vneid.)
            values.extend([json!(""), json!("khong_co"), json!("vneid'")]);
        }
        values
    };
    let mut failures = Vec::new();
    let mut watch = Watch::new(&app).await;
    for (login, token) in &tokens {
        for (method, path, valid) in &routes {
            let mut bodies: Vec<(String, Vec<u8>, &str)> = Vec::new();
            let fields: Vec<String> = valid.as_object().unwrap().keys().cloned().collect();
            for field in &fields {
                let mut dropped = valid.clone();
                dropped.as_object_mut().unwrap().remove(field);
                // (Closing a request as done takes the request's category
                // when none is given.)
                let optional = field == "category" && path.contains("/help-requests/");
                if !optional
                    && matches!(
                        field.as_str(),
                        "activity_date"
                            | "category"
                            | "citizens_helped"
                            | "held_on"
                            | "place"
                            | "members"
                            | "reason"
                    )
                {
                    bodies.push((
                        format!("without {field}"),
                        dropped.to_string().into_bytes(),
                        "application/json",
                    ));
                }
                for v in hostile(field) {
                    // Values a field accepts (a note may hold any text, an
                    // optional field may be null) are not hostile to it.
                    let accepted = match field.as_str() {
                        "note" => v.is_string() || v.is_null(),
                        "dossiers" => v.is_null(),
                        "co_members" => v == json!([]),
                        "place" => {
                            v.is_string()
                                && !v.as_str().unwrap().trim().is_empty()
                                && v.as_str().unwrap().len() < 1000
                                && v.as_str() != Some("\u{0}")
                        }
                        "citizens_helped" => v.is_u64() && v.as_u64().unwrap() < 10_000,
                        "category" => v.is_null() && path.contains("/help-requests/"),
                        // Either answer is a valid one (a hand-over, or not).
                        "hand_over" => v.is_null() || v.is_boolean(),
                        _ => false,
                    };
                    if accepted {
                        continue;
                    }
                    let mut body = valid.clone();
                    body[field.as_str()] = v.clone();
                    bodies.push((
                        format!("{field}={v}").chars().take(80).collect(),
                        body.to_string().into_bytes(),
                        "application/json",
                    ));
                }
            }
            let mut unknown = valid.clone();
            unknown["created_by"] = json!(1);
            bodies.push((
                "unknown field".into(),
                unknown.to_string().into_bytes(),
                "application/json",
            ));
            bodies.push(("an array".into(), b"[]".to_vec(), "application/json"));
            bodies.push((
                "not JSON".into(),
                b"{\"activity_date\":".to_vec(),
                "application/json",
            ));
            bodies.push((
                "not UTF-8".into(),
                b"{\"note\": \"\xff\xfe\"}".to_vec(),
                "application/json",
            ));
            bodies.push(("empty".into(), Vec::new(), "application/json"));
            bodies.push((
                "a form".into(),
                b"activity_date=2025-11-20".to_vec(),
                "application/x-www-form-urlencoded",
            ));
            bodies.push((
                "JSON twice".into(),
                format!("{valid}{valid}").into_bytes(),
                "application/json",
            ));
            let place = format!("{method} {path} as {login}");
            failures.extend(watch.before(&app, Some(&place)).await);
            for (label, body, media) in bodies {
                // No body is how one takes a request: not hostile to it.
                if label == "empty" && path.ends_with("/take") {
                    continue;
                }
                let res = app
                    .client
                    .request(
                        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                        app.url(path),
                    )
                    .bearer_auth(token)
                    .header("content-type", media)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let kind = res
                    .headers()
                    .get("content-type")
                    .and_then(|t| t.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let text = res.text().await.unwrap_or_default();
                let problem: Value = serde_json::from_str(&text).unwrap_or_default();
                if !(400..500).contains(&status)
                    || kind != "application/problem+json"
                    || problem["detail"].as_str().is_none_or(str::is_empty)
                {
                    failures.push(format!(
                        "{method} {path} as {login}, {label}: {status} {kind} {text}"
                    ));
                }
                if status == 422 && problem["field"].as_str().is_none_or(str::is_empty) {
                    failures.push(format!(
                        "{method} {path} as {login}, {label}: 422 without the field: {text}"
                    ));
                }
                let label = format!("{place}, {label}");
                failures.extend(watch.after(&app, &place, &label, status >= 400).await);
            }
            // Idempotency keys that are not keys.
            for key in ["", " ", "có-dấu", &"k".repeat(256)] {
                let res = app
                    .client
                    .request(
                        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                        app.url(path),
                    )
                    .bearer_auth(token)
                    .header("idempotency-key", key.as_bytes())
                    .json(valid)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                if !(400..500).contains(&status) {
                    failures.push(format!(
                        "{method} {path} as {login}, Idempotency-Key {key:?}: {status}"
                    ));
                }
                let label = format!("{place}, Idempotency-Key {key:?}");
                failures.extend(watch.after(&app, &place, &label, status >= 400).await);
            }
        }
    }
    failures.extend(watch.settle(&app).await);
    println!("{backend:?}: API writes' looks {:?}", watch.cost);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.stop().await;
}
