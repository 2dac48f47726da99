package exec

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/weir-stream/weir/planner/mql"
)

// Cases for operators no other test reached, taken from each operator's
// page of the MongoDB manual: its examples, and its "Behavior" section
// (null and missing give null, NaN gives NaN, out-of-domain inputs are
// errors, a decimal input gives a decimal result).

const (
	nan    = `{"$numberDouble": "NaN"}`
	posInf = `{"$numberDouble": "Infinity"}`
	negInf = `{"$numberDouble": "-Infinity"}`
)

// MongoDB "$log": the number must be positive and the base positive and
// not 1; null or missing gives null, NaN gives NaN. The manual's example
// computes the bits needed to represent an int.
func TestEvalLog(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"manual: bits needed for 5", `{"$floor": {"$add": [1, {"$log": ["$int", 2]}]}}`, `{"int": 5}`, `3.0`},
		{"manual: bits needed for 2", `{"$floor": {"$add": [1, {"$log": ["$int", 2]}]}}`, `{"int": 2}`, `2.0`},
		{"manual: bits needed for 23", `{"$floor": {"$add": [1, {"$log": ["$int", 2]}]}}`, `{"int": 23}`, `5.0`},
		{"manual: bits needed for 10", `{"$floor": {"$add": [1, {"$log": ["$int", 2]}]}}`, `{"int": 10}`, `4.0`},
		{"manual: log 100 base 10", `{"$log": [100, 10]}`, ``, `2.0`},
		{"int arguments give a double", `{"$type": {"$log": [8, 2]}}`, ``, `"double"`},
		{"long arguments give a double", `{"$log": [{"$numberLong": "1024"}, 2]}`, ``, `10.0`},
		{"decimal argument gives a decimal", `{"$type": {"$log": [{"$numberDecimal": "100"}, 10]}}`, ``, `"decimal"`},
		{"decimal argument's value", `{"$eq": [{"$log": [{"$numberDecimal": "100"}, 10]}, 2]}`, ``, `true`},
		{"null number", `{"$log": [null, 2]}`, ``, `null`},
		{"null base", `{"$log": [2, null]}`, ``, `null`},
		{"missing number", `{"$log": ["$nope", 2]}`, ``, `null`},
		{"NaN number", `{"$log": [` + nan + `, 2]}`, ``, nan},
		{"NaN base", `{"$log": [8, ` + nan + `]}`, ``, nan},
		{"infinite number", `{"$log": [` + posInf + `, 10]}`, ``, posInf},
		{"zero is out of domain", `{"$log": [0, 10]}`, ``, `ERROR: $log's argument must be a positive number, but is 0`},
		{"negative is out of domain", `{"$log": [-1, 10]}`, ``, `ERROR: $log's argument must be a positive number, but is -1`},
		{"base 1", `{"$log": [10, 1]}`, ``, `ERROR: $log's base must be a positive number not equal to 1, but is 1`},
		{"negative base", `{"$log": [10, -2]}`, ``, `ERROR: $log's base must be a positive number not equal to 1, but is -2`},
		{"string", `{"$log": ["10", 10]}`, ``, `ERROR: $log only supports numeric types, not string`},
	})
}

