package exec

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
)

type opFunc func(args []any) (any, error)

// arithOps are the arithmetic, bitwise and trigonometric operators.
var arithOps = map[string]opFunc{
	"$add":              opAdd,
	"$subtract":         opSubtract,
	"$multiply":         opMultiply,
	"$divide":           opDivide,
	"$mod":              opMod,
	"$abs":              opAbs,
	"$ceil":             unaryRound("$ceil", math.Ceil),
	"$floor":            unaryRound("$floor", math.Floor),
	"$round":            roundOp("$round"),
	"$trunc":            roundOp("$trunc"),
	"$sqrt":             unaryFloat("$sqrt", math.Sqrt, func(x float64) error { return negErr("$sqrt", x) }),
	"$exp":              unaryFloat("$exp", math.Exp, nil),
	"$ln":               unaryFloat("$ln", math.Log, func(x float64) error { return positiveErr("$ln", x) }),
	"$log10":            unaryFloat("$log10", math.Log10, func(x float64) error { return positiveErr("$log10", x) }),
	"$log":              opLog,
	"$pow":              opPow,
	"$sin":              unaryFloat("$sin", math.Sin, trigDomain("$sin", openLine)),
	"$cos":              unaryFloat("$cos", math.Cos, trigDomain("$cos", openLine)),
	"$tan":              unaryFloat("$tan", math.Tan, trigDomain("$tan", openLine)),
	"$asin":             unaryFloat("$asin", math.Asin, trigDomain("$asin", unitInterval)),
	"$acos":             unaryFloat("$acos", math.Acos, trigDomain("$acos", unitInterval)),
	"$atan":             unaryFloat("$atan", math.Atan, nil),
	"$sinh":             unaryFloat("$sinh", math.Sinh, nil),
	"$cosh":             unaryFloat("$cosh", math.Cosh, nil),
	"$tanh":             unaryFloat("$tanh", math.Tanh, nil),
	"$asinh":            unaryFloat("$asinh", math.Asinh, nil),
	"$acosh":            unaryFloat("$acosh", math.Acosh, trigDomain("$acosh", fromOne)),
	"$atanh":            unaryFloat("$atanh", math.Atanh, trigDomain("$atanh", unitInterval)),
	"$degreesToRadians": unaryFloat("$degreesToRadians", func(x float64) float64 { return x * math.Pi / 180 }, nil),
	"$radiansToDegrees": unaryFloat("$radiansToDegrees", func(x float64) float64 { return x * 180 / math.Pi }, nil),
	"$atan2":            opAtan2,
	"$bitAnd":           bitOp("$bitAnd", func(a, b int64) int64 { return a & b }, -1),
	"$bitOr":            bitOp("$bitOr", func(a, b int64) int64 { return a | b }, 0),
	"$bitXor":           bitOp("$bitXor", func(a, b int64) int64 { return a ^ b }, 0),
	"$bitNot":           opBitNot,
}

// TypeName is the $type name of v: "double", "string", "object", "array",
// "binData", "objectId", "bool", "date", "null", "regex", "int",
// "timestamp", "long", "decimal", "minKey", "maxKey", or "missing".
func TypeName(v any) string {
	switch v.(type) {
	case float64:
		return "double"
	case string:
		return "string"
	case bson.D, bson.M:
		return "object"
	case bson.A, []any:
		return "array"
	case bson.Binary, []byte:
		return "binData"
	case bson.Undefined:
		return "undefined"
	case bson.ObjectID:
		return "objectId"
	case bool:
		return "bool"
	case bson.DateTime:
		return "date"
	case nil, bson.Null:
		return "null"
	case bson.Regex:
		return "regex"
	case bson.DBPointer:
		return "dbPointer"
	case bson.JavaScript:
		return "javascript"
	case bson.Symbol:
		return "symbol"
	case bson.CodeWithScope:
		return "javascriptWithScope"
	case int32:
		return "int"
	case bson.Timestamp:
		return "timestamp"
	case int64, int:
		return "long"
	case bson.Decimal128:
		return "decimal"
	case bson.MinKey:
		return "minKey"
	case bson.MaxKey:
		return "maxKey"
	case missing:
		return "missing"
	}
	return fmt.Sprintf("%T", v)
}

