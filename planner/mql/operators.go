package mql

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// OpKind says where an operator may be used. It is a bit set: $sum is both
// an Expression and an Accumulator.
type OpKind uint8

// The places an operator may appear.
const (
	// Expression operators appear in aggregation expressions.
	Expression OpKind = 1 << iota
	// Accumulator operators appear as $group output fields.
	Accumulator
	// WindowFunction operators appear as $setWindowFields outputs.
	WindowFunction
	// QueryOp operators appear in query predicates ($match, $validate).
	QueryOp
)

// Has reports whether k includes every kind in x.
func (k OpKind) Has(x OpKind) bool { return k&x == x }

func (k OpKind) String() string {
	var parts []string
	for _, n := range []struct {
		k    OpKind
		name string
	}{{Expression, "expression"}, {Accumulator, "accumulator"}, {WindowFunction, "window"}, {QueryOp, "query"}} {
		if k&n.k != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, "|")
}

// OpInfo describes one form of an operator. An operator with several forms
// whose arguments differ ($sum as an expression takes any number of
// arguments, as an accumulator one) has one OpInfo per form; LookupOp merges
// them.
type OpInfo struct {
	Name     string // with the dollar: "$add"
	Kind     OpKind
	Category string
	// MinArgs and MaxArgs bound a positional operator's argument count;
	// MaxArgs is -1 when there is no upper bound.
	MinArgs, MaxArgs int
	// Named operators take a document of named arguments instead.
	Named              bool
	Required, Optional []string
	Doc                string
	// ASP is set for operators Atlas Stream Processing accepts; Extension
	// for weir's own.
	ASP, Extension bool
}

// namedSpec is what the parser needs beyond OpInfo for a named operator.
type namedSpec struct {
	// raw names the arguments that are not expressions (a variable name, a
	// sort specification): they are kept as Literal values, as written.
	raw []string
	// shorthand names the argument a non-document argument sets:
	// {$year: "$d"} is {$year: {date: "$d"}}.
	shorthand string
}

var namedSpecs = map[string]namedSpec{
	"$filter":       {raw: []string{"as"}},
	"$map":          {raw: []string{"as"}},
	"$sortArray":    {raw: []string{"sortBy"}},
	"$top":          {raw: []string{"sortBy"}},
	"$bottom":       {raw: []string{"sortBy"}},
	"$topN":         {raw: []string{"sortBy"}},
	"$bottomN":      {raw: []string{"sortBy"}},
	"$median":       {raw: []string{"method"}},
	"$percentile":   {raw: []string{"method"}},
	"$function":     {raw: []string{"body", "lang"}},
	"$getField":     {shorthand: "field"},
	"$year":         {shorthand: "date"},
	"$month":        {shorthand: "date"},
	"$dayOfMonth":   {shorthand: "date"},
	"$dayOfWeek":    {shorthand: "date"},
	"$dayOfYear":    {shorthand: "date"},
	"$hour":         {shorthand: "date"},
	"$minute":       {shorthand: "date"},
	"$second":       {shorthand: "date"},
	"$millisecond":  {shorthand: "date"},
	"$week":         {shorthand: "date"},
	"$isoWeek":      {shorthand: "date"},
	"$isoWeekYear":  {shorthand: "date"},
	"$isoDayOfWeek": {shorthand: "date"},
}

func (s namedSpec) isRaw(name string) bool {
	for _, r := range s.raw {
		if r == name {
			return true
		}
	}
	return false
}

// pos is a positional expression operator.
func pos(name, cat string, min, max int, doc string) OpInfo {
	return OpInfo{Name: name, Kind: Expression, Category: cat, MinArgs: min, MaxArgs: max, Doc: doc, ASP: true}
}

// named is an expression operator with named arguments.
func named(name, cat string, req, opt []string, doc string) OpInfo {
	return OpInfo{Name: name, Kind: Expression, Category: cat, Named: true, Required: req, Optional: opt, Doc: doc, ASP: true}
}

func args(names ...string) []string { return names }

var datePart = []string{"date"}
var datePartOpt = []string{"timezone"}