// MongoDB's trigonometric pages: radians in and out; a double result,
// or a decimal for a decimal input; null or missing gives null; NaN gives
// NaN; $sin, $cos and $tan reject ±Infinity, $acos and $asin anything
// outside [-1, 1] ("cannot apply $acos to -inf, value must in [-1,1]");
// the hyperbolic functions take ±Infinity.
func TestEvalTrigonometry(t *testing.T) {
	runEvalCases(t, []evalCase{
		// $sin
		{"$sin 0", `{"$sin": 0}`, ``, `0.0`},
		{"$sin pi/2", `{"$sin": {"$divide": [{"$multiply": [3.141592653589793, 1]}, 2]}}`, ``, `1.0`},
		{"$sin null", `{"$sin": null}`, ``, `null`},
		{"$sin missing", `{"$sin": "$nope"}`, ``, `null`},
		{"$sin NaN", `{"$sin": ` + nan + `}`, ``, nan},
		{"$sin Infinity", `{"$sin": ` + posInf + `}`, ``, `ERROR: cannot apply $sin to inf, value must in (-inf,inf)`},
		{"$sin -Infinity", `{"$sin": ` + negInf + `}`, ``, `ERROR: cannot apply $sin to -inf, value must in (-inf,inf)`},
		{"$sin string", `{"$sin": "x"}`, ``, `ERROR: $sin only supports numeric types, not string`},
		{"$sin decimal is decimal", `{"$type": {"$sin": {"$numberDecimal": "1"}}}`, ``, `"decimal"`},
		// manual: side_b = sin(degreesToRadians(angle_a)) * hypotenuse
		{"manual: $sin of a degree angle", `{"$round": [{"$multiply": [{"$sin": {"$degreesToRadians": "$angle_a"}}, "$hypotenuse"]}, 9]}`,
			`{"angle_a": 53.13010235415598, "hypotenuse": 5}`, `4.0`},
		// $cos
		{"$cos 0", `{"$cos": 0}`, ``, `1.0`},
		{"$cos long", `{"$cos": {"$numberLong": "0"}}`, ``, `1.0`},
		{"$cos null", `{"$cos": null}`, ``, `null`},
		{"$cos NaN", `{"$cos": ` + nan + `}`, ``, nan},
		{"$cos Infinity", `{"$cos": ` + posInf + `}`, ``, `ERROR: cannot apply $cos to inf, value must in (-inf,inf)`},
		{"$cos decimal is decimal", `{"$type": {"$cos": {"$numberDecimal": "0"}}}`, ``, `"decimal"`},
		{"$cos decimal's value", `{"$eq": [{"$cos": {"$numberDecimal": "0"}}, 1]}`, ``, `true`},
		{"manual: $cos of a degree angle", `{"$round": [{"$multiply": [{"$cos": {"$degreesToRadians": "$angle_a"}}, "$hypotenuse"]}, 9]}`,
			`{"angle_a": 36.86989764584402, "hypotenuse": 5}`, `4.0`},
		// $tan
		{"$tan 0", `{"$tan": 0}`, ``, `0.0`},
		{"$tan null", `{"$tan": null}`, ``, `null`},
		{"$tan NaN", `{"$tan": ` + nan + `}`, ``, nan},
		{"$tan -Infinity", `{"$tan": ` + negInf + `}`, ``, `ERROR: cannot apply $tan to -inf, value must in (-inf,inf)`},
		{"manual: $tan of a degree angle", `{"$round": [{"$multiply": [{"$tan": {"$degreesToRadians": "$angle_a"}}, "$side_b"]}, 9]}`,
			`{"angle_a": 53.13010235415598, "side_b": 3}`, `4.0`},
		// $asin
		{"$asin 1", `{"$asin": 1}`, ``, `1.5707963267948966`},
		{"$asin -1", `{"$asin": -1}`, ``, `-1.5707963267948966`},
		{"$asin null", `{"$asin": null}`, ``, `null`},
		{"$asin NaN", `{"$asin": ` + nan + `}`, ``, nan},
		{"$asin 2", `{"$asin": 2}`, ``, `ERROR: cannot apply $asin to 2, value must in [-1,1]`},
		{"$asin Infinity", `{"$asin": ` + posInf + `}`, ``, `ERROR: cannot apply $asin to inf, value must in [-1,1]`},
		{"$asin decimal out of domain", `{"$asin": {"$numberDecimal": "1.5"}}`, ``, `ERROR: cannot apply $asin to 1.5, value must in [-1,1]`},
		{"manual: $asin of a side ratio", `{"$round": [{"$radiansToDegrees": {"$asin": {"$divide": ["$side_a", "$hypotenuse"]}}}, 9]}`,
			`{"side_a": 3, "hypotenuse": 5}`, `36.869897646`},
		// $acos
		{"$acos 1", `{"$acos": 1}`, ``, `0.0`},
		{"$acos -1", `{"$acos": -1}`, ``, `3.141592653589793`},
		{"$acos null", `{"$acos": null}`, ``, `null`},
		{"$acos missing", `{"$acos": "$nope"}`, ``, `null`},
		{"manual: $acos NaN", `{"$acos": ` + nan + `}`, ``, nan},
		{"$acos 2", `{"$acos": 2}`, ``, `ERROR: cannot apply $acos to 2, value must in [-1,1]`},
		{"$acos -1.5", `{"$acos": -1.5}`, ``, `ERROR: cannot apply $acos to -1.5, value must in [-1,1]`},
		{"manual: $acos -Infinity", `{"$acos": ` + negInf + `}`, ``, `ERROR: cannot apply $acos to -inf, value must in [-1,1]`},
		{"$acos decimal is decimal", `{"$type": {"$acos": {"$numberDecimal": "1"}}}`, ``, `"decimal"`},
		{"$acos decimal NaN is NaN", `{"$acos": {"$numberDecimal": "NaN"}}`, ``, `{"$numberDecimal": "NaN"}`},
		{"manual: $acos of a side ratio", `{"$round": [{"$radiansToDegrees": {"$acos": {"$divide": ["$side_b", "$hypotenuse"]}}}, 9]}`,
			`{"side_b": 4, "hypotenuse": 5}`, `36.869897646`},
		// $atan
		{"$atan 1", `{"$atan": 1}`, ``, `0.7853981633974483`},
		{"$atan Infinity", `{"$atan": ` + posInf + `}`, ``, `1.5707963267948966`},
		{"$atan null", `{"$atan": null}`, ``, `null`},
		{"manual: $atan NaN", `{"$atan": ` + nan + `}`, ``, nan},
		{"manual: $atan of a side ratio", `{"$round": [{"$radiansToDegrees": {"$atan": {"$divide": ["$side_b", "$side_a"]}}}, 9]}`,
			`{"side_a": 3, "side_b": 4}`, `53.130102354`},
		// $atan2
		{"$atan2 1, 1", `{"$atan2": [1, 1]}`, ``, `0.7853981633974483`},
		{"$atan2 quadrant", `{"$atan2": [1, -1]}`, ``, `2.356194490192345`},
		{"manual: $atan2 [NaN, value]", `{"$atan2": [` + nan + `, 1]}`, ``, nan},
		{"manual: $atan2 [value, NaN]", `{"$atan2": [1, ` + nan + `]}`, ``, nan},
		{"manual: $atan2 [null, value]", `{"$atan2": [null, 1]}`, ``, `null`},
		{"manual: $atan2 [value, null]", `{"$atan2": [1, null]}`, ``, `null`},
		{"manual: $atan2 [NaN, null]", `{"$atan2": [` + nan + `, null]}`, ``, `null`},
		{"manual: $atan2 [null, NaN]", `{"$atan2": [null, ` + nan + `]}`, ``, `null`},
		{"$atan2 missing", `{"$atan2": ["$nope", 1]}`, ``, `null`},
		{"$atan2 string", `{"$atan2": [1, "x"]}`, ``, `ERROR: $atan2 only supports numeric types, not string`},
		{"manual: $atan2 of decimal sides is decimal", `{"$type": {"$atan2": ["$side_b", "$side_a"]}}`,
			`{"side_a": {"$numberDecimal": "3"}, "side_b": {"$numberDecimal": "4"}}`, `"decimal"`},
		{"manual: $atan2 of sides, in degrees", `{"$round": [{"$radiansToDegrees": {"$atan2": ["$side_b", "$side_a"]}}, 9]}`,
			`{"side_a": 3, "side_b": 4}`, `53.130102354`},
		// $sinh, $cosh, $tanh
		{"$sinh 0", `{"$sinh": 0}`, ``, `0.0`},
		{"manual: $sinh Infinity", `{"$sinh": ` + posInf + `}`, ``, posInf},
		{"manual: $sinh -Infinity", `{"$sinh": ` + negInf + `}`, ``, negInf},
		{"manual: $sinh null", `{"$sinh": null}`, ``, `null`},
		{"manual: $sinh NaN", `{"$sinh": ` + nan + `}`, ``, nan},
		{"$sinh 1", `{"$sinh": 1}`, ``, `1.1752011936438014`},
		{"$cosh 0", `{"$cosh": 0}`, ``, `1.0`},
		{"manual: $cosh Infinity", `{"$cosh": ` + posInf + `}`, ``, posInf},
		{"manual: $cosh -Infinity", `{"$cosh": ` + negInf + `}`, ``, posInf},
		{"manual: $cosh null", `{"$cosh": null}`, ``, `null`},
		{"manual: $cosh NaN", `{"$cosh": ` + nan + `}`, ``, nan},
		{"$cosh decimal is decimal", `{"$type": {"$cosh": {"$numberDecimal": "1"}}}`, ``, `"decimal"`},
		{"$tanh 0", `{"$tanh": 0}`, ``, `0.0`},
		{"manual: $tanh Infinity", `{"$tanh": ` + posInf + `}`, ``, `1.0`},
		{"manual: $tanh -Infinity", `{"$tanh": ` + negInf + `}`, ``, `-1.0`},
		{"manual: $tanh null", `{"$tanh": null}`, ``, `null`},
		{"manual: $tanh NaN", `{"$tanh": ` + nan + `}`, ``, nan},
		{"$tanh string", `{"$tanh": "x"}`, ``, `ERROR: $tanh only supports numeric types, not string`},
		// $degreesToRadians, $radiansToDegrees
		{"$degreesToRadians 180", `{"$degreesToRadians": 180}`, ``, `3.141592653589793`},
		{"$degreesToRadians int is double", `{"$degreesToRadians": 0}`, ``, `0.0`},
		{"$degreesToRadians null", `{"$degreesToRadians": null}`, ``, `null`},
		{"$degreesToRadians missing", `{"$degreesToRadians": "$nope"}`, ``, `null`},
		{"$degreesToRadians NaN", `{"$degreesToRadians": ` + nan + `}`, ``, nan},
		{"$degreesToRadians Infinity", `{"$degreesToRadians": ` + posInf + `}`, ``, posInf},
		{"manual: $degreesToRadians decimal is decimal", `{"$type": {"$degreesToRadians": "$angle_a"}}`,
			`{"angle_a": {"$numberDecimal": "53.13010235415597870314438744090659"}}`, `"decimal"`},
		{"$degreesToRadians string", `{"$degreesToRadians": "90"}`, ``, `ERROR: $degreesToRadians only supports numeric types, not string`},
		{"$radiansToDegrees pi", `{"$radiansToDegrees": 3.141592653589793}`, ``, `180.0`},
		{"$radiansToDegrees null", `{"$radiansToDegrees": null}`, ``, `null`},
		{"$radiansToDegrees NaN", `{"$radiansToDegrees": ` + nan + `}`, ``, nan},
		{"$radiansToDegrees -Infinity", `{"$radiansToDegrees": ` + negInf + `}`, ``, negInf},
		{"$radiansToDegrees decimal is decimal", `{"$type": {"$radiansToDegrees": {"$numberDecimal": "1"}}}`, ``, `"decimal"`},
	})
}

