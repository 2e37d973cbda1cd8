package kernels

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSIMDBeforeDispatch checks the package source: no package-level
// variable initialiser and no init function may execute a simd/archsimd
// operation, directly or through a function of this package that it calls,
// because they run on every CPU before the dispatch has chosen an
// implementation (an AVX-512 load there kills the program with SIGILL on
// an AVX2 machine). Only the feature queries archsimd.X86.* are allowed.
func TestNoSIMDBeforeDispatch(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]*ast.FuncDecl{}
	var roots []ast.Node
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "//go:build ignore") {
			continue // generator programs
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					continue
				}
				if d.Name.Name == "init" {
					roots = append(roots, d.Body)
					continue
				}
				funcs[d.Name.Name] = d
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, v := range s.(*ast.ValueSpec).Values {
						roots = append(roots, v)
					}
				}
			}
		}
	}
	if len(funcs) == 0 || len(roots) == 0 {
		t.Fatalf("found %d functions and %d initialisers: the test is not reading the package", len(funcs), len(roots))
	}
	seen := map[string]bool{}
	var check func(n ast.Node, path string)
	check = func(n ast.Node, path string) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && id.Name == "archsimd" && n.Sel.Name != "X86" {
					t.Errorf("%s: archsimd.%s runs before the dispatch (via %s)", fset.Position(n.Pos()), n.Sel.Name, path)
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && !seen[id.Name] {
					if fd := funcs[id.Name]; fd != nil {
						seen[id.Name] = true
						check(fd.Body, path+" → "+id.Name)
					}
				}
			}
			return true
		})
	}
	for _, r := range roots {
		check(r, "initialiser at "+fset.Position(r.Pos()).String())
	}
	if !seen["registerSIMD"] && !seen["register"] {
		t.Log("note: no SIMD registration reached from the initialisers (plain-Go build?)")
	}
}
