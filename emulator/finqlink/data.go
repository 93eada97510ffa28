package finqlink

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// The data of an active consent (Data): its shared accounts with their
// latest balances, its balances and its transactions. All of it is read
// live from the tenant's world at the tenant's now, so balances always
// equal the opening balance plus the booked transactions (DESIGN.md §4),
// and only the accounts the holder shared are ever shown.

// Page sizes of balances/list and transactions/list (the contract's
// PaginationInput).
const (
	pageDefault = 50
	pageMax     = 250
)

type aisAccountJSON struct {
	AccountID      string           `json:"account_id"`
	IBAN           *string          `json:"iban"`
	Currency       string           `json:"currency"`
	Name           string           `json:"name"`
	AccountType    string           `json:"account_type"`
	AccountSubType string           `json:"account_sub_type"`
	Balances       []aisBalanceJSON `json:"balances"`
}

type aisBalanceJSON struct {
	BalanceID            string  `json:"balance_id"`
	AccountID            string  `json:"account_id"`
	Type                 string  `json:"type"`
	Amount               string  `json:"amount"`
	Currency             string  `json:"currency"`
	CreditDebitIndicator string  `json:"credit_debit_indicator"`
	CreditLimitIncluded  bool    `json:"credit_limit_included"`
	NativeDate           *string `json:"native_date"`
	InsertedAt           string  `json:"inserted_at"`
}

// accountKinds words the world's ISO 20022 account types as FinqLink's
// accounts do: a type as the bank names it ("Personal current account",
// the docs' example) and an Open Banking sub-type ("CurrentAccount").
var accountKinds = map[emulator.AccountType][2]string{
	emulator.AccountCurrent: {"Personal current account", "CurrentAccount"},
	emulator.AccountSavings: {"Personal savings account", "Savings"},
	emulator.AccountCard:    {"Personal credit card", "CreditCard"},
}

func accountKind(t emulator.AccountType) (string, string) {
	if k, ok := accountKinds[t]; ok {
		return k[0], k[1]
	}
	return "Personal account", "Other"
}

// bankBalanceTypes are the bank's own balance types each sandbox bank
// reports beside FinqLink's normalized available (notes §3 lists the
// types, not which bank gives which: the split is Sandbank's, so clients
// meet several). Other banks report closing_booked and expected.
var bankBalanceTypes = map[string][]string{
	"rzb_ro":   {"closing_booked", "interim_available"},
	"bt_ro":    {"interim_booked", "interim_available", "expected"},
	"cec_ro":   {"closing_booked", "expected"},
	"libra_ro": {"interim_available", "forward_available"},
}

func balanceTypes(bankID string) []string {
	if ts, ok := bankBalanceTypes[bankID]; ok {
		return append([]string{"available"}, ts...)
	}
	return []string{"available", "closing_booked", "expected"}
}

// balancesOf reads an account's balances at the tenant's now, available
// first. Amounts are unsigned; a negative balance is a debit (overdrawn).
func (p *Provider) balancesOf(r *http.Request, t *emulator.Tenant, a emulator.Account) ([]aisBalanceJSON, error) {
	ctx := r.Context()
	b, err := p.store.Balances(ctx, t, a)
	if err != nil {
		return nil, err
	}
	today := emulator.Day(b.At)
	yesterday := emulator.Day(b.At.AddDate(0, 0, -1))
	var out []aisBalanceJSON
	for _, typ := range balanceTypes(a.BankID) {
		cents, day := b.AvailableCents(), &today
		switch typ {
		case "interim_booked":
			cents = b.BookedCents
		case "closing_booked":
			// The booked balance at the end of yesterday: today's
			// bookings are not in it yet.
			booked, err := p.store.Transactions(ctx, t, a.ID, store.TransactionFilter{From: today, To: today})
			if err != nil {
				return nil, err
			}
			cents, day = b.BookedCents, &yesterday
			for _, x := range booked {
				cents -= x.AmountCents
			}
		case "expected", "forward_available":
			cents, day = b.ExpectedCents, nil
		}
		amount, ind := money(cents)
		out = append(out, aisBalanceJSON{
			BalanceID: shortID("balance", a.ID, typ), AccountID: a.ID, Type: typ, Amount: amount, Currency: a.Currency,
			CreditDebitIndicator: ind, NativeDate: day, InsertedAt: wireTime(b.At),
		})
	}
	return out, nil
}

