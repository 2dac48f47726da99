package kafka

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// KeyFormat is how a record key's bytes map to a BSON value: ASP's
// keyFormat, for $meta stream.source.key on a $source and for $emit's key.
type KeyFormat uint8

const (
	// BinData keeps the bytes as they are (BSON binary, subtype 0); the
	// default, as in ASP.
	BinData KeyFormat = iota
	// StringKey is UTF-8 text.
	StringKey
	// JSONKey is one JSON (Extended JSON) value.
	JSONKey
	// IntKey is a 4-byte big-endian two's complement integer, as Kafka's
	// IntegerSerializer writes it.
	IntKey
	// LongKey is an 8-byte big-endian integer, as Kafka's LongSerializer
	// writes it.
	LongKey
)

var keyFormatNames = [...]string{"binData", "string", "json", "int", "long"}

func (f KeyFormat) String() string { return keyFormatNames[f] }

// ParseKeyFormat reads ASP's keyFormat name; "" is binData.
func ParseKeyFormat(s string) (KeyFormat, error) {
	if s == "" {
		return BinData, nil
	}
	for i, n := range keyFormatNames {
		if n == s {
			return KeyFormat(i), nil
		}
	}
	return 0, fmt.Errorf("keyFormat: %q is not one of %s", s, strings.Join(keyFormatNames[:], ", "))
}

// Decode turns a record key into its BSON value. A record without a key is
// null whatever the format. An error says why the key isn't in the format;
// with keyFormatError passThrough the caller uses BinData's value instead,
// with dlq the message goes to the DLQ with the error as its reason.
func (f KeyFormat) Decode(raw []byte) (any, error) {
	if raw == nil {
		return nil, nil
	}
	switch f {
	case StringKey:
		if !utf8.Valid(raw) {
			return nil, fmt.Errorf("key is not UTF-8 text (keyFormat string)")
		}
		return string(raw), nil
	case JSONKey:
		// Validating first guarantees raw is exactly one JSON value, so
		// wrapping it as a field can't let a crafted key add fields.
		if !json.Valid(raw) {
			return nil, fmt.Errorf("key is not a JSON value (keyFormat json)")
		}
		wrapped := make([]byte, 0, len(raw)+6)
		wrapped = append(append(append(wrapped, `{"k":`...), raw...), '}')
		var d bson.D
		if err := bson.UnmarshalExtJSON(wrapped, false, &d); err != nil {
			return nil, fmt.Errorf("key is not Extended JSON (keyFormat json): %v", err)
		}
		return d[0].Value, nil
	case IntKey:
		if len(raw) != 4 {
			return nil, fmt.Errorf("key of %d bytes is not an int (keyFormat int: 4 bytes, big-endian)", len(raw))
		}
		return int32(binary.BigEndian.Uint32(raw)), nil
	case LongKey:
		if len(raw) != 8 {
			return nil, fmt.Errorf("key of %d bytes is not a long (keyFormat long: 8 bytes, big-endian)", len(raw))
		}
		return int64(binary.BigEndian.Uint64(raw)), nil
	default:
		return bson.Binary{Subtype: bson.TypeBinaryGeneric, Data: raw}, nil
	}
}

// Encode turns an $emit key value into record key bytes. null (or a
// missing key) is a record without a key. A value the format can't hold is
// an error, and the document goes to the DLQ, as ASP does. Numbers convert
// between int, long and double when the value is exactly representable, so
// {key: "$customerId"} works whether the field arrived as 7 or 7.0.
func (f KeyFormat) Encode(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if _, ok := v.(bson.Null); ok {
		return nil, nil
	}
	switch f {
	case StringKey:
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	case JSONKey:
		b, err := bson.MarshalExtJSON(bson.D{{Key: "k", Value: v}}, false, false)
		if err != nil {
			return nil, fmt.Errorf("key can't be written as JSON: %v", err)
		}
		// Strip the {"k": … } wrapper the marshaller needs around a value.
		return b[len(`{"k":`) : len(b)-1], nil
	case IntKey:
		if n, ok := integer(v); ok && n >= math.MinInt32 && n <= math.MaxInt32 {
			return binary.BigEndian.AppendUint32(nil, uint32(int32(n))), nil
		}
	case LongKey:
		if n, ok := integer(v); ok {
			return binary.BigEndian.AppendUint64(nil, uint64(n)), nil
		}
	default:
		switch x := v.(type) {
		case bson.Binary:
			return x.Data, nil
		case []byte:
			return x, nil
		}
	}
	return nil, fmt.Errorf("key %s can't be written with keyFormat %s", describe(v), f)
}

// integer returns v as an int64 when it is a whole number that fits.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "of type string"
	case int32:
		return "of type int"
	case int64:
		return "of type long"
	case float64:
		return "of type double"
	case bool:
		return "of type bool"
	case bson.D:
		return "of type object"
	case bson.A:
		return "of type array"
	case bson.Binary:
		return "of type binData"
	default:
		return fmt.Sprintf("of type %T", v)
	}
}
