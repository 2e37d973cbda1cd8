package enum

import "testing"

type color string

func TestParse(t *testing.T) {
	got, err := Parse("color", "green", color("red"), "green", "blue")
	if err != nil || got != "green" {
		t.Fatalf("Parse(green) = %q, %v", got, err)
	}
	_, err = Parse("color", "Green", color("red"), "green", "blue")
	if want := `unknown color "Green" (want red, green or blue)`; err == nil || err.Error() != want {
		t.Fatalf("Parse(Green) error = %v, want %s", err, want)
	}
}

func TestList(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a or b"},
		{[]string{"a", "b", "c"}, "a, b or c"},
	} {
		if got := List(c.in...); got != c.want {
			t.Errorf("List(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
