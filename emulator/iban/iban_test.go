package iban

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// validIBANs are published example IBANs (SWIFT registry and bank
// documentation) in electronic form.
var validIBANs = []string{
	"FR1420041010050500013M02606",
	"DE89370400440532013000",
	"GB82WEST12345698765432",
	"ES9121000418450200051332",
	"BE68539007547034",
	"SE4550000000058398257466",
	"PL61109010140000071219812874",
	"RO49AAAA1B31007593840000",
	"AT611904300234573201",
	"CH9300762011623852957",
	"NL91ABNA0417164300",
	"IT60X0542811101000000123456",
	"LU280019400644750000",
	"PT50000201231234567890154",
	"IE29AIBK93115212345678",
	"FI2112345600000785",
	"DK5000400440116243",
	"NO9386011117947",
	"CZ6508000000192000145399",
	"SK3112000000198742637541",
	"LT121000011101001000",
	"LV80BANK0000435195001",
	"EE382200221020145685",
	"HU42117730161111101800000000",
	"SI56263300012039086",
	"HR1210010051863000160",
	"BG80BNBG96611020345678",
	"GR1601101250000000012300695",
	"CY17002001280000001200527600",
	"MT84MALT011000012345MTLCAST001S",
	"MC5811222000010123456789030",
	"IS140159260076545510730339",
	"LI21088100002324013AA",
}

func TestValidAcceptsKnownIBANs(t *testing.T) {
	for _, s := range validIBANs {
		if err := Valid(s); err != nil {
			t.Errorf("Valid(%q) = %v, want nil", s, err)
		}
		// The print form and lower case must be accepted too.
		if err := Valid(strings.ToLower(Format(s))); err != nil {
			t.Errorf("Valid(%q) = %v, want nil", strings.ToLower(Format(s)), err)
		}
	}
}

func TestValidRejects(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		kind   error
		reason string
	}{
		{"empty", "", ErrEmpty, "IBAN is empty"},
		{"only spaces", "   ", ErrEmpty, "IBAN is empty"},
		{"one letter", "F", ErrCountry, "IBAN must start with a two-letter country code"},
		{"digit country", "1R1420041010050500013M02606", ErrCountry, "IBAN must start with a two-letter country code"},
		{"unknown country", "XX1420041010050500013M02606", ErrCountry, "unknown IBAN country XX"},
		{"letter check digits", "FRAB20041010050500013M02606", ErrCharacters, "IBAN check digits must be numeric"},
		{"punctuation", "FR14-20041010050500013M02606", ErrCharacters, `IBAN contains invalid character "-" at position 5`},
		{"accented", "FR1420041010050500013É02606", ErrCharacters, `IBAN contains invalid character "É" at position 22`},
		{"too short", "FR14200410100505000M02606", ErrLength, "IBAN length 25 is wrong for FR (want 27)"},
		{"too long", "DE8937040044053201300000", ErrLength, "IBAN length 24 is wrong for DE (want 22)"},
		{"wrong check digits", "FR1520041010050500013M02606", ErrChecksum, "IBAN check digits do not match"},
		{"typo in BBAN", "DE89370400440532013001", ErrChecksum, "IBAN check digits do not match"},
		{"transposition", "GB82WEST12345698765423", ErrChecksum, "IBAN check digits do not match"},
		{"check digits 00", "DE00370400440532013000", ErrChecksum, "IBAN check digits do not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Valid(tt.in)
			if err == nil {
				t.Fatalf("Valid(%q) = nil, want error", tt.in)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("Valid(%q) = %v, want kind %v", tt.in, err, tt.kind)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Valid(%q) error %T is not *Error", tt.in, err)
			}
			if e.Reason != tt.reason || err.Error() != tt.reason {
				t.Errorf("Valid(%q) reason = %q, want %q", tt.in, e.Reason, tt.reason)
			}
		})
	}
}

