package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// FinqLink's scheduled events. Each runs in its own transaction with the
// webhook it causes (DESIGN.md §6–7).
const (
	// EventLinkStep moves a payment link on by itself after the payer
	// authorized it (received → submitted → completed → funds_*).
	EventLinkStep = "finqlink.link.step"
	// EventConsentStep moves a consent on by itself: authorized → active,
	// and to expired at its link's expiry or its validity's end.
	EventConsentStep = "finqlink.consent.step"
	// EventJobStep moves a data refresh job on to its next status.
	EventJobStep = "finqlink.job.step"
)

// scaChanged lets the FinqLink link or consent a journey belongs to follow
// the journey, in the journey's own transaction: a bank chosen, a PSU
// logged in, an approval or a failure each move the resource's status and
// write its webhook with the change.
func scaChanged(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, x emulator.SCASession, now time.Time) error {
	if x.Provider != emulator.FinqLink {
		return nil
	}
	if err := linkSCAChanged(ctx, tx, t, x, now); err != nil {
		return err
	}
	return consentSCAChanged(ctx, tx, t, x, now)
}

// finqlinkEvent runs one of FinqLink's due events; ok is false for a kind
// that is not FinqLink's.
func finqlinkEvent(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, ev dueEvent) (ok bool, err error) {
	switch ev.kind {
	case EventLinkStep:
		return true, linkEvent(ctx, tx, t, ev.ref, ev.due)
	case EventConsentStep:
		return true, consentEvent(ctx, tx, t, ev.ref, ev.due)
	case EventJobStep:
		return true, jobEvent(ctx, tx, t, ev.ref, ev.due)
	}
	return false, nil
}

// finqlinkWebhook writes the webhook of a FinqLink status change (body,
// of event type typ, about subject) to url, in the transaction of the
// change it reports; without a URL there is no webhook. Links, consents
// and jobs all write theirs here.
func finqlinkWebhook(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, now time.Time, typ, url, subject string, body any) error {
	if url == "" {
		return nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	_, err = enqueueWebhook(ctx, tx, t, now, emulator.Webhook{Provider: emulator.FinqLink, Type: typ, URL: url, Body: b, Subject: subject})
	return err
}

// startFinqLinkJourney creates the bank journey of a link or a consent:
// an SCA session at bank (its own SCA model, redirect when it names none)
// whose State is the resource's web_id and RedirectURI returnURL, living
// ttl but never past the resource's expiry.
func startFinqLinkJourney(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, bank emulator.Bank, webID, returnURL, scope string, ttl time.Duration, expires, now time.Time) (emulator.SCASession, error) {
	model := bank.Model
	if model == "" {
		model = emulator.SCARedirect
	}
	return createSCASession(ctx, tx, t, emulator.SCASession{
		Provider: emulator.FinqLink, BankID: bank.ID, Model: model, Step: emulator.StepLogin,
		State: webID, RedirectURI: returnURL, Scope: scope,
	}, now, min(ttl, expires.Sub(now)))
}
