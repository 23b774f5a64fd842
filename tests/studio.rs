//! The Studio's REST API against a real mediator: projects, versions and their controls (and the
//! 400 paths), sharing modes (switching deletes the old settings; 4020 or hello through a real
//! game-client socket), editors' rights, the review flow (409 while pending), limits, cookie
//! sign-in with CSRF, and the `--admin` flag of `mixplay-server`.
#![cfg(feature = "server")]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::client::{serve_with, Served};
use common::studio::{call, large, studio_world, Api, Auth};
use common::{closed_with, game_with_headers, Connected};
use mixplay::protocol::Packet;
use mixplay::server::config::StudioLimits;
use mixplay::server::MediatorConfig;
use serde_json::{json, Value};

fn serve() -> (Served, Api) {
    serve_limited(StudioLimits::default())
}

fn serve_limited(studio: StudioLimits) -> (Served, Api) {
    let s = serve_with(studio_world(), MediatorConfig { studio, ..MediatorConfig::default() });
    let api = Api::new(&s.m.base_url());
    (s, api)
}

/// A game client of `token`'s user connecting with `version` (and a share code).
fn run_as(s: &Served, token: &str, version: u64, code: Option<&str>) -> Connected {
    let (auth, version) = (format!("Bearer {token}"), version.to_string());
    let mut headers =
        vec![("Authorization", auth.as_str()), ("X-Interactive-Version", &version), ("X-Protocol-Version", "2.0")];
    if let Some(code) = code {
        headers.push(("X-Interactive-Sharecode", code));
    }
    s.rt.block_on(game_with_headers(&s.m, &headers))
}

/// Whether the game client got `hello` (then it disconnects, freeing the channel) or the close
/// code it got instead.
fn outcome(s: &Served, token: &str, version: u64, code: Option<&str>) -> Result<(), u16> {
    match run_as(s, token, version, code) {
        Connected::Open(mut g) => s.rt.block_on(async {
            match g.next_packet().await {
                Packet::Method(m) if m.method == "hello" => {}
                other => panic!("expected hello, got {other:?}"),
            }
            g.close().await;
            Ok(())
        }),
        refused => Err(closed_with(refused)),
    }
}

/// The scenes a game client connecting with `version` gets (`getScenes`), by scene id.
fn scenes_seen(s: &Served, token: &str, version: u64) -> Value {
    let mut g = match run_as(s, token, version, None) {
        Connected::Open(g) => g,
        other => panic!("the game client was refused: {other:?}"),
    };
    s.rt.block_on(async {
        g.event("hello").await;
        let scenes = g.ok("getScenes", json!({})).await["scenes"].clone();
        g.close().await;
        scenes
    })
}

fn controls_of(scenes: &Value, scene: &str) -> Value {
    let scene = scenes.as_array().unwrap().iter().find(|s| s["sceneID"] == scene).expect("the scene");
    scene["controls"].clone()
}

fn two_controls() -> Value {
    json!({ "scenes": [ { "sceneID": "default", "controls": [
        { "controlID": "jump", "kind": "button", "text": "Jump", "cost": 5, "position": large(2, 1, 10, 5) },
        { "controlID": "aim", "kind": "joystick", "position": large(20, 2, 12, 12) }
    ] } ] })
}

