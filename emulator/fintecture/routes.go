package fintecture

import "github.com/sandbank/sandbank/emulator/httpapi"

// specRoutes is the whole surface of the spec contract, one line per
// operationId of specs/fintecture/{ais,customers,oauth}.yaml.
func (p *Provider) specRoutes() map[string]httpapi.Handler {
	return map[string]httpapi.Handler{
		// oauth.yaml
		"createAccessToken":  p.createAccessToken,
		"createRefreshToken": p.createRefreshToken,
		// ais.yaml
		"getAisV1ProviderAuthorization":          p.authorize,
		"getAisV1ProviderAuthorizationDecoupled": p.decoupledStatus,
		"getAisV2Connect":                        p.connect,
		"deleteAisV1Customer":                    p.deleteConnection,
		"getAisV1CustomerAccounts":               p.listAccounts,
		"getAisV1CustomerAccount":                p.getAccount,
		"getAisV1CustomerAccountHolders":         p.accountHolders,
		"getAisV1CustomerAccountTransactions":    p.listTransactions,
		"createAisV1Verification":                p.createAISVerification,
		// customers.yaml
		"listAllCustomers":             p.listCustomers,
		"createCustomer":               p.createCustomer,
		"getCustomerById":              p.getCustomer,
		"listAllCustomerBankAccounts":  p.listCustomerBankAccounts,
		"createCustomerBankAccount":    p.createCustomerBankAccount,
		"getBankAccountById":           p.getCustomerBankAccount,
		"initiateCustomerVerification": p.initiateCustomerVerification,
		"listAllCustomerVerifications": p.listCustomerVerifications,
		"getCustomerVerificationById":  p.getCustomerVerification,
	}
}
