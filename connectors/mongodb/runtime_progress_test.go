package mongodb_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/mongodb"
	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/planner/mql"
)

// checkpointTokens reads the resume tokens' _data of the checkpoint in
// dir, by namespace ("" while there is none).
func checkpointTokens(t *testing.T, dir string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "checkpoint.bson"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	parts, err := bson.Raw(b).Lookup("parts").Array().Values()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range parts {
		doc := p.Document()
		data, _ := doc.Lookup("resumeToken", "_data").StringValueOK()
		out[doc.Lookup("topic").StringValue()] = data
	}
	return out
}

// TestRuntimeCheckpointsProgressOfAQuietStream: after one event, the
// server's config.pipeline filters out everything for a while: weir
// receives no event, but each getMore's reply carries a newer
// postBatchResumeToken. The runtime's checkpoints follow them, so a
// restart sends startAfter the latest (which the oplog still holds),
// not the last event's token.
func TestRuntimeCheckpointsProgressOfAQuietStream(t *testing.T) {
	const pipeline = `[{"$source": {"connectionName": "mongo", "db": "shop", "coll": "orders",
	    "config": {"pipeline": [{"$match": {"fullDocument.vip": true}}]}}},
	  {"$project": {"_id": 0, "k": "$documentKey._id"}}]`
	dir := t.TempDir()
	p, _, err := mql.Decode([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	open := func(ms *mongodb.MockServer) *mongodb.Source {
		o, err := mongodb.SourceOptionsFor(p.Pipeline[0].(*mql.Source))
		if err != nil {
			t.Fatal(err)
		}
		o.Logger = mongodb.Quiet
		s, err := mongodb.OpenSource(t.Context(), ms.Client, o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	start := func(src connectors.Source, out *memSink) (stop func()) {
		pr, err := exec.Build(p, exec.BuildEnv{Sources: map[string]connectors.Source{"mongo": src}, Output: out,
			CheckpointDir: dir, CheckpointEvery: 10 * time.Millisecond, FlushEvery: 10 * time.Millisecond, Tick: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- pr.Run(ctx) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	}

	ms := mongodb.NewMockServer(t, "mongo",
		mongodb.CursorReply(7, csNS, "firstBatch", d("_data", "8200")),
		mongodb.CursorReply(7, csNS, "nextBatch", d("_data", "8210"), insertEvent("8201", 1)),
		// What the server filtered out never reaches weir; its replies
		// still say how far the stream got.
		mongodb.CursorReply(7, csNS, "nextBatch", d("_data", "8220")),
		mongodb.CursorReply(7, csNS, "nextBatch", d("_data", "8230")),
		mongodb.CursorReply(7, csNS, "nextBatch", d("_data", "8240")),
		mongodb.WaitReply(),
	)
	src := open(ms)
	out := &memSink{}
	stop := start(src, out)
	deadline := time.Now().Add(5 * time.Second)
	for checkpointTokens(t, dir)[csNS] != "8240" {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("the checkpoint holds %v, want the last postBatchResumeToken 8240 (getMores sent: %d)", checkpointTokens(t, dir), len(ms.Commands("getMore")))
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	src.Close()
	if got := out.values("k"); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("the processor wrote %v, want only the event that passed [1]", got)
	}
	if got := checkpointTokens(t, dir); len(got) != 1 || got[csNS] != "8240" {
		t.Fatalf("after the stop the checkpoint holds %v, want %s at 8240", got, csNS)
	}
	if got := src.Committed().ResumeToken; got.Lookup("_data").StringValue() != "8240" {
		t.Errorf("committed %s, want the progress 8240", got)
	}

	// The restart resumes after the latest token.
	ms2 := mongodb.NewMockServer(t, "mongo",
		mongodb.CursorReply(7, csNS, "firstBatch", d("_data", "8300")),
		mongodb.OkReply(), // killCursors of the stream opened now
		mongodb.CursorReply(9, csNS, "firstBatch", d("_data", "8310"), insertEvent("8303", 3)),
		mongodb.WaitReply(),
	)
	src2 := open(ms2)
	out2 := &memSink{}
	runUntil(t, pipeline, src2, dir, out2, 1, 50*time.Millisecond)
	src2.Close()
	if got := out2.values("k"); !slices.Equal(got, []string{"3"}) {
		t.Errorf("after the restart the processor wrote %v, want [3]", got)
	}
	// startAfter the last postBatchResumeToken.
	wantStartAfter(t, ms2, "8240")
}