#[test]
fn projects_are_created_listed_changed_and_deleted() {
    let (_s, api) = serve();
    let r = api.post("/games", "tok-owner", json!({ "name": "  Zombie Rush ", "description": "Spawn zombies" }));
    assert_eq!(r.status, 201, "{}", r.text);
    let game = r.body.clone();
    assert_eq!(
        (&game["name"], &game["description"], &game["ownerId"]),
        (&json!("Zombie Rush"), &json!("Spawn zombies"), &json!(1))
    );
    assert_eq!((&game["role"], &game["sharing"]), (&json!("owner"), &json!("owner")));
    let version = &game["versions"][0];
    assert_eq!(
        (&version["version"], &version["state"], &version["controlVersion"]),
        (&json!(1), &json!("draft"), &json!("2.0"))
    );
    let id = game["id"].as_u64().unwrap();

    let v = api.get(&format!("/versions/{}", version["id"]), "tok-owner");
    assert_eq!(v.status, 200);
    assert_eq!(v.body["gameId"], json!(id));
    assert_eq!(
        v.body["controls"],
        json!({ "scenes": [ { "sceneID": "default", "controls": [] } ],
        "groups": [ { "groupID": "default", "sceneID": "default" } ] }),
        "the default scene and group"
    );

    let list = api.get("/games", "tok-owner");
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(list.body[0]["latestVersion"]["state"], "draft");
    assert_eq!(api.get("/games", "tok-stranger").body, json!([]), "others see none of it");
    assert_eq!(api.get(&format!("/games/{id}"), "tok-stranger").status, 404);
    assert_eq!(api.get(&format!("/games/{id}"), "tok-admin").body["role"], "admin", "admins may read");

    let r = api.put(&format!("/games/{id}"), "tok-owner", json!({ "name": "Zombie Rush 2" }));
    assert_eq!(
        (r.status, &r.body["name"], &r.body["description"]),
        (200, &json!("Zombie Rush 2"), &json!("Spawn zombies"))
    );
    assert_eq!(api.put(&format!("/games/{id}"), "tok-admin", json!({ "name": "x" })).status, 403);

    for (body, says) in [
        (json!({}), "name is required"),
        (json!({ "name": "   " }), "must not be empty"),
        (json!({ "name": "x".repeat(81) }), "longer than 80"),
        (json!({ "name": 7 }), "must be text"),
        (json!([1]), "must be a JSON object"),
    ] {
        let r = api.post("/games", "tok-owner", body);
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(r.body["message"].as_str().unwrap().contains(says), "{}", r.text);
    }
    let raw = call("POST", &format!("{}/games", api.base), Auth::Bearer("tok-owner"), None);
    assert_eq!(raw.status, 400, "an empty body is not JSON");
    assert_eq!(call("GET", &format!("{}/games", api.base), Auth::None, None).status, 401);
    assert_eq!(api.get("/games", "not-a-token").status, 401);
    assert_eq!(api.get("/games/nope", "tok-owner").status, 404);

    assert_eq!(api.delete(&format!("/games/{id}"), "tok-admin").status, 403);
    assert_eq!(api.delete(&format!("/games/{id}"), "tok-owner").status, 204);
    assert_eq!(api.get(&format!("/games/{id}"), "tok-owner").status, 404);
    assert_eq!(api.get(&format!("/versions/{}", version["id"]), "tok-owner").status, 404, "its versions went too");
}

