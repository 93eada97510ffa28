package namematch

import (
	"math"
	"testing"
)

func TestJaroWinklerKnownValues(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		// Reference values from Winkler (1990) and the usual literature.
		{"MARTHA", "MARHTA", 0.961},
		{"DWAYNE", "DUANE", 0.840},
		{"DIXON", "DICKSONX", 0.813},
		{"JELLYFISH", "SMELLYFISH", 0.896},
		{"CRATE", "TRACE", 0.733},
		{"dupond", "dupont", 0.933},
		{"j", "jean", 0.775},
		{"abc", "xyz", 0},
		{"abc", "abc", 1},
		{"", "", 1},
		{"abc", "", 0},
		{"", "abc", 0},
		{"a", "a", 1},
		{"a", "b", 0},
		// Runes, not bytes: window 0, so only "é" matches (m=1), Jaro is
		// (1/2 + 1/2 + 1)/3 = 2/3 and the 1-rune prefix adds 0.1·(1/3).
		{"éa", "éb", 2.0/3 + 0.1/3},
	}
	for _, tt := range tests {
		got := JaroWinkler(tt.a, tt.b)
		if math.Abs(got-tt.want) > 0.0005 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.3f", tt.a, tt.b, got, tt.want)
		}
		if rev := JaroWinkler(tt.b, tt.a); math.Abs(rev-got) > 1e-12 {
			t.Errorf("JaroWinkler not symmetric for %q/%q: %v vs %v", tt.a, tt.b, got, rev)
		}
	}
}

