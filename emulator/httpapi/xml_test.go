package httpapi_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/emulator/httpapi"
)

func TestXMLWritesDeclarationIndentAndType(t *testing.T) {
	type progress struct {
		Value int `xml:"value"`
	}
	type command struct {
		XMLName  xml.Name `xml:"command"`
		ID       int      `xml:"id,attr"`
		Progress progress `xml:"progress"`
	}
	rec := httptest.NewRecorder()
	if err := httpapi.XML(rec, http.StatusAccepted, command{ID: 1}); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<command id="1">
  <progress>
    <value>0</value>
  </progress>
</command>
`
	if rec.Code != http.StatusAccepted || rec.Body.String() != want {
		t.Fatalf("got %d\n%s\nwant\n%s", rec.Code, rec.Body, want)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/xml; charset=UTF-8" {
		t.Fatalf("Content-Type %q", ct)
	}
}

func TestXMLMarshalErrorWritesNothing(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := httpapi.XML(rec, http.StatusOK, map[string]int{"a": 1}); err == nil {
		t.Fatal("encoding/xml cannot marshal a map: want an error")
	}
	if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Fatalf("a failed marshal wrote %q with headers %v", rec.Body, rec.Header())
	}
}

// xmlSchemas are the components of the decoder's table tests, each case
// naming the one its body is read as.
const xmlSchemas = `
    Command:
      type: object
      xml: {name: command}
      additionalProperties: false
      required: [id, state]
      properties:
        id: {type: integer, xml: {attribute: true}}
        state: {type: string, enum: [setup, in_progress, successful, error, fatal], xml: {attribute: true}}
        name: {type: string, xml: {attribute: true}}
        progress:
          type: object
          additionalProperties: false
          properties:
            value: {type: integer, minimum: 0, maximum: 100}
    Renamed:
      type: object
      properties:
        ts: {type: string, xml: {name: responseTimestamp, attribute: true}}
        msg: {type: string, xml: {name: message}}
    Scalars:
      type: object
      properties:
        i: {type: integer}
        n: {type: number}
        b: {type: boolean}
        s: {type: string}
    Wrapped:
      type: object
      properties:
        labels:
          type: array
          xml: {wrapped: true}
          items: {type: string, xml: {name: label}}
        tags:
          type: array
          xml: {wrapped: true}
          items: {type: string}
    Unwrapped:
      type: object
      properties:
        label: {type: array, items: {type: string}}
        labels: {type: array, items: {type: integer, xml: {name: n}}}
    Result:
      type: object
      xml: {name: result}
      properties:
        accounts:
          type: array
          xml: {wrapped: true}
          items: {$ref: '#/components/schemas/Account'}
    Account:
      type: object
      xml: {name: account}
      additionalProperties: false
      required: [iban]
      properties:
        partialDueToTimeout: {type: boolean, xml: {attribute: true}}
        iban: {type: string}
        currencyBalance: {type: number}
        directDebit:
          type: object
          properties:
            available: {type: boolean, xml: {attribute: true}}
        moneyTransactions:
          type: array
          xml: {wrapped: true}
          items:
            type: object
            xml: {name: moneyTransaction}
            properties:
              currencyAmount: {type: number}
              title: {type: string}
    Closed:
      type: object
      additionalProperties: false
      properties:
        name: {type: string}
    Open:
      type: object
      properties:
        name: {type: string}
    Counts:
      type: object
      additionalProperties: {type: integer}
    Base:
      type: object
      xml: {name: reply}
      required: [status]
      properties:
        status: {type: string, xml: {attribute: true}}
    Composed:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            command: {$ref: '#/components/schemas/Command'}
    Either:
      oneOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          xml: {name: reply}
          required: [comment]
          additionalProperties: false
          properties:
            comment: {type: string}
    Flag:
      type: object
      properties:
        v:
          oneOf:
            - {type: integer}
            - {type: boolean}
    Amount:
      type: object
      properties:
        amount:
          type: object
          additionalProperties: false
          properties:
            currency: {type: string, xml: {attribute: true}}
            value: {type: number, x-xml-text: true}
    Nullable:
      type: object
      properties:
        v: {type: string, nullable: true}
`

type xmlCase struct {
	name    string
	schema  string // a component of xmlSchemas
	body    string
	want    any    // the decoded value, when decoding succeeds
	decErr  string // part of the decoding error
	invalid string // part of the validation error; "" means valid
}

var xmlCases = []xmlCase{
	{name: "attributes coerced by type", schema: "Command",
		body: `<command id="7" state="setup" name="DefaultImportCommand"><progress><value>0</value></progress></command>`,
		want: map[string]any{"id": int64(7), "state": "setup", "name": "DefaultImportCommand", "progress": map[string]any{"value": int64(0)}}},
	{name: "attribute value outside the enum", schema: "Command",
		body:    `<command id="7" state="QUEUED"/>`,
		want:    map[string]any{"id": int64(7), "state": "QUEUED"},
		invalid: "value is not one of the allowed values"},
	{name: "missing required attribute", schema: "Command",
		body:    `<command id="7"/>`,
		want:    map[string]any{"id": int64(7)},
		invalid: `property "state" is missing`},
	{name: "xml.name renames attributes and elements", schema: "Renamed",
		body: `<reply responseTimestamp="2024-01-01T00:00:00Z"><message>hi</message></reply>`,
		want: map[string]any{"ts": "2024-01-01T00:00:00Z", "msg": "hi"}},
	{name: "property name where xml.name is expected", schema: "Renamed",
		body:   `<reply><msg>hi</msg></reply>`,
		decErr: "element <msg> at /reply/msg of <reply> at /reply: the schema has property msg, expected as element <message>"},
	{name: "element where an attribute is expected", schema: "Command",
		body:   `<command id="1"><state>setup</state></command>`,
		decErr: "the schema has property state, expected as attribute state"},
	{name: "scalars coerced", schema: "Scalars",
		body: `<x><i>42</i><n>-20.00</n><b>true</b><s> 0.99 </s></x>`,
		want: map[string]any{"i": int64(42), "n": float64(-20), "b": true, "s": " 0.99 "}},
	{name: "integer that is not one", schema: "Scalars",
		body:    `<x><i>abc</i></x>`,
		want:    map[string]any{"i": "abc"},
		invalid: "value must be an integer"},
	{name: "fraction where an integer belongs", schema: "Scalars",
		body:    `<x><i>1.5</i></x>`,
		want:    map[string]any{"i": 1.5},
		invalid: "value must be an integer"},
	{name: "boolean that is not one", schema: "Scalars",
		body:    `<x><b>yes</b></x>`,
		want:    map[string]any{"b": "yes"},
		invalid: "value must be a boolean"},
	{name: "NaN is no number", schema: "Scalars",
		body:    `<x><n>NaN</n></x>`,
		want:    map[string]any{"n": "NaN"},
		invalid: "value must be a number"},
	{name: "children where a string belongs", schema: "Scalars",
		body:    `<x><s><y>1</y></s></x>`,
		want:    map[string]any{"s": map[string]any{"y": "1"}},
		invalid: "value must be a string"},
	{name: "wrapped arrays", schema: "Wrapped",
		body: `<x><labels><label>salary</label><label>rent</label></labels><tags><tags>a</tags></tags></x>`,
		want: map[string]any{"labels": []any{"salary", "rent"}, "tags": []any{"a"}}},
	{name: "empty wrapper is an empty array", schema: "Wrapped",
		body: `<x><labels/></x>`,
		want: map[string]any{"labels": []any{}}},
	{name: "foreign element inside a wrapper", schema: "Wrapped",
		body:   `<x><labels><label>a</label><tag>b</tag></labels></x>`,
		decErr: "element <tag> at /x/labels/tag is not an item of the array <labels> at /x/labels, whose items are <label>"},
	{name: "wrapper that repeats", schema: "Wrapped",
		body:   `<x><labels/><labels/></x>`,
		decErr: "element <labels> at /x/labels repeats where the schema expects one value"},
	{name: "unwrapped arrays", schema: "Unwrapped",
		body: `<x><label>a</label><n>1</n><label>b</label><n>2</n></x>`,
		want: map[string]any{"label": []any{"a", "b"}, "labels": []any{int64(1), int64(2)}}},
	{name: "nested objects and arrays (Kontomatik result)", schema: "Result",
		body: `<result>
  <accounts>
    <account partialDueToTimeout="true">
      <iban>PL61109010140000071219812874</iban>
      <currencyBalance>2800.00</currencyBalance>
      <directDebit available="false"/>
      <moneyTransactions>
        <moneyTransaction><currencyAmount>-0.01</currencyAmount><title>fee</title></moneyTransaction>
        <moneyTransaction><currencyAmount>2800.00</currencyAmount><title>salary</title></moneyTransaction>
      </moneyTransactions>
    </account>
    <account><iban>PL27114020040000300201355387</iban><moneyTransactions/></account>
  </accounts>
</result>`,
		want: map[string]any{"accounts": []any{
			map[string]any{
				"partialDueToTimeout": true, "iban": "PL61109010140000071219812874", "currencyBalance": 2800.0,
				"directDebit": map[string]any{"available": false},
				"moneyTransactions": []any{
					map[string]any{"currencyAmount": -0.01, "title": "fee"},
					map[string]any{"currencyAmount": 2800.0, "title": "salary"},
				},
			},
			map[string]any{"iban": "PL27114020040000300201355387", "moneyTransactions": []any{}},
		}}},
	{name: "unknown nested element reported", schema: "Result",
		body:    `<result><accounts><account><iban>x</iban><number>1</number></account></accounts></result>`,
		want:    map[string]any{"accounts": []any{map[string]any{"iban": "x", "number": "1"}}},
		invalid: `property "number" is unsupported`},
	{name: "root name checked against xml.name", schema: "Result",
		body:   `<reply/>`,
		decErr: "the root element is <reply>, the schema expects <result>"},
	{name: "unknown element with additionalProperties false", schema: "Closed",
		body:    `<x><name>a</name><extra>1</extra></x>`,
		want:    map[string]any{"name": "a", "extra": "1"},
		invalid: `property "extra" is unsupported`},
	{name: "unknown attribute with additionalProperties false", schema: "Closed",
		body:    `<x bogus="1"><name>a</name></x>`,
		want:    map[string]any{"name": "a", "bogus": "1"},
		invalid: `property "bogus" is unsupported`},
	{name: "unknown elements kept when allowed", schema: "Open",
		body: `<x><extra a="1"/><more>1</more><more>2</more></x>`,
		want: map[string]any{"extra": map[string]any{"a": "1"}, "more": []any{"1", "2"}}},
	{name: "mixed content in an unknown element", schema: "Open",
		body:   `<x><extra a="1">t</extra></x>`,
		decErr: "element <extra> at /x/extra has character data beside its attributes or children"},
	{name: "element that repeats", schema: "Open",
		body:   `<x><name>a</name><name>b</name></x>`,
		decErr: "element <name> at /x/name repeats where the schema expects one value"},
	{name: "additionalProperties schema types unknown elements", schema: "Counts",
		body: `<x><a>1</a><b>2</b></x>`,
		want: map[string]any{"a": int64(1), "b": int64(2)}},
	{name: "empty element for an object", schema: "Command",
		body: `<command id="1" state="setup"><progress/></command>`,
		want: map[string]any{"id": int64(1), "state": "setup", "progress": map[string]any{}}},
	{name: "text where an object belongs", schema: "Command",
		body:    `<command id="1" state="setup"><progress>5</progress></command>`,
		want:    map[string]any{"id": int64(1), "state": "setup", "progress": "5"},
		invalid: "value must be an object"},
	{name: "allOf merged", schema: "Composed",
		body: `<reply status="202 Accepted"><command id="1" state="setup"/></reply>`,
		want: map[string]any{"status": "202 Accepted", "command": map[string]any{"id": int64(1), "state": "setup"}}},
	{name: "allOf carries xml.name", schema: "Composed",
		body:   `<answer status="200 OK"/>`,
		decErr: "the root element is <answer>, the schema expects <reply>"},
	{name: "oneOf picks the alternative that fits", schema: "Either",
		body: `<reply><comment>IP not whitelisted</comment></reply>`,
		want: map[string]any{"comment": "IP not whitelisted"}},
	{name: "oneOf scalar alternatives", schema: "Flag",
		body: `<x><v>true</v></x>`,
		want: map[string]any{"v": true}},
	{name: "x-xml-text beside attributes", schema: "Amount",
		body: `<x><amount currency="PLN">-0.01</amount></x>`,
		want: map[string]any{"amount": map[string]any{"currency": "PLN", "value": -0.01}}},
	{name: "x-xml-text coerced and reported", schema: "Amount",
		body:    `<x><amount currency="PLN">lots</amount></x>`,
		want:    map[string]any{"amount": map[string]any{"currency": "PLN", "value": "lots"}},
		invalid: "value must be a number"},
	{name: "namespace declarations are not data", schema: "Closed",
		body: `<x xmlns="urn:k" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><name>a</name></x>`,
		want: map[string]any{"name": "a"}},
	{name: "xsi:nil is null", schema: "Nullable",
		body: `<x xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><v xsi:nil="true"/></x>`,
		want: map[string]any{"v": nil}},
	{name: "DOCTYPE refused", schema: "Open",
		body:   `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x><name>&e;</name></x>`,
		decErr: "<!DOCTYPE> (DTDs, entities) are refused"},
	{name: "undefined entity refused", schema: "Open",
		body:   `<x><name>&e;</name></x>`,
		decErr: "malformed XML"},
	{name: "too deep", schema: "Open",
		body:   strings.Repeat("<a>", 70) + strings.Repeat("</a>", 70),
		decErr: "nested deeper than 64"},
	{name: "two roots", schema: "Open",
		body:   `<x/><x/>`,
		decErr: "a second root element <x>"},
	{name: "not XML", schema: "Open",
		body:   `{"name": "a"}`,
		decErr: "character data outside the root element"},
}

// xmlDoc is one operation answering each schema of xmlSchemas as XML, so
// the cases run through openapi3filter.ValidateResponse.
func xmlDoc(t *testing.T) *openapi3.T {
	t.Helper()
	var paths strings.Builder
	for _, name := range []string{"Command", "Renamed", "Scalars", "Wrapped", "Unwrapped", "Result", "Closed", "Open", "Counts", "Composed", "Either", "Flag", "Amount", "Nullable"} {
		fmt.Fprintf(&paths, `  /%s:
    get:
      operationId: get%s
      responses:
        "200":
          description: ok
          content:
            application/xml:
              schema: {$ref: '#/components/schemas/%s'}
            text/xml:
              schema: {$ref: '#/components/schemas/%s'}
`, name, name, name, name)
	}
	src := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n" + paths.String() + "components:\n  schemas:" + xmlSchemas
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatal(err)
	}
	return doc
}

// validateXMLResponse runs body through kin-openapi's response validation
// as the answer of GET /{schema}.
func validateXMLResponse(t *testing.T, doc *openapi3.T, schema, contentType, body string) error {
	t.Helper()
	httpapi.RegisterXMLBodies()
	path := "/" + schema
	item := doc.Paths.Find(path)
	route := &routers.Route{Spec: doc, Path: path, PathItem: item, Method: http.MethodGet, Operation: item.Get}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
		Status:                 http.StatusOK,
		Header:                 http.Header{"Content-Type": {contentType}},
	}
	in.SetBodyBytes([]byte(body))
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func TestXMLBodyDecoder(t *testing.T) {
	doc := xmlDoc(t)
	for _, tc := range xmlCases {
		t.Run(tc.name, func(t *testing.T) {
			ref := doc.Components.Schemas[tc.schema]
			got, err := httpapi.XMLBodyDecoder(strings.NewReader(tc.body), nil, ref, nil)
			if tc.decErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.decErr) {
					t.Fatalf("decoding error %v, want one containing %q (value %#v)", err, tc.decErr, got)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("decoded\n%#v\nwant\n%#v", got, tc.want)
				}
			}
			verr := validateXMLResponse(t, doc, tc.schema, "application/xml; charset=UTF-8", tc.body)
			switch {
			case tc.decErr != "":
				if verr == nil || !strings.Contains(verr.Error(), "failed to decode response body") || !strings.Contains(verr.Error(), tc.decErr) {
					t.Fatalf("validation: %v", verr)
				}
			case tc.invalid == "":
				if verr != nil {
					t.Fatalf("validation: %v", verr)
				}
			default:
				if verr == nil || !strings.Contains(verr.Error(), tc.invalid) {
					t.Fatalf("validation error %v, want one containing %q", verr, tc.invalid)
				}
			}
		})
	}
}

func TestXMLBodyDecoderServesTextXML(t *testing.T) {
	doc := xmlDoc(t)
	if err := validateXMLResponse(t, doc, "Closed", "text/xml", `<x><name>a</name></x>`); err != nil {
		t.Fatalf("text/xml: %v", err)
	}
	err := validateXMLResponse(t, doc, "Closed", "text/xml", `<x><nom>a</nom></x>`)
	if err == nil || !strings.Contains(err.Error(), `property "nom" is unsupported`) {
		t.Fatalf("text/xml: %v", err)
	}
}

func TestXMLBodyDecoderRefusesHugeBodies(t *testing.T) {
	body := "<x>" + strings.Repeat(" ", 16<<20) + "</x>"
	_, err := httpapi.XMLBodyDecoder(strings.NewReader(body), nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("16 MiB of XML: %v", err)
	}
}

// A 3.1 document using a 2020-12 keyword is validated by kin-openapi's
// JSON Schema engine, which must accept the decoder's int64 and float64.
func TestXMLBodyDecoderWithJSONSchema2020(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /Progress:
    get:
      operationId: getProgress
      responses:
        "200":
          description: ok
          content:
            application/xml:
              schema:
                type: object
                additionalProperties: false
                properties:
                  value: {type: [integer, "null"], maximum: 100}
                  ratio: {type: number}
`))
	if err != nil {
		t.Fatal(err)
	}
	if httpapi.ValidationDocVersion(doc) != "3.1.0" {
		t.Fatal("the document should keep the 2020-12 engine")
	}
	if err := validateXMLResponse(t, doc, "Progress", "application/xml", `<progress><value>42</value><ratio>0.5</ratio></progress>`); err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		`<progress><value>abc</value></progress>`: "at '/value': got string, want null or integer",
		`<progress><value>101</value></progress>`: "maximum: got 101, want 100",
		`<progress><extra/></progress>`:           "additional properties 'extra' not allowed",
	} {
		err := validateXMLResponse(t, doc, "Progress", "application/xml", body)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: %v, want an error containing %q", body, err, want)
		}
	}
}

