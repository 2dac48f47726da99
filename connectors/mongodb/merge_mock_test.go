package mongodb

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// These tests run $merge and $lookup on the driver's mock deployment, to
// see what happens when the server fails: FerretDB never does. The $merge
// of three documents with the default actions is one update command of
// three upserts; its reply says how many matched or were upserted.

// upserted is an update command's reply when each of ids was upserted.
func upserted(ids ...int) bson.D {
	a := bson.A{}
	for i, id := range ids {
		a = append(a, d("index", i, "_id", id))
	}
	return okReply(bson.E{Key: "n", Value: len(ids)}, bson.E{Key: "nModified", Value: 0}, bson.E{Key: "upserted", Value: a})
}

// writeErrors is a reply that applied n statements and refused others.
func writeErrors(n int, errs ...bson.D) bson.D {
	a := bson.A{}
	for _, e := range errs {
		a = append(a, e)
	}
	return okReply(bson.E{Key: "n", Value: n}, bson.E{Key: "nModified", Value: n}, bson.E{Key: "writeErrors", Value: a})
}

func threeDocs() []connectors.Doc {
	return docs(d("_id", 1, "email", "a@x"), d("_id", 2, "email", "b@x"), d("_id", 3, "email", "c@x"))
}

// updateIDs lists the _ids each update command sent, one string per
// command ("1,2,3").
func updateIDs(ms *mockServer) []string {
	var out []string
	for _, c := range ms.commands("update") {
		// The statements travel as a document sequence, which the
		// monitor shows in the command as "updates".
		vals, _ := c.Lookup("updates").Array().Values()
		var ids []string
		for _, v := range vals {
			ids = append(ids, strconv.Itoa(int(v.Document().Lookup("q", "_id").AsInt64())))
		}
		out = append(out, strings.Join(ids, ","))
	}
	return out
}

func newMockMerge(t *testing.T, ms *mockServer, o MergeOptions) *Merge {
	t.Helper()
	o.DB, o.Coll = "shop", "orders"
	if o.Backoff == 0 {
		o.Backoff = 10 * time.Millisecond
	}
	m, err := NewMerge(ms.client, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMergeMockRetries: a write the server fails as a whole with a
// retryable error (a primary stepping down or shutting down, labelled
// RetryableWriteError or not, or a dropped connection) is sent again,
// after a wait, and then written: every document once, none lost.
func TestMergeMockRetries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replies []bson.D
	}{
		// Unlabelled: the driver leaves it to us.
		{"ShutdownInProgress", []bson.D{commandError(91, "ShutdownInProgress", "The server is in quiesce mode and will shut down")}},
		{"InterruptedAtShutdown", []bson.D{commandError(11600, "InterruptedAtShutdown", "interrupted at shutdown")}},
		// Labelled, or a network error: the driver retries once itself,
		// then us.
		{"PrimarySteppedDown labelled", []bson.D{
			commandError(189, "PrimarySteppedDown", "Primary stepped down while waiting for replication", "RetryableWriteError"),
			commandError(189, "PrimarySteppedDown", "Primary stepped down while waiting for replication", "RetryableWriteError")}},
		{"network", []bson.D{netError(), netError()}},
		{"write concern", []bson.D{okReply(bson.E{Key: "n", Value: 3}, bson.E{Key: "writeConcernError", Value: d("code", 91, "codeName", "ShutdownInProgress", "errmsg", "shutting down")})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := newMockServer(t, "mongo", append(tc.replies, upserted(1, 2, 3))...)
			m := newMockMerge(t, ms, MergeOptions{Backoff: 30 * time.Millisecond})
			start := time.Now()
			rej, err := m.Write(t.Context(), threeDocs())
			if err != nil || len(rej) != 0 {
				t.Fatalf("rejected %v, error %v", reasons(rej), err)
			}
			if took := time.Since(start); took < 30*time.Millisecond {
				t.Errorf("retried after %s, want a backoff of 30ms", took)
			}
			want := slices.Repeat([]string{"1,2,3"}, len(tc.replies)+1)
			if got := updateIDs(ms); !slices.Equal(got, want) {
				t.Errorf("update commands sent %q, want %q: the same three documents, once per attempt", got, want)
			}
			if n := ms.left(); n != 0 {
				t.Errorf("%d replies left", n)
			}
		})
	}
}

