package fintecture_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/instance"
)

var update = flag.Bool("update", false, "rewrite golden files")

type exchange struct {
	Request string          `json:"request"`
	Status  int             `json:"status"`
	Body    json.RawMessage `json:"body"`
}

// script runs one fixed sequence of calls and records every answer.
func script(t *testing.T, h *harness) []exchange {
	t.Helper()
	var log []exchange
	rec := func(name string, r resp) resp {
		body := bytes.TrimSpace(r.Body)
		if len(body) == 0 {
			body = []byte("null")
		}
		log = append(log, exchange{Request: name, Status: r.Status, Body: json.RawMessage(body)})
		return r
	}
	basic := [2]string{appID, appSecret}
	var cc tokenJSON
	rec("token client_credentials", h.postForm("/fintecture/oauth/accesstoken", url.Values{"grant_type": {"client_credentials"}, "app_id": {appID}, "scope": {"customers"}}, basic)).Decode(t, &cc)
	var cust struct{ ID string }
	rec("create customer", h.postJSON("/fintecture/v1/customers", cc.AccessToken, map[string]any{"first_name": "Léa", "last_name": "Durand", "email": "lea@example.com"})).Decode(t, &cust)
	rec("create bank account", h.postJSON("/fintecture/v1/customers/"+cust.ID+"/bank-accounts", cc.AccessToken, map[string]any{"iban": "FR1420041010050500013M02606", "holder_name": "Léa Durand"}))
	rec("list customers", h.get("/fintecture/v1/customers", cc.AccessToken))
	rec("authorize", h.do(req{url: "/fintecture/ais/v1/provider/cmcifrpp/authorize?state=g&redirect_uri=" + url.QueryEscape(clientCB), header: map[string]string{"app_id": appID}}))
	conn, code := h.autoConnect(appID)
	var ais tokenJSON
	rec("token authorization_code", h.postForm("/fintecture/oauth/accesstoken", url.Values{"grant_type": {"authorization_code"}, "code": {code}}, basic)).Decode(t, &ais)
	var accts accountsBody
	rec("accounts", h.get("/fintecture/ais/v1/customer/"+conn+"/accounts", ais.AccessToken)).Decode(t, &accts)
	acct := "/fintecture/ais/v1/customer/" + conn + "/account/" + accts.Data[0].ID
	rec("account", h.get(acct, ais.AccessToken))
	rec("holders", h.get(acct+"/holders", ais.AccessToken))
	rec("transactions", h.get(acct+"/transactions?from=2026-01-01", ais.AccessToken))
	rec("unknown account", h.get("/fintecture/ais/v1/customer/"+conn+"/account/nope", ais.AccessToken))
	rec("bad customer body", h.postJSON("/fintecture/v1/customers", cc.AccessToken, `{"first_name":1}`))
	return log
}

func TestSameSeedGivesByteIdenticalResponses(t *testing.T) {
	public := func(o *instance.Options) { o.PublicURL = "http://sandbank.test" }
	run := func() []byte {
		h := newHarness(t, public)
		out, err := json.MarshalIndent(script(t, h), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return append(out, '\n')
	}
	first, second := run(), run()
	if !bytes.Equal(first, second) {
		t.Fatalf("two runs with the same seed differ:\n%s\n---\n%s", first, second)
	}
	golden := filepath.Join("testdata", "golden", "journey.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, first, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./emulator/fintecture -run TestSameSeed -update to create it)", err)
	}
	if !bytes.Equal(first, want) {
		t.Fatalf("responses differ from %s (rerun with -update if the change is intended):\n%s", golden, first)
	}

	// Another seed gives another world.
	other := newHarness(t, public, func(o *instance.Options) { o.Seed = 99 })
	out, _ := json.MarshalIndent(script(t, other), "", "  ")
	if bytes.Equal(append(out, '\n'), first) {
		t.Fatal("a different seed produced the same responses")
	}
}

func TestDataSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sandbank.db")
	clock := emulator.NewManualClock(start)
	h := newHarnessAt(t, db, clock)
	tok := h.customersToken(appID, appSecret)
	c := h.createCustomer(tok, map[string]any{"first_name": "Léa", "last_name": "Durand", "email": "lea@example.com"})
	cust, pair := h.connectedFull(appID, appSecret)
	var before accountsBody
	h.get("/fintecture/ais/v1/customer/"+cust+"/accounts", pair.AccessToken).Decode(t, &before)
	h.Close()

	h2 := newHarnessAt(t, db, clock)
	if r := h2.get("/fintecture/v1/customers/"+c.ID, tok); r.Status != 200 {
		t.Fatalf("customer lost across restart: %d %s", r.Status, r.Body)
	}
	var after accountsBody
	h2.get("/fintecture/ais/v1/customer/"+cust+"/accounts", pair.AccessToken).Decode(t, &after)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("accounts changed across restart:\n%v\n%v", before, after)
	}
	// The first secret still sticks after a restart.
	if code := h2.postForm("/fintecture/oauth/accesstoken", url.Values{"grant_type": {"client_credentials"}}, [2]string{appID, "other"}).errorCode(t, 401); code != "invalid_app_id" {
		t.Fatalf("secret forgotten: %s", code)
	}
}
