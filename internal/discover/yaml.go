package discover

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
)

// unmarshalYAML decodes src into v. goccy/go-yaml panics on some malformed
// input (found by fuzzing: "packages:  ! "); a repository's broken file must
// not stop discovery, so a panic becomes an error like any other.
func unmarshalYAML(src []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &posError{1, 1, fmt.Sprintf("not valid YAML: the YAML parser failed on it (%v)", r)}
		}
	}()
	if err := yaml.Unmarshal(src, v); err != nil {
		return yamlError(err)
	}
	return nil
}

func yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line, col := 0, 0
		if t := ye.GetToken(); t != nil && t.Position != nil {
			line, col = t.Position.Line, t.Position.Column
		}
		return &posError{line, col, "not valid YAML: " + ye.GetMessage()}
	}
	return &posError{0, 0, "not valid YAML: " + err.Error()}
}