// exprOps are the expression forms.
var exprOps = []OpInfo{
	// arithmetic
	pos("$add", "arithmetic", 0, -1, "adds numbers, or numbers (as milliseconds) and one date"),
	pos("$subtract", "arithmetic", 2, 2, "subtracts the second number or date from the first"),
	pos("$multiply", "arithmetic", 0, -1, "multiplies numbers"),
	pos("$divide", "arithmetic", 2, 2, "divides the first number by the second"),
	pos("$mod", "arithmetic", 2, 2, "the remainder of dividing the first number by the second"),
	pos("$abs", "arithmetic", 1, 1, "absolute value"),
	pos("$ceil", "arithmetic", 1, 1, "smallest integer greater than or equal to the number"),
	pos("$floor", "arithmetic", 1, 1, "largest integer less than or equal to the number"),
	pos("$round", "arithmetic", 1, 2, "rounds to a number of decimal places (default 0), half to even"),
	pos("$trunc", "arithmetic", 1, 2, "truncates to a number of decimal places (default 0)"),
	pos("$sqrt", "arithmetic", 1, 1, "square root"),
	pos("$pow", "arithmetic", 2, 2, "raises the first number to the power of the second"),
	pos("$exp", "arithmetic", 1, 1, "e raised to the number"),
	pos("$ln", "arithmetic", 1, 1, "natural logarithm"),
	pos("$log", "arithmetic", 2, 2, "logarithm of the first number in the base of the second"),
	pos("$log10", "arithmetic", 1, 1, "base-10 logarithm"),
	pos("$sum", "arithmetic", 0, -1, "sum of the numeric arguments, or of the numbers of one array argument"),
	pos("$avg", "arithmetic", 0, -1, "average of the numeric arguments, or of the numbers of one array argument"),
	pos("$max", "arithmetic", 0, -1, "largest argument, or largest element of one array argument"),
	pos("$min", "arithmetic", 0, -1, "smallest argument, or smallest element of one array argument"),
	pos("$stdDevPop", "arithmetic", 0, -1, "population standard deviation of the numeric arguments"),
	pos("$stdDevSamp", "arithmetic", 0, -1, "sample standard deviation of the numeric arguments"),
	named("$median", "arithmetic", args("input", "method"), nil, "approximate median of an array of numbers"),
	named("$percentile", "arithmetic", args("input", "p", "method"), nil, "approximate percentiles p of an array of numbers"),
	// trigonometry
	pos("$sin", "trigonometry", 1, 1, "sine of an angle in radians"),
	pos("$cos", "trigonometry", 1, 1, "cosine of an angle in radians"),
	pos("$tan", "trigonometry", 1, 1, "tangent of an angle in radians"),
	pos("$asin", "trigonometry", 1, 1, "inverse sine, in radians"),
	pos("$acos", "trigonometry", 1, 1, "inverse cosine, in radians"),
	pos("$atan", "trigonometry", 1, 1, "inverse tangent, in radians"),
	pos("$atan2", "trigonometry", 2, 2, "inverse tangent of y/x, in radians"),
	pos("$sinh", "trigonometry", 1, 1, "hyperbolic sine"),
	pos("$cosh", "trigonometry", 1, 1, "hyperbolic cosine"),
	pos("$tanh", "trigonometry", 1, 1, "hyperbolic tangent"),
	pos("$degreesToRadians", "trigonometry", 1, 1, "converts degrees to radians"),
	pos("$radiansToDegrees", "trigonometry", 1, 1, "converts radians to degrees"),
	// comparison
	pos("$eq", "comparison", 2, 2, "whether the values are equal (BSON order, no type bracketing)"),
	pos("$ne", "comparison", 2, 2, "whether the values differ"),
	pos("$gt", "comparison", 2, 2, "whether the first value is greater than the second"),
	pos("$gte", "comparison", 2, 2, "whether the first value is greater than or equal to the second"),
	pos("$lt", "comparison", 2, 2, "whether the first value is less than the second"),
	pos("$lte", "comparison", 2, 2, "whether the first value is less than or equal to the second"),
	pos("$cmp", "comparison", 2, 2, "-1, 0 or 1 as the first value is less than, equal to or greater than the second"),
	// boolean
	pos("$and", "boolean", 0, -1, "true when every argument is true"),
	pos("$or", "boolean", 0, -1, "true when any argument is true"),
	pos("$not", "boolean", 1, 1, "the boolean opposite of the argument"),
	// conditional
	pos("$cond", "conditional", 3, 3, "[if, then, else]: then when if is true, else otherwise"),
	named("$switch", "conditional", args("branches"), args("default"), "the then of the first branch whose case is true, else default"),
	pos("$ifNull", "conditional", 2, -1, "the first argument that is not null or missing"),
	// string
	pos("$concat", "string", 0, -1, "concatenates strings; null if any argument is null or missing"),
	pos("$substr", "string", 3, 3, "deprecated alias of $substrBytes"),
	pos("$substrBytes", "string", 3, 3, "substring by UTF-8 byte index and length"),
	pos("$substrCP", "string", 3, 3, "substring by code point index and count"),
	pos("$toLower", "string", 1, 1, "lowercases ASCII letters"),
	pos("$toUpper", "string", 1, 1, "uppercases ASCII letters"),
	named("$trim", "string", args("input"), args("chars"), "removes whitespace (or chars) from both ends"),
	named("$ltrim", "string", args("input"), args("chars"), "removes whitespace (or chars) from the start"),
	named("$rtrim", "string", args("input"), args("chars"), "removes whitespace (or chars) from the end"),
	pos("$split", "string", 2, 2, "splits a string on a delimiter into an array"),
	pos("$strLenBytes", "string", 1, 1, "length in UTF-8 bytes"),
	pos("$strLenCP", "string", 1, 1, "length in code points"),
	pos("$strcasecmp", "string", 2, 2, "case-insensitive comparison: -1, 0 or 1"),
	pos("$indexOfBytes", "string", 2, 4, "byte index of the first occurrence of a substring, or -1"),
	pos("$indexOfCP", "string", 2, 4, "code point index of the first occurrence of a substring, or -1"),
	named("$regexMatch", "string", args("input", "regex"), args("options"), "whether the string matches the regular expression"),
	named("$regexFind", "string", args("input", "regex"), args("options"), "the first match: {match, idx, captures}, or null"),
	named("$regexFindAll", "string", args("input", "regex"), args("options"), "every match, as an array of {match, idx, captures}"),
	named("$replaceOne", "string", args("input", "find", "replacement"), nil, "replaces the first occurrence of find"),
	named("$replaceAll", "string", args("input", "find", "replacement"), nil, "replaces every occurrence of find"),
	// date
	named("$dateFromString", "date", args("dateString"), args("format", "timezone", "onError", "onNull"), "parses a date string"),
	named("$dateToString", "date", args("date"), args("format", "timezone", "onNull"), "formats a date (default format %Y-%m-%dT%H:%M:%S.%LZ)"),
	named("$dateTrunc", "date", args("date", "unit"), args("binSize", "timezone", "startOfWeek"), "truncates a date to a unit (and bin size)"),
	named("$dateAdd", "date", args("startDate", "unit", "amount"), args("timezone"), "adds amount units to a date"),
	named("$dateSubtract", "date", args("startDate", "unit", "amount"), args("timezone"), "subtracts amount units from a date"),
	named("$dateDiff", "date", args("startDate", "endDate", "unit"), args("timezone", "startOfWeek"), "number of unit boundaries crossed from startDate to endDate"),
	named("$dateToParts", "date", args("date"), args("timezone", "iso8601"), "a document of the date's parts"),
	named("$dateFromParts", "date", nil, args("year", "month", "day", "hour", "minute", "second", "millisecond", "isoWeekYear", "isoWeek", "isoDayOfWeek", "timezone"), "builds a date from its parts (year or isoWeekYear required)"),
	pos("$toDate", "date", 1, 1, "converts to a date"),
	named("$year", "date", datePart, datePartOpt, "year of a date"),
	named("$month", "date", datePart, datePartOpt, "month of a date, 1–12"),
	named("$dayOfMonth", "date", datePart, datePartOpt, "day of the month, 1–31"),
	named("$dayOfWeek", "date", datePart, datePartOpt, "day of the week, 1 (Sunday) – 7 (Saturday)"),
	named("$dayOfYear", "date", datePart, datePartOpt, "day of the year, 1–366"),
	named("$hour", "date", datePart, datePartOpt, "hour, 0–23"),
	named("$minute", "date", datePart, datePartOpt, "minute, 0–59"),
	named("$second", "date", datePart, datePartOpt, "second, 0–59 (60 for leap seconds)"),
	named("$millisecond", "date", datePart, datePartOpt, "millisecond, 0–999"),
	named("$week", "date", datePart, datePartOpt, "week of the year, 0–53, weeks starting on Sunday"),
	named("$isoWeek", "date", datePart, datePartOpt, "ISO 8601 week number, 1–53"),
	named("$isoWeekYear", "date", datePart, datePartOpt, "ISO 8601 week-numbering year"),
	named("$isoDayOfWeek", "date", datePart, datePartOpt, "ISO 8601 day of the week, 1 (Monday) – 7 (Sunday)"),
	pos("$tsSecond", "date", 1, 1, "seconds of a timestamp"),
	pos("$tsIncrement", "date", 1, 1, "increment of a timestamp"),
	// array
	named("$filter", "array", args("input", "cond"), args("as", "limit"), "the elements for which cond is true ($$this, or the as name)"),
	named("$map", "array", args("input", "in"), args("as"), "applies in to each element ($$this, or the as name)"),
	named("$reduce", "array", args("input", "initialValue", "in"), nil, "folds an array: in sees $$value and $$this"),
	pos("$arrayElemAt", "array", 2, 2, "element at an index (negative counts from the end)"),
	pos("$first", "array", 1, 1, "first element of an array"),
	pos("$last", "array", 1, 1, "last element of an array"),
	named("$firstN", "array", args("input", "n"), nil, "first n elements of an array"),
	named("$lastN", "array", args("input", "n"), nil, "last n elements of an array"),
	named("$maxN", "array", args("input", "n"), nil, "n largest elements of an array"),
	named("$minN", "array", args("input", "n"), nil, "n smallest elements of an array"),
	pos("$size", "array", 1, 1, "number of elements of an array"),
	pos("$in", "array", 2, 2, "whether the value is an element of the array"),
	pos("$concatArrays", "array", 0, -1, "concatenates arrays"),
	pos("$slice", "array", 2, 3, "[array, n] or [array, position, n]: a part of an array"),
	pos("$reverseArray", "array", 1, 1, "the array in reverse order"),
	pos("$range", "array", 2, 3, "integers from start up to (not including) end, by step"),
	pos("$indexOfArray", "array", 2, 4, "index of the first element equal to the value, or -1"),
	pos("$isArray", "array", 1, 1, "whether the value is an array"),
	pos("$arrayToObject", "array", 1, 1, "a document from [[k, v]] or [{k, v}] pairs"),
	pos("$objectToArray", "array", 1, 1, "a document's fields as [{k, v}]"),
	named("$zip", "array", args("inputs"), args("useLongestLength", "defaults"), "transposes an array of arrays"),
	named("$sortArray", "array", args("input", "sortBy"), nil, "sorts an array by a sort specification or 1/-1"),
	// set
	pos("$allElementsTrue", "set", 1, 1, "whether every element of the array is true"),
	pos("$anyElementTrue", "set", 1, 1, "whether any element of the array is true"),
	pos("$setUnion", "set", 0, -1, "elements in any of the arrays, without duplicates"),
	pos("$setIntersection", "set", 0, -1, "elements in every array, without duplicates"),
	pos("$setDifference", "set", 2, 2, "elements of the first array not in the second"),
	pos("$setEquals", "set", 2, -1, "whether the arrays have the same distinct elements"),
	pos("$setIsSubset", "set", 2, 2, "whether every element of the first array is in the second"),
	// object
	pos("$mergeObjects", "object", 0, -1, "merges documents; later fields win"),
	named("$getField", "object", args("field"), args("input"), "a field by name, including names with . or $"),
	named("$setField", "object", args("field", "input", "value"), nil, "a copy of input with field set (or removed with $$REMOVE)"),
	named("$unsetField", "object", args("field", "input"), nil, "a copy of input without field"),
	pos("$bsonSize", "object", 1, 1, "size of a document in BSON bytes"),
	pos("$binarySize", "object", 1, 1, "size of a string or binData in bytes"),
	// type
	named("$convert", "type", args("input", "to"), args("onError", "onNull", "format", "byteOrder"), "converts to a type; ASP adds binData ↔ number/string with byteOrder and format"),
	pos("$toInt", "type", 1, 1, "converts to a 32-bit integer"),
	pos("$toLong", "type", 1, 1, "converts to a 64-bit integer"),
	pos("$toDouble", "type", 1, 1, "converts to a double"),
	pos("$toDecimal", "type", 1, 1, "converts to a decimal128"),
	pos("$toString", "type", 1, 1, "converts to a string"),
	pos("$toBool", "type", 1, 1, "converts to a boolean"),
	pos("$toObjectId", "type", 1, 1, "converts a 24-character hex string to an ObjectId"),
	pos("$type", "type", 1, 1, "the BSON type name of the value (\"missing\" when missing)"),
	pos("$isNumber", "type", 1, 1, "whether the value is an int, long, double or decimal"),
	// variable
	named("$let", "variable", args("vars", "in"), nil, "binds variables for use in in"),
	{Name: "$literal", Kind: Expression, Category: "variable", MinArgs: 1, MaxArgs: 1, Doc: "the argument as a value, not parsed as an expression", ASP: true},
	named("$rand", "misc", nil, nil, "a random double in [0, 1); written {$rand: {}}"),
	// stream
	{Name: "$meta", Kind: Expression, Category: "stream", MinArgs: 1, MaxArgs: 1, Doc: "stream metadata: {$meta: \"stream.source.topic\"}, {$meta: \"stream.window.start\"}", ASP: true},
	named("$currentDate", "stream", nil, nil, "wall-clock time, evaluated at every use; written {$currentDate: {}}"),
	named("$createUUID", "stream", nil, nil, "a new UUID (binData subtype 4); written {$createUUID: {}}"),
	named("$function", "stream", args("body", "args", "lang"), nil, "calls a JavaScript function (ASP on AWS only)"),
}

