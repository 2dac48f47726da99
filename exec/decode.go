package exec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// DecoderOptions configure a Decoder.
type DecoderOptions struct {
	// KeepRaw keeps each line's bytes in the batch's RawColumnName column,
	// for stages that need the whole document.
	KeepRaw bool
	// TimeField is the field path of the event time. A row whose value
	// there is not a date is a RowError. Empty: the event time is the
	// time given to AppendAt (Append uses the wall clock: ingestion time).
	TimeField string
	// BatchSize is the row count at which Full reports true; 0 means
	// DefaultBatchSize.
	BatchSize int
}

// DefaultBatchSize keeps a batch's float64 column within 16 KiB, so a
// kernel's input and output fit the L1 cache together.
const DefaultBatchSize = 2048

// RowError is a line that did not decode: it is not in the batch, and the
// runtime sends it to the DLQ with Reason.
type RowError struct {
	Line   int    // index of the line among those appended since the last Flush
	Reason string // what was wrong, for errInfo.reason
	Doc    []byte // a copy of the line
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Decoder turns lines of Extended JSON (relaxed or canonical), one
// document per line, into Batches holding only the requested field paths.
//
// It scans each line once, byte by byte: fields on a requested path are
// read straight into that path's Arrow builder, everything else is skipped
// with a syntax check and no allocation. No map or bson.D is built per
// document. Values it does not read natively — documents, arrays, and
// Extended JSON wrappers other than $date, $numberInt, $numberLong,
// $numberDouble and $oid in their usual form — are handed to the MongoDB
// driver's Extended JSON parser, so they and their errors are exactly the
// driver's. A path reaching into an array (items.sku with items an array)
// yields what the aggregation field path "$items.sku" yields, a BSON array.
//
// A line is decoded into pending values first and committed only when all
// of it parsed, so a bad line leaves nothing in the batch; it comes back
// from Append and Flush as a RowError, and decoding goes on.
//
// A Decoder is not safe for concurrent use. Release frees its builders.
type Decoder struct {
	mem   memory.Allocator
	opts  DecoderOptions
	paths []string
	cols  []*colBuilder
	root  decNode

	vals     []colValue // pending value per column for the current line
	valStamp []uint32   // vals[i] is set for this line when valStamp[i] == stamp
	stamp    uint32
	timeMs   int64
	timeSet  bool
	timeErr  error

	timeB *array.TimestampBuilder
	rawB  *array.BinaryBuilder

	lines   int
	rows    int
	errs    []RowError
	keyBuf  []byte
	slowBuf []byte
}

// decNode is one step of a requested path; the root's kids are top-level
// field names.
type decNode struct {
	name string
	kids []*decNode
	col  int  // column index when a requested path ends here, else -1
	time bool // the time field ends here
	seen uint32
	// desc lists the paths ending at or below this node, relative to it,
	// for when the node's value is an array and the paths map over it.
	desc []decDesc
}

type decDesc struct {
	rel  string
	col  int
	time bool
}

// NewDecoder returns a decoder of the given field paths ("a", "a.b.c").
// Duplicate paths share a column.
func NewDecoder(mem memory.Allocator, paths []string, opts DecoderOptions) (*Decoder, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	d := &Decoder{mem: mem, opts: opts, root: decNode{col: -1}, stamp: 1}
	for _, p := range paths {
		if err := decCheckPath(p); err != nil {
			return nil, err
		}
		n := d.root.walk(p)
		if n.col < 0 {
			n.col = len(d.cols)
			d.paths = append(d.paths, p)
			d.cols = append(d.cols, newColBuilder(mem, p))
		}
	}
	if opts.TimeField != "" {
		if err := decCheckPath(opts.TimeField); err != nil {
			return nil, fmt.Errorf("time field: %w", err)
		}
		d.root.walk(opts.TimeField).time = true
	}
	d.root.index("")
	d.vals = make([]colValue, len(d.cols))
	d.valStamp = make([]uint32, len(d.cols))
	d.timeB = array.NewTimestampBuilder(mem, arrow.FixedWidthTypes.Timestamp_ms.(*arrow.TimestampType))
	if opts.KeepRaw {
		d.rawB = array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
	}
	return d, nil
}

func decCheckPath(p string) error {
	if p == "" || strings.HasPrefix(p, "$") || strings.Contains(p, "..") || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") {
		return fmt.Errorf("%q is not a field path", p)
	}
	return nil
}

