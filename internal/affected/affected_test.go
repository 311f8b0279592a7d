package affected

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
)

func parse(t testing.TB, src string) *catalog.Catalog {
	t.Helper()
	c, d := catalog.Parse("ordo.yaml", []byte(src))
	if c == nil {
		t.Fatalf("catalog: %s", d.Error())
	}
	return c
}

const shop = `version: 1
global: [go.work]
ignore: ["**/*.md", docs/**]
unowned: %s
services:
  auth: {kind: library, paths: [libs/auth/**]}
  db: {kind: migration, paths: [db/**]}
  users: {paths: [svc/users/**, "!svc/users/**/*_test.go"], depends_on: [db, auth], provides: {users: 2.0.0}}
  orders: {paths: [svc/orders/**], depends_on: [auth, {service: users, propagate: false}], consumes: {users: ^2.0}}
  gateway: {paths: [svc/gateway/**], depends_on: [users, orders]}
  lone: {paths: [svc/lone/**]}
`

// summary renders a result compactly: "name: reason; reason" per service.
func summary(r *Result) string {
	var lines []string
	for _, s := range r.Services {
		var rs []string
		for _, x := range s.Reasons {
			switch x.Type {
			case ReasonDependency:
				rs = append(rs, "dependency "+strings.Join(x.Via, ">"))
			case ReasonContract:
				rs = append(rs, "contract "+x.Contract)
			case ReasonChanged, ReasonGlobal, ReasonUnowned:
				rs = append(rs, x.Type+" "+strings.Join(x.Files, ","))
			default:
				rs = append(rs, x.Type)
			}
		}
		lines = append(lines, s.Name+": "+strings.Join(rs, "; "))
	}
	return strings.Join(lines, "\n")
}

func TestCompute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		unowned      string
		in           Input
		want         string
		unownedFiles []string
		ignored      []string
	}{
		{
			name: "library change reaches dependents with shortest chains",
			in:   Input{Files: []string{"libs/auth/token.go"}},
			want: "auth: changed libs/auth/token.go\n" +
				"gateway: dependency auth>orders>gateway\n" + // ties go to the first name
				"orders: dependency auth>orders\n" +
				"users: dependency auth>users",
		},
		{
			name: "order-only edge does not propagate",
			in:   Input{Files: []string{"svc/users/main.go"}},
			want: "gateway: dependency users>gateway\nusers: changed svc/users/main.go",
		},
		{
			name: "changed service reached from another changed one has both reasons",
			in:   Input{Files: []string{"db/0001.sql", "svc/users/api.go"}},
			want: "db: changed db/0001.sql\n" +
				"gateway: dependency users>gateway\n" +
				"users: changed svc/users/api.go; dependency db>users",
		},
		{
			name:         "excluded file is owned by nobody",
			in:           Input{Files: []string{"svc/users/api/x_test.go"}},
			want:         "",
			unownedFiles: []string{"svc/users/api/x_test.go"},
		},
		{
			name:    "ignore comes before global and ownership",
			in:      Input{Files: []string{"svc/lone/README.md", "docs/go.work"}},
			want:    "",
			ignored: []string{"docs/go.work", "svc/lone/README.md"},
		},
		{
			name: "global affects everything",
			in:   Input{Files: []string{"go.work", "svc/lone/x.go"}},
			want: "auth: global go.work\n" +
				"db: global go.work\n" +
				"gateway: global go.work\n" +
				"lone: changed svc/lone/x.go; global go.work\n" +
				"orders: global go.work\n" +
				"users: global go.work",
		},
		{
			name:         "unowned all",
			unowned:      "all",
			in:           Input{Files: []string{"Makefile"}},
			want:         "auth: unowned Makefile\ndb: unowned Makefile\ngateway: unowned Makefile\nlone: unowned Makefile\norders: unowned Makefile\nusers: unowned Makefile",
			unownedFiles: []string{"Makefile"},
		},
		{
			name: "contract change affects consumers, not their dependents",
			in:   Input{ChangedContracts: []string{"users"}},
			want: "orders: contract users",
		},
		{
			name: "all",
			in:   Input{All: ReasonNoBase, Files: []string{"x"}},
			want: "auth: no-base\ndb: no-base\ngateway: no-base\nlone: no-base\norders: no-base\nusers: no-base",
		},
		{
			name: "duplicates and order of files do not matter",
			in:   Input{Files: []string{"svc/lone/b", "svc/lone/a", "svc/lone/b"}},
			want: "lone: changed svc/lone/a,svc/lone/b",
		},
		{
			name: "nothing changed",
			in:   Input{},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mode := tt.unowned
			if mode == "" {
				mode = "ignore"
			}
			cat := parse(t, fmt.Sprintf(shop, mode))
			res, err := NewMatcher(cat).Compute(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if got, want := strings.Join(res.UnownedFiles, ","), strings.Join(tt.unownedFiles, ","); got != want {
				t.Errorf("unowned = %q, want %q", got, want)
			}
			if got, want := strings.Join(res.IgnoredFiles, ","), strings.Join(tt.ignored, ","); got != want {
				t.Errorf("ignored = %q, want %q", got, want)
			}
			for i, s := range cat.Services {
				if res.Set[i] != strings.Contains("\n"+tt.want, "\n"+s.Name+":") {
					t.Errorf("Set[%s] = %v disagrees with Services", s.Name, res.Set[i])
				}
			}
		})
	}
}

func TestUnownedFail(t *testing.T) {
	t.Parallel()
	cat := parse(t, fmt.Sprintf(shop, "fail"))
	_, err := NewMatcher(cat).Compute(Input{Files: []string{"svc/lone/a", "Makefile", "weird \"name\"\n.txt"}})
	if exit.Code(err) != exit.No {
		t.Fatalf("exit code %d, want %d (err %v)", exit.Code(err), exit.No, err)
	}
	for _, want := range []string{`"Makefile"`, `"weird \"name\"\n.txt"`, "unowned: fail"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestUnmatchedPaths(t *testing.T) {
	t.Parallel()
	cat := parse(t, fmt.Sprintf(shop, "ignore"))
	diags := NewMatcher(cat).UnmatchedPaths([]string{"libs/auth/a.go", "db/1.sql", "svc/users/x.go", "svc/orders/y.go", "svc/gateway/z.go"})
	if len(diags) != 1 || !strings.Contains(diags[0].Message, `"lone"`) || diags[0].Line != 11 {
		t.Fatalf("diags = %v, want one warning for lone at line 11", diags)
	}
}
