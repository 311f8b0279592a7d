package cli

import "runtime/debug"

// gcMemoryLimit is the heap at which the collector starts: more than
// `ordo affected` allocates on a 4,000-service monorepo (about 50 MB), far
// less than a CI runner has.
const gcMemoryLimit = 256 << 20

// TuneGC sets the garbage collector for a process that mostly lives a
// fraction of a second: no collection until the heap reaches
// gcMemoryLimit, then as the Go runtime does under a memory limit. On
// 4,000 services, collecting while the catalog is parsed cost `ordo
// affected` a third of its CPU at GOGC=100 and a seventh at GOGC=400,
// while the pages it touches are nearly the same either way. A GOGC or
// GOMEMLIMIT set by the user wins. The binary calls it first thing;
// benchmarks too, so they measure what users run.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(gcMemoryLimit)
	debug.SetGCPercent(-1)
}
