package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	// healthPoll is how often a starting server is polled.
	healthPoll = 2 * time.Millisecond
	// healthPollTimeout bounds one poll.
	healthPollTimeout = 50 * time.Millisecond
	// healthLimit is how long a server may take to become healthy.
	healthLimit = 10 * time.Second
	// stopGrace is how long a server has to exit after SIGTERM.
	stopGrace = 3 * time.Second
)

// child is a server running in a separate process, its output going to a
// log file.
type child struct {
	name    string
	addr    string
	cmd     *exec.Cmd
	started time.Time // just before exec
	logPath string
	log     *os.File
	done    chan struct{} // closed when the process has exited
	waitErr error         // the exit status, set before done is closed
}

// startChild execs path with args, output to logPath.
func startChild(path, logPath string, args ...string) (*child, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	c := &child{
		name: filepath.Base(path), cmd: exec.Command(path, args...),
		logPath: logPath, log: log, done: make(chan struct{}),
	}
	c.cmd.Stdout, c.cmd.Stderr = log, log
	c.started = time.Now()
	if err := c.cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// pid is the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// exitedEarly reports an error when the child is no longer running.
func (c *child) exitedEarly() error {
	select {
	case <-c.done:
		return fmt.Errorf("%s exited unexpectedly (%v)%s", c.name, c.waitErr, c.logTail())
	default:
		return nil
	}
}

// stop ends the child: SIGTERM, then SIGKILL after stopGrace.
func (c *child) stop() {
	defer c.log.Close()
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// logTail is the end of the child's output, for error messages.
func (c *child) logTail() string {
	b, err := os.ReadFile(c.logPath)
	if err != nil || len(b) == 0 {
		return ""
	}
	const keep = 2000
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	return "; its output ends with:\n" + string(bytes.TrimSpace(b))
}

// waitHealthy polls url every healthPoll until it answers 200 and returns
// the time since the child was exec'd.
func (c *child) waitHealthy(ctx context.Context, url string) (time.Duration, error) {
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: healthPollTimeout}
	tick := time.NewTicker(healthPoll)
	defer tick.Stop()
	for {
		if ok, err := pollOnce(ctx, client, url); err != nil {
			return 0, err
		} else if ok {
			return time.Since(c.started), nil
		}
		if time.Since(c.started) > healthLimit {
			return 0, fmt.Errorf("%s not healthy after %v%s", c.name, healthLimit, c.logTail())
		}
		select {
		case <-tick.C:
		case <-c.done:
			return 0, fmt.Errorf("%s exited before it was healthy (%v)%s", c.name, c.waitErr, c.logTail())
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// pollOnce asks url once: true on 200, false when not answering yet.
func pollOnce(ctx context.Context, client *http.Client, url string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	res, err := client.Do(req)
	if err != nil {
		return false, nil
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK, nil
}

// startSandbank execs the sandbank binary on a free port and a new database
// file named after tag, and waits until it is healthy.
func startSandbank(ctx context.Context, bin, dir, tag string) (*child, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	c, err := startChild(bin, filepath.Join(dir, tag+".log"),
		"--addr", addr, "--db", filepath.Join(dir, tag+".db"), "--log-level", "error")
	if err != nil {
		return nil, 0, err
	}
	c.addr = addr
	took, err := c.waitHealthy(ctx, "http://"+addr+"/_sandbank/healthz")
	if err != nil {
		c.stop()
		return nil, 0, err
	}
	return c, took, nil
}

// measureStartups starts and stops Sandbank n times, each on a new
// database, and returns the times to healthy.
func measureStartups(ctx context.Context, bin, dir string, n int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for i := range n {
		c, took, err := startSandbank(ctx, bin, dir, fmt.Sprintf("startup-%d", i))
		if err != nil {
			return nil, err
		}
		c.stop()
		out = append(out, took)
	}
	return out, nil
}

// freeAddr finds a free loopback port by listening on :0 and closing.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// buildSandbank builds ./cmd/sandbank of the current module into out.
func buildSandbank(ctx context.Context, out string) (string, error) {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(gomod))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from inside the sandbank module (no go.mod found)")
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/sandbank")
	cmd.Dir = filepath.Dir(mod)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/sandbank: %w\n%s", err, b)
	}
	return out, nil
}

// readRSS reads VmRSS of a process from /proc, in bytes.
func readRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	defer f.Close()
	return parseVmRSS(f)
}

// parseVmRSS finds the VmRSS line of a /proc/<pid>/status file.
func parseVmRSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, err
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS in /proc status")
}
