package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
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
  sandbank tenants delete T
  sandbank tenants label T TEXT
  sandbank reset T
  sandbank world T
  sandbank clock T [show | advance 90d | set 2027-01-01T00:00:00Z | freeze | unfreeze]
  sandbank scenarios [list | show NAME | load T NAME [--seed N]]
  sandbank sca T [list | show ID | approve ID [--bank B] [--psu LOGIN] [--accounts A,B] | deny ID | expire ID]
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
		return "sandbank tenants [list | show T | create --provider P --credential C [--secret S --scenario N --seed N --label L --frozen] | delete T | label T TEXT]"
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

func (c *cli) dispatch(args []string) error {
	switch c.cmd {
	case "health":
		return c.health(args)
	case "tenants":
		return c.tenants(args)
	case "reset":
		return c.reset(args)
	case "world":
		return c.world(args)
	case "clock":
		return c.clock(args)
	case "scenarios":
		return c.scenarios(args)
	case "sca":
		return c.sca(args)
	case "journal":
		return c.journal(args)
	case "faults":
		return c.faults(args)
	case "export":
		return c.export(args)
	case "import":
		return c.importBundle(args)
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

func (c *cli) health(args []string) error {
	pos, err := c.parse(c.flags(), args, -1, "", nil)
	if err != nil {
		return err
	}
	if err := c.args(pos, 0, "takes no arguments"); err != nil {
		return err
	}
	h, err := c.api.Health(c.ctx)
	if err != nil {
		return c.failed(err)
	}
	return c.show(h, func(w io.Writer) {
		fmt.Fprintf(w, "status\t%s\nversion\t%s\nuptime\t%s\n", h.Status, h.Version, h.Uptime)
		fmt.Fprintf(w, "tenants\t%d\nconnections\t%d\npending SCA\t%d\nfaults\t%d\njournal\t%d\n",
			h.Counts.Tenants, h.Counts.Connections, h.Counts.PendingSCA, h.Counts.Faults, h.Counts.Journal)
		for _, ct := range h.Contracts {
			fmt.Fprintf(w, "contract\t%s\t%s\n", ct.Name, ct.Mount)
		}
	})
}

func (c *cli) tenants(args []string) error {
	var in client.NewTenant
	fs := c.flags()
	fs.StringVar(&in.Provider, "provider", "", "fintecture, finqlink or kontomatik")
	fs.StringVar(&in.Credential, "credential", "", "the tenant's credential (app_id, client_id, API key)")
	fs.StringVar(&in.Secret, "secret", "", "its secret from the start")
	fs.StringVar(&in.Scenario, "scenario", "", "its scenario (default: the server's)")
	fs.Int64Var(&in.Seed, "seed", 0, "its seed (default: the scenario's)")
	fs.StringVar(&in.Label, "label", "", "a note shown on the dashboard")
	fs.BoolVar(&in.Frozen, "frozen", false, "start its clock frozen")
	pos, err := c.parse(fs, args, 0, "list", map[string][]string{"create": {"provider", "credential", "secret", "scenario", "seed", "label", "frozen"}})
	if err != nil {
		return err
	}
	var t client.Tenant
	switch pos[0] {
	case "list":
		if err := c.args(pos, 1, "list takes no arguments"); err != nil {
			return err
		}
		ts, err := c.api.Tenants(c.ctx)
		if err != nil {
			return c.failed(err)
		}
		return c.show(ts, func(w io.Writer) {
			fmt.Fprintln(w, "KEY\tPROVIDER\tCREDENTIAL\tSCENARIO\tSEED\tCLOCK\tCONNECTIONS\tPENDING SCA\tLABEL")
			for _, t := range ts {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\n", t.Key, t.Provider, t.Credential, t.Scenario, t.Seed, clockText(t.Clock), t.Connections, t.PendingSCA, t.Label)
			}
		})
	case "show":
		if err := c.args(pos, 2, "show takes a tenant"); err != nil {
			return err
		}
		t, err = c.api.Tenant(c.ctx, client.ResolveTenant(pos[1]))
	case "create":
		if err := c.args(pos, 1, "create takes flags only"); err != nil {
			return err
		}
		if in.Provider == "" || in.Credential == "" {
			return c.usage("create needs --provider and --credential")
		}
		t, err = c.api.CreateTenant(c.ctx, in)
	case "delete":
		if err := c.args(pos, 2, "delete takes a tenant"); err != nil {
			return err
		}
		key := client.ResolveTenant(pos[1])
		if err := c.api.DeleteTenant(c.ctx, key); err != nil {
			return c.failed(err)
		}
		fmt.Fprintln(c.stdout, "deleted tenant", key)
		return nil
	case "label":
		if err := c.args(pos, 3, "label takes a tenant and the text (\"\" clears it)"); err != nil {
			return err
		}
		t, err = c.api.SetLabel(c.ctx, client.ResolveTenant(pos[1]), pos[2])
	default:
		return c.usage("unknown action %q", pos[0])
	}
	if err != nil {
		return c.failed(err)
	}
	return c.showTenant(t)
}

func (c *cli) showTenant(t client.Tenant) error {
	return c.show(t, func(w io.Writer) {
		secret := "not set (the first one presented becomes it)"
		if t.HasSecret {
			secret = "set"
		}
		fmt.Fprintf(w, "key\t%s\nprovider\t%s\ncredential\t%s\nsecret\t%s\n", t.Key, t.Provider, t.Credential, secret)
		fmt.Fprintf(w, "scenario\t%s (seed %d)\n", t.Scenario, t.Seed)
		if t.Label != "" {
			fmt.Fprintf(w, "label\t%s\n", t.Label)
		}
		fmt.Fprintf(w, "clock\t%s\ncreated\t%s\n", clockText(t.Clock), stamp(t.CreatedAt))
		fmt.Fprintf(w, "world\tbanks %d, PSUs %d, accounts %d\n", t.Banks, t.PSUs, t.Accounts)
		fmt.Fprintf(w, "connections\t%d\npending SCA\t%d\n", t.Connections, t.PendingSCA)
	})
}

// tenantCommand parses a command of the form `CMD T` with no flags.
func (c *cli) tenantCommand(args []string) (string, error) {
	pos, err := c.parse(c.flags(), args, -1, "", nil)
	if err != nil {
		return "", err
	}
	if err := c.args(pos, 1, "takes a tenant"); err != nil {
		return "", err
	}
	return client.ResolveTenant(pos[0]), nil
}

func (c *cli) reset(args []string) error {
	key, err := c.tenantCommand(args)
	if err != nil {
		return err
	}
	t, err := c.api.ResetTenant(c.ctx, key)
	if err != nil {
		return c.failed(err)
	}
	return c.showTenant(t)
}

func (c *cli) world(args []string) error {
	key, err := c.tenantCommand(args)
	if err != nil {
		return err
	}
	wd, err := c.api.World(c.ctx, key)
	if err != nil {
		return c.failed(err)
	}
	return c.show(wd, func(w io.Writer) {
		fmt.Fprintln(w, "BANK\tNAME\tCOUNTRY\tBIC\tMODEL")
		for _, b := range wd.Banks {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", b.ID, b.Name, b.Country, b.BIC, b.Model)
		}
		fmt.Fprintln(w, "\nPSU\tBANK\tLOGIN\tPASSWORD\tOTP\tDECOUPLED ID\tNAME\tOUTCOME")
		for _, p := range wd.PSUs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Bank, p.Login, p.Password, p.OTP, p.DecoupledID, p.Name, p.Outcome)
		}
		fmt.Fprintln(w, "\nACCOUNT\tPSU\tBANK\tIBAN\tTYPE\tBOOKED\tEXPECTED\tTRANSACTIONS")
		for _, a := range wd.Accounts {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", a.ID, a.PSU, a.Bank, a.IBAN, a.Type, money(a.BookedCents, a.Currency), money(a.ExpectedCents, a.Currency), a.Transactions)
		}
	})
}

