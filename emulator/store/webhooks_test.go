package store

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator"
)

// testMint makes real keys with the standard library (the webhooks
// package, which has the production minter, imports this one). Its kids
// are random.
func testMint(alg emulator.SigningAlg) (emulator.SigningKey, error) {
	var priv any
	var err error
	switch alg {
	case emulator.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case emulator.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 1024) // only stored here, never trusted
	default:
		return emulator.SigningKey{}, fmt.Errorf("alg %s", alg)
	}
	if err != nil {
		return emulator.SigningKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return emulator.SigningKey{}, err
	}
	var kid [8]byte
	rand.Read(kid[:])
	return emulator.SigningKey{KID: hex.EncodeToString(kid[:]), Alg: alg, PrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}, nil
}

func hook(n int) emulator.Webhook {
	return emulator.Webhook{
		Provider: emulator.FinqLink, Type: "link_status_update", URL: "http://127.0.0.1:1/hook", Subject: fmt.Sprint("link-", n),
		// Odd spacing on purpose: the body must come back byte for byte.
		Body: []byte(fmt.Sprintf(`{"type": "link_status_update","link_id":"link-%d" ,"status":"paid"}`, n)),
	}
}

func webhookTenant(t *testing.T) (*Store, *emulator.ManualClock, *emulator.Tenant) {
	t.Helper()
	s, clock := bundleStore(t)
	tn, err := s.EnsureTenant(context.Background(), emulator.FinqLink, "client")
	noErr(t, err)
	return s, clock, tn
}

func TestEnqueueWebhookLivesAndDiesWithItsTransaction(t *testing.T) {
	ctx := context.Background()
	s, _, tn := webhookTenant(t)
	boom := errors.New("the state change failed")
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := enqueueWebhook(ctx, tx, tn, s.Now(tn), hook(1)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("want the transaction's own error, got %v", err)
	}
	if n := countRows(t, s, "webhook_deliveries", ""); n != 0 {
		t.Fatalf("a rolled-back enqueue left %d deliveries", n)
	}

	var id string
	noErr(t, s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = enqueueWebhook(ctx, tx, tn, s.Now(tn), hook(2))
		return err
	}))
	d, err := s.WebhookDelivery(ctx, tn, id)
	noErr(t, err)
	if string(d.Body) != string(hook(2).Body) {
		t.Errorf("body changed: %q", d.Body)
	}
	if d.Status != emulator.WebhookPending || !d.DueAt.Equal(s.Now(tn)) || !d.CreatedAt.Equal(s.Now(tn)) || d.Seq != 1 || d.Subject != "link-2" || len(d.Attempts) != 0 {
		t.Errorf("new delivery: %+v", d)
	}
}

func TestEnqueueWebhookRefusesWhatCannotBeSent(t *testing.T) {
	ctx := context.Background()
	s, _, tn := webhookTenant(t)
	for name, tc := range map[string]struct {
		edit func(*emulator.Webhook)
		code emulator.Code
	}{
		"relative url":   {func(h *emulator.Webhook) { h.URL = "/hook" }, emulator.CodeInvalid},
		"ftp url":        {func(h *emulator.Webhook) { h.URL = "ftp://x/y" }, emulator.CodeInvalid},
		"not json":       {func(h *emulator.Webhook) { h.Body = []byte("status=paid") }, emulator.CodeInvalid},
		"no type":        {func(h *emulator.Webhook) { h.Type = "" }, emulator.CodeMissing},
		"other provider": {func(h *emulator.Webhook) { h.Provider = emulator.Kontomatik }, emulator.CodeInvalid},
	} {
		h := hook(1)
		tc.edit(&h)
		if _, err := s.EnqueueWebhook(ctx, tn, h); !emulator.IsCode(err, tc.code) {
			t.Errorf("%s: want %s, got %v", name, tc.code, err)
		}
	}
	if n := countRows(t, s, "webhook_deliveries", ""); n != 0 {
		t.Errorf("refused webhooks left %d rows", n)
	}
}

