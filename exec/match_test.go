package exec

import (
	"testing"

	"github.com/weir-stream/weir/planner/mql"
)

type matchCase struct {
	name  string
	query string
	doc   string
	want  bool
}

func parseQuery(t testing.TB, js string) *mql.Query {
	t.Helper()
	q, err := mql.ParseQuery(parseJSON(t, js), "")
	if err != nil {
		t.Fatalf("parse query %s: %v", js, err)
	}
	return q
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Match(parseQuery(t, c.query), parseDoc(t, c.doc), nil)
			if err != nil {
				t.Fatalf("%s over %s: %v", c.query, c.doc, err)
			}
			if got != c.want {
				t.Fatalf("%s over %s: got %v, want %v", c.query, c.doc, got, c.want)
			}
		})
	}
}

// MongoDB "Query for Null or Missing Fields" (asp.md §9).
func TestMatchNullAndMissing(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"null matches null", `{"item": null}`, `{"item": null}`, true},
		{"null matches missing", `{"item": null}`, `{"x": 1}`, true},
		{"null does not match a value", `{"item": null}`, `{"item": 1}`, false},
		{"$ne null means exists and not null", `{"item": {"$ne": null}}`, `{"x": 1}`, false},
		{"$ne null with a value", `{"item": {"$ne": null}}`, `{"item": 0}`, true},
		{"$type null matches only explicit null", `{"item": {"$type": "null"}}`, `{"x": 1}`, false},
		{"$type 10 matches explicit null", `{"item": {"$type": 10}}`, `{"item": null}`, true},
		{"$exists false matches only missing", `{"item": {"$exists": false}}`, `{"item": null}`, false},
		{"$exists false on missing", `{"item": {"$exists": false}}`, `{}`, true},
		{"$exists true on null", `{"item": {"$exists": true}}`, `{"item": null}`, true},
		{"$ne matches missing", `{"qty": {"$ne": 20}}`, `{}`, true},
		{"$nin matches missing", `{"qty": {"$nin": [5, 15]}}`, `{}`, true},
		{"$in with null matches missing", `{"qty": {"$in": [null, 5]}}`, `{}`, true},
		{"dotted null: one element lacks the field", `{"a.b": null}`, `{"a": [{"b": 1}, {"c": 2}]}`, true},
		{"dotted null: every element has it", `{"a.b": null}`, `{"a": [{"b": 1}, {"b": 2}]}`, false},
		{"$gte null matches missing", `{"a": {"$gte": null}}`, `{}`, true},
	})
}

// Type bracketing: $gt/$gte/$lt/$lte only match the operand's bracket
// ({a: {$gt: 5}} matches neither "10" nor null).
func TestMatchTypeBracketing(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"number above", `{"a": {"$gt": 5}}`, `{"a": 10}`, true},
		{"string is outside the number bracket", `{"a": {"$gt": 5}}`, `{"a": "10"}`, false},
		{"null is outside the number bracket", `{"a": {"$lt": 5}}`, `{"a": null}`, false},
		{"missing never compares", `{"a": {"$lt": 5}}`, `{}`, false},
		{"numbers compare across types", `{"a": {"$gte": 5}}`, `{"a": {"$numberLong": "5"}}`, true},
		{"double against int", `{"a": {"$lt": 5}}`, `{"a": 4.5}`, true},
		{"decimal against int", `{"a": {"$gt": 5}}`, `{"a": {"$numberDecimal": "5.01"}}`, true},
		{"strings compare as bytes", `{"a": {"$lt": "b"}}`, `{"a": "a"}`, true},
		{"string operand skips numbers", `{"a": {"$lt": "b"}}`, `{"a": 1}`, false},
		{"dates compare with dates", `{"t": {"$gte": {"$date": "2020-01-01T00:00:00Z"}}}`, `{"t": {"$date": "2021-01-01T00:00:00Z"}}`, true},
		{"dates do not compare with numbers", `{"t": {"$gte": 0}}`, `{"t": {"$date": "2021-01-01T00:00:00Z"}}`, false},
		{"MinKey compares with everything", `{"a": {"$gt": {"$minKey": 1}}}`, `{"a": "x"}`, true},
		{"equality is exact by value", `{"a": 1}`, `{"a": 1.0}`, true},
		{"equality does not coerce strings", `{"a": 1}`, `{"a": "1"}`, false},
	})
}

