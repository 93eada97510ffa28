package specs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
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
		"finqlink/finqlink.yaml",
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
		// Sandbank's own document: FinqLink published none.
		"finqlink/finqlink.yaml": "3.0.3",
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

// finqlinkDoc is Sandbank's own FinqLink v2 contract (no OpenAPI document
// was published; see shared/notes/finqlink.md).
const finqlinkDoc = "finqlink/finqlink.yaml"

// finqlinkOps is the whole FinqLink surface: each operationId with its
// method and path. The server rewrites the test-mode and unversioned forms
// (/v2/test/..., /test/..., /...) onto these /v2 paths, so each operation
// is declared once.
var finqlinkOps = map[string][2]string{
	"createLink":            {"POST", "/v2/links/create"},
	"getLink":               {"POST", "/v2/links/get"},
	"listLinks":             {"POST", "/v2/links/list"},
	"handleLinkRedirect":    {"POST", "/v2/links/redirect"},
	"listProviders":         {"POST", "/v2/providers/list"},
	"getProvider":           {"POST", "/v2/providers/get"},
	"createConsent":         {"POST", "/v2/ais/consents/create"},
	"getConsent":            {"POST", "/v2/ais/consents/get"},
	"revokeConsent":         {"POST", "/v2/ais/consents/revoke"},
	"handleConsentRedirect": {"POST", "/v2/ais/consents/redirect"},
	"listAccounts":          {"POST", "/v2/ais/accounts/list"},
	"listBalances":          {"POST", "/v2/ais/balances/list"},
	"listTransactions":      {"POST", "/v2/ais/transactions/list"},
	"createJob":             {"POST", "/v2/ais/jobs/create"},
	"getJob":                {"POST", "/v2/ais/jobs/get"},
	"issueToken":            {"POST", "/oauth2/token"},
	"getJwks":               {"GET", "/.well-known/jwks.json"},
}

// finqlinkNonAPI are the operations outside the JSON API: the token
// endpoint (a form, RFC 6749 errors) and the JWKS.
var finqlinkNonAPI = map[string]bool{"issueToken": true, "getJwks": true}

var lowerCamel = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

func mustLoadFinqLink(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := Load(finqlinkDoc)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

type finqlinkOp struct {
	method, path string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

func finqlinkOperations(t *testing.T, doc *openapi3.T) map[string]finqlinkOp {
	t.Helper()
	ops := map[string]finqlinkOp{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if _, dup := ops[op.OperationID]; dup {
				t.Errorf("operationId %q is used twice", op.OperationID)
			}
			ops[op.OperationID] = finqlinkOp{method, path, item, op}
		}
	}
	return ops
}

func TestFinqLinkDocument(t *testing.T) {
	doc := mustLoadFinqLink(t)
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/finqlink" {
		t.Errorf("servers = %v, want the single relative /finqlink", doc.Servers)
	}
	desc := collapse(doc.Info.Description)
	for _, want := range []string{
		"Written by Sandbank", "/v2/test/...", "/test/...", "x-signature", "x-signature-kid",
		"/.well-known/jwks.json", "exactly two", "LinkStatusUpdate", "ConsentStatusUpdate", "JobStatusUpdate",
	} {
		if !strings.Contains(desc, want) {
			t.Errorf("info.description does not mention %q", want)
		}
	}
	if ss := doc.Components.SecuritySchemes["bearerAuth"]; ss == nil || ss.Value.Type != "http" || ss.Value.Scheme != "bearer" {
		t.Error("bearerAuth security scheme missing or not http bearer")
	}
	// Bearer is optional: the document-wide requirement has an empty
	// alternative (body credentials alone).
	optional := false
	for _, req := range doc.Security {
		if len(req) == 0 {
			optional = true
		}
	}
	if !optional {
		t.Errorf("security %v does not make bearerAuth optional", doc.Security)
	}
	for _, name := range []string{"LinkStatusUpdate", "ConsentStatusUpdate", "JobStatusUpdate", "Error", "OAuthError", "Jwks"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("component schema %s missing", name)
		}
	}
}