func TestWebhookDeliveriesNewestFirstFilteredAndIsolated(t *testing.T) {
	ctx := context.Background()
	s, _, tn := webhookTenant(t)
	other, err := s.EnsureTenant(ctx, emulator.FinqLink, "other")
	noErr(t, err)
	var ids []string
	for i := 1; i <= 3; i++ {
		d, err := s.EnqueueWebhook(ctx, tn, hook(i))
		noErr(t, err)
		ids = append(ids, d.ID)
	}
	_, err = s.EnqueueWebhook(ctx, other, hook(9))
	noErr(t, err)

	// Deliver the first one.
	c, ok, err := s.ClaimWebhook(ctx, tn, ids[0], time.Minute)
	noErr(t, err)
	if !ok {
		t.Fatal("claim of a due delivery failed")
	}
	_, err = s.RecordWebhookAttempts(ctx, tn, c, []emulator.WebhookAttempt{{At: s.Now(tn), Status: 204, KID: "k"}}, nil)
	noErr(t, err)

	all, err := s.WebhookDeliveries(ctx, tn, WebhookFilter{})
	noErr(t, err)
	if len(all) != 3 || all[0].ID != ids[2] || all[2].ID != ids[0] {
		t.Fatalf("want the tenant's 3 deliveries newest first, got %+v", all)
	}
	if len(all[2].Attempts) != 1 || all[2].Status != emulator.WebhookDelivered || all[2].DeliveredAt == nil {
		t.Errorf("delivered one: %+v", all[2])
	}
	pending, err := s.WebhookDeliveries(ctx, tn, WebhookFilter{Status: emulator.WebhookPending, Limit: 1})
	noErr(t, err)
	if len(pending) != 1 || pending[0].ID != ids[2] {
		t.Errorf("pending, limit 1: %+v", pending)
	}
	bySubject, err := s.WebhookDeliveries(ctx, tn, WebhookFilter{Subject: "link-2"})
	noErr(t, err)
	if len(bySubject) != 1 || bySubject[0].ID != ids[1] {
		t.Errorf("by subject: %+v", bySubject)
	}
	if _, err := s.WebhookDeliveries(ctx, tn, WebhookFilter{Status: "lost"}); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Errorf("unknown status: want invalid, got %v", err)
	}
	if _, err := s.WebhookDelivery(ctx, other, ids[0]); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Errorf("another tenant's delivery: want not found, got %v", err)
	}
	if _, err := s.ResendWebhook(ctx, other, ids[0]); !emulator.IsCode(err, emulator.CodeNotFound) {
		t.Errorf("resend of another tenant's delivery: want not found, got %v", err)
	}

	re, err := s.ResendWebhook(ctx, tn, ids[0])
	noErr(t, err)
	if re.ID == ids[0] || re.ResentFrom != ids[0] || re.Status != emulator.WebhookPending || re.Seq != 4 || string(re.Body) != string(hook(1).Body) {
		t.Errorf("resent copy: %+v", re)
	}
	orig, err := s.WebhookDelivery(ctx, tn, ids[0])
	noErr(t, err)
	if orig.Status != emulator.WebhookDelivered || len(orig.Attempts) != 1 {
		t.Errorf("the original changed on resend: %+v", orig)
	}
}

