package exec

import (
	"fmt"
	"math"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// Match reports whether doc satisfies the query predicate q, as $match and
// $validate test it: clauses are ANDed; field conditions traverse arrays
// (any element may match, or the whole array), each condition on its own;
// $gt and the other ranges only match values of the operand's type bracket;
// {f: null} matches a null or missing f; $ne and $nin match a missing f.
func Match(q *mql.Query, doc bson.D, env *Env) (bool, error) {
	if q == nil {
		return true, nil
	}
	m := matcher{doc: doc, env: env}
	return m.query(q, doc)
}

type matcher struct {
	doc bson.D // the top-level document, for $expr
	env *Env
}

func (m *matcher) query(q *mql.Query, doc any) (bool, error) {
	for _, c := range q.Clauses {
		ok, err := m.clause(c, doc)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (m *matcher) clause(c mql.Clause, doc any) (bool, error) {
	switch x := c.(type) {
	case mql.FieldClause:
		return m.fieldClause(&x, doc)
	case *mql.FieldClause:
		return m.fieldClause(x, doc)
	case mql.Logical:
		return m.logical(&x, doc)
	case *mql.Logical:
		return m.logical(x, doc)
	case mql.ExprClause:
		return m.expr(x.Expr, doc)
	case *mql.ExprClause:
		return m.expr(x.Expr, doc)
	case mql.SchemaClause:
		return m.schema(x.Schema, doc)
	case *mql.SchemaClause:
		return m.schema(x.Schema, doc)
	}
	return false, fmt.Errorf("cannot match query clause %T", c)
}

// schema is a $jsonSchema clause; the schema compiles once per schema
// document, and its errors name the keyword at fault.
func (m *matcher) schema(schema, doc any) (bool, error) {
	s, err := cachedJSONSchema(schema)
	if err != nil {
		return false, err
	}
	return s.Matches(doc), nil
}

func (m *matcher) logical(l *mql.Logical, doc any) (bool, error) {
	switch l.Op {
	case "$and":
		for _, q := range l.Queries {
			ok, err := m.query(q, doc)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "$or", "$nor":
		any := false
		for _, q := range l.Queries {
			ok, err := m.query(q, doc)
			if err != nil {
				return false, err
			}
			if ok {
				any = true
				break
			}
		}
		return any == (l.Op == "$or"), nil
	}
	return false, fmt.Errorf("unknown logical operator %s", l.Op)
}

func (m *matcher) expr(e mql.Expr, doc any) (bool, error) {
	d, _ := doc.(bson.D)
	ev := newEvaluator(d, m.env)
	if m.env == nil || m.env.Root == nil {
		ev.root = m.doc
	}
	v, err := ev.eval(e)
	if err != nil {
		return false, err
	}
	return Truthy(v), nil
}

func (m *matcher) fieldClause(f *mql.FieldClause, doc any) (bool, error) {
	for i := range f.Conds {
		c := &f.Conds[i]
		if c.Op == "$regex" {
			// {$regex: "…", $options: "i"} are two conditions of one
			// clause; the options belong to the regex.
			for _, o := range f.Conds {
				if o.Op == "$options" {
					c = &mql.Cond{Op: "$regex", Value: c.Value, Conds: append(append([]mql.Cond{}, c.Conds...), o)}
				}
			}
		}
		ok, err := m.cond(f.Path, c, doc)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// cond tests one condition on a path. Negative operators ($ne, $nin,
// $not, $exists: false) are the negation of their positive form over the
// whole path, which is why {a: {$ne: 1}} rejects [1, 2].
func (m *matcher) cond(path string, c *mql.Cond, doc any) (bool, error) {
	switch c.Op {
	case "$ne":
		ok, err := m.cond(path, &mql.Cond{Op: "$eq", Value: c.Value}, doc)
		return !ok, err
	case "$nin":
		ok, err := m.cond(path, &mql.Cond{Op: "$in", Value: c.Value}, doc)
		return !ok, err
	case "$not":
		for i := range c.Conds {
			ok, err := m.cond(path, &c.Conds[i], doc)
			if err != nil {
				return false, err
			}
			if !ok {
				return true, nil
			}
		}
		if len(c.Conds) == 0 {
			// {$not: /re/} may arrive as a Value.
			if r, ok := c.Value.(bson.Regex); ok {
				ok, err := m.cond(path, &mql.Cond{Op: "$regex", Value: r}, doc)
				return !ok, err
			}
			return false, fmt.Errorf("$not needs a regex or a document")
		}
		return false, nil
	case "$exists":
		want := Truthy(c.Value)
		found := walkPath(doc, path, func(v any) bool { return !IsMissing(v) })
		return found == want, nil
	case "$comment":
		return true, nil
	}
	if err := checkLeaf(c); err != nil {
		return false, err
	}
	var perr error
	ok := walkPath(doc, path, func(v any) bool {
		r, err := m.leaf(c, v)
		if err != nil {
			perr = err
			return true
		}
		return r
	})
	if perr != nil {
		return false, perr
	}
	return ok, nil
}

// checkLeaf rejects malformed operands before any value is looked at, so
// a bad query fails even on documents without the field.
func checkLeaf(c *mql.Cond) error {
	switch c.Op {
	case "$in", "$all":
		if _, ok := c.Value.(bson.A); !ok {
			return fmt.Errorf("%s needs an array, not %s", c.Op, TypeName(c.Value))
		}
	case "$regex":
		_, err := condRegex(c)
		return err
	case "$size":
		if _, ok := exactInt(c.Value); !IsNumber(c.Value) || !ok {
			return fmt.Errorf("$size needs a whole number, not %v", c.Value)
		}
	case "$type":
		_, err := typeChecker(c.Value)
		return err
	case "$mod":
		_, _, err := modArgs(c.Value)
		return err
	case "$elemMatch":
		if c.Query == nil && c.Conds == nil {
			return fmt.Errorf("$elemMatch needs an object")
		}
	case "$eq", "$gt", "$gte", "$lt", "$lte", "$options":
	case "$where", "$text", "$near", "$nearSphere", "$geoWithin", "$geoIntersects",
		"$bitsAllSet", "$bitsAnySet", "$bitsAllClear", "$bitsAnyClear":
		return fmt.Errorf("query operator %s is not implemented yet", c.Op)
	default:
		return fmt.Errorf("unknown query operator: %s", c.Op)
	}
	return nil
}

// leaf tests a positive condition on one value found at the path (the
// value itself, an array included, not yet expanded: each operator decides
// whether it looks at the elements).
func (m *matcher) leaf(c *mql.Cond, v any) (bool, error) {
	switch c.Op {
	case "$eq":
		return eqMatches(v, c.Value), nil
	case "$gt", "$gte", "$lt", "$lte":
		if rangeMatches(c.Op, v, c.Value) {
			return true, nil
		}
		if arr, ok := v.(bson.A); ok {
			for _, e := range arr {
				if rangeMatches(c.Op, e, c.Value) {
					return true, nil
				}
			}
		}
		return false, nil
	case "$in":
		for _, want := range c.Value.(bson.A) {
			if eqMatches(v, want) {
				return true, nil
			}
		}
		return false, nil
	case "$regex":
		re, err := condRegex(c)
		if err != nil {
			return false, err
		}
		return anyElem(v, func(x any) bool { return regexMatches(re, x) }), nil
	case "$options":
		// Folded into $regex by the parser.
		return true, nil
	case "$size":
		n, _ := exactInt(c.Value)
		arr, ok := v.(bson.A)
		return ok && int64(len(arr)) == n, nil
	case "$type":
		if IsMissing(v) {
			return false, nil
		}
		check, err := typeChecker(c.Value)
		if err != nil {
			return false, err
		}
		return anyElem(v, check), nil
	case "$mod":
		div, rem, err := modArgs(c.Value)
		if err != nil {
			return false, err
		}
		return anyElem(v, func(x any) bool {
			if !IsNumber(x) {
				return false
			}
			f := toFloat(x)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return false
			}
			i := int64(math.Trunc(f))
			if k, ok := toInt64(x); ok {
				i = k
			}
			return i%div == rem
		}), nil
	case "$all":
		return m.all(c.Value.(bson.A), v)
	case "$elemMatch":
		return m.elemMatches(v, c.Query, c.Conds)
	}
	return false, checkLeaf(c)
}

// anyElem applies f to v, and if v is an array to each element.
func anyElem(v any, f func(any) bool) bool {
	if f(v) {
		return true
	}
	if arr, ok := v.(bson.A); ok {
		for _, e := range arr {
			if f(e) {
				return true
			}
		}
	}
	return false
}

// eqMatches is query equality of a found value with the operand: the whole
// value or any element of an array. A null operand matches null, undefined
// and missing, and an array holding null; a regex operand (in $in, or as
// {f: /re/}) matches strings, and the same regex.
func eqMatches(v, want any) bool {
	if re, ok := want.(bson.Regex); ok {
		compiled, err := compileRegex(re.Pattern, re.Options)
		if err != nil {
			return false
		}
		return anyElem(v, func(x any) bool {
			if r, ok := x.(bson.Regex); ok && r == re {
				return true
			}
			return regexMatches(compiled, x)
		})
	}
	if want == nil || want == (bson.Null{}) {
		if IsNullish(v) {
			return true
		}
		return anyElem(v, func(x any) bool { return x == nil || x == (bson.Null{}) })
	}
	if IsMissing(v) {
		return false
	}
	return anyElem(v, func(x any) bool { return Equal(x, want) })
}

// IsUndefined reports whether v is the deprecated BSON undefined.
func IsUndefined(v any) bool { _, ok := v.(bson.Undefined); return ok }

// rangeMatches is $gt/$gte/$lt/$lte with type bracketing: only values in
// the operand's bracket compare (all numbers are one bracket), except that
// MinKey and MaxKey operands compare with everything. $gte/$lte null also
// match a missing field, as {f: null} does.
func rangeMatches(op string, v, want any) bool {
	if IsMissing(v) {
		if IsNullish(want) && (op == "$gte" || op == "$lte") {
			return true
		}
		return false
	}
	rv, rw := rank(v), rank(want)
	_, minKey := want.(bson.MinKey)
	_, maxKey := want.(bson.MaxKey)
	if rv != rw && !minKey && !maxKey {
		return false
	}
	if isNaN(v) || isNaN(want) {
		// NaN equals only NaN in queries and is neither above nor below
		// any number.
		return isNaN(v) && isNaN(want) && (op == "$gte" || op == "$lte")
	}
	c := Compare(v, want)
	switch op {
	case "$gt":
		return c > 0
	case "$gte":
		return c >= 0
	case "$lt":
		return c < 0
	}
	return c <= 0
}

func regexMatches(re interface{ MatchString(string) bool }, v any) bool {
	switch x := v.(type) {
	case string:
		return re.MatchString(x)
	case bson.Symbol:
		return re.MatchString(string(x))
	}
	return false
}

// condRegex compiles a $regex condition; $options may sit beside it in the
// Cond's Conds, or the operand may be a regex value with its own options.
func condRegex(c *mql.Cond) (interface{ MatchString(string) bool }, error) {
	var pattern, options string
	switch x := c.Value.(type) {
	case string:
		pattern = x
	case bson.Regex:
		pattern, options = x.Pattern, x.Options
	default:
		return nil, fmt.Errorf("$regex has to be a string, not %s", TypeName(c.Value))
	}
	for _, o := range c.Conds {
		if o.Op == "$options" {
			s, ok := o.Value.(string)
			if !ok {
				return nil, fmt.Errorf("$options has to be a string")
			}
			options = s
		}
	}
	return compileRegex(pattern, options)
}

func modArgs(v any) (int64, int64, error) {
	arr, ok := v.(bson.A)
	if !ok || len(arr) != 2 {
		return 0, 0, fmt.Errorf("malformed mod, needs to be an array of two numbers: [divisor, remainder]")
	}
	var out [2]int64
	for i, e := range arr {
		if !IsNumber(e) {
			return 0, 0, fmt.Errorf("malformed mod, %s is not a number", TypeName(e))
		}
		f := toFloat(e)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, 0, fmt.Errorf("malformed mod, %v is not a finite number", e)
		}
		if k, ok := toInt64(e); ok {
			out[i] = k
		} else {
			out[i] = int64(math.Trunc(f))
		}
	}
	if out[0] == 0 {
		return 0, 0, fmt.Errorf("divisor cannot be 0")
	}
	return out[0], out[1], nil
}

// typeCodes maps $type's numeric codes to names.
var typeCodes = map[int64]string{
	1: "double", 2: "string", 3: "object", 4: "array", 5: "binData", 6: "undefined",
	7: "objectId", 8: "bool", 9: "date", 10: "null", 11: "regex", 12: "dbPointer",
	13: "javascript", 14: "symbol", 15: "javascriptWithScope", 16: "int",
	17: "timestamp", 18: "long", 19: "decimal", -1: "minKey", 127: "maxKey",
}

// typeChecker is the test of a $type operand: a name, a code, "number",
// or an array of those (any may match).
func typeChecker(v any) (func(any) bool, error) {
	var names []string
	add := func(x any) error {
		switch t := x.(type) {
		case string:
			if t != "number" {
				known := false
				for _, n := range typeCodes {
					if n == t {
						known = true
					}
				}
				if !known {
					return fmt.Errorf("unknown type name alias: %s", t)
				}
			}
			names = append(names, t)
			return nil
		}
		if i, ok := exactInt(x); ok && IsNumber(x) {
			n, ok := typeCodes[i]
			if !ok {
				return fmt.Errorf("invalid numerical type code: %s", strconv.FormatInt(i, 10))
			}
			names = append(names, n)
			return nil
		}
		return fmt.Errorf("type must be represented as a number or a string, not %s", TypeName(x))
	}
	if arr, ok := v.(bson.A); ok {
		for _, e := range arr {
			if err := add(e); err != nil {
				return nil, err
			}
		}
	} else if err := add(v); err != nil {
		return nil, err
	}
	return func(x any) bool {
		t := TypeName(x)
		for _, n := range names {
			if n == t || (n == "number" && IsNumber(x)) {
				return true
			}
		}
		return false
	}, nil
}

// all is $all: every operand matches as an equality (with array
// traversal), or every $elemMatch in it matches; $all: [] matches nothing.
func (m *matcher) all(arr bson.A, v any) (bool, error) {
	if len(arr) == 0 {
		return false, nil
	}
	for _, want := range arr {
		if d, ok := want.(bson.D); ok && len(d) == 1 && d[0].Key == "$elemMatch" {
			q, err := mql.ParseQuery(d[0].Value, "$all.$elemMatch")
			if err != nil {
				return false, err
			}
			ok, err := m.elemMatches(v, q, nil)
			if err != nil || !ok {
				return false, err
			}
			continue
		}
		if !eqMatches(v, want) {
			return false, nil
		}
	}
	return true, nil
}

// elemMatches is $elemMatch: one element of an array must satisfy every
// condition at once. Over documents it runs a sub-query; over scalars
// ({$elemMatch: {$gte: 80, $lt: 85}}) it applies the conditions to the
// element itself.
func (m *matcher) elemMatches(v any, q *mql.Query, conds []mql.Cond) (bool, error) {
	arr, ok := v.(bson.A)
	if !ok {
		return false, nil
	}
	for _, el := range arr {
		if conds != nil {
			all := true
			for i := range conds {
				ok, err := m.elemCond(el, &conds[i])
				if err != nil {
					return false, err
				}
				if !ok {
					all = false
					break
				}
			}
			if all {
				return true, nil
			}
			continue
		}
		if _, isDoc := el.(bson.D); !isDoc {
			if _, isArr := el.(bson.A); !isArr {
				continue
			}
		}
		ok, err := m.query(q, el)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// elemCond applies one condition to an array element as if it were a
// field's value.
func (m *matcher) elemCond(el any, c *mql.Cond) (bool, error) {
	return m.cond("", c, el)
}

// walkPath calls f with each value the query path reaches in v and reports
// whether any call returned true. It follows MongoDB's query traversal:
// through an array it visits each element that is a document, and a
// numeric part also indexes the array; a path that ends nowhere visits
// Missing once. The final value is passed whole (arrays unexpanded): the
// predicate decides whether to look at elements.
func walkPath(v any, path string, f func(any) bool) bool {
	if path == "" {
		return f(v)
	}
	part, rest := path, ""
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			part, rest = path[:i], path[i+1:]
			break
		}
	}
	switch x := v.(type) {
	case bson.D:
		fv, ok := docGet(x, part)
		if !ok {
			return f(Missing)
		}
		if rest == "" {
			return f(fv)
		}
		return walkPath(fv, rest, f)
	case bson.A:
		if idx, ok := arrayIndex(part); ok {
			if idx < len(x) {
				if rest == "" {
					if f(x[idx]) {
						return true
					}
				} else if walkPath(x[idx], rest, f) {
					return true
				}
			}
		}
		sawDoc := false
		for _, el := range x {
			if d, ok := el.(bson.D); ok {
				sawDoc = true
				if walkPath(d, path, f) {
					return true
				}
			}
		}
		if !sawDoc {
			return f(Missing)
		}
		return false
	}
	return f(Missing)
}

// arrayIndex reads a path part that is an array index: digits only, no
// sign or leading zero.
func arrayIndex(s string) (int, bool) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