// TestMergeMockGivesUp: a server that keeps failing gets MaxAttempts
// tries, with growing waits, then an error naming the connection, the
// collection, the attempts and the server's message.
func TestMergeMockGivesUp(t *testing.T) {
	fail := commandError(91, "ShutdownInProgress", "The server is in quiesce mode and will shut down")
	ms := newMockServer(t, "mongo", fail, fail, fail, upserted(1, 2, 3))
	m := newMockMerge(t, ms, MergeOptions{MaxAttempts: 3, Backoff: 20 * time.Millisecond})
	start := time.Now()
	rej, err := m.Write(t.Context(), threeDocs())
	if len(rej) != 0 {
		t.Errorf("rejected %v", reasons(rej))
	}
	for _, w := range []string{`mongodb connection "mongo"`, "$merge into shop.orders", "giving up after 3 attempts", "quiesce mode", "ShutdownInProgress"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not say %q", err, w)
		}
	}
	if took := time.Since(start); took < 60*time.Millisecond {
		t.Errorf("gave up after %s; want waits of 20ms then 40ms", took)
	}
	if n := len(ms.commands("update")); n != 3 {
		t.Errorf("%d update commands, want 3", n)
	}
	if n := ms.left(); n != 1 {
		t.Errorf("%d replies left, want the success never asked for", n)
	}

	// A labelled error: the driver's own retry counts inside each attempt.
	labelled := commandError(189, "PrimarySteppedDown", "Primary stepped down", "RetryableWriteError")
	ms = newMockServer(t, "mongo", labelled, labelled, labelled, labelled)
	m = newMockMerge(t, ms, MergeOptions{MaxAttempts: 2})
	_, err = m.Write(t.Context(), threeDocs())
	if err == nil || !strings.Contains(err.Error(), "giving up after 2 attempts") || len(ms.commands("update")) != 4 {
		t.Errorf("error %v after %d updates; want to give up after 2 attempts of 2 sends", err, len(ms.commands("update")))
	}

	// An error that no retry can help fails at once.
	ms = newMockServer(t, "mongo", commandError(13, "Unauthorized", "not authorized on shop to execute command { update: \"orders\" }"))
	m = newMockMerge(t, ms, MergeOptions{})
	_, err = m.Write(t.Context(), threeDocs())
	if err == nil || !strings.Contains(err.Error(), "not authorized") || !strings.Contains(err.Error(), `mongodb connection "mongo"`) || len(ms.commands("update")) != 1 {
		t.Errorf("error %v after %d updates; want the server's, after one", err, len(ms.commands("update")))
	}
}