func TestFinqLinkOperations(t *testing.T) {
	doc := mustLoadFinqLink(t)
	ops := finqlinkOperations(t, doc)
	for id := range finqlinkOps {
		if _, ok := ops[id]; !ok {
			t.Errorf("operation %s missing", id)
		}
	}
	for id, o := range ops {
		t.Run(id, func(t *testing.T) {
			if !lowerCamel.MatchString(id) {
				t.Errorf("operationId %q is not lowerCamelCase", id)
			}
			want, ok := finqlinkOps[id]
			if !ok {
				t.Fatalf("operation %s %s (%q) is not in the expected surface", o.method, o.path, id)
			}
			if o.method != want[0] || o.path != want[1] {
				t.Errorf("%s is %s %s, want %s %s", id, o.method, o.path, want[0], want[1])
			}
			def := o.op.Responses.Default()
			if def == nil {
				t.Fatal("no default response")
			}
			wantErr := "#/components/schemas/Error"
			if id == "issueToken" {
				wantErr = "#/components/schemas/OAuthError"
			}
			if got := def.Value.Content.Get("application/json").Schema.Ref; got != wantErr {
				t.Errorf("default response schema = %q, want %q", got, wantErr)
			}
			if finqlinkNonAPI[id] {
				if o.op.Security == nil || len(*o.op.Security) != 0 {
					t.Errorf("%s should need no credentials (security: [])", id)
				}
				return
			}
			checkFinqLinkAPIOperation(t, o)
		})
	}
}

// checkFinqLinkAPIOperation checks what every JSON API operation shares:
// POST under /v2, a JSON body requiring client_id, the optional
// x-request-id header and the error responses.
func checkFinqLinkAPIOperation(t *testing.T, o finqlinkOp) {
	t.Helper()
	if o.method != "POST" || !strings.HasPrefix(o.path, "/v2/") {
		t.Errorf("%s %s: want POST under /v2", o.method, o.path)
	}
	rb := o.op.RequestBody
	if rb == nil || !rb.Value.Required {
		t.Fatal("no required request body")
	}
	if len(rb.Value.Content) != 1 || rb.Value.Content.Get("application/json") == nil {
		t.Fatalf("request body content = %v, want application/json only", rb.Value.Content)
	}
	body := rb.Value.Content.Get("application/json").Schema.Value
	if !slices.Contains(body.Required, "client_id") {
		t.Errorf("body required = %q, want client_id in it", body.Required)
	}
	if slices.Contains(body.Required, "client_secret") {
		t.Error("client_secret must stay optional (not needed with a Bearer token)")
	}
	for _, p := range []string{"client_id", "client_secret"} {
		s := body.Properties[p]
		if s == nil || s.Value.MaxLength == nil || *s.Value.MaxLength != 128 || !s.Value.Type.Is("string") {
			t.Errorf("%s: want a string of at most 128 characters", p)
		}
	}
	if body.AdditionalProperties.Has != nil && !*body.AdditionalProperties.Has {
		t.Error("request body refuses unknown fields; FinqLink ignores them")
	}
	var rid *openapi3.Parameter
	for _, p := range o.op.Parameters {
		if p.Value.In == "header" && p.Value.Name == "x-request-id" {
			rid = p.Value
		}
	}
	if rid == nil || rid.Required {
		t.Error("no optional x-request-id header parameter")
	}
	for _, code := range []int{200, 400, 401} {
		if o.op.Responses.Status(code) == nil {
			t.Errorf("no %d response", code)
		}
	}
	for code, r := range o.op.Responses.Map() {
		if code == "default" || code[0] == '2' {
			continue
		}
		if got := r.Value.Content.Get("application/json").Schema.Ref; got != "#/components/schemas/Error" {
			t.Errorf("%s response schema = %q, want the Error envelope", code, got)
		}
	}
}

// finqlinkFilterOptions are the emulator's request-validation options
// (emulator/httpapi): credentials are judged by the provider, not here.
var finqlinkFilterOptions = &openapi3filter.Options{
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SkipSettingDefaults: true,
}

func finqlinkRoute(t *testing.T, doc *openapi3.T, ops map[string]finqlinkOp, id string) *routers.Route {
	t.Helper()
	o, ok := ops[id]
	if !ok {
		t.Fatalf("no operation %s", id)
	}
	return &routers.Route{Spec: doc, Path: o.path, PathItem: o.item, Method: o.method, Operation: o.op}
}

