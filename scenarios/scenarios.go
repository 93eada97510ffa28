// Package scenarios defines Sandbank's scenario files: the world a tenant
// starts with (banks, PSUs, accounts, transaction patterns, seed) and how
// that world behaves (SCA outcomes per PSU, validity periods, fault rules;
// DESIGN.md §8). Built-in scenarios are embedded YAML; more come from a
// directory (NewCatalog) or over the control plane (ParseBytes). Parsing is
// strict, and every problem is reported as FILE:LINE: path: reason, so a
// typo fails loudly at start-up instead of silently shaping a world.
//
// The format is also published as a JSON Schema (Schema), which editors
// can use to complete and check scenario files; tests keep the schema and
// the Go types in step.
package scenarios

import (
	"bytes"
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/faults"
)

//go:embed *.yaml
var builtin embed.FS

//go:embed scenario.schema.json
var schema []byte

// Default is the scenario a tenant gets when nothing else is asked for.
const Default = "default"

// builtinDir is where the built-in files live in the repository; errors
// in them name that path so a developer can open the file at once.
const builtinDir = "scenarios"

// Schema returns the JSON Schema (draft 2020-12) of the scenario format.
// The returned slice is a copy.
func Schema() []byte { return bytes.Clone(schema) }

// Scenario is one parsed scenario file. Treat a Scenario obtained from a
// Catalog as read-only: it is shared by every caller.
type Scenario struct {
	// Name identifies the scenario; a built-in's name is its file name.
	Name string `yaml:"name"`
	// Description is one line saying what the scenario is for.
	Description string `yaml:"description"`
	// Seed drives every random choice of the world; 0 is refused because
	// gofakeit treats it as "random".
	Seed  int64 `yaml:"seed"`
	World World `yaml:"world"`
	// BehaviourSpec is the file's behaviour section as written; Behaviour
	// and Faults turn it into the emulator's types. (The field cannot be
	// called Behaviour: that is the method's name.)
	BehaviourSpec BehaviourSpec `yaml:"behaviour"`
	// AppSpec is the file's app section: what the provider's console
	// holds for the tenant's API client. nil (the section left out)
	// leaves a tenant's own settings alone on load and reset, since a
	// registered key is not world state. (App is the method's name.)
	AppSpec *AppSpec `yaml:"app"`

	// Source is the file's text as it was parsed: tenants keep it so a
	// reset rebuilds the same world whatever the files say later.
	Source []byte `yaml:"-"`
	// File is where the scenario came from ("scenarios/default.yaml", a
	// path under --scenarios, or the name given to ParseBytes).
	File string `yaml:"-"`
	// Builtin is true for scenarios embedded in the binary.
	Builtin bool `yaml:"-"`
}

// World sizes and shapes the generated world.
type World struct {
	// Banks restricts a provider's bank catalogue to these bank ids, in
	// catalogue order; a provider absent from the map keeps its whole
	// catalogue. Keys are provider names ("fintecture", ...).
	Banks map[emulator.Provider][]string `yaml:"banks"`
	// HistoryDays is how far back booked transactions go; 0 means no
	// booked history at all.
	HistoryDays int `yaml:"history_days"`
	// TransactionsPerMonth counts the everyday card payments per month of
	// a current or card account, on top of salary and rent.
	TransactionsPerMonth int `yaml:"transactions_per_month"`
	// PendingPerAccount counts the pending transactions of each current
	// account (they book over the days after the tenant is created).
	PendingPerAccount int `yaml:"pending_per_account"`
	// AccountsPerPSU is how many accounts a PSU gets when it lists none.
	AccountsPerPSU int `yaml:"accounts_per_psu"`
	// GeneratedPSUsPerBank adds this many random PSUs at every bank, with
	// logins user01, user02, ... across the world.
	GeneratedPSUsPerBank int `yaml:"generated_psus_per_bank"`
	// Currencies are handed out in turn to accounts that name none.
	Currencies []string `yaml:"currencies"`
	PSUs       []PSU    `yaml:"psus"`
}

