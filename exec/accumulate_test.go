package exec

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// accumulate runs the accumulator acc (JSON) over docs as one group and
// returns the result in canonical Extended JSON.
func accumulate(t *testing.T, acc string, docs ...string) string {
	t.Helper()
	e, err := mql.ParseAccumulator(parseJSON(t, acc), "")
	if err != nil {
		t.Fatalf("parse %s: %v", acc, err)
	}
	a, err := NewAgg(e)
	if err != nil {
		t.Fatalf("%s: %v", acc, err)
	}
	st, err := a.New(nil, nil)
	if err != nil {
		t.Fatalf("%s: %v", acc, err)
	}
	for _, d := range docs {
		v, err := a.Input(parseDoc(t, d), nil)
		if err != nil {
			t.Fatalf("%s over %s: %v", acc, d, err)
		}
		if err := st.Add(v); err != nil {
			t.Fatalf("%s over %s: %v", acc, d, err)
		}
	}
	return canonical(t, st.Result())
}

func TestAccumulators(t *testing.T) {
	cases := []struct {
		name string
		acc  string
		docs []string
		want string
	}{
		// $sum (asp.md §9): ignores non-numeric and missing, 0 when none,
		// widest type wins, int overflow → long → double.
		{"$sum ints stay int", `{"$sum": "$a"}`, []string{`{"a": 1}`, `{"a": 2}`}, `3`},
		{"$sum of nothing is 0", `{"$sum": "$a"}`, []string{`{}`, `{"a": "x"}`}, `0`},
		{"$sum ignores arrays in $group", `{"$sum": "$a"}`, []string{`{"a": [1, 2]}`, `{"a": 5}`}, `5`},
		{"$sum int overflow to long", `{"$sum": "$a"}`, []string{`{"a": 2147483647}`, `{"a": 1}`}, `{"$numberLong": "2147483648"}`},
		{"$sum long overflow to double", `{"$sum": "$a"}`, []string{`{"a": {"$numberLong": "9223372036854775807"}}`, `{"a": {"$numberLong": "1"}}`}, `9.223372036854775808e18`},
		{"$sum int and long is long", `{"$sum": "$a"}`, []string{`{"a": 1}`, `{"a": {"$numberLong": "1"}}`}, `{"$numberLong": "2"}`},
		{"$sum with a double is double", `{"$sum": "$a"}`, []string{`{"a": 1}`, `{"a": 0.5}`}, `1.5`},
		{"$sum with a decimal is decimal", `{"$sum": "$a"}`, []string{`{"a": 1}`, `{"a": {"$numberDecimal": "0.25"}}`}, `{"$numberDecimal": "1.25"}`},
		{"$sum: 1 counts", `{"$sum": 1}`, []string{`{}`, `{}`, `{}`}, `3`},
		{"$sum double overflow is infinity", `{"$sum": "$a"}`, []string{`{"a": 1.7e308}`, `{"a": 1.7e308}`}, `{"$numberDouble": "Infinity"}`},
		// $avg: null when none; a double.
		{"$avg of nothing is null", `{"$avg": "$a"}`, []string{`{}`, `{"a": "x"}`}, `null`},
		{"$avg is a double", `{"$avg": "$a"}`, []string{`{"a": 1}`, `{"a": 2}`}, `1.5`},
		{"$avg of ints that divide", `{"$avg": "$a"}`, []string{`{"a": 2}`, `{"a": 4}`}, `3.0`},
		{"$avg decimal", `{"$avg": "$a"}`, []string{`{"a": {"$numberDecimal": "1"}}`, `{"a": 2}`}, `{"$numberDecimal": "1.5"}`},
		// $min/$max ignore null and missing unless all are.
		{"$min ignores null", `{"$min": "$a"}`, []string{`{"a": null}`, `{"a": 3}`, `{}`, `{"a": 2}`}, `2`},
		{"$max all null is null", `{"$max": "$a"}`, []string{`{"a": null}`, `{}`}, `null`},
		{"$max BSON order", `{"$max": "$a"}`, []string{`{"a": 3}`, `{"a": "x"}`}, `"x"`},
		{"$first", `{"$first": "$a"}`, []string{`{"a": 1}`, `{"a": 2}`}, `1`},
		{"$first missing is null", `{"$first": "$a"}`, []string{`{}`, `{"a": 2}`}, `null`},
		{"$last", `{"$last": "$a"}`, []string{`{"a": 1}`, `{"a": 2}`}, `2`},
		{"$push skips missing, keeps null", `{"$push": "$a"}`, []string{`{"a": 1}`, `{}`, `{"a": null}`}, `[1, null]`},
		{"$addToSet dedups by value", `{"$addToSet": "$a"}`, []string{`{"a": 1}`, `{"a": 1.0}`, `{"a": "x"}`}, `[1, "x"]`},
		{"$count", `{"$count": {}}`, []string{`{}`, `{}`}, `2`},
		{"$stdDevPop", `{"$stdDevPop": "$a"}`, []string{`{"a": 2}`, `{"a": 4}`, `{"a": 4}`, `{"a": 4}`, `{"a": 5}`, `{"a": 5}`, `{"a": 7}`, `{"a": 9}`}, `2.0`},
		{"$stdDevSamp of one is null", `{"$stdDevSamp": "$a"}`, []string{`{"a": 2}`}, `null`},
		{"$stdDevSamp", `{"$stdDevSamp": "$a"}`, []string{`{"a": 1}`, `{"a": 3}`}, `1.4142135623730951`},
		{"$mergeObjects", `{"$mergeObjects": "$a"}`, []string{`{"a": {"x": 1}}`, `{"a": null}`, `{"a": {"x": 2, "y": 3}}`}, `{"x": 2, "y": 3}`},
		{"$median", `{"$median": {"input": "$a", "method": "approximate"}}`, []string{`{"a": 1}`, `{"a": 3}`, `{"a": 2}`}, `2.0`},
		{"$percentile", `{"$percentile": {"input": "$a", "p": [0.5, 0.9], "method": "approximate"}}`,
			[]string{`{"a": 1}`, `{"a": 2}`, `{"a": 3}`, `{"a": 4}`, `{"a": 5}`, `{"a": 6}`, `{"a": 7}`, `{"a": 8}`, `{"a": 9}`, `{"a": 10}`}, `[5.0, 9.0]`},
		{"$median of nothing", `{"$median": {"input": "$a", "method": "approximate"}}`, []string{`{}`}, `null`},
		// MongoDB "$top" / "$topN" / "$bottomN": output by sortBy order.
		{"$top", `{"$top": {"output": "$p", "sortBy": {"s": -1}}}`, []string{`{"p": "a", "s": 1}`, `{"p": "b", "s": 3}`, `{"p": "c", "s": 2}`}, `"b"`},
		{"$bottom", `{"$bottom": {"output": "$p", "sortBy": {"s": -1}}}`, []string{`{"p": "a", "s": 1}`, `{"p": "b", "s": 3}`, `{"p": "c", "s": 2}`}, `"a"`},
		{"$topN", `{"$topN": {"output": ["$p", "$s"], "sortBy": {"s": -1}, "n": 2}}`, []string{`{"p": "a", "s": 1}`, `{"p": "b", "s": 3}`, `{"p": "c", "s": 2}`}, `[["b", 3], ["c", 2]]`},
		{"$bottomN", `{"$bottomN": {"output": "$p", "sortBy": {"s": -1}, "n": 2}}`, []string{`{"p": "a", "s": 1}`, `{"p": "b", "s": 3}`, `{"p": "c", "s": 2}`}, `["c", "a"]`},
		{"$topN missing output is null", `{"$topN": {"output": "$p", "sortBy": {"s": 1}, "n": 1}}`, []string{`{"s": 1}`}, `[null]`},
		{"$firstN keeps null", `{"$firstN": {"input": "$a", "n": 2}}`, []string{`{}`, `{"a": 2}`, `{"a": 3}`}, `[null, 2]`},
		{"$lastN", `{"$lastN": {"input": "$a", "n": 2}}`, []string{`{"a": 1}`, `{"a": 2}`, `{"a": 3}`}, `[2, 3]`},
		{"$maxN skips null", `{"$maxN": {"input": "$a", "n": 2}}`, []string{`{"a": 1}`, `{"a": null}`, `{"a": 3}`, `{"a": 2}`}, `[3, 2]`},
		{"$minN", `{"$minN": {"input": "$a", "n": 2}}`, []string{`{"a": 5}`, `{"a": 3}`, `{"a": 4}`}, `[3, 4]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := canonical(t, parseJSON(t, c.want))
			if got := accumulate(t, c.acc, c.docs...); got != want {
				t.Fatalf("%s\n got: %s\nwant: %s", c.acc, got, want)
			}
		})
	}
}

// n of $topN may depend on the group key (MongoDB "$topN": "Computing n
// Based on the Group Key").
func TestAccumulatorNFromGroupKey(t *testing.T) {
	e, err := mql.ParseAccumulator(parseJSON(t, `{"$firstN": {"input": "$a", "n": {"$cond": {"if": {"$eq": ["$gameId", "G2"]}, "then": 1, "else": 3}}}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAgg(e)
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.New(bson.D{{Key: "gameId", Value: "G2"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := int32(0); i < 3; i++ {
		_ = st.Add(i)
	}
	if got := canonical(t, st.Result()); got != canonical(t, bson.A{int32(0)}) {
		t.Fatalf("got %s, want [0]", got)
	}
}

// ASP accepts only method "approximate"; "continuous" (MongoDB 7+) is
// kept for plans built in Go and interpolates between ranks.
func TestPercentileContinuous(t *testing.T) {
	a, err := NewAgg(mql.NamedCall{Op: "$percentile", Args: []mql.NamedArg{
		{Name: "input", Value: mql.FieldPath{Path: "a"}},
		{Name: "p", Value: mql.Literal{Value: bson.A{0.5}}},
		{Name: "method", Value: mql.Literal{Value: "continuous"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := a.New(nil, nil)
	for _, v := range []any{int32(1), int32(2), int32(3), int32(4)} {
		_ = st.Add(v)
	}
	if got := canonical(t, st.Result()); got != canonical(t, bson.A{2.5}) {
		t.Fatalf("got %s, want [2.5]", got)
	}
}

func TestAccumulatorRemove(t *testing.T) {
	acc, _ := NewAccumulator("$avg")
	for _, v := range []any{int32(1), int32(2), int32(6)} {
		_ = acc.Add(v)
	}
	_ = acc.(Remover).Remove(int32(6))
	if got := acc.Result(); got != 1.5 {
		t.Fatalf("$avg after Remove = %v, want 1.5", got)
	}
}

// A $group key that is missing and one that is null fall in one group,
// also inside compound keys (asp.md §9; documentdb issue 646).
func TestEvalGroupKey(t *testing.T) {
	e := parseExpr(t, `{"province": "$a.province"}`)
	var keys []string
	for _, d := range []string{`{}`, `{"a": null}`, `{"a": {}}`, `{"a": {"province": null}}`} {
		k, err := EvalGroupKey(e, parseDoc(t, d), nil)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, string(AppendKey(nil, k)))
		if got := canonical(t, k); got != `{"province":null}` {
			t.Fatalf("key over %s = %s, want {province: null}", d, got)
		}
	}
	for _, k := range keys[1:] {
		if k != keys[0] {
			t.Fatalf("group keys differ: %q vs %q", k, keys[0])
		}
	}
	k, _ := EvalGroupKey(parseExpr(t, `"$nope"`), bson.D{}, nil)
	if k != nil {
		t.Fatalf("missing scalar key = %v, want null", k)
	}
}
