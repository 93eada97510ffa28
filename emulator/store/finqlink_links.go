package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// linkSCAChanged moves the link whose journey x is, if any. (Placeholder:
// the links helper replaces this file.)
func linkSCAChanged(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, x emulator.SCASession, now time.Time) error {
	return nil
}

// linkEvent runs a link's due step.
func linkEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	return nil
}

// The WebUI's side of links (the links work fills these in).

// LinkByWebID returns the link whose web_id is webID (NotFound if none).
func (s *Store) LinkByWebID(ctx context.Context, t *emulator.Tenant, webID string) (emulator.PayLink, error) {
	return emulator.PayLink{}, emulator.NotFound("link", webID)
}

// OpenLink records the payer opening the link's WebUI page: created →
// started (with its webhook); any other status is left alone. It returns
// the link as it now stands.
func (s *Store) OpenLink(ctx context.Context, t *emulator.Tenant, webID string) (emulator.PayLink, error) {
	return emulator.PayLink{}, emulator.NotFound("link", webID)
}

// ChooseLinkBank records the bank the payer chose on the WebUI and starts
// the bank journey: an SCA session at bankID whose RedirectURI is
// returnURL and State the web_id, living ttl; the link becomes requested.
// An expired, final or already requested link is refused (Conflict),
// except that a link already at this bank with its journey pending gets
// that journey back.
func (s *Store) ChooseLinkBank(ctx context.Context, t *emulator.Tenant, webID, bankID, returnURL string, ttl time.Duration) (emulator.PayLink, emulator.SCASession, error) {
	return emulator.PayLink{}, emulator.SCASession{}, emulator.NotFound("link", webID)
}

// CancelLink is the payer cancelling on the WebUI before going to a bank:
// the link becomes revoked. A link already at a bank, or final, is
// refused (Conflict).
func (s *Store) CancelLink(ctx context.Context, t *emulator.Tenant, webID string) (emulator.PayLink, error) {
	return emulator.PayLink{}, emulator.NotFound("link", webID)
}
