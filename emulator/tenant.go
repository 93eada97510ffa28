package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Provider names one emulated provider. The set is closed.
type Provider string

// The three providers Sandbank emulates.
const (
	Fintecture Provider = "fintecture"
	FinqLink   Provider = "finqlink"
	Kontomatik Provider = "kontomatik"
)

// Providers lists the three, in the order Sandbank shows them.
var Providers = []Provider{Fintecture, FinqLink, Kontomatik}

// Tenant is one API client of one provider, identified by its credential
// (Fintecture app_id, FinqLink client_id, Kontomatik API key). Every stored
// row belongs to exactly one tenant (DESIGN.md §3).
type Tenant struct {
	ID         int64
	Provider   Provider
	Credential string
	// SecretHash is the SHA-256 of the first secret the tenant presented;
	// empty until one is presented. Later wrong secrets are rejected.
	SecretHash string
	// Scenario names the scenario the tenant's world was built from, and
	// ScenarioSrc is that scenario's YAML as it was then, so a reset or a
	// bundle rebuilds the same world whatever files exist now.
	Scenario    string
	ScenarioSrc string
	Seed        int64
	// Behaviour is how the tenant's banks act (SCA outcomes, validity
	// periods), parsed from the scenario.
	Behaviour Behaviour
	// App is the client's console registration (public key, whether
	// requests must be signed). It is not world state: a reset or a
	// scenario without an app section leaves it as it is.
	App AppSettings
	// Label is a free note shown on the dashboard.
	Label     string
	Clock     TenantClock
	CreatedAt time.Time
}

// Now is the tenant's current time for a real instant.
func (t *Tenant) Now(real time.Time) time.Time { return t.Clock.At(real) }

// Key is a short public handle for the tenant used in page URLs. It derives
// from provider and credential only, so it is the same in every database
// and golden responses stay byte-identical.
func (t Tenant) Key() string { return TenantKey(t.Provider, t.Credential) }

// TenantKey computes Tenant.Key without a Tenant value.
func TenantKey(p Provider, credential string) string {
	sum := sha256.Sum256([]byte(string(p) + "\x00" + credential))
	return hex.EncodeToString(sum[:6])
}

// HashSecret is how secrets are stored: never in clear.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// DerivedKey derives the tenant's key for one purpose (e.g. "sandbank kontomatik
// session key") from its credential and seed, so a scenario and seed
// replay to byte-identical tokens and signatures. It is a sandbox key,
// not a secret worth protecting.
func (t *Tenant) DerivedKey(purpose string) []byte {
	sum := sha256.Sum256([]byte(purpose + "\x00" + t.Credential + "\x00" + strconv.FormatInt(t.Seed, 10)))
	return sum[:]
}

// MAC is the hex HMAC-SHA256 of msg under the tenant's key for purpose.
func (t *Tenant) MAC(purpose, msg string) string {
	m := hmac.New(sha256.New, t.DerivedKey(purpose))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}
