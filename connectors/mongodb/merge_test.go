package mongodb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/weir-stream/weir/connectors"
)

func docs(ds ...bson.D) []connectors.Doc {
	out := make([]connectors.Doc, len(ds))
	for i, x := range ds {
		out[i] = connectors.Doc{Doc: x}
	}
	return out
}

func reasons(rej []connectors.Rejected) []string {
	var out []string
	for _, r := range rej {
		out = append(out, r.Reason)
	}
	return out
}

// TestMergeActions runs every whenMatched × whenNotMatched pair on one
// document that matches and one that doesn't.
func TestMergeActions(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	matched := map[string]string{
		Replace:      `{"_id":1,"a":2,"c":3}`,
		MergeFields:  `{"_id":1,"a":2,"b":1,"c":3}`,
		KeepExisting: `{"_id":1,"a":1,"b":1}`,
		Delete:       "",
		Fail:         `{"_id":1,"a":1,"b":1}`,
	}
	for _, wm := range []string{Replace, MergeFields, KeepExisting, Delete, Fail} {
		for _, wnm := range []string{Insert, Discard, Fail} {
			t.Run(wm+"_"+wnm, func(t *testing.T) {
				coll := db.Collection(wm + "_" + wnm)
				insert(t, coll, d("_id", 1, "a", 1, "b", 1))
				m, err := NewMerge(c, MergeOptions{DB: db.Name(), Coll: coll.Name(), WhenMatched: wm, WhenNotMatched: wnm})
				if err != nil {
					t.Fatal(err)
				}
				rej, err := m.Write(t.Context(), docs(d("_id", 1, "a", 2, "c", 3), d("_id", 2, "a", 5)))
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				var wantRej []string
				if matched[wm] != "" {
					want = append(want, matched[wm])
				}
				if wm == Fail {
					wantRej = append(wantRej, `$merge: a document of `+db.Name()+`.`+coll.Name()+` matched on {"_id":1}, and whenMatched is fail`)
				}
				switch wnm {
				case Insert:
					want = append(want, `{"_id":2,"a":5}`)
				case Fail:
					wantRej = append(wantRej, `$merge: no document of `+db.Name()+`.`+coll.Name()+` matched on {"_id":2}, and whenNotMatched is fail`)
				}
				if got := all(t, coll); !slices.Equal(got, want) {
					t.Errorf("collection holds\n%v\nwant\n%v", got, want)
				}
				if got := reasons(rej); !slices.Equal(got, wantRej) {
					t.Errorf("rejected %q, want %q", got, wantRej)
				}
			})
		}
	}
}

func TestMergeOn(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	coll := db.Collection("c")
	if _, err := coll.Indexes().CreateOne(t.Context(), mongo.IndexModel{Keys: d("k", 1, "r", 1), Options: options.Index().SetUnique(true)}); err != nil {
		t.Fatal(err)
	}
	insert(t, coll, d("_id", "old", "k", 1, "r", "x", "n", 0))
	m, err := NewMerge(c, MergeOptions{DB: db.Name(), Coll: "c", On: []string{"k", "r"}})
	if err != nil {
		t.Fatal(err)
	}
	rej, err := m.Write(t.Context(), docs(
		d("_id", "new", "k", 1, "r", "x", "n", 1), // matches "old": merged, its _id kept
		d("k", 1, "r", "x", "n", 2),               // same key again: applied after the first
		d("_id", "b", "k", 2, "r", "x", "n", 3),   // inserted with its _id
		d("_id", "c", "k", 3, "n", 4),             // no r
		d("_id", "e", "k", bson.A{1}, "r", "x"),   // an array key
		d("_id", "f", "k", nil, "r", "x"),         // a null key
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"_id":"b","k":2,"r":"x","n":3}`, `{"_id":"old","k":1,"r":"x","n":2}`}
	if got := all(t, coll); !slices.Equal(got, want) {
		t.Errorf("collection holds\n%v\nwant\n%v", got, want)
	}
	wantRej := []string{
		`$merge: the document has no field "r", which $merge.on requires`,
		`$merge: the document's on field "k" is an array`,
		`$merge: the document's on field "k" is null`,
	}
	if got := reasons(rej); !slices.Equal(got, wantRej) {
		t.Errorf("rejected %q, want %q", got, wantRej)
	}

	// Several on fields that need a read take one find with $or.
	var cmds commands
	c2 := connect(t, &cmds)
	m, _ = NewMerge(c2, MergeOptions{DB: db.Name(), Coll: "c", On: []string{"k", "r"}, WhenNotMatched: Fail})
	rej, err = m.Write(t.Context(), docs(d("k", 1, "r", "x", "n", 5), d("k", 2, "r", "x", "n", 6), d("k", 9, "r", "x")))
	if err != nil {
		t.Fatal(err)
	}
	if n := cmds.count("find"); n != 1 {
		t.Errorf("%d finds, want 1", n)
	}
	if len(rej) != 1 || !strings.Contains(rej[0].Reason, `matched on {"k":9,"r":"x"}, and whenNotMatched is fail`) {
		t.Errorf("rejected %q", reasons(rej))
	}
}

