package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// SourceHarness is what RunSource needs of a connector.
type SourceHarness struct {
	// Partitions is the most partitions Create can make; 1 for
	// connectors without partitions.
	Partitions int
	// Bounded sources read what existed when they were opened, then end
	// with io.EOF; the suite appends before opening them. Live sources are
	// opened first and tail what is appended after.
	Bounded bool
	// Resumes says that re-opening after Commit continues after the
	// committed positions (Kafka's consumer group, a change stream's resume
	// token); sources that read from the start every run don't.
	Resumes bool

	// Create makes a new, empty topic or collection with the given number
	// of partitions and returns its name.
	Create func(t *testing.T, partitions int) string
	// Append adds documents to a partition of name, in order.
	Append func(t *testing.T, name string, partition int32, docs ...bson.D)
	// AppendRaw adds a record that is not a document (raw bytes as they
	// are) to partition 0; nil when the connector can't hold one (MongoDB
	// stores only documents).
	AppendRaw func(t *testing.T, name string, raw []byte)
	// Open opens a source on name. committed are the positions the suite
	// committed on an earlier source of name, as an engine checkpoint hands
	// them back (nil the first time): a source that keeps its own (a
	// consumer group) may ignore them. A live source must read everything
	// appended after Open returns. The suite closes it.
	Open func(t *testing.T, name string, committed []connectors.Position) connectors.Source
	// Topic is the Position.Topic of name's messages: the topic, or
	// "db.coll".
	Topic func(name string) string
}

// readTimeout bounds every wait for messages.
const readTimeout = 15 * time.Second

// RunSource runs the Source contract against h.
func RunSource(t *testing.T, h SourceHarness) {
	t.Run("OrderAndPositions", func(t *testing.T) { sourceOrder(t, h) })
	t.Run("End", func(t *testing.T) { sourceEnd(t, h) })
	t.Run("BadRecord", func(t *testing.T) {
		if h.AppendRaw == nil {
			t.Skip("the connector holds only documents, so no record can be undecodable")
		}
		sourceBadRecord(t, h)
	})
	t.Run("CommitResumes", func(t *testing.T) {
		if !h.Resumes {
			t.Skip("the source reads from the start every run; Commit has nothing to keep")
		}
		sourceResume(t, h)
	})
}

// seqDoc is the suite's source document: partition p's i-th. Its _id
// sorts in append order, for sources that read in _id order.
func seqDoc(p int32, i int) bson.D {
	return bson.D{
		{Key: "_id", Value: fmt.Sprintf("p%d-%04d", p, i)},
		{Key: "p", Value: p},
		{Key: "seq", Value: int32(i)},
		{Key: "tags", Value: bson.A{"a", int32(i)}},
	}
}

func appendSeq(t *testing.T, h SourceHarness, name string, partitions, from, to int) {
	t.Helper()
	for p := range int32(partitions) {
		var docs []bson.D
		for i := from; i < to; i++ {
			docs = append(docs, seqDoc(p, i))
		}
		h.Append(t, name, p, docs...)
	}
}

func open(t *testing.T, h SourceHarness, name string, committed []connectors.Position) connectors.Source {
	t.Helper()
	src := h.Open(t, name, committed)
	t.Cleanup(func() { src.Close() })
	return src
}

// readN reads until n messages arrived (and, from a bounded source, until
// io.EOF), checking that no Read returns messages and an error together.
func readN(t *testing.T, src connectors.Source, n int, bounded bool) []connectors.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	var out []connectors.Message
	for bounded || len(out) < n {
		ms, err := src.Read(ctx)
		if err != nil && len(ms) > 0 {
			t.Fatalf("Read returned %d messages and an error together: %v", len(ms), err)
		}
		if bounded && errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after %d of %d messages: %v", len(out), n, err)
		}
		out = append(out, ms...)
	}
	if len(out) != n {
		t.Fatalf("read %d messages, want %d", len(out), n)
	}
	return out
}

