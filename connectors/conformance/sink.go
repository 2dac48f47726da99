package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// SinkHarness is what RunSink needs of a connector.
type SinkHarness struct {
	// Create makes a new, empty target and returns the Doc.Target that
	// names it: a topic, or "db.coll".
	Create func(t *testing.T) string
	// Open opens a sink whose own target (for a Doc with Target "") is
	// target. The suite closes it.
	Open func(t *testing.T, target string) connectors.Sink
	// Read returns the documents at target as another client sees them
	// now. want is how many the suite expects, for targets that can only
	// be read until then (a topic); Read returns once it has them, or
	// after a few seconds with what there is.
	Read func(t *testing.T, target string, want int) []bson.D
	// Refused returns a document the sink refuses for a reason of its own
	// (too large, a field name the server won't store, a target it can't
	// hold), written to target.
	Refused func(t *testing.T, target string) connectors.Doc
}

// LateRejecter is a sink that learns of some refusals only when the
// target acknowledges (Kafka): Rejected returns, and forgets, those
// learned since the last Write. The engine calls it after Flush.
type LateRejecter interface {
	Rejected() []connectors.Rejected
}

// RunSink runs the Sink contract against h.
func RunSink(t *testing.T, h SinkHarness) {
	t.Run("WriteFlushReadBack", func(t *testing.T) { sinkReadBack(t, h) })
	t.Run("Target", func(t *testing.T) { sinkTarget(t, h) })
	t.Run("Rejected", func(t *testing.T) { sinkRejected(t, h) })
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	t.Cleanup(cancel)
	return ctx
}

func openSink(t *testing.T, h SinkHarness, target string) connectors.Sink {
	t.Helper()
	s := h.Open(t, target)
	t.Cleanup(func() { s.Close() })
	return s
}

// sinkDoc is the suite's sink document, with the types a pipeline's output
// has: strings, numbers, a date, nested documents and arrays.
func sinkDoc(id string) bson.D {
	return bson.D{
		{Key: "_id", Value: id},
		{Key: "n", Value: int32(len(id))},
		{Key: "amount", Value: 12.5},
		{Key: "at", Value: bson.NewDateTimeFromTime(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))},
		{Key: "customer", Value: bson.D{{Key: "id", Value: "c-" + id}, {Key: "vip", Value: true}}},
		{Key: "items", Value: bson.A{bson.D{{Key: "sku", Value: "x"}}, "y", nil}},
	}
}

func docsOf(ids ...string) []connectors.Doc {
	out := make([]connectors.Doc, len(ids))
	for i, id := range ids {
		out[i] = connectors.Doc{Doc: sinkDoc(id)}
	}
	return out
}

// write writes and checks that nothing was refused.
func write(t *testing.T, s connectors.Sink, docs []connectors.Doc) {
	t.Helper()
	rej, err := s.Write(ctxFor(t), docs)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if len(rej) > 0 {
		t.Fatalf("Write refused %d documents, the first because %s", len(rej), rej[0].Reason)
	}
}

