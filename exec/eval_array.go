package exec

import (
	"fmt"
	"math"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var arrayOps = map[string]opFunc{
	"$arrayElemAt":     opArrayElemAt,
	"$concatArrays":    opConcatArrays,
	"$first":           firstLast("$first", true),
	"$last":            firstLast("$last", false),
	"$in":              opIn,
	"$indexOfArray":    opIndexOfArray,
	"$isArray":         opIsArray,
	"$range":           opRange,
	"$reverseArray":    opReverseArray,
	"$size":            opSize,
	"$slice":           opSlice,
	"$setUnion":        opSetUnion,
	"$setIntersection": opSetIntersection,
	"$setDifference":   opSetDifference,
	"$setEquals":       opSetEquals,
	"$setIsSubset":     opSetIsSubset,
	"$allElementsTrue": elementsTrue("$allElementsTrue", true),
	"$anyElementTrue":  elementsTrue("$anyElementTrue", false),
}

func opArrayElemAt(args []any) (any, error) {
	if err := arity("$arrayElemAt", args, 2, 2); err != nil {
		return nil, err
	}
	if IsNullish(args[0]) || IsNullish(args[1]) {
		return nil, nil
	}
	arr, ok := args[0].(bson.A)
	if !ok {
		return nil, fmt.Errorf("$arrayElemAt's first argument must be an array, but is %s", TypeName(args[0]))
	}
	if !IsNumber(args[1]) {
		return nil, fmt.Errorf("$arrayElemAt's second argument must be a numeric value, but is %s", TypeName(args[1]))
	}
	i, ok := exactInt(args[1])
	if !ok || i < math.MinInt32 || i > math.MaxInt32 {
		return nil, fmt.Errorf("$arrayElemAt's second argument must be representable as a 32-bit integer: %v", args[1])
	}
	if i < 0 {
		i += int64(len(arr))
	}
	if i < 0 || i >= int64(len(arr)) {
		return Missing, nil
	}
	return arr[i], nil
}

func opConcatArrays(args []any) (any, error) {
	out := bson.A{}
	for _, a := range args {
		if IsNullish(a) {
			return nil, nil
		}
		arr, ok := a.(bson.A)
		if !ok {
			return nil, fmt.Errorf("$concatArrays only supports arrays, not %s", TypeName(a))
		}
		out = append(out, arr...)
	}
	return out, nil
}

// firstLast is the expression form of $first and $last: Missing for an
// empty array, null for null or missing.
func firstLast(op string, first bool) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		if IsNullish(args[0]) {
			return nil, nil
		}
		arr, ok := args[0].(bson.A)
		if !ok {
			return nil, fmt.Errorf("%s's argument must be an array, but is %s", op, TypeName(args[0]))
		}
		if len(arr) == 0 {
			return Missing, nil
		}
		if first {
			return arr[0], nil
		}
		return arr[len(arr)-1], nil
	}
}

func opIn(args []any) (any, error) {
	if err := arity("$in", args, 2, 2); err != nil {
		return nil, err
	}
	arr, ok := args[1].(bson.A)
	if !ok {
		return nil, fmt.Errorf("$in requires an array as a second argument, found: %s", TypeName(args[1]))
	}
	for _, e := range arr {
		if Equal(e, args[0]) {
			return true, nil
		}
	}
	return false, nil
}

func opIndexOfArray(args []any) (any, error) {
	if err := arity("$indexOfArray", args, 2, 4); err != nil {
		return nil, err
	}
	if IsNullish(args[0]) {
		return nil, nil
	}
	arr, ok := args[0].(bson.A)
	if !ok {
		return nil, fmt.Errorf("$indexOfArray requires an array as a first argument, found: %s", TypeName(args[0]))
	}
	start, end := int64(0), int64(len(arr))
	if len(args) > 2 {
		v, err := intArg("$indexOfArray", "starting index", args[2])
		if err != nil {
			return nil, err
		}
		if v < 0 {
			return nil, fmt.Errorf("$indexOfArray: starting index must be non-negative, got: %d", v)
		}
		start = v
	}
	if len(args) > 3 {
		v, err := intArg("$indexOfArray", "ending index", args[3])
		if err != nil {
			return nil, err
		}
		if v < 0 {
			return nil, fmt.Errorf("$indexOfArray: ending index must be non-negative, got: %d", v)
		}
		end = min(v, end)
	}
	for i := start; i < end; i++ {
		if Equal(arr[i], args[1]) {
			return int32(i), nil
		}
	}
	return int32(-1), nil
}

