// Package specs holds the OpenAPI contract documents that Sandbank's
// simulated APIs are built against, embedded into the binary.
//
// fintecture/ais.yaml and fintecture/customers.yaml are Fintecture's own
// documents (received with their line breaks lost; only the line structure
// was restored, nothing of the API was changed). fintecture/oauth.yaml is
// written by Sandbank and describes the token endpoints those documents rely
// on but do not declare. finqlink/finqlink.yaml is Sandbank's own document
// of FinqLink v2: Finqware published none, so it is written from seed 002
// and the research notes, with every inferred name marked as such. See
// README.md in this directory.
package specs

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed fintecture/*.yaml fintecture/live/*.yaml finqlink/*.yaml kontomatik/*.yaml
var files embed.FS

// Raw returns the embedded bytes of the document name, e.g.
// "fintecture/ais.yaml". The returned slice is a copy the caller may modify.
func Raw(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("specs: %s: %w", name, err)
	}
	return b, nil
}

// Names lists the embedded documents, sorted, as paths accepted by Raw and
// Load (e.g. "fintecture/ais.yaml").
func Names() []string {
	var names []string
	// The only possible error is a malformed pattern, which this one is not.
	_ = fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, path)
		}
		return nil
	})
	sort.Strings(names)
	return names
}

// LoadAll loads several documents with Load, in order: the documents of
// one contract.
func LoadAll(names ...string) ([]*openapi3.T, error) {
	docs := make([]*openapi3.T, 0, len(names))
	for _, n := range names {
		doc, err := Load(n)
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	return docs, nil
}

// Load parses the embedded document name (e.g. "fintecture/ais.yaml") with
// kin-openapi, external references disallowed, and validates it. Documents
// declaring OpenAPI 3.1 are validated with kin-openapi's 3.1 rules (JSON
// Schema 2020-12), which doc.Validate selects from the document's version.
func Load(name string) (*openapi3.T, error) {
	data, err := Raw(name)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("specs: loading %s: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("specs: validating %s: %w", name, err)
	}
	return doc, nil
}
