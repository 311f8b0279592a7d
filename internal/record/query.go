package record

import "time"

// Running returns what runs: the newest deploy- or rollback-phase success.
// ok is false when nothing ever succeeded (never deployed).
func Running(entries []Entry) (e Entry, ok bool) {
	for i := len(entries) - 1; i >= 0; i-- {
		x := entries[i]
		if x.State == StateSuccess && (x.Phase == PhaseDeploy || x.Phase == PhaseRollback) {
			return x, true
		}
	}
	return Entry{}, false
}

// Last returns the newest entry of any phase; ok is false for no entries.
func Last(entries []Entry) (e Entry, ok bool) {
	if len(entries) == 0 {
		return Entry{}, false
	}
	return entries[len(entries)-1], true
}

// VerifiedAt reports whether the service is verified at commit sha: the
// newest verify-phase entry at that sha is verified. A later verification of
// another commit does not change the answer for this one: "is what ran at
// sha verified" is a question about sha's own measurements.
func VerifiedAt(entries []Entry, sha string) bool {
	for i := len(entries) - 1; i >= 0; i-- {
		x := entries[i]
		if x.Phase == PhaseVerify && x.SHA == sha {
			return x.State == StateVerified
		}
	}
	return false
}

// Verification is a commit the service is verified at, with the time of its
// first verified entry (soak counts from it).
type Verification struct {
	SHA   string
	First time.Time
}

// Verifications returns every commit the service is verified at (VerifiedAt
// is true), in the order their first verified entry was written.
func Verifications(entries []Entry) []Verification {
	var out []Verification
	seen := map[string]bool{}
	for _, x := range entries {
		if x.Phase != PhaseVerify || x.State != StateVerified || seen[x.SHA] {
			continue
		}
		seen[x.SHA] = true
		if VerifiedAt(entries, x.SHA) {
			out = append(out, Verification{SHA: x.SHA, First: x.Time})
		}
	}
	return out
}
