package mql

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// mustJSON reads an Extended JSON test input.
func mustJSON(t testing.TB, s string) any {
	t.Helper()
	v, err := ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("bad test input %s: %v", s, err)
	}
	return v
}

func toJSON(t testing.TB, v any) string {
	t.Helper()
	out, err := EncodeJSON(v, false, false)
	if err != nil {
		t.Fatalf("encode %v: %v", v, err)
	}
	return string(out)
}

func TestParseExprTree(t *testing.T) {
	lit := func(v any) Expr { return Literal{Value: v} }
	fp := func(p string) Expr { return FieldPath{Path: p} }
	tests := []struct {
		in   string
		want Expr
	}{
		{`"$a.b"`, fp("a.b")},
		{`"plain"`, lit("plain")},
		{`5`, lit(int32(5))},
		{`null`, lit(nil)},
		{`"$$ROOT"`, Variable{Name: "ROOT"}},
		{`"$$CURRENT.x.y"`, Variable{Name: "CURRENT", Path: "x.y"}},
		{`{"$add": ["$a", 1]}`, Call{Op: "$add", Args: []Expr{fp("a"), lit(int32(1))}}},
		// A unary operator may be written without its array.
		{`{"$toInt": "$a"}`, Call{Op: "$toInt", Args: []Expr{fp("a")}}},
		{`{"$toInt": ["$a"]}`, Call{Op: "$toInt", Args: []Expr{fp("a")}}},
		{`{"$size": [["$a", 1]]}`, Call{Op: "$size", Args: []Expr{Array{Elems: []Expr{fp("a"), lit(int32(1))}}}}},
		// Both $cond forms give the array form.
		{`{"$cond": {"if": "$a", "then": 1, "else": 2}}`, Call{Op: "$cond", Args: []Expr{fp("a"), lit(int32(1)), lit(int32(2))}}},
		{`{"$cond": {"else": 2, "if": "$a", "then": 1}}`, Call{Op: "$cond", Args: []Expr{fp("a"), lit(int32(1)), lit(int32(2))}}},
		{`{"$cond": ["$a", 1, 2]}`, Call{Op: "$cond", Args: []Expr{fp("a"), lit(int32(1)), lit(int32(2))}}},
		{`{"$literal": "$notAPath"}`, lit("$notAPath")},
		{`{"$literal": {"$add": 1}}`, lit(bson.D{{Key: "$add", Value: int32(1)}})},
		{`{"$meta": "stream.window.start"}`, Meta{Path: "stream.window.start"}},
		{`{"a": 1, "b": "$c"}`, Object{Fields: []Field{{Name: "a", Value: lit(int32(1))}, {Name: "b", Value: fp("c")}}}},
		{`{}`, Object{}},
		{`[]`, Array{}},
		{`{"$dateToString": {"format": "%Y", "date": "$t"}}`, NamedCall{Op: "$dateToString", Args: []NamedArg{
			{Name: "format", Value: lit("%Y")}, {Name: "date", Value: fp("t")}}}},
		// A date part operator's bare form is its date argument.
		{`{"$year": "$t"}`, NamedCall{Op: "$year", Args: []NamedArg{{Name: "date", Value: fp("t")}}}},
		{`{"$year": {"date": "$t"}}`, NamedCall{Op: "$year", Args: []NamedArg{{Name: "date", Value: fp("t")}}}},
		{`{"$year": {"$toDate": "$t"}}`, NamedCall{Op: "$year", Args: []NamedArg{{Name: "date", Value: Call{Op: "$toDate", Args: []Expr{fp("t")}}}}}},
		{`{"$getField": "a.b"}`, NamedCall{Op: "$getField", Args: []NamedArg{{Name: "field", Value: lit("a.b")}}}},
		{`{"$createUUID": {}}`, NamedCall{Op: "$createUUID"}},
		{`{"$filter": {"input": "$xs", "as": "x", "cond": {"$gt": ["$$x", 1]}}}`, NamedCall{Op: "$filter", Args: []NamedArg{
			{Name: "input", Value: fp("xs")},
			{Name: "as", Value: lit("x")},
			{Name: "cond", Value: Call{Op: "$gt", Args: []Expr{Variable{Name: "x"}, lit(int32(1))}}},
		}}},
		{`{"$switch": {"branches": [{"case": "$a", "then": 1}], "default": 0}}`, NamedCall{Op: "$switch", Args: []NamedArg{
			{Name: "branches", Value: Array{Elems: []Expr{Object{Fields: []Field{{Name: "case", Value: fp("a")}, {Name: "then", Value: lit(int32(1))}}}}}},
			{Name: "default", Value: lit(int32(0))},
		}}},
		{`{"$sortArray": {"input": "$xs", "sortBy": {"a": -1}}}`, NamedCall{Op: "$sortArray", Args: []NamedArg{
			{Name: "input", Value: fp("xs")}, {Name: "sortBy", Value: lit(bson.D{{Key: "a", Value: int32(-1)}})}}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseExpr(mustJSON(t, tt.in), "x")
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParseExpr(%s) (-want +got):\n%s", tt.in, d)
			}
			checkRoundTrip(t, got)
		})
	}
}

