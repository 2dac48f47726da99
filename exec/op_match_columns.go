package exec

import (
	"math"
	"strings"

	"github.com/weir-stream/weir/planner/mql"
)

// MatchColumns is $match's columnar kernel over an Arrow Batch, for the
// common predicate `{field: {<op>: constant}}` ($eq, $ne, $gt, $gte, $lt,
// $lte) on a top-level field whose column is typed double, long, int or
// string. It returns which rows match, and ok=false when the predicate or
// the column is outside the fast path (mixed or BSON columns, NaN, longs
// beyond 2^53 against a double constant, …): the caller then runs exec.Match
// per row. It follows MongoDB's query rules: type bracketing (a number
// never matches a string bound), null and missing match none of the
// comparisons and all of $ne. The runtime's columnar fast path
// (columnar.go) runs it for the leading $match stages of a pipeline.
func MatchColumns(b *Batch, q *mql.Query) (keep []bool, ok bool) {
	if q == nil || len(q.Clauses) != 1 {
		return nil, false
	}
	fc, isField := q.Clauses[0].(mql.FieldClause)
	if !isField || len(fc.Conds) != 1 || strings.Contains(fc.Path, ".") {
		return nil, false
	}
	op, k := fc.Conds[0].Op, fc.Conds[0].Value
	switch op {
	case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
	default:
		return nil, false
	}
	col := b.Column(fc.Path)
	if col == nil {
		return nil, false
	}
	n := b.Len()
	keep = make([]bool, n)
	// test maps a comparison result (-1, 0, 1) to the operator's answer.
	test := func(c int) bool {
		switch op {
		case "$eq":
			return c == 0
		case "$ne":
			return c != 0
		case "$gt":
			return c > 0
		case "$gte":
			return c >= 0
		case "$lt":
			return c < 0
		}
		return c <= 0
	}
	// absent is the answer for null, missing, and values of another type
	// bracket: only $ne matches them.
	absent := op == "$ne"
	kNum, kIsNum := stColNumber(k)
	kStr, kIsStr := k.(string)
	if !kIsNum && !kIsStr {
		return nil, false
	}
	switch col.Kind {
	case KindDouble, KindLong, KindInt:
		if !kIsNum {
			for i := range keep {
				keep[i] = absent
			}
			return keep, true
		}
		f64, _ := col.Float64s()
		i64, _ := col.Int64s()
		i32, _ := col.Int32s()
		for i := 0; i < n; i++ {
			if !col.Valid(i) {
				keep[i] = absent
				continue
			}
			var v float64
			switch col.Kind {
			case KindDouble:
				v = f64[i]
				if math.IsNaN(v) {
					return nil, false
				}
			case KindLong:
				if i64[i] > 1<<53 || i64[i] < -(1<<53) {
					return nil, false
				}
				v = float64(i64[i])
			default:
				v = float64(i32[i])
			}
			keep[i] = test(stCmpFloat(v, kNum))
		}
		return keep, true
	case KindString:
		if !kIsStr {
			for i := range keep {
				keep[i] = absent
			}
			return keep, true
		}
		s, _ := col.Strings()
		for i := 0; i < n; i++ {
			if !col.Valid(i) {
				keep[i] = absent
				continue
			}
			keep[i] = test(strings.Compare(s.Value(i), kStr))
		}
		return keep, true
	case KindNull:
		for i := range keep {
			keep[i] = absent
		}
		return keep, true
	}
	return nil, false
}

func stCmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// stColNumber is a query constant as a float64 the fast path can compare
// exactly: int32, int64 within ±2^53, or a non-NaN double.
func stColNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case int32:
		return float64(t), true
	case int64:
		if t > 1<<53 || t < -(1<<53) {
			return 0, false
		}
		return float64(t), true
	case float64:
		return t, !math.IsNaN(t)
	}
	return 0, false
}
