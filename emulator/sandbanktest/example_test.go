package sandbanktest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/sandbanktest"
)

// A test suite starts Sandbank in-process, points its Fintecture client at
// the base URL, and reads what happened in the journal. In a test, use
// sandbanktest.Start(t), which stops Sandbank when the test ends.
func Example() {
	ctx := context.Background()
	sb, err := sandbanktest.New(ctx, sandbanktest.Options{})
	if err != nil {
		panic(err)
	}
	defer sb.Close()

	// The application under test asks for a token, as it would from
	// Fintecture itself.
	form := url.Values{"grant_type": {"client_credentials"}, "app_id": {"my-app"}, "scope": {"customers"}}
	req, _ := http.NewRequest(http.MethodPost, sb.BaseURL("fintecture")+"/oauth/accesstoken", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("my-app", "my-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println("token:", res.StatusCode)

	// The control plane sees the tenant the app_id created and its journal,
	// with the secret masked.
	key := sb.TenantKey(emulator.Fintecture, "my-app")
	entries, err := sb.Client.Journal(ctx, key, client.JournalQuery{})
	if err != nil {
		panic(err)
	}
	fmt.Println("journal:", entries[0].Operation, entries[0].Status, entries[0].Request.Header["Authorization"][0])
	// Output:
	// token: 200
	// journal: createAccessToken 200 Basic ****
}
