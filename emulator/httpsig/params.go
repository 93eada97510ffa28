package httpsig

import (
	"fmt"
	"strings"
)

// params are the parameters of one Signature header value, as sent.
type params struct {
	keyID     string
	algorithm string // "" when the parameter is absent
	headers   []string
	hasList   bool // headers= was present (possibly empty)
	signature string
}

// parseSignature reads a Signature header value: a comma-separated list of
// name=value pairs, values quoted (draft-cavage §2.1, auth-param syntax of
// RFC 7235 §2.1, so optional whitespace around commas and "=" is allowed and
// names are case-insensitive). Unknown parameters (created, expires) are
// ignored, as the draft says. The error says which parameter and what is wrong.
func parseSignature(v string) (params, *Error) {
	var p params
	raw, err := splitParams(v)
	if err != nil {
		if rest, ok := cutFold(strings.TrimSpace(v), "Signature "); ok && strings.Contains(rest, "=") {
			err.Message += `; the Signature header holds the parameters directly: drop the "Signature " prefix, which belongs to the Authorization header's scheme`
		}
		return p, err
	}
	for _, kv := range raw {
		switch kv.name {
		case "keyid":
			p.keyID = kv.value
		case "algorithm":
			p.algorithm = kv.value
		case "headers":
			p.headers = strings.Fields(strings.ToLower(kv.value))
			p.hasList = true
		case "signature":
			p.signature = kv.value
		}
	}
	if !p.hasList {
		// draft-cavage §2.1.6: without headers=, only the Date is signed.
		p.headers = []string{hdrDate}
	}
	for _, req := range []struct{ name, value string }{{"keyId", p.keyID}, {"signature", p.signature}} {
		if _, ok := find(raw, strings.ToLower(req.name)); !ok {
			return p, fail(ReasonMalformedSignature, "Signature header has no %s parameter; send %s=\"...\" (got %s)", req.name, req.name, quote(v))
		}
		if req.value == "" {
			return p, fail(ReasonMalformedSignature, "Signature parameter %s is empty", req.name)
		}
	}
	for _, h := range p.headers {
		if strings.HasPrefix(h, "(") && h != requestTarget {
			return p, fail(ReasonMalformedSignature, "Signature parameter headers lists the pseudo-header %s, which Fintecture signatures do not use; the only pseudo-header is (request-target)", quote(h))
		}
	}
	return p, nil
}

// param is one name=value pair; name is lowercased.
type param struct{ name, value string }

// find returns the pair named name.
func find(ps []param, name string) (param, bool) {
	for _, p := range ps {
		if p.name == name {
			return p, true
		}
	}
	return param{}, false
}

// splitParams tokenizes name=value pairs: name is a token, value a quoted
// string (with backslash escapes) or a token. Empty list elements (",,") are
// skipped, as RFC 7230 §7 allows. A repeated name is an error, since which one
// the signer meant is unknowable.
func splitParams(s string) ([]param, *Error) {
	var out []param
	i := 0
	bad := func(format string, args ...any) *Error {
		return fail(ReasonMalformedSignature, "Signature header %s: %s", quote(s), fmt.Sprintf(format, args...))
	}
	for {
		i = skipSpaceAndCommas(s, i)
		if i == len(s) {
			break
		}
		start := i
		for i < len(s) && isTokenChar(s[i]) {
			i++
		}
		name := s[start:i]
		if name == "" {
			return nil, bad("unexpected %q at byte %d; expected a parameter name", s[i], i)
		}
		i = skipSpace(s, i)
		if i == len(s) || s[i] != '=' {
			return nil, bad("parameter %s at byte %d has no \"=\"; every parameter is name=\"value\"", quote(name), start)
		}
		i = skipSpace(s, i+1)
		var value string
		quoted := i < len(s) && s[i] == '"'
		if quoted {
			var ok bool
			open := i
			value, i, ok = readQuoted(s, i)
			if !ok {
				return nil, bad("parameter %s: the quoted value opened at byte %d is never closed", name, open)
			}
		} else {
			vs := i
			for i < len(s) && isTokenChar(s[i]) {
				i++
			}
			value = s[vs:i]
			if value == "" {
				return nil, bad("parameter %s has no value; write %s=\"...\"", name, name)
			}
		}
		lower := strings.ToLower(name)
		if _, dup := find(out, lower); dup {
			return nil, bad("parameter %s appears twice", name)
		}
		out = append(out, param{name: lower, value: value})
		i = skipSpace(s, i)
		if i < len(s) && s[i] != ',' {
			hint := "parameters are separated by commas"
			if j := strings.LastIndexByte(value, ','); quoted && j >= 0 && strings.HasSuffix(value, "=") {
				hint = fmt.Sprintf("the value of %s runs into the next parameter (%s): is its closing quote missing?", name, quote(value[j+1:]))
			} else if !quoted {
				hint = "quote parameter values: " + name + "=\"...\""
			}
			return nil, bad("unexpected %q at byte %d after parameter %s; %s", s[i], i, name, hint)
		}
	}
	if len(out) == 0 {
		return nil, bad("no parameters; expected keyId=\"<app_id>\",algorithm=\"rsa-sha256\",headers=\"...\",signature=\"<base64>\"")
	}
	return out, nil
}

// readQuoted reads the quoted string opening at s[i] and returns its
// unescaped content and the index after the closing quote.
func readQuoted(s string, i int) (string, int, bool) {
	var b strings.Builder
	for i++; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, true
		case '\\':
			if i+1 == len(s) {
				return "", i, false
			}
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return "", i, false
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func skipSpaceAndCommas(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
		i++
	}
	return i
}

// isTokenChar reports whether c is a tchar (RFC 7230 §3.2.6).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// cutFold is strings.CutPrefix ignoring ASCII case.
func cutFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
