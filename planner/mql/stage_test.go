package mql

import (
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A pipeline built in Go, as the SQL planner builds one, gets the same
// checks as a decoded one.
func TestValidateBuiltPipeline(t *testing.T) {
	src := &Source{Kind: KafkaSource, ConnectionName: "k", Topics: []string{"t"}}
	window := &TumblingWindow{
		Interval:      Duration{Size: 5, Unit: "minutes"},
		WindowOptions: WindowOptions{Pipeline: Pipeline{&Group{ID: Literal{Value: nil}}}},
	}
	err := Validate(&Processor{Pipeline: Pipeline{src, window}})
	var me *Error
	if !errors.As(err, &me) {
		t.Fatalf("Validate = %v, want an *Error", err)
	}
	if want := Path("pipeline[1].$tumblingWindow.interval.unit"); me.Path != want {
		t.Errorf("error path = %q, want %q (%v)", me.Path, want, err)
	}

	window.Interval.Unit = "minute"
	p := &Processor{Pipeline: Pipeline{src, window, &Emit{ConnectionName: "k", Topic: NameExpr{Name: "out"}}}}
	if err := Validate(p); err != nil {
		t.Fatalf("Validate(valid pipeline) = %v", err)
	}
	p.Options.DLQ = &Namespace{ConnectionName: "a", DB: "ops"}
	if err := Validate(p); err == nil || !strings.Contains(err.Error(), "options.dlq: coll is required") {
		t.Errorf("Validate with an incomplete DLQ = %v, want options.dlq: coll is required", err)
	}
}

// What Encode prints for a built pipeline decodes to the same values.
func TestEncodeBuiltPipeline(t *testing.T) {
	on := true
	p := &Processor{Name: "p", Pipeline: Pipeline{
		&Source{Kind: ChangeStreamSource, ConnectionName: "a", DB: "d", Colls: []string{"c"},
			StreamConfig: &ChangeStreamConfig{FullDocumentOnly: &on}},
		&Match{Query: &Query{Clauses: []Clause{FieldClause{Path: "x", Conds: []Cond{{Op: "$eq", Value: int32(1)}}, Implicit: true}}}},
		&Merge{Into: MergeTarget{ConnectionName: "a", DB: NameExpr{Name: "d"}, Coll: NameExpr{Name: "out"}}},
	}}
	out, err := Encode(p, true)
	if err != nil {
		t.Fatal(err)
	}
	back, warns, err := Decode(out)
	if err != nil {
		t.Fatalf("Decode(Encode(p)) = %v\n%s", err, out)
	}
	if len(warns) != 0 {
		t.Errorf("unexpected warnings %v", warns)
	}
	if got, _ := Encode(back, true); string(got) != string(out) {
		t.Errorf("re-encoded differently:\n%s\nvs\n%s", got, out)
	}
}

func TestDecodeStage(t *testing.T) {
	s, _, err := DecodeStage(bson.D{{Key: "$unwind", Value: "$items"}}, "pipeline[3]", InWindow)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := s.(*Unwind); !ok || u.Path != "items" {
		t.Errorf("DecodeStage = %#v, want Unwind{Path: items}", s)
	}
	_, _, err = DecodeStage(bson.D{{Key: "$unwind", Value: 5}}, "pipeline[3]", InMain)
	if err == nil || !strings.HasPrefix(err.Error(), "pipeline[3].$unwind: ") {
		t.Errorf("DecodeStage(bad) = %v, want an error at pipeline[3].$unwind", err)
	}
}

// Every registered stage decodes (so the registry and decode's switch
// agree) and appears in the docs.
func TestStageRegistry(t *testing.T) {
	var docs strings.Builder
	if err := RenderStageDocs(&docs); err != nil {
		t.Fatal(err)
	}
	for _, info := range Stages() {
		if !strings.Contains(docs.String(), "| `"+info.Name+"` |") {
			t.Errorf("%s is missing from the stage docs", info.Name)
		}
		_, _, err := DecodeStage(bson.D{{Key: info.Name, Value: bson.D{}}}, "s", InMain)
		if err != nil && strings.Contains(err.Error(), "unknown stage") {
			t.Errorf("%s is registered but decode doesn't know it: %v", info.Name, err)
		}
	}
	if !strings.Contains(docs.String(), "| `$setWindowFields` | `partitionBy`, `sortBy`, `output` | weir extension | main |") {
		t.Errorf("$setWindowFields row is not marked as an extension:\n%s", docs.String())
	}
}

func TestShellToJSON(t *testing.T) {
	out, err := ShellToJSON([]byte(`{ $source: { connectionName: 'k', topic: "t", }, } // one stage`))
	if err != nil {
		t.Fatal(err)
	}
	want := "[\n  {\n    \"$source\": {\n      \"connectionName\": \"k\",\n      \"topic\": \"t\"\n    }\n  }\n]"
	if string(out) != want {
		t.Errorf("ShellToJSON =\n%s\nwant\n%s", out, want)
	}
}
