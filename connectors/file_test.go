package connectors

import (
	"os"
	"path/filepath"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestFileWritesReadBack(t *testing.T) {
	f := File{Dir: t.TempDir()}
	a := bson.D{{Key: "_id", Value: int32(1)}, {Key: "at", Value: bson.NewDateTimeFromTime(bson.DateTime(0).Time())}}
	b := bson.D{{Key: "_id", Value: int32(2)}, {Key: "x", Value: 1.5}}

	if err := f.AppendStream("out", []bson.D{a}); err != nil {
		t.Fatal(err)
	}
	if err := f.AppendStream("out", []bson.D{b}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.StreamPath("out"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_id":1,"at":{"$date":"1970-01-01T00:00:00Z"}}
{"_id":2,"x":1.5}
`
	if string(got) != want {
		t.Errorf("appended stream:\n%s\nwant:\n%s", got, want)
	}

	if err := f.WriteCollection("db", "c", []bson.D{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteCollection("db", "c", []bson.D{b}); err != nil {
		t.Fatal(err)
	}
	lines, err := f.ReadCollection("db", "c")
	if err != nil || len(lines) != 1 || lines[0].Err != nil {
		t.Fatalf("read back %v, %v; want the one document of the last write", lines, err)
	}
	// The temporary file is renamed, never left behind.
	entries, _ := os.ReadDir(filepath.Join(f.Dir, "db"))
	if len(entries) != 1 {
		t.Errorf("db/ holds %d files, want only c.jsonl", len(entries))
	}
}