// accOps are the $group accumulator and $setWindowFields window function
// forms.
var accOps = func() []OpInfo {
	const aw = Accumulator | WindowFunction
	unary := func(name, doc string, k OpKind) OpInfo {
		return OpInfo{Name: name, Kind: k, Category: "accumulator", MinArgs: 1, MaxArgs: 1, Doc: doc, ASP: true}
	}
	nm := func(name string, req, opt []string, doc string, k OpKind) OpInfo {
		return OpInfo{Name: name, Kind: k, Category: "accumulator", Named: true, Required: req, Optional: opt, Doc: doc, ASP: true}
	}
	win := func(o OpInfo) OpInfo {
		o.Category, o.ASP, o.Extension = "window", false, true
		return o
	}
	return []OpInfo{
		unary("$sum", "sum of the numeric values; 0 when there are none", aw),
		unary("$avg", "average of the numeric values; null when there are none", aw),
		unary("$min", "smallest value, ignoring null and missing", aw),
		unary("$max", "largest value, ignoring null and missing", aw),
		unary("$first", "value of the first document", aw),
		unary("$last", "value of the last document", aw),
		unary("$push", "array of every value", aw),
		unary("$addToSet", "array of the distinct values", aw),
		unary("$stdDevPop", "population standard deviation", aw),
		unary("$stdDevSamp", "sample standard deviation", aw),
		unary("$mergeObjects", "the documents merged; later fields win", Accumulator),
		nm("$count", nil, nil, "number of documents; written {$count: {}}", aw),
		nm("$median", args("input", "method"), nil, "approximate median; method \"approximate\"", aw),
		nm("$percentile", args("input", "p", "method"), nil, "approximate percentiles p; method \"approximate\"", aw),
		nm("$top", args("output", "sortBy"), nil, "output of the first document by sortBy", aw),
		nm("$bottom", args("output", "sortBy"), nil, "output of the last document by sortBy", aw),
		nm("$topN", args("output", "sortBy", "n"), nil, "outputs of the first n documents by sortBy", aw),
		nm("$bottomN", args("output", "sortBy", "n"), nil, "outputs of the last n documents by sortBy", aw),
		nm("$firstN", args("input", "n"), nil, "first n values", aw),
		nm("$lastN", args("input", "n"), nil, "last n values", aw),
		nm("$maxN", args("input", "n"), nil, "n largest values", aw),
		nm("$minN", args("input", "n"), nil, "n smallest values", aw),
		win(nm("$rank", nil, nil, "rank by the sortBy fields, with gaps after ties", WindowFunction)),
		win(nm("$denseRank", nil, nil, "rank by the sortBy fields, without gaps", WindowFunction)),
		win(nm("$documentNumber", nil, nil, "position in the partition, from 1", WindowFunction)),
		win(nm("$shift", args("output", "by"), args("default"), "output of the document by positions away", WindowFunction)),
		win(nm("$derivative", args("input"), args("unit"), "rate of change over the window", WindowFunction)),
		win(nm("$integral", args("input"), args("unit"), "area under the curve over the window", WindowFunction)),
		win(nm("$expMovingAvg", args("input"), args("N", "alpha"), "exponential moving average; N or alpha", WindowFunction)),
		win(OpInfo{Name: "$covariancePop", Kind: WindowFunction, MinArgs: 2, MaxArgs: 2, Doc: "population covariance of two expressions"}),
		win(OpInfo{Name: "$covarianceSamp", Kind: WindowFunction, MinArgs: 2, MaxArgs: 2, Doc: "sample covariance of two expressions"}),
		win(OpInfo{Name: "$locf", Kind: WindowFunction, MinArgs: 1, MaxArgs: 1, Doc: "last observation carried forward over nulls"}),
		win(OpInfo{Name: "$linearFill", Kind: WindowFunction, MinArgs: 1, MaxArgs: 1, Doc: "fills nulls by linear interpolation"}),
	}
}()

