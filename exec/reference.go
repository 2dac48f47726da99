package exec

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// Reference runs a processor one document at a time over bounded inputs.
// Every source is read to its end first, so windows see all their
// documents and close at the end of the input (a watermark of +∞): for
// inputs in event-time order this is what the streaming engine produces.
// It is the oracle the Arrow engine is checked against and what `weir demo`,
// `weir run` and `weir test` run, and it is written to be obviously right
// rather than fast.
//
// Output follows ASP's conventions: documents reaching a sink or stdout
// carry _stream_meta (renamed or dropped by options.streamMetaFieldName),
// and a $merge target starts from what its collection file holds, so
// Merged is each collection's final state.
type Reference struct {
	// Conns are the file:DIR connections by name. A stage without a
	// connectionName uses "default", else the only connection.
	Conns map[string]connectors.File
	// Now is the processing time; the zero value uses the wall clock.
	Now func() time.Time
}

// Result is what a run produced.
type Result struct {
	// Stdout holds the output of a pipeline without a sink.
	Stdout []bson.D
	// Emitted holds what $emit wrote, by "conn.topic", in order.
	Emitted map[string][]bson.D
	// Merged holds each $merge target's documents after the run, by
	// "conn.db.coll", in the order they were first written.
	Merged map[string][]bson.D
	// DLQ holds documents that could not be processed, as ASP writes them.
	DLQ []bson.D
	// Targets says which connection, topic or collection each key of
	// Emitted and Merged stands for: a topic or collection name may hold
	// dots, so the key alone can't be split back.
	Targets map[string]Target
	// GeneratedIDs are the ObjectIds $merge gave documents that had no
	// _id, so tools comparing output can tell them from data.
	GeneratedIDs map[bson.ObjectID]bool
}

// Target is where a sink wrote: a topic of a connection ($emit), or a
// collection (DB and Coll; $merge).
type Target struct {
	Conn     string
	Topic    string
	DB, Coll string
}

// IsCollection reports whether t is a collection rather than a topic.
func (t Target) IsCollection() bool { return t.Coll != "" }

// row is a document on its way through the pipeline.
type row struct {
	doc bson.D
	// ts is the event time.
	ts time.Time
	// meta is the stream metadata $meta reads ("stream.source.topic").
	meta bson.D
	// noMeta is set once a stage removed the stream metadata field
	// explicitly ($project: {_stream_meta: 0} or $unset), the only way ASP
	// lets a pipeline drop it from its output.
	noMeta bool
	// vars are the let variables in scope: a $lookup's, for the rows of
	// its pipeline.
	vars map[string]any
}

type run struct {
	ref  *Reference
	proc *mql.Processor
	res  *Result
}

// Run runs p to the end of its inputs.
func (r *Reference) Run(p *mql.Processor) (*Result, error) {
	if len(p.Pipeline) == 0 {
		return nil, fmt.Errorf("empty pipeline")
	}
	src, ok := p.Pipeline[0].(*mql.Source)
	if !ok {
		return nil, fmt.Errorf("pipeline[0]: expected $source, found %s", p.Pipeline[0].Op())
	}
	x := &run{ref: r, proc: p, res: &Result{
		Emitted: map[string][]bson.D{}, Merged: map[string][]bson.D{},
		Targets: map[string]Target{}, GeneratedIDs: map[bson.ObjectID]bool{},
	}}
	rows, err := x.source(src)
	if err != nil {
		return nil, fmt.Errorf("pipeline[0].$source: %w", err)
	}
	rows, err = x.stages(p.Pipeline[1:], rows, "pipeline", 1)
	if err != nil {
		return nil, err
	}
	if len(p.Pipeline) > 1 && isSink(p.Pipeline[len(p.Pipeline)-1]) {
		return x.res, nil
	}
	for i := range rows {
		x.res.Stdout = append(x.res.Stdout, x.output(&rows[i]))
	}
	return x.res, nil
}

// metaField is the name of the stream metadata field in output documents:
// _stream_meta, renamed by options.streamMetaFieldName, "" when dropped.
func (x *run) metaField() string {
	if n := x.proc.Options.StreamMetaFieldName; n != nil {
		return *n
	}
	return "_stream_meta"
}

// output is a row's document as a sink or stdout receives it: with its
// stream metadata in the metadata field, as ASP's outputs carry it, unless
// the processor's options or the pipeline dropped it. (SQL pipelines set
// streamMetaFieldName to "", so their rows hold just the selected columns.)
func (x *run) output(rw *row) bson.D {
	name := x.metaField()
	if name == "" || rw.noMeta || len(rw.meta) == 0 {
		return rw.doc
	}
	return setPath(cloneDoc(rw.doc), name, rw.meta)
}

