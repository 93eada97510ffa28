// Package scenarios defines Sandbank's scenario files: the world a tenant
// starts with (banks, PSUs, accounts, transaction patterns, seed). Built-in
// scenarios are embedded YAML; parsing is strict so a typo fails loudly with
// the file and line.
package scenarios

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var builtin embed.FS

// Default is the scenario a tenant gets when nothing else is asked for.
const Default = "default"

// Scenario is one parsed scenario file.
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Seed drives every random choice of the world; 0 is refused because
	// gofakeit treats it as "random".
	Seed  int64 `yaml:"seed"`
	World World `yaml:"world"`
}

// World sizes and shapes the generated world.
type World struct {
	HistoryDays          int      `yaml:"history_days"`
	TransactionsPerMonth int      `yaml:"transactions_per_month"`
	PendingPerAccount    int      `yaml:"pending_per_account"`
	AccountsPerPSU       int      `yaml:"accounts_per_psu"`
	GeneratedPSUsPerBank int      `yaml:"generated_psus_per_bank"`
	Currencies           []string `yaml:"currencies"`
	PSUs                 []PSU    `yaml:"psus"`
}

// PSU is a PSU the scenario names explicitly, present at each of Banks (all
// banks when empty).
type PSU struct {
	Login       string   `yaml:"login"`
	Password    string   `yaml:"password"`
	OTP         string   `yaml:"otp"`
	DecoupledID string   `yaml:"decoupled_id"`
	Name        string   `yaml:"name"`
	Banks       []string `yaml:"banks"`
}

// Parse reads one scenario strictly: unknown keys and bad values fail with
// the file name and line.
func Parse(name string, r io.Reader) (*Scenario, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	return &s, nil
}

func (s *Scenario) validate() error {
	w := s.World
	switch {
	case s.Name == "":
		return fmt.Errorf("name is required")
	case s.Seed == 0:
		return fmt.Errorf("seed must be non-zero (0 would mean random)")
	case w.HistoryDays < 0 || w.HistoryDays > 3660:
		return fmt.Errorf("world.history_days must be 0..3660")
	case w.TransactionsPerMonth < 0 || w.AccountsPerPSU < 0 || w.GeneratedPSUsPerBank < 0 || w.PendingPerAccount < 0:
		return fmt.Errorf("world counts must not be negative")
	case len(w.Currencies) == 0:
		return fmt.Errorf("world.currencies must list at least one currency")
	}
	for _, c := range w.Currencies {
		if len(c) != 3 || strings.ToUpper(c) != c {
			return fmt.Errorf("world.currencies: %q is not an ISO 4217 code", c)
		}
	}
	for i, p := range w.PSUs {
		if p.Login == "" || p.Password == "" {
			return fmt.Errorf("world.psus[%d]: login and password are required", i)
		}
	}
	return nil
}

// Builtin returns the built-in scenario with that name.
func Builtin(name string) (*Scenario, error) {
	raw, err := builtin.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("scenario %q: no such built-in scenario", name)
	}
	return Parse(name+".yaml", bytes.NewReader(raw))
}

// BuiltinNames lists the built-in scenarios.
func BuiltinNames() []string {
	entries, _ := builtin.ReadDir(".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), path.Ext(e.Name())))
	}
	sort.Strings(names)
	return names
}
