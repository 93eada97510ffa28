package main

// The app command: a tenant's app settings, what the provider's console
// holds for its API client (registered public key, signatures required).

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
)

// app shows or replaces a tenant's app settings: the public key its
// provider's console holds and whether requests must be signed.
func (c *cli) app(args []string) error {
	var file string
	var require, clear bool
	fs := c.flags()
	fs.StringVar(&file, "public-key", "", "a PEM file with the app's public key (PUBLIC KEY or RSA PUBLIC KEY)")
	fs.BoolVar(&require, "require-signatures", false, "requests must be signed (needs a registered key)")
	fs.BoolVar(&clear, "clear", false, "remove the key and the requirement")
	pos, err := c.parse(fs, args, -1, "", map[string][]string{"*": {"public-key", "require-signatures", "clear"}})
	if err != nil {
		return err
	}
	if err := c.args(pos, 1, "takes a tenant"); err != nil {
		return err
	}
	key := client.ResolveTenant(pos[0])
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var in client.App
	switch {
	case given["clear"] && (given["public-key"] || given["require-signatures"]):
		return c.usage("--clear takes no other setting")
	case given["clear"] && !clear:
		return c.usage("--clear=false clears nothing: leave it out")
	case given["clear"]:
		// The zero settings: no key, signatures optional.
	case given["public-key"]:
		if file == "" {
			return c.usage("--public-key names a PEM file")
		}
		text, err := readPublicKey(file)
		if err != nil {
			return err
		}
		in = client.App{PublicKey: text, RequireSignatures: require}
	case given["require-signatures"]:
		// Only the switch changes: the registered key stays.
		t, err := c.api.Tenant(c.ctx, key)
		if err != nil {
			return c.failed(err)
		}
		in = client.App{PublicKey: t.App.PublicKey, RequireSignatures: require}
	default:
		t, err := c.api.Tenant(c.ctx, key)
		if err != nil {
			return c.failed(err)
		}
		return c.showApp(t)
	}
	t, err := c.api.SetApp(c.ctx, key, in)
	if err != nil {
		return c.failed(err)
	}
	return c.showApp(t)
}

// readPublicKey reads a PEM public key file and checks it here first, so
// a private key given by mistake never leaves the machine.
func readPublicKey(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", &failure{err}
	}
	if _, err := emulator.ParsePublicKey(string(b)); err != nil {
		return "", &failure{fmt.Errorf("%s: %w", file, err)}
	}
	return string(b), nil
}

// showApp prints a tenant's app settings (--json: as the API shows them).
func (c *cli) showApp(t client.Tenant) error {
	return c.show(t.App, func(w io.Writer) {
		fmt.Fprintf(w, "key\t%s\n", t.Key)
		appLines(w, t.App)
	})
}

// appLines writes the app settings lines of a tenant's description.
func appLines(w io.Writer, a client.App) {
	key := "none registered"
	if a.Fingerprint != "" {
		key = a.Fingerprint
		if kind := (emulator.AppSettings{PublicKey: a.PublicKey}).KeyType(); kind != "" {
			key += " (" + kind + ")"
		}
	}
	signatures := "optional"
	if a.RequireSignatures {
		signatures = "required"
	}
	fmt.Fprintf(w, "public key\t%s\nsignatures\t%s\n", key, signatures)
}
