package flags

import "time"

// FlagdSchema is the JSON Schema a flagd flag definition file names.
const FlagdSchema = "https://flagd.dev/schema/v0/flags.json"

// Variants of every flag ordo writes: a boolean, off unless its requirements
// are met.
const (
	VariantOn  = "on"
	VariantOff = "off"
)

// bucketBy is what fractional targeting hashes: the flag key and the
// targeting key, as flagd recommends, so that the same user lands in
// different buckets for different flags and a ramp that goes from 5% to 50%
// keeps the first 5% on.
// https://flagd.dev/reference/custom-operations/fractional-operation/
var bucketBy = map[string]any{"cat": []any{
	map[string]any{"var": "$flagd.flagKey"},
	map[string]any{"var": "targetingKey"},
}}

// Document returns the flagd flag definition file for states, as a value
// for render.JSON (maps, so its keys come out sorted, and the same states
// give the same bytes). A flag that is not met is off for everyone; a met
// flag without a rollout, or at its last step, is on for everyone; a met
// flag inside its ramp is on for the step's share of targeting keys, and
// the later steps are written too, each gated on $flagd.timestamp (unix
// seconds), so that flagd moves the ramp on without the file being
// rewritten.
// https://flagd.dev/reference/flag-definitions/
func Document(states []State) map[string]any {
	flags := map[string]any{}
	for _, s := range states {
		flags[s.Name] = flagdFlag(s)
	}
	return map[string]any{"$schema": FlagdSchema, "flags": flags}
}

func flagdFlag(s State) map[string]any {
	f := map[string]any{
		"state":          "ENABLED",
		"variants":       map[string]any{VariantOn: true, VariantOff: false},
		"defaultVariant": VariantOff,
		"metadata":       metadata(s),
	}
	if !s.Met {
		return f
	}
	if s.Percent >= 100 {
		f["defaultVariant"] = VariantOn
		return f
	}
	// "if" checks the latest step first: [cond_n, step_n, ..., cond_1,
	// step_1, current]. Every later step has a condition; the step
	// reached now is the unconditional else.
	var args []any
	for i := len(s.Next) - 1; i >= 0; i-- {
		n := s.Next[i]
		args = append(args,
			map[string]any{">=": []any{map[string]any{"var": "$flagd.timestamp"}, unixCeil(n.At)}},
			split(n.Percent))
	}
	args = append(args, split(s.Percent))
	f["targeting"] = map[string]any{"if": args}
	return f
}

// split is the targeting of one step: everyone at 100, else the percent of
// targeting keys, bucketed on the flag key and the targeting key.
func split(percent int) any {
	if percent >= 100 {
		return VariantOn
	}
	return map[string]any{"fractional": []any{
		bucketBy,
		[]any{VariantOn, percent},
		[]any{VariantOff, 100 - percent},
	}}
}

// unixCeil is t in whole unix seconds, rounded up so that a step is never
// reached before its time ($flagd.timestamp counts whole seconds).
func unixCeil(t time.Time) int64 {
	s := t.Unix()
	if t.After(time.Unix(s, 0)) {
		s++
	}
	return s
}

// metadata is the flat metadata flagd allows (string, number or boolean
// values): each requirement's constraint and what runs the service, the
// step and since when the flag is met.
func metadata(s State) map[string]any {
	m := map[string]any{"ordo.step": s.Step}
	for _, r := range s.Requirements {
		m["requires."+r.Service] = r.Constraint
		if r.Running != nil {
			m["running."+r.Service] = r.Running.Version
		}
	}
	if s.Met {
		m["ordo.met_since"] = s.MetSince.UTC().Format(time.RFC3339Nano)
	}
	return m
}
