// Package money adds sums of money in minor units.
package money

// Amount is a sum in minor units.
type Amount int64