// MongoDB "Query an Array" and "Query an Array of Embedded Documents".
func TestMatchArrays(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"element equality", `{"tags": "red"}`, `{"tags": ["blank", "red"]}`, true},
		{"whole-array equality", `{"tags": ["red", "blank"]}`, `{"tags": ["red", "blank"]}`, true},
		{"whole-array equality needs order", `{"tags": ["red", "blank"]}`, `{"tags": ["blank", "red"]}`, false},
		{"nested array element", `{"a": [1]}`, `{"a": [[1], 2]}`, true},
		{"$all any order", `{"tags": {"$all": ["red", "blank"]}}`, `{"tags": ["blank", "red", "plain"]}`, true},
		{"$all missing one", `{"tags": {"$all": ["red", "blank"]}}`, `{"tags": ["red"]}`, false},
		{"$all empty matches nothing", `{"tags": {"$all": []}}`, `{"tags": ["red"]}`, false},
		{"conditions may be met by different elements", `{"dim": {"$gt": 15, "$lt": 20}}`, `{"dim": [10, 25]}`, true},
		{"$elemMatch needs one element", `{"dim": {"$elemMatch": {"$gt": 15, "$lt": 20}}}`, `{"dim": [10, 25]}`, false},
		{"$elemMatch one element", `{"dim": {"$elemMatch": {"$gt": 15, "$lt": 20}}}`, `{"dim": [10, 18]}`, true},
		{"$elemMatch over documents", `{"instock": {"$elemMatch": {"qty": 5, "warehouse": "A"}}}`,
			`{"instock": [{"warehouse": "A", "qty": 5}, {"warehouse": "C", "qty": 15}]}`, true},
		{"$elemMatch over documents, split", `{"instock": {"$elemMatch": {"qty": 15, "warehouse": "A"}}}`,
			`{"instock": [{"warehouse": "A", "qty": 5}, {"warehouse": "C", "qty": 15}]}`, false},
		{"$elemMatch on a non-array", `{"a": {"$elemMatch": {"$gt": 1}}}`, `{"a": 5}`, false},
		{"dotted path into array of documents", `{"instock.qty": {"$lte": 20}}`,
			`{"instock": [{"warehouse": "A", "qty": 35}, {"warehouse": "C", "qty": 15}]}`, true},
		{"numeric path part indexes in queries", `{"instock.0.qty": {"$lte": 20}}`,
			`{"instock": [{"warehouse": "A", "qty": 35}, {"warehouse": "C", "qty": 15}]}`, false},
		{"numeric path part indexes: match", `{"instock.1.qty": 15}`,
			`{"instock": [{"warehouse": "A", "qty": 35}, {"warehouse": "C", "qty": 15}]}`, true},
		{"numeric index into scalars", `{"a.1": 20}`, `{"a": [10, 20]}`, true},
		{"$size", `{"tags": {"$size": 2}}`, `{"tags": ["a", "b"]}`, true},
		{"$size does not match a scalar", `{"tags": {"$size": 1}}`, `{"tags": "a"}`, false},
		{"$ne rejects an array holding the value", `{"a": {"$ne": 1}}`, `{"a": [1, 2]}`, false},
		{"$nin rejects an array holding a value", `{"a": {"$nin": [2]}}`, `{"a": [1, 2]}`, false},
		{"range on array elements", `{"a": {"$gt": 5}}`, `{"a": [1, 7]}`, true},
		{"$type array", `{"a": {"$type": "array"}}`, `{"a": []}`, true},
		{"$type of an element", `{"a": {"$type": "string"}}`, `{"a": [1, "x"]}`, true},
		{"$type number alias", `{"a": {"$type": "number"}}`, `{"a": {"$numberDecimal": "1"}}`, true},
		{"$exists through array", `{"a.b": {"$exists": true}}`, `{"a": [{"c": 1}, {"b": 2}]}`, true},
		{"$exists false through array", `{"a.b": {"$exists": false}}`, `{"a": [{"c": 1}, {"b": 2}]}`, false},
	})
}

