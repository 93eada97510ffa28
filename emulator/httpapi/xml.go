package httpapi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// XML writes v, marshalled by encoding/xml and indented by two spaces, as
// an application/xml body with the given status, after the XML
// declaration. Kontomatik answers XML (notes/kontomatik.md §1, §2). v is
// marshalled into a buffer first, so a marshal error leaves the response
// untouched for the caller's error writer.
func XML(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header) // <?xml version="1.0" encoding="UTF-8"?>\n
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Limits of the XML body decoder. Request bodies are already cut at
// MaxBody by validateRequest; responses are Sandbank's own, but a decoder
// fed by the network stays defensive.
const (
	maxXMLDepth = 64       // element nesting
	maxXMLBody  = 16 << 20 // bytes
	maxXMLHops  = 32       // allOf/oneOf/anyOf indirections at one element
)

// XMLTextExtension is Sandbank's extension to the OpenAPI XML Object rules:
// a property whose schema carries `x-xml-text: true` takes the character
// data of its parent's element. It is what lets an element carry both
// attributes and text, e.g. <amount currency="PLN">-0.01</amount> as
// {currency: {type: string, xml: {attribute: true}}, value: {type: number,
// x-xml-text: true}}. OpenAPI itself has no way to say this.
const XMLTextExtension = "x-xml-text"

// xsiNamespace is the XML Schema instance namespace (xsi:nil,
// xsi:noNamespaceSchemaLocation).
const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

var registerXML sync.Once

// RegisterXMLBodies teaches kin-openapi to validate application/xml and
// text/xml bodies with XMLBodyDecoder. kin-openapi keeps body decoders in
// one process-wide table (openapi3filter.RegisterBodyDecoder; v0.152.0's
// Options has no per-validation registry), so this registers once however
// often it is called. Mount calls it; tests that call openapi3filter
// directly call it themselves.
func RegisterXMLBodies() {
	registerXML.Do(func() {
		openapi3filter.RegisterBodyDecoder("application/xml", XMLBodyDecoder)
		openapi3filter.RegisterBodyDecoder("text/xml", XMLBodyDecoder)
	})
}

// XMLBodyDecoder is an openapi3filter.BodyDecoder for XML. It turns the
// document into the JSON-shaped value (map[string]any, []any, string,
// int64, float64, bool, nil) that schema describes, following the OpenAPI
// XML Object rules, so kin-openapi's ordinary schema validation judges it:
//
//   - The root element is the whole body. Its name is checked only when the
//     schema has xml.name.
//   - An object's property is the child element named by the property's
//     xml.name or, failing that, its name; with xml.attribute it is the
//     attribute of that name instead; with x-xml-text (XMLTextExtension) it
//     is the element's character data. When xml.namespace is set, the
//     element's or attribute's namespace must match too.
//   - An array property with xml.wrapped is one element (named as above)
//     wrapping its items, each named by the items' xml.name or else the
//     property name. Unwrapped, the items repeat directly in the parent,
//     named by the items' xml.name or else the property name. An array with
//     no matching element at all is absent, not empty.
//   - Text is coerced by the schema's type (integer to int64, number to
//     float64, boolean from true/false). Text that does not fit stays a
//     string, so validation reports the type mismatch.
//   - Attributes and child elements the schema does not name are kept under
//     their local names (decoded by additionalProperties' schema when it
//     has one, else as strings and nested maps), so additionalProperties:
//     false reports them. Namespace declarations (xmlns) and xsi:nil are
//     not data. xsi:nil="true" is null.
//   - A name the schema maps elsewhere (an element where it expects an
//     attribute, or <id> where the property id is <identifier>), an element
//     that repeats where the schema expects one value, an unexpected element
//     inside an array, and character data beside attributes or children
//     with no x-xml-text property are decoding errors naming the element.
//   - $ref is followed, allOf members are merged, and oneOf/anyOf try each
//     alternative in turn, taking the first whose value validates against
//     it, else the first that decodes at all.
//   - An element with no children and no attributes is its text; for an
//     object schema an empty element is an empty object.
//
// DTDs are refused outright (no entity tricks), nesting is limited to 64
// elements and the body to 16 MiB.
func XMLBodyDecoder(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	root, err := parseXML(body)
	if err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	var s *openapi3.Schema
	if schema != nil {
		s = flattenSchema(schema.Value, 0)
	}
	if s != nil && s.XML != nil && s.XML.Name != "" && root.name.Local != s.XML.Name {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat,
			Cause: fmt.Errorf("the root element is <%s>, the schema expects <%s>", root.name.Local, s.XML.Name)}
	}
	v, err := decodeXMLValue(root, s, 0)
	if err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	return v, nil
}

