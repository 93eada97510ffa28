package finqlink_test

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

type balanceOut struct {
	BalanceID            string `json:"balance_id"`
	AccountID            string `json:"account_id"`
	Type                 string `json:"type"`
	Amount               string `json:"amount"`
	Currency             string `json:"currency"`
	CreditDebitIndicator string `json:"credit_debit_indicator"`
	NativeDate           string `json:"native_date"` // "" for null
	InsertedAt           string `json:"inserted_at"`
}

type accountOut struct {
	AccountID      string       `json:"account_id"`
	IBAN           *string      `json:"iban"`
	Currency       string       `json:"currency"`
	Name           string       `json:"name"`
	AccountType    string       `json:"account_type"`
	AccountSubType string       `json:"account_sub_type"`
	Balances       []balanceOut `json:"balances"`
}

type pageOut struct {
	Count int     `json:"count"`
	More  bool    `json:"more?"`
	After *string `json:"after"`
}

type accountsOut struct {
	RequestID    string       `json:"request_id"`
	APIClientApp string       `json:"api_client_app"`
	ClientID     string       `json:"client_id"`
	ConsentID    string       `json:"consent_id"`
	Accounts     []accountOut `json:"accounts"`
}

type balancesOut struct {
	ClientID   string       `json:"client_id"`
	ConsentID  string       `json:"consent_id"`
	Balances   []balanceOut `json:"balances"`
	Pagination pageOut      `json:"pagination"`
}

type transactionOut struct {
	TransactionID        string `json:"transaction_id"`
	UtxID                string `json:"utx_id"`
	AccountID            string `json:"account_id"`
	Amount               string `json:"amount"`
	Currency             string `json:"currency"`
	CreditDebitIndicator string `json:"credit_debit_indicator"`
	Status               string `json:"status"`
	BookingDateTime      string `json:"booking_date_time"`
	ValueDateTime        string `json:"value_date_time"` // "" for null
	Info                 string `json:"info"`
	UpdatedAt            string `json:"updated_at"`
}

type transactionsOut struct {
	ClientID     string           `json:"client_id"`
	ConsentID    string           `json:"consent_id"`
	Transactions []transactionOut `json:"transactions"`
	Pagination   pageOut          `json:"pagination"`
}

var decimalRE = regexp.MustCompile(`^(0|[1-9][0-9]*)\.[0-9]{2}$`)

func (a *ais) accounts(id, filter string) accountsOut {
	a.T.Helper()
	extra := ""
	if filter != "" {
		extra = `"filter":{` + filter + `}`
	}
	var out accountsOut
	a.fetch("/v2/ais/accounts/list", consentFields(id, extra), http.StatusOK, &out)
	return out
}

func (a *ais) balances(id, extra string) balancesOut {
	a.T.Helper()
	var out balancesOut
	a.fetch("/v2/ais/balances/list", consentFields(id, extra), http.StatusOK, &out)
	return out
}

func (a *ais) transactions(id, extra string) transactionsOut {
	a.T.Helper()
	var out transactionsOut
	a.fetch("/v2/ais/transactions/list", consentFields(id, extra), http.StatusOK, &out)
	return out
}

// allTransactions reads every page of a listing of limit items.
func (a *ais) allTransactions(id, filter string, limit int) []transactionOut {
	a.T.Helper()
	var out []transactionOut
	after := ""
	for pages := 0; ; pages++ {
		extra := fmt.Sprintf(`"pagination":{"limit":%d%s}`, limit, after)
		if filter != "" {
			extra += `,"filter":{` + filter + `}`
		}
		page := a.transactions(id, extra)
		if page.Pagination.Count != len(page.Transactions) || len(page.Transactions) > limit {
			a.T.Fatalf("page of %d: %+v", limit, page.Pagination)
		}
		out = append(out, page.Transactions...)
		if !page.Pagination.More {
			if page.Pagination.After != nil {
				a.T.Fatalf("the last page has a cursor: %+v", page.Pagination)
			}
			return out
		}
		if page.Pagination.After == nil || len(page.Transactions) != limit || pages > 1000 {
			a.T.Fatalf("a page with more has no cursor or is short: %+v", page.Pagination)
		}
		after = fmt.Sprintf(`,"after":%q`, *page.Pagination.After)
	}
}

