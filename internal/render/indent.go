package render

import "bytes"

// indent appends src, compact JSON as encoding/json writes it, to dst
// indented by two spaces, byte for byte as json.Indent(dst, src, "", "  ")
// would. json.Indent runs its full validating scanner over every byte, which
// took most of the time `ordo affected --format json` spent writing 20,000
// changed files; src comes from encoding/json, so it is valid and has no
// white space outside strings, and a walk that skips strings whole will do.
func indent(dst, src []byte) []byte {
	depth := 0
	open := false // after { or [: indent unless it closes at once
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open && c != '}' && c != ']' {
			open = false
			depth++
			dst = newline(dst, depth)
		}
		switch c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = newline(append(dst, c), depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if open {
				open = false // {} and [] stay as they are
			} else {
				depth--
				dst = newline(dst, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// stringEnd returns the index just after the string that starts with the
// quote at src[start]: after the first quote not escaped by an odd number of
// backslashes.
func stringEnd(src []byte, start int) int {
	i := start + 1
	for {
		q := bytes.IndexByte(src[i:], '"')
		if q < 0 {
			return len(src) // unterminated: cannot come from encoding/json
		}
		q += i
		n := 0
		for n < q-start-1 && src[q-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

func newline(dst []byte, depth int) []byte {
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}