// decode returns a message's document: the fullDocument of a change event,
// else the document itself.
func decode(m connectors.Message) (bson.D, error) {
	var doc bson.D
	var err error
	switch m.Format {
	case connectors.BSON:
		err = bson.Unmarshal(m.Value, &doc)
	case connectors.ExtJSON:
		err = bson.UnmarshalExtJSON(m.Value, false, &doc)
	default:
		return nil, fmt.Errorf("unknown format %d", m.Format)
	}
	if err != nil {
		return nil, err
	}
	if _, isEvent := get(doc, "operationType"); isEvent {
		full, ok := get(doc, "fullDocument")
		if fd, isDoc := full.(bson.D); ok && isDoc {
			return fd, nil
		}
		return nil, fmt.Errorf("a change event without fullDocument: %v", doc)
	}
	return doc, nil
}

func get(doc bson.D, key string) (any, bool) {
	for _, e := range doc {
		if e.Key == key {
			return e.Value, true
		}
	}
	return nil, false
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

// seqOf returns the partition and sequence number a suite document holds.
func seqOf(t *testing.T, m connectors.Message) (int32, int) {
	t.Helper()
	doc, err := decode(m)
	if err != nil {
		t.Fatalf("message at %s: %v", posString(m.Position), err)
	}
	pv, _ := get(doc, "p")
	sv, _ := get(doc, "seq")
	p, ok1 := asInt(pv)
	s, ok2 := asInt(sv)
	if !ok1 || !ok2 {
		t.Fatalf("message at %s is not one of the suite's documents: %v", posString(m.Position), doc)
	}
	return int32(p), s
}

func posString(p connectors.Position) string {
	if p.ResumeToken != nil {
		return fmt.Sprintf("%s token %s", p.Topic, p.ResumeToken)
	}
	return fmt.Sprintf("%s[%d]@%d", p.Topic, p.Partition, p.Offset)
}

// checkPositions checks that each message names the topic, that no two
// messages share a position, and that offsets move forward within a
// partition (positions without a resume token are offsets).
func checkPositions(t *testing.T, topic string, ms []connectors.Message) {
	t.Helper()
	seen := map[string]bool{}
	last := map[int32]int64{}
	for _, m := range ms {
		p := m.Position
		if p.Topic != topic {
			t.Errorf("message at %s: Position.Topic %q, want %q", posString(p), p.Topic, topic)
		}
		k := posString(p)
		if seen[k] {
			t.Errorf("two messages at %s", k)
		}
		seen[k] = true
		if p.ResumeToken != nil {
			continue
		}
		if prev, ok := last[p.Partition]; ok && p.Offset <= prev {
			t.Errorf("%s[%d]: offset %d after %d; offsets must move forward", p.Topic, p.Partition, p.Offset, prev)
		}
		last[p.Partition] = p.Offset
	}
}

// sourceOrder: every partition's documents arrive, in append order, each
// message in the partition its document was appended to.
func sourceOrder(t *testing.T, h SourceHarness) {
	parts := min(h.Partitions, 3)
	name := h.Create(t, parts)
	const perPart = 8
	var src connectors.Source
	if h.Bounded {
		appendSeq(t, h, name, parts, 0, perPart)
		src = open(t, h, name, nil)
	} else {
		src = open(t, h, name, nil)
		// Two appends, so a live source is seen tailing.
		appendSeq(t, h, name, parts, 0, perPart/2)
		appendSeq(t, h, name, parts, perPart/2, perPart)
	}
	ms := readN(t, src, parts*perPart, h.Bounded)
	checkPositions(t, h.Topic(name), ms)
	next := map[int32]int{}
	for _, m := range ms {
		p, seq := seqOf(t, m)
		if parts > 1 && m.Position.Partition != p {
			t.Errorf("document p%d-%d came from partition %d", p, seq, m.Position.Partition)
		}
		if seq != next[p] {
			t.Errorf("partition %d: document %d arrived when %d was next", p, seq, next[p])
		}
		next[p] = seq + 1
		if m.Time.IsZero() {
			t.Errorf("message at %s has no time", posString(m.Position))
		}
	}
}

// sourceEnd: a bounded source ends with io.EOF, again and again; a live
// one waits for more until its context ends.
func sourceEnd(t *testing.T, h SourceHarness) {
	name := h.Create(t, 1)
	var src connectors.Source
	if h.Bounded {
		appendSeq(t, h, name, 1, 0, 3)
		src = open(t, h, name, nil)
	} else {
		src = open(t, h, name, nil)
		appendSeq(t, h, name, 1, 0, 3)
	}
	readN(t, src, 3, h.Bounded)
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		ms, err := src.Read(ctx)
		cancel()
		switch {
		case len(ms) > 0:
			t.Fatalf("read %d more messages after the last one", len(ms))
		case h.Bounded && !errors.Is(err, io.EOF):
			t.Fatalf("a bounded source read to its end returned %v, want io.EOF", err)
		case !h.Bounded && !errors.Is(err, context.DeadlineExceeded):
			t.Fatalf("a live source with nothing to read returned %v, want the context's deadline", err)
		}
	}
}

