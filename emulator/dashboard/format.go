package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// The page templates are parsed by web.Templates, which knows no template
// functions; values that need formatting carry it as methods instead.

// stamp is an instant shown on a page, always in UTC: tenant clocks are
// UTC, and a page mixing zones would make expiries hard to compare.
type stamp time.Time

// String is the instant as people read it.
func (s stamp) String() string {
	t := time.Time(s)
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// ISO is the instant for a <time datetime> attribute.
func (s stamp) ISO() string { return time.Time(s).UTC().Format(time.RFC3339) }

// Input is the instant as a datetime-local input's value.
func (s stamp) Input() string { return time.Time(s).UTC().Format("2006-01-02T15:04:05") }

func stampPtr(t *time.Time) *stamp {
	if t == nil {
		return nil
	}
	s := stamp(*t)
	return &s
}

// money is an amount in minor units with its currency.
type money struct {
	cents    int64
	currency string
}

// String writes the amount with two decimals and thousands separators, as
// the providers' APIs count (every amount Sandbank stores is in cents).
func (m money) String() string {
	sign, c := "", m.cents
	if c < 0 {
		sign, c = "-", -c
	}
	units := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	for i, d := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return fmt.Sprintf("%s%s.%02d %s", sign, b.String(), c%100, m.currency)
}

// Negative tells the template to mark a debit.
func (m money) Negative() bool { return m.cents < 0 }

// parseInstant reads a datetime-local value (with or without seconds) or
// an RFC 3339 time, as UTC.
func parseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time such as 2026-03-02T10:00", s)
}

// optionalInt reads an optional whole-number field; empty is zero.
func optionalInt(field, label, v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badInput(field, "%s must be a whole number, not %q.", label, v)
	}
	return n, nil
}

// optionalDuration reads an optional duration field ("2s", "90d").
func optionalDuration(field, label, v string) (emulator.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	d, err := emulator.ParseDuration(v)
	if err != nil {
		return 0, badInput(field, "%s: %v.", label, err)
	}
	return emulator.Duration(d), nil
}

// splitList reads a comma-separated list, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// header is one header line of a recorded message.
type header struct{ Name, Value string }

// headerLines sorts a message's headers for reading.
func headerLines(h map[string][]string) []header {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	var out []header
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, header{k, v})
		}
	}
	return out
}

// prettyBody indents a JSON body for reading; anything else (XML, forms,
// truncated JSON) is shown as recorded.
func prettyBody(body string) string {
	b := []byte(body)
	if !json.Valid(b) {
		return body
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return body
	}
	return buf.String()
}

// plural writes "1 event" or "3 events".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
