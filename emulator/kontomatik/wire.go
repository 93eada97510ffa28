package kontomatik

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// The live contract's XML (specs/kontomatik/live.yaml), in the element
// order of the captured replies (notes §2).

type replyXML struct {
	XMLName           xml.Name      `xml:"reply"`
	Status            string        `xml:"status,attr"`
	User              string        `xml:"user,attr,omitempty"`
	OwnerExternalID   string        `xml:"ownerExternalId,attr,omitempty"`
	ResponseTimestamp string        `xml:"responseTimestamp,attr"`
	Command           *commandXML   `xml:"command,omitempty"`
	Session           *sessionXML   `xml:"session,omitempty"`
	Targets           *targetsXML   `xml:"targets,omitempty"`
	Exception         *exceptionXML `xml:"exception,omitempty"`
	Comment           string        `xml:"comment,omitempty"`
	code              int
}

func (r *replyXML) setStatus(code int) {
	r.code = code
	r.Status = fmt.Sprintf("%d %s", code, http.StatusText(code))
}

// reply starts a reply: the client's user name (a handle of the tenant,
// never its key) and the time on the tenant's clock when it is known.
func (p *Provider) reply(r *http.Request, code int) *replyXML {
	now := p.store.Clock().Now()
	rep := &replyXML{}
	if t := httpapi.TenantFrom(r.Context()); t != nil {
		now = p.store.Now(t)
		rep.User = "sandbank-" + t.Key()
	}
	rep.ResponseTimestamp = now.UTC().Format(time.RFC3339)
	if code != 0 {
		rep.setStatus(code)
	}
	return rep
}

func (p *Provider) writeReply(w http.ResponseWriter, rep *replyXML) error {
	return httpapi.XML(w, rep.code, rep)
}

type exceptionXML struct {
	Name            string `xml:"name,attr"`
	Message         string `xml:"message"`
	FriendlyMessage string `xml:"friendlyMessage,omitempty"`
}

type sessionXML struct {
	ID               string `xml:"id,attr"`
	Signature        string `xml:"signature,attr"`
	MultipleAccessID string `xml:"multipleAccessId,attr,omitempty"`
}

// sessionOf is the live <session> of a signed-in session.
func sessionOf(t *emulator.Tenant, x emulator.ImportSession) *sessionXML {
	return &sessionXML{ID: x.ID, Signature: signature(t, x.ID), MultipleAccessID: x.ConsentID}
}

type commandXML struct {
	ID          string        `xml:"id,attr"`
	State       string        `xml:"state,attr"`
	Name        string        `xml:"name,attr"`
	Target      string        `xml:"target,attr,omitempty"`
	Institution string        `xml:"institution,attr,omitempty"`
	Progress    progressXML   `xml:"progress"`
	Result      *resultXML    `xml:"result,omitempty"`
	Exception   *exceptionXML `xml:"exception,omitempty"`
}

type progressXML struct {
	Value int `xml:"value"`
}

type resultXML struct {
	Owners   ownersXML   `xml:"owners"`
	Accounts accountsXML `xml:"accounts"`
}

type ownersXML struct {
	Owner []ownerXML `xml:"owner"`
}

type accountsXML struct {
	Account []accountXML `xml:"account"`
}

type ownerXML struct {
	Name    string `xml:"name"`
	Address string `xml:"address,omitempty"`
	Phone   string `xml:"phone,omitempty"`
	Email   string `xml:"email,omitempty"`
	Kind    string `xml:"kind"`
}

type accountXML struct {
	Name                   string               `xml:"name"`
	FriendlyName           string               `xml:"friendlyName"`
	IBAN                   string               `xml:"iban"`
	CurrencyBalance        string               `xml:"currencyBalance"`
	CurrencyFundsAvailable string               `xml:"currencyFundsAvailable"`
	CurrencyName           string               `xml:"currencyName"`
	ActiveSinceAtLeast     string               `xml:"activeSinceAtLeast,omitempty"`
	DirectDebit            directDebitXML       `xml:"directDebit"`
	MoneyTransactions      moneyTransactionsXML `xml:"moneyTransactions"`
	Owners                 ownersXML            `xml:"owners"`
}

// directDebitXML says whether the account takes direct debits, an empty
// element with one attribute in the captured replies (notes §2).
type directDebitXML struct {
	Available bool `xml:"available,attr"`
}

type moneyTransactionsXML struct {
	MoneyTransaction []moneyTransactionXML `xml:"moneyTransaction"`
}

type moneyTransactionXML struct {
	TransactionOn   string    `xml:"transactionOn"`
	BookedOn        string    `xml:"bookedOn,omitempty"`
	CurrencyAmount  string    `xml:"currencyAmount"`
	CurrencyBalance string    `xml:"currencyBalance,omitempty"`
	Title           string    `xml:"title"`
	Party           string    `xml:"party,omitempty"`
	PartyIBAN       string    `xml:"partyIban,omitempty"`
	Kind            string    `xml:"kind,omitempty"`
	Status          string    `xml:"status"`
	Labels          labelsXML `xml:"labels"`
}

type labelsXML struct {
	Label []string `xml:"label"`
}

type targetsXML struct {
	Target []targetXML `xml:"target"`
}

type targetXML struct {
	Country               string             `xml:"country,attr"`
	Name                  string             `xml:"name,attr"`
	Institution           string             `xml:"institution,attr"`
	OfficialName          string             `xml:"officialName,attr"`
	OfficialURL           string             `xml:"officialUrl,attr,omitempty"`
	LoginName             string             `xml:"loginName,attr,omitempty"`
	Beta                  bool               `xml:"beta,attr,omitempty"`
	PSD2                  bool               `xml:"psd2,attr,omitempty"`
	SupportedAccountTypes accountTypesXML    `xml:"supportedAccountTypes"`
	Commands              catalogCommandsXML `xml:"commands"`
}

type accountTypesXML struct {
	Type []namedXML `xml:"supportedAccountType"`
}

type catalogCommandsXML struct {
	Command []namedXML `xml:"command"`
}

type namedXML struct {
	Name string `xml:"name,attr"`
}

// liveState names a command's state as the real API does (notes §2): a
// failure is "error", or "fatal" when the scenario's rule says so.
func liveState(s emulator.CommandState, fatal bool) string {
	switch s {
	case emulator.CommandQueued:
		return "setup"
	case emulator.CommandRunning:
		return "in_progress"
	case emulator.CommandSucceeded:
		return "successful"
	}
	if fatal {
		return "fatal"
	}
	return "error"
}

// specStatus names it as the given document does.
func specStatus(s emulator.CommandState) string {
	switch s {
	case emulator.CommandQueued:
		return "QUEUED"
	case emulator.CommandRunning:
		return "RUNNING"
	case emulator.CommandSucceeded:
		return "COMPLETED"
	}
	return "FAILED"
}
