package parser

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestInspectAndPositions walks every golden query: Inspect must reach every
// node the AST holds (counted by reflection), and every node must carry a
// position, since the planner blames nodes by it.
func TestInspectAndPositions(t *testing.T) {
	files, _ := filepath.Glob("../testdata/parse/*.txt")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range inputs(string(src)) {
			stmts, err := Parse("q.sql", in)
			if err != nil {
				continue
			}
			for _, s := range stmts {
				visited := 0
				Inspect(s, func(n Node) bool {
					visited++
					if p := n.Position(); p.Line < 1 || p.Column < 1 || p.Filename != "q.sql" {
						t.Errorf("%s: %T in %q has no position: %+v", file, n, in, p)
					}
					return true
				})
				if want := countNodes(reflect.ValueOf(s)); visited != want {
					t.Errorf("%s: Inspect visited %d nodes of %q, the AST holds %d", file, visited, in, want)
				}
			}
		}
	}
}

func countNodes(v reflect.Value) int {
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return 0
	}
	n := 1
	s := v.Elem()
	for i := 0; i < s.NumField(); i++ {
		f := s.Field(i)
		switch {
		case f.Type().Implements(nodeType):
			n += countNodes(f)
		case f.Kind() == reflect.Slice && f.Type().Elem().Implements(nodeType):
			for j := 0; j < f.Len(); j++ {
				n += countNodes(f.Index(j))
			}
		}
	}
	return n
}