// narrow returns an integer result as int32 when both inputs were int32 and
// it fits, else int64: MongoDB widens int to long rather than overflow.
func narrow(r int64, k numKind) any {
	if k == kindInt && r >= math.MinInt32 && r <= math.MaxInt32 {
		return int32(r)
	}
	return r
}

// numBinary applies an arithmetic operator to two numbers in their widest
// type: ints widen to long on overflow, longs to double, and decimals
// compute exactly enough through big.Float.
func numBinary(a, b any, intOp func(x, y int64) (int64, bool), fOp func(x, y float64) float64, bOp func(z, x, y *big.Float) *big.Float) any {
	k := max(kindOf(a), kindOf(b))
	switch k {
	case kindInt, kindLong:
		x, _ := toInt64(a)
		y, _ := toInt64(b)
		if r, ok := intOp(x, y); ok {
			return narrow(r, k)
		}
		return fOp(float64(x), float64(y))
	case kindDouble:
		return fOp(toFloat(a), toFloat(b))
	}
	x, okx := toBigFloat(a)
	y, oky := toBigFloat(b)
	if !okx || !oky {
		return floatToDecimal(fOp(toFloat(a), toFloat(b)))
	}
	return bigToDecimal(bOp(new(big.Float).SetPrec(200), x, y))
}

func addInt(x, y int64) (int64, bool) {
	r := x + y
	return r, (x >= 0) != (y >= 0) || (r >= 0) == (x >= 0)
}

func subInt(x, y int64) (int64, bool) {
	r := x - y
	return r, (x >= 0) == (y >= 0) || (r >= 0) == (x >= 0)
}

