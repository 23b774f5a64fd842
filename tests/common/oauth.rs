//! Blocking REST helpers for the chat, OAuth and account tests; a small cookie-keeping browser
//! for the HTML forms; and approving a short code the way a person does: through the `/go`
//! page's forms.
#![allow(dead_code)]

use serde_json::Value;

/// A REST answer: status, headers and body (JSON when it parses, else the text as a JSON string).
pub struct Http {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub headers: Vec<(String, String)>,
}

impl Http {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
}

pub fn finish(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Http {
    let mut r = r.expect("the request reaches the mediator");
    let status = r.status().as_u16();
    let headers =
        r.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
    Http { status, body, text, headers }
}

/// The `value` of the form field named `name` in a page (`name="NAME" value="…"`), unescaped.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    let end = html[at..].find('"')?;
    Some(
        html[at..at + end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// A browser, as far as the mediator's forms go: keeps the cookies it is given (no redirects
/// followed), sends them back, posts forms like a same-origin page.
pub struct Browser {
    pub base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser { base: base.to_owned(), cookies: Vec::new() }
    }

    /// The value of a cookie the browser holds.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep(&mut self, r: Http) -> Http {
        for (k, v) in &r.headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let pair = v.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else { continue };
            self.cookies.retain(|(n, _)| n != name);
            let removed = v.contains("Max-Age=0");
            if !removed {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        r
    }

    pub fn get(&mut self, path: &str) -> Http {
        let r = finish(agent().get(&format!("{}{path}", self.base)).header("Cookie", &self.cookie_header()).call());
        self.keep(r)
    }

    /// Posts form fields as a page of this mediator does (with its `Origin`).
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Http {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            ser.append_pair(k, v);
        }
        let r = finish(
            agent()
                .post(&format!("{}{path}", self.base))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", &self.base)
                .header("Cookie", &self.cookie_header())
                .send(ser.finish()),
        );
        self.keep(r)
    }
}

/// `GET url`, with a bearer token when given.
pub fn get(url: &str, bearer: Option<&str>) -> Http {
    let mut req = agent().get(url);
    if let Some(t) = bearer {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    finish(req.call())
}

/// `POST url` with a JSON body.
pub fn post_json(url: &str, body: &Value) -> Http {
    finish(agent().post(url).header("Content-Type", "application/json").send(body.to_string()))
}

/// `PATCH url` with a JSON body and a bearer token.
pub fn patch_json(url: &str, bearer: &str, body: &Value) -> Http {
    finish(
        agent()
            .patch(url)
            .header("Authorization", &format!("Bearer {bearer}"))
            .header("Content-Type", "application/json")
            .send(body.to_string()),
    )
}

/// `METHOD url` with a body (JSON unless a `Content-Type` header says otherwise) and these headers.
pub fn send(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Http {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
        req = req.header("Content-Type", "application/json");
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    finish(agent().run(req.body(body.to_owned()).expect("a valid request")))
}

/// `POST url` with form fields, as a browser submits a form.
pub fn post_form(url: &str, fields: &[(&str, &str)]) -> Http {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    finish(agent().post(url).header("Content-Type", "application/x-www-form-urlencoded").send(ser.finish()))
}

/// Answers short code `code` on the mediator at `base` as the user of access key `token`, the
/// way a person does: opens `/go?code=…`, signs in with the key in its form, then presses Approve
/// or Deny on the confirmation page. Returns the final page.
pub fn answer_code(base: &str, code: &str, token: &str, approve: bool) -> String {
    let mut browser = Browser::new(base);
    let page = browser.get(&format!("/go?code={code}"));
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<form method=\"post\" action=\"/go\">"), "{}", page.text);
    assert!(page.text.contains(&format!("name=\"code\" value=\"{code}\"")), "the code is filled in: {}", page.text);
    assert!(page.text.contains("name=\"token\""), "{}", page.text);
    let csrf = field_value(&page.text, "csrf").expect("the form carries a CSRF token");
    let confirm = browser.post_form("/go", &[("code", code), ("token", token), ("csrf", &csrf)]);
    assert_eq!(confirm.status, 200);
    assert!(confirm.text.contains("name=\"decision\" value=\"approve\""), "{}", confirm.text);
    assert!(confirm.text.contains("name=\"decision\" value=\"deny\""), "{}", confirm.text);
    assert!(!confirm.text.contains(token), "the page never shows the token");
    let csrf = field_value(&confirm.text, "csrf").expect("the confirmation carries a CSRF token");
    let decision = if approve { "approve" } else { "deny" };
    let done = browser.post_form("/go", &[("code", code), ("decision", decision), ("csrf", &csrf)]);
    assert_eq!(done.status, 200);
    let want = if approve { "data-result=\"approved\"" } else { "data-result=\"denied\"" };
    assert!(done.text.contains(want), "{}", done.text);
    done.text
}

/// The whole short-code flow over REST for `client_id`, approved by world token `approver`:
/// returns the token endpoint's JSON.
pub fn sign_in(base: &str, client_id: &str, approver: &str) -> Value {
    let api = format!("{base}/api/v1");
    let sc = post_json(
        &format!("{api}/oauth/shortcode"),
        &serde_json::json!({ "client_id": client_id, "scope": "chat:chat" }),
    );
    assert_eq!(sc.status, 200, "{}", sc.text);
    let (code, handle) = (sc.body["code"].as_str().unwrap().to_owned(), sc.body["handle"].as_str().unwrap().to_owned());
    answer_code(base, &code, approver, true);
    let check = get(&format!("{api}/oauth/shortcode/check/{handle}"), None);
    assert_eq!(check.status, 200);
    let grant = check.body["code"].as_str().unwrap().to_owned();
    let tokens = post_json(
        &format!("{api}/oauth/token"),
        &serde_json::json!({ "client_id": client_id, "grant_type": "authorization_code", "code": grant }),
    );
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    tokens.body
}
