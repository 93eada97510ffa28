package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/sandbank/sandbank/emulator/client"
)

// defaultURL is where `sandbank serve` listens unless told otherwise.
const defaultURL = "http://127.0.0.1:7070"

// cliHelp lists the control plane commands in `sandbank help`.
const cliHelp = `
Control plane commands, against a running Sandbank (T is a tenant key or
provider:credential):
  sandbank health
  sandbank tenants [list]
  sandbank tenants show T
  sandbank tenants create --provider P --credential C [--secret S] [--scenario N] [--seed N] [--label L] [--frozen]
                          [--public-key FILE] [--require-signatures]
  sandbank tenants delete T
  sandbank tenants label T TEXT
  sandbank app T [--public-key FILE [--require-signatures] | --require-signatures=BOOL | --clear]
  sandbank reset T
  sandbank world T
  sandbank clock T [show | advance 90d | set 2027-01-01T00:00:00Z | freeze | unfreeze]
  sandbank scenarios [list | show NAME | load T NAME [--seed N]]
  sandbank sca T [list | show ID | approve ID [--bank B] [--psu LOGIN] [--accounts A,B] | deny ID | expire ID]
  sandbank webhooks T [list [--status S] [--subject ID] | show ID | resend ID]
  sandbank journal T [list] [--operation X] [--method M] [--path P] [--status 4xx] [--before ID] [--limit N] [--har FILE]
  sandbank journal T show ID | clear
  sandbank faults [list [--tenant T] | add [--tenant T] (--json RULE | --file rule.json) | remove ID]
  sandbank export T [--out FILE]
  sandbank import FILE [--credential C] [--replace]
Each takes --url URL (SANDBANK_URL, default ` + defaultURL + `) and --json
(print the answer as JSON). Exit status: 0 done, 1 refused by the control
plane or not reachable, 2 a usage error.
`

// usageLine is one command's usage, shown with its usage errors.
func usageLine(cmd string) string {
	switch cmd {
	case "health":
		return "sandbank health"
	case "tenants":
		return "sandbank tenants [list | show T | create --provider P --credential C [--secret S --scenario N --seed N --label L --frozen --public-key FILE --require-signatures] | delete T | label T TEXT]"
	case "app":
		return "sandbank app T [--public-key FILE [--require-signatures] | --require-signatures=BOOL | --clear]"
	case "reset":
		return "sandbank reset T"
	case "world":
		return "sandbank world T"
	case "clock":
		return "sandbank clock T [show | advance DURATION | set TIME | freeze | unfreeze]"
	case "scenarios":
		return "sandbank scenarios [list | show NAME | load T NAME [--seed N]]"
	case "sca":
		return "sandbank sca T [list | show ID | approve ID [--bank B --psu LOGIN --accounts A,B] | deny ID | expire ID]"
	case "webhooks":
		return "sandbank webhooks T [list [--status pending|delivered|failed --subject ID] | show ID | resend ID]"
	case "journal":
		return "sandbank journal T [list [--operation X --method M --path P --status 4xx --before ID --limit N --har FILE] | show ID | clear]"
	case "faults":
		return "sandbank faults [list [--tenant T] | add [--tenant T] (--json RULE | --file FILE) | remove ID]"
	case "export":
		return "sandbank export T [--out FILE]"
	case "import":
		return "sandbank import FILE [--credential C --replace]"
	}
	return "sandbank help"
}

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ msg, usage string }

func (e *usageError) Error() string { return e.msg + "\nusage: " + e.usage }

// failure is a command that could not be carried out (the control plane
// refused it or could not be reached): exit status 1.
type failure struct{ err error }

func (e *failure) Error() string { return e.err.Error() }
func (e *failure) Unwrap() error { return e.err }

// exitCode is the process status for run's error: 1 for a control plane
// command that failed, 2 for usage errors and anything else.
func exitCode(err error) int {
	var f *failure
	switch {
	case err == nil:
		return 0
	case errors.As(err, &f):
		return 1
	}
	return 2
}

// jsonFlag is --json: a switch for JSON output and, on `faults add`, the
// rule itself (--json '{...}' leaves the rule as the next argument,
// --json='{...}' carries it).
type jsonFlag struct {
	on    bool
	value string
}