func TestJaroWinklerPrefixCappedAtFour(t *testing.T) {
	// Same Jaro for both pairs; a 6-character common prefix must get the
	// same boost as a 4-character one.
	j := JaroWinkler("abcdefgh", "abcdefxy")
	jaro := (6.0/8 + 6.0/8 + 1) / 3
	want := jaro + 4*0.1*(1-jaro)
	if math.Abs(j-want) > 1e-12 {
		t.Errorf("JaroWinkler = %v, want %v", j, want)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Jean Dupont", "jean dupont"},
		{"  DUPONT,   Jean ", "dupont jean"},
		{"M. Jean Dupont", "jean dupont"},
		{"Mme Marie-Claire Dubois", "marie claire dubois"},
		{"Mr and Mrs Smith", "and mrs smith"},
		{"Jean M. Dupont", "jean m dupont"}, // middle initial kept
		{"Dr. Herr Müller", "muller"},
		{"Jéròme Lefèvre", "jerome lefevre"},
		{"Łukasz Żółć", "lukasz zolc"},
		{"Ștefan Țiriac", "stefan tiriac"},
		{"STRAẞE Groß", "strasse gross"},
		{"Œuvre Ærø", "oeuvre aero"},
		{"O'Brien d’Artagnan", "obrien dartagnan"},
		{"Je\u0301ro\u0302me", "jerome"}, // already decomposed (NFD)
		{"Dupont SA", "dupont sa"},
		{"ACME GmbH & Co. KG", "acme gmbh co kg"},
		{"Иван Петров", "иван петров"},
		{"M.", "m"}, // an honorific alone is kept rather than emptying the name
		{"", ""},
		{" .,- ", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScore(t *testing.T) {
	tests := []struct {
		expected, actual string
		lo, hi           float64 // inclusive bounds
	}{
		{"Jean Dupont", "DUPONT Jean", 1, 1},
		{"Jean Dupont", "Jean Dupont", 1, 1},
		{"M. Jean Dupont", "Jean Dupont", 1, 1},
		{"Mme Marie Curie", "CURIE MARIE", 1, 1},
		{"Jéròme Lefèvre", "Jerome Lefevre", 1, 1},
		{"Dupont, Jean", "jean dupont", 1, 1},
		{"J. Dupont", "Jean Dupont", VerifiedThreshold, 0.999},
		{"Jean Dupond", "Jean Dupont", VerifiedThreshold, 0.999},
		{"Jon Smith", "John Smith", VerifiedThreshold, 0.999},
		{"Marie Curie", "Jean Dupont", 0, 0.5},
		{"Jean Dupont", "Jean-Pierre Dupont", 0.6, 0.95},
		{"Jean Dupont", "Jean Pierre Dupont", 0.6, VerifiedThreshold - 1e-9},
		{"Jean Dupont", "Jean Martin", 0, VerifiedThreshold - 1e-9},
		{"Jean Dupont", "Paul Dupont", 0, VerifiedThreshold - 1e-9},
		{"J. Dupont", "P. Dupont", 0, VerifiedThreshold - 1e-9},
		{"Dupont", "Jean Dupont", 0.6, VerifiedThreshold - 1e-9},
		{"Dupont SA", "Dupont", 0.6, VerifiedThreshold - 1e-9},
		{"Jean de Villiers", "Jean Villiers", 0.6, 0.95},
		{"", "Jean Dupont", 0, 0},
		{"Jean Dupont", "", 0, 0},
		{"", "", 0, 0},
		{"  ...  ", "Jean Dupont", 0, 0},
		{"Mr", "Mr", 1, 1},
	}
	for _, tt := range tests {
		got := Score(tt.expected, tt.actual)
		if got < tt.lo || got > tt.hi {
			t.Errorf("Score(%q, %q) = %.4f, want in [%.4f, %.4f]", tt.expected, tt.actual, got, tt.lo, tt.hi)
		}
	}
}

func TestScoreSymmetricAndBounded(t *testing.T) {
	names := []string{
		"Jean Dupont", "DUPONT Jean", "J. Dupont", "Jean-Pierre Dupont",
		"Marie Curie", "M. Jean Dupont", "Jéròme Lefèvre", "Jerome Lefevre",
		"Jean Dupond", "Jean Jean", "Jean", "J J Dupont", "ACME SARL",
		"Acme", "O'Brien", "Obrien Patrick", "", "Anne Marie Anne",
		"Marie Anne", "a b c d e", "e d c b a x",
	}
	for _, a := range names {
		for _, b := range names {
			x, y := Score(a, b), Score(b, a)
			if math.Abs(x-y) > 1e-9 {
				t.Errorf("Score(%q, %q) = %v but Score(%q, %q) = %v", a, b, x, b, a, y)
			}
			if x < 0 || x > 1 || math.IsNaN(x) {
				t.Errorf("Score(%q, %q) = %v out of [0,1]", a, b, x)
			}
			if a == b && Normalize(a) != "" && x != 1 {
				t.Errorf("Score(%q, %q) = %v, want 1 for identical names", a, b, x)
			}
		}
	}
}

func TestScoreMissingTokenPenalty(t *testing.T) {
	// Each additional unmatched token must lower the score, but less than
	// replacing a matched token with a wrong one would.
	two := Score("Jean Dupont", "Jean Dupont")
	three := Score("Jean Dupont", "Jean Paul Dupont")
	four := Score("Jean Dupont", "Jean Paul Henri Dupont")
	wrong := Score("Jean Dupont", "Paul Dupont")
	if !(two > three && three > four) {
		t.Errorf("scores not decreasing with missing tokens: %v, %v, %v", two, three, four)
	}
	if three <= wrong {
		t.Errorf("missing token (%v) should cost less than a wrong one (%v)", three, wrong)
	}
	// Exact value for the documented weighting: matched weights 4 and 6,
	// unmatched "paul" adds 0.5*4 to the denominator.
	if want := 10.0 / 12.0; math.Abs(three-want) > 1e-12 {
		t.Errorf("Score with one missing token = %v, want %v", three, want)
	}
}

func TestScoreInitial(t *testing.T) {
	// "j" vs "jean" counts as InitialSimilarity with weight (3+4)/2: the
	// initial weighs minTokenWeight, not its length 1.
	got := Score("J. Dupont", "Jean Dupont")
	want := (3.5*InitialSimilarity + 6) / (3.5 + 6)
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("Score initial = %v, want %v", got, want)
	}
	if s := tokenSimilarity("jean", "j"); s != InitialSimilarity {
		t.Errorf("tokenSimilarity(jean, j) = %v, want %v", s, InitialSimilarity)
	}
	if s := tokenSimilarity("j", "paul"); s != 0 {
		t.Errorf("tokenSimilarity(j, paul) = %v, want 0", s)
	}
	// A wrong initial must not verify: weight 3 for j/p, 6 for dupont.
	if got, want := Score("J. Dupont", "P. Dupont"), 6.0/9.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("Score wrong initial = %v, want %v", got, want)
	}
}
