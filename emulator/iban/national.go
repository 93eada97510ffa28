package iban

import (
	"errors"
	"fmt"
	"strings"
)

// National rules: the bank codes and check digits that countries put
// inside their BBANs, on top of the ISO 13616 checksum. Generation uses
// them so that a synthetic account number passes a bank's own checks,
// and ValidNational checks them where the rule is public. Countries whose
// BBAN has no public national check (RO, LT, LV) still get the bank's
// code in its place, so an IBAN names the bank that holds it.

// ErrNational reports national check digits inside the BBAN that do not
// match (French RIB key, Spanish control digits, Polish sort-code digit,
// Czech mod 11, Portuguese NIB key, Estonian 7-3-1 digit, Belgian key).
var ErrNational = errors.New("bad national check digits")

// bankCodes describes where a country's BBAN names the bank: its length
// and alphabet. Generation with a bank code is supported for these
// countries only.
var bankCodes = map[string]struct {
	length  int
	letters bool
}{
	"FR": {5, false}, "MC": {5, false}, "ES": {4, false}, "BE": {3, false},
	"PL": {3, false}, "CZ": {4, false}, "PT": {4, false}, "EE": {2, false},
	"LT": {5, false}, "LV": {4, true}, "RO": {4, true},
}

// ValidNational is Valid plus the country's national check digits, for
// the countries whose rule is public: FR and MC (RIB key), ES (the two
// CCC control digits), BE (mod 97 key), PL (the sort code's weighted
// digit), CZ (mod 11 on the prefix and on the account number), PT (the
// NIB's two mod-97 digits) and EE (the 7-3-1 digit). For other countries
// it is Valid. A bank refuses an account number whose national digits are
// wrong even when the IBAN checksum holds, which is why generated worlds
// must pass this and not only Valid.
func ValidNational(s string) error {
	if err := Valid(s); err != nil {
		return err
	}
	n := Normalize(s)
	if !nationalOK(n[:2], n[4:]) {
		return fail(ErrNational, "the %s account number's national check digits do not match", n[:2])
	}
	return nil
}

// nationalOK checks a well-formed BBAN's national check digits.
func nationalOK(cc, b string) bool {
	switch cc {
	case "FR", "MC":
		want, err := FrenchBBAN(b[:5], b[5:10], b[10:21])
		return err == nil && want == b
	case "ES":
		want, err := SpanishBBAN(b[:4], b[4:8], b[10:])
		return err == nil && want == b
	case "BE":
		return allDigits(b) && belgianBBAN(b[:10]) == b
	case "PL":
		return allDigits(b) && polishSortCodeDigit(b[:7]) == int(b[7]-'0')
	case "CZ":
		return allDigits(b) && czechMod11(b[4:10]) && czechMod11(b[10:])
	case "PT":
		want, err := PortugueseBBAN(b[:4], b[4:8], b[8:19])
		return err == nil && want == b
	case "EE":
		return allDigits(b) && estonianDigit(b[2:15]) == int(b[15]-'0')
	}
	return true
}

// PolishBBAN builds a Polish BBAN: the 8-digit sort code (3-digit bank,
// 4-digit branch, and a check digit over the seven, with weights
// 3,9,7,1,3,9,7 and the digit that brings the sum to a multiple of 10)
// followed by the 16-digit account number.
func PolishBBAN(bank, branch, account string) (string, error) {
	if len(bank) != 3 || !allDigits(bank) {
		return "", fail(ErrInput, "Polish bank code must be 3 digits, got %q", bank)
	}
	if len(branch) != 4 || !allDigits(branch) {
		return "", fail(ErrInput, "Polish branch code must be 4 digits, got %q", branch)
	}
	if len(account) != 16 || !allDigits(account) {
		return "", fail(ErrInput, "Polish account number must be 16 digits, got %q", account)
	}
	return fmt.Sprintf("%s%s%d%s", bank, branch, polishSortCodeDigit(bank+branch), account), nil
}

func polishSortCodeDigit(seven string) int {
	weights := [7]int{3, 9, 7, 1, 3, 9, 7}
	sum := 0
	for i := range weights {
		sum += int(seven[i]-'0') * weights[i]
	}
	return (10 - sum%10) % 10
}

// CzechBBAN builds a Czech BBAN: 4-digit bank code, 6-digit prefix and
// 10-digit account number, both zero-padded. The Czech National Bank's
// rule (Decree 169/2011) makes prefix and number each a multiple of 11
// under the weights 6,3,7,9,10,5,8,4,2,1 (the prefix uses the last six);
// a number that breaks it is not an account number, so it is refused
// rather than patched.
func CzechBBAN(bank, prefix, account string) (string, error) {
	if len(bank) != 4 || !allDigits(bank) {
		return "", fail(ErrInput, "Czech bank code must be 4 digits, got %q", bank)
	}
	if len(prefix) != 6 || !allDigits(prefix) || !czechMod11(prefix) {
		return "", fail(ErrInput, "Czech account prefix must be 6 digits passing mod 11, got %q", prefix)
	}
	if len(account) != 10 || !allDigits(account) || !czechMod11(account) {
		return "", fail(ErrInput, "Czech account number must be 10 digits passing mod 11, got %q", account)
	}
	return bank + prefix + account, nil
}

var czechWeights = [10]int{6, 3, 7, 9, 10, 5, 8, 4, 2, 1}

// czechMod11 checks a 6- or 10-digit number against the last weights.
func czechMod11(digits string) bool {
	w := czechWeights[10-len(digits):]
	sum := 0
	for i := range w {
		sum += int(digits[i]-'0') * w[i]
	}
	return sum%11 == 0
}

