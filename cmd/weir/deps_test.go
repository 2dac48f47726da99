package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// allowedDeps is DESIGN.md's package table: which weir packages each may
// import. Dependencies point one way; this test keeps them so.
var allowedDeps = map[string][]string{
	"parser":      {},
	"planner/mql": {},
	"planner":     {"parser", "planner/mql"},
	"exec":        {"planner/mql", "connectors"},
	"connectors":  {"planner/mql"},
	// pgwire reaches the engine through exec's Engine, and plans statements
	// with the planner's public API to describe their columns; it never
	// reaches into their internals (there are none exported to it).
	"pgwire": {"parser", "planner", "planner/mql", "exec", "connectors"},
}

func TestDependenciesPointOneWay(t *testing.T) {
	const module = "github.com/weir-stream/weir/"
	out, err := exec.Command("go", "list", "-json", "github.com/weir-stream/weir/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var pkg struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&pkg); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(pkg.ImportPath, module)
		allowed, ok := allowedDeps[name]
		if !ok {
			continue
		}
		for _, d := range pkg.Deps {
			if !strings.HasPrefix(d, module) {
				continue
			}
			dep := strings.TrimPrefix(d, module)
			okDep := false
			for _, a := range allowed {
				if dep == a || strings.HasPrefix(dep, a+"/") {
					okDep = true
				}
			}
			if !okDep {
				t.Errorf("%s imports %s; DESIGN.md allows only %v", name, dep, allowed)
			}
		}
	}
}
