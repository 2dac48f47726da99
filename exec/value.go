package exec

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/big"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// missing is the type of Missing.
type missing struct{}

// Missing is the value of a field that does not exist, and of $$REMOVE.
// It is distinct from nil (BSON null): {f: null} and {} differ in output,
// in $type ("null" versus "missing") and in aggregation comparisons.
var Missing any = missing{}

// IsMissing reports whether v is Missing.
func IsMissing(v any) bool { _, ok := v.(missing); return ok }

// IsNullish reports whether v is null, undefined or missing: the values
// most operators treat alike ("returns null if the argument is null or
// refers to a missing field").
func IsNullish(v any) bool {
	switch v.(type) {
	case nil, missing, bson.Undefined, bson.Null:
		return true
	}
	return false
}

// Canonical type ranks, from MongoDB's canonicalizeBSONType: values of
// different ranks compare by rank, values of one rank by value. Missing and
// undefined rank below null, as they do in aggregation comparisons.
const (
	rankMinKey = iota
	rankMissing
	rankNull
	rankNumber
	rankString
	rankObject
	rankArray
	rankBinary
	rankObjectID
	rankBool
	rankDate
	rankTimestamp
	rankRegex
	rankDBPointer
	rankJavaScript
	rankCodeWithScope
	rankMaxKey
)

// rank is v's canonical type rank. Unknown Go types rank with objects, so
// they at least compare consistently.
func rank(v any) int {
	switch v.(type) {
	case bson.MinKey:
		return rankMinKey
	case missing, bson.Undefined:
		return rankMissing
	case nil, bson.Null:
		return rankNull
	case int32, int64, float64, bson.Decimal128, int:
		return rankNumber
	case string, bson.Symbol:
		return rankString
	case bson.D, bson.M:
		return rankObject
	case bson.A, []any:
		return rankArray
	case bson.Binary, []byte:
		return rankBinary
	case bson.ObjectID:
		return rankObjectID
	case bool:
		return rankBool
	case bson.DateTime:
		return rankDate
	case bson.Timestamp:
		return rankTimestamp
	case bson.Regex:
		return rankRegex
	case bson.DBPointer:
		return rankDBPointer
	case bson.JavaScript:
		return rankJavaScript
	case bson.CodeWithScope:
		return rankCodeWithScope
	case bson.MaxKey:
		return rankMaxKey
	}
	return rankObject
}

// Compare orders a and b by the BSON comparison order: -1, 0 or +1.
// Numbers of every type compare by value (int32(1) == 1.0), NaN below every
// other number; strings compare as bytes; documents field by field (type,
// then name, then value); arrays element by element. Missing sorts below
// null, as aggregation comparisons do; $sort should compare SortKey values.
func Compare(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmpInt(ra, rb)
	}
	switch ra {
	case rankNumber:
		return compareNumbers(a, b)
	case rankString:
		return strings.Compare(asString(a), asString(b))
	case rankObject:
		return compareDocs(asDoc(a), asDoc(b))
	case rankArray:
		x, y := asArray(a), asArray(b)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := Compare(x[i], y[i]); c != 0 {
				return c
			}
		}
		return cmpInt(len(x), len(y))
	case rankBinary:
		x, y := asBinary(a), asBinary(b)
		if len(x.Data) != len(y.Data) {
			return cmpInt(len(x.Data), len(y.Data))
		}
		if x.Subtype != y.Subtype {
			return cmpInt(int(x.Subtype), int(y.Subtype))
		}
		return bytes.Compare(x.Data, y.Data)
	case rankObjectID:
		x, y := a.(bson.ObjectID), b.(bson.ObjectID)
		return bytes.Compare(x[:], y[:])
	case rankBool:
		x, y := a.(bool), b.(bool)
		if x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	case rankDate:
		return cmpInt64(int64(a.(bson.DateTime)), int64(b.(bson.DateTime)))
	case rankTimestamp:
		return a.(bson.Timestamp).Compare(b.(bson.Timestamp))
	case rankRegex:
		x, y := a.(bson.Regex), b.(bson.Regex)
		if c := strings.Compare(x.Pattern, y.Pattern); c != 0 {
			return c
		}
		return strings.Compare(x.Options, y.Options)
	case rankDBPointer:
		x, y := a.(bson.DBPointer), b.(bson.DBPointer)
		if c := strings.Compare(x.DB, y.DB); c != 0 {
			return c
		}
		return bytes.Compare(x.Pointer[:], y.Pointer[:])
	case rankJavaScript:
		return strings.Compare(string(a.(bson.JavaScript)), string(b.(bson.JavaScript)))
	case rankCodeWithScope:
		x, y := a.(bson.CodeWithScope), b.(bson.CodeWithScope)
		if c := strings.Compare(string(x.Code), string(y.Code)); c != 0 {
			return c
		}
		return Compare(x.Scope, y.Scope)
	}
	return 0 // MinKey, MaxKey, null, missing: one value each
}

