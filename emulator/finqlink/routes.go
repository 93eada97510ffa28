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
		"createLink":         p.createLink,
		"getLink":            p.getLink,
		"listLinks":          p.listLinks,
		"handleLinkRedirect": p.handleLinkRedirect,

		"createConsent":         p.createConsent,
		"getConsent":            p.getConsent,
		"revokeConsent":         p.revokeConsent,
		"handleConsentRedirect": p.handleConsentRedirect,
		"listAccounts":          p.listAccounts,
		"listBalances":          p.listBalances,
		"listTransactions":      p.listTransactions,
		"createJob":             p.createJob,
		"getJob":                p.getJob,
	}
}
