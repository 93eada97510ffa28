package fintecture

import (
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/namematch"
)

type aisVerificationRequest struct {
	Meta struct {
		CustomerID string `json:"customer_id"`
	} `json:"meta"`
	Data struct {
		Attributes struct {
			ProviderID   string `json:"provider_id"`
			ExpectedName string `json:"expected_name"`
		} `json:"attributes"`
	} `json:"data"`
}

type verificationJSON struct {
	ID         string   `json:"id"`
	Status     string   `json:"status"`
	MatchScore *float64 `json:"match_score,omitempty"`
	ProviderID string   `json:"provider_id,omitempty"`
	VerifiedAt string   `json:"verified_at,omitempty"`
}

func toVerificationJSON(v emulator.Verification, withProvider bool) verificationJSON {
	j := verificationJSON{ID: v.ID, Status: string(v.Status), MatchScore: v.MatchScore}
	if withProvider {
		j.ProviderID = v.ProviderID
	}
	if v.VerifiedAt != nil {
		j.VerifiedAt = v.VerifiedAt.Format(time.RFC3339)
	}
	return j
}

// createAISVerification serves POST /ais/v1/verification: expected_name is
// scored against the holders of the connection's accounts with
// namematch.Score (token-order-insensitive Jaro-Winkler over normalised
// names); at or above namematch.VerifiedThreshold the name is verified.
func (p *Provider) createAISVerification(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := httpapi.TenantFrom(ctx)
	var in aisVerificationRequest
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	connID, attrs := in.Meta.CustomerID, in.Data.Attributes
	switch {
	case connID == "":
		return emulator.FieldError(emulator.CodeMissing, "meta.customer_id", "the connection's customer_id is required")
	case strings.TrimSpace(attrs.ExpectedName) == "":
		return emulator.FieldError(emulator.CodeMissing, "data.attributes.expected_name", "the name to verify is required")
	}
	if tok, _ := tokenFrom(ctx); tok.ConnectionID != "" && tok.ConnectionID != connID {
		return emulator.NotFound("customer", connID)
	}
	c, err := p.store.Connection(ctx, t, connID)
	if err != nil {
		return err
	}
	if err := p.consentLive(t, c); err != nil {
		return err
	}
	if attrs.ProviderID != "" && attrs.ProviderID != c.BankID {
		return emulator.FieldError(emulator.CodeInvalid, "data.attributes.provider_id", "connection %s is at provider %s, not %s", c.ID, c.BankID, attrs.ProviderID)
	}
	psu, err := p.store.PSU(ctx, t, c.PSUID)
	if err != nil {
		return err
	}
	score := math.Round(namematch.Score(attrs.ExpectedName, psu.FullName)*1000) / 1000
	status := emulator.VerificationUnverified
	if score >= namematch.VerifiedThreshold {
		status = emulator.VerificationVerified
	}
	v, err := p.store.CreateVerification(ctx, t, emulator.Verification{
		CustomerID: c.ID, ProviderID: c.BankID, ExpectedName: attrs.ExpectedName, Status: status, MatchScore: &score,
	}, 0)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, toVerificationJSON(v, false))
}
