package mql

import (
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Window is a window stage: $tumblingWindow, $hoppingWindow or
// $sessionWindow.
type Window interface {
	Stage
	// Inner is the pipeline run over each window's documents.
	Inner() Pipeline
}

// WindowOptions are the options the window stages share.
type WindowOptions struct {
	// Boundary is "eventTime" or "processingTime"; "" is eventTime.
	Boundary string
	// Offset shifts window boundaries from UTC.
	Offset *WindowOffset
	// IdleTimeout closes windows on a quiet source; a zero Duration is
	// the literal 0 (off).
	IdleTimeout *Duration
	// AllowedLateness keeps windows open for late documents; nil is ASP's
	// default of 3 seconds, a zero Duration none.
	AllowedLateness *Duration
	Pipeline        Pipeline
}

// WindowOffset is a window's {offsetFromUtc, unit}.
type WindowOffset struct {
	OffsetFromUtc int64
	Unit          string
}

var offsetUnits = []string{"ms", "second", "minute", "hour"}

// TumblingWindow is $tumblingWindow.
type TumblingWindow struct {
	Interval Duration
	WindowOptions
}

// HoppingWindow is $hoppingWindow.
type HoppingWindow struct {
	Interval Duration
	HopSize  Duration
	WindowOptions
}

// SessionWindow is $sessionWindow; it has no offset or idleTimeout.
type SessionWindow struct {
	PartitionBy Expr
	Gap         Duration
	WindowOptions
}

func (*TumblingWindow) Op() string        { return "$tumblingWindow" }
func (*HoppingWindow) Op() string         { return "$hoppingWindow" }
func (*SessionWindow) Op() string         { return "$sessionWindow" }
func (s *TumblingWindow) Inner() Pipeline { return s.Pipeline }
func (s *HoppingWindow) Inner() Pipeline  { return s.Pipeline }
func (s *SessionWindow) Inner() Pipeline  { return s.Pipeline }

func (s *TumblingWindow) Body() any {
	return s.WindowOptions.body(bson.D{{Key: "interval", Value: s.Interval.value()}})
}

func (s *HoppingWindow) Body() any {
	return s.WindowOptions.body(bson.D{{Key: "interval", Value: s.Interval.value()}, {Key: "hopSize", Value: s.HopSize.value()}})
}

func (s *SessionWindow) Body() any {
	return s.WindowOptions.body(bson.D{{Key: "partitionBy", Value: EncodeExpr(s.PartitionBy)}, {Key: "gap", Value: s.Gap.value()}})
}

// body writes boundary, then the stage's own options, then the shared
// options and the pipeline last, where it reads best.
func (w *WindowOptions) body(own bson.D) bson.D {
	d := bson.D{}
	if w.Boundary != "" {
		d = append(d, bson.E{Key: "boundary", Value: w.Boundary})
	}
	d = append(d, own...)
	if w.Offset != nil {
		d = append(d, bson.E{Key: "offset", Value: bson.D{{Key: "offsetFromUtc", Value: num(w.Offset.OffsetFromUtc)}, {Key: "unit", Value: w.Offset.Unit}}})
	}
	if w.IdleTimeout != nil {
		d = append(d, bson.E{Key: "idleTimeout", Value: w.IdleTimeout.value()})
	}
	if w.AllowedLateness != nil {
		d = append(d, bson.E{Key: "allowedLateness", Value: w.AllowedLateness.value()})
	}
	return append(d, bson.E{Key: "pipeline", Value: EncodePipeline(w.Pipeline)})
}

func (w *WindowOptions) check(p Path) error {
	if err := optOneOf(p.Key("boundary"), w.Boundary, []string{"eventTime", "processingTime"}); err != nil {
		return err
	}
	if w.Offset != nil && !slices.Contains(offsetUnits, w.Offset.Unit) {
		return Errorf(p.Key("offset").Key("unit"), "%q is not an offset unit (%s)", w.Offset.Unit, strings.Join(offsetUnits, ", "))
	}
	if w.IdleTimeout != nil {
		if err := w.IdleTimeout.check(p.Key("idleTimeout"), true); err != nil {
			return err
		}
	}
	if w.AllowedLateness != nil {
		if err := w.AllowedLateness.check(p.Key("allowedLateness"), true); err != nil {
			return err
		}
	}
	if w.Boundary == "processingTime" {
		// Processing time has no late documents and never waits.
		if w.IdleTimeout != nil {
			return Errorf(p.Key("idleTimeout"), "a processingTime window takes no idleTimeout; remove it or use boundary eventTime")
		}
		if w.AllowedLateness != nil {
			return Errorf(p.Key("allowedLateness"), "a processingTime window takes no allowedLateness; remove it or use boundary eventTime")
		}
	}
	if len(w.Pipeline) == 0 {
		return Errorf(p.Key("pipeline"), "a window needs a pipeline, usually a $group")
	}
	return nil
}

func (s *TumblingWindow) check(p Path) error {
	if err := s.Interval.check(p.Key("interval"), false); err != nil {
		return err
	}
	return s.WindowOptions.check(p)
}

func (s *HoppingWindow) check(p Path) error {
	if err := s.Interval.check(p.Key("interval"), false); err != nil {
		return err
	}
	if err := s.HopSize.check(p.Key("hopSize"), false); err != nil {
		return err
	}
	return s.WindowOptions.check(p)
}

func (s *SessionWindow) check(p Path) error {
	if s.PartitionBy == nil {
		return Errorf(p, "partitionBy is required")
	}
	if err := s.Gap.check(p.Key("gap"), false); err != nil {
		return err
	}
	return s.WindowOptions.check(p)
}

// windowOptions decodes the shared options present in o.
func (d *decoder) windowOptions(o *opts) (WindowOptions, error) {
	var w WindowOptions
	var err error
	if w.Boundary, err = o.str("boundary"); err != nil {
		return w, err
	}
	if raw, ok := o.get("offset"); ok {
		oo, err := d.opts(raw, o.at("offset"), "offset", "offsetFromUtc", "unit")
		if err != nil {
			return w, err
		}
		w.Offset = &WindowOffset{}
		if w.Offset.OffsetFromUtc, err = oo.int("offsetFromUtc"); err != nil {
			return w, err
		}
		if w.Offset.Unit, err = oo.reqStr("unit"); err != nil {
			return w, err
		}
	}
	if w.IdleTimeout, err = o.duration("idleTimeout"); err != nil {
		return w, err
	}
	if w.AllowedLateness, err = o.duration("allowedLateness"); err != nil {
		return w, err
	}
	raw, ok := o.get("pipeline")
	if !ok {
		return w, Errorf(o.path, "pipeline is required")
	}
	w.Pipeline, err = d.pipeline(raw, o.at("pipeline"), InWindow)
	return w, err
}

// reqDuration decodes a required duration.
func (o *opts) reqDuration(k string) (Duration, error) {
	dur, err := o.duration(k)
	if err != nil {
		return Duration{}, err
	}
	if dur == nil {
		return Duration{}, Errorf(o.path, "%s is required", k)
	}
	if *dur == (Duration{}) {
		return Duration{}, Errorf(o.at(k), "expected a duration {size, unit} with a positive size, found 0")
	}
	return *dur, nil
}

func (d *decoder) fixedWindow(name string, v any, p Path) (Stage, error) {
	keys := []string{"boundary", "interval", "offset", "idleTimeout", "allowedLateness", "pipeline"}
	if name == "$hoppingWindow" {
		keys = append(keys, "hopSize")
	}
	o, err := d.opts(v, p, name, keys...)
	if err != nil {
		return nil, err
	}
	interval, err := o.reqDuration("interval")
	if err != nil {
		return nil, err
	}
	var hop Duration
	if name == "$hoppingWindow" {
		if hop, err = o.reqDuration("hopSize"); err != nil {
			return nil, err
		}
	}
	w, err := d.windowOptions(o)
	if err != nil {
		return nil, err
	}
	if name == "$hoppingWindow" {
		return &HoppingWindow{Interval: interval, HopSize: hop, WindowOptions: w}, nil
	}
	return &TumblingWindow{Interval: interval, WindowOptions: w}, nil
}

func (d *decoder) sessionWindow(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$sessionWindow", "boundary", "partitionBy", "gap", "allowedLateness", "pipeline")
	if err != nil {
		return nil, err
	}
	s := &SessionWindow{}
	if s.PartitionBy, err = o.expr("partitionBy"); err != nil {
		return nil, err
	}
	if s.PartitionBy == nil {
		return nil, Errorf(p, "partitionBy is required")
	}
	if s.Gap, err = o.reqDuration("gap"); err != nil {
		return nil, err
	}
	if s.WindowOptions, err = d.windowOptions(o); err != nil {
		return nil, err
	}
	return s, nil
}

// Group is $group: ID is the group key, Fields the accumulators.
type Group struct {
	ID     Expr
	Fields []Field
}

func (*Group) Op() string { return "$group" }

func (s *Group) Body() any {
	return append(bson.D{{Key: "_id", Value: EncodeExpr(s.ID)}}, fieldsDoc(s.Fields)...)
}

func (s *Group) check(p Path) error {
	if s.ID == nil {
		return Errorf(p, "_id is required; use _id: null for one group")
	}
	for _, f := range s.Fields {
		if f.Name == "" || strings.Contains(f.Name, ".") || strings.HasPrefix(f.Name, "$") {
			return Errorf(p.Key(f.Name), "%q is not a valid output field name (non-empty, no dots, no leading $)", f.Name)
		}
	}
	return nil
}

func (d *decoder) group(v any, p Path) (Stage, error) {
	doc, ok := v.(bson.D)
	if !ok {
		return nil, Errorf(p, "expected a document {_id: …, field: {accumulator}}, found %s", describe(v))
	}
	s := &Group{}
	for _, e := range doc {
		if err := dupKey(doc, e.Key, p); err != nil {
			return nil, err
		}
		fp := p.Key(e.Key)
		if e.Key == "_id" {
			x, err := d.expr(e.Value, fp)
			if err != nil {
				return nil, err
			}
			s.ID = x
			continue
		}
		acc, err := ParseAccumulatorIn(e.Value, fp, d.vars)
		if err != nil {
			return nil, err
		}
		s.Fields = append(s.Fields, Field{Name: e.Key, Value: acc})
	}
	if s.ID == nil {
		return nil, Errorf(p, "_id is required; use _id: null for one group")
	}
	return s, nil
}

// SortKey is one key of $sort or sortBy: Order 1 or -1, or Meta for
// {$meta: …}.
type SortKey struct {
	Path  string
	Order int
	Meta  string
}

func sortDoc(keys []SortKey) bson.D {
	d := make(bson.D, len(keys))
	for i, k := range keys {
		if k.Meta != "" {
			d[i] = bson.E{Key: k.Path, Value: bson.D{{Key: "$meta", Value: k.Meta}}}
		} else {
			d[i] = bson.E{Key: k.Path, Value: int32(k.Order)}
		}
	}
	return d
}

func (d *decoder) sortKeys(v any, p Path) ([]SortKey, error) {
	doc, ok := v.(bson.D)
	if !ok || len(doc) == 0 {
		return nil, Errorf(p, "expected a document {field: 1 | -1}, found %s", describe(v))
	}
	keys := make([]SortKey, 0, len(doc))
	for _, e := range doc {
		if err := dupKey(doc, e.Key, p); err != nil {
			return nil, err
		}
		k := SortKey{Path: e.Key}
		if n, ok := asInt(e.Value); ok && (n == 1 || n == -1) {
			k.Order = int(n)
		} else if m, ok := e.Value.(bson.D); ok && len(m) == 1 && m[0].Key == "$meta" {
			s, isStr := m[0].Value.(string)
			if !isStr {
				return nil, Errorf(p.Key(e.Key).Key("$meta"), "expected a string, found %s", describe(m[0].Value))
			}
			k.Meta = s
		} else {
			return nil, Errorf(p.Key(e.Key), "expected 1 (ascending), -1 (descending) or {$meta: …}, found %s", describe(e.Value))
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// Sort is $sort.
type Sort struct{ Keys []SortKey }

func (*Sort) Op() string       { return "$sort" }
func (s *Sort) Body() any      { return sortDoc(s.Keys) }
func (*Sort) check(Path) error { return nil }

// Limit is $limit.
type Limit struct{ N int64 }

func (*Limit) Op() string  { return "$limit" }
func (s *Limit) Body() any { return num(s.N) }

func (s *Limit) check(p Path) error {
	if s.N <= 0 {
		return Errorf(p, "expected a positive integer, found %d", s.N)
	}
	return nil
}

// Count is the $count stage: one document {Field: n}.
type Count struct{ Field string }

func (*Count) Op() string  { return "$count" }
func (s *Count) Body() any { return s.Field }

func (s *Count) check(p Path) error {
	if s.Field == "" || strings.HasPrefix(s.Field, "$") || strings.Contains(s.Field, ".") {
		return Errorf(p, "%q is not a valid output field name (non-empty, no dots, no leading $)", s.Field)
	}
	return nil
}

// SetWindowFields is $setWindowFields, a weir extension: window functions
// over the documents around each one in its partition.
type SetWindowFields struct {
	PartitionBy Expr
	SortBy      []SortKey
	Output      []WindowOutput
}

// WindowOutput is one output field: a window function and its window.
type WindowOutput struct {
	Field  string
	Func   Expr
	Window *WindowBounds
}

// WindowBounds is a window function's window: documents: [Lo, Hi], or
// range: [Lo, Hi] with an optional Unit for time ranges. A bound is
// "unbounded", "current" or a number.
type WindowBounds struct {
	Range  bool
	Lo, Hi any
	Unit   string
}

func (*SetWindowFields) Op() string { return "$setWindowFields" }

// Extension reports that Atlas has no $setWindowFields.
func (*SetWindowFields) Extension() bool { return true }

func (s *SetWindowFields) Body() any {
	d := bson.D{}
	if s.PartitionBy != nil {
		d = append(d, bson.E{Key: "partitionBy", Value: EncodeExpr(s.PartitionBy)})
	}
	if s.SortBy != nil {
		d = append(d, bson.E{Key: "sortBy", Value: sortDoc(s.SortBy)})
	}
	out := bson.D{}
	for _, o := range s.Output {
		fn := EncodeExpr(o.Func)
		if o.Window != nil {
			fd, _ := fn.(bson.D)
			fd = append(slices.Clone(fd), bson.E{Key: "window", Value: o.Window.doc()})
			fn = fd
		}
		out = append(out, bson.E{Key: o.Field, Value: fn})
	}
	return append(d, bson.E{Key: "output", Value: out})
}

func (w *WindowBounds) doc() bson.D {
	k := "documents"
	if w.Range {
		k = "range"
	}
	d := bson.D{{Key: k, Value: bson.A{w.Lo, w.Hi}}}
	if w.Unit != "" {
		d = append(d, bson.E{Key: "unit", Value: w.Unit})
	}
	return d
}

var windowFuncUnits = []string{"year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond"}

func (s *SetWindowFields) check(p Path) error {
	if len(s.Output) == 0 {
		return Errorf(p.Key("output"), "needs at least one field")
	}
	for _, o := range s.Output {
		w := o.Window
		if w == nil {
			continue
		}
		wp := p.Key("output").Key(o.Field).Key("window")
		if len(s.SortBy) == 0 {
			return Errorf(wp, "a window needs sortBy to order the documents")
		}
		if w.Range && len(s.SortBy) != 1 {
			return Errorf(wp, "a range window needs exactly one sortBy field, found %d", len(s.SortBy))
		}
		if w.Unit != "" && !w.Range {
			return Errorf(wp.Key("unit"), "unit goes with a range window, not documents")
		}
		if w.Unit != "" && !slices.Contains(windowFuncUnits, w.Unit) {
			return Errorf(wp.Key("unit"), "%q is not a unit (%s)", w.Unit, strings.Join(windowFuncUnits, ", "))
		}
		k := "documents"
		if w.Range {
			k = "range"
		}
		for i, b := range []any{w.Lo, w.Hi} {
			if err := checkBound(wp.Key(k).Index(i), b, !w.Range); err != nil {
				return err
			}
		}
		lo, lok := boundNum(w.Lo)
		hi, hok := boundNum(w.Hi)
		if lok && hok && lo > hi || w.Lo == "current" && hok && hi < 0 || w.Hi == "current" && lok && lo > 0 {
			return Errorf(wp.Key(k), "the lower bound %v is after the upper bound %v", fmtBound(w.Lo), fmtBound(w.Hi))
		}
	}
	return nil
}

func checkBound(p Path, b any, integral bool) error {
	if b == "current" || b == "unbounded" {
		return nil
	}
	if integral {
		if _, ok := asInt(b); ok {
			return nil
		}
		return Errorf(p, "expected an integer, \"current\" or \"unbounded\", found %s", describe(b))
	}
	if _, ok := boundNum(b); ok {
		return nil
	}
	return Errorf(p, "expected a number, \"current\" or \"unbounded\", found %s", describe(b))
}

func boundNum(b any) (float64, bool) {
	switch n := b.(type) {
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func fmtBound(b any) string {
	if s, ok := b.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(b)
}

func (d *decoder) setWindowFields(v any, p Path) (Stage, error) {
	o, err := d.opts(v, p, "$setWindowFields", "partitionBy", "sortBy", "output")
	if err != nil {
		return nil, err
	}
	s := &SetWindowFields{}
	if s.PartitionBy, err = o.expr("partitionBy"); err != nil {
		return nil, err
	}
	if raw, ok := o.get("sortBy"); ok {
		if s.SortBy, err = d.sortKeys(raw, o.at("sortBy")); err != nil {
			return nil, err
		}
	}
	raw, ok := o.get("output")
	if !ok {
		return nil, Errorf(p, "output is required")
	}
	out, ok := raw.(bson.D)
	if !ok {
		return nil, Errorf(o.at("output"), "expected a document {field: {<window function>, window: {…}}}, found %s", describe(raw))
	}
	for _, e := range out {
		if err := dupKey(out, e.Key, o.at("output")); err != nil {
			return nil, err
		}
		fp := o.at("output").Key(e.Key)
		fd, ok := e.Value.(bson.D)
		if !ok {
			return nil, Errorf(fp, "expected {<window function>: …, window: {…}}, found %s", describe(e.Value))
		}
		wo := WindowOutput{Field: e.Key}
		fn := bson.D{}
		for _, fe := range fd {
			if fe.Key != "window" {
				fn = append(fn, fe)
				continue
			}
			if wo.Window, err = d.windowBounds(fe.Value, fp.Key("window")); err != nil {
				return nil, err
			}
		}
		if wo.Func, err = ParseAccumulatorIn(fn, fp, d.vars); err != nil {
			return nil, err
		}
		s.Output = append(s.Output, wo)
	}
	return s, nil
}

func (d *decoder) windowBounds(v any, p Path) (*WindowBounds, error) {
	o, err := d.opts(v, p, "a window", "documents", "range", "unit")
	if err != nil {
		return nil, err
	}
	w := &WindowBounds{}
	k := "documents"
	if o.has("range") {
		if o.has("documents") {
			return nil, Errorf(p, "give documents or range, not both")
		}
		w.Range, k = true, "range"
	} else if !o.has("documents") {
		return nil, Errorf(p, "expected documents: [lo, hi] or range: [lo, hi]")
	}
	raw, _ := o.get(k)
	a, ok := raw.(bson.A)
	if !ok || len(a) != 2 {
		return nil, Errorf(o.at(k), "expected [lower, upper], found %s", describe(raw))
	}
	w.Lo, w.Hi = a[0], a[1]
	if w.Unit, err = o.str("unit"); err != nil {
		return nil, err
	}
	// The seed writes range: [-5, "minute"], unit: "minute" for "the last
	// five minutes": the unit in place of the upper bound.
	if s, ok := w.Hi.(string); ok && w.Range && s == w.Unit && s != "" {
		w.Hi = "current"
		d.warnf(o.at(k).Index(1), "%q is not a window bound; read range [%v, %q] with unit %q as [%v, \"current\"]: from %s before the current document to the current document",
			s, fmtBound(w.Lo), s, s, fmtBound(w.Lo), agoPhrase(w.Lo, s))
	}
	return w, nil
}

// agoPhrase says "5 minutes" for a bound of -5 and unit minute.
func agoPhrase(lo any, unit string) string {
	n, ok := boundNum(lo)
	if !ok {
		return fmtBound(lo) + " " + unit
	}
	if n < 0 {
		n = -n
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%v %ss", n, unit)
}
