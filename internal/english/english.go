// Package english is ordo's one grammar helper: counts of things in the
// messages people read ("1 service", "2 services"), and the verbs and
// pronouns that must agree with them ("1 service deploys", "fix it").
// Every message that counts something goes through it, so that no message
// says "1 services".
package english

import "strconv"

// Count is n and noun, in the plural unless n is 1: "1 service", "3 changed
// files". The noun's last word takes the plural -s.
func Count(n int, noun string) string { return strconv.Itoa(n) + " " + Noun(n, noun) }

// Noun is noun in the plural unless n is 1: "warning", "warnings".
func Noun(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// Agree picks the word that agrees with a count of n: one for n == 1, many
// otherwise. Agree(n, "deploys", "deploy"), Agree(n, "is", "are"),
// Agree(n, "it", "them").
func Agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