// signedCents reads an amount and its indicator back as signed cents.
func signedCents(t *testing.T, amount, indicator string) int64 {
	t.Helper()
	if !decimalRE.MatchString(amount) {
		t.Fatalf("amount %q is not an unsigned decimal", amount)
	}
	r, _ := new(big.Rat).SetString(amount)
	c := new(big.Rat).Mul(r, big.NewRat(100, 1)).Num().Int64()
	switch indicator {
	case "credit":
		return c
	case "debit":
		return -c
	}
	t.Fatalf("indicator %q", indicator)
	return 0
}

// The shared accounts, and only those, each with its balances read from
// the world.
func TestDataAccounts(t *testing.T) {
	a := newAIS(t)
	ctx := context.Background()
	p := a.psu("rzb_ro", "9999999998")
	owned, err := a.store().PSUAccounts(ctx, a.tenant(), p.ID)
	if err != nil || len(owned) != 2 {
		t.Fatalf("%v %v", owned, err)
	}
	c := a.active("rzb_ro", "9999999998", "")
	out := a.accounts(c.ConsentID, "")
	if out.ConsentID != c.ConsentID || out.ClientID != a.client || out.APIClientApp == "" || len(out.Accounts) != 2 {
		t.Fatalf("accounts: %+v", out)
	}
	for i, acc := range out.Accounts {
		w := owned[i]
		if acc.AccountID != w.ID || acc.IBAN == nil || *acc.IBAN != w.IBAN || acc.Currency != w.Currency || acc.Name == "" {
			t.Fatalf("account %d: %+v, want %+v", i, acc, w)
		}
		b, err := a.store().Balances(ctx, a.tenant(), w)
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]int64{}
		for _, bal := range acc.Balances {
			types[bal.Type] = signedCents(t, bal.Amount, bal.CreditDebitIndicator)
			if bal.AccountID != w.ID || bal.Currency != w.Currency {
				t.Fatalf("balance of another account: %+v", bal)
			}
		}
		// rzb_ro reports closing_booked and interim_available beside
		// FinqLink's available.
		if len(types) != 3 || types["available"] != b.AvailableCents() || types["interim_available"] != b.AvailableCents() {
			t.Fatalf("balances %v, world %+v", types, b)
		}
	}
	if *out.Accounts[0].IBAN != "RO03RZBR0000069999999999" || out.Accounts[0].AccountSubType != "CurrentAccount" || out.Accounts[1].AccountSubType != "Savings" {
		t.Fatalf("the documented test account first: %+v", out.Accounts)
	}
	if got := a.accounts(c.ConsentID, `"account_sub_type":"savings"`).Accounts; len(got) != 1 || got[0].AccountID != owned[1].ID {
		t.Fatalf("sub-type filter: %+v", got)
	}
	if got := a.accounts(c.ConsentID, `"account_type":"Personal current account"`).Accounts; len(got) != 1 || got[0].AccountID != owned[0].ID {
		t.Fatalf("type filter: %+v", got)
	}
	if got := a.accounts(c.ConsentID, `"currency":"`+owned[0].Currency+`"`).Accounts; len(got) != 2 {
		t.Fatalf("currency filter: %+v", got)
	}
	if got := a.accounts(c.ConsentID, `"currency":"JPY"`).Accounts; got == nil || len(got) != 0 {
		t.Fatalf("no JPY account: %+v", got)
	}

	// A consent sharing one account shows that one only, everywhere.
	one := a.active("rzb_ro", "9999999998", "", owned[1].ID)
	if got := a.accounts(one.ConsentID, "").Accounts; len(got) != 1 || got[0].AccountID != owned[1].ID {
		t.Fatalf("one shared account: %+v", got)
	}
	for _, b := range a.balances(one.ConsentID, "").Balances {
		if b.AccountID != owned[1].ID {
			t.Fatalf("a balance of an account not shared: %+v", b)
		}
	}
	for _, x := range a.allTransactions(one.ConsentID, "", 250) {
		if x.AccountID != owned[1].ID {
			t.Fatalf("a transaction of an account not shared: %+v", x)
		}
	}
	if got := a.balances(one.ConsentID, fmt.Sprintf(`"filter":{"account_id":%q}`, owned[0].ID)).Balances; len(got) != 0 {
		t.Fatalf("filtering on an account not shared: %+v", got)
	}
}

