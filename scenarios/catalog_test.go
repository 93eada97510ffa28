package scenarios

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCatalogBuiltinsOnly(t *testing.T) {
	c, err := NewCatalog("")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range c.List() {
		names = append(names, s.Name)
		if !s.Builtin {
			t.Errorf("%s: not marked built-in", s.Name)
		}
	}
	if !slices.Equal(names, BuiltinNames()) {
		t.Fatalf("List: %v, want %v", names, BuiltinNames())
	}
	s, err := c.Get(Default)
	if err != nil || s.Name != Default {
		t.Fatalf("Get(default): %v %v", s, err)
	}
	if _, err := c.Get("nope"); err == nil || !strings.Contains(err.Error(), `unknown scenario "nope" (known: bank_down, `) {
		t.Fatalf("Get(nope): %v", err)
	}
}

func TestCatalogDirectory(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "mine.yml", "name: mine\nseed: 7\nworld:\n  currencies: [EUR]\n")
	writeFile(t, dir, "notes.txt", "not a scenario")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sub"), "deep.yaml", "not read: subdirectories are not scanned")
	c, err := NewCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Get("mine")
	if err != nil {
		t.Fatal(err)
	}
	if s.Builtin || s.File != file || len(c.List()) != len(BuiltinNames())+1 {
		t.Fatalf("mine: builtin %v, file %q, %d scenarios", s.Builtin, s.File, len(c.List()))
	}
	list := c.List()
	if !slices.IsSortedFunc(list, func(a, b *Scenario) int { return strings.Compare(a.Name, b.Name) }) {
		t.Fatal("List is not sorted by name")
	}
}

func TestCatalogRefusesCollisionsAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", "name: twin\nseed: 1\nworld:\n  currencies: [EUR]\n")
	writeFile(t, dir, "b.yaml", "name: twin\nseed: 2\nworld:\n  currencies: [EUR]\n")
	_, err := NewCatalog(dir)
	if err == nil || !strings.Contains(err.Error(), `b.yaml: name "twin" is already used by `+filepath.Join(dir, "a.yaml")) {
		t.Fatalf("two files named twin: %v", err)
	}

	dir = t.TempDir()
	writeFile(t, dir, "mine.yaml", "name: default\nseed: 1\nworld:\n  currencies: [EUR]\n")
	if _, err := NewCatalog(dir); err == nil || !strings.Contains(err.Error(), `name "default" is already used by scenarios/default.yaml`) {
		t.Fatalf("a file replacing a built-in: %v", err)
	}

	dir = t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", "name: bad\nseed: 1\nworld:\n  currencies: [EUR]\n  histroy_days: 3\n")
	if _, err := NewCatalog(dir); err == nil || !strings.Contains(err.Error(), bad+":5: world.histroy_days: unknown key") {
		t.Fatalf("a bad file: %v", err)
	}

	if _, err := NewCatalog(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing directory should fail")
	}
}
