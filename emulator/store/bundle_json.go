package store

// The JSON encoding of tenant dumps: every SQLite value round-trips
// exactly (INTEGER as int64, REAL with a fraction, BLOB and non-UTF-8 text
// tagged), so a bundle imported elsewhere holds the same bytes.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MarshalJSON writes the tenants row values in the exact encoding
// TableDump describes.
func (d TenantDump) MarshalJSON() ([]byte, error) {
	type plain TenantDump
	var tenant map[string]sqlValue
	if d.Tenant != nil {
		tenant = make(map[string]sqlValue, len(d.Tenant))
		for k, v := range d.Tenant {
			tenant[k] = sqlValue{v}
		}
	}
	// The outer Tenant field shadows the embedded one.
	return json.Marshal(struct {
		plain
		Tenant map[string]sqlValue `json:"tenant"`
	}{plain(d), tenant})
}

// UnmarshalJSON reads what MarshalJSON writes, INTEGER values as int64.
func (d *TenantDump) UnmarshalJSON(b []byte) error {
	type plain TenantDump
	aux := struct {
		*plain
		Tenant map[string]sqlValue `json:"tenant"`
	}{plain: (*plain)(d)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	d.Tenant = nil
	if aux.Tenant != nil {
		d.Tenant = make(map[string]any, len(aux.Tenant))
		for k, v := range aux.Tenant {
			d.Tenant[k] = v.v
		}
	}
	return nil
}

// MarshalJSON writes the rows in the exact encoding the type describes.
func (t TableDump) MarshalJSON() ([]byte, error) {
	type plain TableDump
	rows := make([][]sqlValue, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]sqlValue, len(r))
		for j, v := range r {
			rows[i][j] = sqlValue{v}
		}
	}
	return json.Marshal(struct {
		plain
		Rows [][]sqlValue `json:"rows"`
	}{plain(t), rows})
}

// UnmarshalJSON reads what MarshalJSON writes, INTEGER values as int64.
func (t *TableDump) UnmarshalJSON(b []byte) error {
	type plain TableDump
	aux := struct {
		*plain
		Rows [][]sqlValue `json:"rows"`
	}{plain: (*plain)(t)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	t.Rows = make([][]any, len(aux.Rows))
	for i, r := range aux.Rows {
		t.Rows[i] = make([]any, len(r))
		for j, v := range r {
			t.Rows[i][j] = v.v
		}
	}
	return nil
}

// sqlValue is one SQLite value in a bundle's JSON; see TableDump for the
// encoding.
type sqlValue struct{ v any }

// taggedValue is the JSON object for values a JSON scalar cannot carry
// exactly. Exactly one field is set.
type taggedValue struct {
	Blob       *string `json:"blob,omitempty"`
	TextBase64 *string `json:"text_base64,omitempty"`
	Real       *string `json:"real,omitempty"`
}

func (x sqlValue) MarshalJSON() ([]byte, error) {
	v, err := normalize(x.v)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case int64:
		return strconv.AppendInt(nil, v, 10), nil
	case float64:
		switch {
		case math.IsInf(v, 1):
			return json.Marshal(taggedValue{Real: ptrTo("+Inf")})
		case math.IsInf(v, -1):
			return json.Marshal(taggedValue{Real: ptrTo("-Inf")})
		case math.IsNaN(v):
			return nil, errors.New("NaN is not a SQLite value") // SQLite stores NaN as NULL
		}
		// The shortest form that parses back to the same float; a
		// fraction marks it REAL even when the value is whole.
		b := strconv.AppendFloat(nil, v, 'g', -1, 64)
		if !bytes.ContainsAny(b, ".e") {
			b = append(b, ".0"...)
		}
		return b, nil
	case string:
		if !utf8.ValidString(v) {
			// encoding/json would replace the bad bytes with U+FFFD.
			return json.Marshal(taggedValue{TextBase64: ptrTo(base64.StdEncoding.EncodeToString([]byte(v)))})
		}
		return json.Marshal(v)
	case []byte:
		return json.Marshal(taggedValue{Blob: ptrTo(base64.StdEncoding.EncodeToString(v))})
	}
	return []byte("null"), nil
}

func (x *sqlValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errors.New("empty value")
	case string(b) == "null":
		x.v = nil
		return nil
	case b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		x.v = s
		return err
	case b[0] == '{':
		return x.unmarshalTagged(b)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		v, err := parseNumber(string(b))
		x.v = v
		return err
	}
	return fmt.Errorf("%s is not a SQLite value", b)
}

func (x *sqlValue) unmarshalTagged(b []byte) error {
	var tv taggedValue
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tv); err != nil {
		return fmt.Errorf("tagged value: %w", err)
	}
	switch {
	case tv.Blob != nil && tv.TextBase64 == nil && tv.Real == nil:
		blob, err := base64.StdEncoding.DecodeString(*tv.Blob)
		x.v = blob
		return err
	case tv.TextBase64 != nil && tv.Blob == nil && tv.Real == nil:
		text, err := base64.StdEncoding.DecodeString(*tv.TextBase64)
		x.v = string(text)
		return err
	case tv.Real != nil && tv.Blob == nil && tv.TextBase64 == nil:
		switch *tv.Real {
		case "+Inf":
			x.v = math.Inf(1)
			return nil
		case "-Inf":
			x.v = math.Inf(-1)
			return nil
		}
		return fmt.Errorf("real %q is not +Inf or -Inf", *tv.Real)
	}
	return fmt.Errorf("tagged value %s needs exactly one of blob, text_base64, real", b)
}

// parseNumber reads a JSON number: one with a fraction or exponent is
// REAL, any other INTEGER, which must fit in int64.
func parseNumber(s string) (any, error) {
	if strings.ContainsAny(s, ".eE") {
		return strconv.ParseFloat(s, 64)
	}
	return strconv.ParseInt(s, 10, 64)
}

func ptrTo[T any](v T) *T { return &v }
