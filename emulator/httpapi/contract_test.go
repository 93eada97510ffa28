package httpapi_test

import (
	"net/http"
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
