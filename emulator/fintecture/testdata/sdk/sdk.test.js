// Fintecture's own npm client (fintecture-client@2.0.2) against Sandbank's
// live contract. Every app registers its public key and makes signatures
// mandatory, so every AIS call below also proves the client's signature
// verified.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const apiService = require('fintecture-client/lib/src/services/ApiService');
const sdkCrypto = require('fintecture-client/lib/src/utils/Crypto');
const { root, redirectUri, control, newApp, newKeyPair, hop, throughBankPages, FintectureClient } = require('./sandbank');

const api = process.env.FINTECTUREAPIURL_DEV;

// fintectureError awaits a rejected client call and returns the status and
// Fintecture envelope of its axios error.
async function fintectureError(promise) {
  const err = await promise.then(
    (v) => assert.fail(`want a Fintecture error, got ${JSON.stringify(v)}`),
    (e) => e,
  );
  assert.ok(err.response, `not an HTTP error: ${err}`);
  const { status, data } = err.response;
  assert.equal(data.status, status);
  assert.equal(typeof data.code, 'string');
  assert.equal(typeof data.log_id, 'string');
  assert.equal(data.errors.length, 1);
  return { status, code: data.code, detail: data.errors[0].code, message: data.errors[0].message };
}

// connectAuto completes a redirect journey at the auto-approving bank
// cmmcfr: two plain redirects, as the client's own specs do.
async function connectAuto(app, state = 'st-1') {
  const auth = await app.client.getRedirectAuthUrl(null, 'cmmcfr', redirectUri, state);
  assert.equal(auth.provider, 'cmmcfr');
  assert.equal(auth.model, 'redirect');
  const back = await hop((await hop(auth.url)).href);
  assert.equal(back.origin + back.pathname, redirectUri);
  assert.equal(back.searchParams.get('state'), state);
  const code = back.searchParams.get('code');
  const customerId = back.searchParams.get('customer_id');
  assert.match(code, /^[0-9a-f]{32}$/);
  assert.match(customerId, /^[0-9a-f]{32}$/);
  return { code, customerId };
}

async function connectedApp(name) {
  const app = await newApp(name);
  const { code, customerId } = await connectAuto(app);
  const tokens = await app.client.getAccessToken(code);
  return { app, customerId, tokens };
}

test('client credentials token', async () => {
  const app = await newApp('cc');
  const tok = await app.client.getAccessToken();
  assert.equal(tok.token_type, 'Bearer');
  assert.equal(tok.expires_in, 3600);
  assert.ok(tok.access_token.length > 20);
  assert.equal(tok.refresh_token, undefined);
  const customers = await app.client.getAccessToken(undefined, 'customers');
  assert.equal(customers.scope, 'customers');
});

test('redirect authorize through the auto-approving bank, then the data', async (t) => {
  const { app, customerId, tokens } = await connectedApp('auto');
  assert.ok(tokens.refresh_token);

  const accounts = await app.client.getAccounts(tokens.access_token, customerId, { withBalances: true }, { 'x-psu-ip-address': '172.0.0.1' });
  assert.ok(accounts.data.length > 0);
  const account = accounts.data[0];
  assert.equal(account.type, 'accounts');
  assert.equal(account.attributes.account_id, account.id);
  assert.match(account.attributes.iban, /^FR\d{2}/);
  assert.equal(typeof account.attributes.balance, 'number');
  assert.equal(typeof account.attributes.balance_available, 'number');
  assert.equal(accounts.meta.customer_id, customerId);

  await t.test('transactions page by page through links.next', async () => {
    const seen = new Set();
    let page = await app.client.getTransactions(tokens.access_token, customerId, account.id, { 'filter[date_from]': 'max' });
    let pages = 1;
    for (;;) {
      for (const tx of page.data) {
        assert.equal(tx.type, 'transactions');
        assert.equal(typeof tx.attributes.amount, 'string');
        assert.match(tx.attributes.booking_date, /^\d{4}-\d{2}-\d{2}$/);
        assert.ok(!seen.has(tx.id), `transaction ${tx.id} on two pages`);
        seen.add(tx.id);
      }
      assert.ok(page.links.self.startsWith(api + '/'), `links.self ${page.links.self} is on Sandbank`);
      if (!page.links.next) break;
      assert.ok(page.links.next.startsWith(api + '/'), `links.next ${page.links.next} is on Sandbank`);
      page = await app.client.getTransactions(tokens.access_token, customerId, account.id, null, null, page.links.next);
      pages++;
    }
    const all = (await control('GET', `/tenants/${app.key}/accounts/${account.id}/transactions?limit=1000`)).transactions;
    assert.equal(seen.size, all.length, 'every transaction of the account, once');
    assert.equal(pages, Math.ceil(all.length / 50));
    assert.ok(pages > 1, 'the default world pages');
  });

  await t.test('account holders', async () => {
    const holders = await app.client.getAccountHolders(tokens.access_token, customerId);
    assert.equal(holders.data[0].type, 'accountholders');
    assert.ok(holders.data[0].attributes.full_name);
    assert.equal(holders.meta.provider, 'cmmcfr');
  });

  await t.test('refresh replaces the access token', async () => {
    const fresh = await app.client.refreshAccessToken(tokens.refresh_token);
    assert.notEqual(fresh.access_token, tokens.access_token);
    const again = await app.client.getAccounts(fresh.access_token, customerId);
    assert.equal(again.data.length, accounts.data.length);
    const e = await fintectureError(app.client.getAccounts(tokens.access_token, customerId));
    assert.deepEqual([e.status, e.code, e.detail], [401, 'unauthorized', 'invalid_token']);
    tokens.access_token = fresh.access_token;
  });

  await t.test('delete', async () => {
    const deleted = await app.client.deleteCustomer(tokens.access_token, customerId);
    assert.deepEqual(deleted.meta, { status: 200, code: 'customer_deleted' });
  });
});