// Balances: unsigned amounts with their indicator (an overdraft is a
// debit), an available balance per account and the bank's own types,
// consistent with the transactions, in keyset pages.
func TestDataBalances(t *testing.T) {
	a := newAISScenario(t)
	over := a.active("bt_ro", "overdrawn", "")
	bs := a.balances(over.ConsentID, "").Balances
	if len(bs) != 4 {
		t.Fatalf("bt_ro's types: %+v", bs)
	}
	for i, typ := range []string{"available", "interim_booked", "interim_available", "expected"} {
		b := bs[i]
		if b.Type != typ || b.Amount != "150.00" || b.CreditDebitIndicator != "debit" || b.BalanceID == "" || !mustTime(t, b.InsertedAt).Equal(start.Add(time.Second)) {
			t.Fatalf("overdrawn %s: %+v", typ, b)
		}
	}

	c := a.active("bt_ro", "testbt", "")
	all := a.balances(c.ConsentID, `"pagination":{"limit":250}`)
	if len(all.Balances) != 8 || all.Pagination.More || all.Pagination.After != nil || all.Pagination.Count != 8 {
		t.Fatalf("two accounts, four types each: %+v", all)
	}
	txs := a.allTransactions(c.ConsentID, "", 250)
	var withPending int64
	for _, acc := range a.accounts(c.ConsentID, "").Accounts {
		amounts := map[string]int64{}
		for _, b := range acc.Balances {
			amounts[b.Type] = signedCents(t, b.Amount, b.CreditDebitIndicator)
		}
		var pending, pendingDebits int64
		for _, x := range txs {
			if x.AccountID == acc.AccountID && x.Status == "pending" {
				v := signedCents(t, x.Amount, x.CreditDebitIndicator)
				pending += v
				pendingDebits += min(v, 0)
			}
		}
		withPending += pending
		if amounts["expected"]-amounts["interim_booked"] != pending || amounts["available"] != amounts["interim_booked"]+pendingDebits {
			t.Fatalf("%s: balances %v disagree with pending transactions (%d)", acc.AccountID, amounts, pending)
		}
	}
	if withPending == 0 {
		t.Fatal("no pending transaction to test the balances with")
	}

	var paged []balanceOut
	after := ""
	for {
		page := a.balances(c.ConsentID, `"pagination":{"limit":3`+after+`}`)
		paged = append(paged, page.Balances...)
		if !page.Pagination.More {
			break
		}
		after = fmt.Sprintf(`,"after":%q`, *page.Pagination.After)
	}
	if fmt.Sprint(paged) != fmt.Sprint(all.Balances) {
		t.Fatalf("pages of 3:\n%v\nwant\n%v", paged, all.Balances)
	}
	if got := a.balances(c.ConsentID, `"filter":{"type":"available"}`).Balances; len(got) != 2 || got[0].Type != "available" {
		t.Fatalf("type filter: %+v", got)
	}
	if got := a.balances(c.ConsentID, `"filter":{"currency":"EUR"}`).Balances; len(got) != 4 || got[0].Currency != "EUR" {
		t.Fatalf("currency filter: %+v", got)
	}
	if got := a.balances(c.ConsentID, fmt.Sprintf(`"filter":{"account_id":%q,"type":"expected"}`, all.Balances[0].AccountID)).Balances; len(got) != 1 || got[0].NativeDate != "" {
		t.Fatalf("account and type: %+v", got)
	}
	if got := a.accounts(c.ConsentID, `"currency":"EUR"`).Accounts; len(got) != 1 || got[0].AccountSubType != "Savings" {
		t.Fatalf("EUR accounts: %+v", got)
	}
}

