package specs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// seedDir holds copies of the original one-line seed documents the
// contracts were restored from, so the test needs nothing outside the
// repository wherever it is cloned.
const seedDir = "testdata/seeds"

// seeds maps each restored document to the seed text it was restored from.
var seeds = map[string]string{
	"fintecture/ais.yaml":       "000_da028d9ecbd2b38d.txt",
	"fintecture/customers.yaml": "001_09323f60fdc1e212.txt",
}

func readSeed(t *testing.T, name string) string {
	t.Helper()
	file, ok := seeds[name]
	if !ok {
		t.Fatalf("no seed known for %s", name)
	}
	path := filepath.Join(seedDir, file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading seed for %s: %v (the seed documents are expected in %s)", name, err, seedDir)
	}
	return string(b)
}

func mustRaw(t *testing.T, name string) string {
	t.Helper()
	b, err := Raw(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// collapse turns every run of whitespace into one space and trims the ends.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestNames(t *testing.T) {
	want := []string{
		"fintecture/ais.yaml", "fintecture/customers.yaml",
		"fintecture/live/ais.yaml", "fintecture/live/customers.yaml", "fintecture/live/oauth.yaml", "fintecture/live/resources.yaml",
		"fintecture/oauth.yaml",
		"kontomatik/ais.yaml", "kontomatik/live.yaml",
	}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
}

func TestRawUnknown(t *testing.T) {
	if _, err := Raw("fintecture/nope.yaml"); err == nil {
		t.Fatal("Raw of a missing document: want an error")
	}
	if _, err := Load("fintecture/nope.yaml"); err == nil || !strings.Contains(err.Error(), "fintecture/nope.yaml") {
		t.Fatalf("Load of a missing document: want an error naming it, got %v", err)
	}
}

func TestLoadValidatesEveryDocument(t *testing.T) {
	wantVersion := map[string]string{
		"fintecture/ais.yaml":       "3.1.0",
		"fintecture/customers.yaml": "3.1.0",
		"fintecture/oauth.yaml":     "3.0.3",
		// Sandbank's own documents of the live contract.
		"fintecture/live/ais.yaml":       "3.0.3",
		"fintecture/live/customers.yaml": "3.0.3",
		"fintecture/live/oauth.yaml":     "3.0.3",
		"fintecture/live/resources.yaml": "3.0.3",
		"kontomatik/ais.yaml":            "3.0.3",
		"kontomatik/live.yaml":           "3.0.3",
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			doc, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if doc.OpenAPI != wantVersion[name] {
				t.Errorf("openapi = %q, want %q", doc.OpenAPI, wantVersion[name])
			}
			if doc.Paths == nil || doc.Paths.Len() == 0 {
				t.Error("document has no paths")
			}
		})
	}
}

// operationIDs counts the operationIds of every operation in doc.
func operationIDs(doc *openapi3.T) map[string]int {
	ids := map[string]int{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids[op.OperationID]++
		}
	}
	return ids
}

var seedOperationID = regexp.MustCompile(`operationId: (\S+)`)

func TestOperationIDsMatchSeeds(t *testing.T) {
	for name := range seeds {
		t.Run(name, func(t *testing.T) {
			seed := readSeed(t, name)
			var want []string
			for _, m := range seedOperationID.FindAllStringSubmatch(seed, -1) {
				want = append(want, m[1])
			}
			if len(want) == 0 {
				t.Fatal("no operationId found in the seed")
			}
			doc, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			got := operationIDs(doc)
			for _, id := range want {
				if got[id] != 1 {
					t.Errorf("operationId %q: %d operations in the document, want exactly 1", id, got[id])
				}
			}
			for id := range got {
				if !slices.Contains(want, id) {
					t.Errorf("operationId %q is in the document but not in the seed", id)
				}
			}
			n := 0
			for _, c := range got {
				n += c
			}
			if n != len(want) {
				t.Errorf("document has %d operations, seed has %d operationIds", n, len(want))
			}
		})
	}
}

// TestTextMatchesSeed checks that the restored documents differ from their
// seeds only in whitespace: any changed, added or dropped character (word,
// quote, bracket, indicator) fails it.
func TestTextMatchesSeed(t *testing.T) {
	for name := range seeds {
		t.Run(name, func(t *testing.T) {
			got, want := collapse(mustRaw(t, name)), collapse(readSeed(t, name))
			if got != want {
				t.Fatalf("restored text differs from the seed beyond whitespace:\n%s", firstDiff(got, want))
			}
		})
	}
}

