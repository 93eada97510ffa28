package dashboard

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// accountPage is how many transactions one account page shows.
const accountPage = 50

// accountView is the data of an account's transactions page.
type accountView struct {
	layout
	T            client.Tenant
	Href         string // the tenant's page
	Account      client.Account
	PSULogin     string
	Booked       money
	Expected     money
	Transactions []transactionRow
	Page         int
	// Prev and Next link to the neighbouring pages, when they exist.
	Prev, Next string
}

// transactionRow is one movement.
type transactionRow struct {
	client.Transaction
	Amount money
}

// account serves one account's transactions, newest first, paged by
// ?page=N (from 1).
func (d *Dashboard) account(w http.ResponseWriter, r *http.Request) error {
	key, id := httpapi.Var(r, "key"), httpapi.Var(r, "id")
	ctx := r.Context()
	t, err := d.ctl.Tenant(ctx, key)
	if err != nil {
		return err
	}
	page := 1
	if p := strings.TrimSpace(r.URL.Query().Get("page")); p != "" {
		if page, err = strconv.Atoi(p); err != nil || page < 1 || page > 1<<20 {
			return badInput("page", "The page number %q is not a whole number from 1.", p)
		}
	}
	world, err := d.ctl.World(ctx, key)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(world.Accounts, func(a client.Account) bool { return a.ID == id })
	if i < 0 {
		return emulator.NotFound("account", id)
	}
	v := accountView{T: t, Href: tenantPath(key), Page: page, Account: world.Accounts[i]}
	for _, p := range world.PSUs {
		if p.ID == v.Account.PSU {
			v.PSULogin = p.Login
		}
	}
	v.Booked = money{v.Account.BookedCents, v.Account.Currency}
	v.Expected = money{v.Account.ExpectedCents, v.Account.Currency}
	v.Title = v.Account.Name + " " + v.Account.IBAN
	v.Crumbs = tenantCrumbs(t)
	xs, err := d.ctl.Transactions(ctx, key, id, (page-1)*accountPage, accountPage+1)
	if err != nil {
		return err
	}
	self := v.Href + "/accounts/" + url.PathEscape(id)
	if len(xs) > accountPage {
		xs = xs[:accountPage]
		v.Next = self + "?page=" + strconv.Itoa(page+1)
	}
	if page > 1 {
		v.Prev = self + "?page=" + strconv.Itoa(page-1)
	}
	for _, x := range xs {
		v.Transactions = append(v.Transactions, transactionRow{Transaction: x, Amount: money{x.AmountCents, x.Currency}})
	}
	return d.render(w, http.StatusOK, "dashboard_account.html", v)
}
