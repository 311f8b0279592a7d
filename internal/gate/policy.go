package gate

import (
	"fmt"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/english"
)

// freeze reports each freeze window that contains now and covers a deployed
// service (its services globs match the name; no globs cover every service),
// once per window with every service it covers.
func (c *checker) freeze() {
	now := c.in.Now
	deployed := c.deployedNames()
	for i, w := range c.in.Head.Policy.Freeze {
		if !w.Contains(now) {
			continue
		}
		var covered []string
		for _, name := range deployed {
			if covers(w, name) {
				covered = append(covered, name)
			}
		}
		if len(covered) == 0 {
			continue
		}
		name := windowName("freeze", i, w)
		fix := "wait until the window ends"
		if end, ok := windowEnd(w, now); ok {
			fix = "deploy from " + end.Format(time.RFC3339)
		}
		c.add(c.at(Violation{
			Rule:     RuleFreeze,
			Service:  covered[0],
			Services: covered,
			Window:   name,
			Message: fmt.Sprintf("now (%s) is inside freeze window %s (%s), which covers %s: %s",
				clockAt(now, w), name, describeWindow(w), english.Count(len(covered), "deployed service"), strings.Join(covered, ", ")),
			Fix: fix,
		}, w.Pos))
	}
}

// migrationWindow reports each deployed migration when now is outside every
// migration window. Without migration windows the rule is off: the policy
// restricts migrations only where a team wrote down when they may run.
func (c *checker) migrationWindow() {
	ws := c.in.Head.Policy.MigrationWindows
	if len(ws) == 0 {
		return
	}
	now := c.in.Now
	for _, w := range ws {
		if w.Contains(now) {
			return
		}
	}
	var windows []string
	for i, w := range ws {
		windows = append(windows, windowName("migration_windows", i, w)+" ("+describeWindow(w)+")")
	}
	fix := "deploy it inside a migration window"
	if next, ok := nextOpening(ws, now); ok {
		fix = "deploy it when the next migration window opens, " + next.Format(time.RFC3339)
	}
	for _, name := range c.deployedNames() {
		s := c.in.Head.Service(name)
		if s.Kind != catalog.KindMigration {
			continue
		}
		c.add(c.at(Violation{
			Rule:    RuleMigrationWindow,
			Service: name,
			Message: fmt.Sprintf("migration %s deploys now (%s), outside every migration window: %s",
				name, now.UTC().Format(time.RFC3339), strings.Join(windows, "; ")),
			Fix: fix,
		}, s.Pos))
	}
}

// maxDeploy reports a plan that deploys more services than max_deploy.
func (c *checker) maxDeploy() {
	limit := c.in.Head.Policy.MaxDeploy
	names := c.deployedNames()
	if limit == 0 || len(names) <= limit {
		return
	}
	c.add(Violation{
		Rule:     RuleMaxDeploy,
		Service:  names[0],
		Services: names,
		Message:  fmt.Sprintf("the plan deploys %s, more than max_deploy (%d)", english.Count(len(names), "service"), limit),
		Fix:      "split the change into smaller releases",
		File:     c.in.Head.File,
	})
}

// covers reports whether window w applies to the service called name.
func covers(w catalog.Window, name string) bool {
	if len(w.Services) == 0 {
		return true
	}
	for _, g := range w.Services {
		if ok, _ := doublestar.Match(g, name); ok {
			return true
		}
	}
	return false
}

func windowName(list string, i int, w catalog.Window) string {
	if w.Name != "" {
		return fmt.Sprintf("%q", w.Name)
	}
	return fmt.Sprintf("%s[%d]", list, i)
}

var dayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// describeWindow writes w the way the catalog does.
func describeWindow(w catalog.Window) string {
	if !w.Weekly() {
		return fmt.Sprintf("%s to %s", w.From.Format(time.RFC3339), w.To.Format(time.RFC3339))
	}
	days := "every day"
	if len(w.Days) > 0 {
		names := make([]string, len(w.Days))
		for i, d := range w.Days {
			names[i] = dayNames[d]
		}
		days = strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d %s", days, w.Start/60, w.Start%60, w.End/60, w.End%60, w.Location)
}

// clockAt writes t in UTC and, for a weekly window in another zone, as the
// window's clock reads it, which is what decides.
func clockAt(t time.Time, w catalog.Window) string {
	s := t.UTC().Format(time.RFC3339)
	if w.Weekly() && w.Location.String() != "UTC" {
		local := t.In(w.Location)
		s += fmt.Sprintf(", %s %s in %s", dayNames[local.Weekday()], local.Format("15:04"), w.Location)
	}
	return s
}

// windowEnd returns the first moment after now that w no longer contains: a
// weekly window running to midnight continues into the next day when that
// day starts it at midnight. ok is false for a window that never ends (every
// day, all day).
func windowEnd(w catalog.Window, now time.Time) (time.Time, bool) {
	if !w.Weekly() {
		return w.To, true
	}
	local := now.In(w.Location)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, w.Location)
	for range 8 {
		// Hour 24 normalises to the next day's midnight.
		end := time.Date(day.Year(), day.Month(), day.Day(), w.End/60, w.End%60, 0, 0, w.Location)
		if !w.Contains(end) {
			return end, true
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// nextOpening returns the earliest moment after now at which one of ws
// starts.
func nextOpening(ws []catalog.Window, now time.Time) (time.Time, bool) {
	var best time.Time
	consider := func(t time.Time) {
		if t.After(now) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	for _, w := range ws {
		if !w.Weekly() {
			consider(w.From)
			continue
		}
		local := now.In(w.Location)
		for d := range 8 {
			day := time.Date(local.Year(), local.Month(), local.Day()+d, w.Start/60, w.Start%60, 0, 0, w.Location)
			if w.Contains(day) {
				consider(day)
			}
		}
	}
	return best, !best.IsZero()
}
