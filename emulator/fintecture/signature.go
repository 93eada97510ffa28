package fintecture

import (
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// checkSignature is filled in with the httpsig verifier.
func (p *Provider) checkSignature(c *httpapi.Contract, op httpapi.ContractOperation, r *http.Request, t *emulator.Tenant) error {
	return nil
}