func (n *decNode) walk(path string) *decNode {
	for _, part := range strings.Split(path, ".") {
		var next *decNode
		for _, k := range n.kids {
			if k.name == part {
				next = k
				break
			}
		}
		if next == nil {
			next = &decNode{name: part, col: -1}
			n.kids = append(n.kids, next)
		}
		n = next
	}
	return n
}

// index fills desc for every node; prefix is n's path.
func (n *decNode) index(prefix string) {
	for _, k := range n.kids {
		p := k.name
		if prefix != "" {
			p = prefix + "." + k.name
		}
		k.index(p)
	}
	var collect func(m *decNode, rel string)
	collect = func(m *decNode, rel string) {
		for _, k := range m.kids {
			r := k.name
			if rel != "" {
				r = rel + "." + k.name
			}
			if k.col >= 0 || k.time {
				n.desc = append(n.desc, decDesc{rel: r, col: k.col, time: k.time})
			}
			collect(k, r)
		}
	}
	collect(n, "")
}

func (n *decNode) find(key []byte) *decNode {
	for _, k := range n.kids {
		if k.name == string(key) { // no allocation: the compiler compares in place
			return k
		}
	}
	return nil
}

// Paths are the decoded field paths, in column order.
func (d *Decoder) Paths() []string { return d.paths }

// Len is the number of rows decoded since the last Flush.
func (d *Decoder) Len() int { return d.rows }

// Full reports whether the batch has reached BatchSize rows.
func (d *Decoder) Full() bool { return d.rows >= d.opts.BatchSize }

// Append decodes one line; without a TimeField its event time is now.
func (d *Decoder) Append(line []byte) error {
	var now int64
	if d.opts.TimeField == "" {
		now = time.Now().UnixMilli()
	}
	return d.AppendAt(line, now)
}

// AppendAt decodes one line whose source time (Kafka record time, change
// event time) is sourceMs, in milliseconds since the epoch; it is the
// event time unless a TimeField is set. A blank line is no document and
// no error. A line that does not decode returns a *RowError, which Flush
// also reports.
func (d *Decoder) AppendAt(line []byte, sourceMs int64) error {
	lineNo := d.lines
	d.lines++
	b := decTrim(line)
	if len(b) == 0 {
		return nil
	}
	d.stamp++
	if d.stamp == 0 { // wrapped: old stamps could match again
		d.resetStamps(&d.root)
		for i := range d.valStamp {
			d.valStamp[i] = 0
		}
		d.stamp = 1
	}
	d.timeSet, d.timeErr = false, nil

	err := d.decodeLine(b)
	if err == nil && d.opts.TimeField != "" {
		switch {
		case d.timeErr != nil:
			err = d.timeErr
		case !d.timeSet:
			err = fmt.Errorf("time field %q is missing", d.opts.TimeField)
		}
	}
	if err != nil {
		d.errs = append(d.errs, RowError{Line: lineNo, Reason: err.Error(), Doc: bytes.Clone(line)})
		return &d.errs[len(d.errs)-1]
	}

	for i, c := range d.cols {
		if d.valStamp[i] == d.stamp {
			c.append(&d.vals[i])
		} else {
			c.append(nil)
		}
	}
	if d.opts.TimeField != "" {
		sourceMs = d.timeMs
	}
	d.timeB.Append(arrow.Timestamp(sourceMs))
	if d.rawB != nil {
		d.rawB.Append(b)
	}
	d.rows++
	return nil
}

func (d *Decoder) resetStamps(n *decNode) {
	n.seen = 0
	for _, k := range n.kids {
		d.resetStamps(k)
	}
}

func (d *Decoder) decodeLine(b []byte) error {
	if b[0] != '{' {
		return errors.New("a line must hold one JSON document, an object")
	}
	end, err := d.object(b, 0, &d.root, 0)
	if err != nil {
		return err
	}
	if end = decWS(b, end); end != len(b) {
		return fmt.Errorf("offset %d: unexpected data after the document", end)
	}
	return nil
}

