package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// Now is the tenant's current time.
func (s *Store) Now(t *emulator.Tenant) time.Time { return t.Clock.At(s.clock.Now()) }

func tenantKey(p emulator.Provider, credential string) string { return string(p) + "\x00" + credential }

// Tenant finds a tenant by credential; CodeNotFound when there is none.
func (s *Store) Tenant(ctx context.Context, p emulator.Provider, credential string) (*emulator.Tenant, error) {
	s.mu.RLock()
	t, ok := s.tenants[tenantKey(p, credential)]
	s.mu.RUnlock()
	if ok {
		return t, nil
	}
	t, err := findTenant(ctx, s.read, p, credential)
	if err != nil {
		return nil, err
	}
	s.cache(t)
	return t, nil
}

func (s *Store) cache(t *emulator.Tenant) {
	s.mu.Lock()
	s.tenants[tenantKey(t.Provider, t.Credential)] = t
	s.mu.Unlock()
}

// EnsureTenant returns the tenant for a credential, creating it and its world
// when it is new (DESIGN.md §3: unknown credentials create a tenant on first
// use, seeded from the default scenario).
func (s *Store) EnsureTenant(ctx context.Context, p emulator.Provider, credential string) (*emulator.Tenant, error) {
	t, err := s.Tenant(ctx, p, credential)
	if err == nil || !emulator.IsCode(err, emulator.CodeNotFound) {
		return t, err
	}
	return s.CreateTenant(ctx, p, credential, s.opts.DefaultScenario, s.opts.DefaultSeed)
}

// CreateTenant creates a tenant and generates its world in one transaction.
// Creating one that exists already returns the existing one. A zero seed
// means the scenario's own.
func (s *Store) CreateTenant(ctx context.Context, p emulator.Provider, credential, scenario string, seed int64) (*emulator.Tenant, error) {
	t, _, err := s.CreateTenantFrom(ctx, TenantSpec{Provider: p, Credential: credential, Scenario: scenario, Seed: seed})
	return t, err
}

// TenantSpec is everything a new tenant can be given.
type TenantSpec struct {
	Provider   emulator.Provider
	Credential string
	// Secret, when set, is the tenant's secret from the start.
	Secret   string
	Scenario string
	// Seed zero means the scenario's own seed.
	Seed  int64
	Label string
	Clock emulator.TenantClock
	// App, when set, is the tenant's app settings from the start, over
	// its scenario's; nil takes the scenario's (none if it has none).
	App *emulator.AppSettings
}

// CreateTenantFrom creates a tenant from a spec, its world and its
// scenario's fault rules in one transaction. It reports whether the tenant
// is new; an existing one is returned unchanged.
func (s *Store) CreateTenantFrom(ctx context.Context, spec TenantSpec) (*emulator.Tenant, bool, error) {
	switch spec.Provider {
	case emulator.Fintecture, emulator.FinqLink, emulator.Kontomatik:
	default:
		return nil, false, emulator.FieldError(emulator.CodeInvalid, "provider", "unknown provider %q (fintecture, finqlink or kontomatik)", spec.Provider)
	}
	if spec.Credential == "" {
		return nil, false, emulator.FieldError(emulator.CodeMissing, "credential", "a tenant needs a credential")
	}
	sc, err := s.resolve(spec.Scenario, "")
	if err != nil {
		return nil, false, err
	}
	if spec.Seed == 0 {
		spec.Seed = sc.Seed
	}
	if spec.Seed == 0 {
		return nil, false, emulator.FieldError(emulator.CodeInvalid, "seed", "the seed must be non-zero")
	}
	var app emulator.AppSettings
	switch {
	case spec.App != nil:
		app = *spec.App
	case sc.App != nil:
		app = *sc.App
	}
	appJSON, err := encodeApp(app)
	if err != nil {
		return nil, false, err
	}
	var out *emulator.Tenant
	created := false
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if t, err := findTenant(ctx, tx, spec.Provider, spec.Credential); err == nil {
			out = t
			return nil
		} else if !emulator.IsCode(err, emulator.CodeNotFound) {
			return err
		}
		now := s.clock.Now()
		secret := ""
		if spec.Secret != "" {
			secret = emulator.HashSecret(spec.Secret)
		}
		behaviour, err := json.Marshal(behaviourWire(sc.Behaviour))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO tenants (provider, credential, key, secret_hash, scenario, scenario_src, behaviour, app, label, seed, clock_offset, frozen_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			spec.Provider, spec.Credential, emulator.TenantKey(spec.Provider, spec.Credential), secret, sc.Name, sc.Source, string(behaviour), appJSON, spec.Label,
			spec.Seed, int64(spec.Clock.Offset), nsPtr(spec.Clock.FrozenAt), ns(now))
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		t, err := findTenantByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.populate(ctx, tx, t, sc); err != nil {
			return err
		}
		out, created = t, true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	s.cache(out)
	return out, created, nil
}