// TestMergeMockWriteErrors: a document the server refuses (a duplicate
// key, a failed validation) comes back rejected with the server's
// message, for the DLQ, and only it: the others were written by the same
// command, which is not sent again.
func TestMergeMockWriteErrors(t *testing.T) {
	dup := `E11000 duplicate key error collection: shop.orders index: email_1 dup key: { email: "b@x" }`
	invalid := "Document failed validation"
	ms := newMockServer(t, "mongo", writeErrors(1,
		d("index", 1, "code", 11000, "errmsg", dup),
		d("index", 2, "code", 121, "errmsg", invalid, "errInfo", d("failingDocumentId", 3, "details", d("operatorName", "$jsonSchema"))),
	))
	m := newMockMerge(t, ms, MergeOptions{})
	in := threeDocs()
	rej, err := m.Write(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 2 {
		t.Fatalf("rejected %v, want documents 2 and 3", reasons(rej))
	}
	slices.SortFunc(rej, func(a, b connectors.Rejected) int { return a.Doc.Doc[0].Value.(int) - b.Doc.Doc[0].Value.(int) })
	if rej[0].Doc.Doc[0].Value != 2 || rej[0].Reason != "$merge into shop.orders: "+dup {
		t.Errorf("rejected %v: %q; want document 2 with the server's message", rej[0].Doc.Doc, rej[0].Reason)
	}
	if rej[1].Doc.Doc[0].Value != 3 || !strings.HasPrefix(rej[1].Reason, "$merge into shop.orders: "+invalid) || !strings.Contains(rej[1].Reason, "$jsonSchema") {
		t.Errorf("rejected %v: %q; want document 3 with the server's message and details", rej[1].Doc.Doc, rej[1].Reason)
	}
	if got := updateIDs(ms); !slices.Equal(got, []string{"1,2,3"}) {
		t.Errorf("update commands sent %q, want one", got)
	}

	// A rejected document reaches the DLQ with that reason.
	ms.reply(okReply(bson.E{Key: "n", Value: 2}))
	q := NewDLQ(ms.client, "shop", "dlq", "orders")
	if err := q.Write(t.Context(), Rejections("$merge", rej)); err != nil {
		t.Fatal(err)
	}
	ins := ms.commands("insert")
	if len(ins) != 1 {
		t.Fatalf("%d inserts", len(ins))
	}
	letters, _ := ins[0].Lookup("documents").Array().Values()
	if len(letters) != 2 || letters[0].Document().Lookup("errInfo", "reason").StringValue() != "$merge into shop.orders: "+dup ||
		letters[0].Document().Lookup("doc", "_id").Int32() != 2 || letters[0].Document().Lookup("operatorName").StringValue() != "$merge" {
		t.Errorf("dead letters %v", letters)
	}
}

// TestMergeMockLostAnswer: when the answer to an insert is lost and the
// retry finds the document's own _id already there, the document counts
// as written, not as a duplicate to reject.
func TestMergeMockLostAnswer(t *testing.T) {
	ms := newMockServer(t, "mongo",
		netError(), netError(), // the insert, and the driver's retry
		writeErrors(1, d("index", 0, "code", 11000, "errmsg", "E11000 duplicate key error collection: shop.orders index: _id_")),
	)
	m := newMockMerge(t, ms, MergeOptions{})
	rej, err := m.Write(t.Context(), docs(d("x", 1), d("x", 2)))
	if err != nil || len(rej) != 0 {
		t.Fatalf("rejected %v, error %v", reasons(rej), err)
	}
	ins := ms.commands("insert")
	if len(ins) != 3 {
		t.Fatalf("%d inserts, want 3", len(ins))
	}
	first, _ := ins[0].Lookup("documents").Array().Values()
	last, _ := ins[2].Lookup("documents").Array().Values()
	if len(first) != 2 || len(last) != 2 || !sameDoc(first[0].Document(), last[0].Document()) {
		t.Errorf("the retry sent %v, want the same documents with the same _ids as %v", last, first)
	}
}

// TestLookupMockRetries: a find the server fails with a retryable error
// is retried, and one it keeps failing ends in an error naming the
// connection and the collection.
func TestLookupMockRetries(t *testing.T) {
	fail := commandError(91, "ShutdownInProgress", "The server is in quiesce mode and will shut down")
	found := cursorReply(0, "shop.customers", "firstBatch", nil, d("_id", 1, "name", "Ada"))
	ms := newMockServer(t, "mongo", fail, fail, found)
	l := NewLookup(ms.client, "shop", "customers")
	l.backoff = time.Millisecond
	got, err := l.Find(t.Context(), "_id", []any{1, 2})
	if err != nil || len(got) != 1 {
		t.Fatalf("found %v, error %v", got, err)
	}
	if n := len(ms.commands("find")); n != 3 {
		t.Errorf("%d finds, want 3", n)
	}

	ms = newMockServer(t, "mongo", slices.Repeat([]bson.D{fail}, 20)...)
	l = NewLookup(ms.client, "shop", "customers")
	l.backoff = time.Millisecond
	_, err = l.Find(t.Context(), "_id", []any{1})
	for _, w := range []string{`mongodb connection "mongo"`, "lookup in shop.customers", "quiesce mode", "attempts"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not say %q", err, w)
		}
	}
	if n := len(ms.commands("find")); n >= 20 {
		t.Errorf("%d finds: the retries are not bounded", n)
	}

	ms = newMockServer(t, "mongo", commandError(2, "BadValue", "unknown operator: $foo"))
	l = NewLookup(ms.client, "shop", "customers")
	if _, err = l.Find(t.Context(), "_id", []any{1}); err == nil || !strings.Contains(err.Error(), "unknown operator") || len(ms.commands("find")) != 1 {
		t.Errorf("error %v after %d finds; want the server's, after one", err, len(ms.commands("find")))
	}
}
