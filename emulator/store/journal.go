package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// journalMessage is how one half of an exchange is kept in the journal's
// request and response columns. The JSON shape is the store's own: the
// domain type carries no tags (STYLE.md, practice 1).
type journalMessage struct {
	Header    map[string][]string `json:"header,omitempty"`
	Body      string              `json:"body,omitempty"`
	Size      int64               `json:"size,omitempty"`
	Truncated bool                `json:"truncated,omitempty"`
}

func encodeMessage(m emulator.HTTPMessage) (string, error) {
	b, err := json.Marshal(journalMessage{Header: m.Header, Body: m.Body, Size: m.Size, Truncated: m.Truncated})
	return string(b), err
}

func decodeMessage(s string) (emulator.HTTPMessage, error) {
	var m journalMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return emulator.HTTPMessage{}, err
	}
	return emulator.HTTPMessage{Header: m.Header, Body: m.Body, Size: m.Size, Truncated: m.Truncated}, nil
}

// AppendJournal stores a batch of journal entries in one transaction, then
// trims every tenant of the batch to its newest keepPerTenant entries
// (keepPerTenant <= 0 keeps everything). Trimming on append, for the
// tenants just written only, keeps the table flat over long runs without a
// sweeper. Entries of a tenant deleted since the request are skipped, so
// one deleted tenant cannot fail the whole batch on its foreign key.
func (s *Store) AppendJournal(ctx context.Context, entries []emulator.JournalEntry, keepPerTenant int) error {
	if len(entries) == 0 {
		return nil
	}
	// No cached read looks at the journal, and a batch of journaled
	// requests bumping the read cache's generation would empty the cache
	// of the hot paths (cache.go) many times a second under load.
	return s.commit(ctx, false, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO journal (tenant_id, at, method, url, contract, operation, status, duration_ns, request, response)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM tenants WHERE id = ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		var tenants []int64
		for _, e := range entries {
			req, err := encodeMessage(e.Request)
			if err != nil {
				return fmt.Errorf("journal request: %w", err)
			}
			resp, err := encodeMessage(e.Response)
			if err != nil {
				return fmt.Errorf("journal response: %w", err)
			}
			if _, err := ins.ExecContext(ctx, e.TenantID, ns(e.At), e.Method, e.URL, e.Contract, e.Operation, e.Status, int64(e.Duration), req, resp, e.TenantID); err != nil {
				return err
			}
			if !slices.Contains(tenants, e.TenantID) {
				tenants = append(tenants, e.TenantID)
			}
		}
		if keepPerTenant <= 0 {
			return nil
		}
		for _, id := range tenants {
			// The subquery finds the newest row beyond the window on the
			// (tenant_id, id) index; NULL (fewer rows) deletes nothing.
			if _, err := tx.ExecContext(ctx, `DELETE FROM journal WHERE tenant_id = ? AND id <= (
				SELECT id FROM journal WHERE tenant_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`, id, id, keepPerTenant); err != nil {
				return err
			}
		}
		return nil
	})
}

// Journal lists a tenant's journal entries matching f, newest first, at
// most f.PageSize() of them.
func (s *Store) Journal(ctx context.Context, t *emulator.Tenant, f emulator.JournalFilter) ([]emulator.JournalEntry, error) {
	where := []string{"tenant_id = ?"}
	args := []any{t.ID}
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Contract != "" {
		add("contract = ?", f.Contract)
	}
	if f.Operation != "" {
		add("operation = ?", f.Operation)
	}
	if f.Method != "" {
		add("method = ?", strings.ToUpper(f.Method))
	}
	if f.Path != "" {
		// instr, not LIKE: a path holds '_' and '%' that LIKE would read as
		// wildcards.
		add("instr(url, ?) > 0", f.Path)
	}
	if f.Status != 0 {
		add("status = ?", f.Status)
	}
	if f.StatusClass != 0 {
		add("status >= ? AND status < ?", f.StatusClass*100, (f.StatusClass+1)*100)
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	if !f.Since.IsZero() {
		add("at >= ?", ns(f.Since))
	}
	args = append(args, f.PageSize())
	rows, err := s.read.QueryContext(ctx, journalSelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.JournalEntry
	for rows.Next() {
		e, err := scanJournal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// JournalEntry finds one of the tenant's journal entries; CodeNotFound for
// an id that is unknown, trimmed away or another tenant's.
func (s *Store) JournalEntry(ctx context.Context, t *emulator.Tenant, id int64) (emulator.JournalEntry, error) {
	e, err := scanJournal(s.read.QueryRowContext(ctx, journalSelect+` WHERE tenant_id = ? AND id = ?`, t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, emulator.NotFound("journal entry", strconv.FormatInt(id, 10))
	}
	return e, err
}

// ClearJournal deletes every journal entry of the tenant and tells how
// many there were.
func (s *Store) ClearJournal(ctx context.Context, t *emulator.Tenant) (int, error) {
	var n int64
	err := s.commit(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM journal WHERE tenant_id = ?`, t.ID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// JournalCount is the number of journal entries the tenant has.
func (s *Store) JournalCount(ctx context.Context, t *emulator.Tenant) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM journal WHERE tenant_id = ?`, t.ID).Scan(&n)
	return n, err
}

const journalSelect = `SELECT id, tenant_id, at, method, url, contract, operation, status, duration_ns, request, response FROM journal`

func scanJournal(row scanner) (emulator.JournalEntry, error) {
	var e emulator.JournalEntry
	var at, dur int64
	var req, resp string
	if err := row.Scan(&e.ID, &e.TenantID, &at, &e.Method, &e.URL, &e.Contract, &e.Operation, &e.Status, &dur, &req, &resp); err != nil {
		return e, err
	}
	e.At, e.Duration = fromNS(at), time.Duration(dur)
	var err error
	if e.Request, err = decodeMessage(req); err != nil {
		return e, fmt.Errorf("journal %d request: %w", e.ID, err)
	}
	if e.Response, err = decodeMessage(resp); err != nil {
		return e, fmt.Errorf("journal %d response: %w", e.ID, err)
	}
	return e, nil
}
