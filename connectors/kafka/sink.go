package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// SinkOptions are a Kafka $emit's options.
type SinkOptions struct {
	// Topic is where documents without a Target go; it may be empty when
	// every document names its own (a topic expression).
	Topic string
	// Acks is ASP's acks: "all" or "-1" (the default), "1" or "0".
	Acks string
	// Compression is none (the default), gzip, snappy, lz4 or zstd.
	Compression string
	// OutputFormat is relaxedJson (the default) or canonicalJson.
	OutputFormat string
	// MaxBufferedRecords bounds the records written and not yet
	// acknowledged; Write blocks when it is reached, so a slow broker
	// slows the pipeline down instead of growing memory. Default 10,000.
	MaxBufferedRecords int
	// Linger is how long a partition's batch waits for more records;
	// default 5ms, as ASP. Negative sends at once.
	Linger time.Duration
	// ConnectTimeout bounds the start-up check; zero is the connection's
	// dial_timeout.
	ConnectTimeout time.Duration
}

const defaultMaxBuffered = 10_000

func (o *SinkOptions) validate() error {
	if o.Topic != "" {
		if err := checkTopic(o.Topic); err != nil {
			return err
		}
	}
	switch o.Acks {
	case "", "all", "-1", "0", "1":
	default:
		return fmt.Errorf("kafka: acks: %q is not one of all, -1, 0, 1", o.Acks)
	}
	if _, ok := compressions[o.Compression]; !ok {
		return fmt.Errorf("kafka: compression_type: %q is not one of none, gzip, snappy, lz4, zstd", o.Compression)
	}
	switch o.OutputFormat {
	case "", "relaxedJson", "canonicalJson":
	default:
		return fmt.Errorf("kafka: outputFormat: %q is not relaxedJson or canonicalJson", o.OutputFormat)
	}
	if o.MaxBufferedRecords < 0 {
		return fmt.Errorf("kafka: MaxBufferedRecords must not be negative, found %d", o.MaxBufferedRecords)
	}
	return nil
}

var compressions = map[string]kgo.CompressionCodec{
	"":       kgo.NoCompression(),
	"none":   kgo.NoCompression(),
	"gzip":   kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
	"zstd":   kgo.ZstdCompression(),
}

// Sink writes documents to Kafka as a connectors.Sink. Write hands records
// to the client and returns; acknowledgements arrive later, so a record the
// broker refuses for its own sake (too large, a bad topic name) is
// reported by a later Write, or by Rejected after Flush. Any other produce
// failure fails the sink: the next Write or Flush returns it, and the
// engine restarts from its last checkpoint, which re-sends the lost
// records (at-least-once).
type Sink struct {
	cfg       *Config
	opts      SinkOptions
	cl        *kgo.Client
	canonical bool
	window    *window
	// recCtx outlives any one Write: a record already buffered must not
	// fail because the Write call that produced it returned.
	recCtx context.Context
	cancel context.CancelFunc
	// topicMax is the default topic's max.message.bytes, read at start;
	// zero when unknown. Atomic: franz-go reads it while checkTopic sets it.
	topicMax atomic.Int32

	mu       sync.Mutex
	rejected []connectors.Rejected
	failure  error
	closed   bool
}

var _ connectors.Sink = (*Sink)(nil)

