package flags

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/record"
	"github.com/ordo-ci/ordo/internal/testtool"
)

// These tests evaluate the files ordo writes with OpenFeature's own flagd
// evaluator, @openfeature/flagd-core from npm (.ci/run installs it into
// ORDO_FLAGD_CORE_DIR), the code flagd's JavaScript providers run.

const keys = 10000

// evaluation is what testdata/flagd-eval.cjs prints for one flag.
type evaluation struct {
	True     int            `json:"true"`
	False    int            `json:"false"`
	Variants map[string]int `json:"variants"`
	Reasons  map[string]int `json:"reasons"`
	Errors   []string       `json:"errors"`
	Metadata map[string]any `json:"metadata"`
}

// flagdCore returns the directory holding node_modules/@openfeature/flagd-core
// and the node binary, or skips (fails in CI) without them.
func flagdCore(tb testing.TB) (dir, node string) {
	tb.Helper()
	node = testtool.Find(tb, "", "node")
	dir = os.Getenv("ORDO_FLAGD_CORE_DIR")
	if dir == "" {
		testtool.Missing(tb, "the flagd evaluator is not installed: set ORDO_FLAGD_CORE_DIR to a directory where `npm install @openfeature/flagd-core@4.0.1 @openfeature/core` ran")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@openfeature", "flagd-core", "package.json")); err != nil {
		testtool.Missing(tb, "ORDO_FLAGD_CORE_DIR=%s has no @openfeature/flagd-core: %v", dir, err)
	}
	return dir, node
}