func mulInt(x, y int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(absU(x)), uint64(absU(y)))
	neg := (x < 0) != (y < 0)
	if hi != 0 || lo > math.MaxInt64+uint64(b2i(neg)) {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

func absU(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bigToDecimal rounds f to 34 significant digits, a Decimal128's precision.
func bigToDecimal(f *big.Float) bson.Decimal128 {
	d, err := bson.ParseDecimal128(f.Text('g', 34))
	if err != nil {
		return floatToDecimal(func() float64 { v, _ := f.Float64(); return v }())
	}
	return d
}

func floatToDecimal(f float64) bson.Decimal128 {
	switch {
	case math.IsNaN(f):
		d, _ := bson.ParseDecimal128("NaN")
		return d
	case math.IsInf(f, 1):
		d, _ := bson.ParseDecimal128("Infinity")
		return d
	case math.IsInf(f, -1):
		d, _ := bson.ParseDecimal128("-Infinity")
		return d
	}
	// Decimal conversion of a double keeps 15 significant digits, as
	// MongoDB's $toDecimal does.
	d, err := bson.ParseDecimal128(fmt.Sprintf("%.15g", f))
	if err != nil {
		d, _ = bson.ParseDecimal128("NaN")
	}
	return d
}

func numericErr(op string, v any) error {
	return fmt.Errorf("%s only supports numeric types, not %s", op, TypeName(v))
}

// opAdd is $add: numbers, or numbers and one date. Numbers before the date
// are summed as numbers, then rounded onto it; each number after it is
// rounded as it is added, which is why {$add: [1.5, 1.6, date, 1.5, 1.5]}
// adds 7 ms (3.1 → 3, then 2 and 2), as MongoDB documents.
func opAdd(args []any) (any, error) {
	var total any = int32(0)
	var date bson.DateTime
	hasDate := false
	for _, a := range args {
		if IsNullish(a) {
			return nil, nil
		}
	}
	for _, a := range args {
		switch x := a.(type) {
		case bson.DateTime:
			if hasDate {
				return nil, fmt.Errorf("only one date allowed in an $add expression")
			}
			hasDate = true
			ms, err := roundToMillis(total)
			if err != nil {
				return nil, err
			}
			date = bson.DateTime(int64(x) + ms)
		default:
			if !IsNumber(a) {
				return nil, fmt.Errorf("$add only supports numeric or date types, not %s", TypeName(a))
			}
			if hasDate {
				ms, err := roundToMillis(a)
				if err != nil {
					return nil, err
				}
				date += bson.DateTime(ms)
				continue
			}
			total = numBinary(total, a, addInt, func(x, y float64) float64 { return x + y }, (*big.Float).Add)
		}
	}
	if hasDate {
		return date, nil
	}
	return total, nil
}

// roundToMillis rounds a number half away from zero (llround) to whole
// milliseconds for date arithmetic.
func roundToMillis(v any) (int64, error) {
	if i, ok := toInt64(v); ok {
		return i, nil
	}
	f := toFloat(v)
	if math.IsNaN(f) || math.IsInf(f, 0) || f >= 9.2e18 || f <= -9.2e18 {
		return 0, fmt.Errorf("date overflow in $add or $subtract with %v", f)
	}
	return int64(math.Round(f)), nil
}

// opSubtract is $subtract: number − number keeps the widest type (int
// widening to long, long to double on overflow), date − date is the
// difference in milliseconds as a long, date − number is a date.
func opSubtract(args []any) (any, error) {
	if err := arity("$subtract", args, 2, 2); err != nil {
		return nil, err
	}
	a, b := args[0], args[1]
	if IsNullish(a) || IsNullish(b) {
		return nil, nil
	}
	if da, ok := a.(bson.DateTime); ok {
		switch y := b.(type) {
		case bson.DateTime:
			return int64(da) - int64(y), nil
		default:
			if !IsNumber(b) {
				return nil, fmt.Errorf("can't $subtract %s from date", TypeName(b))
			}
			ms, err := roundToMillis(b)
			if err != nil {
				return nil, err
			}
			return bson.DateTime(int64(da) - ms), nil
		}
	}
	if !IsNumber(a) || !IsNumber(b) {
		if _, ok := b.(bson.DateTime); ok && IsNumber(a) {
			return nil, fmt.Errorf("can't $subtract date from %s", TypeName(a))
		}
		bad := a
		if IsNumber(a) {
			bad = b
		}
		return nil, fmt.Errorf("$subtract only supports numeric or date types, not %s", TypeName(bad))
	}
	return numBinary(a, b, subInt, func(x, y float64) float64 { return x - y }, (*big.Float).Sub), nil
}

func opMultiply(args []any) (any, error) {
	var total any = int32(1)
	for _, a := range args {
		if IsNullish(a) {
			return nil, nil
		}
	}
	for _, a := range args {
		if !IsNumber(a) {
			return nil, fmt.Errorf("$multiply only supports numeric types, not %s", TypeName(a))
		}
		total = numBinary(total, a, mulInt, func(x, y float64) float64 { return x * y }, (*big.Float).Mul)
	}
	return total, nil
}

// numericPair checks the two arguments of $divide, $mod and $pow: null
// (and no error) when either is null or missing, an error naming the first
// one that is not a number (msg has one %s for its type).
func numericPair(op string, args []any, msg string) (a, b any, null bool, err error) {
	if err := arity(op, args, 2, 2); err != nil {
		return nil, nil, false, err
	}
	a, b = args[0], args[1]
	if IsNullish(a) || IsNullish(b) {
		return nil, nil, true, nil
	}
	if !IsNumber(a) {
		return nil, nil, false, fmt.Errorf(msg, TypeName(a))
	}
	if !IsNumber(b) {
		return nil, nil, false, fmt.Errorf(msg, TypeName(b))
	}
	return a, b, false, nil
}

// opDivide is $divide: always a double, or a decimal if either side is one.
func opDivide(args []any) (any, error) {
	a, b, null, err := numericPair("$divide", args, "$divide only supports numeric types, not %s")
	if null || err != nil {
		return nil, err
	}
	if isZero(b) {
		return nil, fmt.Errorf("can't $divide by zero")
	}
	if kindOf(a) == kindDecimal || kindOf(b) == kindDecimal {
		return numBinary(a, b, nil, func(x, y float64) float64 { return x / y }, (*big.Float).Quo), nil
	}
	return toFloat(a) / toFloat(b), nil
}

func isZero(v any) bool {
	if i, ok := toInt64(v); ok {
		return i == 0
	}
	if d, ok := v.(bson.Decimal128); ok {
		return decimalIsZero(d)
	}
	return toFloat(v) == 0
}

// opMod is $mod: the remainder has the dividend's sign and the widest
// input type.
func opMod(args []any) (any, error) {
	a, b, null, err := numericPair("$mod", args, "$mod only supports numeric types, not %s")
	if null || err != nil {
		return nil, err
	}
	if isZero(b) {
		return nil, fmt.Errorf("can't $mod by zero")
	}
	return numBinary(a, b, func(x, y int64) (int64, bool) {
		if y == -1 {
			return 0, true
		}
		return x % y, true
	}, math.Mod, func(z, x, y *big.Float) *big.Float {
		q := new(big.Float).Quo(x, y)
		qi, _ := q.Int(nil)
		return z.Sub(x, new(big.Float).Mul(new(big.Float).SetInt(qi), y))
	}), nil
}

func opAbs(args []any) (any, error) {
	if err := arity("$abs", args, 1, 1); err != nil {
		return nil, err
	}
	switch x := args[0].(type) {
	case int32:
		if x == math.MinInt32 {
			return -int64(x), nil
		}
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case int64:
		if x == math.MinInt64 {
			return nil, fmt.Errorf("can't take $abs of long long min")
		}
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case float64:
		return math.Abs(x), nil
	case bson.Decimal128:
		f, ok := toBigFloat(x)
		if !ok {
			return floatToDecimal(math.Abs(toFloat(x))), nil
		}
		return bigToDecimal(f.Abs(f)), nil
	}
	if IsNullish(args[0]) {
		return nil, nil
	}
	return nil, numericErr("$abs", args[0])
}

// unaryRound is $ceil or $floor: integers are returned as they are.
func unaryRound(op string, f func(float64) float64) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		v := args[0]
		switch kindOf(v) {
		case kindInt, kindLong:
			return v, nil
		case kindDouble:
			return f(v.(float64)), nil
		case kindDecimal:
			return floatToDecimal(f(toFloat(v))), nil
		}
		if IsNullish(v) {
			return nil, nil
		}
		return nil, numericErr(op, v)
	}
}

