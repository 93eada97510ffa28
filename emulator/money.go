package emulator

import "fmt"

// Decimal writes an amount in cents as a decimal string with two places
// and a leading minus when negative ("1234.50", "-12.00"): the form every
// provider's wire and Sandbank's CLI use.
func Decimal(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}
