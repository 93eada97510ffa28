package finqlink

import (
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// Transactions of an active consent (Data): read live from the tenant's
// world like the rest of data.go, filtered and paged as FinqLink's
// transactions/list does.

type transactionFilterInput struct {
	AmountMin            string `json:"amount_min"`
	AmountMax            string `json:"amount_max"`
	Currency             string `json:"currency"`
	BookingDateFrom      string `json:"booking_date_from"`
	BookingDateTo        string `json:"booking_date_to"`
	AccountID            string `json:"account_id"`
	CreditDebitIndicator string `json:"credit_debit_indicator"`
	Status               string `json:"status"`
	UpdatedFrom          string `json:"updated_from"`
	UpdatedTo            string `json:"updated_to"`
}

type listTransactionsRequest struct {
	ConsentID  string                 `json:"consent_id"`
	Filter     transactionFilterInput `json:"filter"`
	Pagination paginationInput        `json:"pagination"`
	// TrackChanges is deprecated and ignored (notes §3): accepted only.
	TrackChanges bool `json:"track_changes"`
}

type aisTransactionJSON struct {
	TransactionID        string  `json:"transaction_id"`
	UtxID                string  `json:"utx_id"`
	AccountID            string  `json:"account_id"`
	Amount               string  `json:"amount"`
	Currency             string  `json:"currency"`
	CreditDebitIndicator string  `json:"credit_debit_indicator"`
	Status               string  `json:"status"`
	BookingDateTime      string  `json:"booking_date_time"`
	ValueDateTime        *string `json:"value_date_time"`
	Info                 string  `json:"info"`
	CounterpartyName     *string `json:"counterparty_name"`
	CounterpartyIBAN     *string `json:"counterparty_iban"`
	UpdatedAt            string  `json:"updated_at"`
}

type listTransactionsReply struct {
	RequestID    string               `json:"request_id"`
	APIClientApp string               `json:"api_client_app"`
	ClientID     string               `json:"client_id"`
	ConsentID    string               `json:"consent_id"`
	Transactions []aisTransactionJSON `json:"transactions"`
	Pagination   paginationJSON       `json:"pagination"`
}

// transactionFilter is a parsed transactions/list filter; nil bounds are
// open.
type transactionFilter struct {
	min, max                     *big.Rat
	currency, account, indicator string
	status                       string
	bookFrom, bookTo             *time.Time
	updFrom, updTo               *time.Time
}

func parseTransactionFilter(in transactionFilterInput) (transactionFilter, error) {
	f := transactionFilter{currency: in.Currency, account: in.AccountID, indicator: in.CreditDebitIndicator, status: in.Status}
	amount := func(field, v string) (*big.Rat, error) {
		if v == "" {
			return nil, nil
		}
		r, ok := new(big.Rat).SetString(v)
		if !ok || r.Sign() < 0 || strings.ContainsAny(v, "eE/+-") {
			return nil, emulator.FieldError(emulator.CodeInvalid, "filter."+field, "%q is not a decimal amount such as 10.50", v)
		}
		return r, nil
	}
	instant := func(field, v string) (*time.Time, error) {
		if v == "" {
			return nil, nil
		}
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, emulator.FieldError(emulator.CodeInvalid, "filter."+field, "%q is not an RFC 3339 date-time such as 2026-05-04T00:00:00Z", v)
		}
		return &at, nil
	}
	var err error
	if f.min, err = amount("amount_min", in.AmountMin); err != nil {
		return f, err
	}
	if f.max, err = amount("amount_max", in.AmountMax); err != nil {
		return f, err
	}
	if f.min != nil && f.max != nil && f.min.Cmp(f.max) > 0 {
		return f, emulator.FieldError(emulator.CodeInvalid, "filter.amount_min", "amount_min %s is above amount_max %s", in.AmountMin, in.AmountMax)
	}
	for _, b := range []struct {
		field, v string
		to       **time.Time
	}{{"booking_date_from", in.BookingDateFrom, &f.bookFrom}, {"booking_date_to", in.BookingDateTo, &f.bookTo}, {"updated_from", in.UpdatedFrom, &f.updFrom}, {"updated_to", in.UpdatedTo, &f.updTo}} {
		if *b.to, err = instant(b.field, b.v); err != nil {
			return f, err
		}
	}
	if f.bookFrom != nil && f.bookTo != nil && f.bookFrom.After(*f.bookTo) {
		return f, emulator.FieldError(emulator.CodeInvalid, "filter.booking_date_from", "booking_date_from is after booking_date_to")
	}
	if f.updFrom != nil && f.updTo != nil && f.updFrom.After(*f.updTo) {
		return f, emulator.FieldError(emulator.CodeInvalid, "filter.updated_from", "updated_from is after updated_to")
	}
	return f, nil
}

// within reports whether at lies in the inclusive range [from, to].
func within(at time.Time, from, to *time.Time) bool {
	return (from == nil || !at.Before(*from)) && (to == nil || !at.After(*to))
}

