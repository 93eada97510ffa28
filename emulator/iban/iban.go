// Package iban validates, formats, builds and generates International Bank
// Account Numbers (ISO 13616).
//
// The emulator needs IBANs in two directions: it must reject account numbers
// a real bank would reject (so clients exercise their error paths), and it
// must mint plausible, checksum-correct IBANs for synthetic accounts. Both
// directions share the country length table and the mod-97 arithmetic kept
// here, so that anything Generate produces is accepted by Valid.
//
// Valid checks the country code, the registered length and the ISO 13616
// mod-97 checksum. It deliberately does not check the national BBAN structure
// (bank code positions, national check digits): those rules differ per
// country and a wrong one would reject IBANs that real banks accept, while
// the IBAN checksum already catches typos and transpositions. ValidNational
// adds the national check digits of the countries whose rule is public
// (national.go), for data Sandbank itself vouches for, such as the fixed
// IBANs of a scenario.
package iban

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors classify why an IBAN was rejected. They exist so callers
// can map failures to API error codes with errors.Is without parsing the
// human-readable Reason, which may be reworded.
var (
	// ErrEmpty reports an input with no characters after removing spaces.
	ErrEmpty = errors.New("empty IBAN")
	// ErrCountry reports a missing, malformed or unsupported country code.
	ErrCountry = errors.New("bad IBAN country")
	// ErrLength reports a length that does not match the country's registry entry.
	ErrLength = errors.New("bad IBAN length")
	// ErrCharacters reports characters outside A-Z and 0-9, or non-digit check digits.
	ErrCharacters = errors.New("bad IBAN characters")
	// ErrChecksum reports a failed ISO 13616 mod-97 check.
	ErrChecksum = errors.New("bad IBAN checksum")
	// ErrInput reports invalid arguments to the builder functions (as opposed
	// to a bad IBAN), such as a non-numeric French bank code.
	ErrInput = errors.New("bad IBAN input")
)

// Error is the error returned by this package. Reason is a complete,
// human-readable sentence suitable for an API error message; Kind is one of
// the sentinel errors above so errors.Is keeps working.
type Error struct {
	Kind   error
	Reason string
}

// Error returns the human-readable reason, because that is what ends up in
// API responses and logs.
func (e *Error) Error() string { return e.Reason }

// Unwrap exposes Kind so that errors.Is(err, ErrChecksum) and friends work.
func (e *Error) Unwrap() error { return e.Kind }

