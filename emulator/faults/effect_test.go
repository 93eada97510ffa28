package faults_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/faults"
)

// TestStatusAnswersInProviderEnvelope: a status rule answers through the
// provider's error writer, with Retry-After rounded up to whole seconds,
// and the handler never runs.
func TestStatusAnswersInProviderEnvelope(t *testing.T) {
	h := newHarness(t, 42)
	r := h.add("", faults.Rule{Name: "bank down", Status: 503, Message: "the bank is down", RetryAfter: dur(1500 * time.Millisecond)})
	a := h.call("app", "/fintecture/accounts", nil)
	if a.status != 503 {
		t.Fatalf("status %d, want 503", a.status)
	}
	var body errorBody
	if err := json.Unmarshal([]byte(a.body), &body); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	if body.Code != "unavailable" || body.Message != "the bank is down" {
		t.Errorf("body %+v, want code unavailable and the rule's message", body)
	}
	if got := a.header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2 (1.5s rounded up)", got)
	}
	if got := a.header.Get("X-Sandbank-Fault"); got != r.ID {
		t.Errorf("X-Sandbank-Fault %q, want %s", got, r.ID)
	}
	if n := h.handled.Load(); n != 0 {
		t.Errorf("handler ran %d times behind a status rule", n)
	}
}

// TestStatusCodes: each injected status carries the domain code closest
// to it, and a default message when the rule gives none.
func TestStatusCodes(t *testing.T) {
	h := newHarness(t, 42)
	for status, code := range map[int]string{
		400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict",
		422: "invalid", 429: "rate_limited", 500: "internal", 502: "unavailable", 504: "unavailable", 507: "unavailable",
	} {
		r := h.add("", faults.Rule{Status: status})
		a := h.call("app", "/fintecture/accounts", nil)
		var body errorBody
		json.Unmarshal([]byte(a.body), &body)
		if a.status != status || body.Code != code || body.Message != http.StatusText(status) {
			t.Errorf("status rule %d: answered %d %+v, want code %s and %q", status, a.status, body, code, http.StatusText(status))
		}
		if a.header.Get("Retry-After") != "" {
			t.Errorf("status rule %d: Retry-After without retry_after", status)
		}
		if err := h.eng.Remove(t.Context(), r.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLatencyDelaysTheAnswer: the handler's answer comes no sooner than
// the latency, and a latency with a status delays the error.
func TestLatencyDelaysTheAnswer(t *testing.T) {
	h := newHarness(t, 42)
	const latency = 50 * time.Millisecond
	slow := h.add("", faults.Rule{Latency: dur(latency), Match: faults.Match{Operations: []string{"getAccounts"}}})
	start := time.Now()
	if a := h.call("app", "/fintecture/accounts", nil); a.status != 200 || a.body != "ok" {
		t.Fatalf("answer %+v, want the handler's", a)
	}
	if took := time.Since(start); took < latency {
		t.Errorf("answered after %v, before the %v latency", took, latency)
	}
	if err := h.eng.Remove(t.Context(), slow.ID); err != nil {
		t.Fatal(err)
	}
	h.add("", faults.Rule{Latency: dur(latency), Status: 502})
	start = time.Now()
	if a := h.call("app", "/fintecture/accounts", nil); a.status != 502 {
		t.Fatalf("status %d, want 502", a.status)
	}
	if took := time.Since(start); took < latency {
		t.Errorf("error answered after %v, before the %v latency", took, latency)
	}
}

// TestHangEndsWithTheClient: a hanging request never answers; the client
// gives up, and the handler never runs.
func TestHangEndsWithTheClient(t *testing.T) {
	h := newHarness(t, 42)
	h.add("", faults.Rule{Hang: dur(time.Hour)})
	_, err := h.try(noKeepAlive(100*time.Millisecond), "app", "/fintecture/accounts", nil)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("got %v, want a client timeout", err)
	}
	if n := h.handled.Load(); n != 0 {
		t.Errorf("handler ran %d times behind a hang", n)
	}
	// The server's Close in Cleanup waits for the hanging handler: the
	// test ends only because the client's going away released it.
}

// TestCloseReleasesHangs: Close drops requests that are hanging, so a
// server shutdown does not wait out an hour-long hang.
func TestCloseReleasesHangs(t *testing.T) {
	h := newHarness(t, 42)
	r := h.add("", faults.Rule{Hang: dur(time.Hour)})
	done := make(chan error, 1)
	go func() {
		// The timeout only keeps a broken Close from hanging the suite.
		_, err := h.try(noKeepAlive(time.Minute), "app", "/fintecture/accounts", nil)
		done <- err
	}()
	// Fired is counted before the hang starts; Close after that point
	// must still release it (and one before the wait makes it return
	// at once).
	for status(t, h.eng.List(), r.ID).Fired == 0 {
		time.Sleep(time.Millisecond)
	}
	h.eng.Close()
	err := <-done
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("got %v, want the connection dropped at Close", err)
	}
}

// TestDropClosesTheConnection: the client gets no answer at all.
func TestDropClosesTheConnection(t *testing.T) {
	h := newHarness(t, 42)
	h.add("", faults.Rule{Drop: true, Times: 1})
	c := noKeepAlive(10 * time.Second)
	if a, err := h.try(c, "app", "/fintecture/accounts", nil); err == nil {
		t.Fatalf("got answer %+v, want the connection dropped", a)
	}
	if a, err := h.try(c, "app", "/fintecture/accounts", nil); err != nil || a.status != 200 {
		t.Fatalf("after the drop: %+v, %v; want the handler's answer", a, err)
	}
}

// TestNoTenantPassesThrough: requests the auth middleware did not tie to
// a tenant are never faulted, even by a rule for everyone.
func TestNoTenantPassesThrough(t *testing.T) {
	h := newHarness(t, 42)
	h.add("", faults.Rule{Status: 500})
	if a := h.call("", "/fintecture/accounts", url.Values{}); a.status != 200 {
		t.Fatalf("status %d, want the handler's 200", a.status)
	}
}