func (c *cli) clock(args []string) error {
	pos, err := c.parse(c.flags(), args, 1, "show", nil)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return c.usage("name a tenant")
	}
	key := client.ResolveTenant(pos[0])
	var clk client.Clock
	switch pos[1] {
	case "show":
		err = c.args(pos, 2, "show takes no arguments")
		if err == nil {
			clk, err = c.api.Clock(c.ctx, key)
		}
	case "advance":
		err = c.args(pos, 3, "advance takes a duration such as 90d, 36h or 1h30m")
		if err == nil {
			clk, err = c.api.Advance(c.ctx, key, pos[2])
		}
	case "set":
		err = c.args(pos, 3, "set takes a time such as 2027-01-01T00:00:00Z")
		if err == nil {
			at, perr := time.Parse(time.RFC3339, pos[2])
			if perr != nil {
				return c.usage("set: %q is not a time such as 2027-01-01T00:00:00Z", pos[2])
			}
			clk, err = c.api.SetClock(c.ctx, key, at)
		}
	case "freeze":
		err = c.args(pos, 2, "freeze takes no arguments")
		if err == nil {
			clk, err = c.api.Freeze(c.ctx, key)
		}
	case "unfreeze":
		err = c.args(pos, 2, "unfreeze takes no arguments")
		if err == nil {
			clk, err = c.api.Unfreeze(c.ctx, key)
		}
	default:
		return c.usage("unknown action %q", pos[1])
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	if err != nil {
		return c.failed(err)
	}
	return c.show(clk, func(w io.Writer) {
		frozen := "no"
		if clk.Frozen {
			frozen = "yes"
		}
		fmt.Fprintf(w, "now\t%s\nfrozen\t%s\noffset\t%s\n", stamp(clk.Now), frozen, clk.Offset)
		if clk.EventsRun > 0 {
			fmt.Fprintf(w, "events run\t%d\n", clk.EventsRun)
		}
		fmt.Fprintf(w, "scheduled\t%d\n", clk.Pending)
		if clk.NextDue != nil {
			fmt.Fprintf(w, "next due\t%s\n", stamp(*clk.NextDue))
		}
	})
}

