package exec

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// SetWindowFieldsStage is $setWindowFields over a stream: per partition,
// in sortBy order, each document gets each output's window function over
// its window, and is emitted as soon as its window is complete.
//
// A stream is taken to arrive in sortBy order within a partition (as it
// does when sortBy is the event time of an ordered source), so a window
// that ends at the current document (hi "current", documents hi 0 or
// below, range hi below 0) is complete at once, and one that reaches past
// it is complete when the partition holds the documents it reaches: n
// later documents for documents: [… , n], one sorting after key + x for
// range: [… , x] (x ≥ 0: range hi 0 takes in later ties), and for hi "unbounded"
// (or the functions that span the whole partition: an accumulator without
// a window, $linearFill, $shift with a positive by) only the end of the
// input, a bounded source's last watermark. Until then the document is
// held, and documents are emitted in sortBy order. Over an endless source
// a window with an unbounded upper end never completes, so its documents
// are held (within MemoryLimit) until the processor stops; put it inside a
// window stage, whose input ends, to get its answer per window.
//
// A document arriving out of order, sorting before a document already
// emitted, is computed at once over what its partition holds and emitted.
// State keeps the held documents and what later documents' windows can
// reach: the last n documents for documents: [-n, …], the sortBy range for
// range windows, everything for unbounded ones (bounded by MemoryLimit).
// For arrival in sortBy order the results equal the reference runner's.
// When every output runs from the partition's start to the current
// document (an accumulator over [unbounded, current] or without a window,
// a rank), a partition keeps running state, so a document arriving in
// order costs O(1), not a pass over the partition
// (op_set_window_fields_running.go). Per row; not columnar.
type SetWindowFieldsStage struct {
	rt     *stRuntime
	stage  *mql.SetWindowFields
	path   mql.Path
	funcs  []WindowFunc
	frames []*winFrame
	// ahead is, per output, how far past the current document its window
	// reaches (stSwfAhead).
	ahead []stSwfAhead
	parts map[string]*stSwfPart
	// run is, per output, how it is kept running, nil when one output
	// cannot be (op_set_window_fields_running.go); runEmits and runRanks
	// are what stSwfRunning reports.
	run                []stSwfRunOut
	runEmits, runRanks bool
	// order is the partitions' keys in order of first arrival, for
	// flushing them in a stable order.
	order []string
}

type stSwfPart struct {
	rows  []StreamRow
	sizes []int64
	// pending is how many of the last rows are held, not yet emitted:
	// the rows before them were emitted.
	pending int
	// run is the running state over rows, nil until the next document
	// appended in order rebuilds it.
	run *stSwfRun
}

