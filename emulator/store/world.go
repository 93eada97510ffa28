package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/sandbank/sandbank/emulator"
)

func insertWorld(ctx context.Context, tx *sql.Tx, tenantID int64, w emulator.World) error {
	for i, b := range w.Banks {
		if _, err := tx.ExecContext(ctx, `INSERT INTO banks (tenant_id, id, position, name, country, bic, model) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			tenantID, b.ID, i, b.Name, b.Country, b.BIC, b.Model); err != nil {
			return err
		}
	}
	for i, p := range w.PSUs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO psus (tenant_id, id, position, bank_id, login, password, otp, decoupled_id, full_name, email, phone, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenantID, p.ID, i, p.BankID, p.Login, p.Password, p.OTP, p.DecoupledID, p.FullName, p.Email, p.Phone, p.Address); err != nil {
			return err
		}
	}
	for i, a := range w.Accounts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (tenant_id, id, position, psu_id, bank_id, iban, bic, currency, name, type, opening_cents, co_owners) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenantID, a.ID, i, a.PSUID, a.BankID, a.IBAN, a.BIC, a.Currency, a.Name, a.Type, a.OpeningCents, joinNames(a.CoOwners)); err != nil {
			return err
		}
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO transactions (tenant_id, id, account_id, position, amount_cents, currency, booking_date, value_date, description, counterparty_name, counterparty_iban, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, t := range w.Transactions {
		if _, err := stmt.ExecContext(ctx, tenantID, t.ID, t.AccountID, i, t.AmountCents, t.Currency, t.BookingDate, t.ValueDate, t.Description, t.CounterpartyName, t.CounterpartyIBAN, t.Kind); err != nil {
			return err
		}
	}
	return nil
}

// joinNames and splitNames keep a list of names in one column, one per
// line: names have no line breaks (scenarios refuse them).
func joinNames(names []string) string { return strings.Join(names, "\n") }

func splitNames(col string) []string {
	if col == "" {
		return nil
	}
	return strings.Split(col, "\n")
}

const bankSelect = `SELECT id, name, country, bic, model FROM banks`

func scanBank(row scanner) (emulator.Bank, error) {
	var b emulator.Bank
	err := row.Scan(&b.ID, &b.Name, &b.Country, &b.BIC, &b.Model)
	return b, err
}

// Banks lists the tenant's banks in catalogue order.
func (s *Store) Banks(ctx context.Context, t *emulator.Tenant) ([]emulator.Bank, error) {
	rows, err := s.read.QueryContext(ctx, bankSelect+` WHERE tenant_id = ? ORDER BY position`, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.Bank
	for rows.Next() {
		b, err := scanBank(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Bank finds one bank by the provider's id for it.
func (s *Store) Bank(ctx context.Context, t *emulator.Tenant, id string) (emulator.Bank, error) {
	return cached(s, cacheKey("bank", t, id), func() (emulator.Bank, error) { return findBank(ctx, s.read, t, id) })
}

func findBank(ctx context.Context, q queryer, t *emulator.Tenant, id string) (emulator.Bank, error) {
	b, err := scanBank(q.QueryRowContext(ctx, bankSelect+` WHERE tenant_id = ? AND id = ?`, t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, emulator.NotFound("bank", id)
	}
	return b, err
}

const psuSelect = `SELECT id, bank_id, login, password, otp, decoupled_id, full_name, email, phone, address FROM psus`

func scanPSU(row scanner) (emulator.PSU, error) {
	var p emulator.PSU
	err := row.Scan(&p.ID, &p.BankID, &p.Login, &p.Password, &p.OTP, &p.DecoupledID, &p.FullName, &p.Email, &p.Phone, &p.Address)
	return p, err
}

// PSU finds a PSU by id.
func (s *Store) PSU(ctx context.Context, t *emulator.Tenant, id string) (emulator.PSU, error) {
	return cached(s, cacheKey("psu", t, id), func() (emulator.PSU, error) { return s.findPSU(ctx, t, id) })
}

func (s *Store) findPSU(ctx context.Context, t *emulator.Tenant, id string) (emulator.PSU, error) {
	p, err := scanPSU(s.read.QueryRowContext(ctx, psuSelect+` WHERE tenant_id = ? AND id = ?`, t.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, emulator.NotFound("psu", id)
	}
	return p, err
}

// PSUByLogin finds the PSU of a bank by login; CodeNotFound if none.
func (s *Store) PSUByLogin(ctx context.Context, t *emulator.Tenant, bankID, login string) (emulator.PSU, error) {
	p, err := scanPSU(s.read.QueryRowContext(ctx, psuSelect+` WHERE tenant_id = ? AND bank_id = ? AND login = ? ORDER BY position LIMIT 1`, t.ID, bankID, login))
	if errors.Is(err, sql.ErrNoRows) {
		return p, emulator.NotFound("psu", login)
	}
	return p, err
}

// PSUByDecoupledID finds the PSU a decoupled request names; with an empty id
// it returns the bank's first PSU that has one.
func (s *Store) PSUByDecoupledID(ctx context.Context, t *emulator.Tenant, bankID, id string) (emulator.PSU, error) {
	q := psuSelect + ` WHERE tenant_id = ? AND bank_id = ? AND decoupled_id = ? ORDER BY position LIMIT 1`
	args := []any{t.ID, bankID, id}
	if id == "" {
		q = psuSelect + ` WHERE tenant_id = ? AND bank_id = ? AND decoupled_id != '' ORDER BY position LIMIT 1`
		args = args[:2]
	}
	p, err := scanPSU(s.read.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, emulator.NotFound("psu", id)
	}
	return p, err
}

// PSUs lists the PSUs of the tenant's world (of one bank when bankID is set).
func (s *Store) PSUs(ctx context.Context, t *emulator.Tenant, bankID string) ([]emulator.PSU, error) {
	q, args := psuSelect+` WHERE tenant_id = ?`, []any{t.ID}
	if bankID != "" {
		q, args = q+` AND bank_id = ?`, append(args, bankID)
	}
	rows, err := s.read.QueryContext(ctx, q+` ORDER BY position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.PSU
	for rows.Next() {
		p, err := scanPSU(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const accountSelect = `SELECT a.id, a.psu_id, a.bank_id, a.iban, a.bic, a.currency, a.name, a.type, a.opening_cents, a.co_owners FROM accounts a`

func scanAccount(row scanner) (emulator.Account, error) {
	var a emulator.Account
	var coOwners string
	err := row.Scan(&a.ID, &a.PSUID, &a.BankID, &a.IBAN, &a.BIC, &a.Currency, &a.Name, &a.Type, &a.OpeningCents, &coOwners)
	a.CoOwners = splitNames(coOwners)
	return a, err
}

func collectAccounts(rows *sql.Rows, err error) ([]emulator.Account, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// PSUAccounts lists a PSU's accounts.
func (s *Store) PSUAccounts(ctx context.Context, t *emulator.Tenant, psuID string) ([]emulator.Account, error) {
	return collectAccounts(s.read.QueryContext(ctx, accountSelect+` WHERE a.tenant_id = ? AND a.psu_id = ? ORDER BY a.position`, t.ID, psuID))
}

// PSUBankAccounts lists a PSU's accounts at one bank: a consent covers
// one bank, though a PSU may hold accounts at several.
func (s *Store) PSUBankAccounts(ctx context.Context, t *emulator.Tenant, psuID, bankID string) ([]emulator.Account, error) {
	return collectAccounts(s.read.QueryContext(ctx, accountSelect+` WHERE a.tenant_id = ? AND a.psu_id = ? AND a.bank_id = ? ORDER BY a.position`, t.ID, psuID, bankID))
}

// FirstPSUWithAccounts is the bank's first PSU, in world order, holding an
// account there, with those accounts: whom an approval made without a
// login (the auto bank, the control plane) acts for. NotFound when the
// bank has none.
func (s *Store) FirstPSUWithAccounts(ctx context.Context, t *emulator.Tenant, bankID string) (emulator.PSU, []emulator.Account, error) {
	psu, err := scanPSU(s.read.QueryRowContext(ctx, psuSelect+` p WHERE p.tenant_id = ? AND p.bank_id = ?
		AND EXISTS (SELECT 1 FROM accounts a WHERE a.tenant_id = p.tenant_id AND a.psu_id = p.id AND a.bank_id = p.bank_id)
		ORDER BY p.position LIMIT 1`, t.ID, bankID))
	if errors.Is(err, sql.ErrNoRows) {
		return psu, nil, emulator.Errorf(emulator.CodeNotFound, "bank %s has no PSU with an account there", bankID)
	}
	if err != nil {
		return psu, nil, err
	}
	accounts, err := s.PSUBankAccounts(ctx, t, psu.ID, bankID)
	return psu, accounts, err
}

// ConnectionAccounts lists the accounts a connection shares.
func (s *Store) ConnectionAccounts(ctx context.Context, t *emulator.Tenant, connectionID string) ([]emulator.Account, error) {
	return cached(s, cacheKey("conn-accounts", t, connectionID), func() ([]emulator.Account, error) {
		return s.findConnectionAccounts(ctx, t, connectionID)
	})
}

func (s *Store) findConnectionAccounts(ctx context.Context, t *emulator.Tenant, connectionID string) ([]emulator.Account, error) {
	return collectAccounts(s.read.QueryContext(ctx, accountSelect+`
		JOIN connection_accounts c ON c.tenant_id = a.tenant_id AND c.account_id = a.id
		WHERE a.tenant_id = ? AND c.connection_id = ? ORDER BY a.position`, t.ID, connectionID))
}

// ConnectionAccount finds one account a connection shares; an account that
// exists but is not shared is as unknown as one that does not exist.
func (s *Store) ConnectionAccount(ctx context.Context, t *emulator.Tenant, connectionID, accountID string) (emulator.Account, error) {
	return cached(s, cacheKey("conn-account", t, connectionID, accountID), func() (emulator.Account, error) {
		return s.findConnectionAccount(ctx, t, connectionID, accountID)
	})
}

func (s *Store) findConnectionAccount(ctx context.Context, t *emulator.Tenant, connectionID, accountID string) (emulator.Account, error) {
	a, err := scanAccount(s.read.QueryRowContext(ctx, accountSelect+`
		JOIN connection_accounts c ON c.tenant_id = a.tenant_id AND c.account_id = a.id
		WHERE a.tenant_id = ? AND c.connection_id = ? AND a.id = ?`, t.ID, connectionID, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, emulator.NotFound("account", accountID)
	}
	return a, err
}

// Balances computes an account's booked and expected balance at the tenant's
// now: opening balance plus the transactions booked by today (and, for the
// expected balance, the pending ones too).
func (s *Store) Balances(ctx context.Context, t *emulator.Tenant, a emulator.Account) (emulator.Balances, error) {
	now := s.Now(t)
	today := emulator.Day(now)
	sums, err := cached(s, cacheKey("balance", t, a.ID, today), func() ([2]int64, error) {
		var booked, all sql.NullInt64
		err := s.read.QueryRowContext(ctx, `SELECT
			SUM(CASE WHEN booking_date <= ? THEN amount_cents ELSE 0 END), SUM(amount_cents)
			FROM transactions WHERE tenant_id = ? AND account_id = ?`, today, t.ID, a.ID).Scan(&booked, &all)
		return [2]int64{booked.Int64, all.Int64}, err
	})
	if err != nil {
		return emulator.Balances{}, err
	}
	return emulator.Balances{BookedCents: a.OpeningCents + sums[0], ExpectedCents: a.OpeningCents + sums[1], At: now}, nil
}

// TransactionFilter narrows a transaction listing. Dates are inclusive
// YYYY-MM-DD bounds; empty means open.
type TransactionFilter struct {
	From, To string
	// BookedBy, when set, hides transactions booking after that day
	// (pending ones).
	BookedBy string
	Offset   int
	Limit    int // 0 = all
}

// Transactions lists an account's transactions, newest booking first.
func (s *Store) Transactions(ctx context.Context, t *emulator.Tenant, accountID string, f TransactionFilter) ([]emulator.Transaction, error) {
	q := `SELECT id, account_id, amount_cents, currency, booking_date, value_date, description, counterparty_name, counterparty_iban, kind
		FROM transactions WHERE tenant_id = ? AND account_id = ?`
	args := []any{t.ID, accountID}
	if f.From != "" {
		q, args = q+` AND booking_date >= ?`, append(args, f.From)
	}
	if f.To != "" {
		q, args = q+` AND booking_date <= ?`, append(args, f.To)
	}
	if f.BookedBy != "" {
		q, args = q+` AND booking_date <= ?`, append(args, f.BookedBy)
	}
	q += ` ORDER BY booking_date DESC, position`
	if f.Limit > 0 {
		q, args = q+` LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.Transaction
	for rows.Next() {
		var x emulator.Transaction
		if err := rows.Scan(&x.ID, &x.AccountID, &x.AmountCents, &x.Currency, &x.BookingDate, &x.ValueDate, &x.Description, &x.CounterpartyName, &x.CounterpartyIBAN, &x.Kind); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
