// Package schematest checks a JSON Schema of a YAML spec against its
// parser: it validates YAML files with the schema and reads the key lists
// of the parser's mapping calls from its Go source, so that tests can
// compare both without a hand-copied list.
package schematest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// Compile compiles a schema under the draft its $schema names; name
// identifies it in messages.
func Compile(name string, schema []byte) (*jsonschema.Schema, error) {
	return compile(name, schema, nil)
}

// CompileDraft7 compiles a schema as draft-07, ignoring its $schema: the
// draft that editors' YAML language servers implement, which skip the newer
// keywords (prefixItems, dependentSchemas, …) and the siblings of $ref.
func CompileDraft7(name string, schema []byte) (*jsonschema.Schema, error) {
	return compile(name, schema, jsonschema.Draft7)
}

func compile(name string, schema []byte, draft *jsonschema.Draft) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if draft != nil {
		if m, ok := doc.(map[string]any); ok {
			delete(m, "$schema")
		}
		c.DefaultDraft(draft)
	}
	c.AssertFormat()
	if err := c.AddResource(name, doc); err != nil {
		return nil, err
	}
	return c.Compile(name)
}

// Validate checks one YAML document against s, converted to JSON through
// yaml.v3's generic values.
func Validate(s *jsonschema.Schema, data []byte) error {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("YAML: %w", err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("as JSON: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// SchemaKeySets returns the property names of every closed object of a
// schema (additionalProperties: false), normalized.
func SchemaKeySets(schema []byte) ([][]string, error) {
	return collect(schema, func(obj map[string]any) ([]string, bool) {
		if ap, ok := obj["additionalProperties"].(bool); !ok || ap {
			return nil, false
		}
		props, _ := obj["properties"].(map[string]any)
		var keys []string
		for k := range props {
			keys = append(keys, k)
		}
		return keys, true
	})
}

// SchemaNameEnums returns every propertyNames enum of a schema (the keys a
// subschema narrows an object to), normalized.
func SchemaNameEnums(schema []byte) ([][]string, error) {
	return collect(schema, func(obj map[string]any) ([]string, bool) {
		pn, ok := obj["propertyNames"].(map[string]any)
		if !ok {
			return nil, false
		}
		enum, _ := pn["enum"].([]any)
		var keys []string
		for _, k := range enum {
			keys = append(keys, fmt.Sprint(k))
		}
		return keys, true
	})
}

// Enum returns the enum of the subschema at path (object keys from the root).
func Enum(schema []byte, path ...string) ([]string, error) {
	var v any
	if err := json.Unmarshal(schema, &v); err != nil {
		return nil, err
	}
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no %s in the schema", strings.Join(path, "/"))
		}
		v = m[k]
	}
	m, _ := v.(map[string]any)
	enum, ok := m["enum"].([]any)
	if !ok {
		return nil, fmt.Errorf("%s has no enum", strings.Join(path, "/"))
	}
	var out []string
	for _, x := range enum {
		out = append(out, fmt.Sprint(x))
	}
	return out, nil
}

// collect applies get to every object of a JSON document and returns the
// sets it yields, normalized.
func collect(doc []byte, get func(map[string]any) ([]string, bool)) ([][]string, error) {
	var root any
	if err := json.Unmarshal(doc, &root); err != nil {
		return nil, err
	}
	var sets [][]string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if set, ok := get(v); ok {
				sets = append(sets, set)
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(root)
	return Normalize(sets), nil
}

// Source is a parsed Go file of a parser.
type Source struct {
	fset  *token.FileSet
	file  *ast.File
	lists map[string][]string // name → string literals of `name = []string{…}`
}

// ParseSource parses the Go file at path and records every variable
// defined as a []string literal of string constants.
func ParseSource(path string) (*Source, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return nil, err
	}
	s := &Source{fset: fset, file: f, lists: map[string][]string{}}
	var firstErr error
	record := func(name *ast.Ident, v ast.Expr) {
		cl, ok := v.(*ast.CompositeLit)
		if !ok {
			return
		}
		if at, ok := cl.Type.(*ast.ArrayType); !ok || fmt.Sprint(at.Elt) != "string" {
			return
		}
		keys, err := s.strings(cl.Elts)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		s.lists[name.Name] = keys
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, v := range n.Values {
				record(n.Names[i], v)
			}
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, v := range n.Rhs {
					if id, ok := n.Lhs[i].(*ast.Ident); ok {
						record(id, v)
					}
				}
			}
		}
		return true
	})
	return s, firstErr
}

// List returns the strings of the []string variable name.
func (s *Source) List(name string) ([]string, bool) {
	l, ok := s.lists[name]
	return l, ok
}

