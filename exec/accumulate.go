package exec

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// Accumulator folds the values of one group (or one window frame) for
// $group and $setWindowFields. Add takes what Agg.Input produced for a
// document; Result may be called at any time and does not reset it.
type Accumulator interface {
	Add(v any) error
	Result() any
}

// Remover is an Accumulator that can take a value back out, so a sliding
// window need not re-add its whole frame. $sum, $avg and $count have it;
// for the rest the caller recomputes the frame.
type Remover interface {
	Remove(v any) error
}

// NewAccumulator returns an empty accumulator for an operator whose input
// is one value per document ($sum, $avg, $min, $max, $first, $last, $push,
// $addToSet, $count, $stdDevPop, $stdDevSamp, $mergeObjects, $median).
// Operators with more arguments ($topN, $percentile, …) are built from
// their expression by NewAgg.
func NewAccumulator(op string) (Accumulator, error) {
	switch op {
	case "$sum":
		return &sumAcc{}, nil
	case "$count":
		return &countAcc{}, nil
	case "$avg":
		return &avgAcc{}, nil
	case "$min":
		return &minMaxAcc{sign: -1}, nil
	case "$max":
		return &minMaxAcc{sign: 1}, nil
	case "$first":
		return &firstAcc{}, nil
	case "$last":
		return &lastAcc{}, nil
	case "$push":
		return &pushAcc{vals: bson.A{}}, nil
	case "$addToSet":
		return &setAcc{set: newValueSet()}, nil
	case "$stdDevPop":
		return &stdDevAcc{}, nil
	case "$stdDevSamp":
		return &stdDevAcc{sample: true}, nil
	case "$mergeObjects":
		return &mergeAcc{doc: bson.D{}}, nil
	case "$median":
		return &percentileAcc{ps: []float64{0.5}, scalar: true}, nil
	}
	return nil, fmt.Errorf("accumulator %s is not implemented yet", op)
}

// Agg is one accumulator expression of a $group or $setWindowFields, such
// as {$sum: "$qty"} or {$topN: {n: 3, sortBy: {score: -1}, output: "$name"}},
// prepared once.
type Agg struct {
	Op     string
	input  mql.Expr // the value per document; nil for $count
	sortBy *sortSpec
	nExpr  mql.Expr
	ps     []float64
	interp bool // $percentile/$median method "continuous"
}

// NewAgg prepares an accumulator expression as mql.ParseAccumulator
// returns it (a Call or NamedCall).
func NewAgg(e mql.Expr) (*Agg, error) {
	switch x := e.(type) {
	case mql.Call:
		a := &Agg{Op: x.Op}
		switch len(x.Args) {
		case 0:
			if x.Op != "$count" {
				return nil, fmt.Errorf("accumulator %s needs an argument", x.Op)
			}
		case 1:
			a.input = x.Args[0]
		default:
			return nil, fmt.Errorf("the %s accumulator is a unary operator", x.Op)
		}
		if x.Op == "$median" || x.Op == "$percentile" || isNOp(x.Op) || x.Op == "$top" || x.Op == "$bottom" {
			if o, ok := a.input.(mql.Object); ok {
				args := make([]mql.NamedArg, len(o.Fields))
				for i, f := range o.Fields {
					args[i] = mql.NamedArg{Name: f.Name, Value: f.Value}
				}
				return NewAgg(mql.NamedCall{Op: x.Op, Args: args})
			}
		}
		if _, err := NewAccumulator(a.Op); err != nil {
			return nil, err
		}
		return a, nil
	case mql.NamedCall:
		return newNamedAgg(x)
	}
	return nil, fmt.Errorf("an accumulator must be an operator such as {$sum: …}, not %T", e)
}

func isNOp(op string) bool {
	switch op {
	case "$topN", "$bottomN", "$firstN", "$lastN", "$maxN", "$minN":
		return true
	}
	return false
}

