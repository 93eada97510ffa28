package emulator

import (
	"slices"
	"testing"
)

func TestCommandFailureFor(t *testing.T) {
	b := Behaviour{CommandFailures: []CommandFailure{
		{Login: "test", Exception: "InvalidCredentials"},
		{Login: "*", Exception: "SessionExpired"},
	}}
	if f, ok := b.CommandFailureFor("test"); !ok || f.Exception != "InvalidCredentials" {
		t.Fatalf("test: %+v %v", f, ok)
	}
	if f, ok := b.CommandFailureFor("anyone"); !ok || f.Exception != "SessionExpired" {
		t.Fatalf("anyone: %+v %v", f, ok)
	}
	if _, ok := (Behaviour{}).CommandFailureFor("test"); ok {
		t.Fatal("no rule: commands succeed")
	}
	// notes/kontomatik.md §7 names the exception of the captured failed
	// command; the list must keep it.
	if !slices.Contains(CommandExceptions, "SessionExpired") || len(CommandExceptions) != 21 {
		t.Fatalf("CommandExceptions: %v", CommandExceptions)
	}
}
