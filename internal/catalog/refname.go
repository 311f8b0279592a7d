package catalog

import (
	"errors"
	"fmt"
	"strings"
)

// checkRefName applies git's rules for ref names (git check-ref-format,
// https://git-scm.com/docs/git-check-ref-format) to name, a full or
// partial ref such as refs/tags/api/v1.2.3 or api/v1.2.3. The error says
// which rule the name breaks.
func checkRefName(name string) error {
	switch {
	case name == "":
		return errors.New("it is empty")
	case name == "@":
		return errors.New(`it is "@" alone`)
	case strings.HasPrefix(name, "-"):
		return errors.New(`it starts with "-", which git reads as an option`)
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/"):
		return errors.New(`it starts or ends with "/"`)
	case strings.Contains(name, "//"):
		return errors.New(`it has "//"`)
	case strings.Contains(name, ".."):
		return errors.New(`it has ".."`)
	case strings.Contains(name, "@{"):
		return errors.New(`it has "@{"`)
	case strings.HasSuffix(name, "."):
		return errors.New(`it ends with "."`)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return errors.New("it has a control character")
		}
		if strings.ContainsRune(" ~^:?*[\\", r) {
			return fmt.Errorf("it has %q, which git does not allow in ref names", r)
		}
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return fmt.Errorf("its part %q starts with \".\"", part)
		}
		if strings.HasSuffix(part, ".lock") {
			return fmt.Errorf("its part %q ends with \".lock\"", part)
		}
	}
	return nil
}
