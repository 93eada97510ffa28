package scenarios

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Catalog is the set of scenarios a Sandbank process knows: the built-ins
// plus the files of --scenarios DIR. It is read once at start-up and never
// changes, so it is safe for concurrent use.
type Catalog struct {
	byName map[string]*Scenario
	sorted []*Scenario
}

// NewCatalog loads the built-in scenarios and every *.yaml and *.yml file
// of dir (not its subdirectories; dir "" means built-ins only). Any file
// that fails to parse fails the whole catalogue, with its FILE:LINE
// problems, and so does a name used twice (a file cannot silently replace
// a built-in: a test suite relying on the built-in would then pass or fail
// depending on the directory it was started from).
func NewCatalog(dir string) (*Catalog, error) {
	c := &Catalog{byName: map[string]*Scenario{}}
	var errs []error
	for _, name := range BuiltinNames() {
		s, err := Builtin(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, c.add(s))
	}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
				continue
			}
			file := filepath.Join(dir, e.Name())
			src, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, fmt.Errorf("scenarios: %w", err))
				continue
			}
			s, err := ParseBytes(file, src)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			errs = append(errs, c.add(s))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	c.sorted = slices.SortedFunc(maps.Values(c.byName), func(a, b *Scenario) int { return strings.Compare(a.Name, b.Name) })
	return c, nil
}

func (c *Catalog) add(s *Scenario) error {
	if other, dup := c.byName[s.Name]; dup {
		return fmt.Errorf("%s: name %q is already used by %s", s.File, s.Name, other.File)
	}
	c.byName[s.Name] = s
	return nil
}

// Get returns the scenario with that name; an unknown name is an error
// that lists the known ones.
func (c *Catalog) Get(name string) (*Scenario, error) {
	if s, ok := c.byName[name]; ok {
		return s, nil
	}
	names := make([]string, len(c.sorted))
	for i, s := range c.sorted {
		names[i] = s.Name
	}
	return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(names, ", "))
}

// List returns every scenario sorted by name. The slice is the caller's;
// the scenarios are shared and read-only.
func (c *Catalog) List() []*Scenario {
	return slices.Clone(c.sorted)
}
