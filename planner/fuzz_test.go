package planner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzPlan checks that planning never panics and never builds a pipeline
// that fails validation (an internal error, XX000). Run it with
//
//	go test ./planner -run '^$' -fuzz FuzzPlan -fuzztime 60s
//
// It is seeded with every SQL input of testdata/plan, testdata/parse and
// testdata/errors.
func FuzzPlan(f *testing.F) {
	for _, pattern := range []string{"../testdata/plan/*.txt", "../testdata/parse/*.txt", "../testdata/errors/plan_*.txt", "../testdata/errors/parse_*.txt"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			for _, in := range sqlInputs(string(src)) {
				f.Add(in)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, err := PlanSQL("fuzz.sql", src)
		var e *Error
		if errors.As(err, &e) && e.Code == CodeInternal {
			t.Fatalf("PlanSQL(%q): %v", src, err)
		}
	})
}

// sqlInputs returns the SQL inputs of a datadriven file: the lines between
// a command (plan, error, parse, ast) and its ---- separator.
func sqlInputs(file string) []string {
	var out, cur []string
	in := false
	for _, line := range strings.Split(file, "\n") {
		switch {
		case !in && (line == "plan" || line == "error" || line == "parse" || line == "ast"):
			in, cur = true, nil
		case in && line == "----":
			in = false
			out = append(out, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return out
}