func (s *Source) strings(exprs []ast.Expr) ([]string, error) {
	var out []string
	for _, e := range exprs {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return nil, fmt.Errorf("%s: %s is not a string literal", s.fset.Position(e.Pos()), fmt.Sprint(e))
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// CallKeys returns, for every call of a function or method named fn, the
// strings it passes from argument index first on: string literals, or one
// []string variable of the file spread with "...". A call whose keys are
// neither is an error, so that no key list can escape the comparison.
func (s *Source) CallKeys(fn string, first int) (map[string][]string, error) {
	out := map[string][]string{} // position → keys
	var firstErr error
	ast.Inspect(s.file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || firstErr != nil {
			return true
		}
		name := ""
		switch f := call.Fun.(type) {
		case *ast.Ident:
			name = f.Name
		case *ast.SelectorExpr:
			name = f.Sel.Name
		}
		if name != fn || len(call.Args) < first {
			return true
		}
		at := s.fset.Position(call.Pos()).String()
		args := call.Args[first:]
		if call.Ellipsis.IsValid() {
			id, ok := args[len(args)-1].(*ast.Ident)
			if !ok || len(args) != 1 || s.lists[id.Name] == nil {
				firstErr = fmt.Errorf("%s: %s(…) spreads something other than a []string variable of the file", at, fn)
				return true
			}
			out[at] = slices.Clone(s.lists[id.Name])
			return true
		}
		keys, err := s.strings(args)
		if err != nil {
			firstErr = fmt.Errorf("%s: %s(…): %v", at, fn, err)
			return true
		}
		out[at] = keys
		return true
	})
	return out, firstErr
}

// Normalize sorts each set and the sets, dropping repeats.
func Normalize(sets [][]string) [][]string {
	var out [][]string
	for _, s := range sets {
		s = slices.Clone(s)
		sort.Strings(s)
		out = append(out, slices.Compact(s))
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00") })
	return slices.CompactFunc(out, slices.Equal)
}

// Diff describes the sets in a but not in b and those in b but not in a
// ("" when they are the same); both normalized.
func Diff(aName string, a [][]string, bName string, b [][]string) string {
	a, b = Normalize(a), Normalize(b)
	var msg []string
	for _, s := range a {
		if !slices.ContainsFunc(b, func(t []string) bool { return slices.Equal(s, t) }) {
			msg = append(msg, fmt.Sprintf("only in %s: %v", aName, s))
		}
	}
	for _, s := range b {
		if !slices.ContainsFunc(a, func(t []string) bool { return slices.Equal(s, t) }) {
			msg = append(msg, fmt.Sprintf("only in %s: %v", bName, s))
		}
	}
	return strings.Join(msg, "\n")
}

// MustCompile is Compile that fails t on error.
func MustCompile(t testing.TB, name string, schema []byte) *jsonschema.Schema {
	t.Helper()
	s, err := Compile(name, schema)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Accepts checks that the schema, read as its own draft and as draft-07,
// accepts every spec (name → YAML): editors on either draft raise no false
// alarm.
func Accepts(t *testing.T, name string, schema []byte, specs map[string][]byte) {
	t.Helper()
	s := MustCompile(t, name, schema)
	s7, err := CompileDraft7(name, schema)
	if err != nil {
		t.Fatal(err)
	}
	for file, data := range specs {
		if err := Validate(s, data); err != nil {
			t.Errorf("%s: %v", file, err)
		}
		if err := Validate(s7, data); err != nil {
			t.Errorf("%s, read as draft-07: %v", file, err)
		}
	}
}

// Rejects checks that the parser and the schema both reject every
// mutation of base. A mutation {name, old, new, want} replaces old, which
// must occur exactly once, by new; the parser's error must contain want.
func Rejects(t *testing.T, s *jsonschema.Schema, parse func([]byte) error, base string, mutations [][4]string) {
	t.Helper()
	for _, m := range mutations {
		name, old, new, want := m[0], m[1], m[2], m[3]
		t.Run(name, func(t *testing.T) {
			if n := strings.Count(base, old); n != 1 {
				t.Fatalf("%q occurs %d times", old, n)
			}
			y := []byte(strings.Replace(base, old, new, 1))
			if err := parse(y); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("parser: got %v, want an error containing %q", err, want)
			}
			if err := Validate(s, y); err == nil {
				t.Errorf("schema accepts it")
			}
		})
	}
}

// KeysMatch checks that the closed objects of schema have exactly the key
// sets of the calls of fn in the Go file goFile (keys from argument first on).
func KeysMatch(t *testing.T, schema []byte, goFile, fn string, first int) *Source {
	t.Helper()
	src, err := ParseSource(goFile)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := src.CallKeys(fn, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 {
		t.Fatalf("%s has no calls of %s", goFile, fn)
	}
	var parserSets [][]string
	for _, keys := range calls {
		parserSets = append(parserSets, keys)
	}
	schemaSets, err := SchemaKeySets(schema)
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(goFile, parserSets, "the schema", schemaSets); d != "" {
		t.Errorf("mappings differ:\n%s", d)
	}
	return src
}

// EnumWant names a schema's enum by its path and the Go values it must list.
type EnumWant struct{ Path, Want []string }

// EnumsMatch checks that each enum lists exactly its Go values, in order.
func EnumsMatch(t *testing.T, schema []byte, cases []EnumWant) {
	t.Helper()
	for _, c := range cases {
		got, err := Enum(schema, c.Path...)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.Want) {
			t.Errorf("%s: schema %v, Go %v", strings.Join(c.Path, "/"), got, c.Want)
		}
	}
}

// Strings converts a list of string-kinded values.
func Strings[S ~[]E, E ~string](xs S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