func newNamedAgg(x mql.NamedCall) (*Agg, error) {
	n := namedArgs(x.Args)
	a := &Agg{Op: x.Op}
	switch x.Op {
	case "$count":
		if len(x.Args) != 0 {
			return nil, fmt.Errorf("$count takes no arguments, i.e. $count:{}")
		}
		return a, nil
	case "$top", "$bottom", "$topN", "$bottomN":
		req := []string{"sortBy", "output"}
		if x.Op == "$topN" || x.Op == "$bottomN" {
			req = append(req, "n")
		}
		if err := n.check(x.Op, req); err != nil {
			return nil, err
		}
		sb, _ := n.get("sortBy")
		v, err := Eval(sb, nil, nil)
		if err != nil {
			return nil, err
		}
		if _, ok := v.(bson.D); !ok {
			return nil, fmt.Errorf("%s: 'sortBy' must be a document, not %s", x.Op, TypeName(v))
		}
		spec, err := parseSortSpec(x.Op, v)
		if err != nil {
			return nil, err
		}
		a.sortBy = &spec
		a.input, _ = n.get("output")
		a.nExpr, _ = n.get("n")
		return a, nil
	case "$firstN", "$lastN", "$maxN", "$minN":
		if err := n.check(x.Op, []string{"input", "n"}); err != nil {
			return nil, err
		}
		a.input, _ = n.get("input")
		a.nExpr, _ = n.get("n")
		return a, nil
	case "$median", "$percentile":
		req := []string{"input", "method"}
		if x.Op == "$percentile" {
			req = append(req, "p")
		}
		if err := n.check(x.Op, req); err != nil {
			return nil, err
		}
		a.input, _ = n.get("input")
		method, err := percentileMethod(x.Op, n)
		if err != nil {
			return nil, err
		}
		a.interp = method == "continuous"
		if x.Op == "$median" {
			a.ps = []float64{0.5}
			return a, nil
		}
		pe, _ := n.get("p")
		ps, err := percentiles(pe)
		if err != nil {
			return nil, err
		}
		a.ps = ps
		return a, nil
	}
	if len(x.Args) == 0 {
		return NewAgg(mql.Call{Op: x.Op})
	}
	return nil, fmt.Errorf("accumulator %s is not implemented yet", x.Op)
}

func percentileMethod(op string, n namedArgs) (string, error) {
	me, _ := n.get("method")
	m, err := Eval(me, nil, nil)
	if err != nil {
		return "", err
	}
	switch m {
	case "approximate", "discrete", "continuous":
		return m.(string), nil
	}
	return "", fmt.Errorf("%s: 'method' must be \"approximate\", \"discrete\" or \"continuous\", not %v", op, m)
}

func percentiles(pe mql.Expr) ([]float64, error) {
	v, err := Eval(pe, nil, nil)
	if err != nil {
		return nil, err
	}
	arr, ok := v.(bson.A)
	if !ok || len(arr) == 0 {
		return nil, fmt.Errorf("$percentile: 'p' must be a non-empty array of numbers in [0, 1], not %s", TypeName(v))
	}
	ps := make([]float64, len(arr))
	for i, e := range arr {
		f := toFloat(e)
		if !IsNumber(e) || !(f >= 0 && f <= 1) {
			return nil, fmt.Errorf("$percentile: 'p' must be an array of numbers in [0, 1], found %v", e)
		}
		ps[i] = f
	}
	return ps, nil
}

// Input evaluates what the accumulator takes from doc. For $top and its
// kin that is the output value with the sort key; for $count nothing.
func (a *Agg) Input(doc bson.D, env *Env) (any, error) {
	if a.input == nil {
		return nil, nil
	}
	v, err := Eval(a.input, doc, env)
	if err != nil {
		return nil, err
	}
	if a.sortBy != nil {
		keys := make([]any, len(a.sortBy.fields))
		for i, f := range a.sortBy.fields {
			keys[i] = SortKey(queryPathValue(doc, f), a.sortBy.dirs[i] < 0)
		}
		if IsMissing(v) {
			v = nil
		}
		return ranked{keys: keys, out: v}, nil
	}
	return v, nil
}

