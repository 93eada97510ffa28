package kontomatik

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// signIn is what a client asks of a SignIn redirection, in either dialect.
type signIn struct {
	dialect string
	target  string
	mode    emulator.AccessMode
	back    string // where the user returns
	owner   string
	country string
	locale  string
}

// beginSignIn starts the journey on Kontomatik's SignIn page (the bank
// list; a target skips it) and records the redirection. It answers the
// journey and the page the user goes to.
func (p *Provider) beginSignIn(r *http.Request, in signIn) (emulator.SCASession, emulator.Redirection, string, error) {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	if in.back != "" {
		if u, err := url.Parse(in.back); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return emulator.SCASession{}, emulator.Redirection{}, "", emulator.FieldError(emulator.CodeInvalid, "redirectUri", "must be an absolute http(s) URL")
		}
	}
	if err := checkOwner(in.owner); err != nil {
		return emulator.SCASession{}, emulator.Redirection{}, "", err
	}
	if in.country != "" {
		if ok, err := p.servesCountry(ctx, t, in.country); err != nil || !ok {
			if err != nil {
				return emulator.SCASession{}, emulator.Redirection{}, "", err
			}
			return emulator.SCASession{}, emulator.Redirection{}, "", raise("InvalidParameter", http.StatusBadRequest, "country %q has no targets in the catalogue.", in.country)
		}
	}
	if in.mode == "" {
		in.mode = emulator.AccessSingle
	}
	sca := emulator.SCASession{Provider: emulator.Kontomatik, Model: emulator.SCARedirect, Step: emulator.StepSelectBank, RedirectURI: in.back, Scope: "accounts,transactions"}
	if in.target != "" {
		b, err := p.store.Bank(ctx, t, in.target)
		if err != nil {
			return sca, emulator.Redirection{}, "", raise("InvalidTarget", http.StatusBadRequest, "Target %q is not in the catalogue.", in.target)
		}
		if in.mode.Standing() && !infoOf(b).psd2 {
			return sca, emulator.Redirection{}, "", raise("InvalidTarget", http.StatusBadRequest, "Target %q offers single access only: Multiple Access needs a PSD2 target.", in.target)
		}
		sca.BankID, sca.Model, sca.Step = b.ID, b.Model, emulator.StepLogin
	}
	red := emulator.Redirection{Dialect: in.dialect, RedirectURI: in.back, OwnerExternalID: in.owner, Country: strings.ToLower(in.country), Locale: in.locale, Mode: in.mode}
	s, red, err := p.store.CreateRedirection(ctx, t, sca, red, RedirectionTTL)
	if err != nil {
		return s, red, "", err
	}
	return s, red, bank.JourneyURL(httpapi.BaseURL(r), t, s.ID), nil
}

// signInOutcome is where a redirection stands, in the domain's terms.
type signInOutcome struct {
	status  string // pending, successful, failed, expired
	red     emulator.Redirection
	session emulator.SCASession
	target  emulator.Bank
}

