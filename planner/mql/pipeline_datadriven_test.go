package mql

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestPipelines runs testdata/mql/pipelines: each `decode` case decodes a
// pipeline (JSON or mongosh syntax) and prints its warnings, then the
// normalized JSON. Every case also checks the round trip: decoding the
// printed JSON gives an equal Processor and prints the same JSON again.
func TestPipelines(t *testing.T) {
	datadriven.Walk(t, "../../testdata/mql/pipelines", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			out := runPipelineCase(t, td)
			if strings.HasPrefix(out, "error: ") {
				t.Errorf("%s: a pipeline here must decode (errors go in testdata/errors/mql_*.txt); got\n%s", td.Pos, out)
			}
			return out
		})
	})
}

// TestPipelineErrors runs testdata/errors/mql_*.txt: the same command, for
// pipelines that must fail.
func TestPipelineErrors(t *testing.T) {
	files, err := filepath.Glob("../../testdata/errors/mql_*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/errors/mql_*.txt files (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			datadriven.RunTest(t, f, func(t *testing.T, td *datadriven.TestData) string {
				out := runPipelineCase(t, td)
				if !strings.HasPrefix(out, "error: ") {
					t.Errorf("%s: expected an error, got:\n%s", td.Pos, out)
				}
				return out
			})
		})
	}
}

func runPipelineCase(t *testing.T, td *datadriven.TestData) string {
	switch td.Cmd {
	case "decode":
	case "shell-json":
		out, err := ShellToJSON([]byte(td.Input))
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		return string(out) + "\n"
	default:
		t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
	}
	canonical := td.HasArg("canonical")
	p, warns, err := Decode([]byte(td.Input))
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	for _, w := range warns {
		b.WriteString(w.String() + "\n")
	}
	out, err := Encode(p, canonical)
	if err != nil {
		t.Fatalf("%s: encode: %v", td.Pos, err)
	}
	b.Write(out)
	b.WriteString("\n")

	// Round trip: what weir prints, weir reads back to the same plan.
	// Canonical Extended JSON keeps number types (relaxed prints a small
	// int64 as it prints an int32), so the check goes through it.
	exact, err := Encode(p, true)
	if err != nil {
		t.Fatalf("%s: encode: %v", td.Pos, err)
	}
	p2, _, err := Decode(exact)
	if err != nil {
		t.Fatalf("%s: decoding the encoded pipeline: %v\n%s", td.Pos, err, exact)
	}
	if diff := cmp.Diff(p, p2, pipelineCmpOpts...); diff != "" {
		t.Errorf("%s: round trip changed the processor (-decoded +re-decoded):\n%s", td.Pos, diff)
	}
	out2, err := Encode(p2, canonical)
	if err != nil || string(out2) != string(out) {
		t.Errorf("%s: encoding is not stable:\n%s\nthen\n%s", td.Pos, out, out2)
	}
	return b.String()
}

var pipelineCmpOpts = []cmp.Option{
	cmp.Comparer(func(a, b bson.Decimal128) bool { return a == b }),
	cmp.Comparer(func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }),
}
