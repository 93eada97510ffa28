// Package dashboard serves Sandbank's web dashboard: the page at "/" (the
// contracts served, the demo credentials, every tenant, the scenarios and
// the default scenario's magic logins) and, under /dashboard/, one page per
// tenant to drive it through the control plane: its clock, scenario,
// pending SCA journeys, connections, world, fault rules, webhook
// deliveries (each with its attempts, and resend) and request journal.
//
// The pages are server-rendered with html/template, so everything shown is
// escaped, and work without JavaScript (DESIGN.md §5): every action is a
// plain form that POSTs, then redirects (303) back with a short message in
// the query (POST/Redirect/GET), so reloading a page never repeats an
// action. The dashboard holds no state of its own: it is a view over
// control.Service, the same operations the JSON control plane and the Go
// client use.
package dashboard

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/control"
	"github.com/sandbank/sandbank/web"
)

// Demo is a well-known demo tenant (DESIGN.md §3), shown on the index page
// with its secret so a newcomer can point a client at Sandbank at once.
type Demo struct {
	Provider   string
	Credential string
	Secret     string
}

// Options configure the dashboard.
type Options struct {
	// Control is the control plane every page reads and every form
	// drives.
	Control *control.Service
	// Log receives server-side failures; nil discards them.
	Log *slog.Logger
	// Contracts lists the contracts served, with their mounts.
	Contracts []client.Contract
	// Demo lists the demo tenants. The first one that exists gives the
	// index page its magic logins.
	Demo []Demo
}

// Dashboard serves the dashboard pages.
type Dashboard struct {
	ctl       *control.Service
	log       *slog.Logger
	contracts []client.Contract
	demo      []Demo
	tmpl      *template.Template
}

// pages are the templates the handlers execute; New checks they all exist
// so a missing one stops start-up instead of failing a request.
var pages = []string{
	"dashboard_index.html", "dashboard_tenant.html", "dashboard_account.html",
	"dashboard_journal.html", "dashboard_delete.html", "dashboard_error.html",
	"dashboard_webhook.html",
}

// New parses the templates and checks the options.
func New(opts Options) (*Dashboard, error) {
	if opts.Control == nil {
		return nil, errors.New("dashboard: a control service is required")
	}
	tmpl, err := web.Templates()
	if err != nil {
		return nil, fmt.Errorf("dashboard: templates: %w", err)
	}
	for _, name := range pages {
		if tmpl.Lookup(name) == nil {
			return nil, fmt.Errorf("dashboard: template %s is missing", name)
		}
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dashboard{
		ctl: opts.Control, log: log, tmpl: tmpl,
		// Copies, so a caller changing its slices later cannot race the
		// handlers.
		contracts: append([]client.Contract(nil), opts.Contracts...),
		demo:      append([]Demo(nil), opts.Demo...),
	}, nil
}

// Mount registers "/" and everything under /dashboard/. Routes carry no
// method constraint: each one answers its own 405 page, so a GET on an
// action's URL gets a readable answer rather than the router's bare one.
func (d *Dashboard) Mount(r *mux.Router) {
	const tenant = "/dashboard/tenants/{key}"
	routes := []struct {
		path string
		m    methods
	}{
		{"/", methods{get: d.index}},
		{"/dashboard", methods{get: d.home}},
		{"/dashboard/tenants", methods{get: d.home, post: d.createTenant}},
		{tenant, methods{get: d.tenant}},
		{tenant + "/label", methods{post: d.setLabel}},
		{tenant + "/clock", methods{post: d.changeClock}},
		{tenant + "/scenario", methods{post: d.loadScenario}},
		{tenant + "/reset", methods{post: d.reset}},
		{tenant + "/sca/{id}/{verb:approve|deny|expire}", methods{post: d.actOnSCA}},
		{tenant + "/faults", methods{post: d.addFault}},
		{tenant + "/faults/{id}/remove", methods{post: d.removeFault}},
		{tenant + "/accounts/{id}", methods{get: d.account}},
		{tenant + "/journal", methods{get: d.journal}},
		{tenant + "/journal/clear", methods{post: d.clearJournal}},
		{tenant + "/webhooks/{id}", methods{get: d.webhook}},
		{tenant + "/webhooks/{id}/resend", methods{post: d.resendWebhook}},
		{tenant + "/delete", methods{get: d.confirmDelete, post: d.deleteTenant}},
	}
	r.PathPrefix("/dashboard/static/").Handler(web.StaticHandler("/dashboard/static/"))
	for _, rt := range routes {
		r.Handle(rt.path, d.dispatch(rt.m))
	}
	// Registered last, so it only catches what no route above matched:
	// an unknown page or action gets the dashboard's own 404 page.
	r.PathPrefix("/dashboard/").Handler(d.dispatch(methods{any: d.notFound}))
}
