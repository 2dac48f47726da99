package exec

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// The columnar output of the fast path. When what follows the leading
// $match stages is at most one $project of the common kind and then the
// pipeline's output, and the output sink takes lines (LineSink), the fast
// path runs those stages too: the $project's computed fields are
// evaluated by kernels over the Arrow columns the decoder produced, and
// each result line — included fields, computed fields, _stream_meta — is
// encoded from the columns and the message's bytes (columnar_line.go),
// with no bson.D built at all.
//
// Exact, as the rest of the fast path: a row leaves it for the row path
// (colDoc, the $project operator, connectors.MarshalLine) whenever it is
// outside what the kernels and the encoder are sure of — a line outside
// the safe subset, a value a kernel does not compute exactly (dates,
// decimals, strings in arithmetic: their result or error is the row
// evaluator's), a Kafka key or headers, a field named like the metadata
// field. Lines keep the order of the rows whichever way each was made.

// LineSink is an output sink that also takes documents already encoded as
// relaxed Extended JSON lines, byte for byte what connectors.MarshalLine
// makes of them: what `weir run` prints. When a pipeline's output goes to
// one, the columnar fast path encodes its results straight from the Arrow
// columns and the message bytes, without building documents.
type LineSink interface {
	connectors.Sink
	// WriteLines writes n documents, their lines concatenated (each ends
	// in '\n'). lines is only valid during the call.
	WriteLines(ctx context.Context, lines []byte, n int) error
}

// colOut is the tail of a pipeline the fast path runs itself.
type colOut struct {
	// project is the $project operator (nil without one), which rows the
	// kernels cannot do go through; proj is what the kernels do of it.
	project *RowStage
	proj    *colProj
	sink    *stSinkOp
	lines   LineSink
	// meta is the metadata field's name ("" when outputs carry none); ts
	// is the field source documents get their event time in (TsField,
	// "" for none), set after the message's own fields.
	meta, ts string
	// tsKept is whether the $project keeps ts (or there is no $project).
	tsKept bool
}

// colProj is an inclusion $project over top-level fields: the fields kept
// in document order (with _id first), then the computed ones in the
// order written.
type colProj struct {
	include []string
	compute []colComputed
	// keep is colLineDoc's filter for the included fields.
	keep func(key []byte, first bool) (take, ok bool)
}

type colComputed struct {
	name string
	expr colExpr
}

// colExpr is an expression the kernels evaluate per row over columns: a
// field path (col), a literal (lit), or an arithmetic operator over
// such expressions (op, args).
type colExpr struct {
	path string
	col  int // index into the decoded paths, for path
	lit  any
	op   string // "$multiply", "$add", "$subtract"; "" for a path or a literal
	args []colExpr
	// isLit tells a literal from a path.
	isLit bool
}

// newColOut returns the tail the fast path can run for ops (the
// operators after the leading $match stages), or nil.
func newColOut(rt *stRuntime, src *mql.Source, ops []Operator) *colOut {
	out := &colOut{meta: rt.ref.metaField(), ts: TsField(rt.proc, src), tsKept: true}
	if strings.Contains(out.ts, ".") || out.ts == "_id" || (out.ts != "" && out.ts == out.meta) {
		return nil
	}
	// A dotted metadata field name is a path the row path sets (nested,
	// merged into a field of the message's); the encoder writes one key.
	if strings.Contains(out.meta, ".") {
		return nil
	}
	if len(ops) == 2 {
		rs, ok := ops[0].(*RowStage)
		if !ok {
			return nil
		}
		p, ok := rs.stage.(*mql.Project)
		if !ok {
			return nil
		}
		if out.proj = newColProj(p, out.meta, out.ts); out.proj == nil {
			return nil
		}
		out.tsKept = false
		for _, in := range out.proj.include {
			out.tsKept = out.tsKept || in == out.ts
		}
		out.project = rs
		ops = ops[1:]
	}
	if len(ops) != 1 {
		return nil
	}
	s, ok := ops[0].(*stSinkOp)
	if !ok || s.name != "output" || s.fill != nil {
		return nil
	}
	if out.lines, ok = s.sink.(LineSink); !ok {
		return nil
	}
	out.sink = s
	return out
}

