package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// samplesPerWorker is the latency slots preallocated per connection;
	// more are appended if needed.
	samplesPerWorker = 1 << 16
	// requestTimeout bounds one request.
	requestTimeout = 5 * time.Second
	// loadGrace is how long after its nominal end a load run is cut short.
	loadGrace = 10 * time.Second
)

// loadSpec describes one load run.
type loadSpec struct {
	name             string
	url              string
	header           map[string]string
	conns            int
	warmup, duration time.Duration
}

// loadResult is what one load run measured.
type loadResult struct {
	name      string
	requests  int             // answered, started in the measuring window
	elapsed   time.Duration   // from the window's start to the last answer
	latencies []time.Duration // sorted ascending
	dials     int64           // TCP connections opened
	bodyBytes int64           // size of one answer's body
}

// rps is the measured throughput in requests per second.
func (r loadResult) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// pct is the p-th percentile latency.
func (r loadResult) pct(p float64) time.Duration { return percentile(r.latencies, p) }

// workerResult is one connection's share of a load run.
type workerResult struct {
	latencies []time.Duration
	last      time.Time // end of the last measured request
	errors    int       // non-200 answers
	firstErr  string
	bodyBytes int64
	fatal     error // transport failure: the run is void
}

// runLoad runs spec.conns goroutines, each sending requests back to back on
// its own keep-alive connection, for spec.warmup (not recorded) and then
// spec.duration (recorded). Any non-200 answer or transport error fails it.
func runLoad(ctx context.Context, spec loadSpec) (loadResult, error) {
	ctx, cancel := context.WithTimeout(ctx, spec.warmup+spec.duration+loadGrace)
	defer cancel()
	var dials atomic.Int64
	tr := newTransport(&dials, spec.conns)
	defer tr.CloseIdleConnections()

	warmEnd := time.Now().Add(spec.warmup)
	end := warmEnd.Add(spec.duration)
	results := make([]workerResult, spec.conns)
	var wg sync.WaitGroup
	for i := range results {
		client := &http.Client{Transport: tr, Timeout: requestTimeout}
		req, err := newRequest(ctx, spec)
		if err != nil {
			return loadResult{}, err
		}
		wg.Go(func() {
			results[i] = work(client, req, warmEnd, end)
			if results[i].fatal != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	return merge(spec, results, warmEnd, dials.Load())
}

// newTransport is the transport all of a run's clients share, counting the
// connections it dials: conns when every connection was kept alive.
func newTransport(dials *atomic.Int64, conns int) *http.Transport {
	d := &net.Dialer{Timeout: requestTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: max(64, conns),
		MaxConnsPerHost:     conns, // exactly one connection per worker
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// newRequest builds the request a worker sends again and again.
func newRequest(ctx context.Context, spec loadSpec) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, spec.url, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range spec.header {
		req.Header.Set(k, v)
	}
	return req, nil
}

// work sends req until end, recording the latencies of requests started
// after warmEnd.
func work(client *http.Client, req *http.Request, warmEnd, end time.Time) workerResult {
	r := workerResult{latencies: make([]time.Duration, 0, samplesPerWorker)}
	for {
		t0 := time.Now()
		if !t0.Before(end) {
			return r
		}
		status, n, snippet, err := roundTrip(client, req)
		d := time.Since(t0)
		if err != nil {
			r.fatal = err
			return r
		}
		if status != http.StatusOK {
			r.errors++
			if r.firstErr == "" {
				r.firstErr = fmt.Sprintf("%d %s", status, snippet)
			}
		}
		r.bodyBytes = n
		if !t0.Before(warmEnd) {
			r.latencies = append(r.latencies, d)
			r.last = t0.Add(d)
		}
	}
}

// roundTrip sends req and reads the whole answer, so that the connection
// is reused. It returns the status, the body size, and on a non-200
// answer the start of its body.
func roundTrip(client *http.Client, req *http.Request) (status int, n int64, snippet string, err error) {
	res, err := client.Do(req)
	if err != nil {
		return 0, 0, "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
		_, _ = io.Copy(io.Discard, res.Body)
		return res.StatusCode, int64(len(b)), string(b), nil
	}
	n, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, n, "", err
}

// merge combines the workers' results, failing on any error.
func merge(spec loadSpec, results []workerResult, warmEnd time.Time, dials int64) (loadResult, error) {
	out := loadResult{name: spec.name, dials: dials}
	total, errs, firstErr := 0, 0, ""
	var fatal error
	var last time.Time
	for _, r := range results {
		total += len(r.latencies)
		errs += r.errors
		if firstErr == "" {
			firstErr = r.firstErr
		}
		if r.fatal != nil && (fatal == nil || errors.Is(fatal, context.Canceled)) {
			fatal = r.fatal
		}
		if r.last.After(last) {
			last = r.last
		}
		out.bodyBytes = max(out.bodyBytes, r.bodyBytes)
	}
	switch {
	case fatal != nil:
		return out, fmt.Errorf("%s: request failed: %w", spec.name, fatal)
	case errs > 0:
		return out, fmt.Errorf("%s: %d non-200 answers, the first: %s", spec.name, errs, firstErr)
	case total == 0:
		return out, fmt.Errorf("%s: no request completed in the measuring window", spec.name)
	}
	out.latencies = make([]time.Duration, 0, total)
	for _, r := range results {
		out.latencies = append(out.latencies, r.latencies...)
	}
	slices.Sort(out.latencies)
	out.requests = total
	out.elapsed = last.Sub(warmEnd)
	return out, nil
}

// percentile is the p-th percentile (0 < p <= 100) of an ascending slice,
// by the nearest-rank method: the smallest value such that at least p% of
// the values are less than or equal to it. It is 0 for an empty slice.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p * float64(len(sorted)) / 100))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
