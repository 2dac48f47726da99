package exec

import (
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// evalCase evaluates expr over doc and compares the result with want, as
// canonical Extended JSON so that int32, int64 and double differ. want may
// be "MISSING" or "ERROR: <substring>".
type evalCase struct {
	name string
	expr string
	doc  string
	want string
}

func parseJSON(t testing.TB, js string) any {
	t.Helper()
	v, err := mql.ParseJSON([]byte(js))
	if err != nil {
		t.Fatalf("parse %s: %v", js, err)
	}
	return v
}

func parseDoc(t testing.TB, js string) bson.D {
	t.Helper()
	if js == "" {
		return bson.D{}
	}
	d, ok := parseJSON(t, js).(bson.D)
	if !ok {
		t.Fatalf("%s is not a document", js)
	}
	return d
}

func parseExpr(t testing.TB, js string) mql.Expr {
	t.Helper()
	e, err := mql.ParseExpr(parseJSON(t, js), "")
	if err != nil {
		t.Fatalf("parse expression %s: %v", js, err)
	}
	return e
}

func canonical(t testing.TB, v any) string {
	t.Helper()
	if IsMissing(v) {
		return "MISSING"
	}
	b, err := mql.EncodeJSON(v, true, false)
	if err != nil {
		t.Fatalf("encode %#v: %v", v, err)
	}
	return string(b)
}

var testNow = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := parseExpr(t, c.expr)
			env := &Env{Now: func() time.Time { return testNow }}
			got, err := Eval(e, parseDoc(t, c.doc), env)
			if want, ok := strings.CutPrefix(c.want, "ERROR:"); ok {
				if err == nil {
					t.Fatalf("%s: got %s, want an error containing %q", c.expr, canonical(t, got), strings.TrimSpace(want))
				}
				if !strings.Contains(err.Error(), strings.TrimSpace(want)) {
					t.Fatalf("%s: error %q does not contain %q", c.expr, err, strings.TrimSpace(want))
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", c.expr, err)
			}
			want := c.want
			if want != "MISSING" {
				want = canonical(t, parseJSON(t, c.want))
			}
			if g := canonical(t, got); g != want {
				t.Fatalf("%s over %s\n got: %s\nwant: %s", c.expr, c.doc, g, want)
			}
		})
	}
}

// Field paths: "$a.b" maps over arrays of subdocuments, and a numeric part
// names a field rather than indexing (asp.md §9, MongoDB "Field Paths").
func TestEvalFieldPaths(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"top-level", `"$a"`, `{"a": 1}`, `1`},
		{"nested", `"$a.b"`, `{"a": {"b": "x"}}`, `"x"`},
		{"missing field is Missing, not null", `"$nope"`, `{"a": 1}`, `MISSING`},
		{"path through scalar is Missing", `"$a.b"`, `{"a": 5}`, `MISSING`},
		{"array of subdocuments gives an array", `"$instock.qty"`,
			`{"instock": [{"qty": 5}, {"qty": 15}, {"warehouse": "C"}]}`, `[5, 15]`},
		{"scalars in the array are skipped", `"$a.b"`, `{"a": [1, {"b": 2}, "x"]}`, `[2]`},
		{"nested arrays keep their shape", `"$a.b"`, `{"a": [[{"b": 1}], {"b": 2}]}`, `[[1], 2]`},
		{"numeric path part does not index", `"$arr.0"`, `{"arr": [10, 20]}`, `[]`},
		{"numeric path part over subdocuments", `"$arr.0.f"`, `{"arr": [{"f": 1}]}`, `[]`},
		{"$$ROOT", `"$$ROOT.a"`, `{"a": 3}`, `3`},
		{"$$CURRENT", `"$$CURRENT.a"`, `{"a": 3}`, `3`},
		{"$$REMOVE is missing", `"$$REMOVE"`, `{}`, `MISSING`},
		{"object omits missing fields", `{"x": "$a", "y": "$nope", "z": "$$REMOVE"}`, `{"a": 1}`, `{"x": 1}`},
		{"array turns missing into null", `["$a", "$nope"]`, `{"a": 1}`, `[1, null]`},
		{"$literal keeps a dollar string", `{"$literal": "$a"}`, `{"a": 1}`, `"$a"`},
	})
}

