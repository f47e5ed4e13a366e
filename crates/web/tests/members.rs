//! A member's role history through the real server: the member form takes
//! the date a new role takes effect, the member page shows the history, the
//! person page lists every membership, and a refusal writes nothing.

use toso_domain::{Role, UserRole};
use toso_testkit::{both_backends, Backend, TestApp};

both_backends!(role_history_through_the_member_form);

const C: &str = "/communes/11914";

async fn role_history_through_the_member_form(backend: Backend) {
    let app = TestApp::demo_as(backend, "canboxa").await;
    let store = &app.db.store;
    let team = store
        .teams(11914)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.village_id.is_some())
        .unwrap();
    let member = store
        .team_members(team.id, Some(toso_store::today()))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.membership.role == Role::ThanhVien)
        .unwrap();
    let mid = member.membership.id;
    let form = |role: &'static str, from: &'static str| {
        vec![
            ("full_name", member.full_name.clone()),
            ("gender", member.gender.clone().unwrap_or_default()),
            (
                "birth_year",
                member.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            ),
            ("phone", member.phone.clone().unwrap_or_default()),
            ("role", role.to_string()),
            (
                "affiliation",
                member.membership.affiliation.code().to_string(),
            ),
            ("role_from", from.to_string()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&format!("{C}/members/{mid}"), &pairs).await
        }
    };

    // The form offers the date, today by default.
    let page = app.html(&format!("{C}/members/{mid}")).await;
    assert!(page.contains("name=\"role_from\""));
    assert!(page.contains(&toso_domain::format_date(toso_store::today())));

    // A date before the member joined is refused beside the field.
    let res = post(form("to_pho", "01/01/2001")).await;
    assert_eq!(res.status().as_u16(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Ngày hiệu lực không được trước ngày tham gia tổ"));
    assert_eq!(store.membership(mid).await.unwrap().role, Role::ThanhVien);

    // Promoted from 01/12/2025.
    let res = post(form("to_pho", "01/12/2025")).await;
    assert_eq!(res.status().as_u16(), 303);
    let m = store.membership(mid).await.unwrap();
    assert_eq!(
        (m.role, m.role_since),
        (Role::ToPho, chrono::NaiveDate::from_ymd_opt(2025, 12, 1))
    );
    // The member page shows the history: member until 30/11/2025, deputy since.
    let page = app.html(&format!("{C}/members/{mid}")).await;
    let history = &page[page.find("Quá trình chức danh").unwrap()..];
    let rows: Vec<&str> = history.split("<tr>").skip(2).collect();
    assert!(
        rows[0].contains("30/11/2025") && rows[0].contains("Thành viên"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("01/12/2025") && rows[1].contains("Tổ phó") && rows[1].contains("nay")
    );

    // The person page lists the membership with both terms.
    let pid = member.membership.person_id;
    let page = app.html(&format!("{C}/people/{pid}")).await;
    assert!(page.contains(&member.full_name));
    assert!(page.contains(&team.name));
    assert!(page.contains("Tổ phó") && page.contains("Thành viên"));
    // A person of another commune is not found from this commune.
    let other = store
        .create_person(
            &toso_store::Actor::system("test"),
            toso_store::NewPerson {
                commune_code: 11948,
                full_name: toso_domain::PersonName::parse("Người Xã Khác").unwrap(),
                gender: None,
                birth_year: None,
                phone: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        app.get(&format!("{C}/people/{}", other.id))
            .await
            .status()
            .as_u16(),
        404
    );

    // A team member sees the member page but not the person page.
    let mut member_app = app;
    member_app.login("thanhvien").await;
    let me = toso_testkit::account(&member_app.db.store, "thanhvien").await;
    assert_eq!(me.role, UserRole::TeamMember);
    assert_eq!(
        member_app
            .get(&format!("{C}/people/{pid}"))
            .await
            .status()
            .as_u16(),
        403
    );
    member_app.stop().await;
}
