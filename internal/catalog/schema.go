package catalog

import _ "embed"

// Schema is the JSON Schema of ordo.yaml (draft 2020-12), for editors and
// linters. Its tests keep it in step with the loader.
//
//go:embed schema.json
var Schema []byte
