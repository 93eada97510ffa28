package emulator

import "time"

// Customer is a merchant's record of one of its customers (Fintecture
// Customers API).
type Customer struct {
	ID          string
	FirstName   string
	LastName    string
	CompanyName string
	Email       string
	Phone       string
	ExternalID  string
	Address     Address
	CreatedAt   time.Time
}

// FullName is how the customer's name reads for identity matching.
func (c Customer) FullName() string {
	if c.FirstName == "" && c.LastName == "" {
		return c.CompanyName
	}
	return c.FirstName + " " + c.LastName
}

// Address is a postal address.
type Address struct {
	Line1      string
	Line2      string
	PostalCode string
	City       string
	Country    string
}

// CustomerBankAccount is a bank account a merchant attached to a customer.
type CustomerBankAccount struct {
	ID         string
	CustomerID string
	IBAN       string
	BIC        string
	HolderName string
	Currency   string
	Verified   bool
	CreatedAt  time.Time
}

// VerificationStatus is where an identity verification stands.
type VerificationStatus string

// Verification statuses of the given Fintecture contract.
const (
	VerificationPending    VerificationStatus = "pending"
	VerificationVerified   VerificationStatus = "verified"
	VerificationUnverified VerificationStatus = "unverified"
	VerificationFailed     VerificationStatus = "failed"
)

// Verification scores an expected name against the names a bank holds.
type Verification struct {
	ID           string
	CustomerID   string // Customers API customer, or AIS connection id
	ProviderID   string
	ExpectedName string
	Status       VerificationStatus
	MatchScore   *float64
	CreatedAt    time.Time
	VerifiedAt   *time.Time
	History      []VerificationEvent
}

// VerificationEvent is one status a verification went through.
type VerificationEvent struct {
	Status VerificationStatus
	At     time.Time
}
