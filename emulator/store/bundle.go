package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sandbank/sandbank/emulator"
)

// A bundle carries one tenant's whole state to another Sandbank, so a
// developer can replay the exact case QA saw. The dump is generic on
// purpose: it discovers the tenant tables and their columns from the
// database at run time, so a migration that adds a column or a table is
// carried without touching this file.

// TenantDump is one tenant's whole state as data: its tenants row, its
// clock and every row of every table that belongs to it.
type TenantDump struct {
	Provider   emulator.Provider `json:"provider"`
	Credential string            `json:"credential"`
	// Tenant is the tenants row without the columns the import sets
	// itself (id, provider, credential, key, clock_offset, frozen_at).
	Tenant map[string]any `json:"tenant"`
	// Now is the tenant's clock at export; the import sets the new
	// tenant's clock so that it reads Now at import.
	Now time.Time `json:"now"`
	// Frozen says the tenant's clock stood still at export; it stays
	// frozen at Now after import.
	Frozen bool        `json:"frozen"`
	Tables []TableDump `json:"tables"`
}

// TableDump holds the tenant's rows of one table, in rowid order, without
// the tenant_id column and without an INTEGER PRIMARY KEY (the importing
// database assigns new ones, in the same order).
//
// Values are what SQLite stores: nil, int64, float64, string or []byte.
// In JSON, INTEGER is a number without a fraction, REAL a number that
// always has one ("1.0"), TEXT a string, NULL null, and a BLOB
// {"blob":"<base64>"}; TEXT that is not valid UTF-8 is
// {"text_base64":"<base64>"} and an infinite REAL {"real":"+Inf"}, as
// JSON has no exact form for either. Every value survives the round trip
// bit for bit, int64 timestamps above 2^53 included.
type TableDump struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// ImportOptions tune ImportTenant.
type ImportOptions struct {
	// Credential imports the tenant under another credential; empty keeps
	// the dump's.
	Credential string
	// Replace deletes an existing tenant with that credential first;
	// without it an existing tenant is a CodeConflict.
	Replace bool
}

// importSets are the tenants columns the import computes for the target
// database, so a dump never carries them.
var importSets = []string{"id", "provider", "credential", "key", "clock_offset", "frozen_at"}

// ExportTenant dumps the tenant's state in one read transaction, so the
// dump is a consistent snapshot even while the tenant keeps serving.
func (s *Store) ExportTenant(ctx context.Context, t *emulator.Tenant) (*TenantDump, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // read-only: there is nothing to commit
	sc, err := loadSchema(ctx, tx)
	if err != nil {
		return nil, err
	}
	d := &TenantDump{Provider: t.Provider, Credential: t.Credential, Now: s.Now(t), Frozen: t.Clock.FrozenAt != nil}

	tenants := sc.byName["tenants"]
	cols := columnsExcept(tenants.columns, importSets)
	rows, err := selectRows(ctx, tx, tenants, cols, `"id" = ?`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("export tenants: %w", err)
	}
	if len(rows) == 0 {
		return nil, emulator.NotFound("tenant", t.Credential)
	}
	d.Tenant = make(map[string]any, len(cols))
	for i, c := range cols {
		d.Tenant[c] = rows[0][i]
	}

	d.Tables = []TableDump{}
	for _, tb := range sc.tenantTables() {
		cols := columnsExcept(tb.columns, []string{"tenant_id", tb.rowidAlias})
		rows, err := selectRows(ctx, tx, tb, cols, `"tenant_id" = ?`, t.ID)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", tb.name, err)
		}
		d.Tables = append(d.Tables, TableDump{Name: tb.name, Columns: cols, Rows: rows})
	}
	return d, nil
}

