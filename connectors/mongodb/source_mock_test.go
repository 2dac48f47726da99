package mongodb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// These tests run the change-stream source, as the registry opens it
// (SourceOptionsFor of a decoded $source, then OpenSource), on the
// driver's mock deployment: FerretDB has no change streams, so this and
// TestChangeStream (a real replica set) are where that path runs.

const csNS = "shop.orders"

// sourceOf decodes a $source stage and opens it on ms.
func sourceOf(t *testing.T, ms *mockServer, stage string) (*Source, error) {
	t.Helper()
	p, _, err := mql.Decode([]byte(stage))
	if err != nil {
		t.Fatal(err)
	}
	o, err := SourceOptionsFor(p.Pipeline[0].(*mql.Source))
	if err != nil {
		t.Fatal(err)
	}
	o.Logger = quiet
	return OpenSource(t.Context(), ms.client, o)
}

func mustSource(t *testing.T, ms *mockServer, stage string) *Source {
	t.Helper()
	s, err := sourceOf(t, ms, stage)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// tok is a resume token as the server makes them.
func tok(data string) bson.D { return d("_data", data) }

var (
	evTime   = bson.Timestamp{T: 1738790819, I: 1}
	evWall   = bson.NewDateTimeFromTime(time.Date(2025, 2, 5, 21, 26, 59, 313e6, time.UTC))
	evNS     = d("db", "shop", "coll", "orders")
	evInsert = d("_id", tok("8201"), "operationType", "insert", "clusterTime", evTime, "wallTime", evWall,
		"fullDocument", d("_id", 1, "sku", "a", "qty", 2), "ns", evNS, "documentKey", d("_id", 1))
	evUpdate = d("_id", tok("8202"), "operationType", "update", "clusterTime", evTime, "wallTime", evWall, "ns", evNS,
		"documentKey", d("_id", 1),
		"updateDescription", d("updatedFields", d("qty", 3), "removedFields", bson.A{}, "truncatedArrays", bson.A{}),
		"fullDocument", d("_id", 1, "sku", "a", "qty", 3),
		"fullDocumentBeforeChange", d("_id", 1, "sku", "a", "qty", 2))
	evReplace = d("_id", tok("8203"), "operationType", "replace", "clusterTime", evTime, "wallTime", evWall, "ns", evNS,
		"documentKey", d("_id", 1), "fullDocument", d("_id", 1, "sku", "b"))
	evDelete = d("_id", tok("8204"), "operationType", "delete", "clusterTime", bson.Timestamp{T: 1738790820, I: 1}, "ns", evNS,
		"documentKey", d("_id", 1), "fullDocumentBeforeChange", d("_id", 1, "sku", "b"))
)

// readWithin reads once, failing the test on an error.
func readWithin(t *testing.T, s *Source, d time.Duration) []connectors.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	msgs, err := s.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// changeStreamStage is the $changeStream stage of an aggregate command,
// and the stages after it.
func changeStreamStage(t *testing.T, agg bson.Raw) (bson.Raw, []bson.Raw) {
	t.Helper()
	vals, err := agg.Lookup("pipeline").Array().Values()
	if err != nil || len(vals) == 0 {
		t.Fatalf("aggregate without a pipeline: %s", agg)
	}
	cs, ok := vals[0].Document().Lookup("$changeStream").DocumentOK()
	if !ok {
		t.Fatalf("the pipeline does not start with $changeStream: %s", agg)
	}
	var rest []bson.Raw
	for _, v := range vals[1:] {
		rest = append(rest, v.Document())
	}
	return cs, rest
}

func raw(t *testing.T, v any) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameDoc(a, b bson.Raw) bool { return slices.Equal([]byte(a), []byte(b)) }

// TestChangeStreamMockEvents: what $source.config asks for reaches the
// server, and insert, update, replace and delete events come out as they
// came in (the ASP change event), each with its resume token, the last of
// a batch with the batch's postBatchResumeToken.
func TestChangeStreamMockEvents(t *testing.T) {
	ms := newMockServer(t, "mongo",
		cursorReply(7, csNS, "firstBatch", tok("8200")),
		cursorReply(7, csNS, "nextBatch", tok("82FF"), evInsert, evUpdate, evReplace, evDelete),
		okReply(), // killCursors
	)
	s := mustSource(t, ms, `{"$source": {"connectionName": "mongo", "db": "shop", "coll": "orders",
		"config": {"fullDocument": "updateLookup", "fullDocumentBeforeChange": "whenAvailable", "maxAwaitTimeMS": 250,
		"pipeline": [{"$match": {"operationType": {"$in": ["insert", "update", "replace", "delete"]}}}]}}}`)
	if s.Polling() || s.Notice() != "" {
		t.Fatalf("polling %v, notice %q", s.Polling(), s.Notice())
	}
	msgs := readWithin(t, s, 2*time.Second)

	aggs := ms.commands("aggregate")
	if len(aggs) != 1 || aggs[0].Lookup("aggregate").StringValue() != "orders" || aggs[0].Lookup("$db").StringValue() != "shop" {
		t.Fatalf("aggregates %v", aggs)
	}
	cs, rest := changeStreamStage(t, aggs[0])
	if !sameDoc(cs, raw(t, d("fullDocument", "updateLookup", "fullDocumentBeforeChange", "whenAvailable"))) {
		t.Errorf("$changeStream %s", cs)
	}
	if len(rest) != 1 || !sameDoc(rest[0], raw(t, d("$match", d("operationType", d("$in", bson.A{"insert", "update", "replace", "delete"}))))) {
		t.Errorf("config.pipeline after $changeStream: %v", rest)
	}
	gm := ms.commands("getMore")
	if len(gm) != 1 || gm[0].Lookup("maxTimeMS").AsInt64() != 250 || gm[0].Lookup("collection").StringValue() != "orders" {
		t.Errorf("getMores %v; want one with maxTimeMS 250", gm)
	}

	want := []bson.D{evInsert, evUpdate, evReplace, evDelete}
	if len(msgs) != len(want) {
		t.Fatalf("read %d messages, want %d", len(msgs), len(want))
	}
	for i, m := range msgs {
		if m.Format != connectors.BSON || !sameDoc(m.Value, raw(t, want[i])) {
			t.Errorf("message %d: %s, want the event as the server sent it %s", i, bson.Raw(m.Value), raw(t, want[i]))
		}
		if m.Position.Topic != csNS {
			t.Errorf("message %d: topic %q", i, m.Position.Topic)
		}
	}
	if !msgs[0].Time.Equal(evWall.Time()) {
		t.Errorf("time %v, want the wallTime %v", msgs[0].Time, evWall.Time())
	}
	if !msgs[3].Time.Equal(time.Unix(1738790820, 0)) {
		t.Errorf("time %v, want the clusterTime when there is no wallTime", msgs[3].Time)
	}
	for i, wantTok := range []bson.D{tok("8201"), tok("8202"), tok("8203"), tok("82FF")} {
		if !sameDoc(msgs[i].Position.ResumeToken, raw(t, wantTok)) {
			t.Errorf("message %d: resume token %s, want %s", i, msgs[i].Position.ResumeToken, raw(t, wantTok))
		}
	}
	if err := s.Commit(t.Context(), []connectors.Position{msgs[3].Position}); err != nil {
		t.Fatal(err)
	}
	if got := s.Committed().ResumeToken; !sameDoc(got, raw(t, tok("82FF"))) {
		t.Errorf("committed %s, want the batch's postBatchResumeToken", got)
	}
	s.Close()
	if kc := ms.commands("killCursors"); len(kc) != 1 {
		t.Errorf("Close sent %d killCursors, want 1", len(kc))
	}
	if n := ms.left(); n != 0 {
		t.Errorf("%d replies left", n)
	}
}

// TestChangeStreamMockFullDocumentOnly: only the documents come out;
// events without one (a delete, an update without updateLookup) are
// skipped, and a batch of nothing but those reads on.
func TestChangeStreamMockFullDocumentOnly(t *testing.T) {
	bare := d("_id", tok("8205"), "operationType", "update", "ns", evNS, "documentKey", d("_id", 2),
		"updateDescription", d("updatedFields", d("x", 1)))
	ms := newMockServer(t, "mongo",
		cursorReply(7, csNS, "firstBatch", tok("8200")),
		cursorReply(7, csNS, "nextBatch", tok("8206"), evDelete, bare),
		cursorReply(7, csNS, "nextBatch", tok("8299"), evInsert, evDelete, evUpdate, evReplace),
	)
	s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders", "config": {"fullDocumentOnly": true}}}`)
	msgs := readWithin(t, s, 2*time.Second)
	cs, _ := changeStreamStage(t, ms.commands("aggregate")[0])
	if !sameDoc(cs, raw(t, d())) {
		t.Errorf("$changeStream %s, want no options", cs)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, bson.Raw(m.Value).String())
	}
	var want []string
	for _, ev := range []bson.D{evInsert, evUpdate, evReplace} {
		want = append(want, raw(t, ev).Lookup("fullDocument").Document().String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("read\n%v\nwant the full documents\n%v", got, want)
	}
	if n := len(msgs); n == 3 && !sameDoc(msgs[2].Position.ResumeToken, raw(t, tok("8299"))) {
		t.Errorf("the last document's token is %s, want the batch's postBatchResumeToken", msgs[2].Position.ResumeToken)
	}
}

// TestChangeStreamMockStart: a restart from a committed position sends it
// as startAfter; config.startAfter and config.startAtOperationTime (a
// timestamp or a date) reach the server too; the scope decides the
// aggregate's target.
func TestChangeStreamMockStart(t *testing.T) {
	for _, tc := range []struct {
		name, stage string
		target      any    // the aggregate's value: a collection name, or 1
		db          string // the command's $db
		want        bson.D // the $changeStream stage
		rest        int    // stages after it
	}{
		{"startAfter", `{"$source": {"db": "shop", "coll": "orders", "config": {"startAfter": {"_data": "82FF"}}}}`,
			"orders", "shop", d("startAfter", tok("82FF")), 0},
		{"startAtOperationTime", `{"$source": {"db": "shop", "coll": "orders", "config": {"startAtOperationTime": {"$timestamp": {"t": 1738790819, "i": 4}}}}}`,
			"orders", "shop", d("startAtOperationTime", bson.Timestamp{T: 1738790819, I: 4}), 0},
		{"startAtOperationTime date", `{"$source": {"db": "shop", "coll": "orders", "config": {"startAtOperationTime": {"$date": "2024-08-19T18:00:00Z"}}}}`,
			"orders", "shop", d("startAtOperationTime", bson.Timestamp{T: uint32(time.Date(2024, 8, 19, 18, 0, 0, 0, time.UTC).Unix())}), 0},
		{"database", `{"$source": {"db": "shop"}}`, int32(1), "shop", d(), 0},
		{"collections", `{"$source": {"db": "shop", "coll": ["orders", "returns"], "config": {"pipeline": [{"$project": {"x": 0}}]}}}`, int32(1), "shop", d(), 2},
		{"cluster", `{"$source": {"config": {"fullDocument": "required"}}}`, int32(1), "admin", d("allChangesForCluster", true, "fullDocument", "required"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := newMockServer(t, "mongo", cursorReply(7, csNS, "firstBatch", tok("8200")), okReply())
			s := mustSource(t, ms, tc.stage)
			s.Close()
			aggs := ms.commands("aggregate")
			if len(aggs) != 1 {
				t.Fatalf("%d aggregates", len(aggs))
			}
			agg := aggs[0]
			if !sameDoc(agg.Lookup("aggregate").Value, raw(t, d("v", tc.target)).Lookup("v").Value) || agg.Lookup("$db").StringValue() != tc.db {
				t.Errorf("aggregate %s", agg)
			}
			cs, rest := changeStreamStage(t, agg)
			if !sameDoc(cs, raw(t, tc.want)) {
				t.Errorf("$changeStream %s, want %s", cs, raw(t, tc.want))
			}
			if len(rest) != tc.rest {
				t.Errorf("stages after $changeStream: %v", rest)
			}
			if tc.name == "collections" && (!sameDoc(rest[0], raw(t, d("$match", d("ns.coll", d("$in", bson.A{"orders", "returns"}))))) ||
				!sameDoc(rest[1], raw(t, d("$project", d("x", 0))))) {
				t.Errorf("want the collections' $match, then config.pipeline: %v", rest)
			}
		})
	}

	// A restart from what the previous run committed.
	ms := newMockServer(t, "mongo",
		cursorReply(7, csNS, "firstBatch", nil, evInsert),
		cursorReply(8, csNS, "firstBatch", nil, evUpdate),
	)
	s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders"}}`)
	msgs := readWithin(t, s, time.Second)
	if err := s.Commit(t.Context(), []connectors.Position{msgs[0].Position}); err != nil {
		t.Fatal(err)
	}
	o := SourceOptions{DB: "shop", Colls: []string{"orders"}, StartAfter: s.Committed().ResumeToken, Logger: quiet}
	s2, err := OpenSource(t.Context(), ms.client, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	cs, _ := changeStreamStage(t, ms.commands("aggregate")[1])
	if !sameDoc(cs, raw(t, d("startAfter", tok("8201")))) {
		t.Errorf("the restart's $changeStream %s, want startAfter the committed token", cs)
	}
	if msgs := readWithin(t, s2, time.Second); len(msgs) != 1 || !sameDoc(msgs[0].Position.ResumeToken, raw(t, tok("8202"))) {
		t.Errorf("after the restart read %v", msgs)
	}
}

// TestChangeStreamMockResume: a resumable error (CursorNotFound, an error
// labelled ResumableChangeStreamError, a dropped connection) makes the
// driver reopen the stream after the last token, with the same options
// and pipeline, and the source reads on without an error.
func TestChangeStreamMockResume(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail bson.D
	}{
		{"CursorNotFound", commandError(43, "CursorNotFound", "cursor id 7 not found")},
		{"labelled", commandError(6, "HostUnreachable", "host unreachable", "ResumableChangeStreamError")},
		{"network", netError()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := newMockServer(t, "mongo",
				cursorReply(7, csNS, "firstBatch", nil, evInsert), // no postBatchResumeToken: the event's _id is the token
				tc.fail,
				okReply(), // killCursors
				cursorReply(9, csNS, "firstBatch", tok("83FF"), evUpdate),
			)
			s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders", "config": {"fullDocument": "updateLookup", "pipeline": [{"$match": {"x": 1}}]}}}`)
			first := readWithin(t, s, time.Second)
			second := readWithin(t, s, time.Second)
			if len(first) != 1 || len(second) != 1 || !sameDoc(second[0].Value, raw(t, evUpdate)) {
				t.Fatalf("read %d then %d messages", len(first), len(second))
			}
			if !sameDoc(second[0].Position.ResumeToken, raw(t, tok("83FF"))) {
				t.Errorf("token %s", second[0].Position.ResumeToken)
			}
			if got, want := ms.names(), []string{"aggregate", "getMore", "killCursors", "aggregate"}; !slices.Equal(got, want) {
				t.Errorf("sent %v, want %v", got, want)
			}
			aggs := ms.commands("aggregate")
			cs, rest := changeStreamStage(t, aggs[1])
			if !sameDoc(cs, raw(t, d("fullDocument", "updateLookup", "resumeAfter", tok("8201")))) {
				t.Errorf("the resume's $changeStream %s, want resumeAfter the last event's token", cs)
			}
			if len(rest) != 1 || !sameDoc(rest[0], raw(t, d("$match", d("x", 1)))) {
				t.Errorf("the resume lost config.pipeline: %v", rest)
			}
		})
	}
}