#[test]
fn saved_controls_come_back_and_bad_ones_are_refused_with_their_path() {
    let (_s, api) = serve();
    let (game, version) = api.create("tok-owner", "Controls");
    let path = format!("/versions/{version}");
    let r = api.put(&path, "tok-owner", json!({ "controls": two_controls() }));
    assert_eq!(r.status, 200, "{}", r.text);
    let saved = api.get(&path, "tok-owner").body;
    assert_eq!(saved["controls"]["scenes"], two_controls()["scenes"], "what was saved comes back exactly");

    let bad = |controls: Value| -> (String, String) {
        let r = api.put(&path, "tok-owner", json!({ "controls": controls }));
        assert_eq!(r.status, 400, "{}", r.text);
        (r.body["path"].as_str().unwrap().to_owned(), r.body["message"].as_str().unwrap().to_owned())
    };
    let scene = |controls: Value| json!({ "scenes": [ { "sceneID": "default", "controls": controls } ] });
    let (p, m) = bad(scene(json!([ { "controlID": "x", "kind": "slider" } ])));
    assert_eq!(p, "controls.scenes[0].controls[0].kind");
    assert!(m.contains("unknown kind “slider”"), "{m}");
    let (p, m) = bad(scene(json!([ { "controlID": "x", "kind": "button" }, { "controlID": "x", "kind": "label" } ])));
    assert_eq!(p, "controls.scenes[0].controls[1].controlID");
    assert!(m.contains("appears twice"), "{m}");
    let (p, m) = bad(scene(json!([ { "controlID": "x", "kind": "button", "position": large(71, 0, 10, 5) } ])));
    assert_eq!(p, "controls.scenes[0].controls[0].position[0]");
    assert!(m.contains("leaves the large grid"), "{m}");
    let (p, _) = bad(scene(json!([ { "controlID": "x", "kind": "button", "position": large(0, 16, 10, 5) } ])));
    assert_eq!(p, "controls.scenes[0].controls[0].position[0]", "below the grid");
    let (p, m) = bad(scene(json!([ { "controlID": "a", "kind": "button", "position": large(0, 0, 10, 5) },
        { "controlID": "b", "kind": "button", "position": large(5, 2, 10, 5) } ])));
    assert_eq!(p, "controls.scenes[0].controls[1].position[0]");
    assert!(m.contains("overlaps"), "{m}");
    let (p, _) = bad(scene(json!([ { "controlID": "a", "kind": "button", "keyCode": "J" } ])));
    assert_eq!(p, "controls.scenes[0].controls[0].keyCode");
    let (p, _) = bad(json!({ "scenes": [ { "sceneID": "a" } ], "groups": [ { "groupID": "g", "sceneID": "b" } ] }));
    assert_eq!(p, "controls.groups[0].sceneID");
    let (p, _) = bad(json!("scenes"));
    assert_eq!(p, "controls");
    assert_eq!(api.put(&path, "tok-owner", json!({})).status, 400, "controls is required");
    assert_eq!(api.get(&path, "tok-owner").body["controls"]["scenes"], two_controls()["scenes"], "nothing was lost");

    // Groups are kept when a save sends only scenes; one whose scene is gone shows the default.
    let with_lobby = json!({ "scenes": [ { "sceneID": "default" }, { "sceneID": "lobby" } ],
        "groups": [ { "groupID": "waiting", "sceneID": "lobby" } ] });
    assert_eq!(api.put(&path, "tok-owner", json!({ "controls": with_lobby })).status, 200);
    let r = api.put(&path, "tok-owner", json!({ "controls": { "scenes": [ { "sceneID": "default" } ] } }));
    assert_eq!(r.body["controls"]["groups"][1], json!({ "groupID": "waiting", "sceneID": "default" }));

    // A new version starts as a copy of the newest one.
    assert_eq!(api.put(&path, "tok-owner", json!({ "controls": two_controls() })).status, 200);
    let r = api.post(&format!("/games/{game}/versions"), "tok-owner", json!({}));
    assert_eq!((r.status, &r.body["version"], &r.body["state"]), (201, &json!(2), &json!("draft")));
    assert_eq!(r.body["controls"]["scenes"], two_controls()["scenes"]);
    let list = api.get(&format!("/games/{game}/versions"), "tok-owner").body;
    let numbers: Vec<&Value> = list.as_array().unwrap().iter().map(|v| &v["version"]).collect();
    assert_eq!(numbers, [&json!(1), &json!(2)]);
    assert_eq!(list[0]["controlVersion"], "2.0");
}

#[test]
fn a_game_client_gets_the_saved_controls_and_a_save_changes_only_the_next_session() {
    let (s, api) = serve();
    let (_, version) = api.create("tok-owner", "Live");
    let path = format!("/versions/{version}");
    assert_eq!(api.put(&path, "tok-owner", json!({ "controls": two_controls() })).status, 200);
    let scenes = scenes_seen(&s, "tok-owner", version);
    assert_eq!(
        controls_of(&scenes, "default"),
        two_controls()["scenes"][0]["controls"],
        "controls and positions as saved"
    );

    let mut g = match run_as(&s, "tok-owner", version, None) {
        Connected::Open(g) => g,
        other => panic!("refused: {other:?}"),
    };
    s.rt.block_on(g.event("hello"));
    let one =
        json!({ "scenes": [ { "sceneID": "default", "controls": [ { "controlID": "only", "kind": "label" } ] } ] });
    assert_eq!(api.put(&path, "tok-owner", json!({ "controls": one })).status, 200);
    let running = s.rt.block_on(g.ok("getScenes", json!({})))["scenes"].clone();
    assert_eq!(
        controls_of(&running, "default"),
        two_controls()["scenes"][0]["controls"],
        "the running session keeps its controls"
    );
    s.rt.block_on(g.close());
    let next = scenes_seen(&s, "tok-owner", version);
    assert_eq!(controls_of(&next, "default")[0]["controlID"], "only", "the next session gets the save");
}

