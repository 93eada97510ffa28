// Helpers for driving Sandbank around Fintecture's own client: the control
// plane, the bank pages (plain HTTP, as a browser without JavaScript would
// post them) and a client per test app. The Go test that starts Sandbank
// sets SANDBANK_URL, FINTECTUREAPIURL_DEV and FINTECTUREOAUTHURL_DEV.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const root = process.env.SANDBANK_URL;
if (!root || !process.env.FINTECTUREAPIURL_DEV) {
  throw new Error('run these through emulator/fintecture/sdk_test.go (go test ./emulator/fintecture -run SDK)');
}

// The client reads its base URLs when it is first required, so the
// environment above must be set before this line runs.
const { FintectureClient } = require('fintecture-client');

const redirectUri = 'https://client.example/callback';

// newKeyPair makes the app's RSA key: PKCS#8 for the client (it refuses
// PKCS#1), SPKI PEM to register with Sandbank.
function newKeyPair() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

async function control(method, path, body) {
  const res = await fetch(root + '/_sandbank' + path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// newApp creates a tenant with its public key registered and signatures
// mandatory (Fintecture's production rule), and a client for it.
async function newApp(name, { scenario, requireSignatures = true } = {}) {
  const keys = newKeyPair();
  const appId = `${name}-${crypto.randomBytes(4).toString('hex')}`;
  const secret = 'secret-' + appId;
  const tenant = await control('POST', '/tenants', {
    provider: 'fintecture', credential: appId, secret, scenario,
    public_key: keys.publicPem, require_signatures: requireSignatures,
  });
  const client = new FintectureClient({ app_id: appId, app_secret: secret, private_key: keys.privatePem, env: 'sandbox' });
  return { appId, secret, keys, key: tenant.key, client };
}

// hop GETs a URL without following redirects and returns the Location.
async function hop(url) {
  const res = await fetch(url, { redirect: 'manual' });
  assert.ok(res.status >= 300 && res.status < 400, `GET ${url}: want a redirect, got ${res.status}`);
  return new URL(res.headers.get('location'), url);
}

async function post(url, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    for (const one of [].concat(v)) body.append(k, one);
  }
  return fetch(url, { method: 'POST', redirect: 'manual', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

// throughBankPages logs in, confirms the OTP and answers the consent page
// ("approve" with every account, or "deny"), and returns where the bank
// sent the browser back.
async function throughBankPages(pageURL, { username, password, otp, action = 'approve' }) {
  let res = await fetch(pageURL);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /name="username"/);
  res = await post(pageURL, { action: 'login', username, password });
  assert.equal(res.status, 303, 'login');
  res = await post(pageURL, { action: 'otp', otp });
  assert.equal(res.status, 303, 'otp');
  const consent = await (await fetch(pageURL)).text();
  assert.match(consent, /Approve/);
  const accounts = [...consent.matchAll(/name="account" value="([^"]+)"/g)].map((m) => m[1]);
  res = await post(pageURL, action === 'approve' ? { action, account: accounts } : { action });
  assert.ok(res.status >= 300 && res.status < 400, `consent: ${res.status}`);
  return new URL(res.headers.get('location'));
}

module.exports = { root, redirectUri, control, newApp, newKeyPair, hop, post, throughBankPages, FintectureClient };
