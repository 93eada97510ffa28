package scenarios

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Issue is one problem found in a scenario file.
type Issue struct {
	File string
	// Line is 1-based; 0 when the problem has no place (an empty file).
	Line int
	// Path names the value in the file, e.g. "behaviour.sca[0].outcome";
	// empty for problems of the file as a whole (YAML syntax).
	Path   string
	Reason string
}

// String writes the issue the way compilers do, so editors and terminals
// can jump to it: "scenarios/foo.yaml:12: behaviour.sca[0].outcome: ...".
func (i Issue) String() string {
	var b strings.Builder
	b.WriteString(i.File)
	if i.Line > 0 {
		fmt.Fprintf(&b, ":%d", i.Line)
	}
	b.WriteString(": ")
	if i.Path != "" {
		b.WriteString(i.Path + ": ")
	}
	b.WriteString(i.Reason)
	return b.String()
}

// Error is every problem found in one scenario file, in file order. The
// control plane can return Issues as they are.
type Error struct {
	Issues []Issue
}

// Error writes one issue per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		lines[i] = is.String()
	}
	return strings.Join(lines, "\n")
}

// maxIssues bounds the report: past a few dozen problems the file is not
// the file its author meant, and the rest is noise.
const maxIssues = 50

// Parse reads one scenario strictly; file names it in errors and in the
// scenario's File. Errors are *Error.
func Parse(file string, r io.Reader) (*Scenario, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ParseBytes(file, src)
}

// ParseBytes reads one scenario from its text, as Parse does; it is the
// entry point for scenarios sent over HTTP, where file is a display name.
//
// It decodes the text twice: into a yaml.Node, which keeps every value's
// line, and into the Go types. The node is checked against the Go types
// first (unknown keys, wrong kinds, scalars that do not read as their
// field's type), so every problem can be reported with its path and line
// rather than in yaml.v3's own words; then the values are checked for
// meaning, and each problem's path is looked up in the node for its line.
func ParseBytes(file string, src []byte) (*Scenario, error) {
	p := &parser{file: file}
	root, ok := p.document(src)
	if !ok {
		return nil, p.err()
	}
	p.root = root
	p.check(root, reflect.TypeFor[Scenario](), nil)
	if len(p.issues) > 0 {
		return nil, p.err()
	}
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(src))
	// KnownFields is a second guard behind check: if the two ever
	// disagree, the file still fails rather than losing a key.
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		p.yamlError(err)
		return nil, p.err()
	}
	p.validate(&s)
	if len(p.issues) > 0 {
		return nil, p.err()
	}
	s.Source = bytes.Clone(src)
	s.File = file
	return &s, nil
}

// parser collects the issues of one file.
type parser struct {
	file   string
	root   *yaml.Node
	issues []Issue
}

func (p *parser) err() error {
	if len(p.issues) == 0 {
		return nil
	}
	slices.SortStableFunc(p.issues, func(a, b Issue) int { return a.Line - b.Line })
	if len(p.issues) > maxIssues {
		p.issues = append(p.issues[:maxIssues], Issue{File: p.file, Reason: "too many problems; stopping"})
	}
	return &Error{Issues: p.issues}
}

// at records a problem at a line.
func (p *parser) at(line int, pa path, format string, args ...any) {
	p.issues = append(p.issues, Issue{File: p.file, Line: line, Path: pa.String(), Reason: fmt.Sprintf(format, args...)})
}

// add records a problem about the value at pa, finding its line in the
// node tree.
func (p *parser) add(pa path, format string, args ...any) {
	p.at(p.line(pa), pa, format, args...)
}

// document reads the YAML text into one document node.
func (p *parser) document(src []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.at(0, nil, "the file is empty")
		} else {
			p.yamlError(err)
		}
		return nil, false
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		p.at(more.Line, nil, "one scenario per file: a second YAML document starts here")
		return nil, false
	}
	if len(doc.Content) == 0 {
		p.at(0, nil, "the file is empty")
		return nil, false
	}
	return doc.Content[0], true
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns yaml.v3's errors ("yaml: line 3: ...", or a TypeError
// with one "line N: ..." entry per problem) into issues with lines.
func (p *parser) yamlError(err error) {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	for _, m := range msgs {
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			n, _ := strconv.Atoi(g[1])
			p.at(n, nil, "%s", g[2])
			continue
		}
		p.at(0, nil, "%s", strings.TrimPrefix(m, "yaml: "))
	}
}

// path is where a value sits in the file: map keys and list indexes.
type path []any

func (pa path) key(k string) path { return append(slices.Clip(pa), k) }
func (pa path) idx(i int) path    { return append(slices.Clip(pa), i) }

