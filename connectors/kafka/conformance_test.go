package kafka

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/conformance"
)

// TestConformance runs the connector suite on kfake.
func TestConformance(t *testing.T) {
	_, cfg := newCluster(t, kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	runConformance(t, cfg)
}

// TestConformanceRealKafka runs the same suite against the cluster named
// by WEIR_KAFKA (host:port[,host:port…] or a kafka:// URI with options).
// It creates topics named weir-conformance-… and deletes them after.
func TestConformanceRealKafka(t *testing.T) {
	uri := os.Getenv("WEIR_KAFKA")
	if uri == "" {
		t.Skip("WEIR_KAFKA is not set: the suite ran on kfake only (set WEIR_KAFKA=host:port to run it on a real cluster)")
	}
	if !strings.Contains(uri, "://") {
		uri = "kafka://" + uri
	}
	cfg, err := ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	runConformance(t, cfg)
}

// maxMessageBytes is the suite's topics' limit: the sink's refused
// document is larger, so the broker's refusal is what the suite sees.
const maxMessageBytes = 2000

func runConformance(t *testing.T, cfg *Config) {
	adm := kadm.NewClient(rawClient(t, cfg))
	prefix := fmt.Sprintf("weir-conformance-%d-", time.Now().UnixNano())
	var n atomic.Int64
	create := func(t *testing.T, partitions int) string {
		name := fmt.Sprintf("%s%d", prefix, n.Add(1))
		limit := fmt.Sprint(maxMessageBytes)
		resp, err := adm.CreateTopic(testCtx(t), int32(partitions), -1, map[string]*string{"max.message.bytes": &limit}, name)
		if err == nil {
			err = resp.Err
		}
		if err != nil {
			t.Fatalf("creating topic %s: %v", name, err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			adm.DeleteTopics(ctx, name)
		})
		return name
	}
	producer := rawClient(t, cfg)
	t.Run("Source", func(t *testing.T) {
		conformance.RunSource(t, conformance.SourceHarness{
			Partitions: 3,
			Resumes:    true,
			Create:     create,
			Append: func(t *testing.T, name string, p int32, docs ...bson.D) {
				var rs []*kgo.Record
				for _, d := range docs {
					v, err := bson.MarshalExtJSON(d, false, false)
					if err != nil {
						t.Fatal(err)
					}
					rs = append(rs, &kgo.Record{Topic: name, Partition: p, Value: v})
				}
				produce(t, producer, rs...)
			},
			AppendRaw: func(t *testing.T, name string, raw []byte) {
				produce(t, producer, &kgo.Record{Topic: name, Value: raw})
			},
			// The consumer group keeps the committed offsets; the suite's
			// positions are not needed to resume.
			Open: func(t *testing.T, name string, _ []connectors.Position) connectors.Source {
				s, err := NewSource(testCtx(t), cfg, SourceOptions{Topics: []string{name}, GroupID: "weir-conformance-" + name, AutoOffsetReset: "earliest"})
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			Topic: func(name string) string { return name },
		})
	})
	t.Run("Sink", func(t *testing.T) {
		conformance.RunSink(t, conformance.SinkHarness{
			Create: func(t *testing.T) string { return create(t, 2) },
			Open: func(t *testing.T, target string) connectors.Sink {
				k, err := NewSink(testCtx(t), cfg, SinkOptions{Topic: target})
				if err != nil {
					t.Fatal(err)
				}
				return k
			},
			Read: func(t *testing.T, target string, want int) []bson.D {
				return readTopic(t, cfg, target, want)
			},
			Refused: func(*testing.T, string) connectors.Doc {
				return connectors.Doc{Doc: bson.D{{Key: "_id", Value: "too-large"}, {Key: "blob", Value: strings.Repeat("x", 2*maxMessageBytes)}}}
			},
		})
	})
}

// readTopic reads a topic from its start with a client of its own until
// want records arrived or a few seconds passed.
func readTopic(t *testing.T, cfg *Config, topic string, want int) []bson.D {
	t.Helper()
	cl := rawClient(t, cfg, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out []bson.D
	for len(out) < want && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			var d bson.D
			if err := bson.UnmarshalExtJSON(r.Value, false, &d); err != nil {
				t.Errorf("%s[%d]@%d: %v", r.Topic, r.Partition, r.Offset, err)
			}
			out = append(out, d)
		})
	}
	return out
}