// xmlNode is one element of a parsed document.
type xmlNode struct {
	name     xml.Name
	attrs    []xml.Attr // data attributes only: no xmlns, no xsi:nil
	children []*xmlNode
	text     string
	isNil    bool   // xsi:nil="true"
	path     string // e.g. /reply/command/progress, for error messages
}

// structured reports whether the element has attributes or children, i.e.
// is more than its text.
func (n *xmlNode) structured() bool { return len(n.attrs) > 0 || len(n.children) > 0 }

func (n *xmlNode) blank() bool { return strings.TrimSpace(n.text) == "" }

func (n *xmlNode) describe() string { return fmt.Sprintf("<%s> at %s", n.name.Local, n.path) }

// parseXML reads a whole document into a tree, refusing DTDs, more than
// one root and documents too deep or too large.
func parseXML(r io.Reader) (*xmlNode, error) {
	lr := &io.LimitedReader{R: r, N: maxXMLBody + 1}
	// encoding/xml is strict by default: an entity other than the five
	// predefined ones is an error, and it never fetches anything.
	d := xml.NewDecoder(lr)
	var stack []*xmlNode
	var root *xmlNode
	var text [][]byte // character data per open element
	tooLarge := func() error { return fmt.Errorf("the XML body is larger than %d bytes", maxXMLBody) }
	for {
		tok, err := d.Token()
		if lr.N <= 0 {
			return nil, tooLarge()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			// <!DOCTYPE …> and <!ENTITY …>: no document Sandbank reads or
			// writes has one, and refusing them rules out entity expansion.
			word, _, _ := strings.Cut(strings.TrimSpace(string(t)), " ")
			return nil, fmt.Errorf("XML declarations such as <!%s> (DTDs, entities) are refused", word)
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, fmt.Errorf("a second root element <%s> follows <%s>", t.Name.Local, root.name.Local)
			}
			if len(stack) >= maxXMLDepth {
				return nil, fmt.Errorf("elements are nested deeper than %d at <%s>", maxXMLDepth, t.Name.Local)
			}
			n := &xmlNode{name: t.Name}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns"):
				case a.Name.Local == "nil" && (a.Name.Space == xsiNamespace || a.Name.Space == "xsi"):
					n.isNil = strings.TrimSpace(a.Value) == "true"
				default:
					n.attrs = append(n.attrs, a)
				}
			}
			if len(stack) == 0 {
				root = n
				n.path = "/" + t.Name.Local
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
				n.path = parent.path + "/" + t.Name.Local
			}
			stack = append(stack, n)
			text = append(text, nil)
		case xml.EndElement:
			top := len(stack) - 1
			stack[top].text = string(text[top])
			stack, text = stack[:top], text[:top]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, errors.New("character data outside the root element")
				}
				continue
			}
			text[len(text)-1] = append(text[len(text)-1], t...)
		}
	}
	if root == nil {
		return nil, errors.New("the body holds no XML element")
	}
	return root, nil
}

// flattenSchema returns s with its allOf members merged in (their
// properties, type, items, xml and alternatives), which is all the decoder
// needs of them. s itself is not modified.
func flattenSchema(s *openapi3.Schema, hops int) *openapi3.Schema {
	if s == nil || len(s.AllOf) == 0 || hops > maxXMLHops {
		return s
	}
	m := *s
	m.AllOf = nil
	m.Properties = maps.Clone(s.Properties)
	for _, sub := range s.AllOf {
		if sub != nil {
			mergeSchema(&m, flattenSchema(sub.Value, hops+1))
		}
	}
	return &m
}

// mergeSchema adds what f says about XML shape to m, m's own words first.
func mergeSchema(m, f *openapi3.Schema) {
	if f == nil {
		return
	}
	if m.Type.IsEmpty() {
		m.Type = f.Type
	}
	if m.XML == nil {
		m.XML = f.XML
	}
	if m.Items == nil {
		m.Items = f.Items
	}
	if m.AdditionalProperties.Schema == nil {
		m.AdditionalProperties.Schema = f.AdditionalProperties.Schema
	}
	for k, p := range f.Properties {
		if m.Properties == nil {
			m.Properties = openapi3.Schemas{}
		}
		if _, ok := m.Properties[k]; !ok {
			m.Properties[k] = p
		}
	}
	if len(f.Extensions) > 0 {
		ext := maps.Clone(f.Extensions)
		maps.Copy(ext, m.Extensions)
		m.Extensions = ext
	}
	m.OneOf = slices.Concat(m.OneOf, f.OneOf)
	m.AnyOf = slices.Concat(m.AnyOf, f.AnyOf)
}

