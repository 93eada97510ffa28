// Command sandbank-bench measures Sandbank in one run and prints a report:
//
//   - throughput and latency of GET /fintecture/ais/v1/customer/{id}/accounts
//     (a valid AIS token, contract validation on) at a fixed number of
//     keep-alive connections, against a bare net/http handler answering a
//     fixed JSON body of similar size at the same concurrency;
//   - time from exec of the sandbank binary to a healthy /_sandbank/healthz;
//   - the server's resident memory when idle and after the load.
//
// Both servers run as separate child processes; the bench process is only
// the load generator. Run it from the module root:
//
//	go run ./cmd/sandbank-bench [-duration 5s] [-conns 32] [-binary path]
//
// It exits 0 when every figure was measured, whether or not it met its
// target, and non-zero when something failed (a server that does not start,
// a non-200 answer).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// options is the command line.
type options struct {
	duration  time.Duration // measuring time per target
	warmup    time.Duration // load before measuring, per target
	conns     int           // concurrent keep-alive connections
	binary    string        // prebuilt sandbank binary; built when empty
	startups  int           // start-up measurements
	idle      time.Duration // settling time before the idle RSS reading
	timeout   time.Duration // hard stop for the whole run
	serveBare string        // hidden: serve the bare handler on this address
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "sandbank-bench:", err)
		return 2
	}
	if opts.serveBare != "" {
		err = serveBare(ctx, opts.serveBare)
	} else {
		err = bench(ctx, opts, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "sandbank-bench: FAILED:", err)
		return 1
	}
	return 0
}

// parseOptions reads and checks the flags.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("sandbank-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measuring `time` per target (after the warm-up)")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "warm-up `time` per target, not measured")
	fs.IntVar(&o.conns, "conns", 32, "concurrent keep-alive connections (one goroutine each)")
	fs.StringVar(&o.binary, "binary", "", "prebuilt sandbank `binary` to measure (default: build ./cmd/sandbank)")
	fs.IntVar(&o.startups, "startups", 5, "number of start-up measurements")
	fs.DurationVar(&o.idle, "idle", time.Second, "settling `time` before reading the idle RSS")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Minute, "hard stop for the whole run")
	fs.StringVar(&o.serveBare, "serve-bare", "", "internal: serve the bare handler on `addr`")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: go run ./cmd/sandbank-bench [flags]\n\nMeasures Sandbank's throughput, latency, start-up time and memory.\n\nFlags:\n")
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "serve-bare" {
				return
			}
			name, usage := flag.UnquoteUsage(f)
			if f.DefValue != "" {
				usage += " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(stderr, "  -%s %s\n    \t%s\n", f.Name, name, usage)
		})
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.duration <= 0 || o.warmup < 0 || o.idle < 0 || o.timeout <= 0:
		return o, errors.New("durations must be positive")
	case o.conns < 1:
		return o, errors.New("-conns must be at least 1")
	case o.startups < 1:
		return o, errors.New("-startups must be at least 1")
	}
	return o, nil
}

// bench runs every measurement and prints the report.
func bench(ctx context.Context, opts options, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "sandbank-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	rep := report{machine: describeMachine(), conns: opts.conns, duration: opts.duration}
	bin := opts.binary
	if bin == "" {
		fmt.Fprintln(w, "building sandbank (CGO_ENABLED=0)...")
		if bin, err = buildSandbank(ctx, filepath.Join(dir, "sandbank")); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "measuring start-up to healthy, %d times...\n", opts.startups)
	if rep.startups, err = measureStartups(ctx, bin, dir, opts.startups); err != nil {
		return err
	}
	fmt.Fprintf(w, "bare net/http: %v warm-up + %v at %d connections...\n", opts.warmup, opts.duration, opts.conns)
	if rep.bare, err = benchBare(ctx, opts, dir); err != nil {
		return err
	}
	fmt.Fprintf(w, "sandbank accounts: %v warm-up + %v at %d connections...\n", opts.warmup, opts.duration, opts.conns)
	if err := benchSandbank(ctx, opts, bin, dir, &rep); err != nil {
		return err
	}
	fmt.Fprintln(w)
	rep.print(w)
	return nil
}

// benchBare serves the bare handler in a child process (this binary again,
// with -serve-bare) and loads it.
func benchBare(ctx context.Context, opts options, dir string) (loadResult, error) {
	self, err := os.Executable()
	if err != nil {
		return loadResult{}, err
	}
	addr, err := freeAddr()
	if err != nil {
		return loadResult{}, err
	}
	srv, err := startChild(self, filepath.Join(dir, "bare.log"), "-serve-bare", addr)
	if err != nil {
		return loadResult{}, err
	}
	defer srv.stop()
	base := "http://" + addr
	if _, err := srv.waitHealthy(ctx, base+"/"); err != nil {
		return loadResult{}, fmt.Errorf("bare server: %w", err)
	}
	return runLoad(ctx, loadSpec{
		name: "bare net/http", url: base + "/", conns: opts.conns,
		warmup: opts.warmup, duration: opts.duration,
	})
}

// benchSandbank starts Sandbank on a fresh database, connects a customer,
// reads the idle RSS, loads the accounts endpoint and reads the RSS again.
func benchSandbank(ctx context.Context, opts options, bin, dir string, rep *report) error {
	srv, _, err := startSandbank(ctx, bin, dir, "load")
	if err != nil {
		return err
	}
	defer srv.stop()
	base := "http://" + srv.addr
	conn, err := connect(ctx, base, demoApp, demoSecret)
	if err != nil {
		return fmt.Errorf("sandbank set-up: %w", err)
	}
	if err := sleep(ctx, opts.idle); err != nil {
		return err
	}
	if rep.idleRSS, err = readRSS(srv.pid()); err != nil {
		return err
	}
	rep.sandbank, err = runLoad(ctx, loadSpec{
		name: "sandbank accounts", url: base + accountsPath(conn.customerID), conns: opts.conns,
		warmup: opts.warmup, duration: opts.duration,
		header: map[string]string{"Authorization": "Bearer " + conn.token},
	})
	if err != nil {
		return err
	}
	if rep.loadedRSS, err = readRSS(srv.pid()); err != nil {
		return err
	}
	return srv.exitedEarly()
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
