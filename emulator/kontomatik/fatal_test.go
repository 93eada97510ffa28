package kontomatik_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/instance"
)

// A scenario's commands rule can end a command in the live state "fatal";
// the given contract calls it FAILED like any other failure.
func TestCommandEndsFatal(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "command_failing.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(src), "name: command_failing", "name: command_fatal", 1)
	doc = strings.Replace(doc, "      after: 2s\n", "      after: 2s\n      state: fatal\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "command_fatal.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(o *instance.Options) { o.ScenariosDir = dir })
	if _, err := h.In.Control.CreateTenant(t.Context(), client.NewTenant{Provider: "kontomatik", Credential: apiKey, Scenario: "command_fatal"}); err != nil {
		t.Fatal(err)
	}
	id, sig, _ := h.mockSession(url.Values{"login": {"test"}})
	f := url.Values{"sessionId": {id}, "sessionIdSignature": {sig}}
	started := h.do(req{url: live + "/command/default-import.xml", form: f}).reply(t, 202)
	h.Clock.Advance(time.Minute)
	c := h.do(req{url: live + "/command/" + started.Command.ID + ".xml"}).reply(t, 200).Command
	if c.State != "fatal" || c.Exception == nil || c.Exception.Name != "SessionExpired" {
		t.Fatalf("command: %+v", c)
	}
	if r := h.do(req{url: spec + "/command/" + started.Command.ID + ".xml"}); !strings.Contains(string(r.Body), "FAILED") {
		t.Fatalf("given contract: %s", r.Body)
	}
}