func TestWebhookClaimsLeaseAndRetry(t *testing.T) {
	ctx := context.Background()
	s, clock, tn := webhookTenant(t)
	d, err := s.EnqueueWebhook(ctx, tn, hook(1))
	noErr(t, err)

	c, ok, err := s.ClaimWebhook(ctx, tn, d.ID, time.Minute)
	noErr(t, err)
	if !ok || !c.InFlight {
		t.Fatalf("claim: ok %v, %+v", ok, c)
	}
	if _, ok, _ := s.ClaimWebhook(ctx, tn, d.ID, time.Minute); ok {
		t.Fatal("a held delivery was claimed twice")
	}
	if due, _ := s.DueWebhooks(ctx, tn, 0); len(due) != 0 {
		t.Fatalf("a held delivery is listed as due: %+v", due)
	}

	// The holder dies mid-send: nothing is recorded, the lease (real
	// time) runs out and the delivery is there to take again.
	clock.Advance(time.Minute)
	c2, ok, err := s.ClaimWebhook(ctx, tn, d.ID, time.Minute)
	noErr(t, err)
	if !ok {
		t.Fatal("a delivery whose lease ran out could not be claimed")
	}
	// The first holder comes back late: its attempt is kept, the course
	// stays with the new holder.
	at := s.Now(tn)
	got, err := s.RecordWebhookAttempts(ctx, tn, c, []emulator.WebhookAttempt{{At: at, Status: 500}}, &at)
	noErr(t, err)
	if got.Status != emulator.WebhookPending || !got.InFlight || got.AttemptCount != 1 {
		t.Fatalf("a lost claim changed the delivery's course: %+v", got)
	}
	retry := at.Add(30 * time.Second)
	got, err = s.RecordWebhookAttempts(ctx, tn, c2, []emulator.WebhookAttempt{{At: at, Status: 503, Response: "down"}}, &retry)
	noErr(t, err)
	if got.Status != emulator.WebhookPending || got.InFlight || !got.DueAt.Equal(retry) || got.AttemptCount != 2 || got.LastError != "HTTP 503" {
		t.Fatalf("after a failed attempt: %+v", got)
	}
	if got.Attempts[1].N != 2 || got.Attempts[1].Response != "down" {
		t.Errorf("attempts: %+v", got.Attempts)
	}
	if _, ok, _ := s.ClaimWebhook(ctx, tn, d.ID, time.Minute); ok {
		t.Fatal("a delivery was claimed before its retry was due")
	}

	// Due on the tenant's clock: moving it is enough.
	tn, err = s.SetClock(ctx, tn, emulator.TenantClock{Offset: 30 * time.Second})
	noErr(t, err)
	c3, ok, err := s.ClaimWebhook(ctx, tn, d.ID, time.Minute)
	noErr(t, err)
	if !ok {
		t.Fatal("a due retry could not be claimed")
	}
	got, err = s.RecordWebhookAttempts(ctx, tn, c3, []emulator.WebhookAttempt{{At: s.Now(tn), Error: "connection refused"}}, nil)
	noErr(t, err)
	if got.Status != emulator.WebhookFailed || got.LastError != "connection refused" || got.AttemptCount != 3 {
		t.Fatalf("attempts run out: %+v", got)
	}
	if got, _ := s.TenantsWithPendingWebhooks(ctx); len(got) != 0 {
		t.Errorf("tenants with pending webhooks: %v", got)
	}
}

func TestWebhookDelayAppliesOnce(t *testing.T) {
	ctx := context.Background()
	s, _, tn := webhookTenant(t)
	d, err := s.EnqueueWebhook(ctx, tn, hook(1))
	noErr(t, err)
	ok, err := s.DelayWebhook(ctx, tn, d.ID, time.Hour)
	noErr(t, err)
	again, err := s.DelayWebhook(ctx, tn, d.ID, time.Hour)
	noErr(t, err)
	got, err := s.WebhookDelivery(ctx, tn, d.ID)
	noErr(t, err)
	if !ok || again || got.Delay != time.Hour || !got.DueAt.Equal(d.DueAt.Add(time.Hour)) {
		t.Errorf("delay: first %v, second %v, delivery %+v", ok, again, got)
	}
}

