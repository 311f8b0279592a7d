package plan_test

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/golden"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render"
)

// TestRealisticOutputs keeps the plan action's outputs of the realistic
// plans (and an empty one) as golden files.
func TestRealisticOutputs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, catalog string
		files         []string
	}{
		{"realistic", "realistic.yaml", plan.RealisticChange},
		{"realistic-needs", "realistic-needs.yaml", plan.RealisticChange},
		{"empty", "realistic.yaml", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cat := plan.LoadCatalog(t, tt.catalog)
			aff, err := affected.NewMatcher(cat).Compute(affected.Input{Files: tt.files})
			if err != nil {
				t.Fatal(err)
			}
			outs, warnings := render.PlanOutputs(plan.New(cat, aff, plan.Options{}))
			var ob strings.Builder
			for _, o := range outs {
				fmt.Fprintf(&ob, "%s=%s\n", o.Name, o.Value)
			}
			golden.Check(t, filepath.Join("testdata", tt.name+".outputs.txt"), []byte(ob.String()))
			if len(warnings) > 0 {
				t.Errorf("warnings: %v", warnings)
			}
		})
	}
}

// utf16Size is the size GitHub counts for an output.
func utf16Size(s string) int {
	n := 0
	for _, r := range s {
		n += 2 * utf16.RuneLen(r)
	}
	return n
}

// TestOutputsFitAt5000 checks that a 5,000-service plan, everything
// affected, keeps each action output under GitHub's 1 MB job output limit,
// warns that all of them together pass it (GitHub counts what one job maps,
// together, in UTF-16), and that the names-only outputs a large workflow
// maps instead fit with room to spare.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/passing-information-between-jobs
func TestOutputsFitAt5000(t *testing.T) {
	t.Parallel()
	cat := plan.GenCatalog(t, rand.New(rand.NewSource(5000)), plan.RealisticShape(5000))
	p := plan.New(cat, plan.AffectAll(cat), plan.Options{})
	plan.CheckMatrices(t, p)
	maxAfter := 0
	for _, j := range p.Jobs {
		maxAfter = max(maxAfter, len(j.After))
	}
	t.Logf("%d services, %d deployed in %d waves, at most %d after", len(cat.Services), len(p.Jobs), len(p.Waves), maxAfter)
	outs, warnings := render.PlanOutputs(p)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "outputs are") || !strings.Contains(warnings[0], "wave-services") {
		t.Errorf("warnings: %v, want one about the total that names wave-services", warnings)
	}
	small := 0
	for _, o := range outs {
		size := utf16Size(o.Value)
		if o.Name == "wave-services" || o.Name == "wave-count" || o.Name == "has-deploy" {
			small += size
		}
		t.Logf("%-10s %7d KiB", o.Name, size>>10)
		if size > render.MaxOutputBytes {
			t.Errorf("output %s is %d bytes, more than %d", o.Name, size, render.MaxOutputBytes)
		}
		if o.Value == "" || o.Value == "null" {
			t.Errorf("output %s = %q", o.Name, o.Value)
		}
		if strings.ContainsAny(o.Value, "\n ") && o.Name != "has-deploy" {
			t.Errorf("output %s is not compact", o.Name)
		}
	}
	if small > render.MaxOutputBytes/2 {
		t.Errorf("wave-services, wave-count and has-deploy are %d bytes together, want well under %d", small, render.MaxOutputBytes)
	}
}

func TestOutputsWarnWhenTooLarge(t *testing.T) {
	t.Parallel()
	p := &plan.Plan{Affected: []string{strings.Repeat("é", render.MaxOutputBytes/2)}}
	_, warnings := render.PlanOutputs(p)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "output affected") {
		t.Errorf("warnings = %v, want one about affected", warnings)
	}
}

func BenchmarkOutputs(b *testing.B) {
	cat := plan.GenCatalog(b, rand.New(rand.NewSource(4000)), plan.RealisticShape(4000))
	p := plan.New(cat, plan.AffectAll(cat), plan.Options{})
	b.ReportAllocs()
	for b.Loop() {
		render.PlanOutputs(p)
	}
}