// ImportTenant creates a tenant from a dump in one write transaction and
// returns it, its clock reading d.Now. A table or column this database
// lacks (a bundle from a newer Sandbank) is a CodeInvalid naming it;
// columns the dump lacks take their defaults. An existing tenant with the
// credential is a CodeConflict unless opts.Replace. A failed import
// changes nothing, not even a tenant it was to replace.
func (s *Store) ImportTenant(ctx context.Context, d *TenantDump, opts ImportOptions) (*emulator.Tenant, error) {
	if d == nil {
		return nil, emulator.Errorf(emulator.CodeInvalid, "no tenant dump")
	}
	credential := opts.Credential
	if credential == "" {
		credential = d.Credential
	}
	if err := validateDump(d, credential); err != nil {
		return nil, err
	}
	var out *emulator.Tenant
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sc, err := loadSchema(ctx, tx)
		if err != nil {
			return err
		}
		tables, err := planImport(sc, d)
		if err != nil {
			return err
		}
		old, err := findTenant(ctx, tx, d.Provider, credential)
		switch {
		case err == nil && !opts.Replace:
			return emulator.Errorf(emulator.CodeConflict, "%s tenant %q exists already; import with replace to overwrite it", d.Provider, credential)
		case err == nil:
			if _, err := deleteTenantRows(ctx, tx, sc, old.ID); err != nil {
				return err
			}
		case !emulator.IsCode(err, emulator.CodeNotFound):
			return err
		}
		id, err := insertTenantRow(ctx, tx, d, credential, s.clock.Now())
		if err != nil {
			return importError("tenants", err)
		}
		for _, td := range tables {
			if err := insertRows(ctx, tx, id, td); err != nil {
				return importError(td.Name, err)
			}
		}
		if err := checkImportedApp(ctx, tx, id); err != nil {
			return err
		}
		// Read back through the same scan as Tenant, so the result is
		// exactly what a later lookup gives.
		out, err = findTenant(ctx, tx, d.Provider, credential)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A replaced tenant's cache entry points at the deleted row; the new
	// one takes its place.
	s.cache(out)
	return out, nil
}

// DeleteTenant removes a tenant and every row it owns in one transaction.
func (s *Store) DeleteTenant(ctx context.Context, t *emulator.Tenant) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sc, err := loadSchema(ctx, tx)
		if err != nil {
			return err
		}
		n, err := deleteTenantRows(ctx, tx, sc, t.ID)
		if err == nil && n == 0 {
			return emulator.NotFound("tenant", t.Credential)
		}
		return err
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	// Only this tenant's entry goes: a stale t must not evict a newer
	// tenant with the same credential.
	if c, ok := s.tenants[tenantKey(t.Provider, t.Credential)]; ok && c.ID == t.ID {
		delete(s.tenants, tenantKey(t.Provider, t.Credential))
	}
	s.mu.Unlock()
	return nil
}

func validateDump(d *TenantDump, credential string) error {
	switch d.Provider {
	case emulator.Fintecture, emulator.FinqLink, emulator.Kontomatik:
	default:
		return emulator.FieldError(emulator.CodeInvalid, "provider", "unknown provider %q", d.Provider)
	}
	if credential == "" {
		return emulator.FieldError(emulator.CodeMissing, "credential", "a tenant needs a credential")
	}
	if d.Now.IsZero() {
		return emulator.FieldError(emulator.CodeInvalid, "now", "the dump has no tenant clock")
	}
	return nil
}

// planImport checks every table and column of the dump against this
// database before anything is written, and orders the tables as this
// database created them, which puts parents before children.
func planImport(sc dbSchema, d *TenantDump) ([]TableDump, error) {
	tenants := sc.byName["tenants"]
	for k := range d.Tenant {
		if slices.Contains(importSets, k) {
			return nil, emulator.FieldError(emulator.CodeInvalid, "tenants."+k, "the import sets this column itself")
		}
		if !slices.Contains(tenants.columns, k) {
			return nil, unknownColumn("tenants", k)
		}
	}
	pos := map[string]int{}
	for i, tb := range sc.tenantTables() {
		pos[tb.name] = i
	}
	seen := map[string]bool{}
	for _, td := range d.Tables {
		if _, ok := pos[td.Name]; !ok {
			return nil, emulator.FieldError(emulator.CodeInvalid, td.Name, "this database has no tenant table %q (a bundle from a newer Sandbank?)", td.Name)
		}
		if seen[td.Name] {
			return nil, emulator.FieldError(emulator.CodeInvalid, td.Name, "the table appears twice in the dump")
		}
		seen[td.Name] = true
		if err := checkColumns(sc.byName[td.Name], td); err != nil {
			return nil, err
		}
	}
	out := append([]TableDump(nil), d.Tables...)
	sort.SliceStable(out, func(i, j int) bool { return pos[out[i].Name] < pos[out[j].Name] })
	return out, nil
}

func checkColumns(tb *schemaTable, td TableDump) error {
	seen := map[string]bool{}
	for _, c := range td.Columns {
		field := td.Name + "." + c
		switch {
		case seen[c]:
			return emulator.FieldError(emulator.CodeInvalid, field, "the column appears twice in the dump")
		case c == "tenant_id" || c == tb.rowidAlias:
			return emulator.FieldError(emulator.CodeInvalid, field, "the import assigns this column itself")
		case !slices.Contains(tb.columns, c):
			return unknownColumn(td.Name, c)
		}
		seen[c] = true
	}
	for i, r := range td.Rows {
		if len(r) != len(td.Columns) {
			return emulator.FieldError(emulator.CodeInvalid, td.Name, "row %d has %d values for %d columns", i, len(r), len(td.Columns))
		}
	}
	return nil
}