// Comparison expressions use the BSON order with no type bracketing
// (MongoDB "$gt (aggregation)": {$gt: ["abc", 5]} is true).
func TestEvalComparison(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"string above number", `{"$gt": ["abc", 5]}`, ``, `true`},
		{"null below number", `{"$lt": [null, 0]}`, ``, `true`},
		{"missing below null", `{"$lt": ["$nope", null]}`, ``, `true`},
		{"missing is not equal to null", `{"$eq": ["$nope", null]}`, ``, `false`},
		{"int equals double by value", `{"$eq": [1, 1.0]}`, ``, `true`},
		{"long equals decimal by value", `{"$eq": [{"$numberLong": "2"}, {"$numberDecimal": "2.0"}]}`, ``, `true`},
		{"$cmp", `{"$cmp": ["$a", 5]}`, `{"a": 3}`, `-1`},
		{"$cmp equal", `{"$cmp": [5, 5.0]}`, ``, `0`},
		{"$ne", `{"$ne": ["a", "b"]}`, ``, `true`},
		{"arrays compare element-wise", `{"$lt": [[1, 2], [1, 3]]}`, ``, `true`},
		{"object above string", `{"$gt": [{"a": 1}, "z"]}`, ``, `true`},
		{"date above bool", `{"$gt": [{"$date": "2020-01-01T00:00:00Z"}, true]}`, ``, `true`},
		{"$and truthiness: 0 is false", `{"$and": [1, 0]}`, ``, `false`},
		{"$and truthiness: empty array and string are true", `{"$and": [[], ""]}`, ``, `true`},
		{"$or with missing", `{"$or": ["$nope", null, false]}`, ``, `false`},
		{"$not", `{"$not": [null]}`, ``, `true`},
	})
}

func TestEvalConditional(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"$cond array", `{"$cond": [{"$gte": ["$qty", 250]}, 30, 20]}`, `{"qty": 300}`, `30`},
		{"$cond document", `{"$cond": {"if": {"$gte": ["$qty", 250]}, "then": 30, "else": 20}}`, `{"qty": 100}`, `20`},
		{"$cond missing is false", `{"$cond": ["$nope", 1, 2]}`, ``, `2`},
		{"$ifNull null", `{"$ifNull": ["$d", "Unspecified"]}`, `{"d": null}`, `"Unspecified"`},
		{"$ifNull missing", `{"$ifNull": ["$d", "Unspecified"]}`, `{}`, `"Unspecified"`},
		{"$ifNull several", `{"$ifNull": ["$a", "$b", "last"]}`, `{"b": 7}`, `7`},
		{"$ifNull keeps false", `{"$ifNull": ["$a", 1]}`, `{"a": false}`, `false`},
		{"$switch", `{"$switch": {"branches": [{"case": {"$lt": ["$x", 0]}, "then": "neg"}, {"case": {"$gt": ["$x", 0]}, "then": "pos"}], "default": "zero"}}`, `{"x": 5}`, `"pos"`},
		{"$switch default", `{"$switch": {"branches": [{"case": false, "then": 1}], "default": "d"}}`, ``, `"d"`},
		{"$switch no match no default", `{"$switch": {"branches": [{"case": false, "then": 1}]}}`, ``, `ERROR: could not find a matching branch`},
	})
}

