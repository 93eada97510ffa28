package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// bundleT0 has nanoseconds on purpose: an instant that went through a
// float64 would lose them (Unix nanoseconds are ~1.77e18, far above 2^53).
var bundleT0 = time.Date(2026, 3, 2, 12, 0, 0, 123456789, time.UTC)

func bundleWorld(emulator.Tenant, time.Time) (emulator.World, error) {
	return emulator.World{
		Banks: []emulator.Bank{
			{ID: "bnk", Name: "Bank", Country: "FR", BIC: "BNKAFRPP", Model: emulator.SCARedirect},
			{ID: "dec", Name: "Decoupled", Country: "DE", BIC: "DECADEFF", Model: emulator.SCADecoupled},
		},
		PSUs: []emulator.PSU{
			{ID: "p1", BankID: "bnk", Login: "u", Password: "p", OTP: "1", FullName: "Ada Lovelace", Email: "ada@example.com"},
			{ID: "p2", BankID: "dec", Login: "v", Password: "q", OTP: "2", DecoupledID: "d-2", FullName: "Alan Turing"},
		},
		Accounts: []emulator.Account{
			{ID: "a1", PSUID: "p1", BankID: "bnk", IBAN: "FR1420041010050500013M02606", Currency: "EUR", Type: emulator.AccountCurrent, OpeningCents: 1000},
			{ID: "a2", PSUID: "p1", BankID: "bnk", IBAN: "FR7630006000011234567890189", Currency: "EUR", Type: emulator.AccountSavings, OpeningCents: 50000},
			{ID: "a3", PSUID: "p2", BankID: "dec", IBAN: "DE89370400440532013000", Currency: "EUR", Type: emulator.AccountCurrent, OpeningCents: -20},
		},
		Transactions: []emulator.Transaction{
			{ID: "t1", AccountID: "a1", AmountCents: -250, Currency: "EUR", BookingDate: "2026-03-01", ValueDate: "2026-03-01", Description: "Coffee"},
			{ID: "t2", AccountID: "a1", AmountCents: -100, Currency: "EUR", BookingDate: "2026-03-05", ValueDate: "2026-03-05", Description: "Later"},
			{ID: "t3", AccountID: "a2", AmountCents: 700, Currency: "EUR", BookingDate: "2026-02-27", ValueDate: "2026-02-27", CounterpartyName: "Employer", CounterpartyIBAN: "FR7630006000011234567890189"},
			{ID: "t4", AccountID: "a3", AmountCents: 1 << 40, Currency: "EUR", BookingDate: "2026-03-02", ValueDate: "2026-03-02"},
		},
	}, nil
}