// checkRoundTrip asserts ParseExpr(EncodeExpr(e)) == e.
func checkRoundTrip(t testing.TB, e Expr) {
	t.Helper()
	enc := EncodeExpr(e)
	back, err := ParseExpr(enc, "x")
	if err != nil {
		t.Fatalf("ParseExpr(EncodeExpr(e)) of %s: %v", toJSON(t, enc), err)
	}
	if d := cmp.Diff(e, back); d != "" {
		t.Fatalf("round trip through %s changed the tree (-before +after):\n%s", toJSON(t, enc), d)
	}
}

func TestEncodeExprNormalizes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"$toInt": ["$a"]}`, `{"$toInt":"$a"}`},
		{`{"$cond": {"if": "$a", "then": 1, "else": 2}}`, `{"$cond":["$a",1,2]}`},
		{`{"$literal": 5}`, `5`},
		{`{"$literal": "$x"}`, `{"$literal":"$x"}`},
		{`{"$literal": {"a": 1}}`, `{"$literal":{"a":1}}`},
		{`{"$literal": [1, 2]}`, `{"$literal":[1,2]}`},
		{`{"$year": {"date": "$t"}}`, `{"$year":"$t"}`},
		{`{"$year": {"date": "$t", "timezone": "Europe/Paris"}}`, `{"$year":{"date":"$t","timezone":"Europe/Paris"}}`},
		{`{"$size": [["$a"]]}`, `{"$size":[["$a"]]}`},
		{`{"$concat": []}`, `{"$concat":[]}`},
		{`{"$sum": "$a"}`, `{"$sum":"$a"}`},
	}
	for _, tt := range tests {
		e, err := ParseExpr(mustJSON(t, tt.in), "")
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := toJSON(t, EncodeExpr(e)); got != tt.want {
			t.Errorf("EncodeExpr(ParseExpr(%s)) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestEncodeBuiltExpr covers trees the SQL planner builds by hand rather
// than by parsing.
func TestEncodeBuiltExpr(t *testing.T) {
	e := Object{Fields: []Field{
		{Name: "doc", Value: Literal{Value: bson.D{{Key: "a", Value: int32(1)}}}},
		{Name: "s", Value: Literal{Value: "$5"}},
		{Name: "n", Value: Literal{Value: int64(7)}},
	}}
	want := `{"doc":{"$literal":{"a":1}},"s":{"$literal":"$5"},"n":7}`
	if got := toJSON(t, EncodeExpr(e)); got != want {
		t.Errorf("EncodeExpr = %s, want %s", got, want)
	}
	checkRoundTrip(t, e)
}

func TestParseExprErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"$summ": ["$a", 1]}`, `p: unknown operator $summ; did you mean $sum?`},
		{`{"$toupper": "$a"}`, `p: unknown operator $toupper; did you mean $toUpper?`},
		{`{"$dateToStrin": {"date": "$a"}}`, `p: unknown operator $dateToStrin; did you mean $dateToString?`},
		{`{"$frobnicate": 1}`, `p: unknown operator $frobnicate`},
		{`{"$subtract": [1, 2, 3]}`, `p: $subtract takes 2 arguments, found 3`},
		{`{"$round": [1, 2, 3]}`, `p: $round takes 1 to 2 arguments, found 3`},
		{`{"$toInt": [1, 2]}`, `p: $toInt takes 1 argument, found 2`},
		{`{"$cond": [1, 2]}`, `p: $cond takes 3 arguments, found 2`},
		{`{"$cond": {"if": 1, "then": 2}}`, `p.$cond: $cond requires else`},
		{`{"$cond": {"if": 1, "then": 2, "els": 3}}`, `p.$cond: unknown argument "els" of $cond; expected if, then and else; did you mean "else"?`},
		{`{"$add": [1, 2], "b": 1}`, `p: document mixes operator $add with field "b"; an expression document is either one $operator or only field names`},
		{`{"b": 1, "$add": [1, 2]}`, `p: document mixes operator $add with field "b"; an expression document is either one $operator or only field names`},
		{`{"$add": [1, 2], "$sum": 1}`, `p: an expression document has one $operator, found 2 ($add, $sum)`},
		{`{"a": {"b": {"$add": [1, {"$bogus": 1}]}}}`, `p.a.b.$add[1]: unknown operator $bogus`},
		{`{"a.b": 1}`, `p: field name "a.b" contains '.'; nest documents instead`},
		{`"$"`, `p: "$" is not a valid field path: it is empty; expected "$<field>"`},
		{`"$a..b"`, `p: "$a..b" is not a valid field path: it has an empty part`},
		{`{"$dateToString": {"format": "%Y"}}`, `p.$dateToString: $dateToString requires date`},
		{`{"$dateToString": {"date": "$a", "fromat": "%Y"}}`, `p.$dateToString: unknown argument "fromat" of $dateToString; expected date, format, timezone, onNull; did you mean "format"?`},
		{`{"$dateToString": "$a"}`, `p.$dateToString: $dateToString takes a document of named arguments (date, format, timezone, onNull), found string "$a"`},
		{`{"$createUUID": 1}`, `p.$createUUID: $createUUID takes an empty document {}, found number 1`},
		{`{"$currentDate": {"x": 1}}`, `p.$currentDate: $currentDate takes an empty document {}, found argument "x"`},
		{`{"$meta": "textScore"}`, `p.$meta: "textScore" is not stream metadata; $meta in stream processing takes "stream" or "stream.<path>"`},
		{`{"$meta": 1}`, `p.$meta: $meta takes a "stream.…" path string, found number 1`},
		{`{"$push": "$a"}`, `p: $push is an accumulator; it is allowed only as a $group or $setWindowFields output`},
		{`{"$regex": "a"}`, `p: $regex is a query operator, not an aggregation expression; use it in $match, or use an expression operator inside $expr`},
		{`{"$switch": {"branches": []}}`, `p.$switch.branches: branches takes a non-empty array of {case, then} documents, found an empty array`},
		{`{"$switch": {"branches": [{"case": true}]}}`, `p.$switch.branches[0]: a $switch branch needs case and then`},
		{`{"$dateFromParts": {"month": 1}}`, `p.$dateFromParts: $dateFromParts requires either year (with month, day) or isoWeekYear (with isoWeek, isoDayOfWeek), not both`},
		{`{"$sortArray": {"input": "$a", "sortBy": 2}}`, `p.$sortArray.sortBy: sortBy takes 1, -1 or a document of field: 1 or -1, found number 2`},
		{`{"$median": {"input": "$a", "method": "exact"}}`, `p.$median.method: method must be "approximate", found string "exact"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseExpr(mustJSON(t, tt.in), "p")
			if err == nil {
				t.Fatalf("ParseExpr(%s) succeeded; want error %q", tt.in, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseExpr(%s) error\n got: %s\nwant: %s", tt.in, err, tt.want)
			}
			if _, ok := err.(*Error); !ok {
				t.Errorf("error is %T, want *mql.Error", err)
			}
		})
	}
}

func TestParseExprScope(t *testing.T) {
	ok := []string{
		`"$$REMOVE"`,
		`{"$map": {"input": "$xs", "in": {"$add": ["$$this", 1]}}}`,
		`{"$map": {"input": "$xs", "as": "x", "in": {"$add": ["$$x.v", "$base"]}}}`,
		`{"$filter": {"input": "$xs", "cond": {"$gt": ["$$this", 1]}, "limit": 2}}`,
		`{"$reduce": {"input": "$xs", "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}}`,
		`{"$let": {"vars": {"low": 1, "high": "$hi"}, "in": {"$gt": ["$$high", "$$low"]}}}`,
		// An inner variable stays visible in nested operators.
		`{"$map": {"input": "$xs", "as": "x", "in": {"$filter": {"input": "$$x.ys", "as": "y", "cond": {"$eq": ["$$x.k", "$$y.k"]}}}}}`,
	}
	for _, in := range ok {
		e, err := ParseExpr(mustJSON(t, in), "p")
		if err != nil {
			t.Errorf("ParseExpr(%s): %v", in, err)
			continue
		}
		checkRoundTrip(t, e)
	}
	bad := []struct{ in, want string }{
		{`"$$NOW"`, `p: $$NOW is not supported in stream processing; use {$currentDate: {}}`},
		{`"$$CLUSTER_TIME"`, `p: $$CLUSTER_TIME is not supported in stream processing; use {$currentDate: {}}`},
		{`"$$x"`, `p: undefined variable $$x`},
		{`{"$add": ["$$this", 1]}`, `p.$add[0]: undefined variable $$this; $$this and $$value are defined only inside $map, $filter and $reduce`},
		// With an as name, $$this is not defined.
		{`{"$map": {"input": "$xs", "as": "x", "in": "$$this"}}`, `p.$map.in: undefined variable $$this; $$this and $$value are defined only inside $map, $filter and $reduce`},
		// The input is evaluated outside the variable's scope.
		{`{"$map": {"input": "$$x", "as": "x", "in": "$$x"}}`, `p.$map.input: undefined variable $$x`},
		{`{"$filter": {"input": "$xs", "cond": "$$value"}}`, `p.$filter.cond: undefined variable $$value; $$this and $$value are defined only inside $map, $filter and $reduce`},
		// A $let variable can't see its siblings.
		{`{"$let": {"vars": {"a": 1, "b": "$$a"}, "in": "$$b"}}`, `p.$let.vars.b: undefined variable $$a`},
		{`{"$let": {"vars": {"A": 1}, "in": 1}}`, `p.$let.vars: "A" is not a valid variable name; a name starts with a lowercase letter and holds only letters, digits and _`},
		{`{"$map": {"input": "$xs", "as": "my-x", "in": 1}}`, `p.$map.as: "my-x" is not a valid variable name; a name starts with a lowercase letter and holds only letters, digits and _`},
		{`"$$"`, `p: "$$" is not a valid variable: the name is empty`},
	}
	for _, tt := range bad {
		_, err := ParseExpr(mustJSON(t, tt.in), "p")
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseExpr(%s) error\n got: %v\nwant: %s", tt.in, err, tt.want)
		}
	}
	// A $lookup's let variables are in scope through ParseExprIn.
	if _, err := ParseExprIn(mustJSON(t, `{"$eq": ["$k", "$$key"]}`), "p", []string{"key"}); err != nil {
		t.Errorf("ParseExprIn with key in scope: %v", err)
	}
}

