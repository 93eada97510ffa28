package kontomatik_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/instance"
	"github.com/sandbank/sandbank/emulator/providertest"
)

var start = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const (
	apiKey = "km-test-key-0001"
	live   = "/live/kontomatik/v1"
	spec   = "/kontomatik/v1"
	back   = "https://client.example/kontomatik/back"
)

// harness is one Sandbank (providertest: a real SQLite file, a real
// listener, every contract response validated, XML included) and the
// clock it runs on.
type harness struct{ providertest.Harness }

// newHarness starts a Sandbank on a new database with its clock at start;
// tweaks adjust its options.
func newHarness(t testing.TB, tweaks ...func(*instance.Options)) *harness {
	t.Helper()
	return &harness{providertest.StartAt(t, start, tweaks...)}
}

// resp is a reply, with Kontomatik's XML reading of it.
type resp struct{ providertest.Response }

type req struct {
	method string
	url    string
	form   url.Values
	json   string
	header map[string]string
	noKey  bool
}

func (h *harness) do(r req) resp {
	h.T.Helper()
	var body io.Reader
	ctype := ""
	switch {
	case r.form != nil:
		body, ctype = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
		if r.method == "" {
			r.method = http.MethodPost
		}
	case r.json != "":
		body, ctype = strings.NewReader(r.json), "application/json"
		if r.method == "" {
			r.method = http.MethodPost
		}
	}
	hr := h.NewRequest(r.method, r.url, ctype, body, r.header)
	// The test's own X-Api-Key, if it sets one, replaces the harness's.
	if _, own := hr.Header["X-Api-Key"]; !r.noKey && !own {
		hr.Header.Set("X-Api-Key", apiKey)
	}
	return resp{h.Do(hr)}
}

// reply is the live envelope as a test reads it.
type reply struct {
	Status            string `xml:"status,attr"`
	OwnerExternalID   string `xml:"ownerExternalId,attr"`
	ResponseTimestamp string `xml:"responseTimestamp,attr"`
	Comment           string `xml:"comment"`
	Exception         *struct {
		Name    string `xml:"name,attr"`
		Message string `xml:"message"`
	} `xml:"exception"`
	Session *struct {
		ID               string `xml:"id,attr"`
		Signature        string `xml:"signature,attr"`
		MultipleAccessID string `xml:"multipleAccessId,attr"`
	} `xml:"session"`
	Command *struct {
		ID       string `xml:"id,attr"`
		State    string `xml:"state,attr"`
		Target   string `xml:"target,attr"`
		Progress int    `xml:"progress>value"`
		Accounts []struct {
			IBAN         string `xml:"iban"`
			Balance      string `xml:"currencyBalance"`
			Currency     string `xml:"currencyName"`
			Transactions []struct {
				On     string `xml:"transactionOn"`
				Amount string `xml:"currencyAmount"`
				Status string `xml:"status"`
			} `xml:"moneyTransactions>moneyTransaction"`
		} `xml:"result>accounts>account"`
		Owners    []string `xml:"result>owners>owner>name"`
		Exception *struct {
			Name            string `xml:"name,attr"`
			Message         string `xml:"message"`
			FriendlyMessage string `xml:"friendlyMessage"`
		} `xml:"exception"`
	} `xml:"command"`
	Targets []struct {
		Name    string `xml:"name,attr"`
		Country string `xml:"country,attr"`
		PSD2    bool   `xml:"psd2,attr"`
	} `xml:"targets>target"`
}

func (r resp) reply(t testing.TB, status int) reply {
	t.Helper()
	r.WantStatus(t, status)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Fatalf("Content-Type %q, want XML: %s", ct, r.Body)
	}
	var out reply
	if err := xml.NewDecoder(bytes.NewReader(r.Body)).Decode(&out); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	if want := fmt.Sprintf("%d %s", status, http.StatusText(status)); out.Status != want {
		t.Fatalf("reply status %q, want %q (it mirrors the HTTP status)", out.Status, want)
	}
	return out
}

// exception asserts an <exception> reply and returns its name.
func (r resp) exception(t testing.TB, status int) string {
	t.Helper()
	rep := r.reply(t, status)
	if rep.Exception == nil || rep.Exception.Name == "" || rep.Exception.Message == "" {
		t.Fatalf("no exception in %s", r.Body)
	}
	return rep.Exception.Name
}

// mockSession signs login in at KontoBank through /mock-session.xml.
func (h *harness) mockSession(form url.Values) (id, sig, consent string) {
	h.T.Helper()
	rep := h.do(req{url: live + "/mock-session.xml", form: form}).reply(h.T, 200)
	if rep.Session == nil {
		h.T.Fatalf("no session in the mock-session reply")
	}
	return rep.Session.ID, rep.Session.Signature, rep.Session.MultipleAccessID
}

// importNow starts the default import of a session and runs the clock
// until it is done; it returns the finished command's reply.
func (h *harness) importNow(id, sig string, extra url.Values) reply {
	h.T.Helper()
	f := url.Values{"sessionId": {id}, "sessionIdSignature": {sig}}
	for k, v := range extra {
		f[k] = v
	}
	started := h.do(req{url: live + "/command/default-import.xml", form: f}).reply(h.T, 202)
	if started.Command == nil || started.Command.State != "setup" || started.Command.Progress != 0 {
		h.T.Fatalf("a started import is in setup at 0%%: %+v", started.Command)
	}
	h.Clock.Advance(time.Minute)
	return h.do(req{url: live + "/command/" + started.Command.ID + ".xml"}).reply(h.T, 200)
}
