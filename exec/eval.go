package exec

import (
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// Env is what an expression may read beyond the current document.
// The zero value works: $$ROOT is the document, $meta reads nothing and
// $$NOW is the wall clock.
type Env struct {
	// Root is $$ROOT; nil means the document passed to Eval or Match.
	Root bson.D
	// Vars are the user variables in scope, such as a $lookup's let.
	Vars map[string]any
	// Meta returns stream metadata for {$meta: path} ("stream.source.topic");
	// Missing when there is none.
	Meta func(path string) any
	// Now returns the current time. $$NOW is fixed for one pipeline run,
	// so callers pass a clock that returns the same instant for it;
	// $currentDate calls Now on every evaluation.
	Now func() time.Time
	// Rand returns a float in [0, 1) for $rand and $sampleRate; nil uses
	// math/rand/v2.
	Rand func() float64
}

// Eval evaluates e over doc. A missing field, $$REMOVE, or an operator
// applied to nothing yields Missing; nil is BSON null.
func Eval(e mql.Expr, doc bson.D, env *Env) (any, error) {
	ev := newEvaluator(doc, env)
	return ev.eval(e)
}

// evaluator is one evaluation: the current document and the variables in
// scope. Variables bound by $let, $filter, $map and $reduce form a chain, so
// binding one costs a small allocation and no map copy.
type evaluator struct {
	current bson.D // $$CURRENT, what field paths read
	root    bson.D
	env     *Env
	vars    *binding
}

type binding struct {
	name string
	val  any
	next *binding
}

var zeroEnv Env

func newEvaluator(doc bson.D, env *Env) *evaluator {
	if env == nil {
		env = &zeroEnv
	}
	ev := &evaluator{current: doc, root: doc, env: env}
	if env.Root != nil {
		ev.root = env.Root
	}
	return ev
}

func (ev *evaluator) bind(name string, v any) *binding {
	old := ev.vars
	ev.vars = &binding{name: name, val: v, next: old}
	return old
}

func (ev *evaluator) lookupVar(name string) (any, error) {
	for b := ev.vars; b != nil; b = b.next {
		if b.name == name {
			return b.val, nil
		}
	}
	switch name {
	case "ROOT":
		return ev.root, nil
	case "CURRENT":
		return ev.current, nil
	case "REMOVE":
		return Missing, nil
	case "NOW":
		return bson.NewDateTimeFromTime(ev.now()), nil
	case "CLUSTER_TIME":
		t := ev.now()
		return bson.Timestamp{T: uint32(t.Unix()), I: 1}, nil
	}
	if v, ok := ev.env.Vars[name]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("use of undefined variable: %s", name)
}

func (ev *evaluator) now() time.Time {
	if ev.env.Now != nil {
		return ev.env.Now()
	}
	return time.Now()
}

func (ev *evaluator) eval(e mql.Expr) (any, error) {
	switch x := e.(type) {
	case mql.Literal:
		return x.Value, nil
	case *mql.Literal:
		return x.Value, nil
	case mql.FieldPath:
		return exprPathDoc(ev.current, x.Path), nil
	case *mql.FieldPath:
		return exprPathDoc(ev.current, x.Path), nil
	case mql.Variable:
		return ev.evalVariable(x)
	case *mql.Variable:
		return ev.evalVariable(*x)
	case mql.Call:
		return ev.call(x)
	case *mql.Call:
		return ev.call(*x)
	case mql.NamedCall:
		return ev.namedCall(x)
	case *mql.NamedCall:
		return ev.namedCall(*x)
	case mql.Object:
		return ev.object(x)
	case *mql.Object:
		return ev.object(*x)
	case mql.Array:
		return ev.array(x)
	case *mql.Array:
		return ev.array(*x)
	case mql.Meta:
		return ev.meta(x.Path), nil
	case *mql.Meta:
		return ev.meta(x.Path), nil
	case nil:
		return Missing, nil
	}
	return nil, fmt.Errorf("cannot evaluate expression node %T", e)
}

func (ev *evaluator) evalVariable(v mql.Variable) (any, error) {
	val, err := ev.lookupVar(v.Name)
	if err != nil {
		return nil, err
	}
	if v.Path == "" {
		return val, nil
	}
	return exprPath(val, v.Path), nil
}

func (ev *evaluator) meta(path string) any {
	if ev.env.Meta == nil {
		return Missing
	}
	v := ev.env.Meta(path)
	return v
}

// object builds a document; fields whose value is missing are left out,
// which is how $$REMOVE drops a field.
func (ev *evaluator) object(o mql.Object) (any, error) {
	out := make(bson.D, 0, len(o.Fields))
	for _, f := range o.Fields {
		v, err := ev.eval(f.Value)
		if err != nil {
			return nil, err
		}
		if IsMissing(v) {
			continue
		}
		out = append(out, bson.E{Key: f.Name, Value: v})
	}
	return out, nil
}

// array builds an array; a missing element becomes null, as MongoDB does
// for ["$nofield"].
func (ev *evaluator) array(a mql.Array) (any, error) {
	out := make(bson.A, len(a.Elems))
	for i, el := range a.Elems {
		v, err := ev.eval(el)
		if err != nil {
			return nil, err
		}
		if IsMissing(v) {
			v = nil
		}
		out[i] = v
	}
	return out, nil
}

// exprPathDoc is exprPath from a document; it avoids boxing the document
// in an interface, which would allocate on every field read.
func exprPathDoc(d bson.D, path string) any {
	part, rest, _ := strings.Cut(path, ".")
	f, ok := docGet(d, part)
	if !ok {
		return Missing
	}
	if rest == "" {
		return f
	}
	return exprPath(f, rest)
}

// exprPath reads a dotted path the way aggregation field paths do: through
// an array it maps over the elements (skipping scalars and missing
// results, recursing into nested arrays), and a numeric part names a field,
// never an index, so "$arr.0" over an array of scalars is [].
func exprPath(v any, path string) any {
	for path != "" {
		part, rest, _ := strings.Cut(path, ".")
		switch x := v.(type) {
		case bson.D:
			f, ok := docGet(x, part)
			if !ok {
				return Missing
			}
			v, path = f, rest
		case bson.A:
			return exprPathArray(x, path)
		default:
			return Missing
		}
	}
	return v
}

func exprPathArray(a bson.A, path string) bson.A {
	out := bson.A{}
	for _, el := range a {
		switch x := el.(type) {
		case bson.D:
			if r := exprPath(x, path); !IsMissing(r) {
				out = append(out, r)
			}
		case bson.A:
			out = append(out, exprPathArray(x, path))
		}
	}
	return out
}

// docGet returns the first field named k.
func docGet(d bson.D, k string) (any, bool) {
	for i := range d {
		if d[i].Key == k {
			return d[i].Value, true
		}
	}
	return nil, false
}

// evalArgs evaluates every argument in order.
func (ev *evaluator) evalArgs(args []mql.Expr) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		v, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// call evaluates a positional operator. Operators that short-circuit or
// compare are handled here without building an argument slice; the rest
// get their arguments evaluated and go to strictOp.
func (ev *evaluator) call(c mql.Call) (any, error) {
	switch c.Op {
	case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$cmp":
		if len(c.Args) != 2 {
			return nil, fmt.Errorf("expression %s takes exactly 2 arguments, %d were passed in", c.Op, len(c.Args))
		}
		a, err := ev.eval(c.Args[0])
		if err != nil {
			return nil, err
		}
		b, err := ev.eval(c.Args[1])
		if err != nil {
			return nil, err
		}
		cmp := Compare(a, b)
		switch c.Op {
		case "$eq":
			return cmp == 0, nil
		case "$ne":
			return cmp != 0, nil
		case "$gt":
			return cmp > 0, nil
		case "$gte":
			return cmp >= 0, nil
		case "$lt":
			return cmp < 0, nil
		case "$lte":
			return cmp <= 0, nil
		}
		return int32(cmp), nil
	case "$and":
		for _, a := range c.Args {
			v, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			if !Truthy(v) {
				return false, nil
			}
		}
		return true, nil
	case "$or":
		for _, a := range c.Args {
			v, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			if Truthy(v) {
				return true, nil
			}
		}
		return false, nil
	case "$cond":
		if len(c.Args) != 3 {
			return nil, fmt.Errorf("expression $cond takes exactly 3 arguments, %d were passed in", len(c.Args))
		}
		v, err := ev.eval(c.Args[0])
		if err != nil {
			return nil, err
		}
		if Truthy(v) {
			return ev.eval(c.Args[1])
		}
		return ev.eval(c.Args[2])
	case "$ifNull":
		// Every argument but the last is a candidate; the last is the
		// replacement, returned as it is.
		if len(c.Args) < 2 {
			return nil, fmt.Errorf("$ifNull needs at least two arguments, had: %d", len(c.Args))
		}
		for _, a := range c.Args[:len(c.Args)-1] {
			v, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			if !IsNullish(v) {
				return v, nil
			}
		}
		return ev.eval(c.Args[len(c.Args)-1])
	case "$literal":
		if len(c.Args) == 1 {
			if l, ok := c.Args[0].(mql.Literal); ok {
				return l.Value, nil
			}
		}
	case "$let", "$filter", "$map", "$reduce", "$switch":
		return nil, fmt.Errorf("%s takes a document of named arguments", c.Op)
	case "$getField":
		// {$getField: "name"} is short for {field: "name", input: "$$CURRENT"}.
		if len(c.Args) == 1 {
			return ev.namedCall(mql.NamedCall{Op: "$getField", Args: []mql.NamedArg{{Name: "field", Value: c.Args[0]}}})
		}
	}
	if dateUnary(c.Op) && len(c.Args) == 1 {
		// {$year: {date, timezone}} arrives as one Object argument when
		// the parser does not make it a NamedCall.
		if o, ok := c.Args[0].(mql.Object); ok && objectHas(o, "date") {
			args := make([]mql.NamedArg, len(o.Fields))
			for i, f := range o.Fields {
				args[i] = mql.NamedArg{Name: f.Name, Value: f.Value}
			}
			return ev.namedCall(mql.NamedCall{Op: c.Op, Args: args})
		}
	}
	args, err := ev.evalArgs(c.Args)
	if err != nil {
		return nil, err
	}
	return ev.strictOp(c.Op, args)
}

func objectHas(o mql.Object, name string) bool {
	for _, f := range o.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// strictOp applies an operator to its evaluated arguments.
func (ev *evaluator) strictOp(op string, args []any) (any, error) {
	if f, ok := arithOps[op]; ok {
		return f(args)
	}
	if f, ok := stringOps[op]; ok {
		return f(args)
	}
	if f, ok := arrayOps[op]; ok {
		return f(args)
	}
	if f, ok := typeOps[op]; ok {
		return f(args)
	}
	if dateUnary(op) {
		if len(args) != 1 {
			return nil, fmt.Errorf("%s takes 1 argument, %d were passed in", op, len(args))
		}
		return datePart(op, args[0], time.UTC, false)
	}
	switch op {
	case "$not":
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		return !Truthy(args[0]), nil
	case "$mergeObjects":
		return mergeObjects(args)
	case "$objectToArray":
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		return objectToArray(args[0])
	case "$arrayToObject":
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		return arrayToObject(args[0])
	case "$rand":
		return ev.rand(), nil
	case "$currentDate":
		return bson.NewDateTimeFromTime(ev.now()), nil
	case "$createUUID":
		return newUUID(), nil
	case "$sampleRate":
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		if !IsNumber(args[0]) {
			return nil, fmt.Errorf("$sampleRate expects a number, not %s", TypeName(args[0]))
		}
		return ev.rand() < toFloat(args[0]), nil
	case "$toDate":
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		return convert(args[0], "date")
	case "$literal":
		if len(args) == 1 {
			return args[0], nil
		}
	}
	if f, ok := exprAccumulators[op]; ok {
		return f(args)
	}
	return nil, fmt.Errorf("operator %s is not implemented yet", op)
}

// arity checks an operator's argument count.
func arity(op string, args []any, min, max int) error {
	if len(args) < min || (max >= 0 && len(args) > max) {
		switch {
		case min == max:
			return fmt.Errorf("expression %s takes exactly %d arguments, %d were passed in", op, min, len(args))
		case max < 0:
			return fmt.Errorf("expression %s takes at least %d arguments, %d were passed in", op, min, len(args))
		}
		return fmt.Errorf("expression %s takes %d to %d arguments, %d were passed in", op, min, max, len(args))
	}
	return nil
}

// namedArgs is a NamedCall's arguments by name.
type namedArgs []mql.NamedArg

func (n namedArgs) get(name string) (mql.Expr, bool) {
	for _, a := range n {
		if a.Name == name {
			return a.Value, true
		}
	}
	return nil, false
}

// evalNamed evaluates the named argument; Missing when it is absent.
func (ev *evaluator) evalNamed(n namedArgs, name string) (any, error) {
	e, ok := n.get(name)
	if !ok {
		return Missing, nil
	}
	return ev.eval(e)
}

// check rejects named arguments an operator does not take, as MongoDB does.
func (n namedArgs) check(op string, required []string, optional ...string) error {
	for _, r := range required {
		if _, ok := n.get(r); !ok {
			return fmt.Errorf("%s requires '%s' to be specified", op, r)
		}
	}
next:
	for _, a := range n {
		for _, r := range required {
			if a.Name == r {
				continue next
			}
		}
		for _, o := range optional {
			if a.Name == o {
				continue next
			}
		}
		return fmt.Errorf("%s found an unknown argument: %s", op, a.Name)
	}
	return nil
}

func (ev *evaluator) namedCall(c mql.NamedCall) (any, error) {
	n := namedArgs(c.Args)
	switch c.Op {
	case "$let":
		return ev.let(n)
	case "$filter":
		return ev.filter(n)
	case "$map":
		return ev.mapOp(n)
	case "$reduce":
		return ev.reduce(n)
	case "$switch":
		return ev.switchOp(n)
	case "$convert":
		return ev.convertOp(n)
	case "$getField", "$setField", "$unsetField":
		return ev.fieldOp(c.Op, n)
	case "$trim", "$ltrim", "$rtrim":
		return ev.trim(c.Op, n)
	case "$replaceOne", "$replaceAll":
		return ev.replace(c.Op, n)
	case "$regexMatch", "$regexFind", "$regexFindAll":
		return ev.regexOp(c.Op, n)
	case "$sortArray":
		return ev.sortArray(n)
	case "$zip":
		return ev.zip(n)
	case "$firstN", "$lastN", "$maxN", "$minN":
		return ev.nOp(c.Op, n)
	case "$median", "$percentile":
		return ev.percentileExpr(c.Op, n)
	case "$dateToString", "$dateFromString", "$dateTrunc", "$dateAdd", "$dateSubtract",
		"$dateDiff", "$dateFromParts", "$dateToParts":
		return ev.dateNamed(c.Op, n)
	case "$literal":
		if e, ok := n.get("value"); ok {
			return ev.eval(e)
		}
	}
	if dateUnary(c.Op) {
		if err := n.check(c.Op, []string{"date"}, "timezone"); err != nil {
			return nil, err
		}
		d, err := ev.evalNamed(n, "date")
		if err != nil {
			return nil, err
		}
		loc, err := ev.timezone(n)
		if err != nil {
			return nil, err
		}
		return datePart(c.Op, d, loc, false)
	}
	// A named call the parser produced for an operator this evaluator
	// only knows positionally ($currentDate: {}, $createUUID: {}, $rand: {}).
	if len(c.Args) == 0 {
		return ev.strictOp(c.Op, nil)
	}
	return nil, fmt.Errorf("operator %s is not implemented yet", c.Op)
}

func (ev *evaluator) let(n namedArgs) (any, error) {
	if err := n.check("$let", []string{"vars", "in"}); err != nil {
		return nil, err
	}
	varsExpr, _ := n.get("vars")
	in, _ := n.get("in")
	// Every variable is evaluated in the outer scope, then all are bound.
	type kv struct {
		name string
		val  any
	}
	var bound []kv
	switch vs := varsExpr.(type) {
	case mql.Object:
		for _, f := range vs.Fields {
			v, err := ev.eval(f.Value)
			if err != nil {
				return nil, err
			}
			bound = append(bound, kv{f.Name, v})
		}
	case mql.Literal:
		d, ok := vs.Value.(bson.D)
		if !ok {
			return nil, fmt.Errorf("invalid parameter: expected an object (vars), not %s", TypeName(vs.Value))
		}
		for _, f := range d {
			bound = append(bound, kv{f.Key, f.Value})
		}
	default:
		return nil, fmt.Errorf("invalid parameter: expected an object (vars)")
	}
	saved := ev.vars
	for _, b := range bound {
		ev.bind(b.name, b.val)
	}
	defer func() { ev.vars = saved }()
	return ev.eval(in)
}

// asName reads an "as" argument: a variable name given as a string.
func (ev *evaluator) asName(n namedArgs, def string) (string, error) {
	e, ok := n.get("as")
	if !ok {
		return def, nil
	}
	v, err := ev.eval(e)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("'as' must be a non-empty string naming a variable, not %s", TypeName(v))
	}
	return s, nil
}

// arrayInput evaluates the input of $filter, $map or $reduce: nil (and no
// error) for null or missing, an error for anything but an array.
func (ev *evaluator) arrayInput(n namedArgs, op string) (bson.A, error) {
	in, err := ev.evalNamed(n, "input")
	if err != nil || IsNullish(in) {
		return nil, err
	}
	arr, ok := in.(bson.A)
	if !ok {
		return nil, fmt.Errorf("input to %s must be an array not %s", op, TypeName(in))
	}
	if arr == nil {
		arr = bson.A{}
	}
	return arr, nil
}

func (ev *evaluator) filter(n namedArgs) (any, error) {
	if err := n.check("$filter", []string{"input", "cond"}, "as", "limit"); err != nil {
		return nil, err
	}
	arr, err := ev.arrayInput(n, "$filter")
	if arr == nil || err != nil {
		return nil, err // a null or missing input gives null
	}
	as, err := ev.asName(n, "this")
	if err != nil {
		return nil, err
	}
	limit := -1
	if _, ok := n.get("limit"); ok {
		l, err := ev.evalNamed(n, "limit")
		if err != nil {
			return nil, err
		}
		if !IsNullish(l) {
			i, ok := exactInt(l)
			if !ok || i < 1 {
				return nil, fmt.Errorf("$filter: limit must be a positive integer, not %v", l)
			}
			limit = int(i)
		}
	}
	cond, _ := n.get("cond")
	saved := ev.vars
	defer func() { ev.vars = saved }()
	out := bson.A{}
	for _, el := range arr {
		ev.vars = &binding{name: as, val: el, next: saved}
		v, err := ev.eval(cond)
		if err != nil {
			return nil, err
		}
		if Truthy(v) {
			out = append(out, el)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

func (ev *evaluator) mapOp(n namedArgs) (any, error) {
	if err := n.check("$map", []string{"input", "in"}, "as"); err != nil {
		return nil, err
	}
	arr, err := ev.arrayInput(n, "$map")
	if arr == nil || err != nil {
		return nil, err // a null or missing input gives null
	}
	as, err := ev.asName(n, "this")
	if err != nil {
		return nil, err
	}
	body, _ := n.get("in")
	saved := ev.vars
	defer func() { ev.vars = saved }()
	out := make(bson.A, len(arr))
	for i, el := range arr {
		ev.vars = &binding{name: as, val: el, next: saved}
		v, err := ev.eval(body)
		if err != nil {
			return nil, err
		}
		if IsMissing(v) {
			v = nil
		}
		out[i] = v
	}
	return out, nil
}

func (ev *evaluator) reduce(n namedArgs) (any, error) {
	if err := n.check("$reduce", []string{"input", "initialValue", "in"}); err != nil {
		return nil, err
	}
	arr, err := ev.arrayInput(n, "$reduce")
	if arr == nil || err != nil {
		return nil, err // a null or missing input gives null
	}
	acc, err := ev.evalNamed(n, "initialValue")
	if err != nil {
		return nil, err
	}
	body, _ := n.get("in")
	saved := ev.vars
	defer func() { ev.vars = saved }()
	for _, el := range arr {
		ev.vars = &binding{name: "this", val: el, next: &binding{name: "value", val: acc, next: saved}}
		acc, err = ev.eval(body)
		if err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func (ev *evaluator) switchOp(n namedArgs) (any, error) {
	if err := n.check("$switch", []string{"branches"}, "default"); err != nil {
		return nil, err
	}
	be, _ := n.get("branches")
	type branch struct{ caseE, thenE mql.Expr }
	var branches []branch
	addBranch := func(fields []mql.Field) error {
		var b branch
		for _, f := range fields {
			switch f.Name {
			case "case":
				b.caseE = f.Value
			case "then":
				b.thenE = f.Value
			default:
				return fmt.Errorf("$switch found an unknown argument to a branch: %s", f.Name)
			}
		}
		if b.caseE == nil || b.thenE == nil {
			return fmt.Errorf("$switch requires each branch have a 'case' and a 'then'")
		}
		branches = append(branches, b)
		return nil
	}
	switch x := be.(type) {
	case mql.Array:
		for _, el := range x.Elems {
			o, ok := el.(mql.Object)
			if !ok {
				return nil, fmt.Errorf("$switch expected each branch to be an object")
			}
			if err := addBranch(o.Fields); err != nil {
				return nil, err
			}
		}
	case mql.Literal:
		a, ok := x.Value.(bson.A)
		if !ok {
			return nil, fmt.Errorf("$switch expected an array for 'branches', found: %s", TypeName(x.Value))
		}
		for _, el := range a {
			d, ok := el.(bson.D)
			if !ok {
				return nil, fmt.Errorf("$switch expected each branch to be an object")
			}
			fields := make([]mql.Field, len(d))
			for i, e := range d {
				fields[i] = mql.Field{Name: e.Key, Value: mql.Literal{Value: e.Value}}
			}
			if err := addBranch(fields); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("$switch expected an array for 'branches'")
	}
	for _, b := range branches {
		v, err := ev.eval(b.caseE)
		if err != nil {
			return nil, err
		}
		if Truthy(v) {
			return ev.eval(b.thenE)
		}
	}
	if d, ok := n.get("default"); ok {
		return ev.eval(d)
	}
	return nil, fmt.Errorf("$switch could not find a matching branch for an input, and no default was specified")
}

func (ev *evaluator) rand() float64 {
	if ev.env.Rand != nil {
		return ev.env.Rand()
	}
	return defaultRand()
}