// MongoDB "$substr": deprecated, an alias of $substrBytes. The manual's
// example splits a quarter code "13Q1" into year and quarter.
func TestEvalSubstr(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"manual: year part", `{"$substr": ["$quarter", 0, 2]}`, `{"quarter": "13Q1"}`, `"13"`},
		{"manual: quarter part, negative length is the rest", `{"$substr": ["$quarter", 2, -1]}`, `{"quarter": "13Q1"}`, `"Q1"`},
		{"same as $substrBytes", `{"$eq": [{"$substr": ["$s", 1, 3]}, {"$substrBytes": ["$s", 1, 3]}]}`, `{"s": "abcdef"}`, `true`},
		{"byte indexes over UTF-8", `{"$substr": ["cafétéria", 0, 5]}`, ``, `"café"`},
		{"ending in a UTF-8 character", `{"$substr": ["cafétéria", 0, 4]}`, ``, `ERROR: invalid range, ending index is in the middle of a UTF-8 character`},
		{"starting at a continuation byte", `{"$substr": ["cafétéria", 4, 2]}`, ``, `ERROR: starting index is a UTF-8 continuation byte`},
		{"start past the end", `{"$substr": ["abc", 5, 1]}`, ``, `""`},
		{"null is the empty string", `{"$substr": [null, 0, 2]}`, ``, `""`},
		{"missing is the empty string", `{"$substr": ["$nope", 0, 2]}`, ``, `""`},
		{"a number is converted to a string", `{"$substr": [12345, 1, 2]}`, ``, `"23"`},
		{"non-numeric index", `{"$substr": ["abc", "0", 1]}`, ``, `ERROR: $substr`},
	})
}