// String writes the path as the error messages show it:
// behaviour.sca[0].outcome.
func (pa path) String() string {
	var b strings.Builder
	for _, e := range pa {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e)
		}
	}
	return b.String()
}

// line finds the line of the value at pa, or of its deepest ancestor
// present in the file (a missing key is reported where its parent is).
func (p *parser) line(pa path) int {
	n := p.root
	if n == nil {
		return 0
	}
	line := n.Line
	for _, e := range pa {
		n = resolve(n)
		var next *yaml.Node
		switch e := e.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == e {
						// The key's line, not the value's: a block
						// mapping's value starts on the line below
						// ("world:" then its keys).
						next, line = n.Content[i+1], n.Content[i].Line
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && e < len(n.Content) {
				next = n.Content[e]
				line = next.Line
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// check walks the node beside the Go type it will decode into and reports
// what would not fit: unknown or repeated keys, a list where a mapping
// belongs, a scalar that does not read as its field's type.
func (p *parser) check(n *yaml.Node, t reflect.Type, pa path) {
	n = resolve(n)
	if n == nil || n.ShortTag() == "!!null" {
		return // an empty value leaves the field at its zero value
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			p.at(n.Line, pa, "want a string, got %s", describe(n))
			return
		}
		v := reflect.New(t).Interface().(encoding.TextUnmarshaler)
		if err := v.UnmarshalText([]byte(n.Value)); err != nil {
			p.at(n.Line, pa, "%v", err)
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		p.check(n, t.Elem(), pa)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			p.at(n.Line, pa, "want a mapping of %s, got %s", strings.Join(yamlKeys(t), ", "), describe(n))
			return
		}
		fields := yamlFields(t)
		p.eachKey(n, pa, func(k *yaml.Node, v *yaml.Node) {
			f, ok := fields[k.Value]
			if !ok {
				p.at(k.Line, pa.key(k.Value), "unknown key (known here: %s)", strings.Join(yamlKeys(t), ", "))
				return
			}
			p.check(v, f.Type, pa.key(k.Value))
		})
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			p.at(n.Line, pa, "want a mapping, got %s", describe(n))
			return
		}
		p.eachKey(n, pa, func(k *yaml.Node, v *yaml.Node) {
			p.check(v, t.Elem(), pa.key(k.Value))
		})
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			p.at(n.Line, pa, "want a list, got %s", describe(n))
			return
		}
		for i, c := range n.Content {
			p.check(c, t.Elem(), pa.idx(i))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			// yaml.v3 would quietly take 123456 as "123456", but the JSON
			// Schema (and editors using it) would not: keep them agreeing.
			hint := ""
			if n.Kind == yaml.ScalarNode {
				hint = fmt.Sprintf(` (quote it: "%s")`, n.Value)
			}
			p.at(n.Line, pa, "want a string, got %s%s", describe(n), hint)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var v int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil || reflect.New(t).Elem().OverflowInt(v) {
			p.at(n.Line, pa, "want a whole number, got %s", describe(n))
		}
	case reflect.Float32, reflect.Float64:
		var v float64
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&v) != nil {
			p.at(n.Line, pa, "want a number, got %s", describe(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			p.at(n.Line, pa, "want true or false, got %s", describe(n))
		}
	default:
		p.at(n.Line, pa, "cannot read a %s", t)
	}
}

// eachKey visits a mapping's pairs, reporting repeated keys (yaml.v3
// refuses them too, but without the path).
func (p *parser) eachKey(n *yaml.Node, pa path, visit func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			p.at(k.Line, pa.key(k.Value), "repeated key (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		visit(k, v)
	}
}

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		kind := map[string]string{"!!str": "string", "!!int": "number", "!!float": "number", "!!bool": "boolean"}[n.ShortTag()]
		if kind == "" {
			kind = n.ShortTag()
		}
		return fmt.Sprintf("%s %q", kind, n.Value)
	}
	return "nothing"
}

// yamlFields maps a struct's YAML keys to its fields, the way yaml.v3
// names them (the tag's name; fields tagged "-" are not in the file).
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for f := range t.Fields() {
		if name := yamlName(f); name != "" {
			out[name] = f
		}
	}
	return out
}

// yamlKeys lists a struct's YAML keys in declaration order.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		if name := yamlName(f); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

// yamlName is the key of a field in YAML, or "" if the field is not read
// from YAML.
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag, ok := f.Tag.Lookup("yaml")
	if !ok {
		return strings.ToLower(f.Name) // yaml.v3's default
	}
	name, _, _ := strings.Cut(tag, ",")
	switch name {
	case "-":
		return ""
	case "":
		return strings.ToLower(f.Name)
	}
	return name
}
