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
	case "$bitsAllSet", "$bitsAnySet", "$bitsAllClear", "$bitsAnyClear":
		_, err := bitPositions(c.Op, c.Value)
		return err
	case "$geoWithin", "$geoIntersects":
		_, err := parseGeoQuery(c.Op, c.Value)
		return err
	case "$eq", "$gt", "$gte", "$lt", "$lte", "$options":
	case "$where", "$text", "$near", "$nearSphere":
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
	case "$bitsAllSet", "$bitsAnySet", "$bitsAllClear", "$bitsAnyClear":
		pos, err := bitPositions(c.Op, c.Value)
		if err != nil {
			return false, err
		}
		return anyElem(v, func(x any) bool { return bitsMatch(c.Op, pos, x) }), nil
	case "$geoWithin", "$geoIntersects":
		g, err := parseGeoQuery(c.Op, c.Value)
		if err != nil {
			return false, err
		}
		return g.matches(v)
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

// bitPositions reads the operand of $bitsAllSet and the other bit tests:
// a non-negative integral number (its set bits), an array of non-negative
// bit positions, or binData (its set bits, the first byte's least
// significant bit being position 0).
func bitPositions(op string, mask any) ([]int64, error) {
	var pos []int64
	switch x := mask.(type) {
	case bson.Binary:
		for i, b := range x.Data {
			for j := 0; j < 8; j++ {
				if b&(1<<j) != 0 {
					pos = append(pos, int64(i*8+j))
				}
			}
		}
		return pos, nil
	case bson.A:
		for _, el := range x {
			p, ok := wholeInt64(el)
			if !ok || p < 0 {
				return nil, fmt.Errorf("%s: a bit position must be a non-negative integer, not %s", op, describeBitArg(el))
			}
			pos = append(pos, p)
		}
		return pos, nil
	}
	n, ok := wholeInt64(mask)
	if !ok || n < 0 {
		return nil, fmt.Errorf("%s takes a non-negative integer bitmask, an array of bit positions or binData, not %s", op, describeBitArg(mask))
	}
	for j := 0; j < 63; j++ {
		if n&(1<<j) != 0 {
			pos = append(pos, int64(j))
		}
	}
	return pos, nil
}

func describeBitArg(v any) string {
	if IsNumber(v) {
		return fmt.Sprintf("%s %v", TypeName(v), v)
	}
	return TypeName(v)
}

// wholeInt64 is v as a signed 64-bit integer when it is a number that has
// one exactly: an int, a long, or a double or decimal without a fraction
// in the int64 range.
func wholeInt64(v any) (int64, bool) {
	if i, ok := toInt64(v); ok {
		return i, true
	}
	switch kindOf(v) {
	case kindDouble:
		f := v.(float64)
		if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
			return int64(f), true
		}
	case kindDecimal:
		return exactInt(v)
	}
	return 0, false
}

// bitsMatch tests one value found at the path. Only numbers that are
// exactly a signed 64-bit integer and binData take part (MongoDB
// "$bitsAllSet": no match for a fraction or an out-of-range number);
// numbers are sign-extended, so every position past 63 is set in a
// negative number; positions past the end of binData are clear.
func bitsMatch(op string, pos []int64, v any) bool {
	var bit func(p int64) bool
	switch x := v.(type) {
	case bson.Binary:
		bit = func(p int64) bool {
			return p/8 < int64(len(x.Data)) && x.Data[p/8]&(1<<(p%8)) != 0
		}
	default:
		if !IsNumber(v) {
			return false
		}
		n, ok := wholeInt64(v)
		if !ok {
			return false
		}
		bit = func(p int64) bool {
			if p >= 64 {
				return n < 0
			}
			return n&(1<<p) != 0
		}
	}
	want := op == "$bitsAllSet" || op == "$bitsAnySet"
	all := op == "$bitsAllSet" || op == "$bitsAllClear"
	for _, p := range pos {
		if bit(p) == want {
			if !all {
				return true
			}
		} else if all {
			return false
		}
	}
	return all
}

