package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/weir-stream/weir/connectors"
)

// DLQ writes dead letters into a collection (a processor's options.dlq),
// as ASP's documents: {processorName, dlqTime, operatorName,
// errInfo: {reason}, doc, _stream_meta}.
type DLQ struct {
	coll          *mongo.Collection
	processorName string
	instanceName  string
	now           func() time.Time
}

// DeadLetter is one message that could not be processed.
type DeadLetter struct {
	// OperatorName is the stage that gave up on the document ("$merge",
	// "$validate", "$source").
	OperatorName string
	Reason       string
	// Doc is the document, or the raw input (a string) when it wasn't one.
	Doc any
	// StreamMeta is the document's $meta: "stream"; nil leaves it out.
	StreamMeta bson.D
}

// NewDLQ returns a DLQ writing into db.coll for processorName. The client
// stays the caller's.
func NewDLQ(c *Client, db, coll, processorName string) *DLQ {
	return &DLQ{coll: c.mongo.Database(db).Collection(coll), processorName: processorName, now: time.Now}
}

// SetInstanceName adds instanceName to every document, as ASP does when a
// project has several workspaces.
func (q *DLQ) SetInstanceName(name string) { q.instanceName = name }

// Write inserts the letters with one unordered insertMany. _ids are made
// here, so a retry after a lost answer finds its own documents already
// written (a duplicate key) rather than writing them twice. A dead letter
// the server refuses in turn can only be reported: the error says which.
func (q *DLQ) Write(ctx context.Context, letters []DeadLetter) error {
	if len(letters) == 0 {
		return nil
	}
	now := bson.NewDateTimeFromTime(q.now())
	docs := make([]any, len(letters))
	for i, l := range letters {
		d := bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "processorName", Value: q.processorName}}
		if q.instanceName != "" {
			d = append(d, bson.E{Key: "instanceName", Value: q.instanceName})
		}
		d = append(d,
			bson.E{Key: "dlqTime", Value: now},
			bson.E{Key: "operatorName", Value: l.OperatorName},
			bson.E{Key: "errInfo", Value: bson.D{{Key: "reason", Value: l.Reason}}},
			bson.E{Key: "doc", Value: l.Doc},
		)
		if l.StreamMeta != nil {
			d = append(d, bson.E{Key: "_stream_meta", Value: l.StreamMeta})
		}
		docs[i] = d
	}
	ns := q.coll.Database().Name() + "." + q.coll.Name()
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		_, err := q.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err == nil {
			return nil
		}
		if bwe, ok := err.(mongo.BulkWriteException); ok && bwe.WriteConcernError == nil {
			var refused []string
			for _, we := range bwe.WriteErrors {
				if we.Code == 11000 && attempt > 1 {
					continue // written by an earlier attempt
				}
				refused = append(refused, fmt.Sprintf("letter %d: %s", we.Index, we.Error()))
			}
			if len(refused) == 0 {
				return nil
			}
			if !retryable(err) {
				return fmt.Errorf("dlq %s refused %d of %d dead letters: %v", ns, len(refused), len(docs), refused)
			}
		}
		if !retryable(err) || attempt >= 5 || ctx.Err() != nil {
			return fmt.Errorf("dlq %s: %w", ns, err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait *= 2
	}
}

// Rejections turns a sink's rejections into dead letters of operator op.
func Rejections(op string, rejected []connectors.Rejected) []DeadLetter {
	out := make([]DeadLetter, len(rejected))
	for i, r := range rejected {
		out[i] = DeadLetter{OperatorName: op, Reason: r.Reason, Doc: r.Doc.Doc}
	}
	return out
}