// Transactions: newest booking first across the shared accounts,
// unsigned amounts, booked or pending by the tenant's today, every
// filter, keyset pages, and ids stable per bank transaction.
func TestDataTransactions(t *testing.T) {
	a := newAIS(t)
	c := a.active("rzb_ro", "9999999998", "")
	all := a.allTransactions(c.ConsentID, "", 250)
	if len(all) < 20 {
		t.Fatalf("only %d transactions", len(all))
	}
	today := emulator.Day(start)
	pending := 0
	for i, x := range all {
		booking := mustTime(t, x.BookingDateTime)
		if i > 0 && booking.After(mustTime(t, all[i-1].BookingDateTime)) {
			t.Fatalf("not newest first at %d: %s after %s", i, x.BookingDateTime, all[i-1].BookingDateTime)
		}
		signedCents(t, x.Amount, x.CreditDebitIndicator)
		wantStatus := "booked"
		if emulator.Day(booking) > today {
			wantStatus = "pending"
			pending++
		}
		if x.Status != wantStatus || x.Info == "" || !uuidRE.MatchString(x.TransactionID) || x.UtxID == "" || x.Currency == "" {
			t.Fatalf("transaction %+v (today %s)", x, today)
		}
	}
	if pending == 0 {
		t.Fatal("no pending transaction to test with")
	}
	for _, limit := range []int{1, 7, 50} {
		if got := a.allTransactions(c.ConsentID, "", limit); fmt.Sprint(got) != fmt.Sprint(all) {
			for i := range min(len(got), len(all)) {
				if got[i] != all[i] {
					t.Fatalf("pages of %d differ from one page at %d: %+v vs %+v", limit, i, got[i], all[i])
				}
			}
			t.Fatalf("pages of %d: %d transactions, one page %d", limit, len(got), len(all))
		}
	}
	if page := a.transactions(c.ConsentID, ""); len(page.Transactions) != min(50, len(all)) || page.Pagination.More != (len(all) > 50) {
		t.Fatalf("default page: %d, more %v", len(page.Transactions), page.Pagination.More)
	}

	// Every filter keeps exactly the transactions it should.
	accountID := all[0].AccountID
	mid := all[len(all)/2]
	cases := []struct {
		filter string
		keep   func(x transactionOut) bool
	}{
		{`"amount_min":"100"`, func(x transactionOut) bool { return signedAbs(t, x) >= 10000 }},
		{`"amount_max":"50.5"`, func(x transactionOut) bool { return signedAbs(t, x) <= 5050 }},
		{`"amount_min":"20","amount_max":"300.00"`, func(x transactionOut) bool { v := signedAbs(t, x); return v >= 2000 && v <= 30000 }},
		{fmt.Sprintf(`"currency":%q`, all[0].Currency), func(x transactionOut) bool { return x.Currency == all[0].Currency }},
		{`"currency":"JPY"`, func(transactionOut) bool { return false }},
		{fmt.Sprintf(`"booking_date_from":%q`, mid.BookingDateTime), func(x transactionOut) bool { return x.BookingDateTime >= mid.BookingDateTime }},
		{fmt.Sprintf(`"booking_date_to":%q`, mid.BookingDateTime), func(x transactionOut) bool { return x.BookingDateTime <= mid.BookingDateTime }},
		{fmt.Sprintf(`"account_id":%q`, accountID), func(x transactionOut) bool { return x.AccountID == accountID }},
		{`"account_id":"not-shared"`, func(transactionOut) bool { return false }},
		{`"credit_debit_indicator":"credit"`, func(x transactionOut) bool { return x.CreditDebitIndicator == "credit" }},
		{`"credit_debit_indicator":"debit"`, func(x transactionOut) bool { return x.CreditDebitIndicator == "debit" }},
		{`"status":"pending"`, func(x transactionOut) bool { return x.Status == "pending" }},
		{`"status":"booked"`, func(x transactionOut) bool { return x.Status == "booked" }},
		{fmt.Sprintf(`"updated_from":%q`, mid.UpdatedAt), func(x transactionOut) bool { return x.UpdatedAt >= mid.UpdatedAt }},
		{fmt.Sprintf(`"updated_to":%q`, mid.UpdatedAt), func(x transactionOut) bool { return x.UpdatedAt <= mid.UpdatedAt }},
		{fmt.Sprintf(`"status":"booked","account_id":%q,"credit_debit_indicator":"debit"`, accountID), func(x transactionOut) bool {
			return x.Status == "booked" && x.AccountID == accountID && x.CreditDebitIndicator == "debit"
		}},
	}
	for _, tc := range cases {
		var want []transactionOut
		for _, x := range all {
			if tc.keep(x) {
				want = append(want, x)
			}
		}
		got := a.allTransactions(c.ConsentID, tc.filter, 10)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("filter %s: %d transactions, want %d", tc.filter, len(got), len(want))
		}
	}
	if n := len(a.allTransactions(c.ConsentID, `"credit_debit_indicator":"credit"`, 250)); n == 0 || n == len(all) {
		t.Fatalf("credits: %d of %d", n, len(all))
	}
	if r := a.call("/v2/ais/transactions/list", fmt.Sprintf(`"consent_id":%q,"track_changes":true`, c.ConsentID)); r.Status != 200 {
		t.Fatalf("track_changes is accepted: %d %s", r.Status, r.Body)
	}

	// Another consent on the same accounts: the same bank transactions
	// (utx_id), its own transaction ids.
	other := a.active("rzb_ro", "9999999998", "")
	again := a.allTransactions(other.ConsentID, "", 250)
	if len(again) != len(all) {
		t.Fatalf("%d vs %d", len(again), len(all))
	}
	for i := range all {
		if again[i].UtxID != all[i].UtxID || again[i].TransactionID == all[i].TransactionID {
			t.Fatalf("ids across consents: %+v vs %+v", again[i], all[i])
		}
	}

	// Once the clock passes their booking day, pending transactions book,
	// and updated_from finds them.
	a.advance(5 * 24 * time.Hour)
	// The first listing ran at start: what changed since then?
	sync := start.Format(time.RFC3339)
	changed := a.allTransactions(c.ConsentID, fmt.Sprintf(`"updated_from":%q,"status":"booked"`, sync), 250)
	if len(changed) != pending {
		t.Fatalf("%d booked since the sync, want the %d that were pending", len(changed), pending)
	}
}

