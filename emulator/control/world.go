package control

import (
	"context"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/store"
)

// World shows a tenant's banks, PSUs (with the credentials to type on the
// bank pages and the SCA outcome their scenario gives them) and accounts
// with today's balances.
func (s *Service) World(ctx context.Context, key string) (client.World, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.World{}, err
	}
	var out client.World
	banks, err := s.store.Banks(ctx, t)
	if err != nil {
		return out, err
	}
	for _, b := range banks {
		out.Banks = append(out.Banks, client.Bank{ID: b.ID, Name: b.Name, Country: b.Country, BIC: b.BIC, Model: string(b.Model)})
	}
	psus, err := s.store.PSUs(ctx, t, "")
	if err != nil {
		return out, err
	}
	for _, p := range psus {
		out.PSUs = append(out.PSUs, client.PSU{
			ID: p.ID, Bank: p.BankID, Login: p.Login, Password: p.Password, OTP: p.OTP, DecoupledID: p.DecoupledID,
			Name: p.FullName, Outcome: string(t.Behaviour.OutcomeFor(p.Login)),
		})
	}
	accounts, err := s.store.Accounts(ctx, t)
	if err != nil {
		return out, err
	}
	counts, err := s.store.TransactionCounts(ctx, t)
	if err != nil {
		return out, err
	}
	for _, a := range accounts {
		b, err := s.store.Balances(ctx, t, a)
		if err != nil {
			return out, err
		}
		out.Accounts = append(out.Accounts, client.Account{
			ID: a.ID, PSU: a.PSUID, Bank: a.BankID, IBAN: a.IBAN, Currency: a.Currency, Name: a.Name, Type: string(a.Type),
			BookedCents: b.BookedCents, ExpectedCents: b.ExpectedCents, Transactions: counts[a.ID],
		})
	}
	return out, nil
}

// Transactions lists one account's transactions, newest first, at most
// limit (default 100) from offset.
func (s *Service) Transactions(ctx context.Context, key, accountID string, offset, limit int) ([]client.Transaction, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	if offset < 0 {
		offset = 0
	}
	if _, err := s.store.Account(ctx, t, accountID); err != nil {
		return nil, err
	}
	xs, err := s.store.Transactions(ctx, t, accountID, store.TransactionFilter{Offset: offset, Limit: limit})
	if err != nil {
		return nil, err
	}
	today := emulator.Day(s.store.Now(t))
	out := make([]client.Transaction, 0, len(xs))
	for _, x := range xs {
		out = append(out, client.Transaction{
			ID: x.ID, AmountCents: x.AmountCents, Currency: x.Currency, BookingDate: x.BookingDate,
			Description: x.Description, Counterparty: x.CounterpartyName, Pending: !x.Booked(today),
		})
	}
	return out, nil
}

// Connections lists a tenant's connections (consents) with their state.
func (s *Service) Connections(ctx context.Context, key string) ([]client.Connection, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.Connections(ctx, t)
	if err != nil {
		return nil, err
	}
	now := s.store.Now(t)
	out := make([]client.Connection, 0, len(cs))
	for _, c := range cs {
		psu, err := s.store.PSU(ctx, t, c.PSUID)
		if err != nil {
			return nil, err
		}
		accounts, err := s.store.ConnectionAccounts(ctx, t, c.ID)
		if err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(accounts))
		for _, a := range accounts {
			ids = append(ids, a.ID)
		}
		out = append(out, client.Connection{
			ID: c.ID, Bank: c.BankID, PSU: psu.Login, Accounts: ids, CreatedAt: c.CreatedAt, ExpiresAt: c.ExpiresAt, Expired: c.Expired(now),
		})
	}
	return out, nil
}