// MongoDB "$isoWeekYear": the ISO 8601 week-numbering year, from the
// manual's behaviour table and its anniversaries example.
func TestEvalIsoWeekYear(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"manual: 2016-01-01 is in 2015", `{"$isoWeekYear": "$date"}`, `{"date": {"$date": "2016-01-01T00:00:00Z"}}`, `{"$numberLong": "2015"}`},
		{"manual: 2016-01-04 is in 2016", `{"$isoWeekYear": "$date"}`, `{"date": {"$date": "2016-01-04T00:00:00Z"}}`, `{"$numberLong": "2016"}`},
		{"manual: 2015-01-01 is in 2015", `{"$isoWeekYear": "$date"}`, `{"date": {"$date": "2015-01-01T00:00:00Z"}}`, `{"$numberLong": "2015"}`},
		{"manual: 2014-04-21 is in 2014", `{"$isoWeekYear": "$date"}`, `{"date": {"$date": "2014-04-21T00:00:00Z"}}`, `{"$numberLong": "2014"}`},
		{"manual: document form", `{"$isoWeekYear": {"date": {"$date": "2003-01-07T00:00:00Z"}}}`, ``, `{"$numberLong": "2003"}`},
		{"manual: 2017-01-02 is in 2017", `{"$isoWeekYear": {"$date": "2017-01-02T00:00:00Z"}}`, ``, `{"$numberLong": "2017"}`},
		{"manual: with timezone -0500 it is 2016", `{"$isoWeekYear": {"date": {"$date": "2017-01-02T00:00:00Z"}, "timezone": "-0500"}}`, ``, `{"$numberLong": "2016"}`},
		{"manual: Olson timezone", `{"$isoWeekYear": {"date": {"$date": "2024-04-08T05:00:00Z"}, "timezone": "America/Chicago"}}`, ``, `{"$numberLong": "2024"}`},
		{"manual: a string is an error", `{"$isoWeekYear": "$d"}`, `{"d": "2016-01-01"}`, `ERROR: can't convert from BSON type string to Date`},
		{"null", `{"$isoWeekYear": null}`, ``, `null`},
		{"missing", `{"$isoWeekYear": "$nope"}`, ``, `null`},
		{"a timestamp", `{"$isoWeekYear": {"$timestamp": {"t": 1451606400, "i": 1}}}`, ``, `{"$numberLong": "2015"}`},
	})
}

