package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

// fn is a scalar SQL function: its argument counts and how it becomes MQL.
// args are already translated.
type fn struct {
	min, max int // max -1: no limit
	doc      string
	build    func(c *parser.Call, args []val) (val, error)
}

func unaryOp(op string, t typ, doc string) fn {
	return fn{1, 1, doc, func(_ *parser.Call, a []val) (val, error) {
		return nullSafe(call(op, a[0].e), t, a[0]), nil
	}}
}

// passOp is for MQL operators that already return null for a null
// argument.
func passOp(op string, t typ, min, max int, doc string) fn {
	return fn{min, max, doc, func(_ *parser.Call, a []val) (val, error) {
		es := make([]mql.Expr, len(a))
		nn := true
		for i, v := range a {
			if v.isNullConst() {
				return constVal(nil), nil
			}
			es[i] = v.e
			nn = nn && v.notNull
		}
		return exprVal(call(op, es...), t, nn), nil
	}}
}

func datePartFn(op, doc string) fn {
	return fn{1, 1, doc, func(_ *parser.Call, a []val) (val, error) {
		return exprVal(mql.NamedCall{Op: op, Args: []mql.NamedArg{{Name: "date", Value: a[0].e}}}, tInt, false), nil
	}}
}

func lit(v any) mql.Expr { return mql.Literal{Value: v} }

// constArg reads a constant argument of a function.
func constArg(c *parser.Call, i int, v val) (any, error) {
	if v.lit == nil {
		return nil, errorf(c.Args[i], CodeFeatureNotSupport, "argument %d of %s must be a constant", i+1, strings.ToUpper(c.Name))
	}
	return *v.lit, nil
}

// minusOne is a 1-based SQL position as a 0-based MQL index.
func minusOne(v val) mql.Expr {
	if v.lit != nil {
		if i, ok := asInt64(*v.lit); ok {
			return lit(intValue(i - 1))
		}
	}
	return call("$subtract", v.e, lit(int32(1)))
}

