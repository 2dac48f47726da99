package exec

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var typeOps = map[string]opFunc{
	"$type": func(args []any) (any, error) {
		if err := arity("$type", args, 1, 1); err != nil {
			return nil, err
		}
		return TypeName(args[0]), nil
	},
	"$isNumber": func(args []any) (any, error) {
		if err := arity("$isNumber", args, 1, 1); err != nil {
			return nil, err
		}
		return IsNumber(args[0]), nil
	},
	"$toInt":       toOp("$toInt", "int"),
	"$toLong":      toOp("$toLong", "long"),
	"$toDouble":    toOp("$toDouble", "double"),
	"$toDecimal":   toOp("$toDecimal", "decimal"),
	"$toString":    toOp("$toString", "string"),
	"$toBool":      toOp("$toBool", "bool"),
	"$toObjectId":  toOp("$toObjectId", "objectId"),
	"$toUUID":      toOp("$toUUID", "uuid"),
	"$tsSecond":    tsPart("$tsSecond", func(t bson.Timestamp) int64 { return int64(t.T) }),
	"$tsIncrement": tsPart("$tsIncrement", func(t bson.Timestamp) int64 { return int64(t.I) }),
	"$binarySize":  opBinarySize,
	"$bsonSize":    opBSONSize,
}

func tsPart(op string, f func(bson.Timestamp) int64) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		if IsNullish(args[0]) {
			return nil, nil
		}
		t, ok := args[0].(bson.Timestamp)
		if !ok {
			return nil, fmt.Errorf("argument to %s must be a timestamp, but is %s", op, TypeName(args[0]))
		}
		return f(t), nil
	}
}

func opBinarySize(args []any) (any, error) {
	if err := arity("$binarySize", args, 1, 1); err != nil {
		return nil, err
	}
	switch x := args[0].(type) {
	case string:
		return int32(len(x)), nil
	case bson.Binary:
		return int32(len(x.Data)), nil
	}
	if IsNullish(args[0]) {
		return nil, nil
	}
	return nil, fmt.Errorf("$binarySize requires a string or BinData argument, found: %s", TypeName(args[0]))
}

func opBSONSize(args []any) (any, error) {
	if err := arity("$bsonSize", args, 1, 1); err != nil {
		return nil, err
	}
	if IsNullish(args[0]) {
		return nil, nil
	}
	d, ok := args[0].(bson.D)
	if !ok {
		return nil, fmt.Errorf("$bsonSize requires a document input, found: %s", TypeName(args[0]))
	}
	b, err := bson.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("$bsonSize: %w", err)
	}
	return int32(len(b)), nil
}

// toOp is a $toX shorthand: $convert with no onError and no onNull, so
// null stays null and a failed conversion is an error.
func toOp(op, to string) opFunc {
	return func(args []any) (any, error) {
		if err := arity(op, args, 1, 1); err != nil {
			return nil, err
		}
		if IsNullish(args[0]) {
			return nil, nil
		}
		return convert(args[0], to)
	}
}

// typeAliases maps $convert's numeric type codes to names.
var typeAliases = map[int64]string{
	1: "double", 2: "string", 7: "objectId", 8: "bool", 9: "date",
	16: "int", 18: "long", 19: "decimal", 5: "binData",
}

func (ev *evaluator) convertOp(n namedArgs) (any, error) {
	if err := n.check("$convert", []string{"input", "to"}, "onError", "onNull", "format", "byteOrder"); err != nil {
		return nil, err
	}
	in, err := ev.evalNamed(n, "input")
	if err != nil {
		return nil, err
	}
	tv, err := ev.evalNamed(n, "to")
	if err != nil {
		return nil, err
	}
	var to string
	switch x := tv.(type) {
	case string:
		to = x
	case bson.D:
		// {type: "binData", subtype: 4} (MongoDB 8) — only the type is used.
		if t, ok := docGet(x, "type"); ok {
			to, _ = t.(string)
		}
	default:
		if IsNullish(tv) {
			return nil, nil
		}
		if i, ok := exactInt(tv); ok {
			to = typeAliases[i]
		}
	}
	if to == "" {
		return nil, fmt.Errorf("$convert: unknown type name: %v", tv)
	}
	if IsNullish(in) {
		return ev.onNull(n)
	}
	out, err := convert(in, to)
	if err != nil {
		if _, ok := n.get("onError"); ok {
			return ev.evalNamed(n, "onError")
		}
		return nil, err
	}
	return out, nil
}

