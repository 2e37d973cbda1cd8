package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// WriteJSON writes r as indented JSON (field names as in the struct tags of Report, Point, …).
// The report is validated first; nothing is written if it is invalid. Floats are written in the
// shortest form that reads back to the same float64, so ReadJSON restores r exactly.
func WriteJSON(w io.Writer, r Report) error {
	if err := r.check(); err != nil {
		return fmt.Errorf("results: write JSON: %w", err)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("results: write JSON: %w", err)
	}
	data = append(data, '\n')
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("results: write JSON: %w", err)
	}
	return nil
}

// ReadJSON reads a Report written by WriteJSON. name is used in error messages only. It is
// strict: exactly one JSON value; unknown, duplicate or differently-cased keys are errors; every
// key that WriteJSON always writes must be present: all keys of BERPoint and Share; those of
// Point but "protocol" and "images"; those of Breakdown but "label"; "name", "x" and "y" of a
// Series; "title", "x_label", "y_label" and "series" of a Curve; "title", "arch" and "points" of
// the Report (the optional keys are the ones WriteJSON leaves out when empty, so files written
// before they existed still read). Numbers and booleans may not be null, integers must be
// written as integers; and the report must pass Report.Validate. Errors read
// "name:line:col: what" (1-based, col in bytes).
func ReadJSON(r io.Reader, name string) (Report, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Report{}, fmt.Errorf("%s: read: %w", name, err)
	}
	w := &jsonWalker{data: data, name: name, dec: json.NewDecoder(bytes.NewReader(data)), offsets: map[string]int64{}}
	w.dec.UseNumber()
	if err := w.value(reflect.TypeFor[Report](), ""); err != nil {
		return Report{}, err
	}
	if tok, err := w.dec.Token(); err != io.EOF {
		if err != nil {
			return Report{}, w.tokenErr(err)
		}
		return Report{}, w.errAt(w.tokenStart(), "unexpected %s after the report", describe(tok))
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		// The walk above already checked the structure and every number; this is a safety net.
		return Report{}, fmt.Errorf("%s: %w", name, err)
	}
	if ferr := rep.check(); ferr != nil {
		return Report{}, fmt.Errorf("%s: %w", w.posOf(ferr.Path), ferr)
	}
	return rep, nil
}

// jsonWalker checks a JSON document against a Go type token by token, so that every error can
// name its position, and records where each value starts (by path) for validation errors.
type jsonWalker struct {
	data    []byte
	name    string
	dec     *json.Decoder
	prevEnd int64            // input offset after the last token read
	offsets map[string]int64 // path ("points[3].acc_mean") -> offset where its value starts
}

func (w *jsonWalker) next() (json.Token, int64, error) {
	start := w.tokenStart()
	tok, err := w.dec.Token()
	w.prevEnd = w.dec.InputOffset()
	return tok, start, err
}

// tokenStart is the offset of the next token: after the previous one, skipping white space and
// the ':' and ',' separators that json.Decoder.Token consumes silently.
func (w *jsonWalker) tokenStart() int64 {
	i := w.prevEnd
	for i < int64(len(w.data)) && strings.IndexByte(" \t\r\n,:", w.data[i]) >= 0 {
		i++
	}
	return i
}