// New returns an empty accumulator for one group. key is the group's _id:
// n of $topN and its kin may depend on it ({n: {$cond: [{$eq:
// ["$gameId", "G2"]}, 1, 3]}} with _id {gameId: …}), so it is evaluated
// with the key as the current document.
func (a *Agg) New(key any, env *Env) (Accumulator, error) {
	n := 1
	if a.nExpr != nil {
		kd, _ := key.(bson.D)
		nv, err := Eval(a.nExpr, kd, env)
		if err != nil {
			return nil, err
		}
		if n, err = positiveN(a.Op, nv); err != nil {
			return nil, err
		}
	}
	switch a.Op {
	case "$top", "$topN":
		return &rankAcc{spec: a.sortBy, n: n, single: a.Op == "$top"}, nil
	case "$bottom", "$bottomN":
		return &rankAcc{spec: a.sortBy, n: n, single: a.Op == "$bottom", bottom: true}, nil
	case "$firstN":
		return &firstNAcc{n: n, vals: bson.A{}}, nil
	case "$lastN":
		return &lastNAcc{n: n, vals: bson.A{}}, nil
	case "$maxN":
		return &extremeNAcc{n: n, sign: 1}, nil
	case "$minN":
		return &extremeNAcc{n: n, sign: -1}, nil
	case "$percentile", "$median":
		return &percentileAcc{ps: a.ps, scalar: a.Op == "$median", interp: a.interp}, nil
	}
	return NewAccumulator(a.Op)
}

// EvalGroupKey evaluates a $group _id. Missing becomes null, also in each
// field of a compound key, so {}, {a: null} and a missing a fall in one
// group ({province: "$a.province"} gives {province: null} for all three),
// as MongoDB does. Hash the result with AppendKey.
func EvalGroupKey(e mql.Expr, doc bson.D, env *Env) (any, error) {
	if o, ok := e.(mql.Object); ok {
		out := make(bson.D, 0, len(o.Fields))
		for _, f := range o.Fields {
			v, err := Eval(f.Value, doc, env)
			if err != nil {
				return nil, err
			}
			out = append(out, bson.E{Key: f.Name, Value: GroupKey(v)})
		}
		return out, nil
	}
	v, err := Eval(e, doc, env)
	if err != nil {
		return nil, err
	}
	return GroupKey(v), nil
}

// sum is a running numeric total with MongoDB's widening: the result has
// the widest input type (int → long → double → decimal); an int total
// that overflows becomes a long, a long one a double.
type sum struct {
	kind     numKind
	i        int64
	overflow bool // the integer total no longer fits an int64
	f        float64
	c        float64 // Neumaier compensation for f
	dec      *big.Float
}

func (s *sum) add(v any) {
	k := kindOf(v)
	if k == notNumber {
		return
	}
	s.kind = max(s.kind, k)
	switch k {
	case kindInt, kindLong:
		x, _ := toInt64(v)
		if !s.overflow {
			if r, ok := addInt(s.i, x); ok {
				s.i = r
				return
			}
			s.overflow = true
			s.addFloat(float64(s.i))
			s.i = 0
		}
		s.addFloat(float64(x))
	case kindDouble:
		s.addFloat(v.(float64))
	case kindDecimal:
		f, ok := toBigFloat(v)
		if !ok {
			s.addFloat(toFloat(v))
			return
		}
		if s.dec == nil {
			s.dec = new(big.Float).SetPrec(200)
		}
		s.dec.Add(s.dec, f)
	}
}

