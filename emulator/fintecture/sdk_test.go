package fintecture_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/instance"
)

// sdkDir holds the npm project that pins Fintecture's own client
// (fintecture-client@2.0.2) and the tests that drive it.
var sdkDir = filepath.Join("testdata", "sdk")

// TestFintectureSDK runs testdata/sdk/sdk.test.js: Fintecture's npm client,
// pointed at this Sandbank's live contract through FINTECTUREAPIURL_DEV and
// FINTECTUREOAUTHURL_DEV (notes/fintecture.md §7), through every call it
// makes. The harness validates every response against the live documents.
// `make test` installs Node's packages first (`make deps`); when they are
// missing the test installs them itself from the lockfile.
func TestFintectureSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("Node.js is needed to run Fintecture's own client against Sandbank: run `make deps` (it installs Debian's nodejs and npm)")
	}
	installSDK(t)
	// The client signs with the real time, so this Sandbank runs on it.
	h := newHarness(t, func(o *instance.Options) { o.Clock = emulator.SystemClock{} })

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "sdk.test.js")
	cmd.Dir = sdkDir
	api := h.Srv.URL + "/live/fintecture"
	cmd.Env = append(os.Environ(), "SANDBANK_URL="+h.Srv.URL, "FINTECTUREAPIURL_DEV="+api, "FINTECTUREOAUTHURL_DEV="+api, "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Fintecture's client against Sandbank failed (%v):\n%s", err, out)
	}
	t.Logf("%s", out)
}

// installSDK runs `npm ci` when the pinned client is not installed yet.
func installSDK(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sdkDir, "node_modules", "fintecture-client", "package.json")); err == nil {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatal("npm is needed to install fintecture-client: run `make deps`")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = sdkDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", sdkDir, err, out)
	}
}