// object scans the object at b[i], reading the fields on n's kids and
// skipping the rest.
func (d *Decoder) object(b []byte, i int, n *decNode, depth int) (int, error) {
	if depth > decMaxDepth {
		return 0, errors.New("document nested too deeply")
	}
	i = decWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, decSyntax(b, i, "a field name")
		}
		ks, ke, esc, next, err := decString(b, i)
		if err != nil {
			return 0, err
		}
		i = decWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return 0, decSyntax(b, i, "':'")
		}
		i = decWS(b, i+1)
		key := b[ks:ke]
		if esc {
			d.keyBuf = decUnescape(d.keyBuf[:0], key)
			key = d.keyBuf
		}
		// Only a field's first occurrence counts, as for the evaluator's
		// field lookup over a bson.D with repeated names.
		if k := n.find(key); k != nil && k.seen != d.stamp {
			k.seen = d.stamp
			i, err = d.field(b, i, k, depth+1)
		} else {
			i, err = decSkip(b, i, depth+1)
		}
		if err != nil {
			return 0, err
		}
		i = decWS(b, i)
		if i >= len(b) {
			return 0, errDecEOF
		}
		switch b[i] {
		case ',':
			i = decWS(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, decSyntax(b, i, "',' or '}'")
		}
	}
}

// field reads the value at b[i] of the field of node n.
func (d *Decoder) field(b []byte, i int, n *decNode, depth int) (int, error) {
	if i >= len(b) {
		return 0, errDecEOF
	}
	terminal := n.col >= 0 || n.time
	var v colValue
	switch c := b[i]; {
	case c == '"':
		s, e, esc, next, err := decString(b, i)
		if err != nil {
			return 0, err
		}
		if terminal {
			v.kind, v.byt = KindString, b[s:e]
			if esc {
				v.byt = decUnescape(d.slowBuf[:0], b[s:e])
				d.slowBuf = v.byt
			}
			d.set(n, &v)
		}
		return next, nil
	case c == '-' || (c >= '0' && c <= '9'):
		next, float, err := decNumber(b, i)
		if err != nil {
			return 0, err
		}
		if terminal {
			if err := decNumberValue(b[i:next], float, &v); err != nil {
				return 0, err
			}
			d.set(n, &v)
		}
		return next, nil
	case c == 't' || c == 'f' || c == 'n':
		next, v, err := decLiteral(b, i)
		if err != nil {
			return 0, err
		}
		if terminal {
			d.set(n, &v)
		}
		return next, nil
	case c == '{':
		if decIsWrapper(b, i) {
			next, err := decSkip(b, i, depth)
			if err != nil {
				return 0, err
			}
			if terminal {
				if err := d.wrapper(b[i:next], &v); err != nil {
					return 0, err
				}
				d.set(n, &v)
			}
			return next, nil // a wrapped value is a scalar: paths below it are missing
		}
		var next int
		var err error
		if len(n.kids) > 0 {
			next, err = d.object(b, i, n, depth)
		} else {
			next, err = decSkip(b, i, depth)
		}
		if err != nil {
			return 0, err
		}
		if terminal {
			if err := d.slow(b[i:next], &v); err != nil {
				return 0, err
			}
			d.set(n, &v)
		}
		return next, nil
	case c == '[':
		next, err := decSkip(b, i, depth)
		if err != nil {
			return 0, err
		}
		if terminal {
			if err := d.slow(b[i:next], &v); err != nil {
				return 0, err
			}
			d.set(n, &v)
		}
		if len(n.kids) > 0 {
			if err := d.arrayPaths(b[i:next], n); err != nil {
				return 0, err
			}
		}
		return next, nil
	}
	return 0, decSyntax(b, i, "a value")
}

// set records v as the pending value of the paths ending at n.
func (d *Decoder) set(n *decNode, v *colValue) {
	if n.col >= 0 {
		p := &d.vals[n.col]
		buf := p.byt[:0]
		*p = *v
		if v.byt != nil {
			// Copy: v.byt may sit in a scratch buffer the next value reuses.
			p.byt = append(buf, v.byt...)
		}
		d.valStamp[n.col] = d.stamp
	}
	if n.time {
		if v.kind == KindDate && !v.null {
			d.timeMs, d.timeSet = v.i64, true
		} else {
			d.timeErr = fmt.Errorf("time field %q is %s, not a date", d.opts.TimeField, decValueType(v))
		}
	}
}

func decValueType(v *colValue) string {
	switch {
	case v.null:
		return "null"
	case v.kind == KindBSON && len(v.byt) > 0:
		return bson.Type(v.byt[0]).String()
	}
	return v.kind.String()
}

// decWrapperKeys are the first keys that make an object an Extended JSON
// value rather than a document, as the driver decides.
var decWrapperKeys = []string{"$numberInt", "$numberLong", "$oid", "$symbol", "$numberDouble",
	"$numberDecimal", "$binary", "$code", "$scope", "$timestamp", "$regularExpression",
	"$dbPointer", "$date", "$minKey", "$maxKey", "$undefined", "$uuid"}

