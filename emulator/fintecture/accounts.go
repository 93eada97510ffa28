package fintecture

import (
	"net/http"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// The wire shapes of the given AIS document (specs/fintecture/ais.yaml).
type accountJSON struct {
	ID       string        `json:"id"`
	IBAN     string        `json:"iban"`
	BIC      string        `json:"bic,omitempty"`
	Currency string        `json:"currency"`
	Balances []balanceJSON `json:"balances"`
	Type     string        `json:"type"`
}

type balanceJSON struct {
	Type      string `json:"type"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
	Timestamp string `json:"timestamp"`
}

type accountsJSON struct {
	Data []accountJSON `json:"data"`
}

type holderJSON struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

type holdersJSON struct {
	Data []holderJSON `json:"data"`
}

type counterpartyJSON struct {
	Name string `json:"name,omitempty"`
	IBAN string `json:"iban,omitempty"`
}

type transactionJSON struct {
	ID           string            `json:"id"`
	Amount       string            `json:"amount"`
	Currency     string            `json:"currency"`
	BookingDate  string            `json:"booking_date"`
	ValueDate    string            `json:"value_date"`
	Description  string            `json:"description"`
	Type         string            `json:"type"`
	Counterparty *counterpartyJSON `json:"counterparty,omitempty"`
}

type transactionsJSON struct {
	Data []transactionJSON `json:"data"`
	Meta countJSON         `json:"meta"`
}

type countJSON struct {
	Count int `json:"count"`
}

func (p *Provider) accountJSON(r *http.Request, t *emulator.Tenant, a emulator.Account) (accountJSON, error) {
	b, err := p.store.Balances(r.Context(), t, a)
	if err != nil {
		return accountJSON{}, err
	}
	return accountJSON{ID: a.ID, IBAN: a.IBAN, BIC: a.BIC, Currency: a.Currency, Type: string(a.Type), Balances: balances(a, b)}, nil
}

// balances reports the booked position as closingBooked, everything
// including pending movements as expected, and what can be spent as
// available (booked less pending debits; pending credits are not yet
// spendable).
func balances(a emulator.Account, b emulator.Balances) []balanceJSON {
	ts := b.At.Format(time.RFC3339)
	available := b.AvailableCents()
	return []balanceJSON{
		{Type: "closingBooked", Amount: emulator.Decimal(b.BookedCents), Currency: a.Currency, Timestamp: ts},
		{Type: "expected", Amount: emulator.Decimal(b.ExpectedCents), Currency: a.Currency, Timestamp: ts},
		{Type: "available", Amount: emulator.Decimal(available), Currency: a.Currency, Timestamp: ts},
	}
}

// sharedAccounts loads the path's connection for a read and the accounts
// the PSU shared through it.
func (p *Provider) sharedAccounts(r *http.Request) (*emulator.Tenant, emulator.Connection, []emulator.Account, error) {
	t, c, err := p.readableConnection(r)
	if err != nil {
		return t, c, nil, err
	}
	accts, err := p.store.ConnectionAccounts(r.Context(), t, c.ID)
	return t, c, accts, err
}

// listAccounts serves GET /ais/v1/customer/{customer_id}/accounts.
func (p *Provider) listAccounts(w http.ResponseWriter, r *http.Request) error {
	t, _, accts, err := p.sharedAccounts(r)
	if err != nil {
		return err
	}
	out := accountsJSON{Data: make([]accountJSON, 0, len(accts))}
	for _, a := range accts {
		j, err := p.accountJSON(r, t, a)
		if err != nil {
			return err
		}
		out.Data = append(out.Data, j)
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// account loads the path's account if the connection shares it.
func (p *Provider) account(r *http.Request) (*emulator.Tenant, emulator.Connection, emulator.Account, error) {
	t, c, err := p.readableConnection(r)
	if err != nil {
		return nil, c, emulator.Account{}, err
	}
	a, err := p.store.ConnectionAccount(r.Context(), t, c.ID, httpapi.Var(r, "account_id"))
	return t, c, a, err
}

// getAccount serves GET /ais/v1/customer/{customer_id}/account/{account_id}.
func (p *Provider) getAccount(w http.ResponseWriter, r *http.Request) error {
	t, _, a, err := p.account(r)
	if err != nil {
		return err
	}
	j, err := p.accountJSON(r, t, a)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, j)
}

// accountHolders serves GET .../account/{account_id}/holders: the PSU who
// owns the account.
func (p *Provider) accountHolders(w http.ResponseWriter, r *http.Request) error {
	t, _, a, err := p.account(r)
	if err != nil {
		return err
	}
	psu, err := p.store.PSU(r.Context(), t, a.PSUID)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, holdersJSON{Data: []holderJSON{{Name: psu.FullName, Address: psu.Address, Email: psu.Email, Phone: psu.Phone}}})
}

// listTransactions serves GET .../account/{account_id}/transactions with
// the from/to booking-date window. Pending transactions are not listed: the
// given document has no status to mark them, and they show in the expected
// balance until they book.
func (p *Provider) listTransactions(w http.ResponseWriter, r *http.Request) error {
	t, _, a, err := p.account(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.TransactionFilter{From: q.Get("from"), To: q.Get("to"), BookedBy: emulator.Day(p.store.Now(t))}
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", d.v); err != nil {
			return emulator.FieldError(emulator.CodeInvalid, d.name, "must be a date as YYYY-MM-DD")
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return emulator.FieldError(emulator.CodeInvalid, "from", "from (%s) is after to (%s)", f.From, f.To)
	}
	txs, err := p.store.Transactions(r.Context(), t, a.ID, f)
	if err != nil {
		return err
	}
	out := transactionsJSON{Data: make([]transactionJSON, 0, len(txs)), Meta: countJSON{Count: len(txs)}}
	for _, x := range txs {
		j := transactionJSON{ID: x.ID, Amount: emulator.Decimal(abs(x.AmountCents)), Currency: x.Currency, BookingDate: x.BookingDate,
			ValueDate: x.ValueDate, Description: x.Description, Type: "credit"}
		if x.AmountCents < 0 {
			j.Type = "debit"
		}
		if x.CounterpartyName != "" || x.CounterpartyIBAN != "" {
			j.Counterparty = &counterpartyJSON{Name: x.CounterpartyName, IBAN: x.CounterpartyIBAN}
		}
		out.Data = append(out.Data, j)
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
