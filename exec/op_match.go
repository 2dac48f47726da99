package exec

import (
	"context"
	"time"

	"github.com/weir-stream/weir/planner/mql"
)

// MatchStage is $match over row batches: exec.Match per row (not columnar; the
// columnar kernel for Arrow batches is MatchColumns). A row the predicate
// fails on goes to the DLQ, as in the reference runner.
type MatchStage struct {
	rt    *stRuntime
	query *mql.Query
}

var _ Operator = (*MatchStage)(nil)

// NewMatch returns the $match operator.
func NewMatch(rt *stRuntime, s *mql.Match) *MatchStage { return &MatchStage{rt: rt, query: s.Query} }

func (o *MatchStage) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	out := &RowBatch{Rows: b.Rows[:0:0]}
	for i := range b.Rows {
		rw := b.Rows[i].ref()
		ok, err := Match(o.query, rw.doc, rw.env())
		if err != nil {
			o.rt.dlq("$match", rw.doc, rw.meta, err.Error())
			continue
		}
		if ok {
			out.Rows = append(out.Rows, b.Rows[i])
		}
	}
	return emit(ctx, out)
}

func (o *MatchStage) Watermark(context.Context, time.Time, Emit) error { return nil }
func (o *MatchStage) Close() error                                     { return nil }
