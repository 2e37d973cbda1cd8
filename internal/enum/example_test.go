package enum_test

import (
	"fmt"

	"cosim/internal/enum"
)

type Fruit string

func ExampleParse() {
	fruits := []Fruit{"apple", "pear", "plum"}
	f, err := enum.Parse("fruit", "pear", fruits...)
	fmt.Println(f, err)
	_, err = enum.Parse("fruit", "kiwi", fruits...)
	fmt.Println(err)
	// Output:
	// pear <nil>
	// unknown fruit "kiwi" (want apple, pear or plum)
}
