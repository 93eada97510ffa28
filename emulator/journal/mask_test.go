package journal_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/emulator/journal"
)

const longToken = "eyJhbGciOiJSUzI1NiJ9.payload.signature"

func TestMaskValue(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"123456":           "****",
		"hunter2":          "****",
		"éééé-long-secret": "éééé…",
	} {
		if got := journal.MaskValue(in); !strings.HasPrefix(got, want) || (want == "****" && got != want) {
			t.Errorf("MaskValue(%q) = %q, want %q…", in, got, want)
		}
	}
	a, b := journal.MaskValue(longToken), journal.MaskValue(longToken+"x")
	if a == b || !strings.HasPrefix(a, "eyJh…") || len(a) != len("eyJh…")+6 {
		t.Fatalf("tokens with the same start must stay apart: %q %q", a, b)
	}
	if journal.MaskValue(longToken) != a {
		t.Fatal("masking must be stable so QA can follow a token")
	}
}

func TestMaskHeader(t *testing.T) {
	in := http.Header{
		"Authorization": {"Bearer " + longToken},
		"X-Api-Key":     {"kontomatik-api-key-123"},
		"App_secret":    {"s3cr3t-s3cr3t-s3cr3t"},
		"Client-Secret": {"abc"},
		"Cookie":        {"sid=session-cookie-value; theme=dark-mode-theme"},
		"Set-Cookie":    {"sid=session-cookie-value; Path=/; HttpOnly"},
		"Location":      {"https://client.example/cb?code=ok&access_token=" + longToken + "#id_token=" + longToken},
		"Content-Type":  {"application/json"},
		"X-Request-Id":  {"req-1"},
	}
	out := journal.MaskHeader(in)
	for name, want := range map[string]string{
		"Authorization": "Bearer eyJh…",
		"X-Api-Key":     "kont…",
		"App_secret":    "s3cr…",
		"Client-Secret": "****",
		"Cookie":        "sid=sess…",
		"Set-Cookie":    "sid=sess…",
		"Location":      "https://client.example/cb?code=ok&access_token=eyJh…",
		"Content-Type":  "application/json",
		"X-Request-Id":  "req-1",
	} {
		if got := out.Get(name); !strings.HasPrefix(got, want) {
			t.Errorf("%s: got %q, want %q…", name, got, want)
		}
	}
	for _, must := range []string{"; theme=dark…", "; Path=/; HttpOnly", "#id_token=eyJh…"} {
		if !strings.Contains(strings.Join([]string{out.Get("Cookie"), out.Get("Set-Cookie"), out.Get("Location")}, " "), must) {
			t.Errorf("lost %q", must)
		}
	}
	if got := journal.MaskHeader(http.Header{"Authorization": {"Basic dXNlcjpwYXNzd29yZA=="}}).Get("Authorization"); got != "Basic ****" {
		t.Errorf("Basic: %q", got)
	}
	if in.Get("Authorization") != "Bearer "+longToken {
		t.Error("MaskHeader changed its input")
	}
}

func TestMaskJSON(t *testing.T) {
	in := `{"app_id": "visible-app-id",
  "nested": {"deeper": [{"Client_Secret": "very-secret-client-secret"}, {"otp": 123456}]},
  "accessToken": "` + longToken + `", "count": 3, "ok": true, "none": null,
  "private_key": {"kty": "RSA", "d": "private-exponent-value"},
  "note": "the password is \"secret\"", "password": "short"}`
	out := journal.MaskBody([]byte(in), int64(len(in)), "application/json; charset=utf-8")
	for _, secret := range []string{"very-secret-client-secret", "123456", longToken, "private-exponent-value", `"short"`} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q left in %s", secret, out)
		}
	}
	for _, kept := range []string{`"app_id": "visible-app-id",` + "\n  ", `"count": 3, "ok": true, "none": null`, `"kty": "****"`, `"otp": "****"`, `"password": "****"`, `"note": "the password is \"secret\""`} {
		if !strings.Contains(out, kept) {
			t.Errorf("want %q kept in %s", kept, out)
		}
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("masked JSON no longer parses: %v\n%s", err, out)
	}
}

// TestMaskJSONCutShort: a capped body ends anywhere, even inside a
// secret; what is there is still masked.
func TestMaskJSONCutShort(t *testing.T) {
	full := `{"user": "u", "refresh_token": "` + longToken + `", "otp": 98765432}`
	for cut := 1; cut < len(full); cut++ {
		out := journal.MaskJSON([]byte(full[:cut]))
		if strings.Contains(out, longToken[:12]) || strings.Contains(out, "98765432") {
			t.Fatalf("cut at %d leaks: %s", cut, out)
		}
		if cut <= len(`{"user": "u", "refresh_token": `) && out != full[:cut] {
			t.Fatalf("cut at %d changed the text before any secret: %q", cut, out)
		}
	}
}

func TestMaskJSONMalformed(t *testing.T) {
	in := `{"client_secret": "malformed-but-secret", oops "api_key": 12345678901234, }`
	out := journal.MaskBody([]byte(in), int64(len(in)), "application/json")
	if strings.Contains(out, "malformed-but-secret") || strings.Contains(out, "12345678901234") || !strings.Contains(out, "oops") {
		t.Fatalf("malformed JSON: %s", out)
	}
}

func TestMaskFormAndURL(t *testing.T) {
	form := "grant_type=client_credentials&client_secret=form+secret+value%21&scope=AIS&Password=pw"
	out := journal.MaskBody([]byte(form), int64(len(form)), "application/x-www-form-urlencoded")
	if want := "grant_type=client_credentials&client_secret=form…"; !strings.HasPrefix(out, want) {
		t.Errorf("form: %s", out)
	}
	if !strings.HasSuffix(out, "&scope=AIS&Password=****") {
		t.Errorf("form: %s", out)
	}
	// A form sent without a content type is masked by its shape.
	if out := journal.MaskBody([]byte(form), int64(len(form)), ""); strings.Contains(out, "form+secret") {
		t.Errorf("untyped form: %s", out)
	}
	u := "http://h/kontomatik/v1/command?apiKey=query-api-key-1234&ownerExternalId=o&otp=1"
	if got := journal.MaskURL(u); got != "http://h/kontomatik/v1/command?apiKey=quer…"+journal.MaskValue("query-api-key-1234")[len("quer…"):]+"&ownerExternalId=o&otp=****" {
		t.Errorf("URL: %s", got)
	}
}

func TestMaskBodyKinds(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00")
	if got := journal.MaskBody(png, 2048, "image/png"); got != "(2048 bytes, binary)" {
		t.Errorf("binary: %q", got)
	}
	if got := journal.MaskBody(png, int64(len(png)), ""); got != "(11 bytes, binary)" {
		t.Errorf("untyped binary: %q", got)
	}
	xml := `<reply status="ok"><session>x</session></reply>`
	if got := journal.MaskBody([]byte(xml), int64(len(xml)), "application/xml"); got != xml {
		t.Errorf("xml: %q", got)
	}
	// A cap that cuts a character in two drops the half character
	// instead of calling the body binary.
	text := []byte("prix: 10 €")
	if got := journal.MaskBody(text[:len(text)-1], 100, "text/plain"); got != "prix: 10 " {
		t.Errorf("cut character: %q", got)
	}
}
