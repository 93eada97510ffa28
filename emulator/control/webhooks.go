package control

import (
	"context"
	"strconv"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/store"
)

// Webhooks lists a tenant's webhook deliveries, newest first, with their
// attempts; status (pending, delivered, failed) and subject filter them.
func (s *Service) Webhooks(ctx context.Context, key, status, subject, limit string) ([]client.WebhookDelivery, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return nil, err
	}
	f := store.WebhookFilter{Status: emulator.WebhookStatus(status), Subject: subject}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > 1000 {
			return nil, emulator.FieldError(emulator.CodeInvalid, "limit", "limit must be 1 to 1000, got %q", limit)
		}
		f.Limit = n
	}
	ds, err := s.store.WebhookDeliveries(ctx, t, f)
	if err != nil {
		return nil, err
	}
	out := make([]client.WebhookDelivery, 0, len(ds))
	for _, d := range ds {
		out = append(out, webhookView(d))
	}
	return out, nil
}

// Webhook shows one delivery.
func (s *Service) Webhook(ctx context.Context, key, id string) (client.WebhookDelivery, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.WebhookDelivery{}, err
	}
	d, err := s.store.WebhookDelivery(ctx, t, id)
	if err != nil {
		return client.WebhookDelivery{}, err
	}
	return webhookView(d), nil
}

// ResendWebhook enqueues a fresh copy of a delivery, due now, and sends
// what is due before it returns.
func (s *Service) ResendWebhook(ctx context.Context, key, id string) (client.WebhookDelivery, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.WebhookDelivery{}, err
	}
	d, err := s.store.ResendWebhook(ctx, t, id)
	if err != nil {
		return client.WebhookDelivery{}, err
	}
	if s.opts.FlushWebhooks != nil {
		if err := s.opts.FlushWebhooks(ctx, t); err != nil {
			s.opts.Log.Warn("control: flush webhooks after a resend", "tenant", t.Key(), "err", err)
		}
		if d, err = s.store.WebhookDelivery(ctx, t, d.ID); err != nil {
			return client.WebhookDelivery{}, err
		}
	}
	return webhookView(d), nil
}

func webhookView(d emulator.WebhookDelivery) client.WebhookDelivery {
	out := client.WebhookDelivery{
		ID: d.ID, Type: d.Type, URL: d.URL, Subject: d.Subject, Body: d.Body, Status: string(d.Status),
		CreatedAt: d.CreatedAt, DueAt: d.DueAt, DeliveredAt: d.DeliveredAt, LastError: d.LastError, ResentFrom: d.ResentFrom,
		Attempts: []client.WebhookAttempt{},
	}
	for _, a := range d.Attempts {
		ca := client.WebhookAttempt{N: a.N, At: a.At, DurationMS: a.Duration.Milliseconds(), Status: a.Status, Error: a.Error, Response: a.Response, KID: a.KID}
		for _, f := range a.Faults {
			ca.Faults = append(ca.Faults, string(f))
		}
		out.Attempts = append(out.Attempts, ca)
	}
	return out
}
