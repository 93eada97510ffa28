package faults_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/faults"
)

func TestValidate(t *testing.T) {
	rl := &faults.RateLimit{Calls: 5, Per: dur(time.Minute)}
	for _, r := range []faults.Rule{
		{Status: 503},
		{Status: 400, Message: "nope", RetryAfter: dur(time.Second)},
		{Latency: dur(time.Second)},
		{Latency: dur(time.Second), Status: 500},
		{Hang: dur(time.Minute)},
		{Hang: dur(time.Minute), Drop: true},
		{Drop: true, Probability: 0.5, After: 1, Every: 2, Times: 3},
		{RateLimit: rl},
		{RateLimit: rl, Status: 429, Message: "slow down"},
		{Status: 500, Probability: 1, Match: faults.Match{Provider: "kontomatik", Operations: []string{"x"}}},
	} {
		if err := faults.Validate(r); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", r, err)
		}
	}
	for _, tc := range []struct {
		field string
		rule  faults.Rule
	}{
		{"status", faults.Rule{Status: 302}},
		{"status", faults.Rule{Status: 600}},
		{"status", faults.Rule{}},
		{"status", faults.Rule{Name: "only gating", Times: 3, Match: faults.Match{Bank: "b"}}},
		{"latency", faults.Rule{Latency: -1, Status: 500}},
		{"hang", faults.Rule{Hang: dur(time.Second), Status: 500}},
		{"drop", faults.Rule{Drop: true, Status: 500}},
		{"status", faults.Rule{RateLimit: rl, Status: 503}},
		{"rate_limit", faults.Rule{RateLimit: rl, Drop: true}},
		{"retry_after", faults.Rule{RateLimit: rl, RetryAfter: dur(time.Second)}},
		{"rate_limit.calls", faults.Rule{RateLimit: &faults.RateLimit{Per: dur(time.Minute)}}},
		{"rate_limit.per", faults.Rule{RateLimit: &faults.RateLimit{Calls: 1}}},
		{"retry_after", faults.Rule{Latency: dur(time.Second), RetryAfter: dur(time.Second)}},
		{"message", faults.Rule{Drop: true, Message: "x"}},
		{"probability", faults.Rule{Status: 500, Probability: 1.5}},
		{"probability", faults.Rule{Status: 500, Probability: -0.1}},
		{"probability", faults.Rule{Status: 500, Probability: math.NaN()}},
		{"after", faults.Rule{Status: 500, After: -1}},
		{"every", faults.Rule{Status: 500, Every: -1}},
		{"times", faults.Rule{Status: 500, Times: -1}},
		{"match.provider", faults.Rule{Status: 500, Match: faults.Match{Provider: "stripe"}}},
		{"match.operations", faults.Rule{Status: 500, Match: faults.Match{Operations: []string{""}}}},
	} {
		err := faults.Validate(tc.rule)
		var e *emulator.Error
		if !errors.As(err, &e) || e.Code != emulator.CodeInvalid || e.Field != tc.field {
			t.Errorf("Validate(%+v) = %v, want an invalid %s", tc.rule, err, tc.field)
			continue
		}
		if !strings.Contains(e.Message, strings.TrimPrefix(tc.field, "match.")) && tc.field != "status" {
			t.Errorf("Validate(%+v): message %q does not name %s", tc.rule, e.Message, tc.field)
		}
	}
}
