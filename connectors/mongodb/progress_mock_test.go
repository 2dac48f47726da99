package mongodb

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// progressOf waits up to two seconds for the source's progress to reach
// token, while a Read runs in another goroutine.
func progressOf(t *testing.T, s *Source, token string) connectors.Position {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		pos, ok := s.Progress()
		if ok && sameDoc(pos.ResumeToken, raw(t, tok(token))) {
			return pos
		}
		if time.Now().After(deadline) {
			t.Fatalf("progress %v %s, want the token %s", ok, pos.ResumeToken, token)
		}
		time.Sleep(time.Millisecond)
	}
}

// readInBackground starts a Read that ends with the returned cancel.
func readInBackground(t *testing.T, s *Source) (cancel func() error) {
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		msgs, err := s.Read(ctx)
		if len(msgs) > 0 {
			err = errors.New("read messages")
		}
		done <- err
	}()
	return func() error {
		stop()
		return <-done
	}
}

// TestChangeStreamMockProgress: getMores that bring no events (the
// server's config.pipeline filtered them out) still move the source's
// position, by their postBatchResumeToken, while Read waits
// (connectors.Progresser); Read withdraws it before it returns events,
// whose tokens are newer; a token already handed out is not reported
// again.
func TestChangeStreamMockProgress(t *testing.T) {
	ev := func(token string) bson.D { return append(d("_id", tok(token)), evInsert[1:]...) }
	ms := newMockServer(t, "mongo",
		cursorReply(7, csNS, "firstBatch", tok("8200")),
		cursorReply(7, csNS, "nextBatch", tok("8210")),             // nothing passed config.pipeline
		cursorReply(7, csNS, "nextBatch", tok("8220")),             // nor here
		cursorReply(7, csNS, "nextBatch", tok("8231"), ev("8231")), // an event
		cursorReply(7, csNS, "nextBatch", tok("8231")),             // no news
		cursorReply(7, csNS, "nextBatch", tok("8240")),
		cursorReply(7, csNS, "nextBatch", tok("8250")),
		waitReply(),
	)
	s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders", "config": {"pipeline": [{"$match": {"fullDocument.vip": true}}]}}}`)
	if _, ok := s.Progress(); ok {
		t.Fatal("progress before any read")
	}
	msgs := readWithin(t, s, 2*time.Second)
	if len(msgs) != 1 || !sameDoc(msgs[0].Position.ResumeToken, raw(t, tok("8231"))) {
		t.Fatalf("read %v, want the event", msgs)
	}
	if pos, ok := s.Progress(); ok {
		t.Fatalf("progress %s after Read returned an event: the event's position supersedes it", pos.ResumeToken)
	}

	cancel := readInBackground(t, s)
	pos := progressOf(t, s, "8250")
	if err := cancel(); !errors.Is(err, context.Canceled) {
		t.Fatalf("the read ended with %v", err)
	}
	if pos.Topic != csNS || pos.Offset != 0 || pos.Partition != 0 {
		t.Errorf("progress position %+v, want the collection's namespace, as its events'", pos)
	}
	if got := len(ms.commands("getMore")); got < 6 {
		t.Errorf("%d getMores, want one per scripted reply", got)
	}
	if pos, ok := s.Progress(); !ok || !sameDoc(pos.ResumeToken, raw(t, tok("8250"))) {
		t.Errorf("after the read ended: progress %v %s, want it kept", ok, pos.ResumeToken)
	}
}

// TestChangeStreamMockProgressScopes: the progress of a stream over a
// database or the cluster, whose events are one namespace each, carries
// the scope; a batch whose events fullDocumentOnly drops moves it too;
// the poll fallback has none (an _id doesn't expire).
func TestChangeStreamMockProgressScopes(t *testing.T) {
	for _, tc := range []struct {
		name, stage, topic string
		batch              []bson.D
	}{
		{"database", `{"$source": {"db": "shop"}}`, "shop.*", nil},
		{"collections", `{"$source": {"db": "shop", "coll": ["orders", "returns"]}}`, "shop.{orders,returns}", nil},
		{"cluster", `{"$source": {}}`, "*", nil},
		{"fullDocumentOnly", `{"$source": {"db": "shop", "coll": "orders", "config": {"fullDocumentOnly": true}}}`, csNS, []bson.D{evDelete}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := newMockServer(t, "mongo",
				cursorReply(7, csNS, "firstBatch", tok("8200")),
				cursorReply(7, csNS, "nextBatch", tok("8210"), tc.batch...),
				waitReply(),
			)
			s := mustSource(t, ms, tc.stage)
			cancel := readInBackground(t, s)
			pos := progressOf(t, s, "8210")
			if err := cancel(); !errors.Is(err, context.Canceled) {
				t.Fatalf("the read ended with %v", err)
			}
			if pos.Topic != tc.topic {
				t.Errorf("progress topic %q, want %q", pos.Topic, tc.topic)
			}
		})
	}
	t.Run("poll", func(t *testing.T) {
		ms := newMockServer(t, "mongo",
			commandError(40573, "Location40573", "The $changeStream stage is only supported on replica sets"),
			cursorReply(0, csNS, "firstBatch", nil, d("_id", 41)),
			cursorReply(0, csNS, "firstBatch", nil),
		)
		s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders", "config": {"fallback": "poll"}}}`)
		s.opts.PollInterval = time.Hour
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		if _, err := s.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("poll read: %v", err)
		}
		if pos, ok := s.Progress(); ok {
			t.Errorf("the poll fallback reported progress %v", pos)
		}
	})
}
