package emulator

import (
	"net/http"
	"time"
)

// JournalEntry is one request a tenant made and the answer it got, as QA
// reads it on the dashboard and exports it as HAR. Secrets in it are
// already masked: the journal never stores a credential in clear.
type JournalEntry struct {
	ID       int64
	TenantID int64
	// At is when the request started, on the tenant's clock, so it lines
	// up with the expiries and events the tenant saw (DESIGN.md §6).
	At     time.Time
	Method string
	// URL is the absolute request URL as the client addressed it, its
	// secret query parameters masked.
	URL string
	// Contract and Operation name the contract operation the request
	// matched (the operationId); both are empty for pages.
	Contract  string
	Operation string
	// Status is the status sent; 0 when the connection was dropped before
	// an answer was complete (a fault rule aborting the handler).
	Status int
	// Duration is measured on the real clock: how long the client waited,
	// whatever the tenant's clock says.
	Duration time.Duration
	Request  HTTPMessage
	Response HTTPMessage
}

// HTTPMessage is the recorded half of an exchange: headers and a body as
// text, both with secrets masked.
type HTTPMessage struct {
	Header http.Header
	// Body is the body as text, or "(N bytes, binary)" for a body that is
	// not text. A request body holds only what the handler read.
	Body string
	// Size is the length of the body in bytes before any cap (of a
	// request body, the part the handler read).
	Size int64
	// Truncated tells that Body holds only the first bytes of the body:
	// the journal caps bodies so memory and disk stay flat.
	Truncated bool
}

// Journal read limits: a page holds JournalLimitDefault entries unless
// JournalFilter.Limit asks for more, and never more than JournalLimitMax,
// so one read cannot pull a whole retention window of bodies at once.
const (
	JournalLimitDefault = 100
	JournalLimitMax     = 1000
)

// JournalFilter selects journal entries of one tenant, newest first. Zero
// fields do not filter.
type JournalFilter struct {
	Contract  string
	Operation string // operationId, exact
	Method    string // exact, case-insensitive
	Path      string // a substring of the URL
	Status    int    // exact status
	// StatusClass selects a class of statuses: 4 selects 400–499. Dropped
	// connections (Status 0) match no class.
	StatusClass int
	// Before is a cursor: only entries with a smaller ID, so a page's last
	// ID fetches the next (older) page.
	Before int64
	// Since keeps entries at or after this instant of the tenant's clock.
	Since time.Time
	// Limit is the page size: 0 means JournalLimitDefault, and it is
	// capped at JournalLimitMax.
	Limit int
}

// PageSize is the number of entries a read with this filter returns at
// most, with the default and the cap applied.
func (f JournalFilter) PageSize() int {
	switch {
	case f.Limit <= 0:
		return JournalLimitDefault
	case f.Limit > JournalLimitMax:
		return JournalLimitMax
	}
	return f.Limit
}
