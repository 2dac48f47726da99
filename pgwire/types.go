package pgwire

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// The type OIDs weir advertises. Only types it can encode in both text
// and binary are used for result columns: pgx asks for binary for every
// type it knows.
const (
	oidBool        uint32 = 16
	oidInt8        uint32 = 20
	oidInt2        uint32 = 21
	oidInt4        uint32 = 23
	oidText        uint32 = 25
	oidOID         uint32 = 26
	oidFloat4      uint32 = 700
	oidFloat8      uint32 = 701
	oidUnknown     uint32 = 705
	oidVarchar     uint32 = 1043
	oidTimestamp   uint32 = 1114
	oidTimestamptz uint32 = 1184
	oidNumeric     uint32 = 1700
	oidJSON        uint32 = 114
	oidJSONB       uint32 = 3802
	oidName        uint32 = 19
	oidChar        uint32 = 18
)

func typeSize(oid uint32) int16 {
	switch oid {
	case oidBool, oidChar:
		return 1
	case oidInt2:
		return 2
	case oidInt4, oidOID, oidFloat4:
		return 4
	case oidInt8, oidFloat8, oidTimestamptz, oidTimestamp:
		return 8
	case oidName:
		return 64
	}
	return -1
}

// typeName is the name format_type and error messages use.
func typeName(oid uint32) string {
	switch oid {
	case oidBool:
		return "boolean"
	case oidInt8:
		return "bigint"
	case oidInt2:
		return "smallint"
	case oidInt4:
		return "integer"
	case oidFloat8:
		return "double precision"
	case oidTimestamptz:
		return "timestamp with time zone"
	case oidJSONB:
		return "jsonb"
	case oidName:
		return "name"
	case oidOID:
		return "oid"
	case oidChar:
		return "\"char\""
	}
	return "text"
}

// column is one result column.
type column struct {
	name string
	oid  uint32
}

func fieldDescs(cols []column, formats []int16) []pgproto3.FieldDescription {
	out := make([]pgproto3.FieldDescription, len(cols))
	for i, c := range cols {
		out[i] = pgproto3.FieldDescription{Name: []byte(c.name), DataTypeOID: c.oid, DataTypeSize: typeSize(c.oid), TypeModifier: -1, Format: formatFor(formats, i)}
	}
	return out
}

// formatFor applies Bind's format-code rule: none means text, one applies
// to all, else one per column.
func formatFor(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return 0
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return 0
}

// exprType is the PostgreSQL type of a $project expression when it is
// known from the expression alone. A field read from a document can hold
// any type from one row to the next, so it is text: the value's own text
// (a string as is, anything else as its JSON).
func exprType(e mql.Expr) uint32 {
	switch x := e.(type) {
	case mql.Literal:
		return valueType(x.Value)
	case mql.Call:
		switch x.Op {
		case "$literal":
			if len(x.Args) == 1 {
				return exprType(x.Args[0])
			}
		case "$toInt":
			return oidInt4
		case "$toLong":
			return oidInt8
		case "$toDouble":
			return oidFloat8
		case "$toBool", "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$and", "$or", "$not", "$in", "$regexMatch":
			return oidBool
		case "$toDate":
			return oidTimestamptz
		case "$toString", "$concat", "$toUpper", "$toLower", "$substrCP", "$trim", "$ltrim", "$rtrim":
			return oidText
		}
		if x.Op == "$cond" && len(x.Args) == 3 {
			return sameType(exprType(x.Args[1]), exprType(x.Args[2]))
		}
	case mql.NamedCall:
		if x.Op == "$switch" {
			t := uint32(0)
			for _, a := range x.Args {
				switch a.Name {
				case "default":
					t = sameType(t, exprType(a.Value))
				case "branches":
					arr, _ := a.Value.(mql.Array)
					for _, b := range arr.Elems {
						if o, ok := b.(mql.Object); ok {
							for _, f := range o.Fields {
								if f.Name == "then" {
									t = sameType(t, exprType(f.Value))
								}
							}
						}
					}
				}
			}
			if t != 0 {
				return t
			}
		}
	case mql.Object, mql.Array:
		return oidJSONB
	}
	return oidText
}

