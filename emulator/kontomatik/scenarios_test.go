package kontomatik_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/client"
)

// The built-in scenarios act on Kontomatik: a failing command, a bank that
// is down, a denied sign-in.
func TestScenarios(t *testing.T) {
	h := newHarness(t)
	keys := map[string]string{}
	tenant := func(key, scenario string) {
		tn, err := h.In.Control.CreateTenant(t.Context(), client.NewTenant{Provider: "kontomatik", Credential: key, Scenario: scenario})
		if err != nil {
			t.Fatal(err)
		}
		keys[key] = tn.Key
	}
	tenant("failing-key-01", "command_failing")
	tenant("down-key-0001", "bank_down")
	tenant("slow-key-0001", "slow_bank")
	tenant("denied-key-01", "sca_denied")
	as := func(key string, r req) resp {
		r.header = map[string]string{"X-Api-Key": key}
		return h.do(r)
	}

	t.Run("command_failing", func(t *testing.T) {
		rep := as("failing-key-01", req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}}}).reply(t, 200)
		f := url.Values{"sessionId": {rep.Session.ID}, "sessionIdSignature": {rep.Session.Signature}}
		started := as("failing-key-01", req{url: live + "/command/default-import.xml", form: f}).reply(t, 202)
		h.Clock.Advance(time.Minute)
		done := as("failing-key-01", req{url: live + "/command/" + started.Command.ID + ".xml"}).reply(t, 200)
		c := done.Command
		if c.State != "error" || c.Exception == nil || c.Exception.Name != "SessionExpired" || c.Exception.FriendlyMessage == "" || len(c.Accounts) != 0 {
			t.Fatalf("failed command: %+v", c)
		}
	})
	t.Run("bank_down", func(t *testing.T) {
		r := as("down-key-0001", req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}}})
		if name := r.exception(t, 503); name != "ServiceTemporarilyUnavailable" {
			t.Fatalf("KontoBank down: %s", name)
		}
		if r := as("down-key-0001", req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}, "country": {"cz"}}}); r.Status != 200 {
			t.Fatalf("the Czech KontoBank works: %d %s", r.Status, r.Body)
		}
	})
	t.Run("slow_bank", func(t *testing.T) {
		began := time.Now()
		if r := as("slow-key-0001", req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}}}); r.Status != 200 {
			t.Fatalf("mock session at the slow KontoBank: %d %s", r.Status, r.Body)
		}
		if took := time.Since(began); took < 3*time.Second {
			t.Fatalf("a call about KontoBank should take at least 3s, took %s", took)
		}
		// The other targets are left alone: the rule matched one call.
		as("slow-key-0001", req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}, "country": {"cz"}}}).reply(t, 200)
		faults, err := h.In.Control.Faults(t.Context(), keys["slow-key-0001"])
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for _, f := range faults {
			if f.Name == "KontoBank is slow" {
				seen = true
				if f.Matched != 1 || f.Fired != 1 {
					t.Fatalf("the latency should apply to the KontoBank call only: %+v", f)
				}
			}
		}
		if !seen {
			t.Fatalf("no KontoBank rule among %+v", faults)
		}
	})
	t.Run("sca_denied", func(t *testing.T) {
		r := as("denied-key-01", req{url: live + "/signin/redirection", json: `{"redirectUri":"` + back + `","target":"KontoBank"}`})
		var started struct{ RedirectionID, RedirectionLink string }
		if err := json.Unmarshal(r.Body, &started); err != nil || r.Status != 200 {
			t.Fatalf("start: %d %s", r.Status, r.Body)
		}
		h.page(t, started.RedirectionLink, url.Values{"action": {"login"}, "username": {"test"}, "password": {"Test123"}})
		came := h.page(t, started.RedirectionLink, url.Values{"action": {"otp"}, "otp": {"123456"}})
		if came.Query().Get("redirectionId") != started.RedirectionID {
			t.Fatalf("after login the bank refuses and sends the user back: %s", came)
		}
		st := as("denied-key-01", req{url: live + "/signin/redirection-status?redirectionId=" + started.RedirectionID})
		var s liveStatus
		if err := json.Unmarshal(st.Body, &s); err != nil || s.Status != "failed" || s.Params.SessionID != "" {
			t.Fatalf("denied: %s", st.Body)
		}
	})
}