func (s *Store) resolve(name, src string) (ScenarioData, error) {
	if s.opts.Scenario == nil {
		return ScenarioData{Name: name, Source: src}, nil
	}
	sc, err := s.opts.Scenario(name, src)
	if err != nil {
		return sc, emulator.FieldError(emulator.CodeInvalid, "scenario", "%v", err)
	}
	return sc, nil
}

// populate generates a tenant's world and installs its scenario's fault
// rules, inside the caller's transaction.
func (s *Store) populate(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, sc ScenarioData) error {
	if s.opts.BuildWorld != nil {
		w, err := s.opts.BuildWorld(*t, s.clock.Now())
		if err != nil {
			return emulator.FieldError(emulator.CodeInvalid, "scenario", "build world: %v", err)
		}
		if err := insertWorld(ctx, tx, t.ID, w); err != nil {
			return fmt.Errorf("insert world: %w", err)
		}
	}
	return insertFaults(ctx, tx, t.ID, FaultSourceScenario, sc.Faults)
}

// FaultSourceScenario marks fault rules that came from a tenant's
// scenario; a reset replaces them.
const FaultSourceScenario = "scenario"

// ResetTenant puts a tenant back to the state its scenario gives: every row
// it owns goes (world, journeys, connections, tokens, customers, events,
// fault rules, journal), its clock goes back to real time, and its world
// and scenario faults are generated again, in one transaction. Its
// credential, secret and label stay, and so do its app settings unless its
// scenario has an app section (ScenarioData.App), which sets them again.
func (s *Store) ResetTenant(ctx context.Context, t *emulator.Tenant) (*emulator.Tenant, error) {
	return s.rebuild(ctx, t, t.Scenario, t.ScenarioSrc, t.Seed)
}

// LoadScenario gives a tenant another scenario (looked up by name) and
// seed, zero meaning the scenario's own, and resets it onto it. A scenario
// with an app section replaces the tenant's app settings; one without
// leaves them.
func (s *Store) LoadScenario(ctx context.Context, t *emulator.Tenant, name string, seed int64) (*emulator.Tenant, error) {
	return s.rebuild(ctx, t, name, "", seed)
}

