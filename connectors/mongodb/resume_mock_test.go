package mongodb

import (
	"strings"
	"testing"
	"time"

	"github.com/weir-stream/weir/connectors"
)

// TestResumeFromMock: ResumeFrom's other cases. A checkpoint of a polled
// source on a server that now has change streams keeps polling after the
// saved _id; one of a change stream on a server without them fails,
// saying what to do; a checkpoint taken during the initial sync copies
// the collection again; the latest of several namespaces' tokens wins.
func TestResumeFromMock(t *testing.T) {
	pollTok := raw(t, d(pollTokenKey, 41))
	t.Run("poll position, change streams now", func(t *testing.T) {
		ms := newMockServer(t, "mongo",
			cursorReply(7, csNS, "firstBatch", tok("8200")),
			okReply(), // killCursors of the stream
			cursorReply(0, csNS, "firstBatch", nil, d("_id", 42)),
		)
		s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders"}}`)
		if err := s.ResumeFrom([]connectors.Position{{Topic: csNS, ResumeToken: pollTok}}); err != nil {
			t.Fatal(err)
		}
		msgs := readWithin(t, s, time.Second)
		if !s.Polling() || len(msgs) != 1 {
			t.Fatalf("polling %v, read %d", s.Polling(), len(msgs))
		}
		finds := ms.commands("find")
		if len(finds) != 1 || !sameDoc(finds[0].Lookup("filter").Document(), raw(t, d("_id", d("$gt", 41)))) {
			t.Errorf("finds %v, want one after _id 41", finds)
		}
	})
	t.Run("stream token, no change streams", func(t *testing.T) {
		ms := newMockServer(t, "mongo",
			commandError(40573, "Location40573", "The $changeStream stage is only supported on replica sets"),
			cursorReply(0, csNS, "firstBatch", nil, d("_id", 41)),
		)
		s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders", "config": {"fallback": "poll"}}}`)
		err := s.ResumeFrom([]connectors.Position{{Topic: csNS, ResumeToken: raw(t, tok("8201"))}})
		if err == nil || !strings.Contains(err.Error(), "remove the checkpoint") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("during the initial sync", func(t *testing.T) {
		ms := newMockServer(t, "mongo",
			cursorReply(7, csNS, "firstBatch", tok("8200")),
			cursorReply(0, csNS, "firstBatch", nil, d("_id", 1), d("_id", 2)),
		)
		s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders", "initialSync": {"enable": true}}}`)
		if err := s.ResumeFrom([]connectors.Position{{Topic: csNS, ResumeToken: raw(t, d(syncTokenKey, 1))}}); err != nil {
			t.Fatal(err)
		}
		msgs := readWithin(t, s, time.Second)
		if len(msgs) != 2 {
			t.Fatalf("read %d, want the whole copy again", len(msgs))
		}
		if !sameDoc(msgs[1].Position.ResumeToken, raw(t, d(syncTokenKey, 2))) {
			t.Errorf("sync position %s", msgs[1].Position.ResumeToken)
		}
	})
	t.Run("latest token", func(t *testing.T) {
		ms := newMockServer(t, "mongo",
			cursorReply(7, csNS, "firstBatch", tok("8200")),
			okReply(),
			cursorReply(9, csNS, "firstBatch", nil, evUpdate),
		)
		s := mustSource(t, ms, `{"$source": {"db": "shop"}}`)
		if err := s.ResumeFrom([]connectors.Position{
			{Topic: "shop.a", ResumeToken: raw(t, tok("8205"))},
			{Topic: "shop.b", ResumeToken: raw(t, tok("8209"))},
			{Topic: "shop.c", ResumeToken: raw(t, tok("8207"))},
		}); err != nil {
			t.Fatal(err)
		}
		readWithin(t, s, time.Second)
		aggs := ms.commands("aggregate")
		cs, _ := changeStreamStage(t, aggs[len(aggs)-1])
		if !sameDoc(cs, raw(t, d("startAfter", tok("8209")))) {
			t.Errorf("$changeStream %s, want startAfter the latest token", cs)
		}
	})
}
