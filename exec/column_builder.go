package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// colValue is one decoded value on its way into a colBuilder. The decoder
// fills it while it scans a line and appends it only once the whole line
// has parsed, so a bad line leaves no half-written row behind. Byte slices
// point into the line or into a scratch buffer; they are copied on append.
type colValue struct {
	kind Kind // KindNull with null set: BSON null
	null bool
	i64  int64 // KindInt, KindLong, KindDate (ms)
	f64  float64
	b    bool
	byt  []byte // KindString, KindObjectID (12 bytes), KindBSON (type byte + value)
}

// colBuilder accumulates one Column. While every value has one kind it
// writes a single row-aligned typed builder (nulls and missing rows as
// Arrow nulls); at the first value of another kind it switches to a dense
// union, and the typed builder, with its row-aligned entries, becomes the
// union's first member — no rewrite of what was already decoded.
type colBuilder struct {
	mem  memory.Allocator
	path string

	n          int
	kind       Kind // kind of the row-aligned builder; KindNull until a value arrives
	nullsAhead int  // rows before the first value (all null or missing)
	mixed      bool

	f64 *array.Float64Builder
	str *array.StringBuilder
	i32 *array.Int32Builder
	i64 *array.Int64Builder
	bln *array.BooleanBuilder
	ts  *array.TimestampBuilder
	oid *array.FixedSizeBinaryBuilder
	bin *array.BinaryBuilder

	used    [colKindCount]bool // union members with at least one entry
	typeIDs *array.Int8Builder
	offsets *array.Int32Builder

	present  []byte // bitmap, reused across batches
	nMissing int
}

func newColBuilder(mem memory.Allocator, path string) *colBuilder {
	return &colBuilder{mem: mem, path: path}
}

// builder returns (creating it on first use) the typed builder of kind k.
func (b *colBuilder) builder(k Kind) array.Builder {
	switch k {
	case KindDouble:
		if b.f64 == nil {
			b.f64 = array.NewFloat64Builder(b.mem)
		}
		return b.f64
	case KindString:
		if b.str == nil {
			b.str = array.NewStringBuilder(b.mem)
		}
		return b.str
	case KindInt:
		if b.i32 == nil {
			b.i32 = array.NewInt32Builder(b.mem)
		}
		return b.i32
	case KindLong:
		if b.i64 == nil {
			b.i64 = array.NewInt64Builder(b.mem)
		}
		return b.i64
	case KindBool:
		if b.bln == nil {
			b.bln = array.NewBooleanBuilder(b.mem)
		}
		return b.bln
	case KindDate:
		if b.ts == nil {
			b.ts = array.NewTimestampBuilder(b.mem, arrow.FixedWidthTypes.Timestamp_ms.(*arrow.TimestampType))
		}
		return b.ts
	case KindObjectID:
		if b.oid == nil {
			b.oid = array.NewFixedSizeBinaryBuilder(b.mem, colKindType(KindObjectID).(*arrow.FixedSizeBinaryType))
		}
		return b.oid
	case KindBSON:
		if b.bin == nil {
			b.bin = array.NewBinaryBuilder(b.mem, arrow.BinaryTypes.Binary)
		}
		return b.bin
	}
	panic("exec: no builder for kind " + k.String())
}

// appendTyped appends v to the builder of its kind; the builder exists.
func (b *colBuilder) appendTyped(v *colValue) {
	switch v.kind {
	case KindDouble:
		b.f64.Append(v.f64)
	case KindString:
		b.str.BinaryBuilder.Append(v.byt)
	case KindInt:
		b.i32.Append(int32(v.i64))
	case KindLong:
		b.i64.Append(v.i64)
	case KindBool:
		b.bln.Append(v.b)
	case KindDate:
		b.ts.Append(arrow.Timestamp(v.i64))
	case KindObjectID:
		b.oid.Append(v.byt)
	case KindBSON:
		b.bin.Append(v.byt)
	}
}

func (b *colBuilder) setPresent(row int, present bool) {
	if row>>3 >= len(b.present) {
		b.present = append(b.present, make([]byte, len(b.present)+8)...)
	}
	if present {
		bitutil.SetBit(b.present, row)
	} else {
		bitutil.ClearBit(b.present, row)
		b.nMissing++
	}
}