// decIsWrapper reports whether the object at b[i] starts with a wrapper key.
func decIsWrapper(b []byte, i int) bool {
	i = decWS(b, i+1)
	if i+1 >= len(b) || b[i] != '"' || b[i+1] != '$' {
		return false
	}
	s, e, esc, _, err := decString(b, i)
	if err != nil {
		return false // the caller's scan reports it
	}
	key := b[s:e]
	if esc {
		key = decUnescape(nil, key)
	}
	for _, w := range decWrapperKeys {
		if string(key) == w {
			return true
		}
	}
	return false
}

// wrapper reads an Extended JSON wrapper object. The usual one-key forms
// of $date, $numberLong, $numberInt, $numberDouble and $oid are read here;
// anything else, and any form these do not accept, goes to the driver so
// values and errors match it exactly.
func (d *Decoder) wrapper(obj []byte, v *colValue) error {
	key, val, ok := decOneKey(obj)
	if ok {
		if d.fastWrapper(key, val, v) {
			return nil
		}
	}
	return d.slow(obj, v)
}

// decOneKey splits {"key": value} into its key and value bytes; ok is false
// for any other shape or a key with escapes.
func decOneKey(obj []byte) (key, val []byte, ok bool) {
	i := decWS(obj, 1)
	s, e, esc, next, err := decString(obj, i)
	if err != nil || esc {
		return nil, nil, false
	}
	i = decWS(obj, next)
	if i >= len(obj) || obj[i] != ':' {
		return nil, nil, false
	}
	i = decWS(obj, i+1)
	end, err := decSkip(obj, i, 0)
	if err != nil {
		return nil, nil, false
	}
	if j := decWS(obj, end); j != len(obj)-1 {
		return nil, nil, false
	}
	return obj[s:e], obj[i:end], true
}

// decPlainString returns the content of a JSON string without escapes.
func decPlainString(val []byte) ([]byte, bool) {
	if len(val) < 2 || val[0] != '"' || bytes.IndexByte(val, '\\') >= 0 {
		return nil, false
	}
	return val[1 : len(val)-1], true
}

func (d *Decoder) fastWrapper(key, val []byte, v *colValue) bool {
	switch string(key) {
	case "$date":
		if s, ok := decPlainString(val); ok {
			ms, err := decParseDate(s)
			if err != nil {
				return false
			}
			v.kind, v.i64 = KindDate, ms
			return true
		}
		if len(val) > 0 && val[0] == '{' {
			k2, v2, ok := decOneKey(val)
			if !ok || string(k2) != "$numberLong" {
				return false
			}
			s, ok := decPlainString(v2)
			if !ok {
				return false
			}
			n, err := strconv.ParseInt(decStr(s), 10, 64)
			if err != nil {
				return false
			}
			v.kind, v.i64 = KindDate, n
			return true
		}
		if _, float, err := decNumber(val, 0); err == nil && !float {
			n, err := strconv.ParseInt(decStr(val), 10, 64)
			if err != nil {
				return false
			}
			v.kind, v.i64 = KindDate, n
			return true
		}
	case "$numberLong", "$numberInt":
		s, ok := decPlainString(val)
		if !ok {
			return false
		}
		n, err := strconv.ParseInt(decStr(s), 10, 64)
		if err != nil {
			return false
		}
		v.kind, v.i64 = KindLong, n
		if key[len(key)-3] == 'I' { // $numberInt
			if n < math.MinInt32 || n > math.MaxInt32 {
				return false
			}
			v.kind = KindInt
		}
		return true
	case "$numberDouble":
		s, ok := decPlainString(val)
		if !ok {
			return false
		}
		var f float64
		switch string(s) {
		case "Infinity":
			f = math.Inf(1)
		case "-Infinity":
			f = math.Inf(-1)
		case "NaN":
			f = math.NaN()
		default:
			var err error
			if f, err = strconv.ParseFloat(decStr(s), 64); err != nil {
				return false
			}
		}
		v.kind, v.f64 = KindDouble, f
		return true
	case "$oid":
		s, ok := decPlainString(val)
		if !ok || len(s) != 24 {
			return false
		}
		var id [12]byte
		if _, err := hex.Decode(id[:], s); err != nil {
			return false
		}
		d.slowBuf = append(d.slowBuf[:0], id[:]...)
		v.kind, v.byt = KindObjectID, d.slowBuf
		return true
	}
	return false
}

// slow decodes one value with the driver's Extended JSON parser.
func (d *Decoder) slow(val []byte, v *colValue) error {
	rv, err := d.slowRaw(val)
	if err != nil {
		return err
	}
	return d.fromRaw(rv, v)
}

