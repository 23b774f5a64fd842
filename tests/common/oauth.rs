//! Blocking REST helpers for the chat and OAuth tests, and approving a short code the way a
//! person does: through the `/go` page's HTML form.
#![allow(dead_code)]

use serde_json::Value;

/// A REST answer: status and body (JSON when it parses, else the text as a JSON string).
pub struct Http {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

fn finish(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Http {
    let mut r = r.expect("the request reaches the mediator");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
    Http { status, body, text }
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

/// `POST url` with form fields, as a browser submits a form.
pub fn post_form(url: &str, fields: &[(&str, &str)]) -> Http {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    finish(agent().post(url).header("Content-Type", "application/x-www-form-urlencoded").send(ser.finish()))
}

/// Answers short code `code` on the mediator at `base` as the user of world token `token`, the
/// way a person does: opens `/go?code=…`, submits the sign-in form, then presses Approve or
/// Deny on the confirmation page. Returns the final page.
pub fn answer_code(base: &str, code: &str, token: &str, approve: bool) -> String {
    let page = get(&format!("{base}/go?code={code}"), None);
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<form method=\"post\" action=\"/go\">"), "{}", page.text);
    assert!(page.text.contains(&format!("name=\"code\" value=\"{code}\"")), "the code is filled in: {}", page.text);
    assert!(page.text.contains("name=\"token\""), "{}", page.text);
    let confirm = post_form(&format!("{base}/go"), &[("code", code), ("token", token)]);
    assert_eq!(confirm.status, 200);
    assert!(confirm.text.contains("name=\"decision\" value=\"approve\""), "{}", confirm.text);
    assert!(confirm.text.contains("name=\"decision\" value=\"deny\""), "{}", confirm.text);
    let decision = if approve { "approve" } else { "deny" };
    let done = post_form(&format!("{base}/go"), &[("code", code), ("token", token), ("decision", decision)]);
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