// $geoWithin and $geoIntersects without an index, as a collection scan
// runs them, for documents whose field holds points: legacy coordinate
// pairs ([x, y] or {x: …, y: …}) and GeoJSON Point and MultiPoint.
//
// Shapes, as the MongoDB manual documents them:
//   - $geoWithin {$box}, {$polygon}, {$center}: flat (planar) geometry,
//     the border part of the shape.
//   - $geoWithin {$centerSphere: [[lng, lat], radians]}: a spherical cap.
//   - $geoWithin {$geometry: Polygon or MultiPolygon}: spherical, edges
//     are geodesics, holes excluded (their border is part of the shape).
//   - $geoIntersects {$geometry: any GeoJSON type}: spherical.
//
// A legacy pair takes part in a spherical query when it is a valid
// longitude/latitude, and a GeoJSON point in a flat one with its
// coordinates as x and y (MongoDB projects SPHERE to FLAT, and FLAT to
// SPHERE when in range). A value that is not a geometry does not match.
// Documents holding lines or polygons, polygons bigger than a hemisphere
// and the strict-winding big-polygon CRS are refused with an error naming
// the operator, not answered wrongly.

type geoPt struct{ x, y float64 }

type geoQuery struct {
	op   string
	kind string // "$box", "$polygon", "$center", "$centerSphere", "$geometry"
	// flat shapes
	min, max geoPt
	ring     []geoPt
	center   geoPt
	radius   float64
	// spherical shapes
	geom *geoJSON
}

// geoJSON is a parsed GeoJSON object.
type geoJSON struct {
	typ      string
	points   []geoPt     // Point, MultiPoint
	lines    [][]geoPt   // LineString, MultiLineString
	polygons [][][]geoPt // Polygon, MultiPolygon: rings, outer first, closed
	members  []*geoJSON  // GeometryCollection
}

func parseGeoQuery(op string, v any) (*geoQuery, error) {
	d, ok := v.(bson.D)
	if !ok {
		return nil, fmt.Errorf("%s takes a shape document, not %s", op, TypeName(v))
	}
	var q *geoQuery
	for _, e := range d {
		if e.Key == "$uniqueDocs" {
			continue // deprecated, without effect
		}
		if q != nil {
			return nil, fmt.Errorf("%s takes one shape, found %s after %s", op, e.Key, q.kind)
		}
		s, err := parseGeoShape(op, e.Key, e.Value)
		if err != nil {
			return nil, err
		}
		q = s
	}
	if q == nil {
		return nil, fmt.Errorf("%s needs a shape: $geometry, $box, $polygon, $center or $centerSphere", op)
	}
	return q, nil
}