func TestNormalizeAndFormat(t *testing.T) {
	tests := []struct {
		in, norm, format string
	}{
		{"", "", ""},
		{"fr14 2004 1010 0505 0001 3m02 606", "FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606"},
		{"DE89370400440532013000", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00"},
		{" be68 5390 0754 7034 ", "BE68539007547034", "BE68 5390 0754 7034"},
		{"NO9386011117947", "NO9386011117947", "NO93 8601 1117 947"},
		{"ab", "AB", "AB"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.norm {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.norm)
		}
		if got := Format(tt.in); got != tt.format {
			t.Errorf("Format(%q) = %q, want %q", tt.in, got, tt.format)
		}
		if got := Normalize(Format(tt.in)); got != tt.norm {
			t.Errorf("Normalize(Format(%q)) = %q, want %q", tt.in, got, tt.norm)
		}
	}
}

func TestBuildRecomputesKnownCheckDigits(t *testing.T) {
	for _, s := range validIBANs {
		got, err := Build(s[:2], s[4:])
		if err != nil {
			t.Errorf("Build(%q, %q) error: %v", s[:2], s[4:], err)
			continue
		}
		if got != s {
			t.Errorf("Build(%q, %q) = %q, want %q", s[:2], s[4:], got, s)
		}
	}
	// Lower case and print-form input are normalized.
	if got, err := Build("fr", "2004 1010 0505 0001 3m02 606"); err != nil || got != "FR1420041010050500013M02606" {
		t.Errorf("Build lower/spaced = %q, %v", got, err)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		country, bban string
		kind          error
		reason        string
	}{
		{"F", "20041010050500013M02606", ErrCountry, `IBAN country must be two letters, got "F"`},
		{"F1", "20041010050500013M02606", ErrCountry, `IBAN country must be two letters, got "F1"`},
		{"XX", "20041010050500013M02606", ErrCountry, "unknown IBAN country XX"},
		{"FR", "20041010050500013M0260", ErrLength, "BBAN length 22 is wrong for FR (want 23)"},
		{"FR", "20041010050500013M0260/", ErrCharacters, `BBAN contains invalid character "/" at position 23`},
	}
	for _, tt := range tests {
		_, err := Build(tt.country, tt.bban)
		if !errors.Is(err, tt.kind) || err.Error() != tt.reason {
			t.Errorf("Build(%q, %q) = %v, want %v %q", tt.country, tt.bban, err, tt.kind, tt.reason)
		}
	}
}

func TestFrenchBBAN(t *testing.T) {
	tests := []struct {
		bank, branch, account, want string
	}{
		// From FR1420041010050500013M02606 (La Banque Postale example):
		// the letter M maps to 4 in the RIB table.
		{"20041", "01005", "0500013M026", "20041010050500013M02606"},
		{"20041", "01005", "0500013m026", "20041010050500013M02606"},
		// From MC5811222000010123456789030.
		{"11222", "00001", "01234567890", "11222000010123456789030"},
		// Key 97 (remainder 0) must be kept as 97, not 00.
		{"00000", "00000", "00000000000", "00000" + "00000" + "00000000000" + "97"},
	}
	for _, tt := range tests {
		got, err := FrenchBBAN(tt.bank, tt.branch, tt.account)
		if err != nil || got != tt.want {
			t.Errorf("FrenchBBAN(%q, %q, %q) = %q, %v; want %q", tt.bank, tt.branch, tt.account, got, err, tt.want)
		}
	}

	// Every letter maps like its RIB digit: replacing a letter with its
	// digit must give the same key.
	letters := map[string]string{
		"AJ": "1", "BKS": "2", "CLT": "3", "DMU": "4", "ENV": "5",
		"FOW": "6", "GPX": "7", "HQY": "8", "IRZ": "9",
	}
	for group, digit := range letters {
		want, _ := FrenchBBAN("30004", "00823", "000"+digit+"1234567")
		for _, l := range group {
			got, err := FrenchBBAN("30004", "00823", "000"+string(l)+"1234567")
			if err != nil || got[21:] != want[21:] {
				t.Errorf("letter %c: key %q, want %q (%v)", l, got[21:], want[21:], err)
			}
		}
	}

	bad := []struct{ bank, branch, account string }{
		{"2004", "01005", "0500013M026"},
		{"2004A", "01005", "0500013M026"},
		{"20041", "0100", "0500013M026"},
		{"20041", "01005", "0500013M02"},
		{"20041", "01005", "0500013-026"},
	}
	for _, b := range bad {
		if _, err := FrenchBBAN(b.bank, b.branch, b.account); !errors.Is(err, ErrInput) {
			t.Errorf("FrenchBBAN(%q, %q, %q) = %v, want ErrInput", b.bank, b.branch, b.account, err)
		}
	}
}

func TestSpanishBBAN(t *testing.T) {
	tests := []struct {
		bank, branch, account, want string
	}{
		// From ES9121000418450200051332.
		{"2100", "0418", "0200051332", "21000418450200051332"},
		// All zeros: sum 0 → 11 → control digit 0.
		{"0000", "0000", "0000000000", "00000000000000000000"},
		// Sum ≡ 1 (mod 11) → 10 → control digit 1: account "1000000000".
		{"0000", "0000", "1000000000", "00000000011000000000"},
	}
	for _, tt := range tests {
		got, err := SpanishBBAN(tt.bank, tt.branch, tt.account)
		if err != nil || got != tt.want {
			t.Errorf("SpanishBBAN(%q, %q, %q) = %q, %v; want %q", tt.bank, tt.branch, tt.account, got, err, tt.want)
		}
	}
	for _, b := range [][3]string{{"210", "0418", "0200051332"}, {"2100", "04x8", "0200051332"}, {"2100", "0418", "020005133"}} {
		if _, err := SpanishBBAN(b[0], b[1], b[2]); !errors.Is(err, ErrInput) {
			t.Errorf("SpanishBBAN(%q) = %v, want ErrInput", b, err)
		}
	}
}

func TestBelgianBBAN(t *testing.T) {
	if got := belgianBBAN("5390075470"); got != "539007547034" {
		t.Errorf("belgianBBAN = %q, want 539007547034", got)
	}
	if got := belgianBBAN("0000000000"); got != "000000000097" {
		t.Errorf("belgianBBAN(zero) = %q, want check 97", got)
	}
}

// requiredGenerate lists the countries the emulator relies on.
var requiredGenerate = []string{"FR", "ES", "DE", "IT", "BE", "SE", "NL", "PL", "CZ", "RO", "LT", "LV", "EE", "PT"}

func TestCountryTable(t *testing.T) {
	sepa := []string{"FR", "DE", "ES", "IT", "BE", "NL", "LU", "PT", "AT", "IE", "FI", "SE", "DK", "NO", "PL", "CZ", "SK", "RO", "LT", "LV", "EE", "HU", "SI", "HR", "BG", "GR", "CY", "MT", "CH", "GB", "MC", "IS", "LI"}
	for _, cc := range sepa {
		if _, ok := countries[cc]; !ok {
			t.Errorf("SEPA country %s missing from table", cc)
		}
	}
	for _, cc := range requiredGenerate {
		if !Supported(cc) {
			t.Errorf("Supported(%s) = false", cc)
		}
	}
	if Supported("XX") || Supported("TR") {
		t.Error("Supported must be false for unknown or structure-less countries")
	}
	if !Supported("fr") {
		t.Error("Supported must accept lower case")
	}
	// Each BBAN structure must add up to the registered length.
	for cc, c := range countries {
		if c.length < 15 || c.length > 34 {
			t.Errorf("%s: implausible length %d", cc, c.length)
		}
		if c.bban == "" {
			continue
		}
		total, count := 0, 0
		for _, ch := range c.bban {
			switch {
			case ch >= '0' && ch <= '9':
				count = count*10 + int(ch-'0')
			case ch == 'n' || ch == 'a' || ch == 'c':
				total += count
				count = 0
			default:
				t.Errorf("%s: bad structure %q", cc, c.bban)
			}
		}
		if count != 0 || total != c.length-4 {
			t.Errorf("%s: structure %q gives BBAN length %d, want %d", cc, c.bban, total, c.length-4)
		}
	}
}

func TestGenerateValidForAllSupportedCountries(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for cc := range countries {
		if !Supported(cc) {
			continue
		}
		seen := map[string]bool{}
		for i := 0; i < 500; i++ {
			s, err := Generate(cc, r.IntN)
			if err != nil {
				t.Fatalf("Generate(%s) error: %v", cc, err)
			}
			if err := ValidNational(s); err != nil {
				t.Fatalf("Generate(%s) = %q invalid: %v", cc, s, err)
			}
			if s[:2] != cc {
				t.Fatalf("Generate(%s) = %q has wrong country", cc, s)
			}
			seen[s] = true
			checkNational(t, cc, s)
		}
		if len(seen) < 490 {
			t.Errorf("Generate(%s) produced only %d distinct IBANs in 500 draws", cc, len(seen))
		}
	}
}

// checkNational verifies the national check digits Generate promises.
func checkNational(t *testing.T, cc, s string) {
	t.Helper()
	b := s[4:]
	var want string
	switch cc {
	case "FR", "MC":
		want, _ = FrenchBBAN(b[:5], b[5:10], b[10:21])
	case "ES":
		want, _ = SpanishBBAN(b[:4], b[4:8], b[10:])
	case "BE":
		want = belgianBBAN(b[:10])
	default:
		return
	}
	if b != want {
		t.Fatalf("Generate(%s) = %q: national check digits wrong, want BBAN %q", cc, s, want)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, cc := range requiredGenerate {
		a := rand.New(rand.NewPCG(42, 7))
		b := rand.New(rand.NewPCG(42, 7))
		for i := 0; i < 20; i++ {
			x, err1 := Generate(cc, a.IntN)
			y, err2 := Generate(cc, b.IntN)
			if err1 != nil || err2 != nil || x != y {
				t.Fatalf("Generate(%s) not deterministic: %q/%v vs %q/%v", cc, x, err1, y, err2)
			}
		}
	}
	// A different seed gives different IBANs.
	x, _ := Generate("DE", rand.New(rand.NewPCG(1, 1)).IntN)
	y, _ := Generate("DE", rand.New(rand.NewPCG(2, 2)).IntN)
	if x == y {
		t.Errorf("different seeds gave the same IBAN %q", x)
	}
}

func TestGenerateStructure(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		cc    string
		check func(bban string) bool
	}{
		{"NL", func(b string) bool { return isAll(b[:4], isUpper) && isAll(b[4:], isDigit) }},
		{"GB", func(b string) bool { return isAll(b[:4], isUpper) && isAll(b[4:], isDigit) }},
		{"IT", func(b string) bool { return isUpper(b[0]) && isAll(b[1:11], isDigit) }},
		{"RO", func(b string) bool { return isAll(b[:4], isUpper) }},
		{"DE", func(b string) bool { return isAll(b, isDigit) }},
		{"FR", func(b string) bool { return isAll(b, isDigit) }},
	}
	for _, tt := range tests {
		for i := 0; i < 50; i++ {
			s, err := Generate(tt.cc, r.IntN)
			if err != nil || !tt.check(s[4:]) {
				t.Fatalf("Generate(%s) = %q, %v: wrong BBAN structure", tt.cc, s, err)
			}
		}
	}
}

func isAll(s string, f func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !f(s[i]) {
			return false
		}
	}
	return true
}

func TestGenerateErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	if _, err := Generate("XX", r.IntN); !errors.Is(err, ErrCountry) {
		t.Errorf("Generate(XX) = %v, want ErrCountry", err)
	}
	if _, err := Generate("TR", r.IntN); !errors.Is(err, ErrCountry) {
		t.Errorf("Generate(TR) = %v, want ErrCountry", err)
	}
	if _, err := Generate("FR", nil); !errors.Is(err, ErrInput) {
		t.Errorf("Generate(FR, nil) = %v, want ErrInput", err)
	}
	for _, bad := range []func(int) int{
		func(n int) int { return n },
		func(int) int { return -1 },
	} {
		for _, cc := range []string{"FR", "ES", "BE", "NL"} {
			if _, err := Generate(cc, bad); !errors.Is(err, ErrInput) {
				t.Errorf("Generate(%s, out-of-range source) = %v, want ErrInput", cc, err)
			}
		}
	}
	// A constant in-range source still works and lower case is accepted.
	s, err := Generate("fr", func(int) int { return 0 })
	if err != nil || Valid(s) != nil {
		t.Errorf("Generate(fr, zero) = %q, %v", s, err)
	}
}
