// Package enum parses names of string-valued enumerations.
package enum

import (
	"fmt"
	"strings"
)

// Parse returns the value of values named s, or an error naming what was
// asked for and listing the choices: `unknown fault model "x" (want iid,
// chip or chip-stuck)`.
func Parse[T ~string](what, s string, values ...T) (T, error) {
	for _, v := range values {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown %s %q (want %s)", what, s, List(values...))
}

// List joins the values as prose: "a", "a or b", "a, b or c".
func List[T ~string](values ...T) string {
	var b strings.Builder
	for i, v := range values {
		switch {
		case i == 0:
		case i == len(values)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(v))
	}
	return b.String()
}