// Equal reports whether a and b are equal in the BSON order: numbers by
// value across types, documents with the same fields in the same order.
// Missing equals only Missing.
func Equal(a, b any) bool { return Compare(a, b) == 0 }

func compareDocs(x, y bson.D) int {
	for i := 0; i < len(x) && i < len(y); i++ {
		// MongoDB's BSONElement::woCompare: canonical type, then
		// field name, then value.
		if c := cmpInt(rank(x[i].Value), rank(y[i].Value)); c != 0 {
			return c
		}
		if c := strings.Compare(x[i].Key, y[i].Key); c != 0 {
			return c
		}
		if c := Compare(x[i].Value, y[i].Value); c != 0 {
			return c
		}
	}
	return cmpInt(len(x), len(y))
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bson.Symbol:
		return string(x)
	}
	return ""
}

func asDoc(v any) bson.D {
	switch x := v.(type) {
	case bson.D:
		return x
	case bson.M:
		// A map has no order; sort its keys so comparisons are at least
		// deterministic.
		d := make(bson.D, 0, len(x))
		for k, v := range x {
			d = append(d, bson.E{Key: k, Value: v})
		}
		sortDocKeys(d)
		return d
	}
	return nil
}

func sortDocKeys(d bson.D) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].Key < d[j-1].Key; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

func asArray(v any) bson.A {
	switch x := v.(type) {
	case bson.A:
		return x
	case []any:
		return bson.A(x)
	}
	return nil
}

func asBinary(v any) bson.Binary {
	switch x := v.(type) {
	case bson.Binary:
		return x
	case []byte:
		return bson.Binary{Data: x}
	}
	return bson.Binary{}
}

// Numbers.

// numKind orders the numeric types by width, the order $sum and $add widen
// in: int → long → double → decimal.
type numKind int

const (
	notNumber numKind = iota
	kindInt
	kindLong
	kindDouble
	kindDecimal
)

func kindOf(v any) numKind {
	switch v.(type) {
	case int32:
		return kindInt
	case int64, int:
		return kindLong
	case float64:
		return kindDouble
	case bson.Decimal128:
		return kindDecimal
	}
	return notNumber
}

// IsNumber reports whether v is an int, long, double or decimal.
func IsNumber(v any) bool { return kindOf(v) != notNumber }

// toInt64 returns an integer number's value; ok is false for doubles and
// decimals.
func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}

// toFloat returns a number's value as a double (decimals rounded).
func toFloat(v any) float64 {
	switch x := v.(type) {
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case float64:
		return x
	case bson.Decimal128:
		return decimalToFloat(x)
	}
	return math.NaN()
}

func decimalToFloat(d bson.Decimal128) float64 {
	if d.IsNaN() {
		return math.NaN()
	}
	if s := d.IsInf(); s != 0 {
		return math.Inf(s)
	}
	f, _, err := big.ParseFloat(d.String(), 10, 64, big.ToNearestEven)
	if err != nil {
		return math.NaN()
	}
	v, _ := f.Float64()
	return v
}

