package faults

import (
	"math"

	"github.com/sandbank/sandbank/emulator"
)

// Validate checks a rule before it is stored or loaded from a scenario, so
// a rule that could never fire, or could fire in two contradictory ways,
// is refused with the field at fault instead of silently doing nothing.
// Errors are *emulator.Error with CodeInvalid and the JSON field name.
func Validate(r Rule) error {
	bad := func(field, format string, args ...any) error {
		return emulator.FieldError(emulator.CodeInvalid, field, format, args...)
	}
	if r.Status != 0 && (r.Status < 400 || r.Status > 599) {
		return bad("status", "status %d is not an error status: use 400–599 (or leave it out)", r.Status)
	}
	if r.Status == 0 && r.Latency == 0 && r.Hang == 0 && !r.Drop && r.RateLimit == nil {
		return bad("status", "the rule has no effect: give it a status, latency, hang, drop or rate_limit")
	}
	for _, d := range []struct {
		field string
		v     emulator.Duration
	}{{"latency", r.Latency}, {"hang", r.Hang}, {"retry_after", r.RetryAfter}} {
		if d.v < 0 {
			return bad(d.field, "%s must not be negative", d.field)
		}
	}
	if r.Hang > 0 && r.Status != 0 {
		return bad("hang", "hang never answers, so it cannot go with status %d", r.Status)
	}
	if r.Drop && r.Status != 0 {
		return bad("drop", "drop closes the connection without an answer, so it cannot go with status %d", r.Status)
	}
	if rl := r.RateLimit; rl != nil {
		switch {
		case r.Status != 0 && r.Status != 429:
			return bad("status", "a rate_limit answers 429; status %d cannot go with it", r.Status)
		case r.Hang > 0 || r.Drop:
			return bad("rate_limit", "a rate_limit answers 429, so it cannot hang or drop")
		case r.RetryAfter != 0:
			return bad("retry_after", "retry_after cannot go with a rate_limit: it sets Retry-After to the end of its window itself")
		case rl.Calls < 1:
			return bad("rate_limit.calls", "rate_limit.calls must be at least 1, not %d", rl.Calls)
		case rl.Per <= 0:
			return bad("rate_limit.per", "rate_limit.per must be a positive duration such as 1m")
		}
	} else {
		if r.RetryAfter != 0 && r.Status == 0 {
			return bad("retry_after", "retry_after is a header of the error answer: it needs a status")
		}
		if r.Message != "" && r.Status == 0 {
			return bad("message", "message is the body of the error answer: it needs a status")
		}
	}
	if math.IsNaN(r.Probability) || r.Probability < 0 || r.Probability > 1 {
		return bad("probability", "probability must be between 0 and 1, not %v", r.Probability)
	}
	for _, n := range []struct {
		field string
		v     int
	}{{"after", r.After}, {"every", r.Every}, {"times", r.Times}} {
		if n.v < 0 {
			return bad(n.field, "%s must not be negative, not %d", n.field, n.v)
		}
	}
	switch emulator.Provider(r.Match.Provider) {
	case "", emulator.Fintecture, emulator.FinqLink, emulator.Kontomatik:
	default:
		return bad("match.provider", "unknown provider %q (fintecture, finqlink or kontomatik)", r.Match.Provider)
	}
	for _, op := range r.Match.Operations {
		if op == "" {
			return bad("match.operations", "match.operations must not hold an empty operationId")
		}
	}
	return nil
}