func TestFinqLinkRequestBodies(t *testing.T) {
	doc := mustLoadFinqLink(t)
	ops := finqlinkOperations(t, doc)
	const creditor = `"creditor":{"name":"Acme SRL","iban":"RO10RZBR0000069999999970"}`
	link := func(amount string) string {
		return `{"client_id":"c1","client_secret":"s","payment_intent":{"amount":"` + amount + `","currency":"RON",` + creditor + `}}`
	}
	consent := func(scope string) string {
		return `{"client_id":"c1","consent":{"scope":` + scope + `}}`
	}
	long := strings.Repeat("a", 129)
	tests := []struct {
		name, op, body string
		ok             bool
	}{
		{"whole amount", "createLink", link("10"), true},
		{"amount with decimals", "createLink", link("10.50"), true},
		{"amount under one", "createLink", link("0.50"), true},
		{"leading zero", "createLink", link("012.5"), false},
		{"thousands separator", "createLink", link("1,000"), false},
		{"decimal comma", "createLink", link("10,50"), false},
		{"signed amount", "createLink", link("-10"), false},
		{"trailing point", "createLink", link("10."), false},
		{"amount as a number", "createLink", `{"client_id":"c1","payment_intent":{"amount":10,"currency":"RON",` + creditor + `}}`, false},
		{"lower-case currency", "createLink", `{"client_id":"c1","payment_intent":{"amount":"10","currency":"ron",` + creditor + `}}`, false},
		{"no client_id", "createLink", `{"payment_intent":{"amount":"10","currency":"RON",` + creditor + `}}`, false},
		{"client_id too long", "createLink", `{"client_id":"` + long + `","payment_intent":{"amount":"10","currency":"RON",` + creditor + `}}`, false},
		{"client_secret too long", "createLink", `{"client_id":"c1","client_secret":"` + long + `","payment_intent":{"amount":"10","currency":"RON",` + creditor + `}}`, false},
		{"unknown field ignored", "createLink", `{"client_id":"c1","surprise":true,"payment_intent":{"amount":"10","currency":"RON",` + creditor + `}}`, true},
		{"full link", "createLink", `{"client_id":"c1","payment_intent":{"amount":"99.99","currency":"EUR","description":"Invoice 7",` + creditor + `},
			"payment_method":{"provider_id":"rzb_ro","remitter_type":["retail","corporate"],"payment_scheme":"instant","env":"sandbox"},
			"options":{"type":"wrapped_sca","user_editable":true,"ux_template":"glass","expires_in":3600,"redirect_url":"https://shop.example/done","webhook_url":"https://shop.example/hook"},
			"tracking_ids":{"end_user_id":"user-42","merchant_id":"m1"}}`, true},
		{"remitter_type as a string (v1)", "createLink", `{"client_id":"c1","payment_intent":{"amount":"10","currency":"RON",` + creditor + `},"payment_method":{"remitter_type":"retail"}}`, false},
		{"unknown flow type", "createLink", `{"client_id":"c1","payment_intent":{"amount":"10","currency":"RON",` + creditor + `},"options":{"type":"qr"}}`, false},
		{"unknown ux_template", "createLink", `{"client_id":"c1","payment_intent":{"amount":"10","currency":"RON",` + creditor + `},"options":{"ux_template":"dark"}}`, false},
		{"upper-case tracking id", "createLink", `{"client_id":"c1","payment_intent":{"amount":"10","currency":"RON",` + creditor + `},"tracking_ids":{"end_user_id":"User"}}`, false},
		{"tracking id starting with a hyphen", "createLink", `{"client_id":"c1","payment_intent":{"amount":"10","currency":"RON",` + creditor + `},"tracking_ids":{"end_user_id":"-x"}}`, false},

		{"link_id of 36", "getLink", `{"client_id":"c1","link_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51"}`, true},
		{"link_id of 35", "getLink", `{"client_id":"c1","link_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a5"}`, false},

		{"limit 250", "listLinks", `{"client_id":"c1","pagination":{"limit":250}}`, true},
		{"limit 251", "listLinks", `{"client_id":"c1","pagination":{"limit":251}}`, false},
		{"limit 0", "listLinks", `{"client_id":"c1","pagination":{"limit":0}}`, false},
		{"status filter", "listLinks", `{"client_id":"c1","filter":{"status":"completed","inserted_at_from":"2024-01-01T00:00:00Z"}}`, true},
		{"unknown status filter", "listLinks", `{"client_id":"c1","filter":{"status":"expired"}}`, false},

		{"callback with state", "handleLinkRedirect", `{"client_id":"c1","query_string":"code=abc&state=xyz","wait":true}`, true},
		{"callback without state", "handleLinkRedirect", `{"client_id":"c1","query_string":"code=abc"}`, false},

		{"provider with options", "getProvider", `{"client_id":"c1","provider_id":"rzb_ro","options":{"show_payment_methods":true,"show_validation_schema":true}}`, true},
		{"provider without id", "getProvider", `{"client_id":"c1"}`, false},
		{"AIS methods filter", "listProviders", `{"client_id":"c1","options":{"show_ais_methods":true,"ais_methods_filter":{"account_owner_type":["retail"],"interface_env":"prod"}}}`, true},
		{"unknown interface_env", "listProviders", `{"client_id":"c1","options":{"ais_methods_filter":{"interface_env":"production"}}}`, false},

		{"full scope", "createConsent", consent(`["accounts","balances","transactions"]`), true},
		{"full scope, other order", "createConsent", consent(`["transactions","accounts","balances"]`), true},
		{"limited scope", "createConsent", consent(`["accounts","balances"]`), true},
		{"default scope", "createConsent", `{"client_id":"c1","consent":{}}`, true},
		{"transactions only", "createConsent", consent(`["transactions"]`), false},
		{"accounts and transactions", "createConsent", consent(`["accounts","transactions"]`), false},
		{"accounts only", "createConsent", consent(`["accounts"]`), false},
		{"repeated scope", "createConsent", consent(`["accounts","balances","balances"]`), false},
		{"no consent", "createConsent", `{"client_id":"c1"}`, false},
		{"45-day link", "createConsent", `{"client_id":"c1","consent":{},"options":{"expires_in":3888000,"ux_template":"sheet"}}`, true},
		{"46-day link", "createConsent", `{"client_id":"c1","consent":{},"options":{"expires_in":3974400}}`, false},

		{"transactions page", "listTransactions", `{"client_id":"c1","consent_id":"k","filter":{"amount_min":"10","amount_max":"20.5","status":"booked","credit_debit_indicator":"debit","updated_from":"2024-01-01T00:00:00Z"},"pagination":{"limit":50,"after":"x"},"track_changes":true}`, true},
		{"transactions without consent", "listTransactions", `{"client_id":"c1"}`, false},
		{"transaction status", "listTransactions", `{"client_id":"c1","consent_id":"k","filter":{"status":"BOOKED"}}`, false},
		{"balance type filter", "listBalances", `{"client_id":"c1","consent_id":"k","filter":{"type":"interim_available"}}`, true},
		{"unknown balance type", "listBalances", `{"client_id":"c1","consent_id":"k","filter":{"type":"InterimAvailable"}}`, false},
		{"job", "createJob", `{"client_id":"c1","consent_id":"k","callback_url":"https://x.example/jobs"}`, true},
		{"job without consent", "getJob", `{"client_id":"c1","job_id":"j"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+tt.name, func(t *testing.T) {
			route := finqlinkRoute(t, doc, ops, tt.op)
			req := httptest.NewRequest(http.MethodPost, "/finqlink"+route.Path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request: req, Route: route, Options: finqlinkFilterOptions,
			})
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.ok && err == nil {
				t.Error("accepted, want refused")
			}
		})
	}
}

func TestFinqLinkTokenForm(t *testing.T) {
	doc := mustLoadFinqLink(t)
	route := finqlinkRoute(t, doc, finqlinkOperations(t, doc), "issueToken")
	assertion := "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjMSJ9.c2ln"
	tests := []struct {
		name string
		form url.Values
		ok   bool
	}{
		{"client secret", url.Values{"grant_type": {"client_credentials"}, "scope": {"pay_by_link"}, "client_id": {"c1"}, "client_secret": {"s"}}, true},
		{"private_key_jwt", url.Values{"grant_type": {"client_credentials"}, "client_id": {"c1"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}, true},
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {"c1"}, "client_secret": {"s"}}, false},
		{"no grant_type", url.Values{"client_id": {"c1"}, "client_secret": {"s"}}, false},
		{"other assertion type", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:x"}, "client_assertion": {assertion}}, false},
		{"assertion not a JWS", url.Values{"grant_type": {"client_credentials"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {"not-a-jwt"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/finqlink/oauth2/token", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request: req, Route: route, Options: finqlinkFilterOptions,
			})
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.ok && err == nil {
				t.Error("accepted, want refused")
			}
		})
	}
}

// TestFinqLinkResponses checks replies the emulator will send against the
// operations' responses: success bodies, and errors of any status through
// the declared or default response.
func TestFinqLinkResponses(t *testing.T) {
	doc := mustLoadFinqLink(t)
	ops := finqlinkOperations(t, doc)
	const errBody = `{"error_id":"7d0c1f8e-3b5a-4c1e-9f2d-0a1b2c3d4e5f","request_id":"r1","code":"%s","message":"m"}`
	tests := []struct {
		name, op string
		status   int
		body     string
		ok       bool
	}{
		{"created link", "createLink", 200, `{"request_id":"r1","created_at":"2024-05-01T10:00:00Z","expires_at":"2024-05-02T10:00:00Z",
			"api_client_app":"Shop","link_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51","web_id":"Ab12","web_url":"http://127.0.0.1:7070/finqlink/web/Ab12"}`, true},
		{"link before a choice", "getLink", 200, `{"request_id":"r1","status":"created","expires_at":"2024-05-02T10:00:00Z","is_expired":false,
			"api_client_app":"Shop","link_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51","web_id":"Ab12","web_url":null,"payment_method":null,"service_provider":null}`, true},
		{"link with a choice", "getLink", 200, `{"request_id":"r1","status":"funds_received","expires_at":"2024-05-02T10:00:00Z","is_expired":true,
			"api_client_app":"Shop","link_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51","web_id":"Ab12","web_url":"https://x",
			"payment_method":{"provider_id":"libra_ro","remitter_type":["retail"],"payment_scheme":"domestic","env":"sandbox"},
			"service_provider":{"provider_id":"libra_ro","name":"Libra Internet Bank"}}`, true},
		{"link status expired", "getLink", 200, `{"request_id":"r1","status":"expired","expires_at":"2024-05-02T10:00:00Z","is_expired":true,
			"api_client_app":"Shop","link_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51","web_id":"Ab12","web_url":null,"payment_method":null,"service_provider":null}`, false},
		{"links page", "listLinks", 200, `{"request_id":"r1","api_client_app":"Shop","client_id":"c1","links":[],"pagination":{"count":0,"more?":false,"after":null}}`, true},
		{"links page without more?", "listLinks", 200, `{"request_id":"r1","api_client_app":"Shop","client_id":"c1","links":[],"pagination":{"count":0,"more":false,"after":null}}`, false},
		{"redirect in progress", "handleLinkRedirect", 202, `{"request_id":"r1","status":"redirect_in_progress","api_client_app":"Shop","link_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51","web_id":"Ab12"}`, true},
		{"job started", "createJob", 200, `{"request_id":"r1","consent_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51","job_id":"j1","status":"job_started","api_client_app":"Shop"}`, true},
		{"job created already done", "createJob", 200, `{"request_id":"r1","consent_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51","job_id":"j1","status":"job_completed","api_client_app":"Shop"}`, false},
		{"balances page", "listBalances", 200, `{"request_id":"r1","api_client_app":"Shop","client_id":"c1","consent_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51",
			"balances":[{"balance_id":"b1","account_id":"a1","type":"available","amount":"12.30","currency":"RON","credit_debit_indicator":"debit","inserted_at":"2024-05-01T10:00:00Z"}],
			"pagination":{"count":1,"more?":false,"after":null}}`, true},
		{"negative balance", "listBalances", 200, `{"request_id":"r1","api_client_app":"Shop","client_id":"c1","consent_id":"0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51",
			"balances":[{"balance_id":"b1","account_id":"a1","type":"available","amount":"-12.30","currency":"RON","credit_debit_indicator":"debit","inserted_at":"2024-05-01T10:00:00Z"}],
			"pagination":{"count":1,"more?":false,"after":null}}`, false},
		{"token", "issueToken", 200, `{"access_token":"t","token_type":"Bearer","expires_in":3600,"scope":"pay_by_link"}`, true},
		{"token error", "issueToken", 401, `{"error":"invalid_client","error_description":"bad secret"}`, true},
		{"token error of any status", "issueToken", 429, `{"error":"invalid_request"}`, true},
		{"validation error", "createLink", 400, fmt.Sprintf(errBody, "validation_error"), true},
		{"cooldown", "createJob", 400, fmt.Sprintf(errBody, "cooldown_failed"), true},
		{"unknown link", "getLink", 404, fmt.Sprintf(errBody, "not_found"), true},
		{"server error through default", "listTransactions", 500, fmt.Sprintf(errBody, "internal_server_error"), true},
		{"unknown code", "getLink", 404, fmt.Sprintf(errBody, "link_unknown"), false},
		{"error without error_id", "getLink", 400, `{"request_id":"r1","code":"bad_request","message":"m"}`, false},
		{"JWKS error through default", "getJwks", 500, fmt.Sprintf(errBody, "internal_error"), true},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+tt.name, func(t *testing.T) {
			route := finqlinkRoute(t, doc, ops, tt.op)
			req := httptest.NewRequest(route.Method, "/finqlink"+route.Path, nil)
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: finqlinkFilterOptions},
				Status:                 tt.status,
				Header:                 http.Header{"Content-Type": {"application/json"}},
				Options:                &openapi3filter.Options{IncludeResponseStatus: tt.status < 400},
			}
			in.SetBodyBytes([]byte(tt.body))
			err := openapi3filter.ValidateResponse(context.Background(), in)
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.ok && err == nil {
				t.Error("accepted, want refused")
			}
		})
	}
}

// TestFinqLinkSchemas checks the component schemas that no operation
// replies with: webhook bodies and the JWKS key set.
func TestFinqLinkSchemas(t *testing.T) {
	doc := mustLoadFinqLink(t)
	const (
		id1 = "0b6f2a4e-8a34-4c2b-9f00-3f6d1c2e4a51"
		rsa = `{"kty":"RSA","kid":"k1","alg":"RS256","use":"sig","n":"0vx7agoebGcQSuu","e":"AQAB"}`
		ec  = `{"kty":"EC","kid":"k2","alg":"ES256","use":"sig","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`
	)
	tests := []struct {
		schema, body string
		ok           bool
	}{
		{"JobStatusUpdate", `{"type":"job_status_update","consent_id":"` + id1 + `","job_id":"j1","status":"job_completed"}`, true},
		{"JobStatusUpdate", `{"type":"job_status_update","consent_id":"` + id1 + `","job_id":"j1","status":"done"}`, false},
		{"JobStatusUpdate", `{"type":"link_status_update","consent_id":"` + id1 + `","job_id":"j1","status":"job_completed"}`, false},
		{"JobStatusUpdate", `{"type":"job_status_update","consent_id":"` + id1 + `","job_id":"j1","status":"job_completed","at":"now"}`, false},
		{"LinkStatusUpdate", `{"type":"link_status_update","link_id":"` + id1 + `","web_id":"Ab12","status":"completed"}`, true},
		{"LinkStatusUpdate", `{"type":"link_status_update","link_id":"` + id1 + `","status":"completed"}`, false},
		{"ConsentStatusUpdate", `{"type":"consent_status_update","consent_id":"` + id1 + `","web_id":"Cd34","status":"active"}`, true},
		{"ConsentStatusUpdate", `{"type":"consent_status_update","consent_id":"` + id1 + `","web_id":"Cd34","status":"requested"}`, false},
		{"Jwks", `{"keys":[` + rsa + `,` + ec + `]}`, true},
		{"Jwks", `{"keys":[` + rsa + `,` + rsa + `]}`, true},
		{"Jwks", `{"keys":[` + rsa + `]}`, false},
		{"Jwks", `{"keys":[` + rsa + `,` + ec + `,` + rsa + `]}`, false},
		{"Jwks", `{"keys":[` + rsa + `,{"kty":"RSA","kid":"k3","alg":"ES256","use":"sig","n":"a","e":"AQAB"}]}`, false},
		{"Decimal", `"1000000"`, true},
		{"Decimal", `"00.5"`, false},
		{"Decimal", `"1 000"`, false},
		{"Decimal", `".5"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			s := doc.Components.Schemas[tt.schema]
			if s == nil {
				t.Fatalf("no schema %s", tt.schema)
			}
			var v any
			if err := json.Unmarshal([]byte(tt.body), &v); err != nil {
				t.Fatal(err)
			}
			err := s.Value.VisitJSON(v)
			if tt.ok && err != nil {
				t.Errorf("%s refused: %v", tt.body, err)
			}
			if !tt.ok && err == nil {
				t.Errorf("%s accepted, want refused", tt.body)
			}
		})
	}
}
