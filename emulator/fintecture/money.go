package fintecture

import "fmt"

// amount formats cents as the decimal string Fintecture sends ("1234.50",
// "-12.00").
func amount(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}