func TestWebhookKeysRotateOnTheTenantClock(t *testing.T) {
	ctx := context.Background()
	s, _, tn := webhookTenant(t)
	start := s.Now(tn)
	cur0, prev0, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)
	if cur0.Period != 0 || prev0.Period != -1 || cur0.KID == prev0.KID || cur0.Alg != emulator.RS256 {
		t.Fatalf("first keys: %v, %v", cur0, prev0)
	}
	if !cur0.NotBefore.Equal(start) || !prev0.NotBefore.Equal(start.Add(-emulator.SigningKeyLifetime)) || !cur0.CreatedAt.Equal(start) {
		t.Errorf("first keys dated %s / %s, created %s", cur0.NotBefore, prev0.NotBefore, cur0.CreatedAt)
	}
	again, _, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)
	if again.KID != cur0.KID {
		t.Errorf("keys changed without time passing")
	}

	day := 24 * time.Hour
	tn, err = s.SetClock(ctx, tn, emulator.TenantClock{Offset: 89 * day})
	noErr(t, err)
	if c, _, _ := s.WebhookKeys(ctx, tn, tn.Provider, testMint); c.KID != cur0.KID {
		t.Errorf("rotated before 90 days")
	}
	tn, err = s.SetClock(ctx, tn, emulator.TenantClock{Offset: 91 * day})
	noErr(t, err)
	cur1, prev1, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)
	if cur1.Period != 1 || prev1.KID != cur0.KID {
		t.Fatalf("after 91 days: %v, %v", cur1, prev1)
	}
	if !cur1.NotBefore.Equal(start.Add(emulator.SigningKeyLifetime)) {
		t.Errorf("the second key's period starts at %s", cur1.NotBefore)
	}
	tn, err = s.SetClock(ctx, tn, emulator.TenantClock{Offset: 181 * day})
	noErr(t, err)
	cur2, prev2, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)
	if cur2.Period != 2 || prev2.KID != cur1.KID {
		t.Fatalf("after 181 days: %v, %v", cur2, prev2)
	}
	if n := countRows(t, s, "webhook_keys", fmt.Sprint("tenant_id = ", tn.ID)); n != 2 {
		t.Errorf("%d keys kept, want the 2 published ones", n)
	}

	// A year with nobody asking: the keys are those of the periods the
	// clock is in, as if rotation had run all along.
	tn, err = s.SetClock(ctx, tn, emulator.TenantClock{Offset: 365 * day})
	noErr(t, err)
	cur4, prev4, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)
	if cur4.Period != 4 || prev4.Period != 3 {
		t.Errorf("after a year: periods %d, %d", cur4.Period, prev4.Period)
	}
	// Setting the clock back does not bring old keys back.
	tn, err = s.SetClock(ctx, tn, emulator.TenantClock{})
	noErr(t, err)
	back, _, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)
	if back.KID != cur4.KID {
		t.Errorf("clock set back: current key changed from period %d to %d", cur4.Period, back.Period)
	}
}

func TestWebhookKeysAgreeUnderConcurrentCalls(t *testing.T) {
	ctx := context.Background()
	s, _, tn := webhookTenant(t)
	noErr(t, s.SetWebhookAlg(ctx, tn, tn.Provider, emulator.ES256))
	var wg sync.WaitGroup
	kids := make([]string, 16)
	errs := make([]error, 16)
	for i := range kids {
		wg.Go(func() {
			c, p, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
			kids[i], errs[i] = c.KID+"/"+p.KID, err
		})
	}
	wg.Wait()
	noErr(t, errors.Join(errs...))
	for _, k := range kids {
		if k != kids[0] {
			t.Fatalf("callers disagree: %v", kids)
		}
	}
	if n := countRows(t, s, "webhook_keys", ""); n != 2 {
		t.Errorf("%d keys stored, want 2", n)
	}
}

func TestSetWebhookAlgReplacesTheKeys(t *testing.T) {
	ctx := context.Background()
	s, _, tn := webhookTenant(t)
	rs, _, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)
	if err := s.SetWebhookAlg(ctx, tn, tn.Provider, "HS256"); !emulator.IsCode(err, emulator.CodeInvalid) {
		t.Errorf("HS256: want invalid, got %v", err)
	}
	noErr(t, s.SetWebhookAlg(ctx, tn, tn.Provider, emulator.ES256))
	alg, err := s.WebhookAlg(ctx, tn, tn.Provider)
	noErr(t, err)
	cur, prev, err := s.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)
	if alg != emulator.ES256 || cur.Alg != emulator.ES256 || prev.Alg != emulator.ES256 || cur.KID == rs.KID || cur.Period != rs.Period {
		t.Errorf("after switching to ES256: alg %s, %v, %v", alg, cur, prev)
	}
}

