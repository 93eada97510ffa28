package kontomatik

import (
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// subject tells fault rules which bank and PSU a request is about: a
// command's or a session's connection, or the target a redirection names.
// Lookups that fail leave the part empty; the handler reports the bad id.
func (p *Provider) subject(r *http.Request) httpapi.Subject {
	ctx := r.Context()
	out := httpapi.Subject{Provider: emulator.Kontomatik}
	t := httpapi.TenantFrom(ctx)
	if t == nil {
		return out
	}
	sessionID := r.URL.Query().Get("sessionId")
	if id := httpapi.Var(r, "id"); id != "" {
		if c, err := p.store.ImportCommand(ctx, t, id); err == nil {
			sessionID = c.SessionID
		}
	}
	if sessionID == "" {
		if f, err := formOf(r); err == nil {
			sessionID = f.Get("sessionId")
			if login := f.Get("login"); login != "" {
				out.PSU = login
				out.Bank = mockTarget(f.Get("country"), f.Get("multipleAccess") == "true")
			}
		}
	}
	if sessionID == "" {
		return out
	}
	x, err := p.store.ImportSession(ctx, t, sessionID)
	if err != nil {
		return out
	}
	if c, err := p.store.Connection(ctx, t, x.ConnectionID); err == nil {
		out.Bank = c.BankID
		if psu, err := p.store.PSU(ctx, t, c.PSUID); err == nil {
			out.PSU = psu.Login
		}
	}
	return out
}
