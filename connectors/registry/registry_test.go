package registry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/weir-stream/weir/planner/mql"
)

func TestParseFlag(t *testing.T) {
	for _, tc := range []struct {
		flag, kind, str string
	}{
		{"d=file:data/", "file", "file:data"},
		{"d=file://data", "file", "file:data"},
		{"k=kafka://b1:9092,b2?dial_timeout=2s", "kafka", "kafka://b1:9092,b2:9092?dial_timeout=2s"},
		{"m=mongodb://u:pw@h1:27017,h2/db?authSource=admin&fallback=poll", "mongodb", "mongodb://u:xxxxx@h1:27017,h2/db?authSource=admin (fallback=poll)"},
		{"m=mongodb+srv://cluster0.example.net", "mongodb", "mongodb+srv://cluster0.example.net"},
	} {
		c, err := ParseFlag(tc.flag)
		if err != nil {
			t.Errorf("%s: %v", tc.flag, err)
			continue
		}
		if string(c.Kind) != tc.kind || c.String() != tc.str {
			t.Errorf("%s: got %s %q, want %s %q", tc.flag, c.Kind, c.String(), tc.kind, tc.str)
		}
	}
	// weir's options leave the URI the driver sees.
	c, _ := ParseFlag("m=mongodb://h/?fallback=poll&poll_interval=250ms&w=majority")
	if c.Mongo.URI != "mongodb://h/?w=majority" || c.Fallback != "poll" || c.PollInterval != 250*time.Millisecond {
		t.Errorf("got URI %q fallback %q interval %s", c.Mongo.URI, c.Fallback, c.PollInterval)
	}
}

func TestParseErrors(t *testing.T) {
	t.Setenv("WEIR_TEST_EMPTY", "")
	for flag, want := range map[string]string{
		"k":                          "is not NAME=URI",
		"1k=file:x":                  "is not a connection name",
		"k=redis://x":                "is not a connection URI",
		"k=kafka://b?tls=maybe":      `kafka: tls: "maybe" is not true or false`,
		"k=kafka://b?dial_timout=1s": `kafka: unknown option "dial_timout"; the options are brokers, tls`,
		"k=kafka://u:secret@b":       "credentials in the URI's user part are not accepted",
		"k=kafka://b?sasl_mechanism=PLAIN&sasl_username=u&sasl_password=env:WEIR_TEST_UNSET": "WEIR_TEST_UNSET is not set",
		"m=mongodb://h/?fallback=tail":                `mongodb: fallback: "tail" is not one of poll`,
		"m=mongodb://h/?connect_timeout=-1s":          "is not a positive duration",
		"m=mongodb://h/?password=env:WEIR_TEST_EMPTY": "environment variable WEIR_TEST_EMPTY is empty",
		"m=mongodb://u:hunter2@h/?replicaSet":         "invalid URI mongodb://u:xxxxx@h/",
		"f=file:":                                     "no directory",
	} {
		_, err := ParseFlag(flag)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", flag, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") || err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows a secret: %v", flag, err)
		}
	}
}