// stSwfAhead is how far an output's window reaches past the current
// document: docs later documents, or the sortBy range (in rangeKeys'
// units, from the frame's hi bound), or to the end of the input.
type stSwfAhead struct {
	docs  int64
	rng   bool
	toEnd bool
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
		var ahead stSwfAhead
		if w := out.Window; w != nil {
			switch hi := w.Hi; {
			case hi == "unbounded":
				ahead.toEnd = true
			case hi == "current":
			case w.Range && toFloat(hi) >= 0:
				// A range reaching the current key (hi 0) takes in the
				// later rows that tie with it.
				ahead.rng = true
			case toFloat(hi) <= 0:
			default:
				ahead.docs, _ = exactInt(hi)
			}
		} else {
			op, _ := winOpArgs(out.Func)
			switch op {
			case "$documentNumber", "$rank", "$denseRank", "$locf", "$expMovingAvg":
			case "$shift":
				if sh, ok := wf.(*winShift); ok && sh.by > 0 {
					ahead.docs = sh.by
				}
			default:
				// An accumulator without a window spans the whole
				// partition; $linearFill reads the next value.
				ahead.toEnd = true
			}
		}
		o.funcs = append(o.funcs, wf)
		o.frames = append(o.frames, &winFrame{bounds: out.Window, sortBy: s.SortBy})
		o.ahead = append(o.ahead, ahead)
	}
	o.run, o.runEmits, o.runRanks = stSwfRunning(s, o.funcs)
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
			o.order = append(o.order, ks)
		}
		// Place the row after every row not sorting after it, so a row
		// arriving out of order still sees the rows before it.
		at := len(pt.rows)
		for at > 0 && lessBySortKeys(s.SortBy, rw.Doc, pt.rows[at-1].Doc) {
			at--
		}
		n := stRowSize(&rw)
		pt.rows = slices.Insert(pt.rows, at, rw)
		pt.sizes = slices.Insert(pt.sizes, at, n)
		if err := o.rt.mem.grow(string(o.path), n); err != nil {
			return err
		}
		late := at < len(pt.rows)-1-pt.pending
		if !late {
			pt.pending++
		}
		if at == len(pt.rows)-1 {
			var ok bool
			if out.Rows, ok = o.processRunning(pt, out.Rows); ok {
				continue
			}
		}
		// The full computation may see a history the running state does
		// not hold.
		pt.run = nil
		docs, vals, err := o.compute(pt)
		if err != nil {
			// The row leaves the partition's history: it never happened.
			o.rt.mem.shrink(pt.sizes[at])
			pt.rows = slices.Delete(pt.rows, at, at+1)
			pt.sizes = slices.Delete(pt.sizes, at, at+1)
			if !late {
				pt.pending--
			}
			o.rt.dlq(s.Op(), rw.Doc, rw.Meta, err.Error())
			continue
		}
		if late {
			out.Rows = append(out.Rows, o.result(pt.rows[at], vals, at))
		}
		ready, err := o.ready(pt, docs)
		if err != nil {
			o.rt.dlq(s.Op(), rw.Doc, rw.Meta, err.Error())
		}
		out.Rows = o.release(pt, vals, ready, out.Rows)
		if err := o.prune(pt, docs); err != nil {
			o.rt.dlq(s.Op(), rw.Doc, rw.Meta, err.Error())
		}
	}
	return emit(ctx, out)
}

// compute runs every output's function over the partition: per output,
// the value of each row.
func (o *SetWindowFieldsStage) compute(pt *stSwfPart) ([]bson.D, [][]any, error) {
	docs := make([]bson.D, len(pt.rows))
	envs := make([]*Env, len(pt.rows))
	for j := range pt.rows {
		pr := pt.rows[j].ref()
		docs[j], envs[j] = pr.doc, pr.env()
	}
	vals := make([][]any, len(o.funcs))
	for k, wf := range o.funcs {
		v, err := wf.Compute(docs, envs)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o.stage.Output[k].Field, err)
		}
		vals[k] = v
	}
	return docs, vals, nil
}

// result is row i of the partition with its outputs set.
func (o *SetWindowFieldsStage) result(rw StreamRow, vals [][]any, i int) StreamRow {
	doc := cloneDoc(rw.Doc)
	for k := range o.funcs {
		if v := vals[k][i]; !IsMissing(v) {
			doc = setPath(doc, o.stage.Output[k].Field, v)
		}
	}
	rw.Doc = doc
	return rw
}

// resultRow is rw with its outputs set to vals, one per output.
func (o *SetWindowFieldsStage) resultRow(rw StreamRow, vals []any) StreamRow {
	doc := cloneDoc(rw.Doc)
	for k, v := range vals {
		if !IsMissing(v) {
			doc = setPath(doc, o.stage.Output[k].Field, v)
		}
	}
	rw.Doc = doc
	return rw
}

// ready is how many of the held rows, from the first, have complete
// windows: the partition holds every row their windows reach.
func (o *SetWindowFieldsStage) ready(pt *stSwfPart, docs []bson.D) (int, error) {
	n := len(pt.rows)
	first := n - pt.pending
	ready := pt.pending
	for k, a := range o.ahead {
		switch {
		case a.toEnd:
			return 0, nil
		case a.docs > 0:
			// Row i needs rows up to i+docs.
			ready = min(ready, max(0, n-int(a.docs)-first))
		case a.rng:
			f := o.frames[k]
			keys, err := f.rangeKeys(docs)
			if err != nil {
				return 0, err
			}
			// Row i is complete once a row sorts after its window's end.
			c := 0
			for c < ready && keys[n-1] > f.shift(keys[first+c], f.bounds.Hi) {
				c++
			}
			ready = c
		}
	}
	return ready, nil
}

