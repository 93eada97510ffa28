package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/faults"
)

// Client calls one Sandbank's control plane. It is safe for concurrent
// use.
type Client struct {
	base string
	http *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests through hc (for
// timeouts, a transport, or an in-process handler).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.http = hc }
}

// New returns a client of the Sandbank at baseURL, e.g.
// "http://127.0.0.1:7070" (the control plane is under /_sandbank there).
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), http: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// TenantKey is a tenant's key, its handle in control plane paths, computed
// from its provider and credential as the server does.
func TenantKey(provider, credential string) string {
	return emulator.TenantKey(emulator.Provider(provider), credential)
}

// ResolveTenant accepts a tenant key or "provider:credential" and returns
// the key.
func ResolveTenant(arg string) string {
	if provider, credential, ok := strings.Cut(arg, ":"); ok {
		return TenantKey(provider, credential)
	}
	return arg
}

// Health reports the server's version, uptime, contracts and counts.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var out Health
	return out, c.call(ctx, http.MethodGet, "/health", nil, nil, &out)
}

// Tenants lists every tenant, oldest first.
func (c *Client) Tenants(ctx context.Context) ([]Tenant, error) {
	var out TenantList
	return out.Tenants, c.call(ctx, http.MethodGet, "/tenants", nil, nil, &out)
}

// Tenant shows one tenant.
func (c *Client) Tenant(ctx context.Context, key string) (Tenant, error) {
	var out Tenant
	return out, c.call(ctx, http.MethodGet, tenantPath(key), nil, nil, &out)
}

// CreateTenant creates a tenant; one that exists already is a conflict.
func (c *Client) CreateTenant(ctx context.Context, in NewTenant) (Tenant, error) {
	var out Tenant
	return out, c.call(ctx, http.MethodPost, "/tenants", nil, in, &out)
}

// DeleteTenant removes a tenant and everything it owns.
func (c *Client) DeleteTenant(ctx context.Context, key string) error {
	return c.call(ctx, http.MethodDelete, tenantPath(key), nil, nil, nil)
}

// ResetTenant puts a tenant back to its scenario's initial state.
func (c *Client) ResetTenant(ctx context.Context, key string) (Tenant, error) {
	var out Tenant
	return out, c.call(ctx, http.MethodPost, tenantPath(key, "reset"), nil, nil, &out)
}

// SetLabel changes a tenant's label; an empty one clears it.
func (c *Client) SetLabel(ctx context.Context, key, label string) (Tenant, error) {
	var out Tenant
	return out, c.call(ctx, http.MethodPatch, tenantPath(key), nil, TenantChange{Label: &label}, &out)
}

// App shows a tenant's app settings.
func (c *Client) App(ctx context.Context, key string) (App, error) {
	var out App
	return out, c.call(ctx, http.MethodGet, tenantPath(key, "app"), nil, nil, &out)
}

// SetApp replaces a tenant's app settings: its registered public key (an
// empty one removes it) and whether requests must be signed. A key that
// does not parse, or signatures required without a key, is refused and
// changes nothing.
func (c *Client) SetApp(ctx context.Context, key string, in App) (Tenant, error) {
	var out Tenant
	return out, c.call(ctx, http.MethodPut, tenantPath(key, "app"), nil, in, &out)
}

// LoadScenario rebuilds a tenant on another scenario and seed.
func (c *Client) LoadScenario(ctx context.Context, key string, in LoadScenario) (Tenant, error) {
	var out Tenant
	return out, c.call(ctx, http.MethodPost, tenantPath(key, "scenario"), nil, in, &out)
}

// Scenarios lists the scenarios the server knows, without their sources.
func (c *Client) Scenarios(ctx context.Context) ([]Scenario, error) {
	var out ScenarioList
	return out.Scenarios, c.call(ctx, http.MethodGet, "/scenarios", nil, nil, &out)
}

// Scenario shows one scenario with its source.
func (c *Client) Scenario(ctx context.Context, name string) (Scenario, error) {
	var out Scenario
	return out, c.call(ctx, http.MethodGet, "/scenarios/"+url.PathEscape(name), nil, nil, &out)
}

// Clock shows a tenant's clock.
func (c *Client) Clock(ctx context.Context, key string) (Clock, error) {
	var out Clock
	return out, c.call(ctx, http.MethodGet, tenantPath(key, "clock"), nil, nil, &out)
}

// ChangeClock sends one clock change as it is; Advance, SetClock, Freeze
// and Unfreeze are its usual forms.
func (c *Client) ChangeClock(ctx context.Context, key string, in ClockChange) (Clock, error) {
	var out Clock
	return out, c.call(ctx, http.MethodPost, tenantPath(key, "clock"), nil, in, &out)
}

