package discover

import (
	"errors"

	"github.com/pelletier/go-toml/v2"
)

// parseTOML reads a TOML document into maps (tables), []any (arrays and
// arrays of tables), strings, numbers and bools. Errors carry the position
// go-toml reports.
func parseTOML(src []byte) (map[string]any, error) {
	var doc map[string]any
	if err := toml.Unmarshal(src, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, &posError{line, col, "not valid TOML: " + de.Error()}
		}
		return nil, &posError{0, 0, "not valid TOML: " + err.Error()}
	}
	return doc, nil
}