// append adds one row: v, or a missing field when v is nil.
func (b *colBuilder) append(v *colValue) {
	row := b.n
	b.n++
	b.setPresent(row, v != nil)
	if v == nil || v.null {
		switch {
		case b.kind == KindNull:
			b.nullsAhead++
		case !b.mixed:
			b.builder(b.kind).AppendNull()
		default:
			// A null in a union points at a null slot of the first member.
			m := b.builder(b.kind)
			b.typeIDs.Append(int8(b.kind))
			b.offsets.Append(int32(m.Len()))
			m.AppendNull()
		}
		return
	}
	if b.kind == KindNull {
		b.kind = v.kind
		m := b.builder(v.kind)
		m.Reserve(b.nullsAhead + 256)
		m.AppendNulls(b.nullsAhead)
		b.nullsAhead = 0
	}
	if !b.mixed {
		if v.kind == b.kind {
			b.appendTyped(v)
			return
		}
		b.toUnion()
	}
	m := b.builder(v.kind)
	b.used[v.kind] = true
	b.typeIDs.Append(int8(v.kind))
	b.offsets.Append(int32(m.Len()))
	b.appendTyped(v)
}

// toUnion turns the rows so far, all in the row-aligned builder, into the
// first member of a dense union.
func (b *colBuilder) toUnion() {
	b.mixed = true
	b.used[b.kind] = true
	if b.typeIDs == nil {
		b.typeIDs = array.NewInt8Builder(b.mem)
		b.offsets = array.NewInt32Builder(b.mem)
	}
	rows := b.n - 1 // the row being appended is not in yet
	b.typeIDs.Reserve(rows)
	b.offsets.Reserve(rows)
	for i := 0; i < rows; i++ {
		b.typeIDs.UnsafeAppend(int8(b.kind))
		b.offsets.UnsafeAppend(int32(i))
	}
}

// finish builds the Column from the rows appended since the last finish
// and resets the builder for the next batch. The caller owns the array.
func (b *colBuilder) finish() *Column {
	c := &Column{Path: b.path, nMissing: b.nMissing}
	switch {
	case b.kind == KindNull:
		c.Kind, c.Array = KindNull, array.NewNull(b.n)
	case !b.mixed:
		c.Kind, c.Array = b.kind, b.builder(b.kind).NewArray()
	default:
		var children []arrow.Array
		var names []string
		var codes []arrow.UnionTypeCode
		for k := Kind(1); k < colKindCount; k++ {
			if b.used[k] {
				children = append(children, b.builder(k).NewArray())
				names = append(names, k.String())
				codes = append(codes, arrow.UnionTypeCode(k))
			}
		}
		ids, offs := b.typeIDs.NewArray(), b.offsets.NewArray()
		u, err := array.NewDenseUnionFromArraysWithFieldCodes(ids, offs, children, names, codes)
		if err != nil {
			panic("exec: building a mixed column: " + err.Error()) // our own buffers: a bug
		}
		ids.Release()
		offs.Release()
		for _, ch := range children {
			ch.Release()
		}
		c.Kind, c.Array = KindMixed, u
	}
	if b.nMissing > 0 {
		c.present = memory.NewResizableBuffer(b.mem)
		c.present.Resize(int(bitutil.BytesForBits(int64(b.n))))
		copy(c.present.Bytes(), b.present)
	}
	b.n, b.kind, b.nullsAhead, b.mixed, b.nMissing = 0, KindNull, 0, false, 0
	b.used = [colKindCount]bool{}
	return c
}

// release frees the builders' memory.
func (b *colBuilder) release() {
	if b.f64 != nil {
		b.f64.Release()
	}
	if b.str != nil {
		b.str.Release()
	}
	if b.i32 != nil {
		b.i32.Release()
	}
	if b.i64 != nil {
		b.i64.Release()
	}
	if b.bln != nil {
		b.bln.Release()
	}
	if b.ts != nil {
		b.ts.Release()
	}
	if b.oid != nil {
		b.oid.Release()
	}
	if b.bin != nil {
		b.bin.Release()
	}
	if b.typeIDs != nil {
		b.typeIDs.Release()
		b.offsets.Release()
	}
}
