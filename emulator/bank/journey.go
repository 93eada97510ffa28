package bank

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/iban"
)

// step is the page a pending journey shows. A journey without a bank is on
// the provider's bank list whatever its recorded step, since every later
// page belongs to a bank.
func step(s emulator.SCASession) emulator.SCAStep {
	if s.BankID == "" {
		return emulator.StepSelectBank
	}
	return s.Step
}

// stepForm is what the PSU typed, echoed back with an error.
type stepForm struct {
	err      string
	username string
	// posted is true when the login form was sent, so username is what
	// the PSU typed rather than a login to fill in.
	posted bool
	// checked lists the accounts ticked on the consent page; nil ticks all
	// (or, for a payment, the account chosen in advance).
	checked map[string]bool
}

func (p *Pages) showJourney(w http.ResponseWriter, r *http.Request) error {
	j, err := p.load(r)
	if err != nil {
		return err
	}
	if j.s.Status != emulator.SCAPending {
		return p.renderDone(w, r, j, false)
	}
	if j.s.BankID != "" {
		switch j.s.Model {
		case emulator.SCAAuto:
			return redirect(w, autoPath(j.t, j.s.ID), http.StatusFound)
		case emulator.SCADecoupled:
			// The browser has nothing to do but wait: send it to the
			// phone page, which stands in for the bank's app.
			return redirect(w, phonePath(j.t, j.s.ID), http.StatusFound)
		}
	}
	return p.renderStep(w, r, j, stepForm{})
}

// renderStep shows the page of the journey's current step. Errors are
// shown with status 200: the form is fine, its content is wrong.
func (p *Pages) renderStep(w http.ResponseWriter, r *http.Request, j *journey, f stepForm) error {
	v := page{Brand: j.fin.Brand(), Bank: j.bank.Name, Header: j.bank.Name, Error: f.err}
	words := p.words(r, j)
	words.apply(&v)
	switch step(j.s) {
	case emulator.StepSelectBank:
		banks, err := p.offered(r.Context(), j)
		if err != nil {
			return err
		}
		v.Title, v.Header, v.Banks = j.fin.Brand()+" — choose your bank", j.fin.Brand(), banks
		return p.render(w, http.StatusOK, "select_bank.html", v)
	case emulator.StepLogin:
		v.Title, v.Username = "Log in — "+j.bank.Name, f.username
		if !f.posted {
			// The login the client passed through the provider, if any;
			// after a failed attempt, what the PSU typed.
			v.Username = words.Login
		}
		return p.render(w, http.StatusOK, "login.html", v)
	case emulator.StepOTP:
		v.Title = "One-time code — " + j.bank.Name
		return p.render(w, http.StatusOK, "otp.html", v)
	case emulator.StepConsent:
		if j.s.Outcome == emulator.OutcomeTimeout {
			return p.waiting(w, j)
		}
		psu, err := p.store.PSU(r.Context(), j.t, j.s.PSUID)
		if err != nil {
			return err
		}
		accounts, err := p.bankAccounts(r, j, j.s.PSUID)
		if err != nil {
			return err
		}
		v.Title, v.PSUName = "Share your accounts — "+j.bank.Name, psu.FullName
		// A payment is taken from one account: the one the client named,
		// else the first, is chosen until the payer picks another.
		debtor, _ := debtorAccount(words.Payment, accounts)
		if words.Payment != nil {
			v.Title = "Authorize payment — " + j.bank.Name
		}
		for _, a := range accounts {
			checked := f.checked == nil || f.checked[a.ID]
			if words.Payment != nil && f.checked == nil {
				checked = a.ID == debtor.ID
			}
			v.Accounts = append(v.Accounts, accountChoice{
				ID: a.ID, Name: a.Name, IBAN: iban.Format(a.IBAN), Currency: a.Currency, Checked: checked,
			})
		}
		return p.render(w, http.StatusOK, "consent.html", v)
	}
	return &pageError{status: http.StatusConflict, title: "This page is out of date", msg: "This authentication has no page to show."}
}

