package torchpth

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/nlpodyssey/gopickle/pickle"
)

// scanPickle walks the opcodes of the pickle that starts at data[0] and
// returns its length (up to and including STOP). Every length prefix must
// fit in the bytes that remain, so the unpickler never allocates more than
// the file holds; an opcode pickle protocol 5 does not define is an error.
func scanPickle(data []byte) (int, error) {
	i := 0
	need := func(n uint64) error {
		if n > uint64(len(data)-i) {
			return fmt.Errorf("pickle truncated at byte %d (an argument of %d bytes)", i, n)
		}
		return nil
	}
	line := func() error {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return fmt.Errorf("pickle truncated at byte %d (unterminated line)", i)
		}
		i += j + 1
		return nil
	}
	for i < len(data) {
		op := data[i]
		i++
		var n uint64 // bytes of a length-prefixed argument
		switch op {
		case '.': // STOP
			return i, nil
		case '(', ')', '0', '1', '2', 'N', 'R', 'a', 'b', 'd', 'e', 'l', 'o', 's', 't', 'u', '}', ']', 'Q',
			0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x97, 0x98:
			// no argument
		case 'I', 'L', 'F', 'S', 'V', 'P', 'g', 'p': // one line
			if err := line(); err != nil {
				return 0, err
			}
		case 'c', 'i': // two lines
			if err := line(); err != nil {
				return 0, err
			}
			if err := line(); err != nil {
				return 0, err
			}
		case 'K', 'h', 'q', 0x80, 0x82: // one byte
			if err := need(1); err != nil {
				return 0, err
			}
			i++
		case 'M', 0x83: // two bytes
			if err := need(2); err != nil {
				return 0, err
			}
			i += 2
		case 'J', 'j', 'r', 0x84: // four bytes
			if err := need(4); err != nil {
				return 0, err
			}
			i += 4
		case 'G': // eight-byte float
			if err := need(8); err != nil {
				return 0, err
			}
			i += 8
		case 'U', 'C', 0x8c, 0x8a: // one-byte length
			if err := need(1); err != nil {
				return 0, err
			}
			n = uint64(data[i])
			i++
		case 'T', 'X', 'B', 0x8b: // four-byte length
			if err := need(4); err != nil {
				return 0, err
			}
			n = uint64(binary.LittleEndian.Uint32(data[i:]))
			i += 4
		case 0x8d, 0x8e, 0x96, 0x95: // eight-byte length (FRAME: the frame's bytes are scanned as opcodes)
			if err := need(8); err != nil {
				return 0, err
			}
			n = binary.LittleEndian.Uint64(data[i:])
			i += 8
			if op == 0x95 {
				if err := need(n); err != nil {
					return 0, err
				}
				n = 0
			}
		default:
			return 0, fmt.Errorf("pickle opcode 0x%02x at byte %d is not one pickle defines", op, i-1)
		}
		if err := need(n); err != nil {
			return 0, err
		}
		i += int(n)
	}
	return 0, fmt.Errorf("pickle has no STOP opcode")
}

// unpickle scans and then decodes the pickle at the start of data with
// gopickle, which builds Go values and never runs code; classes resolve
// through find (gopickle itself knows only collections.OrderedDict and
// builtins' containers) and persistent ids through persist. It returns the
// object and the pickle's length.
func unpickle(data []byte, find func(module, name string) (any, error), persist func(any) (any, error)) (obj any, n int, err error) {
	n, err = scanPickle(data)
	if err != nil {
		return nil, 0, err
	}
	u := pickle.NewUnpickler(bytes.NewReader(data[:n]))
	u.FindClass = find
	u.PersistentLoad = persist
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, fmt.Errorf("malformed pickle: %v", r)
		}
	}()
	obj, err = u.Load()
	return obj, n, err
}
