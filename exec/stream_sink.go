package exec

import (
	"context"
	"fmt"
	"time"

	"github.com/weir-stream/weir/connectors"
)

// stSinkOp writes rows to a connectors.Sink: $merge, $emit, or the output
// of a sink-less pipeline. Documents carry ASP's output conventions
// (_stream_meta, renamed or dropped by streamMetaFieldName) as the
// reference runner writes them. A document whose computed target fails,
// or that the sink rejects, goes to the DLQ.
type stSinkOp struct {
	rt     *stRuntime
	name   string // the stage, for messages: "$merge", "$emit", "output"
	sink   connectors.Sink
	target func(*StreamRow) (string, error)
	// fill sets what else a document carries ($emit's key, headers and
	// tombstone); nil sets nothing. An error sends the row to the DLQ.
	fill func(*StreamRow, *connectors.Doc) error
}

// stRejecter is a sink that learns of refused documents after Write
// returned (Kafka: the broker's answer to a produce); the runtime asks
// after each Flush, before it commits.
type stRejecter interface {
	Rejected() []connectors.Rejected
}

var _ Operator = (*stSinkOp)(nil)

func (o *stSinkOp) Process(ctx context.Context, b *RowBatch, _ Emit) error {
	docs := make([]connectors.Doc, 0, len(b.Rows))
	for i := range b.Rows {
		rw := &b.Rows[i]
		t, err := o.target(rw)
		if err != nil {
			o.rt.dlq(o.name, rw.Doc, rw.Meta, err.Error())
			continue
		}
		r := rw.ref()
		d := connectors.Doc{Doc: o.rt.ref.output(&r), Target: t}
		if o.fill != nil {
			if err := o.fill(rw, &d); err != nil {
				o.rt.dlq(o.name, rw.Doc, rw.Meta, err.Error())
				continue
			}
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil
	}
	rejected, err := o.sink.Write(ctx, docs)
	if err != nil {
		return fmt.Errorf("%s: %w", o.name, err)
	}
	o.reject(rejected)
	o.rt.mu.Lock()
	o.rt.stats.Out += int64(len(docs))
	o.rt.mu.Unlock()
	return nil
}

// reject sends refused documents to the DLQ.
func (o *stSinkOp) reject(rejected []connectors.Rejected) {
	for _, r := range rejected {
		o.rt.dlq(o.name, r.Doc.Doc, nil, r.Reason)
	}
	o.rt.mu.Lock()
	o.rt.stats.Out -= int64(len(rejected))
	o.rt.mu.Unlock()
}

// flush flushes the sink and collects what it refused since, so the
// caller writes those to the DLQ before committing.
func (o *stSinkOp) flush(ctx context.Context) error {
	if err := o.sink.Flush(ctx); err != nil {
		return fmt.Errorf("%s: flush: %w", o.name, err)
	}
	if r, ok := o.sink.(stRejecter); ok {
		o.reject(r.Rejected())
	}
	return nil
}

func (o *stSinkOp) Watermark(context.Context, time.Time, Emit) error { return nil }
func (o *stSinkOp) Close() error                                     { return nil }
