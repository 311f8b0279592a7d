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
	for i := 0; i < len(name); i++ { // bytes: what git forbids is ASCII
		switch c := name[i]; {
		case c < 0x20 || c == 0x7f:
			return errors.New("it has a control character")
		case refForbidden[c]:
			return fmt.Errorf("it has %q, which git does not allow in ref names", rune(c))
		}
	}
	for rest := name; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "/")
		if strings.HasPrefix(part, ".") {
			return fmt.Errorf("its part %q starts with \".\"", part)
		}
		if strings.HasSuffix(part, ".lock") {
			return fmt.Errorf("its part %q ends with \".lock\"", part)
		}
	}
	return nil
}

// refForbidden marks the printable ASCII bytes git does not allow in a ref name.
var refForbidden = func() (t [256]bool) {
	for _, c := range []byte(" ~^:?*[\\") {
		t[c] = true
	}
	return t
}()
