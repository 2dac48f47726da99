package connectors

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FileSource is a file:DIR connection's Source: the lines of a stream's
// file (a topic) or of collections' files, read once, in order, then
// io.EOF. It is bounded, so the runtime ends the run when it is
// exhausted, with every window closed, as the reference runner does.
//
// A stream's message is its line as written, with the position a Kafka
// record would have (partition 0, offset = line number - 1). A
// collection's message is the insert change event MongoDB would send for
// the document, or under fullDocumentOnly the document itself, as the
// mongodb connector sends them. A line that is not a document is handed
// on as it is, so the runtime sends it to the DLQ; Explain gives the
// reason with its file and line.
type FileSource struct {
	msgs []fileMsg
	// batch is how many messages a Read returns.
	batch int

	mu   sync.Mutex
	next int
	// bad are the lines that are not documents, in order, for Explain.
	bad []badLine
}

// fileMsg is a message; ev, when set, is the insert event to send as its
// Value once Read knows the wallTime.
type fileMsg struct {
	m  Message
	ev bson.D
}

type badLine struct {
	raw string
	err error
}

var _ Source = (*FileSource)(nil)

// fileBatch is how many messages a Read returns: large enough to keep
// per-call overhead low, small enough for the runtime's batches.
const fileBatch = 1024

// OpenStreams reads the files of topics (DIR/TOPIC.jsonl), in the order
// given. A missing file is an error, as a missing Kafka topic is. Lines are
// handed on as the Extended JSON text they are, as a Kafka topic's records
// are, so the runtime decodes them once, with its columnar fast path; a
// line that is not a document reaches the DLQ through the runtime, and
// Explain names its file and line.
func (f File) OpenStreams(topics []string) (*FileSource, error) {
	s := &FileSource{batch: fileBatch}
	for _, topic := range topics {
		data, err := os.ReadFile(f.StreamPath(topic))
		if err != nil {
			return nil, fmt.Errorf("topic %s: %w", topic, err)
		}
		n := 0
		for len(data) > 0 {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			n++
			line = bytes.TrimSpace(line)
			if len(line) == 0 {
				continue
			}
			pos := Position{Topic: topic, Offset: int64(n - 1)}
			s.msgs = append(s.msgs, fileMsg{m: Message{Value: line, Format: ExtJSON, Position: pos}})
		}
	}
	return s, nil
}

// addBad hands a line that is not a document on as it is, so the runtime
// sends it to the DLQ, and keeps its error for Explain.
func (s *FileSource) addBad(l Line, pos Position) {
	s.bad = append(s.bad, badLine{raw: l.Raw, err: l.Err})
	s.msgs = append(s.msgs, fileMsg{m: Message{Value: []byte(l.Raw), Format: ExtJSON, Position: pos}})
}

// OpenCollections reads collections DB.COLL (DIR/DB/COLL.jsonl) as a
// change stream that saw every document inserted. A collection without a
// file is empty, as a MongoDB collection that was never written is.
func (f File) OpenCollections(db string, colls []string, fullDocumentOnly bool) (*FileSource, error) {
	if db == "" || len(colls) == 0 {
		return nil, fmt.Errorf("a file connection serves collection change streams only (db and coll)")
	}
	s := &FileSource{batch: fileBatch}
	for _, coll := range colls {
		lines, err := f.ReadCollection(db, coll)
		if err != nil {
			return nil, fmt.Errorf("collection %s.%s: %w", db, coll, err)
		}
		for _, l := range lines {
			pos := Position{Topic: db + "." + coll, Offset: int64(l.Number - 1)}
			if l.Err != nil {
				s.addBad(l, pos)
				continue
			}
			if !fullDocumentOnly {
				s.msgs = append(s.msgs, fileMsg{m: Message{Format: BSON, Position: pos}, ev: insertEvent(db, coll, l.Number, l.Doc)})
				continue
			}
			v, err := bson.Marshal(l.Doc)
			if err != nil {
				return nil, fmt.Errorf("collection %s.%s: line %d: %w", db, coll, l.Number, err)
			}
			s.msgs = append(s.msgs, fileMsg{m: Message{Value: v, Format: BSON, Position: pos}})
		}
	}
	return s, nil
}

// insertEvent is the change event MongoDB sends for an insert, shaped as
// exec's reference runner makes it (a resume token naming the file and
// line), so both runners produce the same documents. wallTime is left to
// Read, which knows when the line was handed over.
func insertEvent(db, coll string, n int, doc bson.D) bson.D {
	ev := bson.D{
		{Key: "_id", Value: bson.D{{Key: "_data", Value: fmt.Sprintf("%s.%s.%08d", db, coll, n)}}},
		{Key: "operationType", Value: "insert"},
		{Key: "wallTime", Value: nil},
		{Key: "fullDocument", Value: doc},
		{Key: "ns", Value: bson.D{{Key: "db", Value: db}, {Key: "coll", Value: coll}}},
	}
	for _, e := range doc {
		if e.Key == "_id" {
			ev = append(ev, bson.E{Key: "documentKey", Value: bson.D{{Key: "_id", Value: e.Value}}})
		}
	}
	return ev
}

