package finqlink

import (
	"context"
	"slices"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/bank"
	"github.com/sandbank/sandbank/emulator/iban"
	"github.com/sandbank/sandbank/fixtures"
)

// Words makes the bank pages of a FinqLink journey speak like the bank
// (bank.Wording): the login fields carry the bank's labels from the
// catalogue (rzb_ro asks a PSU ID, bt_ro a PIN), and a payment link's
// journey asks to authorize that payment from one account instead of
// sharing accounts. A FinqLink journey's state is its link's or consent's
// web_id, which is how the journey finds what it is for.
func (p *Provider) Words(ctx context.Context, t *emulator.Tenant, s emulator.SCASession) (bank.Words, error) {
	var w bank.Words
	meta, known := fixtures.FinqLinkProviderNamed(s.BankID)
	if known {
		w.LoginLabel, w.PasswordLabel, w.OTPLabel = meta.SCA.LoginLabel, meta.SCA.PasswordLabel, meta.SCA.OTPLabel
	}
	l, err := p.store.LinkByWebID(ctx, t, s.State)
	if emulator.IsCode(err, emulator.CodeNotFound) || (err == nil && l.SCASessionID != s.ID) {
		// An AIS consent's journey (or one that is no link's): the
		// pages' own consent step, sharing accounts.
		return w, nil
	}
	if err != nil {
		return w, err
	}
	w.Payment = &bank.Payment{
		Amount: formatAmount(l.Amount, l.Currency), Creditor: l.CreditorName, CreditorIBAN: iban.Format(l.CreditorIBAN),
		Description: l.Description, DebtorIBAN: iban.Normalize(l.DebtorIBAN),
	}
	// rzb_ro lets a client pass the payer's PSU ID (notes §6): the login
	// field comes filled in.
	if known && l.DebtorPSUID != "" && slices.Contains(meta.SCA.Prefill, fixtures.FinqLinkPrefillPSUID) {
		w.Login = l.DebtorPSUID
	}
	return w, nil
}