#[test]
fn sharing_modes_exclude_each_other_and_decide_who_may_run_the_game() {
    let (s, api) = serve();
    let (game, version) = api.create("tok-owner", "Shared");
    let sharing = format!("/games/{game}/sharing");
    assert_eq!(api.get(&sharing, "tok-owner").body, json!({ "mode": "owner" }));
    assert_eq!(outcome(&s, "tok-owner", version, None), Ok(()));
    assert_eq!(outcome(&s, "tok-friend", version, None), Err(4020), "owner mode: only the owner");
    assert_eq!(outcome(&s, "tok-friend", version, Some("guess")), Err(4020));

    let r = api.put(&sharing, "tok-owner", json!({ "mode": "shareCode" }));
    assert_eq!((r.status, &r.body["mode"]), (200, &json!("shareCode")));
    let code = r.body["shareCode"].as_str().unwrap().to_owned();
    assert_eq!(api.get(&sharing, "tok-owner").body["shareCode"], json!(code));
    assert_eq!(outcome(&s, "tok-friend", version, Some(&code)), Ok(()), "anyone with the code");
    assert_eq!(outcome(&s, "tok-stranger", version, Some(&code)), Ok(()));
    assert_eq!(outcome(&s, "tok-friend", version, None), Err(4020));
    assert_eq!(outcome(&s, "tok-friend", version, Some("wrong")), Err(4020));
    let again =
        api.put(&sharing, "tok-owner", json!({ "mode": "shareCode" })).body["shareCode"].as_str().unwrap().to_owned();
    assert_ne!(again, code, "a new code");
    assert_eq!(outcome(&s, "tok-friend", version, Some(&code)), Err(4020), "the old code stopped working");

    let r = api.put(&sharing, "tok-owner", json!({ "mode": "explicit", "users": ["Friend"] }));
    assert_eq!(r.body, json!({ "mode": "explicit", "users": ["friend"] }));
    assert_eq!(outcome(&s, "tok-friend", version, None), Ok(()), "named users");
    assert_eq!(outcome(&s, "tok-stranger", version, Some(&again)), Err(4020), "switching deleted the code");
    assert_eq!(api.get(&sharing, "tok-owner").body, json!({ "mode": "explicit", "users": ["friend"] }));

    let r = api.put(&sharing, "tok-owner", json!({ "mode": "shareCode" }));
    let third = r.body["shareCode"].as_str().unwrap().to_owned();
    assert_eq!(outcome(&s, "tok-friend", version, None), Err(4020), "switching deleted the list");
    assert_eq!(outcome(&s, "tok-friend", version, Some(&third)), Ok(()));
    assert_eq!(api.put(&sharing, "tok-owner", json!({ "mode": "owner" })).body, json!({ "mode": "owner" }));
    assert_eq!(outcome(&s, "tok-friend", version, Some(&third)), Err(4020));
    let empty = api.put(&sharing, "tok-owner", json!({ "mode": "explicit", "users": [] }));
    assert_eq!(empty.body, json!({ "mode": "explicit", "users": [] }));

    for (body, says) in [
        (json!({ "mode": "everyone" }), "mode must be"),
        (json!({ "mode": "explicit" }), "users must be a list"),
        (json!({ "mode": "explicit", "users": ["friend", "nobody_here"] }), "no user named nobody_here"),
    ] {
        let r = api.put(&sharing, "tok-owner", body);
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(r.body["message"].as_str().unwrap().contains(says), "{}", r.text);
    }
    assert_eq!(
        api.get(&sharing, "tok-owner").body,
        json!({ "mode": "explicit", "users": [] }),
        "a refused change changes nothing"
    );
    assert_eq!(api.put(&sharing, "tok-stranger", json!({ "mode": "owner" })).status, 404);
    assert_eq!(api.put(&sharing, "tok-admin", json!({ "mode": "owner" })).status, 403);
    assert_eq!(outcome(&s, "tok-stranger", 999, None), Err(4020), "an unknown version");
}