// MongoDB "$tsIncrement": the increment of a timestamp, as a long.
func TestEvalTsIncrement(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"manual: increment of a timestamp", `{"$tsIncrement": "$saleTimestamp"}`, `{"saleTimestamp": {"$timestamp": {"t": 1622731060, "i": 10}}}`, `{"$numberLong": "10"}`},
		{"manual: increment 2", `{"$tsIncrement": "$saleTimestamp"}`, `{"saleTimestamp": {"$timestamp": {"t": 1714124193, "i": 2}}}`, `{"$numberLong": "2"}`},
		{"largest increment is unsigned", `{"$tsIncrement": {"$timestamp": {"t": 1, "i": 4294967295}}}`, ``, `{"$numberLong": "4294967295"}`},
		{"$tsSecond beside it", `{"$tsSecond": "$saleTimestamp"}`, `{"saleTimestamp": {"$timestamp": {"t": 1622731060, "i": 10}}}`, `{"$numberLong": "1622731060"}`},
		{"null", `{"$tsIncrement": null}`, ``, `null`},
		{"missing", `{"$tsIncrement": "$nope"}`, ``, `null`},
		{"a date is an error", `{"$tsIncrement": {"$date": "2020-01-01T00:00:00Z"}}`, ``, `ERROR: $tsIncrement must be a timestamp, but is date`},
		{"a number is an error", `{"$tsIncrement": 1}`, ``, `ERROR: $tsIncrement must be a timestamp, but is int`},
	})
}