// bundleStore opens a store on its own SQLite file with a manual clock at
// bundleT0, so two of them stand for two Sandbanks on one real instant.
func bundleStore(t *testing.T) (*Store, *emulator.ManualClock) {
	t.Helper()
	clock := emulator.NewManualClock(bundleT0)
	s, err := Open(context.Background(), Options{Path: filepath.Join(t.TempDir(), "sandbank.db"), Clock: clock, BuildWorld: bundleWorld, DefaultScenario: "bundle", DefaultSeed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock
}

// bundleIDs are the ids populate creates, to read the state back with.
type bundleIDs struct {
	session, pending, connection, access, refresh, customer string
}

// populate gives every table rows through the store's own methods; faults
// and journal have no store methods here, so they get plain inserts.
func populate(t *testing.T, s *Store, tn *emulator.Tenant) bundleIDs {
	t.Helper()
	ctx := context.Background()
	var ids bundleIDs
	sess, err := s.CreateSCASession(ctx, tn, emulator.SCASession{Provider: tn.Provider, Model: emulator.SCARedirect, Step: emulator.StepSelectBank, RedirectURI: "https://client.example/cb", State: "st", Scope: "AIS"}, 15*time.Minute)
	noErr(t, err)
	ids.session = sess.ID
	_, err = s.AdvanceSCA(ctx, tn, sess.ID, emulator.StepConsent, "bnk", "p1")
	noErr(t, err)
	done, err := s.ApproveSCA(ctx, tn, sess.ID, []string{"a1"}, 10*time.Minute)
	noErr(t, err)
	ids.connection, err = s.RedeemCode(ctx, tn, done.Code)
	noErr(t, err)
	access, refresh, err := s.IssueTokens(ctx, tn, TokenRequest{Scope: "AIS", ConnectionID: ids.connection, AccessTTL: time.Hour, RefreshTTL: 24 * time.Hour})
	noErr(t, err)
	ids.access, ids.refresh = access.ID, refresh.ID
	pending, err := s.CreateSCASession(ctx, tn, emulator.SCASession{Provider: tn.Provider, BankID: "dec", Model: emulator.SCADecoupled, Step: emulator.StepLogin}, 20*time.Minute)
	noErr(t, err)
	ids.pending = pending.ID

	c, err := s.CreateCustomer(ctx, tn, emulator.Customer{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", ExternalID: "ext-1", Address: emulator.Address{Line1: "1 rue de <Rivoli> & co", City: "Paris", Country: "FR"}})
	noErr(t, err)
	ids.customer = c.ID
	_, err = s.AddCustomerBankAccount(ctx, tn, emulator.CustomerBankAccount{CustomerID: c.ID, IBAN: "FR1420041010050500013M02606", HolderName: "A. Lovelace", Currency: "EUR"})
	noErr(t, err)
	_, err = s.CreateVerification(ctx, tn, emulator.Verification{CustomerID: c.ID, ProviderID: "prv", ExpectedName: "Ada Lovelace", Status: emulator.VerificationPending}, 30*time.Minute)
	noErr(t, err)
	tenth, fifth := 0.1, 0.2
	score := tenth + fifth // 0.30000000000000004: no short decimal form
	_, err = s.CreateVerification(ctx, tn, emulator.Verification{CustomerID: c.ID, ProviderID: "prv", ExpectedName: "Ada", Status: emulator.VerificationUnverified, MatchScore: &score}, 0)
	noErr(t, err)
	noErr(t, s.CheckSecret(ctx, tn, "s3cret"))

	now := ns(s.Now(tn))
	noErr(t, s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO faults (tenant_id, source, rule, created_at) VALUES (?, 'scenario', '{"operation":"getAccounts","status":503}', ?)`, []any{tn.ID, now}},
			{`INSERT INTO faults (tenant_id, source, rule, created_at) VALUES (?, 'control', '{"operation":"*","latency":"2s"}', ?)`, []any{tn.ID, now + 1}},
			// A rule for every tenant is no tenant's: it must stay out.
			{`INSERT INTO faults (tenant_id, source, rule, created_at) VALUES (NULL, 'control', '{"global":true}', ?)`, []any{now}},
			{`INSERT INTO journal (tenant_id, at, method, url, contract, operation, status, duration_ns, request, response) VALUES (?, ?, 'GET', '/v2/accounts', 'fintecture', 'getAccounts', 200, 1234567, '', '{"data":[]}')`, []any{tn.ID, now}},
			{`INSERT INTO journal (tenant_id, at, method, url, contract, operation, status, duration_ns, request, response) VALUES (?, ?, 'POST', '/oauth/accesstoken', 'fintecture', 'postAccessToken', 401, 99, 'grant_type=***', '{}')`, []any{tn.ID, now + 5}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	}))
	return ids
}

// setTenantClock moves a tenant's clock. No store method does it yet, so
// the test writes the row and the cached tenant together.
func setTenantClock(t *testing.T, s *Store, tn *emulator.Tenant, offset time.Duration, frozen *time.Time) {
	t.Helper()
	var f any
	if frozen != nil {
		f = ns(*frozen)
	}
	noErr(t, s.tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE tenants SET clock_offset = ?, frozen_at = ? WHERE id = ?`, int64(offset), f, tn.ID)
		return err
	}))
	tn.Clock = emulator.TenantClock{Offset: offset, FrozenAt: frozen}
}

// tenantView is everything a provider API can read of a tenant, through the
// store's own methods.
type tenantView struct {
	Now                  time.Time
	Banks                []emulator.Bank
	PSUs                 []emulator.PSU
	Accounts             map[string][]emulator.Account
	Transactions         map[string][]emulator.Transaction
	Balances             map[string]emulator.Balances
	Connections          []emulator.Connection
	Connection           emulator.Connection
	ConnectionAccounts   []emulator.Account
	Access, Refresh      emulator.Token
	Session, Pending     emulator.SCASession
	PendingSessions      []emulator.SCASession
	Customers            CustomerPage
	CustomerBankAccounts []emulator.CustomerBankAccount
	Verifications        []emulator.Verification
}

func readView(t *testing.T, s *Store, tn *emulator.Tenant, ids bundleIDs) tenantView {
	t.Helper()
	ctx := context.Background()
	v := tenantView{Now: s.Now(tn), Accounts: map[string][]emulator.Account{}, Transactions: map[string][]emulator.Transaction{}, Balances: map[string]emulator.Balances{}}
	var err error
	v.Banks, err = s.Banks(ctx, tn)
	noErr(t, err)
	v.PSUs, err = s.PSUs(ctx, tn, "")
	noErr(t, err)
	for _, p := range v.PSUs {
		accounts, err := s.PSUAccounts(ctx, tn, p.ID)
		noErr(t, err)
		v.Accounts[p.ID] = accounts
		for _, a := range accounts {
			v.Transactions[a.ID], err = s.Transactions(ctx, tn, a.ID, TransactionFilter{})
			noErr(t, err)
			v.Balances[a.ID], err = s.Balances(ctx, tn, a)
			noErr(t, err)
		}
	}
	v.Connections, err = s.Connections(ctx, tn)
	noErr(t, err)
	v.Connection, err = s.Connection(ctx, tn, ids.connection)
	noErr(t, err)
	v.ConnectionAccounts, err = s.ConnectionAccounts(ctx, tn, ids.connection)
	noErr(t, err)
	v.Access, err = s.Token(ctx, tn, ids.access)
	noErr(t, err)
	v.Refresh, err = s.Token(ctx, tn, ids.refresh)
	noErr(t, err)
	v.Session, err = s.SCASession(ctx, tn, ids.session)
	noErr(t, err)
	v.Pending, err = s.SCASession(ctx, tn, ids.pending)
	noErr(t, err)
	v.PendingSessions, err = s.PendingSCASessions(ctx, tn)
	noErr(t, err)
	v.Customers, err = s.Customers(ctx, tn, 1, 50, "")
	noErr(t, err)
	v.CustomerBankAccounts, err = s.CustomerBankAccounts(ctx, tn, ids.customer)
	noErr(t, err)
	v.Verifications, err = s.Verifications(ctx, tn, ids.customer)
	noErr(t, err)
	return v
}

func sameView(t *testing.T, want, got tenantView) {
	t.Helper()
	if !got.Now.Equal(want.Now) {
		t.Errorf("tenant now: want %s, got %s", want.Now, got.Now)
	}
	want.Now, got.Now = time.Time{}, time.Time{}
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	for i := 0; i < wv.NumField(); i++ {
		if !reflect.DeepEqual(wv.Field(i).Interface(), gv.Field(i).Interface()) {
			t.Errorf("%s differs:\nwant %+v\ngot  %+v", wv.Type().Field(i).Name, wv.Field(i).Interface(), gv.Field(i).Interface())
		}
	}
}

// sameTenant compares what the tenants row carries across, not the id,
// the credential or the clock representation.
func sameTenant(t *testing.T, want, got *emulator.Tenant) {
	t.Helper()
	a, b := *want, *got
	a.ID, b.ID, a.Credential, b.Credential = 0, 0, "", ""
	a.Clock, b.Clock = emulator.TenantClock{}, emulator.TenantClock{}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("tenant differs:\nwant %+v\ngot  %+v", a, b)
	}
}