// functions is the scalar function library. Names are upper case; calls
// are looked up case-insensitively. docs/sql.md lists them.
var functions = map[string]fn{
	"LOWER":            unaryOp("$toLower", tString, "lower case"),
	"UPPER":            unaryOp("$toUpper", tString, "upper case"),
	"LENGTH":           unaryOp("$strLenCP", tInt, "length in characters"),
	"CHAR_LENGTH":      unaryOp("$strLenCP", tInt, "length in characters"),
	"CHARACTER_LENGTH": unaryOp("$strLenCP", tInt, "length in characters"),
	"SUBSTRING":        {2, 3, "substring from a 1-based position", substring},
	"SUBSTR":           {2, 3, "substring from a 1-based position", substring},
	"TRIM":             {1, 2, "removes spaces (or the given characters) from both ends", trimFn("$trim")},
	"LTRIM":            {1, 2, "removes spaces (or the given characters) from the start", trimFn("$ltrim")},
	"RTRIM":            {1, 2, "removes spaces (or the given characters) from the end", trimFn("$rtrim")},
	"REPLACE": {3, 3, "replaces every occurrence", func(_ *parser.Call, a []val) (val, error) {
		return nullSafe(mql.NamedCall{Op: "$replaceAll", Args: []mql.NamedArg{{Name: "input", Value: a[0].e}, {Name: "find", Value: a[1].e}, {Name: "replacement", Value: a[2].e}}}, tString, a...), nil
	}},
	"CONCAT": {1, -1, "concatenates, skipping NULLs", func(_ *parser.Call, a []val) (val, error) {
		var es []mql.Expr
		for _, v := range a {
			switch {
			case v.isNullConst():
				continue
			case v.lit != nil:
				s, err := constString(nil, *v.lit)
				if err != nil {
					return val{}, err
				}
				es = append(es, lit(s))
			case v.t == tString && v.notNull:
				es = append(es, v.e)
			case v.t == tString:
				es = append(es, call("$ifNull", v.e, lit("")))
			default:
				es = append(es, call("$ifNull", call("$toString", v.e), lit("")))
			}
		}
		return exprVal(call("$concat", es...), tString, true), nil
	}},
	"SPLIT_PART": {3, 3, "the n-th field (1-based; negative counts from the end) of a string split on a delimiter", func(c *parser.Call, a []val) (val, error) {
		idx := minusOne(a[2])
		if a[2].lit != nil {
			if i, ok := asInt64(*a[2].lit); ok && i < 0 {
				idx = lit(intValue(i))
			}
		}
		// PostgreSQL returns '' past the last field.
		e := call("$ifNull", call("$arrayElemAt", call("$split", a[0].e, a[1].e), idx), lit(""))
		return nullSafe(e, tString, a...), nil
	}},
	"STARTS_WITH": {2, 2, "whether the string starts with the prefix", func(_ *parser.Call, a []val) (val, error) {
		return nullSafe(call("$eq", call("$indexOfCP", a[0].e, a[1].e), lit(int32(0))), tBool, a...), nil
	}},
	"STRPOS": {2, 2, "1-based position of a substring, 0 when absent", func(_ *parser.Call, a []val) (val, error) {
		return nullSafe(call("$add", call("$indexOfCP", a[0].e, a[1].e), lit(int32(1))), tInt, a...), nil
	}},
	"POSITION": {2, 2, "POSITION(substring, string): 1-based position, 0 when absent", func(_ *parser.Call, a []val) (val, error) {
		return nullSafe(call("$add", call("$indexOfCP", a[1].e, a[0].e), lit(int32(1))), tInt, a...), nil
	}},
	"REGEXP_LIKE": {2, 3, "whether the string matches the regular expression (flags: i, m, s, x)", func(c *parser.Call, a []val) (val, error) {
		opts := ""
		if len(a) == 3 {
			f, err := constArg(c, 2, a[2])
			if err != nil {
				return val{}, err
			}
			s, ok := f.(string)
			if !ok {
				return val{}, errorf(c.Args[2], CodeDatatypeMismatch, "REGEXP_LIKE flags must be a string such as 'i', found %v", f)
			}
			opts = s
		}
		return nullSafe(regexMatch(a[0].e, a[1].e, opts), tBool, a[0], a[1]), nil
	}},
	"ABS":     passOp("$abs", tUnknown, 1, 1, "absolute value"),
	"CEIL":    passOp("$ceil", tUnknown, 1, 1, "smallest integer not below"),
	"CEILING": passOp("$ceil", tUnknown, 1, 1, "smallest integer not below"),
	"FLOOR":   passOp("$floor", tUnknown, 1, 1, "largest integer not above"),
	"ROUND":   passOp("$round", tUnknown, 1, 2, "rounds (half to even) to n decimal places"),
	"TRUNC":   passOp("$trunc", tUnknown, 1, 2, "truncates to n decimal places"),
	"SQRT":    passOp("$sqrt", tFloat, 1, 1, "square root"),
	"POWER":   passOp("$pow", tUnknown, 2, 2, "x to the power y"),
	"POW":     passOp("$pow", tUnknown, 2, 2, "x to the power y"),
	"EXP":     passOp("$exp", tFloat, 1, 1, "e to the power x"),
	"LN":      passOp("$ln", tFloat, 1, 1, "natural logarithm"),
	"LOG10":   passOp("$log10", tFloat, 1, 1, "base-10 logarithm"),
	"LOG": {1, 2, "LOG(x) is base 10; LOG(b, x) base b", func(_ *parser.Call, a []val) (val, error) {
		if len(a) == 1 {
			return passOp("$log10", tFloat, 1, 1, "").build(nil, a)
		}
		return passOp("$log", tFloat, 2, 2, "").build(nil, []val{a[1], a[0]})
	}},
	"MOD": passOp("$mod", tUnknown, 2, 2, "remainder"),
	"NOW": {0, 0, "the current time, at every evaluation", func(_ *parser.Call, a []val) (val, error) {
		return exprVal(mql.NamedCall{Op: "$currentDate"}, tDate, true), nil
	}},
	"CURRENT_TIMESTAMP": {0, 0, "the current time, at every evaluation", func(_ *parser.Call, a []val) (val, error) {
		return exprVal(mql.NamedCall{Op: "$currentDate"}, tDate, true), nil
	}},
	"DATE_TRUNC": {2, 2, "truncates a timestamp to a unit", dateTrunc},
	"TO_TIMESTAMP": {1, 1, "a timestamp from an ISO-8601 string or epoch milliseconds", func(_ *parser.Call, a []val) (val, error) {
		return exprVal(call("$toDate", a[0].e), tDate, a[0].notNull), nil
	}},
	"YEAR":   datePartFn("$year", "year of a timestamp"),
	"MONTH":  datePartFn("$month", "month, 1–12"),
	"DAY":    datePartFn("$dayOfMonth", "day of the month, 1–31"),
	"HOUR":   datePartFn("$hour", "hour, 0–23"),
	"MINUTE": datePartFn("$minute", "minute, 0–59"),
	"SECOND": datePartFn("$second", "second, 0–59"),
	"ARRAY_LENGTH": {1, 2, "number of elements; NULL for a non-array", func(c *parser.Call, a []val) (val, error) {
		if len(a) == 2 {
			if d, err := constArg(c, 1, a[1]); err != nil {
				return val{}, err
			} else if i, ok := asInt64(d); !ok || i != 1 {
				return val{}, errorf(c.Args[1], CodeFeatureNotSupport, "ARRAY_LENGTH counts dimension 1 only")
			}
		}
		return arraySize(a[0]), nil
	}},
	"CARDINALITY": {1, 1, "number of elements; NULL for a non-array", func(_ *parser.Call, a []val) (val, error) {
		return arraySize(a[0]), nil
	}},
	"ARRAY_CONTAINS": {2, 2, "whether the array has an element equal to the value", func(_ *parser.Call, a []val) (val, error) {
		return exprVal(call("$cond", call("$isArray", a[0].e), call("$in", a[1].e, a[0].e), null()), tBool, false), nil
	}},
	"GET_FIELD": {2, 2, "a field by name, for names with dots or a leading $", func(c *parser.Call, a []val) (val, error) {
		k, err := constArg(c, 1, a[1])
		if err != nil {
			return val{}, err
		}
		s, ok := k.(string)
		if !ok {
			return val{}, errorf(c.Args[1], CodeDatatypeMismatch, "GET_FIELD takes a field name string, found %v", k)
		}
		return exprVal(getField(s, a[0].e), tUnknown, false), nil
	}},
	"COALESCE": {1, -1, "the first argument that is not NULL", func(_ *parser.Call, a []val) (val, error) {
		var es []mql.Expr
		nn := false
		for _, v := range a {
			if v.isNullConst() {
				continue
			}
			es = append(es, v.e)
			if v.notNull {
				nn = true
				break
			}
		}
		switch len(es) {
		case 0:
			return constVal(nil), nil
		case 1:
			return exprVal(es[0], tUnknown, nn), nil
		}
		return exprVal(call("$ifNull", es...), tUnknown, nn), nil
	}},
	"NULLIF": {2, 2, "NULL when the arguments are equal, else the first", func(_ *parser.Call, a []val) (val, error) {
		if a[1].isNullConst() {
			return a[0], nil
		}
		return exprVal(call("$cond", call("$eq", a[0].e, a[1].e), null(), a[0].e), a[0].t, false), nil
	}},
	"GREATEST": {1, -1, "the largest non-NULL argument", minMax("$max")},
	"LEAST":    {1, -1, "the smallest non-NULL argument", minMax("$min")},
}

