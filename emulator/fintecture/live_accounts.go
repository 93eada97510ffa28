package fintecture

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// The live contract's JSON:API documents (specs/fintecture/live/ais.yaml,
// notes §3). Attributes without a value are null unless the client asks
// remove_nulls=true.

type liveAccount struct {
	ID         string             `json:"id"`
	Type       string             `json:"type"`
	Attributes liveAccountDetails `json:"attributes"`
}

type liveAccountDetails struct {
	AccountID        string       `json:"account_id"`
	IBAN             string       `json:"iban"`
	BIC              *string      `json:"bic"`
	AccountName      *string      `json:"account_name"`
	AccountType      *string      `json:"account_type"`
	Currency         string       `json:"currency"`
	Balance          *json.Number `json:"balance"`
	BalanceAvailable *json.Number `json:"balance_available"`
	BalanceDate      *string      `json:"balance_date"`
}

type customerMeta struct {
	CustomerID string `json:"customer_id"`
	Provider   string `json:"provider"`
}

type liveAccounts struct {
	Meta customerMeta  `json:"meta"`
	Data []liveAccount `json:"data"`
}

type liveOneAccount struct {
	Meta customerMeta `json:"meta"`
	Data liveAccount  `json:"data"`
}

type liveTransaction struct {
	ID         string                 `json:"id"`
	Type       string                 `json:"type"`
	Attributes liveTransactionDetails `json:"attributes"`
}

type liveTransactionDetails struct {
	Amount           string  `json:"amount"`
	Currency         string  `json:"currency"`
	Communication    string  `json:"communication"`
	Status           string  `json:"status"`
	BookingDate      string  `json:"booking_date"`
	ValueDate        *string `json:"value_date"`
	CounterpartyName *string `json:"counterparty_name"`
	CounterpartyIBAN *string `json:"counterparty_iban"`
}

type transactionsMeta struct {
	CustomerID string `json:"customer_id"`
	AccountID  string `json:"account_id"`
}

type pageLinks struct {
	Self string `json:"self"`
	Next string `json:"next,omitempty"`
}

type liveTransactions struct {
	Meta  transactionsMeta  `json:"meta"`
	Data  []liveTransaction `json:"data"`
	Links pageLinks         `json:"links"`
}

type liveHolder struct {
	ID         string            `json:"id"`
	Type       string            `json:"type"`
	Attributes liveHolderDetails `json:"attributes"`
}

type liveHolderDetails struct {
	FullName string  `json:"full_name"`
	Email    *string `json:"email"`
	Phone    *string `json:"phone"`
	Address  *string `json:"address"`
}

type holdersMeta struct {
	Provider           string `json:"provider"`
	LastAuthentication string `json:"last_authentication"`
}

type liveHolders struct {
	Meta holdersMeta  `json:"meta"`
	Data []liveHolder `json:"data"`
}

const (
	// TransactionPageSize is how many transactions one live page holds.
	// Fintecture pages as the bank does (notes §3); Sandbank's banks page
	// by 50.
	TransactionPageSize = 50
	// defaultHistory is the window listed without filter[date_from]: the
	// 90 days PSD2 allows when the PSU is not present. max lifts it.
	defaultHistory = 90 * 24 * time.Hour
)

// liveAccountOf maps an account and its balances. balance_available comes
// only with withBalances=true.
func (p *Provider) liveAccountOf(r *http.Request, t *emulator.Tenant, a emulator.Account) (liveAccount, error) {
	b, err := p.store.Balances(r.Context(), t, a)
	if err != nil {
		return liveAccount{}, err
	}
	booked := json.Number(emulator.Decimal(b.BookedCents))
	date := b.At.UTC().Format(time.RFC3339)
	out := liveAccount{ID: a.ID, Type: "accounts", Attributes: liveAccountDetails{
		AccountID: a.ID, IBAN: a.IBAN, BIC: optional(a.BIC), AccountName: optional(a.Name),
		AccountType: optional(string(a.Type)), Currency: a.Currency, Balance: &booked, BalanceDate: &date,
	}}
	if flag(r, "withBalances") {
		avail := json.Number(emulator.Decimal(b.AvailableCents()))
		out.Attributes.BalanceAvailable = &avail
	}
	return out, nil
}

// liveListAccounts serves GET /ais/v1/customer/{customer_id}/accounts.
func (p *Provider) liveListAccounts(w http.ResponseWriter, r *http.Request) error {
	t, c, accts, err := p.sharedAccounts(r)
	if err != nil {
		return err
	}
	out := liveAccounts{Meta: customerMeta{CustomerID: c.ID, Provider: c.BankID}, Data: make([]liveAccount, 0, len(accts))}
	for _, a := range accts {
		j, err := p.liveAccountOf(r, t, a)
		if err != nil {
			return err
		}
		out.Data = append(out.Data, j)
	}
	return liveJSON(w, r, out)
}