// PSU is a PSU the scenario names explicitly, present at each of Banks (all
// banks of the world when empty) in the worlds of Providers (every
// provider's when empty).
type PSU struct {
	Login    string `yaml:"login"`
	Password string `yaml:"password"`
	// OTP is the one-time code the bank page asks for; "123456" if empty.
	OTP string `yaml:"otp"`
	// DecoupledID is the id a client passes for app-based SCA.
	DecoupledID string `yaml:"decoupled_id"`
	Name        string `yaml:"name"`
	// Providers limits the PSU to the worlds of these providers: sandbox
	// credentials are a provider's (Fintecture's 078000000P, KontoBank's
	// test), so a file serving several providers keeps each to its own.
	Providers []emulator.Provider `yaml:"providers"`
	Banks     []string            `yaml:"banks"`
	// Accounts lists the PSU's accounts at each of its banks. nil (the key
	// left out) means world.accounts_per_psu generated accounts; an empty
	// list (accounts: []) means a PSU with no account at all.
	Accounts []Account `yaml:"accounts"`
}

// Account is an account a scenario spells out. Empty fields take the
// world's defaults.
type Account struct {
	// Name is the account's label; by default it follows the type.
	Name string `yaml:"name"`
	// Type is CACC (current, the default), SVGS (savings) or CARD.
	Type emulator.AccountType `yaml:"type"`
	// Currency defaults to the world's currencies, in turn.
	Currency string `yaml:"currency"`
	// IBAN fixes the account's IBAN, so fault rules and tests can name it.
	// An IBAN is unique to one account, so a PSU with a fixed IBAN must
	// list exactly one bank in banks (checked when parsing), and the
	// IBAN's country must be that bank's.
	IBAN string `yaml:"iban"`
	// TransactionsPerMonth, HistoryDays and Pending override the world's
	// volumes for this account; nil means "as the world says".
	TransactionsPerMonth *int `yaml:"transactions_per_month"`
	HistoryDays          *int `yaml:"history_days"`
	Pending              *int `yaml:"pending"`
	// Balance is the booked balance the account shows on the tenant's
	// first day, as a decimal ("1234.56", "-20", "0.00"); empty means a
	// random plausible figure. The opening balance is chosen to land on it.
	Balance string `yaml:"balance"`
	// CoOwners are the account's other holders, by full name (the PSU is
	// its owner), as Kontomatik lists owners of kind CO_OWNER.
	CoOwners []string `yaml:"co_owners"`
}

// BalanceCents returns Balance in cents, and false when no balance is set.
// Parse has already checked the format, so it does not fail on a parsed
// scenario.
func (a Account) BalanceCents() (int64, bool) {
	if a.Balance == "" {
		return 0, false
	}
	c, err := parseCents(a.Balance)
	return c, err == nil
}

// BehaviourSpec is how the world acts, as a scenario file writes it.
type BehaviourSpec struct {
	// SCA gives PSUs' journeys an outcome; the first rule whose psu
	// matches wins, and PSUs no rule names approve normally.
	SCA []SCARule `yaml:"sca"`
	// The durations override the provider's defaults; left out (or zero)
	// means the provider's own value.
	AccessTokenTTL    emulator.Duration `yaml:"access_token_ttl"`
	RefreshTokenTTL   emulator.Duration `yaml:"refresh_token_ttl"`
	ConsentValidity   emulator.Duration `yaml:"consent_validity"`
	JourneyTTL        emulator.Duration `yaml:"journey_ttl"`
	DecoupledTTL      emulator.Duration `yaml:"decoupled_ttl"`
	VerificationDelay emulator.Duration `yaml:"verification_delay"`
	// CommandDuration is how long an import command (Kontomatik) runs on
	// the tenant clock; left out: the provider's own value.
	CommandDuration emulator.Duration `yaml:"command_duration"`
	// Commands make PSUs' import commands fail; the first rule whose psu
	// matches wins, and PSUs no rule names import normally.
	Commands []CommandRule `yaml:"commands"`
	// Webhooks breaks webhook delivery on purpose.
	Webhooks WebhookSpec `yaml:"webhooks"`
	// Payments, Jobs and Consents say how FinqLink's banks treat
	// authorized payments, data refresh jobs and active consents.
	Payments PaymentSpec `yaml:"payments"`
	Jobs     JobSpec     `yaml:"jobs"`
	Consents ConsentSpec `yaml:"consents"`
	// Faults are fault rules bound to every tenant of this scenario.
	Faults []faults.Rule `yaml:"faults"`
}

