package exec

import (
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Names of the Record's engine columns. A field path cannot start with
// "$", so they never collide with a document's fields.
const (
	TimeColumnName = "$time"
	RawColumnName  = "$raw"
)

// Position is where a source stood after the last row of a batch, so a
// checkpoint taken after the batch resumes from there.
type Position struct {
	Source    string // the $source stage's connection and topic/collection
	Partition int32
	Offset    int64  // Kafka offset, or line number for files
	Token     []byte // a change stream's resume token, when there is one
}

// Batch is a columnar micro-batch of up to a few thousand rows.
//
// Record holds one column per decoded field path, in the order the paths
// were requested, then the event time (TimeColumnName, timestamp[ms, UTC],
// never null), then the raw documents (RawColumnName, binary) when a stage
// needs the whole document ($$ROOT, SELECT *, a pass-through sink).
// Columns describes the path columns with what the record cannot say:
// their Kind and which rows are missing rather than null.
//
// A Batch is reference counted like the Arrow values in it: whoever keeps
// one past the call that handed it over Retains it, and every holder
// Releases it once.
type Batch struct {
	Record  arrow.RecordBatch
	Columns []*Column
	Time    *array.Timestamp // event time, ms since the epoch
	Raw     *array.Binary    // nil unless raw documents were kept

	Positions []Position
	// Watermark is the source's watermark after this batch; zero when the
	// source has not set one.
	Watermark time.Time

	refs atomic.Int64
}

// colNewBatch assembles a Batch from finished columns; it takes over the
// caller's references to the arrays.
func colNewBatch(cols []*Column, ts *array.Timestamp, raw *array.Binary) *Batch {
	fields := make([]arrow.Field, 0, len(cols)+2)
	arrs := make([]arrow.Array, 0, len(cols)+2)
	for _, c := range cols {
		fields = append(fields, arrow.Field{Name: c.Path, Type: c.Array.DataType(), Nullable: true})
		arrs = append(arrs, c.Array)
	}
	fields = append(fields, arrow.Field{Name: TimeColumnName, Type: ts.DataType()})
	arrs = append(arrs, ts)
	if raw != nil {
		fields = append(fields, arrow.Field{Name: RawColumnName, Type: raw.DataType(), Nullable: true})
		arrs = append(arrs, raw)
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(ts.Len()))
	// The record retained every array; drop the references we were given,
	// so the record is their only owner and Column.Array stays valid as
	// long as the record does.
	for _, a := range arrs {
		a.Release()
	}
	b := &Batch{Record: rec, Columns: cols, Time: ts, Raw: raw}
	b.refs.Store(1)
	return b
}

// Len is the number of rows.
func (b *Batch) Len() int { return int(b.Record.NumRows()) }

// Column returns the column of a field path, or nil when the batch was not
// decoded with it.
func (b *Batch) Column(path string) *Column {
	for _, c := range b.Columns {
		if c.Path == path {
			return c
		}
	}
	return nil
}

// Retain adds a reference.
func (b *Batch) Retain() {
	b.refs.Add(1)
	b.Record.Retain()
	for _, c := range b.Columns {
		c.retain()
	}
}

// Release drops a reference; the last one frees the batch's memory.
func (b *Batch) Release() {
	if b.refs.Add(-1) < 0 {
		panic("exec: Batch released more often than retained")
	}
	b.Record.Release()
	for _, c := range b.Columns {
		c.release()
	}
}
