package kontomatik

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// DefaultImport is the command's name in replies.
const DefaultImport = "DefaultImportCommand"

// importRequest is a default import's form in either dialect.
type importRequest struct {
	sessionID, sig, since, owner string
}

// importRequestOf reads a default-import form; both contracts name the
// fields alike.
func importRequestOf(f url.Values) importRequest {
	return importRequest{sessionID: f.Get("sessionId"), sig: f.Get("sessionIdSignature"), since: f.Get("since"), owner: f.Get("ownerExternalId")}
}

// startImport checks the session and its signature and starts its one
// default import: the signature first (it needs no lookup), then the
// session, its consent and the since date.
func (p *Provider) startImport(ctx context.Context, t *emulator.Tenant, in importRequest) (emulator.ImportCommand, emulator.ImportSession, error) {
	var none emulator.ImportSession
	if err := checkOwner(in.owner); err != nil {
		return emulator.ImportCommand{}, none, err
	}
	if !signatureMatches(t, in.sessionID, in.sig) {
		return emulator.ImportCommand{}, none, invalidSignature()
	}
	x, err := p.session(ctx, t, in.sessionID)
	if err != nil {
		return emulator.ImportCommand{}, none, err
	}
	now := p.store.Now(t)
	if x.Expired(now) {
		return emulator.ImportCommand{}, x, invalidSessionID()
	}
	if x.ConsentID != "" {
		c, err := p.store.Consent(ctx, t, x.ConsentID)
		if err != nil || !c.Usable(now) {
			return emulator.ImportCommand{}, x, invalidMultipleAccessID(x.ConsentID)
		}
	}
	if in.since != "" {
		d, err := time.Parse(time.DateOnly, in.since)
		if err != nil || d.After(now) {
			return emulator.ImportCommand{}, x, raise("InvalidSince", http.StatusBadRequest, "since must be a past date as YYYY-MM-DD, got %q.", in.since)
		}
	}
	plan, err := p.commandPlan(ctx, t, x)
	if err != nil {
		return emulator.ImportCommand{}, x, err
	}
	c, err := p.store.StartImport(ctx, t, store.CommandRequest{
		SessionID: x.ID, Name: DefaultImport, Since: in.since, OwnerExternalID: in.owner,
		Queue: CommandQueue, Run: plan.run, Failure: plan.failure, FailureMessage: plan.message, Fatal: plan.fatal,
		ConsentLimit: ConsentImports, ConsentWindow: ConsentWindow,
	})
	switch {
	case errors.Is(err, store.ErrAlreadyImported):
		return c, x, raise("DefaultImportAlreadyExecuted", http.StatusBadRequest, "The default import of session %s was already executed.", x.ID)
	case errors.Is(err, store.ErrConsentExhausted):
		return c, x, raise("MultipleAccessLimitExceeded", http.StatusBadRequest, "Multiple access %s allows %d imports in 24 hours.", x.ConsentID, ConsentImports)
	}
	if in.owner != "" {
		x.OwnerExternalID = in.owner
	}
	return c, x, err
}

// session finds an import session by id. The given contract hands out a
// session id when the redirection starts: its session opens when the
// status is first read after the user signed in, or here.
func (p *Provider) session(ctx context.Context, t *emulator.Tenant, id string) (emulator.ImportSession, error) {
	x, err := p.store.ImportSession(ctx, t, id)
	if err == nil {
		return x, nil
	}
	red, err := p.store.RedirectionBySession(ctx, t, id)
	if err != nil {
		return x, invalidSessionID()
	}
	o, err := p.outcome(ctx, t, red)
	if err != nil {
		return x, err
	}
	if o.status == "pending" {
		return x, raise("NotSignedIn", http.StatusBadRequest, "The user has not signed in to the bank yet.")
	}
	if x, err = p.store.ImportSession(ctx, t, id); err != nil {
		return x, invalidSessionID()
	}
	return x, nil
}

// plan is how a command will run, as the tenant's scenario says.
type plan struct {
	run              time.Duration
	failure, message string
	fatal            bool
}

// commandPlan looks up the scenario's command behaviour for the session's
// PSU: how long commands run and whether they fail.
func (p *Provider) commandPlan(ctx context.Context, t *emulator.Tenant, x emulator.ImportSession) (plan, error) {
	out := plan{run: CommandRun}
	c, err := p.store.Connection(ctx, t, x.ConnectionID)
	if err != nil {
		return out, invalidSessionID()
	}
	psu, err := p.store.PSU(ctx, t, c.PSUID)
	if err != nil {
		return out, err
	}
	return planFor(t.Behaviour, psu.Login, out), nil
}

// command reads a command and the session it runs on.
func (p *Provider) command(ctx context.Context, t *emulator.Tenant, id string) (emulator.ImportCommand, emulator.ImportSession, error) {
	c, err := p.store.ImportCommand(ctx, t, id)
	if err != nil {
		return c, emulator.ImportSession{}, err
	}
	x, err := p.store.ImportSession(ctx, t, c.SessionID)
	return c, x, err
}

// imported is what a successful default import returns: the session's
// connection, its PSU and accounts, each with its booked history since the
// asked date, capped by the session's window, and pending movements.
type imported struct {
	bank     emulator.Bank
	psu      emulator.PSU
	accounts []importedAccount
}

type importedAccount struct {
	account  emulator.Account
	balances emulator.Balances
	txs      []emulator.Transaction // newest first
	today    string
}

