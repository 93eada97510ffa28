// Command sandbank runs Sandbank, a local sandbox of open-banking providers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sandbank/sandbank/emulator/instance"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sandbank:", err)
		}
		os.Exit(exitCode(err))
	}
}

const usage = `Sandbank: local, stateful fakes of open-banking providers (Fintecture,
FinqLink, Kontomatik) on one port, with their bank pages and SQLite state.

Usage:
  sandbank [serve] [flags]   run Sandbank (the default command)
  sandbank version           print the version
  sandbank help              show this help
` + cliHelp + `
Point your client's base URL at a mount, for example
  http://127.0.0.1:7070/fintecture      Fintecture, given OpenAPI contract
and open http://127.0.0.1:7070/ in a browser.

Flags (each also read from the environment variable shown):
`

// Config is the command line configuration, validated once.
type Config struct {
	Addr              string
	DB                string
	PublicURL         string
	Seed              int64
	Scenario          string
	ScenariosDir      string
	ValidateResponses bool
	LogLevel          slog.Level
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var cfg Config
	fs := flag.NewFlagSet("sandbank", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("SANDBANK_ADDR", "127.0.0.1:7070"), "listen address (SANDBANK_ADDR)")
	fs.StringVar(&cfg.DB, "db", env("SANDBANK_DB", "sandbank.db"), "SQLite database file, or :memory: for a throwaway one (SANDBANK_DB)")
	fs.StringVar(&cfg.PublicURL, "public-url", env("SANDBANK_PUBLIC_URL", ""), "base URL put in responses, e.g. http://localhost:8080 behind Docker port mapping;\ndefault: the request's own scheme and Host (SANDBANK_PUBLIC_URL)")
	seed := fs.String("seed", env("SANDBANK_SEED", "0"), "seed for new tenants' worlds; 0 keeps the scenario's own seed (SANDBANK_SEED)")
	fs.StringVar(&cfg.Scenario, "scenario", env("SANDBANK_SCENARIO", "default"), "scenario new tenants start from (SANDBANK_SCENARIO)")
	fs.StringVar(&cfg.ScenariosDir, "scenarios", env("SANDBANK_SCENARIOS", ""), "directory of scenario files to add to the built-in ones (SANDBANK_SCENARIOS)")
	validate := fs.String("validate-responses", env("SANDBANK_VALIDATE_RESPONSES", "false"), "check every response against its contract and log violations loudly (SANDBANK_VALIDATE_RESPONSES)")
	level := fs.String("log-level", env("SANDBANK_LOG_LEVEL", "info"), "log level: debug, info, warn, error (SANDBANK_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (see sandbank --help)", fs.Arg(0))
	}
	var err error
	if cfg.Seed, err = strconv.ParseInt(*seed, 10, 64); err != nil {
		return cfg, fmt.Errorf("--seed: %q is not an integer", *seed)
	}
	if cfg.ValidateResponses, err = strconv.ParseBool(*validate); err != nil {
		return cfg, fmt.Errorf("--validate-responses: %q is not true or false", *validate)
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return cfg, fmt.Errorf("--log-level: %w", err)
	}
	if cfg.PublicURL != "" && !strings.HasPrefix(cfg.PublicURL, "http://") && !strings.HasPrefix(cfg.PublicURL, "https://") {
		return cfg, fmt.Errorf("--public-url: %q must start with http:// or https://", cfg.PublicURL)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return cfg, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
	case "version":
		fmt.Fprintln(stdout, "sandbank", version)
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		if _, ok := commands[cmd]; ok {
			return runCLI(ctx, cmd, args, getenv, stdout)
		}
		return fmt.Errorf("unknown command %q (see sandbank --help)", cmd)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	// Sandbank's live heap is small (a few MiB), so the default GOGC=100
	// collects every few hundred requests; a larger ratio trades a few
	// MiB for far less GC work under load. GOGC in the environment wins.
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	return serve(ctx, cfg, stdout, stderr)
}

func serve(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	in, err := instance.New(ctx, instance.Options{
		DB: cfg.DB, Log: log, PublicURL: cfg.PublicURL, Seed: cfg.Seed, Scenario: cfg.Scenario, ScenariosDir: cfg.ScenariosDir,
		ValidateResponses: cfg.ValidateResponses, Version: version,
	})
	if err != nil {
		return err
	}
	defer in.Close()
	if err := in.EnsureDemoTenants(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: in.Handler, ReadHeaderTimeout: 10 * time.Second}
	base := cfg.PublicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	printBanner(stdout, base, cfg)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	// Requests held by a hanging fault rule would keep Shutdown waiting.
	in.Release()
	return srv.Shutdown(shutdown)
}

func printBanner(w io.Writer, base string, cfg Config) {
	fmt.Fprintf(w, "Sandbank %s listening on %s (database %s)\n\n", version, base, cfg.DB)
	fmt.Fprintf(w, "  %-22s %s/\n", "dashboard", base)
	fmt.Fprintf(w, "  %-22s %s/_sandbank/healthz\n", "health", base)
	for _, c := range instance.Contracts {
		fmt.Fprintf(w, "  %-22s %s%s   (%s)\n", c.Name, base, c.Mount, c.Description)
	}
	fmt.Fprintf(w, "\nDemo credentials:\n")
	for _, d := range instance.Demo {
		fmt.Fprintf(w, "  %-12s %s\n", d.Provider, d.Credentials())
	}
	fmt.Fprintf(w, "  %-12s Fintecture's test PSU: login 078000000P password 123456 OTP 123456; decoupled PSU id 193805010844\n", "bank pages")
	fmt.Fprintf(w, "  %-12s KontoBank's test user: login test password Test123 (OTP 123456)\n", "")
}
