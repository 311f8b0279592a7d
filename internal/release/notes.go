package release

// Schemas of the JSON documents of `ordo versions` and `ordo notes`.
const (
	SchemaVersions = "ordo.versions/v1"
	SchemaNotes    = "ordo.notes/v1"
)

// Versions is the `ordo versions --format json` document.
type Versions struct {
	Schema   string         `json:"schema"`
	Head     string         `json:"head"`
	Releases []VersionEntry `json:"releases"`
	Warnings []string       `json:"warnings"`
}

// VersionEntry is one service of the Versions document.
type VersionEntry struct {
	Service      string    `json:"service"`
	Current      string    `json:"current"`
	Next         string    `json:"next"`
	Bump         string    `json:"bump"`
	Tag          string    `json:"tag"`
	TagExists    bool      `json:"tag_exists"`
	Dependencies []DepBump `json:"dependencies,omitempty"`
}

// Notes is the `ordo notes --format json` document.
type Notes struct {
	Schema   string    `json:"schema"`
	Head     string    `json:"head"`
	Releases []Release `json:"releases"`
	Warnings []string  `json:"warnings"`
}

// Versions returns the result as the `ordo.versions/v1` document.
func (r *Result) Versions() Versions {
	doc := Versions{Schema: SchemaVersions, Head: r.Head, Releases: []VersionEntry{}, Warnings: append([]string{}, r.Warnings...)}
	for _, rel := range r.Releases {
		doc.Releases = append(doc.Releases, VersionEntry{
			Service: rel.Service, Current: rel.Current, Next: rel.Next, Bump: rel.Bump,
			Tag: rel.Tag, TagExists: rel.TagExists, Dependencies: rel.Dependencies,
		})
	}
	return doc
}

// Notes returns the result as the `ordo.notes/v1` document.
func (r *Result) Notes() Notes {
	// The appends make empty lists [] in JSON, never null.
	return Notes{Schema: SchemaNotes, Head: r.Head, Releases: append([]Release{}, r.Releases...), Warnings: append([]string{}, r.Warnings...)}
}
