package fintecture_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

type accountsBody struct {
	Data []struct {
		ID       string `json:"id"`
		IBAN     string `json:"iban"`
		Currency string `json:"currency"`
		Type     string `json:"type"`
		Balances []struct {
			Type, Amount, Currency string
		} `json:"balances"`
	} `json:"data"`
}

type transactionsBody struct {
	Data []struct {
		ID          string `json:"id"`
		Amount      string `json:"amount"`
		Type        string `json:"type"`
		BookingDate string `json:"booking_date"`
	} `json:"data"`
	Meta struct{ Count int } `json:"meta"`
}

func cents(t *testing.T, s string) int64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	if f < 0 {
		return int64(f*100 - 0.5)
	}
	return int64(f*100 + 0.5)
}

func balance(t *testing.T, a accountsBody, i int, typ string) int64 {
	t.Helper()
	for _, b := range a.Data[i].Balances {
		if b.Type == typ {
			return cents(t, b.Amount)
		}
	}
	t.Fatalf("no %s balance", typ)
	return 0
}

func TestAutoBankJourneyAndAccountData(t *testing.T) {
	h := newHarness(t)
	cust, pair := h.connectedFull(appID, appSecret)
	tok := pair.AccessToken
	if len(cust) != 32 {
		t.Fatalf("customer_id %q should be 32 hex digits", cust)
	}

	var accts accountsBody
	r := h.get("/fintecture/ais/v1/customer/"+cust+"/accounts", tok)
	if r.Status != 200 {
		t.Fatalf("accounts: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &accts)
	if len(accts.Data) != 2 {
		t.Fatalf("the test PSU has 2 accounts at cmmcfr, got %d", len(accts.Data))
	}
	acct := accts.Data[0]
	if !strings.HasPrefix(acct.IBAN, "FR") || acct.Currency != "EUR" || acct.Type != "CACC" {
		t.Fatalf("unexpected account %+v", acct)
	}

	var one struct{ ID, IBAN string }
	h.get("/fintecture/ais/v1/customer/"+cust+"/account/"+acct.ID, tok).Decode(t, &one)
	if one.ID != acct.ID || one.IBAN != acct.IBAN {
		t.Fatalf("single account %+v differs from list %+v", one, acct)
	}

	var holders struct {
		Data []struct{ Name, Email string }
	}
	h.get("/fintecture/ais/v1/customer/"+cust+"/account/"+acct.ID+"/holders", tok).Decode(t, &holders)
	if len(holders.Data) != 1 || holders.Data[0].Name != "Camille Martin" {
		t.Fatalf("holders: %+v", holders)
	}

	// History and window.
	var all transactionsBody
	h.get("/fintecture/ais/v1/customer/"+cust+"/account/"+acct.ID+"/transactions", tok).Decode(t, &all)
	if all.Meta.Count != len(all.Data) || len(all.Data) < 30 {
		t.Fatalf("want a few months of history, got %d (count %d)", len(all.Data), all.Meta.Count)
	}
	today := start.Format("2006-01-02")
	for i, x := range all.Data {
		if x.BookingDate > today {
			t.Fatalf("pending transaction %s (%s) listed as booked", x.ID, x.BookingDate)
		}
		if i > 0 && x.BookingDate > all.Data[i-1].BookingDate {
			t.Fatalf("transactions not sorted newest first")
		}
		if x.Type != "debit" && x.Type != "credit" || strings.HasPrefix(x.Amount, "-") {
			t.Fatalf("bad transaction %+v", x)
		}
	}
	var window transactionsBody
	h.get("/fintecture/ais/v1/customer/"+cust+"/account/"+acct.ID+"/transactions?from=2026-02-01&to=2026-02-28", tok).Decode(t, &window)
	if len(window.Data) == 0 || len(window.Data) >= len(all.Data) {
		t.Fatalf("window should hold some but not all: %d of %d", len(window.Data), len(all.Data))
	}
	for _, x := range window.Data {
		if x.BookingDate < "2026-02-01" || x.BookingDate > "2026-02-28" {
			t.Fatalf("transaction %s outside window", x.BookingDate)
		}
	}

	// Consistency: when the clock passes the pending transactions'
	// booking dates, they appear in the list and the booked balance
	// moves by exactly their sum, landing on the earlier expected balance.
	booked0, expected0 := balance(t, accts, 0, "closingBooked"), balance(t, accts, 0, "expected")
	if booked0 == expected0 {
		t.Fatal("the current account should have pending transactions")
	}
	h.Clock.Advance(5 * 24 * time.Hour)
	if code := h.get("/fintecture/ais/v1/customer/"+cust+"/accounts", tok).errorCode(t, 401); code != "invalid_token" {
		t.Fatalf("a token past its hour should be invalid_token, got %s", code)
	}
	tok = h.refresh(appID, appSecret, pair.RefreshToken).AccessToken
	var later accountsBody
	h.get("/fintecture/ais/v1/customer/"+cust+"/accounts", tok).Decode(t, &later)
	if got := balance(t, later, 0, "closingBooked"); got != expected0 {
		t.Fatalf("after the pending transactions book, booked balance should be %d, got %d", expected0, got)
	}
	var after transactionsBody
	h.get("/fintecture/ais/v1/customer/"+cust+"/account/"+acct.ID+"/transactions", tok).Decode(t, &after)
	var sum int64
	for _, x := range after.Data {
		if x.BookingDate > today {
			c := cents(t, x.Amount)
			if x.Type == "debit" {
				c = -c
			}
			sum += c
		}
	}
	if sum == 0 || booked0+sum != expected0 {
		t.Fatalf("newly booked transactions sum to %d; booked %d + that should equal expected %d", sum, booked0, expected0)
	}
}

func TestTokens(t *testing.T) {
	h := newHarness(t)
	cc := h.token(appID, appSecret, url.Values{"grant_type": {"client_credentials"}, "app_id": {appID}, "scope": {"PIS"}})
	if cc.TokenType != "Bearer" || cc.ExpiresIn != 3600 || strings.Count(cc.AccessToken, ".") != 2 {
		t.Fatalf("client credentials token: %+v", cc)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "app_id": {appID}}
	// The first secret stuck; another is refused.
	if code := h.postForm("/fintecture/oauth/accesstoken", form, [2]string{appID, "wrong"}).errorCode(t, 401); code != "invalid_app_id" {
		t.Fatalf("wrong secret: %s", code)
	}
	if code := h.postForm("/fintecture/oauth/accesstoken", form, [2]string{}).errorCode(t, 401); code != "invalid_app_id" {
		t.Fatalf("no Basic credentials: %s", code)
	}
	bad := url.Values{"grant_type": {"password"}}
	r := h.postForm("/fintecture/oauth/accesstoken", bad, [2]string{appID, appSecret})
	if code := r.errorCode(t, 400); code != "invalid_field" || !strings.Contains(r.message(t), "grant_type") {
		t.Fatalf("unknown grant type: %s %s", code, r.Body)
	}
	if code := h.postForm("/fintecture/oauth/accesstoken", url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}}, [2]string{appID, appSecret}).errorCode(t, 401); code != "invalid_code" {
		t.Fatalf("unknown code: %s", code)
	}
	if code := h.postForm("/fintecture/oauth/accesstoken", url.Values{"grant_type": {"client_credentials"}, "scope": {"ALL"}}, [2]string{appID, appSecret}).errorCode(t, 401); code != "invalid_scopes" {
		t.Fatalf("unknown scope: %s", code)
	}

	cust, pair := h.connectedFull(appID, appSecret)
	accounts := "/fintecture/ais/v1/customer/" + cust + "/accounts"
	if h.get(accounts, pair.AccessToken).Status != 200 {
		t.Fatal("fresh AIS token refused")
	}
	for name, tok := range map[string]string{
		"garbage":       "not-a-token",
		"tampered":      pair.AccessToken[:len(pair.AccessToken)-4] + "AAAA",
		"refresh token": pair.RefreshToken,
		"PIS token":     cc.AccessToken,
	} {
		code := h.get(accounts, tok).errorCode(t, 401)
		if want := map[bool]string{true: "invalid_scopes", false: "invalid_token"}[name == "PIS token"]; code != want {
			t.Errorf("%s: want %s, got %s", name, want, code)
		}
	}
	if code := h.get(accounts, "").errorCode(t, 401); code != "invalid_token" {
		t.Fatalf("no token: %s", code)
	}

	// Refresh invalidates the previous access token and refresh token.
	next := h.refresh(appID, appSecret, pair.RefreshToken)
	if h.get(accounts, next.AccessToken).Status != 200 {
		t.Fatal("refreshed token refused")
	}
	if code := h.get(accounts, pair.AccessToken).errorCode(t, 401); code != "invalid_token" {
		t.Fatalf("the replaced token should be revoked: %s", code)
	}
	reuse := h.postForm("/fintecture/oauth/refreshtoken", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}}, [2]string{appID, appSecret})
	if code := reuse.errorCode(t, 401); code != "invalid_code" {
		t.Fatalf("reusing a refresh token: %s", code)
	}

	// Expiry runs on the tenant clock: 59 minutes is fine, 60 is not.
	h.Clock.Advance(59 * time.Minute)
	if h.get(accounts, next.AccessToken).Status != 200 {
		t.Fatal("token refused before its hour")
	}
	h.Clock.Advance(time.Minute)
	if code := h.get(accounts, next.AccessToken).errorCode(t, 401); code != "invalid_token" {
		t.Fatalf("expired token: %s", code)
	}
}
