package exec

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// SetWindowFieldsStage is $setWindowFields over a stream: per partition,
// each arriving document gets each output's window function over the
// documents of its partition that arrived before it (in sortBy order) and
// itself, and is emitted at once. So only windows that end at the current
// document (hi "current" or 0) are allowed, plus the functions that take
// no window and look back only ($documentNumber, $rank, $denseRank, $locf,
// $expMovingAvg). State keeps only what later documents' windows can
// reach: the last n documents for documents: [-n, …], the sortBy range for
// range windows, everything for unbounded ones (bounded by MemoryLimit).
// For arrival in sortBy order the results equal the reference runner's.
// Per row; not columnar.
type SetWindowFieldsStage struct {
	rt     *stRuntime
	stage  *mql.SetWindowFields
	path   mql.Path
	funcs  []WindowFunc
	frames []*winFrame
	parts  map[string]*stSwfPart
}

type stSwfPart struct {
	rows  []StreamRow
	sizes []int64
}

var (
	_ Operator = (*SetWindowFieldsStage)(nil)
	_ stHolder = (*SetWindowFieldsStage)(nil)
)

func newSetWindowFields(rt *stRuntime, s *mql.SetWindowFields, path mql.Path) (*SetWindowFieldsStage, error) {
	o := &SetWindowFieldsStage{rt: rt, stage: s, path: path, parts: map[string]*stSwfPart{}}
	for _, out := range s.Output {
		wf, err := NewWindowFunc(out.Func, out.Window, s.SortBy)
		if err != nil {
			return nil, fmt.Errorf("output.%s: %w", out.Field, err)
		}
		if w := out.Window; w != nil {
			if hi := w.Hi; hi != "current" && !(IsNumber(hi) && toFloat(hi) == 0) {
				return nil, fmt.Errorf("output.%s: a streaming window must end at the current document (hi \"current\" or 0), found %v: later documents have not arrived yet", out.Field, hi)
			}
		} else {
			op, _ := winOpArgs(out.Func)
			switch op {
			case "$documentNumber", "$rank", "$denseRank", "$locf", "$expMovingAvg":
			default:
				return nil, fmt.Errorf("output.%s: %s without a window spans the whole partition, which a stream never has; give a window ending at \"current\"", out.Field, op)
			}
		}
		o.funcs = append(o.funcs, wf)
		o.frames = append(o.frames, &winFrame{bounds: out.Window, sortBy: s.SortBy})
	}
	return o, nil
}

func (o *SetWindowFieldsStage) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	s := o.stage
	out := &RowBatch{Rows: make([]StreamRow, 0, len(b.Rows))}
	for i := range b.Rows {
		rw := b.Rows[i]
		r := rw.ref()
		var key any
		if s.PartitionBy != nil {
			v, err := Eval(s.PartitionBy, r.doc, r.env())
			if err != nil {
				o.rt.dlq(s.Op(), rw.Doc, rw.Meta, "partitionBy: "+err.Error())
				continue
			}
			key = GroupKey(v)
		}
		ks := string(AppendKey(nil, key))
		pt := o.parts[ks]
		if pt == nil {
			pt = &stSwfPart{}
			o.parts[ks] = pt
		}
		// Place the row after every row not sorting after it, so a row
		// arriving out of order still sees the rows before it.
		at := len(pt.rows)
		for at > 0 && lessBySortKeys(s.SortBy, rw.Doc, pt.rows[at-1].Doc) {
			at--
		}
		n := stRowSize(&rw)
		pt.rows = append(pt.rows, StreamRow{})
		copy(pt.rows[at+1:], pt.rows[at:])
		pt.rows[at] = rw
		pt.sizes = append(pt.sizes, 0)
		copy(pt.sizes[at+1:], pt.sizes[at:])
		pt.sizes[at] = n
		if err := o.rt.mem.grow(string(o.path), n); err != nil {
			return err
		}
		docs := make([]bson.D, len(pt.rows))
		envs := make([]*Env, len(pt.rows))
		for j := range pt.rows {
			pr := pt.rows[j].ref()
			docs[j], envs[j] = pr.doc, pr.env()
		}
		result := cloneDoc(rw.Doc)
		var failed error
		for k, wf := range o.funcs {
			vals, err := wf.Compute(docs, envs)
			if err != nil {
				failed = fmt.Errorf("%s: %w", s.Output[k].Field, err)
				break
			}
			if v := vals[at]; !IsMissing(v) {
				result = setPath(result, s.Output[k].Field, v)
			}
		}
		if failed != nil {
			// The row leaves the partition's history: it never happened.
			o.rt.mem.shrink(pt.sizes[at])
			pt.rows = append(pt.rows[:at], pt.rows[at+1:]...)
			pt.sizes = append(pt.sizes[:at], pt.sizes[at+1:]...)
			o.rt.dlq(s.Op(), rw.Doc, rw.Meta, failed.Error())
			continue
		}
		emitted := rw
		emitted.Doc = result
		out.Rows = append(out.Rows, emitted)
		if err := o.prune(pt, docs); err != nil {
			o.rt.dlq(s.Op(), rw.Doc, rw.Meta, err.Error())
		}
	}
	return emit(ctx, out)
}

// prune drops the rows no later document's window can reach, assuming
// later documents sort after the last one seen.
func (o *SetWindowFieldsStage) prune(pt *stSwfPart, docs []bson.D) error {
	n := len(pt.rows)
	keep := n
	for _, f := range o.frames {
		w := f.bounds
		from := 0
		switch {
		case w == nil || w.Lo == "unbounded":
			from = 0
		case !w.Range && w.Lo == "current":
			from = n
		case !w.Range:
			k, _ := exactInt(w.Lo)
			from = max(0, n+int(k))
		default:
			keys, err := f.rangeKeys(docs)
			if err != nil {
				return err
			}
			lo := keys[n-1]
			if w.Lo != "current" {
				lo = f.shift(keys[n-1], w.Lo)
			}
			for from < n && keys[from] < lo {
				from++
			}
		}
		keep = min(keep, from)
	}
	if keep == 0 {
		return nil
	}
	for _, sz := range pt.sizes[:keep] {
		o.rt.mem.shrink(sz)
	}
	pt.rows = append(pt.rows[:0], pt.rows[keep:]...)
	pt.sizes = append(pt.sizes[:0], pt.sizes[keep:]...)
	return nil
}

func (o *SetWindowFieldsStage) Watermark(context.Context, time.Time, Emit) error { return nil }

// stHeld: the history is only read, never emitted again, so it holds no
// position back: every row was emitted when it arrived. (After a restart
// the history starts empty; a checkpoint would keep it.)
func (o *SetWindowFieldsStage) stHeld(map[int]int64) {}

func (o *SetWindowFieldsStage) Close() error {
	for _, pt := range o.parts {
		for _, sz := range pt.sizes {
			o.rt.mem.shrink(sz)
		}
	}
	o.parts = nil
	return nil
}
