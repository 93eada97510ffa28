package httpsig

import (
	"fmt"
	"unicode/utf8"
)

// Reason says, in a form a program can switch on, why Verify refused a
// request. The values are stable strings, fit for a JSON error code.
type Reason string

// The reasons Verify reports. Every one but ReasonInvalidOptions is the
// client's doing; ReasonInvalidOptions means the caller's Options are unusable.
const (
	// ReasonInvalidOptions: the Options cannot verify anything (no RSA key,
	// empty KeyID, zero Now). A server configuration error, not the client's.
	ReasonInvalidOptions Reason = "invalid_options"
	// ReasonMissingSignature: the request has no Signature header.
	ReasonMissingSignature Reason = "missing_signature"
	// ReasonMalformedSignature: the Signature header cannot be parsed, or a
	// required parameter (keyId, signature) is missing or empty.
	ReasonMalformedSignature Reason = "malformed_signature"
	// ReasonUnsupportedAlgorithm: algorithm= names anything but rsa-sha256.
	ReasonUnsupportedAlgorithm Reason = "unsupported_algorithm"
	// ReasonWrongKeyID: keyId= is not the app_id the key is registered for.
	ReasonWrongKeyID Reason = "wrong_key_id"
	// ReasonMissingHeader: a header that must be signed (Date, X-Request-ID,
	// Digest when there is a body) is not in the request.
	ReasonMissingHeader Reason = "missing_header"
	// ReasonHeaderNotSigned: a header that must be signed is not listed in
	// headers=.
	ReasonHeaderNotSigned Reason = "header_not_signed"
	// ReasonSignedHeaderAbsent: headers= lists a header the request lacks.
	ReasonSignedHeaderAbsent Reason = "signed_header_absent"
	// ReasonBodyTooLarge: the body exceeds Options.MaxBody, so its Digest
	// cannot be checked.
	ReasonBodyTooLarge Reason = "body_too_large"
	// ReasonBodyUnreadable: reading the body failed.
	ReasonBodyUnreadable Reason = "body_unreadable"
	// ReasonDigestMismatch: the Digest header is not SHA-256=<base64> of the
	// body bytes received.
	ReasonDigestMismatch Reason = "digest_mismatch"
	// ReasonInvalidDate: the Date header is not in an accepted format.
	ReasonInvalidDate Reason = "invalid_date"
	// ReasonDateSkew: the Date is further from the server clock than allowed.
	ReasonDateSkew Reason = "date_skew"
	// ReasonInvalidSignatureEncoding: signature= is not standard base64.
	ReasonInvalidSignatureEncoding Reason = "invalid_signature_encoding"
	// ReasonSignatureMismatch: everything is well formed, but the signature
	// does not verify under the registered key for any accepted signing string.
	ReasonSignatureMismatch Reason = "signature_mismatch"
)

// Error is why Verify refused a request.
type Error struct {
	// Reason is machine-readable.
	Reason Reason
	// Message says exactly what did not match, for a person reading the 401.
	// It quotes what the client sent (header values, keyId, signing strings)
	// but never key material.
	Message string
}

// Error returns the reason and the message.
func (e *Error) Error() string { return "httpsig: " + string(e.Reason) + ": " + e.Message }

// fail builds an *Error with a formatted message.
func fail(reason Reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// maxQuoted bounds how much of a client-supplied value a message repeats, so
// a huge header cannot make a huge 401 or log line.
const maxQuoted = 1024

// quote renders a client-supplied value for a message: Go-quoted, so control
// characters and newlines stay visible and cannot forge log lines, and cut
// to maxQuoted bytes on a rune boundary.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…(%d bytes in all)", s[:cut], len(s))
}