func (p *Provider) importedData(ctx context.Context, t *emulator.Tenant, c emulator.ImportCommand, x emulator.ImportSession) (imported, error) {
	var out imported
	conn, err := p.store.Connection(ctx, t, x.ConnectionID)
	if err != nil {
		return out, err
	}
	if out.bank, err = p.store.Bank(ctx, t, conn.BankID); err != nil {
		return out, err
	}
	if out.psu, err = p.store.PSU(ctx, t, conn.PSUID); err != nil {
		return out, err
	}
	accts, err := p.store.ConnectionAccounts(ctx, t, conn.ID)
	if err != nil {
		return out, err
	}
	from := c.Since
	if x.HistoryFrom > from {
		from = x.HistoryFrom
	}
	today := emulator.Day(p.store.Now(t))
	for _, a := range accts {
		b, err := p.store.Balances(ctx, t, a)
		if err != nil {
			return out, err
		}
		txs, err := p.store.Transactions(ctx, t, a.ID, store.TransactionFilter{From: from})
		if err != nil {
			return out, err
		}
		out.accounts = append(out.accounts, importedAccount{account: a, balances: b, txs: txs, today: today})
	}
	return out, nil
}

// The live contract's command replies.

func (p *Provider) liveCommandXML(ctx context.Context, t *emulator.Tenant, c emulator.ImportCommand, x emulator.ImportSession) (*commandXML, error) {
	now := p.store.Now(t)
	state := c.State(now)
	out := &commandXML{ID: c.ID, State: liveState(state, c.Fatal), Name: c.Name, Progress: progressXML{Value: c.Progress(now)}}
	switch state {
	case emulator.CommandSucceeded:
		data, err := p.importedData(ctx, t, c, x)
		if err != nil {
			return nil, err
		}
		out.Target, out.Institution = data.bank.ID, institution(data.bank)
		out.Result = liveResult(data)
	case emulator.CommandFailed:
		out.Exception = &exceptionXML{Name: c.Failure, Message: c.FailureMessage, FriendlyMessage: friendly(c.Failure)}
	}
	return out, nil
}

func liveResult(d imported) *resultXML {
	psu := ownerXML{Name: d.psu.FullName, Address: d.psu.Address, Phone: d.psu.Phone, Email: d.psu.Email, Kind: "OWNER"}
	res := &resultXML{Owners: ownersXML{Owner: []ownerXML{psu}}}
	seen := map[string]bool{psu.Name: true}
	for _, a := range d.accounts {
		// The PSU owns every account; co-owners are named on theirs and
		// once in the import's owners, as CO_OWNER (notes §2, §6).
		owners := ownersXML{Owner: []ownerXML{psu}}
		for _, name := range a.account.CoOwners {
			co := ownerXML{Name: name, Kind: "CO_OWNER"}
			owners.Owner = append(owners.Owner, co)
			if !seen[name] {
				seen[name] = true
				res.Owners.Owner = append(res.Owners.Owner, co)
			}
		}
		acc := accountXML{
			Name: a.account.Name, FriendlyName: a.account.Name, IBAN: a.account.IBAN,
			CurrencyBalance: emulator.Decimal(a.balances.BookedCents), CurrencyFundsAvailable: emulator.Decimal(a.balances.AvailableCents()),
			CurrencyName: a.account.Currency, Owners: owners,
			DirectDebit: directDebitXML{Available: a.account.Type == emulator.AccountCurrent},
		}
		// Running balances, newest first: the booked balance after the
		// newest booked movement, then back through the history.
		running := a.balances.BookedCents
		for _, x := range a.txs {
			m := moneyTransactionXML{TransactionOn: x.ValueDate, CurrencyAmount: emulator.Decimal(x.AmountCents), Title: x.Description,
				Party: x.CounterpartyName, PartyIBAN: x.CounterpartyIBAN, Kind: kindOf(x), Labels: labelsXML{Label: labelsOf(x)}}
			if m.TransactionOn == "" {
				m.TransactionOn = x.BookingDate
			}
			if x.Booked(a.today) {
				m.BookedOn, m.Status, m.CurrencyBalance = x.BookingDate, "DONE", emulator.Decimal(running)
				running -= x.AmountCents
			} else {
				m.Status = "PENDING"
			}
			acc.MoneyTransactions.MoneyTransaction = append(acc.MoneyTransactions.MoneyTransaction, m)
		}
		if n := len(a.txs); n > 0 {
			acc.ActiveSinceAtLeast = a.txs[n-1].BookingDate
		}
		res.Accounts.Account = append(res.Accounts.Account, acc)
	}
	return res
}

// friendly is the end-user text Kontomatik puts beside a command's
// exception (notes §2).
func friendly(name string) string {
	switch name {
	case "SessionExpired":
		return "Your bank session has expired. Please sign in again."
	case "InvalidCredentials":
		return "The bank did not accept your login details."
	case "ServiceMaintenance", "ServiceTemporarilyUnavailable":
		return "Your bank is not available at the moment. Please try again later."
	}
	return "We could not import your data from the bank. Please try again."
}

func (p *Provider) liveStartImport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	f, err := formOf(r)
	if err != nil {
		return err
	}
	c, x, err := p.startImport(ctx, t, importRequestOf(f))
	if err != nil {
		return err
	}
	rep := p.reply(r, http.StatusAccepted)
	rep.OwnerExternalID = ownerOf(t, x)
	if rep.Command, err = p.liveCommandXML(ctx, t, c, x); err != nil {
		return err
	}
	return p.writeReply(w, rep)
}

func (p *Provider) liveCommand(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	c, x, err := p.command(ctx, t, httpapi.Var(r, "id"))
	if err != nil {
		return err
	}
	rep := p.reply(r, http.StatusOK)
	rep.OwnerExternalID = ownerOf(t, x)
	if rep.Command, err = p.liveCommandXML(ctx, t, c, x); err != nil {
		return err
	}
	return p.writeReply(w, rep)
}