// queryOps are the query predicate operators.
var queryOps = func() []OpInfo {
	q := func(name, cat, doc string) OpInfo {
		return OpInfo{Name: name, Kind: QueryOp, Category: cat, MinArgs: 1, MaxArgs: 1, Doc: doc, ASP: true}
	}
	return []OpInfo{
		q("$eq", "query", "field equals the value (or an array field has an element equal to it)"),
		q("$ne", "query", "field does not equal the value; matches missing fields"),
		q("$gt", "query", "field is greater than the value, within its type bracket"),
		q("$gte", "query", "field is greater than or equal to the value, within its type bracket"),
		q("$lt", "query", "field is less than the value, within its type bracket"),
		q("$lte", "query", "field is less than or equal to the value, within its type bracket"),
		q("$in", "query", "field equals any value of the array (or matches any regex in it)"),
		q("$nin", "query", "field equals none of the values; matches missing fields"),
		q("$exists", "query", "field is present (true) or missing (false)"),
		q("$type", "query", "field has the BSON type (name, number, \"number\", or an array of them)"),
		q("$regex", "query", "string field matches the regular expression (with $options)"),
		q("$options", "query", "regular expression flags for $regex: i, m, s, x, u"),
		q("$mod", "query", "[divisor, remainder]: field modulo divisor equals remainder"),
		q("$all", "query", "array field contains every value"),
		q("$size", "query", "array field has this many elements"),
		q("$elemMatch", "query", "an element of the array field matches every condition"),
		q("$not", "query", "field does not match the conditions (or regular expression)"),
		q("$and", "query", "every sub-query matches"),
		q("$or", "query", "any sub-query matches"),
		q("$nor", "query", "no sub-query matches"),
		q("$expr", "query", "the aggregation expression is true"),
		q("$jsonSchema", "query", "the document validates against the JSON Schema (draft 4)"),
		q("$comment", "query", "a comment; does not affect matching"),
		q("$bitsAllSet", "query", "every given bit of the number or binData is 1"),
		q("$bitsAnySet", "query", "any given bit is 1"),
		q("$bitsAllClear", "query", "every given bit is 0"),
		q("$bitsAnyClear", "query", "any given bit is 0"),
		q("$geoWithin", "query", "point lies within a shape: $box, $polygon, $center (flat), $centerSphere, $geometry (spherical); documents holding lines or polygons are an error"),
		q("$geoIntersects", "query", "point intersects a GeoJSON $geometry (spherical); documents holding lines or polygons are an error"),
	}
}()