func parseGeoShape(op, kind string, v any) (*geoQuery, error) {
	q := &geoQuery{op: op, kind: kind}
	if op == "$geoIntersects" && kind != "$geometry" {
		return nil, fmt.Errorf("$geoIntersects takes a $geometry, not %s", kind)
	}
	switch kind {
	case "$box":
		a, ok := v.(bson.A)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("%s: $box takes two points, [[x1, y1], [x2, y2]]", op)
		}
		p1, ok1 := legacyPoint(a[0], true)
		p2, ok2 := legacyPoint(a[1], true)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: $box takes two points, [[x1, y1], [x2, y2]]", op)
		}
		q.min = geoPt{math.Min(p1.x, p2.x), math.Min(p1.y, p2.y)}
		q.max = geoPt{math.Max(p1.x, p2.x), math.Max(p1.y, p2.y)}
	case "$polygon":
		a, ok := v.(bson.A)
		if !ok || len(a) < 3 {
			return nil, fmt.Errorf("%s: $polygon takes an array of at least 3 points", op)
		}
		for _, el := range a {
			p, ok := legacyPoint(el, true)
			if !ok {
				return nil, fmt.Errorf("%s: $polygon takes an array of at least 3 points", op)
			}
			q.ring = append(q.ring, p)
		}
	case "$center", "$centerSphere":
		a, ok := v.(bson.A)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("%s: %s takes [[x, y], radius]", op, kind)
		}
		c, ok := legacyPoint(a[0], true)
		if !ok {
			if g, err := parseGeoJSON(a[0]); err == nil && g.typ == "Point" && kind == "$centerSphere" {
				c, ok = g.points[0], true
			}
		}
		if !ok || !IsNumber(a[1]) {
			return nil, fmt.Errorf("%s: %s takes [[x, y], radius]", op, kind)
		}
		r := toFloat(a[1])
		if !(r >= 0) || math.IsInf(r, 0) {
			return nil, fmt.Errorf("%s: %s needs a non-negative finite radius, not %v", op, kind, r)
		}
		if kind == "$centerSphere" && !validLngLat(c) {
			return nil, fmt.Errorf("%s: $centerSphere's center must be a valid longitude and latitude, not [%v, %v]", op, c.x, c.y)
		}
		q.center, q.radius = c, r
	case "$geometry":
		if d, ok := v.(bson.D); ok {
			if crs, ok := docGet(d, "crs"); ok && !IsMissing(crs) {
				return nil, fmt.Errorf("%s: a $geometry with a crs (big polygons, strict winding) is not supported", op)
			}
		}
		g, err := parseGeoJSON(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", op, err)
		}
		if op == "$geoWithin" && g.typ != "Polygon" && g.typ != "MultiPolygon" {
			return nil, fmt.Errorf("$geoWithin's $geometry must be a Polygon or a MultiPolygon, not a %s", g.typ)
		}
		if err := g.checkHemispheres(op); err != nil {
			return nil, err
		}
		q.geom = g
	default:
		return nil, fmt.Errorf("%s: unknown geo specifier %s; expected $geometry, $box, $polygon, $center or $centerSphere", op, kind)
	}
	return q, nil
}

// legacyPoint reads a legacy coordinate pair: an array or a document whose
// first two values are numbers. A query's pair has exactly two.
func legacyPoint(v any, exact bool) (geoPt, bool) {
	var vals []any
	switch x := v.(type) {
	case bson.A:
		vals = x
	case bson.D:
		for _, e := range x {
			vals = append(vals, e.Value)
		}
	default:
		return geoPt{}, false
	}
	if len(vals) < 2 || (exact && len(vals) != 2) || !IsNumber(vals[0]) || !IsNumber(vals[1]) {
		return geoPt{}, false
	}
	p := geoPt{toFloat(vals[0]), toFloat(vals[1])}
	if math.IsNaN(p.x) || math.IsNaN(p.y) {
		return geoPt{}, false
	}
	return p, true
}

func validLngLat(p geoPt) bool {
	return p.x >= -180 && p.x <= 180 && p.y >= -90 && p.y <= 90
}