// jsonTrip sends a dump through a file's worth of JSON.
func jsonTrip(t *testing.T, d *TenantDump) *TenantDump {
	t.Helper()
	b, err := json.Marshal(d)
	noErr(t, err)
	var out TenantDump
	noErr(t, json.Unmarshal(b, &out))
	return &out
}

// exported makes a tenant with a full state and dumps it.
func exported(t *testing.T, frozen bool) (*Store, *emulator.ManualClock, *emulator.Tenant, bundleIDs, *TenantDump) {
	t.Helper()
	ctx := context.Background()
	src, clock := bundleStore(t)
	tn, err := src.EnsureTenant(ctx, emulator.Fintecture, "app")
	noErr(t, err)
	if frozen {
		at := bundleT0.Add(-40*24*time.Hour + 17)
		setTenantClock(t, src, tn, 0, &at)
	} else {
		setTenantClock(t, src, tn, 36*time.Hour+time.Nanosecond, nil)
	}
	ids := populate(t, src, tn)
	d, err := src.ExportTenant(ctx, tn)
	noErr(t, err)
	return src, clock, tn, ids, d
}

func TestBundleRoundTripGivesIdenticalAnswers(t *testing.T) {
	for _, frozen := range []bool{false, true} {
		t.Run(fmt.Sprint("frozen=", frozen), func(t *testing.T) {
			ctx := context.Background()
			src, srcClock, tn, ids, d := exported(t, frozen)

			want := []string{"banks", "psus", "accounts", "transactions", "sca_sessions", "connections", "connection_accounts", "auth_codes", "tokens", "customers", "customer_bank_accounts", "verifications", "events", "faults", "journal"}
			rows := map[string]int{}
			for _, td := range d.Tables {
				rows[td.Name] = len(td.Rows)
			}
			for _, name := range want {
				if rows[name] == 0 {
					t.Errorf("table %s: no rows in the dump", name)
				}
			}
			if rows["faults"] != 2 {
				t.Errorf("faults: want the tenant's 2 rules and not the global one, got %d", rows["faults"])
			}
			if d.Frozen != frozen || !d.Now.Equal(src.Now(tn)) {
				t.Fatalf("dump clock: frozen %v now %s; tenant now %s", d.Frozen, d.Now, src.Now(tn))
			}

			back := jsonTrip(t, d)
			if !reflect.DeepEqual(d, back) {
				t.Fatalf("the dump changed through JSON:\nbefore %#v\nafter  %#v", d, back)
			}

			dst, dstClock := bundleStore(t)
			got, err := dst.ImportTenant(ctx, back, ImportOptions{})
			noErr(t, err)
			if got.Key() != tn.Key() {
				t.Errorf("key: want %s, got %s", tn.Key(), got.Key())
			}
			if (got.Clock.FrozenAt != nil) != frozen {
				t.Errorf("frozen: want %v, got clock %+v", frozen, got.Clock)
			}
			cachedTn, err := dst.Tenant(ctx, emulator.Fintecture, "app")
			noErr(t, err)
			if cachedTn != got {
				t.Errorf("the tenant cache does not hold the imported tenant")
			}
			sameTenant(t, tn, got)
			sameView(t, readView(t, src, tn, ids), readView(t, dst, got, ids))

			// The copy goes on as the original would: the same next ids,
			// the same due events at the same tenant instants.
			srcClock.Advance(time.Hour)
			dstClock.Advance(time.Hour)
			n1, err := src.RunDue(ctx, tn)
			noErr(t, err)
			n2, err := dst.RunDue(ctx, got)
			noErr(t, err)
			if n1 != n2 || (!frozen && n1 == 0) {
				t.Errorf("due events: source ran %d, copy ran %d", n1, n2)
			}
			c1, err := src.CreateCustomer(ctx, tn, emulator.Customer{FirstName: "B"})
			noErr(t, err)
			c2, err := dst.CreateCustomer(ctx, got, emulator.Customer{FirstName: "B"})
			noErr(t, err)
			if c1.ID != c2.ID {
				t.Errorf("next id: source %s, copy %s", c1.ID, c2.ID)
			}
			sameView(t, readView(t, src, tn, ids), readView(t, dst, got, ids))
		})
	}
}