func isSink(s mql.Stage) bool {
	switch s.(type) {
	case *mql.Merge, *mql.Emit:
		return true
	}
	return false
}

func (x *run) now() time.Time {
	if x.ref.Now != nil {
		return x.ref.Now()
	}
	return time.Now()
}

// conn resolves a connection name the way `weir run` does.
func (x *run) conn(name string) (connectors.File, error) {
	name, err := x.connName(name)
	if err != nil {
		return connectors.File{}, err
	}
	return x.ref.Conns[name], nil
}

// connName is the registered connection a stage's connectionName means: a
// stage without one uses "default", else the only connection.
func (x *run) connName(name string) (string, error) {
	return ResolveConn(x.ref.Conns, name)
}

// ResolveConn is the connection name rule every part of weir follows: an
// empty name means "default", else the only registered connection.
func ResolveConn(conns map[string]connectors.File, name string) (string, error) {
	if name == "" {
		if _, ok := conns["default"]; ok {
			return "default", nil
		}
		if len(conns) == 1 {
			for n := range conns {
				return n, nil
			}
		}
		return "", fmt.Errorf("no connectionName, and no connection named default")
	}
	if _, ok := conns[name]; !ok {
		names := make([]string, 0, len(conns))
		for n := range conns {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return "", fmt.Errorf("unknown connection %q (none is registered)", name)
		}
		return "", fmt.Errorf("unknown connection %q (have %s)", name, strings.Join(names, ", "))
	}
	return name, nil
}

// TsField is the field ASP adds to every source document with its event
// time (a date): _ts, or $source.tsFieldName. It is "" when none is
// added: a processor that drops the stream metadata field
// (options.streamMetaFieldName ""), as every SQL query's plan does so its
// rows are exactly the selected columns, gets no _ts either, unless
// tsFieldName asks for the field by name.
func TsField(p *mql.Processor, s *mql.Source) string {
	if s.TsFieldName != "" {
		return s.TsFieldName
	}
	if n := p.Options.StreamMetaFieldName; n != nil && *n == "" {
		return ""
	}
	return "_ts"
}

// withTs sets a source document's time field (TsField) to its event
// time; doc must be the caller's own (setPath changes it in place).
func withTs(doc bson.D, field string, ts time.Time) bson.D {
	if field == "" {
		return doc
	}
	return setPath(doc, field, bson.NewDateTimeFromTime(ts))
}

// source reads the $source's documents, in order, with their event time.
func (x *run) source(s *mql.Source) ([]row, error) {
	var rows []row
	tsField := TsField(x.proc, s)
	add := func(doc bson.D, meta bson.D) error {
		rw := row{doc: doc, ts: x.now(), meta: meta}
		if s.TimeField != nil {
			v, err := Eval(s.TimeField, doc, nil)
			if err != nil {
				x.dlq("$source", doc, meta, "timeField: "+err.Error())
				return nil
			}
			t, ok := v.(bson.DateTime)
			if !ok {
				x.dlq("$source", doc, meta, fmt.Sprintf("timeField evaluated to %s, not a date", TypeName(v)))
				return nil
			}
			rw.ts = t.Time().UTC()
		}
		rw.doc = withTs(cloneDoc(doc), tsField, rw.ts)
		rows = append(rows, rw)
		return nil
	}
	switch s.Kind {
	case mql.DocumentsSource:
		docs := s.Docs
		if s.DocsExpr != nil {
			v, err := Eval(s.DocsExpr, nil, nil)
			if err != nil {
				return nil, err
			}
			a, ok := v.(bson.A)
			if !ok {
				return nil, fmt.Errorf("documents evaluated to %s, not an array", TypeName(v))
			}
			docs = a
		}
		for i, d := range docs {
			doc, ok := d.(bson.D)
			if !ok {
				return nil, fmt.Errorf("documents[%d] is %s, not a document", i, TypeName(d))
			}
			if err := add(doc, bson.D{{Key: "source", Value: bson.D{{Key: "type", Value: "generated"}}}}); err != nil {
				return nil, err
			}
		}
	case mql.KafkaSource:
		f, err := x.conn(s.ConnectionName)
		if err != nil {
			return nil, err
		}
		for _, topic := range s.Topics {
			lines, err := f.ReadStream(topic)
			if err != nil {
				return nil, fmt.Errorf("connection %s: topic %s: %w", refConnLabel(s.ConnectionName), topic, err)
			}
			for _, l := range lines {
				meta := bson.D{{Key: "source", Value: bson.D{
					{Key: "type", Value: "kafka"}, {Key: "topic", Value: topic},
					{Key: "partition", Value: int32(0)}, {Key: "offset", Value: int64(l.Number - 1)},
				}}}
				if l.Err != nil {
					x.dlq("$source", bson.D{{Key: "raw", Value: l.Raw}}, meta, l.Err.Error())
					continue
				}
				if err := add(l.Doc, meta); err != nil {
					return nil, err
				}
			}
		}
	case mql.ChangeStreamSource:
		f, err := x.conn(s.ConnectionName)
		if err != nil {
			return nil, err
		}
		if s.DB == "" || len(s.Colls) == 0 {
			return nil, fmt.Errorf("a file connection serves collection change streams only (db and coll)")
		}
		for _, coll := range s.Colls {
			lines, err := f.ReadCollection(s.DB, coll)
			if err != nil {
				return nil, fmt.Errorf("connection %s: collection %s.%s: %w", refConnLabel(s.ConnectionName), s.DB, coll, err)
			}
			for _, l := range lines {
				meta := bson.D{{Key: "source", Value: bson.D{
					{Key: "type", Value: "atlas"}, {Key: "operationType", Value: "insert"},
					{Key: "ns", Value: bson.D{{Key: "db", Value: s.DB}, {Key: "coll", Value: coll}}},
				}}}
				if l.Err != nil {
					x.dlq("$source", bson.D{{Key: "raw", Value: l.Raw}}, meta, l.Err.Error())
					continue
				}
				doc := l.Doc
				if !s.FullDocumentOnly() {
					doc = insertEvent(s.DB, coll, l.Number, doc, x.now())
				}
				if err := add(doc, meta); err != nil {
					return nil, err
				}
			}
		}
	default:
		return nil, fmt.Errorf("a %s source is not available over file connections", s.Kind)
	}
	return rows, nil
}