func (c *cli) scenarios(args []string) error {
	var seed int64
	fs := c.flags()
	fs.Int64Var(&seed, "seed", 0, "the seed (default: the scenario's)")
	pos, err := c.parse(fs, args, 0, "list", map[string][]string{"load": {"seed"}})
	if err != nil {
		return err
	}
	switch pos[0] {
	case "list":
		if err := c.args(pos, 1, "list takes no arguments"); err != nil {
			return err
		}
		list, err := c.api.Scenarios(c.ctx)
		if err != nil {
			return c.failed(err)
		}
		return c.show(list, func(w io.Writer) {
			fmt.Fprintln(w, "NAME\tSEED\tBUILT-IN\tDESCRIPTION")
			for _, s := range list {
				fmt.Fprintf(w, "%s\t%d\t%t\t%s\n", s.Name, s.Seed, s.Builtin, s.Description)
			}
		})
	case "show":
		if err := c.args(pos, 2, "show takes a scenario name"); err != nil {
			return err
		}
		s, err := c.api.Scenario(c.ctx, pos[1])
		if err != nil {
			return c.failed(err)
		}
		if c.json.on {
			return writeJSON(c.stdout, s)
		}
		fmt.Fprintf(c.stdout, "# %s (seed %d): %s\n%s", s.Name, s.Seed, s.Description, s.Source)
		if !strings.HasSuffix(s.Source, "\n") {
			fmt.Fprintln(c.stdout)
		}
		return nil
	case "load":
		if err := c.args(pos, 3, "load takes a tenant and a scenario name"); err != nil {
			return err
		}
		t, err := c.api.LoadScenario(c.ctx, client.ResolveTenant(pos[1]), client.LoadScenario{Name: pos[2], Seed: seed})
		if err != nil {
			return c.failed(err)
		}
		return c.showTenant(t)
	}
	return c.usage("unknown action %q", pos[0])
}