func newColProj(p *mql.Project, meta, ts string) *colProj {
	if p.Exclusion() {
		return nil
	}
	pr := &colProj{}
	idSpecified := false
	for _, f := range p.Fields {
		if f.Path == "" || strings.ContainsAny(f.Path, ".$") || (meta != "" && f.Path == meta) {
			return nil
		}
		if f.Path == "_id" {
			idSpecified = true
		}
		switch f.Kind {
		case mql.Include:
			pr.include = append(pr.include, f.Path)
		case mql.Compute:
			e, ok := newColExpr(f.Expr, 0)
			if !ok || (ts != "" && e.reads(ts)) {
				return nil // the message's bytes don't hold ts
			}
			pr.compute = append(pr.compute, colComputed{name: f.Path, expr: e})
		}
	}
	if !idSpecified {
		pr.include = append(pr.include, "_id")
	}
	pr.keep = func(key []byte, first bool) (bool, bool) {
		for _, in := range pr.include {
			if in == string(key) {
				// _id comes first (includePaths): an _id after another
				// field takes the row path.
				return true, first || in != "_id"
			}
		}
		return false, true
	}
	return pr
}

// newColExpr compiles the subset of expressions the kernels evaluate.
func newColExpr(e mql.Expr, depth int) (colExpr, bool) {
	if depth > 8 {
		return colExpr{}, false
	}
	switch x := e.(type) {
	case *mql.FieldPath:
		return newColExpr(*x, depth)
	case *mql.Literal:
		return newColExpr(*x, depth)
	case *mql.Call:
		return newColExpr(*x, depth)
	case mql.FieldPath:
		if decCheckPath(x.Path) != nil {
			return colExpr{}, false
		}
		return colExpr{path: x.Path}, true
	case mql.Literal:
		switch x.Value.(type) {
		case int32, int64, float64, string, bool, nil:
			return colExpr{lit: x.Value, isLit: true}, true
		}
	case mql.Call:
		switch x.Op {
		case "$multiply", "$add":
		case "$subtract":
			if len(x.Args) != 2 {
				return colExpr{}, false
			}
		default:
			return colExpr{}, false
		}
		out := colExpr{op: x.Op}
		for _, a := range x.Args {
			c, ok := newColExpr(a, depth+1)
			if !ok {
				return colExpr{}, false
			}
			if c.isLit && c.lit != nil {
				if _, ok := stColLit(c.lit); !ok {
					return colExpr{}, false // a string in arithmetic: the row path's error
				}
			}
			out.args = append(out.args, c)
		}
		return out, true
	}
	return colExpr{}, false
}

// reads reports whether e reads field (or a path below it).
func (e *colExpr) reads(field string) bool {
	if e.op == "" && !e.isLit {
		return e.path == field || strings.HasPrefix(e.path, field+".")
	}
	for i := range e.args {
		if e.args[i].reads(field) {
			return true
		}
	}
	return false
}

// bind adds the field paths e reads to paths, and sets each one's
// column index.
func (e *colExpr) bind(paths *[]string) {
	if e.op == "" && !e.isLit {
		for i, p := range *paths {
			if p == e.path {
				e.col = i
				return
			}
		}
		e.col = len(*paths)
		*paths = append(*paths, e.path)
		return
	}
	for i := range e.args {
		e.args[i].bind(paths)
	}
}

// colNum is a number as the row evaluator's arithmetic sees it: kind
// kindInt (int32 in i), kindLong or kindDouble; null says null/missing.
type colNum struct {
	kind numKind
	i    int64
	f    float64
	null bool
}

