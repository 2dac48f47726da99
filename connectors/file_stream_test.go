package connectors

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, s Source) []Message {
	t.Helper()
	var all []Message
	for {
		msgs, err := s.Read(context.Background())
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, msgs...)
	}
}

func TestFileSourceStreamsAndCollections(t *testing.T) {
	dir := t.TempDir()
	f := File{Dir: dir}
	write(t, f.StreamPath("orders"), "{\"a\": 1}\n\nnot json\n{\"a\": {\"$numberLong\": \"2\"}}\n")
	write(t, f.CollectionPath("shop", "sales"), `{"_id": 7, "amount": 5}`+"\n")

	src, err := f.OpenStreams([]string{"orders"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := readAll(t, src)
	if len(msgs) != 3 {
		t.Fatalf("read %d messages, want 3 (the blank line skipped)", len(msgs))
	}
	// Offsets are line numbers - 1, as the reference runner shows them.
	if msgs[0].Position.Offset != 0 || msgs[1].Position.Offset != 2 || msgs[2].Position.Offset != 3 {
		t.Errorf("offsets %d %d %d", msgs[0].Position.Offset, msgs[1].Position.Offset, msgs[2].Position.Offset)
	}
	// Lines go on as the Extended JSON they are, as Kafka records do.
	var d bson.D
	if msgs[2].Format != ExtJSON {
		t.Errorf("a stream line's format is %v, want ExtJSON", msgs[2].Format)
	}
	if err := bson.UnmarshalExtJSON(msgs[2].Value, false, &d); err != nil || d[0].Value != int64(2) {
		t.Errorf("types must survive: %v %v", d, err)
	}
	if string(msgs[1].Value) != "not json" || msgs[1].Format != ExtJSON {
		t.Errorf("a bad line goes on as it is: %q", msgs[1].Value)
	}
	if why, ok := src.Explain("not json"); !ok || !strings.HasPrefix(why, "orders.jsonl:3: not an Extended JSON document") {
		t.Errorf("Explain: %q %v", why, ok)
	}
	if _, err := f.OpenStreams([]string{"nope"}); err == nil || !strings.Contains(err.Error(), "topic nope") {
		t.Errorf("a missing topic file: %v", err)
	}

	ev, err := f.OpenCollections("shop", []string{"sales"}, false)
	if err != nil {
		t.Fatal(err)
	}
	msgs = readAll(t, ev)
	var e bson.D
	if err := bson.Unmarshal(msgs[0].Value, &e); err != nil {
		t.Fatal(err)
	}
	got, _ := bson.MarshalExtJSON(e, false, false)
	if !strings.Contains(string(got), `"operationType":"insert","wallTime":{"$date"`) || !strings.Contains(string(got), `"fullDocument":{"_id":7,"amount":5},"ns":{"db":"shop","coll":"sales"},"documentKey":{"_id":7}`) {
		t.Errorf("insert event: %s", got)
	}
	only, _ := f.OpenCollections("shop", []string{"sales"}, true)
	msgs = readAll(t, only)
	if err := bson.Unmarshal(msgs[0].Value, &e); err != nil || len(e) != 2 {
		t.Errorf("fullDocumentOnly: %v %v", e, err)
	}
	// A collection never written is empty, not an error.
	empty, err := f.OpenCollections("shop", []string{"none"}, false)
	if err != nil || len(readAll(t, empty)) != 0 {
		t.Errorf("missing collection: %v", err)
	}
}

func TestFileMergeUpsertsAndWritesAtFlush(t *testing.T) {
	f := File{Dir: t.TempDir()}
	write(t, f.CollectionPath("shop", "sums"), `{"_id": "a", "total": 100, "since": 2020}`+"\n")
	m, err := f.NewMerge(MergeOptions{DB: "shop", Coll: "sums", Label: "out"})
	if err != nil {
		t.Fatal(err)
	}
	docs := []Doc{
		{Doc: bson.D{{Key: "_id", Value: "a"}, {Key: "total", Value: int32(3)}}, Target: "shop.sums"},
		{Doc: bson.D{{Key: "_id", Value: "b"}, {Key: "total", Value: int32(2)}}, Target: "shop.sums"},
		{Doc: bson.D{{Key: "x", Value: int32(1)}}, Target: "shop.other"},
	}
	if rej, err := m.Write(context.Background(), docs); err != nil || len(rej) != 0 {
		t.Fatalf("%v %v", rej, err)
	}
	before, _ := os.ReadFile(f.CollectionPath("shop", "sums"))
	if strings.Contains(string(before), `"b"`) {
		t.Error("Write touched the file; only Flush may")
	}
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.CollectionPath("shop", "sums"))
	if want := "{\"_id\":\"a\",\"total\":3,\"since\":2020}\n{\"_id\":\"b\",\"total\":2}\n"; string(got) != want {
		t.Errorf("sums:\n%s\nwant:\n%s", got, want)
	}
	other, _ := os.ReadFile(f.CollectionPath("shop", "other"))
	var od bson.D
	if err := bson.UnmarshalExtJSON([]byte(strings.TrimSpace(string(other))), false, &od); err != nil || len(m.Generated()) != 1 || od[0].Key != "_id" {
		t.Errorf("a document without _id gets one: %s %v", other, m.Generated())
	}
	if w := m.Written(); len(w) != 2 || w[0].Rel != "shop/sums.jsonl" || w[0].Docs != 2 {
		t.Errorf("Written: %+v", w)
	}

	strict, _ := f.NewMerge(MergeOptions{DB: "shop", Coll: "sums", WhenMatched: "fail", WhenNotMatched: "discard", Label: "out"})
	rej, err := strict.Write(context.Background(), []Doc{
		{Doc: bson.D{{Key: "_id", Value: "a"}}}, {Doc: bson.D{{Key: "_id", Value: "zzz"}}},
	})
	if err != nil || len(rej) != 1 || rej[0].Reason != "a document in out.shop.sums already matches on [_id] (whenMatched: fail)" {
		t.Errorf("%+v %v", rej, err)
	}
	if _, err := f.NewMerge(MergeOptions{WhenMatched: "pipeline"}); err == nil {
		t.Error("a whenMatched the file sink can't run must fail at start")
	}
}

func TestFileEmitAppendsAndLookupFinds(t *testing.T) {
	f := File{Dir: t.TempDir()}
	e := f.NewEmit("out")
	e.Write(context.Background(), []Doc{{Doc: bson.D{{Key: "n", Value: int32(1)}}, Target: "out"}, {Doc: bson.D{{Key: "n", Value: int32(2)}}, Target: "../x"}})
	if err := e.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.Write(context.Background(), []Doc{{Doc: bson.D{{Key: "n", Value: int32(3)}}, Target: "out"}})
	e.Flush(context.Background())
	got, _ := os.ReadFile(f.StreamPath("out"))
	if string(got) != "{\"n\":1}\n{\"n\":3}\n" {
		t.Errorf("out.jsonl:\n%s", got)
	}
	if w := e.Written(); len(w) != 1 || w[0].Docs != 2 {
		t.Errorf("Written: %+v", w)
	}

	write(t, f.CollectionPath("r", "c"), `{"_id": "c1", "tags": ["a", "b"]}`+"\n"+`{"_id": 2}`+"\n"+`{"_id": "c3"}`+"\n")
	l, err := f.OpenLookup("r", "c")
	if err != nil {
		t.Fatal(err)
	}
	found, _ := l.Find(context.Background(), "_id", []any{"c1", 2.0})
	if len(found) != 2 {
		t.Errorf("_id in [c1, 2.0] (numbers equal across types): %v", found)
	}
	found, _ = l.Find(context.Background(), "tags", []any{"b"})
	if len(found) != 1 {
		t.Errorf("an array field matches by element: %v", found)
	}
}
