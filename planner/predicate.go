package planner

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

// pred translates a condition into an expression that is true exactly when
// the condition is TRUE (with neg, exactly when it is FALSE). Where SQL's
// answer is NULL, the expression is false: that is what WHERE, HAVING, ON
// and CASE WHEN need, and it lets NOT be pushed down by De Morgan's laws
// without losing the unknowns.
func (t *tr) pred(e parser.Expr, neg bool) (mql.Expr, error) {
	if t.key != nil {
		if v, ok, err := t.key(e); err != nil {
			return nil, err
		} else if ok {
			return truthTest(v, neg), nil
		}
	}
	switch n := e.(type) {
	case *parser.Unary:
		if n.Op == "NOT" {
			return t.pred(n.X, !neg)
		}
	case *parser.Binary:
		switch n.Op {
		case "AND", "OR":
			l, err := t.pred(n.L, neg)
			if err != nil {
				return nil, err
			}
			r, err := t.pred(n.R, neg)
			if err != nil {
				return nil, err
			}
			if (n.Op == "AND") != neg {
				return and(l, r), nil
			}
			return flatCall("$or", l, r), nil
		}
		if op, ok := comparisonOps[n.Op]; ok {
			l, err := t.x(n.L)
			if err != nil {
				return nil, err
			}
			r, err := t.x(n.R)
			if err != nil {
				return nil, err
			}
			if l.isNullConst() || r.isNullConst() {
				return mql.Literal{Value: false}, nil
			}
			if neg {
				op = complement[op]
			}
			// Null and missing sort below every other value, so against
			// a non-null constant $eq, $gt and $gte (constant on the
			// right) are already false for them.
			switch {
			case r.lit != nil && (op == "$eq" || op == "$gt" || op == "$gte"):
				l.notNull = true
			case l.lit != nil && (op == "$eq" || op == "$lt" || op == "$lte"):
				r.notNull = true
			}
			return guarded(call(op, l.e, r.e), l, r), nil
		}
	case *parser.IsNull:
		x, err := t.x(n.X)
		if err != nil {
			return nil, err
		}
		if x.lit != nil || x.notNull {
			return mql.Literal{Value: x.isNullConst() != (n.Not != neg)}, nil
		}
		if n.Not != neg {
			return notNull(x), nil
		}
		return isNull(x), nil
	case *parser.IsBool:
		x, err := t.x(n.X)
		if err != nil {
			return nil, err
		}
		op := "$eq"
		if n.Not != neg {
			op = "$ne"
		}
		return call(op, x.e, mql.Literal{Value: n.Value}), nil
	case *parser.Between:
		return t.pred(betweenAsAnd(n), neg)
	case *parser.In:
		x, err := t.x(n.X)
		if err != nil {
			return nil, err
		}
		elems, hasNull, maybeNull, err := t.inList(n)
		if err != nil {
			return nil, err
		}
		in := call("$in", x.e, mql.Array{Elems: elems})
		if n.Not == neg {
			return guarded(in, x), nil
		}
		if hasNull {
			// x NOT IN (…, NULL, …) is never true.
			return mql.Literal{Value: false}, nil
		}
		var tests []mql.Expr
		if !x.notNull {
			tests = append(tests, notNull(x))
		}
		tests = append(tests, call("$not", in))
		for _, m := range maybeNull {
			tests = append(tests, call("$not", m))
		}
		return and(tests...), nil
	case *parser.Like:
		x, err := t.x(n.X)
		if err != nil {
			return nil, err
		}
		m, err := t.likeMatch(n, x)
		if err != nil {
			return nil, err
		}
		if n.Not != neg {
			m = call("$not", m)
		}
		if x.t == tString && n.Not == neg {
			return m, nil // $regexMatch is false for null
		}
		// $regexMatch fails on a number; a non-string is not LIKE
		// anything and not NOT LIKE anything either.
		return and(call("$eq", call("$type", x.e), mql.Literal{Value: "string"}), m), nil
	}
	v, err := t.x(e)
	if err != nil {
		return nil, err
	}
	return truthTest(v, neg), nil
}

// truthTest is "v is TRUE" (or FALSE, with neg) for a boolean value.
func truthTest(v val, neg bool) mql.Expr {
	if v.lit != nil {
		b, ok := (*v.lit).(bool)
		return mql.Literal{Value: ok && b != neg}
	}
	return call("$eq", v.e, mql.Literal{Value: !neg})
}

// guarded adds "is not null" tests for the operands that may be null, so
// the comparison is false rather than true when SQL's answer is unknown:
// {$eq: [null, null]} is true in MQL.
func guarded(cmp mql.Expr, vs ...val) mql.Expr {
	es := []mql.Expr{cmp}
	for _, v := range vs {
		if !v.notNull {
			es = append(es, notNull(v))
		}
	}
	return and(es...)
}

