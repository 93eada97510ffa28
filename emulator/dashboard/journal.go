package dashboard

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// journalPage is how many entries one journal page shows: enough to
// follow a flow, few enough that the page with its bodies stays light.
const journalPage = 50

// journalView is the data of a tenant's journal page.
type journalView struct {
	layout
	T    client.Tenant
	Href string // the tenant's page
	// Filter is the filter form as sent; Methods fill its select.
	Filter  client.JournalQuery
	Methods []string
	Entries []entryRow
	// Older links to the next page of older entries, if there is one;
	// Newest back to the first page, when not on it.
	Older, Newest string
	// HAR is the export of the same entries for browser dev tools.
	HAR string
}

// entryRow is one journal entry.
type entryRow struct {
	client.JournalEntry
	At       stamp
	Duration string
	Failed   bool // a 4xx, a 5xx or a dropped connection
	Request  messageView
	Response messageView
}

// messageView is one side of an exchange, ready to read.
type messageView struct {
	Headers   []header
	Body      string
	Truncated bool
}

func newMessage(m client.Message) messageView {
	return messageView{Headers: headerLines(m.Header), Body: prettyBody(m.Body), Truncated: m.Truncated}
}

// journal serves the tenant's journal, newest first, filtered by the
// form's fields and paged backwards by ?before=ID.
func (d *Dashboard) journal(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	ctx := r.Context()
	t, err := d.ctl.Tenant(ctx, key)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := journalView{
		T: t, Href: tenantPath(key), Methods: []string{"GET", "POST", "PUT", "PATCH", "DELETE"},
		Filter: client.JournalQuery{
			Operation: strings.TrimSpace(q.Get("operation")),
			Method:    strings.ToUpper(strings.TrimSpace(q.Get("method"))),
			Status:    strings.TrimSpace(q.Get("status")),
			Path:      strings.TrimSpace(q.Get("path")),
		},
	}
	v.Title = "Journal of " + t.Credential
	v.Crumbs = tenantCrumbs(t)
	v.Done = flash(r)
	filter := v.Filter.Values()
	v.HAR = "/_sandbank/tenants/" + url.PathEscape(key) + "/journal.har"
	if len(filter) > 0 {
		v.HAR += "?" + filter.Encode()
	}

	status := http.StatusOK
	entries, err := d.readJournal(r, key, v.Filter, q.Get("before"))
	if err != nil {
		pe := classify(err)
		if pe.status >= 500 && pe.status != http.StatusServiceUnavailable {
			return err
		}
		// A filter the journal refuses (status "9xx") shows the form
		// again with why, rather than a bare error page.
		status, v.Error = pe.status, pe.msg
	}
	if len(entries) > journalPage {
		entries = entries[:journalPage]
		older := v.Filter
		older.Before = entries[len(entries)-1].ID
		v.Older = v.Href + "/journal?" + older.Values().Encode()
	}
	if q.Get("before") != "" {
		v.Newest = v.Href + "/journal"
		if len(filter) > 0 {
			v.Newest += "?" + filter.Encode()
		}
	}
	for _, e := range entries {
		v.Entries = append(v.Entries, entryRow{
			JournalEntry: e, At: stamp(e.At),
			Duration: strconv.FormatFloat(e.DurationMS, 'f', 1, 64) + " ms",
			Failed:   e.Status == 0 || e.Status >= 400,
			Request:  newMessage(e.Request), Response: newMessage(e.Response),
		})
	}
	return d.render(w, status, "dashboard_journal.html", v)
}

// readJournal reads one page and one entry more, to know whether an older
// page exists.
func (d *Dashboard) readJournal(r *http.Request, key string, f client.JournalQuery, before string) ([]client.JournalEntry, error) {
	if before = strings.TrimSpace(before); before != "" {
		id, err := strconv.ParseInt(before, 10, 64)
		if err != nil || id <= 0 {
			return nil, badInput("before", "The page cursor %q is not an entry number.", before)
		}
		f.Before = id
	}
	f.Limit = journalPage + 1
	return d.ctl.Journal(r.Context(), key, f)
}

// clearJournal empties the tenant's journal.
func (d *Dashboard) clearJournal(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	if err := parseForm(w, r); err != nil {
		return err
	}
	n, err := d.ctl.ClearJournal(r.Context(), key)
	if err != nil {
		return err
	}
	return done(w, r, tenantPath(key)+"/journal", "Journal cleared: "+plural(n, "entry", "entries")+" deleted", "")
}