// offered lists the banks the journey's provider offers on its hosted
// list: the whole world, unless the provider chooses.
func (p *Pages) offered(ctx context.Context, j *journey) ([]emulator.Bank, error) {
	banks, err := p.store.Banks(ctx, j.t)
	if err != nil {
		return nil, err
	}
	if c, ok := j.fin.(BankChooser); ok {
		return c.ChooseBanks(ctx, j.t, j.s, banks)
	}
	return banks, nil
}

func (p *Pages) postJourney(w http.ResponseWriter, r *http.Request) error {
	j, done, err := p.loadForPost(w, r, false)
	if done || err != nil {
		return err
	}
	action := r.PostForm.Get("action")
	want := map[string]emulator.SCAStep{
		"select":  emulator.StepSelectBank,
		"login":   emulator.StepLogin,
		"otp":     emulator.StepOTP,
		"approve": emulator.StepConsent,
	}
	if action == "deny" {
		return p.deny(w, r, j, http.StatusSeeOther)
	}
	at, known := want[action]
	if !known {
		return badRequest("Unknown action %q.", action)
	}
	if at != step(j.s) {
		return outOfDate(journeyPath(j.t, j.s.ID))
	}
	switch action {
	case "select":
		return p.selectBank(w, r, j)
	case "login":
		return p.login(w, r, j)
	case "otp":
		return p.checkOTP(w, r, j)
	}
	return p.approve(w, r, j)
}

// selectBank records the bank picked on the provider's list and sends the
// browser on to that bank's own way of authenticating.
func (p *Pages) selectBank(w http.ResponseWriter, r *http.Request, j *journey) error {
	ctx := r.Context()
	id := r.PostForm.Get("bank_id")
	offered, err := p.offered(ctx, j)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(offered, func(b emulator.Bank) bool { return b.ID == id })
	if i < 0 {
		return badRequest("Unknown bank %q.", id)
	}
	bank := offered[i] // as stored, but for its name (see BankChooser)
	model := bank.Model
	if model == "" {
		model = emulator.SCARedirect
	}
	// The model is set before the bank: should the second change fail, a
	// journey without a bank still shows the bank list, whatever its model.
	if model != j.s.Model {
		if err := p.store.SetSCAModel(ctx, j.t, j.s.ID, model); err != nil {
			return p.settled(w, r, j, err, false)
		}
	}
	if _, err := p.store.AdvanceSCA(ctx, j.t, j.s.ID, emulator.StepLogin, bank.ID, ""); err != nil {
		return p.settled(w, r, j, err, false)
	}
	switch model {
	case emulator.SCADecoupled:
		return redirect(w, phonePath(j.t, j.s.ID), http.StatusSeeOther)
	case emulator.SCAAuto:
		return redirect(w, autoPath(j.t, j.s.ID), http.StatusSeeOther)
	}
	return redirect(w, journeyPath(j.t, j.s.ID), http.StatusSeeOther)
}

func (p *Pages) login(w http.ResponseWriter, r *http.Request, j *journey) error {
	username, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	psu, err := p.store.PSUByLogin(r.Context(), j.t, j.s.BankID, username)
	if err != nil && !emulator.IsCode(err, emulator.CodeNotFound) {
		return err
	}
	// One message for an unknown user and a wrong password, as banks do.
	if err != nil || !same(psu.Password, password) {
		words := p.words(r, j)
		msg := "Wrong " + inSentence(words.LoginLabel) + " or " + inSentence(words.PasswordLabel)
		return p.renderStep(w, r, j, stepForm{err: msg, username: username, posted: true})
	}
	if _, err := p.store.AdvanceSCA(r.Context(), j.t, j.s.ID, emulator.StepOTP, "", psu.ID); err != nil {
		return p.settled(w, r, j, err, false)
	}
	return redirect(w, journeyPath(j.t, j.s.ID), http.StatusSeeOther)
}

