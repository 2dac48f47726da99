package registry

import (
	"context"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weir-stream/weir/planner/mql"
)

// docBlocks returns the fenced code blocks of a Markdown file whose info
// string is lang ("" for blocks without one).
func docBlocks(t *testing.T, path, lang string) []string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur []string
	in, keep := false, false
	for _, line := range strings.Split(string(doc), "\n") {
		switch {
		case !in && strings.HasPrefix(line, "```"):
			in, keep, cur = true, strings.TrimPrefix(line, "```") == lang, nil
		case in && strings.HasPrefix(line, "```"):
			in = false
			if keep {
				blocks = append(blocks, strings.Join(cur, "\n"))
			}
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

const connectionsDoc = "../../docs/connections.md"

// TestConnectionsDocExamples checks the examples of docs/connections.md:
// the config file parses into the connections it names, with its secrets
// read from the environment and never printed; every --conn of the command
// lines parses; and the start-up error has the shape shown.
func TestConnectionsDocExamples(t *testing.T) {
	yamls := docBlocks(t, connectionsDoc, "yaml")
	if len(yamls) != 1 {
		t.Fatalf("%s has %d yaml blocks, want 1 (the config file example)", connectionsDoc, len(yamls))
	}
	const kafkaPW, mongoPW = "kafka-secret-1", "mongo-secret-2"
	t.Setenv("KAFKA_PASSWORD", kafkaPW)
	t.Setenv("MONGO_PASSWORD", mongoPW)
	r := New()
	if err := r.ParseConfig("weir.yaml", []byte(yamls[0])); err != nil {
		t.Fatalf("the config file example: %v", err)
	}
	want := map[string]Kind{"kafka": Kafka, "cloudKafka": Kafka, "mongo": MongoDB, "ferret": MongoDB, "fixtures": File}
	if got := strings.Join(r.Names(), ","); got != "cloudKafka,ferret,fixtures,kafka,mongo" {
		t.Errorf("the config file example names %s", got)
	}
	for name, kind := range want {
		c, ok := r.Get(name)
		if !ok {
			t.Errorf("connection %s missing", name)
			continue
		}
		if c.Kind != kind {
			t.Errorf("connection %s is %s, want %s", name, c.Kind, kind)
		}
		shown := c.String()
		for _, v := range c.Options() {
			shown += " " + v
		}
		if strings.Contains(shown, kafkaPW) || strings.Contains(shown, mongoPW) {
			t.Errorf("connection %s shows a secret: %s", name, shown)
		}
	}
	if c, _ := r.Get("cloudKafka"); c.Kafka == nil || len(c.Kafka.Brokers) != 2 || c.Kafka.DialTimeout != 5*time.Second {
		t.Errorf("cloudKafka: %+v", c.Kafka)
	}
	if c, _ := r.Get("mongo"); !strings.Contains(c.Mongo.URI, mongoPW) || c.Mongo.ConnectTimeout != 5*time.Second {
		t.Errorf("mongo: the password from MONGO_PASSWORD is not in the URI, or connect_timeout is %s", c.Mongo.ConnectTimeout)
	}
	if c, _ := r.Get("ferret"); c.Fallback != "poll" {
		t.Errorf("ferret: fallback %q, want poll from the URI", c.Fallback)
	}
	if c, _ := r.Get("fixtures"); c.File.Dir != "testdata/fixtures" {
		t.Errorf("fixtures: dir %q", c.File.Dir)
	}

	// A URI is shown with its password replaced by xxxxx.
	if c := mustFlag(t, "m=mongodb://weir:hunter2@db.example.com:27017/"); strings.Contains(c.String(), "hunter2") || !strings.Contains(c.String(), "xxxxx") {
		t.Errorf("a URI with a password shows as %s", c)
	}

	// An unset secret variable fails at start-up.
	os.Unsetenv("KAFKA_PASSWORD")
	if err := New().ParseConfig("weir.yaml", []byte(yamls[0])); err == nil || !strings.Contains(err.Error(), "KAFKA_PASSWORD") {
		t.Errorf("with KAFKA_PASSWORD unset: %v", err)
	}

	// Every --conn of the command lines parses.
	n := 0
	for _, block := range docBlocks(t, connectionsDoc, "sh") {
		fields := strings.Fields(block)
		for i, f := range fields {
			if f == "--conn" && i+1 < len(fields) {
				n++
				if _, err := ParseFlag(fields[i+1]); err != nil {
					t.Errorf("--conn %s: %v", fields[i+1], err)
				}
			}
		}
	}
	if n == 0 {
		t.Errorf("%s: no --conn in its sh blocks", connectionsDoc)
	}

	// The start-up error, against an address nothing listens on.
	var shown string
	for _, b := range docBlocks(t, connectionsDoc, "") {
		if strings.Contains(b, "no broker reachable") {
			shown = strings.TrimSpace(b)
		}
	}
	if shown == "" {
		t.Fatalf("%s: the start-up error example is gone", connectionsDoc)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pattern := regexp.QuoteMeta(strings.ReplaceAll(shown, "127.0.0.1:9092", addr))
	pattern = "^" + strings.ReplaceAll(pattern, "…", ".*") + "$"
	reg := New()
	if err := reg.Add(mustFlag(t, "k=kafka://"+addr)); err != nil {
		t.Fatal(err)
	}
	p, _, err := mql.Decode([]byte(`[{"$source": {"connectionName": "k", "topic": "orders"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	opened, err := reg.Open(context.Background(), p, OpenOptions{Processor: "p"})
	if err == nil {
		opened.Close()
		t.Fatal("opening a Kafka source on a closed port succeeded")
	}
	if !regexp.MustCompile(pattern).MatchString(err.Error()) {
		t.Errorf("start-up error\n got: %v\nwant: %s (as %s shows it)", err, shown, connectionsDoc)
	}
}

func mustFlag(t *testing.T, v string) *Connection {
	t.Helper()
	c, err := ParseFlag(v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