func (s *sum) sub(v any) {
	switch x := v.(type) {
	case int32, int64:
		// Taking an int back out keeps the total's type: removing an int
		// from an int total must not make it a long.
		n, _ := toInt64(x)
		if !s.overflow {
			if r, ok := subInt(s.i, n); ok {
				s.i = r
				return
			}
			s.overflow = true
			s.addFloat(float64(s.i))
			s.i = 0
		}
		s.addFloat(-float64(n))
	case float64:
		s.add(-x)
	case bson.Decimal128:
		if f, ok := toBigFloat(x); ok {
			s.add(bigToDecimal(f.Neg(f)))
		}
	}
}

func (s *sum) addFloat(x float64) {
	t := s.f + x
	if math.IsInf(t, 0) || math.IsNaN(t) {
		s.f, s.c = t, 0
		return
	}
	if math.Abs(s.f) >= math.Abs(x) {
		s.c += (s.f - t) + x
	} else {
		s.c += (x - t) + s.f
	}
	s.f = t
}

func (s *sum) result() any {
	switch {
	case s.kind == notNumber:
		return int32(0)
	case s.kind == kindDecimal:
		total := new(big.Float).SetPrec(200)
		if s.dec != nil {
			total.Set(s.dec)
		}
		if math.IsInf(s.f, 0) || math.IsNaN(s.f) {
			return floatToDecimal(s.f)
		}
		total.Add(total, new(big.Float).SetInt64(s.i))
		total.Add(total, new(big.Float).SetFloat64(s.f+s.c))
		return bigToDecimal(total)
	case s.kind == kindDouble || s.overflow:
		return float64(s.i) + (s.f + s.c)
	}
	return narrow(s.i, s.kind)
}

type sumAcc struct{ s sum }

func (a *sumAcc) Add(v any) error    { a.s.add(v); return nil }
func (a *sumAcc) Remove(v any) error { a.s.sub(v); return nil }
func (a *sumAcc) Result() any        { return a.s.result() }

type countAcc struct{ n int64 }

func (a *countAcc) Add(any) error    { a.n++; return nil }
func (a *countAcc) Remove(any) error { a.n--; return nil }
func (a *countAcc) Result() any      { return narrow(a.n, kindInt) }

// avgAcc is $avg: numbers only, a double (a decimal if any input is one),
// null when there were none.
type avgAcc struct {
	s sum
	n int64
}

func (a *avgAcc) Add(v any) error {
	if IsNumber(v) {
		a.s.add(v)
		a.n++
	}
	return nil
}

func (a *avgAcc) Remove(v any) error {
	if IsNumber(v) {
		a.s.sub(v)
		a.n--
	}
	return nil
}

func (a *avgAcc) Result() any {
	if a.n == 0 {
		return nil
	}
	total := a.s.result()
	if d, ok := total.(bson.Decimal128); ok {
		f, ok := toBigFloat(d)
		if !ok {
			return d
		}
		return bigToDecimal(f.Quo(f, new(big.Float).SetInt64(a.n)))
	}
	return toFloat(total) / float64(a.n)
}

// minMaxAcc is $min or $max in BSON order, ignoring null and missing
// unless every value was one of them (then null).
type minMaxAcc struct {
	sign int
	best any
	seen bool
}

func (a *minMaxAcc) Add(v any) error {
	if IsNullish(v) {
		return nil
	}
	if !a.seen || Compare(v, a.best)*a.sign > 0 {
		a.best, a.seen = v, true
	}
	return nil
}

func (a *minMaxAcc) Result() any {
	if !a.seen {
		return nil
	}
	return a.best
}

// firstAcc is $first: the first document's value; missing becomes null.
type firstAcc struct {
	v    any
	seen bool
}

func (a *firstAcc) Add(v any) error {
	if !a.seen {
		a.v, a.seen = v, true
	}
	return nil
}

func (a *firstAcc) Result() any { return GroupKey(a.v) }

type lastAcc struct{ v any }

func (a *lastAcc) Add(v any) error { a.v = v; return nil }
func (a *lastAcc) Result() any     { return GroupKey(a.v) }

// pushAcc is $push: every value but missing ones, in order.
type pushAcc struct{ vals bson.A }

