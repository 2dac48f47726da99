package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Kind is the representation of one Column, which follows from the BSON
// types of the values a batch holds for that path. The int/long/double
// distinction of BSON is kept: a column is never widened on decode, because
// $type, $convert and $sum's result type depend on it.
type Kind uint8

// The kinds. The numeric values are also the type codes of a KindMixed
// column's dense union, so they must stay below arrow.MaxUnionTypeCode.
const (
	// KindNull: no row has a value (each is null or missing); an arrow
	// Null array.
	KindNull Kind = iota
	// KindDouble: BSON double as float64.
	KindDouble
	// KindString: BSON string as utf8.
	KindString
	// KindInt: BSON int (32-bit) as int32.
	KindInt
	// KindLong: BSON long as int64.
	KindLong
	// KindBool: BSON boolean as boolean.
	KindBool
	// KindDate: BSON date as timestamp[ms, UTC].
	KindDate
	// KindObjectID: BSON ObjectId as fixed_size_binary[12].
	KindObjectID
	// KindBSON: any other BSON value — documents, arrays, decimals,
	// regexes, timestamps, binaries, … — as binary holding one BSON type
	// byte followed by the value's BSON encoding. Kernels do not look
	// inside; the per-row fallback decodes it with Value.
	KindBSON
	// KindMixed: the rows' values have more than one of the kinds above; a
	// dense union whose type codes are those kinds.
	KindMixed

	colKindCount = KindMixed
)

var colKindNames = [...]string{"null", "double", "string", "int", "long", "bool", "date", "objectId", "bson", "mixed"}

