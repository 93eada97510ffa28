package fintecture

import (
	"net/http"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// The live contract's answers to the journey calls (specs/fintecture/live/ais.yaml).

// liveAuthorizeResponse is flat, as the SDKs read it (notes §2.2), with the
// given document's meta beside it so a client written for either works.
type liveAuthorizeResponse struct {
	Provider  string        `json:"provider"`
	Model     string        `json:"model"`
	URL       string        `json:"url"`
	PollingID string        `json:"polling_id,omitempty"`
	Meta      authorizeMeta `json:"meta"`
}

type liveDecoupledResponse struct {
	Provider     string `json:"provider"`
	Status       string `json:"status"`
	Code         string `json:"code,omitempty"`
	CustomerID   string `json:"customer_id,omitempty"`
	ConnectionID string `json:"connection_id,omitempty"`
}

type liveConnectMeta struct {
	URL       string `json:"url"`
	ConnectID string `json:"connect_id"`
	SessionID string `json:"session_id"`
}

type liveConnectResponse struct {
	Meta liveConnectMeta `json:"meta"`
}

type deletedMeta struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
}

type deletedResponse struct {
	Meta deletedMeta `json:"meta"`
}

// liveAuthorize serves the live authorize. Called with the app_id header
// alone, it needs response_type=code (notes §1.3). In the decoupled model
// url is the polling URL, ending in /authorize/decoupled/{polling_id}, so
// clients that parse the id from it (as Fintecture's Python example does)
// work; meta.url is the phone page where the PSU approves.
func (p *Provider) liveAuthorize(w http.ResponseWriter, r *http.Request) error {
	if _, bearer := tokenFrom(r.Context()); !bearer && r.URL.Query().Get("response_type") == "" {
		return emulator.FieldError(emulator.CodeMissing, "response_type", "response_type=code is required when calling with the app_id header")
	}
	a, err := p.beginAuthorization(r)
	if err != nil {
		return err
	}
	s := a.session
	out := liveAuthorizeResponse{
		Provider: s.BankID, Model: "redirect", URL: a.pageURL,
		Meta: authorizeMeta{URL: a.pageURL, SessionID: s.ID, Decoupled: a.decoupled()},
	}
	if a.decoupled() {
		out.Model, out.PollingID = "decoupled", s.ID
		out.URL = httpapi.BaseURL(r) + LivePrefix + "/ais/v1/provider/" + s.BankID + "/authorize/decoupled/" + s.ID
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// liveDecoupledStatus serves GET .../authorize/decoupled/{polling_id}. On
// COMPLETED the connection is given as customer_id and as connection_id,
// the name one sandbox answer used (notes §2.5).
func (p *Provider) liveDecoupledStatus(w http.ResponseWriter, r *http.Request) error {
	s, err := p.decoupledSession(r, httpapi.Var(r, "polling_id"))
	if err != nil {
		return err
	}
	out := liveDecoupledResponse{Provider: s.BankID, Status: string(s.Status)}
	if s.Status == emulator.SCACompleted {
		out.Code, out.CustomerID, out.ConnectionID = s.Code, s.ConnectionID, s.ConnectionID
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// liveConnect serves the live connect: the session as connect_id (the Ruby
// SDK's specs) and session_id (the given document), beside meta.url, which
// the npm client reads.
func (p *Provider) liveConnect(w http.ResponseWriter, r *http.Request) error {
	s, url, err := p.beginConnect(r)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, liveConnectResponse{Meta: liveConnectMeta{URL: url, ConnectID: s.ID, SessionID: s.ID}})
}

// liveDeleteConnection answers 200 with meta {status: 200, code:
// customer_deleted}, as the SDKs' specs expect (notes §2.6).
func (p *Provider) liveDeleteConnection(w http.ResponseWriter, r *http.Request) error {
	if err := p.deleteConnectionOf(r); err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, deletedResponse{Meta: deletedMeta{Status: http.StatusOK, Code: "customer_deleted"}})
}

// lastAuthentication is when the PSU last authenticated for a connection.
func lastAuthentication(c emulator.Connection) string { return c.CreatedAt.UTC().Format(time.RFC3339) }