// outcome reads a redirection's journey and, once the user has signed in,
// opens its session (and standing consent) on the first look.
func (p *Provider) outcome(ctx context.Context, t *emulator.Tenant, red emulator.Redirection) (signInOutcome, error) {
	s, err := p.store.SCASession(ctx, t, red.ID)
	if err != nil {
		return signInOutcome{}, err
	}
	out := signInOutcome{status: "pending", red: red, session: s}
	switch {
	case s.Status == emulator.SCACompleted && p.opened(ctx, t, red):
		out.status = "successful"
	case s.Status == emulator.SCACompleted:
		if out.red, err = p.store.CompleteRedirection(ctx, t, red.ID, store.SessionRequest{
			ConnectionID: s.ConnectionID, ConsentTTL: ConsentTTL, SessionTTL: SessionTTL,
		}); err != nil {
			return out, err
		}
		out.status = "successful"
	case s.Status == emulator.SCAFailed:
		out.status = "failed"
		if s.Failure == emulator.FailTimeout || s.Failure == emulator.FailExpired {
			out.status = "expired"
		}
	}
	if s.BankID != "" {
		if out.target, err = p.store.Bank(ctx, t, s.BankID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// opened reports whether a redirection's session is open already: status
// reads after the first then need no write.
func (p *Provider) opened(ctx context.Context, t *emulator.Tenant, red emulator.Redirection) bool {
	_, err := p.store.ImportSession(ctx, t, red.SessionID)
	return err == nil
}

// ReturnURL sends the user back to the client with the redirection's id:
// redirectionId on the live contract, sessionId on the given one.
func (p *Provider) ReturnURL(t *emulator.Tenant, s emulator.SCASession) (string, error) {
	red, err := p.store.Redirection(context.Background(), t, s.ID)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s.RedirectURI)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if red.Dialect == dialectSpec {
		q.Set("sessionId", red.SessionID)
	} else {
		q.Set("redirectionId", red.ID)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// The given document's redirection (specs/kontomatik/ais.yaml).

type specSignInRequest struct {
	Target          string              `json:"target"`
	AccessMode      emulator.AccessMode `json:"accessMode"`
	OwnerExternalID string              `json:"ownerExternalId"`
	RedirectURL     string              `json:"redirectUrl"`
}

type specSignInResponse struct {
	SessionID          string `json:"sessionId"`
	SessionIDSignature string `json:"sessionIdSignature"`
	RedirectURL        string `json:"redirectUrl"`
}

type specSignInStatus struct {
	SessionID string `json:"sessionId"`
	Status    string `json:"status"`
}

func (p *Provider) specStartRedirection(w http.ResponseWriter, r *http.Request) error {
	var in specSignInRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	_, red, page, err := p.beginSignIn(r, signIn{dialect: dialectSpec, target: in.Target, mode: in.AccessMode, back: in.RedirectURL, owner: in.OwnerExternalID})
	if err != nil {
		return err
	}
	t := httpapi.TenantFrom(r.Context())
	return httpapi.JSON(w, http.StatusOK, specSignInResponse{SessionID: red.SessionID, SessionIDSignature: signature(t, red.SessionID), RedirectURL: page})
}

// specRedirectionStatus serves GET /signin/redirection-status?sessionId=.
func (p *Provider) specRedirectionStatus(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	id := r.URL.Query().Get("sessionId")
	red, err := p.store.RedirectionBySession(ctx, t, id)
	if err != nil {
		return invalidSessionID()
	}
	o, err := p.outcome(ctx, t, red)
	if err != nil {
		return err
	}
	status := map[string]string{"pending": "PENDING", "successful": "COMPLETED", "failed": "FAILED", "expired": "EXPIRED"}[o.status]
	return httpapi.JSON(w, http.StatusOK, specSignInStatus{SessionID: id, Status: status})
}

// The live redirection (specs/kontomatik/live.yaml, notes §3).

type liveSignInRequest struct {
	RedirectURI     string `json:"redirectUri"`
	OwnerExternalID string `json:"ownerExternalId"`
	Country         string `json:"country"`
	Locale          string `json:"locale"`
	Target          string `json:"target"`
	PSD2            struct {
		AccessMode emulator.AccessMode `json:"accessMode"`
	} `json:"psd2"`
}

type liveSignInResponse struct {
	RedirectionID   string `json:"redirectionId"`
	RedirectionLink string `json:"redirectionLink"`
}

type liveSignInParams struct {
	SessionID          string `json:"sessionId,omitempty"`
	SessionIDSignature string `json:"sessionIdSignature,omitempty"`
	MultipleAccessID   string `json:"multipleAccessId,omitempty"`
	Target             string `json:"target,omitempty"`
	OfficialName       string `json:"officialName,omitempty"`
	Exception          string `json:"exception,omitempty"`
}

type liveSignInStatus struct {
	Status string           `json:"status"`
	Params liveSignInParams `json:"params"`
}

func (p *Provider) liveStartRedirection(w http.ResponseWriter, r *http.Request) error {
	var in liveSignInRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	_, red, page, err := p.beginSignIn(r, signIn{dialect: dialectLive, target: in.Target, mode: in.PSD2.AccessMode, back: in.RedirectURI,
		owner: in.OwnerExternalID, country: in.Country, locale: in.Locale})
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, liveSignInResponse{RedirectionID: red.ID, RedirectionLink: page})
}

// liveRedirectionStatus serves GET /signin/redirection-status?redirectionId=.
func (p *Provider) liveRedirectionStatus(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	red, err := p.store.Redirection(ctx, t, r.URL.Query().Get("redirectionId"))
	if err != nil {
		return raise("InvalidParameter", http.StatusNotFound, "No redirection %q.", r.URL.Query().Get("redirectionId"))
	}
	o, err := p.outcome(ctx, t, red)
	if err != nil {
		return err
	}
	out := liveSignInStatus{Status: o.status, Params: liveSignInParams{Target: o.target.ID, OfficialName: o.target.Name}}
	switch o.status {
	case "successful":
		out.Params.SessionID, out.Params.SessionIDSignature = o.red.SessionID, signature(t, o.red.SessionID)
		out.Params.MultipleAccessID = o.red.ConsentID
	case "failed":
		out.Params.Exception = "NotSignedIn"
	case "expired":
		out.Params.Exception = "SessionExpired"
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// ChooseBanks is Kontomatik's SignIn list: the targets of the country the
// client asked for (all, when it named none), and for Multiple or Mixed
// access only the PSD2 targets, the only ones that offer it (notes §4). A
// PSD2 target is labelled so, since each bank has a scraping target and a
// PSD2 one of the same name.
func (p *Provider) ChooseBanks(ctx context.Context, t *emulator.Tenant, s emulator.SCASession, all []emulator.Bank) ([]emulator.Bank, error) {
	red, err := p.store.Redirection(ctx, t, s.ID)
	if err != nil {
		return nil, err
	}
	var out []emulator.Bank
	for _, b := range all {
		info := infoOf(b)
		if red.Country != "" && !strings.EqualFold(red.Country, b.Country) {
			continue
		}
		if red.Mode.Standing() && !info.psd2 {
			continue
		}
		if info.psd2 {
			b.Name += " (PSD2)"
		}
		out = append(out, b)
	}
	return out, nil
}

// servesCountry reports whether the world's catalogue has a target in the
// country (two letters, any case).
func (p *Provider) servesCountry(ctx context.Context, t *emulator.Tenant, country string) (bool, error) {
	banks, err := p.store.Banks(ctx, t)
	if err != nil {
		return false, err
	}
	for _, b := range banks {
		if strings.EqualFold(b.Country, country) {
			return true, nil
		}
	}
	return false, nil
}

// checkOwner refuses an ownerExternalId Kontomatik could not key its data
// by. No source gives the rule; Sandbank's: 1–128 characters of letters,
// digits and "-_.:@", which covers UUIDs, database keys and e-mails.
func checkOwner(owner string) error {
	if owner == "" {
		return nil
	}
	ok := len(owner) <= 128
	for _, c := range owner {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:@", c)) {
			ok = false
		}
	}
	if !ok {
		return raise("InvalidOwnerExternalId", http.StatusBadRequest, "ownerExternalId must be 1 to 128 letters, digits or -_.:@, got %q.", owner)
	}
	return nil
}