func opIsArray(args []any) (any, error) {
	if err := arity("$isArray", args, 1, 1); err != nil {
		return nil, err
	}
	_, ok := args[0].(bson.A)
	return ok, nil
}

func opRange(args []any) (any, error) {
	if err := arity("$range", args, 2, 3); err != nil {
		return nil, err
	}
	names := []string{"starting value", "ending value", "step value"}
	vals := []int64{0, 0, 1}
	for i, a := range args {
		if !IsNumber(a) {
			return nil, fmt.Errorf("$range requires a numeric %s, found value of type: %s", names[i], TypeName(a))
		}
		v, ok := exactInt(a)
		if !ok || v < math.MinInt32 || v > math.MaxInt32 {
			return nil, fmt.Errorf("$range requires a %s that can be represented as a 32-bit integer, found value: %v", names[i], a)
		}
		vals[i] = v
	}
	start, end, step := vals[0], vals[1], vals[2]
	if step == 0 {
		return nil, fmt.Errorf("$range requires a non-zero step value")
	}
	out := bson.A{}
	for i := start; (step > 0 && i < end) || (step < 0 && i > end); i += step {
		out = append(out, int32(i))
	}
	return out, nil
}

func opReverseArray(args []any) (any, error) {
	if err := arity("$reverseArray", args, 1, 1); err != nil {
		return nil, err
	}
	if IsNullish(args[0]) {
		return nil, nil
	}
	arr, ok := args[0].(bson.A)
	if !ok {
		return nil, fmt.Errorf("$reverseArray requires an array input, found: %s", TypeName(args[0]))
	}
	out := slices.Clone(arr)
	slices.Reverse(out)
	if out == nil {
		out = bson.A{}
	}
	return out, nil
}

func opSize(args []any) (any, error) {
	if err := arity("$size", args, 1, 1); err != nil {
		return nil, err
	}
	arr, ok := args[0].(bson.A)
	if !ok {
		return nil, fmt.Errorf("the argument to $size must be an array, but was of type: %s", TypeName(args[0]))
	}
	return int32(len(arr)), nil
}

func opSlice(args []any) (any, error) {
	if err := arity("$slice", args, 2, 3); err != nil {
		return nil, err
	}
	for _, a := range args {
		if IsNullish(a) {
			return nil, nil
		}
	}
	arr, ok := args[0].(bson.A)
	if !ok {
		return nil, fmt.Errorf("first argument to $slice must be an array, but is of type: %s", TypeName(args[0]))
	}
	l := int64(len(arr))
	n, err := intArg("$slice", "second argument", args[1])
	if err != nil {
		return nil, err
	}
	var from, to int64
	if len(args) == 2 {
		if n >= 0 {
			from, to = 0, min(n, l)
		} else {
			from, to = max(l+n, 0), l
		}
	} else {
		pos := n
		n, err = intArg("$slice", "third argument", args[2])
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return nil, fmt.Errorf("third argument to $slice must be positive: %d", n)
		}
		if pos < 0 {
			pos = max(l+pos, 0)
		}
		from = min(pos, l)
		to = min(from+n, l)
	}
	return slices.Clone(append(bson.A{}, arr[from:to]...)), nil
}