// Arithmetic widening: int overflows to long, long to double; $divide is
// always double; $add with a date rounds (asp.md §9).
func TestEvalArithmetic(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"int + int stays int", `{"$add": [1, 2]}`, ``, `3`},
		{"int overflow widens to long", `{"$add": [2147483647, 1]}`, ``, `{"$numberLong": "2147483648"}`},
		{"long overflow widens to double", `{"$add": [{"$numberLong": "9223372036854775807"}, {"$numberLong": "1"}]}`, ``, `9.223372036854775808e18`},
		{"int + long is long", `{"$add": [1, {"$numberLong": "2"}]}`, ``, `{"$numberLong": "3"}`},
		{"int + double is double", `{"$add": [1, 0.5]}`, ``, `1.5`},
		{"decimal wins", `{"$add": [1, {"$numberDecimal": "0.1"}]}`, ``, `{"$numberDecimal": "1.1"}`},
		{"$add null is null", `{"$add": [1, null]}`, ``, `null`},
		{"$add missing is null", `{"$add": [1, "$nope"]}`, ``, `null`},
		{"$add string is an error", `{"$add": [1, "a"]}`, ``, `ERROR: $add only supports numeric or date types, not string`},
		{"$add date and ms", `{"$add": ["$d", 3600000]}`, `{"d": {"$date": "2020-01-01T00:00:00Z"}}`, `{"$date": "2020-01-01T01:00:00Z"}`},
		// MongoDB "$add": {$add: [1.5, 1.6, date, 1.5, 1.5]} adds 7 ms.
		{"$add date rounding rule", `{"$add": [1.5, 1.6, "$d", 1.5, 1.5]}`, `{"d": {"$date": "2020-01-01T00:00:00Z"}}`, `{"$date": "2020-01-01T00:00:00.007Z"}`},
		{"$add two dates", `{"$add": ["$d", "$d"]}`, `{"d": {"$date": "2020-01-01T00:00:00Z"}}`, `ERROR: only one date allowed`},
		{"$subtract ints", `{"$subtract": [5, 7]}`, ``, `-2`},
		{"$subtract int overflow to long", `{"$subtract": [-2147483648, 1]}`, ``, `{"$numberLong": "-2147483649"}`},
		{"$subtract long overflow to double", `{"$subtract": [{"$numberLong": "-9223372036854775808"}, 1]}`, ``, `-9.223372036854775808e18`},
		{"date - date is long ms", `{"$subtract": ["$b", "$a"]}`, `{"a": {"$date": "2020-01-01T00:00:00Z"}, "b": {"$date": "2020-01-01T00:00:01.5Z"}}`, `{"$numberLong": "1500"}`},
		{"date - number is date", `{"$subtract": ["$a", 1000]}`, `{"a": {"$date": "2020-01-01T00:00:00Z"}}`, `{"$date": "2019-12-31T23:59:59Z"}`},
		{"number - date is an error", `{"$subtract": [1000, "$a"]}`, `{"a": {"$date": "2020-01-01T00:00:00Z"}}`, `ERROR: can't $subtract date`},
		{"$subtract null", `{"$subtract": [null, 1]}`, ``, `null`},
		{"$multiply overflow", `{"$multiply": [65536, 65536]}`, ``, `{"$numberLong": "4294967296"}`},
		{"$multiply doubles", `{"$multiply": [2, 1.5]}`, ``, `3.0`},
		{"$divide is double", `{"$divide": [6, 3]}`, ``, `2.0`},
		{"$divide by zero", `{"$divide": [1, 0]}`, ``, `ERROR: can't $divide by zero`},
		{"$mod ints", `{"$mod": [10, 3]}`, ``, `1`},
		{"$mod keeps dividend sign", `{"$mod": [-10, 3]}`, ``, `-1`},
		{"$mod double", `{"$mod": [5.5, 2]}`, ``, `1.5`},
		{"$mod by zero", `{"$mod": [1, 0]}`, ``, `ERROR: can't $mod by zero`},
		{"$abs int min widens", `{"$abs": -2147483648}`, ``, `{"$numberLong": "2147483648"}`},
		{"$abs null", `{"$abs": null}`, ``, `null`},
		{"$ceil", `{"$ceil": 7.2}`, ``, `8.0`},
		{"$floor int unchanged", `{"$floor": 7}`, ``, `7`},
		// MongoDB "$round": rounds half to even.
		{"$round half to even", `{"$round": [2.5, 0]}`, ``, `2.0`},
		{"$round half to even 3.5", `{"$round": 3.5}`, ``, `4.0`},
		{"$round places", `{"$round": [19.25, 1]}`, ``, `19.2`},
		{"$round negative place on int", `{"$round": [1234, -2]}`, ``, `1200`},
		{"$round negative place rounds half even", `{"$round": [1250, -2]}`, ``, `1200`},
		{"$trunc places", `{"$trunc": [7.85, 1]}`, ``, `7.8`},
		{"$trunc negative", `{"$trunc": [-7.85]}`, ``, `-7.0`},
		{"$sqrt", `{"$sqrt": 25}`, ``, `5.0`},
		{"$sqrt negative", `{"$sqrt": -1}`, ``, `ERROR: greater than or equal to 0`},
		{"$pow ints", `{"$pow": [2, 10]}`, ``, `1024`},
		{"$pow overflow to long", `{"$pow": [2, 40]}`, ``, `{"$numberLong": "1099511627776"}`},
		{"$pow negative exponent", `{"$pow": [2, -1]}`, ``, `0.5`},
		{"$pow zero negative", `{"$pow": [0, -1]}`, ``, `ERROR: base of 0`},
		{"$log10", `{"$log10": 100}`, ``, `2.0`},
		{"$ln of 0", `{"$ln": 0}`, ``, `ERROR: positive number`},
		{"$exp 0", `{"$exp": 0}`, ``, `1.0`},
		{"$sum of array in expression", `{"$sum": "$a"}`, `{"a": [1, 2, "x", [3], 4.5]}`, `7.5`},
		{"$sum of several skips arrays", `{"$sum": ["$a", 1]}`, `{"a": [1, 2]}`, `1`},
		{"$sum of nothing is 0", `{"$sum": "$nope"}`, ``, `0`},
		{"$avg expression", `{"$avg": [1, 2, "x"]}`, ``, `1.5`},
		{"$avg of nothing is null", `{"$avg": "$nope"}`, ``, `null`},
		{"$max expression over array", `{"$max": "$a"}`, `{"a": [1, 5, null, 3]}`, `5`},
		{"$min several", `{"$min": [3, null, 1]}`, ``, `1`},
	})
}

