package registry

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/drivertest"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/mongodb"
)

// mockMongo makes Open's MongoDB connections clients of the driver's mock
// deployment, which answers each command with the next of replies; it
// returns the commands sent, as the command monitor saw them.
func mockMongo(t *testing.T, replies ...bson.D) func() []bson.Raw {
	t.Helper()
	md := drivertest.NewMockDeployment(replies...)
	var mu sync.Mutex
	var sent []bson.Raw
	opts := options.Client().SetMonitor(&event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, slices.Clone(e.Command))
	}})
	if err := xoptions.SetInternalClientOptions(opts, "deployment", driver.Deployment(md)); err != nil {
		t.Fatal(err)
	}
	old := mongoConnect
	mongoConnect = func(_ context.Context, cfg mongodb.Config) (*mongodb.Client, error) {
		mc, err := mongo.Connect(opts)
		if err != nil {
			return nil, err
		}
		return mongodb.NewClient(cfg, mc), nil
	}
	t.Cleanup(func() { mongoConnect = old })
	return func() []bson.Raw {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(sent)
	}
}

// openDLQ opens, through the registry, the DLQ of a processor on a mongo
// connection.
func openDLQ(t *testing.T) connectors.Sink {
	t.Helper()
	r := New()
	m, err := ParseURI("mongo", "mongodb://mock.invalid:27017/?replicaSet=rs0")
	if err != nil {
		t.Fatal(err)
	}
	r.Add(m)
	p := decode(t, `{"pipeline": [{"$source": {"documents": [{"a": 1}]}}],
		"options": {"dlq": {"connectionName": "mongo", "db": "ops", "coll": "dlq"}}}`)
	op, err := r.Open(t.Context(), p, OpenOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { op.Close() })
	if op.DLQ == nil {
		t.Fatal("no DLQ opened")
	}
	return op.DLQ
}

func letters() []connectors.Doc {
	return []connectors.Doc{
		{Doc: bson.D{{Key: "operatorName", Value: "$merge"}, {Key: "errInfo", Value: bson.D{{Key: "reason", Value: "too large"}}}}, Target: "ops.dlq"},
		{Doc: bson.D{{Key: "operatorName", Value: "$source"}, {Key: "errInfo", Value: bson.D{{Key: "reason", Value: "not a document"}}}}, Target: "ops.dlq"},
	}
}

func insertIDs(t *testing.T, cmds []bson.Raw) [][]string {
	var out [][]string
	for _, c := range cmds {
		els, _ := c.Elements()
		if len(els) == 0 || els[0].Key() != "insert" {
			continue
		}
		if c.Lookup("insert").StringValue() != "dlq" || c.Lookup("$db").StringValue() != "ops" {
			t.Errorf("insert into %s.%s, want ops.dlq", c.Lookup("$db"), c.Lookup("insert"))
		}
		vals, _ := c.Lookup("documents").Array().Values()
		var ids []string
		for _, v := range vals {
			ids = append(ids, v.Document().Lookup("_id").ObjectID().Hex())
		}
		out = append(out, ids)
	}
	return out
}

func errReply(code int32, name, msg string) bson.D {
	return bson.D{{Key: "ok", Value: 0}, {Key: "code", Value: code}, {Key: "codeName", Value: name}, {Key: "errmsg", Value: msg}}
}

func dupReply(n int, index int, keyPattern bson.D) bson.D {
	return bson.D{{Key: "ok", Value: 1}, {Key: "n", Value: n}, {Key: "writeErrors", Value: bson.A{bson.D{
		{Key: "index", Value: index}, {Key: "code", Value: 11000},
		{Key: "errmsg", Value: "E11000 duplicate key error collection: ops.dlq"}, {Key: "keyPattern", Value: keyPattern}}}}}
}

// TestOpenDLQMockRetries: the DLQ the registry opens for the runtime
// retries an insert the server failed with a retryable error, sends the
// same _ids again, and counts a duplicate key on _id in the retry (a
// letter the failed attempt wrote after all) as written.
func TestOpenDLQMockRetries(t *testing.T) {
	sent := mockMongo(t,
		errReply(91, "ShutdownInProgress", "The server is in quiesce mode and will shut down"),
		dupReply(1, 0, bson.D{{Key: "_id", Value: 1}}),
	)
	q := openDLQ(t)
	start := time.Now()
	if rej, err := q.Write(t.Context(), letters()); err != nil || len(rej) != 0 {
		t.Fatalf("rejected %v, error %v", rej, err)
	}
	if took := time.Since(start); took < 100*time.Millisecond {
		t.Errorf("retried after %s, want the backoff of 100ms", took)
	}
	ids := insertIDs(t, sent())
	if len(ids) != 2 || len(ids[0]) != 2 || !slices.Equal(ids[0], ids[1]) {
		t.Errorf("inserts sent _ids %v, want the same two letters twice", ids)
	}
}

