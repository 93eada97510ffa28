package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// consentSCAChanged moves the consent whose journey x is, if any.
// (Placeholder: the consents helper replaces this file.)
func consentSCAChanged(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, x emulator.SCASession, now time.Time) error {
	return nil
}

// consentEvent runs a consent's due step.
func consentEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	return nil
}

// jobEvent runs a job's due step.
func jobEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ref string, due time.Time) error {
	return nil
}

// The WebUI's side of consents (the consents work fills these in).

// ConsentByWebID returns the consent whose web_id is webID (NotFound if
// none).
func (s *Store) ConsentByWebID(ctx context.Context, t *emulator.Tenant, webID string) (emulator.AISConsent, error) {
	return emulator.AISConsent{}, emulator.NotFound("consent", webID)
}

// OpenConsent records the account holder opening the consent's WebUI
// page: created → started (with its webhook); any other status is left
// alone.
func (s *Store) OpenConsent(ctx context.Context, t *emulator.Tenant, webID string) (emulator.AISConsent, error) {
	return emulator.AISConsent{}, emulator.NotFound("consent", webID)
}

// ChooseConsentBank records the bank chosen on the WebUI and starts the
// bank journey (an SCA session at bankID, RedirectURI returnURL, State the
// web_id, living ttl); the consent becomes sca_url_retrieved. An expired,
// final or already started journey is refused (Conflict), except that a
// consent already at this bank with its journey pending gets it back.
func (s *Store) ChooseConsentBank(ctx context.Context, t *emulator.Tenant, webID, bankID, returnURL string, ttl time.Duration) (emulator.AISConsent, emulator.SCASession, error) {
	return emulator.AISConsent{}, emulator.SCASession{}, emulator.NotFound("consent", webID)
}

// CancelConsent is the account holder cancelling on the WebUI before
// going to a bank: the consent becomes failed. A consent already at a
// bank, or final, is refused (Conflict).
func (s *Store) CancelConsent(ctx context.Context, t *emulator.Tenant, webID string) (emulator.AISConsent, error) {
	return emulator.AISConsent{}, emulator.NotFound("consent", webID)
}
