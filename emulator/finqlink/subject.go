package finqlink

import (
	"net/http"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// subject tells fault rules what a request concerns. FinqLink names its
// bank (provider_id) in bodies; until the Pay and Data handlers read them,
// rules match FinqLink by operation and tenant.
func (p *Provider) subject(r *http.Request) httpapi.Subject {
	return httpapi.Subject{Provider: emulator.FinqLink}
}
