package main

// How the CLI writes answers for people.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
)

// clockText is a tenant clock on one line.
func clockText(c client.Clock) string {
	switch {
	case c.Frozen:
		return stamp(c.Now) + " (frozen)"
	case c.Offset != "" && c.Offset != "0s":
		return stamp(c.Now) + " (" + c.Offset + ")"
	}
	return stamp(c.Now)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func money(cents int64, currency string) string {
	return emulator.Decimal(cents) + " " + currency
}

// effect says in a few words what a fault rule does.
func effect(r faults.Rule) string {
	var parts []string
	if r.Status != 0 {
		parts = append(parts, "status "+strconv.Itoa(r.Status))
	}
	if r.Latency != 0 {
		parts = append(parts, "latency "+r.Latency.D().String())
	}
	if r.Hang != 0 {
		parts = append(parts, "hang "+r.Hang.D().String())
	}
	if r.Drop {
		parts = append(parts, "drop")
	}
	if r.RateLimit != nil {
		parts = append(parts, fmt.Sprintf("rate limit %d per %s", r.RateLimit.Calls, r.RateLimit.Per.D()))
	}
	return dash(strings.Join(parts, ", "))
}