func (f *jsonFlag) String() string   { return strconv.FormatBool(f.on) }
func (f *jsonFlag) IsBoolFlag() bool { return true }
func (f *jsonFlag) Set(s string) error {
	if b, err := strconv.ParseBool(s); err == nil {
		f.on = b
		return nil
	}
	f.value = s
	return nil
}

// cli runs one control plane command.
type cli struct {
	ctx    context.Context
	cmd    string
	getenv func(string) string
	stdout io.Writer
	url    string
	json   jsonFlag
	api    *client.Client
}

// runCLI runs the control plane command cmd with its arguments.
func runCLI(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout io.Writer) error {
	c := &cli{ctx: ctx, cmd: cmd, getenv: getenv, stdout: stdout}
	if err := c.dispatch(args); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil // --help printed the command's usage
}

// commands are the control plane commands, by name: run sends these to
// runCLI.
var commands = map[string]func(*cli, []string) error{
	"health":    (*cli).health,
	"tenants":   (*cli).tenants,
	"app":       (*cli).app,
	"reset":     (*cli).reset,
	"world":     (*cli).world,
	"clock":     (*cli).clock,
	"scenarios": (*cli).scenarios,
	"sca":       (*cli).sca,
	"webhooks":  (*cli).webhooks,
	"journal":   (*cli).journal,
	"faults":    (*cli).faults,
	"export":    (*cli).export,
	"import":    (*cli).importBundle,
}

func (c *cli) dispatch(args []string) error {
	if command, ok := commands[c.cmd]; ok {
		return command(c, args)
	}
	return c.usage("unknown command %q", c.cmd)
}

func (c *cli) usage(format string, args ...any) error {
	return &usageError{msg: c.cmd + ": " + fmt.Sprintf(format, args...), usage: usageLine(c.cmd)}
}

// flags starts the command's flag set with the global --url and --json.
func (c *cli) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("sandbank "+c.cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := c.getenv("SANDBANK_URL")
	if url == "" {
		url = defaultURL
	}
	fs.StringVar(&c.url, "url", url, "Sandbank's base URL (SANDBANK_URL)")
	fs.Var(&c.json, "json", "print the answer as JSON")
	return fs
}

// parse reads flags wherever they stand among the arguments and returns
// the positional arguments. The action is the one at index at (def when
// the arguments stop right before it; at < 0: the command has none);
// allowed lists the flags each action takes beyond --url and --json ("*":
// every action).
func (c *cli) parse(fs *flag.FlagSet, args []string, at int, def string, allowed map[string][]string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(c.stdout, "usage:", usageLine(c.cmd))
				fs.SetOutput(c.stdout)
				fs.PrintDefaults()
				return nil, err
			}
			return nil, c.usage("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	action := ""
	if at >= 0 && len(pos) == at {
		pos = append(pos, def)
	}
	if at >= 0 && len(pos) > at {
		action = pos[at]
	}
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "url" || f.Name == "json" || bad != nil {
			return
		}
		for _, name := range append(allowed[action], allowed["*"]...) {
			if name == f.Name {
				return
			}
		}
		if action != "" {
			bad = c.usage("--%s does not apply to %s", f.Name, action)
		} else {
			bad = c.usage("--%s does not apply here", f.Name)
		}
	})
	if bad != nil {
		return nil, bad
	}
	if !strings.HasPrefix(c.url, "http://") && !strings.HasPrefix(c.url, "https://") {
		return nil, c.usage("--url %q must start with http:// or https://", c.url)
	}
	c.api = client.New(c.url)
	return pos, nil
}

// args checks the count of positional arguments after the action.
func (c *cli) args(pos []string, n int, what string) error {
	if len(pos) != n {
		return c.usage("%s", what)
	}
	return nil
}

// failed wraps an error of the control plane or the network.
func (c *cli) failed(err error) error {
	var ce *client.Error
	if errors.As(err, &ce) {
		return &failure{err}
	}
	return &failure{fmt.Errorf("cannot reach Sandbank at %s: %w", c.url, err)}
}

// show prints v as JSON with --json, else as human does.
func (c *cli) show(v any, human func(w io.Writer)) error {
	if c.json.on {
		return writeJSON(c.stdout, v)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	human(tw)
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