var (
	exprIndex  = indexOps(exprOps)
	accIndex   = indexOps(accOps)
	queryIndex = indexOps(queryOps)
)

func indexOps(ops []OpInfo) map[string]OpInfo {
	m := make(map[string]OpInfo, len(ops))
	for _, o := range ops {
		m[o.Name] = o
	}
	return m
}

// LookupOp returns the operator called name ("$add"). For an operator with
// several forms it returns the expression form (else the accumulator form,
// else the query form) with Kind set to every kind the operator has.
func LookupOp(name string) (OpInfo, bool) {
	var out OpInfo
	found := false
	var kind OpKind
	for _, idx := range []map[string]OpInfo{exprIndex, accIndex, queryIndex} {
		if o, ok := idx[name]; ok {
			if !found {
				out, found = o, true
			}
			kind |= o.Kind
		}
	}
	out.Kind = kind
	return out, found
}

// LookupOpKind returns the form of operator name used as kind, e.g. the
// accumulator form of $sum, which takes one argument.
func LookupOpKind(name string, kind OpKind) (OpInfo, bool) {
	switch {
	case kind&Expression != 0:
		o, ok := exprIndex[name]
		return o, ok
	case kind&(Accumulator|WindowFunction) != 0:
		o, ok := accIndex[name]
		return o, ok && o.Kind&kind != 0
	case kind&QueryOp != 0:
		o, ok := queryIndex[name]
		return o, ok
	}
	return OpInfo{}, false
}

