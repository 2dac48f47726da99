package exec

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// Running $setWindowFields outputs: recomputing every window over a
// partition's whole history for each arriving document costs O(n) a
// document when windows start at "unbounded", which is the common case
// (running totals, $documentNumber, $rank). When every output of the
// stage is one of the kinds below, a partition keeps running state instead:
// a document appended in sortBy order is folded into it in O(1) and gets
// its values from it.
//
// The state is exact by construction: each accumulator is the same
// Accumulator the full computation uses, fed the same inputs in the same
// order (a window [unbounded, current] of document i is the first i+1
// documents, which a fresh accumulator folds in that order too), and
// Result does not reset it. An error while folding a document is the
// error the full computation would report for it, with the same output
// field, since the documents before it passed.
//
// Anything else takes the full computation (compute) and drops the
// partition's running state: a document inserted before the last one
// (out of order), an error (the state may have taken part of the
// document), a restore from a checkpoint, the end of the input. The next
// document appended in order rebuilds the state from the partition's
// history, which the operator keeps whole, since no window of these kinds
// lets a document go (prune keeps everything from the first).

// stSwfRunKind is how an output runs.
type stSwfRunKind uint8

const (
	// stSwfPrefix is an accumulator over [unbounded, current]: a
	// document's value is the fold of the documents up to it.
	stSwfPrefix stSwfRunKind = iota
	// stSwfWhole is an accumulator without a window, over the whole
	// partition: documents are held to the end of the input, whose full
	// computation gives their values; the running fold only finds the
	// error a document would raise when it arrives.
	stSwfWhole
	// stSwfRank is $documentNumber, $rank and $denseRank.
	stSwfRank
)

type stSwfRunOut struct {
	kind  stSwfRunKind
	op    string
	agg   *Agg
	frame *winFrame
}

// stSwfRunAccs are the accumulators whose fold is cheap and exact to
// keep: O(1) state, an Add that never fails, a Result that leaves them as
// they were and shares nothing they will change.
var stSwfRunAccs = map[string]bool{"$sum": true, "$count": true, "$avg": true, "$min": true, "$max": true, "$first": true, "$last": true}

// stSwfRunning is the running form of the stage's outputs, nil when one
// of them has none. emits reports whether every window ends at the
// current document, so each document is emitted as it arrives; ranks
// whether one of them is a rank, which needs the sortBy keys.
func stSwfRunning(s *mql.SetWindowFields, funcs []WindowFunc) (outs []stSwfRunOut, emits, ranks bool) {
	emits = true
	for k, wf := range funcs {
		w := s.Output[k].Window
		switch f := wf.(type) {
		case *winRank:
			outs = append(outs, stSwfRunOut{kind: stSwfRank, op: f.op})
			ranks = true
		case *winAgg:
			if !stSwfRunAccs[f.agg.Op] {
				return nil, false, false
			}
			switch {
			case w == nil:
				outs = append(outs, stSwfRunOut{kind: stSwfWhole, agg: f.agg, frame: f.frame})
				emits = false
			case w.Lo == "unbounded" && stSwfEndsAtCurrent(w):
				outs = append(outs, stSwfRunOut{kind: stSwfPrefix, agg: f.agg, frame: f.frame})
			default:
				return nil, false, false
			}
		default:
			return nil, false, false
		}
	}
	return outs, emits, ranks
}

// stSwfEndsAtCurrent reports whether a window's upper end is the current
// document: "current", or documents hi 0 (a range hi 0 takes in later
// ties).
func stSwfEndsAtCurrent(w *mql.WindowBounds) bool {
	if w.Hi == "current" {
		return true
	}
	k, ok := exactInt(w.Hi)
	return !w.Range && IsNumber(w.Hi) && ok && k == 0
}

// stSwfRun is a partition's running state over its first n documents.
type stSwfRun struct {
	accs []Accumulator
	n    int64
	// rank and dense are the last document's $rank and $denseRank, last
	// its sortBy key.
	rank, dense int64
	last        any
}

