package planner

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

// typ is what the planner knows statically about a value's type. Documents
// are dynamically typed, so most values are tUnknown; literals, casts and
// some functions are known, which lets the planner pick PostgreSQL's rule
// (integer division, say) without a run-time test.
type typ uint8

const (
	tUnknown typ = iota
	tNull
	tInt
	tFloat
	tString
	tBool
	tDate
	tArray
)

// val is a translated expression with what is known about it.
type val struct {
	e mql.Expr
	t typ
	// notNull is set when the value can never be null or missing, so
	// null guards can be left out.
	notNull bool
	// path is set when e reads a field of the current document by a plain
	// dotted path, which the query language can test directly.
	path string
	// lit is set for constants; e is then mql.Literal{Value: *lit}.
	lit *any
}

func constVal(v any) val {
	out := val{e: mql.Literal{Value: v}, lit: &v, notNull: v != nil}
	switch v.(type) {
	case nil:
		out.t = tNull
	case int32, int64:
		out.t = tInt
	case float64:
		out.t = tFloat
	case string:
		out.t = tString
	case bool:
		out.t = tBool
	case bson.DateTime:
		out.t = tDate
	}
	return out
}

func exprVal(e mql.Expr, t typ, notNull bool) val { return val{e: e, t: t, notNull: notNull} }

func (v val) isNullConst() bool { return v.lit != nil && *v.lit == nil }

// tr translates SQL expressions in one context. The hooks say what names,
// aggregates and window functions mean there.
type tr struct {
	q *query
	// ref resolves a column reference.
	ref func(id *parser.Ident) (val, error)
	// key, when set, replaces an expression that is a GROUP BY key (after
	// $group, only keys and aggregates are left).
	key func(e parser.Expr) (val, bool, error)
	// agg plans an aggregate call; nil where aggregates are not allowed,
	// with aggErr saying where that is ("WHERE").
	agg    func(c *parser.Call) (val, error)
	aggErr string
	// over plans a window function call; nil where they are not allowed.
	over    func(c *parser.Call) (val, error)
	overErr string
}

// x translates e as a value, with SQL's semantics: NULL propagates and
// boolean operators follow three-valued logic.
func (t *tr) x(e parser.Expr) (val, error) {
	if t.key != nil {
		if v, ok, err := t.key(e); err != nil || ok {
			return v, err
		}
	}
	switch n := e.(type) {
	case *parser.Ident:
		return t.ref(n)
	case *parser.Literal:
		return literal(n)
	case *parser.Param:
		return val{}, errorf(n, CodeUndefinedParameter, "there is no parameter $%d; parameters are bound by PostgreSQL clients over the wire (weir serve)", n.Index)
	case *parser.Interval:
		ms, err := intervalMillis(n)
		if err != nil {
			return val{}, err
		}
		return constVal(ms), nil
	case *parser.Unary:
		return t.unary(n)
	case *parser.Binary:
		return t.binary(n)
	case *parser.IsNull, *parser.IsBool, *parser.In, *parser.Like, *parser.Between:
		return t.boolValue(e)
	case *parser.Call:
		return t.call(n)
	case *parser.Case:
		return t.caseExpr(n)
	case *parser.Cast:
		return t.cast(n)
	case *parser.Subscript:
		return t.subscript(n)
	case *parser.Array:
		elems := make([]mql.Expr, len(n.Elems))
		for i, el := range n.Elems {
			v, err := t.x(el)
			if err != nil {
				return val{}, err
			}
			elems[i] = v.e
		}
		return exprVal(mql.Array{Elems: elems}, tArray, true), nil
	}
	return val{}, errorf(e, CodeFeatureNotSupport, "%s expressions are not supported here", nodeName(e))
}

func nodeName(n parser.Node) string {
	return strings.ToLower(strings.TrimPrefix(fmt.Sprintf("%T", n), "*parser."))
}

func literal(n *parser.Literal) (val, error) {
	switch n.Kind {
	case parser.LitNull:
		return constVal(nil), nil
	case parser.LitBool:
		return constVal(n.Bool()), nil
	case parser.LitString:
		return constVal(n.Text), nil
	case parser.LitInt:
		i, err := n.Int()
		if err != nil {
			// PostgreSQL reads integers too big for bigint as numeric.
			f, _ := n.Float()
			return constVal(f), nil
		}
		return constVal(intValue(i)), nil
	case parser.LitFloat:
		f, err := n.Float()
		if err != nil {
			return val{}, errorf(n, CodeSyntax, "%s is not a number", n.Text)
		}
		return constVal(f), nil
	}
	return val{}, errorf(n, CodeInternal, "internal error: literal kind %q", n.Kind)
}