#[test]
fn editors_work_as_if_they_owned_the_game_but_cannot_delete_it_or_choose_editors() {
    let (s, api) = serve();
    let (game, version) = api.create("tok-owner", "Team");
    let g = format!("/games/{game}");
    assert_eq!(api.get(&g, "tok-editor").status, 404);
    let r = api.put(&format!("{g}/editors/editor"), "tok-owner", json!({}));
    assert_eq!((r.status, &r.body), (200, &json!({ "editors": ["editor"] })));
    assert_eq!(api.get(&format!("{g}/editors"), "tok-editor").body, json!({ "editors": ["editor"] }));

    let list = api.get("/games", "tok-editor").body;
    assert_eq!((&list[0]["id"], &list[0]["role"]), (&json!(game), &json!("editor")));
    assert_eq!(api.put(&g, "tok-editor", json!({ "description": "by the team" })).status, 200);
    assert_eq!(
        api.put(&format!("/versions/{version}"), "tok-editor", json!({ "controls": two_controls() })).status,
        200
    );
    assert_eq!(api.post(&format!("{g}/versions"), "tok-editor", json!({})).status, 201);
    assert_eq!(api.put(&format!("{g}/sharing"), "tok-editor", json!({ "mode": "shareCode" })).status, 200);
    assert_eq!(outcome(&s, "tok-editor", version, None), Ok(()), "editors run it as owners do");

    assert_eq!(api.delete(&g, "tok-editor").status, 403);
    assert_eq!(api.put(&format!("{g}/editors/friend"), "tok-editor", json!({})).status, 403);
    assert_eq!(api.delete(&format!("{g}/editors/editor"), "tok-editor").status, 403);
    assert_eq!(api.post(&format!("/versions/{version}/submit"), "tok-editor", json!({})).status, 403);

    assert_eq!(api.put(&format!("{g}/editors/nobody_here"), "tok-owner", json!({})).status, 404);
    assert_eq!(api.put(&format!("{g}/editors/owner"), "tok-owner", json!({})).status, 400);
    let r = api.delete(&format!("{g}/editors/editor"), "tok-owner");
    assert_eq!(r.body, json!({ "editors": [] }));
    assert_eq!(api.get(&g, "tok-editor").status, 404, "a removed editor no longer sees it");
    assert_eq!(
        api.put(&format!("/versions/{version}"), "tok-editor", json!({ "controls": two_controls() })).status,
        404
    );
}

