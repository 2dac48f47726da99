package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics (an internal error counts as a
// panic) and that whatever parses prints to SQL that parses back to the same
// AST. Run it with
//
//	go test ./parser -run '^$' -fuzz FuzzParse -fuzztime 60s
//
// It is seeded with every input of testdata/parse and testdata/errors.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"../testdata/parse/*.txt", "../testdata/errors/parse_*.txt"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			for _, in := range inputs(string(src)) {
				f.Add(in)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := Parse("fuzz.sql", src)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Code == CodeInternal {
				t.Fatalf("Parse(%q): %v", src, err)
			}
			return
		}
		checkRoundTrip(t, "fuzz", stmts)
	})
}

// inputs returns the SQL inputs of a datadriven file: the lines between a
// parse or ast command and its ---- separator.
func inputs(file string) []string {
	var out, cur []string
	in := false
	for _, line := range strings.Split(file, "\n") {
		switch {
		case !in && (line == "parse" || line == "ast"):
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
