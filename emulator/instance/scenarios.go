package instance

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/memo"
	"github.com/sandbank/sandbank/emulator/store"
	"github.com/sandbank/sandbank/emulator/world"
	"github.com/sandbank/sandbank/fixtures"
	"github.com/sandbank/sandbank/scenarios"
)

// scenarioSources finds scenarios for the store: by name in the catalog,
// or by the source a tenant kept, parsed once per distinct text.
type scenarioSources struct {
	catalog *scenarios.Catalog
	parsed  *memo.Map[string, *scenarios.Scenario]
}

func newScenarioSources(c *scenarios.Catalog) *scenarioSources {
	return &scenarioSources{catalog: c, parsed: &memo.Map[string, *scenarios.Scenario]{Max: 256}}
}

// scenario returns the scenario of a name, or of a kept source when src is
// set: a tenant is rebuilt from the text it was created with, whatever the
// files say now.
func (s *scenarioSources) scenario(name, src string) (*scenarios.Scenario, error) {
	if src == "" {
		return s.catalog.Get(name)
	}
	if sc, ok := s.parsed.Get(src); ok {
		return sc, nil
	}
	sc, err := scenarios.ParseBytes(name+" (kept by the tenant)", []byte(src))
	if err != nil {
		return nil, err
	}
	s.parsed.Put(src, sc)
	return sc, nil
}

// resolve is the store's ScenarioResolver.
func (s *scenarioSources) resolve(name, src string) (store.ScenarioData, error) {
	sc, err := s.scenario(name, src)
	if err != nil {
		return store.ScenarioData{}, err
	}
	out := store.ScenarioData{Name: sc.Name, Source: string(sc.Source), Seed: sc.Seed, Behaviour: sc.Behaviour(), App: sc.App()}
	for _, r := range sc.Faults() {
		b, err := json.Marshal(r)
		if err != nil {
			return out, err
		}
		out.Faults = append(out.Faults, b)
	}
	return out, nil
}

// worldBuilder generates new tenants' worlds from the scenario they keep,
// their seed and their provider's bank catalogue (parsed once here).
func worldBuilder(sources *scenarioSources) (store.WorldBuilder, error) {
	banks := map[emulator.Provider][]emulator.Bank{}
	for _, p := range emulator.Providers {
		b, err := fixtures.Banks(p)
		if err != nil {
			return nil, err
		}
		banks[p] = b
	}
	return func(t emulator.Tenant, now time.Time) (emulator.World, error) {
		sc, err := sources.scenario(t.Scenario, t.ScenarioSrc)
		if err != nil {
			return emulator.World{}, err
		}
		if banks[t.Provider] == nil {
			return emulator.World{}, fmt.Errorf("provider %s is not served by this Sandbank yet", t.Provider)
		}
		return world.GenerateFor(sc, t.Provider, t.Seed, banks[t.Provider], t.Clock.At(now))
	}, nil
}

func scenarioList(c *scenarios.Catalog) []client.Scenario {
	var out []client.Scenario
	for _, sc := range c.List() {
		out = append(out, wireScenario(sc, false))
	}
	return out
}

func scenarioShow(c *scenarios.Catalog, name string) (client.Scenario, error) {
	sc, err := c.Get(name)
	if err != nil {
		return client.Scenario{}, emulator.NotFound("scenario", name)
	}
	return wireScenario(sc, true), nil
}

func wireScenario(sc *scenarios.Scenario, source bool) client.Scenario {
	out := client.Scenario{Name: sc.Name, Description: sc.Description, Seed: sc.Seed, Builtin: sc.Builtin, File: sc.File}
	if source {
		out.Source = string(sc.Source)
	}
	return out
}