func stColLit(v any) (colNum, bool) {
	switch x := v.(type) {
	case int32:
		return colNum{kind: kindInt, i: int64(x)}, true
	case int64:
		return colNum{kind: kindLong, i: x}, true
	case float64:
		return colNum{kind: kindDouble, f: x}, true
	case nil:
		return colNum{null: true}, true
	}
	return colNum{}, false
}

// colNumAt reads row i of a column as a number; ok is false for any other
// type (the row path decides).
func colNumAt(c *Column, i int) (colNum, bool) {
	if c.Missing(i) {
		return colNum{null: true}, true
	}
	k, a, j := c.Kind, c.Array, i
	if k == KindMixed {
		u := a.(*array.DenseUnion)
		k, a, j = Kind(u.TypeCode(i)), u.Field(u.ChildID(i)), int(u.ValueOffset(i))
	}
	if k == KindNull || a.IsNull(j) {
		return colNum{null: true}, true
	}
	switch k {
	case KindDouble:
		return colNum{kind: kindDouble, f: a.(*array.Float64).Value(j)}, true
	case KindInt:
		return colNum{kind: kindInt, i: int64(a.(*array.Int32).Value(j))}, true
	case KindLong:
		return colNum{kind: kindLong, i: a.(*array.Int64).Value(j)}, true
	}
	return colNum{}, false
}

// num evaluates an arithmetic expression (or a path or literal inside
// one) for row i, as Eval would; ok is false when the result is not
// certain to be a number or null without error.
func (e *colExpr) num(b *Batch, i int) (colNum, bool) {
	if e.isLit {
		return stColLit(e.lit)
	}
	if e.op == "" {
		return colNumAt(b.Columns[e.col], i)
	}
	var vals [4]colNum
	args := vals[:0]
	null := false
	for k := range e.args {
		v, ok := e.args[k].num(b, i)
		if !ok {
			return colNum{}, false
		}
		null = null || v.null
		args = append(args, v)
	}
	if null {
		return colNum{null: true}, true
	}
	switch e.op {
	case "$multiply":
		acc := colNum{kind: kindInt, i: 1}
		for _, a := range args {
			acc = colArith(acc, a, mulInt, func(x, y float64) float64 { return x * y })
		}
		return acc, true
	case "$add":
		acc := colNum{kind: kindInt}
		for _, a := range args {
			acc = colArith(acc, a, addInt, func(x, y float64) float64 { return x + y })
		}
		return acc, true
	case "$subtract":
		return colArith(args[0], args[1], subInt, func(x, y float64) float64 { return x - y }), true
	}
	return colNum{}, false
}

// colArith is numBinary over colNums (no decimals: they never get here).
func colArith(a, b colNum, intOp func(x, y int64) (int64, bool), fOp func(x, y float64) float64) colNum {
	k := max(a.kind, b.kind)
	if k == kindInt || k == kindLong {
		if r, ok := intOp(a.i, b.i); ok {
			if k == kindInt && r >= math.MinInt32 && r <= math.MaxInt32 {
				return colNum{kind: kindInt, i: r}
			}
			return colNum{kind: kindLong, i: r}
		}
		return colNum{kind: kindDouble, f: fOp(float64(a.i), float64(b.i))}
	}
	return colNum{kind: kindDouble, f: fOp(a.float(), b.float())}
}

func (n colNum) float() float64 {
	if n.kind == kindDouble {
		return n.f
	}
	return float64(n.i)
}

