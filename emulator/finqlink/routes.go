package finqlink

import "github.com/sandbank/sandbank/emulator/httpapi"

// routes is FinqLink's surface, one line per operationId of
// specs/finqlink/finqlink.yaml.
func (p *Provider) routes() map[string]httpapi.Handler {
	return map[string]httpapi.Handler{
		"issueToken": p.issueToken,
		"getJwks":    p.getJwks,

		"listProviders":      p.listProviders,
		"getProvider":        p.getProvider,
		"createLink":         p.notYet,
		"getLink":            p.notYet,
		"listLinks":          p.notYet,
		"handleLinkRedirect": p.notYet,

		"createConsent":         p.notYet,
		"getConsent":            p.notYet,
		"revokeConsent":         p.notYet,
		"handleConsentRedirect": p.notYet,
		"listAccounts":          p.notYet,
		"listBalances":          p.notYet,
		"listTransactions":      p.notYet,
		"createJob":             p.notYet,
		"getJob":                p.notYet,
	}
}