// WebhookSpec is how a scenario breaks webhook delivery: every delivery
// of its tenants gets the sabotage switched on here.
type WebhookSpec struct {
	// BadSignature corrupts the signature (the kid is right).
	BadSignature bool `yaml:"bad_signature"`
	// UnknownKID signs with a key the JWKS does not list.
	UnknownKID bool `yaml:"unknown_kid"`
	// Duplicate sends every delivered webhook twice.
	Duplicate bool `yaml:"duplicate"`
	// OutOfOrder sends webhooks due together newest first.
	OutOfOrder bool `yaml:"out_of_order"`
	// Delay holds every new webhook back this long on the tenant clock.
	Delay emulator.Duration `yaml:"delay"`
	// ReceiverErrors plays a receiver answering 503: the first this many
	// attempts of every delivery are recorded as 503s without being
	// sent, then the retries (backoff on the tenant clock) deliver it. At
	// most emulator.WebhookMaxAttempts.
	ReceiverErrors int `yaml:"receiver_errors"`
	// Alg is what the tenant's webhook keys sign with: RS256 (left out)
	// or ES256.
	Alg emulator.SigningAlg `yaml:"alg"`
}

// PaymentSpec is what the banks do with authorized payments.
type PaymentSpec struct {
	// Outcome is one of emulator.PaymentOutcomes; left out: completed.
	Outcome emulator.PaymentOutcome `yaml:"outcome"`
}

// JobSpec is how data refresh jobs end.
type JobSpec struct {
	// Outcome is one of emulator.JobOutcomes; left out: completed.
	Outcome emulator.JobOutcome `yaml:"outcome"`
}

// ConsentSpec is what the banks do with active AIS consents.
type ConsentSpec struct {
	// SuspendAfter suspends an active consent this long after it was
	// authorized; left out: never.
	SuspendAfter emulator.Duration `yaml:"suspend_after"`
}

// CommandRule makes the import commands of the PSU with login PSU ("*":
// every PSU) end in a provider exception instead of a result.
type CommandRule struct {
	PSU string `yaml:"psu"`
	// Exception is a Kontomatik exception name (emulator.CommandExceptions).
	Exception string `yaml:"exception"`
	// Message is the exception's text; empty: the provider's default.
	Message string `yaml:"message"`
	// After is how long the command runs before it fails; left out: as
	// long as a successful one (command_duration).
	After emulator.Duration `yaml:"after"`
	// State is the live state the command ends in: error (left out) or
	// fatal.
	State string `yaml:"state"`
}

// AppSpec is a scenario's app section: the API client's registration in
// the provider's console.
type AppSpec struct {
	// PublicKey is the PEM of the client's public key: PKIX "PUBLIC KEY"
	// (RSA or EC) or PKCS#1 "RSA PUBLIC KEY".
	PublicKey string `yaml:"public_key"`
	// RequireSignatures makes unsigned requests fail, as Fintecture does
	// in production; it needs PublicKey.
	RequireSignatures bool `yaml:"require_signatures"`
}

// SCARule gives the journeys of the PSU with login PSU ("*": every PSU)
// an outcome.
type SCARule struct {
	PSU     string              `yaml:"psu"`
	Outcome emulator.SCAOutcome `yaml:"outcome"`
}

