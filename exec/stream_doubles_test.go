package exec

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// Test doubles of the connectors interfaces, in memory.

// stMemSource hands out msgs, chunk at a time, then io.EOF; with live set
// it blocks after the last message instead, as a quiet Kafka topic does.
type stMemSource struct {
	mu      sync.Mutex
	msgs    []connectors.Message
	chunk   int
	live    bool
	commits [][]connectors.Position
	// drained is closed once every message was handed out.
	drained chan struct{}
	// more delivers messages to a live source after it drained.
	more chan []connectors.Message
}

func newMemSource(msgs []connectors.Message, chunk int, live bool) *stMemSource {
	return &stMemSource{msgs: msgs, chunk: chunk, live: live, drained: make(chan struct{}), more: make(chan []connectors.Message, 16)}
}

func (s *stMemSource) Read(ctx context.Context) ([]connectors.Message, error) {
	s.mu.Lock()
	if len(s.msgs) > 0 {
		n := min(s.chunk, len(s.msgs))
		out := s.msgs[:n]
		s.msgs = s.msgs[n:]
		if len(s.msgs) == 0 {
			close(s.drained)
		}
		s.mu.Unlock()
		return out, nil
	}
	s.mu.Unlock()
	if !s.live {
		if s.drained != nil {
			select {
			case <-s.drained:
			default:
				close(s.drained)
			}
		}
		return nil, io.EOF
	}
	select {
	case m := <-s.more:
		return m, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *stMemSource) Commit(_ context.Context, upTo []connectors.Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits = append(s.commits, append([]connectors.Position(nil), upTo...))
	return nil
}

func (s *stMemSource) Close() error { return nil }

func (s *stMemSource) committed() [][]connectors.Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]connectors.Position(nil), s.commits...)
}

// stMemSink records what was written and flushed, by target.
type stMemSink struct {
	mu        sync.Mutex
	written   []connectors.Doc
	flushed   int // documents covered by the last successful Flush
	failFlush bool
	reject    func(connectors.Doc) string
}

func (s *stMemSink) Write(_ context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rej []connectors.Rejected
	for _, d := range docs {
		if s.reject != nil {
			if why := s.reject(d); why != "" {
				rej = append(rej, connectors.Rejected{Doc: d, Reason: why})
				continue
			}
		}
		s.written = append(s.written, d)
	}
	return rej, nil
}

func (s *stMemSink) Flush(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failFlush {
		return errors.New("disk full")
	}
	s.flushed = len(s.written)
	return nil
}

func (s *stMemSink) Close() error { return nil }

func (s *stMemSink) docs() []bson.D {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]bson.D, len(s.written))
	for i, d := range s.written {
		out[i] = d.Doc
	}
	return out
}

// stMemLookup serves a collection and counts Find calls.
type stMemLookup struct {
	docs  []bson.D
	calls int
}

func (l *stMemLookup) Find(_ context.Context, field string, values []any) ([]bson.D, error) {
	l.calls++
	var out []bson.D
	for _, d := range l.docs {
		for _, v := range values {
			if lookupMatches(v, getPath(d, field)) {
				out = append(out, d)
				break
			}
		}
	}
	return out, nil
}

func (l *stMemLookup) Close() error { return nil }

// stMsg is a Kafka-like message of topic/partition/offset holding doc.
func stMsg(topic string, part int32, off int64, doc bson.D) connectors.Message {
	b, err := bson.MarshalExtJSON(doc, true, false)
	if err != nil {
		panic(err)
	}
	return connectors.Message{Value: b, Format: connectors.ExtJSON, Position: connectors.Position{Topic: topic, Partition: part, Offset: off}}
}

// stFakeClock is an injectable processing-time clock.
type stFakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stFakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stFakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// All serves the let+pipeline form, as a file collection does.
func (l *stMemLookup) All(context.Context) ([]bson.D, error) {
	l.calls++
	return l.docs, nil
}