// ---- the query language ----

// matchQuery translates a condition into a $match query that matches
// exactly when the condition is TRUE (FALSE with neg). The query language
// is used where it agrees with SQL: comparisons of a field with a constant
// (type bracketing never matches null, missing or another type, as SQL's
// unknown never passes a WHERE), IS NULL, IN, LIKE. Anything else becomes
// {$expr: …}.
func (t *tr) matchQuery(e parser.Expr, neg bool) (*mql.Query, error) {
	switch n := e.(type) {
	case *parser.Unary:
		if n.Op == "NOT" {
			return t.matchQuery(n.X, !neg)
		}
	case *parser.Binary:
		switch n.Op {
		case "AND", "OR":
			l, err := t.matchQuery(n.L, neg)
			if err != nil {
				return nil, err
			}
			r, err := t.matchQuery(n.R, neg)
			if err != nil {
				return nil, err
			}
			if (n.Op == "AND") != neg {
				return andQueries(l, r), nil
			}
			return orQueries(l, r), nil
		}
		if op, ok := comparisonOps[n.Op]; ok {
			if q, ok, err := t.compareQuery(n, op, neg); ok || err != nil {
				return q, err
			}
		}
	case *parser.IsNull:
		x, err := t.x(n.X)
		if err != nil {
			return nil, err
		}
		if x.path != "" {
			if n.Not != neg {
				return fieldQuery(x.path, mql.Cond{Op: "$ne", Value: nil}), nil
			}
			return &mql.Query{Clauses: []mql.Clause{mql.FieldClause{Path: x.path, Conds: []mql.Cond{{Op: "$eq", Value: nil}}, Implicit: true}}}, nil
		}
	case *parser.IsBool:
		x, err := t.x(n.X)
		if err != nil {
			return nil, err
		}
		if x.path != "" {
			if n.Not != neg {
				return fieldQuery(x.path, mql.Cond{Op: "$ne", Value: n.Value}), nil
			}
			return eqQuery(x.path, n.Value), nil
		}
	case *parser.Between:
		return t.matchQuery(betweenAsAnd(n), neg)
	case *parser.In:
		if q, ok, err := t.inQuery(n, neg); ok || err != nil {
			return q, err
		}
	case *parser.Like:
		x, err := t.x(n.X)
		if err != nil {
			return nil, err
		}
		if x.path != "" {
			re, opts, err := t.likePattern(n)
			if err != nil {
				return nil, err
			}
			r := bson.Regex{Pattern: re, Options: opts}
			if n.Not != neg {
				// $not alone would match missing fields and
				// non-strings, which NOT LIKE never does.
				return fieldQuery(x.path, mql.Cond{Op: "$type", Value: "string"}, mql.Cond{Op: "$not", Conds: []mql.Cond{{Op: "$regex", Value: r}}}), nil
			}
			return fieldQuery(x.path, mql.Cond{Op: "$regex", Value: r}), nil
		}
	case *parser.Ident, *parser.Subscript:
		// A boolean column: WHERE active.
		x, err := t.x(e)
		if err != nil {
			return nil, err
		}
		if x.path != "" {
			return eqQuery(x.path, !neg), nil
		}
	}
	p, err := t.pred(e, neg)
	if err != nil {
		return nil, err
	}
	return exprQuery(p), nil
}

func exprQuery(e mql.Expr) *mql.Query {
	return &mql.Query{Clauses: []mql.Clause{mql.ExprClause{Expr: e}}}
}

func fieldQuery(path string, conds ...mql.Cond) *mql.Query {
	return &mql.Query{Clauses: []mql.Clause{mql.FieldClause{Path: path, Conds: conds}}}
}

func eqQuery(path string, v any) *mql.Query {
	return &mql.Query{Clauses: []mql.Clause{mql.FieldClause{Path: path, Conds: []mql.Cond{{Op: "$eq", Value: v}}, Implicit: true}}}
}

// queryable reports whether a constant can be a query operand with the
// same meaning as in SQL: scalars whose type bracket is their own.
func queryable(v val) bool {
	if v.lit == nil {
		return false
	}
	switch (*v.lit).(type) {
	case int32, int64, float64, string, bool, bson.DateTime:
		return true
	}
	return false
}