// liveGetAccount serves GET /ais/v1/customer/{customer_id}/accounts/{account_id}:
// data is one object, meta names the customer (notes §3).
func (p *Provider) liveGetAccount(w http.ResponseWriter, r *http.Request) error {
	t, c, a, err := p.account(r)
	if err != nil {
		return err
	}
	j, err := p.liveAccountOf(r, t, a)
	if err != nil {
		return err
	}
	return liveJSON(w, r, liveOneAccount{Meta: customerMeta{CustomerID: c.ID, Provider: c.BankID}, Data: j})
}

// liveListTransactions serves GET .../accounts/{account_id}/transactions:
// newest booking first, TransactionPageSize a page, links.next until the
// last page (notes §3, S12). Pending transactions are listed with status
// PENDING; the set a window holds does not change as they book, so pages
// by number stay stable while a client walks them.
func (p *Provider) liveListTransactions(w http.ResponseWriter, r *http.Request) error {
	t, c, a, err := p.account(r)
	if err != nil {
		return err
	}
	today := emulator.Day(p.store.Now(t))
	f, err := liveWindow(r, p.store.Now(t))
	if err != nil {
		return err
	}
	page, err := pageParam(r, "page[number]", 1, 1<<30)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = (page-1)*TransactionPageSize, TransactionPageSize+1
	txs, err := p.store.Transactions(r.Context(), t, a.ID, f)
	if err != nil {
		return err
	}
	out := liveTransactions{
		Meta:  transactionsMeta{CustomerID: c.ID, AccountID: a.ID},
		Data:  make([]liveTransaction, 0, min(len(txs), TransactionPageSize)),
		Links: pageLinks{Self: httpapi.BaseURL(r) + r.URL.RequestURI()},
	}
	if len(txs) > TransactionPageSize {
		txs = txs[:TransactionPageSize]
		out.Links.Next = nextPage(r, page+1)
	}
	for _, x := range txs {
		status := "BOOKED"
		if x.BookingDate > today {
			status = "PENDING"
		}
		out.Data = append(out.Data, liveTransaction{ID: x.ID, Type: "transactions", Attributes: liveTransactionDetails{
			Amount: emulator.Decimal(x.AmountCents), Currency: x.Currency, Communication: x.Description, Status: status,
			BookingDate: x.BookingDate, ValueDate: optional(x.ValueDate),
			CounterpartyName: optional(x.CounterpartyName), CounterpartyIBAN: optional(x.CounterpartyIBAN),
		}})
	}
	return liveJSON(w, r, out)
}

// liveWindow reads filter[date_from] (a date, or max for the whole
// history; the last 90 days when absent) and filter[date_to].
func liveWindow(r *http.Request, now time.Time) (store.TransactionFilter, error) {
	q := r.URL.Query()
	f := store.TransactionFilter{From: q.Get("filter[date_from]"), To: q.Get("filter[date_to]")}
	switch f.From {
	case "":
		f.From = emulator.Day(now.Add(-defaultHistory))
	case "max":
		f.From = ""
	}
	for _, d := range []struct{ name, v string }{{"filter[date_from]", f.From}, {"filter[date_to]", f.To}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return f, emulator.FieldError(emulator.CodeInvalid, d.name, "must be a date as YYYY-MM-DD")
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, emulator.FieldError(emulator.CodeInvalid, "filter[date_from]", "filter[date_from] (%s) is after filter[date_to] (%s)", f.From, f.To)
	}
	return f, nil
}

// nextPage is the request's own URL, on Sandbank's base URL, asking for
// page n. Brackets are percent-encoded, as Fintecture's clients send them.
func nextPage(r *http.Request, n int) string {
	q := r.URL.Query()
	q.Set("page[number]", strconv.Itoa(n))
	u := url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: q.Encode()}
	return httpapi.BaseURL(r) + u.RequestURI()
}

// liveAccountHolders serves GET /ais/v1/customer/{customer_id}/accountholders:
// the PSU who gave the consent, at the customer level (notes §3).
func (p *Provider) liveAccountHolders(w http.ResponseWriter, r *http.Request) error {
	t, c, err := p.readableConnection(r)
	if err != nil {
		return err
	}
	psu, err := p.store.PSU(r.Context(), t, c.PSUID)
	if err != nil {
		return err
	}
	return liveJSON(w, r, liveHolders{
		Meta: holdersMeta{Provider: c.BankID, LastAuthentication: lastAuthentication(c)},
		Data: []liveHolder{{ID: psu.ID, Type: "accountholders", Attributes: liveHolderDetails{
			FullName: psu.FullName, Email: optional(psu.Email), Phone: optional(psu.Phone), Address: optional(psu.Address),
		}}},
	})
}

// optional is nil for an empty value, which the live contract sends as
// null.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// flag reads a boolean query parameter (validated by the contract).
func flag(r *http.Request, name string) bool {
	v, _ := strconv.ParseBool(r.URL.Query().Get(name))
	return v
}

// liveJSON writes v, leaving null attributes out when the client asked
// remove_nulls=true.
func liveJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if !flag(r, "remove_nulls") {
		return httpapi.JSON(w, http.StatusOK, v)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, withoutNulls(tree))
}

func withoutNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = withoutNulls(e)
		}
	case []any:
		for i, e := range x {
			x[i] = withoutNulls(e)
		}
	}
	return v
}
