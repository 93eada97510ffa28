package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// The targets.
const (
	targetRatio   = 0.35                   // Sandbank rps / bare rps, at least
	targetP99     = 5 * time.Millisecond   // Sandbank p99, below
	targetStartup = 150 * time.Millisecond // median start-up to healthy, below
	targetIdleRSS = 40 << 20               // idle RSS in bytes, below
)

// machine describes where the bench ran.
type machine struct {
	cpu        string
	numCPU     int
	gomaxprocs int
	goVersion  string
	platform   string
}

// describeMachine reads the machine's description.
func describeMachine() machine {
	return machine{
		cpu: cpuModel(), numCPU: runtime.NumCPU(), gomaxprocs: runtime.GOMAXPROCS(0),
		goVersion: runtime.Version(), platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// report is everything one run measured.
type report struct {
	machine            machine
	conns              int
	duration           time.Duration
	startups           []time.Duration
	bare, sandbank     loadResult
	idleRSS, loadedRSS int64 // bytes
}

// ratio is Sandbank's throughput as a fraction of the bare handler's.
func (r report) ratio() float64 {
	if r.bare.rps() == 0 {
		return 0
	}
	return r.sandbank.rps() / r.bare.rps()
}

// print writes the report.
func (r report) print(w io.Writer) {
	m := r.machine
	fmt.Fprintf(w, "Sandbank bench: %s %s, %s, NumCPU %d, GOMAXPROCS %d\n", m.goVersion, m.platform, m.cpu, m.numCPU, m.gomaxprocs)
	fmt.Fprintf(w, "(load generator and servers share these CPUs; one target at a time)\n\n")
	r.printLoad(w)
	r.printStartups(w)
	fmt.Fprintf(w, "Memory (VmRSS of the sandbank process)\n")
	fmt.Fprintf(w, "  idle, after start-up and set-up   %s\n", mib(r.idleRSS))
	fmt.Fprintf(w, "  after the load                    %s\n\n", mib(r.loadedRSS))
	r.printSummary(w)
}

// printLoad writes the throughput and latency table.
func (r report) printLoad(w io.Writer) {
	fmt.Fprintf(w, "Throughput and latency, %d keep-alive connections, %v measured each\n", r.conns, r.duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  target\trequests\treq/s\tp50\tp99\tmax\tbody\tconns dialed\t")
	for _, l := range []loadResult{r.bare, r.sandbank} {
		fmt.Fprintf(tw, "  %s\t%d\t%.0f\t%s\t%s\t%s\t%d B\t%d\t\n", l.name, l.requests, l.rps(),
			ms(l.pct(50)), ms(l.pct(99)), ms(l.pct(100)), l.bodyBytes, l.dials)
	}
	tw.Flush()
	fmt.Fprintf(w, "  sandbank / bare throughput: %.1f %%\n\n", 100*r.ratio())
}

// printStartups writes the start-up times.
func (r report) printStartups(w io.Writer) {
	fmt.Fprintf(w, "Start-up to healthy (exec until /_sandbank/healthz answers 200, new database each)\n  runs:")
	for _, s := range r.startups {
		fmt.Fprintf(w, " %s", ms(s))
	}
	sorted := slices.Sorted(slices.Values(r.startups))
	fmt.Fprintf(w, "\n  median %s, max %s\n\n", ms(percentile(sorted, 50)), ms(percentile(sorted, 100)))
}

// printSummary writes the figures against their targets.
func (r report) printSummary(w io.Writer) {
	sorted := slices.Sorted(slices.Values(r.startups))
	p99 := r.sandbank.pct(99)
	startup := percentile(sorted, 50)
	fmt.Fprintf(w, "Summary (NumCPU %d, GOMAXPROCS %d)\n", r.machine.numCPU, r.machine.gomaxprocs)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "  figure\tvalue\ttarget\tresult")
	fmt.Fprintf(tw, "  sandbank / bare throughput\t%.1f %% (%.0f / %.0f req/s)\t>= %.0f %%\t%s\n",
		100*r.ratio(), r.sandbank.rps(), r.bare.rps(), 100*targetRatio, verdict(r.ratio() >= targetRatio))
	fmt.Fprintf(tw, "  sandbank accounts p99\t%s\t< %v\t%s\n", ms(p99), targetP99, verdict(p99 < targetP99))
	fmt.Fprintf(tw, "  start-up to healthy, median\t%s\t< %v\t%s\n", ms(startup), targetStartup, verdict(startup < targetStartup))
	fmt.Fprintf(tw, "  start-up to healthy, max\t%s\t(info)\t-\n", ms(percentile(sorted, 100)))
	fmt.Fprintf(tw, "  idle RSS\t%s\t< %d MiB\t%s\n", mib(r.idleRSS), targetIdleRSS>>20, verdict(r.idleRSS < targetIdleRSS))
	fmt.Fprintf(tw, "  RSS after load\t%s\t(info)\t-\n", mib(r.loadedRSS))
	tw.Flush()
}

// verdict is PASS or MISS.
func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

// mib formats a byte count in MiB.
func mib(b int64) string {
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
