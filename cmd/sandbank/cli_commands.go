package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
)

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
	var keyFile string
	fs.StringVar(&keyFile, "public-key", "", "a PEM file with its app's public key (default: the scenario's, if any)")
	fs.BoolVar(&in.RequireSignatures, "require-signatures", false, "its requests must be signed (needs --public-key)")
	pos, err := c.parse(fs, args, 0, "list", map[string][]string{"create": {"provider", "credential", "secret", "scenario", "seed", "label", "frozen", "public-key", "require-signatures"}})
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
		if keyFile != "" {
			if in.PublicKey, err = readPublicKey(keyFile); err != nil {
				return err
			}
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
		appLines(w, t.App)
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
