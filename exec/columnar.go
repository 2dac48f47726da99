package exec

import (
	"context"
	"fmt"
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
	// out, when set, is the rest of the pipeline, which the fast path
	// runs too (columnar_out.go); skip is the number of operators the
	// fast path runs.
	out  *colOut
	skip int
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
func newColPlan(rt *stRuntime, src *mql.Source, ops []Operator) *colPlan {
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
	// Conditions on the time field (_ts) are the row path's: the source
	// sets it, so the message's bytes don't hold it.
	if ts := TsField(rt.proc, src); ts != "" {
		found = false
		for j, conds := range pl.conds {
			for _, c := range conds {
				if c.path == ts || strings.HasPrefix(c.path, ts+".") || strings.HasPrefix(ts, c.path+".") {
					pl.conds[j] = nil
					break
				}
			}
			found = found || pl.conds[j] != nil
		}
	}
	pl.skip = len(pl.stages)
	if pl.out = newColOut(rt, src, ops[len(pl.stages):]); pl.out != nil {
		pl.skip = len(ops)
		if pr := pl.out.proj; pr != nil {
			for k := range pr.compute {
				pr.compute[k].expr.bind(&pl.paths)
			}
		}
	} else if !found {
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
			case "$mod":
				div, rem, err := modArgs(c.Value)
				if err != nil {
					return nil, false
				}
				conds = append(conds, colCond{path: fc.Path, op: c.Op, k: [2]int64{div, rem}})
				continue
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
	// lines are the output lines encoded for a batch, out the batch's
	// output in order.
	lines, out []byte
}

type colAlive struct {
	row StreamRow
	r   int // decoder row, -1 when the kernel's answers don't apply
	// line is the row's output line in colRun.lines, when the fast path
	// encoded it; {-1, -1} for a row on the row path.
	line [2]int
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
// rows that pass the leading $match stages, for the operator after them,
// whose index it returns too. When the fast path runs the rest of the
// pipeline (plan.out), it writes the output itself and returns no rows.
func (c *colRun) batch(ctx context.Context, st *stRunState, msgs []connectors.Message, now time.Time) (*RowBatch, int, error) {
	out := c.plan.out
	useDec := len(c.plan.paths) > 0 || c.plan.timePath != ""
	c.rowOf = c.rowOf[:0]
	for _, m := range msgs {
		r := -1
		// With an output tail, the line encoder checks the subset of the
		// lines that pass; those filtered out are checked below.
		if m.Format == connectors.ExtJSON && (out != nil || colSafeExtJSON(m.Value)) {
			if !useDec {
				r = 0
			} else {
				before := c.dec.Len()
				if err := c.dec.AppendAt(m.Value, 0); err == nil && c.dec.Len() > before {
					r = before
				}
			}
		}
		c.rowOf = append(c.rowOf, r)
	}
	// Lines that did not decode take the row path, which reports them.
	var b *Batch
	if useDec {
		b, _ = c.dec.Flush()
	}
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
	c.lines = c.lines[:0]
	for i := range msgs {
		m := &msgs[i]
		part, seq := st.track(*m, now)
		pt := st.parts[part]
		r := c.rowOf[i]
		if r >= 0 {
			j := 0
			for j < k && c.decs[j] != nil && c.decs[j][r] == colYes {
				j++
			}
			filtered := j < k && c.decs[j] != nil && c.decs[j][r] == colNo
			if filtered && out != nil && !colSafeExtJSON(m.Value) {
				filtered, r = false, -1
			}
			if filtered || (j == k && out != nil) {
				var ts time.Time
				if times != nil {
					ts = time.UnixMilli(int64(times[r]))
				} else if ts = m.Time; ts.IsZero() {
					ts = now
				}
				encoded := false
				if !filtered {
					mark := len(c.lines)
					if c.lines, encoded = out.line(c.lines, b, r, m, ts); encoded {
						alive = append(alive, colAlive{r: r, line: [2]int{mark, len(c.lines)}})
					} else {
						r = -1 // the row path decides every stage
					}
				}
				if filtered || encoded {
					// Filtered out, or written, before any document was
					// built; its event time still moves the watermark.
					if ts = ts.UTC(); ts.After(pt.maxTime) {
						pt.maxTime = ts
					}
					continue
				}
			}
		}
		if out != nil && r >= 0 && !colSafeExtJSON(m.Value) {
			r = -1 // not checked yet: the kernel's answers may not apply
		}
		rw, ok := st.decode(*m, now)
		if !ok {
			continue
		}
		rw.src = stSrc{part: part, seq: seq}
		if rw.Time.After(pt.maxTime) {
			pt.maxTime = rw.Time
		}
		alive = append(alive, colAlive{row: rw, r: r, line: [2]int{-1, -1}})
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
	defer func() {
		clear(alive[:cap(alive)]) // the scratch must not keep documents alive
		c.alive = alive[:0]
	}()
	if out != nil {
		return &RowBatch{}, c.plan.skip, c.write(ctx, st, alive)
	}
	rows := &RowBatch{Rows: make([]StreamRow, len(alive))}
	for i := range alive {
		rows.Rows[i] = alive[i].row
	}
	return rows, c.plan.skip, nil
}

// write is the output tail for one batch: the lines the encoder made and,
// in their places, those of the rows on the row path, through the
// $project operator and connectors.MarshalLine.
func (c *colRun) write(ctx context.Context, st *stRunState, alive []colAlive) error {
	out := c.plan.out
	buf := c.out[:0]
	n := 0
	var one [1]StreamRow
	for i := range alive {
		a := &alive[i]
		if a.line[0] >= 0 {
			buf = append(buf, c.lines[a.line[0]:a.line[1]]...)
			n++
			continue
		}
		rows := []StreamRow{a.row}
		if out.project != nil {
			one[0] = a.row
			rows = nil
			err := out.project.Process(ctx, &RowBatch{Rows: one[:]}, func(_ context.Context, b *RowBatch) error {
				rows = b.Rows
				return nil
			})
			if err != nil {
				return err
			}
		}
		for k := range rows {
			r := rows[k].ref()
			line, err := connectors.MarshalLine(st.p.rt.ref.output(&r))
			if err != nil {
				return fmt.Errorf("%s: %w", out.sink.name, err)
			}
			buf = append(buf, line...)
			n++
		}
	}
	c.out = buf
	if n == 0 {
		return nil
	}
	if err := out.lines.WriteLines(ctx, buf, n); err != nil {
		return fmt.Errorf("%s: %w", out.sink.name, err)
	}
	rt := st.p.rt
	rt.mu.Lock()
	rt.stats.Out += int64(n)
	rt.mu.Unlock()
	return nil
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
		if c.op == "$mod" {
			colDecideMod(b.Column(c.path), c.k.([2]int64), out)
			continue
		}
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

// colDecideMod runs {$mod: [div, rem]} over a column, as exec.Match does:
// a number (a double truncated toward zero) whose remainder is rem, never
// null, missing, NaN, infinities or other types; arrays and anything a
// kernel does not read are left to exec.Match.
func colDecideMod(col *Column, dr [2]int64, out []int8) {
	div, rem := dr[0], dr[1]
	if col == nil {
		for i := range out {
			if out[i] == colYes {
				out[i] = colUnknown
			}
		}
		return
	}
	for i := range out {
		if out[i] == colNo {
			continue
		}
		if col.Missing(i) {
			out[i] = colNo
			continue
		}
		k, a, j := col.Kind, col.Array, i
		if k == KindMixed {
			u := a.(*array.DenseUnion)
			k, a, j = Kind(u.TypeCode(i)), u.Field(u.ChildID(i)), int(u.ValueOffset(i))
		}
		if k == KindNull || a.IsNull(j) {
			out[i] = colNo
			continue
		}
		var x int64
		switch k {
		case KindInt:
			x = int64(a.(*array.Int32).Value(j))
		case KindLong:
			x = a.(*array.Int64).Value(j)
		case KindDouble:
			f := a.(*array.Float64).Value(j)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				out[i] = colNo
				continue
			}
			x = int64(math.Trunc(f))
		case KindString, KindBool, KindDate, KindObjectID:
			out[i] = colNo
			continue
		default:
			if out[i] == colYes {
				out[i] = colUnknown
			}
			continue
		}
		if x%div != rem {
			out[i] = colNo
		}
	}
}