// roundOp is $round (half to even, as MongoDB documents) or $trunc, with
// an optional place in [-20, 100).
func roundOp(op string) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 2); err != nil {
			return nil, err
		}
		v := args[0]
		place := int64(0)
		if len(args) == 2 {
			if IsNullish(args[1]) {
				return nil, nil
			}
			p, ok := exactInt(args[1])
			if !ok || p < -20 || p >= 100 {
				return nil, fmt.Errorf("%s requires 'place' to be an integer between -20 and 100, not %v", op, args[1])
			}
			place = p
		}
		if IsNullish(v) {
			return nil, nil
		}
		if !IsNumber(v) {
			return nil, numericErr(op, v)
		}
		roundF := math.RoundToEven
		if op == "$trunc" {
			roundF = math.Trunc
		}
		switch kindOf(v) {
		case kindInt, kindLong:
			if place >= 0 {
				return v, nil
			}
			x, _ := toInt64(v)
			p := int64(math.Pow10(int(-place)))
			if -place > 18 {
				return narrow(0, kindOf(v)), nil
			}
			q := x / p
			rem := x % p
			if op == "$round" {
				half := p / 2
				switch {
				case rem > half || (rem == half && q%2 != 0):
					q++
				case rem < -half || (rem == -half && q%2 != 0):
					q--
				}
			}
			return narrow(q*p, kindOf(v)), nil
		case kindDouble:
			x := v.(float64)
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return x, nil
			}
			return roundPlace(x, int(place), roundF), nil
		}
		return floatToDecimal(roundPlace(toFloat(v), int(place), roundF)), nil
	}
}