// intValue is an int32 when it fits, as MongoDB stores small integers.
func intValue(i int64) any {
	if i >= math.MinInt32 && i <= math.MaxInt32 {
		return int32(i)
	}
	return i
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int32:
		return int64(n), true
	case int64:
		return n, true
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// ---- null tests ----

// In BSON order every non-null value sorts above null and missing sorts
// with it, so {$gt: [x, null]} is "x is neither null nor missing" and
// {$lte: [x, null]} its complement, for every type of x.
func isNull(v val) mql.Expr {
	return call("$lte", v.e, null())
}

func notNull(v val) mql.Expr { return call("$gt", v.e, null()) }

func null() mql.Expr { return mql.Literal{Value: nil} }

func call(op string, args ...mql.Expr) mql.Expr { return mql.Call{Op: op, Args: args} }

// anyNull is the run-time test that one of vs is null; nil when none can be.
func anyNull(vs ...val) mql.Expr {
	var tests []mql.Expr
	for _, v := range vs {
		if !v.notNull {
			tests = append(tests, isNull(v))
		}
	}
	switch len(tests) {
	case 0:
		return nil
	case 1:
		return tests[0]
	}
	return call("$or", tests...)
}

// nullSafe returns e, or null when any of args is null: for MQL operators
// that turn null into "" or fail on it where SQL returns NULL.
func nullSafe(e mql.Expr, t typ, args ...val) val {
	for _, a := range args {
		if a.isNullConst() {
			return constVal(nil)
		}
	}
	if test := anyNull(args...); test != nil {
		return exprVal(call("$cond", test, null(), e), t, false)
	}
	return exprVal(e, t, true)
}

func and(es ...mql.Expr) mql.Expr {
	var out []mql.Expr
	seen := map[string]bool{}
	var add func(e mql.Expr)
	add = func(e mql.Expr) {
		if c, ok := e.(mql.Call); ok && c.Op == "$and" {
			for _, a := range c.Args {
				add(a)
			}
			return
		}
		// The same null test often comes from both sides of an AND.
		if k := encode(e); e != nil && !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	for _, e := range es {
		add(e)
	}
	if len(out) == 1 {
		return out[0]
	}
	return call("$and", out...)
}

// ---- operators ----

func (t *tr) unary(n *parser.Unary) (val, error) {
	switch n.Op {
	case "NOT":
		v, err := t.x(n.X)
		if err != nil {
			return val{}, err
		}
		if v.lit != nil {
			if b, ok := (*v.lit).(bool); ok {
				return constVal(!b), nil
			}
			if *v.lit == nil {
				return v, nil
			}
		}
		return t.unaryVal(v), nil
	case "+":
		return t.x(n.X)
	case "-":
		v, err := t.x(n.X)
		if err != nil {
			return val{}, err
		}
		if v.lit != nil {
			switch x := (*v.lit).(type) {
			case int32:
				return constVal(intValue(-int64(x))), nil
			case int64:
				return constVal(-x), nil // a bigint stays a bigint, as in PostgreSQL
			case float64:
				return constVal(-x), nil
			case nil:
				return v, nil
			}
		}
		return exprVal(call("$multiply", mql.Literal{Value: int32(-1)}, v.e), v.t, v.notNull), nil
	}
	return val{}, errorf(n, CodeInternal, "internal error: unary operator %q", n.Op)
}

var comparisonOps = map[string]string{"=": "$eq", "<>": "$ne", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}

// complement is the comparison that is true exactly when op is false, for
// non-null operands.
var complement = map[string]string{"$eq": "$ne", "$ne": "$eq", "$lt": "$gte", "$gte": "$lt", "$gt": "$lte", "$lte": "$gt"}

// flipped is op with its operands swapped: 5 < a is a > 5.
var flipped = map[string]string{"$eq": "$eq", "$ne": "$ne", "$lt": "$gt", "$gt": "$lt", "$lte": "$gte", "$gte": "$lte"}

func (t *tr) binary(n *parser.Binary) (val, error) {
	switch n.Op {
	case "AND", "OR":
		return t.boolValue(n)
	}
	if _, ok := comparisonOps[n.Op]; ok {
		return t.boolValue(n)
	}
	if n.Op == "||" {
		return t.concatOp(n)
	}
	l, err := t.x(n.L)
	if err != nil {
		return val{}, err
	}
	r, err := t.x(n.R)
	if err != nil {
		return val{}, err
	}
	if l.isNullConst() || r.isNullConst() {
		return constVal(nil), nil
	}
	if v, ok, err := foldArith(n, l, r); ok || err != nil {
		return v, err
	}
	rt := tUnknown
	switch {
	case l.t == tInt && r.t == tInt:
		rt = tInt
	case l.t == tFloat || r.t == tFloat:
		rt = tFloat
	case l.t == tDate || r.t == tDate:
		rt = tDate
	}
	nn := l.notNull && r.notNull
	switch n.Op {
	case "+":
		return exprVal(flatCall("$add", l.e, r.e), rt, nn), nil
	case "-":
		if l.t == tDate && r.t == tDate {
			rt = tInt // date − date is milliseconds
		}
		return exprVal(call("$subtract", l.e, r.e), rt, nn), nil
	case "*":
		return exprVal(flatCall("$multiply", l.e, r.e), rt, nn), nil
	case "%":
		return exprVal(call("$mod", l.e, r.e), rt, nn), nil
	case "/":
		return divide(l, r), nil
	}
	return val{}, errorf(n, CodeFeatureNotSupport, "operator %s is not supported", n.Op)
}

// flatCall merges nested calls of an associative operator: a + b + c is
// one $add.
func flatCall(op string, l, r mql.Expr) mql.Expr {
	var args []mql.Expr
	for _, e := range []mql.Expr{l, r} {
		if c, ok := e.(mql.Call); ok && c.Op == op {
			args = append(args, c.Args...)
		} else {
			args = append(args, e)
		}
	}
	return call(op, args...)
}

// divide keeps PostgreSQL's integer division: int / int truncates toward
// zero. MQL's $divide always returns a double, so when the operand types
// are only known at run time the division tests them.
func divide(l, r val) val {
	div := call("$divide", l.e, r.e)
	nn := l.notNull && r.notNull
	switch {
	case l.t == tFloat || r.t == tFloat:
		return exprVal(div, tFloat, nn)
	case l.t == tInt && r.t == tInt:
		return exprVal(call("$toLong", call("$trunc", div)), tInt, nn)
	}
	// Each operand is read three times: bind the computed ones once, or
	// nested divisions would grow the expression threefold per level.
	return withLet(func(vs []val) mql.Expr {
		div := call("$divide", vs[0].e, vs[1].e)
		var tests []mql.Expr
		for _, v := range vs {
			if v.t != tInt {
				tests = append(tests, call("$in", call("$type", v.e), mql.Array{Elems: []mql.Expr{mql.Literal{Value: "int"}, mql.Literal{Value: "long"}}}))
			}
		}
		return call("$cond", and(tests...), call("$toLong", call("$trunc", div)), div)
	}, tUnknown, nn, l, r)
}

// foldArith computes arithmetic on two numeric constants at plan time.
func foldArith(n *parser.Binary, l, r val) (val, bool, error) {
	if l.lit == nil || r.lit == nil {
		return val{}, false, nil
	}
	li, lok := asInt64(*l.lit)
	ri, rok := asInt64(*r.lit)
	if lok && rok {
		// As in PostgreSQL, a bigint operand makes the result a bigint;
		// integers alone stay integers while they fit.
		_, lWide := (*l.lit).(int64)
		_, rWide := (*r.lit).(int64)
		intValue := func(i int64) any {
			if lWide || rWide {
				return i
			}
			return intValue(i)
		}
		switch n.Op {
		case "+":
			if s := li + ri; (s > li) == (ri > 0) {
				return constVal(intValue(s)), true, nil
			}
		case "-":
			if s := li - ri; (s < li) == (ri > 0) {
				return constVal(intValue(s)), true, nil
			}
		case "*":
			if li == 0 || (li*ri)/li == ri {
				return constVal(intValue(li * ri)), true, nil
			}
		case "/", "%":
			if ri == 0 {
				return val{}, true, errorf(n, CodeDivisionByZero, "division by zero")
			}
			if n.Op == "/" {
				return constVal(intValue(li / ri)), true, nil
			}
			return constVal(intValue(li % ri)), true, nil
		}
		return val{}, false, nil
	}
	lf, lok := asFloat(*l.lit)
	rf, rok := asFloat(*r.lit)
	if !lok || !rok {
		return val{}, false, nil
	}
	switch n.Op {
	case "+":
		return constVal(lf + rf), true, nil
	case "-":
		return constVal(lf - rf), true, nil
	case "*":
		return constVal(lf * rf), true, nil
	case "/":
		if rf == 0 {
			return val{}, true, errorf(n, CodeDivisionByZero, "division by zero")
		}
		return constVal(lf / rf), true, nil
	}
	return val{}, false, nil
}

// concatOp is ||: NULL in, NULL out, as in PostgreSQL; constants that are
// not strings are converted at plan time.
func (t *tr) concatOp(n *parser.Binary) (val, error) {
	var parts []parser.Expr
	var flatten func(e parser.Expr)
	flatten = func(e parser.Expr) {
		if b, ok := e.(*parser.Binary); ok && b.Op == "||" {
			flatten(b.L)
			flatten(b.R)
			return
		}
		parts = append(parts, e)
	}
	flatten(n)
	args := make([]mql.Expr, 0, len(parts))
	nn := true
	for _, p := range parts {
		v, err := t.x(p)
		if err != nil {
			return val{}, err
		}
		if v.isNullConst() {
			return constVal(nil), nil
		}
		if v.lit != nil {
			s, err := constString(p, *v.lit)
			if err != nil {
				return val{}, err
			}
			v = constVal(s)
		}
		nn = nn && v.notNull
		args = append(args, v.e)
	}
	return exprVal(call("$concat", args...), tString, nn), nil
}

// constString is a constant's text, as PostgreSQL's ::text prints it.
func constString(n parser.Node, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int32, int64:
		return fmt.Sprint(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case bson.DateTime:
		return x.Time().UTC().Format("2006-01-02 15:04:05.999Z07:00"), nil
	}
	return "", errorf(n, CodeDatatypeMismatch, "can't convert %v to text", v)
}

// boolValue translates a predicate as a value: true, false or null.
func (t *tr) boolValue(e parser.Expr) (val, error) {
	switch n := e.(type) {
	case *parser.Binary:
		switch n.Op {
		case "AND", "OR":
			l, err := t.x(n.L)
			if err != nil {
				return val{}, err
			}
			r, err := t.x(n.R)
			if err != nil {
				return val{}, err
			}
			return logic(n.Op, l, r), nil
		}
		op := comparisonOps[n.Op]
		l, err := t.x(n.L)
		if err != nil {
			return val{}, err
		}
		r, err := t.x(n.R)
		if err != nil {
			return val{}, err
		}
		if l.isNullConst() || r.isNullConst() {
			return constVal(nil), nil
		}
		if l.notNull && r.notNull {
			return exprVal(call(op, l.e, r.e), tBool, true), nil
		}
		return withLet(func(vs []val) mql.Expr {
			return call("$cond", anyNull(vs...), null(), call(op, vs[0].e, vs[1].e))
		}, tBool, false, l, r), nil
	case *parser.IsNull, *parser.IsBool:
		p, err := t.pred(e, false)
		if err != nil {
			return val{}, err
		}
		return exprVal(p, tBool, true), nil
	case *parser.Between:
		return t.x(betweenAsAnd(n))
	case *parser.In:
		return t.inValue(n)
	case *parser.Like:
		x, err := t.x(n.X)
		if err != nil {
			return val{}, err
		}
		m, err := t.likeMatch(n, x)
		if err != nil {
			return val{}, err
		}
		if n.Not {
			m = call("$not", m)
		}
		if x.isNullConst() {
			return constVal(nil), nil
		}
		if x.notNull {
			return exprVal(m, tBool, true), nil
		}
		return withLet(func(vs []val) mql.Expr {
			m, _ := t.likeMatch(n, vs[0])
			if n.Not {
				m = call("$not", m)
			}
			return call("$cond", isNull(vs[0]), null(), m)
		}, tBool, false, x), nil
	}
	return val{}, errorf(e, CodeInternal, "internal error: %s is not a predicate", nodeName(e))
}

// logic is AND or OR with SQL's three-valued truth tables: FALSE AND NULL
// is FALSE, TRUE OR NULL is TRUE, and otherwise NULL wins.
func logic(op string, l, r val) val {
	dominant := op == "OR" // the value that decides alone
	for _, v := range []val{l, r} {
		if v.lit != nil {
			if b, ok := (*v.lit).(bool); ok && b == dominant {
				return constVal(dominant)
			}
		}
	}
	if l.notNull && r.notNull {
		mop := "$and"
		if op == "OR" {
			mop = "$or"
		}
		return exprVal(call(mop, l.e, r.e), tBool, true)
	}
	branch := func(c, then mql.Expr) mql.Expr {
		return mql.Object{Fields: []mql.Field{{Name: "case", Value: c}, {Name: "then", Value: then}}}
	}
	d := mql.Literal{Value: dominant}
	return withLet(func(vs []val) mql.Expr {
		l, r := vs[0], vs[1]
		return mql.NamedCall{Op: "$switch", Args: []mql.NamedArg{
			{Name: "branches", Value: mql.Array{Elems: []mql.Expr{
				branch(call("$eq", l.e, d), d),
				branch(call("$eq", r.e, d), d),
				branch(anyNull(l, r), null()),
			}}},
			{Name: "default", Value: mql.Literal{Value: !dominant}},
		}}
	}, tBool, false, l, r)
}

// withLet builds an expression that reads its operands more than once.
// Operands that are more than a field, a variable or a constant are bound
// once with $let, so the expression stays readable and each operand is
// evaluated once.
func withLet(build func([]val) mql.Expr, t typ, notNull bool, vs ...val) val {
	names := []string{"l", "r", "x", "y"}
	var vars []mql.Field
	bound := make([]val, len(vs))
	for i, v := range vs {
		bound[i] = v
		switch v.e.(type) {
		case mql.FieldPath, mql.Literal, mql.Variable, mql.Meta:
			continue
		}
		name := fmt.Sprintf("v%d", i)
		if i < len(names) {
			name = names[i]
		}
		vars = append(vars, mql.Field{Name: name, Value: v.e})
		bound[i] = val{e: mql.Variable{Name: name}, t: v.t, notNull: v.notNull}
	}
	e := build(bound)
	if len(vars) > 0 {
		e = mql.NamedCall{Op: "$let", Args: []mql.NamedArg{{Name: "vars", Value: mql.Object{Fields: vars}}, {Name: "in", Value: e}}}
	}
	return exprVal(e, t, notNull)
}

// betweenAsAnd rewrites x BETWEEN lo AND hi as x >= lo AND x <= hi (and NOT
// BETWEEN as its negation), so both contexts reuse the comparison rules.
func betweenAsAnd(n *parser.Between) parser.Expr {
	var e parser.Expr = &parser.Binary{Pos: n.Pos, Op: "AND",
		L: &parser.Binary{Pos: n.Pos, Op: ">=", L: n.X, R: n.Lo},
		R: &parser.Binary{Pos: n.Pos, Op: "<=", L: n.X, R: n.Hi}}
	if n.Not {
		e = &parser.Unary{Pos: n.Pos, Op: "NOT", X: e}
	}
	return e
}

// inValue is x [NOT] IN (list) as a value: NULL when x is NULL, or when
// no element matches and one is NULL.
func (t *tr) inValue(n *parser.In) (val, error) {
	x, err := t.x(n.X)
	if err != nil {
		return val{}, err
	}
	if x.isNullConst() {
		return constVal(nil), nil
	}
	elems, hasNull, maybeNull, err := t.inList(n)
	if err != nil {
		return val{}, err
	}
	found := call("$in", x.e, mql.Array{Elems: elems})
	var notFound mql.Expr = mql.Literal{Value: false}
	nn := x.notNull
	switch {
	case hasNull:
		notFound, nn = null(), false
	case len(maybeNull) > 0:
		notFound, nn = call("$cond", call("$or", maybeNull...), null(), mql.Literal{Value: false}), false
	}
	var e mql.Expr
	if _, isFalse := notFound.(mql.Literal); isFalse && !hasNull {
		e = found
	} else {
		e = call("$cond", found, mql.Literal{Value: true}, notFound)
	}
	v := exprVal(e, tBool, nn)
	if !x.notNull {
		v = withLet(func(vs []val) mql.Expr {
			found := call("$in", vs[0].e, mql.Array{Elems: elems})
			e := found
			if _, isFalse := notFound.(mql.Literal); !isFalse || hasNull {
				e = call("$cond", found, mql.Literal{Value: true}, notFound)
			}
			return call("$cond", isNull(vs[0]), null(), e)
		}, tBool, false, x)
	}
	if n.Not {
		return t.unaryVal(v), nil
	}
	return v, nil
}

// unaryVal is NOT v with three-valued logic.
func (t *tr) unaryVal(v val) val {
	if v.notNull {
		return exprVal(call("$not", v.e), tBool, true)
	}
	return withLet(func(vs []val) mql.Expr {
		return call("$cond", isNull(vs[0]), null(), call("$not", vs[0].e))
	}, tBool, false, v)
}

// inList translates an IN list: the non-NULL elements, whether a NULL
// constant was dropped, and null tests for elements that may be NULL at
// run time.
func (t *tr) inList(n *parser.In) (elems []mql.Expr, hasNull bool, maybeNull []mql.Expr, err error) {
	for _, el := range n.List {
		v, err := t.x(el)
		if err != nil {
			return nil, false, nil, err
		}
		if v.isNullConst() {
			hasNull = true
			continue
		}
		if !v.notNull {
			maybeNull = append(maybeNull, isNull(v))
		}
		elems = append(elems, v.e)
	}
	return elems, hasNull, maybeNull, nil
}

// likeRegex turns a LIKE pattern into an anchored regular expression: %
// is .*, _ is ., a backslash escapes the next character, and everything
// else matches itself.
func likeRegex(pattern string) string {
	var b strings.Builder
	b.WriteString("^")
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 < len(rs) {
				i++
				b.WriteString(regexpQuote(rs[i]))
			} else {
				b.WriteString(`\\`)
			}
		default:
			b.WriteString(regexpQuote(c))
		}
	}
	b.WriteString("$")
	return b.String()
}