func (w *jsonWalker) lineCol(off int64) (int, int) {
	if off > int64(len(w.data)) {
		off = int64(len(w.data))
	}
	before := w.data[:off]
	line := 1 + bytes.Count(before, []byte{'\n'})
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func (w *jsonWalker) pos(off int64) string {
	line, col := w.lineCol(off)
	return fmt.Sprintf("%s:%d:%d", w.name, line, col)
}

// posOf returns the position of the value at path, or of its closest recorded ancestor.
func (w *jsonWalker) posOf(path string) string {
	for p := path; ; {
		if off, ok := w.offsets[p]; ok {
			return w.pos(off)
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return w.pos(w.offsets[""])
		}
		p = p[:i]
	}
}

func (w *jsonWalker) errAt(off int64, format string, args ...any) error {
	return fmt.Errorf("%s: %s", w.pos(off), fmt.Sprintf(format, args...))
}

// tokenErr converts an error of json.Decoder.Token into a positioned one.
func (w *jsonWalker) tokenErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: %w", w.pos(se.Offset), err)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: unexpected end of input: %w", w.pos(int64(len(w.data))), io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("%s: %w", w.pos(w.tokenStart()), err)
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' || v == '}' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// jsonField is one field of a struct as it appears in JSON.
type jsonField struct {
	typ      reflect.Type
	required bool
}

// structFields returns the JSON fields of struct type t by key, and the keys in order. The fields
// of an embedded struct without a JSON name (accuracy.Stats in Point) are t's own, as encoding/json
// writes them.
func structFields(t reflect.Type) (map[string]jsonField, []string) {
	fields := map[string]jsonField{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			inner, innerNames := structFields(f.Type)
			for _, n := range innerNames {
				fields[n] = inner[n]
			}
			names = append(names, innerNames...)
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		fields[tag] = jsonField{typ: f.Type, required: !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero")}
		names = append(names, tag)
	}
	return fields, names
}

func childPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// value reads one JSON value that must fit type t.
func (w *jsonWalker) value(t reflect.Type, path string) error {
	tok, start, err := w.next()
	if err != nil {
		return w.tokenErr(err)
	}
	w.offsets[path] = start
	what := path
	if what == "" {
		what = "report"
	}
	mismatch := func(want string) error {
		return w.errAt(start, "%s: want %s, got %s", what, want, describe(tok))
	}
	switch t.Kind() {
	case reflect.Struct:
		if tok != json.Delim('{') {
			return mismatch("object")
		}
		fields, names := structFields(t)
		seen := map[string]bool{}
		for w.dec.More() {
			ktok, kstart, err := w.next()
			if err != nil {
				return w.tokenErr(err)
			}
			key, ok := ktok.(string)
			if !ok {
				return w.errAt(kstart, "%s: want a key, got %s", what, describe(ktok))
			}
			f, known := fields[key]
			if !known {
				return w.errAt(kstart, "%s: unknown key %q (known: %s)", what, key, strings.Join(names, ", "))
			}
			if seen[key] {
				return w.errAt(kstart, "%s: duplicate key %q", what, key)
			}
			seen[key] = true
			if err := w.value(f.typ, childPath(path, key)); err != nil {
				return err
			}
		}
		if _, _, err := w.next(); err != nil { // '}'
			return w.tokenErr(err)
		}
		for _, n := range names {
			if fields[n].required && !seen[n] {
				return w.errAt(start, "%s: missing key %q", what, n)
			}
		}
		return nil
	case reflect.Slice:
		if tok == nil {
			return nil
		}
		if tok != json.Delim('[') {
			return mismatch("array")
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		if _, _, err := w.next(); err != nil { // ']'
			return w.tokenErr(err)
		}
		return nil
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return mismatch("string")
		}
		return nil
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return mismatch("boolean")
		}
		return nil
	case reflect.Float64:
		num, ok := tok.(json.Number)
		if !ok {
			return mismatch("number")
		}
		v, err := strconv.ParseFloat(string(num), 64)
		if err != nil || math.IsInf(v, 0) {
			return w.errAt(start, "%s: number %s does not fit a float64", what, num)
		}
		return nil
	case reflect.Int:
		num, ok := tok.(json.Number)
		if !ok {
			return mismatch("integer")
		}
		if _, err := strconv.ParseInt(string(num), 10, strconv.IntSize); err != nil {
			return w.errAt(start, "%s: want an integer, got %s", what, num)
		}
		return nil
	}
	return fmt.Errorf("results: internal error: no JSON rule for %v at %s", t, what)
}