// sameType is the type of a choice between two values: theirs when they
// agree (0 stands for "no value yet"), text when they don't. A null
// branch (the planner's NULL for unparseable input) takes the other's.
func sameType(a, b uint32) uint32 {
	switch {
	case a == 0 || a == oidUnknown:
		return b
	case b == 0 || b == oidUnknown || a == b:
		return a
	}
	return oidText
}

// valueType is the type a constant or a first row's value takes.
func valueType(v any) uint32 {
	switch v.(type) {
	case nil:
		return oidUnknown
	case int32:
		return oidInt4
	case int64:
		return oidInt8
	case float64:
		return oidFloat8
	case bool:
		return oidBool
	case bson.DateTime, time.Time:
		return oidTimestamptz
	case bson.D, bson.A, bson.M, []any:
		return oidJSONB
	}
	return oidText
}

// pgEpoch is where PostgreSQL's binary timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// encodeValue renders v for a column of type oid in format (0 text, 1
// binary); nil for SQL NULL.
func encodeValue(v any, oid uint32, format int16) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case bson.Null, bson.Undefined:
		return nil, nil
	case bson.DateTime:
		v = x.Time().UTC()
	}
	if format == 0 {
		return []byte(textOf(v, oid)), nil
	}
	switch oid {
	case oidBool:
		if b, ok := v.(bool); ok {
			if b {
				return []byte{1}, nil
			}
			return []byte{0}, nil
		}
	case oidInt2, oidInt4, oidInt8, oidOID:
		n, ok := asInt64(v)
		if !ok {
			break
		}
		switch typeSize(oid) {
		case 2:
			return binary.BigEndian.AppendUint16(nil, uint16(n)), nil
		case 4:
			return binary.BigEndian.AppendUint32(nil, uint32(n)), nil
		}
		return binary.BigEndian.AppendUint64(nil, uint64(n)), nil
	case oidFloat8:
		if f, ok := asFloat(v); ok {
			return binary.BigEndian.AppendUint64(nil, math.Float64bits(f)), nil
		}
	case oidTimestamptz:
		if t, ok := v.(time.Time); ok {
			return binary.BigEndian.AppendUint64(nil, uint64(t.Sub(pgEpoch).Microseconds())), nil
		}
	case oidJSONB:
		return append([]byte{1}, textOf(v, oid)...), nil
	case oidText, oidVarchar, oidName, oidJSON, oidChar:
		return []byte(textOf(v, oid)), nil
	}
	return nil, fmt.Errorf("a %s value does not fit column type %s in binary", bsonTypeName(v), typeName(oid))
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case int:
		return int64(n), true
	case uint32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n), true
		}
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case bson.Decimal128:
		f, err := strconv.ParseFloat(n.String(), 64)
		return f, err == nil
	}
	return 0, false
}

func bsonTypeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int32, int64, float64, bson.Decimal128:
		return "number"
	case bool:
		return "boolean"
	case bson.D, bson.M:
		return "document"
	case bson.A:
		return "array"
	case time.Time:
		return "date"
	}
	return fmt.Sprintf("%T", v)
}

