package dashboard

import (
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/emulator"
	"github.com/sandbank/sandbank/emulator/client"
	"github.com/sandbank/sandbank/emulator/httpapi"
)

// changeClock advances, sets, freezes or unfreezes the tenant's clock. The
// clock forms each send one field: by (a button's value or the typed
// duration), at, freeze or unfreeze.
func (d *Dashboard) changeClock(w http.ResponseWriter, r *http.Request) error {
	key := httpapi.Var(r, "key")
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	var in client.ClockChange
	var what string
	switch {
	case f.Has("by"):
		in.By = strings.TrimSpace(f.Get("by"))
		if in.By == "" {
			return d.refuse(w, r, key, "clock-by", emulator.FieldError(emulator.CodeMissing, "by", "Type a duration to advance by, such as 90d, 36h or 1h30m."))
		}
		what = "Clock advanced by " + in.By
	case f.Has("at"):
		if strings.TrimSpace(f.Get("at")) == "" {
			return d.refuse(w, r, key, "clock-at", emulator.FieldError(emulator.CodeMissing, "at", "Choose the date and time to set the clock to."))
		}
		at, err := parseInstant(f.Get("at"))
		if err != nil {
			return d.refuse(w, r, key, "clock-at", badInput("at", "%v.", err))
		}
		in.At = &at
		what = "Clock set"
	case f.Has("freeze"):
		in.Freeze, what = true, "Clock frozen"
	case f.Has("unfreeze"):
		in.Unfreeze, what = true, "Clock running again"
	default:
		return d.refuse(w, r, key, "", emulator.Errorf(emulator.CodeMissing, "Use one of the clock's buttons."))
	}
	c, err := d.ctl.ChangeClock(r.Context(), key, in)
	if err != nil {
		form := "clock-by"
		if in.At != nil {
			form = "clock-at"
		}
		return d.refuse(w, r, key, form, err)
	}
	msg := what + ": now " + stamp(c.Now).String()
	if c.EventsRun > 0 {
		msg += ", " + plural(c.EventsRun, "due event", "due events") + " ran"
	}
	return done(w, r, tenantPath(key), msg, "clock")
}

// actOnSCA approves, denies or expires a pending journey, as the control
// plane does for headless tests (DESIGN.md §5).
func (d *Dashboard) actOnSCA(w http.ResponseWriter, r *http.Request) error {
	key, id, verb := httpapi.Var(r, "key"), httpapi.Var(r, "id"), httpapi.Var(r, "verb")
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	var (
		s   client.SCA
		err error
	)
	switch verb {
	case "approve":
		s, err = d.ctl.ApproveSCA(ctx, key, id, client.SCAApproval{Bank: strings.TrimSpace(r.PostForm.Get("bank"))})
	case "deny":
		s, err = d.ctl.DenySCA(ctx, key, id)
	default: // the route allows expire only besides these
		s, err = d.ctl.ExpireSCA(ctx, key, id)
	}
	if err != nil {
		return d.refuse(w, r, key, "sca", err)
	}
	msg := "Journey " + s.ID + " "
	switch {
	case verb == "approve" && s.Connection != "":
		msg += "approved: connection " + s.Connection
	case verb == "approve":
		msg += "approved"
	case verb == "deny":
		msg += "denied"
	default:
		msg += "expired"
	}
	return done(w, r, tenantPath(key), msg, "sca")
}