#[test]
fn a_version_is_submitted_reviewed_by_an_admin_and_published() {
    let (s, api) = serve();
    let (game, version) = api.create("tok-owner", "Review me");
    let (v, submit, review) =
        (format!("/versions/{version}"), format!("/versions/{version}/submit"), format!("/versions/{version}/review"));

    let r = api.post(&submit, "tok-owner", json!({}));
    assert_eq!(r.status, 400);
    assert!(r.text.contains("needs a description"), "{}", r.text);
    assert_eq!(api.put(&format!("/games/{game}"), "tok-owner", json!({ "description": "A game" })).status, 200);
    let r = api.post(&submit, "tok-owner", json!({}));
    assert!(r.status == 400 && r.text.contains("at least one control"), "{}", r.text);
    assert_eq!(api.put(&v, "tok-owner", json!({ "controls": two_controls() })).status, 200);
    let r = api.post(&submit, "tok-owner", json!({}));
    assert_eq!((r.status, &r.body["state"]), (200, &json!("pending")));

    let r = api.put(&v, "tok-owner", json!({ "controls": two_controls() }));
    assert_eq!(r.status, 409, "no changes while pending");
    assert!(r.text.contains("waiting for a review"), "{}", r.text);
    assert_eq!(api.put(&v, "tok-owner", json!({ "controls": "broken" })).status, 409, "409 comes before validation");
    assert_eq!(api.post(&submit, "tok-owner", json!({})).status, 409);
    assert_eq!(outcome(&s, "tok-stranger", version, None), Err(4020), "pending is not published");

    assert_eq!(api.get("/reviews", "tok-owner").status, 403);
    assert_eq!(api.post(&review, "tok-owner", json!({ "accept": true })).status, 403, "owners do not review");
    let pending = api.get("/reviews", "tok-admin").body;
    assert_eq!((&pending[0]["version"]["id"], &pending[0]["game"]["name"]), (&json!(version), &json!("Review me")));
    assert_eq!(pending[0]["version"]["controls"]["scenes"], two_controls()["scenes"], "the admin sees what to review");
    assert_eq!(api.get(&v, "tok-admin").status, 200);

    assert_eq!(api.post(&review, "tok-admin", json!({ "accept": false })).status, 400, "a refusal says why");
    assert_eq!(api.post(&review, "tok-admin", json!({ "accept": "yes" })).status, 400);
    let r = api.post(&review, "tok-admin", json!({ "accept": false, "feedback": "Make the button bigger" }));
    assert_eq!((&r.body["state"], &r.body["feedback"]), (&json!("draft"), &json!("Make the button bigger")));
    assert_eq!(api.get(&v, "tok-owner").body["feedback"], "Make the button bigger", "the owner reads the feedback");
    assert_eq!(api.get("/reviews", "tok-admin").body, json!([]));
    assert_eq!(api.post(&review, "tok-admin", json!({ "accept": true })).status, 409, "nothing to review");

    assert_eq!(api.put(&v, "tok-owner", json!({ "controls": two_controls() })).status, 200, "a draft again");
    assert_eq!(api.post(&submit, "tok-owner", json!({})).body["feedback"], "", "submitting again clears the feedback");
    let r = api.post(&review, "tok-admin", json!({ "accept": true, "feedback": "Looks great" }));
    assert_eq!((&r.body["state"], &r.body["feedback"]), (&json!("published"), &json!("Looks great")));
    assert_eq!(outcome(&s, "tok-stranger", version, None), Ok(()), "anyone may run a published version");
    assert_eq!(
        api.put(&v, "tok-owner", json!({ "controls": two_controls() })).status,
        409,
        "published versions do not change"
    );
    let next = api.post(&format!("/games/{game}/versions"), "tok-owner", json!({})).body;
    assert_eq!((&next["version"], &next["state"]), (&json!(2), &json!("draft")));
    assert_eq!(
        outcome(&s, "tok-stranger", next["id"].as_u64().unwrap(), None),
        Err(4020),
        "the new version is a draft"
    );
}

#[test]
fn the_studios_limits_are_enforced() {
    let limits = StudioLimits {
        projects_per_user: 2,
        versions_per_project: 2,
        members_per_project: 1,
        body_bytes: 2000,
        ..StudioLimits::default()
    };
    let (_s, api) = serve_limited(limits);
    let (game, version) = api.create("tok-owner", "one");
    api.create("tok-owner", "two");
    let r = api.post("/games", "tok-owner", json!({ "name": "three" }));
    assert!(r.status == 409 && r.text.contains("2 projects"), "{}", r.text);
    assert_eq!(api.post(&format!("/games/{game}/versions"), "tok-owner", json!({})).status, 201);
    assert_eq!(api.post(&format!("/games/{game}/versions"), "tok-owner", json!({})).status, 409);
    let r = api.put(
        &format!("/games/{game}/sharing"),
        "tok-owner",
        json!({ "mode": "explicit", "users": ["friend", "editor"] }),
    );
    assert!(r.status == 400 && r.text.contains("at most 1 users"), "{}", r.text);
    assert_eq!(api.put(&format!("/games/{game}/editors/editor"), "tok-owner", json!({})).status, 200);
    assert_eq!(api.put(&format!("/games/{game}/editors/friend"), "tok-owner", json!({})).status, 409);
    let many: Vec<Value> = (0..80).map(|i| json!({ "controlID": format!("label{i}"), "kind": "label" })).collect();
    let r = api.put(
        &format!("/versions/{version}"),
        "tok-owner",
        json!({ "controls": { "scenes": [ { "sceneID": "default", "controls": many } ] } }),
    );
    assert_eq!(r.status, 413, "{}", r.text);
}