var errConversion = errors.New("conversion failed")

func convErr(v any, to string, detail string) error {
	msg := fmt.Sprintf("unsupported conversion from %s to %s in $convert with no onError value", TypeName(v), to)
	if detail != "" {
		msg = fmt.Sprintf("failed to parse %s in $convert with no onError value: %s", to, detail)
	}
	return fmt.Errorf("%s: %w", msg, errConversion)
}

// convert converts a non-null value to the named type by $convert's table.
func convert(v any, to string) (any, error) {
	switch to {
	case "double":
		return toDouble(v)
	case "string":
		return toString(v)
	case "objectId":
		switch x := v.(type) {
		case bson.ObjectID:
			return x, nil
		case string:
			id, err := bson.ObjectIDFromHex(x)
			if err != nil {
				return nil, convErr(v, to, fmt.Sprintf("invalid string length for parsing to OID, expected 24 but found %d", len(x)))
			}
			return id, nil
		}
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int32, int64, float64, bson.Decimal128:
			return Truthy(x), nil
		case string, bson.DateTime, bson.ObjectID, bson.Timestamp, bson.Regex, bson.Binary, bson.D, bson.A:
			// Every string, even "" and "false", converts to true.
			return true, nil
		}
	case "date":
		return toDate(v)
	case "int", "long":
		i, err := toInteger(v, to)
		if err != nil {
			return nil, err
		}
		if to == "int" {
			if i < math.MinInt32 || i > math.MaxInt32 {
				return nil, convErr(v, to, fmt.Sprintf("conversion would overflow target type in $convert with no onError value: %v", v))
			}
			return int32(i), nil
		}
		return i, nil
	case "decimal":
		switch x := v.(type) {
		case bson.Decimal128:
			return x, nil
		case int32, int64:
			i, _ := toInt64(x)
			d, _ := bson.ParseDecimal128(strconv.FormatInt(i, 10))
			return d, nil
		case float64:
			return floatToDecimal(x), nil
		case bool:
			if x {
				d, _ := bson.ParseDecimal128("1")
				return d, nil
			}
			d, _ := bson.ParseDecimal128("0")
			return d, nil
		case string:
			d, err := bson.ParseDecimal128(x)
			if err != nil {
				return nil, convErr(v, to, fmt.Sprintf("failed to parse number '%s'", x))
			}
			return d, nil
		case bson.DateTime:
			d, _ := bson.ParseDecimal128(strconv.FormatInt(int64(x), 10))
			return d, nil
		}
	case "uuid", "binData":
		switch x := v.(type) {
		case bson.Binary:
			return x, nil
		case string:
			b, err := parseUUID(x)
			if err != nil {
				return nil, convErr(v, to, err.Error())
			}
			return b, nil
		}
	case "null":
		return nil, nil
	default:
		return nil, fmt.Errorf("$convert: unknown or unsupported target type: %s", to)
	}
	return nil, convErr(v, to, "")
}

func toDouble(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int32, int64:
		return toFloat(x), nil
	case bson.Decimal128:
		f := decimalToFloat(x)
		if math.IsInf(f, 0) && x.IsInf() == 0 {
			return nil, convErr(v, "double", "conversion would overflow target type")
		}
		return f, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case bson.DateTime:
		return float64(x), nil
	case string:
		f, err := parseDoubleString(x)
		if err != nil {
			return nil, convErr(v, "double", fmt.Sprintf("failed to parse number '%s'", x))
		}
		return f, nil
	}
	return nil, convErr(v, "double", "")
}

// parseDoubleString parses a decimal or exponent number, "Infinity" or
// "NaN"; unlike strconv it refuses hex, underscores and spaces.
func parseDoubleString(s string) (float64, error) {
	if s == "" || strings.ContainsAny(s, "xX_ \t\n") {
		return 0, errConversion
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, nil
		}
		return 0, err
	}
	return f, nil
}

