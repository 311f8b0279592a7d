package gate

import (
	"slices"
	"strings"
	"testing"
)

const policyServices = `services:
  orders: {}
  payments-api: {}
  users-db: {kind: migration}
`

func TestPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy string
		waves  [][]string
		now    string
		want   []string // "rule service" per violation
		parts  []string // in the first violation's message and fix
	}{
		{
			name:   "freeze by date",
			policy: `freeze: [{name: year-end, from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z}]`,
			waves:  [][]string{{"orders", "payments-api"}}, now: "2026-12-24T10:00:00Z",
			want:  []string{"policy.freeze orders"},
			parts: []string{`now (2026-12-24T10:00:00Z) is inside freeze window "year-end" (2026-12-20T00:00:00Z to 2027-01-04T00:00:00Z), which covers 2 deployed services: orders, payments-api`, "deploy from 2027-01-04T00:00:00Z"},
		},
		{
			name:   "freeze by date, the end is outside",
			policy: `freeze: [{name: year-end, from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z}]`,
			waves:  [][]string{{"orders"}}, now: "2027-01-04T00:00:00Z",
		},
		{
			name:   "freeze by date, before the start",
			policy: `freeze: [{name: year-end, from: 2026-12-20T00:00:00+01:00, to: 2027-01-04T00:00:00Z}]`,
			waves:  [][]string{{"orders"}}, now: "2026-12-19T22:30:00Z", // 23:30 at +01:00
		},
		{
			name:   "freeze by date, services glob",
			policy: `freeze: [{from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z, services: ["payments-*"]}]`,
			waves:  [][]string{{"orders", "payments-api"}}, now: "2026-12-24T10:00:00Z",
			want:  []string{"policy.freeze payments-api"},
			parts: []string{"inside freeze window freeze[0]", "covers 1 deployed service: payments-api"},
		},
		{
			name:   "freeze by date, glob matches nothing deployed",
			policy: `freeze: [{from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z, services: ["payments-*"]}]`,
			waves:  [][]string{{"orders"}}, now: "2026-12-24T10:00:00Z",
		},
		{
			name:   "freeze, nothing deployed",
			policy: `freeze: [{from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z}]`,
			now:    "2026-12-24T10:00:00Z",
		},
		{
			name:   "freeze by weekday: friday night in UTC is saturday in Berlin",
			policy: `freeze: [{name: weekend, days: [sat, sun], tz: Europe/Berlin}]`,
			waves:  [][]string{{"orders"}}, now: "2026-03-06T23:30:00Z",
			want:  []string{"policy.freeze orders"},
			parts: []string{`now (2026-03-06T23:30:00Z, sat 00:30 in Europe/Berlin) is inside freeze window "weekend" (sat, sun 00:00-24:00 Europe/Berlin)`, "deploy from 2026-03-09T00:00:00+01:00"},
		},
		{
			name:   "freeze by weekday: summer time moves the boundary",
			policy: `freeze: [{name: weekend, days: [sat, sun], tz: Europe/Berlin}]`,
			waves:  [][]string{{"orders"}}, now: "2026-07-03T22:30:00Z",
			want:  []string{"policy.freeze orders"},
			parts: []string{"sat 00:30 in Europe/Berlin", "deploy from 2026-07-06T00:00:00+02:00"},
		},
		{
			name:   "freeze by weekday: friday evening in Berlin",
			policy: `freeze: [{name: weekend, days: [sat, sun], tz: Europe/Berlin}]`,
			waves:  [][]string{{"orders"}}, now: "2026-03-06T22:30:00Z",
		},
		{
			name:   "freeze by weekday: sunday night in UTC is monday in Berlin",
			policy: `freeze: [{name: weekend, days: [sat, sun], tz: Europe/Berlin}]`,
			waves:  [][]string{{"orders"}}, now: "2026-03-08T23:30:00Z",
		},
		{
			name:   "freeze by weekday: sunday evening in New York is monday in UTC",
			policy: `freeze: [{name: weekend, days: [sat, sun], tz: America/New_York, from: "18:00"}]`,
			waves:  [][]string{{"orders"}}, now: "2026-03-09T00:30:00Z",
			want:  []string{"policy.freeze orders"},
			parts: []string{"sun 20:30 in America/New_York", "deploy from 2026-03-09T00:00:00-04:00"},
		},
		{
			name:   "freeze, two windows",
			policy: "freeze:\n    - {name: b, from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z, services: [payments-api]}\n    - {name: a, from: 2026-12-24T00:00:00Z, to: 2026-12-27T00:00:00Z}",
			waves:  [][]string{{"orders", "payments-api"}}, now: "2026-12-24T10:00:00Z",
			want: []string{"policy.freeze orders", "policy.freeze payments-api"},
		},
		{
			name:   "migration inside a window",
			policy: `migration_windows: [{days: [tue, wed, thu], from: "06:00", to: "09:00", tz: UTC}]`,
			waves:  [][]string{{"users-db"}, {"orders"}}, now: "2026-03-04T07:00:00Z",
		},
		{
			name:   "migration outside every window",
			policy: "migration_windows:\n    - {days: [tue, wed, thu], from: \"06:00\", to: \"09:00\", tz: UTC}\n    - {name: weekend, days: [sat], from: \"06:00\", to: \"08:00\", tz: Europe/Berlin}",
			waves:  [][]string{{"users-db"}, {"orders"}}, now: "2026-03-04T10:00:00Z",
			want:  []string{"policy.migration_window users-db"},
			parts: []string{"migration users-db deploys now (2026-03-04T10:00:00Z), outside every migration window: migration_windows[0] (tue, wed, thu 06:00-09:00 UTC); \"weekend\" (sat 06:00-08:00 Europe/Berlin)", "when the next migration window opens, 2026-03-05T06:00:00Z"},
		},
		{
			name:   "migration outside a one-off window",
			policy: `migration_windows: [{from: 2026-03-10T22:00:00Z, to: 2026-03-11T02:00:00Z}]`,
			waves:  [][]string{{"users-db"}}, now: "2026-03-04T10:00:00Z",
			want:  []string{"policy.migration_window users-db"},
			parts: []string{"opens, 2026-03-10T22:00:00Z"},
		},
		{
			name:   "migration not deployed",
			policy: `migration_windows: [{days: [tue], from: "06:00", to: "09:00"}]`,
			waves:  [][]string{{"orders"}}, now: "2026-03-04T10:00:00Z",
		},
		{
			name:  "migration without windows",
			waves: [][]string{{"users-db"}}, now: "2026-03-04T10:00:00Z",
		},
		{
			name:   "max_deploy exceeded",
			policy: `max_deploy: 2`,
			waves:  [][]string{{"users-db"}, {"orders", "payments-api"}},
			want:   []string{"policy.max_deploy orders"},
			parts:  []string{"the plan deploys 3 services, more than max_deploy (2)", "split the change into smaller releases"},
		},
		{
			name:   "max_deploy reached",
			policy: `max_deploy: 2`,
			waves:  [][]string{{"orders", "payments-api"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := policyServices
			if tt.policy != "" {
				src += "policy:\n  " + tt.policy + "\n"
			}
			in := Input{Head: parseCatalog(t, src), Waves: tt.waves}
			in.Base = in.Head
			if tt.now != "" {
				in.Now = at(t, tt.now)
			}
			r := check(t, in)
			if got := rules(r); !slices.Equal(got, tt.want) {
				t.Fatalf("violations %q, want %q", got, tt.want)
			}
			if r.Passed != (len(tt.want) == 0) {
				t.Errorf("passed = %v", r.Passed)
			}
			for _, p := range tt.parts {
				if v := r.Violations[0]; !strings.Contains(v.Message+"\n"+v.Fix, p) {
					t.Errorf("message %q\nfix %q\ndo not contain %q", v.Message, v.Fix, p)
				}
			}
			for _, v := range r.Violations {
				if v.Rule == RuleFreeze && (v.File != "ordo.yaml" || v.Line == 0 || len(v.Services) == 0 || v.Window == "") {
					t.Errorf("freeze violation %+v: want its window's position, services and name", v)
				}
				if v.Rule == RuleMigrationWindow && v.Line != 5 {
					t.Errorf("migration violation at line %d, want 5 (the service)", v.Line)
				}
			}
		})
	}
}