func (c *cli) sca(args []string) error {
	var in client.SCAApproval
	var accounts string
	fs := c.flags()
	fs.StringVar(&in.Bank, "bank", "", "the bank, for a journey still on the bank list")
	fs.StringVar(&in.PSU, "psu", "", "the PSU's login (default: the bank's first PSU with an account)")
	fs.StringVar(&accounts, "accounts", "", "account ids to share, comma-separated (default: all the PSU's at the bank)")
	pos, err := c.parse(fs, args, 1, "list", map[string][]string{"approve": {"bank", "psu", "accounts"}})
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return c.usage("name a tenant")
	}
	key := client.ResolveTenant(pos[0])
	if pos[1] == "list" {
		if err := c.args(pos, 2, "list takes no arguments"); err != nil {
			return err
		}
		xs, err := c.api.PendingSCA(c.ctx, key)
		if err != nil {
			return c.failed(err)
		}
		return c.show(xs, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tBANK\tSTEP\tPSU\tMODEL\tOUTCOME\tEXPIRES\tURL")
			for _, x := range xs {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, dash(x.Bank), x.Step, dash(x.PSU), x.Model, dash(x.Outcome), stamp(x.ExpiresAt), x.URL)
			}
		})
	}
	if err := c.args(pos, 3, pos[1]+" takes a journey id"); err != nil {
		return err
	}
	id := pos[2]
	var x client.SCA
	switch pos[1] {
	case "show":
		x, err = c.api.SCA(c.ctx, key, id)
	case "approve":
		if accounts != "" {
			in.Accounts = strings.Split(accounts, ",")
		}
		x, err = c.api.ApproveSCA(c.ctx, key, id, in)
	case "deny":
		x, err = c.api.DenySCA(c.ctx, key, id)
	case "expire":
		x, err = c.api.ExpireSCA(c.ctx, key, id)
	default:
		return c.usage("unknown action %q", pos[1])
	}
	if err != nil {
		return c.failed(err)
	}
	return c.show(x, func(w io.Writer) {
		fmt.Fprintf(w, "id\t%s\nstatus\t%s\nstep\t%s\nbank\t%s\npsu\t%s\n", x.ID, x.Status, x.Step, dash(x.Bank), dash(x.PSU))
		if x.Failure != "" {
			fmt.Fprintf(w, "failure\t%s\n", x.Failure)
		}
		if x.Connection != "" {
			fmt.Fprintf(w, "connection\t%s\n", x.Connection)
		}
		fmt.Fprintf(w, "expires\t%s\nredirect\t%s\nurl\t%s\n", stamp(x.ExpiresAt), dash(x.RedirectURI), x.URL)
	})
}

