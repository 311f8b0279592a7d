package flags

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/record"
)

// BenchmarkEvaluate reads 1,000 flags of three requirements each against a
// record of 3,000 services with 50 entries each, and writes the flagd file.
func BenchmarkEvaluate(b *testing.B) {
	const services, flagsN, perService = 3000, 1000, 50
	var y strings.Builder
	y.WriteString("version: 1\nenvironments: {production: {}}\nservices:\n")
	for i := range services {
		fmt.Fprintf(&y, "  s%04d: {paths: [s%04d/**]}\n", i, i)
	}
	y.WriteString("flags:\n")
	for i := range flagsN {
		fmt.Fprintf(&y, "  f%04d:\n    requires: {s%04d: \">=2.0.0\", s%04d: \"^1.0\", s%04d: \">=1.5.0\"}\n", i, i%services, (i*7+1)%services, (i*13+2)%services)
		if i%2 == 0 {
			y.WriteString("    rollout: [{percent: 5, hold: 30m}, {percent: 50, hold: 2h}, {percent: 100}]\n")
		}
	}
	cat := loadCatalog(b, y.String())
	entries := map[string][]record.Entry{}
	for i := range services {
		name := fmt.Sprintf("s%04d", i)
		for j := range perService {
			entries[name] = append(entries[name], record.Entry{Env: "production", Service: name, Phase: record.PhaseDeploy,
				State: record.StateSuccess, SHA: strings.Repeat("a", 40), Version: fmt.Sprintf("%d.%d.0", 1+j%3, j), Time: t0.Add(time.Duration(j) * time.Minute)})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		states := Evaluate(cat, "production", entries, Options{Now: t0.Add(100 * time.Hour)})
		if _, err := json.Marshal(Document(states)); err != nil {
			b.Fatal(err)
		}
	}
}