func TestParseAccumulator(t *testing.T) {
	tests := []struct {
		in   string
		want Expr
	}{
		{`{"$sum": 1}`, Call{Op: "$sum", Args: []Expr{Literal{Value: int32(1)}}}},
		{`{"$push": "$$ROOT"}`, Call{Op: "$push", Args: []Expr{Variable{Name: "ROOT"}}}},
		{`{"$count": {}}`, NamedCall{Op: "$count"}},
		{`{"$median": {"input": "$v", "method": "approximate"}}`, NamedCall{Op: "$median", Args: []NamedArg{
			{Name: "input", Value: FieldPath{Path: "v"}}, {Name: "method", Value: Literal{Value: "approximate"}}}}},
		{`{"$top": {"output": ["$a", "$b"], "sortBy": {"t": -1}}}`, NamedCall{Op: "$top", Args: []NamedArg{
			{Name: "output", Value: Array{Elems: []Expr{FieldPath{Path: "a"}, FieldPath{Path: "b"}}}},
			{Name: "sortBy", Value: Literal{Value: bson.D{{Key: "t", Value: int32(-1)}}}}}}},
		{`{"$rank": {}}`, NamedCall{Op: "$rank"}},
		{`{"$covariancePop": ["$a", "$b"]}`, Call{Op: "$covariancePop", Args: []Expr{FieldPath{Path: "a"}, FieldPath{Path: "b"}}}},
		{`{"$shift": {"output": "$a", "by": -1, "default": 0}}`, NamedCall{Op: "$shift", Args: []NamedArg{
			{Name: "output", Value: FieldPath{Path: "a"}}, {Name: "by", Value: Literal{Value: int32(-1)}}, {Name: "default", Value: Literal{Value: int32(0)}}}}},
	}
	for _, tt := range tests {
		got, err := ParseAccumulator(mustJSON(t, tt.in), "p")
		if err != nil {
			t.Errorf("ParseAccumulator(%s): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ParseAccumulator(%s) (-want +got):\n%s", tt.in, d)
		}
		back, err := ParseAccumulator(EncodeExpr(got), "p")
		if err != nil || !cmp.Equal(got, back) {
			t.Errorf("accumulator round trip of %s: %v %v", tt.in, back, err)
		}
	}
	bad := []struct{ in, want string }{
		{`{"$sum": ["$a", "$b"]}`, `p: the $sum accumulator takes one expression, found an array of 2`},
		{`{"$summ": 1}`, `p: unknown accumulator $summ; did you mean $sum?`},
		{`{"$add": [1, 2]}`, `p: $add is not an accumulator; wrap it: {$sum: {$add: …}}, or use one of $sum, $avg, $min, $max, $first, $last, $push, $addToSet, $count`},
		{`{"$sum": 1, "$avg": 1}`, `p: an accumulator is a document with one $operator such as {$sum: "$x"}, found a document with keys $sum, $avg`},
		{`"$a"`, `p: an accumulator is a document with one $operator such as {$sum: "$x"}, found string "$a"`},
		{`{"$count": 1}`, `p.$count: $count takes an empty document {}, found number 1`},
		{`{"$top": {"output": "$a"}}`, `p.$top: $top requires sortBy`},
		{`{"$top": {"output": "$a", "sortBy": {"t": 2}}}`, `p.$top.sortBy.t: a sort direction is 1 or -1, found number 2`},
		{`{"$expMovingAvg": {"input": "$a"}}`, `p.$expMovingAvg: $expMovingAvg requires exactly one of N and alpha`},
		{`{"$sum": "$$NOW"}`, `p.$sum: $$NOW is not supported in stream processing; use {$currentDate: {}}`},
	}
	for _, tt := range bad {
		_, err := ParseAccumulator(mustJSON(t, tt.in), "p")
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseAccumulator(%s) error\n got: %v\nwant: %s", tt.in, err, tt.want)
		}
	}
}