func TestBundleImportConflictsUnlessReplace(t *testing.T) {
	ctx := context.Background()
	_, _, _, ids, d := exported(t, false)
	d = jsonTrip(t, d)
	dst, _ := bundleStore(t)
	first, err := dst.ImportTenant(ctx, d, ImportOptions{})
	noErr(t, err)
	before := readView(t, dst, first, ids)
	if _, err := dst.ImportTenant(ctx, d, ImportOptions{}); !emulator.IsCode(err, emulator.CodeConflict) {
		t.Fatalf("second import without replace: want conflict, got %v", err)
	}
	second, err := dst.ImportTenant(ctx, d, ImportOptions{Replace: true})
	noErr(t, err)
	if cached, _ := dst.Tenant(ctx, emulator.Fintecture, "app"); cached != second {
		t.Errorf("the tenant cache still holds the replaced tenant")
	}
	sameView(t, before, readView(t, dst, second, ids))
	tenants, err := dst.Tenants(ctx)
	noErr(t, err)
	if len(tenants) != 1 {
		t.Fatalf("want 1 tenant after replace, got %d", len(tenants))
	}
	// Every table holds exactly the dump's rows: the replaced tenant left
	// none behind and none were doubled.
	for _, td := range d.Tables {
		if n := countRows(t, dst, td.Name, ""); n != len(td.Rows) {
			t.Errorf("%s: want %d rows, got %d", td.Name, len(td.Rows), n)
		}
	}
}