// parseGeoJSON reads a GeoJSON object with longitude/latitude positions.
func parseGeoJSON(v any) (*geoJSON, error) {
	d, ok := v.(bson.D)
	if !ok {
		return nil, fmt.Errorf("a GeoJSON object is a document, not %s", TypeName(v))
	}
	tv, _ := docGet(d, "type")
	typ, ok := tv.(string)
	if !ok {
		return nil, fmt.Errorf("a GeoJSON object needs a string type")
	}
	g := &geoJSON{typ: typ}
	if typ == "GeometryCollection" {
		gv, _ := docGet(d, "geometries")
		arr, ok := gv.(bson.A)
		if !ok {
			return nil, fmt.Errorf("a GeometryCollection needs an array of geometries")
		}
		for _, m := range arr {
			mg, err := parseGeoJSON(m)
			if err != nil {
				return nil, err
			}
			g.members = append(g.members, mg)
		}
		return g, nil
	}
	cv, ok := docGet(d, "coordinates")
	if !ok {
		return nil, fmt.Errorf("a GeoJSON %s needs coordinates", typ)
	}
	switch typ {
	case "Point":
		p, err := geoPosition(cv)
		if err != nil {
			return nil, err
		}
		g.points = []geoPt{p}
	case "MultiPoint":
		ps, err := geoPositions(cv, 1)
		if err != nil {
			return nil, err
		}
		g.points = ps
	case "LineString":
		ps, err := geoPositions(cv, 2)
		if err != nil {
			return nil, err
		}
		g.lines = [][]geoPt{ps}
	case "MultiLineString":
		arr, ok := cv.(bson.A)
		if !ok {
			return nil, fmt.Errorf("MultiLineString coordinates must be an array of lines")
		}
		for _, l := range arr {
			ps, err := geoPositions(l, 2)
			if err != nil {
				return nil, err
			}
			g.lines = append(g.lines, ps)
		}
	case "Polygon":
		rings, err := geoPolygon(cv)
		if err != nil {
			return nil, err
		}
		g.polygons = [][][]geoPt{rings}
	case "MultiPolygon":
		arr, ok := cv.(bson.A)
		if !ok {
			return nil, fmt.Errorf("MultiPolygon coordinates must be an array of polygons")
		}
		for _, pv := range arr {
			rings, err := geoPolygon(pv)
			if err != nil {
				return nil, err
			}
			g.polygons = append(g.polygons, rings)
		}
	default:
		return nil, fmt.Errorf("unknown GeoJSON type %q", typ)
	}
	return g, nil
}

func geoPosition(v any) (geoPt, error) {
	a, ok := v.(bson.A)
	if !ok || len(a) < 2 || len(a) > 3 {
		return geoPt{}, fmt.Errorf("a GeoJSON position is an array of two numbers, [longitude, latitude]")
	}
	for _, n := range a {
		if !IsNumber(n) {
			return geoPt{}, fmt.Errorf("a GeoJSON position is an array of two numbers, [longitude, latitude]")
		}
	}
	p := geoPt{toFloat(a[0]), toFloat(a[1])}
	if !validLngLat(p) {
		return geoPt{}, fmt.Errorf("longitude/latitude is out of bounds: [%v, %v]", p.x, p.y)
	}
	return p, nil
}

