package instance

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/journal"
	"github.com/sandbank/sandbank/emulator/store"
)

// bundles shows the store's tenant dumps to the control plane as JSON.
type bundles struct{ st *store.Store }

func (b bundles) Export(ctx context.Context, t *emulator.Tenant) ([]byte, error) {
	d, err := b.st.ExportTenant(ctx, t)
	if err != nil {
		return nil, err
	}
	return json.Marshal(d)
}

func (b bundles) Import(ctx context.Context, state []byte, credential string, replace bool) (*emulator.Tenant, error) {
	var d store.TenantDump
	if err := json.Unmarshal(state, &d); err != nil {
		return nil, emulator.FieldError(emulator.CodeInvalid, "state", "the bundle's state is not readable: %v", err)
	}
	return b.st.ImportTenant(ctx, &d, store.ImportOptions{Credential: credential, Replace: replace})
}

// journalView shows the request journal to the control plane in its wire
// types.
type journalView struct {
	j       *journal.Journal
	version string
}

func (v journalView) filter(q client.JournalQuery) (emulator.JournalFilter, error) {
	f := emulator.JournalFilter{Operation: q.Operation, Method: strings.ToUpper(q.Method), Path: q.Path, Before: q.Before, Limit: q.Limit}
	switch s := strings.ToLower(q.Status); {
	case s == "":
	case len(s) == 3 && strings.HasSuffix(s, "xx") && s[0] >= '1' && s[0] <= '5':
		f.StatusClass = int(s[0] - '0')
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 || n > 599 {
			return f, emulator.FieldError(emulator.CodeInvalid, "status", "%q is neither a status (404) nor a class (4xx)", q.Status)
		}
		f.Status = n
	}
	return f, nil
}

func (v journalView) Entries(ctx context.Context, t *emulator.Tenant, q client.JournalQuery) ([]client.JournalEntry, error) {
	f, err := v.filter(q)
	if err != nil {
		return nil, err
	}
	es, err := v.j.Entries(ctx, t, f)
	if err != nil {
		return nil, err
	}
	out := make([]client.JournalEntry, 0, len(es))
	for _, e := range es {
		out = append(out, wireEntry(e))
	}
	return out, nil
}

func (v journalView) Entry(ctx context.Context, t *emulator.Tenant, id int64) (client.JournalEntry, error) {
	e, err := v.j.Entry(ctx, t, id)
	if err != nil {
		return client.JournalEntry{}, err
	}
	return wireEntry(e), nil
}

func (v journalView) Clear(ctx context.Context, t *emulator.Tenant) (int, error) {
	return v.j.Clear(ctx, t)
}

func (v journalView) HAR(ctx context.Context, t *emulator.Tenant, q client.JournalQuery) ([]byte, error) {
	f, err := v.filter(q)
	if err != nil {
		return nil, err
	}
	if q.Limit == 0 {
		f.Limit = emulator.JournalLimitMax
	}
	es, err := v.j.Entries(ctx, t, f)
	if err != nil {
		return nil, err
	}
	return journal.HAR(es, v.version)
}

func (v journalView) Flush(ctx context.Context) error { return v.j.Flush(ctx) }

func wireEntry(e emulator.JournalEntry) client.JournalEntry {
	return client.JournalEntry{
		ID: e.ID, At: e.At, Method: e.Method, URL: e.URL, Contract: e.Contract, Operation: e.Operation, Status: e.Status,
		DurationMS: float64(e.Duration.Microseconds()) / 1000,
		Request:    client.Message{Header: e.Request.Header, Body: e.Request.Body, Truncated: e.Request.Truncated},
		Response:   client.Message{Header: e.Response.Header, Body: e.Response.Body, Truncated: e.Response.Truncated},
	}
}
