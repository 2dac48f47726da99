package planner_test

import (
	"testing"

	"github.com/weir-stream/weir/planner"
	"github.com/weir-stream/weir/planner/mql"
)

// Constant arithmetic keeps PostgreSQL's result types: a bigint operand
// makes a bigint (pgwire describes the column by it), integers alone stay
// integers. Relaxed JSON can't show the difference, so this looks at the
// values.
func TestFoldedArithmeticKeepsIntegerWidth(t *testing.T) {
	plans, err := planner.PlanSQL("q.sql", "SELECT 41::int8 + 1 AS n, 1 + 2 AS k, -1::int8 AS neg FROM k.t")
	if err != nil {
		t.Fatal(err)
	}
	pl := plans[0].Processor.Pipeline
	proj := pl[len(pl)-1].(*mql.Project)
	want := map[string]any{"n": int64(42), "k": int32(3), "neg": int64(-1)}
	for _, f := range proj.Fields {
		w, ok := want[f.Path]
		if !ok {
			continue
		}
		lit, isLit := f.Expr.(mql.Literal)
		if !isLit || lit.Value != w {
			t.Errorf("%s = %#v, want %T %v", f.Path, f.Expr, w, w)
		}
	}
}