func (f transactionFilter) keep(x emulator.Transaction, booking, updated time.Time, status string) bool {
	abs := x.AmountCents
	if abs < 0 {
		abs = -abs
	}
	amount := new(big.Rat).SetFrac64(abs, 100)
	_, ind := money(x.AmountCents)
	return (f.min == nil || amount.Cmp(f.min) >= 0) && (f.max == nil || amount.Cmp(f.max) <= 0) &&
		(f.currency == "" || f.currency == x.Currency) && (f.account == "" || f.account == x.AccountID) &&
		(f.indicator == "" || f.indicator == ind) && (f.status == "" || f.status == status) &&
		within(booking, f.bookFrom, f.bookTo) && within(updated, f.updFrom, f.updTo)
}

// listTransactions serves POST /v2/ais/transactions/list: the
// transactions of an active consent's accounts, newest booking first
// (ties keep the accounts' order, then the bank's), in keyset pages.
// A consent whose scope leaves transactions out answers 400 bad_request
// (Sandbank's choice of code: FinqLink's is not published).
func (p *Provider) listTransactions(w http.ResponseWriter, r *http.Request) error {
	var in listTransactionsRequest
	t, c, err := p.activeConsent(r, &in, &in.ConsentID)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if !store.ConsentHasTransactions(c) {
		return fail(http.StatusBadRequest, "bad_request", "consent %s's scope is [%s]: it does not cover transactions", c.ID, strings.Join(c.Scope, ", "))
	}
	f, err := parseTransactionFilter(in.Filter)
	if err != nil {
		return err
	}
	accts, err := p.store.ConnectionAccounts(ctx, t, c.ConnectionID)
	if err != nil {
		return err
	}
	var all []emulator.Transaction
	for _, a := range accts {
		xs, err := p.store.Transactions(ctx, t, a.ID, store.TransactionFilter{})
		if err != nil {
			return err
		}
		all = append(all, xs...)
	}
	// Each account's list is newest first already; a stable sort merges
	// them and keeps every tie in the same order on every call.
	slices.SortStableFunc(all, func(a, b emulator.Transaction) int { return strings.Compare(b.BookingDate, a.BookingDate) })
	start, err := pageStart(in.Pagination, "transaction", all, func(x emulator.Transaction) string { return x.ID })
	if err != nil {
		return err
	}
	now := p.store.Now(t)
	today := emulator.Day(now)
	out := listTransactionsReply{RequestID: httpapi.RequestID(ctx), APIClientApp: appName(t), ClientID: t.Credential, ConsentID: c.ID, Transactions: []aisTransactionJSON{}}
	limit := pageLimit(in.Pagination)
	lastID := ""
	for _, x := range all[start:] {
		booking, updated, status := transactionTimes(x, today)
		if !f.keep(x, booking, updated, status) {
			continue
		}
		if len(out.Transactions) == limit {
			out.Pagination.More = true
			break
		}
		out.Transactions = append(out.Transactions, transactionJSON(t, c, x, booking, updated, status))
		lastID = x.ID
	}
	out.Pagination.Count = len(out.Transactions)
	if out.Pagination.More {
		out.Pagination.After = encodeCursor("transaction", lastID)
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// transactionTimes gives a transaction its booking instant (the start of
// its booking day), its status at today, and when it last changed: the
// day it booked, or for a pending one the day it happened (its value
// day, never later than today). updated_from then finds the pending
// transactions that have booked since a previous sync.
func transactionTimes(x emulator.Transaction, today string) (booking, updated time.Time, status string) {
	booking, _ = time.Parse("2006-01-02", x.BookingDate)
	if x.Booked(today) {
		return booking, booking, "booked"
	}
	day := x.ValueDate
	if day == "" || day > today {
		day = today
	}
	updated, _ = time.Parse("2006-01-02", day)
	return booking, updated, "pending"
}

// transactionJSON writes one transaction of a consent. transaction_id is
// the consent's own id for it; utx_id names the bank transaction and is
// the same through every consent of the client (notes §3, v1's utx_id).
func transactionJSON(t *emulator.Tenant, c emulator.AISConsent, x emulator.Transaction, booking, updated time.Time, status string) aisTransactionJSON {
	amount, ind := money(x.AmountCents)
	j := aisTransactionJSON{
		TransactionID: shortID("transaction", c.ID, x.ID), UtxID: shortID("utx", t.Key(), x.ID), AccountID: x.AccountID,
		Amount: amount, Currency: x.Currency, CreditDebitIndicator: ind, Status: status,
		BookingDateTime: wireTime(booking), Info: x.Description, UpdatedAt: wireTime(updated),
	}
	if v, err := time.Parse("2006-01-02", x.ValueDate); err == nil {
		s := wireTime(v)
		j.ValueDateTime = &s
	}
	if x.CounterpartyName != "" {
		n := x.CounterpartyName
		j.CounterpartyName = &n
	}
	if x.CounterpartyIBAN != "" {
		i := x.CounterpartyIBAN
		j.CounterpartyIBAN = &i
	}
	if j.Info == "" {
		j.Info = x.CounterpartyName
	}
	return j
}