// The Kontomatik-like contract of the round trip: replies as in
// notes/kontomatik.md §2.
const kontomatikDoc = `openapi: 3.0.3
info: {title: kontomatik-like, version: "1"}
paths:
  /v1/command/default-import.xml:
    post:
      operationId: defaultImport
      responses:
        "202": {$ref: '#/components/responses/Reply'}
  /v1/command/{id}.xml:
    get:
      operationId: getCommand
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {$ref: '#/components/responses/Reply'}
        "400": {$ref: '#/components/responses/Reply'}
components:
  responses:
    Reply:
      description: a Kontomatik reply
      content:
        application/xml:
          schema: {$ref: '#/components/schemas/Reply'}
  schemas:
    Reply:
      type: object
      xml: {name: reply}
      additionalProperties: false
      required: [status, responseTimestamp]
      properties:
        status: {type: string, xml: {attribute: true}}
        responseTimestamp: {type: string, xml: {attribute: true}}
        command: {$ref: '#/components/schemas/Command'}
        exception: {$ref: '#/components/schemas/Exception'}
    Command:
      type: object
      xml: {name: command}
      additionalProperties: false
      required: [id, state, name, progress]
      properties:
        id: {type: integer, xml: {attribute: true}}
        state: {type: string, enum: [setup, in_progress, successful, error, fatal], xml: {attribute: true}}
        name: {type: string, xml: {attribute: true}}
        progress:
          type: object
          additionalProperties: false
          required: [value]
          properties:
            value: {type: integer, minimum: 0, maximum: 100}
    Exception:
      type: object
      xml: {name: exception}
      additionalProperties: false
      required: [name, message]
      properties:
        name: {type: string, xml: {attribute: true}}
        message: {type: string}
`

