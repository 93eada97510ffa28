package dashboard

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// faultRow is one fault rule on a tenant's page.
type faultRow struct {
	ID, Name, Source string
	// Global is a rule of every tenant rather than this one's.
	Global          bool
	Match, Effect   string
	Matched, Fired  int64
	RemoveAriaLabel string
}

func newFaultRow(f client.Fault) faultRow {
	name := f.Name
	if name == "" {
		name = "rule " + f.ID
	}
	return faultRow{
		ID: f.ID, Name: name, Source: f.Source, Global: f.Match.Tenant == "",
		Match: describeMatch(f.Match), Effect: describeEffect(f.Rule),
		Matched: f.Matched, Fired: f.Fired, RemoveAriaLabel: "Remove fault rule " + name,
	}
}

// describeMatch writes which requests a rule applies to.
func describeMatch(m faults.Match) string {
	var parts []string
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("provider", m.Provider)
	add("contract", m.Contract)
	if len(m.Operations) > 0 {
		parts = append(parts, "operations "+strings.Join(m.Operations, ", "))
	}
	add("bank", m.Bank)
	add("PSU", m.PSU)
	add("account", m.Account)
	if len(parts) == 0 {
		return "every call"
	}
	return strings.Join(parts, "; ")
}

// describeEffect writes what a rule does and when it fires.
func describeEffect(r faults.Rule) string {
	var parts []string
	switch {
	case r.RateLimit != nil:
		parts = append(parts, fmt.Sprintf("429 once over %d calls per %s", r.RateLimit.Calls, emulator.FormatDuration(r.RateLimit.Per.D())))
	case r.Status != 0:
		s := strconv.Itoa(r.Status)
		if r.Message != "" {
			s += " “" + r.Message + "”"
		}
		parts = append(parts, s)
	}
	if r.RetryAfter > 0 {
		parts = append(parts, "Retry-After "+emulator.FormatDuration(r.RetryAfter.D()))
	}
	if r.Latency > 0 {
		parts = append(parts, emulator.FormatDuration(r.Latency.D())+" latency")
	}
	if r.Hang > 0 {
		parts = append(parts, "hangs up to "+emulator.FormatDuration(r.Hang.D()))
	}
	if r.Drop {
		parts = append(parts, "drops the connection")
	}
	if r.After > 0 {
		parts = append(parts, "after the first "+plural(r.After, "call", "calls"))
	}
	if r.Every > 1 {
		parts = append(parts, "every "+ordinal(r.Every)+" call")
	}
	if r.Probability > 0 && r.Probability < 1 {
		parts = append(parts, fmt.Sprintf("%g%% of calls", r.Probability*100))
	}
	if r.Times > 0 {
		parts = append(parts, "at most "+plural(r.Times, "time", "times"))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// summary is the short phrase of a magic login's fault rule: its name
// when it has one, else what it answers and on which operations
// ("503 on every call").
func summary(r faults.Rule) string {
	if r.Name != "" {
		return r.Name
	}
	what := describeEffect(r)
	if r.RateLimit == nil && r.Status != 0 {
		what = strconv.Itoa(r.Status)
	}
	if len(r.Match.Operations) == 0 {
		return what + " on every call"
	}
	return what + " on " + strings.Join(r.Match.Operations, ", ")
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// addFault adds a fault rule scoped to the tenant from the page's form.
func (d *Dashboard) addFault(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	if err := parseForm(w, r); err != nil {
		return err
	}
	rule, err := ruleFromForm(key, r)
	if err != nil {
		return d.refuse(w, r, key, "fault", err)
	}
	f, err := d.ctl.AddFault(r.Context(), rule)
	if err != nil {
		return d.refuse(w, r, key, "fault", err)
	}
	name := f.Name
	if name == "" {
		name = f.ID
	}
	return done(w, r, tenantPath(key), "Fault rule "+name+" added", "faults")
}

// ruleFromForm reads the add-rule form. The rule is always bound to the
// page's tenant: a page about one tenant must not break every other one.
func ruleFromForm(key string, r *http.Request) (faults.Rule, error) {
	f := r.PostForm
	get := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	rule := faults.Rule{
		Name:    get("name"),
		Message: get("message"),
		Match: faults.Match{
			Tenant: key, Operations: splitList(f.Get("operations")),
			Bank: get("bank"), PSU: get("psu"), Account: get("account"),
		},
	}
	ints := []struct {
		field, label string
		dst          *int
	}{
		{"status", "Status", &rule.Status}, {"every", "Every", &rule.Every},
		{"after", "After", &rule.After}, {"times", "Times", &rule.Times},
	}
	for _, n := range ints {
		v, err := optionalInt(n.field, n.label, f.Get(n.field))
		if err != nil {
			return rule, err
		}
		if v < -1<<31 || v > 1<<31-1 {
			return rule, badInput(n.field, "%s is out of range.", n.label)
		}
		*n.dst = int(v)
	}
	durations := []struct {
		field, label string
		dst          *emulator.Duration
	}{
		{"latency", "Latency", &rule.Latency}, {"retry_after", "Retry after", &rule.RetryAfter},
	}
	for _, n := range durations {
		v, err := optionalDuration(n.field, n.label, f.Get(n.field))
		if err != nil {
			return rule, err
		}
		*n.dst = v
	}
	if p := get("probability"); p != "" {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return rule, badInput("probability", "Probability must be a number between 0 and 1, such as 0.25, not %q.", p)
		}
		rule.Probability = v
	}
	// The engine validates again when it stores the rule; checking here
	// too refuses a bad rule the same way whatever FaultRules is wired.
	return rule, faults.Validate(rule)
}

// removeFault removes one of the rules the tenant's page lists.
func (d *Dashboard) removeFault(w http.ResponseWriter, r *http.Request) error {
	key, id := httpapi.Var(r, "key"), httpapi.Var(r, "id")
	if err := parseForm(w, r); err != nil {
		return err
	}
	rules, err := d.ctl.Faults(r.Context(), key)
	if err != nil {
		return d.refuse(w, r, key, "remove-fault", err)
	}
	// Only a rule this page shows can go from it, so a stale or edited
	// form cannot remove another tenant's rule.
	if !slices.ContainsFunc(rules, func(f client.Fault) bool { return f.ID == id }) {
		return d.refuse(w, r, key, "remove-fault", emulator.NotFound("fault rule", id))
	}
	if err := d.ctl.RemoveFault(r.Context(), id); err != nil {
		return d.refuse(w, r, key, "remove-fault", err)
	}
	return done(w, r, tenantPath(key), "Fault rule "+id+" removed", "faults")
}
