// Command testsum reads `go test -json` on stdin and prints what a plain
// `go test` prints (each package's result, and the output of failed tests),
// then one line for every skipped test with its reason and a closing count
// line. With -fail-on-skip (CI) a skipped test fails the run: a test that
// skips in CI proves nothing, and plain `go test` would still say ok.
//
// Usage: go test -json ./... | go run ./internal/testsum [-fail-on-skip]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type key struct{ pkg, test string }

func main() {
	failOnSkip := flag.Bool("fail-on-skip", false, "exit 1 when any test was skipped")
	flag.Parse()
	os.Exit(run(os.Stdin, os.Stdout, *failOnSkip))
}

func run(in io.Reader, out io.Writer, failOnSkip bool) int {
	output := map[key][]string{}
	var skipped []key
	passed, failed := 0, 0
	pkgFailed := false
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil || ev.Action == "" {
			// Build errors and other non-JSON lines are printed as they are.
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		k := key{ev.Package, ev.Test}
		switch ev.Action {
		case "build-output":
			fmt.Fprint(out, ev.Output)
		case "build-fail":
			pkgFailed = true
		case "output":
			if ev.Test == "" {
				if !strings.HasPrefix(ev.Output, "=== ") && !strings.HasPrefix(ev.Output, "PASS\n") {
					fmt.Fprint(out, ev.Output)
				}
				continue
			}
			output[k] = append(output[k], ev.Output)
		case "pass":
			if ev.Test != "" {
				passed++
				delete(output, k)
			}
		case "skip":
			if ev.Test != "" {
				skipped = append(skipped, k)
			}
		case "fail":
			if ev.Test == "" {
				pkgFailed = true
				continue
			}
			failed++
			fmt.Fprintf(out, "--- FAIL: %s (%s)\n", ev.Test, ev.Package)
			for _, o := range output[k] {
				fmt.Fprint(out, "    ", o)
			}
			delete(output, k)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(out, "testsum: read go test -json: %v\n", err)
		return 1
	}
	sort.Slice(skipped, func(i, j int) bool {
		if skipped[i].pkg != skipped[j].pkg {
			return skipped[i].pkg < skipped[j].pkg
		}
		return skipped[i].test < skipped[j].test
	})
	for _, k := range skipped {
		fmt.Fprintf(out, "SKIP %s %s: %s\n", k.pkg, k.test, skipReason(output[k]))
	}
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", passed, failed, len(skipped))
	switch {
	case failed > 0 || pkgFailed:
		return 1
	case failOnSkip && len(skipped) > 0:
		fmt.Fprintf(out, "testsum: %d skipped tests with -fail-on-skip: install what they name (.ci/run does)\n", len(skipped))
		return 1
	}
	return 0
}

// skipReason picks the message the test gave to t.Skip out of its output.
func skipReason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "===") {
			continue
		}
		return l
	}
	return "no reason given"
}
