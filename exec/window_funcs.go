package exec

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// WindowFunc is one $setWindowFields output: a window function with its
// window, prepared once per stage.
type WindowFunc interface {
	// Compute returns one value per document of a partition whose
	// documents are already in sortBy order. envs is nil or holds each
	// document's Env. A Missing value means the output field is not set.
	Compute(docs []bson.D, envs []*Env) ([]any, error)
}

// NewWindowFunc prepares the window function fn (as mql.ParseAccumulator
// returns it) over bounds (nil: the default window) for partitions sorted
// by sortBy. It follows MongoDB's $setWindowFields: accumulators ($sum,
// $avg, $push, $topN, …) default to the whole partition; documents
// windows count positions; range windows add numeric bounds to the
// (ascending) sortBy value, in units of time for dates when bounds.Unit
// is set, while "current" is the current document's position. $rank, $denseRank, $documentNumber, $shift, $expMovingAvg,
// $locf and $linearFill take no window; $derivative needs one.
func NewWindowFunc(fn mql.Expr, bounds *mql.WindowBounds, sortBy []mql.SortKey) (WindowFunc, error) {
	op, args := winOpArgs(fn)
	frame := &winFrame{bounds: bounds, sortBy: sortBy}
	if err := frame.check(); err != nil {
		return nil, err
	}
	noWindow := func() error {
		if bounds != nil {
			return fmt.Errorf("%s does not take a window", op)
		}
		return nil
	}
	oneSortKey := func() (mql.SortKey, error) {
		if len(sortBy) != 1 {
			return mql.SortKey{}, fmt.Errorf("%s needs a sortBy with exactly one field, found %d", op, len(sortBy))
		}
		return sortBy[0], nil
	}
	switch op {
	case "$documentNumber", "$rank", "$denseRank":
		if len(args) != 0 {
			return nil, fmt.Errorf("%s takes no arguments; write {%s: {}}", op, op)
		}
		if err := noWindow(); err != nil {
			return nil, err
		}
		k, err := oneSortKey()
		if err != nil {
			return nil, err
		}
		return &winRank{op: op, key: k}, nil
	case "$shift":
		if err := noWindow(); err != nil {
			return nil, err
		}
		return newWinShift(args)
	case "$locf":
		if err := noWindow(); err != nil {
			return nil, err
		}
		if err := args.check(op, []string{"input"}); err != nil {
			return nil, err
		}
		in, _ := args.get("input")
		return &winLocf{input: in}, nil
	case "$linearFill":
		if err := noWindow(); err != nil {
			return nil, err
		}
		k, err := oneSortKey()
		if err != nil {
			return nil, err
		}
		if err := args.check(op, []string{"input"}); err != nil {
			return nil, err
		}
		in, _ := args.get("input")
		return &winLinearFill{input: in, key: k}, nil
	case "$expMovingAvg":
		if err := noWindow(); err != nil {
			return nil, err
		}
		if len(sortBy) == 0 {
			return nil, fmt.Errorf("$expMovingAvg needs a sortBy")
		}
		return newWinEMA(args)
	case "$derivative", "$integral":
		if op == "$derivative" && bounds == nil {
			return nil, fmt.Errorf("$derivative needs a window, such as window: {range: [-30, 0], unit: \"second\"}")
		}
		k, err := oneSortKey()
		if err != nil {
			return nil, err
		}
		return newWinCalculus(op, args, k, frame)
	case "$covariancePop", "$covarianceSamp":
		if len(args) != 2 {
			return nil, fmt.Errorf("%s takes two expressions, [x, y]", op)
		}
		return &winCovariance{x: args[0].Value, y: args[1].Value, sample: op == "$covarianceSamp", frame: frame}, nil
	}
	agg, err := NewAgg(fn)
	if err != nil {
		return nil, err
	}
	return &winAgg{agg: agg, frame: frame}, nil
}