func TestRegistry(t *testing.T) {
	sum, ok := LookupOp("$sum")
	if !ok || !sum.Kind.Has(Expression) || !sum.Kind.Has(Accumulator) || !sum.Kind.Has(WindowFunction) {
		t.Errorf("LookupOp($sum) = %+v, %v; want an expression, accumulator and window function", sum, ok)
	}
	if acc, _ := LookupOpKind("$sum", Accumulator); acc.MaxArgs != 1 {
		t.Errorf("accumulator $sum takes %d arguments at most, want 1", acc.MaxArgs)
	}
	if eq, _ := LookupOp("$eq"); !eq.Kind.Has(Expression | QueryOp) {
		t.Errorf("$eq kind = %v, want expression and query", eq.Kind)
	}
	if r, _ := LookupOp("$rank"); !r.Extension || r.ASP {
		t.Errorf("$rank = %+v; want a weir extension", r)
	}
	if _, ok := LookupOp("$nope"); ok {
		t.Error("LookupOp($nope) found an operator")
	}
	// Every operator the brief names is registered.
	for _, name := range strings.Fields(`$add $subtract $multiply $divide $mod $abs $ceil $floor $round $trunc $sqrt $pow $exp $ln $log $log10
		$eq $ne $gt $gte $lt $lte $cmp $and $or $not $cond $switch $ifNull
		$concat $substr $substrBytes $substrCP $toLower $toUpper $trim $ltrim $rtrim $split $strLenBytes $strLenCP $strcasecmp
		$indexOfBytes $indexOfCP $regexMatch $regexFind $regexFindAll $replaceOne $replaceAll
		$dateFromString $dateToString $dateTrunc $dateAdd $dateSubtract $dateDiff $toDate $year $month $dayOfMonth $dayOfWeek
		$dayOfYear $hour $minute $second $millisecond $week $isoWeek $isoWeekYear $isoDayOfWeek $dateToParts $dateFromParts
		$filter $map $reduce $arrayElemAt $first $last $size $in $concatArrays $slice $reverseArray $range $indexOfArray $isArray
		$arrayToObject $objectToArray $zip $sortArray $allElementsTrue $anyElementTrue $setUnion $setIntersection $setDifference
		$setEquals $setIsSubset $mergeObjects $getField $setField $unsetField $convert $toInt $toLong $toDouble $toDecimal
		$toString $toBool $toObjectId $type $isNumber $literal $let $meta $rand $currentDate $createUUID $function`) {
		if o, ok := LookupOp(name); !ok || !o.Kind.Has(Expression) {
			t.Errorf("expression operator %s is not registered", name)
		}
	}
	for _, name := range strings.Fields(`$sum $avg $min $max $first $last $push $addToSet $count $median $percentile $stdDevPop
		$stdDevSamp $top $bottom $topN $bottomN $firstN $lastN $maxN $minN $mergeObjects`) {
		if o, ok := LookupOp(name); !ok || !o.Kind.Has(Accumulator) {
			t.Errorf("accumulator %s is not registered", name)
		}
	}
	for _, name := range strings.Fields(`$rank $denseRank $documentNumber $shift $derivative $integral $expMovingAvg
		$covariancePop $covarianceSamp $locf $linearFill`) {
		if o, ok := LookupOp(name); !ok || !o.Kind.Has(WindowFunction) {
			t.Errorf("window function %s is not registered", name)
		}
	}
	// Ops is sorted by category, then name, and every entry is documented.
	ops := Ops()
	for i, o := range ops {
		if o.Doc == "" || o.Category == "" {
			t.Errorf("%s has no doc or category", o.Name)
		}
		if o.ASP == o.Extension {
			t.Errorf("%s: exactly one of ASP and Extension must be set", o.Name)
		}
		if i > 0 {
			p := ops[i-1]
			if categoryRank(p.Category) > categoryRank(o.Category) ||
				(p.Category == o.Category && p.Name >= o.Name) {
				t.Errorf("Ops not sorted at %s (%s) after %s (%s)", o.Name, o.Category, p.Name, p.Category)
			}
		}
		if categoryRank(o.Category) == len(categoryOrder) {
			t.Errorf("%s has category %q, which is not in categoryOrder", o.Name, o.Category)
		}
	}
}

func TestRenderOperatorDocs(t *testing.T) {
	var b strings.Builder
	if err := RenderOperatorDocs(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"## Operators\n",
		"### Arithmetic\n",
		"| `$add` | [0 or more expressions] | ASP | adds numbers, or numbers (as milliseconds) and one date |",
		"| `$dateToString` | {date, format?, timezone?, onNull?} | ASP |",
		"| `$year` | {date, timezone?} or date | ASP |",
		"| `$rank` | {} | extension |",
		"### Query operators ($match, $validate)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("operator docs lack %q", want)
		}
	}
}

func TestKnownMetaPath(t *testing.T) {
	for path, want := range map[string]bool{
		"stream": true, "stream.window.start": true, "stream.window": true, "stream.source.topic": true,
		"stream.source.ns.coll": true, "stream.https.httpStatusCode": true,
		"stream.windw.start": false, "stream.window.startx": false, "streams": false, "": false,
	} {
		if got := KnownMetaPath(path); got != want {
			t.Errorf("KnownMetaPath(%q) = %v, want %v", path, got, want)
		}
	}
}
