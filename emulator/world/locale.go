package world

import (
	"fmt"
	"strings"

	"github.com/sandbank/sandbank/emulator"
)

// locale is how one bank writes its world: account names, transaction
// labels, merchants, phone numbers and the currency of accounts that name
// none. Fintecture's banks all write French, as they always have (their
// worlds must not move); a Kontomatik target writes its country's.
type locale struct {
	accountNames map[emulator.AccountType]string
	// salary is followed by the employer's name in capitals.
	salary string
	rent   string
	// rentParty is followed by a last name: who the rent goes to.
	rentParty string
	saving    string
	merchants []string
	// cardLabels are the merchants as a card payment's label shows them,
	// computed once: large histories would otherwise upper-case a name
	// per transaction.
	cardLabels []string
	// counterparties is the country of counterparties' IBANs; "" means
	// the bank's own.
	counterparties string
	// dial is the phone prefix; the French one keeps its historic
	// 06 xx xx xx xx shape.
	dial string
	// currency is the currency of accounts that name none; "" means the
	// world's currencies in turn.
	currency string
}

func newLocale(l locale, cardPrefix string) *locale {
	l.cardLabels = make([]string, len(l.merchants))
	for i, m := range l.merchants {
		l.cardLabels[i] = cardPrefix + strings.ToUpper(m)
	}
	return &l
}

// french is every Fintecture bank's locale, whatever its country.
var french = newLocale(locale{
	accountNames: map[emulator.AccountType]string{
		emulator.AccountCurrent: "Compte courant",
		emulator.AccountSavings: "Livret épargne",
		emulator.AccountCard:    "Carte à débit différé",
	},
	salary: "SALAIRE ", rent: "PRLV LOYER", rentParty: "SCI ", saving: "Virement épargne",
	merchants: []string{
		"Carrefour Market", "Monoprix", "SNCF Connect", "Amazon EU", "Boulangerie Paul",
		"Fnac", "Uber BV", "Spotify AB", "Total Energies", "Pharmacie du Centre",
		"Decathlon", "Leroy Merlin", "Orange SA", "EDF", "Free Mobile",
	},
	counterparties: "FR",
}, "CB ")

var polish = newLocale(locale{
	accountNames: map[emulator.AccountType]string{
		emulator.AccountCurrent: "Konto osobiste",
		emulator.AccountSavings: "Konto oszczędnościowe",
		emulator.AccountCard:    "Karta kredytowa",
	},
	salary: "WYNAGRODZENIE ", rent: "CZYNSZ ZA MIESZKANIE", rentParty: "Wspólnota Mieszkaniowa ", saving: "Przelew na oszczędności",
	merchants: []string{
		"Biedronka", "Żabka", "Lidl", "Orlen", "PKP Intercity",
		"Allegro", "Rossmann", "Empik", "Jakdojade", "Uber BV",
		"Spotify AB", "Media Markt", "Castorama", "Play", "PGE Obrót",
	},
	dial: "+48", currency: "PLN",
}, "ZAKUP PRZY UŻYCIU KARTY ")

var czech = newLocale(locale{
	accountNames: map[emulator.AccountType]string{
		emulator.AccountCurrent: "Běžný účet",
		emulator.AccountSavings: "Spořicí účet",
		emulator.AccountCard:    "Kreditní karta",
	},
	salary: "MZDA ", rent: "NÁJEMNÉ", rentParty: "SVJ ", saving: "Převod na spoření",
	merchants: []string{
		"Albert", "Billa", "Kaufland", "Lidl", "Tesco",
		"České dráhy", "Alza.cz", "Rohlik.cz", "dm drogerie", "Benzina",
		"O2 Czech Republic", "ČEZ Prodej", "Uber BV", "Spotify AB", "IKEA",
	},
	dial: "+420", currency: "CZK",
}, "PLATBA KARTOU ")

// english writes the other Kontomatik countries' worlds; only the phone
// prefix and the currency follow the country.
var english = locale{
	accountNames: map[emulator.AccountType]string{
		emulator.AccountCurrent: "Current account",
		emulator.AccountSavings: "Savings account",
		emulator.AccountCard:    "Credit card",
	},
	salary: "SALARY ", rent: "RENT", rentParty: "", saving: "Transfer to savings",
	merchants: []string{
		"Lidl", "Carrefour", "IKEA", "Zara", "Amazon EU",
		"Uber BV", "Spotify AB", "Bolt", "Shell", "Decathlon",
		"H&M", "Apple.com", "Booking.com", "Netflix", "Starbucks",
	},
}

// others are the Kontomatik countries written in English: dialling
// prefix and currency.
var others = map[string][2]string{
	"ES": {"+34", "EUR"}, "PT": {"+351", "EUR"}, "RO": {"+40", "RON"},
	"LT": {"+370", "EUR"}, "LV": {"+371", "EUR"}, "EE": {"+372", "EUR"},
}

var englishByCountry = func() map[string]*locale {
	out := map[string]*locale{}
	for cc, v := range others {
		l := english
		l.dial, l.currency = v[0], v[1]
		out[cc] = newLocale(l, "CARD PAYMENT ")
	}
	return out
}()

// localeOf picks the locale of a bank of provider p.
func localeOf(p emulator.Provider, bank emulator.Bank) *locale {
	if p != emulator.Kontomatik {
		return french
	}
	switch bank.Country {
	case "PL":
		return polish
	case "CZ":
		return czech
	}
	if l, ok := englishByCountry[bank.Country]; ok {
		return l
	}
	// A country with no locale yet keeps the world's currencies.
	l := newLocale(english, "CARD PAYMENT ")
	return l
}

// phone draws a mobile number. The French shape (four draws of two
// digits) is kept exactly: Fintecture worlds must not move.
func (l *locale) phone(g *generator) string {
	if l.dial == "" {
		return fmt.Sprintf("+33 6 %02d %02d %02d %02d", g.f.IntN(100), g.f.IntN(100), g.f.IntN(100), g.f.IntN(100))
	}
	return fmt.Sprintf("%s %03d %03d %03d", l.dial, g.f.IntN(1000), g.f.IntN(1000), g.f.IntN(1000))
}

// rentPayee is who the rent goes to.
func (l *locale) rentPayee(last string) string {
	if l.rentParty == "" {
		return last + " Properties"
	}
	return l.rentParty + last
}