// roundPlace rounds x at place decimal digits. It works on the value's
// 15-significant-digit decimal form, as MongoDB rounds doubles through
// Decimal128, so {$round: [2.675, 2]} gives 2.68 rather than the 2.67 that
// the binary value 2.67499… would round to.
func roundPlace(x float64, place int, f func(float64) float64) float64 {
	if place == 0 {
		return f(x)
	}
	r, ok := new(big.Rat).SetString(fmt.Sprintf("%.15g", x))
	if !ok {
		return x
	}
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(place))), nil))
	if place > 0 {
		r.Mul(r, scale)
	} else {
		r.Quo(r, scale)
	}
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if f(0.5) == 0 && f(1.5) == 2 { // half to even
		twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
		c := twice.Cmp(r.Denom())
		if c > 0 || (c == 0 && q.Bit(0) == 1) {
			if r.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	out := new(big.Rat).SetInt(q)
	if place > 0 {
		out.Quo(out, scale)
	} else {
		out.Mul(out, scale)
	}
	v, _ := out.Float64()
	return v
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// exactInt returns an integral number's value, also from a double or
// decimal that holds an integer.
func exactInt(v any) (int64, bool) {
	if i, ok := toInt64(v); ok {
		return i, true
	}
	switch kindOf(v) {
	case kindDouble:
		f := v.(float64)
		if f == math.Trunc(f) && f >= -9.2e18 && f <= 9.2e18 {
			return int64(f), true
		}
	case kindDecimal:
		f, ok := toBigFloat(v)
		if ok && f.IsInt() {
			i, acc := f.Int64()
			return i, acc == big.Exact
		}
	}
	return 0, false
}

func unaryFloat(op string, f func(float64) float64, check func(float64) error) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		v := args[0]
		if IsNullish(v) {
			return nil, nil
		}
		if !IsNumber(v) {
			return nil, numericErr(op, v)
		}
		x := toFloat(v)
		if check != nil {
			if err := check(x); err != nil {
				return nil, err
			}
		}
		if kindOf(v) == kindDecimal {
			return floatToDecimal(f(x)), nil
		}
		return f(x), nil
	}
}

// domain is the interval a bounded trigonometric operator accepts.
type domain struct {
	lo, hi             float64
	loClosed, hiClosed bool
}

var (
	openLine     = domain{math.Inf(-1), math.Inf(1), false, false} // $sin, $cos, $tan: finite numbers
	unitInterval = domain{-1, 1, true, true}                       // $asin, $acos, $atanh
	fromOne      = domain{1, math.Inf(1), true, true}              // $acosh
)

func (d domain) contains(x float64) bool {
	aboveLo := x > d.lo || (d.loClosed && x == d.lo)
	belowHi := x < d.hi || (d.hiClosed && x == d.hi)
	return aboveLo && belowHi
}

func (d domain) String() string {
	l, r := "(", ")"
	if d.loClosed {
		l = "["
	}
	if d.hiClosed {
		r = "]"
	}
	return l + cppDouble(d.lo) + "," + cppDouble(d.hi) + r
}