// setArgs checks that every argument of a set operator is an array; nil
// result and ok false when one is null or missing.
func setArgs(op string, args []any) ([]bson.A, bool, error) {
	out := make([]bson.A, len(args))
	for i, a := range args {
		if IsNullish(a) {
			return nil, false, nil
		}
		arr, ok := a.(bson.A)
		if !ok {
			return nil, false, fmt.Errorf("all operands of %s must be arrays. One argument is of type: %s", op, TypeName(a))
		}
		out[i] = arr
	}
	return out, true, nil
}

// valueSet is a set of values under Equal, keeping insertion order.
type valueSet struct {
	keys  map[string]struct{}
	items bson.A
	buf   []byte
}

func newValueSet() *valueSet { return &valueSet{keys: map[string]struct{}{}, items: bson.A{}} }

func (s *valueSet) add(v any) bool {
	s.buf = AppendKey(s.buf[:0], v)
	if _, ok := s.keys[string(s.buf)]; ok {
		return false
	}
	s.keys[string(s.buf)] = struct{}{}
	s.items = append(s.items, v)
	return true
}

func (s *valueSet) has(v any) bool {
	s.buf = AppendKey(s.buf[:0], v)
	_, ok := s.keys[string(s.buf)]
	return ok
}

func opSetUnion(args []any) (any, error) {
	arrs, ok, err := setArgs("$setUnion", args)
	if !ok {
		return nil, err
	}
	s := newValueSet()
	for _, a := range arrs {
		for _, v := range a {
			s.add(v)
		}
	}
	return s.items, nil
}

func opSetIntersection(args []any) (any, error) {
	arrs, ok, err := setArgs("$setIntersection", args)
	if !ok {
		return nil, err
	}
	if len(arrs) == 0 {
		return bson.A{}, nil
	}
	out := newValueSet()
	for _, v := range arrs[0] {
		inAll := true
		for _, other := range arrs[1:] {
			s := newValueSet()
			for _, o := range other {
				s.add(o)
			}
			if !s.has(v) {
				inAll = false
				break
			}
		}
		if inAll {
			out.add(v)
		}
	}
	return out.items, nil
}

func opSetDifference(args []any) (any, error) {
	if err := arity("$setDifference", args, 2, 2); err != nil {
		return nil, err
	}
	arrs, ok, err := setArgs("$setDifference", args)
	if !ok {
		return nil, err
	}
	second := newValueSet()
	for _, v := range arrs[1] {
		second.add(v)
	}
	out := newValueSet()
	for _, v := range arrs[0] {
		if !second.has(v) {
			out.add(v)
		}
	}
	return out.items, nil
}

func opSetEquals(args []any) (any, error) {
	if err := arity("$setEquals", args, 2, -1); err != nil {
		return nil, err
	}
	arrs, _, err := setArgs("$setEquals", args)
	if err != nil {
		return nil, err
	}
	if arrs == nil {
		return nil, fmt.Errorf("all operands of $setEquals must be arrays")
	}
	first := newValueSet()
	for _, v := range arrs[0] {
		first.add(v)
	}
	for _, a := range arrs[1:] {
		s := newValueSet()
		for _, v := range a {
			s.add(v)
			if !first.has(v) {
				return false, nil
			}
		}
		if len(s.items) != len(first.items) {
			return false, nil
		}
	}
	return true, nil
}

func opSetIsSubset(args []any) (any, error) {
	if err := arity("$setIsSubset", args, 2, 2); err != nil {
		return nil, err
	}
	arrs, _, err := setArgs("$setIsSubset", args)
	if err != nil {
		return nil, err
	}
	if arrs == nil {
		return nil, fmt.Errorf("both operands of $setIsSubset must be arrays")
	}
	super := newValueSet()
	for _, v := range arrs[1] {
		super.add(v)
	}
	for _, v := range arrs[0] {
		if !super.has(v) {
			return false, nil
		}
	}
	return true, nil
}

func elementsTrue(op string, all bool) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		arr, ok := args[0].(bson.A)
		if !ok {
			return nil, fmt.Errorf("%s's argument must be an array, but is %s", op, TypeName(args[0]))
		}
		for _, v := range arr {
			if Truthy(v) != all {
				return !all, nil
			}
		}
		return all, nil
	}
}