// TestChangeStreamMockFatal: errors that can't be resumed say so, with
// what the server said and what to do.
func TestChangeStreamMockFatal(t *testing.T) {
	historyLost := commandError(286, "ChangeStreamHistoryLost", "Resume of change stream was not possible, as the resume point may no longer be in the oplog.")
	wantLost := []string{"mongodb source on shop.orders (server mock.invalid:27017)", "can't resume", "ChangeStreamHistoryLost, code 286",
		"Resume of change stream was not possible", "remove its checkpoint", "startAtOperationTime"}

	t.Run("history lost on getMore", func(t *testing.T) {
		ms := newMockServer(t, "mongo", cursorReply(7, csNS, "firstBatch", tok("8200")), historyLost, okReply())
		s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders"}}`)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := s.Read(ctx)
		for _, w := range append(wantLost, "reading the change stream") {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v does not say %q", err, w)
			}
		}
		if got := ms.commands("aggregate"); len(got) != 1 {
			t.Errorf("%d aggregates: a non-resumable error was resumed", len(got))
		}
	})
	t.Run("history lost at start", func(t *testing.T) {
		ms := newMockServer(t, "mongo", historyLost)
		_, err := sourceOf(t, ms, `{"$source": {"db": "shop", "coll": "orders", "config": {"startAfter": {"_data": "8200"}}}}`)
		for _, w := range append(wantLost, "opening the change stream") {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v does not say %q", err, w)
			}
		}
	})
	t.Run("not a replica set", func(t *testing.T) {
		standalone := commandError(40573, "Location40573", "The $changeStream stage is only supported on replica sets")
		ms := newMockServer(t, "mongo", standalone)
		_, err := sourceOf(t, ms, `{"$source": {"db": "shop", "coll": "orders"}}`)
		for _, w := range []string{"mongodb source on shop.orders", "mock.invalid:27017", "is not a replica set", "only supported on replica sets", `config.fallback: "poll"`} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v does not say %q", err, w)
			}
		}
		// With the fallback, it polls from the newest _id.
		ms = newMockServer(t, "mongo", standalone, cursorReply(0, csNS, "firstBatch", nil, d("_id", 41)))
		s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders", "config": {"fallback": "poll"}}}`)
		if !s.Polling() || !strings.Contains(s.Notice(), "is not a replica set") {
			t.Errorf("polling %v, notice %q", s.Polling(), s.Notice())
		}
	})
	t.Run("other errors", func(t *testing.T) {
		ms := newMockServer(t, "mongo", cursorReply(7, csNS, "firstBatch", tok("8200")), commandError(13, "Unauthorized", "not authorized on shop to execute command { getMore: 7 }"), okReply())
		s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders"}}`)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := s.Read(ctx)
		var ce interface{ HasErrorCode(int) bool }
		if err == nil || !strings.Contains(err.Error(), "not authorized") || !errors.As(err, &ce) || !ce.HasErrorCode(13) {
			t.Errorf("error %v; want the server's, wrapped", err)
		}
	})
}

