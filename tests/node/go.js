// Shared by shortcode.js and chat.js: answering a short code the way a person does, through the
// mediator's /go page (its HTML forms, posted as a browser posts them), and a whole sign-in with
// the official, unmodified @mixer/shortcode-oauth client.
'use strict';
const { OAuthClient } = require('@mixer/shortcode-oauth');

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function postForm(url, fields) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  assert(res.status === 200, `POST ${url} answered ${res.status}`);
  return res.text();
}

// Opens /go?code=CODE, signs in with `token` in its form, then presses `decision` ("approve" or
// "deny") on the confirmation page.
async function answerOnGoPage(base, code, token, decision) {
  const page = await (await fetch(`${base}/go?code=${encodeURIComponent(code)}`)).text();
  assert(page.includes('<form method="post" action="/go">'), 'the /go page has its form');
  assert(page.includes(`name="code" value="${code}"`), 'the /go page fills in the code it was given');
  const confirm = await postForm(`${base}/go`, { code, token });
  assert(confirm.includes(`name="decision" value="${decision}"`), `the confirmation offers ${decision}`);
  const done = await postForm(`${base}/go`, { code, token, decision });
  const want = decision === 'approve' ? 'approved' : 'denied';
  assert(done.includes(`data-result="${want}"`), `the page confirms: ${want}`);
}

// A whole short-code sign-in approved by the user of world token `token`; resolves with the
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
