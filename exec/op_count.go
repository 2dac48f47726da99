package exec

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// Count is the continuous top-level $count: a running count of the rows
// that reached it, emitted after each batch that added to it.
type Count struct {
	field string
	n     int64
	held  map[int]int64
}

var (
	_ Operator = (*Count)(nil)
	_ stHolder = (*Count)(nil)
)

func newCount(s *mql.Count) *Count { return &Count{field: s.Field, held: map[int]int64{}} }

func (c *Count) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	if len(b.Rows) == 0 {
		return nil
	}
	for _, r := range b.Rows {
		if r.src.part >= 0 {
			if _, ok := c.held[r.src.part]; !ok {
				c.held[r.src.part] = r.src.seq
			}
		}
	}
	c.n += int64(len(b.Rows))
	last := b.Rows[len(b.Rows)-1]
	// An int while it fits, as the reference's $count writes it.
	var v any = c.n
	if c.n <= 1<<31-1 {
		v = int32(c.n)
	}
	return emit(ctx, &RowBatch{Rows: []StreamRow{{Doc: bson.D{{Key: c.field, Value: v}}, Time: last.Time, Meta: last.Meta, NoMeta: last.NoMeta, src: stNoSrc}}})
}

func (c *Count) Watermark(context.Context, time.Time, Emit) error { return nil }
func (c *Count) stHeld(min map[int]int64)                         { stHeldFirst(c.held, min) }
func (c *Count) Close() error                                     { return nil }
