package control

import (
	"context"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
)

// PendingSCA lists a tenant's journeys still waiting for the PSU.
func (s *Service) PendingSCA(ctx context.Context, key string) ([]client.SCA, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return nil, err
	}
	xs, err := s.store.PendingSCASessions(ctx, t)
	if err != nil {
		return nil, err
	}
	out := make([]client.SCA, 0, len(xs))
	for _, x := range xs {
		c, err := s.describeSCA(ctx, t, x)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// SCA shows one journey, pending or not.
func (s *Service) SCA(ctx context.Context, key, id string) (client.SCA, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.SCA{}, err
	}
	x, err := s.store.SCASession(ctx, t, id)
	if err != nil {
		return client.SCA{}, err
	}
	return s.describeSCA(ctx, t, x)
}

func (s *Service) describeSCA(ctx context.Context, t *emulator.Tenant, x emulator.SCASession) (client.SCA, error) {
	out := client.SCA{
		ID: x.ID, Provider: string(x.Provider), Bank: x.BankID, Model: string(x.Model), Status: string(x.Status),
		Step: string(x.Step), Outcome: string(x.Outcome), RedirectURI: x.RedirectURI, Failure: string(x.Failure),
		Connection: x.ConnectionID, CreatedAt: x.CreatedAt, ExpiresAt: x.ExpiresAt,
	}
	if x.BankID == "" && x.Status == emulator.SCAPending {
		out.Step = string(emulator.StepSelectBank)
	}
	if x.PSUID != "" {
		psu, err := s.store.PSU(ctx, t, x.PSUID)
		if err != nil {
			return out, err
		}
		out.PSU = psu.Login
	}
	if s.opts.JourneyPath != nil {
		out.URL = s.opts.JourneyPath(t, x)
	}
	return out, nil
}

// ApproveSCA approves a pending journey as its PSU would, whatever the
// scenario says the bank does: an explicit action wins over a scripted
// outcome. A journey still on the bank list needs a bank; one whose PSU has
// not logged in takes the PSU named, else the bank's first PSU with an
// account there.
func (s *Service) ApproveSCA(ctx context.Context, key, id string, in client.SCAApproval) (client.SCA, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.SCA{}, err
	}
	x, err := s.store.SCASession(ctx, t, id)
	if err != nil {
		return client.SCA{}, err
	}
	if x.Status != emulator.SCAPending {
		return client.SCA{}, emulator.Errorf(emulator.CodeConflict, "journey %s is already %s", id, x.Status)
	}
	// Everything is chosen first and applied in one transaction, so a
	// refused approval leaves the journey as it was.
	bank, psuID := x.BankID, ""
	switch {
	case bank == "" && in.Bank == "":
		return client.SCA{}, emulator.FieldError(emulator.CodeMissing, "bank", "the PSU has not chosen a bank yet: name one")
	case bank == "":
		if _, err := s.store.Bank(ctx, t, in.Bank); err != nil {
			return client.SCA{}, emulator.FieldError(emulator.CodeInvalid, "bank", "no bank %q in this tenant's world", in.Bank)
		}
		bank = in.Bank
	case in.Bank != "" && in.Bank != bank:
		return client.SCA{}, emulator.FieldError(emulator.CodeConflict, "bank", "this journey is at bank %s", bank)
	}
	if x.PSUID == "" {
		psu, err := s.choosePSU(ctx, t, bank, in.PSU)
		if err != nil {
			return client.SCA{}, err
		}
		psuID = psu.ID
	} else if in.PSU != "" {
		psu, err := s.store.PSU(ctx, t, x.PSUID)
		if err != nil {
			return client.SCA{}, err
		}
		if psu.Login != in.PSU {
			return client.SCA{}, emulator.FieldError(emulator.CodeConflict, "psu", "PSU %s has already logged in on this journey", psu.Login)
		}
	}
	if x, err = s.store.ApproveSCAAs(ctx, t, id, bank, psuID, in.Accounts, s.codeTTL(t.Provider)); err != nil {
		return client.SCA{}, err
	}
	return s.describeSCA(ctx, t, x)
}

func (s *Service) codeTTL(p emulator.Provider) (ttl time.Duration) {
	if s.opts.CodeTTL != nil {
		ttl = s.opts.CodeTTL(p)
	}
	if ttl <= 0 {
		ttl = defaultCodeTTL
	}
	return ttl
}

func (s *Service) choosePSU(ctx context.Context, t *emulator.Tenant, bankID, login string) (emulator.PSU, error) {
	if login != "" {
		psu, err := s.store.PSUByLogin(ctx, t, bankID, login)
		if err != nil {
			return psu, emulator.FieldError(emulator.CodeInvalid, "psu", "no PSU with login %q at %s", login, bankID)
		}
		return psu, nil
	}
	psu, _, err := s.store.FirstPSUWithAccounts(ctx, t, bankID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return psu, emulator.Errorf(emulator.CodeConflict, "bank %s has no PSU with an account to approve with", bankID)
	}
	return psu, err
}

// DenySCA fails a pending journey as if the PSU pressed Deny.
func (s *Service) DenySCA(ctx context.Context, key, id string) (client.SCA, error) {
	return s.failSCA(ctx, key, id, emulator.FailDenied)
}

// ExpireSCA fails a pending journey as if its time ran out.
func (s *Service) ExpireSCA(ctx context.Context, key, id string) (client.SCA, error) {
	return s.failSCA(ctx, key, id, emulator.FailExpired)
}

func (s *Service) failSCA(ctx context.Context, key, id string, reason emulator.FailReason) (client.SCA, error) {
	t, err := s.tenant(ctx, key)
	if err != nil {
		return client.SCA{}, err
	}
	x, err := s.store.FailSCA(ctx, t, id, reason)
	if err != nil {
		return client.SCA{}, err
	}
	return s.describeSCA(ctx, t, x)
}

// defaultCodeTTL is used when no provider says how long its codes live.
const defaultCodeTTL = 10 * time.Minute
