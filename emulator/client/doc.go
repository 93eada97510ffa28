// Package client is the typed Go client of Sandbank's control plane
// (/_sandbank). The CLI, the dashboard's tests and users' own Go tests use
// it; its types are the control plane's wire format, shared with the
// server by construction.
package client
