package parser

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/google/go-cmp/cmp"
)

// The golden files are regenerated with `go test ./parser -rewrite` (the
// flag belongs to datadriven); the same flag rewrites docs/grammar.ebnf.
//
//	testdata/parse/*.txt         parse: canonical SQL of each statement
//	                             ast:   the tree with positions
//	testdata/errors/parse_*.txt  parse: the error, file:line:col: message
//
// Every successful `parse` or `ast` also checks that the canonical SQL
// parses back to the same AST.

func TestParse(t *testing.T) {
	datadriven.Walk(t, "../testdata/parse", runParseTest)
}

func TestParseErrors(t *testing.T) {
	files, err := filepath.Glob("../testdata/errors/parse_*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no error golden files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runParseTest(t, f) })
	}
}

func runParseTest(t *testing.T, path string) {
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		return parseCommand(t, d)
	})
}

func parseCommand(t *testing.T, d *datadriven.TestData) string {
	stmts, err := Parse("q.sql", d.Input)
	if err != nil {
		var perr *Error
		if !errors.As(err, &perr) {
			t.Fatalf("%s: error is %T, expected *parser.Error", d.Pos, err)
		}
		return fmt.Sprintf("error [%s]: %s\n", perr.Code, perr.Error())
	}
	checkRoundTrip(t, d.Pos, stmts)
	var b strings.Builder
	for _, s := range stmts {
		switch d.Cmd {
		case "parse":
			b.WriteString(Format(s) + ";\n")
		case "ast":
			b.WriteString(dump(s))
		default:
			t.Fatalf("%s: unknown command %q; expected parse or ast", d.Pos, d.Cmd)
		}
	}
	return b.String()
}

// ignorePos compares ASTs without their positions, which printing moves.
var ignorePos = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && sf.Name() == "Pos"
}, cmp.Ignore())

func checkRoundTrip(t testing.TB, where string, stmts []Statement) {
	t.Helper()
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(Format(s) + ";\n")
	}
	again, err := Parse("printed.sql", b.String())
	if err != nil {
		t.Fatalf("%s: canonical SQL does not parse: %v\n%s", where, err, b.String())
	}
	if diff := cmp.Diff(stmts, again, ignorePos); diff != "" {
		t.Fatalf("%s: canonical SQL parses to a different AST (-first +reparsed):\n%s\n%s", where, diff, b.String())
	}
}

// TestGrammarDoc keeps docs/grammar.ebnf in step with the participle grammar.
func TestGrammarDoc(t *testing.T) {
	const path = "../docs/grammar.ebnf"
	want := grammarDoc()
	if f := flag.Lookup("rewrite"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go test ./parser -rewrite", err)
	}
	if string(got) != want {
		t.Fatalf("%s is stale; run go test ./parser -rewrite\n%s", path, cmp.Diff(string(got), want))
	}
}

// grammarDoc is docs/grammar.ebnf: the tokens, the reserved words and the
// rules, all taken from grammar.go.
func grammarDoc() string {
	var b strings.Builder
	b.WriteString("(* The weir SQL dialect. Generated from parser/grammar.go by\n")
	b.WriteString("   `go test ./parser -rewrite`; do not edit.\n\n")
	b.WriteString("   Keywords are case-insensitive. Tokens (Go regexps):\n")
	for _, rule := range lexRules {
		fmt.Fprintf(&b, "     <%s> = %s\n", strings.ToLower(rule.Name), rule.Pattern)
	}
	b.WriteString("\n   Reserved words, which must be quoted to be used as names:\n")
	for i := 0; i < len(reserved); i += 10 {
		b.WriteString("     " + strings.Join(reserved[i:min(i+10, len(reserved))], " ") + "\n")
	}
	b.WriteString("*)\n\n")
	b.WriteString(strings.ReplaceAll(sqlParser.String(), "\n", "\n\n") + "\n")
	return b.String()
}
