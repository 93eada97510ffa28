package control

import (
	"net/http"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

func (a *api) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ds, err := a.svc.Webhooks(r.Context(), httpapi.Var(r, "key"), q.Get("status"), q.Get("subject"), q.Get("limit"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, client.WebhookList{Webhooks: ds})
}

func (a *api) showWebhook(w http.ResponseWriter, r *http.Request) error {
	d, err := a.svc.Webhook(r.Context(), httpapi.Var(r, "key"), httpapi.Var(r, "id"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, d)
}

func (a *api) resendWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	d, err := a.svc.ResendWebhook(r.Context(), httpapi.Var(r, "key"), httpapi.Var(r, "id"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, d)
}
