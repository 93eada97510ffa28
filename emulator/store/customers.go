package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/namematch"
)

// EventVerificationDue completes a pending customer verification.
const EventVerificationDue = "verification.due"

// CreateCustomer stores a new customer and returns it with its id.
func (s *Store) CreateCustomer(ctx context.Context, t *emulator.Tenant, c emulator.Customer) (emulator.Customer, error) {
	c.CreatedAt = s.Now(t)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c.ID, err = nextID(ctx, tx, t, "customer"); err != nil {
			return err
		}
		addr, _ := json.Marshal(c.Address)
		_, err = tx.ExecContext(ctx, `INSERT INTO customers (tenant_id, id, seq, first_name, last_name, company_name, email, phone, external_id, address, created_at)
			VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM customers WHERE tenant_id = ?), ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, c.ID, t.ID, c.FirstName, c.LastName, c.CompanyName, c.Email, c.Phone, c.ExternalID, string(addr), ns(c.CreatedAt))
		return err
	})
	return c, err
}

const customerSelect = `SELECT id, first_name, last_name, company_name, email, phone, external_id, address, created_at FROM customers`

func scanCustomer(row scanner) (emulator.Customer, error) {
	var c emulator.Customer
	var addr string
	var created int64
	if err := row.Scan(&c.ID, &c.FirstName, &c.LastName, &c.CompanyName, &c.Email, &c.Phone, &c.ExternalID, &addr, &created); err != nil {
		return c, err
	}
	c.CreatedAt = fromNS(created)
	err := json.Unmarshal([]byte(addr), &c.Address)
	return c, err
}

func findCustomer(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.Customer, error) {
	c, err := scanCustomer(q.QueryRowContext(ctx, customerSelect+` WHERE tenant_id = ? AND id = ?`, t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, emulator.NotFound("customer", id)
	}
	return c, err
}

// Customer finds a customer by id.
func (s *Store) Customer(ctx context.Context, t *emulator.Tenant, id string) (emulator.Customer, error) {
	return findCustomer(ctx, s.read, t, id)
}

// CustomerPage is one page of a customer listing.
type CustomerPage struct {
	Customers []emulator.Customer
	Total     int
}

// Customers lists customers in creation order, one page at a time
// (page numbers start at 1), optionally only those with an external id.
func (s *Store) Customers(ctx context.Context, t *emulator.Tenant, page, size int, externalID string) (CustomerPage, error) {
	where, args := ` WHERE tenant_id = ?`, []any{t.ID}
	if externalID != "" {
		where, args = where+` AND external_id = ?`, append(args, externalID)
	}
	var out CustomerPage
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM customers`+where, args...).Scan(&out.Total); err != nil {
		return out, err
	}
	rows, err := s.read.QueryContext(ctx, customerSelect+where+` ORDER BY seq LIMIT ? OFFSET ?`, append(args, size, (page-1)*size)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return out, err
		}
		out.Customers = append(out.Customers, c)
	}
	return out, rows.Err()
}

