package gate

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func FuzzParseOverride(f *testing.F) {
	for _, s := range []string{"policy.freeze=hotfix INC-42", `policy.max_deploy="big"`, "contract.rollout=x", "=", "policy.freeze", "a=b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, flag string) {
		o, err := ParseOverride(flag)
		if err != nil {
			return
		}
		if !Overridable(o.Rule) || o.Reason == "" || o.Source != SourceFlag {
			t.Errorf("ParseOverride(%q) = %+v: want an overridable rule and a reason", flag, o)
		}
	})
}

func FuzzLoadSpec(f *testing.F) {
	for _, s := range []string{usersSpec, withoutUser, "openapi: 3.0.3\ninfo: {title: x\n", `{"openapi": "3.0.0", "paths": {}}`, "- a\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		spec, err := loadSpec("api", "openapi.yaml", src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "openapi.yaml") {
				t.Errorf("error %q does not start with the file name", err)
			}
			return
		}
		if _, err := breakingChanges(spec, spec); err != nil {
			t.Errorf("comparing a spec with itself: %v", err)
		}
	})
}

// BenchmarkCheck runs the gate on 2,000 services in a chain of contracts,
// every provider bumping its contract and serving both versions, deployed
// in 20 waves.
func BenchmarkCheck(b *testing.B) {
	const n = 2000
	var base, head strings.Builder
	base.WriteString("services:\n")
	head.WriteString("services:\n")
	var waves [][]string
	for i := range n {
		fmt.Fprintf(&base, "  s%04d:\n    provides: {c%04d: 1.0.0}\n", i, i)
		fmt.Fprintf(&head, "  s%04d:\n    provides: {c%04d: [1.0.0, 2.0.0]}\n", i, i)
		if i > 0 {
			fmt.Fprintf(&base, "    consumes: {c%04d: ^1}\n", i-1)
			fmt.Fprintf(&head, "    consumes: {c%04d: ^1}\n", i-1)
		}
		if i%(n/20) == 0 {
			waves = append(waves, nil)
		}
		waves[len(waves)-1] = append(waves[len(waves)-1], fmt.Sprintf("s%04d", i))
	}
	policy := "policy:\n  freeze: [{days: [sat, sun], tz: Europe/Berlin}]\n  migration_windows: [{days: [tue], from: \"06:00\", to: \"09:00\"}]\n"
	in := Input{
		Base:  parseCatalog(b, base.String()+policy),
		Head:  parseCatalog(b, head.String()+policy),
		Waves: waves,
		Now:   time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC),
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Check(b.Context(), in)
		if err != nil || !r.Passed {
			b.Fatalf("Check: %v, %+v", err, r)
		}
	}
}
