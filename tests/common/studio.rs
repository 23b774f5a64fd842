//! The Studio's REST API from tests: one call helper (any method, bearer token or session cookie
//! with its CSRF token), and the world the Studio tests share.
#![allow(dead_code)]

use mixplay::server::world::WorldFile;
use mixplay::server::World;
use serde_json::{json, Value};

use super::oauth::{agent, finish, Http};

/// How a request signs in.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    Bearer(&'a str),
    /// A browser session: the cookie, the CSRF token (if sent) and the page's origin.
    Cookie {
        session: &'a str,
        csrf: Option<&'a str>,
        origin: &'a str,
    },
}

/// `METHOD url` with `auth` and an optional JSON body.
pub fn call(method: &str, url: &str, auth: Auth, body: Option<&Value>) -> Http {
    let mut headers: Vec<(&str, String)> = Vec::new();
    match auth {
        Auth::None => {}
        Auth::Bearer(t) => headers.push(("Authorization", format!("Bearer {t}"))),
        Auth::Cookie { session, csrf, origin } => {
            headers.push(("Cookie", format!("mixplay_session={session}")));
            headers.push(("Origin", origin.to_owned()));
            if let Some(c) = csrf {
                headers.push(("X-CSRF-Token", c.to_owned()));
            }
        }
    }
    let text = body.map(Value::to_string);
    macro_rules! send {
        ($builder:expr, with_body) => {{
            let mut b = $builder.header("Content-Type", "application/json");
            for (k, v) in &headers {
                b = b.header(*k, v);
            }
            finish(b.send(text.clone().unwrap_or_default()))
        }};
        ($builder:expr) => {{
            let mut b = $builder;
            for (k, v) in &headers {
                b = b.header(*k, v);
            }
            finish(b.call())
        }};
    }
    let a = agent();
    match method {
        "GET" => send!(a.get(url)),
        "DELETE" => send!(a.delete(url)),
        "POST" => send!(a.post(url), with_body),
        "PUT" => send!(a.put(url), with_body),
        other => panic!("no helper for {other}"),
    }
}

/// The Studio's REST API of one mediator, called with bearer tokens.
pub struct Api {
    pub base: String,
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api { base: format!("{base}/api/v1/interactive") }
    }

    pub fn get(&self, path: &str, token: &str) -> Http {
        call("GET", &format!("{}{path}", self.base), Auth::Bearer(token), None)
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> Http {
        call("POST", &format!("{}{path}", self.base), Auth::Bearer(token), Some(&body))
    }

    pub fn put(&self, path: &str, token: &str, body: Value) -> Http {
        call("PUT", &format!("{}{path}", self.base), Auth::Bearer(token), Some(&body))
    }

    pub fn delete(&self, path: &str, token: &str) -> Http {
        call("DELETE", &format!("{}{path}", self.base), Auth::Bearer(token), None)
    }

    /// Creates a project as `token`'s user; returns `(gameId, versionId)`.
    pub fn create(&self, token: &str, name: &str) -> (u64, u64) {
        let r = self.post("/games", token, json!({ "name": name }));
        assert_eq!(r.status, 201, "{}", r.text);
        (r.body["id"].as_u64().unwrap(), r.body["versions"][0]["id"].as_u64().unwrap())
    }
}

/// A placement on the large grid only.
pub fn large(x: u32, y: u32, w: u32, h: u32) -> Value {
    json!([{ "size": "large", "x": x, "y": y, "width": w, "height": h }])
}

/// Users for the Studio tests, each with a channel: `owner`, `editor`, `friend`, `stranger` and
/// `admin` (an admin), with tokens `tok-NAME`.
pub fn studio_world() -> World {
    let names = ["owner", "editor", "friend", "stranger", "admin"];
    let users: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| json!({ "id": i + 1, "username": n, "token": format!("tok-{n}"), "admin": *n == "admin" }))
        .collect();
    let file: WorldFile = serde_json::from_value(json!({ "users": users })).unwrap();
    World::new(file).unwrap()
}