func TestSecretsFromEnvNeverPrinted(t *testing.T) {
	t.Setenv("WEIR_TEST_PW", "s3cr3t")
	k, err := FromOptions("k", "kafka", map[string]any{"brokers": []any{"b1:9093", "b2:9093"}, "sasl_mechanism": "SCRAM-SHA-256", "sasl_username": "weir", "sasl_password": "env:WEIR_TEST_PW", "tls": true})
	if err != nil {
		t.Fatal(err)
	}
	if k.Kafka.SASLPassword.Reveal() != "s3cr3t" {
		t.Errorf("the password was not read from the environment")
	}
	m, err := FromOptions("m", "mongodb", map[string]any{"uri": "mongodb://weir@h:27017/", "password": "env:WEIR_TEST_PW"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Mongo.URI, "weir:s3cr3t@") {
		t.Errorf("the password did not reach the URI: %s", m.Mongo.URI)
	}
	lit, err := FromOptions("l", "mongodb", map[string]any{"uri": "mongodb://weir:hunter2@h/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Connection{k, m, lit} {
		shown := c.String() + " " + c.Address()
		for k, v := range c.Options() {
			shown += " " + k + "=" + v
		}
		if strings.Contains(shown, "s3cr3t") || strings.Contains(shown, "hunter2") {
			t.Errorf("connection %s shows a secret: %s", c.Name, shown)
		}
	}
	if got := m.Options()["password"]; got != "env:WEIR_TEST_PW" {
		t.Errorf("password option shows as %q, want its env:VAR spelling", got)
	}
}

func TestConfigFile(t *testing.T) {
	r := New()
	err := r.ParseConfig("weir.yaml", []byte(`
connections:
  kafka: kafka://127.0.0.1:9092
  cloud:
    type: kafka
    brokers: [b1:9093, b2:9093]
    tls: true
  mongo:
    type: mongodb
    uri: mongodb://127.0.0.1:27017/?fallback=poll
    connect_timeout: 3s
  files:
    type: file
    dir: testdata
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Names(), ","); got != "cloud,files,kafka,mongo" {
		t.Errorf("names %s", got)
	}
	c, _ := r.Get("cloud")
	if c.String() != "kafka://b1:9093,b2:9093?tls=true" {
		t.Errorf("cloud is %s", c)
	}
	m, _ := r.Get("mongo")
	if m.Fallback != "poll" || m.Mongo.ConnectTimeout != 3*time.Second {
		t.Errorf("mongo: fallback %q timeout %s", m.Fallback, m.Mongo.ConnectTimeout)
	}

	for text, want := range map[string]string{
		"conections:\n  k: kafka://b\n":                                        "conections",
		"connections:\n  k:\n    type: kafka\n    brokers: b\n    tsl: true\n": `unknown option "tsl"`,
		"connections:\n  k:\n    type: redis\n":                                `"redis" is not a connection type`,
		"connections:\n  k: kafka://b\n  k: kafka://c\n":                       "k",
	} {
		err := New().ParseConfig("weir.yaml", []byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", text, err, want)
		}
	}
}

func TestResolve(t *testing.T) {
	r := New()
	one, _ := ParseURI("only", "file:x")
	r.Add(one)
	if c, err := r.Resolve(""); err != nil || c.Name != "only" {
		t.Errorf("the only connection serves a stage without connectionName: %v %v", c, err)
	}
	two, _ := ParseURI("other", "file:y")
	r.Add(two)
	if _, err := r.Resolve(""); err == nil {
		t.Error("two connections and no default: want an error")
	}
	if _, err := r.Resolve("nope"); err == nil || !strings.Contains(err.Error(), `unknown connection "nope" (have only, other)`) {
		t.Errorf("got %v", err)
	}
	if err := r.Add(one); err == nil {
		t.Error("binding a name twice: want an error")
	}
}

func decode(t *testing.T, src string) *mql.Processor {
	t.Helper()
	p, _, err := mql.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p.Name = "t"
	return p
}

// TestOpenKafkaAndMongo opens a processor's connectors against kfake and
// an in-process FerretDB: the source, the lookup, the sink; then checks
// that an unreachable server fails within the timeout naming it, and that
// what a kind can't serve is ErrUnsupported.
func TestOpenKafkaAndMongo(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}, Handler: "sqlite",
		SQLiteURL: "file:" + t.TempDir() + "/", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	fctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(fctx) }()
	defer func() { stop(); <-done }()

	r := New()
	k, _ := ParseURI("kafka", "kafka://"+cluster.ListenAddrs()[0])
	m, err := ParseURI("mongo", f.MongoDBURI()+"?fallback=poll")
	if err != nil {
		t.Fatal(err)
	}
	r.Add(k)
	r.Add(m)
	p := decode(t, `[{"$source": {"connectionName": "kafka", "topic": "orders"}},
		{"$lookup": {"from": {"connectionName": "mongo", "db": "retail", "coll": "customers"}, "localField": "c", "foreignField": "_id", "as": "cust"}},
		{"$emit": {"connectionName": "kafka", "topic": "out"}}]`)
	op, err := r.Open(t.Context(), p, OpenOptions{Processor: "t", ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if op.Sources["kafka"] == nil || op.Sinks["kafka"] == nil || op.Lookups[mql.Namespace{ConnectionName: "mongo", DB: "retail", Coll: "customers"}] == nil {
		t.Errorf("opened %+v", op)
	}
	if err := op.Close(); err != nil {
		t.Error(err)
	}

	hv := decode(t, `{"pipeline": [{"$source": {"connectionName": "mongo", "db": "store", "coll": "sales"}},
		{"$merge": {"into": {"connectionName": "mongo", "db": "store", "coll": "high"}}}],
		"options": {"dlq": {"connectionName": "mongo", "db": "ops", "coll": "dlq"}}}`)
	op, err = r.Open(t.Context(), hv, OpenOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if len(op.Notices) != 1 || !strings.Contains(op.Notices[0], "no change streams") || op.DLQ == nil {
		t.Errorf("notices %q, dlq %v", op.Notices, op.DLQ)
	}
	op.Close()

	// $source.config.fallback wins over the connection's fallback option,
	// both ways.
	none := decode(t, `[{"$source": {"connectionName": "mongo", "db": "store", "coll": "sales", "config": {"fallback": "none"}}}]`)
	if _, err := r.Open(t.Context(), none, OpenOptions{}); err == nil || !strings.Contains(err.Error(), "has no change streams") {
		t.Errorf("config.fallback none on a fallback=poll connection: got %v", err)
	}
	plain, err := ParseURI("plain", f.MongoDBURI())
	if err != nil {
		t.Fatal(err)
	}
	r.Add(plain)
	if _, err := r.Open(t.Context(), decode(t, `[{"$source": {"connectionName": "plain", "db": "store", "coll": "sales"}}]`), OpenOptions{}); err == nil || !strings.Contains(err.Error(), `set config.fallback: "poll"`) {
		t.Errorf("no fallback anywhere: got %v", err)
	}
	poll := decode(t, `[{"$source": {"connectionName": "plain", "db": "store", "coll": "sales", "config": {"fallback": "poll"}}}]`)
	op, err = r.Open(t.Context(), poll, OpenOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("config.fallback poll on a connection without one: %v", err)
	}
	if len(op.Notices) != 1 || !strings.Contains(op.Notices[0], "connection plain: ") {
		t.Errorf("notices %q", op.Notices)
	}
	op.Close()

	// Unsupported stage/kind pairs.
	bad := decode(t, `[{"$source": {"connectionName": "kafka", "topic": "orders"}}, {"$merge": {"into": {"connectionName": "kafka", "db": "a", "coll": "b"}}}]`)
	if _, err := r.Open(t.Context(), bad, OpenOptions{}); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "pipeline[1].$merge: connection kafka (kafka)") {
		t.Errorf("$merge on kafka: got %v", err)
	}

	// Nothing listens on port 1: bounded, and the message names the place.
	gone := New()
	km, _ := ParseURI("k", "kafka://127.0.0.1:1")
	gone.Add(km)
	start := time.Now()
	_, err = gone.Open(t.Context(), decode(t, `[{"$source": {"connectionName": "k", "topic": "orders"}}]`), OpenOptions{ConnectTimeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), `connection "k" at 127.0.0.1:1`) || time.Since(start) > 5*time.Second {
		t.Errorf("after %s: %v", time.Since(start), err)
	}
	mg := New()
	mm, _ := ParseURI("m", "mongodb://127.0.0.1:1/?connect_timeout=1s")
	mg.Add(mm)
	start = time.Now()
	_, err = mg.Open(t.Context(), decode(t, `[{"$source": {"connectionName": "m", "db": "a", "coll": "b"}}]`), OpenOptions{})
	if err == nil || !strings.Contains(err.Error(), `mongodb connection "m": cannot reach 127.0.0.1:1`) || time.Since(start) > 5*time.Second {
		t.Errorf("after %s: %v", time.Since(start), err)
	}
}
