package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	const stream = `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestTool"}
{"Action":"output","Package":"p","Test":"TestTool","Output":"    x_test.go:9: act not found (set ORDO_ACT or put it on PATH)\n"}
{"Action":"output","Package":"p","Test":"TestTool","Output":"--- SKIP: TestTool (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestTool"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}
{"Action":"pass","Package":"p"}
`
	cases := []struct {
		name       string
		in         string
		failOnSkip bool
		code       int
		want       []string
	}{
		{"skips listed", stream, false, 0, []string{"ok  \tp", "SKIP p TestTool: x_test.go:9: act not found", "1 passed, 0 failed, 1 skipped"}},
		{"skips fail in CI", stream, true, 1, []string{"1 skipped tests with -fail-on-skip"}},
		{"failures shown", `{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: boom\n"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"fail","Package":"p"}
`, false, 1, []string{"--- FAIL: TestB (p)", "b_test.go:3: boom", "0 passed, 1 failed, 0 skipped"}},
		{"build errors pass through", "# p\n./x.go:1: syntax error\n" + `{"Action":"fail","Package":"p"}` + "\n", false, 1, []string{"./x.go:1: syntax error"}},
		{"build errors as JSON", `{"ImportPath":"p","Action":"build-output","Output":"./y.go:2: undefined: z\n"}
{"ImportPath":"p","Action":"build-fail"}
`, false, 1, []string{"./y.go:2: undefined: z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			if code := run(strings.NewReader(c.in), &out, c.failOnSkip); code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, out.String())
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