func flush(t *testing.T, s connectors.Sink) {
	t.Helper()
	if err := s.Flush(ctxFor(t)); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// ejson is a document as relaxed Extended JSON: documents equal by
// MongoDB's rules print the same (an int64 read back as int32 too).
func ejson(doc bson.D) string {
	b, err := bson.MarshalExtJSON(doc, false, false)
	if err != nil {
		return fmt.Sprintf("<%v: %v>", err, doc)
	}
	return string(b)
}

// sortedKeys orders a document's fields by name, nested documents too: a
// sink may store fields in another order (MongoDB's update operators add
// new fields in lexicographic order), which read-back doesn't hold
// against it.
func sortedKeys(v any) any {
	switch t := v.(type) {
	case bson.D:
		out := make(bson.D, len(t))
		for i, e := range t {
			out[i] = bson.E{Key: e.Key, Value: sortedKeys(e.Value)}
		}
		slices.SortStableFunc(out, func(a, b bson.E) int { return strings.Compare(a.Key, b.Key) })
		return out
	case bson.A:
		out := make(bson.A, len(t))
		for i, e := range t {
			out[i] = sortedKeys(e)
		}
		return out
	}
	return v
}

// keyJSON is ejson with fields in name order.
func keyJSON(doc bson.D) string {
	b, err := bson.MarshalExtJSON(sortedKeys(doc), false, false)
	if err != nil {
		return fmt.Sprintf("<%v: %v>", err, doc)
	}
	return string(b)
}

// sameDocs compares documents as sets, since a sink writing to several
// partitions keeps order only within each, and fields by name.
func sameDocs(t *testing.T, what string, got []bson.D, want []connectors.Doc) {
	t.Helper()
	var g, w []string
	for _, d := range got {
		g = append(g, keyJSON(d))
	}
	for _, d := range want {
		w = append(w, keyJSON(d.Doc))
	}
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s holds\n  %s\nwant\n  %s", what, strings.Join(g, "\n  "), strings.Join(w, "\n  "))
	}
}

// sinkReadBack: what Flush returned for is there for another client, after
// Close too, and a second Write adds to it.
func sinkReadBack(t *testing.T, h SinkHarness) {
	target := h.Create(t)
	s := openSink(t, h, target)
	first := docsOf("a", "bb", "ccc")
	write(t, s, first)
	flush(t, s)
	sameDocs(t, target+" after Flush", h.Read(t, target, len(first)), first)

	more := docsOf("dddd", "eeeee")
	write(t, s, more)
	flush(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	all := append(first, more...)
	sameDocs(t, target+" after a second Flush and Close", h.Read(t, target, len(all)), all)
}

// sinkTarget: a Doc's Target sends it elsewhere; "" and the sink's own
// target go to the sink's own.
func sinkTarget(t *testing.T, h SinkHarness) {
	own, other := h.Create(t), h.Create(t)
	s := openSink(t, h, own)
	docs := docsOf("a", "b", "c", "d")
	docs[1].Target = other
	docs[2].Target = own
	write(t, s, docs)
	flush(t, s)
	sameDocs(t, own, h.Read(t, own, 3), []connectors.Doc{docs[0], docs[2], docs[3]})
	sameDocs(t, other, h.Read(t, other, 1), docs[1:2])
}

// sinkRejected: a refused document comes back with a reason, from Write
// or (LateRejecter) after Flush; its neighbours are written, and the sink
// goes on working.
func sinkRejected(t *testing.T, h SinkHarness) {
	target := h.Create(t)
	s := openSink(t, h, target)
	bad := h.Refused(t, target)
	docs := docsOf("a", "b")
	rej, err := s.Write(ctxFor(t), []connectors.Doc{docs[0], bad, docs[1]})
	if err != nil {
		t.Fatalf("Write: an error (%v) for a document the target refuses; it belongs in Rejected", err)
	}
	flush(t, s)
	if lr, ok := s.(LateRejecter); ok {
		rej = append(rej, lr.Rejected()...)
	}
	if len(rej) != 1 {
		var what []string
		for _, r := range rej {
			what = append(what, ejson(r.Doc.Doc)+": "+r.Reason)
		}
		t.Fatalf("%d rejected, want only %s:\n  %s", len(rej), ejson(bad.Doc), strings.Join(what, "\n  "))
	}
	if ejson(rej[0].Doc.Doc) != ejson(bad.Doc) || rej[0].Doc.Target != bad.Target {
		t.Errorf("rejected %s (target %q), want %s (target %q)", ejson(rej[0].Doc.Doc), rej[0].Doc.Target, ejson(bad.Doc), bad.Target)
	}
	if strings.TrimSpace(rej[0].Reason) == "" {
		t.Error("rejected without a reason")
	}
	sameDocs(t, target+" around the refused document", h.Read(t, target, 2), docs)

	after := docsOf("c")
	write(t, s, after)
	flush(t, s)
	sameDocs(t, target+" after a refusal", h.Read(t, target, 3), append(docs, after...))
}
