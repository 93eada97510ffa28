package control

import (
	"math"
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// Handlers for pending SCA journeys and the tenant's world.

func (a *api) pendingSCA(w http.ResponseWriter, r *http.Request) error {
	xs, err := a.svc.PendingSCA(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	for i := range xs {
		absolute(r, &xs[i])
	}
	return httpapi.JSON(w, http.StatusOK, client.SCAList{SCA: orEmpty(xs)})
}

func (a *api) showSCA(w http.ResponseWriter, r *http.Request) error {
	x, err := a.svc.SCA(r.Context(), httpapi.Var(r, "key"), httpapi.Var(r, "id"))
	return a.writeSCA(w, r, x, err)
}

func (a *api) approveSCA(w http.ResponseWriter, r *http.Request) error {
	var in client.SCAApproval
	if err := decode(r, &in, maxBody, true); err != nil {
		return err
	}
	x, err := a.svc.ApproveSCA(r.Context(), httpapi.Var(r, "key"), httpapi.Var(r, "id"), in)
	return a.writeSCA(w, r, x, err)
}

func (a *api) denySCA(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	x, err := a.svc.DenySCA(r.Context(), httpapi.Var(r, "key"), httpapi.Var(r, "id"))
	return a.writeSCA(w, r, x, err)
}

func (a *api) expireSCA(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	x, err := a.svc.ExpireSCA(r.Context(), httpapi.Var(r, "key"), httpapi.Var(r, "id"))
	return a.writeSCA(w, r, x, err)
}

func (a *api) writeSCA(w http.ResponseWriter, r *http.Request, x client.SCA, err error) error {
	if err != nil {
		return err
	}
	absolute(r, &x)
	return httpapi.JSON(w, http.StatusOK, x)
}

// absolute makes a journey's page URL one a browser can open, built from
// --public-url or the request's own host (DESIGN.md §2).
func absolute(r *http.Request, x *client.SCA) {
	if strings.HasPrefix(x.URL, "/") {
		x.URL = httpapi.BaseURL(r) + x.URL
	}
}

func (a *api) world(w http.ResponseWriter, r *http.Request) error {
	out, err := a.svc.World(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	out.Banks, out.PSUs, out.Accounts = orEmpty(out.Banks), orEmpty(out.PSUs), orEmpty(out.Accounts)
	return httpapi.JSON(w, http.StatusOK, out)
}

// maxTransactions is the largest page of transactions one call reads.
const maxTransactions = 1000

func (a *api) transactions(w http.ResponseWriter, r *http.Request) error {
	offset, err := queryInt(r, "offset", 0, 0, math.MaxInt32)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 0, 1, maxTransactions)
	if err != nil {
		return err
	}
	xs, err := a.svc.Transactions(r.Context(), httpapi.Var(r, "key"), httpapi.Var(r, "id"), int(offset), int(limit))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, client.TransactionList{Transactions: orEmpty(xs)})
}

func (a *api) connections(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.svc.Connections(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].Accounts = orEmpty(cs[i].Accounts)
	}
	return httpapi.JSON(w, http.StatusOK, client.ConnectionList{Connections: orEmpty(cs)})
}
