package plan

// For the tests of package plan_test (outputs_test.go), which render the
// plan action's outputs with internal/render: render imports plan, so those
// tests cannot live in package plan.
var (
	GenCatalog      = genCatalog
	RealisticShape  = realisticShape
	AffectAll       = affectAll
	LoadCatalog     = loadCatalog
	CheckMatrices   = checkMatrices
	RealisticChange = realisticChange
)
