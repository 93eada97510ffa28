package world

import (
	"fmt"
	"strings"

	"github.com/sandbank/sandbank/emulator"
)

// locale is how one bank writes its world: account names, transaction
// labels, merchants, phone numbers and the currency of accounts that name
// none. Fintecture's banks all write French, as they always have (their
// worlds must not move); a Kontomatik target writes its country's; a
// FinqLink provider (all Romanian) writes Romanian, people and places
// included.
type locale struct {
	accountNames map[emulator.AccountType]string
	// salary is followed by the employer's name in capitals.
	salary string
	rent   string
	// rentParty and rentSuffix go before and after a last name: who the
	// rent goes to.
	rentParty, rentSuffix string
	saving                string
	merchants             []string
	// cardLabels are the merchants as a card payment's label shows them,
	// computed once: large histories would otherwise upper-case a name
	// per transaction.
	cardLabels []string
	// counterparties is the country of counterparties' IBANs; "" means
	// the bank's own.
	counterparties string
	// counterpartyBanks are the national codes of the banks whose IBANs
	// counterparties hold; nil draws any code (iban.Generate).
	counterpartyBanks []string
	// dial is the phone prefix; the French one keeps its historic
	// 06 xx xx xx xx shape.
	dial string
	// mobile starts the national part of phone numbers ("7": Romanian
	// mobiles are 07xx); "" keeps the plain three groups of three.
	mobile string
	// currency is the currency of accounts that name none; "" means the
	// world's currencies in turn.
	currency string
	// people, when set, names PSUs, their addresses, employers and
	// landlords from the locale's lists; nil keeps gofakeit's English
	// ones (and its draws: those worlds must not move).
	people *people
}

// people are a country's names and places.
type people struct {
	first, last, streets, employers []string
	cities                          []city
	// ascii folds the names into e-mail addresses.
	ascii *strings.Replacer
}

// city is a town with the first digits of its postcodes.
type city struct{ name, zip string }

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

// romanian is every FinqLink provider's locale. Statement labels are in
// capitals without diacritics, as Romanian banks print them.
var romanian = newLocale(locale{
	accountNames: map[emulator.AccountType]string{
		emulator.AccountCurrent: "Cont curent",
		emulator.AccountSavings: "Cont de economii",
		emulator.AccountCard:    "Card de credit",
	},
	salary: "SALARIU ", rent: "PLATA CHIRIE", rentSuffix: " Imobiliare SRL", saving: "Transfer în contul de economii",
	merchants: []string{
		"Kaufland", "Lidl", "Mega Image", "Carrefour", "Profi",
		"eMAG", "Dedeman", "Altex", "OMV Petrom", "CFR Călători",
		"Bolt", "Glovo", "Orange România", "Digi", "Enel Energie",
	},
	dial: "+40", mobile: "7", currency: "RON",
	// Romanian banks, by the BIC letters their IBANs carry.
	counterpartyBanks: []string{"BTRL", "RNCB", "BRDE", "INGB", "RZBR", "CECE", "BACX", "BREL", "OTPV", "UGBI"},
	people: &people{
		first: []string{
			"Andrei", "Alexandru", "Mihai", "Ion", "Ștefan", "Gabriel", "Radu", "Cristian", "Bogdan", "Florin",
			"Maria", "Elena", "Ioana", "Ana", "Andreea", "Alexandra", "Cristina", "Mihaela", "Raluca", "Diana",
		},
		last: []string{
			"Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei",
			"Constantin", "Rusu", "Munteanu", "Marin", "Florea", "Dobre", "Barbu", "Tudor", "Nistor", "Moldovan",
		},
		streets: []string{
			"Strada Victoriei", "Bulevardul Unirii", "Strada Mihai Eminescu", "Calea Dorobanților", "Strada Republicii",
			"Bulevardul Independenței", "Strada Avram Iancu", "Calea Moșilor", "Strada Libertății", "Bulevardul Carol I",
		},
		employers: []string{
			"Automobile Dacia SA", "OMV Petrom SA", "Bitdefender SRL", "Dedeman SRL", "Romgaz SA",
			"Electrica Furnizare SA", "Arctic SA", "Ursus Breweries SA", "Continental Automotive Romania SRL", "Banca Transilvania SA",
		},
		cities: []city{
			{"București", "01"}, {"Cluj-Napoca", "400"}, {"Timișoara", "300"}, {"Iași", "700"}, {"Constanța", "900"},
			{"Brașov", "500"}, {"Craiova", "200"}, {"Sibiu", "550"}, {"Oradea", "410"}, {"Galați", "800"},
		},
		ascii: strings.NewReplacer("ă", "a", "â", "a", "î", "i", "ș", "s", "ț", "t", "Ă", "A", "Â", "A", "Î", "I", "Ș", "S", "Ț", "T"),
	},
}, "PLATA LA POS ")

