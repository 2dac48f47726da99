package connectors_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/conformance"
)

// The file:DIR connection runs the conformance suite: streams and
// collections as bounded sources, $emit, $merge and the DLQ's append as
// sinks, and collections as lookups.

var fileNames atomic.Int64

func fileName(prefix string) string { return fmt.Sprintf("%s%d", prefix, fileNames.Add(1)) }

// appendRaw appends one line as it is.
func appendRaw(t *testing.T, path string, raw []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(raw, '\n')); err != nil {
		t.Fatal(err)
	}
}

func readDocs(t *testing.T, lines []connectors.Line, err error) []bson.D {
	t.Helper()
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []bson.D
	for _, l := range lines {
		if l.Err != nil {
			t.Fatal(l.Err)
		}
		out = append(out, l.Doc)
	}
	return out
}

func TestFileStreamConformance(t *testing.T) {
	f := connectors.File{Dir: t.TempDir()}
	conformance.RunSource(t, conformance.SourceHarness{
		Partitions: 1,
		Bounded:    true,
		Create:     func(*testing.T, int) string { return fileName("topic") },
		Append: func(t *testing.T, name string, _ int32, docs ...bson.D) {
			if err := f.AppendStream(name, docs); err != nil {
				t.Fatal(err)
			}
		},
		AppendRaw: func(t *testing.T, name string, raw []byte) { appendRaw(t, f.StreamPath(name), raw) },
		Open: func(t *testing.T, name string, _ []connectors.Position) connectors.Source {
			s, err := f.OpenStreams([]string{name})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Topic: func(name string) string { return name },
	})
}

func TestFileCollectionConformance(t *testing.T) {
	f := connectors.File{Dir: t.TempDir()}
	split := func(name string) (string, string) { db, coll, _ := strings.Cut(name, "."); return db, coll }
	conformance.RunSource(t, conformance.SourceHarness{
		Partitions: 1,
		Bounded:    true,
		Create:     func(*testing.T, int) string { return "db." + fileName("coll") },
		Append: func(t *testing.T, name string, _ int32, docs ...bson.D) {
			db, coll := split(name)
			if err := f.AppendCollection(db, coll, docs); err != nil {
				t.Fatal(err)
			}
		},
		AppendRaw: func(t *testing.T, name string, raw []byte) {
			db, coll := split(name)
			appendRaw(t, f.CollectionPath(db, coll), raw)
		},
		Open: func(t *testing.T, name string, _ []connectors.Position) connectors.Source {
			db, coll := split(name)
			s, err := f.OpenCollections(db, []string{coll}, false)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Topic: func(name string) string { return name },
	})
}

func TestFileSinkConformance(t *testing.T) {
	f := connectors.File{Dir: t.TempDir()}
	split := func(target string) (string, string) { db, coll, _ := strings.Cut(target, "."); return db, coll }
	readColl := func(t *testing.T, target string, _ int) []bson.D {
		db, coll := split(target)
		lines, err := f.ReadCollection(db, coll)
		return readDocs(t, lines, err)
	}
	// A target a file connection can't hold: a path, not a name.
	refused := func(*testing.T, string) connectors.Doc {
		return connectors.Doc{Doc: bson.D{{Key: "_id", Value: "refused"}}, Target: "db/x.y"}
	}
	t.Run("Emit", func(t *testing.T) {
		conformance.RunSink(t, conformance.SinkHarness{
			Create: func(*testing.T) string { return fileName("out") },
			Open:   func(_ *testing.T, target string) connectors.Sink { return f.NewEmit(target) },
			Read: func(t *testing.T, target string, _ int) []bson.D {
				lines, err := f.ReadStream(target)
				return readDocs(t, lines, err)
			},
			Refused: refused,
		})
	})
	t.Run("Merge", func(t *testing.T) {
		conformance.RunSink(t, conformance.SinkHarness{
			Create: func(*testing.T) string { return "db." + fileName("merged") },
			Open: func(t *testing.T, target string) connectors.Sink {
				db, coll := split(target)
				m, err := f.NewMerge(connectors.MergeOptions{DB: db, Coll: coll})
				if err != nil {
					t.Fatal(err)
				}
				return m
			},
			Read:    readColl,
			Refused: refused,
		})
	})
	t.Run("Append", func(t *testing.T) {
		conformance.RunSink(t, conformance.SinkHarness{
			Create: func(*testing.T) string { return "db." + fileName("dlq") },
			Open: func(_ *testing.T, target string) connectors.Sink {
				db, coll := split(target)
				return f.NewAppend(db, coll)
			},
			Read:    readColl,
			Refused: refused,
		})
	})
}

func TestFileLookupConformance(t *testing.T) {
	f := connectors.File{Dir: t.TempDir()}
	conformance.RunLookup(t, conformance.LookupHarness{
		Create: func(t *testing.T, docs []bson.D) (string, string) {
			coll := fileName("customers")
			if err := f.WriteCollection("db", coll, docs); err != nil {
				t.Fatal(err)
			}
			return "db", coll
		},
		Open: func(t *testing.T, db, coll string) connectors.Lookup {
			l, err := f.OpenLookup(db, coll)
			if err != nil {
				t.Fatal(err)
			}
			return l
		},
	})
}