func TestEvalString(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"$concat", `{"$concat": ["$a", " - ", "$b"]}`, `{"a": "x", "b": "y"}`, `"x - y"`},
		{"$concat null", `{"$concat": ["a", null]}`, ``, `null`},
		{"$concat missing", `{"$concat": ["a", "$nope"]}`, ``, `null`},
		{"$concat number is an error", `{"$concat": ["a", 1]}`, ``, `ERROR: $concat only supports strings, not int`},
		{"$toUpper", `{"$toUpper": "abc"}`, ``, `"ABC"`},
		{"$toLower null is empty", `{"$toLower": null}`, ``, `""`},
		{"$toUpper number", `{"$toUpper": 1.5}`, ``, `"1.5"`},
		{"$substrCP code points", `{"$substrCP": ["cafétéria", 0, 5]}`, ``, `"cafét"`},
		{"$substrCP past end", `{"$substrCP": ["abc", 5, 2]}`, ``, `""`},
		{"$substrBytes", `{"$substrBytes": ["abcde", 1, 2]}`, ``, `"bc"`},
		{"$substrBytes splits a character", `{"$substrBytes": ["é", 1, 1]}`, ``, `ERROR: continuation byte`},
		{"$strLenCP", `{"$strLenCP": "cafétéria"}`, ``, `9`},
		{"$strLenBytes", `{"$strLenBytes": "é"}`, ``, `2`},
		{"$strLenCP null is an error", `{"$strLenCP": null}`, ``, `ERROR: requires a string argument`},
		{"$split", `{"$split": ["June-15-2013", "-"]}`, ``, `["June", "15", "2013"]`},
		{"$split null", `{"$split": [null, "-"]}`, ``, `null`},
		{"$split empty separator", `{"$split": ["a", ""]}`, ``, `ERROR: non-empty separator`},
		{"$indexOfCP", `{"$indexOfCP": ["cafétéria", "é"]}`, ``, `3`},
		{"$indexOfCP start", `{"$indexOfCP": ["cafétéria", "é", 4]}`, ``, `5`},
		{"$indexOfCP not found", `{"$indexOfCP": ["abc", "z"]}`, ``, `-1`},
		{"$indexOfBytes", `{"$indexOfBytes": ["cafétéria", "t"]}`, ``, `5`},
		{"$strcasecmp", `{"$strcasecmp": ["ABC", "abc"]}`, ``, `0`},
		{"$trim whitespace", `{"$trim": {"input": "  \n good  bye \t "}}`, ``, `"good  bye"`},
		{"$ltrim chars", `{"$ltrim": {"input": "xxabcxx", "chars": "x"}}`, ``, `"abcxx"`},
		{"$rtrim null", `{"$rtrim": {"input": null}}`, ``, `null`},
		{"$replaceOne", `{"$replaceOne": {"input": "a.b.c", "find": ".", "replacement": "-"}}`, ``, `"a-b.c"`},
		{"$replaceAll", `{"$replaceAll": {"input": "a.b.c", "find": ".", "replacement": "-"}}`, ``, `"a-b-c"`},
		{"$replaceAll null", `{"$replaceAll": {"input": "a", "find": null, "replacement": "-"}}`, ``, `null`},
		{"$regexMatch", `{"$regexMatch": {"input": "Hello", "regex": "^h", "options": "i"}}`, ``, `true`},
		{"$regexMatch regex value", `{"$regexMatch": {"input": "Hello", "regex": {"$regularExpression": {"pattern": "^h", "options": "i"}}}}`, ``, `true`},
		{"$regexMatch null input", `{"$regexMatch": {"input": null, "regex": "a"}}`, ``, `false`},
		{"$regexMatch extended option", `{"$regexMatch": {"input": "abc", "regex": "a b # comment\n c", "options": "x"}}`, ``, `true`},
		{"$regexFind", `{"$regexFind": {"input": "café cat", "regex": "c(a)t"}}`, ``, `{"match": "cat", "idx": 5, "captures": ["a"]}`},
		{"$regexFind none", `{"$regexFind": {"input": "x", "regex": "y"}}`, ``, `null`},
		{"$regexFindAll", `{"$regexFindAll": {"input": "a1b2", "regex": "[0-9]"}}`, ``, `[{"match": "1", "idx": 1, "captures": []}, {"match": "2", "idx": 3, "captures": []}]`},
	})
}

