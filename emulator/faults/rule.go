// Package faults injects failures into provider APIs: rules that match
// requests by provider, contract, operationId, bank, PSU, account or tenant
// and answer an error status in the provider's own envelope, add latency,
// hang, or drop the connection (DESIGN.md §8). Rules are data: scenarios
// carry them, the control plane adds and removes them at run time, and one
// middleware, keyed by operationId, applies them. Handlers never see them.
package faults

import "github.com/sandbank/sandbank/emulator"

// Rule is one fault. Its zero-valued fields do not constrain: a rule with
// an empty Match matches every request of every provider.
type Rule struct {
	// ID is assigned when the rule is stored; empty in scenario files.
	ID string `json:"id,omitempty" yaml:"-"`
	// Name says what the rule is for, on the dashboard and in logs.
	Name  string `json:"name,omitempty" yaml:"name,omitempty"`
	Match Match  `json:"match" yaml:"match,omitempty"`

	// Status answers this HTTP status (400–599) with the provider's error
	// body instead of calling the handler.
	Status int `json:"status,omitempty" yaml:"status,omitempty"`
	// Message is the human message put in that error body.
	Message string `json:"message,omitempty" yaml:"message,omitempty"`
	// RetryAfter adds a Retry-After header (whole seconds) to the error.
	RetryAfter emulator.Duration `json:"retry_after,omitempty" yaml:"retry_after,omitempty"`
	// Latency delays the answer (the handler's, or the error's) this long.
	Latency emulator.Duration `json:"latency,omitempty" yaml:"latency,omitempty"`
	// Hang holds the request open and never answers, until the client
	// gives up or this long has passed (then the connection is dropped).
	Hang emulator.Duration `json:"hang,omitempty" yaml:"hang,omitempty"`
	// Drop closes the connection without any answer.
	Drop bool `json:"drop,omitempty" yaml:"drop,omitempty"`

	// After lets the first After matching calls through untouched.
	After int `json:"after,omitempty" yaml:"after,omitempty"`
	// Every fires on every Every-th matching call only (a flaky bank).
	Every int `json:"every,omitempty" yaml:"every,omitempty"`
	// Probability fires on a share of matching calls, drawn from a
	// generator seeded by the tenant's seed and the rule, so a replay of
	// the same calls fails the same way. Zero means always.
	Probability float64 `json:"probability,omitempty" yaml:"probability,omitempty"`
	// Times stops the rule after it has fired this many times; zero
	// means no limit.
	Times int `json:"times,omitempty" yaml:"times,omitempty"`
	// RateLimit fires once more than Calls matching calls arrive within
	// one window of Per on the tenant's clock; Retry-After then says when
	// the window ends.
	RateLimit *RateLimit `json:"rate_limit,omitempty" yaml:"rate_limit,omitempty"`
}

// Match selects the requests a rule applies to. Every non-empty field
// must match.
type Match struct {
	// Provider is "fintecture", "finqlink" or "kontomatik".
	Provider string `json:"provider,omitempty" yaml:"provider,omitempty"`
	// Contract is a contract name such as "fintecture" or "live/fintecture".
	Contract string `json:"contract,omitempty" yaml:"contract,omitempty"`
	// Operations are operationIds of the contract documents; any one
	// matches.
	Operations []string `json:"operations,omitempty" yaml:"operations,omitempty"`
	// Bank is the provider's id for a bank (e.g. "cmcifrpp").
	Bank string `json:"bank,omitempty" yaml:"bank,omitempty"`
	// PSU is a PSU's login at its bank.
	PSU string `json:"psu,omitempty" yaml:"psu,omitempty"`
	// Account is an account's IBAN or id.
	Account string `json:"account,omitempty" yaml:"account,omitempty"`
	// Tenant is a tenant's key (emulator.TenantKey). Rules that come from
	// a tenant's scenario are bound to that tenant.
	Tenant string `json:"tenant,omitempty" yaml:"-"`
}

// RateLimit is a fixed-window request budget.
type RateLimit struct {
	// Calls is the budget: the calls a window lets through.
	Calls int `json:"calls" yaml:"calls"`
	// Per is the window's length, on the tenant's clock, so moving a
	// tenant's time forward refills its budget.
	Per emulator.Duration `json:"per" yaml:"per"`
}