// evaluate writes doc to a file and evaluates every flag in it for keys
// targeting keys, with the evaluator's clock at clock (unix seconds), or at
// the machine's own clock for "real".
func evaluate(tb testing.TB, doc []byte, clock string) map[string]evaluation {
	tb.Helper()
	dir, node := flagdCore(tb)
	file := filepath.Join(tb.TempDir(), "flags.flagd.json")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		tb.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "flagd-eval.cjs"))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(node, script, dir, file, clock, strconv.Itoa(keys)).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		tb.Fatalf("flagd-eval: %v\n%s", err, stderr)
	}
	var res struct {
		Flags map[string]evaluation `json:"flags"`
		Logs  []string              `json:"logs"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		tb.Fatalf("flagd-eval printed %q: %v", out, err)
	}
	// flagd-core checks every file against its own copy of flagd's schemas
	// and logs what does not conform; nothing may.
	for _, l := range res.Logs {
		tb.Errorf("flagd-core logged: %s", l)
	}
	for name, ev := range res.Flags {
		if len(ev.Errors) > 0 {
			tb.Errorf("%s: evaluation errors %v", name, ev.Errors)
		}
	}
	return res.Flags
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// share is the percentage of keys a flag is on for.
func share(ev evaluation) float64 { return 100 * float64(ev.True) / float64(ev.True+ev.False) }

func wantShare(tb testing.TB, what string, ev evaluation, percent float64) {
	tb.Helper()
	if ev.True+ev.False != keys {
		tb.Fatalf("%s: %d evaluations, want %d", what, ev.True+ev.False, keys)
	}
	if got := share(ev); math.Abs(got-percent) > 1.5 {
		tb.Errorf("%s: on for %.2f%% of %d keys, want %v%% ± 1.5", what, got, keys, percent)
	} else {
		tb.Logf("%s: on for %.2f%% of %d keys (step %v%%)", what, got, keys, percent)
	}
}

// TestFlagdCoreRamp: a file written at each step of the shop's ramp turns
// the flag on for the step's share of targeting keys, and the steps to come,
// gated on $flagd.timestamp, take over when the evaluator's clock reaches
// them, without the file being written again.
func TestFlagdCoreRamp(t *testing.T) {
	t.Parallel()
	sc := map[string]scenario{}
	for _, s := range scenarios() {
		sc[s.name] = s
	}
	metSince := t0.Add(20 * time.Minute)
	step1 := encode(t, Document(sc["step1"].states(t))) // written at +30m: 5%
	tests := []struct {
		what    string
		doc     []byte
		clock   time.Time
		percent float64
	}{
		{"written at step 1, read at once", step1, sc["step1"].now, 5},
		{"written at step 1, read a second before step 2", step1, metSince.Add(30*time.Minute - time.Second), 5},
		{"written at step 1, read when step 2 begins", step1, metSince.Add(30 * time.Minute), 50},
		{"written at step 1, read during step 2", step1, metSince.Add(time.Hour), 50},
		{"written at step 1, read when step 3 begins", step1, metSince.Add(150 * time.Minute), 100},
		{"written at step 2", encode(t, Document(sc["step2"].states(t))), sc["step2"].now, 50},
		{"written at step 3", encode(t, Document(sc["step3"].states(t))), sc["step3"].now, 100},
	}
	for _, tt := range tests {
		res := evaluate(t, tt.doc, unix(tt.clock))
		wantShare(t, tt.what, res["new-checkout"], tt.percent)
		// a flag without a rollout is on for everyone; one never met off
		wantShare(t, tt.what+": web-only", res["web-only"], 100)
		wantShare(t, tt.what+": search-v2", res["search-v2"], 0)
		if md := res["new-checkout"].Metadata; md["requires.payments"] != ">=4.0.0" || md["running.payments"] != "4.0.0" || md["ordo.met_since"] != "2026-03-02T09:20:00Z" {
			t.Errorf("%s: metadata %v", tt.what, md)
		}
	}
}

// TestFlagdCoreRampKeepsKeys: bucketing on the flag key and the targeting
// key keeps every key that was on at 5% on at 50%.
func TestFlagdCoreRampKeepsKeys(t *testing.T) {
	t.Parallel()
	dir, node := flagdCore(t)
	doc := encode(t, Document(scenarios()[2].states(t))) // step1
	file := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	js := `const {FlagdCore} = require(process.argv[1] + '/node_modules/@openfeature/flagd-core');
const fs = require('fs'); const c = new FlagdCore(); c.setConfigurations(fs.readFileSync(process.argv[2], 'utf8'));
const on = (t) => { const real = Date.now; Date.now = () => t * 1000; const s = [];
  for (let i = 0; i < 10000; i++) if (c.resolveBooleanEvaluation('new-checkout', false, {targetingKey: 'user-' + i}, console).value) s.push(i);
  Date.now = real; return s; };
const a = on(Number(process.argv[3])), b = new Set(on(Number(process.argv[4])));
console.log(JSON.stringify({a: a.length, b: b.size, lost: a.filter(i => !b.has(i)).length}));`
	out, err := exec.Command(node, "-e", js, dir, file, unix(t0.Add(30*time.Minute)), unix(t0.Add(60*time.Minute))).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var r struct{ A, B, Lost int }
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if r.A == 0 || r.B <= r.A || r.Lost != 0 {
		t.Errorf("on at 5%%: %d keys, at 50%%: %d, turned off on the way: %d", r.A, r.B, r.Lost)
	}
}

// TestFlagdCoreOffAndRollback: unmet flags are off for every key, and a
// rollback of payments below the constraint turns the flag off in the next
// file, for every key, at any time.
func TestFlagdCoreOffAndRollback(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"nothing-deployed", "unmet", "rolled-back"} {
		var sc scenario
		for _, s := range scenarios() {
			if s.name == name {
				sc = s
			}
		}
		doc := encode(t, Document(sc.states(t)))
		for _, clock := range []time.Time{sc.now, sc.now.Add(24 * time.Hour)} {
			res := evaluate(t, doc, unix(clock))
			for _, flag := range []string{"new-checkout", "search-v2"} {
				if ev := res[flag]; ev.True != 0 || ev.False != keys {
					t.Errorf("%s at %v: %s on for %d of %d keys, want none", name, clock, flag, ev.True, keys)
				}
			}
		}
	}
	// The same release before the rollback was on for about half the keys.
	before := map[string]string{"payments": "success@3.1.0 success@4.0.0#b~10", "checkout-web": "success@2.1.0~20"}
	sc := scenario{"before", t0.Add(100 * time.Minute), before}
	wantShare(t, "before the rollback", evaluate(t, encode(t, Document(sc.states(t))), unix(sc.now))["new-checkout"], 50)
}

// TestFlagdCoreRealClock: flagd-core reads $flagd.timestamp from the
// machine's clock. A file written with the next step a few seconds away is
// at 5% when read at once and at 50% when read after those seconds. On a
// machine too busy to read it in time, the test tries again further away.
func TestFlagdCoreRealClock(t *testing.T) {
	t.Parallel()
	flagdCore(t)
	cat := loadCatalog(t, shopYAML)
	for _, ahead := range []time.Duration{3 * time.Second, 10 * time.Second, 30 * time.Second} {
		now := time.Now()
		// met 30 minutes minus ahead ago: step 2 begins ahead from now
		since := now.Add(-30*time.Minute + ahead)
		entry := func(service, version string) []record.Entry {
			return []record.Entry{{Env: "production", Service: service, Phase: record.PhaseDeploy, State: record.StateSuccess,
				SHA: strings.Repeat("b", 40), Version: version, Time: since}}
		}
		entries := map[string][]record.Entry{"payments": entry("payments", "4.0.0"), "checkout-web": entry("checkout-web", "2.1.0")}
		states := Evaluate(cat, "production", entries, Options{Now: now})
		if states[0].Step != 1 || len(states[0].Next) != 2 {
			t.Fatalf("state %+v", states[0])
		}
		doc := encode(t, Document(states))
		gate := time.Unix(unixCeil(states[0].Next[0].At), 0)
		first := evaluate(t, doc, "real")["new-checkout"]
		if !time.Now().Before(gate) {
			t.Logf("reading took longer than %v; again with more time", ahead)
			continue
		}
		wantShare(t, "read at once", first, 5)
		time.Sleep(time.Until(gate) + 100*time.Millisecond)
		wantShare(t, "read after step 2 began", evaluate(t, doc, "real")["new-checkout"], 50)
		return
	}
	t.Fatal("the machine never read the file within 30 seconds")
}
