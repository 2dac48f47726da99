package main

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// syncBuffer is a bytes.Buffer the playground's goroutines can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPlaygroundRunsTheSeeds starts the whole playground in-process on
// free ports, waits until both processors have produced output — records
// in customer-spending, documents in store.highValueSales — then stops it
// as Ctrl-C does and expects a clean, prompt shutdown.
func TestPlaygroundRunsTheSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Kafka and MongoDB-wire servers")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	ready := make(chan playgroundInfo, 1)
	done := make(chan error, 1)
	cfg := playgroundConfig{dataDir: t.TempDir(), kafka: "127.0.0.1:0", mongo: "127.0.0.1:0", pg: "127.0.0.1:0", rate: 20, pollInterval: 100 * time.Millisecond}
	go func() { done <- playground(ctx, cfg, &out, &errOut, func(i playgroundInfo) { ready <- i }) }()
	var info playgroundInfo
	select {
	case info = <-ready:
	case err := <-done:
		t.Fatalf("playground ended before it was ready: %v\nstderr:\n%s", err, errOut.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("playground not ready after 20s; stderr:\n%s", errOut.String())
	}

	// customer-spending: the join and the running sum reached Kafka.
	cl, err := kgo.NewClient(kgo.SeedBrokers(info.Kafka), kgo.ConsumeTopics("customer-spending"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fctx, fcancel := context.WithTimeout(ctx, 15*time.Second)
	defer fcancel()
	var rec *kgo.Record
	for rec == nil && fctx.Err() == nil {
		fetches := cl.PollFetches(fctx)
		if recs := fetches.Records(); len(recs) > 0 {
			rec = recs[0]
		}
	}
	if rec == nil {
		t.Fatalf("no record in customer-spending within 15s; stderr:\n%s", errOut.String())
	}
	var doc bson.D
	if err := bson.UnmarshalExtJSON(rec.Value, false, &doc); err != nil {
		t.Fatalf("customer-spending record %q: %v", rec.Value, err)
	}
	for _, f := range []string{"customerId", "customerName", "totalSpent", "windowEnd"} {
		if docGet(doc, f) == nil {
			t.Errorf("customer-spending record lacks %s: %s", f, rec.Value)
		}
	}

	// store.highValueSales: the poll fallback and $merge reached MongoDB.
	mc, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + info.Mongo + "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Disconnect(context.Background())
	high := mc.Database("store").Collection("highValueSales")
	var n int64
	for deadline := time.Now().Add(15 * time.Second); n == 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		if n, err = high.CountDocuments(ctx, bson.D{}); err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatalf("store.highValueSales still empty after 15s; stderr:\n%s", errOut.String())
	}
	var low bson.D
	if err := high.FindOne(ctx, bson.D{{Key: "amount", Value: bson.D{{Key: "$lte", Value: 1000}}}}).Decode(&low); err == nil {
		t.Errorf("store.highValueSales holds a sale of 1000 or less: %v", low)
	}

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("playground stopped with %v; stderr:\n%s", err, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("playground did not stop within 10s of cancel")
	}
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
	for _, s := range []string{"kcat -b " + info.Kafka, "psql -h 127.0.0.1 -p", "mongodb://" + info.Mongo, "high-value-sales   read"} {
		if !bytes.Contains([]byte(out.String()), []byte(s)) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}
