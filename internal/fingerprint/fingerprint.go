// Package fingerprint flattens a configuration into ordered "path = value"
// entries, so that two configurations can be hashed and, when they differ,
// compared field by field. The walk is by reflection over every exported
// field, so a field added to a type later is covered without anyone
// remembering to list it.
package fingerprint

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Entry is one leaf of a flattened value.
type Entry struct{ Key, Value string }

// Set is a flattened configuration, in walk order.
type Set []Entry

// Of flattens v under prefix: struct fields as prefix.Field (fields tagged
// `fingerprint:"-"` are left out), slice elements as prefix[i] — or
// prefix[name] when every element has a distinct non-empty Name field —,
// map entries as prefix[key] in key order, pointers followed (nil is
// "nil"), and leaves formatted exactly (floats in the shortest form that
// round-trips).
func Of(prefix string, v any) Set {
	var s Set
	s.add(prefix, reflect.ValueOf(v), map[uintptr]bool{})
	return s
}

// Add appends one leaf.
func (s *Set) Add(key, value string) { *s = append(*s, Entry{key, value}) }

// Append appends the entries of t.
func (s *Set) Append(t Set) { *s = append(*s, t...) }

func (s *Set) add(key string, v reflect.Value, onPath map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Invalid:
		s.Add(key, "nil")
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			s.Add(key, "nil")
			return
		}
		if v.Kind() == reflect.Pointer {
			p := v.Pointer()
			if onPath[p] {
				s.Add(key, "<cycle>")
				return
			}
			onPath[p] = true
			defer delete(onPath, p)
		}
		s.add(key, v.Elem(), onPath)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("fingerprint") == "-" {
				continue
			}
			s.add(key+"."+f.Name, v.Field(i), onPath)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			s.Add(key, "[]")
			return
		}
		if v.Len() == 0 {
			s.Add(key, "[]")
			return
		}
		names := elementNames(v)
		for i := 0; i < v.Len(); i++ {
			idx := strconv.Itoa(i)
			if names != nil {
				idx = names[i]
			}
			s.add(key+"["+idx+"]", v.Index(i), onPath)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		if len(keys) == 0 {
			s.Add(key, "{}")
		}
		for _, k := range keys {
			s.add(key+"["+fmt.Sprint(k)+"]", v.MapIndex(k), onPath)
		}
	case reflect.Float32:
		s.Add(key, strconv.FormatFloat(v.Float(), 'g', -1, 32))
	case reflect.Float64:
		s.Add(key, strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.String:
		s.Add(key, strconv.Quote(v.String()))
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		s.Add(key, v.Type().String())
	default:
		s.Add(key, fmt.Sprint(v.Interface()))
	}
}

// elementNames returns the Name field of every element of v when all are
// distinct and non-empty, else nil.
func elementNames(v reflect.Value) []string {
	names := make([]string, v.Len())
	seen := map[string]bool{}
	for i := range names {
		e := v.Index(i)
		for e.Kind() == reflect.Pointer || e.Kind() == reflect.Interface {
			if e.IsNil() {
				return nil
			}
			e = e.Elem()
		}
		if e.Kind() != reflect.Struct {
			return nil
		}
		f := e.FieldByName("Name")
		if !f.IsValid() || f.Kind() != reflect.String || f.String() == "" || seen[f.String()] {
			return nil
		}
		names[i] = f.String()
		seen[names[i]] = true
	}
	return names
}

// AddTensor appends a leaf for a float32 tensor: its shape and the SHA-256
// of its values' little-endian IEEE bits ("[3 3] sha256:…").
func (s *Set) AddTensor(key string, shape []int, data []float32) {
	h := sha256.New()
	var buf [4]byte
	for _, v := range data {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
		h.Write(buf[:])
	}
	s.Add(key, fmt.Sprintf("%v sha256:%x", shape, h.Sum(nil)))
}

// Hash is the SHA-256 of the entries, in hex.
func (s Set) Hash() string {
	h := sha256.New()
	for _, e := range s {
		fmt.Fprintf(h, "%s=%s\n", e.Key, e.Value)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Map returns the entries keyed by path.
func (s Set) Map() map[string]string {
	m := make(map[string]string, len(s))
	for _, e := range s {
		m[e.Key] = e.Value
	}
	return m
}

// Diff lists what changed from old to s, one "path: old → new" line per
// changed, added ("path: added, new") or removed ("path: removed") leaf, in
// s's order followed by the removed paths in sorted order.
func (s Set) Diff(old map[string]string) []string {
	var out []string
	seen := make(map[string]bool, len(s))
	for _, e := range s {
		seen[e.Key] = true
		ov, ok := old[e.Key]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: added, %s", e.Key, e.Value))
		case ov != e.Value:
			out = append(out, fmt.Sprintf("%s: %s → %s", e.Key, ov, e.Value))
		}
	}
	var gone []string
	for k := range old {
		if !seen[k] {
			gone = append(gone, k+": removed")
		}
	}
	sort.Strings(gone)
	return append(out, gone...)
}

// Summary joins the first n lines of diff with "; " and says how many more
// there are.
func Summary(diff []string, n int) string {
	if len(diff) <= n {
		return strings.Join(diff, "; ")
	}
	return strings.Join(diff[:n], "; ") + fmt.Sprintf("; and %d more", len(diff)-n)
}