func (a *pushAcc) Add(v any) error {
	if !IsMissing(v) {
		a.vals = append(a.vals, v)
	}
	return nil
}

func (a *pushAcc) Result() any { return slices.Clone(a.vals) }

// setAcc is $addToSet: distinct values (1 and 1.0 are one), missing
// skipped, in first-seen order (MongoDB leaves the order unspecified).
type setAcc struct{ set *valueSet }

func (a *setAcc) Add(v any) error {
	if !IsMissing(v) {
		a.set.add(v)
	}
	return nil
}

func (a *setAcc) Result() any { return slices.Clone(a.set.items) }

// stdDevAcc is $stdDevPop or $stdDevSamp over the numeric values
// (Welford's method); null with no values, or fewer than two for the
// sample.
type stdDevAcc struct {
	sample  bool
	n       int64
	mean, m float64
}

func (a *stdDevAcc) Add(v any) error {
	if !IsNumber(v) {
		return nil
	}
	x := toFloat(v)
	a.n++
	d := x - a.mean
	a.mean += d / float64(a.n)
	a.m += d * (x - a.mean)
	return nil
}

func (a *stdDevAcc) Result() any {
	switch {
	case a.n == 0, a.sample && a.n < 2:
		return nil
	case a.sample:
		return math.Sqrt(a.m / float64(a.n-1))
	}
	return math.Sqrt(a.m / float64(a.n))
}

type mergeAcc struct{ doc bson.D }

func (a *mergeAcc) Add(v any) error {
	if IsNullish(v) {
		return nil
	}
	d, ok := v.(bson.D)
	if !ok {
		return fmt.Errorf("$mergeObjects requires object inputs, but input %v is of type %s", v, TypeName(v))
	}
	a.doc = mergeInto(a.doc, d)
	return nil
}

func (a *mergeAcc) Result() any { return slices.Clone(a.doc) }

// percentileAcc is $percentile and $median. It keeps every numeric value
// and answers exactly: nearest rank for "discrete" and "approximate"
// (Atlas's t-digest may differ from that in the last rank), linear
// interpolation between ranks for "continuous".
type percentileAcc struct {
	ps     []float64
	scalar bool
	interp bool
	vals   []float64
}

func (a *percentileAcc) Add(v any) error {
	if IsNumber(v) {
		a.vals = append(a.vals, toFloat(v))
	}
	return nil
}

func (a *percentileAcc) Result() any {
	if len(a.vals) == 0 {
		if a.scalar {
			return nil
		}
		out := make(bson.A, len(a.ps))
		return out
	}
	sorted := slices.Clone(a.vals)
	sort.Float64s(sorted)
	out := make(bson.A, len(a.ps))
	for i, p := range a.ps {
		if a.interp {
			pos := p * float64(len(sorted)-1)
			lo := int(math.Floor(pos))
			hi := min(lo+1, len(sorted)-1)
			out[i] = sorted[lo] + (pos-float64(lo))*(sorted[hi]-sorted[lo])
			continue
		}
		rank := int(math.Ceil(p*float64(len(sorted)))) - 1
		out[i] = sorted[max(0, min(rank, len(sorted)-1))]
	}
	if a.scalar {
		return out[0]
	}
	return out
}

// ranked is a $top/$bottom input: the sort key with the output value.
type ranked struct {
	keys []any
	out  any
}

// rankAcc keeps the n first (top) or last (bottom) inputs in sortBy
// order; ties keep arrival order.
type rankAcc struct {
	spec   *sortSpec
	n      int
	single bool
	bottom bool
	items  []ranked
}

func (a *rankAcc) cmp(x, y ranked) int {
	for i := range x.keys {
		if c := Compare(x.keys[i], y.keys[i]); c != 0 {
			return c * a.spec.dirs[i]
		}
	}
	return 0
}