// czechAccount completes nine drawn digits into a 10-digit account number
// that passes mod 11. The last digit has weight 1, so it is the
// remainder's complement; when that would be 10, bumping the first digit
// (weight 6) moves the remainder off it, with no redraw, so the number of
// draws is fixed.
func czechAccount(nine string) string {
	b := []byte(nine)
	sum := func() int {
		s := 0
		for i := 0; i < 9; i++ {
			s += int(b[i]-'0') * czechWeights[i]
		}
		return s
	}
	check := (11 - sum()%11) % 11
	if check == 10 {
		b[0] = '0' + (b[0]-'0'+1)%10
		check = (11 - sum()%11) % 11
	}
	return string(b) + string(rune('0'+check))
}

// PortugueseBBAN builds a Portuguese BBAN (the NIB): 4-digit bank,
// 4-digit branch, 11-digit account number and two check digits, 98 minus
// the 19 digits followed by 00, mod 97 (Banco de Portugal's rule, the
// same arithmetic as ISO 7064 MOD 97-10).
func PortugueseBBAN(bank, branch, account string) (string, error) {
	if len(bank) != 4 || !allDigits(bank) {
		return "", fail(ErrInput, "Portuguese bank code must be 4 digits, got %q", bank)
	}
	if len(branch) != 4 || !allDigits(branch) {
		return "", fail(ErrInput, "Portuguese branch code must be 4 digits, got %q", branch)
	}
	if len(account) != 11 || !allDigits(account) {
		return "", fail(ErrInput, "Portuguese account number must be 11 digits, got %q", account)
	}
	n := bank + branch + account
	return fmt.Sprintf("%s%02d", n, 98-mod97(n+"00")), nil
}

// EstonianBBAN builds an Estonian BBAN: the 2-digit bank code, then the
// domestic account number zero-padded to 14 digits: account, the first 13
// (zero-padded) digits, and its check digit, computed with the weights
// 7,3,1 repeated from the right (the Estonian Banking Association's 7-3-1
// method). Estonian domestic numbers start with the bank's code, which is
// why the code usually shows twice in an Estonian IBAN.
func EstonianBBAN(bank, account string) (string, error) {
	if len(bank) != 2 || !allDigits(bank) {
		return "", fail(ErrInput, "Estonian bank code must be 2 digits, got %q", bank)
	}
	if len(account) != 13 || !allDigits(account) {
		return "", fail(ErrInput, "Estonian account number must be 13 digits before its check digit, got %q", account)
	}
	return fmt.Sprintf("%s%s%d", bank, account, estonianDigit(account)), nil
}

func estonianDigit(digits string) int {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(digits); i++ {
		sum += int(digits[len(digits)-1-i]-'0') * weights[i%3]
	}
	return (10 - sum%10) % 10
}

// GenerateAt returns a new valid IBAN of a bank: bankCode is the bank's
// national code (PL: the 3-digit bank number of the sort code; CZ, ES,
// PT: 4 digits; FR, MC, LT: 5 digits; BE: 3 digits; EE: 2 digits; LV and
// RO: the 4 letters the BBAN starts with, the first four of the BIC). An
// empty bankCode draws one, which is Generate. National check digits are
// computed wherever ValidNational checks them, so every IBAN returned
// passes ValidNational.
func GenerateAt(countryCode, bankCode string, next func(n int) int) (string, error) {
	cc := strings.ToUpper(countryCode)
	c, ok := countries[cc]
	if !ok {
		return "", fail(ErrCountry, "unknown IBAN country %s", cc)
	}
	if c.bban == "" {
		return "", fail(ErrCountry, "IBAN generation is not supported for %s", cc)
	}
	if next == nil {
		return "", fail(ErrInput, "IBAN generation needs a random source")
	}
	if bankCode != "" {
		spec, ok := bankCodes[cc]
		switch {
		case !ok:
			return "", fail(ErrInput, "IBAN generation at a given bank is not supported for %s", cc)
		case len(bankCode) != spec.length || (spec.letters && !allUpper(bankCode)) || (!spec.letters && !allDigits(bankCode)):
			kind := "digits"
			if spec.letters {
				kind = "capital letters"
			}
			return "", fail(ErrInput, "%s bank code must be %d %s, got %q", cc, spec.length, kind, bankCode)
		}
	}
	g := &gen{next: next}
	// code draws the bank code when none is given, so that Generate's
	// draws stay what they always were: a world's IBANs must not move.
	code := func(n int, alphabet string) string {
		if bankCode != "" {
			return bankCode
		}
		return g.from(alphabet, n)
	}
	var bban string
	switch cc {
	case "FR", "MC":
		bban, _ = FrenchBBAN(code(5, digitChars), g.digits(5), g.digits(11))
	case "ES":
		bban, _ = SpanishBBAN(code(4, digitChars), g.digits(4), g.digits(10))
	case "BE":
		bban = belgianBBAN(code(3, digitChars) + g.digits(7))
	case "PL":
		bban, _ = PolishBBAN(code(3, digitChars), g.digits(4), g.digits(16))
	case "CZ":
		bban, _ = CzechBBAN(code(4, digitChars), "000000", czechAccount(g.digits(9)))
	case "PT":
		bban, _ = PortugueseBBAN(code(4, digitChars), g.digits(4), g.digits(11))
	case "EE":
		ee := code(2, digitChars)
		bban, _ = EstonianBBAN(ee, ee+g.digits(11))
	case "LT":
		bban = code(5, digitChars) + g.digits(11)
	case "LV":
		bban = code(4, upperChars) + g.digits(13)
	case "RO":
		bban = code(4, upperChars) + g.digits(16)
	default:
		bban = g.pattern(c.bban)
	}
	if g.err != nil {
		return "", g.err
	}
	return Build(cc, bban)
}

func allUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isUpper(s[i]) {
			return false
		}
	}
	return true
}