func unknownColumn(table, column string) error {
	return emulator.FieldError(emulator.CodeInvalid, table+"."+column, "this database has no column %s.%s (a bundle from a newer Sandbank?)", table, column)
}

// insertTenantRow inserts the tenants row with the key recomputed for the
// target credential and a clock that reads d.Now at import.
func insertTenantRow(ctx context.Context, tx *sql.Tx, d *TenantDump, credential string, real time.Time) (int64, error) {
	// The offset is set even for a frozen clock, so a tenant unfrozen
	// later runs on from about where it stood instead of jumping to real
	// time.
	var frozen any
	if d.Frozen {
		frozen = ns(d.Now)
	}
	cols := []string{"provider", "credential", "key", "clock_offset", "frozen_at"}
	vals := []any{d.Provider, credential, emulator.TenantKey(d.Provider, credential), int64(d.Now.Sub(real)), frozen}
	keys := make([]string, 0, len(d.Tenant))
	for k := range d.Tenant {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := normalize(d.Tenant[k])
		if err != nil {
			return 0, fmt.Errorf("tenants.%s: %w", k, err)
		}
		cols, vals = append(cols, k), append(vals, v)
	}
	res, err := tx.ExecContext(ctx, insertSQL("tenants", cols), vals...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// insertRows inserts one table's rows, in dump order, so an INTEGER
// PRIMARY KEY the database assigns keeps their relative order.
func insertRows(ctx context.Context, tx *sql.Tx, tenantID int64, td TableDump) error {
	if len(td.Rows) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, insertSQL(td.Name, append([]string{"tenant_id"}, td.Columns...)))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, len(td.Columns)+1)
	args[0] = tenantID
	for _, r := range td.Rows {
		for i, v := range r {
			if args[i+1], err = normalize(v); err != nil {
				return fmt.Errorf("%s.%s: %w", td.Name, td.Columns[i], err)
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// importError makes a constraint the dump itself breaks (a required value
// missing, a row pointing at one the dump lacks) a CodeInvalid naming the
// table; other errors pass on to translate.
func importError(table string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return emulator.FieldError(emulator.CodeInvalid, table, "the bundle breaks a constraint of this database: %v", se)
		}
	}
	return err
}

// checkImportedApp refuses a bundle whose app settings this Sandbank would
// refuse through the control plane (a key that does not parse, signatures
// required without a key), so an import cannot store what SetApp would not.
func checkImportedApp(ctx context.Context, tx *sql.Tx, id int64) error {
	var raw string
	if err := tx.QueryRowContext(ctx, `SELECT "app" FROM "tenants" WHERE "id" = ?`, id).Scan(&raw); err != nil {
		return err
	}
	a, err := decodeApp(raw)
	if err == nil {
		err = a.Validate()
	}
	if err == nil {
		return nil
	}
	msg := err.Error()
	if e := new(emulator.Error); errors.As(err, &e) {
		msg = e.Field + ": " + e.Message
	}
	return emulator.FieldError(emulator.CodeInvalid, "tenants.app", "the bundle's app settings are refused: %s", msg)
}

// deleteTenantRows deletes the tenant's rows table by table, children
// first, and then its tenants row. ON DELETE CASCADE would do most of it,
// but a table added without that clause would otherwise keep rows that a
// new tenant reusing the id would inherit. It returns how many tenants
// rows went (0 or 1).
func deleteTenantRows(ctx context.Context, tx *sql.Tx, sc dbSchema, id int64) (int64, error) {
	if err := clearRows(ctx, tx, sc, id); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM "tenants" WHERE "id" = ?`, id)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// clearRows deletes the rows a tenant owns in every tenant table, children
// first, leaving its tenants row.
func clearRows(ctx context.Context, tx *sql.Tx, sc dbSchema, id int64) error {
	tables := sc.tenantTables()
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(tables[i].name)+` WHERE "tenant_id" = ?`, id); err != nil {
			return fmt.Errorf("delete %s: %w", tables[i].name, err)
		}
	}
	return nil
}

// dbSchema is the database's tables as SQLite describes them, in creation
// order.
type dbSchema struct {
	tables []*schemaTable
	byName map[string]*schemaTable
}

type schemaTable struct {
	name    string
	columns []string // in declaration order
	// rowidAlias is the INTEGER PRIMARY KEY column, whose values the
	// database assigns; "" when the table has none.
	rowidAlias   string
	pk           []string // primary key columns in key order
	withoutRowID bool
}

// tenantTables lists the tables whose rows belong to a tenant, in creation
// order. tenants itself is not one of them.
func (sc dbSchema) tenantTables() []*schemaTable {
	var out []*schemaTable
	for _, tb := range sc.tables {
		if tb.name != "tenants" && slices.Contains(tb.columns, "tenant_id") {
			out = append(out, tb)
		}
	}
	return out
}

// loadSchema reads the tables from sqlite_master, whose rowid order is
// creation order, and their columns from PRAGMA table_info.
func loadSchema(ctx context.Context, q queryer) (dbSchema, error) {
	sc := dbSchema{byName: map[string]*schemaTable{}}
	rows, err := q.QueryContext(ctx, `SELECT m.name, l.wr FROM sqlite_master m
		JOIN pragma_table_list l ON l.schema = 'main' AND l.name = m.name
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY m.rowid`)
	if err != nil {
		return sc, fmt.Errorf("read schema: %w", err)
	}
	for rows.Next() {
		tb := &schemaTable{}
		if err := rows.Scan(&tb.name, &tb.withoutRowID); err != nil {
			rows.Close()
			return sc, err
		}
		sc.tables = append(sc.tables, tb)
		sc.byName[tb.name] = tb
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sc, err
	}
	for _, tb := range sc.tables {
		if err := loadColumns(ctx, q, tb); err != nil {
			return sc, fmt.Errorf("read schema of %s: %w", tb.name, err)
		}
	}
	if sc.byName["tenants"] == nil {
		return sc, errors.New("read schema: no tenants table")
	}
	return sc, nil
}

func loadColumns(ctx context.Context, q queryer, tb *schemaTable) error {
	rows, err := q.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, tb.name)
	if err != nil {
		return err
	}
	defer rows.Close()
	type pkCol struct {
		name, typ string
		pos       int
	}
	var pks []pkCol
	for rows.Next() {
		var c pkCol
		if err := rows.Scan(&c.name, &c.typ, &c.pos); err != nil {
			return err
		}
		tb.columns = append(tb.columns, c.name)
		if c.pos > 0 {
			pks = append(pks, c)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sort.Slice(pks, func(i, j int) bool { return pks[i].pos < pks[j].pos })
	for _, c := range pks {
		tb.pk = append(tb.pk, c.name)
	}
	// A lone primary key declared exactly INTEGER aliases the rowid
	// (https://sqlite.org/lang_createtable.html#rowid); "INT" or
	// "BIGINT" do not, and a WITHOUT ROWID table has no rowid at all.
	if len(pks) == 1 && strings.EqualFold(pks[0].typ, "INTEGER") && !tb.withoutRowID {
		tb.rowidAlias = pks[0].name
	}
	return nil
}

// selectRows reads the rows of tb matching where, in rowid order (key
// order for a WITHOUT ROWID table).
func selectRows(ctx context.Context, q queryer, tb *schemaTable, cols []string, where string, arg any) ([][]any, error) {
	// Unary + makes each column an expression: SQLite then reports no
	// declared type, and the driver hands back the stored value as it is
	// instead of turning TEXT in a DATE/DATETIME column into time.Time.
	list := make([]string, len(cols))
	for i, c := range cols {
		list[i] = "+" + quoteIdent(c)
	}
	if len(list) == 0 {
		list = []string{"NULL"} // a table of nothing but keys still has rows
	}
	order := "rowid"
	if tb.withoutRowID {
		order = quoteIdents(tb.pk)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+strings.Join(list, ", ")+` FROM `+quoteIdent(tb.name)+` WHERE `+where+` ORDER BY `+order, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := [][]any{}
	for rows.Next() {
		vals := make([]any, len(list))
		ptrs := make([]any, len(list))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			vals[i], _ = normalize(v)
		}
		out = append(out, vals[:len(cols)])
	}
	return out, rows.Err()
}

func insertSQL(table string, cols []string) string {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	return `INSERT INTO ` + quoteIdent(table) + ` (` + quoteIdents(cols) + `) VALUES (` + marks + `)`
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteIdents(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quoteIdent(s)
	}
	return strings.Join(q, ", ")
}

func columnsExcept(ss, drop []string) []string {
	out := []string{}
	for _, s := range ss {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

// normalize maps a dump value onto the five SQLite storage classes. A
// dump read from a database or from JSON holds those already; one built
// by hand may hold other Go integers or a bool.
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case nil, int64, float64, string:
		return v, nil
	case []byte:
		// The driver scans an empty BLOB as a nil slice but binds a nil
		// slice as NULL: typed, it is a BLOB, so it stays one.
		if v == nil {
			return []byte{}, nil
		}
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case float32:
		return float64(v), nil
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case json.Number:
		return parseNumber(string(v))
	}
	return nil, fmt.Errorf("%T is not a SQLite value", v)
}