func TestBundleImportUnderAnotherCredential(t *testing.T) {
	ctx := context.Background()
	src, _, tn, ids, d := exported(t, false)
	copied, err := src.ImportTenant(ctx, jsonTrip(t, d), ImportOptions{Credential: "app-copy"})
	noErr(t, err)
	if copied.ID == tn.ID || copied.Credential != "app-copy" {
		t.Fatalf("want a separate tenant app-copy, got %+v", copied)
	}
	if copied.Key() != emulator.TenantKey(emulator.Fintecture, "app-copy") || copied.Key() == tn.Key() {
		t.Errorf("key %s is not app-copy's own", copied.Key())
	}
	byKey, err := src.TenantByKey(ctx, copied.Key())
	noErr(t, err)
	if byKey.ID != copied.ID {
		t.Errorf("TenantByKey finds tenant %d, want %d", byKey.ID, copied.ID)
	}
	sameTenant(t, tn, copied)
	sameView(t, readView(t, src, tn, ids), readView(t, src, copied, ids))
	tenants, err := src.Tenants(ctx)
	noErr(t, err)
	if len(tenants) != 2 {
		t.Errorf("want the original and the copy, got %d tenants", len(tenants))
	}
}

func TestBundleFromANewerSandbankChangesNothing(t *testing.T) {
	ctx := context.Background()
	_, _, _, ids, d := exported(t, false)
	dst, _ := bundleStore(t)
	existing, err := dst.ImportTenant(ctx, d, ImportOptions{})
	noErr(t, err)
	before := readView(t, dst, existing, ids)
	empty, _ := bundleStore(t)

	withColumn := jsonTrip(t, d)
	for i := range withColumn.Tables {
		if td := &withColumn.Tables[i]; td.Name == "tokens" {
			td.Columns = append(td.Columns, "audience")
			for j := range td.Rows {
				td.Rows[j] = append(td.Rows[j], "aud")
			}
		}
	}
	withTable := jsonTrip(t, d)
	withTable.Tables = append(withTable.Tables, TableDump{Name: "webhooks", Columns: []string{"url"}, Rows: [][]any{{"https://x"}}})
	withTenantColumn := jsonTrip(t, d)
	withTenantColumn.Tenant["plan"] = "gold"
	brokenRow := jsonTrip(t, d)
	brokenRow.Tables[0].Rows[0] = brokenRow.Tables[0].Rows[0][1:]
	missingRequired := jsonTrip(t, d)
	delete(missingRequired.Tenant, "scenario")

	for _, c := range []struct {
		name  string
		d     *TenantDump
		field string
	}{
		{"unknown column", withColumn, "tokens.audience"},
		{"unknown table", withTable, "webhooks"},
		{"unknown tenants column", withTenantColumn, "tenants.plan"},
		{"short row", brokenRow, d.Tables[0].Name},
		{"required column missing", missingRequired, "tenants"},
	} {
		for _, s := range []*Store{dst, empty} {
			_, err := s.ImportTenant(ctx, c.d, ImportOptions{Replace: true})
			if e := emulator.AsError(err); e.Code != emulator.CodeInvalid || e.Field != c.field {
				t.Errorf("%s: want invalid %s, got %v", c.name, c.field, err)
			}
		}
	}
	for s, want := range map[*Store]int{dst: 1, empty: 0} {
		tenants, err := s.Tenants(ctx)
		noErr(t, err)
		if len(tenants) != want {
			t.Errorf("want %d tenants after the failed imports, got %d", want, len(tenants))
		}
	}
	still, err := dst.Tenant(ctx, emulator.Fintecture, "app")
	noErr(t, err)
	if still != existing {
		t.Errorf("a failed replace changed the cached tenant")
	}
	sameView(t, before, readView(t, dst, still, ids))
}