func TestWebhooksTravelInBundlesAndGoOnReset(t *testing.T) {
	ctx := context.Background()
	src, _, tn := webhookTenant(t)
	d, err := src.EnqueueWebhook(ctx, tn, hook(1))
	noErr(t, err)
	c, _, err := src.ClaimWebhook(ctx, tn, d.ID, time.Minute)
	noErr(t, err)
	retry := src.Now(tn).Add(30 * time.Second)
	_, err = src.RecordWebhookAttempts(ctx, tn, c, []emulator.WebhookAttempt{{At: src.Now(tn), Status: 503, Faults: []emulator.WebhookFault{emulator.FaultBadSignature, emulator.FaultDuplicate}}}, &retry)
	noErr(t, err)
	cur, prev, err := src.WebhookKeys(ctx, tn, tn.Provider, testMint)
	noErr(t, err)

	dump, err := src.ExportTenant(ctx, tn)
	noErr(t, err)
	dst, _ := bundleStore(t)
	got, err := dst.ImportTenant(ctx, jsonTrip(t, dump), ImportOptions{})
	noErr(t, err)
	want, err := src.WebhookDeliveries(ctx, tn, WebhookFilter{})
	noErr(t, err)
	have, err := dst.WebhookDeliveries(ctx, got, WebhookFilter{})
	noErr(t, err)
	if !reflect.DeepEqual(want, have) {
		t.Errorf("deliveries differ:\nwant %+v\ngot  %+v", want, have)
	}
	c2, p2, err := dst.WebhookKeys(ctx, got, got.Provider, testMint)
	noErr(t, err)
	if c2 != cur || p2 != prev {
		t.Errorf("keys differ after import")
	}

	tn, err = src.ResetTenant(ctx, tn)
	noErr(t, err)
	if ds, _ := src.WebhookDeliveries(ctx, tn, WebhookFilter{}); len(ds) != 0 {
		t.Errorf("reset kept %d deliveries", len(ds))
	}
	if c3, _, _ := src.WebhookKeys(ctx, tn, tn.Provider, testMint); c3.KID == cur.KID {
		t.Errorf("reset kept the signing keys")
	}
}

// TestWebhookFaultsSurviveTheTenantRow: every webhook fault a scenario
// sets, receiver_errors included, is kept in the tenant's row and read
// back as it was, so the dispatcher of a restarted Sandbank applies the
// same sabotage.
func TestWebhookFaultsSurviveTheTenantRow(t *testing.T) {
	b := emulator.Behaviour{
		Webhooks:   emulator.WebhookFaults{BadSignature: true, UnknownKID: true, Duplicate: true, OutOfOrder: true, Delay: 90 * time.Second, ReceiverErrors: 4},
		WebhookAlg: emulator.ES256,
	}
	raw, err := json.Marshal(behaviourWire(b))
	noErr(t, err)
	var back behaviourJSON
	noErr(t, json.Unmarshal(raw, &back))
	if got := back.domain(); !reflect.DeepEqual(got, b) {
		t.Fatalf("read back:\n got  %+v\n want %+v\n from %s", got, b, raw)
	}
	// Only receiver_errors set still makes a webhooks section.
	raw, err = json.Marshal(behaviourWire(emulator.Behaviour{Webhooks: emulator.WebhookFaults{ReceiverErrors: 1}}))
	noErr(t, err)
	if string(raw) != `{"webhooks":{"receiver_errors":1}}` {
		t.Fatalf("kept as %s", raw)
	}
}
