package mongodb

import (
	"slices"
	"testing"
	"time"

	"github.com/weir-stream/weir/connectors"
)

func TestDLQ(t *testing.T) {
	c := connect(t, nil)
	db := testDB(t, c)
	q := NewDLQ(c, db.Name(), "dlq", "highValueSales")
	q.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	letters := Rejections("$merge", []connectors.Rejected{{Doc: connectors.Doc{Doc: d("amount", 5)}, Reason: "E11000 duplicate key error"}})
	letters = append(letters, DeadLetter{OperatorName: "$source", Reason: "not an Extended JSON document", Doc: "{oops", StreamMeta: d("source", d("type", "kafka", "topic", "orders"))})
	if err := q.Write(t.Context(), letters); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, doc := range all(t, db.Collection("dlq")) {
		got = append(got, doc[len(`{"_id":{"$oid":"000000000000000000000000"},`):])
	}
	want := []string{
		`"processorName":"highValueSales","dlqTime":{"$date":"2026-01-02T03:04:05Z"},"operatorName":"$merge","errInfo":{"reason":"E11000 duplicate key error"},"doc":{"amount":5}}`,
		`"processorName":"highValueSales","dlqTime":{"$date":"2026-01-02T03:04:05Z"},"operatorName":"$source","errInfo":{"reason":"not an Extended JSON document"},"doc":"{oops","_stream_meta":{"source":{"type":"kafka","topic":"orders"}}}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("dlq holds\n%v\nwant\n%v", got, want)
	}
}
