package mongodb

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// d builds a bson.D from alternating keys and values, keeping the tests'
// documents readable.
func d(kv ...any) bson.D {
	out := make(bson.D, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		out = append(out, bson.E{Key: kv[i].(string), Value: kv[i+1]})
	}
	return out
}

// commands counts the commands a client sends, by name.
type commands struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *commands) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.n == nil {
			c.n = map[string]int{}
		}
		c.n[e.CommandName]++
	}}
}

func (c *commands) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

func (c *commands) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n = nil
}

// connect returns a client of the package's FerretDB, counting commands
// when cmds is not nil.
func connect(t *testing.T, cmds *commands) *Client {
	t.Helper()
	cfg := Config{Name: "test", URI: testURI}
	if cmds != nil {
		cfg.Monitor = cmds.monitor()
	}
	c, err := Connect(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

var nonName = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// testDB is a database of the test's own, emptied first, so tests can
// share the server and run again on a kept data directory.
func testDB(t *testing.T, c *Client) *mongo.Database {
	t.Helper()
	name := strings.ToLower(nonName.ReplaceAllString(t.Name(), "_"))
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	db := c.mongo.Database(name)
	if err := db.Drop(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

func insert(t *testing.T, coll *mongo.Collection, docs ...bson.D) {
	t.Helper()
	if _, err := coll.InsertMany(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
}

// all returns coll's documents in _id order, as relaxed Extended JSON
// lines, which compare and print well.
func all(t *testing.T, coll *mongo.Collection) []string {
	t.Helper()
	cur, err := coll.Find(t.Context(), bson.D{}, options.Find().SetSort(d("_id", 1)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for cur.Next(t.Context()) {
		out = append(out, ejson(t, cur.Current))
	}
	if err := cur.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func ejson(t *testing.T, v any) string {
	t.Helper()
	b, err := bson.MarshalExtJSON(v, false, false)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ejsons(t *testing.T, docs []bson.D) []string {
	out := make([]string, len(docs))
	for i, doc := range docs {
		out[i] = ejson(t, doc)
	}
	slices.Sort(out)
	return out
}
