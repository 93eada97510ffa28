package emulator

import "time"

// SCAModel is how a bank authenticates its PSU.
type SCAModel string

// The SCA models a fake bank can use.
const (
	// SCARedirect sends the PSU through login, OTP and consent pages.
	SCARedirect SCAModel = "redirect"
	// SCADecoupled asks the PSU to approve on a phone (app-based SCA).
	SCADecoupled SCAModel = "decoupled"
	// SCAAuto approves at once with plain 302 hops and no page, like
	// Fintecture's sandbox bank cmmcfr; it keeps automated tests headless.
	SCAAuto SCAModel = "auto"
)

// Bank is one fake bank in a tenant's world, known by the provider's own id
// for it (Fintecture provider id, FinqLink code, Kontomatik target).
type Bank struct {
	ID      string
	Name    string
	Country string
	BIC     string
	Model   SCAModel
}

// PSU is a bank customer with login credentials.
type PSU struct {
	ID          string
	BankID      string
	Login       string
	Password    string
	OTP         string
	DecoupledID string // the id a client passes for app-based SCA
	FullName    string
	Email       string
	Phone       string
	Address     string
}

// Account is a PSU's bank account. Its balance is never stored: it is the
// opening balance plus every transaction booked by the tenant's "now", so
// balances and history always agree (DESIGN.md §4).
type Account struct {
	ID           string
	PSUID        string
	BankID       string
	IBAN         string
	BIC          string
	Currency     string
	Name         string
	Type         AccountType
	OpeningCents int64
	// CoOwners are the account's other holders by full name; the PSU is
	// its owner. Kontomatik shows them as owners of kind CO_OWNER.
	CoOwners []string
}

// AccountType follows ISO 20022 cash account types.
type AccountType string

// Account types used by the world generator.
const (
	AccountCurrent AccountType = "CACC"
	AccountSavings AccountType = "SVGS"
	AccountCard    AccountType = "CARD"
)

// Transaction is one movement on an account. AmountCents is signed: negative
// for debits. A transaction whose BookingDate is after the tenant's today is
// pending; it books by itself when the tenant's clock reaches it.
type Transaction struct {
	ID               string
	AccountID        string
	AmountCents      int64
	Currency         string
	BookingDate      string // YYYY-MM-DD
	ValueDate        string // YYYY-MM-DD
	Description      string
	CounterpartyName string
	CounterpartyIBAN string
	// Kind says what the movement is, for providers that categorise
	// transactions (Kontomatik's <kind> and <labels>); empty: unknown.
	Kind TransactionKind
}

// TransactionKind is what a transaction is, in provider-neutral words;
// each provider maps it to its own categories.
type TransactionKind string

// The kinds the world generator gives transactions.
const (
	// KindSalary is an employer's monthly transfer in.
	KindSalary TransactionKind = "salary"
	// KindRent is rent paid by direct debit.
	KindRent TransactionKind = "rent"
	// KindSaving is a transfer into a savings account.
	KindSaving TransactionKind = "saving"
	// KindCardPayment is everyday spending by card.
	KindCardPayment TransactionKind = "card_payment"
)

// Booked reports whether the transaction has booked by the given day.
func (t Transaction) Booked(today string) bool { return t.BookingDate <= today }

// Balances is an account's position at one instant.
type Balances struct {
	// BookedCents counts transactions booked by today.
	BookedCents int64
	// ExpectedCents adds the pending ones too.
	ExpectedCents int64
	At            time.Time
}

// AvailableCents is what can be spent: booked less pending debits;
// pending credits are not spendable yet.
func (b Balances) AvailableCents() int64 {
	if pending := b.ExpectedCents - b.BookedCents; pending < 0 {
		return b.BookedCents + pending
	}
	return b.BookedCents
}

// World is everything a scenario generates for one tenant.
type World struct {
	Banks        []Bank
	PSUs         []PSU
	Accounts     []Account
	Transactions []Transaction
}

// Day formats an instant as the YYYY-MM-DD used for booking dates.
func Day(t time.Time) string { return t.UTC().Format("2006-01-02") }