// toBigFloat returns a finite number exactly enough for comparison and
// decimal arithmetic; ok is false for NaN and infinities.
func toBigFloat(v any) (*big.Float, bool) {
	const prec = 200
	switch x := v.(type) {
	case int32, int64, int:
		i, _ := toInt64(v)
		return new(big.Float).SetPrec(prec).SetInt64(i), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return new(big.Float).SetPrec(prec).SetFloat64(x), true
	case bson.Decimal128:
		if x.IsNaN() || x.IsInf() != 0 {
			return nil, false
		}
		f, _, err := big.ParseFloat(x.String(), 10, prec, big.ToNearestEven)
		if err != nil {
			return nil, false
		}
		return f, true
	}
	return nil, false
}

// compareNumbers compares two numbers by value exactly, NaN lowest.
func compareNumbers(a, b any) int {
	ka, kb := kindOf(a), kindOf(b)
	if ka <= kindLong && kb <= kindLong {
		x, _ := toInt64(a)
		y, _ := toInt64(b)
		return cmpInt64(x, y)
	}
	if ka == kindDecimal || kb == kindDecimal {
		na, nb := isNaN(a), isNaN(b)
		switch {
		case na && nb:
			return 0
		case na:
			return -1
		case nb:
			return 1
		}
		fa, oka := toBigFloat(a)
		fb, okb := toBigFloat(b)
		if oka && okb {
			return fa.Cmp(fb)
		}
		// At least one infinity: doubles order those correctly.
		return compareFloats(toFloat(a), toFloat(b))
	}
	if ka == kindDouble && kb == kindDouble {
		return compareFloats(a.(float64), b.(float64))
	}
	if ka == kindDouble {
		return -compareIntFloat(mustInt64(b), a.(float64))
	}
	return compareIntFloat(mustInt64(a), b.(float64))
}

func mustInt64(v any) int64 { i, _ := toInt64(v); return i }

func isNaN(v any) bool {
	switch x := v.(type) {
	case float64:
		return math.IsNaN(x)
	case bson.Decimal128:
		return x.IsNaN()
	}
	return false
}

func compareFloats(x, y float64) int {
	nx, ny := math.IsNaN(x), math.IsNaN(y)
	switch {
	case nx && ny:
		return 0
	case nx:
		return -1
	case ny:
		return 1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareIntFloat compares an int64 with a double exactly: converting the
// int to a double would round above 2^53.
func compareIntFloat(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return 1
	case f >= 9223372036854775808.0:
		return -1
	case f < -9223372036854775808.0:
		return 1
	}
	t := math.Trunc(f)
	if c := cmpInt64(i, int64(t)); c != 0 {
		return c
	}
	return compareFloats(0, f-t)
}

// Truthy is MongoDB's conversion of a value to a boolean, as $cond, $and,
// $or, $not, $filter and $expr apply it: false, null, undefined, missing and
// numeric zero are false; everything else, including "", [] and NaN, is
// true.
func Truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case nil, missing, bson.Undefined, bson.Null:
		return false
	case int32:
		return x != 0
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	case bson.Decimal128:
		return !x.IsZero() && !decimalIsZero(x)
	}
	return true
}

func decimalIsZero(d bson.Decimal128) bool {
	f, ok := toBigFloat(d)
	return ok && f.Sign() == 0
}

// SortKey is the value $sort compares for v: missing counts as null, and
// an array counts as its smallest element ascending or its largest
// descending; an empty array sorts below null (MongoDB's sort keys treat
// it as undefined).
func SortKey(v any, descending bool) any {
	switch x := v.(type) {
	case missing:
		return nil
	case bson.A:
		if len(x) == 0 {
			return bson.Undefined{}
		}
		best := SortKey(x[0], descending)
		for _, e := range x[1:] {
			k := SortKey(e, descending)
			c := Compare(k, best)
			if (descending && c > 0) || (!descending && c < 0) {
				best = k
			}
		}
		return best
	}
	return v
}