test('redirect authorize through the HTML bank pages', async () => {
  const app = await newApp('pages');
  const auth = await app.client.getRedirectAuthUrl(null, 'cmcifrpp', redirectUri, 'pages-state');
  assert.ok(auth.url.startsWith(root + '/bank/'));
  const back = await throughBankPages(auth.url, { username: '078000000P', password: '123456', otp: '123456' });
  assert.equal(back.searchParams.get('provider'), 'cmcifrpp');
  assert.equal(back.searchParams.get('state'), 'pages-state');
  const tokens = await app.client.getAccessToken(back.searchParams.get('code'));
  const accounts = await app.client.getAccounts(tokens.access_token, back.searchParams.get('customer_id'));
  assert.equal(accounts.meta.provider, 'cmcifrpp');
  assert.ok(accounts.data.length > 0);
});

test('decoupled authorize with status polling, approved through the control plane', async () => {
  const app = await newApp('decoupled');
  const auth = await app.client.getDecoupledAuthUrl(null, 'handse', '193805010844', '127.0.0.1');
  assert.equal(auth.model, 'decoupled');
  assert.ok(auth.polling_id);
  assert.ok(auth.url.endsWith('/authorize/decoupled/' + auth.polling_id));
  let status = await app.client.getDecoupledAuthStatus(null, 'handse', auth.polling_id);
  assert.equal(status.status, 'PENDING');
  await control('POST', `/tenants/${app.key}/sca/${auth.polling_id}/approve`, {});
  status = await app.client.getDecoupledAuthStatus(null, 'handse', auth.polling_id);
  assert.equal(status.status, 'COMPLETED');
  assert.equal(status.provider, 'handse');
  const tokens = await app.client.getAccessToken(status.code);
  const accounts = await app.client.getAccounts(tokens.access_token, status.customer_id);
  assert.match(accounts.data[0].attributes.iban, /^SE/);
});

test('connect URL', async () => {
  const app = await newApp('connect');
  const { url } = await app.client.getAisConnect(null, { redirect_uri: redirectUri, state: 'c-1', provider: 'cmcifrpp', country: 'FR', language: 'fr' });
  assert.ok(url.startsWith(root + '/bank/'));
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /name="username"/);
});

test('resources', async () => {
  const app = await newApp('res');
  const providers = await app.client.getProviders({ 'filter[ais]': 'accounts', 'filter[country]': 'FR', 'filter[psu_type]': 'retail', 'sort[full_name]': 'asc' });
  const names = providers.data.map((p) => p.attributes.full_name);
  assert.ok(names.length > 1);
  assert.deepEqual(names, [...names].sort());
  assert.ok(providers.data.every((p) => p.attributes.country === 'FR'));
  const testAccounts = await app.client.getTestAccounts({ 'filter[provider_id]': 'cmcifrpp' });
  assert.ok(testAccounts.data.some((a) => a.attributes.username === '078000000P'));
  const application = await app.client.getApplication();
  assert.equal(application.data.id, app.appId);
  assert.equal(application.data.attributes.signatures_required, true);
  assert.match(application.data.attributes.public_key_fingerprint, /^SHA256:/);
});