// Advance moves a tenant's clock forward by a duration such as "90d",
// "36h" or "1h30m", running every event that becomes due on the way.
func (c *Client) Advance(ctx context.Context, key, by string) (Clock, error) {
	return c.ChangeClock(ctx, key, ClockChange{By: by})
}

// SetClock puts a tenant's clock at an instant (frozen clocks stay
// frozen there).
func (c *Client) SetClock(ctx context.Context, key string, at time.Time) (Clock, error) {
	return c.ChangeClock(ctx, key, ClockChange{At: &at})
}

// Freeze stops a tenant's clock at its current time.
func (c *Client) Freeze(ctx context.Context, key string) (Clock, error) {
	return c.ChangeClock(ctx, key, ClockChange{Freeze: true})
}

// Unfreeze lets a frozen tenant clock run again from where it stood.
func (c *Client) Unfreeze(ctx context.Context, key string) (Clock, error) {
	return c.ChangeClock(ctx, key, ClockChange{Unfreeze: true})
}

// PendingSCA lists a tenant's journeys still waiting for the PSU.
func (c *Client) PendingSCA(ctx context.Context, key string) ([]SCA, error) {
	var out SCAList
	return out.SCA, c.call(ctx, http.MethodGet, tenantPath(key, "sca"), nil, nil, &out)
}

// SCA shows one journey, pending or not.
func (c *Client) SCA(ctx context.Context, key, id string) (SCA, error) {
	var out SCA
	return out, c.call(ctx, http.MethodGet, tenantPath(key, "sca", id), nil, nil, &out)
}

// ApproveSCA approves a pending journey as its PSU would.
func (c *Client) ApproveSCA(ctx context.Context, key, id string, in SCAApproval) (SCA, error) {
	var out SCA
	return out, c.call(ctx, http.MethodPost, tenantPath(key, "sca", id, "approve"), nil, in, &out)
}

// DenySCA fails a pending journey as if the PSU pressed Deny.
func (c *Client) DenySCA(ctx context.Context, key, id string) (SCA, error) {
	var out SCA
	return out, c.call(ctx, http.MethodPost, tenantPath(key, "sca", id, "deny"), nil, nil, &out)
}

// ExpireSCA fails a pending journey as if its time ran out.
func (c *Client) ExpireSCA(ctx context.Context, key, id string) (SCA, error) {
	var out SCA
	return out, c.call(ctx, http.MethodPost, tenantPath(key, "sca", id, "expire"), nil, nil, &out)
}

// World shows a tenant's banks, PSUs and accounts.
func (c *Client) World(ctx context.Context, key string) (World, error) {
	var out World
	return out, c.call(ctx, http.MethodGet, tenantPath(key, "world"), nil, nil, &out)
}

// Transactions lists an account's transactions, newest first: at most
// limit (zero: the server's default, 100) from offset.
func (c *Client) Transactions(ctx context.Context, key, account string, offset, limit int) ([]Transaction, error) {
	q := url.Values{}
	if offset != 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out TransactionList
	return out.Transactions, c.call(ctx, http.MethodGet, tenantPath(key, "accounts", account, "transactions"), q, nil, &out)
}

// Connections lists a tenant's connections (consents).
func (c *Client) Connections(ctx context.Context, key string) ([]Connection, error) {
	var out ConnectionList
	return out.Connections, c.call(ctx, http.MethodGet, tenantPath(key, "connections"), nil, nil, &out)
}

// Journal lists a tenant's journal entries matching q, newest first.
func (c *Client) Journal(ctx context.Context, key string, q JournalQuery) ([]JournalEntry, error) {
	var out JournalList
	return out.Entries, c.call(ctx, http.MethodGet, tenantPath(key, "journal"), q.Values(), nil, &out)
}

// JournalEntry shows one journal entry.
func (c *Client) JournalEntry(ctx context.Context, key string, id int64) (JournalEntry, error) {
	var out JournalEntry
	return out, c.call(ctx, http.MethodGet, tenantPath(key, "journal", strconv.FormatInt(id, 10)), nil, nil, &out)
}

// JournalHAR exports the journal entries matching q as a HAR 1.2
// document.
func (c *Client) JournalHAR(ctx context.Context, key string, q JournalQuery) ([]byte, error) {
	return c.raw(ctx, http.MethodGet, tenantPath(key)+"/journal.har", q.Values())
}

// ClearJournal empties a tenant's journal and says how many entries went.
func (c *Client) ClearJournal(ctx context.Context, key string) (int, error) {
	var out JournalCleared
	return out.Deleted, c.call(ctx, http.MethodDelete, tenantPath(key, "journal"), nil, nil, &out)
}

