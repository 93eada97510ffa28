package world

import (
	"slices"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/iban"
)

// history draws the account's transactions: a monthly salary and rent on
// current accounts, a monthly saving on savings, and everyday card
// spending on current and card accounts, all inside the window
// [anchor-days, anchor]; then v.pending ones on the days after the anchor.
// Transactions come newest first.
//
// The order of the draws is part of the output: changing it changes every
// world generated after it, ids included, so golden files would move.
func (g *generator) history(a emulator.Account, v volume) []emulator.Transaction {
	start := g.anchor.AddDate(0, 0, -v.days)
	n := estimate(v)
	txs := make([]emulator.Transaction, 0, n)
	// when[i] is txs[i]'s booking day as days after the anchor (negative
	// in the past): the window filter and the sort work on it instead of
	// comparing date strings.
	when := make([]int, 0, n)
	days := newDayNames(g.anchor, v)
	loc := g.loc
	counterCountry := loc.counterparties
	if counterCountry == "" {
		counterCountry = g.bank.Country
	}
	add := func(day time.Time, cents int64, kind emulator.TransactionKind, desc, party string) {
		counterIBAN := ""
		if party != "" && g.f.IntN(2) == 0 {
			counterIBAN, _ = iban.GenerateAt(counterCountry, loc.counterpartyBank(g), g.f.IntN)
		}
		d := int(day.Sub(g.anchor) / (24 * time.Hour))
		txs = append(txs, emulator.Transaction{
			ID: g.id(), AccountID: a.ID, AmountCents: cents, Currency: a.Currency,
			BookingDate: days.name(d), ValueDate: days.name(d - g.f.IntN(2)),
			Description: desc, CounterpartyName: party, CounterpartyIBAN: counterIBAN, Kind: kind,
		})
		when = append(when, d)
	}
	card := func(m time.Time) {
		for i := 0; i < v.perMonth; i++ {
			day := m.AddDate(0, 0, g.f.IntN(28))
			shop := g.f.IntN(len(loc.merchants))
			add(day, -int64(g.f.IntRange(3_00, 180_00)), emulator.KindCardPayment, loc.cardLabels[shop], loc.merchants[shop])
		}
	}
	employer := loc.employer(g)
	// days == 0 means no booked history at all, not "today only": an
	// empty account must be possible (the empty_bank scenario).
	for m := start; v.days > 0 && !m.After(g.anchor); m = m.AddDate(0, 1, 0) {
		switch a.Type {
		case emulator.AccountSavings:
			add(m.AddDate(0, 0, 2), int64(g.f.IntRange(50, 400))*100, emulator.KindSaving, loc.saving, "")
		case emulator.AccountCard:
			card(m)
		default:
			add(m, int64(g.f.IntRange(1800_00, 4200_00)), emulator.KindSalary, loc.salary+strings.ToUpper(employer), employer)
			add(m.AddDate(0, 0, 3), -int64(g.f.IntRange(550_00, 1300_00)), emulator.KindRent, loc.rent, loc.rentPayee(loc.lastName(g)))
			card(m)
		}
	}
	// Keep only the window [start, anchor]; then add pending ones.
	kept := 0
	for i, t := range txs {
		if d := when[i]; d >= -v.days && d <= 0 {
			txs[kept], when[kept] = t, d
			kept++
		}
	}
	txs, when = txs[:kept], when[:kept]
	for i := 0; i < v.pending; i++ {
		shop := g.f.IntN(len(loc.merchants))
		add(g.anchor.AddDate(0, 0, 1+i), -int64(g.f.IntRange(5_00, 90_00)), emulator.KindCardPayment, loc.cardLabels[shop], loc.merchants[shop])
	}
	return sortNewestFirst(txs, when)
}

// dayNames formats days relative to the anchor as YYYY-MM-DD once each:
// a ten-year history books ~100,000 transactions on ~3,700 days.
type dayNames struct {
	anchor time.Time
	first  int // the day names[0] is, relative to the anchor
	names  []string
}

func newDayNames(anchor time.Time, v volume) *dayNames {
	// Booking days run from -days to 27 (a card payment late in the last
	// month) or the last pending day; value days go one before.
	first, last := -v.days-1, max(28, v.pending)
	return &dayNames{anchor: anchor, first: first, names: make([]string, last-first+1)}
}

func (n *dayNames) name(d int) string {
	i := d - n.first
	if i < 0 || i >= len(n.names) {
		return emulator.Day(n.anchor.AddDate(0, 0, d))
	}
	if n.names[i] == "" {
		n.names[i] = emulator.Day(n.anchor.AddDate(0, 0, d))
	}
	return n.names[i]
}

// estimate sizes the slice up front so a ten-year history does not grow
// it a dozen times.
func estimate(v volume) int {
	if v.days == 0 {
		return v.pending
	}
	return (v.days/28+1)*(v.perMonth+2) + v.pending
}

// sortNewestFirst orders by booking day, newest first, keeping the
// drawing order among transactions of one day, so the result is the same
// on every run. It is a counting sort over the days: a comparison-based
// stable sort of 100,000 such wide structs was a third of the generation
// time of a ten-year history.
func sortNewestFirst(txs []emulator.Transaction, when []int) []emulator.Transaction {
	if len(txs) == 0 {
		return txs
	}
	lo, hi := slices.Min(when), slices.Max(when)
	// next[k] is where the next transaction of day hi-k goes.
	next := make([]int, hi-lo+2)
	for _, d := range when {
		next[hi-d+1]++
	}
	for k := 1; k < len(next); k++ {
		next[k] += next[k-1]
	}
	out := make([]emulator.Transaction, len(txs))
	for i, t := range txs {
		k := hi - when[i]
		out[next[k]] = t
		next[k]++
	}
	return out
}