func (c *cli) journal(args []string) error {
	var q client.JournalQuery
	var har string
	fs := c.flags()
	fs.StringVar(&q.Operation, "operation", "", "only this operationId")
	fs.StringVar(&q.Method, "method", "", "only this HTTP method")
	fs.StringVar(&q.Path, "path", "", "only URLs containing this")
	fs.StringVar(&q.Status, "status", "", "only this status (404) or class (4xx)")
	fs.Int64Var(&q.Before, "before", 0, "only entries older than this id")
	fs.IntVar(&q.Limit, "limit", 0, "at most this many entries (default 100)")
	fs.StringVar(&har, "har", "", "write the entries as HAR to this file (- for standard output)")
	filters := []string{"operation", "method", "path", "status", "before", "limit", "har"}
	pos, err := c.parse(fs, args, 1, "list", map[string][]string{"list": filters})
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return c.usage("name a tenant")
	}
	key := client.ResolveTenant(pos[0])
	switch pos[1] {
	case "list":
		if err := c.args(pos, 2, "list takes flags only"); err != nil {
			return err
		}
		if har != "" {
			b, err := c.api.JournalHAR(c.ctx, key, q)
			if err != nil {
				return c.failed(err)
			}
			return c.write(har, b)
		}
		es, err := c.api.Journal(c.ctx, key, q)
		if err != nil {
			return c.failed(err)
		}
		return c.show(es, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tTIME\tMETHOD\tSTATUS\tOPERATION\tMS\tURL")
			for _, e := range es {
				fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%.1f\t%s\n", e.ID, stamp(e.At), e.Method, e.Status, dash(e.Operation), e.DurationMS, e.URL)
			}
		})
	case "show":
		if err := c.args(pos, 3, "show takes an entry id"); err != nil {
			return err
		}
		id, perr := strconv.ParseInt(pos[2], 10, 64)
		if perr != nil {
			return c.usage("show: %q is not an entry id", pos[2])
		}
		e, err := c.api.JournalEntry(c.ctx, key, id)
		if err != nil {
			return c.failed(err)
		}
		if c.json.on {
			return writeJSON(c.stdout, e)
		}
		fmt.Fprintf(c.stdout, "%d %s %s %s → %d (%s, %.1f ms)\n", e.ID, stamp(e.At), e.Method, e.URL, e.Status, dash(e.Operation), e.DurationMS)
		for _, m := range []struct {
			name string
			msg  client.Message
		}{{"request", e.Request}, {"response", e.Response}} {
			fmt.Fprintf(c.stdout, "\n%s\n", m.name)
			for k, vs := range m.msg.Header {
				for _, v := range vs {
					fmt.Fprintf(c.stdout, "  %s: %s\n", k, v)
				}
			}
			if m.msg.Body != "" {
				fmt.Fprintf(c.stdout, "\n%s\n", m.msg.Body)
			}
		}
		return nil
	case "clear":
		if err := c.args(pos, 2, "clear takes no arguments"); err != nil {
			return err
		}
		n, err := c.api.ClearJournal(c.ctx, key)
		if err != nil {
			return c.failed(err)
		}
		return c.show(client.JournalCleared{Deleted: n}, func(w io.Writer) { fmt.Fprintf(w, "deleted %d entries\n", n) })
	}
	return c.usage("unknown action %q", pos[1])
}

func (c *cli) faults(args []string) error {
	// `faults add --json '{...}'`: this --json names the rule, not the
	// output format.
	ruleFlag := false
	for i, a := range args[:max(len(args)-1, 0)] {
		ruleFlag = ruleFlag || ((a == "--json" || a == "-json") && strings.HasPrefix(strings.TrimSpace(args[i+1]), "{"))
	}
	var tenant, file string
	fs := c.flags()
	fs.StringVar(&tenant, "tenant", "", "a tenant (key or provider:credential)")
	fs.StringVar(&file, "file", "", "a file holding the rule as JSON")
	pos, err := c.parse(fs, args, 0, "list", map[string][]string{"list": {"tenant"}, "add": {"tenant", "file"}})
	if err != nil {
		return err
	}
	if tenant != "" {
		tenant = client.ResolveTenant(tenant)
	}
	switch pos[0] {
	case "list":
		if err := c.args(pos, 1, "list takes flags only"); err != nil {
			return err
		}
		fl, err := c.api.Faults(c.ctx, tenant)
		if err != nil {
			return c.failed(err)
		}
		return c.show(fl, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tNAME\tSOURCE\tTENANT\tOPERATIONS\tEFFECT\tMATCHED\tFIRED")
			for _, f := range fl {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", f.ID, dash(f.Name), f.Source, dash(f.Match.Tenant), dash(strings.Join(f.Match.Operations, ",")), effect(f.Rule), f.Matched, f.Fired)
			}
		})
	case "add":
		rule, err := c.rule(pos, file)
		if err != nil {
			return err
		}
		if ruleFlag {
			c.json.on = false
		}
		if tenant != "" {
			rule.Match.Tenant = tenant
		}
		f, err := c.api.AddFault(c.ctx, rule)
		if err != nil {
			return c.failed(err)
		}
		return c.show(f, func(w io.Writer) {
			fmt.Fprintf(w, "added fault %s\t%s\n", f.ID, effect(f.Rule))
		})
	case "remove":
		if err := c.args(pos, 2, "remove takes a fault id"); err != nil {
			return err
		}
		if err := c.api.RemoveFault(c.ctx, pos[1]); err != nil {
			return c.failed(err)
		}
		fmt.Fprintln(c.stdout, "removed fault", pos[1])
		return nil
	}
	return c.usage("unknown action %q", pos[0])
}

