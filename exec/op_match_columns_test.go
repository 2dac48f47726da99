package exec

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// TestMatchColumnsAgreesWithMatch checks the columnar kernel against
// exec.Match, row by row, over typed columns with nulls and missing
// values, and that it releases every Arrow byte.
func TestMatchColumnsAgreesWithMatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	columns := map[string][]string{
		"d": {`{"x": 1.5}`, `{"x": -2.0}`, `{"x": null}`, `{}`, `{"x": 3.0}`},
		"l": {`{"x": {"$numberLong": "7"}}`, `{"x": {"$numberLong": "-1"}}`, `{}`, `{"x": null}`},
		"i": {`{"x": 2}`, `{"x": 5}`, `{}`, `{"x": 3}`},
		"s": {`{"x": "b"}`, `{"x": "a"}`, `{"x": null}`, `{}`, `{"x": "c"}`},
	}
	constants := []string{`3`, `2.5`, `{"$numberLong": "5"}`, `"b"`, `null`}
	for name, lines := range columns {
		for _, op := range []string{"$eq", "$ne", "$gt", "$gte", "$lt", "$lte"} {
			for _, k := range constants {
				q := fmt.Sprintf(`{"x": {"%s": %s}}`, op, k)
				var raw bson.D
				if err := bson.UnmarshalExtJSON([]byte(q), false, &raw); err != nil {
					t.Fatal(err)
				}
				p, _, err := mql.Decode([]byte(`[{"$source": {"connectionName": "c", "topic": "t"}}, {"$match": ` + q + `}]`))
				if err != nil {
					t.Fatal(err)
				}
				query := p.Pipeline[1].(*mql.Match).Query
				dec, err := NewDecoder(mem, []string{"x"}, DecoderOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range lines {
					if err := dec.Append([]byte(l)); err != nil {
						t.Fatal(err)
					}
				}
				b, rowErrs := dec.Flush()
				if len(rowErrs) > 0 {
					t.Fatal(rowErrs)
				}
				keep, ok := MatchColumns(b, query)
				if k != "null" && !ok {
					t.Errorf("%s over %s column: no fast path", q, name)
				}
				if ok {
					for i, l := range lines {
						var doc bson.D
						if err := bson.UnmarshalExtJSON([]byte(l), false, &doc); err != nil {
							t.Fatal(err)
						}
						want, err := Match(query, doc, nil)
						if err != nil {
							t.Fatal(err)
						}
						if keep[i] != want {
							t.Errorf("%s over %s: columnar %v, Match %v", q, l, keep[i], want)
						}
					}
				}
				b.Release()
				dec.Release()
			}
		}
	}
}
