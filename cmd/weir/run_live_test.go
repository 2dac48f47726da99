package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRunLiveKafkaStopsCleanly runs `weir run` against kfake: it copies
// big orders from one topic to another until cancelled (what SIGINT
// does), then must return nil within seconds with the output flushed and
// the consumed offsets committed for group weir-<name>.
func TestRunLiveKafkaStopsCleanly(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "orders"), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range 10 {
		v := fmt.Sprintf(`{"orderId": %d, "amount": %d}`, i, i*300)
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Value: []byte(v), Partition: int32(i % 2)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	dir := writeFiles(t, t.TempDir(), map[string]string{"q.json": `[
		{"$source": {"connectionName": "k", "topic": "orders", "config": {"auto_offset_reset": "earliest"}}},
		{"$match": {"amount": {"$gt": 1000}}},
		{"$emit": {"connectionName": "k", "topic": "big"}}]`})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runRunContext(ctx, []string{"--conn", "k=kafka://" + addr, "--name", "copier", filepath.Join(dir, "q.json")}, nil, &out, &errOut)
	}()

	// Orders 4…9 have amounts over 1000.
	consumer, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics("big"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	fctx, fcancel := context.WithTimeout(ctx, 15*time.Second)
	defer fcancel()
	got := 0
	for got < 6 && fctx.Err() == nil {
		got += len(consumer.PollFetches(fctx).Records())
	}
	if got != 6 {
		t.Fatalf("topic big got %d records, want 6; stderr:\n%s", got, errOut.String())
	}

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("weir run returned %v; stderr:\n%s", err, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("weir run did not stop within 10s of the signal")
	}
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
	if s := errOut.String(); !strings.Contains(s, "copier: stopped after reading 10 document(s), writing 6, 0 to the DLQ") {
		t.Errorf("stderr should sum the run up:\n%s", s)
	}
	// Every record read was committed, so a restart starts after them.
	offs, err := kadm.NewClient(cl).FetchOffsets(t.Context(), "weir-copier")
	if err != nil {
		t.Fatal(err)
	}
	var next int64
	offs.Each(func(o kadm.OffsetResponse) { next += o.At })
	if next != 10 {
		t.Errorf("group weir-copier committed up to %d records in all, want 10: %v", next, offs)
	}
}
