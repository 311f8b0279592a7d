package plan

import "strconv"

// emitter builds YAML line by line. Keys are constants or written with
// quotedKey; values are always double-quoted, so no value can turn into a
// number, a boolean, null, a comment or a new key. Go's escapes (\n, \t,
// \", \\, \uXXXX, \UXXXXXXXX, and \xXX for control characters) mean the same
// in YAML; only bytes of invalid UTF-8 would differ, and the catalog is read
// from YAML, so its strings are valid UTF-8.
type emitter struct{ b []byte }

const indentation = "          "

func (e *emitter) comment(text string) {
	e.b = append(e.b, "# "...)
	e.b = append(e.b, text...)
	e.b = append(e.b, '\n')
}

// workflow makes the pipeline run whatever the parent's pipeline source.
func (e *emitter) workflow() {
	e.b = append(e.b, "workflow:\n  rules:\n    - when: \"always\"\n"...)
}

// key starts a mapping or sequence under key, a constant.
func (e *emitter) key(indent int, key string) {
	e.b = append(e.b, indentation[:indent]...)
	e.b = append(e.b, key...)
	e.b = append(e.b, ":\n"...)
}

// quotedKey starts a mapping under a key that comes from data.
func (e *emitter) quotedKey(indent int, key string) {
	e.b = append(e.b, indentation[:indent]...)
	e.b = strconv.AppendQuote(e.b, key)
	e.b = append(e.b, ":\n"...)
}

func (e *emitter) pair(indent int, key, value string) {
	e.b = append(e.b, indentation[:indent]...)
	e.b = append(e.b, key...)
	e.b = append(e.b, ": "...)
	e.b = strconv.AppendQuote(e.b, value)
	e.b = append(e.b, '\n')
}

func (e *emitter) item(indent int, value string) {
	e.b = append(e.b, indentation[:indent]...)
	e.b = append(e.b, "- "...)
	e.b = strconv.AppendQuote(e.b, value)
	e.b = append(e.b, '\n')
}

// reference writes a !reference to key of job, a list item.
// https://docs.gitlab.com/ci/yaml/yaml_optimization/#reference-tags
func (e *emitter) reference(indent int, job, key string) {
	e.b = append(e.b, indentation[:indent]...)
	e.b = append(e.b, "- !reference ["...)
	e.b = strconv.AppendQuote(e.b, job)
	e.b = append(e.b, ", "...)
	e.b = strconv.AppendQuote(e.b, key)
	e.b = append(e.b, "]\n"...)
}
