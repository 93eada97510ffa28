package finqlink

import (
	"encoding/json"
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// subjectBody is what a FinqLink body may say about its bank: a provider
// named directly (providers/get), in a filter (links/create,
// ais/consents/create), or through the link or consent it names.
type subjectBody struct {
	ProviderID    string `json:"provider_id"`
	PaymentMethod struct {
		ProviderID string `json:"provider_id"`
	} `json:"payment_method"`
	AisMethod struct {
		ProviderID string `json:"provider_id"`
	} `json:"ais_method"`
	LinkID    string `json:"link_id"`
	ConsentID string `json:"consent_id"`
}

// subject tells fault rules which bank and PSU a request concerns, so a
// scenario's "rzb_ro is down" refuses exactly the calls that would reach
// rzb_ro. FinqLink names the bank in JSON bodies; a body that does not
// parse, or names an unknown link or consent, leaves the parts empty (the
// handler then reports the bad input).
func (p *Provider) subject(r *http.Request) httpapi.Subject {
	out := httpapi.Subject{Provider: emulator.FinqLink}
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	raw, err := httpapi.ReadBody(r)
	if err != nil || t == nil {
		return out
	}
	var in subjectBody
	if json.Unmarshal(raw, &in) != nil {
		return out
	}
	for _, id := range []string{in.ProviderID, in.PaymentMethod.ProviderID, in.AisMethod.ProviderID} {
		if id != "" {
			out.Bank = id
			return out
		}
	}
	switch {
	case in.LinkID != "":
		if l, err := p.store.Link(ctx, t, in.LinkID); err == nil {
			out.Bank = l.BankID
			if out.Bank == "" {
				out.Bank = l.Method.ProviderID
			}
		}
	case in.ConsentID != "":
		c, err := p.store.AISConsent(ctx, t, in.ConsentID)
		if err != nil {
			return out
		}
		out.Bank = c.BankID
		if out.Bank == "" {
			out.Bank = c.Method.ProviderID
		}
		if c.ConnectionID == "" {
			return out
		}
		if conn, err := p.store.Connection(ctx, t, c.ConnectionID); err == nil {
			if psu, err := p.store.PSU(ctx, t, conn.PSUID); err == nil {
				out.PSU = psu.Login
			}
		}
	}
	return out
}
