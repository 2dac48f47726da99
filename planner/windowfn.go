package planner

import (
	"fmt"
	"strings"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

// overPlan collects window functions (agg(x) OVER (…)) into
// $setWindowFields stages, one per distinct PARTITION BY / ORDER BY.
type overPlan struct {
	q      *query
	stages []*mql.SetWindowFields
	byKey  map[string]*mql.SetWindowFields
	used   map[string]bool
	hidden []string
	// hint is the output column's name while translating a select item
	// that is exactly one window function.
	hint string
}

// windowAggs are the aggregates that work as window functions.
var windowAggs = map[string]string{
	"SUM": "$sum", "AVG": "$avg", "MIN": "$min", "MAX": "$max",
	"STDDEV": "$stdDevSamp", "STDDEV_SAMP": "$stdDevSamp", "STDDEV_POP": "$stdDevPop",
	"FIRST_VALUE": "$first", "LAST_VALUE": "$last", "ARRAY_AGG": "$push",
}

func (o *overPlan) over(c *parser.Call) (val, error) {
	q := o.q
	name := strings.ToUpper(c.Name)
	row := q.rowTr("window function arguments")
	for _, a := range c.Args {
		if inner := findOver(a); inner != nil {
			return val{}, errorf(inner, CodeWindowing, "window function calls cannot be nested")
		}
	}
	if c.Distinct || c.Filter != nil || c.WithinGroup != nil {
		return val{}, errorf(c, CodeFeatureNotSupport, "DISTINCT, FILTER and WITHIN GROUP are not supported in window functions")
	}
	args := make([]val, len(c.Args))
	for i, a := range c.Args {
		v, err := row.x(a)
		if err != nil {
			return val{}, err
		}
		args[i] = v
	}
	ov := c.Over
	var partition mql.Expr
	switch len(ov.PartitionBy) {
	case 0:
	case 1:
		v, err := row.x(ov.PartitionBy[0])
		if err != nil {
			return val{}, err
		}
		partition = v.e
	default:
		obj := mql.Object{}
		for i, p := range ov.PartitionBy {
			v, err := row.x(p)
			if err != nil {
				return val{}, err
			}
			n := exprName(p)
			if !simpleName(n) || n == "?column?" {
				n = fmt.Sprintf("p%d", i)
			}
			obj.Fields = append(obj.Fields, mql.Field{Name: n, Value: v.e})
		}
		partition = obj
	}
	var sortBy []mql.SortKey
	for _, it := range ov.OrderBy {
		v, err := row.x(it.Expr)
		if err != nil {
			return val{}, err
		}
		if v.path == "" {
			return val{}, errorf(it, CodeFeatureNotSupport, "ORDER BY in OVER (…) takes fields, not expressions")
		}
		order := 1
		if it.Desc {
			order = -1
		}
		// $setWindowFields sorts NULL lowest, so first ascending and
		// last descending; it can't be told otherwise.
		if it.Nulls != "" && (it.Nulls == "FIRST") == it.Desc {
			return val{}, errorf(it, CodeFeatureNotSupport, "NULLS %s is not supported in OVER (ORDER BY …): window functions sort NULL first ascending and last descending; drop NULLS %s or filter NULLs out in WHERE", it.Nulls, it.Nulls)
		}
		sortBy = append(sortBy, mql.SortKey{Path: v.path, Order: order})
	}

	var fn mql.Expr
	var window *mql.WindowBounds
	argc := func(min, max int) error {
		if len(args) < min || len(args) > max || c.Star && name != "COUNT" {
			return errorf(c, CodeUndefinedFunction, "window function %s takes %s, found %d", strings.ToLower(c.Name), argCount(min, max), len(args))
		}
		return nil
	}
	needOrder := func() error {
		if len(sortBy) == 0 {
			return errorf(c, CodeWindowing, "window function %s requires ORDER BY in its OVER clause", name)
		}
		return nil
	}
	switch name {
	case "ROW_NUMBER", "RANK", "DENSE_RANK":
		if err := argc(0, 0); err != nil {
			return val{}, err
		}
		if err := needOrder(); err != nil {
			return val{}, err
		}
		if len(sortBy) > 1 {
			return val{}, errorf(ov.OrderBy[1], CodeFeatureNotSupport, "%s() takes one ORDER BY key in its OVER clause, found %d: $setWindowFields ranks by a single field", name, len(sortBy))
		}
		fn = mql.NamedCall{Op: windowOnly[name]}
	case "LAG", "LEAD":
		if err := argc(1, 3); err != nil {
			return val{}, err
		}
		if err := needOrder(); err != nil {
			return val{}, err
		}
		by := int64(1)
		if len(args) > 1 {
			n, ok := asInt64(constOr(args[1]))
			if !ok {
				return val{}, errorf(c.Args[1], CodeFeatureNotSupport, "the offset of %s must be an integer constant", name)
			}
			by = n
		}
		if name == "LAG" {
			by = -by
		}
		shift := []mql.NamedArg{{Name: "output", Value: args[0].e}, {Name: "by", Value: lit(intValue(by))}}
		if len(args) > 2 {
			if args[2].lit == nil {
				return val{}, errorf(c.Args[2], CodeFeatureNotSupport, "the default of %s must be a constant", name)
			}
			shift = append(shift, mql.NamedArg{Name: "default", Value: args[2].e})
		}
		fn = mql.NamedCall{Op: "$shift", Args: shift}
	case "COUNT":
		if c.Star {
			fn = call("$sum", lit(int32(1)))
		} else {
			if err := argc(1, 1); err != nil {
				return val{}, err
			}
			fn = call("$sum", call("$cond", notNull(args[0]), lit(int32(1)), lit(int32(0))))
		}
	default:
		op, ok := windowAggs[name]
		if !ok {
			if _, scalar := functions[name]; scalar {
				return val{}, errorf(c, CodeWindowing, "OVER specified, but %s is not a window function nor an aggregate function", strings.ToLower(c.Name))
			}
			return val{}, errorf(c, CodeUndefinedFunction, "function %s does not exist%s", strings.ToLower(c.Name), suggestion(name))
		}
		if err := argc(1, 1); err != nil {
			return val{}, err
		}
		fn = call(op, args[0].e)
	}
	if _, ranking := windowOnly[name]; !ranking || name == "FIRST_VALUE" || name == "LAST_VALUE" {
		if ov.Frame != nil {
			w, err := frameBounds(ov.Frame)
			if err != nil {
				return val{}, err
			}
			window = w
		} else if len(sortBy) > 0 {
			// PostgreSQL's default frame with ORDER BY: from the start
			// of the partition to the current row and its peers.
			if len(sortBy) > 1 {
				return val{}, errorf(ov.OrderBy[1], CodeFeatureNotSupport, "with more than one ORDER BY key, the default frame (RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, which takes the current row's peers) can't be planned: $setWindowFields ranges over one key; write ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, or order by one key")
			}
			window = &mql.WindowBounds{Range: true, Lo: "unbounded", Hi: "current"}
		}
	}
	if window != nil && len(sortBy) == 0 {
		return val{}, errorf(ov, CodeWindowing, "a window frame needs ORDER BY in the OVER clause")
	}
	if window != nil && window.Range && len(sortBy) != 1 {
		return val{}, errorf(ov, CodeWindowing, "a RANGE frame needs exactly one ORDER BY key, found %d", len(sortBy))
	}

	key := encode(partition) + "|" + fmt.Sprint(sortBy)
	st, ok := o.byKey[key]
	if !ok {
		st = &mql.SetWindowFields{PartitionBy: partition, SortBy: sortBy}
		o.byKey[key] = st
		o.stages = append(o.stages, st)
	}
	field := o.fieldName()
	st.Output = append(st.Output, mql.WindowOutput{Field: field, Func: fn, Window: window})
	t := tUnknown
	if name == "ROW_NUMBER" || name == "RANK" || name == "DENSE_RANK" || name == "COUNT" {
		t = tInt
	}
	if name == "SUM" {
		// $sum is 0 over a frame without numbers, where SQL's SUM is
		// NULL: a hidden count of the numbers tells the two apart.
		n := o.hiddenName()
		isNum := call("$cond", call("$isNumber", args[0].e), lit(int32(1)), lit(int32(0)))
		st.Output = append(st.Output, mql.WindowOutput{Field: n, Func: call("$sum", isNum), Window: window})
		return exprVal(call("$cond", call("$eq", mql.FieldPath{Path: n}, lit(int32(0))), null(), mql.FieldPath{Path: field}), args[0].t, false), nil
	}
	return val{e: mql.FieldPath{Path: field}, path: field, t: t}, nil
}

// fieldName is the output field of a window function: the column's name
// when that doesn't shadow a field the query reads, else a hidden one.
func (o *overPlan) fieldName() string {
	h := o.hint
	o.hint = ""
	if simpleName(h) && h != "_id" && !strings.HasPrefix(h, "__") && !o.used[h] && !o.q.roots[h] && o.q.rels[h] == nil {
		o.used[h] = true
		return h
	}
	return o.hiddenName()
}

// hiddenName is a new hidden output field, left out of the query's rows.
func (o *overPlan) hiddenName() string {
	for i := 0; ; i++ {
		n := fmt.Sprintf("__w%d", i)
		if !o.used[n] {
			o.used[n] = true
			o.hidden = append(o.hidden, n)
			return n
		}
	}
}