// Webhooks lists a tenant's webhook deliveries, newest first, with their
// attempts; status and subject filter them when not empty.
func (c *Client) Webhooks(ctx context.Context, key, status, subject string) ([]WebhookDelivery, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	if subject != "" {
		q.Set("subject", subject)
	}
	var out WebhookList
	return out.Webhooks, c.call(ctx, http.MethodGet, tenantPath(key, "webhooks"), q, nil, &out)
}

// Webhook shows one delivery.
func (c *Client) Webhook(ctx context.Context, key, id string) (WebhookDelivery, error) {
	var out WebhookDelivery
	return out, c.call(ctx, http.MethodGet, tenantPath(key, "webhooks", id), nil, nil, &out)
}

// ResendWebhook sends a fresh copy of a delivery now.
func (c *Client) ResendWebhook(ctx context.Context, key, id string) (WebhookDelivery, error) {
	var out WebhookDelivery
	return out, c.call(ctx, http.MethodPost, tenantPath(key, "webhooks", id, "resend"), nil, nil, &out)
}

// Faults lists fault rules with their counters: every rule when tenantKey
// is empty, else the tenant's and the global ones.
func (c *Client) Faults(ctx context.Context, tenantKey string) ([]Fault, error) {
	q := url.Values{}
	if tenantKey != "" {
		q.Set("tenant", tenantKey)
	}
	var out FaultList
	return out.Faults, c.call(ctx, http.MethodGet, "/faults", q, nil, &out)
}

// AddFault adds a fault rule at run time, for the tenant its match names
// or for every tenant.
func (c *Client) AddFault(ctx context.Context, r faults.Rule) (Fault, error) {
	var out Fault
	return out, c.call(ctx, http.MethodPost, "/faults", nil, r, &out)
}

// RemoveFault removes a fault rule.
func (c *Client) RemoveFault(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodDelete, "/faults/"+url.PathEscape(id), nil, nil, nil)
}

// Export writes one tenant as a bundle that Import reads back, here or in
// another Sandbank.
func (c *Client) Export(ctx context.Context, key string) (Bundle, error) {
	var out Bundle
	return out, c.call(ctx, http.MethodGet, tenantPath(key, "export"), nil, nil, &out)
}

// Import loads a bundle under its own credential (credential empty) or
// another one; an existing tenant with that credential is replaced only
// when replace is set.
func (c *Client) Import(ctx context.Context, b Bundle, credential string, replace bool) (Tenant, error) {
	q := url.Values{}
	if credential != "" {
		q.Set("credential", credential)
	}
	if replace {
		q.Set("replace", "true")
	}
	var out Imported
	return out.Tenant, c.call(ctx, http.MethodPost, "/import", q, b, &out)
}

// Values writes the query's set fields as the journal endpoints read
// them.
func (q JournalQuery) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("operation", q.Operation)
	set("method", q.Method)
	set("path", q.Path)
	set("status", q.Status)
	if q.Before != 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// tenantPath is /tenants/{key}/more..., each part escaped.
func tenantPath(key string, more ...string) string {
	p := "/tenants/" + url.PathEscape(key)
	for _, m := range more {
		p += "/" + url.PathEscape(m)
	}
	return p
}

// call sends in (when not nil) as JSON and decodes a 2xx answer into out
// (when not nil); any other answer becomes an *Error.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, in, out any) error {
	res, err := c.send(ctx, method, path, q, in)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if out == nil {
		_, err := io.Copy(io.Discard, res.Body)
		return err
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("sandbank: %s %s: read answer: %w", method, path, err)
	}
	return nil
}

// raw returns a 2xx answer's body as it is.
func (c *Client) raw(ctx context.Context, method, path string, q url.Values) ([]byte, error) {
	res, err := c.send(ctx, method, path, q, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// send makes one request and returns a 2xx response, or the answer as an
// *Error.
func (c *Client) send(ctx context.Context, method, path string, q url.Values, in any) (*http.Response, error) {
	u := c.base + "/_sandbank" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("sandbank: %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return res, nil
	}
	defer res.Body.Close()
	return nil, answerError(res)
}

// answerError reads a non-2xx answer: the control plane's error body, or
// (from something else on that address) whatever came back.
func answerError(res *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var eb ErrorBody
	if err := json.Unmarshal(b, &eb); err == nil && eb.Error != nil && eb.Error.Code != "" {
		eb.Error.Status = res.StatusCode
		return eb.Error
	}
	msg := strings.TrimSpace(string(b))
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	if msg == "" {
		msg = http.StatusText(res.StatusCode)
	}
	return &Error{Status: res.StatusCode, Code: "http_" + strconv.Itoa(res.StatusCode), Message: msg}
}