// Objects.

func mergeObjects(args []any) (any, error) {
	out := bson.D{}
	for _, a := range args {
		if IsNullish(a) {
			continue
		}
		d, ok := a.(bson.D)
		if !ok {
			return nil, fmt.Errorf("$mergeObjects requires object inputs, but input %v is of type %s", a, TypeName(a))
		}
		out = mergeInto(out, d)
	}
	return out, nil
}

// mergeInto sets every field of d in out: an existing field keeps its
// position and takes the new value, a new one is appended.
func mergeInto(out, d bson.D) bson.D {
	for _, e := range d {
		out = setField(out, e.Key, e.Value)
	}
	return out
}

// setField returns d with field k set to v (removed when v is Missing).
func setField(d bson.D, k string, v any) bson.D {
	for i := range d {
		if d[i].Key == k {
			if IsMissing(v) {
				return append(d[:i:i], d[i+1:]...)
			}
			d[i].Value = v
			return d
		}
	}
	if IsMissing(v) {
		return d
	}
	return append(d, bson.E{Key: k, Value: v})
}

func objectToArray(v any) (any, error) {
	if IsNullish(v) {
		return nil, nil
	}
	d, ok := v.(bson.D)
	if !ok {
		return nil, fmt.Errorf("$objectToArray requires a document input, found: %s", TypeName(v))
	}
	out := make(bson.A, len(d))
	for i, e := range d {
		out[i] = bson.D{{Key: "k", Value: e.Key}, {Key: "v", Value: e.Value}}
	}
	return out, nil
}

// arrayToObject takes [[k, v], …] or [{k, v}, …]; a repeated name keeps
// its first position and its last value.
func arrayToObject(v any) (any, error) {
	if IsNullish(v) {
		return nil, nil
	}
	arr, ok := v.(bson.A)
	if !ok {
		return nil, fmt.Errorf("$arrayToObject requires an array input, found: %s", TypeName(v))
	}
	out := bson.D{}
	for _, el := range arr {
		var k, val any
		switch x := el.(type) {
		case bson.A:
			if len(x) != 2 {
				return nil, fmt.Errorf("$arrayToObject requires an array of size 2 arrays, found array of size: %d", len(x))
			}
			k, val = x[0], x[1]
		case bson.D:
			if len(x) != 2 {
				return nil, fmt.Errorf("$arrayToObject requires an object with keys 'k' and 'v', found object with %d fields", len(x))
			}
			kv, okk := docGet(x, "k")
			vv, okv := docGet(x, "v")
			if !okk || !okv {
				return nil, fmt.Errorf("$arrayToObject requires an object with keys 'k' and 'v'")
			}
			k, val = kv, vv
		default:
			return nil, fmt.Errorf("$arrayToObject requires an array of key-value pairs, found: %s", TypeName(el))
		}
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("$arrayToObject requires a string as the key, found: %s", TypeName(k))
		}
		out = setField(out, ks, val)
	}
	return out, nil
}

// fieldOp is $getField, $setField and $unsetField: field names may hold
// dots or start with $, which field paths cannot reach.
func (ev *evaluator) fieldOp(op string, n namedArgs) (any, error) {
	var err error
	switch op {
	case "$getField":
		err = n.check(op, []string{"field"}, "input")
	case "$setField":
		err = n.check(op, []string{"field", "input", "value"})
	default:
		err = n.check(op, []string{"field", "input"})
	}
	if err != nil {
		return nil, err
	}
	fv, err := ev.evalNamed(n, "field")
	if err != nil {
		return nil, err
	}
	field, ok := fv.(string)
	if !ok {
		return nil, fmt.Errorf("%s requires 'field' to evaluate to type String, but got %s", op, TypeName(fv))
	}
	var in any = ev.current
	if ev.current == nil {
		in = Missing
	}
	if _, ok := n.get("input"); ok {
		in, err = ev.evalNamed(n, "input")
		if err != nil {
			return nil, err
		}
	}
	if op == "$getField" {
		if IsNullish(in) {
			if IsMissing(in) {
				return Missing, nil
			}
			return nil, nil
		}
		d, ok := in.(bson.D)
		if !ok {
			return Missing, nil
		}
		if v, ok := docGet(d, field); ok {
			return v, nil
		}
		return Missing, nil
	}
	if IsNullish(in) {
		return nil, nil
	}
	d, ok := in.(bson.D)
	if !ok {
		return nil, fmt.Errorf("%s requires 'input' to evaluate to type Object, but got %s", op, TypeName(in))
	}
	var val any = Missing
	if op == "$setField" {
		val, err = ev.evalNamed(n, "value")
		if err != nil {
			return nil, err
		}
	}
	return setField(slices.Clone(d), field, val), nil
}

