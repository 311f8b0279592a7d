// Package catalog loads and validates ordo.yaml, the service catalog: which
// services exist, which paths they own, what they depend on, which contracts
// they provide and consume, and the release policy. Everything else in ordo
// takes a *Catalog that has passed validation, so its invariants (known
// names, no cycles, valid globs and versions) hold everywhere downstream.
package catalog

import (
	"github.com/Masterminds/semver/v3"
)

// DefaultFile is the catalog's file name at the repository root.
const DefaultFile = "ordo.yaml"

// Kind is what a service is, which decides whether it is deployed.
type Kind string

const (
	KindService   Kind = "service"   // deployed
	KindLibrary   Kind = "library"   // never deployed; its changes propagate to dependents
	KindMigration Kind = "migration" // deployed, but only inside a migration window
)

// Unowned is what a changed file that no service owns does.
type Unowned string

const (
	UnownedIgnore Unowned = "ignore"
	UnownedAll    Unowned = "all"
	UnownedFail   Unowned = "fail"
)

// Pos is a position in the catalog file, 1-based.
type Pos struct {
	Line, Col int
}

// Catalog is a validated ordo.yaml.
type Catalog struct {
	File      string // the path it was read from, as given
	Source    []byte
	Version   int
	Global    []string
	Ignore    []string
	Unowned   Unowned
	Services  []*Service // sorted by name
	Contracts map[string]Contract
	Policy    Policy
	Release   Release

	// Part 2: conducting a release (SPEC §12-14).
	Environments []*Environment // sorted by name
	Record       RecordConfig
	Checks       []*Check // sorted by name
	Verify       Verify
	Flags        []*Flag // sorted by name

	index    map[string]int // service name -> index in Services
	provider map[string]int // contract -> index of the service that provides it; built by Parse
}

// Service is one entry under services:.
type Service struct {
	Name      string
	Pos       Pos
	Kind      Kind
	Paths     []string // doublestar globs; a leading "!" excludes
	DependsOn []Dep
	Critical  bool
	Provides  []Provide // sorted by contract
	Consumes  []Consume // sorted by contract
	Lock      string
	With      map[string]string
	Tag       string // tag template for this service; "" means Release.Tag

	Environments []string // as written; nil: every environment
	Checks       []string // nil: Verify.Checks; empty: none
	Reversible   bool     // false: its rollback cannot undo it (default true)
	Release      bool     // false: never released, never cascades a dependents bump (default true)

	envPos, checkPos []Pos
	tagPos           Pos
}

// Deployed reports whether the service is deployed when affected.
func (s *Service) Deployed() bool { return s.Kind != KindLibrary }

// Dep is one depends_on entry.
type Dep struct {
	Service   string
	Propagate bool // false: order only, a change in Service does not affect the dependent
	Pos       Pos
}

// Provide is a contract a service serves, at one or more versions at once.
type Provide struct {
	Contract string
	Versions []*semver.Version // sorted ascending
	Pos      Pos
}

// Consume is a contract a service calls, with the versions it accepts.
type Consume struct {
	Contract   string
	Constraint *semver.Constraints
	Raw        string
	Pos        Pos
}

// Contract says where a contract's interface is written down.
type Contract struct {
	Spec string // repository-relative path of an OpenAPI 3 document
	Pos  Pos
}

// Release is how versions are computed and tags named.
type Release struct {
	Tag                       string
	InitialVersion            string
	BumpMinorPreMajor         bool
	BumpPatchForMinorPreMajor bool
	BumpDependents            string // "patch" or "none"
}

// Service returns the service called name, or nil.
func (c *Catalog) Service(name string) *Service {
	i, ok := c.index[name]
	if !ok {
		return nil
	}
	return c.Services[i]
}

// Index returns the position of the named service in Services, or -1.
func (c *Catalog) Index(name string) int {
	i, ok := c.index[name]
	if !ok {
		return -1
	}
	return i
}

// TagTemplate returns the tag template that applies to s.
func (c *Catalog) TagTemplate(s *Service) string {
	if s.Tag != "" {
		return s.Tag
	}
	return c.Release.Tag
}