func TestMatchOperators(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"implicit and", `{"status": "A", "qty": {"$lt": 30}}`, `{"status": "A", "qty": 20}`, true},
		{"$or", `{"$or": [{"status": "A"}, {"qty": {"$lt": 30}}]}`, `{"status": "B", "qty": 50}`, false},
		{"$or second", `{"$or": [{"status": "A"}, {"qty": {"$lt": 30}}]}`, `{"status": "B", "qty": 5}`, true},
		{"$nor", `{"$nor": [{"a": 1}, {"b": 2}]}`, `{"a": 3}`, true},
		{"$and", `{"$and": [{"a": {"$gt": 1}}, {"a": {"$lt": 5}}]}`, `{"a": 3}`, true},
		{"$in", `{"a": {"$in": [1, "x"]}}`, `{"a": "x"}`, true},
		{"$in with regex", `{"a": {"$in": [{"$regularExpression": {"pattern": "^be", "options": ""}}, "x"]}}`, `{"a": "bell"}`, true},
		{"$nin with regex", `{"a": {"$nin": [{"$regularExpression": {"pattern": "^be", "options": ""}}]}}`, `{"a": "bell"}`, false},
		{"$regex", `{"sku": {"$regex": "789$"}}`, `{"sku": "abc789"}`, true},
		{"$regex with $options", `{"sku": {"$regex": "^ABC", "$options": "i"}}`, `{"sku": "abc789"}`, true},
		{"$regex multiline", `{"d": {"$regex": "^S", "$options": "m"}}`, `{"d": "First line\nSecond line"}`, true},
		{"$regex without m", `{"d": {"$regex": "^S"}}`, `{"d": "First line\nSecond line"}`, false},
		{"$regex dot-all", `{"d": {"$regex": "m.*line", "$options": "si"}}`, `{"d": "Multiple\nline"}`, true},
		{"$regex extended", `{"d": {"$regex": "abc #c\n 123", "$options": "x"}}`, `{"d": "abc123"}`, true},
		{"implicit regex", `{"sku": {"$regularExpression": {"pattern": "^a", "options": ""}}}`, `{"sku": "ab"}`, true},
		{"$regex over array elements", `{"tags": {"$regex": "^r"}}`, `{"tags": ["blue", "red"]}`, true},
		{"$regex on a number", `{"a": {"$regex": "1"}}`, `{"a": 1}`, false},
		{"$not", `{"price": {"$not": {"$gt": 1.99}}}`, `{"price": 1.5}`, true},
		{"$not matches missing", `{"price": {"$not": {"$gt": 1.99}}}`, `{}`, true},
		{"$not regex", `{"item": {"$not": {"$regularExpression": {"pattern": "^p", "options": ""}}}}`, `{"item": "pen"}`, false},
		{"$mod", `{"qty": {"$mod": [4, 0]}}`, `{"qty": 12}`, true},
		{"$mod truncates doubles", `{"qty": {"$mod": [4, 0]}}`, `{"qty": 12.9}`, true},
		{"$mod on a string", `{"qty": {"$mod": [4, 0]}}`, `{"qty": "12"}`, false},
		{"$expr", `{"$expr": {"$gt": ["$spent", "$budget"]}}`, `{"spent": 450, "budget": 400}`, true},
		{"$expr false", `{"$expr": {"$gt": ["$spent", "$budget"]}}`, `{"spent": 150, "budget": 400}`, false},
		{"$expr truthiness", `{"$expr": "$flag"}`, `{"flag": 0}`, false},
		{"$comment is ignored", `{"a": 1, "$comment": "x"}`, `{"a": 1}`, true},
		{"$eq with a document", `{"a": {"$eq": {"b": 1}}}`, `{"a": {"b": 1}}`, true},
		{"document equality is ordered", `{"a": {"b": 1, "c": 2}}`, `{"a": {"c": 2, "b": 1}}`, false},
		{"empty query matches", `{}`, `{"a": 1}`, true},
	})
}