// sortArray is $sortArray: sortBy 1 or -1 sorts whole values in BSON
// order; a document sorts documents by its fields.
func (ev *evaluator) sortArray(n namedArgs) (any, error) {
	if err := n.check("$sortArray", []string{"input", "sortBy"}); err != nil {
		return nil, err
	}
	in, err := ev.evalNamed(n, "input")
	if err != nil {
		return nil, err
	}
	if IsNullish(in) {
		return nil, nil
	}
	arr, ok := in.(bson.A)
	if !ok {
		return nil, fmt.Errorf("$sortArray requires the input to be an array, but got %s", TypeName(in))
	}
	by, err := ev.evalNamed(n, "sortBy")
	if err != nil {
		return nil, err
	}
	spec, err := parseSortSpec("$sortArray", by)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(arr)
	slices.SortStableFunc(out, spec.compare)
	if out == nil {
		out = bson.A{}
	}
	return out, nil
}

// sortSpec is a sort order: by whole value (fields nil) or by fields.
type sortSpec struct {
	whole  int // 1 or -1 when sorting by whole value
	fields []string
	dirs   []int
}

func parseSortSpec(op string, by any) (sortSpec, error) {
	if IsNumber(by) {
		d, _ := exactInt(by)
		if d != 1 && d != -1 {
			return sortSpec{}, fmt.Errorf("%s: sort order must be 1 or -1, not %v", op, by)
		}
		return sortSpec{whole: int(d)}, nil
	}
	doc, ok := by.(bson.D)
	if !ok || len(doc) == 0 {
		return sortSpec{}, fmt.Errorf("%s: sortBy must be 1, -1 or a non-empty document of fields, not %s", op, TypeName(by))
	}
	var s sortSpec
	for _, e := range doc {
		d, _ := exactInt(e.Value)
		if !IsNumber(e.Value) || (d != 1 && d != -1) {
			return sortSpec{}, fmt.Errorf("%s: sort order for %q must be 1 or -1, not %v", op, e.Key, e.Value)
		}
		s.fields = append(s.fields, e.Key)
		s.dirs = append(s.dirs, int(d))
	}
	return s, nil
}

func (s sortSpec) compare(a, b any) int {
	if s.fields == nil {
		return s.whole * Compare(SortKey(a, s.whole < 0), SortKey(b, s.whole < 0))
	}
	for i, f := range s.fields {
		desc := s.dirs[i] < 0
		x := SortKey(queryPathValue(a, f), desc)
		y := SortKey(queryPathValue(b, f), desc)
		if c := Compare(x, y); c != 0 {
			return c * s.dirs[i]
		}
	}
	return 0
}

// queryPathValue reads a dotted path for sorting: through arrays it
// collects the values, so an array of subdocuments sorts by its smallest
// or largest value.
func queryPathValue(v any, path string) any {
	var vals bson.A
	walkPath(v, path, func(leaf any) bool {
		if !IsMissing(leaf) {
			vals = append(vals, leaf)
		}
		return false
	})
	switch len(vals) {
	case 0:
		return Missing
	case 1:
		return vals[0]
	}
	return vals
}

