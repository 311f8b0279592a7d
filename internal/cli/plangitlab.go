package cli

import (
	"os"
	"path/filepath"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/plan"
)

// gitlabEnvOptions fills in what the child pipeline of an environment's plan
// needs: the plan file as the child's jobs find it (relative to the project
// directory, where the plan job runs), the plan job, the environment's tier,
// the catalog the record calls read, and whether the template has scripts of
// its own to keep.
func (c *planCmd) gitlabEnvOptions(cat *catalog.Catalog, p *plan.Plan) error {
	gl := &c.gl
	if p.Env == "" {
		return nil
	}
	if c.planFile == "" {
		return exit.BadInputf("--format gitlab with --env needs --plan-file: the deploy jobs record what they deploy from the plan file, an artifact of the plan job")
	}
	if gl.PlanJob == "" {
		return exit.BadInputf("--format gitlab with --env runs in a GitLab job: the child pipeline takes the plan file from the artifacts of the job CI_JOB_NAME names, which is not set")
	}
	gl.PlanFile = filepath.ToSlash(relToWD(c.planFile))
	gl.Config = c.config
	if env := cat.Environment(p.Env); env != nil {
		gl.Tier = env.Tier
	}
	gl.TemplateBeforeScript, gl.TemplateAfterScript = templateScripts(filepath.Join(c.dir, filepath.FromSlash(gl.TemplateFile)), gl.Template)
	return nil
}

// maxTemplateFile bounds the deploy template ordo reads: a job definition.
const maxTemplateFile = 1 << 20

// templateScripts reports whether the hidden job template in the YAML file
// defines before_script or after_script itself. The deploy jobs of an
// environment's plan set both (extends: does not merge lists), and keep the
// template's with !reference, which GitLab refuses for a key the job lacks:
// so only keys written in the job itself count. A file that cannot be read
// or parsed has none; GitLab will say what is wrong with it.
func templateScripts(file, template string) (before, after bool) {
	info, err := os.Stat(file)
	if err != nil || info.Size() > maxTemplateFile {
		return false, false
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return false, false
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return false, false
	}
	for _, doc := range f.Docs {
		for _, v := range mappingValues(doc.Body) {
			if keyName(v.Key) != template {
				continue
			}
			for _, kv := range mappingValues(v.Value) {
				switch keyName(kv.Key) {
				case "before_script":
					before = true
				case "after_script":
					after = true
				}
			}
		}
	}
	return before, after
}

// mappingValues are the entries of a mapping (goccy/go-yaml parses a
// mapping of one entry as the entry itself), through an anchor or a tag.
func mappingValues(n ast.Node) []*ast.MappingValueNode {
	for {
		switch m := n.(type) {
		case *ast.MappingNode:
			return m.Values
		case *ast.MappingValueNode:
			return []*ast.MappingValueNode{m}
		case *ast.AnchorNode:
			n = m.Value
		case *ast.TagNode:
			n = m.Value
		default:
			return nil
		}
	}
}

// keyName is a mapping key's text, without quotes.
func keyName(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	return k.String()
}

// relToWD makes an absolute path inside the working directory relative to
// it, as the later jobs of a GitLab pipeline find it in their own directory.
func relToWD(path string) string {
	if filepath.IsAbs(path) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, path); err == nil && filepath.IsLocal(rel) {
				return rel
			}
		}
	}
	return path
}