// english writes the other Kontomatik countries' worlds; only the phone
// prefix and the currency follow the country.
var english = locale{
	accountNames: map[emulator.AccountType]string{
		emulator.AccountCurrent: "Current account",
		emulator.AccountSavings: "Savings account",
		emulator.AccountCard:    "Credit card",
	},
	salary: "SALARY ", rent: "RENT", rentSuffix: " Properties", saving: "Transfer to savings",
	merchants: []string{
		"Lidl", "Carrefour", "IKEA", "Zara", "Amazon EU",
		"Uber BV", "Spotify AB", "Bolt", "Shell", "Decathlon",
		"H&M", "Apple.com", "Booking.com", "Netflix", "Starbucks",
	},
}

// englishByCountry are the Kontomatik countries written in English, by
// their dialling prefix and currency.
var englishByCountry = func() map[string]*locale {
	out := map[string]*locale{}
	for cc, v := range map[string][2]string{
		"ES": {"+34", "EUR"}, "PT": {"+351", "EUR"}, "RO": {"+40", "RON"},
		"LT": {"+370", "EUR"}, "LV": {"+371", "EUR"}, "EE": {"+372", "EUR"},
	} {
		l := english
		l.dial, l.currency = v[0], v[1]
		out[cc] = newLocale(l, "CARD PAYMENT ")
	}
	return out
}()

// englishAnywhere writes a country with no locale yet; it keeps the
// world's currencies.
var englishAnywhere = newLocale(english, "CARD PAYMENT ")

// localeOf picks the locale of a bank of provider p.
func localeOf(p emulator.Provider, bank emulator.Bank) *locale {
	switch p {
	case emulator.Kontomatik:
		return countryLocale(bank.Country)
	case emulator.FinqLink:
		if bank.Country == "RO" {
			return romanian
		}
		return countryLocale(bank.Country)
	}
	return french
}

// countryLocale is the locale of a Kontomatik target by its country (and
// of a FinqLink provider outside Romania, should one come).
func countryLocale(country string) *locale {
	switch country {
	case "PL":
		return polish
	case "CZ":
		return czech
	}
	if l, ok := englishByCountry[country]; ok {
		return l
	}
	return englishAnywhere
}

// phone draws a mobile number. The French shape (four draws of two
// digits) is kept exactly: Fintecture worlds must not move.
func (l *locale) phone(g *generator) string {
	if l.dial == "" {
		return fmt.Sprintf("+33 6 %02d %02d %02d %02d", g.f.IntN(100), g.f.IntN(100), g.f.IntN(100), g.f.IntN(100))
	}
	if l.mobile != "" {
		return fmt.Sprintf("%s %s%02d %03d %03d", l.dial, l.mobile, g.f.IntN(100), g.f.IntN(1000), g.f.IntN(1000))
	}
	return fmt.Sprintf("%s %03d %03d %03d", l.dial, g.f.IntN(1000), g.f.IntN(1000), g.f.IntN(1000))
}

// rentPayee is who the rent goes to.
func (l *locale) rentPayee(last string) string {
	return l.rentParty + last + l.rentSuffix
}

// counterpartyBank draws the national code of a counterparty's bank, or
// draws nothing and returns "" where the locale has no list (the code is
// then part of iban.Generate's draws, as it always was).
func (l *locale) counterpartyBank(g *generator) string {
	if l.counterpartyBanks == nil {
		return ""
	}
	return pick(g, l.counterpartyBanks)
}

// pick draws one of xs. It always draws, even from a one-element list
// (unlike gofakeit's RandomString), so a list's length never shifts the
// draws that follow.
func pick[T any](g *generator, xs []T) T { return xs[g.f.IntN(len(xs))] }

// The draws below use the locale's people where it has them, else
// gofakeit's own functions, exactly as before locales had people.

func (l *locale) firstName(g *generator) string {
	if l.people == nil {
		return g.f.FirstName()
	}
	return pick(g, l.people.first)
}

func (l *locale) lastName(g *generator) string {
	if l.people == nil {
		return g.f.LastName()
	}
	return pick(g, l.people.last)
}

// employer is the company that pays a current account's salary.
func (l *locale) employer(g *generator) string {
	if l.people == nil {
		return g.f.Company()
	}
	return pick(g, l.people.employers)
}

// address draws a postal address: street, postcode and town.
func (l *locale) address(g *generator) string {
	if l.people == nil {
		return fmt.Sprintf("%s, %s %s", g.f.Street(), g.f.Zip(), g.f.City())
	}
	p := l.people
	street, number, c := pick(g, p.streets), 1+g.f.IntN(150), pick(g, p.cities)
	// Romanian postcodes have six digits; a town's come after its prefix.
	zip := c.zip + fmt.Sprintf("%06d", g.f.IntN(1000000))[len(c.zip):]
	return fmt.Sprintf("%s nr. %d, %s %s", street, number, zip, c.name)
}

// email makes an address of a full name, without diacritics where the
// locale's names have them.
func (l *locale) email(name string) string {
	if l.people != nil {
		name = l.people.ascii.Replace(name)
	}
	return strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
}