// refConnLabel names a connection in a message, the default one included.
func refConnLabel(name string) string {
	if name == "" {
		return "default"
	}
	return name
}

// insertEvent is the change event MongoDB sends for an insert.
func insertEvent(db, coll string, n int, doc bson.D, wall time.Time) bson.D {
	var id any = Missing
	for _, e := range doc {
		if e.Key == "_id" {
			id = e.Value
		}
	}
	ev := bson.D{
		{Key: "_id", Value: bson.D{{Key: "_data", Value: fmt.Sprintf("%s.%s.%08d", db, coll, n)}}},
		{Key: "operationType", Value: "insert"},
		{Key: "wallTime", Value: bson.NewDateTimeFromTime(wall)},
		{Key: "fullDocument", Value: doc},
		{Key: "ns", Value: bson.D{{Key: "db", Value: db}, {Key: "coll", Value: coll}}},
	}
	if !IsMissing(id) {
		ev = append(ev, bson.E{Key: "documentKey", Value: bson.D{{Key: "_id", Value: id}}})
	}
	return ev
}

// dlq records a document that could not be processed, in ASP's DLQ shape.
func (x *run) dlq(operator string, doc bson.D, meta bson.D, reason string) {
	x.res.DLQ = append(x.res.DLQ, bson.D{
		{Key: "processorName", Value: x.proc.Name},
		{Key: "dlqTime", Value: bson.NewDateTimeFromTime(x.now())},
		{Key: "operatorName", Value: operator},
		{Key: "errInfo", Value: bson.D{{Key: "reason", Value: reason}}},
		{Key: "doc", Value: doc},
		{Key: "_stream_meta", Value: meta},
	})
}

// env is the expression environment of a row.
func (rw *row) env() *Env {
	return &Env{Vars: rw.vars, Meta: func(path string) any { return metaPath(rw.meta, path) }}
}

// metaPath reads "stream.a.b" from a row's metadata.
func metaPath(meta bson.D, path string) any {
	if path == "stream" {
		return meta
	}
	rest, ok := strings.CutPrefix(path, "stream.")
	if !ok {
		return Missing
	}
	var cur any = meta
	for _, part := range strings.Split(rest, ".") {
		d, ok := cur.(bson.D)
		if !ok {
			return Missing
		}
		cur = Missing
		for _, e := range d {
			if e.Key == part {
				cur = e.Value
			}
		}
	}
	return cur
}

func durationOf(d mql.Duration) time.Duration {
	unit := map[string]time.Duration{"ms": time.Millisecond, "second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[d.Unit]
	return time.Duration(d.Size) * unit
}
