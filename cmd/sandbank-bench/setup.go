package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// demoApp and demoSecret are the demo tenant every Sandbank creates.
	demoApp    = "sandbank-demo"
	demoSecret = "sandbank-demo-secret"
	// autoBank approves every journey with two redirects and no page.
	autoBank = "cmmcfr"
	// callback is where the bank sends the PSU back; never fetched.
	callback = "https://client.example/callback"
)

// connection is a connected customer and an AIS token for it.
type connection struct {
	customerID string
	token      string
}

// accountsPath is the measured endpoint for a customer.
func accountsPath(customerID string) string {
	return "/fintecture/ais/v1/customer/" + url.PathEscape(customerID) + "/accounts"
}

// connect does what a client does before reading accounts: a
// client_credentials token, a journey at the auto-approving bank (authorize,
// then its two 302 hops), and the authorization_code exchange. It checks the
// accounts endpoint answers once.
func connect(ctx context.Context, base, app, secret string) (connection, error) {
	c := &setupClient{base: base, http: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	if _, err := c.token(ctx, app, secret, url.Values{"grant_type": {"client_credentials"}, "app_id": {app}}); err != nil {
		return connection{}, err
	}
	customerID, code, err := c.journey(ctx, app)
	if err != nil {
		return connection{}, err
	}
	tok, err := c.token(ctx, app, secret, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "scope": {"AIS"}})
	if err != nil {
		return connection{}, err
	}
	conn := connection{customerID: customerID, token: tok}
	if _, err := c.do(ctx, http.MethodGet, base+accountsPath(customerID), nil, http.StatusOK, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+tok)
	}); err != nil {
		return connection{}, fmt.Errorf("accounts: %w", err)
	}
	return conn, nil
}

// setupClient sends the set-up requests, without following redirects.
type setupClient struct {
	base string
	http *http.Client
}

// token asks /oauth/accesstoken for a token.
func (c *setupClient) token(ctx context.Context, app, secret string, form url.Values) (string, error) {
	body, err := c.do(ctx, http.MethodPost, c.base+"/fintecture/oauth/accesstoken", strings.NewReader(form.Encode()), http.StatusOK, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(app, secret)
	})
	if err != nil {
		return "", fmt.Errorf("token (%s): %w", form.Get("grant_type"), err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token (%s): no access_token in %s", form.Get("grant_type"), body)
	}
	return tok.AccessToken, nil
}

// journey connects a customer at autoBank and returns the customer_id and
// code from the redirect back to the client.
func (c *setupClient) journey(ctx context.Context, app string) (customerID, code string, err error) {
	q := url.Values{"response_type": {"code"}, "state": {"bench"}, "redirect_uri": {callback}}
	body, err := c.do(ctx, http.MethodGet, c.base+"/fintecture/ais/v1/provider/"+autoBank+"/authorize?"+q.Encode(), nil, http.StatusOK, func(r *http.Request) {
		r.Header.Set("app_id", app)
	})
	if err != nil {
		return "", "", fmt.Errorf("authorize: %w", err)
	}
	var a struct {
		Meta struct {
			URL string `json:"url"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(body, &a); err != nil || a.Meta.URL == "" {
		return "", "", fmt.Errorf("authorize: no meta.url in %s", body)
	}
	hop, err := c.redirect(ctx, a.Meta.URL)
	if err != nil {
		return "", "", err
	}
	back, err := c.redirect(ctx, hop)
	if err != nil {
		return "", "", err
	}
	u, err := url.Parse(back)
	if err != nil || !strings.HasPrefix(back, callback) {
		return "", "", fmt.Errorf("bank %s did not send the PSU back to %s but to %q", autoBank, callback, back)
	}
	customerID, code = u.Query().Get("customer_id"), u.Query().Get("code")
	if customerID == "" || code == "" {
		return "", "", fmt.Errorf("no customer_id or code in %s", back)
	}
	return customerID, code, nil
}

// redirect fetches a URL that must answer 302 and returns its Location,
// made absolute.
func (c *setupClient) redirect(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 500))
	loc, err := res.Location() // resolved against u
	if res.StatusCode != http.StatusFound || err != nil {
		return "", fmt.Errorf("GET %s: want a 302 with a Location, got %d %s", u, res.StatusCode, b)
	}
	return loc.String(), nil
}

// do sends one request and returns its body, failing unless the status is
// want.
func (c *setupClient) do(ctx context.Context, method, u string, body io.Reader, want int, prepare func(*http.Request)) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	prepare(req)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != want {
		return nil, fmt.Errorf("%s %s: want %d, got %d %s", method, u, want, res.StatusCode, b)
	}
	return b, nil
}