func fail(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

// country describes one registry entry: the total IBAN length, and the BBAN
// structure in SWIFT registry notation ("5n5n11c2n": n digits, a upper-case
// letters, c alphanumerics). The structure is used only to generate realistic
// BBANs; an empty structure means Generate does not support the country.
type country struct {
	length int
	bban   string
}

// countries is taken from the SWIFT IBAN registry. It covers every SEPA
// country plus a few common non-SEPA ones; an unknown country is rejected
// rather than accepted blindly, because accepting any length would let
// truncated IBANs through.
var countries = map[string]country{
	"AD": {24, "4n4n12c"},
	"AE": {23, ""},
	"AL": {28, ""},
	"AT": {20, "5n11n"},
	"BA": {20, ""},
	"BE": {16, "3n7n2n"},
	"BG": {22, "4a4n2n8c"},
	"CH": {21, "5n12c"},
	"CY": {28, "3n5n16c"},
	"CZ": {24, "4n6n10n"},
	"DE": {22, "8n10n"},
	"DK": {18, "4n9n1n"},
	"EE": {20, "2n2n11n1n"},
	"ES": {24, "4n4n1n1n10n"},
	"FI": {18, "3n11n"},
	"FO": {18, ""},
	"FR": {27, "5n5n11c2n"},
	"GB": {22, "4a6n8n"},
	"GE": {22, ""},
	"GI": {23, "4a15c"},
	"GL": {18, ""},
	"GR": {27, "3n4n16c"},
	"HR": {21, "7n10n"},
	"HU": {28, "3n4n1n15n1n"},
	"IE": {22, "4a6n8n"},
	"IL": {23, ""},
	"IS": {26, "4n2n6n10n"},
	"IT": {27, "1a5n5n12c"},
	"LI": {21, "5n12c"},
	"LT": {20, "5n11n"},
	"LU": {20, "3n13c"},
	"LV": {21, "4a13c"},
	"MC": {27, "5n5n11c2n"},
	"MD": {24, ""},
	"ME": {22, ""},
	"MK": {19, ""},
	"MT": {31, "4a5n18c"},
	"NL": {18, "4a10n"},
	"NO": {15, "4n6n1n"},
	"PL": {28, "8n16n"},
	"PT": {25, "4n4n11n2n"},
	"RO": {24, "4a16c"},
	"RS": {22, ""},
	"SA": {24, ""},
	"SE": {24, "3n16n1n"},
	"SI": {19, "5n8n2n"},
	"SK": {24, "4n6n10n"},
	"SM": {27, "1a5n5n12c"},
	"TR": {26, ""},
	"UA": {29, ""},
	"VA": {22, "3n15n"},
	"XK": {20, ""},
}

// Normalize converts an IBAN from its print form to its electronic form:
// spaces removed and letters upper-cased. IBANs are routinely typed in
// groups of four and in lower case, and neither carries meaning.
func Normalize(s string) string {
	return strings.ToUpper(strings.ReplaceAll(s, " ", ""))
}

// Format returns the IBAN print form (groups of four characters separated
// by single spaces), which is how humans read and compare IBANs. The input
// is normalized first; it is not validated, so Format can also display
// rejected input back to the user.
func Format(s string) string {
	n := Normalize(s)
	var b strings.Builder
	b.Grow(len(n) + len(n)/4)
	for i := 0; i < len(n); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n[i:min(i+4, len(n))])
	}
	return b.String()
}

// Valid reports whether s is a well-formed IBAN, returning nil if it is and
// an *Error otherwise. Spaces are ignored and lower case is accepted (see
// Normalize). The checks run from cheapest and most specific to the
// checksum, so the error names the first real problem rather than always
// reporting a checksum mismatch.
func Valid(s string) error {
	n := Normalize(s)
	if n == "" {
		return fail(ErrEmpty, "IBAN is empty")
	}
	if len(n) < 2 || !isUpper(n[0]) || !isUpper(n[1]) {
		return fail(ErrCountry, "IBAN must start with a two-letter country code")
	}
	cc := n[:2]
	c, ok := countries[cc]
	if !ok {
		return fail(ErrCountry, "unknown IBAN country %s", cc)
	}
	for i := 2; i < len(n) && i < 4; i++ {
		if !isDigit(n[i]) {
			return fail(ErrCharacters, "IBAN check digits must be numeric")
		}
	}
	for i := 0; i < len(n); i++ {
		if !isDigit(n[i]) && !isUpper(n[i]) {
			return fail(ErrCharacters, "IBAN contains invalid character %q at position %d", charAt(n, i), i+1)
		}
	}
	if len(n) != c.length {
		return fail(ErrLength, "IBAN length %d is wrong for %s (want %d)", len(n), cc, c.length)
	}
	if mod97(n[4:]+n[:4]) != 1 {
		return fail(ErrChecksum, "IBAN check digits do not match")
	}
	return nil
}

// charAt returns the character starting at byte i, decoding UTF-8 so that
// error messages show "é" rather than a broken byte.
func charAt(s string, i int) string {
	for _, r := range s[i:] {
		return string(r)
	}
	return ""
}