func TestBundleImportValidates(t *testing.T) {
	ctx := context.Background()
	s, _ := bundleStore(t)
	ok := TenantDump{Provider: emulator.Kontomatik, Credential: "key", Tenant: map[string]any{"scenario": "x", "seed": 1, "created_at": ns(bundleT0)}, Now: bundleT0}
	if _, err := s.ImportTenant(ctx, &ok, ImportOptions{}); err != nil {
		t.Fatalf("a minimal dump: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*TenantDump)
		code emulator.Code
	}{
		{"provider", func(d *TenantDump) { d.Provider = "plaid" }, emulator.CodeInvalid},
		{"credential", func(d *TenantDump) { d.Credential = "" }, emulator.CodeMissing},
		{"now", func(d *TenantDump) { d.Now = time.Time{} }, emulator.CodeInvalid},
		{"tenant_id column", func(d *TenantDump) {
			d.Tables = []TableDump{{Name: "journal", Columns: []string{"tenant_id"}, Rows: [][]any{{1}}}}
		}, emulator.CodeInvalid},
		{"rowid alias", func(d *TenantDump) {
			d.Tables = []TableDump{{Name: "events", Columns: []string{"id", "due_at", "kind", "ref"}, Rows: [][]any{{1, 2, "k", "r"}}}}
		}, emulator.CodeInvalid},
		{"key column", func(d *TenantDump) { d.Tenant = map[string]any{"key": "abc"} }, emulator.CodeInvalid},
	} {
		d := ok
		d.Credential = "other"
		c.edit(&d)
		if _, err := s.ImportTenant(ctx, &d, ImportOptions{}); !emulator.IsCode(err, c.code) {
			t.Errorf("%s: want %s, got %v", c.name, c.code, err)
		}
	}
	if _, err := s.ImportTenant(ctx, nil, ImportOptions{}); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Errorf("nil dump: want invalid, got %v", err)
	}
}

