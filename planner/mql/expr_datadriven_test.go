package mql

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// exprTestdata holds the golden files of expressions and queries; regenerate
// them with go test ./planner/mql -run TestExprDatadriven -rewrite.
const exprTestdata = "../../testdata/mql/expr"

// TestExprDatadriven runs the golden files. Commands, each with a JSON input:
//
//	expr [paths]         ParseExpr, then EncodeExpr printed as relaxed
//	                     Extended JSON (and ExprPaths)
//	accumulator          ParseAccumulator, then EncodeExpr
//	query [paths]        ParseQuery, then EncodeQuery (and QueryPaths)
//
// Each case also checks that parsing the printed form gives the same tree.
func TestExprDatadriven(t *testing.T) {
	datadriven.Walk(t, exprTestdata, func(t *testing.T, path string) {
		datadriven.RunTest(t, path, runExprCase)
	})
}

func runExprCase(t *testing.T, td *datadriven.TestData) string {
	v, err := ParseJSON([]byte(td.Input))
	if err != nil {
		td.Fatalf(t, "bad input: %v", err)
	}
	var enc any
	var paths []string
	switch td.Cmd {
	case "expr", "accumulator":
		parse := ParseExpr
		if td.Cmd == "accumulator" {
			parse = ParseAccumulator
		}
		e, err := parse(v, "")
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		enc = EncodeExpr(e)
		back, err := parse(enc, "")
		if err != nil || !cmp.Equal(e, back, nanEqual) {
			t.Errorf("%s: round trip failed: %v\n%s", td.Pos, err, cmp.Diff(e, back, nanEqual))
		}
		paths = ExprPaths(e)
	case "query":
		q, err := ParseQuery(v, "")
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		enc = EncodeQuery(q)
		back, err := ParseQuery(enc, "")
		if err != nil || !cmp.Equal(q, back, nanEqual) {
			t.Errorf("%s: round trip failed: %v\n%s", td.Pos, err, cmp.Diff(q, back, nanEqual))
		}
		paths = QueryPaths(q)
	default:
		td.Fatalf(t, "unknown command %q", td.Cmd)
	}
	out, err := EncodeJSON(enc, false, false)
	if err != nil {
		td.Fatalf(t, "encode: %v", err)
	}
	s := string(out) + "\n"
	if td.HasArg("paths") {
		quoted := make([]string, len(paths))
		for i, p := range paths {
			quoted[i] = fmt.Sprintf("%q", p)
		}
		if len(quoted) == 0 {
			quoted = []string{"(none)"}
		}
		s += "paths: " + strings.Join(quoted, " ") + "\n"
	}
	return s
}

// nanEqual lets a NaN constant equal itself after a round trip.
var nanEqual = cmpopts.EquateNaNs()

// FuzzParseExpr checks that no input makes ParseExpr panic and that every
// expression it accepts survives EncodeExpr and ParseExpr unchanged. The
// corpus starts from the golden files' inputs.
func FuzzParseExpr(f *testing.F) {
	// A testing.F can't run subtests, so walk the files by hand.
	paths, err := filepath.Glob(filepath.Join(exprTestdata, "*"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no golden files in %s: %v", exprTestdata, err)
	}
	for _, path := range paths {
		datadriven.RunTestAny(f, path, func(t testing.TB, td *datadriven.TestData) string {
			f.Add(td.Input)
			return td.Expected
		})
	}
	f.Fuzz(func(t *testing.T, input string) {
		v, err := ParseJSON([]byte(input))
		if err != nil {
			return
		}
		for _, parse := range []func(any, Path) (Expr, error){ParseExpr, ParseAccumulator} {
			e, err := parse(v, "")
			if err != nil {
				continue
			}
			enc := EncodeExpr(e)
			back, err := parse(enc, "")
			if err != nil {
				t.Fatalf("reparse of %v failed: %v", enc, err)
			}
			if d := cmp.Diff(e, back, nanEqual); d != "" {
				t.Fatalf("round trip of %s changed the tree:\n%s", input, d)
			}
		}
		if q, err := ParseQuery(v, ""); err == nil {
			back, err := ParseQuery(EncodeQuery(q), "")
			if err != nil {
				t.Fatalf("reparse of query %s failed: %v", input, err)
			}
			if d := cmp.Diff(q, back, nanEqual); d != "" {
				t.Fatalf("query round trip of %s changed it:\n%s", input, d)
			}
		}
	})
}
