// Package yamlspec reads YAML spec files strictly: a size-limited read,
// exactly one document, no anchors, aliases or merge keys, mappings with only
// the allowed keys (each at most once) and typed scalars, every error an
// *Error naming file:line:col and the field.
package yamlspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"cosim/internal/fileio"
)

// Pos is a position in a spec file (1-based line and column).
type Pos struct {
	File      string
	Line, Col int
}

// String formats p as file:line:col.
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Error is a problem in a spec file. Its message starts with the file name,
// then the line and column when known: "file:line:col: message" (yaml.v3
// reports only a line for syntax errors: "file:line: message"; a problem with
// the file as a whole has neither: "file: message").
type Error struct {
	Pos Pos    // Line 0: no position; Col 0: line only
	Msg string // what is wrong, naming the field
	Err error  // underlying cause, or nil
}

// Error formats e as described on the type.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.File)
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Pos.Line)
		if e.Pos.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Pos.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ReadFile reads a spec file of at most fileio.SpecLimit bytes; kind names
// it in messages ("architecture spec").
func ReadFile(path, kind string) ([]byte, error) {
	data, err := fileio.ReadFile(path, fileio.SpecLimit)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{Pos: Pos{File: path}, Msg: "cannot read " + kind, Err: err}
	}
	return data, nil
}

// Reader reads the nodes of one spec file.
type Reader struct {
	File string // the file name that starts every message
	Kind string // the spec kind in plural, for messages ("architecture specs")
}

// Pos returns the position of n.
func (r *Reader) Pos(n *yaml.Node) Pos { return Pos{File: r.File, Line: n.Line, Col: n.Column} }

// Errorf returns an *Error at n.
func (r *Reader) Errorf(n *yaml.Node, format string, args ...any) error {
	return &Error{Pos: r.Pos(n), Msg: fmt.Sprintf(format, args...)}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxErr turns a yaml.v3 error ("yaml: line 3: …") into an *Error at that line.
func (r *Reader) syntaxErr(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if line, perr := strconv.Atoi(m[1]); perr == nil {
			return &Error{Pos: Pos{File: r.File, Line: line}, Msg: "YAML syntax: " + m[2]}
		}
	}
	return &Error{Pos: Pos{File: r.File}, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// Document decodes exactly one YAML document without anchors or aliases and
// returns its root node; top is the key the root mapping must have, named
// when the document is empty.
func (r *Reader) Document(data []byte, top string) (root *yaml.Node, err error) {
	defer func() { // yaml.v3 is not our code: never let it panic through a parser
		if p := recover(); p != nil {
			root, err = nil, &Error{Pos: Pos{File: r.File}, Msg: fmt.Sprintf("YAML parser failed: %v", p)}
		}
	}()
	empty := &Error{Pos: Pos{File: r.File}, Msg: fmt.Sprintf("empty document: want a mapping with the key %q", top)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, empty
		}
		return nil, r.syntaxErr(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		at := &extra
		if len(extra.Content) > 0 {
			at = extra.Content[0]
		}
		return nil, r.Errorf(at, "a second YAML document: a spec file holds exactly one")
	case !errors.Is(err, io.EOF):
		return nil, r.syntaxErr(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, empty
	}
	root = doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, empty
	}
	return root, r.noAnchors(root)
}

// noAnchors rejects anchors, aliases and merge keys anywhere in the tree:
// a spec is written out in full, so each field has exactly one position.
func (r *Reader) noAnchors(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		return r.Errorf(n, "alias *%s: anchors and aliases are not supported in %s", n.Value, r.Kind)
	}
	if n.Anchor != "" {
		return r.Errorf(n, "anchor &%s: anchors and aliases are not supported in %s", n.Anchor, r.Kind)
	}
	for _, c := range n.Content {
		if err := r.noAnchors(c); err != nil {
			return err
		}
	}
	return nil
}

// Describe names a node's kind or value for "got …" messages.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing (null)"
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return strconv.Quote(v)
	}
	return "an unexpected node"
}

// Str reads a string scalar; label names it in messages.
func (r *Reader) Str(n *yaml.Node, label string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", r.Errorf(n, "%s: want a string, got %s", label, Describe(n))
	}
	return n.Value, nil
}

// Float reads a finite number (integer or float).
func (r *Reader) Float(n *yaml.Node, label string) (float64, error) {
	var x float64
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&x) != nil {
		return 0, r.Errorf(n, "%s: want a number, got %s", label, Describe(n))
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, r.Errorf(n, "%s: must be finite, got %s", label, Describe(n))
	}
	return x, nil
}

