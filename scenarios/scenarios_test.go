package scenarios

import (
	"strings"
	"testing"
)

func TestBuiltinScenariosParse(t *testing.T) {
	names := BuiltinNames()
	if len(names) == 0 {
		t.Fatal("no built-in scenario")
	}
	for _, n := range names {
		if _, err := Builtin(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := Builtin("nope"); err == nil {
		t.Fatal("unknown scenario accepted")
	}
}

func TestParseIsStrict(t *testing.T) {
	good := "name: x\nseed: 1\nworld:\n  currencies: [EUR]\n"
	if _, err := Parse("good.yaml", strings.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"unknown key":  "name: x\nseed: 1\ncolour: blue\nworld:\n  currencies: [EUR]\n",
		"seed zero":    "name: x\nseed: 0\nworld:\n  currencies: [EUR]\n",
		"bad currency": "name: x\nseed: 1\nworld:\n  currencies: [euro]\n",
		"wrong type":   "name: x\nseed: one\nworld:\n  currencies: [EUR]\n",
		"psu no login": "name: x\nseed: 1\nworld:\n  currencies: [EUR]\n  psus:\n    - password: p\n",
	}
	for name, text := range cases {
		_, err := Parse("bad.yaml", strings.NewReader(text))
		if err == nil || !strings.Contains(err.Error(), "bad.yaml") {
			t.Errorf("%s: want an error naming the file, got %v", name, err)
		}
	}
	_, err := Parse("f.yaml", strings.NewReader("name: x\nseed: 1\ncolour: blue\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("unknown key should name its line: %v", err)
	}
}