func (d *Decoder) slowRaw(val []byte) (bson.RawValue, error) {
	buf := append(d.slowBuf[:0], `{"v":`...)
	buf = append(buf, val...)
	buf = append(buf, '}')
	d.slowBuf = buf
	var raw bson.Raw
	if err := bson.UnmarshalExtJSON(buf, false, &raw); err != nil {
		return bson.RawValue{}, err
	}
	return raw.Lookup("v"), nil
}

// fromRaw turns a BSON value into a colValue of its kind.
func (d *Decoder) fromRaw(rv bson.RawValue, v *colValue) error {
	switch rv.Type {
	case bson.TypeDouble:
		v.kind, v.f64 = KindDouble, rv.Double()
	case bson.TypeString:
		v.kind, v.byt = KindString, []byte(rv.StringValue())
	case bson.TypeInt32:
		v.kind, v.i64 = KindInt, int64(rv.Int32())
	case bson.TypeInt64:
		v.kind, v.i64 = KindLong, rv.Int64()
	case bson.TypeBoolean:
		v.kind, v.b = KindBool, rv.Boolean()
	case bson.TypeDateTime:
		v.kind, v.i64 = KindDate, rv.DateTime()
	case bson.TypeObjectID:
		id := rv.ObjectID()
		v.kind, v.byt = KindObjectID, id[:]
	case bson.TypeNull:
		v.null = true
	default:
		v.kind = KindBSON
		v.byt = append([]byte{byte(rv.Type)}, rv.Value...)
	}
	return nil
}

// arrayPaths sets the paths below n when n's value is the array arr: each
// gets what the aggregation field path gives, an array of the values found
// by mapping over the elements.
func (d *Decoder) arrayPaths(arr []byte, n *decNode) error {
	var doc bson.D
	buf := append(d.slowBuf[:0], `{"v":`...)
	buf = append(buf, arr...)
	buf = append(buf, '}')
	d.slowBuf = buf
	if err := bson.UnmarshalExtJSON(buf, false, &doc); err != nil {
		return err
	}
	a, _ := doc[0].Value.(bson.A)
	for _, ds := range n.desc {
		t, data, err := bson.MarshalValue(colPathInArray(a, ds.rel))
		if err != nil {
			return err
		}
		v := colValue{kind: KindBSON, byt: append([]byte{byte(t)}, data...)}
		d.set(&decNode{col: ds.col, time: ds.time}, &v)
	}
	return nil
}

// colPathInArray is the aggregation field path rule over an array: map
// over the elements, skipping scalars and missing results, keeping nested
// arrays as arrays (MongoDB "Field Paths"; the row evaluator's exprPath).
func colPathInArray(a bson.A, path string) bson.A {
	out := bson.A{}
	for _, el := range a {
		switch x := el.(type) {
		case bson.D:
			if r := colPathIn(x, path); !IsMissing(r) {
				out = append(out, r)
			}
		case bson.A:
			out = append(out, colPathInArray(x, path))
		}
	}
	return out
}

func colPathIn(v any, path string) any {
	for path != "" {
		part, rest, _ := strings.Cut(path, ".")
		switch x := v.(type) {
		case bson.D:
			found := false
			for _, e := range x {
				if e.Key == part {
					v, found = e.Value, true
					break
				}
			}
			if !found {
				return Missing
			}
			path = rest
		case bson.A:
			return colPathInArray(x, path)
		default:
			return Missing
		}
	}
	return v
}

// Flush returns the rows decoded since the last Flush as a Batch (nil when
// there are none) and the lines that failed. The caller owns the Batch and
// Releases it.
func (d *Decoder) Flush() (*Batch, []RowError) {
	errs := d.errs
	d.errs, d.lines = nil, 0
	if d.rows == 0 {
		// Builders are empty (every appended line failed or was blank).
		return nil, errs
	}
	cols := make([]*Column, len(d.cols))
	for i, c := range d.cols {
		cols[i] = c.finish()
	}
	ts := d.timeB.NewTimestampArray()
	var raw *array.Binary
	if d.rawB != nil {
		raw = d.rawB.NewBinaryArray()
	}
	d.rows = 0
	return colNewBatch(cols, ts, raw), errs
}

// Release frees the decoder's builders; rows not flushed are dropped.
func (d *Decoder) Release() {
	for _, c := range d.cols {
		c.release()
	}
	d.timeB.Release()
	if d.rawB != nil {
		d.rawB.Release()
	}
}
