package server

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/web"
)

// Mount describes one contract mount for the home page.
type Mount struct{ Name, Path, Description string }

// DemoCredential is a demo tenant shown on the home page.
type DemoCredential struct{ Provider, Credential, Secret string }

// Home is the page at "/": the mounts and the demo credentials, so a
// newcomer who opens Sandbank in a browser knows where to point a client.
type Home struct {
	tmpl   *template.Template
	log    *slog.Logger
	mounts []Mount
	demo   []DemoCredential
}

// NewHome parses the page templates.
func NewHome(log *slog.Logger, mounts []Mount, demo []DemoCredential) (*Home, error) {
	tmpl, err := web.Templates()
	if err != nil {
		return nil, err
	}
	return &Home{tmpl: tmpl, log: log, mounts: mounts, demo: demo}, nil
}

// Mount registers "/".
func (h *Home) Mount(r *mux.Router) {
	r.Methods(http.MethodGet, http.MethodHead).Path("/").HandlerFunc(h.serve)
}

func (h *Home) serve(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	err := h.tmpl.ExecuteTemplate(&buf, "home.html", map[string]any{
		"Title": "Sandbank", "Header": "Sandbank", "Base": httpapi.BaseURL(r), "Mounts": h.mounts, "Demo": h.demo,
	})
	if err != nil {
		h.log.Error("render home page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}
