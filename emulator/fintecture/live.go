package fintecture

import (
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/specs"
)

// LivePrefix is where the live contract is mounted.
const LivePrefix = "/live/fintecture"

// LiveContract is Fintecture's real API as its SDKs speak it
// (specs/fintecture/live): the same world and state as the spec contract,
// in the real paths, shapes and status codes (notes/fintecture.md §9).
func LiveContract() (*httpapi.Contract, error) {
	return loadContract("live/fintecture", LivePrefix,
		"fintecture/live/oauth.yaml", "fintecture/live/ais.yaml", "fintecture/live/customers.yaml", "fintecture/live/resources.yaml")
}

func loadContract(name, prefix string, docs ...string) (*httpapi.Contract, error) {
	d, err := specs.LoadAll(docs...)
	return &httpapi.Contract{Name: name, Prefix: prefix, Docs: d}, err
}

// liveRoutes is the whole surface of the live contract, one line per
// operationId. Operations the two contracts share keep the given
// document's operationId, so a fault rule naming one applies to both.
func (p *Provider) liveRoutes() map[string]httpapi.Handler {
	return map[string]httpapi.Handler{
		// live/oauth.yaml
		"createAccessToken":            p.createAccessToken,
		"createSecureAccessToken":      p.createAccessToken,
		"createRefreshToken":           p.createRefreshToken,
		"createRefreshTokenUnderscore": p.createRefreshToken,
		// live/ais.yaml
		"getAisV1ProviderAuthorization":          p.liveAuthorize,
		"getAisV1ProviderAuthorizationDecoupled": p.liveDecoupledStatus,
		"getAisV2Connect":                        p.liveConnect,
		"deleteAisV1Customer":                    p.liveDeleteConnection,
		"getAisV1CustomerAccounts":               p.liveListAccounts,
		"getAisV1CustomerAccount":                p.liveGetAccount,
		"getAisV1CustomerAccountTransactions":    p.liveListTransactions,
		"getAisV1CustomerAccountHolders":         p.liveAccountHolders,
		// live/customers.yaml: the given document's bodies (notes §9)
		"listAllCustomers":            p.listCustomers,
		"createCustomer":              p.createCustomer,
		"getCustomerById":             p.getCustomer,
		"listAllCustomerBankAccounts": p.listCustomerBankAccounts,
		"createCustomerBankAccount":   p.createCustomerBankAccount,
		"getBankAccountById":          p.getCustomerBankAccount,
		// live/resources.yaml
		"getResV1Providers":    p.listProviders,
		"getResV1Provider":     p.getProvider,
		"getResV1TestAccounts": p.listTestAccounts,
		"getResV1Application":  p.getApplication,
	}
}
