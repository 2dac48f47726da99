package pgwire

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/weir-stream/weir/exec"
)

// kafkaServer serves an engine with the given state directory and returns
// its address, a function that stops server and engine, and the engine.
func kafkaServer(t *testing.T, state string) (string, func(), *exec.Engine) {
	t.Helper()
	eng, err := exec.OpenEngine(exec.EngineConfig{StateDir: state, Tick: 100 * time.Millisecond, FlushEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Engine: eng}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		eng.Close()
	}
	t.Cleanup(stop)
	return l.Addr().String(), stop, eng
}

func produce(t *testing.T, cl *kgo.Client, topic string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		rec := &kgo.Record{Topic: topic, Value: fmt.Appendf(nil, `{"n": %d}`, i)}
		if err := cl.ProduceSync(context.Background(), rec).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// showProcessor is SHOW STREAM PROCESSORS' row for name.
func showProcessor(t *testing.T, conn *pgx.Conn, name string) (state string, in, out int64) {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SHOW STREAM PROCESSORS")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		if vals[0] == name {
			return vals[1].(string), vals[2].(int64), vals[3].(int64)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("SHOW STREAM PROCESSORS does not list %s", name)
	return
}

// TestKafkaQueryAndProcessor runs weir SQL over the wire against a Kafka
// cluster (kfake): a SELECT … LIMIT over a topic ends after its rows, and a
// stream processor writes to a topic, shows its counters, stops, and comes
// back STARTED after a restart of the engine.
func TestKafkaQueryAndProcessor(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "src", "dst"), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	broker := cluster.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	produce(t, cl, "src", 0, 5)

	state := t.TempDir()
	addr, stop, eng := kafkaServer(t, state)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString(addr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE CONNECTION k TO KAFKA (brokers = '%s')", broker)); err != nil {
		t.Fatal(err)
	}

	// (a) A query over an endless topic ends at its LIMIT.
	rows, err := conn.Query(ctx, "SELECT n::int8 AS n FROM k.src WITH (auto_offset_reset = 'earliest') LIMIT 3", pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("SELECT … LIMIT 3 returned %v", got)
	}

	// (b) A processor from src to dst.
	for _, q := range []string{
		"CREATE STREAM PROCESSOR fwd AS INSERT INTO k.dst SELECT n FROM k.src WITH (auto_offset_reset = 'earliest') WHERE n >= 1",
		"START STREAM PROCESSOR fwd",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	consumer, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.ConsumeTopics("dst"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	consume := func(want int) {
		t.Helper()
		n := 0
		for n < want && ctx.Err() == nil {
			n += len(consumer.PollFetches(ctx).Records())
		}
		if n < want {
			t.Fatalf("topic dst: %d record(s), want %d", n, want)
		}
	}
	consume(4)
	deadline := time.Now().Add(5 * time.Second)
	for {
		state, in, out := showProcessor(t, conn, "fwd")
		if state == "STARTED" && in == 5 && out == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fwd: %s, in %d, out %d; want STARTED, 5, 4", state, in, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// /metrics: the counters, the watermark and lags of a running
	// processor, in Prometheus' text format.
	var metrics strings.Builder
	WriteMetrics(&metrics, eng, time.Now())
	for _, want := range []string{
		"# TYPE weir_processor_input_total counter\n",
		`weir_processor_input_total{processor="fwd",state="STARTED"} 5` + "\n",
		`weir_processor_output_total{processor="fwd",state="STARTED"} 4` + "\n",
		`weir_processor_dlq_total{processor="fwd",state="STARTED"} 0` + "\n",
		`weir_processor_source_lag_messages{processor="fwd",state="STARTED"} 0` + "\n",
		`weir_processor_watermark_seconds{processor="fwd",state="STARTED"} `,
		`weir_processor_event_time_lag_seconds{processor="fwd",state="STARTED"} `,
	} {
		if !strings.Contains(metrics.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, metrics.String())
		}
	}
	if _, err := conn.Exec(ctx, "STOP STREAM PROCESSOR fwd"); err != nil {
		t.Fatal(err)
	}
	if state, _, _ := showProcessor(t, conn, "fwd"); state != "STOPPED" {
		t.Fatalf("after STOP: %s", state)
	}
	if _, err := conn.Exec(ctx, "START STREAM PROCESSOR fwd"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	stop()

	// A restart with the same state directory brings fwd back STARTED,
	// reading on from its committed offsets.
	addr, _, _ = kafkaServer(t, state)
	conn, err = pgx.Connect(ctx, connString(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if state, _, _ := showProcessor(t, conn, "fwd"); state != "STARTED" {
		t.Fatalf("after a restart: %s", state)
	}
	produce(t, cl, "src", 5, 6)
	consume(1)
}
