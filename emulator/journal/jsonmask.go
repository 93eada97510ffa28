package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// MaskJSON masks the values of secret keys anywhere in a JSON document,
// keeping its formatting byte for byte otherwise, so QA reads the body as
// the client sent it. A secret key's object or array value is masked
// whole (a JWK under private_key). A document cut short (a capped body)
// is masked as far as it goes; one that is not JSON at all is masked by
// a looser scan for "key": value pairs.
func MaskJSON(b []byte) string {
	m := &jsonMasker{in: b, out: make([]byte, 0, len(b))}
	err := m.value(false)
	if err == nil {
		m.space()
		if m.i < len(m.in) {
			err = errJSONSyntax
		}
	}
	if errors.Is(err, errJSONSyntax) {
		return maskJSONLoose(b)
	}
	return string(m.out)
}

var (
	errJSONEnd    = errors.New("json: input ends early") // a capped body: mask what is there
	errJSONSyntax = errors.New("json: syntax error")
)

// jsonMasker copies a JSON document from in to out, replacing secret
// values. It is a recursive descent over the bytes rather than a decode
// and re-encode, which would reorder keys, reformat numbers and fail on a
// truncated body.
type jsonMasker struct {
	in  []byte
	i   int
	out []byte
}

func (m *jsonMasker) space() {
	for m.i < len(m.in) {
		switch m.in[m.i] {
		case ' ', '\t', '\n', '\r':
			m.out = append(m.out, m.in[m.i])
			m.i++
		default:
			return
		}
	}
}

// next skips whitespace and returns the next byte.
func (m *jsonMasker) next() (byte, error) {
	m.space()
	if m.i >= len(m.in) {
		return 0, errJSONEnd
	}
	return m.in[m.i], nil
}

func (m *jsonMasker) copyByte() {
	m.out = append(m.out, m.in[m.i])
	m.i++
}

// value copies one value; mask says it is (inside) a secret's value.
func (m *jsonMasker) value(mask bool) error {
	c, err := m.next()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return m.object(mask)
	case '[':
		return m.array(mask)
	case '"':
		return m.stringValue(mask)
	}
	return m.scalar(mask)
}

func (m *jsonMasker) object(mask bool) error {
	m.copyByte()
	c, err := m.next()
	if err != nil {
		return err
	}
	if c == '}' {
		m.copyByte()
		return nil
	}
	for {
		c, err := m.next()
		if err != nil {
			return err
		}
		if c != '"' {
			return errJSONSyntax
		}
		start := m.i
		key, err := m.str()
		m.out = append(m.out, m.in[start:m.i]...)
		if err != nil {
			return err
		}
		if c, err = m.next(); err != nil {
			return err
		}
		if c != ':' {
			return errJSONSyntax
		}
		m.copyByte()
		if err := m.value(mask || IsSecretKey(key)); err != nil {
			return err
		}
		if c, err = m.next(); err != nil {
			return err
		}
		m.copyByte()
		switch c {
		case ',':
		case '}':
			return nil
		default:
			return errJSONSyntax
		}
	}
}

func (m *jsonMasker) array(mask bool) error {
	m.copyByte()
	c, err := m.next()
	if err != nil {
		return err
	}
	if c == ']' {
		m.copyByte()
		return nil
	}
	for {
		if err := m.value(mask); err != nil {
			return err
		}
		c, err := m.next()
		if err != nil {
			return err
		}
		m.copyByte()
		switch c {
		case ',':
		case ']':
			return nil
		default:
			return errJSONSyntax
		}
	}
}

// str reads the string at m.i, leaving m.i after its closing quote, and
// returns its decoded value (or the raw inside when it ends early).
func (m *jsonMasker) str() (string, error) {
	start := m.i
	m.i++
	escaped := false
	for ; m.i < len(m.in); m.i++ {
		switch c := m.in[m.i]; {
		case c == '\\':
			m.i++
			escaped = true
		case c == '"':
			m.i++
			raw := m.in[start:m.i]
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", errJSONSyntax
			}
			return s, nil
		case c < 0x20:
			return "", errJSONSyntax
		}
	}
	m.i = len(m.in)
	return string(m.in[start+1:]), errJSONEnd
}

func (m *jsonMasker) stringValue(mask bool) error {
	start := m.i
	s, err := m.str()
	if errors.Is(err, errJSONSyntax) {
		return err
	}
	if !mask {
		m.out = append(m.out, m.in[start:m.i]...)
		return err
	}
	quoted, _ := json.Marshal(MaskValue(s))
	m.out = append(m.out, quoted...)
	return err
}

// scalar copies a number, true, false or null. A secret number (an OTP
// sent as a number) becomes the string "****": masked is more useful to
// QA than well-typed.
func (m *jsonMasker) scalar(mask bool) error {
	start := m.i
	for m.i < len(m.in) && strings.IndexByte(",]}: \t\r\n", m.in[m.i]) < 0 {
		m.i++
	}
	tok := m.in[start:m.i]
	end := m.i == len(m.in)
	switch {
	case len(tok) == 0:
		return errJSONSyntax
	case string(tok) == "true", string(tok) == "false", string(tok) == "null":
		m.out = append(m.out, tok...)
	case end && (bytes.HasPrefix([]byte("true"), tok) || bytes.HasPrefix([]byte("false"), tok) || bytes.HasPrefix([]byte("null"), tok)):
		m.out = append(m.out, tok...)
	case !isNumber(tok, end):
		return errJSONSyntax
	case mask:
		m.out = append(m.out, `"`+maskShort+`"`...)
	default:
		m.out = append(m.out, tok...)
	}
	if end {
		return errJSONEnd
	}
	return nil
}

// isNumber is a lenient check of a JSON number: the characters a number
// may hold, starting with a digit or '-'. A number cut short (partial)
// passes as long as what is there could start one.
func isNumber(tok []byte, partial bool) bool {
	if tok[0] != '-' && (tok[0] < '0' || tok[0] > '9') {
		return false
	}
	for _, c := range tok {
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			return false
		}
	}
	return partial || tok[len(tok)-1] >= '0' && tok[len(tok)-1] <= '9'
}

// maskJSONLoose masks "key": value pairs in text that is not valid JSON
// (a client's malformed body still carries its secrets).
func maskJSONLoose(b []byte) string {
	var out strings.Builder
	s := string(b)
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:i])
		s = s[i:]
		key, rest, ok := cutQuoted(s)
		if !ok {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:len(s)-len(rest)])
		s = rest
		trimmed := strings.TrimLeft(s, " \t\r\n")
		if !strings.HasPrefix(trimmed, ":") || !IsSecretKey(key) {
			continue
		}
		after := strings.TrimLeft(trimmed[1:], " \t\r\n")
		out.WriteString(s[:len(s)-len(after)])
		s = after
		switch {
		case strings.HasPrefix(s, `"`):
			val, rest, _ := cutQuoted(s)
			quoted, _ := json.Marshal(MaskValue(val))
			out.Write(quoted)
			s = rest
		default:
			n := strings.IndexAny(s, ",}] \t\r\n")
			if n < 0 {
				n = len(s)
			}
			if n > 0 {
				out.WriteString(`"` + maskShort + `"`)
			}
			s = s[n:]
		}
	}
}

// cutQuoted splits a string starting with a quote into its (raw) content
// and what follows the closing quote; ok is false when it never closes,
// and then the content runs to the end.
func cutQuoted(s string) (content, rest string, ok bool) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return s[1:i], s[i+1:], true
		}
	}
	return s[1:], "", false
}
