package bank

import (
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/emulator"
)

// The phone page stands in for the bank's app in decoupled SCA: the PSU
// approves there, not in the browser that started the journey.

func (p *Pages) showPhone(w http.ResponseWriter, r *http.Request) error {
	j, err := p.load(r)
	if err != nil {
		return err
	}
	if j.s.Status != emulator.SCAPending {
		return p.renderDone(w, r, j, true)
	}
	if err := phoneReady(j); err != nil {
		return err
	}
	return p.renderPhone(w, r, j, "", "")
}

// phoneReady refuses the phone page to journeys that are not decoupled:
// approving there skips the login, which only the bank's app may do.
func phoneReady(j *journey) error {
	if j.s.BankID == "" {
		return &pageError{status: http.StatusConflict, title: "Choose a bank first", msg: "No bank has been chosen for this authentication yet.", link: journeyPath(j.t, j.s.ID)}
	}
	if j.s.Model != emulator.SCADecoupled {
		return &pageError{status: http.StatusConflict, title: "Log in to your bank", msg: "This authentication is not approved on a phone.", link: journeyPath(j.t, j.s.ID)}
	}
	return nil
}

func (p *Pages) renderPhone(w http.ResponseWriter, r *http.Request, j *journey, errMsg, psuInput string) error {
	v := page{Title: j.bank.Name, Header: j.bank.Name + " app", Brand: j.fin.Brand(), Bank: j.bank.Name, Error: errMsg, PSUInput: psuInput}
	p.words(r, j).apply(&v)
	if j.s.PSUID == "" {
		v.NeedPSU = true
	} else {
		psu, err := p.store.PSU(r.Context(), j.t, j.s.PSUID)
		if err != nil {
			return err
		}
		v.PSUName = psu.FullName
		v.Title = j.bank.Name + " — " + psu.FullName
	}
	return p.render(w, http.StatusOK, "phone.html", v)
}

func (p *Pages) postPhone(w http.ResponseWriter, r *http.Request) error {
	j, done, err := p.loadForPost(w, r, true)
	if done || err != nil {
		return err
	}
	if err := phoneReady(j); err != nil {
		return err
	}
	ctx := r.Context()
	here := phonePath(j.t, j.s.ID)
	switch action := r.PostForm.Get("action"); action {
	case "identify":
		if j.s.PSUID != "" {
			return outOfDate(here)
		}
		id := strings.TrimSpace(r.PostForm.Get("psu_id"))
		if id == "" {
			// An empty id would pick the bank's first decoupled PSU.
			return p.renderPhone(w, r, j, "Enter your PSU id", id)
		}
		psu, err := p.store.PSUByDecoupledID(ctx, j.t, j.s.BankID, id)
		if emulator.IsCode(err, emulator.CodeNotFound) {
			return p.renderPhone(w, r, j, "Unknown PSU id", id)
		}
		if err != nil {
			return err
		}
		if _, err := p.store.AdvanceSCA(ctx, j.t, j.s.ID, emulator.StepConsent, "", psu.ID); err != nil {
			return p.settled(w, r, j, err, true)
		}
	case "approve":
		if j.s.PSUID == "" {
			return outOfDate(here)
		}
		switch j.s.Outcome {
		case emulator.OutcomeTimeout:
			return p.renderPhone(w, r, j, "Your bank is not answering. Try again later.", "")
		case emulator.OutcomeDeny:
			// The scenario makes the bank refuse whatever the PSU does.
			if _, err := p.store.FailSCA(ctx, j.t, j.s.ID, emulator.FailDenied); err != nil {
				return p.settled(w, r, j, err, true)
			}
			return redirect(w, here, http.StatusSeeOther)
		}
		// nil shares every account the PSU holds at the bank: an app
		// notification has no account list to choose from. A payment is
		// taken from one account, the one chosen in advance.
		ids, err := p.phoneAccounts(r, j)
		if err != nil {
			return err
		}
		if _, err := p.store.ApproveSCA(ctx, j.t, j.s.ID, ids, p.codeTTL); err != nil {
			return p.settled(w, r, j, err, true)
		}
	case "deny":
		if _, err := p.store.FailSCA(ctx, j.t, j.s.ID, emulator.FailDenied); err != nil {
			return p.settled(w, r, j, err, true)
		}
	default:
		return badRequest("Unknown action %q.", action)
	}
	// Back to the same URL, which shows the next question or the outcome.
	return redirect(w, here, http.StatusSeeOther)
}

// phoneAccounts is what an approval on the phone shares: every account
// (nil), or for a payment the one account it is taken from.
func (p *Pages) phoneAccounts(r *http.Request, j *journey) ([]string, error) {
	pay := p.words(r, j).Payment
	if pay == nil {
		return nil, nil
	}
	accounts, err := p.bankAccounts(r, j, j.s.PSUID)
	if err != nil {
		return nil, err
	}
	if a, ok := debtorAccount(pay, accounts); ok {
		return []string{a.ID}, nil
	}
	// No account: the store refuses the approval, and the page says so.
	return nil, nil
}