// winOpArgs reads a window function as its operator and arguments;
// positional arguments get no names.
func winOpArgs(fn mql.Expr) (string, namedArgs) {
	switch x := fn.(type) {
	case mql.Call:
		args := make(namedArgs, len(x.Args))
		for i, a := range x.Args {
			args[i] = mql.NamedArg{Value: a}
			if len(x.Args) == 1 {
				args[i].Name = "input"
			}
		}
		return x.Op, args
	case mql.NamedCall:
		return x.Op, namedArgs(x.Args)
	}
	return "", nil
}

func winEnv(envs []*Env, i int) *Env {
	if envs == nil {
		return nil
	}
	return envs[i]
}

// winEvalAll evaluates e over every document.
func winEvalAll(e mql.Expr, docs []bson.D, envs []*Env) ([]any, error) {
	out := make([]any, len(docs))
	for i, d := range docs {
		v, err := Eval(e, d, winEnv(envs, i))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// winConst evaluates an argument that must not depend on the document.
func winConst(args namedArgs, name string) (any, bool, error) {
	e, ok := args.get(name)
	if !ok {
		return nil, false, nil
	}
	v, err := Eval(e, nil, nil)
	return v, true, err
}

// winFrame is a window: which documents around each one of a sorted
// partition a function reads.
type winFrame struct {
	bounds *mql.WindowBounds
	sortBy []mql.SortKey
}

func (f *winFrame) check() error {
	w := f.bounds
	if w == nil {
		return nil
	}
	if len(f.sortBy) == 0 {
		return fmt.Errorf("a window needs sortBy to order the documents")
	}
	for _, b := range []any{w.Lo, w.Hi} {
		if b == "current" || b == "unbounded" {
			continue
		}
		if !IsNumber(b) {
			return fmt.Errorf("a window bound is a number, \"current\" or \"unbounded\", not %v", b)
		}
		if _, whole := exactInt(b); (!w.Range || w.Unit != "") && !whole {
			return fmt.Errorf("window bound %v must be a whole number with documents or unit", b)
		}
	}
	if w.Range && len(f.sortBy) != 1 {
		return fmt.Errorf("a range window needs exactly one sortBy field, found %d", len(f.sortBy))
	}
	if w.Range && f.sortBy[0].Order < 0 {
		return fmt.Errorf("a range window needs an ascending sortBy, found {%s: -1}", f.sortBy[0].Path)
	}
	if w.Unit != "" {
		if !w.Range {
			return fmt.Errorf("unit goes with a range window, not documents")
		}
		if _, ok := winUnitMillis(w.Unit); !ok && w.Unit != "month" && w.Unit != "quarter" && w.Unit != "year" {
			return fmt.Errorf("%q is not a time unit", w.Unit)
		}
	}
	return nil
}

// spans returns the half-open index range [lo, hi) of each document's
// window. Both ends never move backwards, since partitions are sorted.
func (f *winFrame) spans(docs []bson.D) ([][2]int, error) {
	n := len(docs)
	out := make([][2]int, n)
	w := f.bounds
	if w == nil {
		for i := range out {
			out[i] = [2]int{0, n}
		}
		return out, nil
	}
	if !w.Range {
		for i := range out {
			lo, hi := 0, n
			if k, ok := exactInt(w.Lo); ok && IsNumber(w.Lo) {
				lo = clampInt(int64(i)+k, 0, int64(n))
			} else if w.Lo == "current" {
				lo = i
			}
			if k, ok := exactInt(w.Hi); ok && IsNumber(w.Hi) {
				hi = clampInt(int64(i)+k+1, 0, int64(n))
			} else if w.Hi == "current" {
				hi = i + 1
			}
			out[i] = [2]int{lo, max(lo, hi)}
		}
		return out, nil
	}
	keys, err := f.rangeKeys(docs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		lo, hi := 0, n
		switch w.Lo {
		case "unbounded":
		case "current":
			lo = i
		default:
			from := f.shift(keys[i], w.Lo)
			lo = sort.Search(n, func(j int) bool { return keys[j] >= from })
		}
		switch w.Hi {
		case "unbounded":
		case "current":
			hi = i + 1
		default:
			to := f.shift(keys[i], w.Hi)
			hi = sort.Search(n, func(j int) bool { return keys[j] > to })
		}
		out[i] = [2]int{lo, max(lo, hi)}
	}
	return out, nil
}

func clampInt(v, lo, hi int64) int { return int(min(max(v, lo), hi)) }

// rangeKeys are the sortBy values as numbers, non-decreasing since a
// range window's sort is ascending: the value itself, or a date's
// milliseconds.
func (f *winFrame) rangeKeys(docs []bson.D) ([]float64, error) {
	k := f.sortBy[0]
	keys := make([]float64, len(docs))
	for i, d := range docs {
		v := queryPathValue(d, k.Path)
		var x float64
		switch t := v.(type) {
		case bson.DateTime:
			if f.bounds.Unit == "" {
				return nil, fmt.Errorf("a range window over the date %s needs a unit", k.Path)
			}
			x = float64(t)
		default:
			if !IsNumber(v) {
				want := "a number"
				if f.bounds.Unit != "" {
					want = "a date (the window has a unit)"
				}
				return nil, fmt.Errorf("a range window needs sortBy %s to be %s, found %s", k.Path, want, TypeName(v))
			}
			if f.bounds.Unit != "" {
				return nil, fmt.Errorf("a range window with unit %q needs sortBy %s to be a date, found %s", f.bounds.Unit, k.Path, TypeName(v))
			}
			x = toFloat(v)
			if math.IsNaN(x) {
				return nil, fmt.Errorf("a range window cannot place NaN (sortBy %s)", k.Path)
			}
		}
		keys[i] = x
	}
	return keys, nil
}

// shift moves key by the bound b, a number of units: calendar units
// ("month", …) add to the date as $dateAdd does.
func (f *winFrame) shift(key float64, b any) float64 {
	unit := f.bounds.Unit
	if unit == "" {
		return key + toFloat(b)
	}
	n, _ := exactInt(b)
	if ms, ok := winUnitMillis(unit); ok {
		return key + float64(n*ms)
	}
	return float64(addUnits(time.UnixMilli(int64(key)).UTC(), unit, n).UnixMilli())
}

// winUnitMillis is the length of a fixed time unit ("week" and smaller).
func winUnitMillis(unit string) (int64, bool) {
	ms, ok := unitMillis[unit]
	return ms, ok
}

// winAgg is an accumulator ($sum, $push, $topN, …) over each window.
type winAgg struct {
	agg   *Agg
	frame *winFrame
}

func (w *winAgg) Compute(docs []bson.D, envs []*Env) ([]any, error) {
	spans, err := w.frame.spans(docs)
	if err != nil {
		return nil, err
	}
	inputs := make([]any, len(docs))
	slide := true
	for i, d := range docs {
		if inputs[i], err = w.agg.Input(d, winEnv(envs, i)); err != nil {
			return nil, err
		}
		// Taking a value back out is exact only for ints: a double's
		// rounding, an infinity or a long's wider type would linger.
		if IsNumber(inputs[i]) {
			_, isInt := inputs[i].(int32)
			slide = slide && isInt
		}
	}
	out := make([]any, len(docs))
	fresh := func() (Accumulator, error) { return w.agg.New(nil, nil) }
	acc, err := fresh()
	if err != nil {
		return nil, err
	}
	if r, ok := acc.(Remover); ok && slide {
		lo, hi := 0, 0
		for i, s := range spans {
			for ; hi < s[1]; hi++ {
				if err := acc.Add(inputs[hi]); err != nil {
					return nil, err
				}
			}
			for ; lo < s[0]; lo++ {
				if err := r.Remove(inputs[lo]); err != nil {
					return nil, err
				}
			}
			out[i] = acc.Result()
		}
		return out, nil
	}
	for i, s := range spans {
		if i > 0 && s == spans[i-1] {
			out[i] = winCopy(out[i-1])
			continue
		}
		acc, err := fresh()
		if err != nil {
			return nil, err
		}
		for _, v := range inputs[s[0]:s[1]] {
			if err := acc.Add(v); err != nil {
				return nil, err
			}
		}
		out[i] = acc.Result()
	}
	return out, nil
}

// winCopy gives each document its own array, as documents never share
// mutable values.
func winCopy(v any) any {
	if a, ok := v.(bson.A); ok {
		return slices.Clone(a)
	}
	return v
}

// winRank is $documentNumber, $rank and $denseRank: the position in the
// partition from 1; for the ranks, documents whose sortBy values are equal
// share one.
type winRank struct {
	op  string
	key mql.SortKey
}

func (w *winRank) Compute(docs []bson.D, _ []*Env) ([]any, error) {
	out := make([]any, len(docs))
	var prev any
	rank, dense := int64(0), int64(0)
	for i, d := range docs {
		k := SortKey(queryPathValue(d, w.key.Path), w.key.Order < 0)
		if i == 0 || Compare(k, prev) != 0 {
			rank, dense = int64(i+1), dense+1
		}
		prev = k
		switch w.op {
		case "$documentNumber":
			out[i] = winInt(int64(i + 1))
		case "$rank":
			out[i] = winInt(rank)
		default:
			out[i] = winInt(dense)
		}
	}
	return out, nil
}

func winInt(n int64) any {
	if n <= math.MaxInt32 {
		return int32(n)
	}
	return n
}

// winShift is $shift: output evaluated on the document by positions away
// in the partition, default (null unless given) past either end.
type winShift struct {
	output mql.Expr
	by     int64
	def    any
}

func newWinShift(args namedArgs) (*winShift, error) {
	const op = "$shift"
	if err := args.check(op, []string{"output", "by"}, "default"); err != nil {
		return nil, err
	}
	w := &winShift{}
	w.output, _ = args.get("output")
	by, _, err := winConst(args, "by")
	if err != nil {
		return nil, err
	}
	n, ok := exactInt(by)
	if !IsNumber(by) || !ok {
		return nil, fmt.Errorf("$shift 'by' must be a whole number, not %v", by)
	}
	w.by = n
	def, has, err := winConst(args, "default")
	if err != nil {
		return nil, fmt.Errorf("$shift 'default' must be a constant: %w", err)
	}
	if has {
		w.def = def
	}
	return w, nil
}

func (w *winShift) Compute(docs []bson.D, envs []*Env) ([]any, error) {
	out := make([]any, len(docs))
	for i := range docs {
		j := int64(i) + w.by
		if j < 0 || j >= int64(len(docs)) {
			out[i] = w.def
			continue
		}
		v, err := Eval(w.output, docs[j], winEnv(envs, int(j)))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// winLocf is $locf: the value, or the last non-null one before it when it
// is null or missing (null when there was none).
type winLocf struct{ input mql.Expr }

func (w *winLocf) Compute(docs []bson.D, envs []*Env) ([]any, error) {
	vals, err := winEvalAll(w.input, docs, envs)
	if err != nil {
		return nil, err
	}
	var last any
	for i, v := range vals {
		if IsNullish(v) {
			vals[i] = last
		} else {
			last = v
		}
	}
	return vals, nil
}

// winLinearFill is $linearFill: a null or missing value between two
// numbers is interpolated on the sortBy value; leading and trailing ones
// stay null.
type winLinearFill struct {
	input mql.Expr
	key   mql.SortKey
}

func (w *winLinearFill) Compute(docs []bson.D, envs []*Env) ([]any, error) {
	vals, err := winEvalAll(w.input, docs, envs)
	if err != nil {
		return nil, err
	}
	xs := make([]float64, len(docs))
	for i, d := range docs {
		x := queryPathValue(d, w.key.Path)
		switch t := x.(type) {
		case bson.DateTime:
			xs[i] = float64(t)
		default:
			if !IsNumber(x) {
				return nil, fmt.Errorf("$linearFill needs sortBy %s to be a number or a date, found %s", w.key.Path, TypeName(x))
			}
			xs[i] = toFloat(x)
		}
		if i > 0 && xs[i] == xs[i-1] {
			return nil, fmt.Errorf("$linearFill needs distinct sortBy values in a partition; %s repeats %v", w.key.Path, x)
		}
	}
	prev := -1
	for i, v := range vals {
		if IsNullish(v) {
			vals[i] = nil
			continue
		}
		if !IsNumber(v) {
			return nil, fmt.Errorf("$linearFill fills numbers, found %s", TypeName(v))
		}
		if prev >= 0 && i-prev > 1 {
			y0, y1 := toFloat(vals[prev]), toFloat(v)
			for j := prev + 1; j < i; j++ {
				vals[j] = y0 + (y1-y0)*(xs[j]-xs[prev])/(xs[i]-xs[prev])
			}
		}
		prev = i
	}
	return vals, nil
}

// winEMA is $expMovingAvg: each numeric input moves the average by alpha
// (2 / (N + 1) given N); the first one starts it; non-numeric inputs
// leave it as it was.
type winEMA struct {
	input mql.Expr
	alpha float64
}

func newWinEMA(args namedArgs) (*winEMA, error) {
	const op = "$expMovingAvg"
	if err := args.check(op, []string{"input"}, "N", "alpha"); err != nil {
		return nil, err
	}
	w := &winEMA{}
	w.input, _ = args.get("input")
	nv, hasN, err := winConst(args, "N")
	if err != nil {
		return nil, err
	}
	av, hasAlpha, err := winConst(args, "alpha")
	if err != nil {
		return nil, err
	}
	switch {
	case hasN == hasAlpha:
		return nil, fmt.Errorf("$expMovingAvg takes N or alpha, exactly one of them")
	case hasN:
		n, ok := exactInt(nv)
		if !IsNumber(nv) || !ok || n <= 0 {
			return nil, fmt.Errorf("$expMovingAvg N must be a positive whole number, not %v", nv)
		}
		w.alpha = 2 / (float64(n) + 1)
	default:
		a := toFloat(av)
		if !IsNumber(av) || !(a > 0 && a < 1) {
			return nil, fmt.Errorf("$expMovingAvg alpha must be a number between 0 and 1 (exclusive), not %v", av)
		}
		w.alpha = a
	}
	return w, nil
}

func (w *winEMA) Compute(docs []bson.D, envs []*Env) ([]any, error) {
	vals, err := winEvalAll(w.input, docs, envs)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(docs))
	var avg float64
	started, decimal := false, false
	for i, v := range vals {
		if IsNumber(v) {
			_, isDec := v.(bson.Decimal128)
			decimal = decimal || isDec
			if started {
				avg = toFloat(v)*w.alpha + avg*(1-w.alpha)
			} else {
				avg, started = toFloat(v), true
			}
		}
		switch {
		case !started:
			out[i] = nil
		case decimal:
			out[i] = floatToDecimal(avg)
		default:
			out[i] = avg
		}
	}
	return out, nil
}

// winCalculus is $derivative (the slope between the first and last
// documents of the window) and $integral (the trapezoidal area under the
// input over the sortBy value). With unit the sortBy values are dates and
// the run is counted in that unit (week or smaller); without, numbers.
type winCalculus struct {
	op     string
	input  mql.Expr
	key    mql.SortKey
	unitMs int64
	frame  *winFrame
}

func newWinCalculus(op string, args namedArgs, key mql.SortKey, frame *winFrame) (*winCalculus, error) {
	if err := args.check(op, []string{"input"}, "unit"); err != nil {
		return nil, err
	}
	w := &winCalculus{op: op, key: key, frame: frame}
	w.input, _ = args.get("input")
	uv, has, err := winConst(args, "unit")
	if err != nil {
		return nil, err
	}
	if has {
		s, _ := uv.(string)
		ms, ok := winUnitMillis(s)
		if !ok {
			return nil, fmt.Errorf("%s unit must be week, day, hour, minute, second or millisecond, not %v", op, uv)
		}
		w.unitMs = ms
	}
	return w, nil
}

func (w *winCalculus) Compute(docs []bson.D, envs []*Env) ([]any, error) {
	spans, err := w.frame.spans(docs)
	if err != nil {
		return nil, err
	}
	// xs stay in the sortBy's own scale (milliseconds for dates); runs
	// are divided into units afterwards, which keeps their precision.
	xs := make([]float64, len(docs))
	ys, err := winEvalAll(w.input, docs, envs)
	if err != nil {
		return nil, err
	}
	for i, d := range docs {
		x := queryPathValue(d, w.key.Path)
		dt, isDate := x.(bson.DateTime)
		switch {
		case w.unitMs != 0 && !isDate:
			return nil, fmt.Errorf("%s with unit needs sortBy %s to be a date, found %s", w.op, w.key.Path, TypeName(x))
		case w.unitMs != 0:
			xs[i] = float64(dt)
		case isDate:
			return nil, fmt.Errorf("%s over the date %s needs a unit", w.op, w.key.Path)
		case !IsNumber(x):
			return nil, fmt.Errorf("%s needs sortBy %s to be a number, found %s", w.op, w.key.Path, TypeName(x))
		default:
			xs[i] = toFloat(x)
		}
		if !IsNumber(ys[i]) {
			return nil, fmt.Errorf("%s input must be a number, found %s", w.op, TypeName(ys[i]))
		}
	}
	run := func(a, b int) float64 {
		if w.unitMs != 0 {
			return (xs[b] - xs[a]) / float64(w.unitMs)
		}
		return xs[b] - xs[a]
	}
	out := make([]any, len(docs))
	for i, s := range spans {
		lo, hi := s[0], s[1]
		switch {
		case lo == hi:
			out[i] = nil
		case w.op == "$derivative":
			dx := run(lo, hi-1)
			if hi-lo < 2 || dx == 0 {
				out[i] = nil
				continue
			}
			out[i] = (toFloat(ys[hi-1]) - toFloat(ys[lo])) / dx
		default:
			area := 0.0
			for j := lo + 1; j < hi; j++ {
				area += run(j-1, j) * (toFloat(ys[j]) + toFloat(ys[j-1])) / 2
			}
			out[i] = area
		}
	}
	return out, nil
}

// winCovariance is $covariancePop and $covarianceSamp over the window's
// documents where both expressions are numbers; null with none (with
// fewer than two for the sample).
type winCovariance struct {
	x, y   mql.Expr
	sample bool
	frame  *winFrame
}

func (w *winCovariance) Compute(docs []bson.D, envs []*Env) ([]any, error) {
	spans, err := w.frame.spans(docs)
	if err != nil {
		return nil, err
	}
	xs, err := winEvalAll(w.x, docs, envs)
	if err != nil {
		return nil, err
	}
	ys, err := winEvalAll(w.y, docs, envs)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(docs))
	for i, s := range spans {
		var n, mx, my, c float64
		for j := s[0]; j < s[1]; j++ {
			if !IsNumber(xs[j]) || !IsNumber(ys[j]) {
				continue
			}
			x, y := toFloat(xs[j]), toFloat(ys[j])
			n++
			dx := x - mx
			mx += dx / n
			my += (y - my) / n
			c += dx * (y - my)
		}
		switch {
		case n == 0, w.sample && n < 2:
			out[i] = nil
		case w.sample:
			out[i] = c / (n - 1)
		default:
			out[i] = c / n
		}
	}
	return out, nil
}
