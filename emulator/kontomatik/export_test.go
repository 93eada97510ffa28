package kontomatik

import "github.com/sandbank/sandbank/emulator"

// SignatureFor lets tests compute a session's signature.
var SignatureFor = func(t *emulator.Tenant, id string) string { return signature(t, id) }
