package scenarios

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/fixtures"
)

// TestBuiltinScenarios checks what the catalogue, the README and the
// dashboard rely on: every built-in parses, is named after its file, has
// a one-line description, and carries the documented test PSU.
func TestBuiltinScenarios(t *testing.T) {
	names := BuiltinNames()
	want := []string{"bank_down", "bank_never_returns", "command_failing", "default", "empty_bank", "flaky_bank", "happy_path",
		"large_history", "multi_currency", "no_code", "one_account_failing", "rate_limited", "sca_denied",
		"sca_timeout", "short_consent", "slow_bank", "wrong_state"}
	if !slices.Equal(names, want) {
		t.Fatalf("built-ins:\n got  %v\n want %v", names, want)
	}
	for _, n := range names {
		s, err := Builtin(n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if s.Name != n || s.File != "scenarios/"+n+".yaml" || !s.Builtin || len(s.Source) == 0 {
			t.Errorf("%s: name %q, file %q, builtin %v", n, s.Name, s.File, s.Builtin)
		}
		if d := s.Description; d == "" || strings.ContainsAny(d, "\r\n") || len(d) >= 120 {
			t.Errorf("%s: the description must be one line under 120 characters: %q (%d)", n, d, len(d))
		}
		if !slices.ContainsFunc(s.World.PSUs, func(p PSU) bool {
			return p.Login == fixtures.FintectureTestLogin && p.Password == fixtures.FintectureTestPassword &&
				p.OTP == "123456" && p.DecoupledID == fixtures.FintectureTestDecoupledID
		}) {
			t.Errorf("%s: the documented test PSU is missing", n)
		}
		checkKontoBankTestPSU(t, s)
		checkFinqLinkTestPSUs(t, s)
	}
	if _, err := Builtin("nope"); err == nil || !strings.Contains(err.Error(), "default") {
		t.Fatalf("an unknown scenario should be refused with the known names: %v", err)
	}
	if _, err := Builtin("../scenarios/default"); err == nil {
		t.Fatal("a path is not a scenario name")
	}
}

// checkKontoBankTestPSU: KontoBank's documented login works at every
// KontoBank target of the scenario's Kontomatik world, and at KontoBank it
// holds the captured sample account (notes/kontomatik.md §6).
func checkKontoBankTestPSU(t *testing.T, s *Scenario) {
	t.Helper()
	cat, err := fixtures.Banks(emulator.Kontomatik)
	if err != nil {
		t.Fatal(err)
	}
	var sample bool
	for _, b := range s.BanksFor(emulator.Kontomatik, cat) {
		if b.Name != "KontoBank" {
			continue
		}
		i := slices.IndexFunc(s.World.PSUs, func(p PSU) bool {
			return p.Login == fixtures.KontomatikTestLogin && p.For(emulator.Kontomatik) && (len(p.Banks) == 0 || slices.Contains(p.Banks, b.ID))
		})
		if i < 0 {
			t.Errorf("%s: no test PSU at KontoBank target %s", s.Name, b.ID)
			continue
		}
		p := s.World.PSUs[i]
		if p.Password != fixtures.KontomatikTestPassword || p.Name != fixtures.KontoBankSampleOwner {
			t.Errorf("%s: test PSU at %s: password %q, name %q", s.Name, b.ID, p.Password, p.Name)
		}
		if b.ID == "KontoBank" {
			sample = len(p.Accounts) > 0 && p.Accounts[0].IBAN == fixtures.KontoBankSampleIBAN &&
				slices.Equal(p.Accounts[0].CoOwners, []string{fixtures.KontoBankSampleCoOwner})
		}
	}
	if !sample {
		t.Errorf("%s: the test PSU at KontoBank should hold the sample account %s", s.Name, fixtures.KontoBankSampleIBAN)
	}
}

// checkFinqLinkTestPSUs: each FinqLink provider of the scenario's FinqLink
// world has its test PSU (fixtures.FinqLinkTestPSUs), holding the
// documented IBAN first where there is one (notes/finqlink.md §6).
func checkFinqLinkTestPSUs(t *testing.T, s *Scenario) {
	t.Helper()
	cat, err := fixtures.Banks(emulator.FinqLink)
	if err != nil {
		t.Fatal(err)
	}
	banks := s.BanksFor(emulator.FinqLink, cat)
	if len(banks) == 0 {
		t.Errorf("%s: no FinqLink provider in the world", s.Name)
	}
	testPSUs := fixtures.FinqLinkTestPSUs()
	for _, b := range banks {
		want := testPSUs[slices.IndexFunc(testPSUs, func(u fixtures.FinqLinkTestPSU) bool { return u.ProviderID == b.ID })]
		i := slices.IndexFunc(s.World.PSUs, func(p PSU) bool {
			return p.Login == want.Login && p.For(emulator.FinqLink) && (len(p.Banks) == 0 || slices.Contains(p.Banks, b.ID))
		})
		if i < 0 {
			t.Errorf("%s: no test PSU at FinqLink provider %s", s.Name, b.ID)
			continue
		}
		p := s.World.PSUs[i]
		if p.Password != want.Password || p.OTP != want.OTP || !slices.Equal(p.Banks, []string{b.ID}) {
			t.Errorf("%s: test PSU at %s: %+v, want %+v", s.Name, b.ID, p, want)
		}
		if want.IBAN != "" && (len(p.Accounts) == 0 || p.Accounts[0].IBAN != want.IBAN) {
			t.Errorf("%s: the test PSU at %s should hold %s first", s.Name, b.ID, want.IBAN)
		}
	}
}

// TestFinqLinkBankIDs: FinqLink provider ids are bank ids in world.banks,
// PSU bank lists and fault matches, checked against FinqLink's catalogue.
func TestFinqLinkBankIDs(t *testing.T) {
	s, err := ParseBytes("f.yaml", []byte(good+`  banks:
    finqlink: [cec_ro, rzb_ro]
  psus:
    - {login: a, password: p, banks: [rzb_ro], accounts: [{iban: RO03RZBR0000069999999999}]}
    - {login: a, password: p, banks: [cmcifrpp]}
behaviour:
  faults:
    - {match: {provider: finqlink, bank: rzb_ro}, status: 503}
    - {match: {bank: libra_ro}, latency: 1s}
`))
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := fixtures.Banks(emulator.FinqLink)
	if got := s.BanksFor(emulator.FinqLink, cat); len(got) != 2 || got[0].ID != "rzb_ro" || got[1].ID != "cec_ro" {
		t.Fatalf("want rzb_ro and cec_ro in catalogue order: %+v", got)
	}
}

// TestReadmeListsEveryBuiltin keeps scenarios/README.md in step with the
// files: each built-in appears with its description.
func TestReadmeListsEveryBuiltin(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range BuiltinNames() {
		s, err := Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(readme), "| `"+n+"` | "+s.Description+" |") {
			t.Errorf("README.md lacks the row: | `%s` | %s |", n, s.Description)
		}
	}
}