func minMax(op string) func(*parser.Call, []val) (val, error) {
	return func(_ *parser.Call, a []val) (val, error) {
		var es []mql.Expr
		nn := false
		for _, v := range a {
			if v.isNullConst() {
				continue
			}
			es = append(es, v.e)
			nn = nn || v.notNull
		}
		if len(es) == 0 {
			return constVal(nil), nil
		}
		return exprVal(call(op, es...), tUnknown, nn), nil
	}
}

func arraySize(v val) val {
	return exprVal(call("$cond", call("$isArray", v.e), call("$size", v.e), null()), tInt, false)
}

func trimFn(op string) func(*parser.Call, []val) (val, error) {
	return func(_ *parser.Call, a []val) (val, error) {
		args := []mql.NamedArg{{Name: "input", Value: a[0].e}}
		if len(a) == 2 {
			args = append(args, mql.NamedArg{Name: "chars", Value: a[1].e})
		}
		return nullSafe(mql.NamedCall{Op: op, Args: args}, tString, a...), nil
	}
}

// substring is SUBSTRING(s, start [, count]) with 1-based positions. A
// constant start below 1 shortens count, as in PostgreSQL.
func substring(c *parser.Call, a []val) (val, error) {
	start := minusOne(a[1])
	var count mql.Expr
	if len(a) == 3 {
		count = a[2].e
	} else {
		count = call("$strLenCP", a[0].e)
	}
	if a[1].lit != nil {
		if i, ok := asInt64(*a[1].lit); ok && i < 1 {
			start = lit(int32(0))
			if len(a) == 3 {
				count = call("$max", lit(int32(0)), call("$add", a[2].e, lit(intValue(i-1))))
			}
		}
	}
	return nullSafe(call("$substrCP", a[0].e, start, count), tString, a...), nil
}

// dateTruncUnits maps PostgreSQL's DATE_TRUNC fields to $dateTrunc units.
var dateTruncUnits = map[string]string{
	"millisecond": "millisecond", "milliseconds": "millisecond",
	"second": "second", "seconds": "second",
	"minute": "minute", "minutes": "minute",
	"hour": "hour", "hours": "hour",
	"day": "day", "days": "day",
	"week": "week", "weeks": "week",
	"month": "month", "months": "month",
	"quarter": "quarter", "quarters": "quarter",
	"year": "year", "years": "year",
}