// GroupKey maps a $group key value to the value it groups under: missing
// becomes null, also in the fields of a compound key, since MongoDB puts
// {}, {a: null} and a missing a in one group. Use EvalGroupKey to evaluate
// an _id expression; this is for keys computed elsewhere.
func GroupKey(v any) any {
	if IsMissing(v) {
		return nil
	}
	return v
}

// AppendKey appends a byte encoding of v to buf such that two values are
// Equal exactly when their encodings are the same, so group keys and
// $addToSet members can be hashed: int32(1), int64(1) and 1.0 encode alike.
func AppendKey(buf []byte, v any) []byte {
	r := rank(v)
	buf = append(buf, byte(r))
	switch r {
	case rankNumber:
		return appendNumberKey(buf, v)
	case rankString:
		s := asString(v)
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		return append(buf, s...)
	case rankObject:
		d := asDoc(v)
		buf = binary.AppendUvarint(buf, uint64(len(d)))
		for _, e := range d {
			buf = binary.AppendUvarint(buf, uint64(len(e.Key)))
			buf = append(buf, e.Key...)
			buf = AppendKey(buf, e.Value)
		}
		return buf
	case rankArray:
		a := asArray(v)
		buf = binary.AppendUvarint(buf, uint64(len(a)))
		for _, e := range a {
			buf = AppendKey(buf, e)
		}
		return buf
	case rankBinary:
		b := asBinary(v)
		buf = append(buf, b.Subtype)
		buf = binary.AppendUvarint(buf, uint64(len(b.Data)))
		return append(buf, b.Data...)
	case rankObjectID:
		id := v.(bson.ObjectID)
		return append(buf, id[:]...)
	case rankBool:
		if v.(bool) {
			return append(buf, 1)
		}
		return append(buf, 0)
	case rankDate:
		return binary.BigEndian.AppendUint64(buf, uint64(v.(bson.DateTime)))
	case rankTimestamp:
		t := v.(bson.Timestamp)
		buf = binary.BigEndian.AppendUint32(buf, t.T)
		return binary.BigEndian.AppendUint32(buf, t.I)
	case rankRegex:
		x := v.(bson.Regex)
		buf = append(buf, x.Pattern...)
		buf = append(buf, 0)
		buf = append(buf, x.Options...)
		return append(buf, 0)
	case rankDBPointer:
		x := v.(bson.DBPointer)
		buf = append(buf, x.DB...)
		buf = append(buf, 0)
		return append(buf, x.Pointer[:]...)
	case rankJavaScript:
		s := string(v.(bson.JavaScript))
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		return append(buf, s...)
	case rankCodeWithScope:
		x := v.(bson.CodeWithScope)
		buf = binary.AppendUvarint(buf, uint64(len(x.Code)))
		buf = append(buf, x.Code...)
		return AppendKey(buf, x.Scope)
	}
	return buf
}

// appendNumberKey encodes a number so that equal values encode alike: an
// integral value that fits an int64 as that int64, anything else as the
// exact decimal text of its value.
func appendNumberKey(buf []byte, v any) []byte {
	if i, ok := toInt64(v); ok {
		buf = append(buf, 'i')
		return binary.BigEndian.AppendUint64(buf, uint64(i))
	}
	if isNaN(v) {
		return append(buf, 'n')
	}
	f, ok := toBigFloat(v)
	if !ok {
		if toFloat(v) > 0 {
			return append(buf, '+')
		}
		return append(buf, '-')
	}
	if f.IsInt() {
		if i, acc := f.Int64(); acc == big.Exact {
			buf = append(buf, 'i')
			return binary.BigEndian.AppendUint64(buf, uint64(i))
		}
	}
	buf = append(buf, 'f')
	return f.Append(buf, 'g', -1)
}