// NewSink connects within opts.ConnectTimeout and checks that the default
// topic exists or that the broker creates it.
func NewSink(ctx context.Context, cfg *Config, opts SinkOptions) (*Sink, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	k := &Sink{cfg: cfg, opts: opts, canonical: opts.OutputFormat == "canonicalJson"}
	limit := cmp.Or(opts.MaxBufferedRecords, defaultMaxBuffered)
	k.window = newWindow(limit)
	linger := cmp.Or(opts.Linger, 5*time.Millisecond)
	kopts := []kgo.Opt{
		kgo.AllowAutoTopicCreation(),
		kgo.ProducerBatchCompression(compressions[opts.Compression]),
		kgo.ProducerLinger(max(linger, 0)),
		// The window bounds what is buffered, and unlike franz-go's own
		// bound it stops waiting when the Write's context ends; franz-go's
		// is set to match so it never blocks first.
		kgo.MaxBufferedRecords(limit),
	}
	switch opts.Acks {
	case "0":
		kopts = append(kopts, kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite())
	case "1":
		kopts = append(kopts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	default:
		kopts = append(kopts, kgo.RequiredAcks(kgo.AllISRAcks()))
	}
	if opts.Topic != "" {
		kopts = append(kopts, kgo.ProducerBatchMaxBytesFn(k.batchLimit))
	}
	cl, err := cfg.connect(ctx, opts.ConnectTimeout, kopts...)
	if err != nil {
		return nil, err
	}
	k.cl = cl
	if opts.Topic != "" {
		if err := k.checkTopic(ctx); err != nil {
			cl.Close()
			return nil, err
		}
	}
	k.recCtx, k.cancel = context.WithCancel(context.Background())
	return k, nil
}

// defaultBatchMax is franz-go's default batch limit.
var defaultBatchMax int32 = 1_000_012 // franz-go's default

// batchLimit keeps batches for the default topic within that topic's
// max.message.bytes. Otherwise a broker refusing an oversized batch fails
// every record in it, the small ones too; with the limit, a record too
// large on its own is refused by the client, alone.
func (k *Sink) batchLimit(topic string) int32 {
	if m := k.topicMax.Load(); topic == k.opts.Topic && m > 0 {
		return min(m, defaultBatchMax)
	}
	return defaultBatchMax
}

// checkTopic asks for the default topic's metadata the way a producer
// does, so a broker that creates topics creates it now, and one that
// doesn't fails start-up rather than every record.
func (k *Sink) checkTopic(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(k.opts.ConnectTimeout, k.cfg.DialTimeout))
	defer cancel()
	t := k.opts.Topic
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = &t
	req.Topics = append(req.Topics, rt)
	req.AllowAutoTopicCreation = true
	resp, err := req.RequestWith(ctx, k.cl)
	if err != nil {
		return fmt.Errorf("kafka: metadata of topic %q at %s: %w", t, k.cfg.where(), err)
	}
	for _, rt := range resp.Topics {
		err := kerr.ErrorForCode(rt.ErrorCode)
		switch {
		case errors.Is(err, kerr.UnknownTopicOrPartition):
			return fmt.Errorf("kafka: topic %q does not exist at %s, and the broker does not create topics automatically", t, k.cfg.where())
		case err != nil && !errors.Is(err, kerr.LeaderNotAvailable): // just created
			return fmt.Errorf("kafka: topic %q at %s: %w", t, k.cfg.where(), err)
		}
	}
	// Best effort: without the limit, batches use franz-go's default.
	if cfgs, err := kadm.NewClient(k.cl).DescribeTopicConfigs(ctx, t); err == nil {
		if rc, err := cfgs.On(t, nil); err == nil {
			for _, c := range rc.Configs {
				if c.Key == "max.message.bytes" && c.Value != nil {
					if n, err := strconv.ParseInt(*c.Value, 10, 32); err == nil {
						k.topicMax.Store(int32(n))
					}
				}
			}
		}
	}
	return nil
}

// Write produces each document as Extended JSON to its Target, or to the
// default topic, with its Key and Headers; a nil Doc (not an empty one) is
// a tombstone, a record with a null value, for tombstoneWhen. It blocks
// while MaxBufferedRecords records await acknowledgement. The rejected it
// returns are this call's documents refused at once and earlier calls'
// documents refused since.
func (k *Sink) Write(ctx context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	if err := k.err(); err != nil {
		return k.takeRejected(), err
	}
	var now []connectors.Rejected
	for _, d := range docs {
		topic := cmp.Or(d.Target, k.opts.Topic)
		if topic == "" {
			now = append(now, connectors.Rejected{Doc: d, Reason: "no topic: the document has no target and the $emit no default topic"})
			continue
		}
		if err := checkTopic(topic); err != nil {
			now = append(now, connectors.Rejected{Doc: d, Reason: err.Error()})
			continue
		}
		var value []byte
		if d.Doc != nil {
			var err error
			if value, err = bson.MarshalExtJSON(d.Doc, k.canonical, false); err != nil {
				now = append(now, connectors.Rejected{Doc: d, Reason: fmt.Sprintf("cannot write the document as Extended JSON: %v", err)})
				continue
			}
		}
		r := &kgo.Record{Topic: topic, Key: d.Key, Value: value}
		if len(d.Headers) > 0 {
			r.Headers = make([]kgo.RecordHeader, len(d.Headers))
			for i, h := range d.Headers {
				r.Headers[i] = kgo.RecordHeader{Key: h.Key, Value: h.Value}
			}
		}
		if err := k.window.acquire(ctx); err != nil {
			return append(now, k.takeRejected()...), err
		}
		k.cl.Produce(k.recCtx, r, k.promise(d))
	}
	return append(now, k.takeRejected()...), k.err()
}