func signedAbs(t *testing.T, x transactionOut) int64 {
	v := signedCents(t, x.Amount, x.CreditDebitIndicator)
	if v < 0 {
		return -v
	}
	return v
}

// A consent of accounts and balances only reads both, but not
// transactions.
func TestDataScopeWithoutTransactions(t *testing.T) {
	a := newAIS(t)
	c := a.active("cec_ro", "testcecapi", `"consent":{"scope":["accounts","balances"]}`)
	if got := a.accounts(c.ConsentID, "").Accounts; len(got) == 0 {
		t.Fatal("no accounts")
	}
	if got := a.balances(c.ConsentID, "").Balances; len(got) == 0 {
		t.Fatal("no balances")
	}
	if e := a.call("/v2/ais/transactions/list", fmt.Sprintf(`"consent_id":%q`, c.ConsentID)).failure(t, 400); e.Code != "bad_request" || !strings.Contains(e.Message, "transactions") {
		t.Fatalf("transactions outside the scope: %+v", e)
	}
}

// Every status but active refuses the data and refresh jobs with
// consent_not_active.
func TestDataNeedsAnActiveConsent(t *testing.T) {
	a := newAIS(t)
	ctx := context.Background()
	byStatus := map[string]string{}
	// Expired first: its validity has to run out; the others follow.
	expired := a.active("libra_ro", "testlibra", `"consent":{"validity_days":1}`)
	byStatus["expired"] = expired.ConsentID
	a.advance(24 * time.Hour)
	byStatus["created"] = a.create("", "").ConsentID
	started := a.create("", "")
	if _, err := a.store().OpenConsent(ctx, a.tenant(), started.WebID); err != nil {
		t.Fatal(err)
	}
	byStatus["started"] = started.ConsentID
	byStatus["sca_url_retrieved"] = a.create(`"ais_method":{"provider_id":"bt_ro"}`, `"type":"wrapped_sca"`).ConsentID
	failed := a.create("", "")
	if _, err := a.store().CancelConsent(ctx, a.tenant(), failed.WebID); err != nil {
		t.Fatal(err)
	}
	byStatus["failed"] = failed.ConsentID
	revoked := a.active("cec_ro", "testcecapi", "")
	a.call("/v2/ais/consents/revoke", fmt.Sprintf(`"consent_id":%q`, revoked.ConsentID)).WantStatus(t, 200)
	byStatus["revoked"] = revoked.ConsentID
	waiting := a.create(`"ais_method":{"provider_id":"bt_ro"}`, `"type":"direct_sca","redirect_url":"https://client.example/cb"`)
	a.approve(a.session(waiting.ConsentID), "testbt")
	byStatus["awaiting_authz"] = waiting.ConsentID
	// Authorized last: a second later it would be active.
	authorized := a.create("", "")
	a.approve(a.toBank(authorized, "rzb_ro"), "9999999998")
	byStatus["authorized"] = authorized.ConsentID

	before := a.snapshot()
	for status, id := range byStatus {
		if got := a.status(id); got != status {
			t.Fatalf("setup: %s is %s, want %s", id, got, status)
		}
		for _, path := range []string{"/v2/ais/accounts/list", "/v2/ais/balances/list", "/v2/ais/transactions/list", "/v2/ais/jobs/create"} {
			e := a.call(path, fmt.Sprintf(`"consent_id":%q`, id)).failure(t, 400)
			if e.Code != "consent_not_active" || !strings.Contains(e.Message, status) {
				t.Errorf("%s on a %s consent: %+v", path, status, e)
			}
		}
	}
	if a.snapshot() != before {
		t.Fatal("a refused data call changed state")
	}
}

