package exec

import (
	"context"
	"time"

	"github.com/weir-stream/weir/planner/mql"
)

// MatchStage is $match over row batches: exec.Match per row. A leading run
// of $match stages over an Extended JSON source is taken over by the
// columnar fast path (columnar.go), which runs MatchColumns on Arrow
// batches before any document is built. A row the predicate fails on goes
// to the DLQ, as in the reference runner.
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
		if o.keep(&b.Rows[i]) {
			out.Rows = append(out.Rows, b.Rows[i])
		}
	}
	return emit(ctx, out)
}

// keep runs the predicate over one row; a row it fails on goes to the DLQ
// and is not kept. The columnar fast path (columnar.go) calls it for the
// rows its kernel cannot decide.
func (o *MatchStage) keep(r *StreamRow) bool {
	rw := r.ref()
	ok, err := Match(o.query, rw.doc, rw.env())
	if err != nil {
		o.rt.dlq("$match", rw.doc, rw.meta, err.Error())
		return false
	}
	return ok
}

func (o *MatchStage) Watermark(context.Context, time.Time, Emit) error { return nil }
func (o *MatchStage) Close() error                                     { return nil }
