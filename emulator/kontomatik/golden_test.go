package kontomatik_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/emulator/client"
)

// shape is an XML element reduced to its structure: its name, its
// attribute names and its child elements, in document order. Repeated
// siblings of one name are merged into one shape.
type shape struct {
	name     string
	attrs    []string
	optAttrs map[string]bool
	children []*shape
	optional bool
}

func (s *shape) child(name string) *shape {
	for _, c := range s.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// merge adds o's attributes and children to s, keeping s's order and
// placing new names after the last name they follow in o.
func (s *shape) merge(o *shape) {
	s.attrs = mergeNames(s.attrs, o.attrs)
	for _, oc := range o.children {
		if c := s.child(oc.name); c != nil {
			c.merge(oc)
			continue
		}
		s.children = append(s.children, oc)
	}
}

func mergeNames(a, b []string) []string {
	for _, n := range b {
		if !slices.Contains(a, n) {
			a = append(a, n)
		}
	}
	return a
}

// readShape parses one XML document into its shape. The marker attribute
// sandbank-optional and attribute values "?" say what the captured shape
// does not require.
func readShape(t *testing.T, r io.Reader) *shape {
	t.Helper()
	d := xml.NewDecoder(r)
	var stack []*shape
	var root *shape
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			s := &shape{name: el.Name.Local, optAttrs: map[string]bool{}}
			for _, a := range el.Attr {
				switch {
				case a.Name.Space == "xmlns" || a.Name.Local == "xmlns":
				case a.Name.Local == "sandbank-optional":
					s.optional = a.Value == "true"
				default:
					s.attrs = append(s.attrs, a.Name.Local)
					if a.Value == "?" {
						s.optAttrs[a.Name.Local] = true
					}
				}
			}
			if len(stack) == 0 {
				root = s
			} else if parent := stack[len(stack)-1]; parent.child(s.name) != nil {
				parent.child(s.name).merge(s)
			} else {
				parent.children = append(parent.children, s)
			}
			stack = append(stack, s)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		t.Fatal("no root element")
	}
	return root
}

// conform lists how got departs from the captured shape want: names the
// capture does not have, names out of the captured order, and required
// names missing.
func conform(got, want *shape, path string) []string {
	var diffs []string
	at := path + "/" + got.name
	if got.name != want.name {
		return []string{fmt.Sprintf("%s: element <%s>, captured <%s>", path, got.name, want.name)}
	}
	diffs = append(diffs, ordered(at, "attribute", got.attrs, want.attrs)...)
	for _, a := range want.attrs {
		if !want.optAttrs[a] && !slices.Contains(got.attrs, a) {
			diffs = append(diffs, fmt.Sprintf("%s: attribute %s is missing", at, a))
		}
	}
	var names, wantNames []string
	for _, c := range got.children {
		names = append(names, c.name)
	}
	for _, c := range want.children {
		wantNames = append(wantNames, c.name)
	}
	diffs = append(diffs, ordered(at, "element", names, wantNames)...)
	for _, wc := range want.children {
		gc := got.child(wc.name)
		if gc == nil {
			if !wc.optional {
				diffs = append(diffs, fmt.Sprintf("%s: element <%s> is missing", at, wc.name))
			}
			continue
		}
		diffs = append(diffs, conform(gc, wc, at)...)
	}
	return diffs
}

// ordered checks that every name in got is in want, in want's order.
func ordered(at, kind string, got, want []string) []string {
	var diffs []string
	last := -1
	for _, n := range got {
		i := slices.Index(want, n)
		switch {
		case i < 0:
			diffs = append(diffs, fmt.Sprintf("%s: %s %s is not in the captured shape", at, kind, n))
		case i < last:
			diffs = append(diffs, fmt.Sprintf("%s: %s %s comes after %s, the capture has it before", at, kind, n, want[last]))
		default:
			last = i
		}
	}
	return diffs
}