// MongoDB "$binarySize": the size in bytes of a string (UTF-8) or binData;
// null or missing gives null; anything else is an error.
func TestEvalBinarySize(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"manual: abcde", `{"$binarySize": "abcde"}`, ``, `5`},
		{"manual: Hello World!", `{"$binarySize": "Hello World!"}`, ``, `12`},
		{"manual: UTF-8 bytes, not characters", `{"$binarySize": "cafétéria"}`, ``, `11`},
		{"manual: empty string", `{"$binarySize": ""}`, ``, `0`},
		{"manual: binData image", `{"$binarySize": "$binary"}`, `{"binary": {"$binary": {"base64": "OEJTfmD8fGLGt/N5Bqh8rg==", "subType": "00"}}}`, `16`},
		{"manual: another binData", `{"$binarySize": "$binary"}`, `{"binary": {"$binary": {"base64": "aGVsZWxvd29ybGQ=", "subType": "00"}}}`, `11`},
		{"empty binData", `{"$binarySize": {"$binary": {"base64": "", "subType": "00"}}}`, ``, `0`},
		{"UUID binData", `{"$binarySize": {"$binary": {"base64": "OEJTfmD8fGLGt/N5Bqh8rg==", "subType": "04"}}}`, ``, `16`},
		{"manual: null", `{"$binarySize": null}`, ``, `null`},
		{"missing", `{"$binarySize": "$nope"}`, ``, `null`},
		{"a number is an error", `{"$binarySize": 5}`, ``, `ERROR: $binarySize requires a string or BinData argument, found: int`},
		{"a document is an error", `{"$binarySize": {"$literal": {"a": 1}}}`, ``, `ERROR: $binarySize requires a string or BinData argument, found: object`},
	})
}

// MongoDB "$bsonSize": the size in bytes of a document encoded as BSON;
// null or missing gives null; anything but a document is an error.
func TestEvalBSONSize(t *testing.T) {
	runEvalCases(t, []evalCase{
		{"empty document is 5 bytes", `{"$bsonSize": {"$literal": {}}}`, ``, `5`},
		{"one int field", `{"$bsonSize": "$$ROOT"}`, `{"a": 1}`, `12`},
		{"one string field", `{"$bsonSize": "$$ROOT"}`, `{"a": "x"}`, `14`},
		{"nested document", `{"$bsonSize": "$d"}`, `{"d": {"a": 1}}`, `12`},
		{"double and array", `{"$bsonSize": "$$ROOT"}`, `{"a": 1.5, "b": [1]}`, `31`},
		{"manual: a field that does not exist", `{"$bsonSize": "$nope"}`, ``, `null`},
		{"manual: null", `{"$bsonSize": null}`, ``, `null`},
		{"manual: a string is an error", `{"$bsonSize": "$s"}`, `{"s": "abc"}`, `ERROR: $bsonSize requires a document input, found: string`},
		{"an array is an error", `{"$bsonSize": "$a"}`, `{"a": [1, 2]}`, `ERROR: $bsonSize requires a document input, found: array`},
		{"a number is an error", `{"$bsonSize": 1}`, ``, `ERROR: $bsonSize requires a document input, found: int`},
		{"$max over sizes, as the manual's example", `{"$max": [{"$bsonSize": "$a"}, {"$bsonSize": "$b"}]}`, `{"a": {"x": 1}, "b": {"x": "long string"}}`, `24`},
	})
}

// Every operator of the registry is named, quoted ("$sin"), in at least one
// test that evaluates: this package's tests, or the streaming-runtime and
// `weir test` cases. A new operator needs a case before it ships.
func TestEveryRegistryOperatorIsTested(t *testing.T) {
	var corpus strings.Builder
	read := func(path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		corpus.Write(b)
	}
	tests, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tests {
		read(f)
	}
	for _, dir := range []string{"../testdata/exec", "../testdata/exec_continuous", "../testdata/cases"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				read(path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	text := corpus.String()
	var missing []string
	seen := map[string]bool{}
	for _, op := range mql.Ops() {
		if seen[op.Name] {
			continue
		}
		seen[op.Name] = true
		if !strings.Contains(text, `"`+op.Name+`"`) {
			missing = append(missing, op.Name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operators that no test names: %s", strings.Join(missing, " "))
	}
}