func (ev *evaluator) zip(n namedArgs) (any, error) {
	if err := n.check("$zip", []string{"inputs"}, "useLongestLength", "defaults"); err != nil {
		return nil, err
	}
	iv, err := ev.evalNamed(n, "inputs")
	if err != nil {
		return nil, err
	}
	inputs, ok := iv.(bson.A)
	if !ok {
		return nil, fmt.Errorf("$zip found a non-array expression in input: %s", TypeName(iv))
	}
	longest := false
	if lv, err := ev.evalNamed(n, "useLongestLength"); err != nil {
		return nil, err
	} else if !IsMissing(lv) {
		b, ok := lv.(bool)
		if !ok {
			return nil, fmt.Errorf("useLongestLength must be a bool, found: %s", TypeName(lv))
		}
		longest = b
	}
	var defaults bson.A
	if dv, err := ev.evalNamed(n, "defaults"); err != nil {
		return nil, err
	} else if !IsMissing(dv) {
		d, ok := dv.(bson.A)
		if !ok {
			return nil, fmt.Errorf("defaults must be an array, found: %s", TypeName(dv))
		}
		if !longest {
			return nil, fmt.Errorf("cannot specify defaults unless useLongestLength is true")
		}
		if len(d) != len(inputs) {
			return nil, fmt.Errorf("defaults and inputs must have the same length")
		}
		defaults = d
	}
	arrs := make([]bson.A, len(inputs))
	length := -1
	for i, in := range inputs {
		if IsNullish(in) {
			return nil, nil
		}
		a, ok := in.(bson.A)
		if !ok {
			return nil, fmt.Errorf("$zip found a non-array expression in input: %s", TypeName(in))
		}
		arrs[i] = a
		switch {
		case length < 0:
			length = len(a)
		case longest:
			length = max(length, len(a))
		default:
			length = min(length, len(a))
		}
	}
	out := bson.A{}
	for j := 0; j < length; j++ {
		row := make(bson.A, len(arrs))
		for i, a := range arrs {
			switch {
			case j < len(a):
				row[i] = a[j]
			case defaults != nil:
				row[i] = defaults[i]
			default:
				row[i] = nil
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// nOp is the expression form of $firstN, $lastN, $maxN and $minN over an
// array; $maxN and $minN skip null and missing values.
func (ev *evaluator) nOp(op string, n namedArgs) (any, error) {
	if err := n.check(op, []string{"input", "n"}); err != nil {
		return nil, err
	}
	in, err := ev.evalNamed(n, "input")
	if err != nil {
		return nil, err
	}
	nv, err := ev.evalNamed(n, "n")
	if err != nil {
		return nil, err
	}
	k, err := positiveN(op, nv)
	if err != nil {
		return nil, err
	}
	if IsNullish(in) && (op == "$firstN" || op == "$lastN") {
		return nil, nil
	}
	arr, ok := in.(bson.A)
	if !ok {
		return nil, fmt.Errorf("%s requires an 'input' array, found: %s", op, TypeName(in))
	}
	switch op {
	case "$firstN":
		return slices.Clone(append(bson.A{}, arr[:min(k, len(arr))]...)), nil
	case "$lastN":
		return slices.Clone(append(bson.A{}, arr[len(arr)-min(k, len(arr)):]...)), nil
	}
	vals := bson.A{}
	for _, v := range arr {
		if !IsNullish(v) {
			vals = append(vals, v)
		}
	}
	if op == "$maxN" {
		slices.SortStableFunc(vals, func(a, b any) int { return -Compare(a, b) })
	} else {
		slices.SortStableFunc(vals, Compare)
	}
	return vals[:min(k, len(vals))], nil
}

func positiveN(op string, nv any) (int, error) {
	k, ok := exactInt(nv)
	if !IsNumber(nv) || !ok || k < 1 {
		return 0, fmt.Errorf("%s: 'n' must be a positive integer, not %v", op, nv)
	}
	return int(k), nil
}