// compareQuery is field op constant (or constant op field) in the query
// language.
func (t *tr) compareQuery(n *parser.Binary, op string, neg bool) (*mql.Query, bool, error) {
	l, err := t.x(n.L)
	if err != nil {
		return nil, false, err
	}
	r, err := t.x(n.R)
	if err != nil {
		return nil, false, err
	}
	if l.isNullConst() || r.isNullConst() {
		return exprQuery(mql.Literal{Value: false}), true, nil
	}
	if l.path == "" && r.path != "" {
		l, r, op = r, l, flipped[op]
	}
	if l.path == "" || !queryable(r) {
		return nil, false, nil
	}
	if neg {
		op = complement[op]
	}
	switch op {
	case "$eq":
		return eqQuery(l.path, *r.lit), true, nil
	case "$ne":
		// $ne alone matches null and missing fields, where SQL's <> is
		// unknown.
		return fieldQuery(l.path, mql.Cond{Op: "$nin", Value: bson.A{*r.lit, nil}}), true, nil
	}
	return fieldQuery(l.path, mql.Cond{Op: op, Value: *r.lit}), true, nil
}

func (t *tr) inQuery(n *parser.In, neg bool) (*mql.Query, bool, error) {
	x, err := t.x(n.X)
	if err != nil {
		return nil, false, err
	}
	if x.path == "" {
		return nil, false, nil
	}
	var vals bson.A
	hasNull := false
	for _, el := range n.List {
		v, err := t.x(el)
		if err != nil {
			return nil, false, err
		}
		if v.isNullConst() {
			hasNull = true
			continue
		}
		if !queryable(v) {
			return nil, false, nil
		}
		vals = append(vals, *v.lit)
	}
	if n.Not == neg {
		if len(vals) == 0 {
			return exprQuery(mql.Literal{Value: false}), true, nil
		}
		// NULLs in the list never match: {$in: [null]} would match
		// null and missing fields.
		return fieldQuery(x.path, mql.Cond{Op: "$in", Value: vals}), true, nil
	}
	if hasNull {
		return exprQuery(mql.Literal{Value: false}), true, nil
	}
	return fieldQuery(x.path, mql.Cond{Op: "$nin", Value: append(vals, nil)}), true, nil
}

// andQueries joins queries with AND: their clauses side by side when no
// key repeats (conditions on one field merge into one clause), else an
// explicit $and.
func andQueries(qs ...*mql.Query) *mql.Query {
	out := &mql.Query{}
	index := map[string]int{}
	for _, q := range qs {
		for _, c := range q.Clauses {
			k := clauseKey(c)
			i, seen := index[k]
			if !seen {
				index[k] = len(out.Clauses)
				out.Clauses = append(out.Clauses, c)
				continue
			}
			prev, ok1 := out.Clauses[i].(mql.FieldClause)
			cur, ok2 := c.(mql.FieldClause)
			if ok1 && ok2 && !prev.Implicit && !cur.Implicit && !overlap(prev.Conds, cur.Conds) {
				prev.Conds = append(append([]mql.Cond{}, prev.Conds...), cur.Conds...)
				out.Clauses[i] = prev
				continue
			}
			if pe, ok := out.Clauses[i].(mql.ExprClause); ok {
				if ce, ok := c.(mql.ExprClause); ok {
					out.Clauses[i] = mql.ExprClause{Expr: and(pe.Expr, ce.Expr)}
					continue
				}
			}
			var subs []*mql.Query
			for _, q := range qs {
				if l, ok := singleLogical(q, "$and"); ok {
					subs = append(subs, l.Queries...)
				} else {
					subs = append(subs, q)
				}
			}
			return &mql.Query{Clauses: []mql.Clause{mql.Logical{Op: "$and", Queries: subs}}}
		}
	}
	return out
}

func orQueries(l, r *mql.Query) *mql.Query {
	var subs []*mql.Query
	for _, q := range []*mql.Query{l, r} {
		if lg, ok := singleLogical(q, "$or"); ok {
			subs = append(subs, lg.Queries...)
		} else {
			subs = append(subs, q)
		}
	}
	return &mql.Query{Clauses: []mql.Clause{mql.Logical{Op: "$or", Queries: subs}}}
}

func singleLogical(q *mql.Query, op string) (mql.Logical, bool) {
	if len(q.Clauses) == 1 {
		if l, ok := q.Clauses[0].(mql.Logical); ok && l.Op == op {
			return l, true
		}
	}
	return mql.Logical{}, false
}

func clauseKey(c mql.Clause) string {
	switch x := c.(type) {
	case mql.FieldClause:
		return "f:" + x.Path
	case mql.Logical:
		return x.Op
	case mql.ExprClause:
		return "$expr"
	}
	return "?"
}

func overlap(a, b []mql.Cond) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Op == y.Op {
				return true
			}
		}
	}
	return false
}