// Build returns the electronic-form IBAN for a country and BBAN, computing
// the two ISO 13616 check digits. It rejects unknown countries and BBANs of
// the wrong length, because an IBAN with correct check digits but the wrong
// length would still be refused by every bank.
func Build(countryCode, bban string) (string, error) {
	cc := Normalize(countryCode)
	b := Normalize(bban)
	if len(cc) != 2 || !isUpper(cc[0]) || !isUpper(cc[1]) {
		return "", fail(ErrCountry, "IBAN country must be two letters, got %q", countryCode)
	}
	c, ok := countries[cc]
	if !ok {
		return "", fail(ErrCountry, "unknown IBAN country %s", cc)
	}
	for i := 0; i < len(b); i++ {
		if !isDigit(b[i]) && !isUpper(b[i]) {
			return "", fail(ErrCharacters, "BBAN contains invalid character %q at position %d", charAt(b, i), i+1)
		}
	}
	if len(b) != c.length-4 {
		return "", fail(ErrLength, "BBAN length %d is wrong for %s (want %d)", len(b), cc, c.length-4)
	}
	check := 98 - mod97(b+cc+"00")
	return fmt.Sprintf("%s%02d%s", cc, check, b), nil
}

// mod97 returns the ISO 7064 MOD 97-10 remainder of s, where letters count
// as two-digit numbers (A=10 … Z=35). It folds digit by digit so that the
// 30+ digit number never needs big-integer arithmetic. s must contain only
// digits and upper-case letters.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if isDigit(ch) {
			r = (r*10 + int(ch-'0')) % 97
		} else {
			r = (r*100 + int(ch-'A') + 10) % 97
		}
	}
	return r
}

// FrenchBBAN builds a French (and Monégasque) BBAN: 5-digit bank code,
// 5-digit branch code, 11-character account number and the 2-digit RIB key.
// The RIB key is computed, not random, because French banks validate it
// independently of the IBAN checksum. Letters in the account number are
// first replaced by digits following the RIB table (A,J→1; B,K,S→2; …;
// I,R,Z→9), then
// key = 97 − ((89·bank + 15·branch + 3·account) mod 97).
func FrenchBBAN(bank, branch, account string) (string, error) {
	account = strings.ToUpper(account)
	if len(bank) != 5 || !allDigits(bank) {
		return "", fail(ErrInput, "French bank code must be 5 digits, got %q", bank)
	}
	if len(branch) != 5 || !allDigits(branch) {
		return "", fail(ErrInput, "French branch code must be 5 digits, got %q", branch)
	}
	if len(account) != 11 {
		return "", fail(ErrInput, "French account number must be 11 characters, got %q", account)
	}
	acc := 0
	for i := 0; i < len(account); i++ {
		ch := account[i]
		var d int
		switch {
		case isDigit(ch):
			d = int(ch - '0')
		case isUpper(ch):
			d = ribLetter(ch)
		default:
			return "", fail(ErrInput, "French account number must be alphanumeric, got %q", account)
		}
		acc = (acc*10 + d) % 97
	}
	key := 97 - (89*atoiMod97(bank)+15*atoiMod97(branch)+3*acc)%97
	return fmt.Sprintf("%s%s%s%02d", bank, branch, account, key), nil
}

// ribLetter maps a letter to its RIB digit. The table is the historical
// French one: A–I → 1–9, J–R → 1–9, S–Z → 2–9.
func ribLetter(ch byte) int {
	switch {
	case ch <= 'I':
		return int(ch-'A') + 1
	case ch <= 'R':
		return int(ch-'J') + 1
	default:
		return int(ch-'S') + 2
	}
}