// Int reads an integer in [lo, hi].
func (r *Reader) Int(n *yaml.Node, label string, lo, hi int64) (int64, error) {
	var x int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&x) != nil {
		return 0, r.Errorf(n, "%s: want an integer, got %s", label, Describe(n))
	}
	switch {
	case x < lo && lo == 1:
		return 0, r.Errorf(n, "%s: must be positive, got %d", label, x)
	case x < lo:
		return 0, r.Errorf(n, "%s: must be at least %d, got %d", label, lo, x)
	case x > hi:
		return 0, r.Errorf(n, "%s: %d is too large (at most %d)", label, x, hi)
	}
	return x, nil
}

// Mapping is a checked YAML mapping: only allowed keys, each at most once.
type Mapping struct {
	R     *Reader
	N     *yaml.Node
	Where string // e.g. "attributes of weight_sram"
	Keys  map[string]*yaml.Node
	Vals  map[string]*yaml.Node
	Order []string // keys in document order
}

// Mapping checks that n is a mapping whose keys are plain strings among
// allowed, each at most once.
func (r *Reader) Mapping(n *yaml.Node, where string, allowed ...string) (*Mapping, error) {
	if n.Kind != yaml.MappingNode {
		return nil, r.Errorf(n, "%s: want a mapping, got %s", where, Describe(n))
	}
	m := &Mapping{R: r, N: n, Where: where, Keys: map[string]*yaml.Node{}, Vals: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, r.Errorf(k, "%s: a key must be a plain string, got %s", where, Describe(k))
		}
		if !slices.Contains(allowed, k.Value) {
			return nil, r.Errorf(k, "unknown key %q in %s", k.Value, where)
		}
		if prev, dup := m.Keys[k.Value]; dup {
			return nil, r.Errorf(k, "duplicate key %q in %s (first at line %d)", k.Value, where, prev.Line)
		}
		m.Keys[k.Value], m.Vals[k.Value] = k, v
		m.Order = append(m.Order, k.Value)
	}
	return m, nil
}

// Has reports whether key is given.
func (m *Mapping) Has(key string) bool { _, ok := m.Vals[key]; return ok }

// Need returns the value of a required key.
func (m *Mapping) Need(key string) (*yaml.Node, error) {
	v, ok := m.Vals[key]
	if !ok {
		return nil, m.R.Errorf(m.N, "missing key %q in %s", key, m.Where)
	}
	return v, nil
}

// Bad reports a bad value of key.
func (m *Mapping) Bad(key string, format string, args ...any) error {
	return m.R.Errorf(m.Vals[key], "%s: %s", m.label(key), fmt.Sprintf(format, args...))
}

func (m *Mapping) label(key string) string { return key + " in " + m.Where }

// Str reads a required string.
func (m *Mapping) Str(key string) (string, error) {
	v, err := m.Need(key)
	if err != nil {
		return "", err
	}
	return m.R.Str(v, m.label(key))
}

// OneOf reads a required string that must be one of choices.
func (m *Mapping) OneOf(key string, choices ...string) (string, error) {
	s, err := m.Str(key)
	if err != nil {
		return "", err
	}
	if !slices.Contains(choices, s) {
		return "", m.Bad(key, "%q is not one of %s", s, strings.Join(choices, ", "))
	}
	return s, nil
}

// Int reads a required integer in [lo, hi].
func (m *Mapping) Int(key string, lo, hi int64) (int64, error) {
	v, err := m.Need(key)
	if err != nil {
		return 0, err
	}
	return m.R.Int(v, m.label(key), lo, hi)
}

// PosInt reads a required integer in [1, MaxInt32].
func (m *Mapping) PosInt(key string) (int, error) {
	x, err := m.Int(key, 1, math.MaxInt32)
	return int(x), err
}

// Float reads a required finite number (integer or float).
func (m *Mapping) Float(key string) (float64, error) {
	v, err := m.Need(key)
	if err != nil {
		return 0, err
	}
	return m.R.Float(v, m.label(key))
}

// Positive reads a required finite number > 0.
func (m *Mapping) Positive(key string) (float64, error) {
	x, err := m.Float(key)
	if err == nil && x <= 0 {
		err = m.Bad(key, "must be positive, got %g", x)
	}
	return x, err
}

// Boolean reads a required true or false.
func (m *Mapping) Boolean(key string) (bool, error) {
	v, err := m.Need(key)
	if err != nil {
		return false, err
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
		return false, m.Bad(key, "want true or false, got %s", Describe(v))
	}
	return b, nil
}

// Seq reads a required sequence.
func (m *Mapping) Seq(key string) ([]*yaml.Node, error) {
	v, err := m.Need(key)
	if err != nil {
		return nil, err
	}
	if v.Kind != yaml.SequenceNode {
		return nil, m.Bad(key, "want a sequence, got %s", Describe(v))
	}
	return v.Content, nil
}