// promise files a produce result: a refusal that is the record's own fault
// is a Rejected for the DLQ, anything else fails the sink.
func (k *Sink) promise(d connectors.Doc) func(*kgo.Record, error) {
	return func(r *kgo.Record, err error) {
		defer k.window.release()
		if err == nil {
			return
		}
		k.mu.Lock()
		defer k.mu.Unlock()
		if recordsFault(err, d.Target != "") {
			k.rejected = append(k.rejected, connectors.Rejected{Doc: d, Reason: fmt.Sprintf("kafka: topic %q: %v", r.Topic, err)})
			return
		}
		if k.failure == nil && !k.closed {
			k.failure = fmt.Errorf("kafka: producing to topic %q at %s: %w", r.Topic, k.cfg.where(), err)
		}
	}
}

// recordsFault says a produce error is about the record rather than the
// sink: sending it again would fail again, and the records after it are
// fine. A topic that is missing or forbidden is the record's fault only
// when the record chose it (a topic expression); for the $emit's own topic
// it is the sink's.
func recordsFault(err error, dynamicTopic bool) bool {
	switch {
	case errors.Is(err, kerr.MessageTooLarge), errors.Is(err, kerr.RecordListTooLarge),
		errors.Is(err, kerr.InvalidRecord), errors.Is(err, kerr.InvalidTimestamp),
		errors.Is(err, kerr.InvalidTopicException), errors.Is(err, kerr.CorruptMessage):
		return true
	case errors.Is(err, kerr.UnknownTopicOrPartition), errors.Is(err, kerr.TopicAuthorizationFailed):
		return dynamicTopic
	}
	return false
}

// Flush returns once every record written so far is acknowledged (or
// refused: see Rejected). It returns the sink's failure if there was one.
func (k *Sink) Flush(ctx context.Context) error {
	if err := k.cl.Flush(ctx); err != nil {
		return err
	}
	// franz-go's Flush can return before the promises of records refused
	// before buffering ran; the window counts those too.
	if err := k.window.waitEmpty(ctx); err != nil {
		return err
	}
	return k.err()
}

// Rejected returns, and forgets, the documents refused since the last
// Write or Rejected call. The engine calls it after Flush, before it
// commits the source, so every refused document reaches the DLQ before the
// offsets that cover it are committed.
func (k *Sink) Rejected() []connectors.Rejected { return k.takeRejected() }

func (k *Sink) takeRejected() []connectors.Rejected {
	k.mu.Lock()
	defer k.mu.Unlock()
	r := k.rejected
	k.rejected = nil
	return r
}

func (k *Sink) err() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.failure
}

// Close abandons what is not yet flushed (call Flush first to keep it)
// and closes the client.
func (k *Sink) Close() error {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil
	}
	k.closed = true
	k.mu.Unlock()
	k.cancel()
	k.cl.Close()
	return nil
}

// checkTopic applies Kafka's topic name rules, so a topic expression that
// computes a bad name sends its document to the DLQ at once with a reason
// instead of a broker error later.
func checkTopic(t string) error {
	if t == "" || t == "." || t == ".." {
		return fmt.Errorf("kafka: %q is not a valid topic name", t)
	}
	if len(t) > 249 {
		return fmt.Errorf("kafka: topic name of %d characters is longer than 249", len(t))
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("kafka: topic name %q has %q; names use letters, digits, '.', '_' and '-'", t, c)
		}
	}
	return nil
}

// window counts records produced and not yet acknowledged, up to a limit.
// It is a semaphore whose waits end with a context, which franz-go's own
// buffer limit can't offer without tying each record to that context.
type window struct {
	mu      sync.Mutex
	n, max  int
	waiting int // goroutines waiting on changed
	changed chan struct{}
}

func newWindow(n int) *window { return &window{max: n, changed: make(chan struct{})} }

func (w *window) acquire(ctx context.Context) error {
	for {
		w.mu.Lock()
		if w.n < w.max {
			w.n++
			w.mu.Unlock()
			return nil
		}
		if err := w.wait(ctx); err != nil {
			return err
		}
	}
}

// wait is called with w.mu held and returns with it released, once the
// count changed or ctx ended.
func (w *window) wait(ctx context.Context) error {
	ch := w.changed
	w.waiting++
	w.mu.Unlock()
	var err error
	select {
	case <-ch:
	case <-ctx.Done():
		err = ctx.Err()
	}
	w.mu.Lock()
	w.waiting--
	w.mu.Unlock()
	return err
}

// release wakes waiters, and allocates a new channel only when there are
// some, so an unblocked pipeline pays no allocation per record.
func (w *window) release() {
	w.mu.Lock()
	w.n--
	if w.waiting > 0 {
		close(w.changed)
		w.changed = make(chan struct{})
	}
	w.mu.Unlock()
}

func (w *window) waitEmpty(ctx context.Context) error {
	for {
		w.mu.Lock()
		if w.n == 0 {
			w.mu.Unlock()
			return nil
		}
		if err := w.wait(ctx); err != nil {
			return err
		}
	}
}