// Behaviour returns the scenario's behaviour in the emulator's terms.
func (s *Scenario) Behaviour() emulator.Behaviour {
	b := s.BehaviourSpec
	out := emulator.Behaviour{
		AccessTokenTTL:    b.AccessTokenTTL.D(),
		RefreshTokenTTL:   b.RefreshTokenTTL.D(),
		ConsentValidity:   b.ConsentValidity.D(),
		JourneyTTL:        b.JourneyTTL.D(),
		DecoupledTTL:      b.DecoupledTTL.D(),
		VerificationDelay: b.VerificationDelay.D(),
		CommandDuration:   b.CommandDuration.D(),
		Webhooks: emulator.WebhookFaults{BadSignature: b.Webhooks.BadSignature, UnknownKID: b.Webhooks.UnknownKID,
			Duplicate: b.Webhooks.Duplicate, OutOfOrder: b.Webhooks.OutOfOrder, Delay: b.Webhooks.Delay.D(),
			ReceiverErrors: b.Webhooks.ReceiverErrors},
		WebhookAlg:          b.Webhooks.Alg,
		PaymentOutcome:      b.Payments.Outcome,
		JobOutcome:          b.Jobs.Outcome,
		ConsentSuspendAfter: b.Consents.SuspendAfter.D(),
	}
	for _, r := range b.SCA {
		out.SCA = append(out.SCA, emulator.OutcomeRule{Login: r.PSU, Outcome: r.Outcome})
	}
	for _, r := range b.Commands {
		out.CommandFailures = append(out.CommandFailures, emulator.CommandFailure{Login: r.PSU, Exception: r.Exception, Message: r.Message, After: r.After.D(), Fatal: r.State == "fatal"})
	}
	return out
}

// App returns the scenario's app settings, or nil when the file has no
// app section (a tenant then keeps its own).
func (s *Scenario) App() *emulator.AppSettings {
	if s.AppSpec == nil {
		return nil
	}
	return &emulator.AppSettings{PublicKey: s.AppSpec.PublicKey, RequireSignatures: s.AppSpec.RequireSignatures}
}

// Faults returns copies of the scenario's fault rules, safe for the
// caller to bind to a tenant and store.
func (s *Scenario) Faults() []faults.Rule {
	if len(s.BehaviourSpec.Faults) == 0 {
		return nil
	}
	out := make([]faults.Rule, len(s.BehaviourSpec.Faults))
	for i, r := range s.BehaviourSpec.Faults {
		r.Match.Operations = slices.Clone(r.Match.Operations)
		if r.RateLimit != nil {
			rl := *r.RateLimit
			r.RateLimit = &rl
		}
		out[i] = r
	}
	return out
}

// For reports whether the PSU exists in the worlds of provider p.
func (u PSU) For(p emulator.Provider) bool {
	return len(u.Providers) == 0 || slices.Contains(u.Providers, p)
}

// BanksFor returns the banks of a provider's catalogue this scenario's
// world uses: the whole catalogue, or the ids world.banks lists for that
// provider, in catalogue order.
func (s *Scenario) BanksFor(p emulator.Provider, catalogue []emulator.Bank) []emulator.Bank {
	ids, ok := s.World.Banks[p]
	if !ok {
		return slices.Clone(catalogue)
	}
	var out []emulator.Bank
	for _, b := range catalogue {
		if slices.Contains(ids, b.ID) {
			out = append(out, b)
		}
	}
	return out
}

// Builtin returns the built-in scenario with that name.
func Builtin(name string) (*Scenario, error) {
	raw, err := builtin.ReadFile(name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/\\") {
		return nil, fmt.Errorf("scenario %q: no such built-in scenario (built-ins: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	s, err := ParseBytes(builtinDir+"/"+name+".yaml", raw)
	if err != nil {
		return nil, err
	}
	s.Builtin = true
	return s, nil
}

// BuiltinNames lists the built-in scenarios, sorted.
func BuiltinNames() []string {
	entries, _ := builtin.ReadDir(".")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	slices.Sort(names)
	return names
}