// TestBundleCarriesTablesAndColumnsItWasNotWrittenFor adds a table and a
// column the way a later migration would, and checks that the dump carries
// them with every SQLite value exact, a DATETIME column included (the
// driver would otherwise hand it back as time.Time).
func TestBundleCarriesTablesAndColumnsItWasNotWrittenFor(t *testing.T) {
	ctx := context.Background()
	migrate := func(s *Store) {
		noErr(t, s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `
				ALTER TABLE tokens ADD COLUMN audience TEXT NOT NULL DEFAULT 'none';
				CREATE TABLE gadgets (
					id        INTEGER PRIMARY KEY,
					tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					at        DATETIME,
					big       INTEGER,
					ratio     REAL,
					raw       BLOB,
					note      TEXT,
					anything
				)`)
			return err
		}))
	}
	src, _ := bundleStore(t)
	migrate(src)
	tn, err := src.EnsureTenant(ctx, emulator.FinqLink, "client")
	noErr(t, err)
	values := [][]any{
		{"2026-03-02 12:00:00", int64(math.MaxInt64), 1.0, []byte{0, 1, 254, 255}, "tab\there \u2028 <&>", int64(1<<53 + 1)},
		{"not a date", int64(math.MinInt64), 0.1, []byte{}, "\xff\xfe not utf-8", 1e300},
		{nil, int64(1<<53 + 1), math.Inf(1), nil, "", "text in an untyped column"},
		{"", int64(-1), math.Inf(-1), []byte("x"), nil, []byte{9}},
		{"1.5", int64(0), 3.0e-300, nil, "1", 2.5},
	}
	noErr(t, src.tx(ctx, func(tx *sql.Tx) error {
		for _, v := range values {
			if _, err := tx.ExecContext(ctx, `INSERT INTO gadgets (tenant_id, at, big, ratio, raw, note, anything) VALUES (?, ?, ?, ?, ?, ?, ?)`, append([]any{tn.ID}, v...)...); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (tenant_id, id, kind, scope, issued_at, expires_at, audience) VALUES (?, 'tok', 'access', 'AIS', ?, ?, 'aud')`, tn.ID, ns(bundleT0), ns(bundleT0)+1)
		return err
	}))
	d, err := src.ExportTenant(ctx, tn)
	noErr(t, err)
	var gadgets TableDump
	for _, td := range d.Tables {
		if td.Name == "gadgets" {
			gadgets = td
		}
	}
	if want := []string{"at", "big", "ratio", "raw", "note", "anything"}; !reflect.DeepEqual(gadgets.Columns, want) {
		t.Fatalf("gadgets columns: want %v (no tenant_id, no rowid alias), got %v", want, gadgets.Columns)
	}
	back := jsonTrip(t, d)
	if !reflect.DeepEqual(d, back) {
		t.Fatalf("the dump changed through JSON:\nbefore %#v\nafter  %#v", d, back)
	}

	// Through a JSON file or handed over in memory, the rows arrive the
	// same, storage classes included.
	for name, dump := range map[string]*TenantDump{"json": back, "memory": d} {
		dst, _ := bundleStore(t)
		migrate(dst)
		got, err := dst.ImportTenant(ctx, dump, ImportOptions{})
		noErr(t, err)
		for _, table := range []string{"gadgets", "tokens"} {
			if want, have := rawRows(t, src, table, tn.ID), rawRows(t, dst, table, got.ID); !reflect.DeepEqual(want, have) {
				t.Errorf("%s: %s differ:\nwant %#v\ngot  %#v", name, table, want, have)
			}
		}
	}

	// A Sandbank without that migration refuses the bundle.
	old, _ := bundleStore(t)
	if _, err := old.ImportTenant(ctx, back, ImportOptions{}); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Errorf("import into a database without gadgets: want invalid, got %v", err)
	}
}

// rawRows reads a table's rows of a tenant with each value's storage
// class, without the tenant id and with the rowid alias renumbered from
// 1, as the relative order is what must survive.
func rawRows(t *testing.T, s *Store, table string, tenantID int64) [][]any {
	t.Helper()
	sc, err := loadSchema(context.Background(), s.read)
	noErr(t, err)
	tb := sc.byName[table]
	cols := columnsExcept(tb.columns, []string{"tenant_id", tb.rowidAlias})
	list := ""
	for _, c := range cols {
		list += ", typeof(" + quoteIdent(c) + "), +" + quoteIdent(c)
	}
	rows, err := s.read.Query(`SELECT row_number() OVER (ORDER BY rowid)`+list+` FROM `+quoteIdent(table)+` WHERE tenant_id = ? ORDER BY rowid`, tenantID)
	noErr(t, err)
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, 1+2*len(cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		noErr(t, rows.Scan(ptrs...))
		out = append(out, vals)
	}
	noErr(t, rows.Err())
	return out
}

func TestSQLValueJSONIsExact(t *testing.T) {
	tenth, fifth := 0.1, 0.2
	for _, c := range []struct {
		v    any
		json string
	}{
		{nil, `null`},
		{int64(0), `0`},
		{int64(math.MaxInt64), `9223372036854775807`},
		{int64(math.MinInt64), `-9223372036854775808`},
		{int64(1<<53 + 1), `9007199254740993`},
		{int64(1772452800123456789), `1772452800123456789`},
		{1.0, `1.0`},
		{-2.0, `-2.0`},
		{tenth + fifth, `0.30000000000000004`},
		{123456.0, `123456.0`},
		{1e20, `1e+20`},
		{1e21, `1e+21`},
		{5e-324, `5e-324`},
		{math.MaxFloat64, `1.7976931348623157e+308`},
		{math.Inf(1), `{"real":"+Inf"}`},
		{math.Inf(-1), `{"real":"-Inf"}`},
		{"", `""`},
		{"é <&> \u2028", `"é \u003c\u0026\u003e \u2028"`},
		{"\xff", `{"text_base64":"/w=="}`},
		{[]byte{}, `{"blob":""}`},
		{[]byte{0, 255}, `{"blob":"AP8="}`},
	} {
		b, err := json.Marshal(sqlValue{c.v})
		if err != nil || string(b) != c.json {
			t.Errorf("%#v: want %s, got %s (%v)", c.v, c.json, b, err)
			continue
		}
		var back sqlValue
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("%s: %v", b, err)
			continue
		}
		same := reflect.DeepEqual(back.v, c.v)
		if f, ok := c.v.(float64); ok {
			g, isFloat := back.v.(float64)
			same = isFloat && math.Float64bits(f) == math.Float64bits(g)
		}
		if !same {
			t.Errorf("%s: want %#v, got %#v", b, c.v, back.v)
		}
	}
	// Plain Go integers from a hand-built dump go out as INTEGER.
	if b, _ := json.Marshal(sqlValue{7}); string(b) != `7` {
		t.Errorf("int 7: got %s", b)
	}
	for _, bad := range []string{`true`, `[1]`, `18446744073709551616`, `{"blob":"AA==","real":"+Inf"}`, `{"real":"NaN"}`, `{"nope":1}`, `{}`, `{"blob":"!"}`} {
		var v sqlValue
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s: want an error, got %#v", bad, v.v)
		}
	}
	if _, err := json.Marshal(sqlValue{math.NaN()}); err == nil {
		t.Errorf("NaN: want an error")
	}
	if _, err := json.Marshal(sqlValue{time.Now}); err == nil {
		t.Errorf("a func: want an error")
	}
}

func TestDeleteTenantRemovesEveryRow(t *testing.T) {
	ctx := context.Background()
	s, _, tn, _, d := exported(t, false)
	other, err := s.EnsureTenant(ctx, emulator.Fintecture, "other")
	noErr(t, err)
	noErr(t, s.DeleteTenant(ctx, tn))
	if _, err := s.Tenant(ctx, emulator.Fintecture, "app"); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Fatalf("deleted tenant: want not found, got %v", err)
	}
	for _, td := range d.Tables {
		if n := countRows(t, s, td.Name, fmt.Sprintf("tenant_id = %d", tn.ID)); n != 0 {
			t.Errorf("%s: %d rows left", td.Name, n)
		}
	}
	if n := countRows(t, s, "faults", "tenant_id IS NULL"); n != 1 {
		t.Errorf("the global fault rule went too")
	}
	if banks, err := s.Banks(ctx, other); err != nil || len(banks) != 2 {
		t.Errorf("the other tenant lost its world: %v %v", banks, err)
	}
	if err := s.DeleteTenant(ctx, tn); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Errorf("second delete: want not found, got %v", err)
	}
	// The credential is free again: a new tenant takes it.
	again, err := s.EnsureTenant(ctx, emulator.Fintecture, "app")
	noErr(t, err)
	if again.ID == tn.ID && countRows(t, s, "journal", fmt.Sprintf("tenant_id = %d", again.ID)) != 0 {
		t.Errorf("a new tenant inherited the deleted one's journal")
	}
}

func countRows(t *testing.T, s *Store, table, where string) int {
	t.Helper()
	q := `SELECT count(*) FROM ` + quoteIdent(table)
	if where != "" {
		q += ` WHERE ` + where
	}
	var n int
	noErr(t, s.read.QueryRow(q).Scan(&n))
	return n
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
