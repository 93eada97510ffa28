// Package namematch scores how well an expected person or company name
// matches an account holder's name, as used for verification-of-payee
// checks ("does the name on the payment match the account?").
//
// The score is in [0, 1] and is computed in three steps:
//
//  1. Normalization. Both names are lower-cased and diacritics are folded
//     to ASCII with a hand-written table covering Latin-1 and Latin
//     Extended-A (é→e, ß→ss, œ→oe, ł→l, …) plus Romanian ș/ț, because the
//     module is limited to the standard library (no golang.org/x/text) and
//     banks disagree on whether they store accents at all. Apostrophes are
//     removed so "O'Brien" equals "OBrien"; every other non-letter,
//     non-digit character separates tokens, so "Jean-Pierre" is two tokens
//     and "J." is the initial "j". Leading honorifics (mr, mrs, ms, miss, m,
//     mme, mlle, dr, herr, frau, sr, sra, …) are dropped because they are
//     added inconsistently and carry no identity. Only leading ones are
//     dropped: "m" is also a common middle initial. Company suffixes (sa,
//     sarl, gmbh, ltd, …) are kept, since "Dupont SA" and "Dupont" are
//     different account holders.
//
//  2. Token alignment. Word order is ignored because banks store "DUPONT
//     Jean" as often as "Jean Dupont". Every pair of tokens is scored with
//     Jaro-Winkler (which tolerates typos and favours agreeing prefixes);
//     a single-letter initial matching the first letter of the other token
//     scores at least InitialSimilarity. Pairs are then assigned greedily,
//     best first and without reusing a token, until the shorter name runs
//     out of tokens. Similarities below MinTokenSimilarity are counted as
//     0, because Jaro-Winkler gives unrelated short words 0.4–0.6, which
//     would otherwise make any two names look half-similar.
//
//  3. Aggregation. The score is a weighted average of the pair
//     similarities, each pair weighted by the mean of its two token weights.
//     A token weighs its length in runes, so a wrong surname costs more
//     than a wrong given name, but at least minTokenWeight: otherwise a
//     wrong initial ("J. Dupont" vs "P. Dupont") or a dropped company
//     suffix ("Dupont SA" vs "Dupont") would be nearly free and still pass
//     VerifiedThreshold. Tokens of the longer name left unmatched add half
//     their weight to the denominator only: an extra middle name lowers the
//     score without sinking it.
//
// Identical normalized names score exactly 1; if either name normalizes to
// nothing the score is 0. The score is symmetric in its arguments.
package namematch

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// VerifiedThreshold is the score at or above which a name counts as
// verified. It is set so that an initial for a first name ("J. Dupont") or
// a one-letter typo in a surname ("Dupond") still passes, while a different
// first name or an extra, unmatched given name does not.
const VerifiedThreshold = 0.85

// InitialSimilarity is the similarity given to a single-letter token that
// matches the first letter of the other token ("j" vs "jean"). Jaro-Winkler
// alone rates this 0.775, which would treat a perfectly ordinary way of
// writing a name as a likely mismatch.
const InitialSimilarity = 0.9

// MinTokenSimilarity is the Jaro-Winkler similarity below which two tokens
// are considered unrelated and contribute 0. See the package comment.
const MinTokenSimilarity = 0.7

// minTokenWeight is the smallest weight a token carries in the average;
// see the package comment for why short tokens are not weighted by length.
const minTokenWeight = 3

// tokenWeight is a token's weight in the average: its length in runes, but
// at least minTokenWeight.
func tokenWeight(tok string) float64 {
	return float64(max(utf8.RuneCountInString(tok), minTokenWeight))
}

// unmatchedWeight is the fraction of an unmatched token's weight that is
// added to the denominator: missing tokens are penalized, but at half the
// cost of a mismatched one.
const unmatchedWeight = 0.5

// honorifics are dropped when they lead a name. Entries are in normalized
// form (lower case, no accents, no dots).
var honorifics = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true,
	"mister": true, "sir": true, "dame": true,
	"m": true, "mm": true, "mme": true, "mmes": true, "mlle": true, "mlles": true,
	"monsieur": true, "madame": true, "mademoiselle": true,
	"dr": true, "prof": true, "pr": true, "me": true,
	"herr": true, "frau": true,
	"sr": true, "sra": true, "srta": true,
}

// Normalize returns the normalized form of a name used by Score: folded,
// lower-cased tokens without leading honorifics, joined by single spaces.
// It is exported so callers can log or display what was actually compared.
func Normalize(name string) string {
	return strings.Join(tokens(name), " ")
}

// tokens implements the normalization step described in the package comment.
func tokens(name string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range name {
		r = unicode.ToLower(r)
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			cur.WriteRune(r)
		case r == '\'' || r == '\u2019' || r == '\u02bc' || r == '`' || r == '\u00b4':
			// Apostrophes join: "O'Brien", "d’Artagnan".
		case unicode.Is(unicode.Mn, r):
			// Combining marks from already-decomposed (NFD) input.
		default:
			if f, ok := fold[r]; ok {
				cur.WriteString(f)
			} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
				// Keep letters we cannot fold (Greek, Cyrillic, …)
				// rather than losing the name entirely.
				cur.WriteRune(r)
			} else {
				flush()
			}
		}
	}
	flush()
	for len(toks) > 1 && honorifics[toks[0]] {
		toks = toks[1:]
	}
	return toks
}

