package bank

import (
	"net/http"

	"github.com/sandbank/sandbank/emulator"
)

// auto is the auto-approving bank. Like Fintecture's sandbox bank cmmcfr it
// completes with plain 302 hops and no page, so automated tests can follow
// a journey with any HTTP client (DESIGN.md §5).
func (p *Pages) auto(w http.ResponseWriter, r *http.Request) error {
	j, err := p.load(r)
	if err != nil {
		return err
	}
	if j.s.Status != emulator.SCAPending {
		return p.renderDone(w, r, j, false)
	}
	if j.s.BankID == "" {
		return &pageError{status: http.StatusConflict, title: "Choose a bank first", msg: "No bank has been chosen for this authentication yet.", link: journeyPath(j.t, j.s.ID)}
	}
	// Without this check the URL would skip the login of any bank.
	if j.s.Model != emulator.SCAAuto && j.bank.Model != emulator.SCAAuto {
		return &pageError{status: http.StatusConflict, title: "Log in to your bank", msg: "This bank does not approve by itself.", link: journeyPath(j.t, j.s.ID)}
	}
	psu, accounts, err := p.autoPSU(r, j)
	if err != nil {
		return err
	}
	s, err := p.store.AdvanceSCA(r.Context(), j.t, j.s.ID, emulator.StepConsent, "", psu.ID)
	if err != nil {
		return p.settled(w, r, j, err, false)
	}
	j.s = s
	switch s.Outcome {
	case emulator.OutcomeDeny:
		return p.deny(w, r, j, http.StatusFound)
	case emulator.OutcomeTimeout:
		return p.waiting(w, j)
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	if pay := p.words(r, j).Payment; pay != nil {
		// A payment is taken from one account.
		a, _ := debtorAccount(pay, accounts)
		ids = []string{a.ID}
	}
	if s, err = p.store.ApproveSCA(r.Context(), j.t, j.s.ID, ids, p.codeTTL); err != nil {
		return p.settled(w, r, j, err, false)
	}
	j.s = s
	return p.finish(w, j, http.StatusFound)
}

// autoPSU picks who the auto bank logs in: the PSU the journey already
// names (a client may pass one), else the bank's first PSU with an account
// there, so the approval always shares something.
func (p *Pages) autoPSU(r *http.Request, j *journey) (emulator.PSU, []emulator.Account, error) {
	if j.s.PSUID != "" {
		psu, err := p.store.PSU(r.Context(), j.t, j.s.PSUID)
		if err != nil {
			return psu, nil, err
		}
		accounts, err := p.bankAccounts(r, j, psu.ID)
		if err == nil && len(accounts) == 0 {
			err = noAutoPSU()
		}
		return psu, accounts, err
	}
	psu, accounts, err := p.store.FirstPSUWithAccounts(r.Context(), j.t, j.s.BankID)
	if emulator.IsCode(err, emulator.CodeNotFound) {
		return psu, nil, noAutoPSU()
	}
	return psu, accounts, err
}

func noAutoPSU() *pageError {
	return &pageError{status: http.StatusConflict, title: "Nothing to approve", msg: "This bank has no customer with an account to share."}
}
