package fintecture

import (
	"net/http"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/httpapi"
	"github.com/sandbank/sandbank/emulator/iban"
)

// Wire shapes of the given Customers document (specs/fintecture/customers.yaml).
type addressJSON struct {
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Country    string `json:"country,omitempty"`
}

type customerJSON struct {
	ID          string       `json:"id"`
	FirstName   string       `json:"first_name,omitempty"`
	LastName    string       `json:"last_name,omitempty"`
	CompanyName string       `json:"company_name,omitempty"`
	Email       string       `json:"email,omitempty"`
	Phone       string       `json:"phone,omitempty"`
	Address     *addressJSON `json:"address,omitempty"`
	ExternalID  string       `json:"external_id,omitempty"`
	CreatedAt   string       `json:"created_at"`
}

type customerCreateJSON struct {
	FirstName   string       `json:"first_name"`
	LastName    string       `json:"last_name"`
	CompanyName string       `json:"company_name"`
	Email       string       `json:"email"`
	Phone       string       `json:"phone"`
	ExternalID  string       `json:"external_id"`
	Address     *addressJSON `json:"address"`
}

type customerListJSON struct {
	Data []customerJSON `json:"data"`
	Meta countJSON      `json:"meta"`
}

type bankAccountJSON struct {
	ID         string `json:"id"`
	IBAN       string `json:"iban"`
	BIC        string `json:"bic,omitempty"`
	HolderName string `json:"holder_name"`
	Currency   string `json:"currency"`
	Verified   bool   `json:"verified"`
}

type bankAccountCreateJSON struct {
	IBAN       string `json:"iban"`
	BIC        string `json:"bic"`
	HolderName string `json:"holder_name"`
	Currency   string `json:"currency"`
}

type bankAccountListJSON struct {
	Data []bankAccountJSON `json:"data"`
}

type verificationCreateJSON struct {
	ProviderID   string `json:"provider_id"`
	ExpectedName string `json:"expected_name"`
}

type verificationListJSON struct {
	Data []verificationJSON `json:"data"`
}

func toCustomerJSON(c emulator.Customer) customerJSON {
	j := customerJSON{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, CompanyName: c.CompanyName, Email: c.Email,
		Phone: c.Phone, ExternalID: c.ExternalID, CreatedAt: c.CreatedAt.Format(time.RFC3339)}
	if c.Address != (emulator.Address{}) {
		a := addressJSON(c.Address)
		j.Address = &a
	}
	return j
}

func toBankAccountJSON(a emulator.CustomerBankAccount) bankAccountJSON {
	return bankAccountJSON{ID: a.ID, IBAN: a.IBAN, BIC: a.BIC, HolderName: a.HolderName, Currency: a.Currency, Verified: a.Verified}
}

// customersTenant checks the token may use the Customers API: scope
// customers, or PIS as Fintecture's PHP SDK does (notes §9).
func customersTenant(r *http.Request) (*emulator.Tenant, error) {
	if err := requireScope(r.Context(), "customers", "PIS"); err != nil {
		return nil, err
	}
	return httpapi.TenantFrom(r.Context()), nil
}

// createCustomer serves POST /v1/customers.
func (p *Provider) createCustomer(w http.ResponseWriter, r *http.Request) error {
	t, err := customersTenant(r)
	if err != nil {
		return err
	}
	var in customerCreateJSON
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"first_name", in.FirstName}, {"last_name", in.LastName}, {"email", in.Email}} {
		if strings.TrimSpace(f.v) == "" {
			return emulator.FieldError(emulator.CodeMissing, f.name, "%s is required", f.name)
		}
	}
	if err := checkEmail(in.Email); err != nil {
		return err
	}
	c := emulator.Customer{FirstName: in.FirstName, LastName: in.LastName, CompanyName: in.CompanyName, Email: in.Email, Phone: in.Phone, ExternalID: in.ExternalID}
	if in.Address != nil {
		if in.Address.Country != "" && !countryCode.MatchString(in.Address.Country) {
			return emulator.FieldError(emulator.CodeInvalid, "address.country", "must be an ISO 3166 alpha-2 code")
		}
		c.Address = emulator.Address(*in.Address)
	}
	c, err = p.store.CreateCustomer(r.Context(), t, c)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusCreated, toCustomerJSON(c))
}