// rule reads the rule of `faults add` from --json, the argument after
// add, or --file, as strictly as the server would.
func (c *cli) rule(pos []string, file string) (faults.Rule, error) {
	var r faults.Rule
	text := c.json.value
	switch {
	case len(pos) > 2:
		return r, c.usage("add takes one rule")
	case len(pos) == 2 && text == "":
		text = pos[1]
	case len(pos) == 2:
		return r, c.usage("add takes one rule")
	}
	if file != "" {
		if text != "" {
			return r, c.usage("give the rule with --json or --file, not both")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return r, &failure{err}
		}
		text = string(b)
	}
	if text == "" {
		return r, c.usage("add needs the rule: --json '{...}' or --file rule.json")
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, c.usage("the rule is not valid JSON for a fault rule: %v", err)
	}
	if r.Match.Tenant != "" {
		r.Match.Tenant = client.ResolveTenant(r.Match.Tenant)
	}
	return r, nil
}

func (c *cli) export(args []string) error {
	var out string
	fs := c.flags()
	fs.StringVar(&out, "out", "", "write the bundle to this file (default: standard output)")
	pos, err := c.parse(fs, args, -1, "", map[string][]string{"*": {"out"}})
	if err != nil {
		return err
	}
	if err := c.args(pos, 1, "takes a tenant"); err != nil {
		return err
	}
	b, err := c.api.Export(c.ctx, client.ResolveTenant(pos[0]))
	if err != nil {
		return c.failed(err)
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, b); err != nil {
		return &failure{err}
	}
	if out == "" {
		out = "-"
	}
	return c.write(out, buf.Bytes())
}

func (c *cli) importBundle(args []string) error {
	var credential string
	var replace bool
	fs := c.flags()
	fs.StringVar(&credential, "credential", "", "import under this credential (default: the bundle's)")
	fs.BoolVar(&replace, "replace", false, "replace an existing tenant with that credential")
	pos, err := c.parse(fs, args, -1, "", map[string][]string{"*": {"credential", "replace"}})
	if err != nil {
		return err
	}
	if err := c.args(pos, 1, "takes a bundle file"); err != nil {
		return err
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return &failure{err}
	}
	var b client.Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return &failure{fmt.Errorf("%s is not a Sandbank bundle: %w", pos[0], err)}
	}
	t, err := c.api.Import(c.ctx, b, credential, replace)
	if err != nil {
		return c.failed(err)
	}
	return c.showTenant(t)
}

// write puts data in a file, or on standard output for "-".
func (c *cli) write(name string, data []byte) error {
	if name == "-" {
		_, err := c.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return &failure{err}
	}
	fmt.Fprintf(c.stdout, "wrote %s (%d bytes)\n", name, len(data))
	return nil
}

// clockText is a tenant clock on one line.
func clockText(c client.Clock) string {
	switch {
	case c.Frozen:
		return stamp(c.Now) + " (frozen)"
	case c.Offset != "" && c.Offset != "0s":
		return stamp(c.Now) + " (" + c.Offset + ")"
	}
	return stamp(c.Now)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func money(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, cents/100, cents%100, currency)
}

// effect says in a few words what a fault rule does.
func effect(r faults.Rule) string {
	var parts []string
	if r.Status != 0 {
		parts = append(parts, "status "+strconv.Itoa(r.Status))
	}
	if r.Latency != 0 {
		parts = append(parts, "latency "+r.Latency.D().String())
	}
	if r.Hang != 0 {
		parts = append(parts, "hang "+r.Hang.D().String())
	}
	if r.Drop {
		parts = append(parts, "drop")
	}
	if r.RateLimit != nil {
		parts = append(parts, fmt.Sprintf("rate limit %d per %s", r.RateLimit.Calls, r.RateLimit.Per.D()))
	}
	return dash(strings.Join(parts, ", "))
}
