package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator/httpapi"
)

const doc = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses: {"200": {description: ok}}
    post:
      operationId: createThing
      responses: {"201": {description: ok}}
`

func contract(t *testing.T) *httpapi.Contract {
	t.Helper()
	d, err := openapi3.NewLoader().LoadFromData([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return &httpapi.Contract{Name: "t", Prefix: "/t", Docs: []*openapi3.T{d}}
}

func noop(w http.ResponseWriter, r *http.Request) error { return nil }

func TestMountRefusesMissingAndExtraHandlers(t *testing.T) {
	ew := func(http.ResponseWriter, *http.Request, error) {}
	err := httpapi.Mount(mux.NewRouter(), contract(t), map[string]httpapi.Handler{"listThings": noop}, httpapi.MountOptions{Errors: ew})
	if err == nil || !strings.Contains(err.Error(), "createThing") {
		t.Fatalf("missing handler: %v", err)
	}
	err = httpapi.Mount(mux.NewRouter(), contract(t), map[string]httpapi.Handler{"listThings": noop, "createThing": noop, "deleteThing": noop}, httpapi.MountOptions{Errors: ew})
	if err == nil || !strings.Contains(err.Error(), "deleteThing") {
		t.Fatalf("extra handler: %v", err)
	}
	err = httpapi.Mount(mux.NewRouter(), contract(t), map[string]httpapi.Handler{"listThings": noop, "createThing": noop}, httpapi.MountOptions{Errors: ew})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClassicEngineOnlyFor30Subset(t *testing.T) {
	load := func(body string) *openapi3.T {
		d, err := openapi3.NewLoader().LoadFromData([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	plain := load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {x: {type: string, format: email}}}\n")
	if httpapi.ValidationDocVersion(plain) != "3.0.3" {
		t.Fatal("a 3.1 document in the 3.0 subset should use the classic engine")
	}
	nullable := load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: object, properties: {x: {type: [string, 'null']}}}\n")
	if httpapi.ValidationDocVersion(nullable) != "3.1.0" {
		t.Fatal("a type array is 2020-12 only and must keep its engine")
	}
	constant := load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {const: 5}\n")
	if httpapi.ValidationDocVersion(constant) != "3.1.0" {
		t.Fatal("const must keep the 2020-12 engine")
	}
}

const typed = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /thing:
    get:
      operationId: getThing
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: string}}
`

// TestResponseViolationsAreReported: with ValidateResponses a response that
// breaks its contract is reported (what --validate-responses logs loudly),
// and a conforming one is not.
func TestResponseViolationsAreReported(t *testing.T) {
	d, err := openapi3.NewLoader().LoadFromData([]byte(typed))
	if err != nil {
		t.Fatal(err)
	}
	var reported []string
	body := `{"id": 5}`
	r := mux.NewRouter()
	err = httpapi.Mount(r, &httpapi.Contract{Name: "t", Prefix: "/t", Docs: []*openapi3.T{d}},
		map[string]httpapi.Handler{"getThing": func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "application/json")
			_, err := w.Write([]byte(body))
			return err
		}},
		httpapi.MountOptions{
			Errors:            func(http.ResponseWriter, *http.Request, error) {},
			ValidateResponses: true,
			OnViolation: func(_ *http.Request, op httpapi.ContractOperation, err error) {
				reported = append(reported, op.ID+": "+err.Error())
			},
		})
	if err != nil {
		t.Fatal(err)
	}
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/t/thing", nil))
	if len(reported) != 1 || !strings.Contains(reported[0], "getThing") {
		t.Fatalf("violation not reported: %v", reported)
	}
	body = `{"id": "a"}`
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/t/thing", nil))
	if len(reported) != 1 {
		t.Fatalf("a conforming response was reported: %v", reported)
	}
}