// Bad data requests are refused in FinqLink's envelope.
func TestDataBadInput(t *testing.T) {
	a := newAIS(t)
	c := a.active("bt_ro", "testbt", "")
	id := fmt.Sprintf(`"consent_id":%q`, c.ConsentID)
	before := a.snapshot()
	for _, bad := range []struct {
		path, fields string
		status       int
		code         string
	}{
		{"accounts", `"consent_id":"00000000-0000-4000-8000-000000000000"`, 404, "not_found"},
		{"accounts", ``, 400, "validation_error"},
		{"accounts", id + `,"filter":{"currency":"eur"}`, 400, "validation_error"},
		{"balances", `"consent_id":"nope"`, 404, "not_found"},
		{"balances", id + `,"pagination":{"limit":0}`, 400, "validation_error"},
		{"balances", id + `,"pagination":{"limit":251}`, 400, "validation_error"},
		{"balances", id + `,"pagination":{"after":"garbage"}`, 400, "validation_error"},
		{"balances", id + `,"filter":{"type":"huge"}`, 400, "validation_error"},
		{"transactions", `"consent_id":"nope"`, 404, "not_found"},
		{"transactions", id + `,"pagination":{"after":"dHJhbnNhY3Rpb246bm9wZQ"}`, 400, "validation_error"},
		{"transactions", id + `,"pagination":{"after":"!!"}`, 400, "validation_error"},
		{"transactions", id + `,"filter":{"amount_min":"-5"}`, 400, "validation_error"},
		{"transactions", id + `,"filter":{"amount_min":"10","amount_max":"5"}`, 400, "validation_error"},
		{"transactions", id + `,"filter":{"booking_date_from":"yesterday"}`, 400, "validation_error"},
		{"transactions", id + `,"filter":{"booking_date_from":"2026-05-04T00:00:00Z","booking_date_to":"2026-05-01T00:00:00Z"}`, 400, "validation_error"},
		{"transactions", id + `,"filter":{"status":"cancelled"}`, 400, "validation_error"},
		{"transactions", id + `,"filter":{"credit_debit_indicator":"both"}`, 400, "validation_error"},
		{"transactions", id + `,"track_changes":"yes"`, 400, "validation_error"},
	} {
		if e := a.call("/v2/ais/"+bad.path+"/list", bad.fields).failure(t, bad.status); e.Code != bad.code {
			t.Errorf("%s %s: %+v", bad.path, bad.fields, e)
		}
	}
	// A balances cursor is no transactions cursor.
	page := a.balances(c.ConsentID, `"pagination":{"limit":1}`)
	if e := a.call("/v2/ais/transactions/list", id+fmt.Sprintf(`,"pagination":{"after":%q}`, *page.Pagination.After)).failure(t, 400); e.Code != "validation_error" {
		t.Errorf("cursor of another listing: %+v", e)
	}
	if a.snapshot() != before {
		t.Fatal("a refused data call changed state")
	}
}
