package emulator

import "testing"

func TestDecimal(t *testing.T) {
	for cents, want := range map[int64]string{0: "0.00", 5: "0.05", -5: "-0.05", 123450: "1234.50", -1200: "-12.00", 100: "1.00"} {
		if got := Decimal(cents); got != want {
			t.Errorf("Decimal(%d) = %q, want %q", cents, got, want)
		}
	}
}