// Read returns the next messages, stamped with the time they were read
// (a file's ingestion time, and an insert event's wallTime), then io.EOF.
func (s *FileSource) Read(ctx context.Context) ([]Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= len(s.msgs) {
		return nil, io.EOF
	}
	n := min(s.batch, len(s.msgs)-s.next)
	out := make([]Message, n)
	now := time.Now().UTC()
	for i, fm := range s.msgs[s.next : s.next+n] {
		out[i] = fm.m
		out[i].Time = now
		if fm.ev != nil {
			ev := append(bson.D(nil), fm.ev...)
			ev[2].Value = bson.NewDateTimeFromTime(now) // wallTime
			v, err := bson.Marshal(ev)
			if err != nil {
				return nil, fmt.Errorf("%s: offset %d: %w", fm.m.Position.Topic, fm.m.Position.Offset, err)
			}
			out[i].Value = v
		}
	}
	s.next += n
	return out, nil
}

// Commit does nothing: a file is read from its start every run.
func (s *FileSource) Commit(context.Context, []Position) error { return nil }

// Close releases nothing; the files were read at open.
func (s *FileSource) Close() error { return nil }

// Explain returns the reason, with file and line, for a line that was not
// a document, given the line's text as the runtime put it in its dead
// letter ({raw: …}). The runtime only sees the decoder's message; this
// one says where the line is. Lines are explained in the order they were
// read, so equal bad lines get their own line numbers.
func (s *FileSource) Explain(raw string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, b := range s.bad {
		if b.raw == raw {
			s.bad = append(s.bad[:i], s.bad[i+1:]...)
			return b.err.Error(), true
		}
	}
	// Stream lines are not parsed when opened: find the line and ask the
	// driver why it is not a document, in the words a file read gives.
	for _, fm := range s.msgs {
		if fm.m.Format != ExtJSON || string(fm.m.Value) != raw {
			continue
		}
		var doc bson.D
		err := bson.UnmarshalExtJSON(fm.m.Value, false, &doc)
		if err == nil {
			return "", false
		}
		return fmt.Sprintf("%s.jsonl:%d: not an Extended JSON document: %v", fm.m.Position.Topic, fm.m.Position.Offset+1, err), true
	}
	return "", false
}

// FileLookup is a file:DIR collection as a Lookup: the file is read
// once, at open, and Find filters it with MongoDB's equality.
type FileLookup struct {
	docs []bson.D
}

var _ Lookup = (*FileLookup)(nil)

// OpenLookup reads collection DB.COLL for $lookup. A line that is not a
// document is an error: a join silently missing a row would be wrong.
func (f File) OpenLookup(db, coll string) (*FileLookup, error) {
	lines, err := f.ReadCollection(db, coll)
	if err != nil {
		return nil, fmt.Errorf("collection %s.%s: %w", db, coll, err)
	}
	l := &FileLookup{}
	for _, line := range lines {
		if line.Err != nil {
			return nil, fmt.Errorf("collection %s.%s: %w", db, coll, line.Err)
		}
		l.docs = append(l.docs, line.Doc)
	}
	return l, nil
}

// Find returns the documents whose field equals one of values; an array
// field matches by any element, as a MongoDB query does.
func (l *FileLookup) Find(_ context.Context, field string, values []any) ([]bson.D, error) {
	want := map[string]bool{}
	for _, v := range values {
		want[valueKey(v)] = true
	}
	var out []bson.D
	for _, d := range l.docs {
		for _, v := range pathValues(d, field) {
			if want[valueKey(v)] {
				out = append(out, d)
				break
			}
		}
	}
	return out, nil
}

// Close releases nothing.
func (l *FileLookup) Close() error { return nil }

// pathValues are the values a query on path compares with: the field's
// value, an array's elements too, and through arrays of documents the
// values of the rest of the path (implicit array traversal). A missing
// field compares as null.
func pathValues(doc bson.D, path string) []any {
	head, rest, nested := strings.Cut(path, ".")
	var v any
	found := false
	for _, e := range doc {
		if e.Key == head {
			v, found = e.Value, true
			break
		}
	}
	if !found {
		return []any{nil}
	}
	if nested {
		switch t := v.(type) {
		case bson.D:
			return pathValues(t, rest)
		case bson.A:
			var out []any
			for _, el := range t {
				if d, ok := el.(bson.D); ok {
					out = append(out, pathValues(d, rest)...)
				}
			}
			return out
		}
		return []any{nil}
	}
	if a, ok := v.(bson.A); ok {
		return append([]any{v}, a...)
	}
	return []any{v}
}

// valueKey is a key equal for values MongoDB's equality holds equal:
// numbers by value whatever their type, other values by their canonical
// Extended JSON.
func valueKey(v any) string {
	switch t := v.(type) {
	case nil, bson.Null:
		return "null"
	case string:
		return "s" + t
	case int32:
		return fmt.Sprintf("n%v", float64(t))
	case int64:
		return fmt.Sprintf("n%v", float64(t))
	case int:
		return fmt.Sprintf("n%v", float64(t))
	case float64:
		return fmt.Sprintf("n%v", t)
	case bson.Decimal128:
		return "n" + t.String()
	}
	b, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: v}}, true, false)
	if err != nil {
		return fmt.Sprintf("?%v", v)
	}
	return "x" + string(b)
}

// All returns every document of the collection: for a $lookup whose
// pipeline has no equality part to query by (the let+pipeline form), which
// a file collection, read whole at open, can serve.
func (l *FileLookup) All(context.Context) ([]bson.D, error) { return l.docs, nil }