// runState is the partition's running state over its history but the
// last document (just appended), rebuilt when the partition has none;
// nil when it cannot be.
func (o *SetWindowFieldsStage) runState(pt *stSwfPart) *stSwfRun {
	if pt.run != nil {
		return pt.run
	}
	st := &stSwfRun{accs: make([]Accumulator, len(o.run))}
	for k, ro := range o.run {
		if ro.agg == nil {
			continue
		}
		acc, err := ro.agg.New(nil, nil)
		if err != nil {
			return nil
		}
		st.accs[k] = acc
	}
	for j := range pt.rows[:len(pt.rows)-1] {
		r := pt.rows[j].ref()
		if _, err := o.runAdd(st, r.doc, r.env(), false); err != nil {
			return nil
		}
	}
	pt.run = st
	return st
}

// runAdd folds one document, appended in sortBy order, into st and
// returns its values (when vals is set). On an error st is left part
// way: the caller drops it.
func (o *SetWindowFieldsStage) runAdd(st *stSwfRun, doc bson.D, env *Env, vals bool) ([]any, error) {
	if o.runRanks {
		key := o.stage.SortBy[0]
		k := SortKey(queryPathValue(doc, key.Path), key.Order < 0)
		if st.n == 0 || Compare(k, st.last) != 0 {
			st.rank, st.dense = st.n+1, st.dense+1
		}
		st.last = k
	}
	st.n++
	var out []any
	if vals {
		out = make([]any, len(o.run))
	}
	for k, ro := range o.run {
		if ro.kind == stSwfRank {
			if vals {
				switch ro.op {
				case "$documentNumber":
					out[k] = winInt(st.n)
				case "$rank":
					out[k] = winInt(st.rank)
				default:
					out[k] = winInt(st.dense)
				}
			}
			continue
		}
		v, err := o.runInput(ro, doc, env)
		if err == nil {
			err = st.accs[k].Add(v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.stage.Output[k].Field, err)
		}
		if vals && ro.kind == stSwfPrefix {
			out[k] = st.accs[k].Result()
		}
	}
	return out, nil
}

// runInput is what an accumulator takes from doc, after the check the
// full computation makes first: a range window places the document by its
// sortBy value.
func (o *SetWindowFieldsStage) runInput(ro stSwfRunOut, doc bson.D, env *Env) (any, error) {
	if w := ro.frame.bounds; w != nil && w.Range {
		if _, err := ro.frame.rangeKeys([]bson.D{doc}); err != nil {
			return nil, err
		}
	}
	return ro.agg.Input(doc, env)
}

// processRunning takes the document just appended at the end of pt (as
// Process placed it, counted as pending) through the running state.
// It reports false, having changed nothing, when the full computation
// must take it.
func (o *SetWindowFieldsStage) processRunning(pt *stSwfPart, out []StreamRow) ([]StreamRow, bool) {
	n := len(pt.rows)
	// With every window ending at the current document no row is held
	// between documents; if one is, the full computation sorts it out.
	if o.run == nil || (o.runEmits && pt.pending != 1) {
		return out, false
	}
	st := o.runState(pt)
	if st == nil {
		return out, false
	}
	rw := pt.rows[n-1]
	r := rw.ref()
	vals, err := o.runAdd(st, r.doc, r.env(), o.runEmits)
	if err != nil {
		pt.run = nil
		o.rt.mem.shrink(pt.sizes[n-1])
		pt.rows, pt.sizes = pt.rows[:n-1], pt.sizes[:n-1]
		pt.pending--
		o.rt.dlq(o.stage.Op(), rw.Doc, rw.Meta, err.Error())
		return out, true
	}
	if o.runEmits {
		out = append(out, o.resultRow(rw, vals))
		pt.pending--
	}
	return out, true
}
