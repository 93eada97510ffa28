package scenarios

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/testkeys"
)

// literal writes text as a YAML block literal indented by n spaces.
func literal(text string, n int) string {
	pad := strings.Repeat(" ", n)
	return "|\n" + pad + strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "\n", "\n"+pad) + "\n"
}

func TestAppSection(t *testing.T) {
	rk, ek := testkeys.RSA(), testkeys.EC()
	rsaPEM := testkeys.PublicPEM(&rk.PublicKey)
	pkcs1 := testkeys.PEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rk.PublicKey))
	sch := compileSchema(t)
	for name, c := range map[string]struct {
		text string
		want *emulator.AppSettings
	}{
		"no section":    {good, nil},
		"empty section": {good + "app:\n", nil},
		"empty mapping": {good + "app: {}\n", &emulator.AppSettings{}},
		"key only":      {good + "app:\n  public_key: " + literal(rsaPEM, 4), &emulator.AppSettings{PublicKey: rsaPEM}},
		"key, required": {good + "app:\n  public_key: " + literal(rsaPEM, 4) + "  require_signatures: true\n", &emulator.AppSettings{PublicKey: rsaPEM, RequireSignatures: true}},
		"PKCS#1":        {good + "app:\n  public_key: " + literal(pkcs1, 4), &emulator.AppSettings{PublicKey: pkcs1}},
		"EC":            {good + "app:\n  public_key: " + literal(testkeys.PublicPEM(&ek.PublicKey), 4), &emulator.AppSettings{PublicKey: testkeys.PublicPEM(&ek.PublicKey)}},
		"not required":  {good + "app:\n  require_signatures: false\n", &emulator.AppSettings{}},
		"before world":  {"name: x\nseed: 1\napp:\n  public_key: " + literal(rsaPEM, 4) + "world:\n  currencies: [EUR]\n", &emulator.AppSettings{PublicKey: rsaPEM}},
	} {
		s, err := ParseBytes("app.yaml", []byte(c.text))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := s.App()
		if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("%s: App() = %+v, want %+v", name, got, c.want)
		}
		if name == "empty section" {
			continue // the schema wants a mapping for any section it names, as for behaviour
		}
		if err := sch.Validate(yamlToJSON(t, []byte(c.text))); err != nil {
			t.Errorf("%s: the schema refuses it: %v", name, err)
		}
	}
}

func TestAppSectionErrors(t *testing.T) {
	rk := testkeys.RSA()
	rsaPEM := testkeys.PublicPEM(&rk.PublicKey)
	private := testkeys.PEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk))
	for name, c := range map[string]struct{ text, want string }{
		"private key": {good + "app:\n  public_key: " + literal(private, 4) + "  require_signatures: true\n",
			"app.yaml:6: app.public_key: a private key was given: register the public key"},
		"not PEM": {good + "app:\n  require_signatures: true\n  public_key: MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n",
			"app.yaml:7: app.public_key: not PEM"},
		"required without key": {good + "app:\n  require_signatures: true\n",
			"app.yaml:6: app.require_signatures: a public key must be registered first"},
		"required as a string": {good + "app:\n  public_key: " + literal(rsaPEM, 4) + "  require_signatures: \"yes\"\n",
			`app.yaml:13: app.require_signatures: want true or false, got string "yes"`},
		"unknown key": {good + "app:\n  private_key: x\n",
			"app.yaml:6: app.private_key: unknown key (known here: public_key, require_signatures)"},
		"a list": {good + "app: [x]\n",
			"app.yaml:5: app: want a mapping of public_key, require_signatures, got a list"},
		"two keys": {good + "app:\n  public_key: " + literal(rsaPEM+rsaPEM, 4),
			"app.yaml:6: app.public_key: more than one PEM block"},
	} {
		_, err := ParseBytes("app.yaml", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got  %v\n want %s", name, err, c.want)
		}
	}
}

// TestAppSchemaAgrees: what Parse refuses in the app section, the schema
// refuses too, where a schema can tell (a key's contents it cannot).
func TestAppSchemaAgrees(t *testing.T) {
	rk := testkeys.RSA()
	sch := compileSchema(t)
	for name, text := range map[string]string{
		"required without key": good + "app:\n  require_signatures: true\n",
		"private key":          good + "app:\n  public_key: " + literal(testkeys.PEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), 4),
		"not PEM":              good + "app:\n  public_key: MIIBIjANBgkq\n",
		"unknown key":          good + "app:\n  fingerprint: SHA256:x\n",
	} {
		if err := sch.Validate(yamlToJSON(t, []byte(text))); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
		if _, err := ParseBytes("app.yaml", []byte(text)); err == nil {
			t.Errorf("%s: Parse accepts it", name)
		}
	}
}