const good = "name: x\nseed: 1\nworld:\n  currencies: [EUR]\n"

func TestParseMinimal(t *testing.T) {
	s, err := Parse("good.yaml", strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if s.File != "good.yaml" || string(s.Source) != good || s.Builtin {
		t.Fatalf("file %q, source %q, builtin %v", s.File, s.Source, s.Builtin)
	}
}

// TestParseErrors feeds one mistake at a time and wants it reported as
// FILE:LINE: path: reason.
func TestParseErrors(t *testing.T) {
	const psu = "  psus:\n    - login: a\n      password: p\n"
	cases := []struct{ name, text, want string }{
		{"unknown key", "name: x\nseed: 1\ncolour: blue\nworld:\n  currencies: [EUR]\n",
			"bad.yaml:3: colour: unknown key (known here: name, description, seed, world, behaviour, app)"},
		{"nested unknown key", good + psu + "      pasword: q\n",
			"bad.yaml:8: world.psus[0].pasword: unknown key"},
		{"seed zero", "name: x\nseed: 0\nworld:\n  currencies: [EUR]\n", "bad.yaml:2: seed: a non-zero seed is required"},
		{"seed missing", "name: x\nworld:\n  currencies: [EUR]\n", "bad.yaml:1: seed: a non-zero seed is required"},
		{"wrong type", "name: x\nseed: one\nworld:\n  currencies: [EUR]\n", `bad.yaml:2: seed: want a whole number, got string "one"`},
		{"list for a mapping", "name: x\nseed: 1\nworld: [1]\n", "bad.yaml:3: world: want a mapping of banks, history_days"},
		{"unquoted number", good + psu + "      otp: 123456\n", `bad.yaml:8: world.psus[0].otp: want a string, got number "123456" (quote it: "123456")`},
		{"bad currency", "name: x\nseed: 1\nworld:\n  currencies: [euro]\n", `bad.yaml:4: world.currencies[0]: "euro" is not an ISO 4217 currency code`},
		{"no currency", "name: x\nseed: 1\nworld:\n  history_days: 3\n", "bad.yaml:3: world.currencies: list at least one currency"},
		{"negative count", good + "  history_days: -1\n", "bad.yaml:5: world.history_days: -1 is out of range 0..3660"},
		{"psu no login", good + "  psus:\n    - password: p\n", "bad.yaml:6: world.psus[0].login: a login is required"},
		{"bad name", "name: X Y\nseed: 1\nworld:\n  currencies: [EUR]\n", `bad.yaml:1: name: "X Y": use lower-case letters`},
		{"two-line description", "name: x\ndescription: \"a\\nb\"\nseed: 1\nworld:\n  currencies: [EUR]\n", "bad.yaml:2: description: the description is one line"},
		{"unknown provider", good + "  banks:\n    monzo: [x]\n", `bad.yaml:6: world.banks.monzo: unknown provider "monzo"`},
		{"unknown bank", good + "  banks:\n    fintecture: [cmcifrpp, bnp]\n", `bad.yaml:6: world.banks.fintecture[1]: unknown fintecture bank "bnp" (known: cmcifrpp, agfbfr`},
		{"unknown bank of a PSU", good + "  banks:\n    kontomatik: [KontoBank]\n" + psu + "      banks: [KontoBank, nope]\n",
			`bad.yaml:10: world.psus[0].banks[1]: unknown bank "nope"`},
		{"unknown kontomatik target", good + "  banks:\n    kontomatik: [KontoBank, KontoBankPl]\n",
			`bad.yaml:6: world.banks.kontomatik[1]: unknown kontomatik bank "KontoBankPl" (known: KontoBank, KontoBankApi, `},
		{"unknown PSU provider", good + psu + "      providers: [monzo]\n", `bad.yaml:8: world.psus[0].providers[0]: unknown provider "monzo"`},
		{"empty PSU providers", good + psu + "      providers: []\n", `bad.yaml:8: world.psus[0].providers: list at least one provider`},
		{"PSU provider twice", good + psu + "      providers: [kontomatik, kontomatik]\n", `bad.yaml:8: world.psus[0].providers[1]: provider kontomatik is listed twice`},
		{"bank of another provider", good + psu + "      providers: [fintecture]\n      banks: [KontoBank]\n",
			`bad.yaml:9: world.psus[0].banks[0]: bank "KontoBank" is a kontomatik bank, but this PSU is for fintecture only`},
		{"same login, same provider", good + psu + "      providers: [kontomatik]\n    - {login: a, password: q, banks: [KontoBank_cz]}\n",
			`bad.yaml:9: world.psus[1].login: login "a" is already used at the same bank by psus[0]`},
		{"national check digits", good + psu + "      banks: [KontoBank]\n      accounts: [{iban: PL44137013150000049678278112}]\n",
			`bad.yaml:9: world.psus[0].accounts[0].iban: "PL44137013150000049678278112" is not a valid IBAN: the PL account number's national check digits do not match`},
		{"co-owner with spaces", good + psu + "      accounts: [{co_owners: [\" Tadeusz Krajowy\"]}]\n",
			`bad.yaml:8: world.psus[0].accounts[0].co_owners[0]: " Tadeusz Krajowy": a co-owner is a full name on one line`},
		{"co-owner twice", good + psu + "      accounts:\n        - co_owners:\n            - Tadeusz Krajowy\n            - Tadeusz Krajowy\n",
			`bad.yaml:11: world.psus[0].accounts[0].co_owners[1]: co-owner "Tadeusz Krajowy" is listed twice`},
		{"unknown exception", good + psu + "behaviour:\n  commands:\n    - psu: a\n      exception: Timeout\n",
			`bad.yaml:11: behaviour.commands[0].exception: "Timeout" is not a Kontomatik exception (one of AlreadySignedIn, `},
		{"command without exception", good + psu + "behaviour:\n  commands:\n    - psu: a\n",
			`bad.yaml:10: behaviour.commands[0].exception: an exception name is required`},
		{"command unknown psu", good + "behaviour:\n  commands:\n    - {psu: bob, exception: SessionExpired}\n",
			`bad.yaml:7: behaviour.commands[0].psu: no PSU of this scenario has login "bob"`},
		{"command without psu", good + "behaviour:\n  commands:\n    - {exception: SessionExpired}\n",
			`bad.yaml:7: behaviour.commands[0].psu: a PSU login is required`},
		{"command after wildcard", good + psu + "behaviour:\n  commands:\n    - {psu: \"*\", exception: SessionExpired}\n    - {psu: a, exception: InvalidSessionId}\n",
			`bad.yaml:11: behaviour.commands[1].psu: this rule never applies: commands[0] ("*") comes first`},
		{"command rule twice", good + psu + "behaviour:\n  commands:\n    - {psu: a, exception: SessionExpired}\n    - {psu: a, exception: InvalidSessionId}\n",
			`bad.yaml:11: behaviour.commands[1].psu: PSU "a" already has a rule above`},
		{"command bad after", good + psu + "behaviour:\n  commands:\n    - psu: a\n      exception: SessionExpired\n      after: soon\n",
			`bad.yaml:12: behaviour.commands[0].after: duration "soon"`},
		{"command two-line message", good + psu + "behaviour:\n  commands:\n    - psu: a\n      exception: SessionExpired\n      message: \"a\\nb\"\n",
			`bad.yaml:12: behaviour.commands[0].message: the message is one line`},
		{"command unknown key", good + psu + "behaviour:\n  commands:\n    - {psu: a, exception: SessionExpired, status: error}\n",
			`bad.yaml:10: behaviour.commands[0].status: unknown key (known here: psu, exception, message, after, state)`},
		{"command bad state", good + psu + "behaviour:\n  commands:\n    - {psu: a, exception: SessionExpired, state: done}\n",
			`bad.yaml:10: behaviour.commands[0].state: "done" is not a state a command ends in (error or fatal)`},
		{"negative command duration", good + "behaviour:\n  command_duration: -5s\n", `bad.yaml:6: behaviour.command_duration: duration "-5s" is negative`},
		{"webhook unknown key", good + "behaviour:\n  webhooks:\n    late: true\n", `bad.yaml:7: behaviour.webhooks.late: unknown key (known here: bad_signature, unknown_kid, duplicate, out_of_order, delay, receiver_errors, alg)`},
		{"too many receiver errors", good + "behaviour:\n  webhooks:\n    receiver_errors: 11\n", `bad.yaml:7: behaviour.webhooks.receiver_errors: 11 is out of range 0..10`},
		{"negative receiver errors", good + "behaviour:\n  webhooks:\n    receiver_errors: -1\n", `bad.yaml:7: behaviour.webhooks.receiver_errors: -1 is out of range 0..10`},
		{"receiver errors not a count", good + "behaviour:\n  webhooks:\n    receiver_errors: many\n", `bad.yaml:7: behaviour.webhooks.receiver_errors:`},
		{"negative webhook delay", good + "behaviour:\n  webhooks:\n    delay: -1m\n", `bad.yaml:7: behaviour.webhooks.delay: duration "-1m" is negative`},
		{"unknown finqlink provider", good + "  banks:\n    finqlink: [rzb_ro, ing_ro]\n",
			`bad.yaml:6: world.banks.finqlink[1]: unknown finqlink bank "ing_ro" (known: rzb_ro, bt_ro, cec_ro, libra_ro)`},
		{"fault unknown finqlink bank", good + "behaviour:\n  faults:\n    - {match: {provider: finqlink, bank: KontoBank}, status: 503}\n",
			`bad.yaml:7: behaviour.faults[0].match.bank: unknown finqlink bank "KontoBank"`},
		{"finqlink bank of a kontomatik PSU", good + psu + "      providers: [kontomatik]\n      banks: [bt_ro]\n",
			`bad.yaml:9: world.psus[0].banks[0]: bank "bt_ro" is a finqlink bank, but this PSU is for kontomatik only`},
		{"IBAN of another country at a FinqLink bank", good + psu + "      banks: [cec_ro]\n      accounts: [{iban: PL69137013140000049678278112}]\n",
			"bad.yaml:9: world.psus[0].accounts[0].iban: PL69137013140000049678278112 is a PL IBAN but bank cec_ro is in RO"},
		{"psu bank excluded", good + "  banks:\n    fintecture: [cmcifrpp]\n" + psu + "      banks: [handse]\n",
			`bad.yaml:10: world.psus[0].banks[0]: bank "handse" is not in world.banks.fintecture`},
		{"duplicate login", good + psu + "      banks: [cmcifrpp]\n    - login: a\n      password: q\n",
			`bad.yaml:9: world.psus[1].login: login "a" is already used at the same bank by psus[0]`},
		{"generated login", good + "  generated_psus_per_bank: 1\n  psus:\n    - {login: user07, password: p}\n", `bad.yaml:7: world.psus[0].login: "user07" is the shape`},
		{"bad account type", good + psu + "      accounts: [{type: LOAN}]\n", `bad.yaml:8: world.psus[0].accounts[0].type: "LOAN" is not one of CACC, SVGS, CARD`},
		{"invalid IBAN", good + psu + "      banks: [cmcifrpp]\n      accounts: [{iban: FR7630066100210001095560102}]\n",
			`bad.yaml:9: world.psus[0].accounts[0].iban: "FR7630066100210001095560102" is not a valid IBAN: IBAN check digits do not match`},
		{"IBAN at many banks", good + psu + "      accounts: [{iban: FR7630066100210001095560101}]\n",
			"bad.yaml:8: world.psus[0].accounts[0].iban: an account with a fixed IBAN needs its PSU at exactly one bank"},
		{"IBAN of another country", good + psu + "      banks: [handse]\n      accounts: [{iban: FR7630066100210001095560101}]\n",
			"bad.yaml:9: world.psus[0].accounts[0].iban: FR7630066100210001095560101 is a FR IBAN but bank handse is in SE"},
		{"bad balance", good + psu + "      accounts: [{balance: \"12,50\"}]\n", `bad.yaml:8: world.psus[0].accounts[0].balance: "12,50" is not an amount`},
		{"negative override", good + psu + "      accounts: [{pending: -2}]\n", "bad.yaml:8: world.psus[0].accounts[0].pending: -2 is out of range"},
		{"bad duration", good + "behaviour:\n  journey_ttl: 2 minutes\n", `bad.yaml:6: behaviour.journey_ttl: duration "2 minutes": use forms like 90d`},
		{"negative duration", good + "behaviour:\n  consent_validity: -1h\n", `bad.yaml:6: behaviour.consent_validity: duration "-1h" is negative`},
		{"unknown outcome", good + psu + "behaviour:\n  sca:\n    - psu: a\n      outcome: maybe\n",
			`bad.yaml:11: behaviour.sca[0].outcome: "maybe" is not one of approve, deny, timeout, never_return, wrong_state, no_code`},
		{"unknown sca login", good + "behaviour:\n  sca:\n    - {psu: bob, outcome: deny}\n", `bad.yaml:7: behaviour.sca[0].psu: no PSU of this scenario has login "bob"`},
		{"rule after wildcard", good + psu + "behaviour:\n  sca:\n    - {psu: \"*\", outcome: deny}\n    - {psu: a, outcome: approve}\n",
			`bad.yaml:11: behaviour.sca[1].psu: this rule never applies: sca[0] ("*") comes first`},
		{"status out of range", good + "behaviour:\n  faults:\n    - status: 200\n", "bad.yaml:7: behaviour.faults[0].status: status 200 is not an error status"},
		{"fault without effect", good + "behaviour:\n  faults:\n    - name: nothing\n", "bad.yaml:7: behaviour.faults[0].status: the rule has no effect"},
		{"rate limit without calls", good + "behaviour:\n  faults:\n    - rate_limit: {calls: 0, per: 1m}\n", "bad.yaml:7: behaviour.faults[0].rate_limit.calls: rate_limit.calls must be at least 1"},
		{"fault unknown bank", good + "behaviour:\n  faults:\n    - {match: {provider: fintecture, bank: bnp}, status: 503}\n", `bad.yaml:7: behaviour.faults[0].match.bank: unknown fintecture bank "bnp"`},
		{"fault unknown psu", good + "behaviour:\n  faults:\n    - {match: {psu: bob}, status: 503}\n", `bad.yaml:7: behaviour.faults[0].match.psu: no PSU of this scenario has login "bob"`},
		{"fault bad IBAN", good + "behaviour:\n  faults:\n    - {match: {account: FR7630066100210001095560102}, status: 500}\n", `bad.yaml:7: behaviour.faults[0].match.account: "FR7630066100210001095560102" is not a valid IBAN`},
		{"fault unknown key", good + "behaviour:\n  faults:\n    - {status: 503, match: {bnak: x}}\n", "bad.yaml:7: behaviour.faults[0].match.bnak: unknown key (known here: provider, contract, operations, bank, psu, account)"},
		{"repeated key", "name: x\nname: y\nseed: 1\nworld:\n  currencies: [EUR]\n", "bad.yaml:2: name: repeated key (first on line 1)"},
		{"syntax", "name: x\nseed: 1\n  world: [\n", "bad.yaml:3: "},
		{"empty", "", "bad.yaml: the file is empty"},
		{"two documents", good + "---\n" + good, "bad.yaml:5: one scenario per file"},
		{"huge world", good + "  history_days: 3660\n  transactions_per_month: 5000\n  accounts_per_psu: 20\n  generated_psus_per_bank: 100\n", "bad.yaml:3: world: the world would hold about"},
	}
	for _, c := range cases {
		_, err := Parse("bad.yaml", strings.NewReader(c.text))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		var perr *Error
		if !errors.As(err, &perr) || len(perr.Issues) == 0 {
			t.Errorf("%s: want a *scenarios.Error, got %T %v", c.name, err, err)
		}
		if !strings.HasPrefix(err.Error(), c.want) && !strings.Contains(err.Error(), "\n"+c.want) {
			t.Errorf("%s:\n got  %s\n want %s…", c.name, err, c.want)
		}
	}
}

// TestParseReportsEveryProblem: one run shows every mistake, in file
// order, not just the first.
func TestParseReportsEveryProblem(t *testing.T) {
	_, err := ParseBytes("f.yaml", []byte("name: x\nseed: 0\nworld:\n  currencies: [EUR, eur]\n  pending_per_account: -1\n"))
	want := "f.yaml:2: seed: a non-zero seed is required (0 would mean random)\n" +
		"f.yaml:4: world.currencies[1]: \"eur\" is not an ISO 4217 currency code (three capital letters, e.g. EUR)\n" +
		"f.yaml:5: world.pending_per_account: -1 is out of range 0..100"
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
}

// TestAccountsNilOrEmpty: leaving accounts out generates accounts_per_psu
// accounts; accounts: [] is a PSU with none. The two must stay apart.
func TestAccountsNilOrEmpty(t *testing.T) {
	s, err := ParseBytes("f.yaml", []byte(good+"  psus:\n    - {login: a, password: p}\n    - {login: b, password: p, accounts: []}\n    - {login: c, password: p, accounts: [{}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := s.World.PSUs
	if p[0].Accounts != nil || p[1].Accounts == nil || len(p[1].Accounts) != 0 || len(p[2].Accounts) != 1 {
		t.Fatalf("accounts: %#v / %#v / %#v", p[0].Accounts, p[1].Accounts, p[2].Accounts)
	}
}

func TestBalanceCents(t *testing.T) {
	for in, want := range map[string]int64{"1234.56": 123456, "-20": -2000, "0.5": 50, "0.00": 0, "-0.07": -7} {
		if got, ok := (Account{Balance: in}).BalanceCents(); !ok || got != want {
			t.Errorf("%s: %d %v", in, got, ok)
		}
	}
	if _, ok := (Account{}).BalanceCents(); ok {
		t.Error("no balance should say so")
	}
}

func TestBehaviourAndFaults(t *testing.T) {
	s, err := Builtin(Default)
	if err != nil {
		t.Fatal(err)
	}
	b := s.Behaviour()
	for login, want := range map[string]emulator.SCAOutcome{
		"deny": emulator.OutcomeDeny, "timeout": emulator.OutcomeTimeout, "noreturn": emulator.OutcomeNeverReturn,
		"badstate": emulator.OutcomeWrongState, "nocode": emulator.OutcomeNoCode, fixtures.FintectureTestLogin: emulator.OutcomeApprove,
	} {
		if got := b.OutcomeFor(login); got != want {
			t.Errorf("%s: %s, want %s", login, got, want)
		}
	}
	rules := s.Faults()
	if len(rules) != 4 {
		t.Fatalf("default: want the 4 fault rules of the magic logins, got %d", len(rules))
	}
	for _, r := range rules {
		if r.RateLimit != nil {
			r.RateLimit.Calls = 99
		}
	}
	if s.BehaviourSpec.Faults[1].RateLimit.Calls != 2 {
		t.Fatal("Faults must return copies")
	}

	failing, err := Builtin("command_failing")
	if err != nil {
		t.Fatal(err)
	}
	fb := failing.Behaviour()
	f, ok := fb.CommandFailureFor(fixtures.KontomatikTestLogin)
	if !ok || f.Exception != "SessionExpired" || f.After != 2*time.Second || f.Message == "" || f.Login != "*" {
		t.Fatalf("command_failing: %+v %v", f, ok)
	}
	if _, ok := b.CommandFailureFor(fixtures.KontomatikTestLogin); ok {
		t.Fatal("default: import commands succeed")
	}

	short, err := Builtin("sca_timeout")
	if err != nil {
		t.Fatal(err)
	}
	if b := short.Behaviour(); b.JourneyTTL != 2*time.Minute || b.DecoupledTTL != 2*time.Minute || b.OutcomeFor("anyone") != emulator.OutcomeTimeout {
		t.Fatalf("sca_timeout: %+v", b)
	}
}

func TestBanksFor(t *testing.T) {
	cat, err := fixtures.Banks(emulator.Fintecture)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseBytes("f.yaml", []byte(good+"  banks:\n    fintecture: [handse, cmcifrpp]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := s.BanksFor(emulator.Fintecture, cat)
	if len(got) != 2 || got[0].ID != "cmcifrpp" || got[1].ID != "handse" {
		t.Fatalf("want cmcifrpp and handse in catalogue order: %+v", got)
	}
	if len(s.BanksFor(emulator.FinqLink, cat)) != len(cat) {
		t.Fatal("a provider world.banks leaves out keeps its whole catalogue")
	}
}

// TestCommandBehaviour: command_duration and commands reach the
// emulator's Behaviour, rules in file order, the first match winning.
func TestCommandBehaviour(t *testing.T) {
	s, err := ParseBytes("f.yaml", []byte(good+`  psus:
    - {login: a, password: p, providers: [kontomatik]}
    - {login: b, password: p}
behaviour:
  command_duration: 1m30s
  commands:
    - {psu: a, exception: InvalidCredentials}
    - psu: "*"
      exception: ServiceMaintenance
      message: "The bank is under maintenance."
      after: 500ms
`))
	if err != nil {
		t.Fatal(err)
	}
	b := s.Behaviour()
	if b.CommandDuration != 90*time.Second || len(b.CommandFailures) != 2 {
		t.Fatalf("behaviour: %+v", b)
	}
	if f, ok := b.CommandFailureFor("a"); !ok || f.Exception != "InvalidCredentials" || f.Message != "" || f.After != 0 {
		t.Fatalf("a: %+v %v", f, ok)
	}
	if f, ok := b.CommandFailureFor("b"); !ok || f.Exception != "ServiceMaintenance" || f.After != 500*time.Millisecond || f.Message != "The bank is under maintenance." {
		t.Fatalf("b: %+v %v", f, ok)
	}
	if !s.World.PSUs[0].For(emulator.Kontomatik) || s.World.PSUs[0].For(emulator.Fintecture) || !s.World.PSUs[1].For(emulator.Fintecture) {
		t.Fatal("PSU.For does not follow providers")
	}
}

// TestWebhookBehaviour: every knob of the webhooks section reaches the
// emulator's Behaviour, which the dispatcher and the signing keys read.
func TestWebhookBehaviour(t *testing.T) {
	s, err := ParseBytes("f.yaml", []byte(good+`behaviour:
  webhooks:
    bad_signature: true
    unknown_kid: true
    duplicate: true
    out_of_order: true
    delay: 45s
    receiver_errors: 3
    alg: ES256
`))
	if err != nil {
		t.Fatal(err)
	}
	b := s.Behaviour()
	want := emulator.WebhookFaults{BadSignature: true, UnknownKID: true, Duplicate: true, OutOfOrder: true, Delay: 45 * time.Second, ReceiverErrors: 3}
	if b.Webhooks != want || b.WebhookAlg != emulator.ES256 {
		t.Fatalf("webhooks %+v alg %q, want %+v ES256", b.Webhooks, b.WebhookAlg, want)
	}
	// The bound is inclusive: as many simulated errors as the dispatcher
	// has attempts fails every delivery, which is a scenario too.
	if _, err := ParseBytes("f.yaml", []byte(good+fmt.Sprintf("behaviour:\n  webhooks:\n    receiver_errors: %d\n", emulator.WebhookMaxAttempts))); err != nil {
		t.Fatalf("receiver_errors at the bound: %v", err)
	}
}
