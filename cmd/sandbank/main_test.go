package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseConfigFlagsAndEnv(t *testing.T) {
	cfg, err := parseConfig(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7070" || cfg.DB != "sandbank.db" || cfg.Seed != 0 || cfg.ValidateResponses {
		t.Fatalf("defaults: %+v", cfg)
	}
	cfg, err = parseConfig(nil, env(map[string]string{
		"SANDBANK_ADDR": "127.0.0.1:9", "SANDBANK_DB": ":memory:", "SANDBANK_SEED": "42",
		"SANDBANK_VALIDATE_RESPONSES": "true", "SANDBANK_PUBLIC_URL": "http://localhost:8080/",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9" || cfg.DB != ":memory:" || cfg.Seed != 42 || !cfg.ValidateResponses || cfg.PublicURL != "http://localhost:8080" {
		t.Fatalf("from env: %+v", cfg)
	}
	// Flags win over the environment.
	cfg, err = parseConfig([]string{"--addr", "127.0.0.1:10", "--seed=7"}, env(map[string]string{"SANDBANK_ADDR": "127.0.0.1:9"}), io.Discard)
	if err != nil || cfg.Addr != "127.0.0.1:10" || cfg.Seed != 7 {
		t.Fatalf("flags over env: %+v %v", cfg, err)
	}
	for _, bad := range [][]string{{"--seed", "x"}, {"--validate-responses", "maybe"}, {"--public-url", "localhost"}, {"--log-level", "loud"}, {"extra"}} {
		if _, err := parseConfig(bad, env(nil), io.Discard); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out, &errb); err != nil || !strings.HasPrefix(out.String(), "sandbank ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	err := run(context.Background(), []string{"--help"}, env(nil), &out, &errb)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"-addr", "SANDBANK_DB", "-public-url", "-seed", "-validate-responses", "/fintecture"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), &out, &errb); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// syncBuffer lets the test read what the server prints while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeBecomesHealthyAndShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "s.db"), "--log-level", "error"}, env(nil), &out, io.Discard)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/_sandbank/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not healthy in time: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"/fintecture", "app_id=sandbank-demo", "app_secret=sandbank-demo-secret", "078000000P", "/live/kontomatik/v1", "X-Api-Key: sandbank-demo-kontomatik", "Test123", "client_id=sandbank-demo-finqlink"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out.String())
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no graceful shutdown")
	}
}
