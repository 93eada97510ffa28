package httpsig

import (
	"net/http"
	"time"
)

// dateLayouts are the Date formats accepted. Clients differ (notes §1.4): the
// npm and Ruby clients send IMF-fixdate ("Sat, 21 Nov 2026 08:22:52 GMT"),
// PHP's date('r') sends a numeric zone ("Sat, 21 Nov 2026 08:22:52 +0000").
// The obsolete RFC 850 and asctime forms are the ones RFC 9110 §5.6.7 says
// a recipient must still accept.
var dateLayouts = []string{
	http.TimeFormat,
	time.RFC1123Z,
	time.RFC850,
	time.ANSIC,
}

// parseDate parses a Date header value in any accepted layout.
func parseDate(v string) (time.Time, *Error) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fail(ReasonInvalidDate,
		"Date header %s is not an HTTP date; send e.g. %q (IMF-fixdate, as JavaScript's toUTCString gives) or %q (RFC 1123 with numeric zone, as PHP's date('r') gives)",
		quote(v), "Sat, 21 Nov 2026 08:22:52 GMT", "Sat, 21 Nov 2026 08:22:52 +0000")
}

// checkSkew refuses a Date further than maxSkew from now.
func checkSkew(raw string, date, now time.Time, maxSkew time.Duration) *Error {
	d := now.Sub(date)
	switch {
	case d > maxSkew:
		return fail(ReasonDateSkew, "Date %s is %s behind the server clock (%s); the allowed skew is ±%s: sign with the current time",
			quote(raw), roundPast(d, maxSkew), now.UTC().Format(http.TimeFormat), maxSkew)
	case -d > maxSkew:
		return fail(ReasonDateSkew, "Date %s is %s ahead of the server clock (%s); the allowed skew is ±%s: sign with the current time",
			quote(raw), roundPast(-d, maxSkew), now.UTC().Format(http.TimeFormat), maxSkew)
	}
	return nil
}

// roundPast rounds d to the second for reading, unless that would make it
// look no larger than the limit it exceeds.
func roundPast(d, limit time.Duration) time.Duration {
	if r := d.Round(time.Second); r > limit {
		return r
	}
	return d.Round(time.Millisecond)
}