test('failures surface as the client\'s errors in Fintecture\'s envelope', async (t) => {
  const { app, customerId, tokens } = await connectedApp('fail');
  await t.test('bad token', async () => {
    const e = await fintectureError(app.client.getAccounts('not-a-token', customerId));
    assert.deepEqual([e.status, e.code, e.detail], [401, 'unauthorized', 'invalid_token']);
  });
  await t.test('unknown customer', async () => {
    const e = await fintectureError(app.client.getAccounts(tokens.access_token, '0'.repeat(32)));
    assert.deepEqual([e.status, e.code, e.detail], [400, 'bad_request', 'customer_unknown']);
  });
  await t.test('SCA denied at the bank', async () => {
    const auth = await app.client.getRedirectAuthUrl(null, 'cmcifrpp', redirectUri, 'deny-state');
    const back = await throughBankPages(auth.url, { username: '078000000P', password: '123456', otp: '123456', action: 'deny' });
    assert.equal(back.searchParams.get('error'), 'provider_error');
    assert.equal(back.searchParams.get('provider_error'), 'access_denied');
    assert.equal(back.searchParams.get('code'), null);
    const e = await fintectureError(app.client.getAccessToken('no-such-code'));
    assert.deepEqual([e.status, e.code, e.detail], [401, 'unauthorized', 'invalid_code']);
  });
  await t.test('SCA denied on the phone', async () => {
    const auth = await app.client.getDecoupledAuthUrl(null, 'handse', '193805010844', '127.0.0.1');
    await control('POST', `/tenants/${app.key}/sca/${auth.polling_id}/deny`);
    const status = await app.client.getDecoupledAuthStatus(null, 'handse', auth.polling_id);
    assert.equal(status.status, 'FAILED');
    assert.equal(status.code, undefined);
  });
});

// signedHeaders signs a GET for path (relative to the client's base URL)
// with the client's own signing code, as its every call does.
function signedHeaders(app, path, token, config = {}) {
  return apiService.getHeaders('get', path, token, { app_id: app.appId, app_secret: app.secret, private_key: app.keys.privatePem, ...config });
}

async function refused(path, headers) {
  const res = await fetch(api + path, { headers });
  const body = await res.json();
  assert.equal(res.status, 401, JSON.stringify(body));
  assert.equal(body.code, 'unauthorized');
  assert.equal(body.errors[0].code, 'invalid_signature');
  if (process.env.SHOW_MESSAGES) console.log(body.errors[0].message);
  return body.errors[0].message;
}

test('signatures: the client\'s verify, tampered ones are refused with the reason', async (t) => {
  const { app, customerId, tokens } = await connectedApp('sig');
  const path = `/ais/v1/customer/${customerId}/accounts`;

  await t.test('as signed by the client', async () => {
    const res = await fetch(api + path, { headers: signedHeaders(app, path, tokens.access_token) });
    assert.equal(res.status, 200, await res.text());
  });
  await t.test('query added after signing', async () => {
    const msg = await refused(path + '?withBalances=true', signedHeaders(app, path, tokens.access_token));
    assert.match(msg, /does not verify/);
  });
  await t.test('signature value altered', async () => {
    const h = signedHeaders(app, path, tokens.access_token);
    h.Signature = h.Signature.replace(/signature="(.)/, (_, c) => `signature="${c === 'A' ? 'B' : 'A'}`);
    assert.match(await refused(path, h), /does not verify/);
  });
  await t.test('signed with another key', async () => {
    const other = newKeyPair();
    assert.match(await refused(path, signedHeaders(app, path, tokens.access_token, { private_key: other.privatePem })), /does not verify/);
  });
  await t.test('keyId of another app', async () => {
    const msg = await refused(path, signedHeaders(app, path, tokens.access_token, { app_id: 'someone-else' }));
    assert.match(msg, /keyId/);
    assert.match(msg, /someone-else/);
  });
  await t.test('no signature while signatures are mandatory', async () => {
    const h = signedHeaders(app, path, tokens.access_token);
    delete h.Signature;
    assert.match(await refused(path, h), /Signature/);
  });
  await t.test('stale Date', async () => {
    const h = { Accept: 'application/json', Authorization: 'Bearer ' + tokens.access_token };
    h.Date = new Date(Date.now() - 20 * 60 * 1000).toUTCString();
    h['X-Request-ID'] = sdkCrypto.generateUUIDv4();
    h['(request-target)'] = 'get ' + path;
    h.Signature = sdkCrypto.createSignatureHeader(h, { app_id: app.appId, private_key: app.keys.privatePem }, ['(request-target)', 'Date', 'Digest', 'X-Request-ID']);
    delete h['(request-target)'];
    assert.match(await refused(path, h), /Date/);
  });
});