func (s *Store) rebuild(ctx context.Context, t *emulator.Tenant, name, src string, seed int64) (*emulator.Tenant, error) {
	sc, err := s.resolve(name, src)
	if err != nil {
		return nil, err
	}
	if seed == 0 {
		seed = sc.Seed
	}
	if seed == 0 {
		return nil, emulator.FieldError(emulator.CodeInvalid, "seed", "the seed must be non-zero")
	}
	behaviour, err := json.Marshal(behaviourWire(sc.Behaviour))
	if err != nil {
		return nil, err
	}
	// A scenario without an app section keeps the tenant's settings: the
	// registered key belongs to the client's console, not to the world.
	var appJSON *string
	if sc.App != nil {
		a, err := encodeApp(*sc.App)
		if err != nil {
			return nil, err
		}
		appJSON = &a
	}
	var out *emulator.Tenant
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := clearTenantRows(ctx, tx, t.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET scenario = ?, scenario_src = ?, behaviour = ?, app = coalesce(?, app), seed = ?, clock_offset = 0, frozen_at = NULL, next_seq = 0 WHERE id = ?`,
			sc.Name, sc.Source, string(behaviour), appJSON, seed, t.ID); err != nil {
			return err
		}
		nt, err := findTenantByID(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if err := s.populate(ctx, tx, nt, sc); err != nil {
			return err
		}
		out = nt
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.cache(out)
	return out, nil
}

// clearTenantRows removes every row a tenant owns except its tenants row.
func clearTenantRows(ctx context.Context, tx *sql.Tx, id int64) error {
	sc, err := loadSchema(ctx, tx)
	if err != nil {
		return err
	}
	return clearRows(ctx, tx, sc, id)
}

// SetClock replaces a tenant's clock. Callers that move time forward run
// the events that became due (RunDue) afterwards.
func (s *Store) SetClock(ctx context.Context, t *emulator.Tenant, c emulator.TenantClock) (*emulator.Tenant, error) {
	return s.updateTenant(ctx, t, `UPDATE tenants SET clock_offset = ?, frozen_at = ? WHERE id = ?`, int64(c.Offset), nsPtr(c.FrozenAt), t.ID)
}

// SetLabel changes a tenant's label.
func (s *Store) SetLabel(ctx context.Context, t *emulator.Tenant, label string) (*emulator.Tenant, error) {
	return s.updateTenant(ctx, t, `UPDATE tenants SET label = ? WHERE id = ?`, label, t.ID)
}

// SetApp replaces a tenant's app settings (registered public key, whether
// requests must be signed). A key that does not parse, or signatures
// required without a key, is refused with CodeInvalid naming the field,
// and changes nothing.
func (s *Store) SetApp(ctx context.Context, t *emulator.Tenant, app emulator.AppSettings) (*emulator.Tenant, error) {
	raw, err := encodeApp(app)
	if err != nil {
		return nil, err
	}
	return s.updateTenant(ctx, t, `UPDATE tenants SET app = ? WHERE id = ?`, raw, t.ID)
}

// updateTenant runs one UPDATE of a tenant's row and puts the tenant as
// stored afterwards in the cache, so every holder of the old value sees the
// change on its next lookup.
func (s *Store) updateTenant(ctx context.Context, t *emulator.Tenant, query string, args ...any) (*emulator.Tenant, error) {
	var out *emulator.Tenant
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return err
		}
		var err error
		out, err = findTenantByID(ctx, tx, t.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.cache(out)
	return out, nil
}

// TenantByKey finds a tenant by its public key (Tenant.Key), as page URLs
// carry it.
func (s *Store) TenantByKey(ctx context.Context, key string) (*emulator.Tenant, error) {
	t, err := scanTenant(s.read.QueryRowContext(ctx, tenantSelect+` WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, emulator.NotFound("tenant", key)
	}
	if err != nil {
		return nil, err
	}
	return s.Tenant(ctx, t.Provider, t.Credential)
}

// CheckSecret makes the first secret a tenant presents its secret, and
// rejects any other one later with CodeBadSecret.
func (s *Store) CheckSecret(ctx context.Context, t *emulator.Tenant, secret string) error {
	h := emulator.HashSecret(secret)
	s.mu.RLock()
	known := t.SecretHash
	s.mu.RUnlock()
	if known != "" {
		if known != h {
			return emulator.Errorf(emulator.CodeBadSecret, "the secret does not match this client")
		}
		return nil
	}
	var stored string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET secret_hash = ? WHERE id = ? AND secret_hash = ''`, h, t.ID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT secret_hash FROM tenants WHERE id = ?`, t.ID).Scan(&stored)
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	t.SecretHash = stored
	s.mu.Unlock()
	if stored != h {
		return emulator.Errorf(emulator.CodeBadSecret, "the secret does not match this client")
	}
	return nil
}