func (a *rankAcc) Add(v any) error {
	r, ok := v.(ranked)
	if !ok {
		return fmt.Errorf("%s needs its input from Agg.Input", "$top")
	}
	// Insert after equal keys so earlier documents win ties for $top and
	// later ones for $bottom.
	i := sort.Search(len(a.items), func(i int) bool { return a.cmp(a.items[i], r) > 0 })
	a.items = slices.Insert(a.items, i, r)
	if len(a.items) > a.n {
		if a.bottom {
			a.items = a.items[1:]
		} else {
			a.items = a.items[:a.n]
		}
	}
	return nil
}

func (a *rankAcc) Result() any {
	if a.single {
		if len(a.items) == 0 {
			return nil
		}
		if a.bottom {
			return a.items[len(a.items)-1].out
		}
		return a.items[0].out
	}
	out := make(bson.A, len(a.items))
	for i, r := range a.items {
		out[i] = r.out
	}
	return out
}

// firstNAcc is $firstN: the first n values, missing ones as null.
type firstNAcc struct {
	n    int
	vals bson.A
}

func (a *firstNAcc) Add(v any) error {
	if len(a.vals) < a.n {
		a.vals = append(a.vals, GroupKey(v))
	}
	return nil
}

func (a *firstNAcc) Result() any { return slices.Clone(a.vals) }

type lastNAcc struct {
	n    int
	vals bson.A
}

func (a *lastNAcc) Add(v any) error {
	a.vals = append(a.vals, GroupKey(v))
	if len(a.vals) > a.n {
		a.vals = a.vals[1:]
	}
	return nil
}

func (a *lastNAcc) Result() any { return slices.Clone(a.vals) }

// extremeNAcc is $maxN (largest first) or $minN (smallest first),
// ignoring null and missing.
type extremeNAcc struct {
	n    int
	sign int
	vals bson.A
}

func (a *extremeNAcc) Add(v any) error {
	if IsNullish(v) {
		return nil
	}
	i := sort.Search(len(a.vals), func(i int) bool { return Compare(a.vals[i], v)*a.sign < 0 })
	a.vals = slices.Insert(a.vals, i, v)
	if len(a.vals) > a.n {
		a.vals = a.vals[:a.n]
	}
	return nil
}

func (a *extremeNAcc) Result() any { return slices.Clone(append(bson.A{}, a.vals...)) }

// exprAccumulators are $sum, $avg, $min, $max, $stdDevPop and $stdDevSamp
// used as expressions: over the elements of one array argument, or over
// several arguments (where an array counts as non-numeric).
var exprAccumulators = map[string]opFunc{
	"$sum":        exprAcc("$sum"),
	"$avg":        exprAcc("$avg"),
	"$min":        exprAcc("$min"),
	"$max":        exprAcc("$max"),
	"$stdDevPop":  exprAcc("$stdDevPop"),
	"$stdDevSamp": exprAcc("$stdDevSamp"),
}

func exprAcc(op string) opFunc {
	return func(args []any) (any, error) {
		acc, err := NewAccumulator(op)
		if err != nil {
			return nil, err
		}
		vals := args
		if len(args) == 1 {
			if arr, ok := args[0].(bson.A); ok {
				vals = arr
			}
		}
		for _, v := range vals {
			if err := acc.Add(v); err != nil {
				return nil, err
			}
		}
		return acc.Result(), nil
	}
}

// percentileExpr is $median or $percentile used as an expression, over an
// array (or one scalar) input.
func (ev *evaluator) percentileExpr(op string, n namedArgs) (any, error) {
	a, err := newNamedAgg(mql.NamedCall{Op: op, Args: n})
	if err != nil {
		return nil, err
	}
	in, err := ev.evalNamed(n, "input")
	if err != nil {
		return nil, err
	}
	acc := &percentileAcc{ps: a.ps, scalar: op == "$median", interp: a.interp}
	if arr, ok := in.(bson.A); ok {
		for _, v := range arr {
			_ = acc.Add(v)
		}
	} else {
		_ = acc.Add(in)
	}
	return acc.Result(), nil
}
