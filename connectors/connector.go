package connectors

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The interfaces below are what the engine asks of a connection. They are
// small on purpose (Read/Commit/Close, Write/Flush/Close, Find), in the
// manner of Benthos' inputs and outputs, and every implementation runs the
// same conformance tests.

// Message is one record a source read: the document as received and where
// it came from, so the engine can decode it, stamp its metadata and commit
// its position once it has reached the sink.
type Message struct {
	// Value is the document: Extended JSON text (Kafka, files) or BSON
	// (MongoDB change streams), as Format says.
	Value  []byte
	Format Format
	// Time is the source's own timestamp: the Kafka record time, the change
	// event's wallTime (or clusterTime), the time a file line was read.
	Time time.Time
	// Key and Headers are the Kafka record's, raw.
	Key     []byte
	Headers []Header
	// Position says where the message is in its source.
	Position Position
}

// Format is how a Message's Value is encoded.
type Format uint8

const (
	// ExtJSON is relaxed or canonical Extended JSON text.
	ExtJSON Format = iota
	// BSON is a BSON document.
	BSON
)

// Header is one Kafka record header.
type Header struct {
	Key   string
	Value []byte
}

// Position is a message's place in its source: a Kafka topic, partition
// and offset, or a change stream's resume token (ResumeToken set; Topic
// then names the namespace "db.coll").
type Position struct {
	Topic       string
	Partition   int32
	Offset      int64
	ResumeToken bson.Raw
}

// Source reads messages.
type Source interface {
	// Read returns the next messages, waiting until there are some, the
	// context ends, or the source is exhausted (io.EOF, bounded sources
	// only). It never returns messages and an error together.
	Read(ctx context.Context) ([]Message, error)
	// Commit records that every message up to and including these
	// positions has reached the sink (at-least-once: never before).
	Commit(ctx context.Context, upTo []Position) error
	Close() error
}

// Lagger is a Source that knows how far its reading is behind the end of
// its input: Kafka's high watermarks minus the offsets read, over the
// partitions it reads. ok is false until it knows (before the first
// fetch).
type Lagger interface {
	Lag() (messages int64, ok bool)
}

// Resumer is a Source whose place is kept only in the engine's checkpoint,
// not by the server: a MongoDB change stream (its resume token) or its
// poll fallback (the last _id). Kafka needs none: its committed group
// offsets resume it.
//
// When a processor restarts from a checkpoint, the runtime calls
// ResumeFrom once, after restoring the checkpoint and before the first
// Read, with the positions the checkpoint holds: per partition, the last
// one read, every message up to it being covered. The source then reads
// what comes after them instead of starting where it was opened. Without
// a checkpoint it is never called. An error fails the run.
type Resumer interface {
	ResumeFrom(positions []Position) error
}

// Progresser is a Source whose position can move on with no message to
// carry it: a MongoDB change stream whose getMores return no events (the
// server's config.pipeline filtered them out, or nothing was written)
// still answers each with a newer postBatchResumeToken. Without it the
// saved position would stay at the last message, which the server may no
// longer hold at a restart. Kafka needs none: the offsets of the messages
// a processor filters out advance with them.
//
// The runtime calls Progress on its tick, from another goroutine than
// Read's, so it must be safe to call while Read runs. ok is false when the
// source has moved past no message since the last one Read returned. The
// position it returns must come after every message earlier Reads
// returned and before every message later ones will: a source sets it only
// while Read waits with nothing read and not yet returned, and withdraws
// it (ok false) before Read returns messages, whose positions supersede
// it. The runtime handles a Read's messages before it calls Read again, so
// a position set during a Read never covers a message it has not seen; it
// treats the position as one more message of its partition, with no
// document: saved in a checkpoint or committed only after everything read
// before it was flushed, never before a position it already holds. A
// partition that only ever had such positions (Topic names a whole change
// stream's scope, for example) doesn't hold the watermark back.
type Progresser interface {
	Progress() (pos Position, ok bool)
}

// Sink writes documents to a topic or collection.
type Sink interface {
	// Write sends documents; it may buffer. A document the target refuses
	// for a reason of its own (too large, a duplicate key) comes back in
	// Rejected with the server's reason, for the dead-letter queue; an
	// error means the sink itself failed.
	Write(ctx context.Context, docs []Doc) (rejected []Rejected, err error)
	// Flush returns once everything written so far is durable at the target.
	Flush(ctx context.Context) error
	Close() error
}

// Doc is a document on its way to a sink, with where it goes when the
// target is computed per document ($merge into expressions, $emit topic
// expressions) and, for Kafka, its key and headers.
type Doc struct {
	Doc bson.D
	// Target is the topic, or "db.coll", for this document; "" uses the
	// sink's own.
	Target  string
	Key     []byte
	Headers []Header
}

// Rejected is a document a sink could not write, and why.
type Rejected struct {
	Doc    Doc
	Reason string
}

// Lookup finds documents of a collection for $lookup and JOIN, one query
// per batch of documents rather than one per document.
type Lookup interface {
	// Find returns the collection's documents whose field equals any of
	// values (MongoDB's equality: an array field matches by element).
	Find(ctx context.Context, field string, values []any) ([]bson.D, error)
	Close() error
}
