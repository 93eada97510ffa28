package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// webhookPage is how many deliveries a tenant's page lists: the newest,
// which are the ones someone debugging a receiver looks at. The control
// plane lists up to a thousand.
const webhookPage = 50

// webhookRow is one delivery in a tenant's list.
type webhookRow struct {
	client.WebhookDelivery
	Created stamp
	// Href is the delivery's own page, with every attempt.
	Href string
	// Last is the status the last attempt got, as a person reads it.
	Last string
	// LastFailed marks a last attempt that did not get a 2xx.
	LastFailed bool
}

// webhookView is the data of one delivery's page.
type webhookView struct {
	layout
	T    client.Tenant
	Href string // the tenant's page
	D    client.WebhookDelivery
	// Self is this page; ResentFrom the original's page, if this is a copy.
	Self, ResentFrom string
	Created, Due     stamp
	Delivered        *stamp
	// Body is the JSON sent, indented for reading; the receiver got the
	// stored bytes as they are, which the signature covers.
	Body     string
	Attempts []attemptRow
}

// attemptRow is one request sent for a delivery, or one the scenario
// only pretended to send.
type attemptRow struct {
	client.WebhookAttempt
	At       stamp
	Duration string
	Status   string
	Failed   bool
	// Simulated says the scenario's receiver_errors recorded this attempt
	// as a 503 without sending anything, so nobody looks for it in their
	// receiver's logs.
	Simulated bool
	// Sabotage lists the other faults the scenario applied to the request.
	Sabotage []string
}

// loadWebhooks fills the webhooks section of a tenant's page.
func (d *Dashboard) loadWebhooks(ctx context.Context, v *tenantView) error {
	ds, err := d.ctl.Webhooks(ctx, v.T.Key, "", "", strconv.Itoa(webhookPage+1))
	if err != nil {
		return err
	}
	if len(ds) > webhookPage {
		ds, v.WebhooksMore = ds[:webhookPage], true
	}
	for _, w := range ds {
		row := webhookRow{WebhookDelivery: w, Created: stamp(w.CreatedAt), Href: webhookPath(v.T.Key, w.ID), Last: "—"}
		if n := len(w.Attempts); n > 0 {
			a := w.Attempts[n-1]
			row.Last, row.LastFailed = statusText(a.Status), a.Status < 200 || a.Status > 299
			if slices.Contains(a.Faults, string(emulator.FaultReceiverError)) {
				row.Last += " (simulated)"
			}
		}
		v.Webhooks = append(v.Webhooks, row)
	}
	if v.T.Provider == string(emulator.FinqLink) {
		v.JWKS = "/finqlink/.well-known/jwks.json?" + url.Values{"client_id": {v.T.Credential}}.Encode()
	}
	return nil
}

// statusText is an attempt's answer in a table cell: its HTTP status, or
// that none came.
func statusText(status int) string {
	if status == 0 {
		return "no answer"
	}
	return strconv.Itoa(status)
}

// webhook serves one delivery's page: what was sent, where, and every
// attempt with what came back.
func (d *Dashboard) webhook(w http.ResponseWriter, r *http.Request) error {
	key, id := httpapi.Var(r, "key"), httpapi.Var(r, "id")
	ctx := r.Context()
	t, err := d.ctl.Tenant(ctx, key)
	if err != nil {
		return err
	}
	dl, err := d.ctl.Webhook(ctx, key, id)
	if err != nil {
		return err
	}
	v := webhookView{
		T: t, Href: tenantPath(key), D: dl, Self: webhookPath(key, dl.ID),
		Created: stamp(dl.CreatedAt), Due: stamp(dl.DueAt), Delivered: stampPtr(dl.DeliveredAt),
		Body: prettyBody(string(dl.Body)),
	}
	if dl.ResentFrom != "" {
		v.ResentFrom = webhookPath(key, dl.ResentFrom)
	}
	for _, a := range dl.Attempts {
		row := attemptRow{
			WebhookAttempt: a, At: stamp(a.At), Duration: strconv.FormatInt(a.DurationMS, 10) + " ms",
			Status: statusText(a.Status), Failed: a.Status < 200 || a.Status > 299,
			Simulated: slices.Contains(a.Faults, string(emulator.FaultReceiverError)),
		}
		for _, f := range a.Faults {
			if f != string(emulator.FaultReceiverError) {
				row.Sabotage = append(row.Sabotage, f)
			}
		}
		v.Attempts = append(v.Attempts, row)
	}
	v.Title = "Webhook " + dl.Type
	v.Crumbs = append(tenantCrumbs(t), crumb{"Webhooks", tenantPath(key) + "#webhooks"})
	v.Done = flash(r)
	return d.render(w, http.StatusOK, "dashboard_webhook.html", v)
}

// resendWebhook sends a fresh copy of a delivery through the control
// plane (new id, same body and URL, signed with the key current now),
// then shows the copy's page with how its first attempt went.
func (d *Dashboard) resendWebhook(w http.ResponseWriter, r *http.Request) error {
	key, id := httpapi.Var(r, "key"), httpapi.Var(r, "id")
	if err := parseForm(w, r); err != nil {
		return err
	}
	c, err := d.ctl.ResendWebhook(r.Context(), key, id)
	if err != nil {
		return d.refuse(w, r, key, "webhooks", err)
	}
	return done(w, r, webhookPath(key, c.ID), "Webhook resent as "+c.ID+": "+c.Status, "attempts")
}

// webhookPath is the dashboard page of one delivery.
func webhookPath(key, id string) string { return tenantPath(key) + "/webhooks/" + url.PathEscape(id) }
