package control

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/faults"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// Handlers for the journal, fault rules and bundles.

func (a *api) journal(w http.ResponseWriter, r *http.Request) error {
	q, err := journalQuery(r)
	if err != nil {
		return err
	}
	es, err := a.svc.Journal(r.Context(), httpapi.Var(r, "key"), q)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, client.JournalList{Entries: orEmpty(es)})
}

func (a *api) journalEntry(w http.ResponseWriter, r *http.Request) error {
	raw := httpapi.Var(r, "id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		// Not even the shape of an entry id: as unknown as any other.
		return emulator.NotFound("journal entry", raw)
	}
	e, err := a.svc.JournalEntry(r.Context(), httpapi.Var(r, "key"), id)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, e)
}

func (a *api) journalHAR(w http.ResponseWriter, r *http.Request) error {
	q, err := journalQuery(r)
	if err != nil {
		return err
	}
	key := httpapi.Var(r, "key")
	har, err := a.svc.JournalHAR(r.Context(), key, q)
	if err != nil {
		return err
	}
	// HAR is JSON already, written as the journal made it.
	w.Header().Set("Content-Type", "application/json")
	attachment(w, safeFilename("sandbank-"+key+"-journal.har"))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(har)
	return err
}

func (a *api) clearJournal(w http.ResponseWriter, r *http.Request) error {
	n, err := a.svc.ClearJournal(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, client.JournalCleared{Deleted: n})
}

// journalQuery reads and checks the journal filters of a request.
func journalQuery(r *http.Request) (client.JournalQuery, error) {
	v := r.URL.Query()
	q := client.JournalQuery{Operation: v.Get("operation"), Path: v.Get("path")}
	if m := v.Get("method"); m != "" {
		if strings.IndexFunc(m, func(c rune) bool { return (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') }) >= 0 {
			return q, emulator.FieldError(emulator.CodeInvalid, "method", "must be an HTTP method such as GET, got %q", m)
		}
		q.Method = strings.ToUpper(m)
	}
	if s := v.Get("status"); s != "" {
		st, ok := statusFilter(s)
		if !ok {
			return q, emulator.FieldError(emulator.CodeInvalid, "status", "must be a status such as 404 or a class such as 4xx, got %q", s)
		}
		q.Status = st
	}
	before, err := queryInt(r, "before", 0, 1, math.MaxInt64)
	if err != nil {
		return q, err
	}
	limit, err := queryInt(r, "limit", 0, 1, emulator.JournalLimitMax)
	if err != nil {
		return q, err
	}
	q.Before, q.Limit = before, int(limit)
	return q, nil
}

// statusFilter accepts an exact status (100–599) or a class ("4xx").
func statusFilter(s string) (string, bool) {
	s = strings.ToLower(s)
	if len(s) != 3 || s[0] < '1' || s[0] > '5' {
		return "", false
	}
	if s[1:] == "xx" {
		return s, true
	}
	return s, s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'
}

func (a *api) listFaults(w http.ResponseWriter, r *http.Request) error {
	fs, err := a.svc.Faults(r.Context(), r.URL.Query().Get("tenant"))
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusOK, client.FaultList{Faults: orEmpty(fs)})
}

func (a *api) addFault(w http.ResponseWriter, r *http.Request) error {
	var rule faults.Rule
	if err := decode(r, &rule, maxBody, false); err != nil {
		return err
	}
	f, err := a.svc.AddFault(r.Context(), rule)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusCreated, f)
}

func (a *api) removeFault(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RemoveFault(r.Context(), httpapi.Var(r, "id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (a *api) export(w http.ResponseWriter, r *http.Request) error {
	b, err := a.svc.Export(r.Context(), httpapi.Var(r, "key"))
	if err != nil {
		return err
	}
	attachment(w, safeFilename("sandbank-"+b.Tenant.Provider+"-"+b.Tenant.Key+".json"))
	return httpapi.JSON(w, http.StatusOK, b)
}

func (a *api) importBundle(w http.ResponseWriter, r *http.Request) error {
	replace, err := queryBool(r, "replace")
	if err != nil {
		return err
	}
	var b client.Bundle
	if err := decode(r, &b, maxBundle, false); err != nil {
		return err
	}
	t, err := a.svc.Import(r.Context(), b, r.URL.Query().Get("credential"), replace)
	if err != nil {
		return err
	}
	return httpapi.JSON(w, http.StatusCreated, client.Imported{Tenant: t})
}