#[test]
fn a_browser_session_needs_the_csrf_token_to_change_anything() {
    let (s, api) = serve();
    let base = s.m.base_url();
    let page = call("GET", &format!("{base}/studio"), Auth::None, None);
    assert_eq!((page.status, page.header("location")), (303, Some("/login?next=/studio")), "signed out: to the login");
    assert_eq!(
        call(
            "POST",
            &format!("{base}/api/v1/users"),
            Auth::None,
            Some(&json!({ "username": "dev_one", "password": "a long password" }))
        )
        .status,
        201
    );
    let mut browser = common::oauth::Browser::new(&base);
    let form = browser.get("/login");
    let csrf_field = common::oauth::field_value(&form.text, "csrf").unwrap();
    let login = browser.post_form(
        "/login",
        &[("username", "dev_one"), ("password", "a long password"), ("csrf", &csrf_field), ("next", "/studio")],
    );
    assert_eq!(login.status, 303);
    let session = browser.cookie("mixplay_session").expect("a session").to_owned();

    let cookie = Auth::Cookie { session: &session, csrf: None, origin: &base };
    let page = call("GET", &format!("{base}/studio"), cookie, None);
    assert_eq!(page.status, 200);
    assert_eq!((page.header("x-frame-options"), page.header("cache-control")), (Some("DENY"), Some("no-store")));
    let meta = "name=\"csrf-token\" content=\"";
    let at = page.text.find(meta).expect("the page carries its CSRF token") + meta.len();
    let csrf = page.text[at..at + page.text[at..].find('"').unwrap()].to_owned();
    assert!(page.text.contains("\"kinds\":[{\"kind\":\"button\""), "the page carries the controls' schema");
    assert!(!page.text.contains(&session), "the session token is never written into the page");

    let games = format!("{base}/api/v1/interactive/games");
    let r = call("POST", &games, cookie, Some(&json!({ "name": "From the browser" })));
    assert_eq!(r.status, 403, "no CSRF token");
    let wrong = Auth::Cookie { session: &session, csrf: Some("forged"), origin: &base };
    assert_eq!(call("POST", &games, wrong, Some(&json!({ "name": "x" }))).status, 403);
    let other_site = Auth::Cookie { session: &session, csrf: Some(&csrf), origin: "http://evil.example" };
    assert_eq!(call("POST", &games, other_site, Some(&json!({ "name": "x" }))).status, 403, "another site");
    let good = Auth::Cookie { session: &session, csrf: Some(&csrf), origin: &base };
    let r = call("POST", &games, good, Some(&json!({ "name": "From the browser" })));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(call("GET", &games, cookie, None).body[0]["name"], "From the browser", "reads need no token");
    assert_eq!(api.get("/games", "tok-owner").body, json!([]));

    let preview = call("GET", &format!("{base}/studio/preview?anonymous"), Auth::None, None);
    assert_eq!((preview.status, preview.header("x-frame-options")), (200, Some("SAMEORIGIN")));
    assert!(preview.text.contains("/studio/assets/preview.js") && preview.text.contains("/page/page.js"));
    for asset in ["app.js", "grid.js", "studio.css", "preview.js"] {
        assert_eq!(call("GET", &format!("{base}/studio/assets/{asset}"), Auth::None, None).status, 200, "{asset}");
    }
    assert_eq!(call("GET", &format!("{base}/studio/assets/nope.js"), Auth::None, None).status, 404);
}

#[test]
fn the_admin_flag_gives_and_takes_the_role() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mixplay-server"))
            .args(["--memory", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mixplay-server starts")
    };
    let out = run(&["--admin", "nobody_here"]).wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no user named nobody_here"));

    let mut child = run(&["--admin", "viewer1"]);
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("listening on ").expect("the first line").to_owned();
    let me = |token| call("GET", &format!("{base}/api/v1/users/current"), Auth::Bearer(token), None).body;
    let admin = me("demo-viewer-1")["admin"].clone();
    let other = me("demo-viewer-2")["admin"].clone();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!((admin, other), (json!(true), json!(false)));
}