func geoPositions(v any, min int) ([]geoPt, error) {
	a, ok := v.(bson.A)
	if !ok || len(a) < min {
		return nil, fmt.Errorf("expected an array of at least %d positions", min)
	}
	ps := make([]geoPt, 0, len(a))
	for _, el := range a {
		p, err := geoPosition(el)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func geoPolygon(v any) ([][]geoPt, error) {
	a, ok := v.(bson.A)
	if !ok || len(a) == 0 {
		return nil, fmt.Errorf("polygon coordinates must be an array of rings")
	}
	var rings [][]geoPt
	for _, rv := range a {
		ring, err := geoPositions(rv, 4)
		if err != nil {
			return nil, fmt.Errorf("a polygon ring needs at least 4 positions, the first and last equal: %v", err)
		}
		if ring[0] != ring[len(ring)-1] {
			return nil, fmt.Errorf("polygon ring is not closed: the first position [%v, %v] differs from the last", ring[0].x, ring[0].y)
		}
		rings = append(rings, ring[:len(ring)-1])
	}
	return rings, nil
}

// docGeometry reads a stored value as a geometry: a legacy pair (flat) or
// GeoJSON. ok is false for a value that is neither, which does not match.
func docGeometry(v any) (g *geoJSON, flat bool, ok bool) {
	if d, isDoc := v.(bson.D); isDoc {
		if _, hasType := docGet(d, "type"); hasType {
			g, err := parseGeoJSON(d)
			return g, false, err == nil
		}
	}
	if p, isPt := legacyPoint(v, false); isPt {
		return &geoJSON{typ: "Point", points: []geoPt{p}}, true, true
	}
	return nil, false, false
}

func (q *geoQuery) matches(v any) (bool, error) {
	if _, isArr := v.(bson.A); !isArr {
		return q.matchOne(v)
	}
	// An array is a pair, or a list of locations any of which may match.
	if _, _, ok := docGeometry(v); ok {
		return q.matchOne(v)
	}
	for _, el := range v.(bson.A) {
		ok, err := q.matchOne(el)
		if ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

func (q *geoQuery) matchOne(v any) (bool, error) {
	g, flat, ok := docGeometry(v)
	if !ok {
		return false, nil
	}
	if g.typ != "Point" && g.typ != "MultiPoint" {
		return false, fmt.Errorf("%s is implemented for points only, not for a GeoJSON %s", q.op, g.typ)
	}
	if len(g.points) == 0 {
		return false, nil
	}
	within := q.op == "$geoWithin"
	for _, p := range g.points {
		in := q.containsPoint(p, flat)
		if in && !within {
			return true, nil // intersects: any point
		}
		if !in && within {
			return false, nil // within: every point
		}
	}
	return within, nil
}

// containsPoint tests one point; flat says it is a legacy pair.
func (q *geoQuery) containsPoint(p geoPt, flat bool) bool {
	switch q.kind {
	case "$box":
		return p.x >= q.min.x && p.x <= q.max.x && p.y >= q.min.y && p.y <= q.max.y
	case "$polygon":
		return planarInRing(p, q.ring) >= 0
	case "$center":
		return math.Hypot(p.x-q.center.x, p.y-q.center.y) <= q.radius
	}
	if flat && !validLngLat(p) {
		return false
	}
	switch q.kind {
	case "$centerSphere":
		return angle(unitVec(p), unitVec(q.center)) <= q.radius
	case "$geometry":
		return q.geom.intersectsPoint(unitVec(p))
	}
	return false
}

// planarInRing is 1 when p is inside the ring (closing edge implied), 0 on
// its border, -1 outside.
func planarInRing(p geoPt, ring []geoPt) int {
	inside := false
	n := len(ring)
	for i := 0; i < n; i++ {
		a, b := ring[i], ring[(i+1)%n]
		if onSegment(p, a, b) {
			return 0
		}
		if (a.y > p.y) != (b.y > p.y) {
			x := a.x + (p.y-a.y)*(b.x-a.x)/(b.y-a.y)
			if p.x < x {
				inside = !inside
			}
		}
	}
	if inside {
		return 1
	}
	return -1
}

func onSegment(p, a, b geoPt) bool {
	cross := (b.x-a.x)*(p.y-a.y) - (b.y-a.y)*(p.x-a.x)
	scale := math.Max(math.Hypot(b.x-a.x, b.y-a.y), 1)
	if math.Abs(cross) > 1e-12*scale*scale {
		return false
	}
	return p.x >= math.Min(a.x, b.x)-1e-12 && p.x <= math.Max(a.x, b.x)+1e-12 &&
		p.y >= math.Min(a.y, b.y)-1e-12 && p.y <= math.Max(a.y, b.y)+1e-12
}

// Spherical geometry on unit vectors.

type vec3 struct{ x, y, z float64 }

func unitVec(p geoPt) vec3 {
	lng, lat := p.x*math.Pi/180, p.y*math.Pi/180
	return vec3{math.Cos(lat) * math.Cos(lng), math.Cos(lat) * math.Sin(lng), math.Sin(lat)}
}

func (a vec3) dot(b vec3) float64 { return a.x*b.x + a.y*b.y + a.z*b.z }
func (a vec3) cross(b vec3) vec3 {
	return vec3{a.y*b.z - a.z*b.y, a.z*b.x - a.x*b.z, a.x*b.y - a.y*b.x}
}
func (a vec3) norm() float64 { return math.Sqrt(a.dot(a)) }
func (a vec3) unit() vec3 {
	n := a.norm()
	return vec3{a.x / n, a.y / n, a.z / n}
}

// angle is the great-circle distance in radians.
func angle(a, b vec3) float64 { return math.Atan2(a.cross(b).norm(), a.dot(b)) }

const geoEps = 1e-12

// intersectsPoint says whether the geometry meets point p: the same point,
// a point on a line, a point inside or on the border of a polygon.
func (g *geoJSON) intersectsPoint(p vec3) bool {
	for _, q := range g.points {
		if angle(p, unitVec(q)) <= geoEps {
			return true
		}
	}
	for _, l := range g.lines {
		for i := 0; i+1 < len(l); i++ {
			if onArc(p, unitVec(l[i]), unitVec(l[i+1])) {
				return true
			}
		}
	}
	for _, rings := range g.polygons {
		if sphereInRing(p, rings[0]) < 0 {
			continue
		}
		inHole := false
		for _, h := range rings[1:] {
			if sphereInRing(p, h) > 0 {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	for _, m := range g.members {
		if m.intersectsPoint(p) {
			return true
		}
	}
	return false
}

// onArc says whether p lies on the shorter great-circle arc from a to b.
func onArc(p, a, b vec3) bool {
	if angle(p, a) <= geoEps || angle(p, b) <= geoEps {
		return true
	}
	n := a.cross(b)
	if n.norm() == 0 {
		return false
	}
	n = n.unit()
	if math.Abs(p.dot(n)) > geoEps {
		return false
	}
	return a.cross(p).dot(n) >= -geoEps && p.cross(b).dot(n) >= -geoEps
}

// ringCenter is the direction the gnomonic projection of a ring is taken
// around: the normalized sum of its vertices.
func ringCenter(ring []geoPt) vec3 {
	var c vec3
	for _, p := range ring {
		v := unitVec(p)
		c = vec3{c.x + v.x, c.y + v.y, c.z + v.z}
	}
	return c
}

// checkHemispheres refuses polygons the projection can't handle: a ring
// with a vertex a quarter turn or more from its center, which MongoDB
// would read as the smaller of the two regions its edges bound.
func (g *geoJSON) checkHemispheres(op string) error {
	for _, rings := range g.polygons {
		for _, r := range rings {
			c := ringCenter(r)
			if c.norm() < 1e-9 {
				return fmt.Errorf("%s: a polygon as large as a hemisphere is not supported", op)
			}
			c = c.unit()
			for _, p := range r {
				if unitVec(p).dot(c) <= 1e-9 {
					return fmt.Errorf("%s: a polygon as large as a hemisphere is not supported", op)
				}
			}
		}
	}
	for _, m := range g.members {
		if err := m.checkHemispheres(op); err != nil {
			return err
		}
	}
	return nil
}

// sphereInRing is 1 when p is inside the spherical polygon ring (edges
// are geodesics), 0 on its border, -1 outside. The gnomonic projection
// around the ring's center maps geodesics to straight lines, so the planar
// test on the projected points is exact for a ring within a hemisphere.
func sphereInRing(p vec3, ring []geoPt) int {
	c := ringCenter(ring).unit()
	if p.dot(c) <= 1e-9 {
		return -1
	}
	// A basis of the tangent plane at c.
	ref := vec3{0, 0, 1}
	if math.Abs(c.z) > 0.9 {
		ref = vec3{1, 0, 0}
	}
	e1 := ref.cross(c).unit()
	e2 := c.cross(e1)
	proj := func(v vec3) geoPt {
		d := v.dot(c)
		return geoPt{v.dot(e1) / d, v.dot(e2) / d}
	}
	pr := make([]geoPt, len(ring))
	for i, q := range ring {
		pr[i] = proj(unitVec(q))
	}
	return planarInRing(proj(p), pr)
}