// TestLiveRepliesHaveTheCapturedShapes compares every kind of live reply
// with the shape captured from the real API (testdata/captured, notes §2):
// element and attribute names, their order, and the reply status that
// mirrors the HTTP status.
func TestLiveRepliesHaveTheCapturedShapes(t *testing.T) {
	h := newHarness(t)
	if _, err := h.In.Control.CreateTenant(t.Context(), client.NewTenant{Provider: "kontomatik", Credential: "failing-key-01", Scenario: "command_failing"}); err != nil {
		t.Fatal(err)
	}
	check := func(name string, r resp, status int) {
		t.Helper()
		r.reply(t, status) // the status attribute mirrors the HTTP status
		f, err := os.Open(filepath.Join("testdata", "captured", name+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if diffs := conform(readShape(t, bytes.NewReader(r.Body)), readShape(t, f), ""); len(diffs) > 0 {
			t.Errorf("%s departs from the captured shape:\n  %s\nreply: %s", name, strings.Join(diffs, "\n  "), r.Body)
		}
	}
	post := func(path string, f url.Values) resp { return h.do(req{url: live + path, form: f}) }

	check("unauthorized", h.do(req{url: live + "/catalog.xml", noKey: true}), 401)
	check("catalog", h.do(req{url: live + "/catalog.xml"}), 200)

	mock := post("/mock-session.xml", url.Values{"login": {"test"}, "multipleAccess": {"true"}, "ownerExternalId": {"crm-7"}})
	check("session", mock, 200)
	s := mock.reply(t, 200).Session
	reuse := post("/command/reuse-multiple-access.xml", url.Values{"multipleAccessId": {s.MultipleAccessID}})
	check("session", reuse, 200)

	started := post("/command/default-import.xml", url.Values{"sessionId": {s.ID}, "sessionIdSignature": {s.Signature}, "since": {"2026-01-01"}})
	check("command-started", started, 202)
	cmd := live + "/command/" + started.reply(t, 202).Command.ID + ".xml"
	h.Clock.Advance(2 * time.Second)
	check("command-started", h.do(req{url: cmd}), 200) // in_progress has the started shape
	h.Clock.Advance(time.Minute)
	done := h.do(req{url: cmd})
	check("command-successful", done, 200)
	if rep := done.reply(t, 200); len(rep.Command.Accounts) == 0 || len(rep.Command.Accounts[0].Transactions) == 0 {
		t.Fatalf("the successful import has no transactions to compare: %s", done.Body)
	}

	// The KontoBank test PSU's captured account, with its co-owner.
	plain := post("/mock-session.xml", url.Values{"login": {"test"}}).reply(t, 200).Session
	kb := h.importNow(plain.ID, plain.Signature, nil)
	kbDone := h.do(req{url: live + "/command/" + kb.Command.ID + ".xml"})
	check("command-successful", kbDone, 200)
	if !bytes.Contains(kbDone.Body, []byte("<kind>CO_OWNER</kind>")) || !bytes.Contains(kbDone.Body, []byte("Tadeusz Krajowy")) {
		t.Errorf("KontoBank's captured co-owner is missing: %s", kbDone.Body)
	}

	check("exception", post("/command/default-import.xml", url.Values{"sessionId": {"999999999"}, "sessionIdSignature": {sigOf(t, h, "999999999")}}), 404)
	check("exception", post("/command/default-import.xml", url.Values{"sessionId": {plain.ID}, "sessionIdSignature": {strings.Repeat("0", 64)}}), 400)
	check("empty", post("/command/delete-multiple-access.xml", url.Values{"multipleAccessId": {s.MultipleAccessID}}), 200)
	check("exception", post("/command/reuse-multiple-access.xml", url.Values{"multipleAccessId": {s.MultipleAccessID}}), 400)

	as := func(r req) resp { r.header = map[string]string{"X-Api-Key": "failing-key-01"}; return h.do(r) }
	fs := as(req{url: live + "/mock-session.xml", form: url.Values{"login": {"test"}}}).reply(t, 200).Session
	fstart := as(req{url: live + "/command/default-import.xml", form: url.Values{"sessionId": {fs.ID}, "sessionIdSignature": {fs.Signature}}}).reply(t, 202)
	h.Clock.Advance(time.Minute)
	check("command-error", as(req{url: live + "/command/" + fstart.Command.ID + ".xml"}), 200)
}

// TestShapeComparison proves the comparison fails on the departures it
// exists to catch.
func TestShapeComparison(t *testing.T) {
	want := readShape(t, strings.NewReader(`<reply status="" user="?"><session id="" signature=""/><comment sandbank-optional="true"/></reply>`))
	for _, c := range []struct{ doc, diff string }{
		{`<reply status="x"><session id="1" signature="s"/></reply>`, ""},
		{`<reply user="u" status="x"><session id="1" signature="s"/></reply>`, "comes after"},
		{`<reply status="x"><session id="1"/></reply>`, "attribute signature is missing"},
		{`<reply status="x"></reply>`, "element <session> is missing"},
		{`<reply status="x"><session id="1" signature="s" extra="e"/></reply>`, "attribute extra is not in the captured shape"},
		{`<reply status="x"><session id="1" signature="s"/><other/></reply>`, "element other is not in the captured shape"},
		{`<reply status="x"><comment/><session id="1" signature="s"/></reply>`, "comes after"},
	} {
		diffs := strings.Join(conform(readShape(t, strings.NewReader(c.doc)), want, ""), "; ")
		if (c.diff == "") != (diffs == "") || !strings.Contains(diffs, c.diff) {
			t.Errorf("%s: diffs %q, want one containing %q", c.doc, diffs, c.diff)
		}
	}
}