// Tenants lists every tenant, oldest first.
func (s *Store) Tenants(ctx context.Context) ([]emulator.Tenant, error) {
	rows, err := s.read.QueryContext(ctx, tenantSelect+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []emulator.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

const tenantSelect = `SELECT id, provider, credential, secret_hash, scenario, scenario_src, behaviour, app, label, seed, clock_offset, frozen_at, created_at FROM tenants`

type scanner interface{ Scan(dest ...any) error }

func scanTenant(row scanner) (*emulator.Tenant, error) {
	var t emulator.Tenant
	var offset, created int64
	var frozen sql.NullInt64
	var behaviour, app string
	if err := row.Scan(&t.ID, &t.Provider, &t.Credential, &t.SecretHash, &t.Scenario, &t.ScenarioSrc, &behaviour, &app, &t.Label, &t.Seed, &offset, &frozen, &created); err != nil {
		return nil, err
	}
	var b behaviourJSON
	if err := json.Unmarshal([]byte(behaviour), &b); err != nil {
		return nil, fmt.Errorf("tenant %d: behaviour: %w", t.ID, err)
	}
	t.Behaviour = b.domain()
	var err error
	if t.App, err = decodeApp(app); err != nil {
		return nil, fmt.Errorf("tenant %d: %w", t.ID, err)
	}
	t.Clock = emulator.TenantClock{Offset: time.Duration(offset), FrozenAt: nullTime(frozen)}
	t.CreatedAt = fromNS(created)
	return &t, nil
}

func findTenantByID(ctx context.Context, q queryer, id int64) (*emulator.Tenant, error) {
	t, err := scanTenant(q.QueryRowContext(ctx, tenantSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, emulator.NotFound("tenant", strconv.FormatInt(id, 10))
	}
	return t, err
}

func findTenant(ctx context.Context, q queryer, p emulator.Provider, credential string) (*emulator.Tenant, error) {
	t, err := scanTenant(q.QueryRowContext(ctx, tenantSelect+` WHERE provider = ? AND credential = ?`, p, credential))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, emulator.NotFound("tenant", credential)
	}
	return t, err
}

// nextSeq takes the tenant's next sequence number, the source of every id
// it is given, so one scenario and seed replay to the same ids.
func nextSeq(ctx context.Context, tx *sql.Tx, t *emulator.Tenant) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE tenants SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq`, t.ID).Scan(&seq)
	return seq, err
}

// nextID draws the tenant's next id. Ids derive from the tenant's seed and a
// per-tenant sequence, so one scenario and seed replay to the same ids; the
// 32 lowercase hex digits match Fintecture's id shape (notes §2.3).
func nextID(ctx context.Context, tx *sql.Tx, t *emulator.Tenant, kind string) (string, error) {
	seq, err := nextSeq(ctx, tx, t)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d/%s/%s/%d", t.Seed, t.Credential, kind, seq)))
	return hex.EncodeToString(sum[:16]), nil
}

func nsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ns(*t)
}

// behaviourJSON is how a tenant's behaviour is kept in its row.
type behaviourJSON struct {
	SCA               []outcomeJSON `json:"sca,omitempty"`
	AccessTokenTTL    time.Duration `json:"access_token_ttl,omitempty"`
	RefreshTokenTTL   time.Duration `json:"refresh_token_ttl,omitempty"`
	ConsentValidity   time.Duration `json:"consent_validity,omitempty"`
	JourneyTTL        time.Duration `json:"journey_ttl,omitempty"`
	DecoupledTTL      time.Duration `json:"decoupled_ttl,omitempty"`
	VerificationDelay time.Duration `json:"verification_delay,omitempty"`
	CommandDuration   time.Duration `json:"command_duration,omitempty"`
	CommandFailures   []commandJSON `json:"command_failures,omitempty"`
	Webhooks          *webhookJSON  `json:"webhooks,omitempty"`
	// FinqLink's bank behaviour.
	WebhookAlg          emulator.SigningAlg     `json:"webhook_alg,omitempty"`
	PaymentOutcome      emulator.PaymentOutcome `json:"payment_outcome,omitempty"`
	JobOutcome          emulator.JobOutcome     `json:"job_outcome,omitempty"`
	ConsentSuspendAfter time.Duration           `json:"consent_suspend_after,omitempty"`
}

type webhookJSON struct {
	BadSignature bool          `json:"bad_signature,omitempty"`
	UnknownKID   bool          `json:"unknown_kid,omitempty"`
	Duplicate    bool          `json:"duplicate,omitempty"`
	OutOfOrder   bool          `json:"out_of_order,omitempty"`
	Delay        time.Duration `json:"delay,omitempty"`
	// ReceiverErrors is the count of 503s the scenario plays per delivery.
	ReceiverErrors int `json:"receiver_errors,omitempty"`
}

type outcomeJSON struct {
	Login   string              `json:"login"`
	Outcome emulator.SCAOutcome `json:"outcome"`
}

type commandJSON struct {
	Login     string        `json:"login"`
	Exception string        `json:"exception"`
	Message   string        `json:"message,omitempty"`
	After     time.Duration `json:"after,omitempty"`
	Fatal     bool          `json:"fatal,omitempty"`
}

func behaviourWire(b emulator.Behaviour) behaviourJSON {
	out := behaviourJSON{
		AccessTokenTTL: b.AccessTokenTTL, RefreshTokenTTL: b.RefreshTokenTTL, ConsentValidity: b.ConsentValidity,
		JourneyTTL: b.JourneyTTL, DecoupledTTL: b.DecoupledTTL, VerificationDelay: b.VerificationDelay,
		CommandDuration: b.CommandDuration, WebhookAlg: b.WebhookAlg, PaymentOutcome: b.PaymentOutcome,
		JobOutcome: b.JobOutcome, ConsentSuspendAfter: b.ConsentSuspendAfter,
	}
	for _, r := range b.SCA {
		out.SCA = append(out.SCA, outcomeJSON{Login: r.Login, Outcome: r.Outcome})
	}
	for _, c := range b.CommandFailures {
		out.CommandFailures = append(out.CommandFailures, commandJSON{Login: c.Login, Exception: c.Exception, Message: c.Message, After: c.After, Fatal: c.Fatal})
	}
	if w := b.Webhooks; w != (emulator.WebhookFaults{}) {
		out.Webhooks = &webhookJSON{BadSignature: w.BadSignature, UnknownKID: w.UnknownKID, Duplicate: w.Duplicate, OutOfOrder: w.OutOfOrder, Delay: w.Delay, ReceiverErrors: w.ReceiverErrors}
	}
	return out
}

func (b behaviourJSON) domain() emulator.Behaviour {
	out := emulator.Behaviour{
		AccessTokenTTL: b.AccessTokenTTL, RefreshTokenTTL: b.RefreshTokenTTL, ConsentValidity: b.ConsentValidity,
		JourneyTTL: b.JourneyTTL, DecoupledTTL: b.DecoupledTTL, VerificationDelay: b.VerificationDelay,
		CommandDuration: b.CommandDuration, WebhookAlg: b.WebhookAlg, PaymentOutcome: b.PaymentOutcome,
		JobOutcome: b.JobOutcome, ConsentSuspendAfter: b.ConsentSuspendAfter,
	}
	for _, r := range b.SCA {
		out.SCA = append(out.SCA, emulator.OutcomeRule{Login: r.Login, Outcome: r.Outcome})
	}
	for _, c := range b.CommandFailures {
		out.CommandFailures = append(out.CommandFailures, emulator.CommandFailure{Login: c.Login, Exception: c.Exception, Message: c.Message, After: c.After, Fatal: c.Fatal})
	}
	if w := b.Webhooks; w != nil {
		out.Webhooks = emulator.WebhookFaults{BadSignature: w.BadSignature, UnknownKID: w.UnknownKID, Duplicate: w.Duplicate, OutOfOrder: w.OutOfOrder, Delay: w.Delay, ReceiverErrors: w.ReceiverErrors}
	}
	return out
}

// appJSON is how a tenant's app settings are kept in its row.
type appJSON struct {
	PublicKey         string `json:"public_key,omitempty"`
	RequireSignatures bool   `json:"require_signatures,omitempty"`
}

// encodeApp validates app settings and writes them as the row keeps them.
func encodeApp(a emulator.AppSettings) (string, error) {
	if err := a.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(appJSON{PublicKey: a.PublicKey, RequireSignatures: a.RequireSignatures})
	return string(b), err
}

// decodeApp reads a row's app column. Unknown keys are refused, so a
// bundle from a Sandbank that keeps more settings fails loudly instead of
// losing them.
func decodeApp(raw string) (emulator.AppSettings, error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var a appJSON
	if err := dec.Decode(&a); err != nil {
		return emulator.AppSettings{}, fmt.Errorf("app: %w", err)
	}
	return emulator.AppSettings{PublicKey: a.PublicKey, RequireSignatures: a.RequireSignatures}, nil
}
