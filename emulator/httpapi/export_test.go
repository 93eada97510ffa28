package httpapi

import "github.com/getkin/kin-openapi/openapi3"

// ValidationDocVersion exposes which engine validationDoc picks.
func ValidationDocVersion(doc *openapi3.T) string { return validationDoc(doc).OpenAPI }
