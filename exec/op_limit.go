package exec

import (
	"context"
	"errors"
	"time"
)

// errLimitReached ends a run the way the end of a bounded source does: a
// top-level $limit (SQL's LIMIT on an endless stream) has passed its n
// rows, so the runtime stops reading, flushes and commits, and Run returns
// nil.
var errLimitReached = errors.New("$limit reached")

// Limit is the top-level $limit, a weir extension: it passes the stream's
// first N rows and then ends the run. Inside windows the reference stage
// code runs $limit per window instead.
type Limit struct {
	n    int64
	seen int64
}

var _ Operator = (*Limit)(nil)

func newLimit(n int64) *Limit { return &Limit{n: n} }

func (l *Limit) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	left := l.n - l.seen
	if int64(len(b.Rows)) < left {
		l.seen += int64(len(b.Rows))
		return emit(ctx, b)
	}
	l.seen = l.n
	if err := emit(ctx, &RowBatch{Rows: b.Rows[:left]}); err != nil {
		return err
	}
	return errLimitReached
}

func (l *Limit) Watermark(context.Context, time.Time, Emit) error { return nil }

func (l *Limit) Close() error { return nil }