// toInteger converts to an int64: doubles and decimals truncate, and
// strings must be base-10 integers.
func toInteger(v any, to string) (int64, error) {
	switch x := v.(type) {
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, convErr(v, to, fmt.Sprintf("attempt to convert NaN or infinity value to integer type: %v", x))
		}
		t := math.Trunc(x)
		if t < -9223372036854775808.0 || t >= 9223372036854775808.0 {
			return 0, convErr(v, to, fmt.Sprintf("conversion would overflow target type: %v", x))
		}
		return int64(t), nil
	case bson.Decimal128:
		f, ok := toBigFloat(x)
		if !ok {
			return 0, convErr(v, to, "attempt to convert NaN or infinity value to integer type")
		}
		i, _ := f.Int(nil)
		if !i.IsInt64() {
			return 0, convErr(v, to, "conversion would overflow target type")
		}
		return i.Int64(), nil
	case string:
		if x == "" || strings.ContainsAny(x, " \t\n_") {
			return 0, convErr(v, to, fmt.Sprintf("failed to parse number '%s'", x))
		}
		i, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, convErr(v, to, fmt.Sprintf("failed to parse number '%s'", x))
		}
		return i, nil
	case bson.DateTime:
		if to == "long" {
			return int64(x), nil
		}
	}
	return 0, convErr(v, to, "")
}

func toString(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int32, int64, float64, bson.Decimal128:
		return numberToString(x), nil
	case bson.ObjectID:
		return x.Hex(), nil
	case bson.DateTime:
		return formatISODate(x), nil
	case bson.Symbol:
		return string(x), nil
	case bson.Binary:
		if x.Subtype == 4 && len(x.Data) == 16 {
			return formatUUID(x.Data), nil
		}
	}
	return nil, convErr(v, "string", "")
}

// toDate is $toDate and $convert to date: numbers are milliseconds since
// the epoch (doubles truncated), strings are parsed like $dateFromString,
// ObjectIds give their creation second, Timestamps their seconds.
func toDate(v any) (any, error) {
	switch x := v.(type) {
	case bson.DateTime:
		return x, nil
	case int64:
		return bson.DateTime(x), nil
	case int32:
		return nil, convErr(v, "date", "")
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || x >= 9.2e18 || x <= -9.2e18 {
			return nil, convErr(v, "date", fmt.Sprintf("cannot convert %v to a date", x))
		}
		return bson.DateTime(int64(x)), nil
	case bson.Decimal128:
		f, ok := toBigFloat(x)
		if !ok {
			return nil, convErr(v, "date", "cannot convert NaN or infinity to a date")
		}
		i, _ := f.Int(nil)
		if !i.IsInt64() {
			return nil, convErr(v, "date", "date overflow")
		}
		return bson.DateTime(i.Int64()), nil
	case string:
		t, err := parseDateString(x, "", nil)
		if err != nil {
			return nil, convErr(v, "date", err.Error())
		}
		return bson.NewDateTimeFromTime(t), nil
	case bson.ObjectID:
		return bson.NewDateTimeFromTime(x.Timestamp()), nil
	case bson.Timestamp:
		return bson.DateTime(int64(x.T) * 1000), nil
	}
	return nil, convErr(v, "date", "")
}

// newUUID returns a random (version 4) UUID as binData subtype 4, what
// $createUUID returns.
func newUUID() bson.Binary {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return bson.Binary{Subtype: 4, Data: b[:]}
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func parseUUID(s string) (bson.Binary, error) {
	h := strings.ReplaceAll(s, "-", "")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 16 || (len(s) != 32 && len(s) != 36) {
		return bson.Binary{}, fmt.Errorf("invalid UUID string: '%s'", s)
	}
	return bson.Binary{Subtype: 4, Data: b}, nil
}

func defaultRand() float64 { return mrand.Float64() }

// onNull is the answer of an operator with an onNull option ($convert,
// $dateToString, $dateFromString) for a null or missing input: its onNull
// expression when given, else null.
func (ev *evaluator) onNull(n namedArgs) (any, error) {
	if _, ok := n.get("onNull"); ok {
		return ev.evalNamed(n, "onNull")
	}
	return nil, nil
}
