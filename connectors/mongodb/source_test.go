package mongodb

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestSourceSaysServerHasNoChangeStreams(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	insert(t, db.Collection("c"), d("_id", 1))
	for _, o := range []SourceOptions{
		{DB: db.Name(), Colls: []string{"c"}},
		{DB: db.Name(), Colls: []string{"c"}, Fallback: FallbackNone},
		{DB: db.Name()},
		{},
	} {
		_, err := OpenSource(t.Context(), c, o)
		if err == nil {
			t.Fatalf("%+v: opened a change stream on FerretDB", o)
		}
		for _, want := range []string{"has no change streams", strings.TrimPrefix(strings.TrimSuffix(testURI, "/"), "mongodb://"), `set config.fallback: "poll"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%+v: error %q does not say %q", o, err, want)
			}
		}
	}
	if _, err := OpenSource(t.Context(), c, SourceOptions{DB: db.Name(), Colls: []string{"c"}, Fallback: "tail"}); err == nil || !strings.Contains(err.Error(), `"tail" is not one of poll, none`) {
		t.Errorf("fallback tail: %v", err)
	}
	// The fallback tails one collection only.
	_, err := OpenSource(t.Context(), c, SourceOptions{DB: db.Name(), Fallback: FallbackPoll, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "the poll fallback tails one collection") {
		t.Errorf("polling a database: %v", err)
	}
}

// read reads once with a deadline, returning the messages' documents.
func read(t *testing.T, s *Source) ([]connectors.Message, []bson.Raw) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	msgs, err := s.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []bson.Raw
	for _, m := range msgs {
		if m.Format != connectors.BSON {
			t.Errorf("message format %v, want BSON", m.Format)
		}
		out = append(out, bson.Raw(m.Value))
	}
	return msgs, out
}

func TestSourcePollFallback(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	coll := db.Collection("sales")
	insert(t, coll, d("_id", 1, "amt", 10), d("_id", 2, "amt", 20))
	var logged strings.Builder
	o := SourceOptions{DB: db.Name(), Colls: []string{"sales"}, Fallback: FallbackPoll, PollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logged, nil))}
	s, err := OpenSource(t.Context(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Polling() || !strings.Contains(s.Notice(), "has no change streams") || !strings.Contains(s.Notice(), "tailing inserts in _id order") {
		t.Errorf("notice %q", s.Notice())
	}
	if !strings.Contains(logged.String(), "tailing inserts") {
		t.Errorf("logged %q; want the notice", logged.String())
	}

	// As a change stream, it starts now: 1 and 2 are not read.
	before := time.Now().Add(-time.Second)
	insert(t, coll, d("_id", 3, "amt", 30), d("_id", 4, "amt", 40))
	msgs, evs := read(t, s)
	if len(evs) != 2 {
		t.Fatalf("read %d events, want 2", len(evs))
	}
	ev := evs[0]
	if op := ev.Lookup("operationType").StringValue(); op != "insert" {
		t.Errorf("operationType %q", op)
	}
	if fd := ev.Lookup("fullDocument").Document().String(); fd != `{"_id": {"$numberInt":"3"},"amt": {"$numberInt":"30"}}` {
		t.Errorf("fullDocument %s", fd)
	}
	if ns := ev.Lookup("ns").Document().String(); !strings.Contains(ns, `"coll": "sales"`) {
		t.Errorf("ns %s", ns)
	}
	if msgs[0].Time.Before(before) || msgs[0].Position.Topic != db.Name()+".sales" {
		t.Errorf("message time %v, position %+v", msgs[0].Time, msgs[0].Position)
	}
	if err := s.Commit(t.Context(), []connectors.Position{msgs[0].Position}); err != nil { // only 3 reached the sink
		t.Fatal(err)
	}
	s.Close()

	// A restart resumes after the last committed _id: 4 comes again, then 5.
	insert(t, coll, d("_id", 5, "amt", 50))
	o.StartAfter = s.Committed().ResumeToken
	o.FullDocumentOnly = true
	s2, err := OpenSource(t.Context(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	_, got := read(t, s2)
	var ids []string
	for _, doc := range got {
		ids = append(ids, doc.String())
	}
	want := []string{`{"_id": {"$numberInt":"4"},"amt": {"$numberInt":"40"}}`, `{"_id": {"$numberInt":"5"},"amt": {"$numberInt":"50"}}`}
	if !slices.Equal(ids, want) {
		t.Errorf("after the restart read %v, want the bare documents %v", ids, want)
	}

	// Nothing new: Read waits until its context ends.
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if msgs, err := s2.Read(ctx); !errors.Is(err, context.DeadlineExceeded) || msgs != nil {
		t.Errorf("idle read: %v, %v", msgs, err)
	}
}

func TestSourcePollInitialSync(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	insert(t, db.Collection("c"), d("_id", 2), d("_id", 1), d("_id", 3))
	s, err := OpenSource(t.Context(), c, SourceOptions{DB: db.Name(), Colls: []string{"c"}, Fallback: FallbackPoll, InitialSync: true, FullDocumentOnly: true, BatchSize: 2, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []string
	for len(got) < 3 {
		_, docs := read(t, s)
		for _, doc := range docs {
			got = append(got, doc.String())
		}
	}
	if want := []string{`{"_id": {"$numberInt":"1"}}`, `{"_id": {"$numberInt":"2"}}`, `{"_id": {"$numberInt":"3"}}`}; !slices.Equal(got, want) {
		t.Errorf("initial sync read %v, want %v", got, want)
	}
}

// TestChangeStream runs the change-stream path against a real replica set
// (WEIR_MONGODB_URI=mongodb://…/?replicaSet=rs0); FerretDB has none, and
// the driver's mock deployment (source_mock_test.go) only replays
// scripted replies. It runs what those tests script: initial sync, insert,
// update and delete events with their fields, a Read whose deadline ends
// before maxAwaitTimeMS, and a restart from the committed token.
func TestChangeStream(t *testing.T) {
	uri := os.Getenv("WEIR_MONGODB_URI")
	if uri == "" {
		t.Skip("WEIR_MONGODB_URI is not set: the change-stream path needs a real replica set; FerretDB has no change streams")
	}
	c, err := Connect(t.Context(), Config{Name: "rs", URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	db := testDB(t, c)
	coll := db.Collection("events")
	insert(t, coll, d("_id", 0, "before", true)) // creates the collection
	preImages := true
	if err := db.RunCommand(t.Context(), d("collMod", "events", "changeStreamPreAndPostImages", d("enabled", true))).Err(); err != nil {
		t.Logf("pre-images not enabled (%v); fullDocumentBeforeChange stays off", err)
		preImages = false
	}
	o := SourceOptions{DB: db.Name(), Colls: []string{"events"}, FullDocument: "updateLookup", InitialSync: true, MaxAwaitTime: 200 * time.Millisecond}
	if preImages {
		o.FullDocumentBeforeChange = "whenAvailable"
	}
	s, err := OpenSource(t.Context(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Polling() {
		t.Fatal("polling a server with change streams")
	}
	_, sync := read(t, s)
	if len(sync) != 1 || sync[0].Lookup("operationType").StringValue() != "insert" {
		t.Fatalf("initial sync read %v", sync)
	}
	// Nothing yet: a Read whose deadline is shorter than maxAwaitTimeMS
	// ends with its context, and the stream reads on after it.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	if msgs, err := s.Read(ctx); !errors.Is(err, context.DeadlineExceeded) || msgs != nil {
		t.Errorf("idle read: %v, %v", msgs, err)
	}
	cancel()
	insert(t, coll, d("_id", 1, "n", 1))
	if _, err := coll.UpdateOne(t.Context(), d("_id", 1), d("$set", d("n", 2))); err != nil {
		t.Fatal(err)
	}
	var msgs []connectors.Message
	for len(msgs) < 2 {
		m, _ := read(t, s)
		msgs = append(msgs, m...)
	}
	checkEvents(t, db.Name(), msgs, "insert", "update")
	upd := bson.Raw(msgs[1].Value)
	if n, _ := upd.Lookup("fullDocument", "n").AsInt64OK(); n != 2 {
		t.Errorf("updateLookup fullDocument: %s", upd)
	}
	if n, _ := upd.Lookup("updateDescription", "updatedFields", "n").AsInt64OK(); n != 2 {
		t.Errorf("updateDescription: %s", upd)
	}
	if n, _ := upd.Lookup("fullDocumentBeforeChange", "n").AsInt64OK(); preImages && n != 1 {
		t.Errorf("fullDocumentBeforeChange: %s", upd)
	}
	if err := s.Commit(t.Context(), []connectors.Position{msgs[0].Position}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A restart from the committed token (the insert) reads the update
	// again; under fullDocumentOnly, as its document, and a delete is
	// skipped.
	o.StartAfter = s.Committed().ResumeToken
	o.FullDocumentOnly = true
	s2, err := OpenSource(t.Context(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	m2, docs := read(t, s2)
	if len(docs) != 1 || docs[0].Lookup("n").AsInt64() != 2 {
		t.Fatalf("resumed after the insert, read %v; want the update's full document only", docs)
	}
	if err := s2.Commit(t.Context(), []connectors.Position{m2[0].Position}); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.DeleteOne(t.Context(), d("_id", 1)); err != nil {
		t.Fatal(err)
	}
	insert(t, coll, d("_id", 2))
	if _, docs := read(t, s2); len(docs) != 1 || docs[0].Lookup("_id").AsInt64() != 2 {
		t.Errorf("read %v; want the delete skipped and the insert's document", docs)
	}
	s2.Close()

	// Restarted after the update, the delete event comes as it is.
	o.StartAfter, o.FullDocumentOnly = s2.Committed().ResumeToken, false
	s3, err := OpenSource(t.Context(), c, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	m3, _ := read(t, s3)
	checkEvents(t, db.Name(), m3[:1], "delete")
	if _, ok := bson.Raw(m3[0].Value).Lookup("fullDocument").DocumentOK(); ok {
		t.Errorf("a delete with a fullDocument: %s", bson.Raw(m3[0].Value))
	}
}

// checkEvents checks a real server's events: their operationType, and
// the fields and position every event has.
func checkEvents(t *testing.T, db string, msgs []connectors.Message, ops ...string) {
	t.Helper()
	if len(msgs) < len(ops) {
		t.Fatalf("read %d events, want %v", len(msgs), ops)
	}
	for i, want := range ops {
		ev := bson.Raw(msgs[i].Value)
		if op := ev.Lookup("operationType").StringValue(); op != want {
			t.Errorf("event %d is %q, want %q", i, op, want)
		}
		if msgs[i].Position.ResumeToken == nil || msgs[i].Time.IsZero() || msgs[i].Position.Topic != db+".events" {
			t.Errorf("event %d: position %+v, time %v", i, msgs[i].Position, msgs[i].Time)
		}
		if id, _ := ev.Lookup("documentKey", "_id").AsInt64OK(); id != 1 {
			t.Errorf("event %d: documentKey in %s", i, ev)
		}
		if _, _, ok := ev.Lookup("clusterTime").TimestampOK(); !ok {
			t.Errorf("event %d: no clusterTime in %s", i, ev)
		}
		if coll, _ := ev.Lookup("ns", "coll").StringValueOK(); coll != "events" {
			t.Errorf("event %d: ns in %s", i, ev)
		}
	}
}

// $source.config.fallback reaches SourceOptions; "" leaves it to the
// connection, which the registry fills in.
func TestSourceOptionsForFallback(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`{"$source": {"db": "d", "coll": "c", "config": {"fallback": "poll"}}}`, FallbackPoll},
		{`{"$source": {"db": "d", "coll": "c", "config": {"fallback": "none"}}}`, FallbackNone},
		{`{"$source": {"db": "d", "coll": "c", "config": {"fullDocumentOnly": true}}}`, ""},
		{`{"$source": {"db": "d", "coll": "c"}}`, ""},
	} {
		p, _, err := mql.Decode([]byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		o, err := SourceOptionsFor(p.Pipeline[0].(*mql.Source))
		if err != nil {
			t.Fatal(err)
		}
		if o.Fallback != tc.want {
			t.Errorf("%s: Fallback %q, want %q", tc.src, o.Fallback, tc.want)
		}
	}
}