// TestParsedTreeMatchesSeed parses the restored document with yaml.v3 and
// renders the node tree back on one line in the seed's notation (block
// mappings as "k: v", block sequences as "- v", flow collections and scalar
// quoting styles as written). That rendering must equal the seed: it proves
// the YAML parser sees exactly the seed's keys and values, in order, with the
// same scalar boundaries (nothing swallowed into a folded block or a
// comment, no key turned into text or text into a key).
func TestParsedTreeMatchesSeed(t *testing.T) {
	for name := range seeds {
		t.Run(name, func(t *testing.T) {
			var root yaml.Node
			if err := yaml.Unmarshal([]byte(mustRaw(t, name)), &root); err != nil {
				t.Fatal(err)
			}
			seed := readSeed(t, name)
			got, want := collapse(render(&root)), collapse(seed)
			if got != want {
				t.Fatalf("parsed document differs from the seed:\n%s", firstDiff(got, want))
			}
			// The rendering cannot tell "k: v" parsed as a key from the same
			// characters swallowed into a scalar (e.g. a mis-indented line
			// after "description: >"). No value in these seeds contains ": ",
			// so every ": " of the seed must be exactly one mapping entry.
			if pairs, seps := mappingPairs(&root), strings.Count(seed, ": "); pairs != seps {
				t.Fatalf("parsed document has %d mapping entries, the seed has %d \": \" separators", pairs, seps)
			}
		})
	}
}

func mappingPairs(n *yaml.Node) int {
	c := 0
	if n.Kind == yaml.MappingNode {
		c = len(n.Content) / 2
	}
	for _, child := range n.Content {
		c += mappingPairs(child)
	}
	return c
}

func render(n *yaml.Node) string {
	switch n.Kind {
	case yaml.DocumentNode:
		var parts []string
		for _, c := range n.Content {
			parts = append(parts, render(c))
		}
		return strings.Join(parts, " ")
	case yaml.MappingNode:
		var parts []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			parts = append(parts, render(n.Content[i])+": "+render(n.Content[i+1]))
		}
		if n.Style&yaml.FlowStyle != 0 {
			if len(parts) == 0 {
				return "{}"
			}
			return "{ " + strings.Join(parts, ", ") + " }"
		}
		return strings.Join(parts, " ")
	case yaml.SequenceNode:
		var parts []string
		for _, c := range n.Content {
			parts = append(parts, render(c))
		}
		if n.Style&yaml.FlowStyle != 0 {
			return "[" + strings.Join(parts, ", ") + "]"
		}
		for i := range parts {
			parts[i] = "- " + parts[i]
		}
		return strings.Join(parts, " ")
	case yaml.ScalarNode:
		switch {
		case n.Style&yaml.DoubleQuotedStyle != 0:
			return `"` + n.Value + `"`
		case n.Style&yaml.SingleQuotedStyle != 0:
			return "'" + strings.ReplaceAll(n.Value, "'", "''") + "'"
		case n.Style&yaml.FoldedStyle != 0:
			return "> " + n.Value
		case n.Style&yaml.LiteralStyle != 0:
			return "| " + n.Value
		}
		return n.Value
	default:
		return fmt.Sprintf("<unexpected node kind %d at line %d>", n.Kind, n.Line)
	}
}

func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-60)
	return fmt.Sprintf("at byte %d\n got: …%s…\nwant: …%s…", i, got[lo:min(len(got), i+60)], want[lo:min(len(want), i+60)])
}

