package planner

import (
	"fmt"
	"strings"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

// gkey is one GROUP BY key: its expression over input rows and how the
// rows after $group read it.
type gkey struct {
	name string
	e    mql.Expr
	enc  string
	ref  val
}

// groupPlan builds the $group of an aggregating query and translates the
// expressions that run after it, which see only keys and aggregates.
type groupPlan struct {
	q      *query
	row    *tr
	keys   []gkey
	fields []mql.Field
	used   map[string]bool
	memo   map[string]val
	// hint is the preferred accumulator field name while translating a
	// select item that is exactly one aggregate.
	hint string
}

func (q *query) planGrouped() error {
	s := q.sel
	if q.hasStar() {
		return errorf(s.Items[0], CodeGrouping, "SELECT * can't be combined with GROUP BY, DISTINCT or aggregates; list the columns")
	}
	for _, c := range q.cols {
		if o := findOver(c.item.Expr); o != nil {
			return errorf(o, CodeFeatureNotSupport, "window functions (OVER) can't be combined with GROUP BY or aggregates yet; compute them in a separate processor")
		}
	}
	g := &groupPlan{q: q, row: q.rowTr("GROUP BY"), used: map[string]bool{}, memo: map[string]val{}}
	g.row.aggErr = "GROUP BY"
	keyExprs := s.GroupBy
	if s.Distinct {
		if len(s.GroupBy) > 0 {
			return errorf(s, CodeFeatureNotSupport, "SELECT DISTINCT with GROUP BY is not supported; the groups are already distinct")
		}
		hasAgg := false
		for _, c := range q.cols {
			hasAgg = hasAgg || findAgg(c.item.Expr) != nil
		}
		if !hasAgg {
			// DISTINCT is a GROUP BY on every selected column.
			keyExprs = nil
			for _, c := range q.cols {
				keyExprs = append(keyExprs, c.item.Expr)
			}
		}
	}
	if err := g.planKeys(keyExprs); err != nil {
		return err
	}
	windowed := s.Window != nil
	// A windowed aggregate written to a collection gets an _id made of
	// its key and window start, so a replay after a restart upserts the
	// same documents instead of adding new ones.
	detID := windowed && q.target != nil && len(q.target.Parts) == 3 && !q.selects("_id")
	var id mql.Expr
	switch {
	case detID:
		obj := mql.Object{}
		for i := range g.keys {
			k := &g.keys[i]
			obj.Fields = append(obj.Fields, mql.Field{Name: k.name, Value: k.e})
			k.ref = val{e: mql.FieldPath{Path: "_id." + k.name}, path: "_id." + k.name}
		}
		ws := "windowStart"
		for g.keyNamed(ws) {
			ws = "_" + ws
		}
		obj.Fields = append(obj.Fields, mql.Field{Name: ws, Value: mql.Meta{Path: "stream.window.start"}})
		id = obj
	case len(g.keys) == 0:
		id = null()
	case len(g.keys) == 1:
		id = g.keys[0].e
		g.keys[0].ref = val{e: mql.FieldPath{Path: "_id"}, path: "_id"}
	default:
		obj := mql.Object{}
		for i := range g.keys {
			k := &g.keys[i]
			obj.Fields = append(obj.Fields, mql.Field{Name: k.name, Value: k.e})
			k.ref = val{e: mql.FieldPath{Path: "_id." + k.name}, path: "_id." + k.name}
		}
		id = obj
	}

	post := &tr{q: q, ref: g.ref, key: g.key, agg: g.agg, overErr: "an aggregating query"}
	proj := &mql.Project{}
	colVals := map[string]val{}
	for _, c := range q.cols {
		g.hint = ""
		if call, ok := c.item.Expr.(*parser.Call); ok && isAggregate(call) {
			g.hint = c.name
		}
		v, err := post.x(c.item.Expr)
		if err != nil {
			return err
		}
		colVals[c.name] = v
		proj.Fields = append(proj.Fields, projectField(c.name, v))
	}
	g.hint = ""
	switch {
	case detID:
		proj.Fields = append([]mql.ProjectField{{Path: "_id", Kind: mql.Include}}, proj.Fields...)
	case !q.selects("_id"):
		proj.Fields = append([]mql.ProjectField{{Path: "_id", Kind: mql.Exclude}}, proj.Fields...)
	}

	var after mql.Pipeline
	if s.Having != nil {
		post.aggErr = ""
		m, err := post.matchQuery(s.Having, false)
		if err != nil {
			return err
		}
		after = append(after, &mql.Match{Query: m})
	}
	if len(s.OrderBy) > 0 {
		if !windowed {
			return errorf(s.OrderBy[0], CodeFeatureNotSupport, "ORDER BY without a window: a continuous aggregate over an endless stream has no final order; add a WINDOW clause, or sort in the consumer")
		}
		stages, err := g.orderBy(post, colVals)
		if err != nil {
			return err
		}
		after = append(after, stages...)
	}
	if n, ok, err := q.limit(); err != nil {
		return err
	} else if ok {
		after = append(after, &mql.Limit{N: n})
	}
	inner := mql.Pipeline{&mql.Group{ID: id, Fields: g.fields}}
	inner = append(inner, after...)
	inner = append(inner, proj)
	if !windowed {
		// A continuous aggregate (weir extension): $group at the top
		// level emits each group's new value as rows arrive.
		q.pipeline = append(q.pipeline, inner...)
		return nil
	}
	w, err := q.windowStage(inner, g.keys)
	if err != nil {
		return err
	}
	q.pipeline = append(q.pipeline, w)
	return nil
}

func (q *query) selects(name string) bool {
	for _, c := range q.cols {
		if c.name == name {
			return true
		}
	}
	return false
}

func (g *groupPlan) keyNamed(n string) bool {
	for _, k := range g.keys {
		if k.name == n {
			return true
		}
	}
	return false
}

// planKeys translates the GROUP BY keys and names them: after the column
// that selects the key, else after the key's last name part.
func (g *groupPlan) planKeys(exprs []parser.Expr) error {
	q := g.q
	for i, e := range exprs {
		// GROUP BY 2 is the second select column, as in PostgreSQL.
		if l, ok := e.(*parser.Literal); ok && l.Kind == parser.LitInt {
			n, _ := l.Int()
			if n < 1 || int(n) > len(q.cols) {
				return errorf(l, CodeSyntax, "GROUP BY position %s is not in select list", l.Text)
			}
			e = q.cols[n-1].item.Expr
		}
		if a := findAgg(e); a != nil {
			return errorf(a, CodeGrouping, "aggregate functions are not allowed in GROUP BY")
		}
		if o := findOver(e); o != nil {
			return errorf(o, CodeWindowing, "window functions are not allowed in GROUP BY")
		}
		v, err := g.row.x(e)
		if err != nil {
			return err
		}
		k := gkey{e: v.e, enc: encode(v.e), ref: v}
		if v.lit != nil {
			continue // a constant key doesn't split groups
		}
		dup := false
		for _, prev := range g.keys {
			dup = dup || prev.enc == k.enc
		}
		if dup {
			continue
		}
		for _, c := range q.cols {
			if findAgg(c.item.Expr) != nil {
				continue
			}
			if cv, err := g.row.x(c.item.Expr); err == nil && encode(cv.e) == k.enc {
				k.name = c.name
				break
			}
		}
		if k.name == "" {
			if id, ok := e.(*parser.Ident); ok && simpleName(id.Parts[len(id.Parts)-1]) {
				k.name = id.Parts[len(id.Parts)-1]
			} else {
				k.name = fmt.Sprintf("k%d", i)
			}
		}
		for g.keyNamed(k.name) {
			k.name = fmt.Sprintf("%s_%d", k.name, i)
		}
		g.keys = append(g.keys, k)
	}
	return nil
}

// key replaces an expression that is a GROUP BY key by the key's value.
func (g *groupPlan) key(e parser.Expr) (val, bool, error) {
	switch e.(type) {
	case *parser.Literal, *parser.Interval, *parser.Param:
		return val{}, false, nil
	}
	if len(g.keys) == 0 || findAgg(e) != nil || findOver(e) != nil {
		return val{}, false, nil
	}
	v, err := g.row.x(e)
	if err != nil || v.lit != nil {
		return val{}, false, nil
	}
	enc := encode(v.e)
	for _, k := range g.keys {
		if k.enc == enc {
			return k.ref, true, nil
		}
	}
	return val{}, false, nil
}

// ref is a column after grouping that is not a key: an error, except for
// the window bounds.
func (g *groupPlan) ref(id *parser.Ident) (val, error) {
	if meta, ok := isWindowBound(id); ok {
		if g.q.sel.Window == nil {
			return val{}, errorf(id, CodeWindowing, "%s is only defined in a query with a WINDOW clause", strings.ToUpper(id.Parts[0]))
		}
		return exprVal(mql.Meta{Path: meta}, tDate, true), nil
	}
	if len(id.Parts) == 1 && strings.EqualFold(id.Parts[0], "CURRENT_TIMESTAMP") {
		return exprVal(mql.NamedCall{Op: "$currentDate"}, tDate, true), nil
	}
	return val{}, errorf(id, CodeGrouping, "column %q must appear in the GROUP BY clause or be used in an aggregate function", strings.Join(id.Parts, "."))
}

// fieldName picks an accumulator's output field: the column name when the
// column is exactly this aggregate, else a hidden __a<n>.
func (g *groupPlan) fieldName() string {
	if h := g.hint; simpleName(h) && h != "_id" && !strings.HasPrefix(h, "__") && !g.used[h] {
		g.hint = ""
		g.used[h] = true
		return h
	}
	for i := 0; ; i++ {
		n := fmt.Sprintf("__a%d", i)
		if !g.used[n] {
			g.used[n] = true
			return n
		}
	}
}

func (g *groupPlan) add(name string, acc mql.Expr) {
	g.fields = append(g.fields, mql.Field{Name: name, Value: acc})
}

// agg plans an aggregate call as $group accumulators and returns how the
// rows after $group read its result.
func (g *groupPlan) agg(c *parser.Call) (val, error) {
	name := strings.ToUpper(c.Name)
	for _, a := range c.Args {
		if inner := findAgg(a); inner != nil {
			return val{}, errorf(inner, CodeGrouping, "aggregate function calls cannot be nested")
		}
		if o := findOver(a); o != nil {
			return val{}, errorf(o, CodeWindowing, "window functions are not allowed in aggregate arguments")
		}
	}
	wantArgs := 1
	if c.Star {
		if name != "COUNT" {
			return val{}, errorf(c, CodeSyntax, "%s(*) is not an aggregate; only COUNT(*) is", name)
		}
		wantArgs = 0
	}
	if len(c.Args) != wantArgs {
		return val{}, errorf(c, CodeUndefinedFunction, "function %s takes %s, found %d", strings.ToLower(c.Name), argCount(wantArgs, wantArgs), len(c.Args))
	}
	if (name == "PERCENTILE_CONT") != (c.WithinGroup != nil) {
		if c.WithinGroup != nil {
			return val{}, errorf(c, CodeSyntax, "WITHIN GROUP goes with PERCENTILE_CONT only")
		}
		return val{}, errorf(c, CodeSyntax, "PERCENTILE_CONT(p) needs WITHIN GROUP (ORDER BY x)")
	}
	var x val
	if len(c.Args) == 1 {
		var err error
		if x, err = g.row.x(c.Args[0]); err != nil {
			return val{}, err
		}
	}
	var filter mql.Expr
	if c.Filter != nil {
		if inner := findAgg(c.Filter); inner != nil {
			return val{}, errorf(inner, CodeGrouping, "aggregate functions are not allowed in FILTER")
		}
		f, err := g.row.pred(c.Filter, false)
		if err != nil {
			return val{}, err
		}
		filter = f
	}
	memoKey := fmt.Sprintf("%s|%v|%v|%s", name, c.Distinct, c.Star, encode(x.e))
	if filter != nil {
		memoKey += "|" + encode(filter)
	}
	var within *parser.OrderItem
	if c.WithinGroup != nil {
		if len(c.WithinGroup) != 1 {
			return val{}, errorf(c, CodeFeatureNotSupport, "WITHIN GROUP takes one ORDER BY key")
		}
		within = c.WithinGroup[0]
		wv, err := g.row.x(within.Expr)
		if err != nil {
			return val{}, err
		}
		memoKey += fmt.Sprintf("|%s|%v", encode(wv.e), within.Desc)
	}
	if v, ok := g.memo[memoKey]; ok {
		return v, nil
	}
	v, err := g.accumulate(c, name, x, filter, within)
	if err != nil {
		return val{}, err
	}
	g.memo[memoKey] = v
	return v, nil
}

// input is an aggregate's argument, with FILTER applied: rows that fail
// the filter contribute a missing value, which every accumulator skips.
func input(x val, filter mql.Expr) mql.Expr {
	if filter == nil {
		return x.e
	}
	return call("$cond", filter, x.e, mql.Variable{Name: "REMOVE"})
}

func path(name string) val { return val{e: mql.FieldPath{Path: name}, path: name} }

func (g *groupPlan) accumulate(c *parser.Call, name string, x val, filter mql.Expr, within *parser.OrderItem) (val, error) {
	in := input(x, filter)
	acc := func(op string) mql.Expr { return call(op, in) }
	if c.Distinct {
		switch name {
		case "COUNT", "SUM", "AVG", "ARRAY_AGG":
			f := g.fieldName()
			g.add(f, acc("$addToSet"))
			set := mql.FieldPath{Path: f}
			switch name {
			case "COUNT":
				// $addToSet keeps a null; COUNT doesn't count it.
				return exprVal(call("$size", filterArray(set, call("$gt", mql.Variable{Name: "this"}, null()))), tInt, true), nil
			case "SUM":
				nums := filterArray(set, call("$isNumber", mql.Variable{Name: "this"}))
				return exprVal(call("$cond", call("$eq", call("$size", nums), lit(int32(0))), null(), call("$sum", set)), tUnknown, false), nil
			case "AVG":
				return exprVal(call("$avg", set), tFloat, false), nil
			}
			return path(f), nil
		case "MIN", "MAX":
			// DISTINCT doesn't change a minimum or maximum.
		default:
			return val{}, errorf(c, CodeFeatureNotSupport, "%s(DISTINCT …) is not supported", name)
		}
	}
	f := g.fieldName()
	switch name {
	case "COUNT":
		var cond mql.Expr
		switch {
		case c.Star && filter == nil:
			g.add(f, call("$sum", lit(int32(1))))
			return exprVal(mql.FieldPath{Path: f}, tInt, true).withPath(f), nil
		case c.Star:
			cond = filter
		default:
			cond = and(filter, notNull(x))
			if x.notNull {
				cond = filter
			}
		}
		if cond == nil {
			g.add(f, call("$sum", lit(int32(1))))
		} else {
			g.add(f, call("$sum", call("$cond", cond, lit(int32(1)), lit(int32(0)))))
		}
		return exprVal(mql.FieldPath{Path: f}, tInt, true).withPath(f), nil
	case "SUM":
		// $sum is 0 over no numbers; SQL's SUM is NULL. A hidden count of
		// the numbers tells the two apart.
		n := "__n_" + strings.TrimPrefix(f, "__")
		g.used[n] = true
		g.add(f, acc("$sum"))
		g.add(n, call("$sum", call("$cond", call("$isNumber", in), lit(int32(1)), lit(int32(0)))))
		return exprVal(call("$cond", call("$eq", mql.FieldPath{Path: n}, lit(int32(0))), null(), mql.FieldPath{Path: f}), x.t, false), nil
	case "AVG":
		g.add(f, acc("$avg"))
	case "MIN":
		g.add(f, acc("$min"))
	case "MAX":
		g.add(f, acc("$max"))
	case "ARRAY_AGG":
		g.add(f, acc("$push"))
	case "FIRST":
		g.add(f, acc("$first"))
	case "LAST":
		g.add(f, acc("$last"))
	case "STDDEV_POP":
		g.add(f, acc("$stdDevPop"))
	case "STDDEV", "STDDEV_SAMP":
		g.add(f, acc("$stdDevSamp"))
	case "MEDIAN":
		g.add(f, mql.NamedCall{Op: "$median", Args: []mql.NamedArg{{Name: "input", Value: in}, {Name: "method", Value: lit("approximate")}}})
	case "PERCENTILE_CONT":
		p, ok := asFloat(constOr(x))
		if x.lit == nil || !ok || p < 0 || p > 1 {
			return val{}, errorf(c.Args[0], CodeInvalidParameter, "PERCENTILE_CONT takes a constant fraction between 0 and 1")
		}
		if within.Desc {
			p = 1 - p
		}
		wv, err := g.row.x(within.Expr)
		if err != nil {
			return val{}, err
		}
		g.add(f, mql.NamedCall{Op: "$percentile", Args: []mql.NamedArg{
			{Name: "input", Value: input(wv, filter)},
			{Name: "p", Value: mql.Array{Elems: []mql.Expr{lit(p)}}},
			{Name: "method", Value: lit("approximate")},
		}})
		return exprVal(call("$arrayElemAt", mql.FieldPath{Path: f}, lit(int32(0))), tFloat, false), nil
	default:
		return val{}, errorf(c, CodeInternal, "internal error: aggregate %s", name)
	}
	return path(f), nil
}

func constOr(v val) any {
	if v.lit == nil {
		return nil
	}
	return *v.lit
}

func (v val) withPath(p string) val {
	v.path = p
	return v
}

func filterArray(input, cond mql.Expr) mql.Expr {
	return mql.NamedCall{Op: "$filter", Args: []mql.NamedArg{{Name: "input", Value: input}, {Name: "cond", Value: cond}}}
}

// orderBy sorts the groups. Keys that are not plain fields are computed
// into hidden fields first; PostgreSQL's NULL placement (last ascending,
// first descending) is the opposite of MQL's, so a nullable key gets a
// hidden null flag sorted before it.
func (g *groupPlan) orderBy(post *tr, colVals map[string]val) ([]mql.Stage, error) {
	var hidden []mql.Field
	var keys []mql.SortKey
	n := 0
	hide := func(e mql.Expr) string {
		name := fmt.Sprintf("__s%d", n)
		n++
		hidden = append(hidden, mql.Field{Name: name, Value: e})
		return name
	}
	for _, o := range g.q.sel.OrderBy {
		var v val
		var err error
		switch x := o.Expr.(type) {
		case *parser.Ident:
			if cv, ok := colVals[x.Parts[0]]; ok && len(x.Parts) == 1 {
				v = cv
				break
			}
			v, err = post.x(o.Expr)
		case *parser.Literal:
			k, _ := x.Int()
			if x.Kind != parser.LitInt || k < 1 || int(k) > len(g.q.cols) {
				return nil, errorf(x, CodeSyntax, "ORDER BY position %s is not in select list", x.Text)
			}
			v = colVals[g.q.cols[k-1].name]
		default:
			v, err = post.x(o.Expr)
		}
		if err != nil {
			return nil, err
		}
		if v.lit != nil {
			continue
		}
		nullsLast := !o.Desc
		if o.Nulls != "" {
			nullsLast = o.Nulls == "LAST"
		}
		mqlNullsLast := o.Desc // MQL puts null lowest
		if !v.notNull && nullsLast != mqlNullsLast {
			flag := call("$cond", isNull(v), lit(int32(1)), lit(int32(0)))
			if !nullsLast {
				flag = call("$cond", isNull(v), lit(int32(0)), lit(int32(1)))
			}
			keys = append(keys, mql.SortKey{Path: hide(flag), Order: 1})
		}
		p := v.path
		if p == "" {
			p = hide(v.e)
		}
		order := 1
		if o.Desc {
			order = -1
		}
		keys = append(keys, mql.SortKey{Path: p, Order: order})
	}
	var out []mql.Stage
	if len(hidden) > 0 {
		out = append(out, &mql.AddFields{Fields: hidden})
	}
	if len(keys) > 0 {
		out = append(out, &mql.Sort{Keys: keys})
	}
	return out, nil
}
