package finqlink

import (
	"context"
	"slices"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/fixtures"
)

// The banks a WebUI page offers: the FinqLink providers of the tenant's
// world whose methods pass the link's payment_method filter or the
// consent's ais_method filter (notes §3), in the world's order.

// bankChoice is one bank of the WebUI's list.
type bankChoice struct {
	ID, Name string
	// Logo is the path of the bank's logo on Sandbank, or empty; Initials
	// stand in for a missing one.
	Logo, Initials string
	Checked        bool
}

// catalogueEntry is what FinqLink's catalogue says of a bank. A bank a
// scenario adds is not in it: like the providers list, the WebUI takes it
// for a retail SEPA bank with API access in the sandbox, without a logo.
func catalogueEntry(b emulator.Bank) fixtures.FinqLinkProvider {
	if meta, ok := fixtures.FinqLinkProviderNamed(b.ID); ok {
		return meta
	}
	retail := []fixtures.FinqLinkRemitterType{fixtures.FinqLinkRetail}
	return fixtures.FinqLinkProvider{
		ID: b.ID, Name: b.Name,
		PaymentMethods: []fixtures.FinqLinkPaymentMethod{{RemitterType: retail, PaymentScheme: fixtures.FinqLinkSEPA, Env: fixtures.FinqLinkSandbox}},
		AisMethods:     []fixtures.FinqLinkAisMethod{{AccountOwnerType: retail, InterfaceType: "api", InterfaceEnv: fixtures.FinqLinkSandbox}},
	}
}

// payMethodMatches reports whether a payment method passes a link's
// filter: each field the client set must match, and of remitter_type one
// of the listed kinds is enough.
func payMethodMatches(f emulator.LinkMethodFilter, m fixtures.FinqLinkPaymentMethod) bool {
	return overlaps(f.RemitterType, m.RemitterType) &&
		(f.PaymentScheme == "" || f.PaymentScheme == string(m.PaymentScheme)) &&
		(f.Env == "" || f.Env == string(m.Env))
}

// aisMethodMatches is payMethodMatches for a consent's ais_method filter.
func aisMethodMatches(f emulator.AISMethodFilter, m fixtures.FinqLinkAisMethod) bool {
	return overlaps(f.AccountOwnerType, m.AccountOwnerType) &&
		(f.InterfaceType == "" || f.InterfaceType == m.InterfaceType) &&
		(f.InterfaceEnv == "" || f.InterfaceEnv == string(m.InterfaceEnv))
}

// overlaps reports whether want is empty (no filter) or names one of have.
func overlaps(want []string, have []fixtures.FinqLinkRemitterType) bool {
	if len(want) == 0 {
		return true
	}
	return slices.ContainsFunc(want, func(w string) bool {
		return slices.Contains(have, fixtures.FinqLinkRemitterType(w))
	})
}

// linkBanks lists the banks a link's payer may choose. A link already at
// a bank, or whose filter names one provider, offers that bank alone,
// chosen in advance.
func (u *WebUI) linkBanks(ctx context.Context, t *emulator.Tenant, l emulator.PayLink) ([]bankChoice, error) {
	only := l.Method.ProviderID
	if l.BankID != "" {
		only = l.BankID
	}
	return u.banksWhere(ctx, t, only, func(meta fixtures.FinqLinkProvider) bool {
		return slices.ContainsFunc(meta.PaymentMethods, func(m fixtures.FinqLinkPaymentMethod) bool { return payMethodMatches(l.Method, m) })
	})
}

// consentBanks lists the banks a consent's account holder may choose.
func (u *WebUI) consentBanks(ctx context.Context, t *emulator.Tenant, c emulator.AISConsent) ([]bankChoice, error) {
	only := c.Method.ProviderID
	if c.BankID != "" {
		only = c.BankID
	}
	return u.banksWhere(ctx, t, only, func(meta fixtures.FinqLinkProvider) bool {
		return slices.ContainsFunc(meta.AisMethods, func(m fixtures.FinqLinkAisMethod) bool { return aisMethodMatches(c.Method, m) })
	})
}

// banksWhere lists the world's banks that ok accepts (only the bank only,
// when set). A list of one is chosen in advance: the payer just confirms.
func (u *WebUI) banksWhere(ctx context.Context, t *emulator.Tenant, only string, ok func(fixtures.FinqLinkProvider) bool) ([]bankChoice, error) {
	banks, err := u.store.Banks(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []bankChoice
	for _, b := range banks {
		if only != "" && b.ID != only {
			continue
		}
		meta := catalogueEntry(b)
		if !ok(meta) {
			continue
		}
		out = append(out, bankChoice{ID: b.ID, Name: b.Name, Logo: meta.LogoPath, Initials: initials(b.Name)})
	}
	if len(out) == 1 {
		out[0].Checked = true
	}
	return out, nil
}

// chosen finds the bank a form names among those offered.
func chosen(offered []bankChoice, id string) (bankChoice, bool) {
	i := slices.IndexFunc(offered, func(b bankChoice) bool { return b.ID == id })
	if i < 0 {
		return bankChoice{}, false
	}
	return offered[i], true
}
