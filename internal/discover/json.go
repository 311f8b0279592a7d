package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// posError is a malformed manifest at a 1-based position (0 when unknown).
type posError struct {
	Line, Col int
	Msg       string
}

func (e *posError) Error() string { return e.Msg }

// jsonError turns an encoding/json error into a posError. field is the
// top-level field whose value err is about ("" for the whole document); the
// error's offsets are then relative to that value, so the field's key is the
// position reported.
func jsonError(src []byte, err error, field string) error {
	off := 0
	if field != "" {
		off = fieldOffset(src, field)
	}
	msg := err.Error()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = int(se.Offset) - 1
		msg = "not valid JSON: " + se.Error()
	case errors.As(err, &te):
		what := field
		if field == "" {
			off = int(te.Offset)
			what = "package.json"
		}
		msg = fmt.Sprintf("%s must be %s, not %s", what, jsonType(te.Type.String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = len(src)
		msg = "not valid JSON: unexpected end of file"
	}
	line, col := lineCol(src, off)
	return &posError{line, col, msg}
}

func jsonType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "map["):
		return "an object"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	}
	return goType
}

// fieldOffset finds the offset of the top-level key name in a JSON object,
// for errors that encoding/json reports without one.
func fieldOffset(src []byte, name string) int {
	dec := json.NewDecoder(bytes.NewReader(src))
	depth, expectKey := 0, false
	for {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return 0
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
			if depth == 1 {
				expectKey = true
			}
			continue
		}
		if depth != 1 {
			continue
		}
		if expectKey && tok == name {
			// The offset before a token may point at the separator before it.
			for off < len(src) && src[off] != '"' {
				off++
			}
			return off
		}
		expectKey = !expectKey
	}
}

// lineCol converts a byte offset into a 1-based line and column (in runes).
func lineCol(src []byte, off int) (int, int) {
	off = max(0, min(off, len(src)))
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(src[start:off])
}
