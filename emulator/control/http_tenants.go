package control

import (
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// Handlers for health, tenants, scenarios and clocks.

func (a *api) health(w http.ResponseWriter, r *http.Request) error {
	h, err := a.svc.Health(r.Context())
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, h)
}

func (a *api) listTenants(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.svc.Tenants(r.Context())
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, client.TenantList{Tenants: orEmpty(ts)})
}

func (a *api) createTenant(w http.ResponseWriter, r *http.Request) error {
	var in client.NewTenant
	if err := decode(r, &in, maxBody, false); err != nil {
		return err
	}
	t, err := a.svc.CreateTenant(r.Context(), in)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusCreated, t)
}

func (a *api) showTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := a.svc.Tenant(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, t)
}

func (a *api) changeTenant(w http.ResponseWriter, r *http.Request) error {
	var in client.TenantChange
	if err := decode(r, &in, maxBody, false); err != nil {
		return err
	}
	if in.Label == nil {
		return emulator.FieldError(emulator.CodeMissing, "label", "send the new label (an empty string clears it)")
	}
	t, err := a.svc.SetLabel(r.Context(), httpapi.Var(r, "key"), *in.Label)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, t)
}

func (a *api) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteTenant(r.Context(), httpapi.Var(r, "key")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (a *api) resetTenant(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	t, err := a.svc.ResetTenant(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, t)
}

func (a *api) loadScenario(w http.ResponseWriter, r *http.Request) error {
	var in client.LoadScenario
	if err := decode(r, &in, maxBody, false); err != nil {
		return err
	}
	t, err := a.svc.LoadScenario(r.Context(), httpapi.Var(r, "key"), in)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, t)
}

func (a *api) showApp(w http.ResponseWriter, r *http.Request) error {
	t, err := a.svc.Tenant(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, t.App)
}

func (a *api) setApp(w http.ResponseWriter, r *http.Request) error {
	var in client.App
	if err := decode(r, &in, maxBody, false); err != nil {
		return err
	}
	t, err := a.svc.SetApp(r.Context(), httpapi.Var(r, "key"), in)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, t)
}

func (a *api) listScenarios(w http.ResponseWriter, r *http.Request) error {
	list := a.svc.Scenarios()
	out := make([]client.Scenario, 0, len(list))
	for _, sc := range list {
		sc.Source = "" // the listing stays short; GET /scenarios/{name} has it
		out = append(out, sc)
	}
	return httpapi.JSON(w, http.StatusOK, client.ScenarioList{Scenarios: out})
}

func (a *api) showScenario(w http.ResponseWriter, r *http.Request) error {
	sc, err := a.svc.Scenario(httpapi.Var(r, "name"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, sc)
}

func (a *api) showClock(w http.ResponseWriter, r *http.Request) error {
	c, err := a.svc.Clock(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, c)
}

func (a *api) changeClock(w http.ResponseWriter, r *http.Request) error {
	var in client.ClockChange
	if err := decode(r, &in, maxBody, false); err != nil {
		return err
	}
	c, err := a.svc.ChangeClock(r.Context(), httpapi.Var(r, "key"), in)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, c)
}
