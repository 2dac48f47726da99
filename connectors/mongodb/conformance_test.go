package mongodb

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/conformance"
)

// TestConformance runs the connector suite on the in-process FerretDB,
// which has no change streams: the source is the poll fallback.
func TestConformance(t *testing.T) {
	runConformance(t, testURI, FallbackPoll)
}

// TestConformanceRealMongoDB runs the same suite against the server named
// by WEIR_MONGODB_URI, which must have change streams (a replica set):
// the source is the change stream, with no fallback. It works in a
// database of its own, dropped first.
func TestConformanceRealMongoDB(t *testing.T) {
	uri := os.Getenv("WEIR_MONGODB_URI")
	if uri == "" {
		t.Skip("WEIR_MONGODB_URI is not set: the suite ran on FerretDB only, where the source polls (set WEIR_MONGODB_URI to a replica set to run it on change streams)")
	}
	runConformance(t, uri, FallbackNone)
}

func runConformance(t *testing.T, uri, fallback string) {
	cmds := &commands{}
	c, err := Connect(t.Context(), Config{Name: "conformance", URI: uri, Monitor: cmds.monitor()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	db := testDB(t, c)
	var n atomic.Int64
	newColl := func(prefix string) string { return fmt.Sprintf("%s%d", prefix, n.Add(1)) }
	split := func(name string) (string, string) { d, coll, _ := strings.Cut(name, "."); return d, coll }

	t.Run("Source", func(t *testing.T) {
		conformance.RunSource(t, conformance.SourceHarness{
			Partitions: 1,
			Resumes:    true,
			Create:     func(*testing.T, int) string { return db.Name() + "." + newColl("src") },
			Append: func(t *testing.T, name string, _ int32, docs ...bson.D) {
				_, coll := split(name)
				insert(t, db.Collection(coll), docs...)
			},
			Open: func(t *testing.T, name string, committed []connectors.Position) connectors.Source {
				dbName, coll := split(name)
				o := SourceOptions{DB: dbName, Colls: []string{coll}, Fallback: fallback,
					PollInterval: 50 * time.Millisecond, MaxAwaitTime: 200 * time.Millisecond, Logger: quiet}
				// The engine's checkpoint hands the committed positions
				// back; the last one's token is where to resume.
				for _, p := range committed {
					if p.ResumeToken != nil {
						o.StartAfter = p.ResumeToken
					}
				}
				s, err := OpenSource(t.Context(), c, o)
				if err != nil {
					t.Fatal(err)
				}
				if s.Polling() != (fallback == FallbackPoll) {
					t.Fatalf("polling %v with fallback %q", s.Polling(), fallback)
				}
				return s
			},
			Topic: func(name string) string { return name },
		})
	})
	t.Run("Merge", func(t *testing.T) {
		conformance.RunSink(t, conformance.SinkHarness{
			Create: func(*testing.T) string { return db.Name() + "." + newColl("merged") },
			Open: func(t *testing.T, target string) connectors.Sink {
				dbName, coll := split(target)
				m, err := NewMerge(c, MergeOptions{DB: dbName, Coll: coll})
				if err != nil {
					t.Fatal(err)
				}
				return m
			},
			Read: func(t *testing.T, target string, _ int) []bson.D {
				_, coll := split(target)
				cur, err := db.Collection(coll).Find(t.Context(), bson.D{}, options.Find().SetSort(d("_id", 1)))
				if err != nil {
					t.Fatal(err)
				}
				var out []bson.D
				if err := cur.All(t.Context(), &out); err != nil {
					t.Fatal(err)
				}
				return out
			},
			// The server refuses a $-prefixed field name.
			Refused: func(*testing.T, string) connectors.Doc {
				return connectors.Doc{Doc: d("_id", "refused", "$bad", 1)}
			},
		})
	})
	t.Run("Lookup", func(t *testing.T) {
		conformance.RunLookup(t, conformance.LookupHarness{
			Create: func(t *testing.T, docs []bson.D) (string, string) {
				coll := newColl("lookup")
				insert(t, db.Collection(coll), docs...)
				return db.Name(), coll
			},
			Open:    func(_ *testing.T, dbName, coll string) connectors.Lookup { return NewLookup(c, dbName, coll) },
			Queries: func() int { return cmds.count("find") },
		})
	})
}
