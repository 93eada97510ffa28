package kontomatik

import (
	"bytes"
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// formOf reads a form body once per request: it puts the bytes back for
// validation and keeps the values in r.PostForm, which the requests the
// inner layers derive (WithContext) share, so auth, fault subjects and the
// handler do not read and parse it again.
func formOf(r *http.Request) (url.Values, error) {
	if r.PostForm != nil {
		return r.PostForm, nil
	}
	if r.Body == nil {
		return url.Values{}, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBody+1))
	if err != nil {
		return nil, emulator.Errorf(emulator.CodeInvalid, "the request body could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, emulator.FieldError(emulator.CodeInvalid, "body", "malformed form body: %v", err)
	}
	r.PostForm = v
	return v, nil
}

// ownerOf is the session's ownerExternalId. A client that sent none gets
// one Kontomatik-style, kontomatik-<uuid> (notes §2), derived from the
// session so it is stable.
func ownerOf(t *emulator.Tenant, x emulator.ImportSession) string {
	if x.OwnerExternalID != "" {
		return x.OwnerExternalID
	}
	sum := sha256.Sum256([]byte(t.Credential + "/owner/" + x.ID))
	return fmt.Sprintf("kontomatik-%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// mockTarget is the KontoBank of a country: KontoBank in Poland,
// KontoBank_<cc> elsewhere, and their PSD2 "Api" targets for Multiple
// Access (notes §6).
func mockTarget(country string, psd2 bool) string {
	c := strings.ToLower(country)
	name := "KontoBank"
	if psd2 {
		name += "Api"
	}
	if c == "" || c == "pl" {
		return name
	}
	return name + "_" + c
}

// mockSignIn signs a KontoBank login in straight away.
func (p *Provider) mockSignIn(r *http.Request, f url.Values) (emulator.ImportSession, error) {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	login := f.Get("login")
	if login == "" {
		login = "test"
	}
	if err := checkOwner(f.Get("ownerExternalId")); err != nil {
		return emulator.ImportSession{}, err
	}
	standing := f.Get("multipleAccess") == "true"
	target := mockTarget(f.Get("country"), standing)
	b, err := p.store.Bank(ctx, t, target)
	if err != nil {
		return emulator.ImportSession{}, raise("InvalidTarget", http.StatusBadRequest, "There is no %s in this world's catalogue.", target)
	}
	psu, err := p.store.PSUByLogin(ctx, t, b.ID, login)
	if err != nil {
		return emulator.ImportSession{}, raise("InvalidCredentials", http.StatusBadRequest, "KontoBank has no login %q.", login)
	}
	return p.store.SignInDirectly(ctx, t, b.ID, psu.ID, store.SessionRequest{
		OwnerExternalID: f.Get("ownerExternalId"), Standing: standing, ConsentTTL: ConsentTTL, SessionTTL: SessionTTL,
	})
}

func (p *Provider) liveMockSession(w http.ResponseWriter, r *http.Request) error {
	f, err := formOf(r)
	if err != nil {
		return err
	}
	x, err := p.mockSignIn(r, f)
	if err != nil {
		return err
	}
	t := httpapi.TenantFrom(r.Context())
	rep := p.reply(r, http.StatusOK)
	rep.OwnerExternalID = ownerOf(t, x)
	rep.Session = sessionOf(t, x)
	return p.writeReply(w, rep)
}

// reuse opens a session on a standing consent: the last 90 days of
// history, without the user (notes §4).
func (p *Provider) reuse(r *http.Request, id string) (emulator.ImportSession, error) {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	from := emulator.Day(p.store.Now(t).Add(-ReuseHistory))
	return p.store.ReuseConsent(ctx, t, id, from, SessionTTL)
}

func (p *Provider) liveReuse(w http.ResponseWriter, r *http.Request) error {
	f, err := formOf(r)
	if err != nil {
		return err
	}
	x, err := p.reuse(r, f.Get("multipleAccessId"))
	if err != nil {
		return err
	}
	t := httpapi.TenantFrom(r.Context())
	rep := p.reply(r, http.StatusOK)
	rep.Session = sessionOf(t, x)
	return p.writeReply(w, rep)
}

func (p *Provider) revoke(r *http.Request, id string) error {
	return p.store.RevokeConsent(r.Context(), httpapi.TenantFrom(r.Context()), id)
}

func (p *Provider) liveDeleteAccess(w http.ResponseWriter, r *http.Request) error {
	f, err := formOf(r)
	if err != nil {
		return err
	}
	if err := p.revoke(r, f.Get("multipleAccessId")); err != nil {
		return err
	}
	return p.writeReply(w, p.reply(r, http.StatusOK))
}

// The given document's commands and sessions: XML without attributes,
// root elements named after the document's schemas, arrays as repeated
// elements (the OpenAPI XML defaults).

type specCommandAccepted struct {
	XMLName xml.Name `xml:"CommandAccepted"`
	ID      string   `xml:"id"`
	Status  string   `xml:"status"`
}

type specMockSession struct {
	XMLName            xml.Name `xml:"MockSession"`
	SessionID          string   `xml:"sessionId"`
	SessionIDSignature string   `xml:"sessionIdSignature"`
}

type specCommandResult struct {
	XMLName             xml.Name      `xml:"CommandResult"`
	ID                  string        `xml:"id"`
	Status              string        `xml:"status"`
	Target              string        `xml:"target,omitempty"`
	Owners              []specOwner   `xml:"owners"`
	Accounts            []specAccount `xml:"accounts"`
	MultipleAccessToken string        `xml:"multipleAccessToken,omitempty"`
	Exception           *exceptionXML `xml:"exception,omitempty"`
}

type specOwner struct {
	ExternalID string `xml:"externalId"`
	Name       string `xml:"name"`
	Email      string `xml:"email,omitempty"`
}

type specAccount struct {
	Number           string            `xml:"number"`
	Currency         string            `xml:"currency"`
	Balance          string            `xml:"balance"`
	AvailableBalance string            `xml:"availableBalance"`
	Transactions     []specTransaction `xml:"transactions"`
}

type specTransaction struct {
	Date                string `xml:"date"`
	Amount              string `xml:"amount"`
	Currency            string `xml:"currency"`
	Description         string `xml:"description"`
	CounterpartyName    string `xml:"counterpartyName,omitempty"`
	CounterpartyAccount string `xml:"counterpartyAccount,omitempty"`
	Label               string `xml:"label,omitempty"`
}

func (p *Provider) specMockSession(w http.ResponseWriter, r *http.Request) error {
	f, err := formOf(r)
	if err != nil {
		return err
	}
	x, err := p.mockSignIn(r, f)
	if err != nil {
		return err
	}
	return httpapi.XML(w, http.StatusOK, specMockSession{SessionID: x.ID, SessionIDSignature: signature(httpapi.TenantFrom(r.Context()), x.ID)})
}

func (p *Provider) specStartImport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	f, err := formOf(r)
	if err != nil {
		return err
	}
	c, _, err := p.startImport(ctx, t, importRequestOf(f))
	if err != nil {
		return err
	}
	return httpapi.XML(w, http.StatusOK, specCommandAccepted{ID: c.ID, Status: specStatus(c.State(p.store.Now(t)))})
}

// specReuse serves the given document's reuse: multipleAccessToken and
// since start an import on a new session at once.
func (p *Provider) specReuse(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	f, err := formOf(r)
	if err != nil {
		return err
	}
	x, err := p.reuse(r, f.Get("multipleAccessToken"))
	if err != nil {
		return err
	}
	c, _, err := p.startImport(ctx, t, importRequest{sessionID: x.ID, sig: signature(t, x.ID), since: f.Get("since")})
	if err != nil {
		return err
	}
	return httpapi.XML(w, http.StatusOK, specCommandAccepted{ID: c.ID, Status: specStatus(c.State(p.store.Now(t)))})
}

func (p *Provider) specDeleteAccess(w http.ResponseWriter, r *http.Request) error {
	f, err := formOf(r)
	if err != nil {
		return err
	}
	if err := p.revoke(r, f.Get("multipleAccessToken")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (p *Provider) specCommand(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	c, x, err := p.command(ctx, t, httpapi.Var(r, "id"))
	if err != nil {
		return err
	}
	now := p.store.Now(t)
	out := specCommandResult{ID: c.ID, Status: specStatus(c.State(now)), MultipleAccessToken: x.ConsentID}
	switch c.State(now) {
	case emulator.CommandSucceeded:
		d, err := p.importedData(ctx, t, c, x)
		if err != nil {
			return err
		}
		out.Target = d.bank.ID
		out.Owners = []specOwner{{ExternalID: ownerOf(t, x), Name: d.psu.FullName, Email: d.psu.Email}}
		for _, a := range d.accounts {
			sa := specAccount{Number: a.account.IBAN, Currency: a.account.Currency, Balance: emulator.Decimal(a.balances.BookedCents), AvailableBalance: emulator.Decimal(a.balances.AvailableCents())}
			for _, x := range a.txs {
				if !x.Booked(a.today) {
					continue
				}
				sa.Transactions = append(sa.Transactions, specTransaction{Date: x.BookingDate, Amount: emulator.Decimal(x.AmountCents), Currency: x.Currency,
					Description: x.Description, CounterpartyName: x.CounterpartyName, CounterpartyAccount: x.CounterpartyIBAN, Label: firstLabel(x)})
			}
			out.Accounts = append(out.Accounts, sa)
		}
	case emulator.CommandFailed:
		out.Exception = &exceptionXML{Name: c.Failure, Message: c.FailureMessage, FriendlyMessage: friendly(c.Failure)}
	}
	return httpapi.XML(w, http.StatusOK, out)
}

func firstLabel(x emulator.Transaction) string {
	if l := labelsOf(x); len(l) > 0 {
		return l[0]
	}
	return ""
}