func TestEvalArray(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"$arrayElemAt", `{"$arrayElemAt": [[1, 2, 3], 0]}`, ``, `1`},
		{"$arrayElemAt negative", `{"$arrayElemAt": [[1, 2, 3], -1]}`, ``, `3`},
		{"$arrayElemAt out of range is missing", `{"$arrayElemAt": [[1, 2, 3], 15]}`, ``, `MISSING`},
		{"$arrayElemAt null", `{"$arrayElemAt": ["$nope", 0]}`, ``, `null`},
		{"$size", `{"$size": "$a"}`, `{"a": [1, 2]}`, `2`},
		{"$size of missing is an error", `{"$size": "$nope"}`, ``, `ERROR: must be an array`},
		{"$in", `{"$in": [2, [1, 2.0]]}`, ``, `true`},
		{"$in needs an array", `{"$in": [2, "$nope"]}`, ``, `ERROR: $in requires an array`},
		{"$concatArrays", `{"$concatArrays": [[1], [2, 3]]}`, ``, `[1, 2, 3]`},
		{"$concatArrays null", `{"$concatArrays": [[1], null]}`, ``, `null`},
		{"$slice first n", `{"$slice": [[1, 2, 3], 2]}`, ``, `[1, 2]`},
		{"$slice last n", `{"$slice": [[1, 2, 3], -2]}`, ``, `[2, 3]`},
		{"$slice position", `{"$slice": [[1, 2, 3, 4], 1, 2]}`, ``, `[2, 3]`},
		{"$slice negative position", `{"$slice": [[1, 2, 3, 4], -3, 2]}`, ``, `[2, 3]`},
		{"$range", `{"$range": [0, 10, 3]}`, ``, `[0, 3, 6, 9]`},
		{"$range down", `{"$range": [5, 0, -2]}`, ``, `[5, 3, 1]`},
		{"$reverseArray wrapped", `{"$reverseArray": [[1, 2, 3]]}`, ``, `[3, 2, 1]`},
		{"$indexOfArray", `{"$indexOfArray": [["a", "b"], "b"]}`, ``, `1`},
		{"$indexOfArray null", `{"$indexOfArray": [null, "b"]}`, ``, `null`},
		{"$isArray", `{"$isArray": ["$a"]}`, `{"a": []}`, `true`},
		{"$first", `{"$first": "$a"}`, `{"a": [4, 5]}`, `4`},
		{"$last", `{"$last": "$a"}`, `{"a": [4, 5]}`, `5`},
		{"$first of empty is missing", `{"$first": "$a"}`, `{"a": []}`, `MISSING`},
		{"$first of missing is null", `{"$first": "$nope"}`, ``, `null`},
		{"$filter", `{"$filter": {"input": "$items", "as": "item", "cond": {"$gte": ["$$item.price", 100]}}}`,
			`{"items": [{"price": 50}, {"price": 150}]}`, `[{"price": 150}]`},
		{"$filter default this and limit", `{"$filter": {"input": [1, 2, 3, 4], "cond": {"$gt": ["$$this", 1]}, "limit": 2}}`, ``, `[2, 3]`},
		{"$filter null input", `{"$filter": {"input": "$nope", "cond": true}}`, ``, `null`},
		{"$map", `{"$map": {"input": "$q", "as": "g", "in": {"$add": ["$$g", 2]}}}`, `{"q": [5, 6]}`, `[7, 8]`},
		{"$map outer field visible", `{"$map": {"input": [1, 2], "in": {"$multiply": ["$$this", "$k"]}}}`, `{"k": 10}`, `[10, 20]`},
		{"$reduce", `{"$reduce": {"input": ["a", "b", "c"], "initialValue": "", "in": {"$concat": ["$$value", "$$this"]}}}`, ``, `"abc"`},
		{"$reduce sum", `{"$reduce": {"input": [1, 2, 3, 4], "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}}`, ``, `10`},
		{"$let", `{"$let": {"vars": {"total": {"$add": ["$p", "$t"]}}, "in": {"$multiply": ["$$total", 2]}}}`, `{"p": 1, "t": 2}`, `6`},
		{"$sortArray numbers", `{"$sortArray": {"input": [3, 1, 2], "sortBy": -1}}`, ``, `[3, 2, 1]`},
		{"$sortArray by field", `{"$sortArray": {"input": [{"a": 2}, {"a": 1}], "sortBy": {"a": 1}}}`, ``, `[{"a": 1}, {"a": 2}]`},
		{"$setUnion", `{"$setUnion": [[1, 2], [2.0, 3]]}`, ``, `[1, 2, 3]`},
		{"$setIntersection", `{"$setIntersection": [[1, 2, 3], [3, 1]]}`, ``, `[1, 3]`},
		{"$setDifference", `{"$setDifference": [[1, 2, 3], [2]]}`, ``, `[1, 3]`},
		{"$setEquals", `{"$setEquals": [[1, 2, 2], [2, 1]]}`, ``, `true`},
		{"$setIsSubset", `{"$setIsSubset": [[1], [1, 2]]}`, ``, `true`},
		{"$allElementsTrue", `{"$allElementsTrue": [[1, true, "x"]]}`, ``, `true`},
		{"$anyElementTrue", `{"$anyElementTrue": [[0, null, false]]}`, ``, `false`},
		{"$zip", `{"$zip": {"inputs": [[1, 2], ["a"]]}}`, ``, `[[1, "a"]]`},
		{"$zip longest", `{"$zip": {"inputs": [[1, 2], ["a"]], "useLongestLength": true, "defaults": [0, "z"]}}`, ``, `[[1, "a"], [2, "z"]]`},
		{"$maxN", `{"$maxN": {"input": [3, null, 7, 1], "n": 2}}`, ``, `[7, 3]`},
		{"$firstN", `{"$firstN": {"input": [3, 4, 5], "n": 2}}`, ``, `[3, 4]`},
		{"$lastN", `{"$lastN": {"input": [3, 4, 5], "n": 2}}`, ``, `[4, 5]`},
	})
}

