package httpapi

import "github.com/getkin/kin-openapi/openapi3"

// validationDoc picks the schema engine kin-openapi validates a document
// with. For OpenAPI 3.1 documents kin-openapi builds a JSON Schema 2020-12
// validator afresh on every call (it serialises the schema and compiles
// it), which made validation the largest cost of a request. A 3.1 document
// whose schemas use only keywords that mean the same in OpenAPI 3.0 (the
// given Fintecture documents) validates identically with kin-openapi's
// classic engine, so such a document is validated as 3.0.3; a document
// using any 2020-12-only keyword keeps the 2020-12 engine.
func validationDoc(doc *openapi3.T) *openapi3.T {
	if !doc.IsOpenAPI31OrLater() || uses2020Keywords(doc) {
		return doc
	}
	classic := *doc
	classic.OpenAPI = "3.0.3"
	return &classic
}

// uses2020Keywords reports whether any schema reachable from the document
// uses a keyword whose meaning OpenAPI 3.0 lacks or differs on.
func uses2020Keywords(doc *openapi3.T) bool {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef) bool
	walk = func(ref *openapi3.SchemaRef) bool {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return false
		}
		s := ref.Value
		seen[s] = true
		if s.Const != nil || len(s.PrefixItems) > 0 || s.Contains != nil || len(s.PatternProperties) > 0 ||
			len(s.DependentSchemas) > 0 || s.PropertyNames != nil || s.UnevaluatedItems.Has != nil ||
			s.UnevaluatedItems.Schema != nil || s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil ||
			s.If != nil || s.Then != nil || s.Else != nil || len(s.DependentRequired) > 0 || len(s.Defs) > 0 ||
			len(s.Examples) > 0 || (s.Type != nil && (len(*s.Type) > 1 || s.Type.Includes("null"))) {
			return true
		}
		for _, p := range s.Properties {
			if walk(p) {
				return true
			}
		}
		for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
			for _, x := range list {
				if walk(x) {
					return true
				}
			}
		}
		return walk(s.Items) || walk(s.Not) || walk(s.AdditionalProperties.Schema)
	}
	if doc.Components != nil {
		for _, s := range doc.Components.Schemas {
			if walk(s) {
				return true
			}
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			params := append(openapi3.Parameters{}, item.Parameters...)
			for _, p := range append(params, op.Parameters...) {
				if p.Value != nil && walk(p.Value.Schema) {
					return true
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					if walk(mt.Schema) {
						return true
					}
				}
			}
			for _, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				for _, mt := range r.Value.Content {
					if walk(mt.Schema) {
						return true
					}
				}
			}
		}
	}
	return false
}
