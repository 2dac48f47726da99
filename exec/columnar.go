package exec

import (
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// The columnar fast path. When a source delivers Extended JSON (Kafka), the
// runtime decodes each Read into an Arrow Batch of just the fields the
// leading $match stages compare, runs those stages' comparisons as
// kernels (MatchColumns) over the columns, and builds a bson.D only for
// the messages that survive them. The rest of the pipeline sees the same
// row batches as before.
//
// It is exact, not approximate: a kernel decides a row only where its
// answer is certain and the message lies in the subset of Extended JSON on
// which the decoder and the driver agree (colSafeExtJSON); every other row
// is unmarshalled and matched by exec.Match as on the row path, so its DLQ
// entries (undecodable messages, bad timeField values, $match errors) are
// the same ones, in the same order. A filtered-out message still counts:
// its position is committed and its event time moves the watermark.

// colPlan is what Build found the fast path can do for a pipeline.
type colPlan struct {
	// stages are the leading run of $match operators, and conds, per
	// stage, the comparisons the kernel runs; nil when the kernel cannot
	// decide that stage (its rows are matched per row).
	stages []*MatchStage
	conds  [][]colCond
	// paths are the fields the decoder reads; timePath is the event time's
	// field ("" when the source's timestamp is the event time).
	paths    []string
	timePath string
}

// colCond is one comparison {path: {op: k}} of a $match, as the
// one-condition query MatchColumns takes.
type colCond struct {
	path string
	op   string
	k    any
	q    *mql.Query
}

// newColPlan returns the fast path's plan, or nil when there is nothing it
// can do: no leading $match with a comparison the kernel runs, a source
// whose documents are not its messages (change streams), or a timeField
// the decoder cannot read as a plain field.
func newColPlan(src *mql.Source, ops []Operator) *colPlan {
	if src.Kind != mql.KafkaSource {
		return nil
	}
	pl := &colPlan{}
	switch tf := src.TimeField.(type) {
	case nil:
	case mql.FieldPath:
		pl.timePath = tf.Path
	case *mql.FieldPath:
		pl.timePath = tf.Path
	case mql.Call:
		pl.timePath = colToDatePath(tf)
	case *mql.Call:
		pl.timePath = colToDatePath(*tf)
	}
	if src.TimeField != nil && pl.timePath == "" {
		return nil
	}
	seen := map[string]bool{}
	found := false
	for _, op := range ops {
		m, ok := op.(*MatchStage)
		if !ok {
			break
		}
		conds, ok := colConds(m.query)
		if !ok {
			conds = nil
		}
		for _, c := range conds {
			found = true
			if !seen[c.path] {
				seen[c.path] = true
				pl.paths = append(pl.paths, c.path)
			}
		}
		pl.stages = append(pl.stages, m)
		pl.conds = append(pl.conds, conds)
	}
	if !found {
		return nil
	}
	return pl
}

// colToDatePath is the field of {$toDate: "$field"}, the timeField form
// Atlas asks for; $toDate of a date is the date, and a row whose field is
// not a date takes the row path, which converts it.
func colToDatePath(c mql.Call) string {
	if c.Op != "$toDate" || len(c.Args) != 1 {
		return ""
	}
	switch a := c.Args[0].(type) {
	case mql.FieldPath:
		return a.Path
	case *mql.FieldPath:
		return a.Path
	}
	return ""
}

// colConds splits a query into the comparisons the kernel runs; ok is
// false when any clause is outside them. A query is the conjunction of its
// clauses and a clause of its conditions, each applied to the field on
// its own (also over arrays), so the conditions may be decided apart.
func colConds(q *mql.Query) (conds []colCond, ok bool) {
	if q == nil {
		return nil, false
	}
	for _, cl := range q.Clauses {
		fc, isField := cl.(mql.FieldClause)
		if !isField || fc.Path == "" || strings.HasPrefix(fc.Path, "$") || strings.Contains(fc.Path, ".") {
			return nil, false
		}
		for _, c := range fc.Conds {
			switch c.Op {
			case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
			default:
				return nil, false
			}
			_, isNum := stColNumber(c.Value)
			_, isStr := c.Value.(string)
			if !isNum && !isStr {
				return nil, false
			}
			one := &mql.Query{Clauses: []mql.Clause{mql.FieldClause{Path: fc.Path, Conds: []mql.Cond{c}}}}
			conds = append(conds, colCond{path: fc.Path, op: c.Op, k: c.Value, q: one})
		}
	}
	return conds, true
}

// A kernel's answer for one row and one stage.
const (
	colUnknown int8 = iota // the kernel cannot tell: exec.Match decides
	colYes
	colNo
)

// colRun is one Run's fast-path state.
type colRun struct {
	plan *colPlan
	dec  *Decoder
	// Scratch reused across reads.
	rowOf []int    // decoder row of each message, -1 for the row path
	decs  [][]int8 // per stage, per decoder row
	alive []colAlive
}

type colAlive struct {
	row StreamRow
	r   int // decoder row, -1 when the kernel's answers don't apply
}

func newColRun(pl *colPlan, mem memory.Allocator, batchSize int) *colRun {
	dec, err := NewDecoder(mem, pl.paths, DecoderOptions{TimeField: pl.timePath, BatchSize: batchSize})
	if err != nil {
		return nil // a path the decoder can't read: everything takes the row path
	}
	return &colRun{plan: pl, dec: dec, decs: make([][]int8, len(pl.stages))}
}

func (c *colRun) release() { c.dec.Release() }

// batch is messages()'s work for one batch of msgs on the fast path: the
// rows that pass the leading $match stages, for the operator after them.
func (c *colRun) batch(st *stRunState, msgs []connectors.Message, now time.Time) *RowBatch {
	c.rowOf = c.rowOf[:0]
	for _, m := range msgs {
		r := -1
		if m.Format == connectors.ExtJSON && colSafeExtJSON(m.Value) {
			before := c.dec.Len()
			if err := c.dec.AppendAt(m.Value, 0); err == nil && c.dec.Len() > before {
				r = before
			}
		}
		c.rowOf = append(c.rowOf, r)
	}
	// Lines that did not decode take the row path, which reports them.
	b, _ := c.dec.Flush()
	var times []arrow.Timestamp
	if b != nil {
		defer b.Release()
		for j, conds := range c.plan.conds {
			c.decs[j] = colDecide(b, conds, c.decs[j])
		}
		if c.plan.timePath != "" {
			times = b.Time.TimestampValues()
		}
	}

	alive := c.alive[:0]
	k := len(c.plan.stages)
	for i, m := range msgs {
		part, seq := st.track(m, now)
		pt := st.parts[part]
		r := c.rowOf[i]
		if r >= 0 {
			j := 0
			for j < k && c.decs[j] != nil && c.decs[j][r] == colYes {
				j++
			}
			if j < k && c.decs[j] != nil && c.decs[j][r] == colNo {
				// Filtered out before any document was built; its event
				// time still moves the partition's watermark.
				var ts time.Time
				if times != nil {
					ts = time.UnixMilli(int64(times[r]))
				} else if ts = m.Time; ts.IsZero() {
					ts = now
				}
				if ts = ts.UTC(); ts.After(pt.maxTime) {
					pt.maxTime = ts
				}
				continue
			}
		}
		rw, ok := st.decode(m, now)
		if !ok {
			continue
		}
		rw.src = stSrc{part: part, seq: seq}
		if rw.Time.After(pt.maxTime) {
			pt.maxTime = rw.Time
		}
		alive = append(alive, colAlive{row: rw, r: r})
	}
	// Stage by stage over the rows, as the $match operators would run, so
	// the DLQ entries of exec.Match come in the same order.
	for j, stage := range c.plan.stages {
		kept := alive[:0]
		for _, a := range alive {
			d := colUnknown
			if a.r >= 0 && c.decs[j] != nil {
				d = c.decs[j][a.r]
			}
			if d == colNo || (d == colUnknown && !stage.keep(&a.row)) {
				continue
			}
			kept = append(kept, a)
		}
		alive = kept
	}
	out := &RowBatch{Rows: make([]StreamRow, len(alive))}
	for i := range alive {
		out.Rows[i] = alive[i].row
	}
	clear(alive[:cap(alive)]) // the scratch must not keep documents alive
	c.alive = alive[:0]
	return out
}

// colDecide is one stage's answer per row of b: the conjunction of its
// conditions, colNo as soon as one condition is certainly false.
func colDecide(b *Batch, conds []colCond, out []int8) []int8 {
	if conds == nil {
		return nil
	}
	n := b.Len()
	out = append(out[:0], make([]int8, n)...)
	for i := range out {
		out[i] = colYes
	}
	for _, c := range conds {
		if keep, ok := MatchColumns(b, c.q); ok {
			for i, y := range keep {
				if !y {
					out[i] = colNo
				}
			}
			continue
		}
		col := b.Column(c.path)
		if col != nil && col.Kind == KindMixed {
			colDecideMixed(col, c, out)
			continue
		}
		for i := range out {
			if out[i] == colYes {
				out[i] = colUnknown
			}
		}
	}
	return out
}

// colDecideMixed runs one comparison over a column whose rows have
// several types, per row on the typed union members: numbers and strings
// compare under MongoDB's type bracketing, null and missing match only
// $ne; any other member (arrays, documents, dates, …) is left to
// exec.Match.
func colDecideMixed(col *Column, c colCond, out []int8) {
	u, _ := col.Union()
	codes, offs := u.RawTypeCodes(), u.RawValueOffsets()
	kNum, kIsNum := stColNumber(c.k)
	kStr, kIsStr := c.k.(string)
	absent := c.op == "$ne"
	test := func(cmp int) bool {
		switch c.op {
		case "$eq":
			return cmp == 0
		case "$ne":
			return cmp != 0
		case "$gt":
			return cmp > 0
		case "$gte":
			return cmp >= 0
		case "$lt":
			return cmp < 0
		}
		return cmp <= 0
	}
	set := func(i int, yes bool) {
		if !yes {
			out[i] = colNo
		}
	}
	for i := range out {
		if out[i] == colNo {
			continue
		}
		if col.Missing(i) {
			set(i, absent)
			continue
		}
		child := u.Field(u.ChildID(i))
		off := int(offs[i])
		if child.IsNull(off) {
			set(i, absent)
			continue
		}
		var v float64
		switch Kind(codes[i]) {
		case KindDouble:
			v = child.(*array.Float64).Value(off)
		case KindInt:
			v = float64(child.(*array.Int32).Value(off))
		case KindLong:
			x := child.(*array.Int64).Value(off)
			if x > 1<<53 || x < -(1<<53) {
				out[i] = colUnknown
				continue
			}
			v = float64(x)
		case KindString:
			if !kIsStr {
				set(i, absent)
				continue
			}
			set(i, test(strings.Compare(child.(*array.String).Value(off), kStr)))
			continue
		default:
			out[i] = colUnknown
			continue
		}
		if math.IsNaN(v) {
			out[i] = colUnknown
			continue
		}
		if !kIsNum {
			set(i, absent)
			continue
		}
		set(i, test(stCmpFloat(v, kNum)))
	}
}
