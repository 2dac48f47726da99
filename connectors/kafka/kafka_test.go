package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// The tests below run against kfake, franz-go's in-process Kafka: a real
// implementation of the wire protocol (groups, offsets, SASL, configs),
// so what passes here speaks Kafka, not a mock of our own.

func newCluster(t *testing.T, opts ...kfake.Opt) (*kfake.Cluster, *Config) {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cfg, err := ParseURI("kafka://" + strings.Join(c.ListenAddrs(), ",") + "?dial_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	return c, cfg
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawClient produces records exactly as given (partition, timestamp), to
// check what the source makes of them.
func rawClient(t *testing.T, cfg *Config, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append(cfg.clientOpts(), append([]kgo.Opt{kgo.RecordPartitioner(kgo.ManualPartitioner())}, opts...)...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func produce(t *testing.T, cl *kgo.Client, rs ...*kgo.Record) {
	t.Helper()
	if err := cl.ProduceSync(testCtx(t), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func newSource(t *testing.T, cfg *Config, o SourceOptions) *Source {
	t.Helper()
	s, err := NewSource(testCtx(t), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newSink(t *testing.T, cfg *Config, o SinkOptions) *Sink {
	t.Helper()
	k, err := NewSink(testCtx(t), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

// readN reads until n messages arrived, failing after a few seconds.
func readN(t *testing.T, s *Source, n int) []connectors.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []connectors.Message
	for len(out) < n {
		ms, err := s.Read(ctx)
		if err != nil {
			t.Fatalf("read %d of %d messages: %v", len(out), n, err)
		}
		out = append(out, ms...)
	}
	return out
}

// quiet checks that nothing more arrives for a moment.
func quiet(t *testing.T, s *Source) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if ms, err := s.Read(ctx); err == nil {
		t.Errorf("unexpected messages: %v", positions(ms))
	}
}

func positions(ms []connectors.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s[%d]@%d", m.Position.Topic, m.Position.Partition, m.Position.Offset))
	}
	slices.Sort(out)
	return out
}

// TestRoundTrip writes documents with keys and headers through the sink
// and reads them back through a consumer group over three partitions.
func TestRoundTrip(t *testing.T) {
	_, cfg := newCluster(t, kfake.SeedTopics(3, "orders"))
	ctx := testCtx(t)
	k := newSink(t, cfg, SinkOptions{Topic: "orders"})
	var docs []connectors.Doc
	for i := range 30 {
		docs = append(docs, connectors.Doc{
			Doc:     bson.D{{Key: "n", Value: int32(i)}, {Key: "big", Value: int64(1) << 40}, {Key: "at", Value: bson.DateTime(1700000000000)}},
			Key:     []byte(fmt.Sprintf("cust-%d", i)),
			Headers: []connectors.Header{{Key: "trace", Value: []byte(fmt.Sprint(i))}},
		})
	}
	rej, err := k.Write(ctx, docs)
	if err != nil || len(rej) > 0 {
		t.Fatalf("write: %v %v", rej, err)
	}
	if err := k.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// A record with a timestamp of its own, produced directly.
	stamp := time.UnixMilli(1600000000123)
	produce(t, rawClient(t, cfg), &kgo.Record{Topic: "orders", Partition: 2, Timestamp: stamp, Value: []byte(`{"n": 99}`)})

	s := newSource(t, cfg, SourceOptions{Topics: []string{"orders"}, GroupID: "weir-rt", AutoOffsetReset: "earliest"})
	ms := readN(t, s, 31)
	parts := map[int32]bool{}
	seen := map[string]bool{}
	for _, m := range ms {
		parts[m.Position.Partition] = true
		if m.Format != connectors.ExtJSON {
			t.Errorf("format = %v", m.Format)
		}
		var d bson.D
		if err := bson.UnmarshalExtJSON(m.Value, false, &d); err != nil {
			t.Fatalf("value %s: %v", m.Value, err)
		}
		n := d[0].Value.(int32)
		if n == 99 {
			if !m.Time.Equal(stamp) || m.Key != nil || m.Position.Partition != 2 {
				t.Errorf("raw record: time %v key %q partition %d", m.Time, m.Key, m.Position.Partition)
			}
			continue
		}
		// Relaxed Extended JSON: a long is a plain number, a date ISO text.
		if want := fmt.Sprintf(`{"n":%d,"big":1099511627776,"at":{"$date":"2023-11-14T22:13:20Z"}}`, n); string(m.Value) != want {
			t.Errorf("value = %s, want %s", m.Value, want)
		}
		if string(m.Key) != fmt.Sprintf("cust-%d", n) || len(m.Headers) != 1 || m.Headers[0].Key != "trace" || string(m.Headers[0].Value) != fmt.Sprint(n) {
			t.Errorf("message %d: key %q headers %v", n, m.Key, m.Headers)
		}
		if time.Since(m.Time) > time.Minute || m.Time.IsZero() {
			t.Errorf("message %d: time %v is not the produce time", n, m.Time)
		}
		seen[fmt.Sprint(n)] = true
	}
	if len(parts) != 3 || len(seen) != 30 {
		t.Errorf("read partitions %v and %d distinct documents; want 3 and 30", parts, len(seen))
	}
	ps := s.Partitions()
	if len(ps) != 3 || ps[0].Topic != "orders" || ps[2].Partition != 2 || ps[0].LastRead.IsZero() || ps[0].Idle {
		t.Errorf("partitions = %+v", ps)
	}
	// Keys decode per keyFormat for $meta stream.source.key.
	if v, err := s.Key(ms[0]); err != nil {
		t.Error(err)
	} else if _, ok := v.(bson.Binary); !ok && ms[0].Key != nil {
		t.Errorf("binData key = %#v", v)
	}
}

// TestCanonicalAndTombstone checks outputFormat canonicalJson and that a
// nil document is a record with a null value.
func TestCanonicalAndTombstone(t *testing.T) {
	_, cfg := newCluster(t, kfake.SeedTopics(1, "t"))
	ctx := testCtx(t)
	k := newSink(t, cfg, SinkOptions{Topic: "t", OutputFormat: "canonicalJson", Compression: "zstd", Acks: "1"})
	if _, err := k.Write(ctx, []connectors.Doc{{Doc: bson.D{{Key: "n", Value: int32(1)}}}, {Key: []byte("gone")}}); err != nil {
		t.Fatal(err)
	}
	if err := k.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s := newSource(t, cfg, SourceOptions{Topics: []string{"t"}, AutoOffsetReset: "earliest"})
	ms := readN(t, s, 2)
	if string(ms[0].Value) != `{"n":{"$numberInt":"1"}}` {
		t.Errorf("canonical value = %s", ms[0].Value)
	}
	if ms[1].Value != nil || string(ms[1].Key) != "gone" {
		t.Errorf("tombstone = %q key %q", ms[1].Value, ms[1].Key)
	}
}

// TestAutoOffsetReset: earliest reads what is already there; latest only
// what comes after the consumer started.
func TestAutoOffsetReset(t *testing.T) {
	_, cfg := newCluster(t, kfake.SeedTopics(2, "events"))
	cl := rawClient(t, cfg)
	for i := range 4 {
		produce(t, cl, &kgo.Record{Topic: "events", Partition: int32(i % 2), Value: []byte(`{"old": true}`)})
	}
	for _, reset := range []string{"earliest", "beginning", "smallest"} {
		s := newSource(t, cfg, SourceOptions{Topics: []string{"events"}, GroupID: "g-" + reset, AutoOffsetReset: reset})
		if ms := readN(t, s, 4); len(ms) != 4 {
			t.Errorf("%s: %d messages", reset, len(ms))
		}
		s.Close()
	}
	for _, reset := range []string{"", "latest", "end", "largest"} {
		s := newSource(t, cfg, SourceOptions{Topics: []string{"events"}, GroupID: "g-latest-" + reset, AutoOffsetReset: reset})
		// The consumer settles on the end offset at some moment after
		// start; produce until something arrives, and check no old
		// record ever does.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var got []connectors.Message
		for len(got) == 0 && ctx.Err() == nil {
			produce(t, cl, &kgo.Record{Topic: "events", Partition: 1, Value: []byte(`{"old": false}`)})
			rctx, rcancel := context.WithTimeout(ctx, 200*time.Millisecond)
			got, _ = s.Read(rctx)
			rcancel()
		}
		cancel()
		if len(got) == 0 {
			t.Fatalf("%q: nothing read", reset)
		}
		for _, m := range got {
			if string(m.Value) != `{"old": false}` {
				t.Errorf("%q: read an old record %s at %v", reset, m.Value, m.Position)
			}
		}
		s.Close()
	}
	if _, err := NewSource(testCtx(t), cfg, SourceOptions{Topics: []string{"events"}, AutoOffsetReset: "oldest"}); err == nil || !strings.Contains(err.Error(), `auto_offset_reset: "oldest"`) {
		t.Errorf("error = %v", err)
	}
}

// TestCommitResumes: a new member of the group starts after the last
// committed position, not after the last one read, so what was read but
// not yet written is read again (at-least-once).
func TestCommitResumes(t *testing.T) {
	_, cfg := newCluster(t, kfake.SeedTopics(3, "pay"))
	cl := rawClient(t, cfg)
	var rs []*kgo.Record
	for p := range int32(3) {
		for i := range 10 {
			rs = append(rs, &kgo.Record{Topic: "pay", Partition: p, Value: fmt.Appendf(nil, `{"i": %d}`, i)})
		}
	}
	produce(t, cl, rs...)
	ctx := testCtx(t)

	a := newSource(t, cfg, SourceOptions{Topics: []string{"pay"}, GroupID: "weir-pay", AutoOffsetReset: "earliest"})
	readN(t, a, 30)
	// Only offsets 0..4 of each partition reached the sink; a stale
	// commit (offset 1) after it must not move the group back, and a
	// partition this member doesn't own is left alone.
	up := []connectors.Position{{Topic: "pay", Partition: 0, Offset: 4}, {Topic: "pay", Partition: 1, Offset: 4}, {Topic: "pay", Partition: 2, Offset: 3}, {Topic: "pay", Partition: 2, Offset: 4}, {Topic: "pay", Partition: 7, Offset: 100}}
	if err := a.Commit(ctx, up); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(ctx, []connectors.Position{{Topic: "pay", Partition: 0, Offset: 1}}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	lags, err := kadm.NewClient(cl).FetchOffsets(ctx, "weir-pay")
	if err != nil {
		t.Fatal(err)
	}
	for p := range int32(3) {
		if o, _ := lags.Lookup("pay", p); o.At != 5 {
			t.Errorf("committed offset of pay[%d] = %d, want 5", p, o.At)
		}
	}

	b := newSource(t, cfg, SourceOptions{Topics: []string{"pay"}, GroupID: "weir-pay", AutoOffsetReset: "latest"})
	ms := readN(t, b, 15)
	for _, m := range ms {
		if m.Position.Offset < 5 {
			t.Errorf("re-read %v, which was committed", m.Position)
		}
	}
	quiet(t, b)
}

// TestSourceWithoutGroup reads every partition and commits nothing.
func TestSourceWithoutGroup(t *testing.T) {
	_, cfg := newCluster(t, kfake.SeedTopics(3, "a"), kfake.SeedTopics(1, "b"))
	cl := rawClient(t, cfg)
	produce(t, cl, &kgo.Record{Topic: "a", Partition: 0, Value: []byte(`{}`)}, &kgo.Record{Topic: "a", Partition: 2, Value: []byte(`{}`)}, &kgo.Record{Topic: "b", Value: []byte(`{}`)})
	s := newSource(t, cfg, SourceOptions{Topics: []string{"a", "b"}, AutoOffsetReset: "earliest", PartitionIdleTimeout: 50 * time.Millisecond})
	ms := readN(t, s, 3)
	if got := positions(ms); !slices.Equal(got, []string{"a[0]@0", "a[2]@0", "b[0]@0"}) {
		t.Errorf("read %v", got)
	}
	if err := s.Commit(testCtx(t), []connectors.Position{ms[0].Position}); err != nil {
		t.Error(err)
	}
	time.Sleep(60 * time.Millisecond)
	ps := s.Partitions()
	if len(ps) != 4 {
		t.Fatalf("partitions = %+v", ps)
	}
	for _, p := range ps {
		if !p.Idle {
			t.Errorf("%s[%d] not idle after the timeout", p.Topic, p.Partition)
		}
	}
}

// TestSinkRejected: a record the broker refuses for its size comes back
// as Rejected with the broker's reason, and the others get through.
func TestSinkRejected(t *testing.T) {
	_, cfg := newCluster(t, kfake.SeedTopics(1, "out"), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	ctx := testCtx(t)
	adm := kadm.NewClient(rawClient(t, cfg))
	limit := "2000"
	for _, topic := range []string{"small", "out2"} {
		if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"max.message.bytes": &limit}, topic); err != nil {
			t.Fatal(err)
		}
	}
	big := bson.D{{Key: "blob", Value: strings.Repeat("x", 5000)}}
	small := bson.D{{Key: "ok", Value: true}}

	// To a topic computed per document: the broker decides.
	k := newSink(t, cfg, SinkOptions{Topic: "out"})
	rej, err := k.Write(ctx, []connectors.Doc{
		{Doc: small},
		{Doc: big, Target: "small"},
		{Doc: small, Target: "bad/topic"},
		{Doc: small, Target: "auto-created"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rej = append(rej, k.Rejected()...)
	reasons := map[string]string{}
	for _, r := range rej {
		reasons[r.Doc.Target] = r.Reason
	}
	if len(rej) != 2 || !strings.Contains(reasons["small"], "MESSAGE_TOO_LARGE") || !strings.Contains(reasons["bad/topic"], `has '/'`) {
		t.Errorf("rejected = %+v", rej)
	}

	// To the $emit's own topic, whose limit the sink reads at start: the
	// big record is refused alone, its neighbours go through.
	k2 := newSink(t, cfg, SinkOptions{Topic: "out2"})
	rej, err = k2.Write(ctx, []connectors.Doc{{Doc: small}, {Doc: big}, {Doc: small}})
	if err != nil {
		t.Fatal(err)
	}
	if err := k2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rej = append(rej, k2.Rejected()...)
	if len(rej) != 1 || !strings.Contains(rej[0].Reason, "MESSAGE_TOO_LARGE") || len(rej[0].Doc.Doc[0].Value.(string)) != 5000 {
		t.Errorf("rejected = %+v", rej)
	}
	s := newSource(t, cfg, SourceOptions{Topics: []string{"out", "out2", "auto-created"}, AutoOffsetReset: "earliest"})
	if got := positions(readN(t, s, 4)); !slices.Equal(got, []string{"auto-created[0]@0", "out2[0]@0", "out2[0]@1", "out[0]@0"}) {
		t.Errorf("written: %v", got)
	}
}

// TestBoundedBuffer: with a buffer of one record, Write waits for each
// acknowledgement, and gives up when its context ends.
func TestBoundedBuffer(t *testing.T) {
	c, cfg := newCluster(t, kfake.SeedTopics(1, "slow"))
	ctx := testCtx(t)
	k := newSink(t, cfg, SinkOptions{Topic: "slow", MaxBufferedRecords: 1, Linger: -1})
	// Hold every produce request until released.
	release := make(chan struct{})
	c.ControlKey(0, func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		c.SleepControl(func() { <-release })
		return nil, nil, false
	})
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err := k.Write(wctx, []connectors.Doc{{Doc: bson.D{{Key: "a", Value: 1}}}, {Doc: bson.D{{Key: "b", Value: 2}}}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("write with a full buffer: %v, want the context's deadline", err)
	}
	close(release)
	if err := k.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Write(ctx, []connectors.Doc{{Doc: bson.D{{Key: "c", Value: 3}}}, {Doc: bson.D{{Key: "d", Value: 4}}}}); err != nil {
		t.Fatal(err)
	}
	if err := k.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s := newSource(t, cfg, SourceOptions{Topics: []string{"slow"}, AutoOffsetReset: "earliest"})
	if got := positions(readN(t, s, 3)); len(got) != 3 {
		t.Errorf("written: %v", got)
	}
}

// TestStartupFailures: no broker, a missing topic, a topic the broker
// won't create: each fails at once, naming the address.
func TestStartupFailures(t *testing.T) {
	cfg, err := ParseURI("kafka://127.0.0.1:1?dial_timeout=1s")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = NewSource(context.Background(), cfg, SourceOptions{Topics: []string{"x"}, GroupID: "g", ConnectTimeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "kafka: no broker reachable at 127.0.0.1:1 within 2s: ") || !strings.Contains(err.Error(), "dial tcp") {
		t.Errorf("source error = %v", err)
	}
	cfg.Name = "prod"
	_, err = NewSink(context.Background(), cfg, SinkOptions{Topic: "x"})
	if err == nil || !strings.Contains(err.Error(), `no broker reachable at connection "prod" at 127.0.0.1:1 within 1s`) {
		t.Errorf("sink error = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("failing took %s", d)
	}

	_, cfg = newCluster(t, kfake.SeedTopics(1, "here"))
	_, err = NewSource(testCtx(t), cfg, SourceOptions{Topics: []string{"here", "nope"}, GroupID: "g"})
	if err == nil || !strings.Contains(err.Error(), `no partitions found: topic "nope" does not exist at 127.0.0.1:`) {
		t.Errorf("missing topic: %v", err)
	}
	_, err = NewSink(testCtx(t), cfg, SinkOptions{Topic: "nope"})
	if err == nil || !strings.Contains(err.Error(), `topic "nope" does not exist at 127.0.0.1:`) || !strings.Contains(err.Error(), "does not create topics automatically") {
		t.Errorf("missing sink topic: %v", err)
	}
	s := newSource(t, cfg, SourceOptions{Topics: []string{"made"}, CreateTopics: true, AutoOffsetReset: "earliest"})
	if len(s.Partitions()) == 0 {
		t.Errorf("created topic has no partitions")
	}
	for _, o := range []SinkOptions{{Acks: "2"}, {Compression: "brotli"}, {OutputFormat: "basicJson"}, {Topic: "a b"}} {
		if _, err := NewSink(testCtx(t), cfg, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// TestSASL connects with each mechanism kfake implements, the password
// read from the environment, and fails clearly with a wrong one.
func TestSASL(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "s"), kfake.EnableSASL(),
		kfake.Superuser(Plain, "alice", "pw-plain"),
		kfake.Superuser(ScramSHA256, "bob", "pw-256"),
		kfake.Superuser(ScramSHA512, "carol", "pw-512"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]
	for _, tc := range []struct{ mech, user, pass string }{
		{Plain, "alice", "pw-plain"}, {ScramSHA256, "bob", "pw-256"}, {ScramSHA512, "carol", "pw-512"},
	} {
		t.Run(tc.mech, func(t *testing.T) {
			t.Setenv("WEIR_TEST_SASL_PASS", tc.pass)
			cfg, err := ParseURI(fmt.Sprintf("kafka://%s?sasl_mechanism=%s&sasl_username=%s&sasl_password=env:WEIR_TEST_SASL_PASS&dial_timeout=2s", addr, tc.mech, tc.user))
			if err != nil {
				t.Fatal(err)
			}
			ctx := testCtx(t)
			k := newSink(t, cfg, SinkOptions{Topic: "s"})
			if _, err := k.Write(ctx, []connectors.Doc{{Doc: bson.D{{Key: "by", Value: tc.user}}}}); err != nil {
				t.Fatal(err)
			}
			if err := k.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			s := newSource(t, cfg, SourceOptions{Topics: []string{"s"}, GroupID: "g-" + tc.user, AutoOffsetReset: "earliest"})
			readN(t, s, 1)

			bad, _ := ParseURI(fmt.Sprintf("kafka://%s?sasl_mechanism=%s&sasl_username=%s&sasl_password=Zq9-not-it&dial_timeout=2s", addr, tc.mech, tc.user))
			_, err = NewSource(ctx, bad, SourceOptions{Topics: []string{"s"}, GroupID: "g"})
			if err == nil || !strings.Contains(err.Error(), "SASL "+tc.mech+` authentication as "`+tc.user+`" failed at `+addr) || strings.Contains(err.Error(), "Zq9-not-it") {
				t.Errorf("wrong password: %v", err)
			}
		})
	}
}

// TestSourceLag: Lag is unknown before the first fetch, counts the records
// behind the partitions' high watermarks while the source is behind, and
// is 0 once it has read everything.
func TestSourceLag(t *testing.T) {
	_, cfg := newCluster(t, kfake.SeedTopics(1, "big"))
	cl := rawClient(t, cfg)
	const n = 700
	value := []byte(`{"pad": "` + strings.Repeat("x", 100_000) + `"}`)
	var rs []*kgo.Record
	for range n {
		rs = append(rs, &kgo.Record{Topic: "big", Value: value})
	}
	produce(t, cl, rs...)
	s := newSource(t, cfg, SourceOptions{Topics: []string{"big"}, AutoOffsetReset: "earliest"})
	if lag, ok := s.Lag(); ok {
		t.Fatalf("lag before reading = %d, known", lag)
	}
	// A fetch returns at most about 50 MB (franz-go's default
	// FetchMaxBytes), so the first Read leaves some of the 70 MB behind.
	first, err := s.Read(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	lag, ok := s.Lag()
	if !ok || lag != int64(n-len(first)) || lag == 0 {
		t.Fatalf("after reading %d of %d: lag = %d, %v; want %d", len(first), n, lag, ok, n-len(first))
	}
	readN(t, s, n-len(first))
	if lag, ok := s.Lag(); !ok || lag != 0 {
		t.Fatalf("after reading everything: lag = %d, %v", lag, ok)
	}
}
