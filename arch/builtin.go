package arch

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

//go:embed specs/*.yaml
var builtinFS embed.FS

// BuiltinNames returns the names of the embedded specs (arch/specs/NAME.yaml), sorted.
func BuiltinNames() []string {
	entries, err := fs.ReadDir(builtinFS, "specs")
	if err != nil { // the embed pattern guarantees the directory exists
		panic(fmt.Sprintf("arch: embedded specs: %v", err))
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Builtin parses the embedded spec name; messages name it
// arch/specs/NAME.yaml, its path in the repository.
func Builtin(name string) (*Spec, error) { return builtin(name, Options{}) }

func builtin(name string, o Options) (*Spec, error) {
	data, err := BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	return ParseWith("arch/specs/"+name+".yaml", data, o)
}

// BuiltinSource returns the YAML text of the embedded spec name, comments
// included: a starting point for a spec of one's own.
func BuiltinSource(name string) ([]byte, error) {
	if !slices.Contains(BuiltinNames(), name) {
		return nil, fmt.Errorf("arch: no built-in architecture %q (built-ins: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	data, err := builtinFS.ReadFile(path.Join("specs", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("arch: built-in %q: %w", name, err)
	}
	return data, nil
}

// Resolve returns a built-in spec or a spec file. An argument that contains a
// path separator or ends in .yaml or .yml is a file path; anything else is a
// built-in name.
func Resolve(nameOrPath string) (*Spec, error) { return ResolveWith(nameOrPath, Options{}) }

// ResolveWith is Resolve with options.
func ResolveWith(nameOrPath string, o Options) (*Spec, error) {
	ext := filepath.Ext(nameOrPath)
	if strings.ContainsRune(nameOrPath, '/') || strings.ContainsRune(nameOrPath, filepath.Separator) || ext == ".yaml" || ext == ".yml" {
		return load(nameOrPath, o)
	}
	return builtin(nameOrPath, o)
}
