package fintecture

import (
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/store"
)

// tokenResponse is the token JSON Fintecture's SDKs read
// (notes/fintecture.md §1.2).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

var knownScopes = map[string]string{"ais": "AIS", "pis": "PIS", "customers": "customers"}

// createAccessToken serves POST /oauth/accesstoken: client_credentials for
// PIS/customers tokens, authorization_code to exchange a bank code for an
// AIS token bound to the connection.
func (p *Provider) createAccessToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	scope, err := normalizeScope(r.PostFormValue("scope"))
	if err != nil {
		return err
	}
	// The signed variant names the app in an app_id header too.
	if h := r.Header.Get("app_id"); h != "" && h != t.Credential {
		return emulator.Errorf(emulator.CodeBadSecret, "the app_id header %q does not match the Basic credentials of %q", h, t.Credential)
	}
	req := store.TokenRequest{AccessTTL: accessTTL(t)}
	switch r.PostFormValue("grant_type") {
	case "client_credentials":
		if id := r.PostFormValue("app_id"); id != "" && id != t.Credential {
			return emulator.FieldError(emulator.CodeInvalid, "app_id", "app_id %q does not match the Basic credentials", id)
		}
		if scope == "" {
			scope = "PIS"
		}
		req.Scope = scope
	case "authorization_code":
		code := r.PostFormValue("code")
		if code == "" {
			return emulator.FieldError(emulator.CodeMissing, "code", "the authorization code is required")
		}
		conn, err := p.store.RedeemCode(ctx, t, code)
		if err != nil {
			return err
		}
		if scope == "" {
			scope = "AIS"
		}
		req.Scope, req.ConnectionID, req.RefreshTTL = scope, conn, refreshTTL(t)
	}
	return p.issue(w, r, t, req)
}

// createRefreshToken serves POST /oauth/refreshtoken. The new access token
// replaces the old one, which stops working (notes §1.2).
func (p *Provider) createRefreshToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	raw := r.PostFormValue("refresh_token")
	_, c, err := p.parseToken(ctx, raw)
	if err != nil || c.Use != emulator.RefreshToken || c.Subject != t.Credential {
		return emulator.Errorf(emulator.CodeBadCode, "the refresh token is invalid or expired")
	}
	return p.issue(w, r, t, store.TokenRequest{AccessTTL: accessTTL(t), RefreshTTL: refreshTTL(t), Replaces: c.ID})
}

func (p *Provider) issue(w http.ResponseWriter, r *http.Request, t *emulator.Tenant, req store.TokenRequest) error {
	access, refresh, err := p.store.IssueTokens(r.Context(), t, req)
	if err != nil {
		return err
	}
	out := tokenResponse{TokenType: "Bearer", ExpiresIn: int(req.AccessTTL.Seconds()), Scope: access.Scope}
	if out.AccessToken, err = encodeToken(t, access); err != nil {
		return err
	}
	if refresh.ID != "" {
		if out.RefreshToken, err = encodeToken(t, refresh); err != nil {
			return err
		}
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// normalizeScope accepts Fintecture's scope names in any case, separated by
// spaces or commas.
func normalizeScope(s string) (string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		canon, ok := knownScopes[strings.ToLower(f)]
		if !ok {
			return "", emulator.Errorf(emulator.CodeForbidden, "unknown scope %q (use AIS, PIS or customers)", f)
		}
		out = append(out, canon)
	}
	return strings.Join(out, " "), nil
}
