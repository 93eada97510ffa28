// Package journal records every request a tenant makes and the answer it
// gets, with secrets masked, for QA to read on the dashboard, query through
// the control plane and export as HAR 1.2.
//
// Recording is a middleware; writes are asynchronous and batched by one
// background goroutine so a request never waits on SQLite, and retention
// keeps each tenant's newest entries only, so memory and disk stay flat
// over long runs. Readers go through Journal, which flushes first: a read
// right after a request sees that request.
package journal

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/store"
)

// Options tune a Journal; zero fields take the defaults.
type Options struct {
	// KeepPerTenant is how many entries each tenant keeps, newest first
	// (default 2000; negative keeps everything).
	KeepPerTenant int
	// BodyLimit caps each recorded body in bytes (default 64 KiB); a
	// longer body is kept cut, with Truncated set.
	BodyLimit int
	// FlushInterval is how long the first entry of a batch waits for
	// company before the batch is written (default 200ms). Batching keeps
	// the journal from taking the store's one writer connection away from
	// API writes once per request, and under load lets a batch hold more
	// of a tenant's entries than it keeps, whose oldest are then never
	// written at all.
	FlushInterval time.Duration
	// Batch is the most entries one batch gathers (default 4096).
	Batch int
	// QueueSize bounds the entries waiting to be written (default 4096).
	// When it is full, requests wait rather than lose their entry.
	QueueSize int
}

func (o Options) withDefaults() Options {
	if o.KeepPerTenant == 0 {
		o.KeepPerTenant = 2000
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = 64 << 10
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 200 * time.Millisecond
	}
	if o.Batch <= 0 {
		o.Batch = 4096
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 4096
	}
	return o
}

// Journal records requests into the store and reads them back. It owns a
// writer goroutine from New until Close.
type Journal struct {
	st    *store.Store
	clock emulator.Clock
	log   *slog.Logger
	opts  Options

	queue chan item
	stop  chan struct{} // closed by Close: the writer drains and exits
	done  chan struct{} // closed by the writer once it has exited

	closeOnce sync.Once
	closeErr  error // the final write's error, set before done closes
}

// item is one entry to write, or a flush marker: the queue is FIFO, so by
// the time the writer reaches a marker it holds every entry queued before.
type item struct {
	entry   *emulator.JournalEntry
	flushed chan error
}