// appendValue appends the computed field's value for row i as the driver
// encodes it; skip is set when the value is missing (no field), ok is
// false when the row path must decide.
func (e *colExpr) appendValue(dst []byte, b *Batch, i int) (out []byte, skip, ok bool) {
	if e.isLit {
		switch v := e.lit.(type) {
		case string:
			return colLineString(dst, []byte(v)), false, true
		case bool:
			if v {
				return append(dst, "true"...), false, true
			}
			return append(dst, "false"...), false, true
		}
	}
	if e.op != "" || e.isLit {
		n, ok := e.num(b, i)
		if !ok {
			return dst, false, false
		}
		return colAppendNum(dst, n), false, true
	}
	c := b.Columns[e.col]
	if c.Missing(i) {
		return dst, true, true
	}
	k, a, j := c.Kind, c.Array, i
	if k == KindMixed {
		u := a.(*array.DenseUnion)
		k, a, j = Kind(u.TypeCode(i)), u.Field(u.ChildID(i)), int(u.ValueOffset(i))
	}
	if k == KindNull || a.IsNull(j) {
		return append(dst, "null"...), false, true
	}
	switch k {
	case KindDouble:
		return colLineDouble(dst, a.(*array.Float64).Value(j)), false, true
	case KindInt:
		return appendInt(dst, int64(a.(*array.Int32).Value(j))), false, true
	case KindLong:
		return appendInt(dst, a.(*array.Int64).Value(j)), false, true
	case KindString:
		v := a.(*array.String).Value(j) // no copy: read before the batch goes
		return colLineString(dst, unsafe.Slice(unsafe.StringData(v), len(v))), false, true
	case KindBool:
		if a.(*array.Boolean).Value(j) {
			return append(dst, "true"...), false, true
		}
		return append(dst, "false"...), false, true
	case KindDate:
		return colLineDate(dst, int64(a.(*array.Timestamp).Value(j))), false, true
	case KindObjectID:
		const hex = "0123456789abcdef"
		dst = append(dst, `{"$oid":"`...)
		for _, x := range a.(*array.FixedSizeBinary).Value(j) {
			dst = append(dst, hex[x>>4], hex[x&0xF])
		}
		return append(dst, `"}`...), false, true
	}
	return dst, false, false
}

func colAppendNum(dst []byte, n colNum) []byte {
	switch {
	case n.null:
		return append(dst, "null"...)
	case n.kind == kindDouble:
		return colLineDouble(dst, n.f)
	}
	return appendInt(dst, n.i)
}

func appendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// line encodes row r's output line for message m into dst: the
// document as the tail makes it, then the metadata, then '\n'. ok is
// false when the row must take the row path; dst is then unchanged.
func (o *colOut) line(dst []byte, b *Batch, r int, m *connectors.Message, ts time.Time) ([]byte, bool) {
	if m.Key != nil || len(m.Headers) > 0 {
		return dst, false
	}
	start := len(dst)
	var keep func(key []byte, first bool) (bool, bool)
	if o.proj != nil {
		keep = o.proj.keep
	}
	dst, wrote, ok := colLineDoc(dst, m.Value, keep, [2]string{o.meta, o.ts})
	if !ok {
		return dst[:start], false
	}
	if o.ts != "" && o.tsKept {
		// The runtime sets it after the document's fields (withTs).
		if wrote {
			dst = append(dst, ',')
		}
		dst = colLineString(dst, []byte(o.ts))
		dst = append(dst, ':')
		dst = colLineDate(dst, int64(bson.NewDateTimeFromTime(ts)))
		wrote = true
	}
	if pr := o.proj; pr != nil {
		for k := range pr.compute {
			c := &pr.compute[k]
			mark := len(dst)
			if wrote {
				dst = append(dst, ',')
			}
			dst = colLineString(dst, []byte(c.name))
			dst = append(dst, ':')
			var skip bool
			if dst, skip, ok = c.expr.appendValue(dst, b, r); !ok {
				return dst[:start], false
			}
			if skip {
				dst = dst[:mark]
				continue
			}
			wrote = true
		}
	}
	if o.meta != "" {
		if wrote {
			dst = append(dst, ',')
		}
		dst = colLineString(dst, []byte(o.meta))
		dst = append(dst, `:{"source":{"type":"kafka","topic":`...)
		dst = colLineString(dst, []byte(m.Position.Topic))
		dst = append(dst, `,"partition":`...)
		dst = appendInt(dst, int64(m.Position.Partition))
		dst = append(dst, `,"offset":`...)
		dst = appendInt(dst, m.Position.Offset)
		dst = append(dst, "}}"...)
	}
	return append(dst, '}', '\n'), true
}
