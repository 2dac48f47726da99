package mongodb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// attempts and backoff bound the retries of a failing insert.
	attempts int
	backoff  time.Duration
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
	return &DLQ{coll: c.mongo.Database(db).Collection(coll), processorName: processorName, now: time.Now,
		attempts: writeAttempts, backoff: writeBackoff}
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
	docs := make([]letter, len(letters))
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
		docs[i] = letter{doc: d, index: i, ownID: true}
	}
	return insertLetters(ctx, q.coll, docs, q.attempts, q.backoff)
}

// letter is a dead letter on its way into the queue: its document, its
// index in the caller's batch (for errors), and whether its _id was made
// by this write — an ObjectID no other document has, so a duplicate of it
// can only be this letter, written by an earlier attempt.
type letter struct {
	doc   any
	index int
	ownID bool
}

// insertLetters inserts dead letters, each with an _id, with one unordered
// insertMany, sent again after a retryable failure (a network error, a
// primary stepping down, a retryable write concern error) with waits
// doubling from backoff, attempts times at most. A write that answered
// per letter is sent again only for the letters that failed with a
// retryable error: the others were written, or refused. A duplicate key
// on the _id index in a later attempt is a letter an earlier attempt
// wrote (its answer was lost), so it counts as written — at once for an
// _id made here, and for an _id the caller gave only when the stored
// document is this letter: another letter holding that _id already (one
// of an earlier batch) is a refusal, never a silent drop. Any refusal
// fails the write, naming the letters.
func insertLetters(ctx context.Context, coll *mongo.Collection, letters []letter, attempts int, backoff time.Duration) error {
	ns := coll.Database().Name() + "." + coll.Name()
	total := len(letters)
	wait := backoff
	for attempt := 1; ; attempt++ {
		docs := make([]any, len(letters))
		for i, l := range letters {
			docs[i] = l.doc
		}
		_, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err == nil {
			return nil
		}
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
			// An answer per letter: those without a write error are written.
			failed := make(map[int]mongo.BulkWriteError, len(bwe.WriteErrors))
			for _, we := range bwe.WriteErrors {
				failed[we.Index] = we
			}
			var refused []string
			var again, check []letter
			for i, l := range letters {
				we, ok := failed[i]
				switch {
				case !ok:
				case attempt > 1 && we.Code == 11000 && dupOnID(we):
					if !l.ownID {
						check = append(check, l)
					} // else written by an earlier attempt
				case slices.Contains(retryableCodes, we.Code):
					again = append(again, l)
				default:
					refused = append(refused, fmt.Sprintf("letter %d: %s", l.index, we.Error()))
				}
			}
			if len(check) > 0 {
				other, err := otherLetters(ctx, coll, check)
				switch {
				case err == nil:
					refused = append(refused, other...)
				case retryableRead(ctx, err):
					again = append(again, check...) // looked at again after the next attempt
				default:
					return fmt.Errorf("dlq %s: reading back letters whose _id was already there: %w", ns, err)
				}
			}
			if len(refused) > 0 {
				return fmt.Errorf("dlq %s refused %d of %d dead letters: %v", ns, len(refused), total, refused)
			}
			if len(again) == 0 {
				return nil
			}
			letters = again
		} else if !retryable(err) || ctx.Err() != nil {
			return fmt.Errorf("dlq %s: %w", ns, err)
		}
		if attempt >= attempts {
			return fmt.Errorf("dlq %s: giving up after %d attempts: %w", ns, attempt, err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// otherLetters reads the documents holding the _ids of check, which a
// retried insert found already there, and describes those that are not
// the letter sent: another letter already had its _id.
func otherLetters(ctx context.Context, coll *mongo.Collection, check []letter) ([]string, error) {
	sent := make([]bson.Raw, len(check))
	ids := make(bson.A, len(check))
	for i, l := range check {
		b, err := bson.Marshal(l.doc)
		if err != nil {
			return nil, err
		}
		sent[i] = b
		ids[i] = sent[i].Lookup("_id")
	}
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	var stored []bson.Raw
	if err := cur.All(ctx, &stored); err != nil {
		return nil, err
	}
	var other []string
	for i, l := range check {
		id := sent[i].Lookup("_id")
		if !slices.ContainsFunc(stored, func(d bson.Raw) bool { return d.Lookup("_id").Equal(id) && sameLetter(d, sent[i]) }) {
			other = append(other, fmt.Sprintf("letter %d: its _id %s is already another document's", l.index, id))
		}
	}
	return other, nil
}

// sameLetter says whether two documents hold the same fields, in the same
// order and of the same types, but for where _id is: the server moves it
// first.
func sameLetter(a, b bson.Raw) bool {
	ea, err1 := a.Elements()
	eb, err2 := b.Elements()
	if err1 != nil || err2 != nil {
		return false
	}
	ea = slices.DeleteFunc(ea, func(e bson.RawElement) bool { return e.Key() == "_id" })
	eb = slices.DeleteFunc(eb, func(e bson.RawElement) bool { return e.Key() == "_id" })
	return slices.EqualFunc(ea, eb, func(x, y bson.RawElement) bool { return string(x) == string(y) })
}

// dupOnID says whether a duplicate-key error is on the _id index (by its
// keyPattern, or the server's message where there is none).
func dupOnID(we mongo.BulkWriteError) bool {
	if kp, ok := we.Raw.Lookup("keyPattern").DocumentOK(); ok {
		els, err := kp.Elements()
		return err == nil && len(els) == 1 && els[0].Key() == "_id"
	}
	if kp, ok := we.Details.Lookup("keyPattern").DocumentOK(); ok {
		els, err := kp.Elements()
		return err == nil && len(els) == 1 && els[0].Key() == "_id"
	}
	return strings.Contains(we.Message+" ", "index: _id_ ")
}

// DLQSink is the dead-letter queue as the runtime writes it: documents it
// has already shaped as ASP's dead letters ({processorName, dlqTime,
// operatorName, errInfo, doc, _stream_meta}), inserted as they are into
// the collection (or Doc.Target's "db.coll"), with DLQ.Write's retries
// and idempotence: each document without an _id gets one here, so a
// letter a lost answer left written is not written twice.
type DLQSink struct {
	client   *Client
	db, coll string
	attempts int
	backoff  time.Duration
}

var _ connectors.Sink = (*DLQSink)(nil)

// NewDLQSink returns the runtime's DLQ sink into db.coll. The client stays
// the caller's.
func NewDLQSink(c *Client, db, coll string) *DLQSink {
	return &DLQSink{client: c, db: db, coll: coll, attempts: writeAttempts, backoff: writeBackoff}
}

// Write inserts the documents synchronously, one insertMany per target;
// it rejects nothing: a letter the server refuses fails the write.
func (s *DLQSink) Write(ctx context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	by := map[string][]letter{}
	var order []string
	for i, d := range docs {
		t := d.Target
		if t == "" {
			t = s.db + "." + s.coll
		}
		l := letter{doc: d.Doc, index: i}
		if !slices.ContainsFunc(d.Doc, func(e bson.E) bool { return e.Key == "_id" }) {
			l.doc, l.ownID = append(bson.D{{Key: "_id", Value: bson.NewObjectID()}}, d.Doc...), true
		}
		if _, ok := by[t]; !ok {
			order = append(order, t)
		}
		by[t] = append(by[t], l)
	}
	for _, t := range order {
		db, coll, _ := strings.Cut(t, ".")
		if err := insertLetters(ctx, s.client.mongo.Database(db).Collection(coll), by[t], s.attempts, s.backoff); err != nil {
			return nil, fmt.Errorf("%s: dead-letter queue: %w", s.client.cfg.label(), err)
		}
	}
	return nil, nil
}

// Flush has nothing to do: Write is synchronous.
func (s *DLQSink) Flush(context.Context) error { return nil }

// Close releases nothing: the client is the caller's.
func (s *DLQSink) Close() error { return nil }

// Rejections turns a sink's rejections into dead letters of operator op.
func Rejections(op string, rejected []connectors.Rejected) []DeadLetter {
	out := make([]DeadLetter, len(rejected))
	for i, r := range rejected {
		out[i] = DeadLetter{OperatorName: op, Reason: r.Reason, Doc: r.Doc.Doc}
	}
	return out
}