// SpanishBBAN builds a Spanish BBAN (CCC): 4-digit bank, 4-digit branch,
// two control digits and a 10-digit account number. The control digits are
// computed because Spanish banks check them: the first covers "00"+bank+
// branch, the second the account number, each as 11 − (Σ dᵢ·wᵢ mod 11) with
// weights 1,2,4,8,5,10,9,7,3,6, where 11 becomes 0 and 10 becomes 1.
func SpanishBBAN(bank, branch, account string) (string, error) {
	if len(bank) != 4 || !allDigits(bank) {
		return "", fail(ErrInput, "Spanish bank code must be 4 digits, got %q", bank)
	}
	if len(branch) != 4 || !allDigits(branch) {
		return "", fail(ErrInput, "Spanish branch code must be 4 digits, got %q", branch)
	}
	if len(account) != 10 || !allDigits(account) {
		return "", fail(ErrInput, "Spanish account number must be 10 digits, got %q", account)
	}
	return fmt.Sprintf("%s%s%d%d%s", bank, branch, spanishControl("00"+bank+branch), spanishControl(account), account), nil
}

func spanishControl(digits string) int {
	weights := [10]int{1, 2, 4, 8, 5, 10, 9, 7, 3, 6}
	sum := 0
	for i := 0; i < 10; i++ {
		sum += int(digits[i]-'0') * weights[i]
	}
	switch d := 11 - sum%11; d {
	case 11:
		return 0
	case 10:
		return 1
	default:
		return d
	}
}

// belgianBBAN completes a 10-digit Belgian bank+account number with its
// national check digits (the number mod 97, with 0 written as 97), which
// Belgian banks verify on top of the IBAN checksum.
func belgianBBAN(digits10 string) string {
	k := atoiMod97(digits10)
	if k == 0 {
		k = 97
	}
	return fmt.Sprintf("%s%02d", digits10, k)
}

// Supported reports whether Generate can produce IBANs for the country, so
// callers can validate configuration up front instead of failing on first use.
func Supported(countryCode string) bool {
	c, ok := countries[strings.ToUpper(countryCode)]
	return ok && c.bban != ""
}

// Generate returns a new valid IBAN (electronic form) for the country, at
// a bank whose code it draws too (GenerateAt with no bank code). All
// randomness comes from next, which must return an int in [0, n): passing
// a seeded generator (for example a *math/rand/v2.Rand's IntN) makes the
// emulator's accounts reproducible across runs, which package-level
// random functions would not. Each BBAN follows the country's registry
// structure; the national check digits of FR, MC, ES, BE, PL, CZ, PT and
// EE are computed (see ValidNational). Other countries' national check
// digits, where they have any, are drawn at random, which real banks might
// reject but IBAN validation accepts.
func Generate(countryCode string, next func(n int) int) (string, error) {
	return GenerateAt(countryCode, "", next)
}

// gen draws characters from the caller's source. It records the first
// out-of-range value instead of panicking, so a buggy source surfaces as an
// error from Generate.
type gen struct {
	next func(n int) int
	err  error
}

func (g *gen) draw(n int) int {
	v := g.next(n)
	if v < 0 || v >= n {
		if g.err == nil {
			g.err = fail(ErrInput, "random source returned %d, want a value in [0,%d)", v, n)
		}
		return 0
	}
	return v
}

const (
	digitChars = "0123456789"
	upperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alnumChars = digitChars + upperChars
)

func (g *gen) from(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.draw(len(alphabet))]
	}
	return string(b)
}

func (g *gen) digits(n int) string { return g.from(digitChars, n) }

// pattern fills a registry structure such as "4a6n8n". Patterns are
// compile-time constants in the countries table, so malformed ones are a
// programming error caught by the tests rather than handled here.
func (g *gen) pattern(p string) string {
	var b strings.Builder
	count := 0
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if isDigit(ch) {
			count = count*10 + int(ch-'0')
			continue
		}
		switch ch {
		case 'n':
			b.WriteString(g.from(digitChars, count))
		case 'a':
			b.WriteString(g.from(upperChars, count))
		case 'c':
			b.WriteString(g.from(alnumChars, count))
		}
		count = 0
	}
	return b.String()
}

func atoiMod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		r = (r*10 + int(s[i]-'0')) % 97
	}
	return r
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(ch byte) bool { return ch >= '0' && ch <= '9' }
func isUpper(ch byte) bool { return ch >= 'A' && ch <= 'Z' }