func dateTrunc(c *parser.Call, a []val) (val, error) {
	u, err := constArg(c, 0, a[0])
	if err != nil {
		return val{}, err
	}
	s, _ := u.(string)
	unit, ok := dateTruncUnits[strings.ToLower(s)]
	if !ok {
		return val{}, errorf(c.Args[0], CodeInvalidParameter, "DATE_TRUNC unit %q is not supported; expected millisecond, second, minute, hour, day, week, month, quarter or year", s)
	}
	args := []mql.NamedArg{{Name: "date", Value: a[1].e}, {Name: "unit", Value: lit(unit)}}
	if unit == "week" {
		// PostgreSQL's weeks start on Monday (ISO 8601); MQL's on Sunday.
		args = append(args, mql.NamedArg{Name: "startOfWeek", Value: lit("monday")})
	}
	return exprVal(mql.NamedCall{Op: "$dateTrunc", Args: args}, tDate, false), nil
}

// call translates a function call: a window function (OVER), an
// aggregate, WINDOW_START()/WINDOW_END(), or a scalar function.
func (t *tr) call(c *parser.Call) (val, error) {
	name := strings.ToUpper(c.Name)
	if c.Over != nil {
		if t.over == nil {
			return val{}, errorf(c, CodeWindowing, "window functions are not allowed in %s", t.overErr)
		}
		return t.over(c)
	}
	if _, ok := windowOnly[name]; ok {
		return val{}, errorf(c, CodeWindowing, "window function %s requires an OVER clause", name)
	}
	if isAggregate(c) {
		if t.agg == nil {
			return val{}, errorf(c, CodeGrouping, "aggregate functions are not allowed in %s", t.aggErr)
		}
		return t.agg(c)
	}
	if c.Star || c.Distinct || c.Filter != nil || c.WithinGroup != nil {
		return val{}, errorf(c, CodeSyntax, "%s is not an aggregate function; *, DISTINCT, FILTER and WITHIN GROUP go with aggregates", name)
	}
	if name == "WINDOW_START" || name == "WINDOW_END" {
		if len(c.Args) != 0 {
			return val{}, errorf(c, CodeUndefinedFunction, "%s takes no arguments", name)
		}
		return t.ref(&parser.Ident{Pos: c.Pos, Parts: []string{name}})
	}
	f, ok := functions[name]
	if !ok {
		return val{}, errorf(c, CodeUndefinedFunction, "function %s does not exist%s", strings.ToLower(c.Name), suggestion(name))
	}
	if len(c.Args) < f.min || (f.max >= 0 && len(c.Args) > f.max) {
		return val{}, errorf(c, CodeUndefinedFunction, "function %s takes %s, found %d", strings.ToLower(c.Name), argCount(f.min, f.max), len(c.Args))
	}
	args := make([]val, len(c.Args))
	for i, a := range c.Args {
		v, err := t.x(a)
		if err != nil {
			return val{}, err
		}
		args[i] = v
	}
	v, err := f.build(c, args)
	if err != nil || !readsTwice(v.e, args) {
		return v, err
	}
	// The translation reads a computed argument more than once (a null
	// test and the operation): bind the arguments once with $let, or
	// nested calls would double the expression per level.
	var berr error
	out := withLet(func(vs []val) mql.Expr {
		b, err := f.build(c, vs)
		berr = err
		return b.e
	}, v.t, v.notNull, args...)
	return out, berr
}

// readsTwice reports whether e holds one of the computed (not a field, a
// variable or a constant) args more than once.
func readsTwice(e mql.Expr, args []val) bool {
	var whole string
	for _, a := range args {
		switch a.e.(type) {
		case mql.FieldPath, mql.Literal, mql.Variable, mql.Meta:
			continue
		}
		if whole == "" {
			whole = encode(e)
		}
		if strings.Count(whole, encode(a.e)) > 1 {
			return true
		}
	}
	return false
}

func argCount(min, max int) string {
	switch {
	case min == max && min == 1:
		return "1 argument"
	case min == max:
		return fmt.Sprintf("%d arguments", min)
	case max < 0:
		return fmt.Sprintf("at least %d arguments", min)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

// knownNames is every function name, for suggestions.
func knownNames() []string {
	var names []string
	for n := range functions {
		names = append(names, n)
	}
	for n := range aggregates {
		names = append(names, n)
	}
	for n := range windowOnly {
		names = append(names, n)
	}
	names = append(names, "WINDOW_START", "WINDOW_END")
	sort.Strings(names)
	return names
}

// suggestion names the known function closest to name, if one is close.
func suggestion(name string) string {
	best, bestD := "", 1<<30
	for _, k := range knownNames() {
		if d := mql.EditDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" || bestD > max(2, len(name)/3) {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", strings.ToLower(best))
}