var (
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
	currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)
	bicPattern   = regexp.MustCompile(`^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
)

// checkEmail accepts a bare address (no display name) with a dotted domain.
func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return emulator.FieldError(emulator.CodeInvalid, "email", "%q is not an e-mail address", s)
	}
	return nil
}

// Page sizes of the customer list.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

func pageParam(r *http.Request, name string, def, max int) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > max {
		return 0, emulator.FieldError(emulator.CodeInvalid, name, "must be an integer from 1 to %d", max)
	}
	return n, nil
}

// listCustomers serves GET /v1/customers with page[number] (from 1) and
// page[size] (1-100, default 20); meta.count is the total. The external_id
// filter the PHP SDK uses is accepted too (notes §9).
func (p *Provider) listCustomers(w http.ResponseWriter, r *http.Request) error {
	t, err := customersTenant(r)
	if err != nil {
		return err
	}
	page, err := pageParam(r, "page[number]", 1, 1<<30)
	if err != nil {
		return err
	}
	size, err := pageParam(r, "page[size]", defaultPageSize, maxPageSize)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ext := q.Get("filter[external_id]")
	if ext == "" {
		ext = q.Get("external_id")
	}
	res, err := p.store.Customers(r.Context(), t, page, size, ext)
	if err != nil {
		return err
	}
	out := customerListJSON{Data: make([]customerJSON, 0, len(res.Customers)), Meta: countJSON{Count: res.Total}}
	for _, c := range res.Customers {
		out.Data = append(out.Data, toCustomerJSON(c))
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// customer loads the path's customer for a Customers API call.
func (p *Provider) customer(r *http.Request) (*emulator.Tenant, emulator.Customer, error) {
	t, err := customersTenant(r)
	if err != nil {
		return nil, emulator.Customer{}, err
	}
	c, err := p.store.Customer(r.Context(), t, httpapi.Var(r, "customer_id"))
	return t, c, err
}

// getCustomer serves GET /v1/customers/{customer_id}.
func (p *Provider) getCustomer(w http.ResponseWriter, r *http.Request) error {
	_, c, err := p.customer(r)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, toCustomerJSON(c))
}

// createCustomerBankAccount serves POST /v1/customers/{id}/bank-accounts.
// The IBAN must pass the ISO 13616 mod-97 check.
func (p *Provider) createCustomerBankAccount(w http.ResponseWriter, r *http.Request) error {
	t, err := customersTenant(r)
	if err != nil {
		return err
	}
	var in bankAccountCreateJSON
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.IBAN) == "" {
		return emulator.FieldError(emulator.CodeMissing, "iban", "iban is required")
	}
	if strings.TrimSpace(in.HolderName) == "" {
		return emulator.FieldError(emulator.CodeMissing, "holder_name", "holder_name is required")
	}
	if err := iban.Valid(in.IBAN); err != nil {
		return emulator.FieldError(emulator.CodeInvalid, "iban", "%v", err)
	}
	if in.BIC != "" && !bicPattern.MatchString(in.BIC) {
		return emulator.FieldError(emulator.CodeInvalid, "bic", "%q is not a BIC (8 or 11 characters)", in.BIC)
	}
	if in.Currency == "" {
		in.Currency = "EUR"
	}
	if !currencyCode.MatchString(in.Currency) {
		return emulator.FieldError(emulator.CodeInvalid, "currency", "must be an ISO 4217 code such as EUR")
	}
	a, err := p.store.AddCustomerBankAccount(r.Context(), t, emulator.CustomerBankAccount{
		CustomerID: httpapi.Var(r, "customer_id"), IBAN: iban.Normalize(in.IBAN), BIC: in.BIC, HolderName: in.HolderName, Currency: in.Currency,
	})
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusCreated, toBankAccountJSON(a))
}

// listCustomerBankAccounts serves GET /v1/customers/{id}/bank-accounts.
func (p *Provider) listCustomerBankAccounts(w http.ResponseWriter, r *http.Request) error {
	t, err := customersTenant(r)
	if err != nil {
		return err
	}
	list, err := p.store.CustomerBankAccounts(r.Context(), t, httpapi.Var(r, "customer_id"))
	if err != nil {
		return err
	}
	out := bankAccountListJSON{Data: make([]bankAccountJSON, 0, len(list))}
	for _, a := range list {
		out.Data = append(out.Data, toBankAccountJSON(a))
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// getCustomerBankAccount serves GET /v1/customers/{id}/bank-accounts/{account_id}.
func (p *Provider) getCustomerBankAccount(w http.ResponseWriter, r *http.Request) error {
	t, err := customersTenant(r)
	if err != nil {
		return err
	}
	a, err := p.store.CustomerBankAccount(r.Context(), t, httpapi.Var(r, "customer_id"), httpapi.Var(r, "account_id"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, toBankAccountJSON(a))
}

// initiateCustomerVerification serves POST /v1/customers/{id}/verification:
// it answers 201 pending; VerificationDelay later on the tenant clock the
// verification turns verified or unverified (see store.completeVerification
// for how the name is scored).
func (p *Provider) initiateCustomerVerification(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, c, err := p.customer(r)
	if err != nil {
		return err
	}
	var in verificationCreateJSON
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.ProviderID != "" {
		if _, err := p.store.Bank(ctx, t, in.ProviderID); err != nil {
			return emulator.FieldError(emulator.CodeInvalid, "provider_id", "unknown provider %q", in.ProviderID)
		}
	}
	v, err := p.store.CreateVerification(ctx, t, emulator.Verification{
		CustomerID: c.ID, ProviderID: in.ProviderID, ExpectedName: in.ExpectedName, Status: emulator.VerificationPending,
	}, verificationDelay(t))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusCreated, toVerificationJSON(v, true))
}

// listCustomerVerifications serves GET /v1/customers/{id}/verifications:
// the customer's verification history, oldest first.
func (p *Provider) listCustomerVerifications(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, c, err := p.customer(r)
	if err != nil {
		return err
	}
	list, err := p.store.Verifications(ctx, t, c.ID)
	if err != nil {
		return err
	}
	out := verificationListJSON{Data: make([]verificationJSON, 0, len(list))}
	for _, v := range list {
		out.Data = append(out.Data, toVerificationJSON(v, true))
	}
	return httpapi.JSON(w, http.StatusOK, out)
}

// getCustomerVerification serves GET /v1/customers/{id}/verification/{verification_id}.
func (p *Provider) getCustomerVerification(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t, c, err := p.customer(r)
	if err != nil {
		return err
	}
	v, err := p.store.Verification(ctx, t, c.ID, httpapi.Var(r, "verification_id"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, toVerificationJSON(v, true))
}
