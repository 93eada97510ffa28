package kontomatik

import "github.com/sandbank/sandbank/emulator/httpapi"

// specRoutes is the surface of the given document, one line per operationId.
func (p *Provider) specRoutes() map[string]httpapi.Handler {
	return map[string]httpapi.Handler{
		"initiateRedirectionSignIn":  p.specStartRedirection,
		"getRedirectionSignInStatus": p.specRedirectionStatus,
		"startDefaultImport":         p.specStartImport,
		"getCommandById":             p.specCommand,
		"reuseMultipleAccess":        p.specReuse,
		"deleteMultipleAccess":       p.specDeleteAccess,
		"createMockSession":          p.specMockSession,
		"getAisCatalog":              p.specCatalog,
		"getHealth":                  p.health,
	}
}

// liveRoutes is the surface of the live document.
func (p *Provider) liveRoutes() map[string]httpapi.Handler {
	return map[string]httpapi.Handler{
		"startSignInRedirection":     p.liveStartRedirection,
		"getSignInRedirectionStatus": p.liveRedirectionStatus,
		"startDefaultImport":         p.liveStartImport,
		"getCommand":                 p.liveCommand,
		"reuseMultipleAccess":        p.liveReuse,
		"deleteMultipleAccess":       p.liveDeleteAccess,
		"createMockSession":          p.liveMockSession,
		"getCatalog":                 p.liveCatalog,
	}
}
