package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/ordo-ci/ordo/internal/change"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/gate"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/render"
	"github.com/ordo-ci/ordo/internal/verify"
)

// The core packages say what is wrong in terms of their own inputs; the
// command line, which knows its flags, says which flag gave the value and
// which one to pass instead. This file is where it does.

// changeFlags are the flags that set each option of change.Options named
// by a change.InputError.
var changeFlags = map[string]string{
	change.OptionBase:  "--base",
	change.OptionHead:  "--head",
	change.OptionFiles: "--files",
}

// resolveChange is change.Resolve in the command line's words: its errors
// name the flags, and refs given the other way round get a warning.
func (e *env) resolveChange(ctx context.Context, co change.Options) (*change.Change, error) {
	ch, err := change.Resolve(ctx, co)
	if err != nil {
		return nil, changeError(err, co.Files0)
	}
	if ch.Reversed {
		fmt.Fprintf(e.Err, "ordo: warning: --head %s is an ancestor of --base %s, so nothing changed from the merge base to head; did you swap them? (ordo compares --base OLDER --head NEWER)\n",
			render.Name(cmp.Or(co.Head, "HEAD")), render.Name(co.Base))
	}
	return ch, nil
}

// changeError puts an error of change.Resolve in the command line's words;
// files0 says the file list was given with --files0.
func changeError(err error, files0 bool) error {
	var none *change.NoChangeError
	if errors.As(err, &none) {
		return exit.BadInputf("%w: pass --base REF (for example --base origin/main), --files FILE, or --all", err)
	}
	var in *change.InputError
	if errors.As(err, &in) {
		flag := changeFlags[in.Option]
		if in.Option == change.OptionFiles && files0 {
			flag = "--files0"
		}
		err = fmt.Errorf("%s %q: %w", flag, in.Value, in.Err)
	}
	switch {
	case errors.Is(err, change.ErrNULInList):
		err = fmt.Errorf("%w; for a NUL-separated list use --files0", err)
	case errors.Is(err, change.ErrRootInList):
		err = fmt.Errorf("%w; list changed files, or pass --all", err)
	case errors.Is(err, change.ErrEventSHA):
		err = fmt.Errorf("%w, or pass --base and --head", err)
	}
	return err
}

// overrideHints adds to the fix of each violation of a rule that can be
// overridden how to: with --override or a pull request label.
func overrideHints(r *gate.Report) {
	for i := range r.Violations {
		v := &r.Violations[i]
		if !gate.Overridable(v.Rule) {
			continue
		}
		if v.Fix != "" {
			v.Fix += ", or "
		}
		v.Fix += fmt.Sprintf(`override with --override %s="REASON" or the pull request label %s%s`, v.Rule, gate.LabelPrefix, v.Rule)
	}
}

// overrideError says how to write an --override that has no reason.
func overrideError(err error) error {
	if errors.Is(err, gate.ErrNoReason) {
		return fmt.Errorf(`%w: write --override RULE="REASON", e.g. --override %s="hotfix INC-42"`, err, gate.RuleFreeze)
	}
	return err
}

// splitError says how to write a plan too large for one GitLab pipeline.
func splitError(err error) error {
	var split *plan.SplitError
	if errors.As(err, &split) {
		return fmt.Errorf("%w: write them with --output inside the plan job, whose CI_JOB_NAME names the artifacts the parts are read from", err)
	}
	return err
}

// unsetError says how to verify so that a check's placeholder has a value.
func unsetError(err error) error {
	var unset *verify.UnsetError
	if !errors.As(err, &unset) {
		return err
	}
	if unset.Placeholder == "wave" {
		return fmt.Errorf("%w: verify with --wave N --plan-file F", err)
	}
	what := "version"
	if unset.Placeholder == "sha" {
		what = "commit"
	}
	return fmt.Errorf("%w: verify a wave of a plan made with plan --env, or a service the record has a %s for", err, what)
}
