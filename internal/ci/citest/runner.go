// Package citest reads a job log the way the GitHub Actions runner does, so
// that tests can assert which workflow commands a log would execute.
package citest

import (
	"strings"
)

// Commands returns the lines of log that the runner would execute as
// workflow commands: a line whose trimmed start is "::" or that holds "##["
// anywhere (the runner's old command syntax), outside a
// ::stop-commands::TOKEN ... ::TOKEN:: frame. The runner ends a line at \n,
// \r\n and a lone \r. The frame commands themselves are not returned.
// https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs
func Commands(log string) []string {
	var cmds []string
	stopped, token := false, ""
	for _, line := range Lines(log) {
		v2 := strings.HasPrefix(strings.TrimLeft(line, " \t"), "::")
		if !v2 && !strings.Contains(line, "##[") {
			continue
		}
		name := ""
		if v2 {
			rest := strings.TrimPrefix(strings.TrimLeft(line, " \t"), "::")
			if i := strings.Index(rest, "::"); i >= 0 {
				name, _, _ = strings.Cut(rest[:i], " ")
			}
		}
		switch {
		case stopped:
			if v2 && name == token {
				stopped = false
			}
		case v2 && name == "stop-commands":
			_, after, _ := strings.Cut(line, "::stop-commands::")
			stopped, token = true, strings.TrimSpace(after)
		default:
			cmds = append(cmds, line)
		}
	}
	return cmds
}

// Lines splits s where the runner ends lines: \r\n, \n and a lone \r.
func Lines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
}