// categoryOrder orders the categories in Ops and the docs.
var categoryOrder = []string{"arithmetic", "trigonometry", "comparison", "boolean", "conditional", "string", "date", "array", "set", "object", "type", "variable", "stream", "misc", "accumulator", "window", "query"}

func categoryRank(c string) int {
	for i, x := range categoryOrder {
		if x == c {
			return i
		}
	}
	return len(categoryOrder)
}

// Ops returns every operator form, sorted by category then name. An
// operator with several forms ($sum) appears once per form.
func Ops() []OpInfo {
	all := make([]OpInfo, 0, len(exprOps)+len(accOps)+len(queryOps))
	all = append(all, exprOps...)
	all = append(all, accOps...)
	all = append(all, queryOps...)
	sort.SliceStable(all, func(i, j int) bool {
		ci, cj := categoryRank(all[i].Category), categoryRank(all[j].Category)
		if ci != cj {
			return ci < cj
		}
		return all[i].Name < all[j].Name
	})
	return all
}

// unsupportedQueryOps are the query operators ASP rejects.
var unsupportedQueryOps = map[string]bool{"$near": true, "$nearSphere": true, "$text": true, "$where": true}

// nearestName returns the candidate nearest to name by edit distance, or "" when
// none is near enough to be a likely typo.
func nearestName(name string, candidates []string) string {
	best, bestD := "", -1
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if strings.ToLower(c) == lower {
			return c
		}
		d := EditDistance(lower, strings.ToLower(c))
		if bestD < 0 || d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	// Allow about one edit per three characters, at least one, at most three.
	limit := len(name) / 3
	if limit < 1 {
		limit = 1
	}
	if limit > 3 {
		limit = 3
	}
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// EditDistance is the Damerau–Levenshtein (optimal string alignment)
// distance, so a swapped pair of letters counts as one edit. Every "did you
// mean" suggestion of weir's front ends measures with it.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func opNames(idx map[string]OpInfo) []string {
	names := make([]string, 0, len(idx))
	for n := range idx {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// suggest formats " did you mean X?" for an unknown name, or "".
func suggest(name string, candidates []string) string {
	if c := nearestName(name, candidates); c != "" {
		return "; did you mean " + c + "?"
	}
	return ""
}

// queryOperands describes each query operator's operand for the docs.
var queryOperands = map[string]string{
	"$in": "array", "$nin": "array", "$exists": "bool", "$type": "type name or number, or an array of them",
	"$regex": "string or regex", "$options": "flags", "$mod": "[divisor, remainder]", "$all": "array",
	"$size": "whole number", "$elemMatch": "query, or conditions on the elements", "$not": "conditions or regex",
	"$and": "[query, …]", "$or": "[query, …]", "$nor": "[query, …]", "$expr": "expression",
	"$jsonSchema": "schema document", "$comment": "any value", "$geoWithin": "shape document",
	"$geoIntersects": "shape document",
	"$bitsAllSet":    "mask, [positions] or binData", "$bitsAnySet": "mask, [positions] or binData",
	"$bitsAllClear": "mask, [positions] or binData", "$bitsAnyClear": "mask, [positions] or binData",
}

// argsDoc renders an operator's arguments for the docs table.
func argsDoc(o OpInfo) string {
	switch {
	case o.Kind&QueryOp != 0:
		if s, ok := queryOperands[o.Name]; ok {
			return s
		}
		return "value"
	case o.Name == "$literal":
		return "any value"
	case o.Name == "$meta":
		return `"stream.<path>"`
	case o.Name == "$cond":
		return "[if, then, else] or {if, then, else}"
	case o.Named:
		if len(o.Required)+len(o.Optional) == 0 {
			return "{}"
		}
		parts := append([]string(nil), o.Required...)
		for _, n := range o.Optional {
			parts = append(parts, n+"?")
		}
		s := "{" + strings.Join(parts, ", ") + "}"
		if sh := namedSpecs[o.Name].shorthand; sh != "" {
			s += " or " + sh
		}
		return s
	case o.MinArgs == 1 && o.MaxArgs == 1:
		return "expression"
	case o.MinArgs == o.MaxArgs:
		return fmt.Sprintf("[%d expressions]", o.MinArgs)
	case o.MaxArgs < 0:
		return fmt.Sprintf("[%d or more expressions]", o.MinArgs)
	default:
		return fmt.Sprintf("[%d to %d expressions]", o.MinArgs, o.MaxArgs)
	}
}

// RenderOperatorDocs writes the operator reference as Markdown: a section
// "## Operators" with one table per category, from the registry.
func RenderOperatorDocs(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Operators\n\n")
	b.WriteString("Generated from the operator registry (`planner/mql/operators.go`). " +
		"\"ASP\" marks operators Atlas Stream Processing accepts; \"extension\" marks weir's own. " +
		"An argument ending in ? is optional.\n")
	cat := ""
	for _, o := range Ops() {
		if o.Category != cat {
			cat = o.Category
			fmt.Fprintf(&b, "\n### %s\n\n", categoryTitles[cat])
			b.WriteString("| operator | arguments | support | description |\n|---|---|---|---|\n")
		}
		support := "ASP"
		if o.Extension {
			support = "extension"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", o.Name, mdEscape(argsDoc(o)), support, mdEscape(o.Doc))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var categoryTitles = map[string]string{
	"arithmetic": "Arithmetic", "trigonometry": "Trigonometry", "comparison": "Comparison",
	"boolean": "Boolean", "conditional": "Conditional", "string": "String", "date": "Date",
	"array": "Array", "set": "Set", "object": "Object", "type": "Type conversion",
	"variable": "Literals and variables", "stream": "Stream", "misc": "Miscellaneous",
	"accumulator": "Accumulators ($group and window stages)",
	"window":      "Window functions ($setWindowFields only)",
	"query":       "Query operators ($match, $validate)",
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