func TestEvalObject(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"$mergeObjects", `{"$mergeObjects": [{"a": 1, "b": 1}, null, {"b": 2, "c": 3}]}`, ``, `{"a": 1, "b": 2, "c": 3}`},
		{"$mergeObjects non-object", `{"$mergeObjects": [1]}`, ``, `ERROR: requires object inputs`},
		{"$objectToArray", `{"$objectToArray": {"a": 1}}`, ``, `[{"k": "a", "v": 1}]`},
		{"$arrayToObject pairs", `{"$arrayToObject": [[["a", 1], ["b", 2]]]}`, ``, `{"a": 1, "b": 2}`},
		{"$arrayToObject k v", `{"$arrayToObject": [[{"k": "a", "v": 1}]]}`, ``, `{"a": 1}`},
		{"$getField dotted name", `{"$getField": "a.b"}`, `{"a.b": 5, "a": {"b": 6}}`, `5`},
		{"$getField input", `{"$getField": {"field": "x", "input": {"x": 2}}}`, ``, `2`},
		{"$getField missing", `{"$getField": {"field": "y", "input": {"x": 2}}}`, ``, `MISSING`},
		{"$setField", `{"$setField": {"field": "b", "input": {"a": 1}, "value": 2}}`, ``, `{"a": 1, "b": 2}`},
		{"$setField remove", `{"$setField": {"field": "a", "input": {"a": 1, "b": 2}, "value": "$$REMOVE"}}`, ``, `{"b": 2}`},
		{"$unsetField", `{"$unsetField": {"field": "a", "input": {"a": 1, "b": 2}}}`, ``, `{"b": 2}`},
	})
}

func TestEvalType(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"$type int", `{"$type": 1}`, ``, `"int"`},
		{"$type missing", `{"$type": "$nope"}`, ``, `"missing"`},
		{"$type array", `{"$type": [[1]]}`, ``, `"array"`},
		{"$isNumber", `{"$isNumber": "1"}`, ``, `false`},
		{"$toInt string", `{"$toInt": "42"}`, ``, `42`},
		{"$toInt double truncates", `{"$toInt": 4.9}`, ``, `4`},
		{"$toInt bad string", `{"$toInt": "4.5"}`, ``, `ERROR: failed to parse`},
		{"$toInt null", `{"$toInt": null}`, ``, `null`},
		{"$toLong date", `{"$toLong": {"$date": "1970-01-01T00:00:01Z"}}`, ``, `{"$numberLong": "1000"}`},
		{"$toDouble string", `{"$toDouble": "-5.5"}`, ``, `-5.5`},
		{"$toDouble bool", `{"$toDouble": true}`, ``, `1.0`},
		{"$toDecimal", `{"$toDecimal": 2.5}`, ``, `{"$numberDecimal": "2.5"}`},
		{"$toString double", `{"$toString": 2.5}`, ``, `"2.5"`},
		{"$toString int", `{"$toString": 7}`, ``, `"7"`},
		{"$toString date", `{"$toString": {"$date": "2018-03-27T04:08:58Z"}}`, ``, `"2018-03-27T04:08:58.000Z"`},
		{"$toString objectId", `{"$toString": {"$oid": "5ab9cbfa31c2ab715d42129e"}}`, ``, `"5ab9cbfa31c2ab715d42129e"`},
		{"$toBool string is true", `{"$toBool": "false"}`, ``, `true`},
		{"$toBool zero", `{"$toBool": 0}`, ``, `false`},
		{"$toObjectId", `{"$toObjectId": "5ab9cbfa31c2ab715d42129e"}`, ``, `{"$oid": "5ab9cbfa31c2ab715d42129e"}`},
		{"$toDate string", `{"$toDate": "2018-03-20T11:00:06.000Z"}`, ``, `{"$date": "2018-03-20T11:00:06Z"}`},
		{"$toDate long", `{"$toDate": {"$numberLong": "1000"}}`, ``, `{"$date": "1970-01-01T00:00:01Z"}`},
		{"$toDate objectId", `{"$toDate": {"$oid": "5ab9cbfa31c2ab715d42129e"}}`, ``, `{"$date": "2018-03-27T04:43:38Z"}`},
		{"$convert onError", `{"$convert": {"input": "abc", "to": "int", "onError": -1}}`, ``, `-1`},
		{"$convert onNull", `{"$convert": {"input": "$nope", "to": "int", "onNull": 0}}`, ``, `0`},
		{"$convert numeric to", `{"$convert": {"input": "5", "to": 16}}`, ``, `5`},
		{"$convert int overflow", `{"$convert": {"input": {"$numberLong": "3000000000"}, "to": "int"}}`, ``, `ERROR: overflow`},
		{"$tsSecond", `{"$tsSecond": {"$timestamp": {"t": 1622431724, "i": 1}}}`, ``, `{"$numberLong": "1622431724"}`},
	})
}