// money writes signed cents as FinqLink's unsigned decimal amount and its
// credit/debit indicator.
func money(cents int64) (amount, indicator string) {
	indicator = "credit"
	if cents < 0 {
		indicator, cents = "debit", -cents
	}
	return emulator.Decimal(cents), indicator
}

// shortID derives a stable id from its parts.
func shortID(kind string, parts ...string) string {
	sum := sha256.Sum256([]byte("sandbank finqlink " + kind + "\x00" + strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

// consentAccounts lists the accounts the consent shares, each with its
// latest balances.
func (p *Provider) consentAccounts(r *http.Request, t *emulator.Tenant, c emulator.AISConsent) ([]aisAccountJSON, error) {
	accts, err := p.store.ConnectionAccounts(r.Context(), t, c.ConnectionID)
	if err != nil {
		return nil, err
	}
	out := []aisAccountJSON{}
	for _, a := range accts {
		j, err := p.accountJSON(r, t, a)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func (p *Provider) accountJSON(r *http.Request, t *emulator.Tenant, a emulator.Account) (aisAccountJSON, error) {
	bs, err := p.balancesOf(r, t, a)
	if err != nil {
		return aisAccountJSON{}, err
	}
	typ, sub := accountKind(a.Type)
	j := aisAccountJSON{AccountID: a.ID, Currency: a.Currency, Name: a.Name, AccountType: typ, AccountSubType: sub, Balances: bs}
	if a.IBAN != "" {
		iban := a.IBAN
		j.IBAN = &iban
	}
	if j.Name == "" {
		j.Name = typ
	}
	return j, nil
}

type listAccountsRequest struct {
	ConsentID string `json:"consent_id"`
	Filter    struct {
		Currency       string `json:"currency"`
		AccountType    string `json:"account_type"`
		AccountSubType string `json:"account_sub_type"`
	} `json:"filter"`
}

type listAccountsReply struct {
	RequestID    string           `json:"request_id"`
	APIClientApp string           `json:"api_client_app"`
	ClientID     string           `json:"client_id"`
	ConsentID    string           `json:"consent_id"`
	Accounts     []aisAccountJSON `json:"accounts"`
}

// listAccounts serves POST /v2/ais/accounts/list: the shared accounts of
// an active consent, filtered by currency, account type and sub-type
// (compared without regard to case).
func (p *Provider) listAccounts(w http.ResponseWriter, r *http.Request) error {
	var in listAccountsRequest
	t, c, err := p.activeConsent(r, &in, &in.ConsentID)
	if err != nil {
		return err
	}
	ctx := r.Context()
	all, err := p.consentAccounts(r, t, c)
	if err != nil {
		return err
	}
	f := in.Filter
	out := listAccountsReply{RequestID: httpapi.RequestID(ctx), APIClientApp: appName(t), ClientID: t.Credential, ConsentID: c.ID, Accounts: []aisAccountJSON{}}
	for _, a := range all {
		if (f.Currency == "" || f.Currency == a.Currency) &&
			(f.AccountType == "" || strings.EqualFold(f.AccountType, a.AccountType)) &&
			(f.AccountSubType == "" || strings.EqualFold(f.AccountSubType, a.AccountSubType)) {
			out.Accounts = append(out.Accounts, a)
		}
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

type paginationInput struct {
	Limit int    `json:"limit"`
	After string `json:"after"`
}

type paginationJSON struct {
	Count int     `json:"count"`
	More  bool    `json:"more?"`
	After *string `json:"after"`
}

// pageLimit is the page size asked for, within the contract's bounds.
func pageLimit(in paginationInput) int {
	switch {
	case in.Limit <= 0:
		return pageDefault
	case in.Limit > pageMax:
		return pageMax
	}
	return in.Limit
}

// Keyset cursors are opaque to clients: a kind and the key of the last
// item of the page, base64url-encoded.
func encodeCursor(kind, key string) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
	return &s
}

// decodeCursor reads a cursor of the given kind; ok is false for anything
// this server did not write.
func decodeCursor(kind, cursor string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", false
	}
	key, found := strings.CutPrefix(string(raw), kind+":")
	return key, found && key != ""
}

// badCursor refuses a pagination.after this listing did not hand out.
func badCursor() error {
	return emulator.FieldError(emulator.CodeInvalid, "pagination.after", "not a cursor from this listing: pass the previous page's pagination.after")
}

type listBalancesRequest struct {
	ConsentID string `json:"consent_id"`
	Filter    struct {
		AccountID string `json:"account_id"`
		Currency  string `json:"currency"`
		Type      string `json:"type"`
	} `json:"filter"`
	Pagination paginationInput `json:"pagination"`
}

type listBalancesReply struct {
	RequestID    string           `json:"request_id"`
	APIClientApp string           `json:"api_client_app"`
	ClientID     string           `json:"client_id"`
	ConsentID    string           `json:"consent_id"`
	Balances     []aisBalanceJSON `json:"balances"`
	Pagination   paginationJSON   `json:"pagination"`
}

// listBalances serves POST /v2/ais/balances/list: the balances of an
// active consent's accounts, account by account in the consent's order,
// available first, in keyset pages. An account_id outside the consent
// matches nothing.
func (p *Provider) listBalances(w http.ResponseWriter, r *http.Request) error {
	var in listBalancesRequest
	t, c, err := p.activeConsent(r, &in, &in.ConsentID)
	if err != nil {
		return err
	}
	ctx := r.Context()
	accts, err := p.consentAccounts(r, t, c)
	if err != nil {
		return err
	}
	var all []aisBalanceJSON
	for _, a := range accts {
		all = append(all, a.Balances...)
	}
	start, err := pageStart(in.Pagination, "balance", all, balanceKey)
	if err != nil {
		return err
	}
	f := in.Filter
	keep := func(b aisBalanceJSON) bool {
		return (f.AccountID == "" || f.AccountID == b.AccountID) && (f.Currency == "" || f.Currency == b.Currency) && (f.Type == "" || f.Type == b.Type)
	}
	out := listBalancesReply{RequestID: httpapi.RequestID(ctx), APIClientApp: appName(t), ClientID: t.Credential, ConsentID: c.ID, Balances: []aisBalanceJSON{}}
	limit := pageLimit(in.Pagination)
	for _, b := range all[start:] {
		if !keep(b) {
			continue
		}
		if len(out.Balances) == limit {
			out.Pagination.More = true
			break
		}
		out.Balances = append(out.Balances, b)
	}
	out.Pagination.Count = len(out.Balances)
	if out.Pagination.More {
		last := out.Balances[len(out.Balances)-1]
		out.Pagination.After = encodeCursor("balance", balanceKey(last))
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// balanceKey is a balance's key in a cursor: its account and its type.
func balanceKey(b aisBalanceJSON) string { return b.AccountID + "/" + b.Type }

// pageStart is where a keyset page of all begins: at the start, or just
// after the item whose key the cursor holds. A cursor of another kind, or
// naming an item not in all, is refused.
func pageStart[T any](in paginationInput, kind string, all []T, key func(T) string) (int, error) {
	if in.After == "" {
		return 0, nil
	}
	k, ok := decodeCursor(kind, in.After)
	if !ok {
		return 0, badCursor()
	}
	i := slices.IndexFunc(all, func(x T) bool { return key(x) == k })
	if i < 0 {
		return 0, badCursor()
	}
	return i + 1, nil
}
