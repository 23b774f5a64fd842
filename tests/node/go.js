// Shared by shortcode.js and chat.js: answering a short code the way a person does, through the
// mediator's /go page (its HTML forms, posted as a browser posts them, with the cookies and the
// CSRF token the page gives), and a whole sign-in with the official, unmodified
// @mixer/shortcode-oauth client.
'use strict';
const { OAuthClient } = require('@mixer/shortcode-oauth');

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// A browser's cookie jar, as far as the mediator's forms go.
class Cookies {
  constructor() {
    this.jar = new Map();
  }

  keep(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      if (/Max-Age=0/.test(line)) this.jar.delete(name);
      else this.jar.set(name, pair.slice(at + 1));
    }
  }

  header() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

// The value of the page's form field `name`.
function fieldValue(html, name) {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? m[1].replace(/&amp;/g, '&') : null;
}

async function getPage(url, cookies) {
  const res = await fetch(url, { headers: { cookie: cookies.header() } });
  cookies.keep(res);
  return res.text();
}

async function postForm(url, fields, cookies) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.header() },
    body: new URLSearchParams(fields).toString(),
  });
  cookies.keep(res);
  assert(res.status === 200, `POST ${url} answered ${res.status}`);
  return res.text();
}

// Opens /go?code=CODE, signs in with access key `token` in its form, then presses `decision`
// ("approve" or "deny") on the confirmation page.
async function answerOnGoPage(base, code, token, decision) {
  const cookies = new Cookies();
  const page = await getPage(`${base}/go?code=${encodeURIComponent(code)}`, cookies);
  assert(page.includes('<form method="post" action="/go">'), 'the /go page has its form');
  assert(page.includes(`name="code" value="${code}"`), 'the /go page fills in the code it was given');
  const confirm = await postForm(`${base}/go`, { code, token, csrf: fieldValue(page, 'csrf') }, cookies);
  assert(confirm.includes(`name="decision" value="${decision}"`), `the confirmation offers ${decision}`);
  assert(!confirm.includes(token), 'the confirmation never shows the token');
  const done = await postForm(`${base}/go`, { code, decision, csrf: fieldValue(confirm, 'csrf') }, cookies);
  const want = decision === 'approve' ? 'approved' : 'denied';
  assert(done.includes(`data-result="${want}"`), `the page confirms: ${want}`);
}

// A whole short-code sign-in approved by the user of access key `token`; resolves with the
// OAuthTokens.
async function signIn(base, clientId, scopes, token) {
  // The trailing slash matters: the client resolves 'oauth/…' against this URL.
  const client = new OAuthClient({ clientId, scopes, host: `${base}/api/v1/` });
  const code = await client.getCode();
  assert(/^[A-Z0-9]{6}$/.test(code.code), `a six-character code: ${code.code}`);
  const accepted = code.waitForAccept();
  await answerOnGoPage(base, code.code, token, 'approve');
  return { client, tokens: await accepted };
}

module.exports = { assert, answerOnGoPage, signIn, OAuthClient };
