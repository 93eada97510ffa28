// Package emulator is Sandbank's provider-neutral domain: tenants, their
// clocks, the world of banks, PSUs, accounts and transactions, SCA journeys,
// connections and the errors every provider adapter translates into its own
// envelope. It knows nothing of JSON, XML or HTTP; the provider packages map
// between their wire formats and these types.
package emulator