type kmReply struct {
	XMLName           xml.Name `xml:"reply"`
	Status            string   `xml:"status,attr"`
	ResponseTimestamp string   `xml:"responseTimestamp,attr"`
	Command           any      `xml:"command,omitempty"`
	Exception         any      `xml:"exception,omitempty"`
}

type kmProgress struct {
	Value int `xml:"value"`
}

type kmCommand struct {
	ID       int64      `xml:"id,attr"`
	State    string     `xml:"state,attr"`
	Name     string     `xml:"name,attr"`
	Progress kmProgress `xml:"progress"`
}

type kmException struct {
	Name    string `xml:"name,attr"`
	Message string `xml:"message"`
}

// A command whose state went out under the given OpenAPI's name.
type kmCommandWrongAttr struct {
	ID       int64      `xml:"id,attr"`
	Status   string     `xml:"status,attr"`
	Name     string     `xml:"name,attr"`
	Progress kmProgress `xml:"progress"`
}

// An exception whose message is misnamed.
type kmExceptionWrongElement struct {
	Name    string `xml:"name,attr"`
	Message string `xml:"msg"`
}

const kmTimestamp = "2024-05-06T07:08:09Z"

func TestXMLRoundTripThroughMount(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(kontomatikDoc))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	violations := map[string]error{}
	replies := map[string]kmReply{
		"1": {Status: "200 OK", ResponseTimestamp: kmTimestamp,
			Command: kmCommand{ID: 1, State: "in_progress", Name: "DefaultImportCommand", Progress: kmProgress{Value: 50}}},
		"expired": {Status: "400 Bad Request", ResponseTimestamp: kmTimestamp,
			Exception: kmException{Name: "InvalidSessionId", Message: "Session expired."}},
		"wrong-attribute": {Status: "200 OK", ResponseTimestamp: kmTimestamp,
			Command: kmCommandWrongAttr{ID: 2, Status: "setup", Name: "DefaultImportCommand"}},
		"wrong-element": {Status: "400 Bad Request", ResponseTimestamp: kmTimestamp,
			Exception: kmExceptionWrongElement{Name: "InvalidSessionId", Message: "Session expired."}},
		"out-of-range": {Status: "200 OK", ResponseTimestamp: kmTimestamp,
			Command: kmCommand{ID: 3, State: "in_progress", Name: "DefaultImportCommand", Progress: kmProgress{Value: 150}}},
	}
	handlers := map[string]httpapi.Handler{
		"defaultImport": func(w http.ResponseWriter, r *http.Request) error {
			return httpapi.XML(w, http.StatusAccepted, kmReply{Status: "202 Accepted", ResponseTimestamp: kmTimestamp,
				Command: kmCommand{ID: 1, State: "setup", Name: "DefaultImportCommand"}})
		},
		"getCommand": func(w http.ResponseWriter, r *http.Request) error {
			reply := replies[httpapi.Var(r, "id")]
			status := http.StatusOK
			if reply.Exception != nil {
				status = http.StatusBadRequest
			}
			return httpapi.XML(w, status, reply)
		},
	}
	router := mux.NewRouter()
	err = httpapi.Mount(router, &httpapi.Contract{Name: "kontomatik-like", Prefix: "/km", Docs: []*openapi3.T{doc}}, handlers, httpapi.MountOptions{
		Errors: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		},
		ValidateResponses: true,
		OnViolation: func(r *http.Request, op httpapi.ContractOperation, err error) {
			mu.Lock()
			defer mu.Unlock()
			violations[r.URL.Path] = err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(router)
	defer srv.Close()

	for _, tc := range []struct {
		method, path string
		status       int
		body         string // part of the body
		violation    string // part of the reported violation; "" means none
	}{
		{http.MethodPost, "/km/v1/command/default-import.xml", http.StatusAccepted,
			`<reply status="202 Accepted" responseTimestamp="` + kmTimestamp + `">
  <command id="1" state="setup" name="DefaultImportCommand">
    <progress>
      <value>0</value>
    </progress>
  </command>
</reply>`, ""},
		{http.MethodGet, "/km/v1/command/1.xml", http.StatusOK, `state="in_progress"`, ""},
		{http.MethodGet, "/km/v1/command/expired.xml", http.StatusBadRequest,
			`<exception name="InvalidSessionId">
    <message>Session expired.</message>
  </exception>`, ""},
		{http.MethodGet, "/km/v1/command/wrong-attribute.xml", http.StatusOK, `status="setup"`, `property "status" is unsupported`},
		{http.MethodGet, "/km/v1/command/wrong-element.xml", http.StatusBadRequest, `<msg>`, `property "msg" is unsupported`},
		{http.MethodGet, "/km/v1/command/out-of-range.xml", http.StatusOK, `<value>150</value>`, "number must be at most 100"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.status || !strings.HasPrefix(string(body), xml.Header) || !strings.Contains(string(body), tc.body) {
				t.Fatalf("%d\n%s", res.StatusCode, body)
			}
			mu.Lock()
			v := violations[tc.path]
			mu.Unlock()
			switch {
			case tc.violation == "" && v != nil:
				t.Fatalf("violation: %v", v)
			case tc.violation != "" && (v == nil || !strings.Contains(v.Error(), tc.violation)):
				t.Fatalf("violation %v, want one containing %q", v, tc.violation)
			}
		})
	}
}