func TestOAuthDocument(t *testing.T) {
	doc, err := Load("fintecture/oauth.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(collapse(doc.Info.Description), "Written by Sandbank: the given Fintecture documents declare Bearer JWT security but no token endpoint; this describes the token endpoints as Fintecture's SDKs use them") {
		t.Errorf("info.description does not say the document is ours: %q", doc.Info.Description)
	}
	if ss := doc.Components.SecuritySchemes["BasicAuth"]; ss == nil || ss.Value.Type != "http" || ss.Value.Scheme != "basic" {
		t.Errorf("BasicAuth security scheme missing or not http basic")
	}
	tests := []struct {
		path, id      string
		required      []string
		grantTypes    []any
		wantFormProps []string
	}{
		{"/oauth/accesstoken", "createAccessToken", []string{"grant_type"},
			[]any{"client_credentials", "authorization_code"},
			[]string{"grant_type", "app_id", "scope", "code", "redirect_uri"}},
		{"/oauth/refreshtoken", "createRefreshToken", []string{"grant_type", "refresh_token"},
			[]any{"refresh_token"},
			[]string{"grant_type", "refresh_token"}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			item := doc.Paths.Value(tt.path)
			if item == nil || item.Post == nil {
				t.Fatalf("no POST %s", tt.path)
			}
			op := item.Post
			if op.OperationID != tt.id {
				t.Errorf("operationId = %q, want %q", op.OperationID, tt.id)
			}
			if op.Security == nil || len(*op.Security) != 1 || (*op.Security)[0]["BasicAuth"] == nil {
				t.Errorf("security is not BasicAuth: %v", op.Security)
			}
			mt := op.RequestBody.Value.Content.Get("application/x-www-form-urlencoded")
			if mt == nil {
				t.Fatal("no application/x-www-form-urlencoded request body")
			}
			form := mt.Schema.Value
			if !slices.Equal(form.Required, tt.required) {
				t.Errorf("required = %q, want %q", form.Required, tt.required)
			}
			for _, p := range tt.wantFormProps {
				if form.Properties[p] == nil {
					t.Errorf("form property %q missing", p)
				}
			}
			if len(form.Properties) != len(tt.wantFormProps) {
				t.Errorf("form has %d properties, want %d", len(form.Properties), len(tt.wantFormProps))
			}
			if got := form.Properties["grant_type"].Value.Enum; !slices.Equal(got, tt.grantTypes) {
				t.Errorf("grant_type enum = %v, want %v", got, tt.grantTypes)
			}
			ok := op.Responses.Status(200)
			if ok == nil {
				t.Fatal("no 200 response")
			}
			tok := ok.Value.Content.Get("application/json").Schema.Value
			if !slices.Equal(tok.Required, []string{"access_token", "token_type", "expires_in"}) {
				t.Errorf("TokenResponse.required = %q", tok.Required)
			}
			if !tok.Properties["expires_in"].Value.Type.Is("integer") {
				t.Errorf("expires_in is not an integer")
			}
			for _, code := range []int{400, 401} {
				r := op.Responses.Status(code)
				if r == nil {
					t.Errorf("no %d response", code)
					continue
				}
				e := r.Value.Content.Get("application/json").Schema
				if e.Ref != "#/components/schemas/Error" {
					t.Errorf("%d response schema = %q, want the Error schema", code, e.Ref)
				}
			}
		})
	}
	errSchema := doc.Components.Schemas["Error"].Value
	for _, p := range []string{"status", "code", "log_id", "errors"} {
		if errSchema.Properties[p] == nil {
			t.Errorf("Error.%s missing", p)
		}
	}
	item := errSchema.Properties["errors"].Value.Items.Value
	for _, p := range []string{"code", "title", "message"} {
		if item.Properties[p] == nil {
			t.Errorf("Error.errors[].%s missing", p)
		}
	}
}

// kontomatikSeed is seed 003: a web page around the document, whose line
// breaks survived. The document is the page from its "openapi:" line on.
const kontomatikSeed = "003_e1ce86ef9de92950.txt"

// TestKontomatikDocumentIsTheSeed checks that specs/kontomatik/ais.yaml is
// seed 003's document line for line, but for the one line DESIGN.md allows
// to change: the contact e-mail, a web page's e-mail-obfuscation
// placeholder in brackets that YAML reads as a list, now quoted.
func TestKontomatikDocumentIsTheSeed(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(seedDir, kontomatikSeed))
	if err != nil {
		t.Fatal(err)
	}
	seed := string(b)
	start := strings.Index(seed, "\nopenapi: 3.0.3\n")
	if start < 0 {
		t.Fatal("no OpenAPI document in the seed")
	}
	want := strings.Split(strings.TrimRight(seed[start+1:], "\n"), "\n")
	got := strings.Split(strings.TrimRight(mustRaw(t, "kontomatik/ais.yaml"), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("the document has %d lines, the seed's %d", len(got), len(want))
	}
	changed := 0
	for i := range want {
		if got[i] == want[i] {
			continue
		}
		changed++
		if strings.TrimSpace(want[i]) != "email: [email\u00a0protected]" || got[i] != `    email: "[email`+"\u00a0"+`protected]"` {
			t.Errorf("line %d differs from the seed:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
	if changed != 1 {
		t.Errorf("%d lines changed, want exactly the contact e-mail", changed)
	}
}
