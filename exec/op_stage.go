package exec

import (
	"context"
	"time"

	"github.com/weir-stream/weir/planner/mql"
)

// RowStage runs a stateless stage ($project, $addFields/$set, $unset,
// $replaceRoot/$replaceWith, $unwind, $validate, $setStreamMeta) one
// document at a time with the reference runner's code for it: not
// columnar, and by construction the same answer as the oracle. A row the
// stage fails on goes to the DLQ, as in the reference runner.
type RowStage struct {
	rt    *stRuntime
	stage mql.Stage
	path  mql.Path
	x     *run
}

var _ Operator = (*RowStage)(nil)

func (o *RowStage) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	out := &RowBatch{Rows: make([]StreamRow, 0, len(b.Rows))}
	one := make([]row, 1)
	for i := range b.Rows {
		// One row per call, so each output keeps the source position of
		// the row it came from ($unwind makes several).
		one[0] = b.Rows[i].ref()
		res, err := o.x.stage(o.stage, one, o.path)
		o.rt.drain(o.x)
		if err != nil {
			return err
		}
		for _, rw := range res {
			out.Rows = append(out.Rows, stFromRef(rw, b.Rows[i].src))
		}
	}
	return emit(ctx, out)
}

func (o *RowStage) Watermark(context.Context, time.Time, Emit) error { return nil }
func (o *RowStage) Close() error                                     { return nil }