// release emits the first k held rows of the partition, in sortBy order.
func (o *SetWindowFieldsStage) release(pt *stSwfPart, vals [][]any, k int, out []StreamRow) []StreamRow {
	first := len(pt.rows) - pt.pending
	for i := first; i < first+k; i++ {
		out = append(out, o.result(pt.rows[i], vals, i))
	}
	pt.pending -= k
	return out
}

// prune drops the rows no held or later document's window can reach,
// assuming later documents sort after the last one seen.
func (o *SetWindowFieldsStage) prune(pt *stSwfPart, docs []bson.D) error {
	n := len(pt.rows)
	// next is the first row whose window is still to be computed: the
	// first held row, or the next to arrive.
	next := n - pt.pending
	keep := next
	for _, f := range o.frames {
		w := f.bounds
		from := 0
		switch {
		case w == nil || w.Lo == "unbounded":
			from = 0
		case !w.Range && w.Lo == "current":
			from = next
		case !w.Range:
			k, _ := exactInt(w.Lo)
			from = max(0, next+int(k))
		default:
			keys, err := f.rangeKeys(docs)
			if err != nil {
				return err
			}
			// The next row sorts at or after the last one seen.
			lo := keys[min(next, n-1)]
			if w.Lo != "current" {
				lo = f.shift(lo, w.Lo)
			}
			for from < n && keys[from] < lo {
				from++
			}
		}
		keep = min(keep, from)
	}
	if keep <= 0 {
		return nil
	}
	for _, sz := range pt.sizes[:keep] {
		o.rt.mem.shrink(sz)
	}
	pt.rows = append(pt.rows[:0], pt.rows[keep:]...)
	pt.sizes = append(pt.sizes[:0], pt.sizes[keep:]...)
	return nil
}

// Watermark releases every held row at the end of the input (a bounded
// source's last watermark): no later row can enter any window.
func (o *SetWindowFieldsStage) Watermark(ctx context.Context, t time.Time, emit Emit) error {
	if t.Before(stForever) {
		return nil
	}
	out := &RowBatch{}
	for _, ks := range o.order {
		pt := o.parts[ks]
		if pt == nil || pt.pending == 0 {
			continue
		}
		pt.run = nil
		docs, vals, err := o.compute(pt)
		if err != nil {
			// Every held row passed compute when it arrived; a failure
			// now sends them all to the DLQ rather than losing them.
			first := len(pt.rows) - pt.pending
			for _, rw := range pt.rows[first:] {
				o.rt.dlq(o.stage.Op(), rw.Doc, rw.Meta, err.Error())
			}
			for _, sz := range pt.sizes[first:] {
				o.rt.mem.shrink(sz)
			}
			pt.rows, pt.sizes, pt.pending = pt.rows[:first], pt.sizes[:first], 0
			continue
		}
		out.Rows = o.release(pt, vals, pt.pending, out.Rows)
		if err := o.prune(pt, docs); err != nil {
			return err
		}
	}
	return emit(ctx, out)
}

// stHeld reports the held rows' positions: they have not been emitted, so
// without a checkpoint a restart must read them again. The history is only
// read, never emitted again, so it holds no position back (after a restart
// without a checkpoint it starts empty).
func (o *SetWindowFieldsStage) stHeld(min map[int]int64) {
	for _, pt := range o.parts {
		for _, rw := range pt.rows[len(pt.rows)-pt.pending:] {
			if rw.src.part < 0 {
				continue
			}
			if m, ok := min[rw.src.part]; !ok || rw.src.seq < m {
				min[rw.src.part] = rw.src.seq
			}
		}
	}
}

func (o *SetWindowFieldsStage) Close() error {
	for _, pt := range o.parts {
		for _, sz := range pt.sizes {
			o.rt.mem.shrink(sz)
		}
	}
	o.parts, o.order = nil, nil
	return nil
}