// TestChangeStreamMockReadDeadline: a Read whose context ends (a deadline
// shorter than maxAwaitTimeMS included) returns the context's error, and
// the next Read reopens the stream after the last token instead of
// failing: the driver's change stream keeps a context error for good.
func TestChangeStreamMockReadDeadline(t *testing.T) {
	ms := newMockServer(t, "mongo",
		cursorReply(7, csNS, "firstBatch", nil, evInsert),
		waitReply(), // the getMore: nothing comes before the deadline
	)
	s := mustSource(t, ms, `{"$source": {"db": "shop", "coll": "orders", "config": {"maxAwaitTimeMS": 1000}}}`)
	if msgs := readWithin(t, s, 2*time.Second); len(msgs) != 1 {
		t.Fatalf("read %d messages", len(msgs))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if msgs, err := s.Read(ctx); !errors.Is(err, context.DeadlineExceeded) || msgs != nil {
		t.Fatalf("a read past its deadline: %v, %v", msgs, err)
	}
	ms.forget()
	// Whatever the driver sent while giving up is answered by nothing;
	// the reopen's aggregate comes next.
	ms.reply(cursorReply(9, csNS, "firstBatch", nil, evUpdate))
	msgs := readWithin(t, s, 2*time.Second)
	if len(msgs) != 1 || !sameDoc(msgs[0].Value, raw(t, evUpdate)) {
		t.Fatalf("after the deadline read %v", msgs)
	}
	aggs := ms.commands("aggregate")
	if len(aggs) == 0 {
		t.Fatal("no aggregate after the deadline")
	}
	cs, _ := changeStreamStage(t, aggs[len(aggs)-1])
	if !sameDoc(cs, raw(t, d("resumeAfter", tok("8201")))) {
		t.Errorf("reopened with %s, want resumeAfter the last token", cs)
	}
}