func (k Kind) String() string {
	if int(k) < len(colKindNames) {
		return colKindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// colKindType is the Arrow type a single-kind column (or union member) of
// kind k has.
func colKindType(k Kind) arrow.DataType {
	switch k {
	case KindDouble:
		return arrow.PrimitiveTypes.Float64
	case KindString:
		return arrow.BinaryTypes.String
	case KindInt:
		return arrow.PrimitiveTypes.Int32
	case KindLong:
		return arrow.PrimitiveTypes.Int64
	case KindBool:
		return arrow.FixedWidthTypes.Boolean
	case KindDate:
		return arrow.FixedWidthTypes.Timestamp_ms
	case KindObjectID:
		return &arrow.FixedSizeBinaryType{ByteWidth: 12}
	case KindBSON:
		return arrow.BinaryTypes.Binary
	}
	return arrow.Null
}

// Column is the values one field path takes in the rows of a Batch.
//
// Representation. A column whose present values share one BSON type is a
// typed Arrow array (see Kind). When they do not, it is a dense union with
// one typed child per kind (KindMixed). A dense union rather than "BSON bytes
// plus a type tag" because the common mixed case is numeric — a JSON 250 is
// a BSON int and 19.99 a double in the same field — and a union keeps each
// member a typed array, so a kernel can still run a typed loop per member
// instead of decoding BSON per row; values that have no Arrow type of their
// own (documents, arrays, decimals, …) share one KindBSON member.
//
// Null versus missing. The Arrow validity of a row is cleared when the
// field is null or missing, so kernels that only need "has a value" read
// validity alone. A separate present bitmap, set where the document has the
// field (null included), tells the two apart; it is nil when every row has
// the field, the usual case, so it costs nothing there. It is not part of
// the RecordBatch: Arrow has no notion of missing, and a consumer of the
// plain record sees missing as null, which is what SQL wants. In a union a
// null or missing row points at a null slot of the first member.
type Column struct {
	Path string
	Kind Kind
	// Array is owned by the Batch's record; it lives as long as the Batch.
	Array arrow.Array

	present  *memory.Buffer // nil: every row present
	nMissing int
}

// Len is the number of rows.
func (c *Column) Len() int { return c.Array.Len() }

// Missing reports whether row i lacks the field.
func (c *Column) Missing(i int) bool {
	return c.present != nil && !bitutil.BitIsSet(c.present.Bytes(), i)
}

// MissingN is the number of rows that lack the field.
func (c *Column) MissingN() int { return c.nMissing }

// Valid reports whether row i has a non-null value: the check a typed
// fast path makes before reading Float64s()[i] and the like.
func (c *Column) Valid(i int) bool {
	switch c.Kind {
	case KindNull:
		return false // an arrow Null array has no validity bitmap to say so
	case KindMixed:
		return !c.Missing(i) && c.unionValid(i)
	}
	return c.Array.IsValid(i)
}

func (c *Column) unionValid(i int) bool {
	u := c.Array.(*array.DenseUnion)
	return u.Field(u.ChildID(i)).IsValid(int(u.ValueOffset(i)))
}

// Float64s returns the values of a KindDouble column, valid where Valid.
func (c *Column) Float64s() ([]float64, bool) {
	if c.Kind != KindDouble {
		return nil, false
	}
	return c.Array.(*array.Float64).Float64Values(), true
}

// Int64s returns the values of a KindLong column, valid where Valid.
func (c *Column) Int64s() ([]int64, bool) {
	if c.Kind != KindLong {
		return nil, false
	}
	return c.Array.(*array.Int64).Int64Values(), true
}

// Int32s returns the values of a KindInt column, valid where Valid.
func (c *Column) Int32s() ([]int32, bool) {
	if c.Kind != KindInt {
		return nil, false
	}
	return c.Array.(*array.Int32).Int32Values(), true
}

// Dates returns the milliseconds since the epoch of a KindDate column,
// valid where Valid.
func (c *Column) Dates() ([]arrow.Timestamp, bool) {
	if c.Kind != KindDate {
		return nil, false
	}
	return c.Array.(*array.Timestamp).TimestampValues(), true
}

// Strings returns a KindString column's array; its Value(i) does not copy.
func (c *Column) Strings() (*array.String, bool) {
	if c.Kind != KindString {
		return nil, false
	}
	return c.Array.(*array.String), true
}

// Union returns a KindMixed column's dense union.
func (c *Column) Union() (*array.DenseUnion, bool) {
	if c.Kind != KindMixed {
		return nil, false
	}
	return c.Array.(*array.DenseUnion), true
}

// Value is row i as the row evaluator sees it: Missing for a missing field,
// nil for null, else int32, int64, float64, string, bool, bson.DateTime,
// bson.ObjectID, bson.D, bson.A, bson.Decimal128, … It allocates for
// strings and BSON values: it is the per-row fallback, not a kernel's path.
func (c *Column) Value(i int) any {
	if c.Missing(i) {
		return Missing
	}
	if c.Kind == KindMixed {
		u := c.Array.(*array.DenseUnion)
		return colValueAt(Kind(u.TypeCode(i)), u.Field(u.ChildID(i)), int(u.ValueOffset(i)))
	}
	return colValueAt(c.Kind, c.Array, i)
}

// colValueAt reads element i of a single-kind array a.
func colValueAt(k Kind, a arrow.Array, i int) any {
	if k == KindNull || a.IsNull(i) {
		return nil
	}
	switch k {
	case KindDouble:
		return a.(*array.Float64).Value(i)
	case KindString:
		return string([]byte(a.(*array.String).Value(i))) // copy: the buffer goes with the batch
	case KindInt:
		return a.(*array.Int32).Value(i)
	case KindLong:
		return a.(*array.Int64).Value(i)
	case KindBool:
		return a.(*array.Boolean).Value(i)
	case KindDate:
		return bson.DateTime(a.(*array.Timestamp).Value(i))
	case KindObjectID:
		var id bson.ObjectID
		copy(id[:], a.(*array.FixedSizeBinary).Value(i))
		return id
	case KindBSON:
		v, err := colDecodeBSON(a.(*array.Binary).Value(i))
		if err != nil {
			// The decoder wrote these bytes from a value the BSON library
			// produced, so this is a bug, not bad input.
			panic(fmt.Sprintf("exec: corrupt BSON value in column: %v", err))
		}
		return v
	}
	return nil
}

// colDecodeBSON decodes a KindBSON element: a type byte, then the value.
func colDecodeBSON(b []byte) (any, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("empty BSON value")
	}
	var v any
	if err := (bson.RawValue{Type: bson.Type(b[0]), Value: b[1:]}).Unmarshal(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// retain and release manage the present bitmap; the array belongs to the
// record.
func (c *Column) retain() {
	if c.present != nil {
		c.present.Retain()
	}
}

func (c *Column) release() {
	if c.present != nil {
		c.present.Release()
	}
}