// TestOpenDLQMockRefusals: what no retry can write fails the write,
// saying which letter and why: a duplicate key on another unique index
// even in a retry, a refusal of the first attempt, a server that keeps
// failing (bounded).
func TestOpenDLQMockRefusals(t *testing.T) {
	t.Run("other index", func(t *testing.T) {
		mockMongo(t,
			errReply(91, "ShutdownInProgress", "shutting down"),
			dupReply(1, 1, bson.D{{Key: "reason", Value: 1}}),
		)
		_, err := openDLQ(t).Write(t.Context(), letters())
		if err == nil || !strings.Contains(err.Error(), "refused 1 of 2 dead letters") || !strings.Contains(err.Error(), "letter 1") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("first attempt", func(t *testing.T) {
		sent := mockMongo(t, dupReply(1, 0, bson.D{{Key: "_id", Value: 1}}))
		_, err := openDLQ(t).Write(t.Context(), letters())
		if err == nil || !strings.Contains(err.Error(), "ops.dlq refused 1 of 2") || len(insertIDs(t, sent())) != 1 {
			t.Errorf("got %v", err)
		}
	})
	t.Run("gives up", func(t *testing.T) {
		fail := errReply(91, "ShutdownInProgress", "The server is in quiesce mode and will shut down")
		sent := mockMongo(t, slices.Repeat([]bson.D{fail}, 10)...)
		_, err := openDLQ(t).Write(t.Context(), letters())
		for _, w := range []string{`mongodb connection "mongo"`, "dead-letter queue", "ops.dlq", "giving up after 5 attempts", "quiesce mode"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v does not say %q", err, w)
			}
		}
		if n := len(insertIDs(t, sent())); n != 5 {
			t.Errorf("%d inserts, want 5", n)
		}
	})
}

// ownLetters are letters that come with their own _ids, as a caller of the
// Sink may give them.
func ownLetters() []connectors.Doc {
	return []connectors.Doc{
		{Doc: bson.D{{Key: "_id", Value: int32(7)}, {Key: "operatorName", Value: "$merge"}, {Key: "errInfo", Value: bson.D{{Key: "reason", Value: "too large"}}}}, Target: "ops.dlq"},
		{Doc: bson.D{{Key: "operatorName", Value: "$source"}, {Key: "_id", Value: int32(8)}, {Key: "errInfo", Value: bson.D{{Key: "reason", Value: "not a document"}}}}, Target: "ops.dlq"},
	}
}

func foundReply(docs ...bson.D) bson.D {
	batch := bson.A{}
	for _, d := range docs {
		batch = append(batch, d)
	}
	return bson.D{{Key: "ok", Value: 1}, {Key: "cursor", Value: bson.D{{Key: "id", Value: int64(0)}, {Key: "ns", Value: "ops.dlq"}, {Key: "firstBatch", Value: batch}}}}
}

// TestOpenDLQMockCollidingID: a letter whose own _id is already another
// letter's (one of an earlier batch, not this write's lost attempt) is
// not counted as written when the retry finds the duplicate: the write
// reads the stored document back and, as it is not this letter, fails
// naming it. When the stored document is this letter, it was written.
func TestOpenDLQMockCollidingID(t *testing.T) {
	t.Run("another letter", func(t *testing.T) {
		sent := mockMongo(t,
			errReply(91, "ShutdownInProgress", "shutting down"),
			dupReply(1, 1, bson.D{{Key: "_id", Value: 1}}),
			foundReply(bson.D{{Key: "_id", Value: int32(8)}, {Key: "operatorName", Value: "$validate"}, {Key: "errInfo", Value: bson.D{{Key: "reason", Value: "earlier"}}}}),
		)
		_, err := openDLQ(t).Write(t.Context(), ownLetters())
		if err == nil || !strings.Contains(err.Error(), "refused 1 of 2") || !strings.Contains(err.Error(), "letter 1: its _id") || !strings.Contains(err.Error(), "is already another document's") {
			t.Errorf("got %v", err)
		}
		if names := commandNames(sent()); !slices.Equal(names, []string{"insert", "insert", "find"}) {
			t.Errorf("sent %v", names)
		}
	})
	t.Run("this letter", func(t *testing.T) {
		mockMongo(t,
			errReply(91, "ShutdownInProgress", "shutting down"),
			dupReply(1, 1, bson.D{{Key: "_id", Value: 1}}),
			// As stored: the server moved _id first.
			foundReply(bson.D{{Key: "_id", Value: int32(8)}, {Key: "operatorName", Value: "$source"}, {Key: "errInfo", Value: bson.D{{Key: "reason", Value: "not a document"}}}}),
		)
		if _, err := openDLQ(t).Write(t.Context(), ownLetters()); err != nil {
			t.Error(err)
		}
	})
	t.Run("first attempt", func(t *testing.T) {
		mockMongo(t, dupReply(1, 0, bson.D{{Key: "_id", Value: 1}}))
		if _, err := openDLQ(t).Write(t.Context(), ownLetters()); err == nil || !strings.Contains(err.Error(), "letter 0") {
			t.Errorf("got %v", err)
		}
	})
}

// TestOpenDLQMockResendsOnlyFailed: when the server answers per letter,
// only the letters that failed with a retryable error are sent again; the
// others were written.
func TestOpenDLQMockResendsOnlyFailed(t *testing.T) {
	sent := mockMongo(t,
		bson.D{{Key: "ok", Value: 1}, {Key: "n", Value: 1}, {Key: "writeErrors", Value: bson.A{bson.D{
			{Key: "index", Value: 1}, {Key: "code", Value: 11602}, {Key: "errmsg", Value: "operation was interrupted because of a replica set state change"}}}}},
		bson.D{{Key: "ok", Value: 1}, {Key: "n", Value: 1}},
	)
	if _, err := openDLQ(t).Write(t.Context(), letters()); err != nil {
		t.Fatal(err)
	}
	ids := insertIDs(t, sent())
	if len(ids) != 2 || len(ids[0]) != 2 || !slices.Equal(ids[1], ids[0][1:]) {
		t.Errorf("inserts sent _ids %v, want both letters, then the second alone", ids)
	}
}

func commandNames(cmds []bson.Raw) []string {
	var out []string
	for _, c := range cmds {
		if els, _ := c.Elements(); len(els) > 0 {
			out = append(out, els[0].Key())
		}
	}
	return out
}
