package notify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ordo-ci/ordo/internal/git"
)

// fromReport reads ordo.report/v1 (SPEC section 15): per wave the services
// planned, deployed, verified, failed and rolled back, each check's result,
// durations, the lead time and whether the release failed.
func fromReport(data []byte) (*Message, error) {
	var r struct {
		Env           string          `json:"env"`
		Release       string          `json:"release"`
		Head          string          `json:"head"`
		Outcome       string          `json:"outcome"` // success, failure, in_progress
		ChangeFailure bool            `json:"change_failure"`
		LeadTime      json.RawMessage `json:"lead_time"`
		Duration      json.RawMessage `json:"duration"`
		Unplanned     []string        `json:"unplanned"`
		Waves         []struct {
			Index      int             `json:"index"`
			Planned    []string        `json:"planned"`
			Deployed   []string        `json:"deployed"`
			Verified   []string        `json:"verified"`
			Failed     []string        `json:"failed"`
			RolledBack []string        `json:"rolled_back"`
			Duration   json.RawMessage `json:"duration"`
			Checks     []struct {
				Service string `json:"service"`
				Check   string `json:"check"`
				Passed  bool   `json:"passed"`
				Error   string `json:"error"`
			} `json:"checks"`
		} `json:"waves"`
	}
	if err := decode(data, &r); err != nil {
		return nil, err
	}
	m := &Message{Status: Good, Title: fmt.Sprintf("Release %s in %s: succeeded", r.Release, r.Env)}
	switch {
	case r.Outcome == "failure" || r.ChangeFailure:
		m.Status, m.Title = Bad, fmt.Sprintf("Release %s in %s: failed", r.Release, r.Env)
	case r.Outcome == "in_progress":
		m.Status, m.Title = Info, fmt.Sprintf("Release %s in %s: in progress", r.Release, r.Env)
	}
	cf := "no"
	if r.ChangeFailure {
		cf = "yes"
	}
	m.Facts = facts("Environment", r.Env, "Release", r.Release, "Commit", git.Short(r.Head), "Lead time", duration(r.LeadTime),
		"Duration", duration(r.Duration), "Change failure", cf)
	for _, w := range r.Waves {
		s := Section{Title: fmt.Sprintf("Wave %d", w.Index)}
		if d := duration(w.Duration); d != "" {
			s.Title += " (" + d + ")"
		}
		s.Items = append(s.Items, fmt.Sprintf("planned %d, deployed %d, verified %d, failed %d, rolled back %d",
			len(w.Planned), len(w.Deployed), len(w.Verified), len(w.Failed), len(w.RolledBack)))
		for _, kv := range []struct {
			label string
			names []string
		}{{"failed", w.Failed}, {"rolled back", w.RolledBack}} {
			if len(kv.names) > 0 {
				s.Items = append(s.Items, kv.label+": "+strings.Join(kv.names, ", "))
			}
		}
		for _, c := range w.Checks {
			if c.Passed {
				continue
			}
			item := c.Service + ": " + c.Check + " failed"
			if c.Error != "" {
				item += ": " + c.Error
			}
			s.Items = append(s.Items, item)
		}
		m.Sections = append(m.Sections, s)
	}
	if len(r.Unplanned) > 0 {
		m.Sections = append(m.Sections, Section{Title: "Not in the plan", Items: r.Unplanned})
	}
	return m, nil
}

// duration shows a duration given as report writes them ({"seconds",
// "text"}), as a Go duration string or as seconds; "" when absent.
func duration(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if d, err := time.ParseDuration(s); err == nil {
			return d.Round(time.Second).String()
		}
		return s
	}
	var obj struct {
		Seconds *float64 `json:"seconds"`
		Text    string   `json:"text"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Text != "" {
		return obj.Text
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Seconds != nil {
		return (time.Duration(*obj.Seconds * float64(time.Second))).Round(time.Second).String()
	}
	if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
		return (time.Duration(f * float64(time.Second))).Round(time.Second).String()
	}
	return ""
}
