package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/sandbank/sandbank/emulator"
)

// compileSchema compiles the embedded schema with a real JSON Schema
// validator, so the document is checked against the 2020-12 metaschema too.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// yamlToJSON reads YAML the way an editor's YAML language server does
// before applying a JSON Schema: as plain data, then as JSON.
func yamlToJSON(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestBuiltinsMatchSchema(t *testing.T) {
	sch := compileSchema(t)
	for _, n := range BuiltinNames() {
		src, err := builtin.ReadFile(n + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(yamlToJSON(t, src)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// TestBrokenFilesFailBoth: mistakes an editor would flag with the schema
// are refused by Parse as well, and the other way round.
func TestBrokenFilesFailBoth(t *testing.T) {
	sch := compileSchema(t)
	const psu = "  psus:\n    - login: a\n      password: p\n"
	broken := map[string]string{
		"unknown key":               good + "colour: blue\n",
		"seed zero":                 "name: x\nseed: 0\nworld:\n  currencies: [EUR]\n",
		"no world":                  "name: x\nseed: 1\n",
		"bad currency":              "name: x\nseed: 1\nworld:\n  currencies: [euro]\n",
		"negative count":            good + "  pending_per_account: -1\n",
		"unquoted otp":              good + psu + "      otp: 123456\n",
		"bad account type":          good + psu + "      accounts: [{type: LOAN}]\n",
		"IBAN with spaces":          good + psu + "      banks: [cmcifrpp]\n      accounts: [{iban: FR76 3006 6100 2100 0109 5560 101}]\n",
		"bad balance":               good + psu + "      accounts: [{balance: \"12,50\"}]\n",
		"bad duration":              good + "behaviour:\n  journey_ttl: 2 minutes\n",
		"day after hours":           good + "behaviour:\n  journey_ttl: 1h2d\n",
		"unknown outcome":           good + psu + "behaviour:\n  sca: [{psu: a, outcome: maybe}]\n",
		"sca without psu":           good + "behaviour:\n  sca: [{outcome: deny}]\n",
		"status 200":                good + "behaviour:\n  faults: [{status: 200}]\n",
		"no effect":                 good + "behaviour:\n  faults: [{name: x}]\n",
		"rate without per":          good + "behaviour:\n  faults: [{rate_limit: {calls: 1}}]\n",
		"unknown provider":          good + "  banks:\n    monzo: [x]\n",
		"empty bank list":           good + "  banks:\n    fintecture: []\n",
		"probability 2":             good + "behaviour:\n  faults: [{status: 503, probability: 2}]\n",
		"unknown exception":         good + psu + "behaviour:\n  commands: [{psu: a, exception: Timeout}]\n",
		"command no psu":            good + "behaviour:\n  commands: [{exception: SessionExpired}]\n",
		"command bad after":         good + psu + "behaviour:\n  commands: [{psu: a, exception: SessionExpired, after: soon}]\n",
		"command duration":          good + "behaviour:\n  command_duration: 5 seconds\n",
		"co-owner spaces":           good + psu + "      accounts: [{co_owners: [\" Ann\"]}]\n",
		"co-owner twice":            good + psu + "      accounts: [{co_owners: [Ann, Ann]}]\n",
		"unknown provider of a PSU": good + psu + "      providers: [monzo]\n",
		"empty PSU providers":       good + psu + "      providers: []\n",
		"receiver errors over":      good + "behaviour:\n  webhooks:\n    receiver_errors: 11\n",
		"receiver errors negative":  good + "behaviour:\n  webhooks:\n    receiver_errors: -2\n",
		"receiver errors text":      good + "behaviour:\n  webhooks:\n    receiver_errors: some\n",
	}
	for name, text := range broken {
		if err := sch.Validate(yamlToJSON(t, []byte(text))); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
		if _, err := ParseBytes("broken.yaml", []byte(text)); err == nil {
			t.Errorf("%s: Parse accepts it", name)
		}
	}
}

// TestSchemaFollowsTypes walks the Go types and the schema side by side:
// at every level the schema's property names must be the yaml tags, so
// the two cannot drift apart.
func TestSchemaFollowsTypes(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(Schema(), &doc); err != nil {
		t.Fatal(err)
	}
	defs := doc["$defs"].(map[string]any)
	resolve := func(s map[string]any) map[string]any {
		for {
			ref, ok := s["$ref"].(string)
			if !ok {
				return s
			}
			s = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
	}
	checked := 0
	var walk func(t reflect.Type, s map[string]any, where string)
	walk = func(typ reflect.Type, s map[string]any, where string) {
		s = resolve(s)
		if reflect.PointerTo(typ).Implements(textUnmarshaler) {
			return
		}
		switch typ.Kind() {
		case reflect.Pointer:
			walk(typ.Elem(), s, where)
		case reflect.Slice:
			if s["type"] != "array" {
				t.Errorf("%s: the schema should say array", where)
				return
			}
			walk(typ.Elem(), s["items"].(map[string]any), where+"[]")
		case reflect.Map:
			// world.banks: one property per provider.
			props, _ := s["properties"].(map[string]any)
			want := make([]string, len(providers))
			for i, p := range providers {
				want[i] = string(p)
			}
			slices.Sort(want)
			if got := slices.Sorted(maps.Keys(props)); !slices.Equal(got, want) {
				t.Errorf("%s: schema properties %v, want the providers %v", where, got, want)
			}
			for k, v := range props {
				walk(typ.Elem(), v.(map[string]any), where+"."+k)
			}
		case reflect.Struct:
			checked++
			if s["additionalProperties"] != false {
				t.Errorf("%s: the schema must set additionalProperties: false", where)
			}
			props, _ := s["properties"].(map[string]any)
			fields := yamlFields(typ)
			if got, want := slices.Sorted(maps.Keys(props)), slices.Sorted(maps.Keys(fields)); !slices.Equal(got, want) {
				t.Errorf("%s (%s): schema properties %v, yaml tags %v", where, typ, got, want)
				return
			}
			for name, f := range fields {
				walk(f.Type, props[name].(map[string]any), strings.TrimPrefix(where+"."+name, "."))
			}
		}
	}
	walk(reflect.TypeFor[Scenario](), doc, "")
	if checked < 8 {
		t.Fatalf("walked only %d structs", checked)
	}
}

// TestSchemaSharesGoRules: the schema's patterns and enums are the ones
// Parse applies.
func TestSchemaSharesGoRules(t *testing.T) {
	var doc struct {
		Properties map[string]map[string]any
		Defs       map[string]struct {
			Pattern    string
			Properties map[string]map[string]any
		} `json:"$defs"`
	}
	if err := json.Unmarshal(Schema(), &doc); err != nil {
		t.Fatal(err)
	}
	d := doc.Defs
	for name, c := range map[string][2]string{
		"name":     {fmt.Sprint(doc.Properties["name"]["pattern"]), namePattern},
		"currency": {d["currency"].Pattern, currencyPattern},
		"duration": {d["duration"].Pattern, durationPattern},
		"bank id":  {d["bank_id"].Pattern, bankIDPattern},
		"iban":     {fmt.Sprint(d["account"].Properties["iban"]["pattern"]), ibanPattern},
		"balance":  {fmt.Sprint(d["account"].Properties["balance"]["pattern"]), balancePattern},
	} {
		if c[0] != c[1] {
			t.Errorf("%s: schema pattern %q, Go pattern %q", name, c[0], c[1])
		}
	}
	enum := func(v any) []string {
		var out []string
		for _, e := range v.([]any) {
			out = append(out, e.(string))
		}
		return out
	}
	var outcomes []string
	for _, o := range emulator.SCAOutcomes {
		outcomes = append(outcomes, string(o))
	}
	if got := enum(d["sca_rule"].Properties["outcome"]["enum"]); !slices.Equal(got, outcomes) {
		t.Errorf("outcomes: schema %v, Go %v", got, outcomes)
	}
	types := []string{string(emulator.AccountCurrent), string(emulator.AccountSavings), string(emulator.AccountCard)}
	if got := enum(d["account"].Properties["type"]["enum"]); !slices.Equal(got, types) {
		t.Errorf("account types: schema %v, Go %v", got, types)
	}
	var provs []string
	for _, p := range providers {
		provs = append(provs, string(p))
	}
	if got := enum(d["match"].Properties["provider"]["enum"]); !slices.Equal(got, provs) {
		t.Errorf("providers: schema %v, Go %v", got, provs)
	}
	psuProviders := d["psu"].Properties["providers"]["items"].(map[string]any)["enum"]
	if got := enum(psuProviders); !slices.Equal(got, provs) {
		t.Errorf("PSU providers: schema %v, Go %v", got, provs)
	}
	if got := enum(d["command_rule"].Properties["exception"]["enum"]); !slices.Equal(got, emulator.CommandExceptions) {
		t.Errorf("command exceptions: schema %v, Go %v", got, emulator.CommandExceptions)
	}
	// receiver_errors is bounded by the dispatcher's attempts.
	hooks := d["behaviour"].Properties["webhooks"]["properties"].(map[string]any)
	if max := hooks["receiver_errors"].(map[string]any)["maximum"]; max != float64(emulator.WebhookMaxAttempts) {
		t.Errorf("receiver_errors: schema maximum %v, Go %d", max, emulator.WebhookMaxAttempts)
	}
	coOwner := d["account"].Properties["co_owners"]["items"].(map[string]any)["pattern"]
	if coOwner != coOwnerPattern {
		t.Errorf("co-owner: schema pattern %q, Go pattern %q", coOwner, coOwnerPattern)
	}
	// Durations the schema accepts must read with emulator.ParseDuration.
	for _, s := range []string{"90d", "36h", "15m", "1h30m", "2w", "2w3d", "1d12h", "500ms", "1.5h"} {
		if !durationRE.MatchString(s) {
			t.Errorf("duration %q does not match the pattern", s)
		}
		if _, err := emulator.ParseDuration(s); err != nil {
			t.Errorf("duration %q: %v", s, err)
		}
	}
}

// TestReadmeExample: the format example in README.md parses and matches
// the schema, so the documentation cannot show a file Sandbank refuses.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## The format\n\n```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md: no yaml example under \"## The format\"")
	}
	if _, err := ParseBytes("README.md example", []byte(example)); err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(yamlToJSON(t, []byte(example))); err != nil {
		t.Fatal(err)
	}
}
