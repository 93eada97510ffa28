package finqlink

import (
	"context"
	"slices"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/fixtures"
)

// The banks a WebUI page offers: the FinqLink providers of the tenant's
// world whose methods pass the link's payment_method filter or the
// consent's ais_method filter (notes §3; providers.go decides), in the
// world's order.

// bankChoice is one bank of the WebUI's list.
type bankChoice struct {
	ID, Name string
	// Logo is the path of the bank's logo on Sandbank, or empty; Initials
	// stand in for a missing one.
	Logo, Initials string
	Checked        bool
}

// linkBanks lists the banks a link's payer may choose. A link already at
// a bank, or whose filter names one provider, offers that bank alone,
// chosen in advance.
func (u *WebUI) linkBanks(ctx context.Context, t *emulator.Tenant, l emulator.PayLink) ([]bankChoice, error) {
	only := l.Method.ProviderID
	if l.BankID != "" {
		only = l.BankID
	}
	return u.banksWhere(ctx, t, only, payAllows(l.Method))
}

// consentBanks lists the banks a consent's account holder may choose.
func (u *WebUI) consentBanks(ctx context.Context, t *emulator.Tenant, c emulator.AISConsent) ([]bankChoice, error) {
	only := c.Method.ProviderID
	if c.BankID != "" {
		only = c.BankID
	}
	return u.banksWhere(ctx, t, only, aisAllows(c.Method))
}

// banksWhere lists the world's banks that ok accepts (only the bank only,
// when set), as banksAllowing decides. A list of one is chosen in
// advance: the payer just confirms.
func (u *WebUI) banksWhere(ctx context.Context, t *emulator.Tenant, only string, ok func(fixtures.FinqLinkProvider) bool) ([]bankChoice, error) {
	banks, _, err := banksAllowing(ctx, u.store, t, only, ok)
	if err != nil {
		return nil, err
	}
	var out []bankChoice
	for _, b := range banks {
		out = append(out, bankChoice{ID: b.ID, Name: b.Name, Logo: catalogueEntry(b).LogoPath, Initials: initials(b.Name)})
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