// AddCustomerBankAccount attaches a bank account to a customer.
func (s *Store) AddCustomerBankAccount(ctx context.Context, t *emulator.Tenant, a emulator.CustomerBankAccount) (emulator.CustomerBankAccount, error) {
	a.CreatedAt = s.Now(t)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := findCustomer(ctx, tx, t, a.CustomerID); err != nil {
			return err
		}
		var err error
		if a.ID, err = nextID(ctx, tx, t, "bank_account"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO customer_bank_accounts (tenant_id, id, customer_id, seq, iban, bic, holder_name, currency, verified, created_at)
			VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM customer_bank_accounts WHERE tenant_id = ?), ?, ?, ?, ?, ?, ?)`,
			t.ID, a.ID, a.CustomerID, t.ID, a.IBAN, a.BIC, a.HolderName, a.Currency, a.Verified, ns(a.CreatedAt))
		return err
	})
	return a, err
}

const bankAccountSelect = `SELECT id, customer_id, iban, bic, holder_name, currency, verified, created_at FROM customer_bank_accounts`

func scanBankAccount(row scanner) (emulator.CustomerBankAccount, error) {
	var a emulator.CustomerBankAccount
	var created int64
	err := row.Scan(&a.ID, &a.CustomerID, &a.IBAN, &a.BIC, &a.HolderName, &a.Currency, &a.Verified, &created)
	a.CreatedAt = fromNS(created)
	return a, err
}

// CustomerBankAccounts lists a customer's bank accounts in creation order.
func (s *Store) CustomerBankAccounts(ctx context.Context, t *emulator.Tenant, customerID string) ([]emulator.CustomerBankAccount, error) {
	if _, err := findCustomer(ctx, s.read, t, customerID); err != nil {
		return nil, err
	}
	return customerBankAccounts(ctx, s.read, t, customerID)
}

func customerBankAccounts(ctx context.Context, q queryer, t *emulator.Tenant, customerID string) ([]emulator.CustomerBankAccount, error) {
	rows, err := q.QueryContext(ctx, bankAccountSelect+` WHERE tenant_id = ? AND customer_id = ? ORDER BY seq`, t.ID, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.CustomerBankAccount
	for rows.Next() {
		a, err := scanBankAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CustomerBankAccount finds one of a customer's bank accounts.
func (s *Store) CustomerBankAccount(ctx context.Context, t *emulator.Tenant, customerID, id string) (emulator.CustomerBankAccount, error) {
	if _, err := findCustomer(ctx, s.read, t, customerID); err != nil {
		return emulator.CustomerBankAccount{}, err
	}
	a, err := scanBankAccount(s.read.QueryRowContext(ctx, bankAccountSelect+` WHERE tenant_id = ? AND customer_id = ? AND id = ?`, t.ID, customerID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, emulator.NotFound("account", id)
	}
	return a, err
}

// CreateVerification stores a verification. A pending one completes by
// itself after delay on the tenant clock; a final one is stored as it is.
func (s *Store) CreateVerification(ctx context.Context, t *emulator.Tenant, v emulator.Verification, delay time.Duration) (emulator.Verification, error) {
	now := s.Now(t)
	v.CreatedAt = now
	v.History = []emulator.VerificationEvent{{Status: v.Status, At: now}}
	if v.Status != emulator.VerificationPending {
		v.VerifiedAt = &now
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if v.ID, err = nextID(ctx, tx, t, "verification"); err != nil {
			return err
		}
		hist, _ := json.Marshal(v.History)
		var verified sql.NullInt64
		if v.VerifiedAt != nil {
			verified = sql.NullInt64{Int64: ns(*v.VerifiedAt), Valid: true}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO verifications (tenant_id, id, customer_id, seq, provider_id, expected_name, status, match_score, history, created_at, verified_at)
			VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM verifications WHERE tenant_id = ?), ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, v.ID, v.CustomerID, t.ID, v.ProviderID, v.ExpectedName, v.Status, v.MatchScore, string(hist), ns(now), verified)
		if err != nil || v.Status != emulator.VerificationPending {
			return err
		}
		return schedule(ctx, tx, t, now.Add(delay), EventVerificationDue, v.ID)
	})
	return v, err
}

const verificationSelect = `SELECT id, customer_id, provider_id, expected_name, status, match_score, history, created_at, verified_at FROM verifications`

func scanVerification(row scanner) (emulator.Verification, error) {
	var v emulator.Verification
	var score sql.NullFloat64
	var hist string
	var created int64
	var verified sql.NullInt64
	if err := row.Scan(&v.ID, &v.CustomerID, &v.ProviderID, &v.ExpectedName, &v.Status, &score, &hist, &created, &verified); err != nil {
		return v, err
	}
	if score.Valid {
		v.MatchScore = &score.Float64
	}
	v.CreatedAt, v.VerifiedAt = fromNS(created), nullTime(verified)
	err := json.Unmarshal([]byte(hist), &v.History)
	return v, err
}

func findVerification(ctx context.Context, q queryer, t *emulator.Tenant, customerID, id string) (emulator.Verification, error) {
	v, err := scanVerification(q.QueryRowContext(ctx, verificationSelect+` WHERE tenant_id = ? AND customer_id = ? AND id = ?`, t.ID, customerID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, emulator.NotFound("verification", id)
	}
	return v, err
}

// Verification finds one verification of a customer.
func (s *Store) Verification(ctx context.Context, t *emulator.Tenant, customerID, id string) (emulator.Verification, error) {
	return findVerification(ctx, s.read, t, customerID, id)
}

// Verifications lists a customer's verifications, oldest first.
func (s *Store) Verifications(ctx context.Context, t *emulator.Tenant, customerID string) ([]emulator.Verification, error) {
	rows, err := s.read.QueryContext(ctx, verificationSelect+` WHERE tenant_id = ? AND customer_id = ? ORDER BY seq`, t.ID, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.Verification
	for rows.Next() {
		v, err := scanVerification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// completeVerification decides a pending customer verification. The
// customer is taken to have proven, at their bank, the identity the merchant
// recorded: the names the bank "returns" are the customer's own name and the
// holder names of the bank accounts attached to them. expected_name is
// scored against each with namematch and the best score decides.
func completeVerification(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, id string, at time.Time) error {
	var customerID string
	if err := tx.QueryRowContext(ctx, `SELECT customer_id FROM verifications WHERE tenant_id = ? AND id = ?`, t.ID, id).Scan(&customerID); err != nil {
		return err
	}
	v, err := findVerification(ctx, tx, t, customerID, id)
	if err != nil || v.Status != emulator.VerificationPending {
		return err
	}
	c, err := findCustomer(ctx, tx, t, customerID)
	if err != nil {
		return err
	}
	accounts, err := customerBankAccounts(ctx, tx, t, customerID)
	if err != nil {
		return err
	}
	names := []string{c.FullName()}
	for _, a := range accounts {
		names = append(names, a.HolderName)
	}
	expected := v.ExpectedName
	if expected == "" {
		expected = c.FullName()
	}
	best := 0.0
	for _, n := range names {
		if sc := namematch.Score(expected, n); sc > best {
			best = sc
		}
	}
	best = float64(int(best*1000+0.5)) / 1000
	v.Status = emulator.VerificationUnverified
	if best >= namematch.VerifiedThreshold {
		v.Status = emulator.VerificationVerified
	}
	v.History = append(v.History, emulator.VerificationEvent{Status: v.Status, At: at})
	hist, _ := json.Marshal(v.History)
	_, err = tx.ExecContext(ctx, `UPDATE verifications SET status = ?, match_score = ?, history = ?, verified_at = ? WHERE tenant_id = ? AND id = ?`,
		v.Status, best, string(hist), ns(at), t.ID, id)
	return err
}
