package emulator

import "time"

// Importing is how Kontomatik gives data: a client opens a session on a
// signed-in bank connection, starts an import command on it, and polls
// the command until it has run. A standing consent (Kontomatik's Multiple
// Access) lets the client open later sessions without the user.

// AccessMode is what a sign-in leaves behind: one session (single), or a
// standing consent that opens more (multiple; mixed is both at once).
type AccessMode string

// Access modes.
const (
	AccessSingle   AccessMode = "SINGLE"
	AccessMultiple AccessMode = "MULTIPLE"
	AccessMixed    AccessMode = "MIXED"
)

// Standing reports whether the mode leaves a standing consent.
func (m AccessMode) Standing() bool { return m == AccessMultiple || m == AccessMixed }

// Redirection is a sign-in the client started for a user: the journey on
// the provider's pages and what the client asked for.
type Redirection struct {
	ID              string // the journey's SCASession id
	Dialect         string // which contract started it, for the redirect back
	RedirectURI     string
	OwnerExternalID string
	Country         string
	Locale          string
	Mode            AccessMode
	// SessionID is reserved when the redirection starts (the given
	// contract hands it out then) and usable once the user has signed in;
	// ConsentID is set then, in MULTIPLE and MIXED modes.
	SessionID string
	ConsentID string
}

// ImportSession is a signed-in bank session data can be imported from.
type ImportSession struct {
	ID              string // decimal, as Kontomatik's
	ConnectionID    string
	OwnerExternalID string
	// ConsentID is the standing consent the session was opened on, or the
	// one its sign-in created.
	ConsentID string
	// HistoryFrom is the earliest booking day it may import ("" for all):
	// sessions reopened on a standing consent see the last 90 days only.
	HistoryFrom string
	Imported    bool
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Expired reports whether the session has run out at now.
func (s ImportSession) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// StandingConsent is a consent to open sessions without the user, until it
// expires or the client revokes it.
type StandingConsent struct {
	ID           string
	ConnectionID string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
}

// Usable reports whether the consent can open a session at now.
func (c StandingConsent) Usable(now time.Time) bool {
	return c.RevokedAt == nil && now.Before(c.ExpiresAt)
}

// CommandState is where an import command is.
type CommandState string

// Command states, in order.
const (
	CommandQueued    CommandState = "queued"
	CommandRunning   CommandState = "running"
	CommandSucceeded CommandState = "succeeded"
	CommandFailed    CommandState = "failed"
)

// ImportCommand is a background import. Its state follows from the tenant
// clock: queued until StartsAt, running until DoneAt, then succeeded, or
// failed when a scenario made it fail (Failure names the provider's
// exception).
type ImportCommand struct {
	ID             string // decimal
	SessionID      string
	Name           string
	Since          string // YYYY-MM-DD, "" for the whole history the session allows
	Failure        string
	FailureMessage string
	Fatal          bool // a failure Kontomatik reports as "fatal", not "error"
	CreatedAt      time.Time
	StartsAt       time.Time
	DoneAt         time.Time
}

// State is the command's state at now.
func (c ImportCommand) State(now time.Time) CommandState {
	switch {
	case now.Before(c.StartsAt):
		return CommandQueued
	case now.Before(c.DoneAt):
		return CommandRunning
	case c.Failure != "":
		return CommandFailed
	}
	return CommandSucceeded
}

// Progress is how far the command has run at now, 0 to 100.
func (c ImportCommand) Progress(now time.Time) int {
	switch c.State(now) {
	case CommandQueued:
		return 0
	case CommandRunning:
		total := c.DoneAt.Sub(c.StartsAt)
		if total <= 0 {
			return 100
		}
		return int(100 * now.Sub(c.StartsAt) / total)
	}
	return 100
}