// sourceBadRecord: a record that is not a document comes out raw, in its
// place, for the runtime to send to the DLQ; it does not fail the source.
func sourceBadRecord(t *testing.T, h SourceHarness) {
	name := h.Create(t, 1)
	raw := []byte(`{"seq": 1, not extended json`)
	fill := func() {
		h.Append(t, name, 0, seqDoc(0, 0))
		h.AppendRaw(t, name, raw)
		h.Append(t, name, 0, seqDoc(0, 2))
	}
	var src connectors.Source
	if h.Bounded {
		fill()
		src = open(t, h, name, nil)
	} else {
		src = open(t, h, name, nil)
		fill()
	}
	ms := readN(t, src, 3, h.Bounded)
	checkPositions(t, h.Topic(name), ms)
	if _, err := decode(ms[1]); err == nil || !bytes.Equal(bytes.TrimSpace(ms[1].Value), raw) {
		t.Errorf("second message %q (decode error %v), want the raw record %q", ms[1].Value, err, raw)
	}
	for _, i := range []int{0, 2} {
		if _, seq := seqOf(t, ms[i]); seq != i {
			t.Errorf("message %d holds document %d", i, seq)
		}
	}
}

// sourceResume: after Commit of each partition's third message and a
// re-open, reading continues with the fourth, then what was appended
// while the source was closed.
func sourceResume(t *testing.T, h SourceHarness) {
	parts := min(h.Partitions, 3)
	name := h.Create(t, parts)
	src := open(t, h, name, nil)
	appendSeq(t, h, name, parts, 0, 6)
	ms := readN(t, src, parts*6, false)
	var committed []connectors.Position
	for _, m := range ms {
		if _, seq := seqOf(t, m); seq == 2 {
			committed = append(committed, m.Position)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	if err := src.Commit(ctx, committed); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	// Committing again, or less, changes nothing.
	if err := src.Commit(ctx, committed[:1]); err != nil {
		t.Fatalf("Commit again: %v", err)
	}
	if err := src.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	appendSeq(t, h, name, parts, 6, 9)
	again := open(t, h, name, committed)
	ms = readN(t, again, parts*6, false)
	checkPositions(t, h.Topic(name), ms)
	next := map[int32]int{}
	for p := range int32(parts) {
		next[p] = 3
	}
	for _, m := range ms {
		p, seq := seqOf(t, m)
		if seq != next[p] {
			t.Errorf("partition %d after re-open: document %d arrived when %d was next (committed up to 2)", p, seq, next[p])
		}
		next[p] = seq + 1
	}
	for p, n := range next {
		if n != 9 {
			t.Errorf("partition %d: read up to %d, want 8", p, n-1)
		}
	}
}
