package kafka

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// TestKcatInterop checks the connectors against a second, independent
// Kafka client: kcat, on librdkafka (Debian package kcat). kcat produces
// and our source reads; our sink writes, with every compression codec, and
// kcat consumes.
func TestKcatInterop(t *testing.T) {
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Skip("kcat is not on PATH; install it (apt-get install -y kcat) to run the interop test")
	}
	codecs := []string{"none", "gzip", "snappy", "lz4", "zstd"}
	var topics []string
	for _, c := range codecs {
		topics = append(topics, "out-"+c)
	}
	_, cfg := newCluster(t, kfake.SeedTopics(2, "in"), kfake.SeedTopics(1, topics...))
	addr := cfg.Brokers[0]

	// kcat → source: keys split off at '|', one header on every record,
	// lz4-compressed batches.
	in := "k1|{\"n\": 1}\nk2|{\"n\": 2, \"at\": {\"$date\": \"2024-05-01T00:00:00Z\"}}\n"
	kcat(t, in, "-b", addr, "-P", "-t", "in", "-K", "|", "-H", "src=kcat", "-z", "lz4")
	s := newSource(t, cfg, SourceOptions{Topics: []string{"in"}, GroupID: "weir-kcat", AutoOffsetReset: "earliest", KeyFormat: "string"})
	ms := readN(t, s, 2)
	slices.SortFunc(ms, func(a, b connectors.Message) int { return bytes.Compare(a.Key, b.Key) })
	for i, m := range ms {
		key, err := s.Key(m)
		if err != nil || key != fmt.Sprintf("k%d", i+1) {
			t.Errorf("key = %v, %v", key, err)
		}
		var d bson.D
		if err := bson.UnmarshalExtJSON(m.Value, false, &d); err != nil || d[0].Value != int32(i+1) {
			t.Errorf("value %s: %v", m.Value, err)
		}
		if len(m.Headers) != 1 || m.Headers[0].Key != "src" || string(m.Headers[0].Value) != "kcat" {
			t.Errorf("headers = %v", m.Headers)
		}
		if time.Since(m.Time) > time.Minute {
			t.Errorf("time = %v", m.Time)
		}
	}
	if err := s.Commit(testCtx(t), []connectors.Position{ms[0].Position, ms[1].Position}); err != nil {
		t.Error(err)
	}

	// sink → kcat, once per codec; the kcat consumers run side by side,
	// since each spends half a second starting up.
	ctx := testCtx(t)
	var wg sync.WaitGroup
	for _, codec := range codecs {
		k := newSink(t, cfg, SinkOptions{Topic: "out-" + codec, Compression: codec})
		_, err := k.Write(ctx, []connectors.Doc{
			{Doc: bson.D{{Key: "codec", Value: codec}, {Key: "n", Value: int64(7)}}, Key: []byte("a"), Headers: []connectors.Header{{Key: "h", Value: []byte("1")}}},
			{Doc: bson.D{{Key: "codec", Value: codec}, {Key: "d", Value: bson.DateTime(0)}}, Key: []byte("b")},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			out, err := runKcat("", "-b", addr, "-C", "-t", "out-"+codec, "-e", "-o", "beginning", "-q", "-f", "%k %h %s\n")
			want := fmt.Sprintf("a h=1 {\"codec\":%q,\"n\":7}\nb  {\"codec\":%q,\"d\":{\"$date\":\"1970-01-01T00:00:00Z\"}}\n", codec, codec)
			if err != nil || out != want {
				t.Errorf("kcat read from out-%s: %v\n%s\nwant\n%s", codec, err, out, want)
			}
		})
	}
	wg.Wait()
}

func kcat(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := runKcat(stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runKcat(stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kcat", args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("kcat %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}
