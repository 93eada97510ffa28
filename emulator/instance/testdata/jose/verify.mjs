// Verifies webhooks that a Sandbank sent, the way FinqLink's guide tells a
// receiver to (seed 002, "Webhook signing and callbacks": Express + jose),
// with the npm jose package rather than Sandbank's own Go code:
//
//   1. the key set comes from GET {base}/.well-known/jwks.json, through
//      createRemoteJWKSet, which picks the key by the JWS header's kid;
//   2. compactVerify checks the JWS in x-signature;
//   3. the protected header's kid must equal x-signature-kid;
//   4. the JWS payload must equal the raw request body, byte for byte.
//
// Usage: node verify.mjs CASES.json
//
// CASES.json is a list of {name, jwks_url, headers, body_base64}: one
// request a receiver got, with the JWKS URL of the client it was sent to.
// The script prints one JSON line per case, in order:
// {name, ok, kid, alg} when the webhook is genuine, {name, ok: false,
// code, message} when a receiver must reject it. code is jose's error code
// (ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ERR_JWKS_NO_MATCHING_KEY, ...)
// or one of the receiver's own checks (ERR_NO_SIGNATURE, ERR_KID_MISMATCH,
// ERR_PAYLOAD_MISMATCH). The Go test decides which outcome each case
// should have; this script only reports. It exits non-zero only when it
// cannot run at all.

import { readFile } from "node:fs/promises";
import { compactVerify, createRemoteJWKSet } from "jose";

/** A receiver's own reason to reject a webhook, beside jose's. */
class Rejected extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** One remote key set per JWKS URL, as a long-running receiver keeps one. */
const keySets = new Map();
function keySet(url) {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url));
    keySets.set(url, set);
  }
  return set;
}

/** header reads a request header case-insensitively, as Express does. */
function header(headers, name) {
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

async function verify(c) {
  const sig = header(c.headers, "x-signature");
  const kid = header(c.headers, "x-signature-kid");
  if (!sig || !kid) throw new Rejected("ERR_NO_SIGNATURE", "x-signature or x-signature-kid is missing");
  const { payload, protectedHeader } = await compactVerify(sig, keySet(c.jwks_url));
  if (protectedHeader.kid !== kid) {
    throw new Rejected("ERR_KID_MISMATCH", `the JWS header's kid ${protectedHeader.kid} is not x-signature-kid ${kid}`);
  }
  const body = Buffer.from(c.body_base64, "base64");
  if (Buffer.compare(Buffer.from(payload), body) !== 0) {
    throw new Rejected("ERR_PAYLOAD_MISMATCH", "the signed payload is not the raw body");
  }
  return { kid: protectedHeader.kid, alg: protectedHeader.alg };
}

const path = process.argv[2];
if (!path) {
  console.error("usage: node verify.mjs CASES.json");
  process.exit(2);
}
const cases = JSON.parse(await readFile(path, "utf8"));
for (const c of cases) {
  let line;
  try {
    line = { name: c.name, ok: true, ...(await verify(c)) };
  } catch (e) {
    line = { name: c.name, ok: false, code: e.code ?? e.name, message: e.message };
  }
  console.log(JSON.stringify(line));
}