func refValue(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil {
		return nil
	}
	return ref.Value
}

func isObjectSchema(s *openapi3.Schema) bool {
	return s.Type.Includes(openapi3.TypeObject) || len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil
}

func isArraySchema(s *openapi3.Schema) bool {
	return s != nil && (s.Type.Includes(openapi3.TypeArray) || s.Items != nil) && !isObjectSchema(s)
}

func hasScalarType(s *openapi3.Schema) bool {
	for _, t := range s.Type.Slice() {
		switch t {
		case openapi3.TypeString, openapi3.TypeInteger, openapi3.TypeNumber, openapi3.TypeBoolean:
			return true
		}
	}
	return false
}

// isTextProperty reports whether a property carries XMLTextExtension.
func isTextProperty(p *openapi3.Schema) bool {
	return p != nil && p.Extensions[XMLTextExtension] == true
}

// decodeXMLValue decodes element n as schema s describes (nil: no schema).
func decodeXMLValue(n *xmlNode, s *openapi3.Schema, hops int) (any, error) {
	s = flattenSchema(s, hops)
	if n.isNil {
		return nil, nil
	}
	if s == nil {
		return genericXMLValue(n)
	}
	if len(s.OneOf)+len(s.AnyOf) > 0 {
		return decodeXMLAlternatives(n, s, hops)
	}
	obj, arr, scalar := isObjectSchema(s), isArraySchema(s), hasScalarType(s)
	switch {
	case obj && (n.structured() || !scalar):
		return decodeXMLObject(n, s)
	case arr && (n.structured() || !scalar):
		return decodeXMLArray(n, refValue(s.Items), xmlItemName(s.Items, ""))
	case n.structured():
		// A scalar schema met attributes or children: keep them, and let
		// validation say that an object is not a string.
		return genericXMLValue(n)
	default:
		return coerceXMLText(n.text, s.Type), nil
	}
}