// fold maps lower-case accented Latin letters to their ASCII base. Keys are
// lower case because tokens lower-cases first.
var fold = map[rune]string{}

func init() {
	for base, letters := range map[string]string{
		"a":  "àáâãäåāăą",
		"ae": "æ",
		"c":  "çćĉċč",
		"d":  "ďđð",
		"e":  "èéêëēĕėęě",
		"g":  "ĝğġģ",
		"h":  "ĥħ",
		"i":  "ìíîïĩīĭįı",
		"ij": "ĳ",
		"j":  "ĵ",
		"k":  "ķĸ",
		"l":  "ĺļľŀł",
		"n":  "ñńņňŉŋ",
		"o":  "òóôõöøōŏő",
		"oe": "œ",
		"r":  "ŕŗř",
		"s":  "śŝşšſș",
		"ss": "ß",
		"t":  "ţťŧț",
		"th": "þ",
		"u":  "ùúûüũūŭůűų",
		"w":  "ŵ",
		"y":  "ýÿŷ",
		"z":  "źżž",
	} {
		for _, r := range letters {
			fold[r] = base
		}
	}
}

// Score returns the similarity of two names in [0, 1], as described in the
// package comment. Compare it with VerifiedThreshold to decide whether a
// name is verified.
func Score(expected, actual string) float64 {
	a, b := tokens(expected), tokens(actual)
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if equalSorted(a, b) {
		return 1
	}

	type pair struct {
		i, j   int
		sim    float64
		weight float64
		lo, hi string // the two tokens in lexical order, for tie-breaking
	}
	pairs := make([]pair, 0, len(a)*len(b))
	for i, x := range a {
		for j, y := range b {
			lo, hi := x, y
			if hi < lo {
				lo, hi = hi, lo
			}
			pairs = append(pairs, pair{
				i: i, j: j,
				sim:    tokenSimilarity(x, y),
				weight: (tokenWeight(x) + tokenWeight(y)) / 2,
				lo:     lo, hi: hi,
			})
		}
	}
	// Best similarity first; ties broken by keys that do not depend on
	// which argument a token came from, so Score stays symmetric.
	sort.SliceStable(pairs, func(p, q int) bool {
		x, y := pairs[p], pairs[q]
		if x.sim != y.sim {
			return x.sim > y.sim
		}
		if x.weight != y.weight {
			return x.weight > y.weight
		}
		if x.lo != y.lo {
			return x.lo < y.lo
		}
		return x.hi < y.hi
	})

	usedA, usedB := make([]bool, len(a)), make([]bool, len(b))
	var num, den float64
	matched := 0
	for _, p := range pairs {
		if matched == min(len(a), len(b)) {
			break
		}
		if usedA[p.i] || usedB[p.j] {
			continue
		}
		usedA[p.i], usedB[p.j] = true, true
		matched++
		if p.sim >= MinTokenSimilarity {
			num += p.weight * p.sim
		}
		den += p.weight
	}
	for i, x := range a {
		if !usedA[i] {
			den += unmatchedWeight * tokenWeight(x)
		}
	}
	for j, y := range b {
		if !usedB[j] {
			den += unmatchedWeight * tokenWeight(y)
		}
	}
	if den == 0 {
		return 0
	}
	return min(max(num/den, 0), 1)
}

// tokenSimilarity is Jaro-Winkler, raised to InitialSimilarity when one
// token is an initial of the other.
func tokenSimilarity(x, y string) float64 {
	s := JaroWinkler(x, y)
	if isInitialOf(x, y) || isInitialOf(y, x) {
		s = max(s, InitialSimilarity)
	}
	return s
}

// isInitialOf reports whether x is a single letter equal to y's first letter.
func isInitialOf(x, y string) bool {
	if utf8.RuneCountInString(x) != 1 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(y)
	return strings.HasPrefix(x, string(r))
}

// equalSorted reports whether a and b hold the same tokens in any order.
func equalSorted(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// JaroWinkler returns the Jaro-Winkler similarity of a and b in [0, 1],
// comparing runes. It uses the standard definition: characters match if
// equal and no further apart than max(len)/2 − 1; Jaro is
// (m/|a| + m/|b| + (m − t)/m) / 3 with t half the number of matched
// characters out of order; Winkler adds l·0.1·(1 − Jaro) for a common
// prefix of length l ≤ 4, applied unconditionally. Identical strings
// (including two empty ones) score 1; a string against an empty one 0.
// It is exported because callers matching single fields (a bank name, a
// city) want the raw measure without Score's tokenization.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	window := max(len(ra), len(rb))/2 - 1
	window = max(window, 0)

	matchA := make([]bool, len(ra))
	matchB := make([]bool, len(rb))
	m := 0
	for i, r := range ra {
		lo, hi := max(0, i-window), min(len(rb)-1, i+window)
		for j := lo; j <= hi; j++ {
			if !matchB[j] && rb[j] == r {
				matchA[i], matchB[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}

	halfTranspositions, j := 0, 0
	for i, r := range ra {
		if !matchA[i] {
			continue
		}
		for !matchB[j] {
			j++
		}
		if rb[j] != r {
			halfTranspositions++
		}
		j++
	}
	mf := float64(m)
	t := float64(halfTranspositions) / 2
	jaro := (mf/float64(len(ra)) + mf/float64(len(rb)) + (mf-t)/mf) / 3

	prefix := 0
	for prefix < min(4, len(ra), len(rb)) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
