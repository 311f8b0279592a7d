package drill

import (
	"slices"
	"testing"
)

// TestFlagsOff: the flags a failed wave turns off, from the three states
// of the shop's plan (users-db in wave 0, users-api in 1, orders and search
// in 2; everything at 1.0.0 before, 2.0.0 after, search new at 0.1.0).
func TestFlagsOff(t *testing.T) {
	t.Parallel()
	head := parse(t, headShop+`flags:
  new-users:     {requires: {users-api: ">=2.0.0"}}
  old-users:     {requires: {users-api: "^1.0"}}
  new-schema:    {requires: {users-db: ">=2.0.0"}}
  search:        {requires: {search: ">=0.1.0"}}
  web:           {requires: {web: ">=1.0.0"}}
  new-orders:    {requires: {orders: ">=2.0.0", users-api: ">=2.0.0"}}
`)
	want := map[int][]string{
		// Nothing new runs yet. old-users turns off at the failure of the
		// wave that deploys users-api 2.0.0, even though the rollback
		// brings 1.0.0 back.
		0: {},
		1: {"old-users"},
		// new-users was on (users-api 2.0.0 since wave 1); the rollback
		// takes users-api back to 1.0.0. new-schema stays on: users-db is
		// an irreversible migration the rollback skips. new-orders was
		// never on (orders deploys in the failing wave). search never
		// ran; web is not in the plan, so nothing changes it.
		2: {"new-users"},
	}
	d, err := New(Input{Env: "prod", Plan: shopPlan(t, head), Head: head, BaseFor: bases(t, head), FailWave: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Drills) != 3 {
		t.Fatalf("%d drills", len(d.Drills))
	}
	for _, dr := range d.Drills {
		if !slices.Equal(dr.FlagsOff, want[dr.FailWave]) {
			t.Errorf("wave %d fails: flags_off %v, want %v", dr.FailWave, dr.FlagsOff, want[dr.FailWave])
		}
	}
	// users-api alone failing in wave 1 rolls back users-api only.
	d, err = New(Input{Env: "prod", Plan: shopPlan(t, head), Head: head, FailWave: -1, FailService: "users-api"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Drills[0].FlagsOff; !slices.Equal(got, []string{"old-users"}) {
		t.Errorf("users-api fails: flags_off %v", got)
	}
}
