package iban

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// nationalExamples are published IBANs whose national check digits hold:
// the SWIFT IBAN registry's examples, and for PL also the account of
// Kontomatik's captured KontoBank replies (notes/kontomatik.md §6).
var nationalExamples = []string{
	"FR1420041010050500013M02606",
	"MC5811222000010123456789030",
	"ES9121000418450200051332",
	"BE68539007547034",
	"PL61109010140000071219812874",
	"PL69137013140000049678278112",
	"CZ6508000000192000145399",
	"CZ9455000000001011038930",
	"PT50000201231234567890154",
	"EE382200221020145685",
	// No public national rule: ValidNational is Valid for these.
	"RO49AAAA1B31007593840000",
	"LT121000011101001000",
	"LV80BANK0000435195001",
}

func TestValidNationalAcceptsPublishedExamples(t *testing.T) {
	for _, s := range nationalExamples {
		if err := ValidNational(s); err != nil {
			t.Errorf("ValidNational(%q) = %v, want nil", s, err)
		}
		if err := ValidNational(strings.ToLower(Format(s))); err != nil {
			t.Errorf("ValidNational(print form of %q) = %v, want nil", s, err)
		}
	}
}

// TestValidNationalRejects changes one national check digit of each
// example and recomputes the IBAN check digits, so only the national rule
// can catch it.
func TestValidNationalRejects(t *testing.T) {
	for _, tt := range []struct {
		iban string
		pos  int // index in the BBAN of a digit the national rule covers
	}{
		{"FR1420041010050500013M02606", 22},
		{"ES9121000418450200051332", 8},
		{"BE68539007547034", 11},
		{"PL61109010140000071219812874", 7},
		{"PL69137013140000049678278112", 3},
		{"CZ6508000000192000145399", 19},
		{"CZ6508000000192000145399", 9},
		{"PT50000201231234567890154", 20},
		{"EE382200221020145685", 15},
		{"EE382200221020145685", 5},
	} {
		b := []byte(tt.iban[4:])
		b[tt.pos] = '0' + (b[tt.pos]-'0'+1)%10
		bad, err := Build(tt.iban[:2], string(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := Valid(bad); err != nil {
			t.Fatalf("%s: the altered IBAN %s must still pass Valid: %v", tt.iban, bad, err)
		}
		if err := ValidNational(bad); !errors.Is(err, ErrNational) {
			t.Errorf("ValidNational(%s) (from %s) = %v, want ErrNational", bad, tt.iban, err)
		}
	}
	// A bad IBAN fails as Valid says, before any national rule.
	if err := ValidNational("PL61109010140000071219812875"); !errors.Is(err, ErrChecksum) {
		t.Errorf("ValidNational with a bad checksum = %v, want ErrChecksum", err)
	}
}

func TestPolishBBAN(t *testing.T) {
	// From PL61109010140000071219812874: sort code 1090101 4.
	if got, err := PolishBBAN("109", "0101", "0000071219812874"); err != nil || got != "109010140000071219812874" {
		t.Errorf("PolishBBAN = %q, %v", got, err)
	}
	// From the KontoBank capture: sort code 1370131 4.
	if got, err := PolishBBAN("137", "0131", "0000049678278112"); err != nil || got != "137013140000049678278112" {
		t.Errorf("PolishBBAN(KontoBank) = %q, %v", got, err)
	}
	for _, b := range [][3]string{{"10", "0101", "0000071219812874"}, {"109", "01a1", "0000071219812874"}, {"109", "0101", "000007121981287"}} {
		if _, err := PolishBBAN(b[0], b[1], b[2]); !errors.Is(err, ErrInput) {
			t.Errorf("PolishBBAN(%q) = %v, want ErrInput", b, err)
		}
	}
}

func TestCzechBBAN(t *testing.T) {
	if got, err := CzechBBAN("0800", "000019", "2000145399"); err != nil || got != "08000000192000145399" {
		t.Errorf("CzechBBAN = %q, %v", got, err)
	}
	for _, b := range [][3]string{
		{"080", "000019", "2000145399"},
		{"0800", "000018", "2000145399"}, // prefix fails mod 11
		{"0800", "000019", "2000145398"}, // number fails mod 11
	} {
		if _, err := CzechBBAN(b[0], b[1], b[2]); !errors.Is(err, ErrInput) {
			t.Errorf("CzechBBAN(%q) = %v, want ErrInput", b, err)
		}
	}
	// Every nine digits complete into a valid number, the awkward
	// remainder (a check digit of 10) included.
	r := rand.New(rand.NewPCG(5, 6))
	awkward := 0
	for i := 0; i < 2000; i++ {
		nine := (&gen{next: r.IntN}).digits(9)
		acct := czechAccount(nine)
		if len(acct) != 10 || !czechMod11(acct) {
			t.Fatalf("czechAccount(%s) = %s fails mod 11", nine, acct)
		}
		if acct[:9] != nine {
			awkward++
		}
	}
	if awkward == 0 {
		t.Error("2000 draws never met a check digit of 10: the bump is untested")
	}
}

func TestPortugueseBBAN(t *testing.T) {
	if got, err := PortugueseBBAN("0002", "0123", "12345678901"); err != nil || got != "0002012312345678901"+"54" {
		t.Errorf("PortugueseBBAN = %q, %v", got, err)
	}
	if _, err := PortugueseBBAN("0002", "0123", "1234567890"); !errors.Is(err, ErrInput) {
		t.Errorf("short account: %v", err)
	}
}

func TestEstonianBBAN(t *testing.T) {
	// From EE382200221020145685: Swedbank (22), domestic 221020145685.
	if got, err := EstonianBBAN("22", "0022102014568"); err != nil || got != "2200221020145685" {
		t.Errorf("EstonianBBAN = %q, %v", got, err)
	}
	if got := estonianDigit("22102014568"); got != 5 {
		t.Errorf("7-3-1 digit of 22102014568 = %d, want 5", got)
	}
	if _, err := EstonianBBAN("2", "0022102014568"); !errors.Is(err, ErrInput) {
		t.Errorf("short bank code: %v", err)
	}
}

// TestGenerateAt: an IBAN generated at a bank carries the bank's code
// where the country's BBAN puts it, and passes ValidNational.
func TestGenerateAt(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tt := range []struct{ cc, code string }{
		{"PL", "102"}, {"CZ", "0800"}, {"ES", "2100"}, {"PT", "0035"}, {"RO", "BTRL"},
		{"LT", "73000"}, {"LV", "HABA"}, {"EE", "22"}, {"FR", "30066"}, {"BE", "539"},
	} {
		seen := map[string]bool{}
		for i := 0; i < 300; i++ {
			s, err := GenerateAt(tt.cc, tt.code, r.IntN)
			if err != nil {
				t.Fatalf("GenerateAt(%s, %s): %v", tt.cc, tt.code, err)
			}
			if err := ValidNational(s); err != nil {
				t.Fatalf("GenerateAt(%s, %s) = %s: %v", tt.cc, tt.code, s, err)
			}
			if !strings.HasPrefix(s[4:], tt.code) {
				t.Fatalf("GenerateAt(%s, %s) = %s does not name the bank", tt.cc, tt.code, s)
			}
			seen[s] = true
		}
		if len(seen) < 295 {
			t.Errorf("GenerateAt(%s) gave only %d distinct IBANs in 300 draws", tt.cc, len(seen))
		}
	}
	// An Estonian domestic number starts with the bank code too.
	s, _ := GenerateAt("EE", "77", r.IntN)
	if s[4:8] != "7777" {
		t.Errorf("EE: %s should repeat the bank code at the head of the domestic number", s)
	}
	for _, bad := range []struct{ cc, code string }{
		{"PL", "1020"}, {"PL", "10a"}, {"LV", "haba"}, {"RO", "BT1L"}, {"DE", "37040044"}, {"XX", "1"},
	} {
		if _, err := GenerateAt(bad.cc, bad.code, r.IntN); err == nil {
			t.Errorf("GenerateAt(%s, %q) accepted", bad.cc, bad.code)
		}
	}
}