func regexpQuote(r rune) string {
	if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
		return `\` + string(r)
	}
	return string(r)
}

// likePattern reads a LIKE pattern, which must be a constant: the regular
// expression is built at plan time.
func (t *tr) likePattern(n *parser.Like) (re, opts string, err error) {
	p, err := t.x(n.Pattern)
	if err != nil {
		return "", "", err
	}
	s, ok := "", false
	if p.lit != nil {
		s, ok = (*p.lit).(string)
	}
	if !ok {
		return "", "", errorf(n.Pattern, CodeFeatureNotSupport, "a LIKE pattern must be a string constant; use REGEXP_LIKE(x, pattern) for a computed pattern")
	}
	re = likeRegex(s)
	if n.ILike {
		opts = "i"
	}
	if strings.ContainsAny(s, "%_") {
		// s lets . match newlines, as % and _ do in PostgreSQL.
		opts += "s"
	}
	return re, opts, nil
}

func (t *tr) likeMatch(n *parser.Like, x val) (mql.Expr, error) {
	re, opts, err := t.likePattern(n)
	if err != nil {
		return nil, err
	}
	return regexMatch(x.e, mql.Literal{Value: re}, opts), nil
}

func regexMatch(input, re mql.Expr, opts string) mql.Expr {
	args := []mql.NamedArg{{Name: "input", Value: input}, {Name: "regex", Value: re}}
	if opts != "" {
		args = append(args, mql.NamedArg{Name: "options", Value: mql.Literal{Value: opts}})
	}
	return mql.NamedCall{Op: "$regexMatch", Args: args}
}

func (t *tr) caseExpr(n *parser.Case) (val, error) {
	var branches []mql.Expr
	for _, w := range n.Whens {
		cond := w.Cond
		if n.Operand != nil {
			cond = &parser.Binary{Pos: w.Pos, Op: "=", L: n.Operand, R: w.Cond}
		}
		// A WHEN whose condition is NULL falls through, so the branch
		// needs the condition to be TRUE, not merely not false.
		c, err := t.pred(cond, false)
		if err != nil {
			return val{}, err
		}
		r, err := t.x(w.Result)
		if err != nil {
			return val{}, err
		}
		branches = append(branches, mql.Object{Fields: []mql.Field{{Name: "case", Value: c}, {Name: "then", Value: r.e}}})
	}
	def := constVal(nil)
	if n.Else != nil {
		var err error
		if def, err = t.x(n.Else); err != nil {
			return val{}, err
		}
	}
	return exprVal(mql.NamedCall{Op: "$switch", Args: []mql.NamedArg{
		{Name: "branches", Value: mql.Array{Elems: branches}},
		{Name: "default", Value: def.e},
	}}, tUnknown, false), nil
}

// castOps maps SQL types to MQL's conversion operators.
var castOps = map[string]struct {
	op string
	t  typ
}{
	"INTEGER":                  {"$toInt", tInt},
	"SMALLINT":                 {"$toInt", tInt},
	"BIGINT":                   {"$toLong", tInt},
	"DOUBLE PRECISION":         {"$toDouble", tFloat},
	"REAL":                     {"$toDouble", tFloat},
	"DECIMAL":                  {"$toDecimal", tUnknown},
	"TEXT":                     {"$toString", tString},
	"VARCHAR":                  {"$toString", tString},
	"BOOLEAN":                  {"$toBool", tBool},
	"TIMESTAMP":                {"$toDate", tDate},
	"TIMESTAMP WITH TIME ZONE": {"$toDate", tDate},
	"DATE":                     {"$toDate", tDate},
}

func (t *tr) cast(n *parser.Cast) (val, error) {
	x, err := t.x(n.X)
	if err != nil {
		return val{}, err
	}
	if n.Type.Array {
		return val{}, errorf(n.Type, CodeFeatureNotSupport, "casts to array types are not supported; arrays in documents keep their element types")
	}
	if n.Type.Name == "JSON" || n.Type.Name == "JSONB" {
		// Documents are already JSON: the value is its own JSON form.
		return x, nil
	}
	c, ok := castOps[n.Type.Name]
	if !ok {
		return val{}, errorf(n.Type, CodeFeatureNotSupport, "casts to %s are not supported", n.Type.Name)
	}
	if x.isNullConst() {
		return x, nil
	}
	if x.lit != nil {
		if v, ok, err := foldCast(n, *x.lit, n.Type.Name); ok || err != nil {
			return v, err
		}
	}
	if n.Type.Name == "BOOLEAN" && x.t != tInt && x.t != tFloat {
		if x.t == tBool {
			return x, nil
		}
		return textToBool(x), nil
	}
	e := call(c.op, x.e)
	if n.Type.Name == "DATE" {
		e = mql.NamedCall{Op: "$dateTrunc", Args: []mql.NamedArg{{Name: "date", Value: e}, {Name: "unit", Value: mql.Literal{Value: "day"}}}}
	}
	return exprVal(e, c.t, x.notNull), nil
}

// The strings PostgreSQL reads as booleans (any case, spaces trimmed):
// true, yes, on, 1 and false, no, off, 0, and unique prefixes of the words.
var (
	trueTexts  = []string{"t", "tr", "tru", "true", "y", "ye", "yes", "on", "1"}
	falseTexts = []string{"f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0"}
)

func boolText(s string) (b, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, t := range trueTexts {
		if s == t {
			return true, true
		}
	}
	for _, t := range falseTexts {
		if s == t {
			return false, true
		}
	}
	return false, false
}

// textToBool is CAST(x AS BOOLEAN) for a value that may be a string:
// $toBool makes every string true ('false' too), so strings are read as
// PostgreSQL reads them, and one that is not a boolean fails the document
// (through $toInt, as PostgreSQL raises an error); other types keep
// $toBool (0 is false, other numbers true).
func textToBool(x val) val {
	texts := func(ss []string) mql.Expr {
		a := mql.Array{}
		for _, s := range ss {
			a.Elems = append(a.Elems, lit(s))
		}
		return a
	}
	return withLet(func(vs []val) mql.Expr {
		v := vs[0].e
		norm := call("$toLower", mql.NamedCall{Op: "$trim", Args: []mql.NamedArg{{Name: "input", Value: v}}})
		branch := func(c, then mql.Expr) mql.Expr {
			return mql.Object{Fields: []mql.Field{{Name: "case", Value: c}, {Name: "then", Value: then}}}
		}
		fromText := mql.NamedCall{Op: "$switch", Args: []mql.NamedArg{
			{Name: "branches", Value: mql.Array{Elems: []mql.Expr{
				branch(call("$in", norm, texts(trueTexts)), lit(true)),
				branch(call("$in", norm, texts(falseTexts)), lit(false)),
			}}},
			{Name: "default", Value: call("$toBool", call("$toInt", v))},
		}}
		return call("$cond", call("$eq", call("$type", v), lit("string")), fromText, call("$toBool", v))
	}, tBool, x.notNull, x)
}

// timestampLayouts are the ISO-8601 forms TIMESTAMP '…' accepts.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func parseTimestamp(s string) (time.Time, bool) {
	for _, l := range timestampLayouts {
		if tm, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return tm, true
		}
	}
	return time.Time{}, false
}

// foldCast converts constants at plan time where the result is certain.
func foldCast(n *parser.Cast, v any, to string) (val, bool, error) {
	switch to {
	case "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE":
		s, ok := v.(string)
		if !ok {
			return val{}, false, nil
		}
		tm, ok := parseTimestamp(s)
		if !ok {
			return val{}, true, errorf(n.X, CodeDatetimeFormat, "invalid input syntax for type timestamp: %q; expected ISO 8601, such as '2024-05-01 12:00:00Z'", s)
		}
		if to == "DATE" {
			tm = tm.UTC().Truncate(24 * time.Hour)
		}
		return constVal(bson.NewDateTimeFromTime(tm)), true, nil
	case "TEXT", "VARCHAR":
		if _, isDate := v.(bson.DateTime); isDate {
			return val{}, false, nil
		}
		s, err := constString(n, v)
		return constVal(s), err == nil, nil
	case "BOOLEAN":
		switch x := v.(type) {
		case bool:
			return constVal(x), true, nil
		case string:
			b, ok := boolText(x)
			if !ok {
				return val{}, true, errorf(n.X, CodeInvalidText, "invalid input syntax for type boolean: %q; expected true, false, yes, no, on, off, 1 or 0", x)
			}
			return constVal(b), true, nil
		case int32, int64:
			i, _ := asInt64(x)
			return constVal(i != 0), true, nil
		}
	case "DOUBLE PRECISION", "REAL":
		if s, ok := v.(string); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return constVal(f), true, nil
			}
		}
		if f, ok := asFloat(v); ok {
			return constVal(f), true, nil
		}
	case "BIGINT", "INTEGER", "SMALLINT":
		if s, ok := v.(string); ok {
			if i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				v = i
			}
		}
		if i, ok := asInt64(v); ok {
			if to == "BIGINT" {
				return constVal(i), true, nil
			}
			return constVal(intValue(i)), true, nil
		}
	}
	return val{}, false, nil
}

// subscript is arr[i] (0-based, as MQL and JSON count) or obj['key'].
func (t *tr) subscript(n *parser.Subscript) (val, error) {
	x, err := t.x(n.X)
	if err != nil {
		return val{}, err
	}
	i, err := t.x(n.Index)
	if err != nil {
		return val{}, err
	}
	if i.lit != nil {
		if k, ok := (*i.lit).(string); ok {
			if x.path != "" && simpleName(k) {
				p := x.path + "." + k
				return val{e: mql.FieldPath{Path: p}, path: p}, nil
			}
			return exprVal(getField(k, x.e), tUnknown, false), nil
		}
	}
	return exprVal(call("$arrayElemAt", x.e, i.e), tUnknown, false), nil
}

func getField(name string, input mql.Expr) mql.Expr {
	args := []mql.NamedArg{{Name: "field", Value: mql.Literal{Value: name}}}
	if input != nil {
		args = append(args, mql.NamedArg{Name: "input", Value: input})
	}
	return mql.NamedCall{Op: "$getField", Args: args}
}

// simpleName reports whether a field name can be written in a dotted path.
func simpleName(s string) bool {
	return s != "" && !strings.Contains(s, ".") && !strings.HasPrefix(s, "$")
}

// fieldVal reads parts as a path into the current document.
func fieldVal(parts []string) val {
	for _, p := range parts {
		if !simpleName(p) {
			// Names with dots or a leading $ can't be written in a
			// path; $getField reads them one level at a time.
			var e mql.Expr
			for i, q := range parts {
				if i == 0 {
					e = getField(q, nil)
				} else {
					e = getField(q, e)
				}
			}
			return exprVal(e, tUnknown, false)
		}
	}
	p := strings.Join(parts, ".")
	return val{e: mql.FieldPath{Path: p}, path: p}
}
