package fintecture

import (
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// subject tells fault rules which bank, PSU and account a request is
// about, from the ids Fintecture's paths and headers carry: the connection
// (customer_id) gives the bank and PSU, account_id the account, and
// provider_id or x-provider the bank. Lookups that fail leave the part
// empty; the handler reports the bad id itself.
func (p *Provider) subject(r *http.Request) httpapi.Subject {
	ctx := r.Context()
	out := httpapi.Subject{Provider: emulator.Fintecture}
	t := httpapi.TenantFrom(ctx)
	if t == nil {
		return out
	}
	out.Bank = httpapi.Var(r, "provider_id")
	if out.Bank == "" {
		out.Bank = r.Header.Get("x-provider")
	}
	if id := httpapi.Var(r, "customer_id"); id != "" {
		if c, err := p.store.Connection(ctx, t, id); err == nil {
			out.Bank = c.BankID
			if psu, err := p.store.PSU(ctx, t, c.PSUID); err == nil {
				out.PSU = psu.Login
			}
			if aid := httpapi.Var(r, "account_id"); aid != "" {
				if a, err := p.store.ConnectionAccount(ctx, t, c.ID, aid); err == nil {
					out.Account, out.IBAN = a.ID, a.IBAN
				}
			}
		}
	}
	return out
}
