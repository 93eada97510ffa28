// Package httpsig verifies the HTTP request signatures Fintecture clients
// send: the IETF draft "Signing HTTP Messages" (draft-cavage-http-signatures)
// with algorithm="rsa-sha256", that is RSA PKCS#1 v1.5 over SHA-256
// (/work/shared/notes/fintecture.md §1.4, https://doc.fintecture.com/docs/api-http-signature).
//
// Verify answers nil or an *Error whose Reason a program can switch on and
// whose Message tells a person exactly what to change in the client: which
// parameter is malformed, which header is missing or unsigned, the digest
// the server computed, how far the Date is off, and, when the RSA check
// fails, every signing string's (request-target) and the header list, so
// the user can compare them with what their client signed. Signature setup is
// the main hurdle of a Fintecture integration (notes §8); these messages are
// the point of the package.
//
// # Why not github.com/go-fed/httpsig
//
// The project prefers a well-kept library for standard formats. We read
// go-fed/httpsig v1.1.0 (its latest release, July 2020; a 2023 comment on
// its PR #27 asks whether it is still maintained) and it does not fit:
//
//   - Its verifier builds (request-target) from r.URL.Path plus r.URL.RawQuery
//     (signing.go addRequestTarget). r.URL.Path is the percent-decoded path,
//     so a client that signed "/ais/v1/customer/c%5B1%5D/accounts" as sent
//     fails, and so does any path a router has rewritten. The draft and
//     Fintecture sign the path and query exactly as sent, which in Go is the
//     raw r.RequestURI.
//   - It verifies against exactly one (request-target). Fintecture clients
//     sign paths relative to their base URL, so behind the emulator's mount
//     prefix the handler must also accept the URI with the prefix stripped;
//     with go-fed that means cloning the request and rewriting r.URL, which
//     brings back the decoded-path problem.
//   - It never checks the Digest header on the server side (its verifyDigest
//     is unexported and unused), never checks Date freshness (and where it
//     checks created/expires it calls time.Now, while Sandbank passes its
//     clock in), and ignores the algorithm parameter, so it cannot report an
//     unsupported algorithm.
//   - Its errors are unstructured strings ("crypto/rsa: verification error",
//     "missing header \"digest\""), without the signing string, the digest the
//     server computed or the skew, which are the diagnostics this package exists
//     for. Its parameter parser splits on every comma: a quoted value holding a
//     comma is rejected, and after `, ` (a space after the comma) the parameter
//     name no longer matches and is ignored, so headers= silently falls back
//     to "date".
//   - It adds golang.org/x/crypto (for SSH signers) to the module graph and it
//     writes a Host entry into the request's headers while verifying.
//
// What remains is small: a parser for the Signature parameters, the signing
// string, a SHA-256 Digest check and a Date parse, written here on the
// standard library. The RSA verification itself is crypto/rsa's
// VerifyPKCS1v15.
package httpsig