// decodeXMLAlternatives tries each oneOf/anyOf alternative (merged with
// what s says besides) and takes the first whose value validates against
// it, else the first that decodes.
func decodeXMLAlternatives(n *xmlNode, s *openapi3.Schema, hops int) (any, error) {
	if hops >= maxXMLHops {
		return nil, fmt.Errorf("element %s: the schema's oneOf/anyOf/allOf nest deeper than %d", n.describe(), maxXMLHops)
	}
	base := *s
	base.OneOf, base.AnyOf = nil, nil
	var fallback any
	var fallbackOK bool
	var firstErr error
	for _, alt := range slices.Concat(s.OneOf, s.AnyOf) {
		av := refValue(alt)
		if av == nil {
			continue
		}
		cand := base
		cand.Properties = maps.Clone(base.Properties)
		mergeSchema(&cand, flattenSchema(av, hops+1))
		v, err := decodeXMLValue(n, &cand, hops+1)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if av.VisitJSON(v) == nil {
			return v, nil
		}
		if !fallbackOK {
			fallback, fallbackOK = v, true
		}
	}
	if fallbackOK {
		return fallback, nil
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return genericXMLValue(n)
}

// xmlPropName is the element or attribute name of property name.
func xmlPropName(name string, p *openapi3.Schema) string {
	if p != nil && p.XML != nil && p.XML.Name != "" {
		return p.XML.Name
	}
	return name
}

// xmlItemName names the elements of an array's items: the items' xml.name,
// else fallback ("" accepts any name).
func xmlItemName(items *openapi3.SchemaRef, fallback string) string {
	if it := flattenSchema(refValue(items), 0); it != nil && it.XML != nil && it.XML.Name != "" {
		return it.XML.Name
	}
	return fallback
}

func xmlNamespaceOK(name xml.Name, p *openapi3.Schema) bool {
	return p == nil || p.XML == nil || p.XML.Namespace == "" || name.Space == p.XML.Namespace
}

// decodeXMLObject maps an element onto an object schema's properties.
func decodeXMLObject(n *xmlNode, s *openapi3.Schema) (any, error) {
	names := slices.Sorted(maps.Keys(s.Properties))
	props := make(map[string]*openapi3.Schema, len(names))
	textProp := ""
	for _, name := range names {
		props[name] = flattenSchema(refValue(s.Properties[name]), 0)
		if isTextProperty(props[name]) {
			textProp = name
		}
	}
	if !n.blank() && textProp == "" {
		if !n.structured() {
			// Text where the schema wants an object: validation says so.
			return n.text, nil
		}
		return nil, fmt.Errorf("element %s has character data beside its attributes or children, and no property of its schema is marked %s: true", n.describe(), XMLTextExtension)
	}

	out := map[string]any{}
	usedAttr := make([]bool, len(n.attrs))
	usedChild := make([]bool, len(n.children))
	childrenNamed := func(local string, p *openapi3.Schema) []int {
		var idx []int
		for i, c := range n.children {
			if !usedChild[i] && c.name.Local == local && xmlNamespaceOK(c.name, p) {
				idx = append(idx, i)
			}
		}
		return idx
	}
	single := func(idx []int) error {
		if len(idx) > 1 {
			c := n.children[idx[1]]
			return fmt.Errorf("element %s repeats where the schema expects one value", c.describe())
		}
		return nil
	}
	for _, name := range names {
		p := props[name]
		xname := xmlPropName(name, p)
		switch {
		case name == textProp:
			if n.blank() && len(n.children) > 0 {
				continue // only indentation between children
			}
			v, err := decodeXMLValue(&xmlNode{name: n.name, text: n.text, path: n.path}, p, 0)
			if err != nil {
				return nil, err
			}
			out[name] = v
		case p != nil && p.XML != nil && p.XML.Attribute:
			found := false
			for i, a := range n.attrs {
				if usedAttr[i] || a.Name.Local != xname || !xmlNamespaceOK(a.Name, p) {
					continue
				}
				if found {
					return nil, fmt.Errorf("attribute %s of %s repeats", xname, n.describe())
				}
				found, usedAttr[i] = true, true
				v, err := decodeXMLValue(&xmlNode{name: a.Name, text: a.Value, path: n.path + "/@" + xname}, p, 0)
				if err != nil {
					return nil, err
				}
				out[name] = v
			}
		case isArraySchema(p) && p.XML != nil && p.XML.Wrapped:
			idx := childrenNamed(xname, p)
			if err := single(idx); err != nil {
				return nil, err
			}
			if len(idx) == 1 {
				usedChild[idx[0]] = true
				v, err := decodeXMLArray(n.children[idx[0]], refValue(p.Items), xmlItemName(p.Items, name))
				if err != nil {
					return nil, err
				}
				out[name] = v
			}
		case isArraySchema(p):
			items := flattenSchema(refValue(p.Items), 0)
			idx := childrenNamed(xmlItemName(p.Items, name), items)
			if len(idx) == 0 {
				continue
			}
			list := make([]any, 0, len(idx))
			for _, i := range idx {
				usedChild[i] = true
				v, err := decodeXMLValue(n.children[i], items, 0)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			out[name] = list
		default:
			idx := childrenNamed(xname, p)
			if err := single(idx); err != nil {
				return nil, err
			}
			if len(idx) == 1 {
				usedChild[idx[0]] = true
				v, err := decodeXMLValue(n.children[idx[0]], p, 0)
				if err != nil {
					return nil, err
				}
				out[name] = v
			}
		}
	}
	return out, keepUnknownXML(n, s, out, usedAttr, usedChild)
}

// keepUnknownXML adds the attributes and children no property claimed to
// out under their own names, so that validation (additionalProperties:
// false, or additionalProperties' schema) judges them.
func keepUnknownXML(n *xmlNode, s *openapi3.Schema, out map[string]any, usedAttr, usedChild []bool) error {
	extra := refValue(s.AdditionalProperties.Schema)
	misplaced := func(what, key string) error {
		return fmt.Errorf("%s of %s: the schema has property %s, %s", what, n.describe(), key,
			describeXMLProperty(key, flattenSchema(refValue(s.Properties[key]), 0)))
	}
	for i, a := range n.attrs {
		if usedAttr[i] {
			continue
		}
		key := a.Name.Local
		if _, ok := s.Properties[key]; ok {
			return misplaced(fmt.Sprintf("attribute %s", key), key)
		}
		if _, ok := out[key]; ok {
			return fmt.Errorf("attribute %s of %s repeats", key, n.describe())
		}
		v, err := decodeXMLValue(&xmlNode{name: a.Name, text: a.Value, path: n.path + "/@" + key}, extra, 0)
		if err != nil {
			return err
		}
		out[key] = v
	}
	groups := map[string][]*xmlNode{}
	var order []string
	for i, c := range n.children {
		if usedChild[i] {
			continue
		}
		key := c.name.Local
		if _, ok := s.Properties[key]; ok {
			return misplaced("element "+c.describe(), key)
		}
		if groups[key] == nil {
			order = append(order, key)
		}
		groups[key] = append(groups[key], c)
	}
	for _, key := range order {
		group := groups[key]
		if _, ok := out[key]; ok {
			return fmt.Errorf("element %s has the name of an attribute of %s", group[0].describe(), n.describe())
		}
		if len(group) > 1 && extra != nil && !isArraySchema(flattenSchema(extra, 0)) {
			return fmt.Errorf("element %s repeats where the schema expects one value", group[1].describe())
		}
		if len(group) == 1 && !isArraySchema(flattenSchema(extra, 0)) {
			v, err := decodeXMLValue(group[0], extra, 0)
			if err != nil {
				return err
			}
			out[key] = v
			continue
		}
		var items *openapi3.Schema
		if extra != nil {
			items = flattenSchema(refValue(flattenSchema(extra, 0).Items), 0)
		}
		list := make([]any, 0, len(group))
		for _, c := range group {
			v, err := decodeXMLValue(c, items, 0)
			if err != nil {
				return err
			}
			list = append(list, v)
		}
		out[key] = list
	}
	return nil
}

// describeXMLProperty says where a property's value is expected in XML.
func describeXMLProperty(name string, p *openapi3.Schema) string {
	xname := xmlPropName(name, p)
	switch {
	case isTextProperty(p):
		return "expected as the element's character data (" + XMLTextExtension + ")"
	case p != nil && p.XML != nil && p.XML.Attribute:
		return "expected as attribute " + xname
	case isArraySchema(p) && p.XML != nil && p.XML.Wrapped:
		return fmt.Sprintf("expected as element <%s> wrapping <%s> items", xname, xmlItemName(p.Items, name))
	case isArraySchema(p):
		return fmt.Sprintf("expected as repeated <%s> elements", xmlItemName(p.Items, name))
	default:
		return fmt.Sprintf("expected as element <%s>", xname)
	}
}

// decodeXMLArray decodes the children of n as the items of an array;
// itemName, when set, is the only element name allowed.
func decodeXMLArray(n *xmlNode, items *openapi3.Schema, itemName string) (any, error) {
	if len(n.children) == 0 && len(n.attrs) == 0 && !n.blank() {
		return n.text, nil // validation reports text where an array belongs
	}
	if !n.blank() {
		return nil, fmt.Errorf("element %s is an array but has character data", n.describe())
	}
	if len(n.attrs) > 0 {
		return nil, fmt.Errorf("attribute %s of %s: an array's element has no attributes in the schema", n.attrs[0].Name.Local, n.describe())
	}
	list := make([]any, 0, len(n.children))
	for _, c := range n.children {
		if itemName != "" && c.name.Local != itemName {
			return nil, fmt.Errorf("element %s is not an item of the array %s, whose items are <%s>", c.describe(), n.describe(), itemName)
		}
		v, err := decodeXMLValue(c, items, 0)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, nil
}

// genericXMLValue decodes an element the schema says nothing about: its
// text when it has no attributes or children, else a map of its
// attributes and children (repeated children as a list).
func genericXMLValue(n *xmlNode) (any, error) {
	if n.isNil {
		return nil, nil
	}
	if !n.structured() {
		return n.text, nil
	}
	return decodeXMLObject(n, &openapi3.Schema{})
}

// xmlDecimal is the lexical form of an XML Schema decimal or double,
// without NaN, INF or Go's hexadecimal floats.
var xmlDecimal = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// coerceXMLText turns text into the first of types it fits; text that fits
// none stays a string for validation to report.
func coerceXMLText(text string, types *openapi3.Types) any {
	t := strings.TrimSpace(text)
	for _, typ := range types.Slice() {
		switch typ {
		case openapi3.TypeInteger:
			if i, err := strconv.ParseInt(t, 10, 64); err == nil {
				return i
			}
			if xmlDecimal.MatchString(t) {
				if f, err := strconv.ParseFloat(t, 64); err == nil {
					return f // 1.5 or 1e20: validation judges it as a number
				}
			}
		case openapi3.TypeNumber:
			if xmlDecimal.MatchString(t) {
				if f, err := strconv.ParseFloat(t, 64); err == nil {
					return f
				}
			}
		case openapi3.TypeBoolean:
			switch t {
			case "true":
				return true
			case "false":
				return false
			}
		case openapi3.TypeString:
			return text
		}
	}
	return text
}