// cppDouble formats a double as MongoDB's messages do (C++ stream
// output: six significant digits, "inf", "-inf").
func cppDouble(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// trigDomain is the check of a bounded trigonometric operator. NaN passes
// (the result is NaN); a value outside the domain is MongoDB's error
// "cannot apply $acos to 2, value must in [-1,1]".
func trigDomain(op string, d domain) func(float64) error {
	return func(x float64) error {
		if math.IsNaN(x) || d.contains(x) {
			return nil
		}
		return fmt.Errorf("cannot apply %s to %s, value must in %s", op, cppDouble(x), d)
	}
}

func negErr(op string, x float64) error {
	if x < 0 {
		return fmt.Errorf("%s's argument must be greater than or equal to 0", op)
	}
	return nil
}

func positiveErr(op string, x float64) error {
	if x <= 0 {
		return fmt.Errorf("%s's argument must be a positive number, but is %v", op, x)
	}
	return nil
}

func opLog(args []any) (any, error) {
	if err := arity("$log", args, 2, 2); err != nil {
		return nil, err
	}
	if IsNullish(args[0]) || IsNullish(args[1]) {
		return nil, nil
	}
	for _, a := range args {
		if !IsNumber(a) {
			return nil, numericErr("$log", a)
		}
	}
	x, base := toFloat(args[0]), toFloat(args[1])
	if x <= 0 {
		return nil, fmt.Errorf("$log's argument must be a positive number, but is %v", x)
	}
	if base <= 0 || base == 1 {
		return nil, fmt.Errorf("$log's base must be a positive number not equal to 1, but is %v", base)
	}
	r := math.Log(x) / math.Log(base)
	if kindOf(args[0]) == kindDecimal || kindOf(args[1]) == kindDecimal {
		return floatToDecimal(r), nil
	}
	return r, nil
}

// opPow is $pow: integer powers stay integers while they fit (int, then
// long), else become doubles; 0 to a negative power is an error.
func opPow(args []any) (any, error) {
	a, b, null, err := numericPair("$pow", args, "$pow's base and exponent must be numeric, not %s")
	if null || err != nil {
		return nil, err
	}
	if isZero(a) && toFloat(b) < 0 {
		return nil, fmt.Errorf("$pow cannot take a base of 0 and a negative exponent")
	}
	k := max(kindOf(a), kindOf(b))
	if k <= kindLong {
		x, _ := toInt64(a)
		y, _ := toInt64(b)
		if y >= 0 {
			r, ok := int64(1), true
			for i := int64(0); i < y && ok; i++ {
				r, ok = mulInt(r, x)
				if r == 0 || (r == 1 && x == 1) {
					break
				}
				if x == -1 {
					if y%2 == 0 {
						r = 1
					} else {
						r = -1
					}
					break
				}
			}
			if ok {
				return narrow(r, k), nil
			}
		}
		return math.Pow(float64(x), float64(y)), nil
	}
	r := math.Pow(toFloat(a), toFloat(b))
	if k == kindDecimal {
		return floatToDecimal(r), nil
	}
	return r, nil
}

func opAtan2(args []any) (any, error) {
	if err := arity("$atan2", args, 2, 2); err != nil {
		return nil, err
	}
	if IsNullish(args[0]) || IsNullish(args[1]) {
		return nil, nil
	}
	for _, a := range args {
		if !IsNumber(a) {
			return nil, numericErr("$atan2", a)
		}
	}
	r := math.Atan2(toFloat(args[0]), toFloat(args[1]))
	if kindOf(args[0]) == kindDecimal || kindOf(args[1]) == kindDecimal {
		// MongoDB "$atan2": a decimal argument gives a decimal.
		return floatToDecimal(r), nil
	}
	return r, nil
}

func bitOp(op string, f func(a, b int64) int64, identity int64) opFunc {
	return func(args []any) (any, error) {
		acc := identity
		k := kindInt
		for _, a := range args {
			if IsNullish(a) {
				return nil, nil
			}
			i, ok := toInt64(a)
			if !ok {
				return nil, fmt.Errorf("%s only supports int and long, not: %s", op, TypeName(a))
			}
			k = max(k, kindOf(a))
			acc = f(acc, i)
		}
		if k == kindInt {
			return int32(acc), nil
		}
		return acc, nil
	}
}

func opBitNot(args []any) (any, error) {
	if err := arity("$bitNot", args, 1, 1); err != nil {
		return nil, err
	}
	switch x := args[0].(type) {
	case int32:
		return ^x, nil
	case int64:
		return ^x, nil
	}
	if IsNullish(args[0]) {
		return nil, nil
	}
	return nil, fmt.Errorf("$bitNot only supports int and long, not: %s", TypeName(args[0]))
}
