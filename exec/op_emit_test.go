package exec

import (
	"context"
	"encoding/binary"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

func stEmitRun(t *testing.T, config string, docs ...bson.D) (*stMemSink, *stMemSink) {
	t.Helper()
	var msgs []connectors.Message
	for i, d := range docs {
		msgs = append(msgs, stMsg("in", 0, int64(i), d))
	}
	sink, dlq := &stMemSink{}, &stMemSink{}
	pr := stBuild(t, `{"name": "p", "options": {"dlq": {"connectionName": "default", "db": "x", "coll": "dlq"}}, "pipeline": [
	  {"$source": {"connectionName": "default", "topic": "in"}},
	  {"$emit": {"connectionName": "default", "topic": "out", "config": `+config+`}}]}`,
		BuildEnv{Sources: map[string]connectors.Source{"default": newMemSource(msgs, 10, false)},
			Sinks: map[string]connectors.Sink{"default": sink}, DLQ: dlq})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sink, dlq
}

func stDLQReasons(dlq *stMemSink) []string {
	var out []string
	for _, d := range dlq.docs() {
		out = append(out, getPath(d, "errInfo.reason").(string))
	}
	return out
}

func TestEmitConfigKeyHeadersTombstone(t *testing.T) {
	sink, dlq := stEmitRun(t, `{"key": "$k", "keyFormat": "string",
	    "headers": {"src": "$k", "n": "$v", "none": null, "gone": "$nothere"}, "tombstoneWhen": "$del"}`,
		bson.D{{Key: "k", Value: "a"}, {Key: "v", Value: int32(1)}, {Key: "del", Value: false}},
		bson.D{{Key: "k", Value: "b"}, {Key: "v", Value: int32(2)}, {Key: "del", Value: true}},
		bson.D{{Key: "k", Value: "c"}, {Key: "v", Value: int32(3)}, {Key: "del", Value: "yes"}})
	if len(sink.written) != 2 {
		t.Fatalf("written %v, want a and b's tombstone", sink.written)
	}
	a, b := sink.written[0], sink.written[1]
	if string(a.Key) != "a" || a.Target != "out" || getPath(a.Doc, "v") != int32(1) {
		t.Errorf("record a: %+v", a)
	}
	want := []connectors.Header{{Key: "src", Value: []byte("a")}, {Key: "n", Value: binary.BigEndian.AppendUint32(nil, 1)}, {Key: "none"}}
	if len(a.Headers) != len(want) {
		t.Fatalf("headers %v, want %v", a.Headers, want)
	}
	for i, h := range want {
		if a.Headers[i].Key != h.Key || string(a.Headers[i].Value) != string(h.Value) {
			t.Errorf("header %d: %v, want %v", i, a.Headers[i], h)
		}
	}
	if string(b.Key) != "b" || b.Doc != nil {
		t.Errorf("record b is not a tombstone with key b: %+v", b)
	}
	if r := stDLQReasons(dlq); len(r) != 1 || r[0] != "tombstoneWhen evaluated to string, not a boolean" {
		t.Errorf("dlq reasons %q", r)
	}
}

func TestEmitConfigBadKeyAndHeadersGoToTheDLQ(t *testing.T) {
	sink, dlq := stEmitRun(t, `{"key": "$k", "keyFormat": "int", "headers": [{"k": "h", "v": "$h"}]}`,
		bson.D{{Key: "k", Value: int32(7)}, {Key: "h", Value: "x"}},
		bson.D{{Key: "k", Value: "seven"}, {Key: "h", Value: "x"}},
		bson.D{{Key: "k", Value: int32(8)}, {Key: "h", Value: bson.A{int32(1)}}})
	if len(sink.written) != 1 || string(sink.written[0].Key) != string(binary.BigEndian.AppendUint32(nil, 7)) ||
		len(sink.written[0].Headers) != 1 || string(sink.written[0].Headers[0].Value) != "x" {
		t.Fatalf("written %+v", sink.written)
	}
	r := stDLQReasons(dlq)
	if len(r) != 2 || r[0] != "key of type string can't be written with keyFormat int" ||
		!strings.HasPrefix(r[1], `headers: "h": a header value must be binData, string, object, int, long, double or null, not array`) {
		t.Errorf("dlq reasons %q", r)
	}
}

// stLateRejectSink accepts every Write and refuses some documents only
// later, as a Kafka broker does: they come out of Rejected after Flush.
type stLateRejectSink struct {
	stMemSink
	refuse func(connectors.Doc) bool
	late   []connectors.Rejected
}

func (s *stLateRejectSink) Write(ctx context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	for _, d := range docs {
		if s.refuse(d) {
			s.late = append(s.late, connectors.Rejected{Doc: d, Reason: "MESSAGE_TOO_LARGE"})
		}
	}
	return s.stMemSink.Write(ctx, docs)
}

func (s *stLateRejectSink) Rejected() []connectors.Rejected {
	r := s.late
	s.late = nil
	return r
}

// stDLQAtCommit is a source that records how many dead letters the DLQ
// had flushed when each commit came.
type stDLQAtCommit struct {
	*stMemSource
	dlq *stMemSink
	mu  sync.Mutex
	at  []int
}

func (s *stDLQAtCommit) Commit(ctx context.Context, upTo []connectors.Position) error {
	s.dlq.mu.Lock()
	n := s.dlq.flushed
	s.dlq.mu.Unlock()
	s.mu.Lock()
	s.at = append(s.at, n)
	s.mu.Unlock()
	return s.stMemSource.Commit(ctx, upTo)
}

func TestEmitRejectedAfterFlushReachTheDLQBeforeTheCommit(t *testing.T) {
	sink := &stLateRejectSink{refuse: func(d connectors.Doc) bool { return getPath(d.Doc, "k") == "b" }}
	dlq := &stMemSink{}
	src := &stDLQAtCommit{stMemSource: newMemSource([]connectors.Message{
		stMsg("in", 0, 0, stDoc("a", 1, 0)), stMsg("in", 0, 1, stDoc("b", 2, 0)),
	}, 2, false), dlq: dlq}
	pr := stBuild(t, `{"name": "p", "options": {"dlq": {"connectionName": "default", "db": "x", "coll": "dlq"}}, "pipeline": [
	  {"$source": {"connectionName": "default", "topic": "in"}},
	  {"$emit": {"connectionName": "default", "topic": "out"}}]}`,
		BuildEnv{Sources: map[string]connectors.Source{"default": src}, Sinks: map[string]connectors.Sink{"default": sink}, DLQ: dlq})
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	dl := dlq.docs()
	if len(dl) != 1 || getPath(dl[0], "doc.k") != "b" || getPath(dl[0], "errInfo.reason") != "MESSAGE_TOO_LARGE" || getPath(dl[0], "operatorName") != "$emit" {
		t.Fatalf("dlq %v", dl)
	}
	if len(src.at) != 1 || src.at[0] != 1 {
		t.Errorf("dead letters flushed at each commit: %v, want [1]", src.at)
	}
	if s := pr.Stats(); s.Out != 1 || s.DLQ != 1 {
		t.Errorf("stats %+v, want 1 out and 1 dead letter", s)
	}
}