// New starts a journal writing into st. clock measures request durations
// (real time); tenant times come from each tenant's clock. Close stops it.
func New(st *store.Store, clock emulator.Clock, log *slog.Logger, opts Options) *Journal {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	j := &Journal{
		st: st, clock: clock, log: log, opts: opts,
		queue: make(chan item, opts.QueueSize),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go j.run()
	return j
}

// Close writes everything queued and stops the writer. Requests that
// finish after Close are not recorded. It returns the error of the final
// write.
func (j *Journal) Close() error {
	j.closeOnce.Do(func() { close(j.stop) })
	<-j.done
	return j.closeErr
}

// enqueue hands an entry to the writer, waiting while the queue is full:
// an answered request's entry is never dropped for lack of room.
func (j *Journal) enqueue(e *emulator.JournalEntry) {
	select {
	case <-j.stop:
		j.log.Warn("journal closed: request not recorded", "method", e.Method, "url", e.URL)
		return
	default:
	}
	select {
	case j.queue <- item{entry: e}:
	case <-j.stop:
		j.log.Warn("journal closed: request not recorded", "method", e.Method, "url", e.URL)
	}
}

// Flush waits until every entry queued before the call is in SQLite, and
// returns the error of the write that carried them, if any. After Close it
// returns at once: Close wrote everything.
func (j *Journal) Flush(ctx context.Context) error {
	flushed := make(chan error, 1)
	select {
	case j.queue <- item{flushed: flushed}:
	case <-j.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-flushed:
		return err
	case <-j.done:
		// The writer drained the queue on its way out, marker included
		// unless it arrived after; either way nothing more will be written.
		select {
		case err := <-flushed:
			return err
		default:
			return nil
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the writer: it gathers entries into batches of up to Batch,
// written FlushInterval after the first one arrives, when the batch is
// full, or at once when a Flush asks.
func (j *Journal) run() {
	defer close(j.done)
	timer := time.NewTimer(j.opts.FlushInterval)
	timer.Stop()
	var (
		batch   []emulator.JournalEntry
		waiters []chan error
	)
	write := func() error {
		timer.Stop()
		var err error
		if len(batch) > 0 {
			// Its own context: a batch is written even while the server
			// shuts down, since its requests were answered.
			err = j.st.AppendJournal(context.Background(), retained(batch, j.opts.KeepPerTenant), j.opts.KeepPerTenant)
			if err != nil {
				j.log.Error("journal: entries lost", "entries", len(batch), "err", err)
			}
		}
		for _, w := range waiters {
			w <- err
		}
		clear(batch)
		batch, waiters = batch[:0], waiters[:0]
		return err
	}
	add := func(it item) {
		if it.flushed != nil {
			waiters = append(waiters, it.flushed)
			write()
			return
		}
		if len(batch) == 0 {
			timer.Reset(j.opts.FlushInterval)
		}
		batch = append(batch, *it.entry)
		if len(batch) >= j.opts.Batch {
			write()
		}
	}
	for {
		select {
		case it := <-j.queue:
			add(it)
		case <-timer.C:
			write()
		case <-j.stop:
			for {
				select {
				case it := <-j.queue:
					add(it)
				default:
					j.closeErr = write()
					return
				}
			}
		}
	}
}

// Entries lists a tenant's entries matching f, newest first, after
// flushing so the caller's own last request is among them. A failed write
// was logged when it happened; the read still answers with what is there.
func (j *Journal) Entries(ctx context.Context, t *emulator.Tenant, f emulator.JournalFilter) ([]emulator.JournalEntry, error) {
	if err := j.flush(ctx); err != nil {
		return nil, err
	}
	return j.st.Journal(ctx, t, f)
}

// Entry returns one of the tenant's entries; CodeNotFound for an id that
// is unknown, trimmed away or another tenant's.
func (j *Journal) Entry(ctx context.Context, t *emulator.Tenant, id int64) (emulator.JournalEntry, error) {
	if err := j.flush(ctx); err != nil {
		return emulator.JournalEntry{}, err
	}
	return j.st.JournalEntry(ctx, t, id)
}

// Clear deletes the tenant's entries, including those still queued, and
// tells how many there were.
func (j *Journal) Clear(ctx context.Context, t *emulator.Tenant) (int, error) {
	if err := j.flush(ctx); err != nil {
		return 0, err
	}
	return j.st.ClearJournal(ctx, t)
}

// Count is the number of entries the tenant has.
func (j *Journal) Count(ctx context.Context, t *emulator.Tenant) (int, error) {
	if err := j.flush(ctx); err != nil {
		return 0, err
	}
	return j.st.JournalCount(ctx, t)
}

// flush is Flush for readers: only the caller giving up stops a read.
func (j *Journal) flush(ctx context.Context) error {
	j.Flush(ctx)
	return ctx.Err()
}

// retained drops from a batch the entries that retention would delete as
// soon as they were written: beyond the newest keep of each tenant. Under
// load this spares the store most of the journal's writes, and the result
// is the same journal.
func retained(batch []emulator.JournalEntry, keep int) []emulator.JournalEntry {
	if keep <= 0 || len(batch) <= keep {
		return batch
	}
	seen := map[int64]int{}
	drop := 0
	for i := len(batch) - 1; i >= 0; i-- {
		seen[batch[i].TenantID]++
		if seen[batch[i].TenantID] > keep {
			drop++
		}
	}
	if drop == 0 {
		return batch
	}
	out := make([]emulator.JournalEntry, 0, len(batch)-drop)
	for _, e := range batch {
		if seen[e.TenantID] > keep {
			// This tenant has more in the batch than it keeps: skip its
			// oldest ones until only keep remain.
			seen[e.TenantID]--
			continue
		}
		out = append(out, e)
	}
	return out
}