func TestEvalDate(t *testing.T) {
	d := `{"d": {"$date": "2014-01-01T08:15:39.736Z"}}`
	runEvalCases(t, []evalCase{
		// MongoDB "$year" … examples, date 2014-01-01T08:15:39.736Z.
		{"$year", `{"$year": "$d"}`, d, `2014`},
		{"$month", `{"$month": "$d"}`, d, `1`},
		{"$dayOfMonth", `{"$dayOfMonth": "$d"}`, d, `1`},
		{"$hour", `{"$hour": "$d"}`, d, `8`},
		{"$minute", `{"$minute": "$d"}`, d, `15`},
		{"$second", `{"$second": "$d"}`, d, `39`},
		{"$millisecond", `{"$millisecond": "$d"}`, d, `736`},
		{"$dayOfYear", `{"$dayOfYear": "$d"}`, d, `1`},
		{"$dayOfWeek", `{"$dayOfWeek": "$d"}`, d, `4`},
		{"$week", `{"$week": "$d"}`, d, `0`},
		{"$isoWeek", `{"$isoWeek": "$d"}`, d, `1`},
		{"$isoDayOfWeek", `{"$isoDayOfWeek": "$d"}`, d, `3`},
		{"$hour with timezone", `{"$hour": {"date": "$d", "timezone": "America/New_York"}}`, d, `3`},
		{"$hour with offset", `{"$hour": {"date": "$d", "timezone": "+05:30"}}`, d, `13`},
		{"$year of null", `{"$year": "$nope"}`, d, `null`},
		{"$year of string", `{"$year": "2014"}`, d, `ERROR: can't convert from BSON type string to Date`},
		{"$dateToString doc example", `{"$dateToString": {"format": "%Y-%m-%d", "date": "$d"}}`, d, `"2014-01-01"`},
		{"$dateToString time", `{"$dateToString": {"format": "%H:%M:%S:%L%z", "date": "$d", "timezone": "America/New_York"}}`, d, `"03:15:39:736-0500"`},
		{"$dateToString day of year", `{"$dateToString": {"format": "%j", "date": "$d"}}`, d, `"001"`},
		{"$dateToString weeks", `{"$dateToString": {"format": "%w %U %u %V %G", "date": "$d"}}`, d, `"4 00 3 01 2014"`},
		{"$dateToString minutes offset", `{"$dateToString": {"format": "%Z", "date": "$d", "timezone": "+04:45"}}`, d, `"+285"`},
		{"$dateToString default", `{"$dateToString": {"date": "$d"}}`, d, `"2014-01-01T08:15:39.736Z"`},
		{"$dateToString percent", `{"$dateToString": {"format": "100%%", "date": "$d"}}`, d, `"100%"`},
		{"$dateToString onNull", `{"$dateToString": {"date": "$nope", "onNull": "none"}}`, d, `"none"`},
		{"$dateFromString ISO", `{"$dateFromString": {"dateString": "2017-02-08T12:10:40.787"}}`, ``, `{"$date": "2017-02-08T12:10:40.787Z"}`},
		{"$dateFromString timezone", `{"$dateFromString": {"dateString": "2017-02-08T12:10:40.787", "timezone": "America/New_York"}}`, ``, `{"$date": "2017-02-08T17:10:40.787Z"}`},
		{"$dateFromString offset in string", `{"$dateFromString": {"dateString": "2017-02-08T12:10:40+02:00"}}`, ``, `{"$date": "2017-02-08T10:10:40Z"}`},
		{"$dateFromString date only", `{"$dateFromString": {"dateString": "2017-02-08"}}`, ``, `{"$date": "2017-02-08T00:00:00Z"}`},
		{"$dateFromString format", `{"$dateFromString": {"dateString": "15-06-2018", "format": "%d-%m-%Y"}}`, ``, `{"$date": "2018-06-15T00:00:00Z"}`},
		{"$dateFromString onError", `{"$dateFromString": {"dateString": "not a date", "onError": "bad"}}`, ``, `"bad"`},
		{"$dateFromString error", `{"$dateFromString": {"dateString": "not a date"}}`, ``, `ERROR: $dateFromString`},
		{"$dateFromString onNull", `{"$dateFromString": {"dateString": null, "onNull": 0}}`, ``, `0`},
		{"$dateTrunc hour", `{"$dateTrunc": {"date": "$d", "unit": "hour"}}`, d, `{"$date": "2014-01-01T08:00:00Z"}`},
		{"$dateTrunc 15 minutes", `{"$dateTrunc": {"date": "$d", "unit": "minute", "binSize": 15}}`, d, `{"$date": "2014-01-01T08:15:00Z"}`},
		{"$dateTrunc month", `{"$dateTrunc": {"date": {"$date": "2014-05-17T08:00:00Z"}, "unit": "month"}}`, ``, `{"$date": "2014-05-01T00:00:00Z"}`},
		{"$dateTrunc quarter", `{"$dateTrunc": {"date": {"$date": "2014-05-17T08:00:00Z"}, "unit": "quarter"}}`, ``, `{"$date": "2014-04-01T00:00:00Z"}`},
		{"$dateTrunc week sunday", `{"$dateTrunc": {"date": {"$date": "2014-01-01T08:00:00Z"}, "unit": "week"}}`, ``, `{"$date": "2013-12-29T00:00:00Z"}`},
		{"$dateTrunc week monday", `{"$dateTrunc": {"date": {"$date": "2014-01-01T08:00:00Z"}, "unit": "week", "startOfWeek": "monday"}}`, ``, `{"$date": "2013-12-30T00:00:00Z"}`},
		{"$dateTrunc day in zone", `{"$dateTrunc": {"date": "$d", "unit": "day", "timezone": "America/New_York"}}`, d, `{"$date": "2014-01-01T05:00:00Z"}`},
		{"$dateAdd month clamps", `{"$dateAdd": {"startDate": {"$date": "2021-01-31T00:00:00Z"}, "unit": "month", "amount": 1}}`, ``, `{"$date": "2021-02-28T00:00:00Z"}`},
		{"$dateAdd hours", `{"$dateAdd": {"startDate": "$d", "unit": "hour", "amount": 2}}`, d, `{"$date": "2014-01-01T10:15:39.736Z"}`},
		{"$dateSubtract days", `{"$dateSubtract": {"startDate": "$d", "unit": "day", "amount": 1}}`, d, `{"$date": "2013-12-31T08:15:39.736Z"}`},
		{"$dateDiff days counts boundaries", `{"$dateDiff": {"startDate": {"$date": "2020-01-01T23:59:00Z"}, "endDate": {"$date": "2020-01-02T00:01:00Z"}, "unit": "day"}}`, ``, `{"$numberLong": "1"}`},
		{"$dateDiff months", `{"$dateDiff": {"startDate": {"$date": "2020-01-31T00:00:00Z"}, "endDate": {"$date": "2020-03-01T00:00:00Z"}, "unit": "month"}}`, ``, `{"$numberLong": "2"}`},
		{"$dateDiff ms", `{"$dateDiff": {"startDate": {"$date": "2020-01-01T00:00:00Z"}, "endDate": {"$date": "2020-01-01T00:00:01.5Z"}, "unit": "millisecond"}}`, ``, `{"$numberLong": "1500"}`},
		{"$dateFromParts", `{"$dateFromParts": {"year": 2017, "month": 2, "day": 8, "hour": 12}}`, ``, `{"$date": "2017-02-08T12:00:00Z"}`},
		{"$dateFromParts carries", `{"$dateFromParts": {"year": 2017, "month": 14, "day": 1}}`, ``, `{"$date": "2018-02-01T00:00:00Z"}`},
		{"$dateFromParts iso", `{"$dateFromParts": {"isoWeekYear": 2017, "isoWeek": 6, "isoDayOfWeek": 3}}`, ``, `{"$date": "2017-02-08T00:00:00Z"}`},
		{"$dateToParts", `{"$dateToParts": {"date": "$d"}}`, d, `{"year": 2014, "month": 1, "day": 1, "hour": 8, "minute": 15, "second": 39, "millisecond": 736}`},
		{"$currentDate", `{"$currentDate": {}}`, ``, `{"$date": "2024-05-06T07:08:09Z"}`},
	})
}

