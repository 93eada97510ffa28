package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the sandbank binary for the crash
// test: with SANDBANK_TEST_SERVE set it runs the server and nothing else.
func TestMain(m *testing.M) {
	if args := os.Getenv("SANDBANK_TEST_SERVE"); args != "" {
		err := run(context.Background(), strings.Fields(args), func(string) string { return "" }, os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func startChild(t *testing.T, db string) (*exec.Cmd, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SANDBANK_TEST_SERVE=serve --log-level error --addr "+addr+" --db "+db)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		if res, err := http.Get(base + "/_sandbank/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return cmd, base
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("child sandbank never became healthy")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func call(t *testing.T, req *http.Request, into any) int {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if into != nil {
		json.NewDecoder(res.Body).Decode(into)
	}
	return res.StatusCode
}

// TestAcknowledgedWritesSurviveKill9: every write Sandbank answered survives
// the process being killed without warning (DESIGN.md §10).
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crash.db")
	cmd, base := startChild(t, db)
	form := url.Values{"grant_type": {"client_credentials"}, "app_id": {"crash-app"}, "scope": {"customers"}}
	req, _ := http.NewRequest(http.MethodPost, base+"/fintecture/oauth/accesstoken", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("crash-app", "s3cret")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if code := call(t, req, &tok); code != 200 {
		t.Fatalf("token: %d", code)
	}
	var ids []string
	for i := 0; i < 20; i++ {
		req, _ := http.NewRequest(http.MethodPost, base+"/fintecture/v1/customers",
			strings.NewReader(fmt.Sprintf(`{"first_name":"F%d","last_name":"L","email":"f%d@example.com"}`, i, i)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		var c struct{ ID string }
		if code := call(t, req, &c); code != 201 {
			t.Fatalf("create %d: %d", i, code)
		}
		ids = append(ids, c.ID)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	_, base = startChild(t, db)
	for _, id := range ids {
		req, _ := http.NewRequest(http.MethodGet, base+"/fintecture/v1/customers/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if code := call(t, req, nil); code != 200 {
			t.Fatalf("customer %s lost after kill -9: %d", id, code)
		}
	}
}