// textOf is PostgreSQL's text form of v: t/f for booleans in a bool
// column, ISO timestamps, shortest round-trip floats, and JSON for
// documents and arrays (and for anything in a jsonb column).
func textOf(v any, oid uint32) string {
	if oid == oidJSONB || oid == oidJSON {
		return jsonText(v)
	}
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if oid == oidBool {
			if x {
				return "t"
			}
			return "f"
		}
		return strconv.FormatBool(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case float64:
		return formatFloat(x)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
	case bson.DateTime:
		return textOf(x.Time(), oid)
	case bson.Decimal128:
		return x.String()
	case bson.ObjectID:
		return x.Hex()
	}
	return jsonText(v)
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// jsonText is v as relaxed Extended JSON, the form weir prints documents
// in everywhere else.
func jsonText(v any) string {
	switch x := v.(type) {
	case bson.D:
		b, err := bson.MarshalExtJSON(x, false, false)
		if err == nil {
			return string(b)
		}
	case bson.A:
		b, err := bson.MarshalExtJSON(bson.D{{Key: "a", Value: x}}, false, false)
		if err == nil {
			// Unwrap {"a":[…]}: ExtJSON marshals documents only.
			s := string(b)
			return strings.TrimSuffix(strings.TrimPrefix(s, `{"a":`), "}")
		}
	case string:
		b, _ := json.Marshal(x)
		return string(b)
	case time.Time:
		return `{"$date":"` + x.UTC().Format("2006-01-02T15:04:05.999Z07:00") + `"}`
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// decodeParam turns a bound parameter into SQL literal text for the
// planner. Untyped parameters (node-postgres sends no types, pgx's exec
// mode neither) arrive as text; a value that reads as a number becomes a
// number literal, anything else a string, since the field it is compared
// with has no declared type to infer from.
func decodeParam(raw []byte, oid uint32, format int16) (string, error) {
	if raw == nil {
		return "NULL", nil
	}
	if format == 1 {
		switch oid {
		case oidInt2:
			if len(raw) == 2 {
				return strconv.Itoa(int(int16(binary.BigEndian.Uint16(raw)))), nil
			}
		case oidInt4:
			if len(raw) == 4 {
				return strconv.Itoa(int(int32(binary.BigEndian.Uint32(raw)))), nil
			}
		case oidInt8:
			if len(raw) == 8 {
				return strconv.FormatInt(int64(binary.BigEndian.Uint64(raw)), 10), nil
			}
		case oidFloat4:
			if len(raw) == 4 {
				return floatLiteral(float64(math.Float32frombits(binary.BigEndian.Uint32(raw)))), nil
			}
		case oidFloat8:
			if len(raw) == 8 {
				return floatLiteral(math.Float64frombits(binary.BigEndian.Uint64(raw))), nil
			}
		case oidBool:
			if len(raw) == 1 {
				return strings.ToUpper(strconv.FormatBool(raw[0] != 0)), nil
			}
		case oidTimestamptz, oidTimestamp:
			if len(raw) == 8 {
				t := pgEpoch.Add(time.Duration(int64(binary.BigEndian.Uint64(raw))) * time.Microsecond)
				return "TIMESTAMP " + quoteString(t.Format(time.RFC3339Nano)), nil
			}
		case oidText, oidVarchar, oidUnknown, oidName, 0:
			return quoteString(string(raw)), nil
		case oidJSONB:
			if len(raw) > 0 && raw[0] == 1 {
				return quoteString(string(raw[1:])), nil
			}
		default:
			return "", fmt.Errorf("binary parameters of type %d are not supported", oid)
		}
		return "", fmt.Errorf("invalid binary value for a parameter of type %s", typeName(oid))
	}
	s := string(raw)
	switch oid {
	case oidInt2, oidInt4, oidInt8, oidOID:
		if _, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err != nil {
			return "", fmt.Errorf("invalid input syntax for type %s: %q", typeName(oid), s)
		}
		return strings.TrimSpace(s), nil
	case oidFloat4, oidFloat8, oidNumeric:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return "", fmt.Errorf("invalid input syntax for type %s: %q", typeName(oid), s)
		}
		return floatLiteral(f), nil
	case oidBool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "t", "true", "yes", "on", "1":
			return "TRUE", nil
		case "f", "false", "no", "off", "0":
			return "FALSE", nil
		}
		return "", fmt.Errorf("invalid input syntax for type boolean: %q", s)
	case oidTimestamptz, oidTimestamp:
		return "TIMESTAMP " + quoteString(s), nil
	case 0, oidUnknown:
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return s, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && strings.ContainsAny(s, "0123456789") {
			return floatLiteral(f), nil
		}
	}
	return quoteString(s), nil
}

func floatLiteral(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
