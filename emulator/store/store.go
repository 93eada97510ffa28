// Package store is Sandbank's SQLite implementation of state: tenants, their
// worlds, journeys, connections, tokens, customers and scheduled events.
// It uses modernc.org/sqlite (pure Go), WAL mode, a busy timeout, foreign
// keys and embedded numbered migrations. Every exported method runs in one
// transaction, so a failed request changes nothing.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/memo"
)

//go:embed migrations/*.sql
var migrations embed.FS

// WorldBuilder generates the world of a new tenant. main wires it from the
// scenarios, the fixtures and the world generator, so the store stays free
// of them.
type WorldBuilder func(t emulator.Tenant, now time.Time) (emulator.World, error)

// Options configure a Store.
type Options struct {
	// Path is a file path, or ":memory:" for a throwaway database.
	Path  string
	Clock emulator.Clock
	// BuildWorld seeds new tenants; nil gives them an empty world.
	BuildWorld WorldBuilder
	// Scenario resolves a scenario by name (src empty) or parses a given
	// source; nil keeps scenarios as bare names with no behaviour.
	Scenario ScenarioResolver
	// DefaultScenario and DefaultSeed are given to auto-created tenants;
	// a zero seed means the scenario's own.
	DefaultScenario string
	DefaultSeed     int64
}

// ScenarioData is what the store keeps of a scenario: its source, the
// behaviour parsed from it and its fault rules, as JSON the fault engine
// reads (the store does not know the rule type).
type ScenarioData struct {
	Name      string
	Source    string
	Seed      int64
	Behaviour emulator.Behaviour
	Faults    [][]byte
	// App, when the scenario has an app section, replaces the tenant's
	// app settings on create, load and reset; nil keeps them, since a key
	// registered in the console is not world state.
	App *emulator.AppSettings
}

// ScenarioResolver finds a scenario by name when src is empty, or parses
// src (a tenant's stored copy) otherwise.
type ScenarioResolver func(name, src string) (ScenarioData, error)

// Store is the SQLite-backed state of one Sandbank.
type Store struct {
	read  *sql.DB // many connections: WAL lets readers run beside the writer
	write *sql.DB // one connection: writers queue in Go, never on SQLITE_BUSY
	clock emulator.Clock
	opts  Options

	mu      sync.RWMutex
	tenants map[string]*emulator.Tenant // provider\x00credential → tenant

	gen   atomic.Uint64 // bumped around every write commit; see cache.go
	reads memo.Map[string, cacheEntry]
}

var memSeq atomic.Int64

// Open opens (creating if needed) the database and applies migrations.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Clock == nil {
		return nil, errors.New("store: a clock is required")
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	s := &Store{clock: opts.Clock, opts: opts, tenants: map[string]*emulator.Tenant{}}
	s.reads.Max = cacheMax
	if opts.Path == ":memory:" || opts.Path == "" {
		// Plain ":memory:" would give every pooled connection its own empty
		// database; a named shared-cache database with one connection is one
		// database for everyone.
		dsn := fmt.Sprintf("file:sandbank-mem-%d?mode=memory&cache=shared&%s", memSeq.Add(1), pragmas)
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open: %w", err)
		}
		db.SetMaxOpenConns(1)
		s.read, s.write = db, db
	} else {
		base := "file:" + opts.Path + "?" + pragmas + "&_pragma=journal_mode(WAL)"
		w, err := sql.Open("sqlite", base+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("store: open %s: %w", opts.Path, err)
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", base)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open %s: %w", opts.Path, err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		s.read, s.write = r, w
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the database.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Clock returns the real-time clock the store measures tenant time on.
func (s *Store) Clock() emulator.Clock { return s.clock }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: name must start with a number", name)
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil || n > 0 {
				return err
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("apply %s: %w", name, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, version)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
	}
	return nil
}

// tx runs fn in one write transaction, committed only if fn succeeds.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.commit(ctx, true, fn)
}

// commit runs fn in one write transaction. With invalidate, the read
// cache's generation is bumped before and after the commit: a read racing
// the commit is tagged with a generation that is already gone once the
// writer returns, so it is never served from the cache.
func (s *Store) commit(ctx context.Context, invalidate bool, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return translate(err)
	}
	if invalidate {
		s.gen.Add(1)
		defer s.gen.Add(1)
	}
	return translate(tx.Commit())
}

// translate turns SQLite constraint failures into domain errors in one
// place; everything else passes through.
func translate(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return emulator.Errorf(emulator.CodeConflict, "already exists")
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return emulator.Errorf(emulator.CodeNotFound, "refers to an unknown record")
		}
	}
	return err
}

// queryer is what both *sql.DB and *sql.Tx offer, so find helpers serve
// reads outside and inside write transactions.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func ns(t time.Time) int64 { return t.UnixNano() }

func fromNS(v int64) time.Time { return time.Unix(0, v).UTC() }

func nullTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromNS(v.Int64)
	return &t
}