func (p *Pages) checkOTP(w http.ResponseWriter, r *http.Request, j *journey) error {
	psu, err := p.store.PSU(r.Context(), j.t, j.s.PSUID)
	if err != nil {
		return err
	}
	// Codes are often pasted with a stray space.
	if !same(psu.OTP, strings.TrimSpace(r.PostForm.Get("otp"))) {
		return p.renderStep(w, r, j, stepForm{err: "Wrong " + inSentence(p.words(r, j).OTPLabel)})
	}
	if j.s.Outcome == emulator.OutcomeDeny {
		// The scenario makes the bank refuse this PSU once they have
		// proved who they are.
		return p.deny(w, r, j, http.StatusSeeOther)
	}
	if _, err := p.store.AdvanceSCA(r.Context(), j.t, j.s.ID, emulator.StepConsent, "", ""); err != nil {
		return p.settled(w, r, j, err, false)
	}
	return redirect(w, journeyPath(j.t, j.s.ID), http.StatusSeeOther)
}

// deny ends a journey refused, by the PSU or by the bank's scenario, and
// sends the browser back to the client with a redirect of status.
func (p *Pages) deny(w http.ResponseWriter, r *http.Request, j *journey, status int) error {
	s, err := p.store.FailSCA(r.Context(), j.t, j.s.ID, emulator.FailDenied)
	if err != nil {
		return p.settled(w, r, j, err, false)
	}
	j.s = s
	return p.finish(w, j, status)
}

// waiting is the page of a bank that never answers (scenario outcome
// timeout): nothing moves until the journey's deadline fails it.
func (p *Pages) waiting(w http.ResponseWriter, j *journey) error {
	return p.render(w, http.StatusOK, "done.html", page{
		Title: "Waiting for " + j.bank.Name, Header: j.bank.Name,
		Message: "Your bank has not answered yet. This page does not change until the request times out.",
	})
}

func (p *Pages) approve(w http.ResponseWriter, r *http.Request, j *journey) error {
	if j.s.Outcome == emulator.OutcomeTimeout {
		return p.waiting(w, j)
	}
	accounts, err := p.bankAccounts(r, j, j.s.PSUID)
	if err != nil {
		return err
	}
	owned := map[string]bool{}
	for _, a := range accounts {
		owned[a.ID] = true
	}
	checked := map[string]bool{}
	var ids []string
	for _, id := range r.PostForm["account"] {
		if !owned[id] {
			return badRequest("Account %q is not one of yours at this bank.", id)
		}
		// A duplicate would insert the same connection account twice.
		if !checked[id] {
			checked[id] = true
			ids = append(ids, id)
		}
	}
	payment := p.words(r, j).Payment != nil
	switch {
	case len(ids) == 0 && payment:
		return p.renderStep(w, r, j, stepForm{err: "Choose the account to pay from", checked: checked})
	case len(ids) == 0:
		// Checked stays empty so the page shows what was sent.
		return p.renderStep(w, r, j, stepForm{err: "Choose at least one account", checked: checked})
	case len(ids) > 1 && payment:
		// The radio buttons send one; only a forged form sends more.
		return badRequest("A payment is taken from one account: choose one.")
	}
	s, err := p.store.ApproveSCA(r.Context(), j.t, j.s.ID, ids, p.codeTTL)
	if err != nil {
		return p.settled(w, r, j, err, false)
	}
	j.s = s
	return p.finish(w, j, http.StatusSeeOther)
}

// finish ends a browser journey: back to the client when it gave a
// redirect URI, otherwise to the journey's own URL, which now shows the
// outcome (Post/Redirect/Get, so a reload does not post again).
func (p *Pages) finish(w http.ResponseWriter, j *journey, status int) error {
	// A bank that never returns (scenario outcome never_return) keeps the
	// browser on its own outcome page, which offers no way back.
	if j.s.RedirectURI == "" || j.s.Stranded() {
		return redirect(w, journeyPath(j.t, j.s.ID), status)
	}
	u, err := j.fin.ReturnURL(j.t, j.s)
	if err != nil {
		return err
	}
	return redirect(w, u, status)
}

// bankAccounts lists a PSU's accounts at the journey's bank: a PSU may hold
// accounts elsewhere too, and a consent covers one bank only.
func (p *Pages) bankAccounts(r *http.Request, j *journey, psuID string) ([]emulator.Account, error) {
	return p.store.PSUBankAccounts(r.Context(), j.t, psuID, j.s.BankID)
}

// same compares secrets in constant time. The bank is fake, but its pages
// should not teach the wrong habit.
func same(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