// $meta reads Env.Meta (asp.md §2.10).
func TestEvalMeta(t *testing.T) {
	e := parseExpr(t, `{"$meta": "stream.source.topic"}`)
	env := &Env{Meta: func(p string) any {
		if p == "stream.source.topic" {
			return "orders"
		}
		return Missing
	}}
	got, err := Eval(e, bson.D{}, env)
	if err != nil || got != "orders" {
		t.Fatalf("got %v, %v", got, err)
	}
	got, err = Eval(e, bson.D{}, nil)
	if err != nil || !IsMissing(got) {
		t.Fatalf("without Meta: got %v, %v; want Missing", got, err)
	}
}

// $$NOW is the Env's clock (ASP rejects it in pipelines, but $lookup and
// $merge lets may still produce it).
func TestEvalNow(t *testing.T) {
	got, err := Eval(mql.Variable{Name: "NOW"}, bson.D{}, &Env{Now: func() time.Time { return testNow }})
	if err != nil || got != bson.NewDateTimeFromTime(testNow) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestEvalVariablesFromEnv(t *testing.T) {
	e, err := mql.ParseExprIn(parseJSON(t, `{"$add": ["$$x", 1]}`), "", []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Eval(e, bson.D{}, &Env{Vars: map[string]any{"x": int32(2)}})
	if err != nil || got != int32(3) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestEvalCreateUUIDAndRand(t *testing.T) {
	got, err := Eval(parseExpr(t, `{"$createUUID": {}}`), bson.D{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := got.(bson.Binary)
	if !ok || b.Subtype != 4 || len(b.Data) != 16 {
		t.Fatalf("$createUUID gave %#v, want binData subtype 4 of 16 bytes", got)
	}
	got, err = Eval(parseExpr(t, `{"$rand": {}}`), bson.D{}, &Env{Rand: func() float64 { return 0.25 }})
	if err != nil || got != 0.25 {
		t.Fatalf("$rand gave %v, %v", got, err)
	}
}

// Every expression operator of the registry is evaluated (no "not
// implemented" error) for at least one case in this file, except those
// listed here.
func TestEveryRegistryOperatorIsImplemented(t *testing.T) {
	// $literal and $meta are parsed into Literal and Meta nodes.
	notYet := map[string]bool{"$function": true, "$literal": true, "$meta": true}
	for _, op := range mql.Ops() {
		if op.Kind&mql.Expression == 0 || notYet[op.Name] {
			continue
		}
		var e mql.Expr
		if op.Named {
			e = mql.NamedCall{Op: op.Name}
		} else {
			e = mql.Call{Op: op.Name}
		}
		_, err := Eval(e, bson.D{}, nil)
		if err != nil && strings.Contains(err.Error(), "not implemented") {
			t.Errorf("%s: %v", op.Name, err)
		}
	}
}