func TestMergeWithoutID(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	m, _ := NewMerge(c, MergeOptions{DB: db.Name(), Coll: "c", WhenMatched: Replace})
	in := docs(d("x", 1), d("x", 2))
	rej, err := m.Write(t.Context(), in)
	if err != nil || len(rej) != 0 {
		t.Fatal(rej, err)
	}
	var got []bson.D
	cur, _ := db.Collection("c").Find(t.Context(), bson.D{})
	cur.All(t.Context(), &got)
	if len(got) != 2 {
		t.Fatalf("got %v, want both documents inserted with a new _id", got)
	}
	if _, ok := got[0][0].Value.(bson.ObjectID); !ok || got[0][0].Key != "_id" {
		t.Errorf("inserted %v; want an ObjectID _id", got[0])
	}
	if len(in[0].Doc) != 1 {
		t.Errorf("the caller's document was changed: %v", in[0].Doc)
	}
}

func TestMergePipelineAndExpressions(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	coll := db.Collection("c")
	insert(t, coll, d("_id", 1, "n", 1), d("_id", 2, "n", 1), d("_id", 3, "n", 1))
	m, err := NewMerge(c, MergeOptions{
		DB: db.Name(), Coll: "c", WhenMatched: Pipeline,
		// What the engine would evaluate for [{$set: {n: {$add: ["$n", "$$new.n"]}}}].
		Update: func(existing, incoming bson.D) (bson.D, error) {
			a, _ := lookupPath(existing, "n")
			b, _ := lookupPath(incoming, "n")
			if b == nil {
				return nil, errors.New("$add: n is null")
			}
			return d("n", a.(int32)+int32(b.(int))), nil
		},
		Actions: func(doc bson.D) (string, string, error) {
			if v, ok := lookupPath(doc, "del"); ok && v == true {
				return Delete, "", nil
			}
			if _, ok := lookupPath(doc, "bogus"); ok {
				return "upsert", "", nil
			}
			return "", "", nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	rej, err := m.Write(t.Context(), docs(
		d("_id", 1, "n", 5),
		d("_id", 2, "del", true),
		d("_id", 3, "n", nil),
		d("_id", 4, "n", 7), // not matched: inserted
		d("_id", 5, "bogus", 1),
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"_id":1,"n":6}`, `{"_id":3,"n":1}`, `{"_id":4,"n":7}`}
	if got := all(t, coll); !slices.Equal(got, want) {
		t.Errorf("collection holds\n%v\nwant\n%v", got, want)
	}
	wantRej := []string{
		`$merge.whenMatched evaluated to "upsert"; expected one of replace, keepExisting, merge, delete, fail`,
		`$merge.whenMatched: $add: n is null`,
	}
	if got := reasons(rej); !slices.Equal(got, wantRej) {
		t.Errorf("rejected %q, want %q", got, wantRej)
	}
	if _, err := NewMerge(c, MergeOptions{DB: "x", Coll: "y", WhenMatched: Pipeline}); err == nil {
		t.Error("a pipeline without Update was accepted")
	}
}

func TestMergeDynamicTargets(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	m, _ := NewMerge(c, MergeOptions{DB: db.Name(), Coll: "default", Parallelism: 3})
	var in []connectors.Doc
	for i := range 12 {
		in = append(in, connectors.Doc{Doc: d("_id", i), Target: db.Name() + "." + []string{"a", "b", "sub.c"}[i%3]})
	}
	in = append(in,
		connectors.Doc{Doc: d("_id", 100)},
		connectors.Doc{Doc: d("_id", 101), Target: "nodot"},
		connectors.Doc{Doc: d("_id", 102), Target: "bad$db.c"},
		connectors.Doc{Doc: d("_id", 103), Target: db.Name() + ".system.views"},
	)
	rej, err := m.Write(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	for coll, want := range map[string]int{"a": 4, "b": 4, "sub.c": 4, "default": 1} {
		if got := len(all(t, db.Collection(coll))); got != want {
			t.Errorf("%s holds %d documents, want %d", coll, got, want)
		}
	}
	wantRej := []string{
		`$merge: target "nodot" is not db.coll`,
		`$merge: "bad$db" is not a valid database name`,
		`$merge: "system.views" is not a collection $merge can write`,
	}
	if got := reasons(rej); !slices.Equal(got, wantRej) {
		t.Errorf("rejected %q, want %q", got, wantRej)
	}
}

func TestMergeParallelKeepsPerKeyOrder(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	m, _ := NewMerge(c, MergeOptions{DB: db.Name(), Coll: "c", Parallelism: 4, WhenMatched: Replace})
	var in []connectors.Doc
	for v := range 4 {
		for k := range 5 {
			in = append(in, connectors.Doc{Doc: d("_id", k, "v", v)})
		}
	}
	if rej, err := m.Write(t.Context(), in); err != nil || rej != nil {
		t.Fatal(rej, err)
	}
	for _, doc := range all(t, db.Collection("c")) {
		if !strings.HasSuffix(doc, `"v":3}`) {
			t.Errorf("%s: want the last version, v 3", doc)
		}
	}
}

// TestMergeServerRefuses checks that what the server refuses comes back as
// Rejected with the server's message, and that the rest of the batch is
// written: FerretDB's update command stops at its first error, which the
// sink works around by resending what followed.
func TestMergeServerRefuses(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	coll := db.Collection("c")
	if _, err := coll.Indexes().CreateOne(t.Context(), mongo.IndexModel{Keys: d("email", 1), Options: options.Index().SetUnique(true)}); err != nil {
		t.Fatal(err)
	}
	insert(t, coll, d("_id", 1, "email", "a@x"))
	for _, wm := range []string{Replace, MergeFields} {
		t.Run(wm, func(t *testing.T) {
			m, _ := NewMerge(c, MergeOptions{DB: db.Name(), Coll: "c", WhenMatched: wm})
			base := map[string]int{Replace: 10, MergeFields: 20}[wm]
			rej, err := m.Write(t.Context(), docs(
				d("_id", base+1, "email", "a@x"), // duplicate key
				d("_id", base+2, "email", fmt.Sprintf("%d@x", base+2)),
				d("_id", base+3, "email", fmt.Sprintf("%d@x", base+3)),
			))
			if err != nil {
				t.Fatal(err)
			}
			if len(rej) != 1 || rej[0].Doc.Doc[0].Value != base+1 || !strings.Contains(rej[0].Reason, "E11000 duplicate key error") || !strings.Contains(rej[0].Reason, db.Name()+".c") {
				t.Errorf("rejected %+v; want the duplicate, with the server's E11000 message", rej)
			}
			for _, id := range []int{base + 2, base + 3} {
				if n, _ := coll.CountDocuments(t.Context(), d("_id", id)); n != 1 {
					t.Errorf("_id %d was not written", id)
				}
			}
		})
	}
	m, _ := NewMerge(c, MergeOptions{DB: db.Name(), Coll: "c", WhenMatched: Replace})
	rej, err := m.Write(t.Context(), docs(d("_id", 1, "$bad", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 1 || !strings.Contains(rej[0].Reason, "$bad") {
		t.Errorf("rejected %q; want the server's reason for a $-prefixed field", reasons(rej))
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{mongo.CommandError{Code: 10107, Name: "NotWritablePrimary"}, true},
		{mongo.CommandError{Code: 2, Labels: []string{"RetryableWriteError"}}, true},
		{mongo.CommandError{Code: 13, Name: "Unauthorized"}, false},
		{mongo.BulkWriteException{WriteConcernError: &mongo.WriteConcernError{Code: 91}}, true},
		{mongo.BulkWriteException{WriteConcernError: &mongo.WriteConcernError{Code: 64}}, false},
		{errors.New("boom"), false},
	} {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
